"""cobuild_graph: co-building networks (共建网络) as typed property graphs.

The reading, validating, building and writing functions (the exports for Gephi, UCINET and
Pajek too) are imported with the package. The analysis, the pictures and the Neo4j store
pull in heavier libraries (matplotlib, pyvis, the driver), so their names and modules load
on first use: ``cobuild_graph.network_map``, ``cobuild_graph.metrics`` or
``cobuild_graph.stats`` work right after ``import cobuild_graph``.
"""

# Which module holds what:
#   schema (labels, tie types and their roles), errors, io (read, validate, write datasets),
#   validate, build (tables <-> graph), export (GEXF, GraphML, UCINET DL, Pajek), template
#   (the Excel template), generate (synthetic datasets), roster and reconcile (researchers'
#   rosters and their names); views (which network a measure runs on), metrics (general
#   network measures), domain (co-building measures), stats (QAP, MRQAP and dyadic
#   matrices), analysis (every table at once); maps, plot and report (pictures), layout
#   (node positions, for maps and plot); store (Neo4j) and server (a local Neo4j); cli.
#   Private helpers: _net (the graph as tables, shared by domain and metrics), _files
#   (writing files), _sheets (reading spreadsheets), _raw_tables (a dataset's sheets as raw
#   text tables), _page (the page kit of maps and report), _html_tables (the report's
#   tables), _jobs (n_jobs: igraph's searches in loky's processes), _memo, _gc, _encoding,
#   _style (colours, names, the Chinese font).
#   The layers, from cli down to errors, are the import contracts in pyproject.toml.

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from cobuild_graph import generate  # the module, callable as generate.generate
from cobuild_graph.build import graph_from_tables, graph_to_tables
from cobuild_graph.errors import CobuildGraphError, ValidationError
from cobuild_graph.export import (
    write_gexf,
    write_graphml,
    write_pajek,
    write_two_mode_dl,
    write_ucinet_dl,
)
from cobuild_graph.generate import SCALES
from cobuild_graph.io import (
    read_dataset,
    read_tables,
    validate_tables,
    write_dataset,
)
from cobuild_graph.sample import sample_path
from cobuild_graph.schema import DEFAULT_SCHEMA, Schema, load_schema

try:
    __version__ = version("cobuild_graph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

_LAZY_NAMES = {
    "analyze": "analysis",
    "write_analysis": "analysis",
    "network_map": "maps",
    "write_report": "report",
    "Neo4jStore": "store",
    "read_roster": "roster",
}
_LAZY_MODULES = {
    "analysis",
    "domain",
    "layout",
    "maps",
    "metrics",
    "plot",
    "reconcile",
    "report",
    "roster",
    "server",
    "stats",
    "store",
    "views",
}

__all__ = [
    "DEFAULT_SCHEMA",
    "SCALES",
    "CobuildGraphError",
    "Neo4jStore",
    "Schema",
    "ValidationError",
    "analyze",
    "generate",
    "graph_from_tables",
    "graph_to_tables",
    "load_schema",
    "network_map",
    "read_dataset",
    "read_roster",
    "read_tables",
    "sample_path",
    "validate_tables",
    "write_analysis",
    "write_dataset",
    "write_gexf",
    "write_graphml",
    "write_pajek",
    "write_report",
    "write_two_mode_dl",
    "write_ucinet_dl",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY_NAMES:
        value = getattr(import_module(f"cobuild_graph.{_LAZY_NAMES[name]}"), name)
    elif name in _LAZY_MODULES:
        value = import_module(f"cobuild_graph.{name}")
    else:
        raise AttributeError(f"module 'cobuild_graph' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | _LAZY_MODULES)
