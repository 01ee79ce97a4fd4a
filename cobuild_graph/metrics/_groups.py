"""Groups of nodes: communities (Louvain, Leiden), k-cores, cliques."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Literal

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph import views
from cobuild_graph.metrics._simple import Simple, node_index, seeded
from cobuild_graph.schema import Schema


def communities(
    G: nx.Graph,
    *,
    method: Literal["louvain", "leiden"] = "louvain",
    resolution: float = 1.0,
    weight: str | None = None,
    seed: int | None = 0,
    view: str | None = None,
    schema: Schema | None = None,
) -> pd.DataFrame:
    """Communities that maximise modularity, by Louvain or Leiden, seeded.

    Modularity (Newman & Girvan 2004, *PRE* 69, 026113; with resolution γ, Reichardt &
    Bornholdt 2006):

    .. math:: Q = \\frac{1}{2m} \\sum_{ij} \\left(A_{ij} - \\gamma \\frac{k_i k_j}{2m}\\right)
              \\delta(c_i, c_j)

    ``louvain``: Blondel, Guillaume, Lambiotte & Lefebvre 2008 (*J. Stat. Mech.* P10008),
    igraph's ``community_multilevel``; ``leiden``: Traag, Waltman & van Eck 2019 (*Sci.
    Rep.* 9, 5233), igraph's ``community_leiden`` on modularity, iterated until stable. Both
    are randomised; the same `seed` gives the same partition. The partition differs from
    ``nx.community.louvain_communities``' (another random order) but its modularity is of
    the same size, and ``modularity`` equals ``nx.community.modularity`` of the partition.

    Parameters
    ----------
    G
        Any networkx graph; measured undirected (see the module docstring).
    method
        ``"louvain"`` or ``"leiden"``.
    resolution
        γ above: above 1 gives more, smaller communities.
    weight
        A tie attribute of strengths (summed per link).
    seed
        Seed of igraph's random numbers for this call.
    view
        The network to measure, a view of `G` (:func:`cobuild_graph.views.view`:
        ``"cobuilding"`` leaves the hierarchy out); `G` as given when ``None``.
    schema
        For `view`: the roles of the tie types.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id, column ``community``: 0 for the largest community, 1 for the
        next ... (ties by first node). ``.attrs`` holds ``modularity``, ``method``,
        ``resolution``, ``seed`` and ``count`` (number of communities).
    """
    G = views.view(G, view, schema=schema)
    S = Simple.of(G, weight=weight)
    g = S.igraph()
    with seeded(seed):
        if method == "louvain":
            found = g.community_multilevel(weights=S.strengths(), resolution=resolution)
        elif method == "leiden":
            found = g.community_leiden(
                objective_function="modularity",
                weights=S.strengths(),
                resolution=resolution,
                n_iterations=-1,
            )
        else:
            raise ValueError(f"unknown method {method!r}; use 'louvain' or 'leiden'")
    membership = ranked(np.asarray(found.membership, dtype=np.int64))
    out = pd.DataFrame({"community": membership}, index=node_index(S.nodes))
    out.attrs.update(
        modularity=float(
            g.modularity(membership.tolist(), weights=S.strengths(), resolution=resolution)
        )
        if g.ecount()
        else float("nan"),
        method=method,
        resolution=resolution,
        seed=seed,
        count=int(membership.max()) + 1 if len(membership) else 0,
    )
    return out


def ranked(membership: np.ndarray) -> np.ndarray:
    """Renumber groups by size, largest first; equal sizes by their first member."""
    if len(membership) == 0:
        return membership
    labels, first, counts = np.unique(membership, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    return rank[np.searchsorted(labels, membership)]


def kcore(G: nx.Graph, *, view: str | None = None, schema: Schema | None = None) -> pd.DataFrame:
    """The core number of every node.

    The k-core is the largest subgraph in which every node has at least k neighbours; a
    node's core number is the largest k of a k-core holding it (Seidman, S. B. 1983.
    Network structure and minimum degree. *Social Networks* 5, 269; Batagelj & Zaversnik
    2003). Equal to ``nx.core_number`` of the undirected simple graph.

    Parameters
    ----------
    G
        Any networkx graph.
    view
        The network to measure, a view of `G` (:func:`cobuild_graph.views.view`:
        ``"cobuilding"`` leaves the hierarchy out); `G` as given when ``None``.
    schema
        For `view`: the roles of the tie types.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id, column ``core``.
    """
    G = views.view(G, view, schema=schema)
    S = Simple.of(G)
    return pd.DataFrame(
        {"core": np.asarray(S.igraph().coreness(), dtype=np.int64)}, index=node_index(S.nodes)
    )


def cliques(
    G: nx.Graph,
    *,
    min_size: int = 3,
    view: str | None = None,
    schema: Schema | None = None,
) -> pd.DataFrame:
    """Maximal cliques of at least `min_size` nodes in the undirected simple graph.

    A clique is a set of nodes all tied to each other; maximal when no node can join it
    (Bron, C. & Kerbosch, J. 1973. Algorithm 457. *Comm. ACM* 16, 575; with Eppstein,
    Löffler & Strash's degeneracy order, 2010, igraph's ``maximal_cliques``). Every link of
    a clique of three or more nodes lies on a triangle, and so does every link by which a
    node could join one: those cliques are the ones of the graph of the links on triangles,
    searched alone, a bundle of whole components at a time (small in a sparse network:
    69,000 of a province's 588,000 nodes). The maximal cliques of two nodes are the links
    on no triangle, those of one the isolates.
    Equal to ``nx.find_cliques`` filtered by size.

    Parameters
    ----------
    G
        Any networkx graph.
    min_size
        The smallest clique kept.
    view
        The network to measure, a view of `G` (:func:`cobuild_graph.views.view`:
        ``"cobuilding"`` leaves the hierarchy out); `G` as given when ``None``.
    schema
        For `view`: the roles of the tie types.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``clique`` (0, 1 ...; largest first, then by their members as text),
        columns ``size`` and ``members`` (a tuple of node ids, sorted as text).
    """
    G = views.view(G, view, schema=schema)
    S = Simple.of(G)
    found = _maximal_cliques(S, min_size)
    members: list[tuple[Hashable, ...]] = []
    if found:
        # each node in a clique ranked by its text: a clique's members and the cliques
        # are sorted by ranks, as tuples of texts would be
        used, inverse = np.unique(np.concatenate(found), return_inverse=True)
        by_text = np.argsort(np.array([str(S.nodes[i]) for i in used], dtype=object))
        rank = np.empty(len(used), dtype=np.int64)
        rank[by_text] = np.arange(len(used))
        sizes = np.array([len(c) for c in found])
        ranks = np.split(rank[inverse], np.cumsum(sizes)[:-1])
        for size in np.unique(sizes)[::-1]:
            rows = np.sort(np.array([r for r, k in zip(ranks, sizes, strict=True) if k == size]))
            rows = rows[np.lexsort(rows.T[::-1])]
            members += [tuple(S.nodes[i] for i in used[by_text[row]]) for row in rows]
    out = pd.DataFrame(
        {"size": [len(c) for c in members], "members": pd.Series(members, dtype=object)}
    )
    out.index.name = "clique"
    return out


def _maximal_cliques(S: Simple, min_size: int) -> list[np.ndarray]:
    """The maximal cliques of `S` of at least `min_size` nodes, as node positions."""
    n = max(S.n, 1)
    triangles = np.asarray(S.igraph().list_triangles(), dtype=np.int64).reshape(-1, 3)
    ends = np.sort(triangles[:, [0, 1, 0, 2, 1, 2]].reshape(-1, 2), axis=1)
    on_triangle = np.unique(ends[:, 0] * n + ends[:, 1])
    found = []
    for nodes, links in _bundles(np.column_stack([on_triangle // n, on_triangle % n])):
        H = ig.Graph(n=len(nodes), edges=links.tolist())
        found += [nodes[list(c)] for c in H.maximal_cliques(min=max(min_size, 3))]
    if min_size <= 2:
        alone = ~np.isin(S.source * n + S.target, on_triangle)
        found += list(np.column_stack([S.source[alone], S.target[alone]]))
    if min_size <= 1:
        found += list(np.flatnonzero(S.degree() == 0)[:, None])
    return found


#: Nodes searched for cliques at once. igraph's ``maximal_cliques`` takes time in the
#: square of its graph's nodes, isolates included (0.4 s for 50,000 nodes, 6 s for
#: 200,000; 98 s for a province's 588,000 with 35,759 triangles): the links on triangles
#: are searched in bundles of whole components of about this many nodes.
CLIQUE_BUNDLE = 4096


def _bundles(ends: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The links `ends` (pairs of node positions) in bundles of whole components of about
    :data:`CLIQUE_BUNDLE` nodes: each bundle's nodes, and its links as pairs of indices
    into them."""
    nodes, inverse = np.unique(ends, return_inverse=True)
    links = inverse.reshape(-1, 2)
    component = np.asarray(
        ig.Graph(n=len(nodes), edges=links.tolist()).connected_components().membership,
        dtype=np.int64,
    )
    bundle = (np.cumsum(np.bincount(component)) // CLIQUE_BUNDLE)[component]
    by_node = np.argsort(bundle, kind="stable")  # by bundle, then ascending
    by_link = np.argsort(bundle[links[:, 0]], kind="stable")
    kept = np.unique(bundle)[1:]
    for members, chosen in zip(
        np.split(by_node, np.searchsorted(bundle[by_node], kept)),
        np.split(by_link, np.searchsorted(bundle[links[by_link, 0]], kept)),
        strict=True,
    ):
        yield nodes[members], np.searchsorted(members, links[chosen])
