"""Figures counted in the database: nodes and ties, places' counts, communities' coverage.

The same figures as :mod:`cobuild_graph.domain` computes in memory, for graphs too big to
pull out of Neo4j.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import neo4j
import numpy as np
import pandas as pd

from cobuild_graph.schema import Schema
from cobuild_graph.store._connection import Connection
from cobuild_graph.store._cypher import (
    holds,
    match_nodes,
    members,
    safe_label,
    safe_tie_type,
    tie_sources,
)
from cobuild_graph.store._values import as_date


def counts(
    db: Connection, schema: Schema, dataset: str, what: Literal["nodes", "ties"]
) -> pd.DataFrame:
    """Nodes per label, or ties per type, of `dataset`.

    Columns ``label`` (or ``type``) and ``count``, in schema order, those with none left
    out.
    """
    if what == "nodes":
        column = "label"
        parts = [
            f"{match_nodes('n', label)} RETURN '{label}' AS label, count(n) AS count"
            for label in schema.labels
        ]
    else:
        column = "type"
        parts = [
            f"{match_nodes('a', source)} RETURN '{tie_type}' AS type, "
            f"sum(COUNT {{ (a)-[:{safe_tie_type(tie_type)}]->() }}) AS count"
            for tie_type, source, _ in tie_sources(schema)
        ]
    found = db.query(
        " UNION ALL ".join(parts),
        {"dataset": dataset},
        action=f"count the {what} of dataset {dataset!r}",
    )
    # a tie type whose ties start from several labels is counted once per label
    found = found.groupby(column, sort=False, as_index=False)["count"].sum()
    return found[found["count"] > 0].reset_index(drop=True)


def totals(db: Connection, schema: Schema, dataset: str) -> tuple[int, int]:
    """The numbers of nodes and of ties of `dataset`."""
    nodes, ties = (
        int(counts(db, schema, dataset, what)["count"].sum()) for what in ("nodes", "ties")
    )
    return nodes, ties


def place_counts(
    db: Connection, schema: Schema, dataset: str, level: str, at: dt.date | str | None
) -> pd.DataFrame:
    """Units, branches, projects and positions per place (see ``Neo4jStore.place_counts``)."""
    if level not in schema.hierarchy:
        raise ValueError(f"unknown level {level!r}; use one of {', '.join(schema.hierarchy)}")
    counted = {column: [label] for column, label in schema.balance_counts.items()}
    depth = schema.hierarchy.index
    if schema.coverage_levels and depth(level) < min(map(depth, schema.coverage_levels)):
        counted = {"communities": list(schema.coverage_levels), **counted}
    for labels in counted.values():
        for label in labels:
            safe_label(label, schema)
    labels = list(counted.values())
    found = db.query(
        f"{match_nodes('p', level)} "
        f"CALL (p) {{ WITH p AS root {members('root', schema)} "
        "WITH DISTINCT m RETURN labels(m) AS found } "
        "WITH p, collect(found) AS found "
        "RETURN p.id AS id, p.name AS name, "
        "[x IN $counted | size([f IN found WHERE any(l IN f WHERE l IN x)])] AS counts",
        {"dataset": dataset, "at": as_date(at), "counted": labels},
        action=f"count the places of dataset {dataset!r}",
    )
    per_place = pd.DataFrame(
        found["counts"].tolist() if len(found) else np.zeros((0, len(labels))),
        columns=list(counted),
        dtype=np.int64,
    )
    out = pd.concat([found[["id", "name"]].reset_index(drop=True), per_place], axis=1).set_index(
        "id"
    )
    out.index = pd.Index(out.index, dtype=object, name="id")  # as the domain's tables
    out["name"] = out["name"].astype(object)
    return out.sort_index()


def coverage(
    db: Connection, schema: Schema, dataset: str, at: dt.date | str | None
) -> pd.DataFrame:
    """How many communities each kind of tie reaches (see ``Neo4jStore.coverage``)."""
    part_of = safe_tie_type(schema.hierarchy_tie, schema)
    tests = [
        f"EXISTS {{ MATCH (p)(()-[h:{part_of}]->() WHERE {holds('h')})*(c), "
        f"(p)-[r:{safe_tie_type(kind.tie_type, schema)}]-(:{safe_label(kind.label, schema)}) "
        f"WHERE {holds('r')} }} AS covered_{kind_name}"
        for kind_name, kind in schema.coverage.items()
    ]
    any_kind = " OR ".join(f"covered_{kind}" for kind in schema.cobuilding_coverage()) or "false"
    covered = [
        f"count(CASE WHEN covered_{kind} THEN 1 END) AS `{kind}`" for kind in schema.coverage
    ]
    covered.append(f"count(CASE WHEN {any_kind} THEN 1 END) AS `any`")
    communities = " UNION ".join(
        f"{match_nodes('c', safe_label(level, schema))} RETURN c"
        for level in schema.coverage_levels
    )
    found = db.query(
        f"CALL () {{ {communities} }} WITH c{''.join(', ' + test for test in tests)} "
        f"RETURN count(c) AS total, {', '.join(covered)}",
        {"dataset": dataset, "at": as_date(at)},
        action=f"measure the coverage of dataset {dataset!r}",
        transform=neo4j.Result.single,
    )
    total = int(found["total"])
    kinds = [*schema.coverage, "any"]
    return pd.DataFrame(
        {
            "communities_covered": [int(found[k]) for k in kinds],
            "communities_total": total,
            "share": [int(found[k]) / total if total else np.nan for k in kinds],
        },
        index=pd.Index(kinds, name="kind"),
    )
