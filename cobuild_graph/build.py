"""Tables ↔ graph: the node and tie tables of a dataset as a networkx ``MultiDiGraph``.

The graph holds one node per row of the node table, keyed by ``id``, with the attribute
``label`` and every other non-empty cell as an attribute; one edge per row of the tie table,
keyed by its ``type`` and carrying it as the attribute ``type`` too, with every other
non-empty cell as an attribute. Values keep their
Python types (``int``, ``float``, ``bool``, ``datetime.date``, ``str``); empty cells are
left out rather than stored as ``NaN``. Dataset metadata lives in ``G.graph``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx
import pandas as pd

from cobuild_graph.schema import DEFAULT_SCHEMA, NODE_KEY_COLUMNS, TIE_KEY_COLUMNS, Schema


def graph_from_tables(
    nodes: pd.DataFrame,
    ties: pd.DataFrame,
    *,
    meta: Mapping[str, Any] | None = None,
) -> nx.MultiDiGraph:
    """Build the co-building graph from validated node and tie tables.

    Parameters
    ----------
    nodes
        Columns ``id``, ``label``, ``name`` and any attributes, one row per node.
    ties
        Columns ``source``, ``target``, ``type`` and any attributes, one row per tie.
    meta
        Dataset metadata (name, place, date, licence ...) stored in ``G.graph``.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by id with a ``label`` attribute; edges keyed by tie type, with a
        ``type`` attribute.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["s1", "c1"], "label": ["Street", "Community"],
    ...                       "name": ["沧浪街道", "道前社区"]})
    >>> ties = pd.DataFrame({"source": ["c1"], "target": ["s1"], "type": ["PART_OF"]})
    >>> G = graph_from_tables(nodes, ties)
    >>> G.nodes["c1"]["name"], list(G.edges(keys=True))
    ('道前社区', [('c1', 's1', 'PART_OF')])
    """
    G = nx.MultiDiGraph(**dict(meta or {}))
    G.add_nodes_from(_records(nodes, "id"))
    G.add_edges_from(
        (source, target, attrs["type"], attrs)
        for source, target, attrs in zip(
            ties["source"].tolist(),
            ties["target"].tolist(),
            _attribute_dicts(ties, skip=("source", "target")),
            strict=True,
        )
    )
    return G


def graph_to_tables(
    G: nx.MultiDiGraph, *, schema: Schema = DEFAULT_SCHEMA
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
        Orders the attribute columns.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(nodes, ties)`` with the columns of the dataset format.
    """
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


def _records(table: pd.DataFrame, key: str) -> Iterator[tuple[Any, dict[str, Any]]]:
    return zip(table[key].tolist(), _attribute_dicts(table, skip=(key,)), strict=True)


def _attribute_dicts(table: pd.DataFrame, *, skip: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """One dict per row of the non-empty cells outside `skip`, built column-wise for speed."""
    columns = [c for c in table.columns if c not in skip]
    values = [table[c].tolist() for c in columns]
    for row in zip(*values, strict=True) if columns else ((),) * len(table):
        yield {c: v for c, v in zip(columns, row, strict=True) if not _missing(v)}


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or value != value
