"""Which network a measure runs on: the named views of a co-building graph.

A co-building graph holds two networks in one: the administrative hierarchy (city →
district → street → community, joined by ``PART_OF``) and the co-building ties that units,
action branches and places make across it. Centrality on the whole graph ranks the org
chart — the city and the districts lead because every place hangs from them — not who
carries co-building. Every measure therefore says which network it runs on, and the views
are defined here, from the roles of the schema (:data:`cobuild_graph.schema.TIE_ROLES`):

==============  ===========================================================================
``full``        every node and tie 全部节点与关系
``cobuilding``  the co-building network: the ties whose role is co-building (挂钩, 结对,
                融入) or home (a branch to its unit), between the nodes of the labels such
                ties join (units, branches, streets, communities, grids — an isolated unit
                stays). The hierarchy, projects, positions and committees are left out,
                and with them the city and the districts 共建网络（不含行政隶属）
``two_mode``    units × places at `level` (``Community`` by default): a unit joined to a
                place its co-building ties reach 二模网络（单位 × 社区）
``street``      streets linked by the units they share (projection of units × streets)
                街道投影
``unit``        units linked by the communities they share (projection of units ×
                communities) 单位投影
==============  ===========================================================================

The projections are weighted: ``weight`` is the number of shared nodes, or with
``weighting="newman"`` Newman's collaboration weight, Σ 1 / (k − 1) over the shared nodes
of degree k (Newman 2001, *Phys. Rev. E* 64, 016132).

The two-mode network and its projections are made here, for any level and labels:
:func:`two_mode` and :func:`project` (also names of :mod:`cobuild_graph.metrics`, beside
the measures that run on them).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._memo import memo
from cobuild_graph._net import Net
from cobuild_graph._style import chinese_name
from cobuild_graph.schema import COBUILDING_NETWORK_ROLES, SCHEMA_KEY, Schema, schema_of

__all__ = ["VIEWS", "Weighting", "project", "two_mode", "view", "view_name"]

#: The named views and what each holds (Chinese first, English beside).
VIEWS: dict[str, str] = {
    "full": "全部节点与关系 every node and tie",
    "cobuilding": "共建网络（不含行政隶属）co-building and home ties, no hierarchy",
    "two_mode": "二模网络 units × places",
    "street": "街道投影 streets linked by shared units",
    "unit": "单位投影 units linked by shared communities",
}

Weighting = Literal["shared", "newman"]


def view(
    G: nx.Graph,
    name: str | None = "cobuilding",
    *,
    level: str | None = None,
    weighting: Weighting = "shared",
    schema: Schema | None = None,
) -> nx.Graph:
    """The network of view `name` of the co-building graph `G`.

    Parameters
    ----------
    G
        A co-building graph.
    name
        One of :data:`VIEWS`; ``None`` or ``"full"`` return `G` itself.
    level
        For ``two_mode``: the place level of the second mode (``"Community"`` by default).
    weighting
        For the projections: ``"shared"`` (the count of shared nodes) or ``"newman"``.
    schema
        Gives the roles of the tie types and the hierarchy.

    Returns
    -------
    networkx.Graph
        A new graph (`G` for ``full``) whose ``graph["view"]`` names the view (its own
        ``graph`` dict). The ``cobuilding`` view is a read-only graph of `G`'s class that
        shares `G`'s data rather than copying it: its nodes' and ties' attribute
        dictionaries are `G`'s own (a change to one shows in both), it cannot be changed
        (``networkx.is_frozen``; ``H.copy()`` gives a graph that can), and `G` must not
        change while it is in use; ``two_mode`` is a
        bipartite ``Graph`` (node attribute ``bipartite`` 0 for the places, 1 for the
        units); the projections are weighted ``Graph``s.

    Raises
    ------
    ValueError
        If `name` is not a view.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("s", {"label": "Street"}), ("c", {"label": "Community"}),
    ...                   ("u", {"label": "Unit"})])
    >>> _ = G.add_edge("c", "s", key="PART_OF", type="PART_OF")
    >>> _ = G.add_edge("u", "c", key="PAIRED_WITH", type="PAIRED_WITH")
    >>> sorted(view(G, "cobuilding").edges())
    [('u', 'c')]
    """
    if name is None or name == "full":
        return G
    if name not in VIEWS:
        raise ValueError(f"unknown view {name!r}; use one of {', '.join(VIEWS)}")
    schema = schema_of(G, schema)
    key = ("view", name, level, weighting, id(schema))
    return memo(G, key, lambda: _make(G, name, level, weighting, schema))


def view_name(G: nx.Graph) -> str:
    """The view a graph is (``graph["view"]``), ``"full"`` for a graph of no view."""
    return str(G.graph.get("view", "full"))


def _make(G: nx.Graph, name: str, level: str | None, weighting: str, schema: Schema) -> nx.Graph:
    if name == "cobuilding":
        H = _cobuilding(G, schema)
    elif name == "two_mode":
        H = _two_mode(G, level or "Community", schema)
    else:
        onto, via = ("Street", "Unit") if name == "street" else ("Unit", "Community")
        H = _projection(G, onto, via, weighting, schema)
    H.graph["view"] = name
    H.graph[SCHEMA_KEY] = schema  # the view keeps the schema it was made with
    return H


def _cobuilding(G: nx.Graph, schema: Schema) -> nx.Graph:
    """The co-building ties of `G` and the nodes of the labels they join (and any other
    node such a tie ends at), as a frozen graph of `G`'s class that shares `G`'s data.

    Not a copy: the node and tie attribute dicts are `G`'s, and so is a node's neighbour
    dict (or a pair's dict of parallel ties) wherever every tie in it is kept; only the
    dicts that lose a tie are made anew: about 100 MB at a province's scale, where a copy
    was 730 MB; a ``networkx.subgraph_view`` (nothing made) filters every tie again on
    every pass, ten times and more slower to read.
    """
    types = frozenset(schema.ties_with_role(*COBUILDING_NETWORK_ROLES))
    labels = frozenset(
        label for t in types for pair in schema.tie_types[t].endpoints for label in pair
    )
    multi = G.is_multigraph()

    def kept(k: Hashable, d: dict[str, Any]) -> bool:
        return (d.get("type", k) if multi else d.get("type")) in types

    # networkx's own data structure (dicts of dicts, as its subclassing guide sets out),
    # read and shared without a copy
    nodes, adjacencies = G._node, [G._adj, G._pred] if G.is_directed() else [G._adj]
    ends = {
        u
        for adjacency in adjacencies
        for u, neighbours in adjacency.items()
        if nodes[u].get("label") not in labels
        and any(
            kept(k, d)
            for ties in neighbours.values()
            for k, d in (ties.items() if multi else [(None, ties)])
        )
    }  # a node of another label stays when a co-building tie ends at it, as in a copy
    node_ids = [n for n, d in nodes.items() if d.get("label") in labels or n in ends]
    keep = set(node_ids)

    def restrict(neighbours: dict[Hashable, Any]) -> dict[Hashable, Any]:
        out, same = {}, keep.issuperset(neighbours)
        for v, ties in neighbours.items():
            if v not in keep:
                continue
            if not multi:
                if ties.get("type") in types:
                    out[v] = ties
                else:
                    same = False
            elif len(ties) == 1:  # most pairs: one tie, kept whole or dropped
                ((k, d),) = ties.items()
                if d.get("type", k) in types:
                    out[v] = ties
                else:
                    same = False
            else:
                found = {k: d for k, d in ties.items() if d.get("type", k) in types}
                if len(found) == len(ties):
                    out[v] = ties
                else:
                    same = False
                    if found:
                        out[v] = found
        return neighbours if same else out

    H = G.__class__()
    H.graph = dict(G.graph)
    H._node = {n: nodes[n] for n in node_ids}
    made = [{n: restrict(adjacency[n]) for n in node_ids} for adjacency in adjacencies]
    H._adj = made[0]  # for a digraph also its successors
    if G.is_directed():
        H._pred = made[1]
    return nx.freeze(H)


def _two_mode(G: nx.Graph, level: str, schema: Schema) -> nx.Graph:
    return two_mode(G, onto=level, via="Unit", schema=schema)


def _projection(G: nx.Graph, onto: str, via: str, weighting: str, schema: Schema) -> nx.Graph:
    if weighting not in ("shared", "newman"):
        raise ValueError(f"unknown weighting {weighting!r}; use 'shared' or 'newman'")
    links = project(G, onto=onto, via=via, schema=schema)
    column = "shared" if weighting == "shared" else "collaboration"
    H = nx.Graph()
    H.add_nodes_from((n, dict(d)) for n, d in G.nodes(data=True) if d.get("label") == onto)
    H.add_weighted_edges_from(links[["source", "target", column]].itertuples(index=False))
    return H


def two_mode(
    G: nx.Graph,
    *,
    onto: str = "Street",
    via: str | tuple[str, ...] = "Unit",
    schema: Schema | None = None,
) -> nx.Graph:
    """The two-mode (bipartite) network of places at one level and co-building nodes.

    A unit or branch is joined to a place at the level when a co-building tie (role
    ``cobuilding`` in the schema: ``ASSIGNED_TO``, ``PAIRED_WITH``, ``EMBEDDED_IN``) runs
    from it to the place or to a place below it (a unit paired with two communities of one
    street is joined to that street once).

    Parameters
    ----------
    G
        A co-building graph.
    onto
        The side to project onto later: a hierarchy level (``"Street"``,
        ``"Community"`` ...) or a label (``"Unit"``).
    via
        The other side: a label or labels (``"Unit"``, ``"ActionBranch"``,
        ``("Unit", "ActionBranch")``) when `onto` is a level, a level when it is a label.
    schema
        Gives the hierarchy.

    Returns
    -------
    networkx.Graph
        Nodes with ``bipartite`` 0 (the `onto` side: for a level, every place of it) or 1,
        and their ``label`` and ``name``.
    """
    schema = schema_of(G, schema)
    net, level, pairs = _links(G, onto, via, schema)
    places = net.places(level)
    place_side, other_side = (0, 1) if level == onto else (1, 0)
    B = nx.Graph()
    for side, ids in ((place_side, places), (other_side, pd.unique(pairs["node"]))):
        found = net.nodes.loc[ids, ["label", "name"]]  # at once: a lookup per node is slow
        B.add_nodes_from(
            (v, {"bipartite": side, "label": label, "name": name})
            for v, label, name in zip(
                ids, found["label"].tolist(), found["name"].tolist(), strict=True
            )
        )
    B.add_edges_from(zip(pairs["node"], pairs["ancestor"], strict=True))
    return B


def _links(
    G: nx.Graph, onto: str, via: str | tuple[str, ...], schema: Schema
) -> tuple[Net, str, pd.DataFrame]:
    """The tables of :func:`two_mode`: the graph's :class:`Net`, the place level, and the
    distinct (``node``, ``ancestor``) links of the co-building nodes to places at it."""
    if onto in schema.hierarchy:
        level, labels = onto, (via,) if isinstance(via, str) else tuple(via)
    elif isinstance(via, str) and via in schema.hierarchy:
        level, labels = via, (onto,)
    else:
        raise ValueError(
            "one of onto / via must be a hierarchy level "
            f"({', '.join(schema.hierarchy)}), the other a label such as 'Unit'"
        )
    net = Net.of(G, schema)
    pairs = net.reach(level, types=schema.ties_with_role("cobuilding"), labels=labels)
    return net, level, pairs


def project(
    G: nx.Graph,
    *,
    onto: str = "Street",
    via: str | tuple[str, ...] = "Unit",
    schema: Schema | None = None,
) -> pd.DataFrame:
    """Places (or units) linked by the co-building nodes (or places) they share.

    Projects :func:`two_mode` onto the `onto` side, as networkx's bipartite projections
    do, from the tie tables (no graph is built): ``shared`` counts the shared neighbours
    (``weighted_projected_graph``); ``collaboration`` is Newman's weight
    :math:`\\sum_k 1 / (d_k - 1)` over the shared neighbours :math:`k` of degree
    :math:`d_k`, so a unit serving two streets links them by 1 and one serving five by 1/4
    each pair (``collaboration_weighted_projected_graph``, summed exactly as by
    ``math.fsum``: networkx's own sum runs in the order of a set, which differs between
    runs in the last bit; Newman, M. E. J. 2001. Scientific collaboration networks. II.
    *Phys. Rev. E* 64, 016132).

    Examples: streets linked by shared units ``project(G)``; communities linked by shared
    action branches or units ``project(G, onto="Community", via=("ActionBranch",
    "Unit"))``; units linked by shared communities ``project(G, onto="Unit",
    via="Community")``.

    Returns
    -------
    pandas.DataFrame
        One row per linked pair: ``source``, ``target`` (ids, ordered as text),
        ``source_name``, ``target_name``, ``shared``, ``collaboration``; strongest first.
        ``nx.from_pandas_edgelist(table, edge_attr=True)`` makes it a graph.
        ``.attrs["caveats"]``: the weightings of ``shared`` and ``collaboration``, Chinese
        then English.
    """
    schema = schema_of(G, schema)
    net, level, pairs = _links(G, onto, via, schema)
    member, shared_by = ("ancestor", "node") if level == onto else ("node", "ancestor")
    a, b, count, collaboration = _shared(pairs[member], pairs[shared_by])
    names = net.nodes["name"].reindex(a).tolist(), net.nodes["name"].reindex(b).tolist()
    rows = zip(a.tolist(), b.tolist(), *names, count.tolist(), collaboration.tolist(), strict=True)
    columns = ["source", "target", "source_name", "target_name", "shared", "collaboration"]
    out = pd.DataFrame(list(rows), columns=columns)
    order = out.assign(s=out["source"].astype(str), t=out["target"].astype(str))
    order = order.sort_values(
        ["shared", "collaboration", "s", "t"], ascending=[False, False, True, True], kind="stable"
    )
    out = out.loc[order.index].reset_index(drop=True)
    kinds = [via] if isinstance(via, str) else list(via)
    out.attrs["caveats"] = [
        f"shared 为共享的{'、'.join(chinese_name(schema, n) for n in kinds)}数；"
        "collaboration 为 Newman 合作权重，每个共享的节点按 1/(d−1) 计（d 为其所连的节点数） "
        "shared counts the shared "
        f"{' and '.join(kinds)} nodes; "
        "collaboration is Newman's weight, each shared node counting 1/(d−1) with d the "
        "nodes it joins (Newman 2001)"
    ]
    return out


def _shared(
    member: pd.Series, shared_by: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pairs of members that share a node, from distinct (member, node) links.

    Returns the pairs' ends ``a``, ``b`` (ids, ``a`` first as text), the count of nodes they
    share and Newman's weight :math:`\\sum 1 / (d - 1)` over them (``d``: the members the
    node links), summed exactly (as ``math.fsum``): one term is itself, the sum of two is
    correctly rounded by the float addition, longer sums go to ``math.fsum``.
    """
    ids = pd.unique(member.to_numpy())
    text = np.array([str(v) for v in ids], dtype=object)
    ids = ids[np.argsort(text, kind="stable")]  # codes in text order: a < b as text
    code = pd.Index(ids).get_indexer(member.to_numpy())
    node = pd.factorize(shared_by.to_numpy())[0]
    order = np.lexsort((code, node))
    code, node = code[order], node[order]
    degree = np.bincount(node)
    start = np.concatenate([[0], np.cumsum(degree)[:-1]])
    # every pair i < j of members within a node's run: for the member at position p of a
    # run of d, the d - 1 - p members after it
    after = (degree[node] - 1 - (np.arange(len(node)) - start[node])).astype(np.int64)
    first = np.repeat(np.arange(len(node)), after)
    offset = np.arange(len(first)) - np.repeat(np.cumsum(after) - after, after)
    second = first + 1 + offset
    left, right = code[first], code[second]
    weight = 1.0 / (degree[node[first]] - 1)
    order = np.lexsort((right, left))
    left, right, weight = left[order], right[order], weight[order]
    new = np.ones(len(left), dtype=bool)
    new[1:] = (left[1:] != left[:-1]) | (right[1:] != right[:-1])
    begin = np.flatnonzero(new)
    count = np.diff(np.append(begin, len(left)))
    total = weight[begin].copy()
    two = count == 2
    total[two] += weight[begin[two] + 1]
    for i in np.flatnonzero(count > 2):
        total[i] = math.fsum(weight[begin[i] : begin[i] + count[i]].tolist())
    return ids[left[begin]], ids[right[begin]], count, total
