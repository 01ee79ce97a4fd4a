"""The package's top-level names: light to import, heavy parts on first use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import cobuild_graph as cg


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
    assert {"metrics", "domain", "plot", "analyze", "network_map"} <= set(dir(cg))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = cg.no_such_thing
