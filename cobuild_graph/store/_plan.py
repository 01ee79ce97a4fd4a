"""A load's plan: the graph checked against the schema and cut into the rows the writer sends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from cobuild_graph._gc import gc_paused
from cobuild_graph.build import graph_from_tables
from cobuild_graph.errors import Problems
from cobuild_graph.schema import ATTRIBUTE_PATTERN, Schema
from cobuild_graph.store._cypher import DATASET_PROPERTY, ID_PROPERTY
from cobuild_graph.store._values import meta_dumps

_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "date": (dt.date,),
}
_STORABLE = (str, int, float, bool, dt.date)


@dataclass(frozen=True)
class Group:
    """The nodes of one label, or the ties of one type between two labels, as rows.

    A node row is ``(id, *values)``, a tie row ``(source id, target id, *values)``, the
    values in the order of `keys`.
    """

    kind: str  # a label or a tie type
    source: str  # the label of the nodes, or of the ties' sources
    target: str  # the label of the ties' targets ("" for nodes)
    keys: list[str]
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Plan:
    """A graph checked and cut into the rows the writer sends."""

    nodes: list[Group]
    ties: list[Group]
    node_count: int
    tie_count: int
    meta: str

    @property
    def labels(self) -> list[str]:
        return [group.kind for group in self.nodes]

    @property
    def tie_types(self) -> list[str]:
        return list(dict.fromkeys(group.kind for group in self.ties))


def _unknown(
    problems: Problems, where: str, column: str, name: Any, count: int, things: str
) -> None:
    """`count` nodes or ties (`things`) have a `column` the schema does not know."""
    message = f"{count} {things} have a {column} the schema does not know"
    problems.add(where, None, column, name, message)


def plan_load(
    data: nx.MultiDiGraph | tuple[pd.DataFrame, pd.DataFrame, Mapping[str, Any]],
    schema: Schema,
) -> Plan:
    """Check a graph, or the tables of one, against `schema` and cut it into rows.

    Everything the database needs is checked once per label, tie type and attribute:
    labels, tie types and their endpoints, attribute names and the Python types of the
    values. A graph from :func:`~cobuild_graph.read_dataset` or the generator passes.

    Raises
    ------
    ValidationError
        With every problem found.
    """
    G = data if isinstance(data, nx.Graph) else _graph_of_tables(data)
    with gc_paused():  # millions of new tuples would trigger collections of the graph
        return _plan_graph(G, schema)


def _graph_of_tables(
    data: tuple[pd.DataFrame, pd.DataFrame, Mapping[str, Any]],
) -> nx.MultiDiGraph:
    try:
        nodes, ties, meta = data
    except (TypeError, ValueError):
        raise TypeError("load takes a co-building graph or (nodes, ties, meta) tables") from None
    # The plan checks the graph against the store's schema itself.
    return graph_from_tables(nodes, ties, meta=meta, validate=False)


def _plan_graph(G: nx.Graph, schema: Schema) -> Plan:
    problems = Problems()
    if not (G.is_directed() and G.is_multigraph()):
        problems.add(
            "<graph>",
            None,
            None,
            type(G).__name__,
            "expected a networkx.MultiDiGraph as read_dataset builds it",
        )
        problems.raise_any("graph")
    try:
        meta = meta_dumps(G.graph)
    except (TypeError, ValueError) as error:
        problems.add(
            "<graph>",
            None,
            "metadata",
            str(error),
            "metadata values are text, numbers, true/false, dates, lists or tables of these",
        )
        meta = "{}"

    # networkx's own dicts (as build.py fills them): its views cost a third of the time here
    label_of: dict[Any, Any] = {}
    by_label: dict[Any, list[tuple[Any, dict[str, Any]]]] = {}
    for node, attrs in G._node.items():
        label = label_of[node] = attrs.get("label")
        if (items := by_label.get(label)) is None:
            items = by_label[label] = []
        items.append((node, attrs))
    by_type: dict[tuple[Any, Any, Any], list[tuple[Any, Any, dict[str, Any]]]] = {}
    tie_count = 0
    for source, neighbours in G._adj.items():
        source_label = label_of[source]
        for target, keyed in neighbours.items():
            target_label = label_of[target]
            for key, attrs in keyed.items():
                tie_count += 1
                group = (key, source_label, target_label)
                if (ties := by_type.get(group)) is None:
                    ties = by_type[group] = []
                ties.append((source, target, attrs))

    node_groups = []
    for label in [
        *(x for x in schema.labels if x in by_label),
        *sorted((x for x in by_label if x not in schema.labels), key=str),
    ]:
        items = by_label[label]
        where = f"nodes of label {label!r}"
        if label not in schema.labels:
            _unknown(problems, where, "label", label, len(items), "nodes")
            continue
        ids = [node for node, _ in items]
        bad_ids = [node for node in ids if not isinstance(node, str)]
        if bad_ids:
            problems.add(where, None, "id", bad_ids[0], f"{len(bad_ids)} node ids are not text")
        keys, columns = _columns_of(
            [attrs for _, attrs in items],
            "label",
            partial(schema.node_attribute, label),
            where,
            problems,
        )
        node_groups.append(Group(label, label, "", keys, list(zip(ids, *columns, strict=True))))

    tie_groups = []
    order = {t: i for i, t in enumerate(schema.tie_types)}
    for group in sorted(by_type, key=lambda g: (order.get(g[0], len(order)), str(g))):
        tie_type, source_label, target_label = group
        items = by_type[group]
        where = f"ties {tie_type!r} from {source_label!r} to {target_label!r}"
        if tie_type not in schema.tie_types:
            _unknown(problems, where, "type", tie_type, len(items), "ties")
            continue
        if source_label not in schema.labels or target_label not in schema.labels:
            continue  # their nodes are reported already
        if not schema.allows(tie_type, source_label, target_label):
            problems.add(
                where,
                None,
                "type",
                tie_type,
                f"{len(items)} ties join labels the schema does not allow for {tie_type}",
            )
            continue
        attrs = [a for _, _, a in items]
        if any(a.get("type", tie_type) != tie_type for a in attrs):
            problems.add(
                where,
                None,
                "type",
                tie_type,
                "some ties carry a type other than their key; key each tie by its type",
            )
            continue
        keys, columns = _columns_of(
            attrs, "type", partial(schema.tie_attribute, tie_type), where, problems
        )
        sources, targets = [s for s, _, _ in items], [t for _, t, _ in items]
        rows = list(zip(sources, targets, *columns, strict=True))
        tie_groups.append(Group(tie_type, source_label, target_label, keys, rows))
    problems.raise_any("graph")
    return Plan(node_groups, tie_groups, len(label_of), tie_count, meta)


def _columns_of(
    dicts: list[dict[str, Any]],
    consumed: str,
    spec_of: Callable[[str], Any],
    where: str,
    problems: Problems,
) -> tuple[list[str], list[list[Any]]]:
    """The attribute names of `dicts` (sorted) and one column of values per name.

    `consumed` (``label`` or ``type``) is not a property. Names must be attribute-shaped
    and not reserved for the store; values of the types Neo4j stores and, for a schema
    attribute, of its type. Problems are recorded, not raised.
    """
    names = set().union(*dicts) - {consumed} if dicts else set()
    keys, columns = [], []
    for name in sorted(names, key=str):
        if name in (DATASET_PROPERTY, ID_PROPERTY):
            problems.add(where, None, name, None, "this attribute name is reserved for the store")
            continue
        if not isinstance(name, str) or not ATTRIBUTE_PATTERN.match(name):
            problems.add(
                where,
                None,
                str(name),
                name,
                "attribute names are letters, digits and _, not starting with a digit",
            )
            continue
        column = list(map(dict.get, dicts, repeat(name)))
        spec = spec_of(name)
        allowed = _VALUE_TYPES[spec.type] if spec is not None else _STORABLE
        found = set(map(type, column)) - {type(None)}
        wrong = {
            t
            for t in found
            if not issubclass(t, allowed)
            or issubclass(t, dt.datetime)
            or (issubclass(t, bool) and bool not in allowed)
        }
        if wrong:
            example = next(v for v in column if type(v) in wrong)
            expected = spec.type if spec is not None else "str, int, float, bool or date"
            problems.add(
                where,
                None,
                name,
                example,
                f"values of type {', '.join(sorted(t.__name__ for t in wrong))} where "
                f"{expected} is expected",
            )
            continue
        keys.append(name)
        columns.append(column)
    return keys, columns


def split_into_lanes(rows: list[tuple[Any, ...]], lanes: int) -> list[list[tuple[Any, ...]]]:
    """Tie rows ``(source, target, ...)`` dealt into `lanes` that share no node.

    Each connected component of the ties goes whole to the lane with the fewest rows so far,
    largest components first; rows keep their order within a lane. Two transactions that
    lock no common node can neither wait for each other nor deadlock.
    """
    if lanes < 2 or len(rows) < 2:
        return [rows]
    ends = np.array([r[0] for r in rows] + [r[1] for r in rows], dtype=object)
    codes, uniques = pd.factorize(ends)
    component = _components(codes[: len(rows)], codes[len(rows) :], len(uniques))
    component = component[codes[: len(rows)]]
    _, component = np.unique(component, return_inverse=True)
    sizes = np.bincount(component)
    lane_of = np.empty(len(sizes), dtype=np.int64)
    load = np.zeros(lanes, dtype=np.int64)
    for c in np.argsort(-sizes, kind="stable"):
        lane_of[c] = int(np.argmin(load))
        load[lane_of[c]] += sizes[c]
    lane = lane_of[component]
    return [[rows[i] for i in np.flatnonzero(lane == k)] for k in range(lanes)]


def _components(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """The connected component (its smallest node) of each of `n` nodes, given edges u-v.

    Hooking and pointer jumping on arrays: each round hooks every edge's larger root under
    the smaller one, then jumps pointers until every node points at its root.
    """
    parent = np.arange(n)
    while True:
        pu, pv = parent[u], parent[v]
        low, high = np.minimum(pu, pv), np.maximum(pu, pv)
        if not (low != high).any():
            return parent
        np.minimum.at(parent, high, low)
        while not np.array_equal(jumped := parent[parent], parent):
            parent = jumped
