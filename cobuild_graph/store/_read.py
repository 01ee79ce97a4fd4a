"""Reading back: the datasets stored, a dataset's record, and a dataset or part of it as a graph."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import neo4j
import networkx as nx
import pandas as pd
from neo4j.time import Date as Neo4jDate

from cobuild_graph.build import graph_from_tables
from cobuild_graph.errors import NotFoundError
from cobuild_graph.schema import SCHEMA_KEY, Schema, chosen_schema
from cobuild_graph.store._connection import Connection
from cobuild_graph.store._cypher import (
    DATASET_LABEL,
    DATASET_PROPERTY,
    ID_PROPERTY,
    chunks,
    holds,
    in_dataset,
    match_nodes,
    members,
    safe_label,
    safe_tie_type,
    tie_sources,
)
from cobuild_graph.store._values import as_date, check_dataset_name, meta_loads

logger = logging.getLogger(__name__)

_NODE_SKIP = frozenset({DATASET_PROPERTY, ID_PROPERTY, "label"})
_TIE_SKIP = frozenset({"type"})

Rows = list[dict[str, Any]]


def datasets(db: Connection) -> pd.DataFrame:
    """The stored datasets, one row each (see ``Neo4jStore.datasets``)."""
    return db.query(
        f"MATCH (d:{DATASET_LABEL}) RETURN d.name AS name, d.nodes AS nodes, "
        "d.ties AS ties, d.complete AS complete, d.loaded AS loaded ORDER BY name",
        action="list the datasets",
        transform=lambda result: result.to_df(parse_dates=True),
    )


def find_dataset(db: Connection, dataset: str) -> dict[str, Any] | None:
    """The properties of the dataset's record, ``None`` if it is not stored."""
    record = db.query(
        f"MATCH (d:{DATASET_LABEL} {{name: $dataset}}) RETURN d {{.*}} AS d",
        {"dataset": dataset},
        action=f"find the dataset {dataset!r}",
        transform=neo4j.Result.single,
    )
    return None if record is None else dict(record["d"])


def dataset_record(db: Connection, dataset: str) -> dict[str, Any]:
    """The dataset's record; :class:`NotFoundError` if it is not stored.

    Logs a warning if the dataset is incomplete (a load is running or died).
    """
    check_dataset_name(dataset)
    found = find_dataset(db, dataset)
    if found is None:
        stored = datasets(db)["name"].tolist()
        raise NotFoundError(
            f"no dataset {dataset!r} in Neo4j at {db.address}; stored: "
            + (", ".join(map(repr, stored)) if stored else "none (load one first)")
        )
    if not found.get("complete", False):
        logger.warning(
            "dataset %r is incomplete: a load is running or did not finish; run the load again",
            dataset,
        )
    return found


def read_graph(
    db: Connection,
    given: Schema | None,
    dataset: str,
    *,
    within: str | None,
    labels: Iterable[str] | None,
    at: dt.date | str | None,
) -> nx.MultiDiGraph:
    """A dataset, or the part of it chosen, as a graph (see ``Neo4jStore.read``), with the
    schema it was loaded with (`given`, if not ``None``, must not contradict it)."""
    record = dataset_record(db, dataset)
    meta = meta_loads(record["meta"])
    schema = chosen_schema(
        given, meta.get(SCHEMA_KEY), f"the stored {dataset!r}'s", f"已存的 {dataset!r} 的"
    )
    chosen = _chosen_labels(schema, labels)
    day = as_date(at)
    params = {"dataset": dataset, "at": day, "within": within, "labels": chosen}

    def work(tx: neo4j.ManagedTransaction) -> tuple[Rows, Rows]:
        if within is None:
            return _read_all(tx, schema, params, chosen)
        return _read_within(tx, schema, params)

    with db.translated(f"read the dataset {dataset!r}"):
        node_rows, tie_rows = db.transaction(work, write=False)
    nodes = pd.DataFrame(node_rows, columns=_columns(node_rows, ("id", "label")), dtype=object)
    ties = pd.DataFrame(
        tie_rows, columns=_columns(tie_rows, ("source", "target", "type")), dtype=object
    )
    if within is not None or labels is not None or day is not None:
        parts = [f"within={within}"] if within is not None else []
        parts += [f"labels={','.join(chosen)}"] if labels is not None else []
        parts += [f"at={day.isoformat()}"] if day is not None else []
        meta["selection"] = f"{dataset}: " + "; ".join(parts)
    meta[SCHEMA_KEY] = schema
    return graph_from_tables(nodes, ties, meta=meta, validate=False)  # checked when loaded


