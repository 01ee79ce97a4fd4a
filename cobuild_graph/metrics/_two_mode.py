"""Centrality in a two-mode network, with Borgatti and Everett's normalisations."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph.metrics._simple import Simple, node_index, quiet_igraph


def two_mode_centrality(G: nx.Graph, *, top: Iterable[Hashable] | None = None) -> pd.DataFrame:
    """Degree, closeness and betweenness of both modes of a two-mode network.

    A thin wrapper of ``networkx.algorithms.bipartite``, which normalises each mode by
    the largest value possible in a two-mode network of those mode sizes (Borgatti, S. P.
    & Everett, M. G. 1997. Network analysis of 2-mode data. *Social Networks* 19,
    243–269): with :math:`n_0` nodes in a node's own mode and :math:`n_1` in the other,

    - ``degree``: :math:`d_i / n_1` (``bipartite.degree_centrality``);
    - ``closeness``: :math:`(n_1 + 2(n_0 - 1)) / \\sum_j d(i, j)` over the nodes it
      reaches, scaled by the share reached (``bipartite.closeness_centrality``'s formula,
      the distances searched by igraph);
    - ``betweenness``: Freeman's count (unordered pairs) over its two-mode maximum
      :math:`\frac12 [n_1^2 (s + 1)^2 + n_1 (s + 1)(2t - s - 1) - t (2s - t + 3)]`, with
      :math:`s, t` the quotient and remainder of :math:`(n_0 - 1) / n_1`
      (``bipartite.betweenness_centrality``'s normalisation of Freeman's count, which igraph
      computes here: networkx's pure-Python count takes seconds on a few thousand nodes).

    ``.attrs["density"]`` is the two-mode density: links over :math:`n_0 n_1`
    (``bipartite.density``).

    Parameters
    ----------
    G
        A bipartite graph, e.g. :func:`two_mode` (units × streets), with two nodes or more
        in each mode; directions and parallel ties are ignored.
    top
        The nodes of one mode; by default the nodes whose ``bipartite`` attribute is 0.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id (graph order): ``mode`` (0 for `top`, 1 for the others),
        ``degree``, ``closeness``, ``betweenness``. ``.attrs``: ``density``, ``top``,
        ``bottom`` (mode sizes).
    """
    B = nx.Graph(G)
    B.remove_edges_from(nx.selfloop_edges(B))
    if top is None:
        top = [v for v, side in B.nodes(data="bipartite") if side == 0]
        if not top:
            raise ValueError("no node has bipartite=0: pass top=, the nodes of one mode")
    top = set(top)
    missing = top - set(B)
    if missing:
        raise ValueError(f"top has nodes that are not in the graph: {sorted(missing, key=str)[:5]}")
    try:
        two_modes = nx.bipartite.is_bipartite_node_set(B, top)
    except nx.NetworkXError:  # not bipartite at all
        two_modes = False
    if not two_modes:
        raise ValueError(
            "the graph is not two-mode with these modes: a tie joins two nodes of one mode"
        )
    if min(len(top), len(B) - len(top)) < 2:
        raise ValueError(
            f"each mode needs two nodes or more (here {len(top)} and {len(B) - len(top)}): "
            "the two-mode normalisations divide by the other mode's possible paths"
        )
    out = pd.DataFrame(
        {
            "mode": [0 if v in top else 1 for v in B],
            "degree": pd.Series(nx.bipartite.degree_centrality(B, top)),
            "closeness": _closeness(B, top),
            "betweenness": _betweenness(B, top),
        },
        index=node_index(list(B)),
    )
    out.attrs.update(
        density=nx.bipartite.density(B, top), top=len(top), bottom=B.number_of_nodes() - len(top)
    )
    return out


def _closeness(B: nx.Graph, top: set[Hashable]) -> np.ndarray:
    """``nx.bipartite.closeness_centrality``: (n_1 + 2(n_0 − 1)) over the sum of distances
    (igraph's), times the share of the other nodes reached."""
    S = Simple.of(B)
    g = S.igraph()
    with quiet_igraph():
        inverse = np.nan_to_num(np.asarray(g.closeness(normalized=False), dtype=float))
    reached = np.bincount(S.components())[S.components()] - 1.0
    n_top, n_bottom = len(top), len(B) - len(top)
    in_top = np.array([v in top for v in S.nodes])
    own, other = np.where(in_top, n_top, n_bottom), np.where(in_top, n_bottom, n_top)
    return (other + 2 * (own - 1)) * inverse * reached / (len(B) - 1)


def _betweenness(B: nx.Graph, top: set[Hashable]) -> np.ndarray:
    """``nx.bipartite.betweenness_centrality``: igraph's count of unordered pairs, over the
    largest count possible in each mode (Borgatti & Everett 1997)."""
    S = Simple.of(B)
    raw = np.asarray(S.igraph().betweenness(directed=False), dtype=float)
    n_top, n_bottom = len(top), len(B) - len(top)
    in_top = np.array([v in top for v in S.nodes])
    return raw / np.where(in_top, _most(n_top, n_bottom), _most(n_bottom, n_top))


def _most(own: int, other: int) -> float:
    """The largest betweenness of a node in a mode of `own` nodes facing `other` nodes."""
    s, t = divmod(own - 1, other)
    return (other**2 * (s + 1) ** 2 + other * (s + 1) * (2 * t - s - 1) - t * (2 * s - t + 3)) / 2
