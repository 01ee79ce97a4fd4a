"""Around co-building nodes: ego networks, two-mode networks and their projections."""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Any

import networkx as nx
import pandas as pd

from cobuild_graph._net import Net
from cobuild_graph._style import chinese_name
from cobuild_graph.metrics._simple import node_index
from cobuild_graph.schema import Schema, schema_of


def ego_network(
    G: nx.Graph, node: Hashable, *, radius: int = 1, schema: Schema | None = None
) -> tuple[nx.Graph, pd.DataFrame]:
    """The nodes within `radius` ties of `node` (either direction), and where it stands.

    Parameters
    ----------
    G
        A co-building graph (any networkx graph: the street and district are then empty).
    node
        The ego's id.
    radius
        Number of ties out from the ego.
    schema
        Gives the hierarchy.

    Returns
    -------
    subgraph : networkx.Graph
        A copy of the ego network, of the type of `G` with all ties among its nodes
        (``nx.ego_graph`` with ``undirected=True``).
    table : pandas.DataFrame
        One row indexed by the ego's id: ``name``, ``label``, ``street``, ``street_name``,
        ``district``, ``district_name`` (the ego's places, see
        :func:`~cobuild_graph.domain.ancestors`: a unit's street through ``ASSIGNED_TO``),
        ``radius``, ``nodes``, ``ties`` (of the subgraph).
    """
    schema = schema_of(G, schema)
    if node not in G:
        raise KeyError(f"node {node!r} is not in the graph")
    view = G.to_undirected(as_view=True) if G.is_directed() else G
    within = nx.single_source_shortest_path_length(view, node, cutoff=radius)
    H = G.subgraph(within).copy()
    row: dict[str, Any] = {"name": G.nodes[node].get("name"), "label": G.nodes[node].get("label")}
    net = Net.of(G, schema)
    for level in ("Street", "District"):
        place = net.placed(level).get(node)
        place = None if pd.isna(place) else place
        row[level.lower()] = place
        row[f"{level.lower()}_name"] = G.nodes[place].get("name") if place is not None else None
    row |= {"radius": radius, "nodes": H.number_of_nodes(), "ties": H.number_of_edges()}
    return H, pd.DataFrame([row], index=node_index([node]))


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


def project(
    G: nx.Graph,
    *,
    onto: str = "Street",
    via: str | tuple[str, ...] = "Unit",
    schema: Schema | None = None,
) -> pd.DataFrame:
    """Places (or units) linked by the co-building nodes (or places) they share.

    Projects :func:`two_mode` onto the `onto` side with networkx's bipartite projections:
    ``shared`` counts the shared neighbours (``weighted_projected_graph``);
    ``collaboration`` is Newman's weight :math:`\\sum_k 1 / (d_k - 1)` over the shared
    neighbours :math:`k` of degree :math:`d_k`, so a unit serving two streets links them
    by 1 and one serving five by 1/4 each pair (``collaboration_weighted_projected_graph``;
    Newman, M. E. J. 2001. Scientific collaboration networks. II. *Phys. Rev. E* 64,
    016132).

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
    B = two_mode(G, onto=onto, via=via, schema=schema)
    side = [v for v, part in B.nodes(data="bipartite") if part == 0]
    shared = nx.bipartite.weighted_projected_graph(B, side)
    degree = dict(B.degree())
    rows = []
    for u, v, count in shared.edges(data="weight"):
        a, b = sorted((u, v), key=str)
        # networkx's collaboration weight, summed exactly (fsum): its own sum runs in the
        # order of a set, which differs between runs in the last bit and can swap two rows
        collaboration = math.fsum(
            1 / (degree[k] - 1) for k in set(B[u]) & set(B[v]) if degree[k] > 1
        )
        rows.append((a, b, B.nodes[a]["name"], B.nodes[b]["name"], int(count), collaboration))
    columns = ["source", "target", "source_name", "target_name", "shared", "collaboration"]
    out = pd.DataFrame(rows, columns=columns)
    order = out.assign(s=out["source"].astype(str), t=out["target"].astype(str))
    order = order.sort_values(
        ["shared", "collaboration", "s", "t"], ascending=[False, False, True, True], kind="stable"
    )
    out = out.loc[order.index].reset_index(drop=True)
    names = [via] if isinstance(via, str) else list(via)
    out.attrs["caveats"] = [
        f"shared 为共享的{'、'.join(chinese_name(schema, n) for n in names)}数；"
        "collaboration 为 Newman 合作权重，每个共享的节点按 1/(d−1) 计（d 为其所连的节点数） "
        "shared counts the shared "
        f"{' and '.join(names)} nodes; "
        "collaboration is Newman's weight, each shared node counting 1/(d−1) with d the "
        "nodes it joins (Newman 2001)"
    ]
    return out
