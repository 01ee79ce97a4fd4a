"""The four-level hierarchy: the place each node belongs to at a level, roll-ups to it."""

from __future__ import annotations

import logging

import networkx as nx
import pandas as pd

from cobuild_graph._net import Net, named, node_attribute
from cobuild_graph.schema import Schema, schema_of

logger = logging.getLogger(__name__)


def ancestors(
    G: nx.Graph,
    *,
    level: str = "Street",
    schema: Schema | None = None,
    assigned_places: bool = True,
) -> pd.Series:
    """The place at `level` that each node belongs to.

    A place of the hierarchy maps to its ancestor through ``PART_OF`` (itself at its own
    level). A node outside the hierarchy maps through its ties to places, as the module
    docstring says: units through ``ASSIGNED_TO`` (or, for a level below the street, the
    community they are ``PAIRED_WITH``), branches through ``EMBEDDED_IN``, projects through
    ``RUNS``, positions through ``LOCATED_IN``.

    Parameters
    ----------
    G
        A co-building graph.
    level
        A hierarchy level of `schema` (``"City"``, ``"District"``, ``"Street"``,
        ``"Community"``, ``"Grid"``).
    schema
        Gives the hierarchy.
    assigned_places
        ``True``: every node placed as above. ``False``: ``NaN`` for a node whose place is
        assigned by a rule rather than recorded — placed by any tie other than the schema's
        first attachment tie (``ASSIGNED_TO``), e.g. a unit in the street it is most often
        paired with, or a unit where its branches are —, so that a measure by street
        leaves it out.

    Returns
    -------
    pandas.Series
        Indexed by node id in graph order, named `level`: the id of the place, or ``NaN``
        where a node belongs to none at that level (a node above it, or with no tie to a
        place). ``.attrs["caveats"]``: sentences, Chinese then English, saying how many
        nodes of each label have a place assigned by a rule, and by which (none when every
        place is recorded); a measure given this Series as its grouping passes them on
        (:func:`~cobuild_graph.metrics.ei_index`, :func:`~cobuild_graph.metrics.brokerage`
        ...).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("s", {"label": "Street"}), ("c", {"label": "Community"}),
    ...                   ("u", {"label": "Unit"})])
    >>> _ = G.add_edge("c", "s", key="PART_OF", type="PART_OF")
    >>> _ = G.add_edge("u", "c", key="PAIRED_WITH", type="PAIRED_WITH")
    >>> ancestors(G, level="Street").to_dict()
    {'s': 's', 'c': 's', 'u': 's'}
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    out = net.placed(level, assigned=assigned_places)
    out.attrs["caveats"] = net.placement_caveats(level, assigned=assigned_places)
    return out


def rollup(
    G: nx.Graph,
    values: pd.Series | pd.DataFrame | str,
    *,
    level: str = "Street",
    how: str = "sum",
    schema: Schema | None = None,
    assigned_places: bool = True,
) -> pd.DataFrame:
    """Roll a per-node measure up the four-level hierarchy (四级联动).

    Each node's value goes to its place at `level` as :func:`ancestors` defines it
    (communities to their street, units through ``ASSIGNED_TO`` or their paired
    community, branches through ``EMBEDDED_IN``, projects through ``RUNS``, positions
    through ``LOCATED_IN``), and is aggregated there.

    Parameters
    ----------
    G
        A co-building graph.
    values
        Per-node values indexed by node id: a Series, a DataFrame of numeric columns, or
        the name of a node attribute (e.g. ``"members"``).
    level
        The hierarchy level to roll up to.
    how
        A pandas aggregation: ``"sum"``, ``"mean"``, ``"median"``, ``"max"``, ``"min"``,
        ``"count"``.
    schema
        Gives the hierarchy.
    assigned_places
        ``False``: leave out the nodes whose place is assigned by a rule, not recorded (see
        :func:`ancestors`).

    Returns
    -------
    pandas.DataFrame
        One row per place at `level` (all of them, also those no value reaches), indexed by
        id: ``name``, the aggregated value columns, and ``nodes``, the number of nodes whose
        value was rolled into the place. Places no value reaches get 0 for ``sum`` and
        ``count``, ``NaN`` otherwise. Nodes that belong to no place at `level` are left out
        (logged). ``.attrs["caveats"]``: how many of the nodes rolled up have a place
        assigned by a rule (see :func:`ancestors`).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("s", {"label": "Street"}), ("c1", {"label": "Community"}),
    ...                   ("c2", {"label": "Community"})])
    >>> _ = G.add_edges_from([("c1", "s", "PART_OF", {"type": "PART_OF"}),
    ...                       ("c2", "s", "PART_OF", {"type": "PART_OF"})])
    >>> rollup(G, pd.Series({"c1": 2.0, "c2": 4.0}), how="mean")["value"].to_dict()
    {'s': 3.0}
    """
    schema = schema_of(G, schema)
    net = Net.of(G, schema)
    if isinstance(values, str):
        frame = node_attribute(G, values).astype(float).to_frame(values)
    elif isinstance(values, pd.Series):
        frame = values.to_frame(values.name if values.name is not None else "value")
    else:
        frame = values.copy()
    where = net.placed(level, assigned=assigned_places).reindex(frame.index)
    if where.isna().any():
        logger.info("rollup: %d nodes belong to no %s and are left out", where.isna().sum(), level)
    frame = frame[where.notna()]
    grouped = frame.groupby(where[where.notna()].to_numpy())
    out = grouped.agg(how)
    out["nodes"] = grouped.size()
    out = named(net, net.places(level), out)
    fill = {"nodes": 0} | (dict.fromkeys(frame.columns, 0) if how in ("sum", "count") else {})
    out = out.fillna(fill).astype({"nodes": int})
    out.attrs["caveats"] = net.placement_caveats(level, frame.index, assigned=assigned_places)
    return out
