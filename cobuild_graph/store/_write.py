"""Writing: the constraints, a planned load in batched transactions, and deleting a dataset."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import neo4j
import neo4j.exceptions as neo4j_errors
from tqdm import tqdm

from cobuild_graph.errors import StoreError
from cobuild_graph.schema import Schema
from cobuild_graph.store._aggregates import totals
from cobuild_graph.store._connection import Connection
from cobuild_graph.store._cypher import (
    DATASET_LABEL,
    DATASET_PROPERTY,
    ID_PROPERTY,
    chunks,
    in_dataset,
    match_nodes,
    safe_label,
    safe_property,
    safe_tie_type,
    tie_sources,
)
from cobuild_graph.store._plan import Group, Plan, split_into_lanes
from cobuild_graph.store._read import find_dataset

logger = logging.getLogger(__name__)

#: Rows per write transaction. Measured with ``bench/neo4j_load.py`` on a 2-core machine:
#: 5,000 is at the plateau; 1,000 pays per transaction, 10,000 and more hold more locks
#: and memory without going faster.
DEFAULT_BATCH_SIZE = 5_000
#: Write transactions in flight at once: two keep a 2-core server busy (1.3x one on ties).
DEFAULT_WORKERS = 2

# A job writes one batch and returns its rows; a lane is jobs run in order.
Lane = list[tuple[Callable[..., int], tuple[Any, ...]]]


@dataclass(frozen=True)
class WriteSummary:
    """What a load or a delete did.

    Parameters
    ----------
    dataset
        The dataset's name.
    nodes
        Nodes written (or deleted).
    ties
        Ties written (or deleted).
    seconds
        Wall-clock time taken.
    phases
        Seconds per phase of a load: ``check`` (the graph against the schema),
        ``nodes``, ``ties``, ``record`` (constraints, counts and the dataset's record).
    """

    dataset: str
    nodes: int
    ties: int
    seconds: float
    phases: Mapping[str, float] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        """Nodes and ties per second."""
        return (self.nodes + self.ties) / self.seconds if self.seconds > 0 else float("inf")


class Clock:
    """Wall-clock seconds per phase; a phase timed twice adds up."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self.last
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.started


# -- constraints ----------------------------------------------------------------------------


def schema_statements(schema: Schema) -> list[str]:
    """The ``CREATE CONSTRAINT`` statements of `schema` (see ``Neo4jStore.schema_statements``)."""
    statements = [
        f"CREATE CONSTRAINT cobuild_{label}_key IF NOT EXISTS FOR (n:{safe_label(label)}) "
        f"REQUIRE (n.{DATASET_PROPERTY}, n.{ID_PROPERTY}) IS UNIQUE"
        for label in schema.labels
    ]
    statements.append(
        f"CREATE CONSTRAINT cobuild_{DATASET_LABEL}_name IF NOT EXISTS "
        f"FOR (d:{DATASET_LABEL}) REQUIRE d.name IS UNIQUE"
    )
    return statements


def create_missing_constraints(db: Connection, schema: Schema) -> None:
    """Create the constraints of `schema` that no constraint on the same properties covers."""
    have = db.query(
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
        "WHERE type IN ['UNIQUENESS', 'NODE_KEY'] "
        "RETURN labelsOrTypes AS labels, properties",
        action="list the constraints",
        transform=lambda result: {(tuple(r[0]), tuple(r[1])) for r in result},
    )
    wanted = [(label, (DATASET_PROPERTY, ID_PROPERTY)) for label in schema.labels]
    wanted.append((DATASET_LABEL, ("name",)))
    for (label, properties), statement in zip(wanted, schema_statements(schema), strict=True):
        if ((label,), properties) not in have:
            logger.info("creating constraint: %s", statement)
            db.query(
                statement,
                action=f"create the uniqueness constraint on {label}",
                write=True,
                transform=neo4j.Result.consume,
            )


# -- a load ---------------------------------------------------------------------------------


def write_plan(
    db: Connection,
    schema: Schema,
    plan: Plan,
    dataset: str,
    *,
    batch_size: int,
    workers: int,
    progress: bool,
    clock: Clock,
) -> WriteSummary:
    """Write a planned load: the dataset's record, its nodes, its ties, then its counts.

    The record says ``complete = false`` until the counts are written.
    """
    with db.translated(f"record the dataset {dataset!r}"):
        db.write(
            f"MERGE (d:{DATASET_LABEL} {{name: $dataset}}) "
            "SET d.meta = $meta, d.complete = false, d.load_started = datetime(), "
            "d.labels = [x IN coalesce(d.labels, []) WHERE NOT x IN $labels] + $labels, "
            "d.tie_types = [x IN coalesce(d.tie_types, []) WHERE NOT x IN $types] + $types",
            {
                "dataset": dataset,
                "meta": plan.meta,
                "labels": plan.labels,
                "types": plan.tie_types,
            },
        )
    clock.lap("record")
    with tqdm(
        total=plan.node_count + plan.tie_count,
        desc=f"loading {dataset}",
        unit=" rows",
        unit_scale=True,
        disable=not progress,
    ) as bar:
        _write_nodes(db, plan.nodes, dataset, batch_size, workers, bar)
        clock.lap("nodes")
        _write_ties(db, plan.ties, dataset, batch_size, workers, bar)
        clock.lap("ties")
    nodes, ties = totals(db, schema, dataset)
    with db.translated(f"record the dataset {dataset!r}"):
        db.write(
            f"MATCH (d:{DATASET_LABEL} {{name: $dataset}}) "
            "SET d.complete = true, d.loaded = datetime(), d.nodes = $nodes, d.ties = $ties",
            {"dataset": dataset, "nodes": nodes, "ties": ties},
        )
    clock.lap("record")
    summary = WriteSummary(
        dataset, plan.node_count, plan.tie_count, clock.total(), dict(clock.phases)
    )
    logger.info(
        "loaded %s: %d nodes, %d ties in %.1f s (%.0f rows/s)",
        dataset,
        summary.nodes,
        summary.ties,
        summary.seconds,
        summary.rows_per_second,
    )
    return summary


def _write_nodes(
    db: Connection, groups: list[Group], dataset: str, batch_size: int, workers: int, bar: tqdm
) -> None:
    """Write the nodes: ``CREATE`` for a label the dataset has no node of yet, else ``MERGE``.

    ``CREATE`` is faster and, with the uniqueness constraint, as safe: should another
    load of the same dataset create one of the nodes first, the batch fails whole and is
    merged instead, and so is the rest of its label.
    """
    fresh = {group.kind: not _has_nodes(db, group.kind, dataset) for group in groups}

    def cypher(group: Group, verb: str) -> str:
        sets = ", ".join(f"n.{safe_property(k)} = row[{i + 1}]" for i, k in enumerate(group.keys))
        return (
            f"UNWIND $rows AS row {verb} (n:{safe_label(group.kind)} "
            f"{{{DATASET_PROPERTY}: $dataset, {ID_PROPERTY}: row[0]}})"
            + (f" SET {sets}" if sets else "")
        )

    def write(group: Group, rows: list[tuple[Any, ...]]) -> int:
        params = {"rows": rows, "dataset": dataset}
        if fresh[group.kind]:
            try:
                db.write(cypher(group, "CREATE"), params)
                return len(rows)
            except neo4j_errors.ConstraintError:
                logger.info("%s nodes of %r exist already: merging", group.kind, dataset)
                fresh[group.kind] = False
        db.write(cypher(group, "MERGE"), params)
        return len(rows)

    batches = [
        [(write, (g, g.rows[i : i + batch_size]))]
        for g in groups
        for i in range(0, len(g.rows), batch_size)
    ]
    _run_lanes(db, batches, workers, bar, f"write the nodes of dataset {dataset!r}")


def _write_ties(
    db: Connection, groups: list[Group], dataset: str, batch_size: int, workers: int, bar: tqdm
) -> None:
    """Merge the ties, one group (type and endpoint labels) after the other.

    Both ends are found by element id, fetched once for all nodes (cheaper than an index
    seek per end), and checked against ``dataset`` and ``id``: a tie
    whose node went away is counted missing, never attached elsewhere.

    ``MERGE`` locks both nodes of a tie, so two transactions that share nodes wait for
    each other or deadlock. The groups therefore run one after the other (branch → unit
    and branch → community would lock the same branches in opposite orders), and within
    a group each worker takes its own lane: whole connected components of the group's
    ties, which no other lane touches.
    """
    labels = list(dict.fromkeys(label for g in groups for label in (g.source, g.target)))
    element_ids = _element_ids(db, dataset, labels)

    def write(cypher: str, rows: list[tuple[Any, ...]]) -> int:
        try:
            found = [(element_ids[s], element_ids[t], s, t, *rest) for s, t, *rest in rows]
        except KeyError as missing:
            raise StoreError(
                f"node {missing.args[0]!r} of dataset {dataset!r} is not in Neo4j: was the "
                "dataset deleted during the load? Run the load again."
            ) from None
        written = db.write(cypher, {"rows": found, "dataset": dataset})
        if written != len(rows):
            raise StoreError(
                f"{len(rows) - written} of {len(rows)} ties of dataset {dataset!r} found "
                "no node to start or end at: was the dataset deleted during the load? "
                "Run the load again."
            )
        return len(rows)

    for group in groups:
        sets = ", ".join(f"r.{safe_property(k)} = row[{i + 4}]" for i, k in enumerate(group.keys))
        cypher = (
            "UNWIND $rows AS row "
            f"MATCH (a) WHERE elementId(a) = row[0] AND a.{DATASET_PROPERTY} = $dataset "
            f"AND a.{ID_PROPERTY} = row[2] "
            f"MATCH (b) WHERE elementId(b) = row[1] AND b.{DATASET_PROPERTY} = $dataset "
            f"AND b.{ID_PROPERTY} = row[3] "
            f"MERGE (a)-[r:{safe_tie_type(group.kind)}]->(b)"
            + (f" SET {sets}" if sets else "")
            + " RETURN count(*)"
        )
        lanes = [
            [(write, (cypher, lane[i : i + batch_size])) for i in range(0, len(lane), batch_size)]
            for lane in split_into_lanes(group.rows, workers)
        ]
        _run_lanes(db, lanes, workers, bar, f"write the {group.kind} ties of dataset {dataset!r}")


def _run_lanes(db: Connection, lanes: list[Lane], workers: int, bar: tqdm, action: str) -> None:
    """Run the jobs of each lane in order, `workers` lanes at a time.

    A job returns the rows it wrote. After a failure no new job starts, and the first
    error is raised.
    """
    failed = threading.Event()

    def run(lane: Lane) -> None:
        for job, args in lane:
            if failed.is_set():
                return
            try:
                bar.update(job(*args))
            except BaseException:
                failed.set()
                raise

    with (
        db.translated(action),
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cobuild-load") as pool,
    ):
        futures: list[Future[None]] = [pool.submit(run, lane) for lane in lanes if lane]
        try:
            for future in as_completed(futures):
                future.result()
        except BaseException:
            failed.set()
            for future in futures:
                future.cancel()
            raise


def _has_nodes(db: Connection, label: str, dataset: str) -> bool:
    with db.translated(f"look up the dataset {dataset!r}"):
        return bool(
            db.write(
                f"{match_nodes('n', label)} WITH n LIMIT 1 RETURN count(n) > 0",
                {"dataset": dataset},
            )
        )


def _element_ids(db: Connection, dataset: str, labels: list[str]) -> dict[str, str]:
    """Each node id of the dataset (of `labels`) mapped to its element id.

    Read in a write transaction: on a cluster it runs on the leader, which has every
    node the load wrote.
    """

    def work(tx: neo4j.ManagedTransaction) -> dict[str, str]:
        found: dict[str, str] = {}
        for label in labels:
            found.update(
                chunks(tx, match_nodes("n", label), "n.id, elementId(n)", {"dataset": dataset})
            )
        return found

    with db.translated(f"look up the nodes of dataset {dataset!r}"):
        return db.transaction(work, write=True)


# -- deleting -------------------------------------------------------------------------------


def delete_dataset(db: Connection, schema: Schema, dataset: str, batch_size: int) -> WriteSummary:
    """Delete a dataset's ties, nodes and record in batches (see ``Neo4jStore.delete``)."""
    started = time.perf_counter()
    _check_stored_labels(db, schema, dataset)
    params = {"dataset": dataset, "limit": batch_size}
    ties = nodes = 0
    with db.translated(f"delete the dataset {dataset!r}"):
        for tie_type, source, _ in tie_sources(schema):
            cypher = (
                f"MATCH (a:{safe_label(source)})-[r:{safe_tie_type(tie_type)}]->() "
                f"WHERE {in_dataset('a')} WITH r LIMIT $limit DELETE r RETURN count(*)"
            )
            while deleted := db.write(cypher, params):
                ties += deleted
        for label in schema.labels:
            cypher = (
                f"{match_nodes('n', label)} WITH n LIMIT $limit DETACH DELETE n RETURN count(*)"
            )
            while deleted := db.write(cypher, params):
                nodes += deleted
        db.write(f"MATCH (d:{DATASET_LABEL} {{name: $dataset}}) DELETE d RETURN count(*)", params)
    summary = WriteSummary(dataset, nodes, ties, time.perf_counter() - started)
    logger.info("deleted %s: %d nodes, %d ties", dataset, nodes, ties)
    return summary


def _check_stored_labels(db: Connection, schema: Schema, dataset: str) -> None:
    """Refuse a dataset stored with labels or tie types outside the store's schema."""
    record = find_dataset(db, dataset)
    if record is None:
        return
    unknown = sorted(set(record.get("labels") or ()) - set(schema.labels)) + sorted(
        set(record.get("tie_types") or ()) - set(schema.tie_types)
    )
    if unknown:
        raise StoreError(
            f"dataset {dataset!r} holds labels or tie types outside this store's schema "
            f"({', '.join(unknown)}): open the store with the schema it was loaded with"
        )
