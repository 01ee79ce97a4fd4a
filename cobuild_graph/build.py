"""Tables ↔ graph: the node and tie tables of a dataset as a networkx ``MultiDiGraph``.

The graph holds one node per row of the node table, keyed by ``id``, with the attribute
``label`` and every other non-empty cell as an attribute; one edge per row of the tie table,
keyed by its ``type`` and carrying it as the attribute ``type`` too, with every other
non-empty cell as an attribute. Values keep their
Python types (``int``, ``float``, ``bool``, ``datetime.date``, ``str``); empty cells are
left out rather than stored as ``NaN``. Dataset metadata lives in ``G.graph``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._gc import gc_paused
from cobuild_graph.schema import (
    NODE_KEY_COLUMNS,
    SCHEMA_KEY,
    TIE_KEY_COLUMNS,
    Schema,
    chosen_schema,
    schema_of,
)
from cobuild_graph.validate import validate_tables

__all__ = [
    "graph_from_tables",
    "graph_to_tables",
]


def graph_from_tables(
    nodes: pd.DataFrame,
    ties: pd.DataFrame,
    *,
    meta: Mapping[str, Any] | None = None,
    schema: Schema | None = None,
    validate: bool = True,
) -> nx.MultiDiGraph:
    """Build the co-building graph from node and tie tables, validating them first.

    Parameters
    ----------
    nodes
        Columns ``id``, ``label``, ``name`` and any attributes, one row per node.
    ties
        Columns ``source``, ``target``, ``type`` and any attributes, one row per tie.
    meta
        Dataset metadata (name, place, date, licence ...) stored in ``G.graph``; its
        ``"schema"`` (a :class:`~cobuild_graph.schema.Schema`), if any, is the tables'.
    schema
        The schema the tables are validated against; by default the metadata's, else the
        default schema. The graph records it in ``G.graph["schema"]``, so that every later
        call given the graph uses it.
    validate
        Check the tables with :func:`~cobuild_graph.validate.validate_tables` and build from the
        typed tables it returns (so ``社区`` becomes ``Community``, ``"120"`` becomes
        ``120``). Pass ``False`` only for tables that are valid already, such as those of
        :func:`~cobuild_graph.read_tables`: a tie to a missing id would then add an empty
        node, as networkx does.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by id with a ``label`` attribute; edges keyed by tie type, with a
        ``type`` attribute.

    Raises
    ------
    ValidationError
        If `validate` and the tables have problems (every problem at once, with the
        DataFrame row of each).
    ValueError
        If `schema` contradicts the metadata's schema.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["s1", "c1"], "label": ["Street", "Community"],
    ...                       "name": ["沧浪街道", "道前社区"]})
    >>> ties = pd.DataFrame({"source": ["c1"], "target": ["s1"], "type": ["PART_OF"]})
    >>> G = graph_from_tables(nodes, ties)
    >>> G.nodes["c1"]["name"], list(G.edges(keys=True))
    ('道前社区', [('c1', 's1', 'PART_OF')])
    >>> ties.loc[1] = ["c1", "s2", "PART_OF"]
    >>> graph_from_tables(nodes, ties)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cobuild_graph.errors.ValidationError: 数据集无效，2 个问题 / invalid dataset: 2 problems
      第 1 行，source 列 / ... c1 有两个上级 / c1 has two PART_OF parents: s1 and s2 ...
      第 1 行，target 列 / ... 节点中没有这个 target id / target id not found among the nodes ...
    """
    meta = dict(meta or {})
    schema = chosen_schema(schema, meta.get(SCHEMA_KEY), "the metadata's", "元数据的")
    meta[SCHEMA_KEY] = schema
    if validate:
        nodes, ties = validate_tables(nodes, ties, schema=schema)
    with gc_paused():
        return _build(nodes, ties, meta)


def _build(
    nodes: pd.DataFrame, ties: pd.DataFrame, meta: Mapping[str, Any] | None
) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(**dict(meta or {}))
    node_ids = nodes["id"].tolist()
    G.add_nodes_from(node_ids)
    for node, attrs in zip(node_ids, _attribute_dicts(nodes, skip=("id",)), strict=True):
        G._node[node] = attrs  # the dicts are fresh: no copy needed
    _add_edges(
        G,
        ties["source"].tolist(),
        ties["target"].tolist(),
        _attribute_dicts(ties, skip=("source", "target")),
    )
    return G


def _add_edges(
    G: nx.MultiDiGraph, sources: list[Any], targets: list[Any], attrs: list[dict[str, Any]]
) -> None:
    """Add edges keyed by their ``type`` attribute, straight into networkx's adjacency.

    ``MultiDiGraph.add_edges_from`` spends ~8 µs an edge on checks and copies that a
    validated table does not need; filling the documented dict-of-dict-of-dict-of-dict
    structure through the graph's own factories takes half of that. The tests compare the
    result with ``add_edges_from``.
    """
    succ, pred = G._succ, G._pred
    new_keydict = G.edge_key_dict_factory
    for source, target, data in zip(sources, targets, attrs, strict=True):
        if source not in succ:
            G.add_node(source)
        if target not in succ:
            G.add_node(target)
        keydict = succ[source].get(target)
        if keydict is None:
            keydict = succ[source][target] = pred[target][source] = new_keydict()
        keydict[data["type"]] = data
    nx._clear_cache(G)


def graph_to_tables(
    G: nx.MultiDiGraph, *, schema: Schema | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a co-building graph back into its node and tie tables.

    The inverse of :func:`graph_from_tables`: columns come in a stable order (the key
    columns, then the schema's attributes, then free attributes alphabetically), and
    missing values are ``None``.

    Parameters
    ----------
    G
        A graph as built by :func:`graph_from_tables` or :func:`~cobuild_graph.read_dataset`.
    schema
        Orders the attribute columns; by default the graph's.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(nodes, ties)`` with the columns of the dataset format.
    """
    schema = schema_of(G, schema)
    node_rows = [{"id": node, **attrs} for node, attrs in G.nodes(data=True)]
    tie_rows = [
        {"source": u, "target": v, **attrs, "type": key}
        for u, v, key, attrs in G.edges(keys=True, data=True)
    ]
    node_known = list(schema.node_attributes) + [
        a for spec in schema.labels.values() for a in spec.attributes
    ]
    tie_known = list(schema.tie_attributes) + [
        a for spec in schema.tie_types.values() for a in spec.attributes
    ]
    return (
        _frame(node_rows, NODE_KEY_COLUMNS, node_known),
        _frame(tie_rows, TIE_KEY_COLUMNS, tie_known),
    )


