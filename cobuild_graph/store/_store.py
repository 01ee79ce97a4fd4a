"""The one class users see: :class:`Neo4jStore`, which checks arguments and hands over."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any, Literal, Self

import neo4j
import networkx as nx
import pandas as pd

from cobuild_graph.errors import Neo4jConfigError
from cobuild_graph.schema import (
    DEFAULT_SCHEMA,
    SCHEMA_KEY,
    Schema,
    chosen_schema,
    schema_of,
    schema_or_default,
)
from cobuild_graph.store._aggregates import counts, coverage, place_counts
from cobuild_graph.store._connection import Connection
from cobuild_graph.store._cypher import check_schema
from cobuild_graph.store._plan import plan_load
from cobuild_graph.store._read import dataset_record, datasets, find_dataset, read_graph
from cobuild_graph.store._values import check_dataset_name, meta_loads
from cobuild_graph.store._write import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_WORKERS,
    Clock,
    WriteSummary,
    create_missing_constraints,
    delete_dataset,
    schema_statements,
    write_plan,
)


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
    With a server (``cobuild-graph neo4j start`` starts a local one, see
    :mod:`cobuild_graph.server`)::

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
        schema: Schema | None = None,
        **config: Any,
    ) -> None:
        self._given = schema  # None: each dataset's own schema (the graph's, the stored one)
        self.schema = schema_or_default(schema)
        check_schema(self.schema)
        self._schema_ready: Schema | None = None
        self._db = Connection(endpoint, auth, database, **config)

    @classmethod
    def from_env(
        cls,
        *,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        schema: Schema | None = None,
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
                'eval "$(cobuild-graph neo4j start)"'
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
        return self._db.address

    @property
    def driver(self) -> neo4j.Driver:
        """The ``neo4j.Driver`` the store uses."""
        return self._db.driver

    @property
    def database(self) -> str | None:
        """The database the store uses; ``None`` for the user's home database."""
        return self._db.database

    def close(self) -> None:
        """Close the driver if the store opened it (a driver passed in stays open)."""
        self._db.close()

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
        return f"Neo4jStore({self.address}, database={self.database!r})"

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
        return self._db.query(query, params, action="run the query", write=write)

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
        return schema_statements(self.schema)

    def ensure_schema(self, schema: Schema | None = None) -> None:
        """Create the uniqueness constraints (and their indexes) that are missing.

        Existing constraints on the same label and properties count, whatever their name;
        so a user without the right to create constraints can load once an administrator
        has run :meth:`schema_statements`. :meth:`load` calls this first.

        Raises
        ------
        Neo4jPermissionError
            If a constraint is missing and the user may not create it.
        """
        schema = schema or self.schema
        if self._schema_ready is not schema:
            create_missing_constraints(self._db, schema)
            self._schema_ready = schema

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
        check_dataset_name(dataset)
        if batch_size < 1 or workers < 1:
            raise ValueError("batch_size and workers must be at least 1")
        clock = Clock()
        if isinstance(data, nx.Graph):
            schema = schema_of(data, self._given)
        else:
            schema = chosen_schema(self._given, data[2].get(SCHEMA_KEY), "the tables'", "表的")
        check_schema(schema)
        plan = plan_load(data, schema)
        clock.lap("check")
        self.ensure_schema(schema)
        if replace:
            self.delete(dataset, batch_size=batch_size)
        return write_plan(
            self._db,
            schema,
            plan,
            dataset,
            batch_size=batch_size,
            workers=workers,
            progress=progress,
            clock=clock,
        )

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
        check_dataset_name(dataset)
        return delete_dataset(self._db, self._stored_schema(dataset), dataset, batch_size)

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
        return datasets(self._db)

    def _stored_schema(self, dataset: str) -> Schema:
        """The schema of a stored dataset: the one it was loaded with, or the store's given."""
        check_dataset_name(dataset)
        record = find_dataset(self._db, dataset)
        meta = meta_loads(record.get("meta")) if record is not None else {}
        return chosen_schema(
            self._given, meta.get(SCHEMA_KEY), f"the stored {dataset!r}'s", f"已存的 {dataset!r} 的"
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
            Name, place, date, licence ... as loaded; ``"schema"`` the schema it was loaded
            with.

        Raises
        ------
        NotFoundError
            If the dataset is not stored.
        """
        meta = meta_loads(dataset_record(self._db, dataset).get("meta"))
        return {**meta, SCHEMA_KEY: meta.get(SCHEMA_KEY, DEFAULT_SCHEMA)}

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
        return read_graph(self._db, self._given, dataset, within=within, labels=labels, at=at)

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
        return self._counts(dataset, "nodes")

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
        return self._counts(dataset, "ties")

    def _counts(self, dataset: str, what: Literal["nodes", "ties"]) -> pd.DataFrame:
        dataset_record(self._db, dataset)
        return counts(self._db, self._stored_schema(dataset), dataset, what)

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
        dataset_record(self._db, dataset)
        return place_counts(self._db, self._stored_schema(dataset), dataset, level, at)

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
        dataset_record(self._db, dataset)
        return coverage(self._db, self._stored_schema(dataset), dataset, at)
