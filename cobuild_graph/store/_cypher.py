"""Cypher text: the names the store writes into queries, checked, and the fragments it shares.

Only labels and tie types of the schema, and attribute names that the schema's attribute
pattern allows, are ever written into Cypher text; every value is a parameter.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

import neo4j

from cobuild_graph.errors import Neo4jConfigError, StoreError
from cobuild_graph.schema import ATTRIBUTE_PATTERN, LABEL_PATTERN, TIE_TYPE_PATTERN, Schema

#: The label of the node that records a dataset.
DATASET_LABEL = "Dataset"
#: The node property naming the dataset a node belongs to.
DATASET_PROPERTY = "dataset"
#: The node property holding the node's id.
ID_PROPERTY = "id"
#: Rows per record when reading: the server sends rows in lists of this many.
READ_CHUNK = 10_000


def check_schema(schema: Schema) -> None:
    """Refuse a schema whose names cannot be written into Cypher or clash with the store's."""
    for label in schema.labels:
        safe_label(label)
    for tie_type in schema.tie_types:
        safe_tie_type(tie_type)
    if DATASET_LABEL in schema.labels:
        raise Neo4jConfigError(
            f"the store records datasets on :{DATASET_LABEL} nodes; a schema label of that "
            "name cannot be stored: rename it"
        )


def safe_label(name: str, schema: Schema | None = None) -> str:
    """A label for Cypher text: only schema-shaped names (and the schema's, if given)."""
    if not LABEL_PATTERN.match(name) or (schema is not None and name not in schema.labels):
        raise StoreError(f"{name!r} is not a label of the schema")
    return name


def safe_tie_type(name: str, schema: Schema | None = None) -> str:
    """A relationship type for Cypher text: only schema-shaped names (and the schema's)."""
    if not TIE_TYPE_PATTERN.match(name) or (schema is not None and name not in schema.tie_types):
        raise StoreError(f"{name!r} is not a tie type of the schema")
    return name


def safe_property(name: str) -> str:
    """A property key for Cypher text, quoted; only attribute-shaped names."""
    if not ATTRIBUTE_PATTERN.match(name):
        raise StoreError(f"{name!r} is not an attribute name")
    return f"`{name}`"


def in_dataset(var: str) -> str:
    """Cypher: `var` belongs to ``$dataset`` (a prefix seek on the ``(dataset, id)`` index)."""
    return f"{var}.{DATASET_PROPERTY} = $dataset AND {var}.{ID_PROPERTY} IS NOT NULL"


def match_nodes(var: str, label: str) -> str:
    """Cypher binding `var` to each node of `label` in ``$dataset``."""
    return f"MATCH ({var}:{safe_label(label)}) WHERE {in_dataset(var)}"


def holds(var: str) -> str:
    """Cypher: the tie `var` holds on ``$at`` (always, when ``$at`` is null)."""
    return (
        f"($at IS NULL OR (({var}.since IS NULL OR {var}.since <= $at) "
        f"AND ({var}.until IS NULL OR {var}.until >= $at)))"
    )


def members(root: str, schema: Schema) -> str:
    """Cypher binding ``m`` to each member of the place `root` (see ``Neo4jStore.read``).

    The places under `root` through the schema's hierarchy ties (``PART_OF``) that hold, and
    the nodes tied to one of them by any other tie that holds. Rows may repeat ``m``. Its
    own variables end in ``_`` so as not to meet the caller's.
    """
    part_of = safe_tie_type(schema.hierarchy_tie, schema)
    return (
        f"MATCH (place_)(()-[part_:{part_of}]->() WHERE {holds('part_')})*({root}) "
        f"OPTIONAL MATCH (place_)-[tie_]-(tied_) WHERE type(tie_) <> '{part_of}' "
        f"AND {holds('tie_')} AND tied_.{DATASET_PROPERTY} = $dataset "
        "WITH collect(DISTINCT place_) + collect(DISTINCT tied_) AS members_ "
        "UNWIND members_ AS m"
    )


def tie_sources(
    schema: Schema, labels: Collection[str] | None = None
) -> Iterator[tuple[str, str, list[str]]]:
    """Each tie type, a label its ties start from, and the labels they end at (sorted).

    With `labels`, only ties between those labels.
    """
    for tie_type, spec in schema.tie_types.items():
        for source in sorted({s for s, _ in spec.endpoints}):
            targets = sorted({t for s, t in spec.endpoints if s == source})
            if labels is not None:
                targets = [t for t in targets if t in labels]
                if source not in labels or not targets:
                    continue
            yield tie_type, source, targets


def chunks(
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
