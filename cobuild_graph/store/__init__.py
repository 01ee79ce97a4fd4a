"""The Neo4j store: co-building datasets in a Neo4j database, written, read back and counted.

This package is the only part of the library that talks to the ``neo4j`` driver. A
:class:`Neo4jStore` connects with a URI and a user name and password, or wraps a
``neo4j.Driver`` the caller made (and then leaves it open); ``Neo4jStore.from_env()`` reads
``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE``. ``bolt://``,
``neo4j://`` and ``neo4j+s://`` (clusters, Aura) all work: every query runs in a managed
transaction, which routes and retries.

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

# Inside: _store (the class), _connection (the driver and its errors), _cypher (query text),
# _plan (a graph checked and cut into rows), _write (constraints, loads, deletes), _read
# (records and graphs read back), _aggregates (counts in the database), _values (names,
# days, metadata).
from cobuild_graph.store._connection import URI_SCHEMES
from cobuild_graph.store._cypher import (
    DATASET_LABEL,
    DATASET_PROPERTY,
    ID_PROPERTY,
    READ_CHUNK,
)
from cobuild_graph.store._store import Neo4jStore
from cobuild_graph.store._write import DEFAULT_BATCH_SIZE, DEFAULT_WORKERS, WriteSummary

__all__ = [
    "DATASET_LABEL",
    "DATASET_PROPERTY",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_WORKERS",
    "ID_PROPERTY",
    "READ_CHUNK",
    "URI_SCHEMES",
    "Neo4jStore",
    "WriteSummary",
]