def _read_all(
    tx: neo4j.ManagedTransaction, schema: Schema, params: dict[str, Any], chosen: list[str]
) -> tuple[Rows, Rows]:
    node_rows: Rows = []
    for label in chosen:
        found = chunks(tx, match_nodes("n", label), "n.id, properties(n)", params)
        node_rows += [_node_row(node, label, props) for node, props in found]
    tie_rows: Rows = []
    for tie_type, source, targets in tie_sources(schema, chosen):
        found = chunks(
            tx,
            f"MATCH (a:{safe_label(source)})-[r:{safe_tie_type(tie_type)}]->"
            f"(b:{'|'.join(safe_label(t) for t in targets)}) "
            f"WHERE {in_dataset('a')} AND b.{DATASET_PROPERTY} = $dataset AND {holds('r')}",
            "a.id, b.id, properties(r)",
            params,
        )
        tie_rows += [_tie_row(a, b, tie_type, props) for a, b, props in found]
    return node_rows, tie_rows


def _read_within(
    tx: neo4j.ManagedTransaction, schema: Schema, params: dict[str, Any]
) -> tuple[Rows, Rows]:
    root = _place_label(tx, schema, params)
    found = chunks(
        tx,
        f"MATCH (root:{safe_label(root)} {{{DATASET_PROPERTY}: $dataset, "
        f"{ID_PROPERTY}: $within}}) {members('root', schema)} "
        "WITH DISTINCT m WHERE any(l IN labels(m) WHERE l IN $labels)",
        "elementId(m), m.id, [l IN labels(m) WHERE l IN $labels][0], properties(m)",
        params,
    )
    element_ids, node_rows = [], []
    for element_id, node, label, props in found:
        element_ids.append(element_id)
        node_rows.append(_node_row(node, label, props))
    found = chunks(
        tx,
        "UNWIND $members AS e MATCH (a) WHERE elementId(a) = e "
        "MATCH (a)-[r]->(b) WHERE type(r) IN $types AND elementId(b) IN $members "
        f"AND {holds('r')}",
        "a.id, b.id, type(r), properties(r)",
        {**params, "members": element_ids, "types": list(schema.tie_types)},
    )
    tie_rows = [_tie_row(a, b, tie_type, props) for a, b, tie_type, props in found]
    return node_rows, tie_rows


def _place_label(tx: neo4j.ManagedTransaction, schema: Schema, params: dict[str, Any]) -> str:
    """The hierarchy label of the node `within`; :class:`NotFoundError` if none."""
    found = tx.run(
        " UNION ALL ".join(
            f"MATCH (n:{safe_label(level)} {{{DATASET_PROPERTY}: $dataset, "
            f"{ID_PROPERTY}: $within}}) RETURN '{level}' AS label"
            for level in schema.hierarchy
        ),
        params,
    ).value()
    if not found:
        raise NotFoundError(
            f"dataset {params['dataset']!r} has no place with id {params['within']!r} "
            f"(a {', '.join(schema.hierarchy)})"
        )
    return str(found[0])


def _chosen_labels(schema: Schema, labels: Iterable[str] | None) -> list[str]:
    if labels is None:
        return list(schema.labels)
    chosen = [labels] if isinstance(labels, str) else list(labels)
    unknown = [label for label in chosen if label not in schema.labels]
    if unknown:
        raise ValueError(
            f"unknown label {', '.join(map(repr, unknown))}; use {', '.join(schema.labels)}"
        )
    return [label for label in schema.labels if label in chosen]


def _native(props: Mapping[str, Any], skip: frozenset[str]) -> dict[str, Any]:
    return {
        k: (v.to_native() if isinstance(v, Neo4jDate) else v)
        for k, v in props.items()
        if k not in skip
    }


def _node_row(node: str, label: str, props: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": node, "label": label, **_native(props, _NODE_SKIP)}


def _tie_row(source: str, target: str, tie_type: str, props: Mapping[str, Any]) -> dict[str, Any]:
    return {"source": source, "target": target, "type": tie_type, **_native(props, _TIE_SKIP)}


def _columns(rows: Sequence[Mapping[str, Any]], keys: tuple[str, ...]) -> list[str]:
    """The key columns, then every other column of `rows` in order of appearance."""
    seen = dict.fromkeys(keys)
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)
