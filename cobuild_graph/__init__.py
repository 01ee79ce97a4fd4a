"""cobuild_graph: co-building networks (共建网络) as typed property graphs."""

from importlib.metadata import PackageNotFoundError, version

from cobuild_graph.build import graph_from_tables, graph_to_tables
from cobuild_graph.errors import CobuildGraphError, ValidationError
from cobuild_graph.generate import SCALES, generate
from cobuild_graph.io import (
    read_dataset,
    read_tables,
    write_dataset,
)
from cobuild_graph.schema import DEFAULT_SCHEMA, Schema, load_schema

try:
    __version__ = version("cobuild_graph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_SCHEMA",
    "SCALES",
    "CobuildGraphError",
    "Schema",
    "ValidationError",
    "generate",
    "graph_from_tables",
    "graph_to_tables",
    "load_schema",
    "read_dataset",
    "read_tables",
    "write_dataset",
]
