"""The Neo4j store: co-building datasets in a Neo4j database, written, read back and counted.

This is the only module that talks to the ``neo4j`` driver. A :class:`Neo4jStore` connects
with a URI and a user name and password, or wraps a ``neo4j.Driver`` the caller made (and then
leaves it open); ``Neo4jStore.from_env()`` reads ``NEO4J_URI``, ``NEO4J_USERNAME``,
``NEO4J_PASSWORD`` and ``NEO4J_DATABASE``. ``bolt://``, ``neo4j://`` and ``neo4j+s://``
(clusters, Aura) all work: every query runs in a managed transaction, which routes and retries.

How a dataset is stored
-----------------------
Several datasets live side by side in one database (Community edition has one user
database). Every node carries its schema label (``Street``, ``Unit`` ...), the property
``dataset`` (the dataset's name) and the property ``id``, and every other attribute as a
property; a tie is a relationship of its tie type between the two nodes, with its
attributes as properties. Dates are Neo4j ``Date`` values, and everything comes back with
the Python type it went in with (``str``, ``int``, ``float``, ``bool``, ``datetime.date``).

Each label has a uniqueness constraint on ``(dataset, id)``. Community edition has no node
key constraints, but it has composite property uniqueness constraints (5.7 and later), and
the constraint's index makes every ``MERGE`` and ``MATCH`` on ``{dataset, id}`` an index
seek; so no extra ``_key`` property is needed. The constraint is also what makes loads
safe to run at the same time: two loads cannot both create one node, and ``MERGE`` of a
relationship locks both its nodes.

How a load writes
-----------------
The graph is checked against the schema first; nothing is written unless it passes. Then,
in batches of ``UNWIND $rows`` (rows are lists, not maps: smaller to send), managed write
transactions (retried on transient errors, deadlocks included), two at a time:

1. the nodes, label by label: ``CREATE`` for a label the dataset has no node of yet
   (40 % faster than ``MERGE``; should another load create one of them first, the
   constraint fails the batch whole and it is merged instead), ``MERGE`` otherwise;
2. the ties, type by type: both ends found by element id (read once for all nodes; an
   index seek per end is ~20 % slower) and checked against ``dataset`` and ``id``, then
   ``MERGE``. Each worker takes whole connected components of a type's ties, so two
   transactions never lock the same node and cannot deadlock.

Properties are set by name (``SET n.name = row[1]``), never with ``SET n += map``, which
makes Neo4j materialise every row first (an ``Eager`` step) in case the map holds the key.

A ``:Dataset {name}`` node (unique on ``name``) records each dataset: its metadata (the
graph's ``G.graph``, as JSON), the labels and tie types it holds, its counts, when it was
loaded, and ``complete = false`` while a load runs (a load that died leaves it so).

Only labels and tie types of the store's schema, and attribute names that the schema's
attribute pattern allows, are ever written into Cypher text; every value is a parameter.

Examples
--------
>>> import cobuild_graph as cg
>>> from cobuild_graph.store import Neo4jStore
>>> with Neo4jStore.from_env() as store:  # doctest: +SKIP
...     store.load(cg.read_dataset("data/suzhou"), "suzhou")
...     G = store.read("suzhou", within="street-canglang", at="2020-06-30")
...     store.coverage("suzhou")
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import repeat
from types import TracebackType
from typing import Any, NoReturn, Self
from urllib.parse import urlsplit

import neo4j
import neo4j.exceptions as neo4j_errors
import networkx as nx
import numpy as np
import pandas as pd
from neo4j.time import Date as Neo4jDate
from tqdm import tqdm

from cobuild_graph.build import _gc_paused, graph_from_tables
from cobuild_graph.errors import (
    Neo4jAuthError,
    Neo4jConfigError,
    Neo4jConnectionError,
    Neo4jPermissionError,
    NotFoundError,
    StoreError,
    ValidationError,
    problems_frame,
)
from cobuild_graph.schema import (
    ATTRIBUTE_PATTERN,
    DEFAULT_SCHEMA,
    LABEL_PATTERN,
    TIE_TYPE_PATTERN,
    Schema,
)

logger = logging.getLogger(__name__)

#: The label of the node that records a dataset.
DATASET_LABEL = "Dataset"
#: The node property naming the dataset a node belongs to.
DATASET_PROPERTY = "dataset"
#: The node property holding the node's id.
ID_PROPERTY = "id"
#: The hierarchy's tie type (the schema requires it).
HIERARCHY_TIE = "PART_OF"
#: Rows per write transaction. Measured with ``bench/neo4j_load.py`` on a 2-core machine:
#: 5,000 is at the plateau; 1,000 pays per transaction, 10,000 and more hold more locks
#: and memory without going faster.
DEFAULT_BATCH_SIZE = 5_000
#: Write transactions in flight at once: two keep a 2-core server busy (1.3x one on ties).
DEFAULT_WORKERS = 2
#: Rows per record when reading: the server sends rows in lists of this many.
READ_CHUNK = 10_000
#: URI schemes of the Neo4j driver.
URI_SCHEMES: tuple[str, ...] = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")

#: The kinds of tie that cover a community in :meth:`Neo4jStore.coverage`: tie type and the
#: label at the other end, as :func:`cobuild_graph.domain.coverage` defines them. ``any`` is
#: ``unit`` or ``branch``.
COVERAGE_KINDS: dict[str, tuple[str, str]] = {
    "unit": ("PAIRED_WITH", "Unit"),
    "branch": ("EMBEDDED_IN", "ActionBranch"),
    "project": ("RUNS", "Project"),
    "position": ("LOCATED_IN", "Position"),
}
#: The kinds that make up ``any`` in :meth:`Neo4jStore.coverage`.
COVERAGE_ANY: tuple[str, ...] = ("unit", "branch")
#: The counts of :meth:`Neo4jStore.place_counts`: column and the label counted, as
#: :func:`cobuild_graph.domain.balance` names them.
PLACE_COUNTS: dict[str, str] = {
    "units": "Unit",
    "branches": "ActionBranch",
    "projects": "Project",
    "positions": "Position",
}

_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (float, int),
    "bool": (bool,),
    "date": (dt.date,),
}
_STORABLE = (str, int, float, bool, dt.date)
_DATE_TAG = "$date"


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


class _Clock:
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


@dataclass(frozen=True)
class _Group:
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
class _Plan:
    """A graph checked and cut into the rows the writer sends."""

    nodes: list[_Group]
    ties: list[_Group]
    node_count: int
    tie_count: int
    meta: str

    @property
    def labels(self) -> list[str]:
        return [group.kind for group in self.nodes]

    @property
    def tie_types(self) -> list[str]:
        return list(dict.fromkeys(group.kind for group in self.ties))


class Neo4jStore:
    """Co-building datasets in a Neo4j database.

    Parameters
    ----------
    endpoint
        A Neo4j URI (``bolt://host:7687``, ``neo4j://host``, ``neo4j+s://xxx.databases.neo4j.io``)
        without a user name or password in it, or an open ``neo4j.Driver``, which the store
        uses and leaves open.
    auth
        ``(user, password)`` for a URI; ``None`` for a server without authentication.
    database
        The database to use; the user's home database when ``None``.
    schema
        The labels, tie types and attributes the store may write and read.
    **config
        Passed to ``neo4j.GraphDatabase.driver`` with a URI (``max_connection_pool_size``,
        ``trusted_certificates`` ...).

    Raises
    ------
    Neo4jConfigError
        If the URI holds a user name or password, is not a Neo4j URI, or `auth` comes with
        a driver.
    Neo4jConnectionError
        If the server cannot be reached.
    Neo4jAuthError
        If it refuses the user name and password.
    StoreError
        If the database does not exist.

    Examples
    --------
    With a server (the tests start one; see ``scripts/neo4j-server``)::

        with Neo4jStore("bolt://localhost:7687", ("neo4j", password)) as store:
            store.load(read_dataset("data/suzhou"), "suzhou")
            store.datasets()
    """

    def __init__(
        self,
        endpoint: str | neo4j.Driver,
        auth: tuple[str, str] | None = None,
        *,
        database: str | None = None,
        schema: Schema = DEFAULT_SCHEMA,
        **config: Any,
    ) -> None:
        _check_schema(schema)
        self.schema = schema
        self.database = database or None
        self._user = auth[0] if auth else None
        self._schema_ready = False
        if isinstance(endpoint, neo4j.Driver):
            if auth is not None or config:
                raise Neo4jConfigError(
                    "auth and driver settings come with a URI; an existing driver has its own"
                )
            self._where = "the server of the given driver"
            self._driver, self._owns_driver = endpoint, False
        else:
            self._where = _check_uri(endpoint)
            try:
                driver = neo4j.GraphDatabase.driver(endpoint, auth=auth, **config)
            except (ValueError, neo4j_errors.ConfigurationError) as error:
                raise Neo4jConfigError(
                    f"cannot use the Neo4j URI {self._where}: {error}. Use bolt://host:7687, "
                    "neo4j://host:7687 or neo4j+s://host (Aura)."
                ) from None
            self._driver, self._owns_driver = driver, True
        self._password_missing = auth is None
        try:
            self._check_connection()
        except BaseException:
            self.close()
            raise

    @classmethod
    def from_env(
        cls,
        *,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        schema: Schema = DEFAULT_SCHEMA,
        **config: Any,
    ) -> Neo4jStore:
        """Connect with the ``NEO4J_*`` environment variables; arguments given win over them.

        Parameters
        ----------
        uri
            Else ``NEO4J_URI``.
        user
            Else ``NEO4J_USERNAME``, else ``neo4j``.
        password
            Else ``NEO4J_PASSWORD``; without one, the store connects without authentication.
        database
            Else ``NEO4J_DATABASE``, else the user's home database.
        schema
            See :class:`Neo4jStore`.
        **config
            Passed to the driver.

        Returns
        -------
        Neo4jStore
            A connected store.

        Raises
        ------
        Neo4jConfigError
            If no URI is given or set.
        """
        uri = uri or os.environ.get("NEO4J_URI")
        if not uri:
            raise Neo4jConfigError(
                "no Neo4j to connect to: set NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD (and "
                "NEO4J_DATABASE) for your server, or start a local one for tests with "
                'eval "$(scripts/neo4j-server start)"'
            )
        user = user or os.environ.get("NEO4J_USERNAME") or "neo4j"
        if password is None:
            password = os.environ.get("NEO4J_PASSWORD")
        database = database or os.environ.get("NEO4J_DATABASE") or None
        auth = (user, password) if password is not None else None
        return cls(uri, auth, database=database, schema=schema, **config)

    # -- connection -----------------------------------------------------------------------

    @property
    def address(self) -> str:
        """Where the store connects, as messages show it (never with a password)."""
        return self._where

    @property
    def driver(self) -> neo4j.Driver:
        """The ``neo4j.Driver`` the store uses."""
        return self._driver

    def close(self) -> None:
        """Close the driver if the store opened it (a driver passed in stays open)."""
        if self._owns_driver:
            self._driver.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Neo4jStore({self._where}, database={self.database!r})"

    def _check_connection(self) -> None:
        # An auto-commit query is not retried: an unreachable server fails at once.
        with (
            self._translated("connect"),
            self._driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS
            ) as session,
        ):
            session.run("RETURN 1").consume()

    @contextmanager
    def _translated(self, action: str) -> Iterator[None]:
        """Turn the driver's errors into the library's, with what to do about them."""
        try:
            yield
        except neo4j_errors.AuthError as error:
            self._auth_failed(error)
        except neo4j_errors.Forbidden as error:
            raise Neo4jPermissionError(
                f"Neo4j user {self._user!r} may not {action} in database "
                f"{self.database or '(home)'}: {error.message}. Ask an administrator to grant "
                "it; the constraints an administrator can create once are listed by "
                "Neo4jStore.schema_statements()."
            ) from error
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired) as error:
            raise Neo4jConnectionError(
                f"cannot reach Neo4j at {self._where} to {action}: {error}. Is the server "
                "running and NEO4J_URI right? For a local test server run "
                "scripts/neo4j-server start."
            ) from error
        except neo4j_errors.ClientError as error:
            if error.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise StoreError(
                    f"Neo4j at {self._where} has no database {self.database!r}: check "
                    "NEO4J_DATABASE (Community edition has one user database, 'neo4j')."
                ) from error
            raise StoreError(f"Neo4j refused to {action}: {error.message}") from error
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as error:
            raise StoreError(
                f"Neo4j failed to {action}: {error}. If the server was busy or restarting, "
                "run it again: loads are idempotent."
            ) from error

    def _auth_failed(self, error: neo4j_errors.AuthError) -> NoReturn:
        if error.code == "Neo.ClientError.Security.AuthenticationRateLimit":
            advice = "too many failed logins: wait a few seconds, then check NEO4J_PASSWORD"
        elif self._password_missing:
            advice = "no password was given: set NEO4J_PASSWORD"
        else:
            advice = (
                "wrong user name or password: check NEO4J_USERNAME and NEO4J_PASSWORD "
                "(scripts/neo4j-server start prints them for a local test server)"
            )
        raise Neo4jAuthError(
            f"Neo4j at {self._where} refused the login of user {self._user!r}: {advice}."
        ) from error

    # -- low-level queries ----------------------------------------------------------------

    def _query(
        self,
        cypher: str,
        params: Mapping[str, Any] | None = None,
        *,
        action: str,
        write: bool = False,
        transform: Callable[[neo4j.Result], Any] = neo4j.Result.to_df,
    ) -> Any:
        routing = neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ
        with self._translated(action):
            return self._driver.execute_query(
                cypher,
                dict(params or {}),
                routing_=routing,
                database_=self.database,
                result_transformer_=transform,
            )

    def _write(self, cypher: str, params: Mapping[str, Any]) -> Any:
        """Run one write statement in a managed transaction; returns its single value."""

        def work(tx: neo4j.ManagedTransaction) -> Any:
            record = tx.run(cypher, params).single()
            return record[0] if record is not None else None

        with self._session() as session:
            return session.execute_write(work)

    def _session(self) -> neo4j.Session:
        """A session that sees every earlier write of the store (also on a cluster)."""
        return self._driver.session(
            database=self.database,
            bookmark_manager=self._driver.execute_query_bookmark_manager,
        )

    def run_cypher(
        self, query: str, params: Mapping[str, Any] | None = None, *, write: bool = False
    ) -> pd.DataFrame:
        """Run a Cypher query of your own and return its records as a DataFrame.

        Parameters
        ----------
        query
            The Cypher text; pass values as ``$parameters``, never inside the text.
        params
            The parameters.
        write
            Whether the query writes (it then goes to the cluster's leader).

        Returns
        -------
        pandas.DataFrame
            One row per record, one column per returned key.
        """
        return self._query(query, params, action="run the query", write=write)

    # -- schema ---------------------------------------------------------------------------

    def schema_statements(self) -> list[str]:
        """The Cypher statements that create the store's constraints.

        One composite uniqueness constraint on ``(dataset, id)`` per label of the schema,
        and one on ``Dataset.name``. An administrator can run them once for users who may
        not create constraints themselves.

        Returns
        -------
        list of str
            ``CREATE CONSTRAINT ... IF NOT EXISTS`` statements.
        """
        statements = [
            f"CREATE CONSTRAINT cobuild_{label}_key IF NOT EXISTS FOR (n:{_label(label)}) "
            f"REQUIRE (n.{DATASET_PROPERTY}, n.{ID_PROPERTY}) IS UNIQUE"
            for label in self.schema.labels
        ]
        statements.append(
            f"CREATE CONSTRAINT cobuild_{DATASET_LABEL}_name IF NOT EXISTS "
            f"FOR (d:{DATASET_LABEL}) REQUIRE d.name IS UNIQUE"
        )
        return statements

    def ensure_schema(self) -> None:
        """Create the uniqueness constraints (and their indexes) that are missing.

        Existing constraints on the same label and properties count, whatever their name;
        so a user without the right to create constraints can load once an administrator
        has run :meth:`schema_statements`. :meth:`load` calls this first.

        Raises
        ------
        Neo4jPermissionError
            If a constraint is missing and the user may not create it.
        """
        if self._schema_ready:
            return
        have = self._query(
            "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
            "WHERE type IN ['UNIQUENESS', 'NODE_KEY'] "
            "RETURN labelsOrTypes AS labels, properties",
            action="list the constraints",
            transform=lambda result: {(tuple(r[0]), tuple(r[1])) for r in result},
        )
        wanted = [(label, (DATASET_PROPERTY, ID_PROPERTY)) for label in self.schema.labels]
        wanted.append((DATASET_LABEL, ("name",)))
        for (label, properties), statement in zip(wanted, self.schema_statements(), strict=True):
            if ((label,), properties) not in have:
                logger.info("creating constraint: %s", statement)
                self._query(
                    statement,
                    action=f"create the uniqueness constraint on {label}",
                    write=True,
                    transform=neo4j.Result.consume,
                )
        self._schema_ready = True

    # -- writing --------------------------------------------------------------------------

    def load(
        self,
        data: nx.MultiDiGraph | tuple[pd.DataFrame, pd.DataFrame, Mapping[str, Any]],
        dataset: str,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        workers: int = DEFAULT_WORKERS,
        replace: bool = False,
        progress: bool = True,
    ) -> WriteSummary:
        """Write a validated dataset into Neo4j, idempotently.

        Nodes are merged on ``(dataset, id)`` label by label, then ties on their two nodes
        type by type, in batched ``UNWIND $rows ... MERGE`` managed transactions (retried on
        transient errors). Loading the same data again changes nothing; loading a changed
        dataset updates the attributes it carries, and keeps nodes and ties it no longer
        has unless `replace` is set.

        Parameters
        ----------
        data
            A co-building graph as :func:`~cobuild_graph.read_dataset` builds it, or the
            tables of :func:`~cobuild_graph.read_tables` /
            :func:`~cobuild_graph.generate.generate_tables`.
        dataset
            The name to store it under; other datasets are left alone.
        batch_size
            Rows per transaction.
        workers
            Transactions in flight at once.
        replace
            Delete the dataset's stored nodes and ties first.
        progress
            Show a progress bar (on standard error).

        Returns
        -------
        WriteSummary
            The nodes and ties written and the time taken.

        Raises
        ------
        ValidationError
            Before anything is written, if the graph holds labels, tie types, endpoints,
            attribute names or value types the schema does not allow.
        Neo4jConnectionError, Neo4jPermissionError, StoreError
            If Neo4j cannot be reached or refuses the write; a load cut short can be run
            again.
        """
        _check_dataset_name(dataset)
        if batch_size < 1 or workers < 1:
            raise ValueError("batch_size and workers must be at least 1")
        clock = _Clock()
        graph = data if isinstance(data, nx.Graph) else _graph_of_tables(data)
        with _gc_paused():  # millions of new tuples would trigger collections of the graph
            plan = _plan(graph, self.schema)
        clock.lap("check")
        self.ensure_schema()
        if replace:
            self.delete(dataset, batch_size=batch_size)
        with self._translated(f"record the dataset {dataset!r}"):
            self._write(
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
            self._write_nodes(plan.nodes, dataset, batch_size, workers, bar)
            clock.lap("nodes")
            self._write_ties(plan.ties, dataset, batch_size, workers, bar)
            clock.lap("ties")
        nodes, ties = self._totals(dataset)
        with self._translated(f"record the dataset {dataset!r}"):
            self._write(
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
        self, groups: list[_Group], dataset: str, batch_size: int, workers: int, bar: tqdm
    ) -> None:
        """Write the nodes: ``CREATE`` for a label the dataset has no node of yet, else ``MERGE``.

        ``CREATE`` is faster and, with the uniqueness constraint, as safe: should another
        load of the same dataset create one of the nodes first, the batch fails whole and is
        merged instead, and so is the rest of its label.
        """
        fresh = {group.kind: not self._has_nodes(group.kind, dataset) for group in groups}

        def cypher(group: _Group, verb: str) -> str:
            sets = ", ".join(f"n.{_property(k)} = row[{i + 1}]" for i, k in enumerate(group.keys))
            return (
                f"UNWIND $rows AS row {verb} (n:{_label(group.kind)} "
                f"{{{DATASET_PROPERTY}: $dataset, {ID_PROPERTY}: row[0]}})"
                + (f" SET {sets}" if sets else "")
            )

        def write(group: _Group, rows: list[tuple[Any, ...]]) -> int:
            params = {"rows": rows, "dataset": dataset}
            if fresh[group.kind]:
                try:
                    self._write(cypher(group, "CREATE"), params)
                    return len(rows)
                except neo4j_errors.ConstraintError:
                    logger.info("%s nodes of %r exist already: merging", group.kind, dataset)
                    fresh[group.kind] = False
            self._write(cypher(group, "MERGE"), params)
            return len(rows)

        batches = [
            [(write, (g, g.rows[i : i + batch_size]))]
            for g in groups
            for i in _starts(g, batch_size)
        ]
        self._run(batches, workers, bar, f"write the nodes of dataset {dataset!r}")

    def _write_ties(
        self, groups: list[_Group], dataset: str, batch_size: int, workers: int, bar: tqdm
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
        element_ids = self._element_ids(dataset, labels)

        def write(cypher: str, rows: list[tuple[Any, ...]]) -> int:
            try:
                found = [(element_ids[s], element_ids[t], s, t, *rest) for s, t, *rest in rows]
            except KeyError as missing:
                raise StoreError(
                    f"node {missing.args[0]!r} of dataset {dataset!r} is not in Neo4j: was the "
                    "dataset deleted during the load? Run the load again."
                ) from None
            written = self._write(cypher, {"rows": found, "dataset": dataset})
            if written != len(rows):
                raise StoreError(
                    f"{len(rows) - written} of {len(rows)} ties of dataset {dataset!r} found "
                    "no node to start or end at: was the dataset deleted during the load? "
                    "Run the load again."
                )
            return len(rows)

        for group in groups:
            sets = ", ".join(f"r.{_property(k)} = row[{i + 4}]" for i, k in enumerate(group.keys))
            cypher = (
                "UNWIND $rows AS row "
                f"MATCH (a) WHERE elementId(a) = row[0] AND a.{DATASET_PROPERTY} = $dataset "
                f"AND a.{ID_PROPERTY} = row[2] "
                f"MATCH (b) WHERE elementId(b) = row[1] AND b.{DATASET_PROPERTY} = $dataset "
                f"AND b.{ID_PROPERTY} = row[3] "
                f"MERGE (a)-[r:{_tie_type(group.kind)}]->(b)"
                + (f" SET {sets}" if sets else "")
                + " RETURN count(*)"
            )
            lanes = [
                [
                    (write, (cypher, lane[i : i + batch_size]))
                    for i in range(0, len(lane), batch_size)
                ]
                for lane in _lanes(group.rows, workers)
            ]
            self._run(lanes, workers, bar, f"write the {group.kind} ties of dataset {dataset!r}")

    def _run(
        self,
        lanes: list[list[tuple[Callable[..., int], tuple[Any, ...]]]],
        workers: int,
        bar: tqdm,
        action: str,
    ) -> None:
        """Run the jobs of each lane in order, `workers` lanes at a time.

        A job returns the rows it wrote. After a failure no new job starts, and the first
        error is raised.
        """
        failed = threading.Event()

        def run(lane: list[tuple[Callable[..., int], tuple[Any, ...]]]) -> None:
            for job, args in lane:
                if failed.is_set():
                    return
                try:
                    bar.update(job(*args))
                except BaseException:
                    failed.set()
                    raise

        with (
            self._translated(action),
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

    def _has_nodes(self, label: str, dataset: str) -> bool:
        with self._translated(f"look up the dataset {dataset!r}"):
            return bool(
                self._write(
                    f"MATCH (n:{_label(label)}) WHERE {_in_dataset('n')} "
                    "WITH n LIMIT 1 RETURN count(n) > 0",
                    {"dataset": dataset},
                )
            )

    def _element_ids(self, dataset: str, labels: list[str]) -> dict[str, str]:
        """Each node id of the dataset (of `labels`) mapped to its element id.

        Read in a write transaction: on a cluster it runs on the leader, which has every
        node the load wrote.
        """

        def work(tx: neo4j.ManagedTransaction) -> dict[str, str]:
            found: dict[str, str] = {}
            for label in labels:
                found.update(
                    _chunks(
                        tx,
                        f"MATCH (n:{_label(label)}) WHERE {_in_dataset('n')}",
                        "n.id, elementId(n)",
                        {"dataset": dataset},
                    )
                )
            return found

        with (
            self._translated(f"look up the nodes of dataset {dataset!r}"),
            self._session() as session,
        ):
            return session.execute_write(work)

    def delete(self, dataset: str, *, batch_size: int = 10_000) -> WriteSummary:
        """Delete a dataset: its ties, its nodes and its record, in batches.

        Other datasets are left alone. Deleting a dataset that is not stored does nothing.

        Parameters
        ----------
        dataset
            The dataset's name.
        batch_size
            Ties or nodes deleted per transaction.

        Returns
        -------
        WriteSummary
            The nodes and ties deleted.
        """
        _check_dataset_name(dataset)
        started = time.perf_counter()
        self._check_stored_labels(dataset)
        params = {"dataset": dataset, "limit": batch_size}
        ties = nodes = 0
        with self._translated(f"delete the dataset {dataset!r}"):
            for tie_type, spec in self.schema.tie_types.items():
                for source in sorted({s for s, _ in spec.endpoints}):
                    cypher = (
                        f"MATCH (a:{_label(source)})-[r:{_tie_type(tie_type)}]->() "
                        f"WHERE {_in_dataset('a')} WITH r LIMIT $limit DELETE r "
                        "RETURN count(*)"
                    )
                    while deleted := self._write(cypher, params):
                        ties += deleted
            for label in self.schema.labels:
                cypher = (
                    f"MATCH (n:{_label(label)}) WHERE {_in_dataset('n')} "
                    "WITH n LIMIT $limit DETACH DELETE n RETURN count(*)"
                )
                while deleted := self._write(cypher, params):
                    nodes += deleted
            self._write(
                f"MATCH (d:{DATASET_LABEL} {{name: $dataset}}) DELETE d RETURN count(*)", params
            )
        summary = WriteSummary(dataset, nodes, ties, time.perf_counter() - started)
        logger.info("deleted %s: %d nodes, %d ties", dataset, nodes, ties)
        return summary

    # -- reading --------------------------------------------------------------------------

    def datasets(self) -> pd.DataFrame:
        """The stored datasets.

        Returns
        -------
        pandas.DataFrame
            One row per dataset, sorted by name: ``name``, ``nodes``, ``ties``,
            ``complete`` (``False`` while a load runs, or if one died), ``loaded`` (when
            the last load ended).
        """
        return self._query(
            f"MATCH (d:{DATASET_LABEL}) RETURN d.name AS name, d.nodes AS nodes, "
            "d.ties AS ties, d.complete AS complete, d.loaded AS loaded ORDER BY name",
            action="list the datasets",
            transform=lambda result: result.to_df(parse_dates=True),
        )

    def metadata(self, dataset: str) -> dict[str, Any]:
        """The metadata stored with a dataset (the ``G.graph`` it was loaded from).

        Parameters
        ----------
        dataset
            The dataset's name.

        Returns
        -------
        dict
            Name, place, date, licence ... as loaded.

        Raises
        ------
        NotFoundError
            If the dataset is not stored.
        """
        return _meta_loads(self._dataset(dataset).get("meta"))

    def read(
        self,
        dataset: str,
        *,
        within: str | None = None,
        labels: Iterable[str] | None = None,
        at: dt.date | str | None = None,
    ) -> nx.MultiDiGraph:
        """Read a dataset, or part of it, back as the graph the reader builds.

        Parameters
        ----------
        dataset
            The dataset's name.
        within
            The id of a place of the hierarchy (a district, street, community ...): only
            that place, the places under it through ``PART_OF``, and the nodes tied to
            those by any other tie (units assigned or paired there, branches embedded,
            projects run, positions located ...), with the ties among them.
        labels
            Only nodes of these labels (and the ties among them). With `within`, the
            nodes are chosen first and then kept by label.
        at
            Only ties that hold on this day (``since ≤ at ≤ until``, a missing ``since``
            or ``until`` being open); with `within`, nodes are chosen through those ties.
            Without `within`, every node is kept.

        Returns
        -------
        networkx.MultiDiGraph
            Nodes keyed by id with ``label`` and their attributes, ties keyed by type with
            ``type`` and their attributes, the dataset's metadata in ``G.graph``. Reading
            a whole dataset gives a graph equal to the one loaded.

        Raises
        ------
        NotFoundError
            If the dataset, or the place `within`, is not stored.
        """
        record = self._dataset(dataset)
        chosen = self._chosen_labels(labels)
        day = _as_date(at)
        params = {"dataset": dataset, "at": day, "within": within, "labels": chosen}

        def work(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            if within is None:
                return self._read_all(tx, params, chosen)
            return self._read_within(tx, params, chosen)

        with (
            self._translated(f"read the dataset {dataset!r}"),
            self._session() as session,
        ):
            node_rows, tie_rows = session.execute_read(work)
        nodes = pd.DataFrame(node_rows, columns=_columns(node_rows, ("id", "label")), dtype=object)
        ties = pd.DataFrame(
            tie_rows, columns=_columns(tie_rows, ("source", "target", "type")), dtype=object
        )
        meta = _meta_loads(record["meta"])
        if within is not None or labels is not None or day is not None:
            parts = [f"within={within}"] if within is not None else []
            parts += [f"labels={','.join(chosen)}"] if labels is not None else []
            parts += [f"at={day.isoformat()}"] if day is not None else []
            meta["selection"] = f"{dataset}: " + "; ".join(parts)
        return graph_from_tables(nodes, ties, meta=meta)

    def _read_all(
        self, tx: neo4j.ManagedTransaction, params: dict[str, Any], chosen: list[str]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        node_rows: list[dict[str, Any]] = []
        for label in chosen:
            found = _chunks(
                tx,
                f"MATCH (n:{_label(label)}) WHERE {_in_dataset('n')}",
                "n.id, properties(n)",
                params,
            )
            node_rows += [_node_row(node, label, props) for node, props in found]
        tie_rows: list[dict[str, Any]] = []
        for tie_type, spec in self.schema.tie_types.items():
            for source in sorted({s for s, _ in spec.endpoints} & set(chosen)):
                targets = sorted({t for s, t in spec.endpoints if s == source} & set(chosen))
                if not targets:
                    continue
                found = _chunks(
                    tx,
                    f"MATCH (a:{_label(source)})-[r:{_tie_type(tie_type)}]->"
                    f"(b:{'|'.join(_label(t) for t in targets)}) "
                    f"WHERE {_in_dataset('a')} AND b.{DATASET_PROPERTY} = $dataset "
                    f"AND {_holds('r')}",
                    "a.id, b.id, properties(r)",
                    params,
                )
                tie_rows += [_tie_row(a, b, tie_type, props) for a, b, props in found]
        return node_rows, tie_rows

    def _read_within(
        self, tx: neo4j.ManagedTransaction, params: dict[str, Any], chosen: list[str]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        root = self._place_label(tx, params)
        found = _chunks(
            tx,
            f"MATCH (root:{_label(root)} {{{DATASET_PROPERTY}: $dataset, {ID_PROPERTY}: $within}}) "
            f"{_members('root')} "
            "WITH DISTINCT m WHERE any(l IN labels(m) WHERE l IN $labels)",
            "elementId(m), m.id, [l IN labels(m) WHERE l IN $labels][0], properties(m)",
            params,
        )
        element_ids, node_rows = [], []
        for element_id, node, label, props in found:
            element_ids.append(element_id)
            node_rows.append(_node_row(node, label, props))
        found = _chunks(
            tx,
            "UNWIND $members AS e MATCH (a) WHERE elementId(a) = e "
            "MATCH (a)-[r]->(b) WHERE type(r) IN $types AND elementId(b) IN $members "
            f"AND {_holds('r')}",
            "a.id, b.id, type(r), properties(r)",
            {**params, "members": element_ids, "types": list(self.schema.tie_types)},
        )
        tie_rows = [_tie_row(a, b, tie_type, props) for a, b, tie_type, props in found]
        return node_rows, tie_rows

    def _place_label(self, tx: neo4j.ManagedTransaction, params: dict[str, Any]) -> str:
        """The hierarchy label of the node `within`; :class:`NotFoundError` if none."""
        found = tx.run(
            " UNION ALL ".join(
                f"MATCH (n:{_label(level)} {{{DATASET_PROPERTY}: $dataset, "
                f"{ID_PROPERTY}: $within}}) RETURN '{level}' AS label"
                for level in self.schema.hierarchy
            ),
            params,
        ).value()
        if not found:
            raise NotFoundError(
                f"dataset {params['dataset']!r} has no place with id {params['within']!r} "
                f"(a {', '.join(self.schema.hierarchy)})"
            )
        return str(found[0])

    # -- aggregates in the database -------------------------------------------------------

    def node_counts(self, dataset: str) -> pd.DataFrame:
        """Nodes per label, counted in the database.

        Parameters
        ----------
        dataset
            The dataset's name.

        Returns
        -------
        pandas.DataFrame
            Columns ``label`` and ``count``, in schema order, labels with no node left out.
        """
        self._dataset(dataset)
        return self._node_counts(dataset)

    def _node_counts(self, dataset: str) -> pd.DataFrame:
        counts = self._query(
            " UNION ALL ".join(
                f"MATCH (n:{_label(label)}) WHERE {_in_dataset('n')} "
                f"RETURN '{label}' AS label, count(n) AS count"
                for label in self.schema.labels
            ),
            {"dataset": dataset},
            action=f"count the nodes of dataset {dataset!r}",
        )
        return counts[counts["count"] > 0].reset_index(drop=True)

    def tie_counts(self, dataset: str) -> pd.DataFrame:
        """Ties per type, counted in the database.

        Parameters
        ----------
        dataset
            The dataset's name.

        Returns
        -------
        pandas.DataFrame
            Columns ``type`` and ``count``, in schema order, types with no tie left out.
        """
        self._dataset(dataset)
        return self._tie_counts(dataset)

    def _tie_counts(self, dataset: str) -> pd.DataFrame:
        parts = [
            f"MATCH (a:{_label(source)}) WHERE {_in_dataset('a')} "
            f"RETURN '{tie_type}' AS type, sum(COUNT {{ (a)-[:{_tie_type(tie_type)}]->() }}) "
            "AS count"
            for tie_type, spec in self.schema.tie_types.items()
            for source in sorted({s for s, _ in spec.endpoints})
        ]
        counts = self._query(
            " UNION ALL ".join(parts),
            {"dataset": dataset},
            action=f"count the ties of dataset {dataset!r}",
        )
        counts = counts.groupby("type", sort=False, as_index=False)["count"].sum()
        return counts[counts["count"] > 0].reset_index(drop=True)

    def _totals(self, dataset: str) -> tuple[int, int]:
        return (
            int(self._node_counts(dataset)["count"].sum()),
            int(self._tie_counts(dataset)["count"].sum()),
        )

    def place_counts(
        self, dataset: str, level: str = "Street", *, at: dt.date | str | None = None
    ) -> pd.DataFrame:
        """Units, branches, projects and positions per place, counted in the database.

        A place counts the distinct nodes of each label that :meth:`read` with
        ``within=place`` holds: tied directly to the place or to a place under it (units
        assigned or paired, branches embedded, projects run, positions located there). A
        unit serving two streets counts in both. These are the counts of
        :func:`cobuild_graph.domain.balance`, for graphs too big to pull into memory.

        Parameters
        ----------
        dataset
            The dataset's name.
        level
            A hierarchy level: ``"District"``, ``"Street"``, ``"Community"`` ...
        at
            Count through the ties that hold on this day only.

        Returns
        -------
        pandas.DataFrame
            One row per place at `level`, indexed by ``id`` and sorted by it: ``name``;
            ``communities`` (the communities under it; only for levels above
            ``Community``); ``units``, ``branches``, ``projects``, ``positions``.
        """
        self._dataset(dataset)
        if level not in self.schema.hierarchy:
            raise ValueError(
                f"unknown level {level!r}; use one of {', '.join(self.schema.hierarchy)}"
            )
        counted = dict(PLACE_COUNTS)
        below = self.schema.hierarchy[self.schema.hierarchy.index(level) + 1 :]
        if "Community" in below:
            counted = {"communities": "Community", **counted}
        for label in counted.values():
            _label(label, self.schema)
        labels = list(counted.values())
        found = self._query(
            f"MATCH (p:{_label(level)}) WHERE {_in_dataset('p')} "
            f"CALL (p) {{ WITH p AS root {_members('root')} "
            "WITH DISTINCT m RETURN [l IN labels(m) WHERE l IN $counted] AS found } "
            "WITH p, collect(found) AS found "
            "RETURN p.id AS id, p.name AS name, "
            "[x IN $counted | size([f IN found WHERE x IN f])] AS counts",
            {"dataset": dataset, "at": _as_date(at), "counted": labels},
            action=f"count the places of dataset {dataset!r}",
        )
        counts = pd.DataFrame(
            found["counts"].tolist() if len(found) else np.zeros((0, len(labels))),
            columns=list(counted),
            dtype=np.int64,
        )
        out = pd.concat([found[["id", "name"]].reset_index(drop=True), counts], axis=1).set_index(
            "id"
        )
        out.index = pd.Index(out.index, dtype=object, name="id")  # as the domain's tables
        out["name"] = out["name"].astype(object)
        return out.sort_index()

    def coverage(self, dataset: str, *, at: dt.date | str | None = None) -> pd.DataFrame:
        """How many communities each kind of tie reaches, counted in the database.

        A community is covered by ``unit`` (a ``PAIRED_WITH`` tie from a ``Unit``),
        ``branch`` (an ``EMBEDDED_IN`` tie from an ``ActionBranch``), ``project`` (a
        ``RUNS`` tie to a ``Project``), ``position`` (a ``LOCATED_IN`` tie from a
        ``Position``), ``any`` (``unit`` or ``branch``); a tie to one of the community's
        grids counts for it. The same figures as :func:`cobuild_graph.domain.coverage`.

        Parameters
        ----------
        dataset
            The dataset's name.
        at
            Only ties that hold on this day.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``kind`` (``unit``, ``branch``, ``project``, ``position``, ``any``):
            ``communities_covered``, ``communities_total``, ``share``.
        """
        self._dataset(dataset)
        community = _label("Community", self.schema)
        tests = [
            f"EXISTS {{ MATCH (p)(()-[h:{HIERARCHY_TIE}]->() WHERE {_holds('h')})*(c), "
            f"(p)-[r:{_tie_type(tie_type, self.schema)}]-(:{_label(other, self.schema)}) "
            f"WHERE {_holds('r')} }} AS covered_{kind}"
            for kind, (tie_type, other) in COVERAGE_KINDS.items()
        ]
        any_kind = " OR ".join(f"covered_{kind}" for kind in COVERAGE_ANY)
        counts = [
            f"count(CASE WHEN covered_{kind} THEN 1 END) AS `{kind}`" for kind in COVERAGE_KINDS
        ]
        counts.append(f"count(CASE WHEN {any_kind} THEN 1 END) AS `any`")
        found = self._query(
            f"MATCH (c:{community}) WHERE {_in_dataset('c')} WITH c, {', '.join(tests)} "
            f"RETURN count(c) AS total, {', '.join(counts)}",
            {"dataset": dataset, "at": _as_date(at)},
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

    # -- helpers --------------------------------------------------------------------------

    def _dataset(self, dataset: str) -> dict[str, Any]:
        """The dataset's record; :class:`NotFoundError` if it is not stored."""
        _check_dataset_name(dataset)
        record = self._query(
            f"MATCH (d:{DATASET_LABEL} {{name: $dataset}}) RETURN d {{.*}} AS d",
            {"dataset": dataset},
            action=f"find the dataset {dataset!r}",
            transform=neo4j.Result.single,
        )
        if record is None:
            stored = self.datasets()["name"].tolist()
            raise NotFoundError(
                f"no dataset {dataset!r} in Neo4j at {self._where}; stored: "
                + (", ".join(map(repr, stored)) if stored else "none (load one first)")
            )
        found = dict(record["d"])
        if not found.get("complete", False):
            logger.warning(
                "dataset %r is incomplete: a load is running or did not finish; run the load again",
                dataset,
            )
        return found

    def _check_stored_labels(self, dataset: str) -> None:
        """Refuse a dataset stored with labels or tie types outside the store's schema."""
        record = self._query(
            f"MATCH (d:{DATASET_LABEL} {{name: $dataset}}) RETURN d.labels AS labels, "
            "d.tie_types AS types",
            {"dataset": dataset},
            action=f"find the dataset {dataset!r}",
            transform=neo4j.Result.single,
        )
        if record is None:
            return
        unknown = sorted(set(record["labels"] or ()) - set(self.schema.labels)) + sorted(
            set(record["types"] or ()) - set(self.schema.tie_types)
        )
        if unknown:
            raise StoreError(
                f"dataset {dataset!r} holds labels or tie types outside this store's schema "
                f"({', '.join(unknown)}): open the store with the schema it was loaded with"
            )

    def _chosen_labels(self, labels: Iterable[str] | None) -> list[str]:
        if labels is None:
            return list(self.schema.labels)
        chosen = [labels] if isinstance(labels, str) else list(labels)
        unknown = [label for label in chosen if label not in self.schema.labels]
        if unknown:
            raise ValueError(
                f"unknown label {', '.join(map(repr, unknown))}; "
                f"use {', '.join(self.schema.labels)}"
            )
        return [label for label in self.schema.labels if label in chosen]


# -- Cypher fragments ---------------------------------------------------------------------


def _label(name: str, schema: Schema | None = None) -> str:
    """A label for Cypher text: only schema-shaped names (and the schema's, if given)."""
    if not LABEL_PATTERN.match(name) or (schema is not None and name not in schema.labels):
        raise StoreError(f"{name!r} is not a label of the schema")
    return name


def _tie_type(name: str, schema: Schema | None = None) -> str:
    """A relationship type for Cypher text: only schema-shaped names."""
    if not TIE_TYPE_PATTERN.match(name) or (schema is not None and name not in schema.tie_types):
        raise StoreError(f"{name!r} is not a tie type of the schema")
    return name


def _property(name: str) -> str:
    """A property key for Cypher text, quoted; only attribute-shaped names."""
    if not ATTRIBUTE_PATTERN.match(name):
        raise StoreError(f"{name!r} is not an attribute name")
    return f"`{name}`"


def _in_dataset(var: str) -> str:
    """Cypher: `var` belongs to ``$dataset`` (a prefix seek on the ``(dataset, id)`` index)."""
    return f"{var}.{DATASET_PROPERTY} = $dataset AND {var}.{ID_PROPERTY} IS NOT NULL"


def _holds(var: str) -> str:
    """Cypher: the tie `var` holds on ``$at`` (always, when ``$at`` is null)."""
    return (
        f"($at IS NULL OR (({var}.since IS NULL OR {var}.since <= $at) "
        f"AND ({var}.until IS NULL OR {var}.until >= $at)))"
    )


def _chunks(
    tx: neo4j.ManagedTransaction, match: str, expression: str, params: Mapping[str, Any]
) -> Iterator[list[Any]]:
    """The rows of `match` as lists ``[expression]``, fetched :data:`READ_CHUNK` at a time.

    The driver reads each record with its own socket calls; one record holding thousands
    of rows reads an order of magnitude faster than thousands of records.
    """
    result = tx.run(
        f"{match} WITH collect([{expression}]) AS rows "
        "UNWIND range(0, size(rows) - 1, $chunk) AS i RETURN rows[i..i + $chunk]",
        {**params, "chunk": READ_CHUNK},
    )
    for record in result:
        yield from record[0]


def _members(root: str) -> str:
    """Cypher binding ``m`` to each member of the place `root` (see :meth:`Neo4jStore.read`).

    The places under `root` through ``PART_OF`` ties that hold, and the nodes tied to one
    of them by any other tie that holds. Rows may repeat ``m``. Its own variables end in
    ``_`` so as not to meet the caller's.
    """
    return (
        f"MATCH (place_)(()-[part_:{HIERARCHY_TIE}]->() WHERE {_holds('part_')})*({root}) "
        f"OPTIONAL MATCH (place_)-[tie_]-(tied_) WHERE type(tie_) <> '{HIERARCHY_TIE}' "
        f"AND {_holds('tie_')} AND tied_.{DATASET_PROPERTY} = $dataset "
        "WITH collect(DISTINCT place_) + collect(DISTINCT tied_) AS members_ "
        "UNWIND members_ AS m"
    )


# -- checks -------------------------------------------------------------------------------


def _check_schema(schema: Schema) -> None:
    for label in schema.labels:
        _label(label)
    for tie_type in schema.tie_types:
        _tie_type(tie_type)
    if DATASET_LABEL in schema.labels:
        raise Neo4jConfigError(
            f"the store records datasets on :{DATASET_LABEL} nodes; a schema label of that "
            "name cannot be stored: rename it"
        )
    if HIERARCHY_TIE not in schema.tie_types:
        raise Neo4jConfigError(f"the schema has no {HIERARCHY_TIE} tie type")


def _check_uri(uri: str) -> str:
    """The URI as messages show it; refuses credentials in it and non-Neo4j schemes."""
    if not isinstance(uri, str) or not uri.strip():
        raise Neo4jConfigError("the Neo4j URI is empty: set NEO4J_URI, e.g. bolt://localhost:7687")
    scheme, _, rest = uri.partition("://")
    authority = rest.split("/", 1)[0].split("?", 1)[0]
    if "@" in authority:
        host = authority.rpartition("@")[2]
        raise Neo4jConfigError(
            f"the Neo4j URI {scheme}://***@{host} holds a user name or password: remove them "
            "from the URI and set NEO4J_USERNAME and NEO4J_PASSWORD (or pass auth=(user, "
            "password)) instead, so that the password stays out of logs and shell history"
        )
    parts = urlsplit(uri)
    if parts.scheme.lower() not in URI_SCHEMES or not parts.netloc:
        raise Neo4jConfigError(
            f"not a Neo4j URI: {uri!r}; use bolt://host:7687, neo4j://host:7687 or "
            "neo4j+s://host (Aura)"
        )
    return f"{parts.scheme}://{parts.netloc}"


def _check_dataset_name(dataset: str) -> None:
    if not isinstance(dataset, str) or not dataset.strip():
        raise ValueError("a dataset name is a non-empty text, e.g. 'suzhou'")


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"not a date: {value!r}; write it as YYYY-MM-DD") from None


# -- planning a load ----------------------------------------------------------------------


def _graph_of_tables(
    data: tuple[pd.DataFrame, pd.DataFrame, Mapping[str, Any]],
) -> nx.MultiDiGraph:
    try:
        nodes, ties, meta = data
    except (TypeError, ValueError):
        raise TypeError("load takes a co-building graph or (nodes, ties, meta) tables") from None
    return graph_from_tables(nodes, ties, meta=meta)


class _Problems:
    """Problems found while planning a load, for one :class:`ValidationError`."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def add(self, where: str, column: str | None, value: Any, message: str) -> None:
        self.records.append(
            {"file": where, "row": None, "column": column, "value": value, "message": message}
        )

    def raise_any(self) -> None:
        if self.records:
            raise ValidationError(problems_frame(self.records), what="graph")


def _plan(G: nx.Graph, schema: Schema) -> _Plan:
    """Check `G` against the schema and cut it into the rows the writer sends.

    Everything the database needs is checked once per label, tie type and attribute:
    labels, tie types and their endpoints, attribute names and the Python types of the
    values. A graph from :func:`~cobuild_graph.read_dataset` or the generator passes.
    """
    problems = _Problems()
    if not (G.is_directed() and G.is_multigraph()):
        problems.add(
            "<graph>",
            None,
            type(G).__name__,
            "expected a networkx.MultiDiGraph as read_dataset builds it",
        )
        problems.raise_any()
    meta = _meta_dumps(G.graph, problems)

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
            problems.add(
                where, "label", label, f"{len(items)} nodes have a label the schema does not know"
            )
            continue
        ids = [node for node, _ in items]
        bad_ids = [node for node in ids if not isinstance(node, str)]
        if bad_ids:
            problems.add(where, "id", bad_ids[0], f"{len(bad_ids)} node ids are not text")
        keys, columns = _columns_of(
            [attrs for _, attrs in items],
            "label",
            partial(schema.node_attribute, label),
            where,
            problems,
        )
        node_groups.append(_Group(label, label, "", keys, list(zip(ids, *columns, strict=True))))

    tie_groups = []
    order = {t: i for i, t in enumerate(schema.tie_types)}
    for group in sorted(by_type, key=lambda g: (order.get(g[0], len(order)), str(g))):
        tie_type, source_label, target_label = group
        items = by_type[group]
        where = f"ties {tie_type!r} from {source_label!r} to {target_label!r}"
        if tie_type not in schema.tie_types:
            problems.add(
                where, "type", tie_type, f"{len(items)} ties have a type the schema does not know"
            )
            continue
        if source_label not in schema.labels or target_label not in schema.labels:
            continue  # their nodes are reported already
        if not schema.allows(tie_type, source_label, target_label):
            problems.add(
                where,
                "type",
                tie_type,
                f"{len(items)} ties join labels the schema does not allow for {tie_type}",
            )
            continue
        attrs = [a for _, _, a in items]
        if any(a.get("type", tie_type) != tie_type for a in attrs):
            problems.add(
                where,
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
        tie_groups.append(_Group(tie_type, source_label, target_label, keys, rows))
    problems.raise_any()
    return _Plan(node_groups, tie_groups, len(label_of), tie_count, meta)


def _lanes(rows: list[tuple[Any, ...]], lanes: int) -> list[list[tuple[Any, ...]]]:
    """Tie rows ``(source, target, ...)`` dealt into `lanes` that share no node.

    Each connected component of the ties goes whole to the lane with the fewest rows so far,
    largest components first; rows keep their order within a lane.
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


def _starts(group: _Group, batch_size: int) -> range:
    return range(0, len(group.rows), batch_size)


def _columns_of(
    dicts: list[dict[str, Any]],
    consumed: str,
    spec_of: Callable[[str], Any],
    where: str,
    problems: _Problems,
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
            problems.add(where, name, None, "this attribute name is reserved for the store")
            continue
        if not isinstance(name, str) or not ATTRIBUTE_PATTERN.match(name):
            problems.add(
                where,
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
                name,
                example,
                f"values of type {', '.join(sorted(t.__name__ for t in wrong))} where "
                f"{expected} is expected",
            )
            continue
        keys.append(name)
        columns.append(column)
    return keys, columns


def _meta_dumps(meta: Mapping[str, Any], problems: _Problems) -> str:
    """The graph's metadata as JSON text; dates are kept as ``{"$date": "YYYY-MM-DD"}``."""

    def encode(value: Any) -> Any:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return {_DATE_TAG: value.isoformat()}
        raise TypeError(type(value).__name__)

    try:
        return json.dumps(dict(meta), ensure_ascii=False, default=encode)
    except (TypeError, ValueError) as error:
        problems.add(
            "<graph>",
            "metadata",
            str(error),
            "metadata values are text, numbers, true/false, dates, lists or tables of these",
        )
        return "{}"


def _meta_loads(text: str | None) -> dict[str, Any]:
    def decode(obj: dict[str, Any]) -> Any:
        if set(obj) == {_DATE_TAG}:
            return dt.date.fromisoformat(obj[_DATE_TAG])
        return obj

    return dict(json.loads(text, object_hook=decode)) if text else {}


# -- reading rows -------------------------------------------------------------------------


def _native(props: Mapping[str, Any], skip: frozenset[str]) -> dict[str, Any]:
    return {
        k: (v.to_native() if isinstance(v, Neo4jDate) else v)
        for k, v in props.items()
        if k not in skip
    }


_NODE_SKIP = frozenset({DATASET_PROPERTY, ID_PROPERTY, "label"})
_TIE_SKIP = frozenset({"type"})


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
