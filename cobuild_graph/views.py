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
"""

from __future__ import annotations

from typing import Literal

import networkx as nx

from cobuild_graph._memo import memo
from cobuild_graph.schema import COBUILDING_NETWORK_ROLES, SCHEMA_KEY, Schema, schema_of

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
        A new graph (`G` for ``full``) whose ``graph["view"]`` names the view. The
        ``cobuilding`` view is a graph of `G`'s class sharing its node and tie attribute
        dictionaries; ``two_mode`` is a bipartite ``Graph`` (node attribute ``bipartite``
        0 for the places, 1 for the units); the projections are weighted ``Graph``s.

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
    types = set(schema.ties_with_role(*COBUILDING_NETWORK_ROLES))
    labels = {label for t in types for pair in schema.tie_types[t].endpoints for label in pair}
    H = G.__class__()
    H.graph.update(G.graph)
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if d.get("label") in labels)
    if G.is_multigraph():
        ties = G.edges(keys=True, data=True)
        H.add_edges_from((u, v, k, d) for u, v, k, d in ties if d.get("type", k) in types)
    else:
        H.add_edges_from((u, v, d) for u, v, d in G.edges(data=True) if d.get("type") in types)
    return H


def _two_mode(G: nx.Graph, level: str, schema: Schema) -> nx.Graph:
    from cobuild_graph.metrics import two_mode  # metrics uses views: import on use

    return two_mode(G, onto=level, via="Unit", schema=schema)


def _projection(G: nx.Graph, onto: str, via: str, weighting: str, schema: Schema) -> nx.Graph:
    from cobuild_graph.metrics import project

    if weighting not in ("shared", "newman"):
        raise ValueError(f"unknown weighting {weighting!r}; use 'shared' or 'newman'")
    links = project(G, onto=onto, via=via, schema=schema)
    column = "shared" if weighting == "shared" else "collaboration"
    H = nx.Graph()
    H.add_nodes_from((n, dict(d)) for n, d in G.nodes(data=True) if d.get("label") == onto)
    H.add_weighted_edges_from(links[["source", "target", column]].itertuples(index=False))
    return H
