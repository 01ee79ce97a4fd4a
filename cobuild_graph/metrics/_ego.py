"""Ego networks: a node's neighbourhood as a graph, and one row per ego measuring it (its
network's size and density, Burt's structural holes, brokerage)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._net import Net
from cobuild_graph.metrics._brokerage import (
    BROKERAGE_ROLES,
    brokerage,
    carried_caveats,
    structural_holes,
)
from cobuild_graph.metrics._simple import Simple, node_index
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


def ego_table(
    G: nx.Graph,
    *,
    label: str | None = "Unit",
    group: str | Mapping[Hashable, Any] | pd.Series | None = None,
    weight: str | None = None,
) -> pd.DataFrame:
    """The ego network of every node of a label, measured: one row per ego.

    On the undirected simple graph (:func:`simple_graph`), an ego's network is its
    neighbours (alters) and the links among them, as UCINET's ego network measures:

    - ``size``: alters :math:`d_i`; ``ties``: links among them :math:`t_i`; ``pairs``:
      :math:`d_i (d_i - 1) / 2`; ``density``: ``ties / pairs`` (``NaN`` under two alters) —
      ``nx.density`` of ``nx.ego_graph(G, i)`` without the ego;
    - ``effective_size``, ``efficiency``, ``constraint``: Burt's, as
      :func:`structural_holes` (with `weight`, of link strengths);
    - with `group`, the Gould–Fernandez brokerage roles of the ego among its alters
      (``coordinator`` ... ``liaison``, ``total``) as :func:`brokerage` counts them,
      missing (``<NA>``) for an ego without a group.

    The subgraph itself is :func:`ego_network`'s.

    Parameters
    ----------
    G
        A co-building graph (any networkx graph with ``label=None``).
    label
        The egos: nodes whose ``label`` attribute is this (``"Unit"``,
        ``"Community"`` ...); ``None`` for every node.
    group
        A node attribute name, or a mapping / Series from node id to group, for the
        brokerage roles (e.g. ``domain.ancestors(G, level="Street")``).
    weight
        A tie attribute of strengths, for Burt's measures.

    Returns
    -------
    pandas.DataFrame
        Indexed by node id (the egos, in graph order): ``size``, ``ties``, ``pairs``,
        ``density``, ``effective_size``, ``efficiency``, ``constraint``, then the role
        counts if `group` is given; ``.attrs["caveats"]``: those `group` carries (see
        :func:`brokerage`).
    """
    S = Simple.of(G)
    size, ties = S.degree(), S.triangles()
    pairs = size * (size - 1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(pairs > 0, ties / pairs, np.nan)
    out = pd.DataFrame(
        {
            "size": size.astype(np.int64),
            "ties": ties.astype(np.int64),
            "pairs": pairs.astype(np.int64),
            "density": density,
        },
        index=node_index(S.nodes),
    ).join(structural_holes(G, weight=weight))
    if group is not None:
        roles = brokerage(G, group)[[*BROKERAGE_ROLES, "total"]]
        out = out.join(roles.astype("Int64"))
    if label is not None:
        out = out[[G.nodes[v].get("label") == label for v in out.index]]
    out.attrs["caveats"] = carried_caveats(group)
    return out
