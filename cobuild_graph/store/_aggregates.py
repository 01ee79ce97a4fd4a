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
    HIERARCHY_TIE,
    holds,
    match_nodes,
    members,
    safe_label,
    safe_tie_type,
    tie_sources,
)
from cobuild_graph.store._values import as_date

#: The kinds of tie that cover a community in ``Neo4jStore.coverage``: tie type and the
#: label at the other end, as :func:`cobuild_graph.domain.coverage` defines them. ``any`` is
#: ``unit`` or ``branch``.
COVERAGE_KINDS: dict[str, tuple[str, str]] = {
    "unit": ("PAIRED_WITH", "Unit"),
    "branch": ("EMBEDDED_IN", "ActionBranch"),
    "project": ("RUNS", "Project"),
    "position": ("LOCATED_IN", "Position"),
}
#: The kinds that make up ``any`` in ``Neo4jStore.coverage``.
COVERAGE_ANY: tuple[str, ...] = ("unit", "branch")
#: The counts of ``Neo4jStore.place_counts``: column and the label counted, as
#: :func:`cobuild_graph.domain.balance` names them.
PLACE_COUNTS: dict[str, str] = {
    "units": "Unit",
    "branches": "ActionBranch",
    "projects": "Project",
    "positions": "Position",
}


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
    counted = dict(PLACE_COUNTS)
    below = schema.hierarchy[schema.hierarchy.index(level) + 1 :]
    if "Community" in below:
        counted = {"communities": "Community", **counted}
    for label in counted.values():
        safe_label(label, schema)
    labels = list(counted.values())
    found = db.query(
        f"{match_nodes('p', level)} "
        f"CALL (p) {{ WITH p AS root {members('root')} "
        "WITH DISTINCT m RETURN [l IN labels(m) WHERE l IN $counted] AS found } "
        "WITH p, collect(found) AS found "
        "RETURN p.id AS id, p.name AS name, "
        "[x IN $counted | size([f IN found WHERE x IN f])] AS counts",
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
    community = safe_label("Community", schema)
    tests = [
        f"EXISTS {{ MATCH (p)(()-[h:{HIERARCHY_TIE}]->() WHERE {holds('h')})*(c), "
        f"(p)-[r:{safe_tie_type(tie_type, schema)}]-(:{safe_label(other, schema)}) "
        f"WHERE {holds('r')} }} AS covered_{kind}"
        for kind, (tie_type, other) in COVERAGE_KINDS.items()
    ]
    any_kind = " OR ".join(f"covered_{kind}" for kind in COVERAGE_ANY)
    covered = [f"count(CASE WHEN covered_{kind} THEN 1 END) AS `{kind}`" for kind in COVERAGE_KINDS]
    covered.append(f"count(CASE WHEN {any_kind} THEN 1 END) AS `any`")
    found = db.query(
        f"{match_nodes('c', community)} WITH c, {', '.join(tests)} "
        f"RETURN count(c) AS total, {', '.join(covered)}",
        {"dataset": dataset, "at": as_date(at)},
        action=f"measure the coverage of dataset {dataset!r}",
        transform=neo4j.Result.single,
    )
    total = int(found["total"])
    kinds = [*COVERAGE_KINDS, "any"]
    return pd.DataFrame(
        {
            "communities_covered": [int(found[k]) for k in kinds],
            "communities_total": total,
            "share": [int(found[k]) / total if total else np.nan for k in kinds],
        },
        index=pd.Index(kinds, name="kind"),
    )