def _frame(rows: list[dict[str, Any]], keys: tuple[str, ...], known: list[str]) -> pd.DataFrame:
    present = set().union(*rows) if rows else set()
    ordered = list(dict.fromkeys([*keys, *(c for c in known if c in present)]))
    ordered += sorted(present - set(ordered))
    frame = pd.DataFrame(rows, columns=ordered, dtype=object)
    return frame.astype(object).where(frame.notna(), None)


def _attribute_dicts(table: pd.DataFrame, *, skip: tuple[str, ...]) -> list[dict[str, Any]]:
    """One dict per row of the non-empty cells outside `skip`.

    Rows are grouped by which cells they fill, so each dict is made by one ``dict(zip())``
    over its group's columns rather than by testing every cell in Python.
    """
    columns = [c for c in table.columns if c not in skip]
    values = [table[c].to_numpy(dtype=object) for c in columns]
    filled = [~pd.isna(v) for v in values]
    pattern = np.zeros(len(table), dtype=np.int64)
    for bit, mask in enumerate(filled):
        pattern |= mask.astype(np.int64) << bit
    out = np.empty(len(table), dtype=object)
    for code in np.unique(pattern):
        rows = np.flatnonzero(pattern == code)
        chosen = [j for j in range(len(columns)) if code >> j & 1]
        names = [columns[j] for j in chosen]
        cells = zip(*(values[j][rows] for j in chosen), strict=True) if chosen else [()] * len(rows)
        out[rows] = [dict(zip(names, row, strict=True)) for row in cells]
    return out.tolist()
