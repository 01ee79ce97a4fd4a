"""The package's top-level names: light to import, heavy parts on first use."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys

import pytest

import cobuild_graph as cg


@pytest.mark.slow
def test_import_does_not_load_the_heavy_libraries() -> None:
    code = (
        "import json, sys, cobuild_graph; "
        "print(json.dumps([m in sys.modules for m in ('matplotlib', 'pyvis', 'neo4j')]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, False, False]


def test_every_exported_name_resolves_to_its_module_object() -> None:
    from cobuild_graph.analysis import analyze, write_analysis
    from cobuild_graph.maps import network_map
    from cobuild_graph.report import write_report
    from cobuild_graph.store import Neo4jStore

    assert cg.analyze is analyze
    assert cg.write_analysis is write_analysis
    assert cg.network_map is network_map
    assert cg.write_report is write_report
    assert cg.Neo4jStore is Neo4jStore
    for name in cg.__all__:
        assert getattr(cg, name) is not None, name


def test_submodules_are_reachable_as_attributes() -> None:
    assert callable(cg.metrics.centrality)
    assert callable(cg.domain.coverage)
    assert callable(cg.server.start)
    assert callable(cg.stats.mrqap)
    names = {"metrics", "domain", "plot", "stats", "analyze", "network_map", "server"}
    assert names <= set(dir(cg))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = cg.no_such_thing


PUBLIC_MODULES = (
    "cobuild_graph",
    "cobuild_graph.analysis",
    "cobuild_graph.build",
    "cobuild_graph.domain",
    "cobuild_graph.export",
    "cobuild_graph.io",
    "cobuild_graph.maps",
    "cobuild_graph.metrics",
    "cobuild_graph.plot",
    "cobuild_graph.reconcile",
    "cobuild_graph.report",
    "cobuild_graph.roster",
    "cobuild_graph.server",
    "cobuild_graph.stats",
    "cobuild_graph.store",
    "cobuild_graph.template",
)


def test_signatures_are_short_enough_to_read() -> None:
    """help() and Jupyter's Shift-Tab show a signature whole: no default object dumped in it."""
    seen = 0
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", dir(module)):
            value = getattr(module, name)
            functions = [value] if inspect.isfunction(value) else []
            if inspect.isclass(value) and value.__module__.startswith("cobuild_graph"):
                functions = [f for _, f in inspect.getmembers(value, inspect.isfunction)]
            for function in functions:
                signature = str(inspect.signature(function))
                seen += "schema" in signature
                assert "Schema(" not in signature, f"{module_name}.{name}: {signature[:120]}"
                # network_map has twenty options (630 characters): a longer one dumps an object
                assert len(signature) < 650, f"{module_name}.{name}: {len(signature)} characters"
    assert seen >= 20  # the functions that take a schema were looked at
