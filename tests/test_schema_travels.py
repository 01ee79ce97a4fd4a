"""The schema travels with the graph: given once to ``read_dataset``, every later call on
the graph (views, measures, coverage, the tables, the writers and the reader, the map, the
store) measures with it; a ``schema=`` that contradicts it is an error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import domain, metrics, views
from cobuild_graph.analysis import analyze
from cobuild_graph.maps import network_map
from cobuild_graph.roster import read_roster
from cobuild_graph.schema import DEFAULT_SCHEMA, Schema
from cobuild_graph.store import Neo4jStore
from tests._rosters import report_rows, write_report_roster
from tests.test_schema_roles import NODES, TIES, VILLAGES, expected_coverage

DATA = Path(__file__).parent.parent / "data"
# The ties of the co-building view, counted by hand from TIES: PAIRED_WITH 2, VOLUNTEERS_IN 2,
# ASSIGNED_TO 1, BRANCH_OF 1, EMBEDDED_IN 1 with the extension; without VOLUNTEERS_IN, 5.
COBUILDING_TIES = 7


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    path = tmp_path_factory.mktemp("schema") / "villages.toml"
    path.write_text(VILLAGES, encoding="utf-8")
    return cg.load_schema(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The villages as a dataset folder of plain CSV files: no schema written in it."""
    path = tmp_path_factory.mktemp("villages")
    pd.DataFrame(NODES, columns=["id", "label", "name"]).to_csv(path / "nodes.csv", index=False)
    pd.DataFrame(TIES, columns=["source", "target", "type"]).to_csv(path / "ties.csv", index=False)
    return path


@pytest.fixture(scope="module")
def villages(folder: Path, schema: Schema) -> nx.MultiDiGraph:
    return cg.read_dataset(folder, schema=schema)  # the only call given the schema


def covered(G: nx.MultiDiGraph) -> dict[str, int]:
    return {kind: len(places) for kind, places in expected_coverage(G).items()}


def test_without_the_schema_the_folder_is_refused(folder: Path) -> None:
    with pytest.raises(cg.ValidationError, match="VOLUNTEERS_IN"):
        cg.read_dataset(folder)


def test_later_calls_measure_with_the_graphs_schema(villages: nx.MultiDiGraph) -> None:
    assert views.view(villages, "cobuilding").number_of_edges() == COBUILDING_TIES
    assert views.view(villages, "street").graph["schema"] is villages.graph["schema"]
    central = metrics.centrality(villages, view="cobuilding", closeness=False)
    assert central.loc["u2", "degree"] > 0  # u2 serves only through VOLUNTEERS_IN
    got = domain.coverage(villages)
    assert got["communities_covered"].to_dict() == covered(villages)
    tables = analyze(villages, progress=False)
    assert tables["coverage"]["communities_covered"].to_dict() == covered(villages)
    legend = {item["key"]: item for item in network_map(villages).page["ties"]}
    assert legend["VOLUNTEERS_IN"]["count"] == 2


@pytest.mark.parametrize("target", ["folder", "book.xlsx"])
def test_the_writers_keep_the_schema(
    villages: nx.MultiDiGraph, schema: Schema, tmp_path: Path, target: str
) -> None:
    out = cg.write_dataset(villages, tmp_path / target)
    again = cg.read_dataset(out)
    assert again.graph["schema"] == schema
    assert again.graph["schema"].to_dict() == schema.to_dict()
    assert domain.coverage(again)["communities_covered"].to_dict() == covered(villages)
    if target == "folder":
        written = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
        assert written["schema"] == schema.to_dict()


def test_a_contradicting_schema_is_an_error(
    villages: nx.MultiDiGraph, schema: Schema, tmp_path: Path
) -> None:
    message = r"tie_types\.VOLUNTEERS_IN: 仅见于图的 schema only in the graph's"
    with pytest.raises(ValueError, match=message):
        domain.coverage(villages, schema=DEFAULT_SCHEMA)
    with pytest.raises(ValueError, match="给定的 schema 与图的 schema 不一致"):
        views.view(villages, "cobuilding", schema=DEFAULT_SCHEMA)
    changed = schema.extend({"tie_types": {"VOLUNTEERS_IN": {"role": "participation"}}})
    with pytest.raises(ValueError, match="role: 给定 given 'participation'"):
        metrics.centrality(villages, view="cobuilding", schema=changed)
    equal = DEFAULT_SCHEMA.extend(schema.to_dict())  # an equal schema made again agrees
    assert domain.coverage(villages, schema=equal)["communities_covered"].to_dict() == covered(
        villages
    )
    out = cg.write_dataset(villages, tmp_path / "villages")
    with pytest.raises(cg.ValidationError, match="VOLUNTEERS_IN"):
        cg.read_dataset(out, schema=DEFAULT_SCHEMA)


@pytest.mark.slow
def test_the_default_schema_adds_no_block(tmp_path: Path) -> None:
    G = cg.read_dataset(DATA / "suzhou")
    assert G.graph["schema"] is DEFAULT_SCHEMA
    out = cg.write_dataset(G, tmp_path / "suzhou")
    assert (out / "metadata.json").read_bytes() == (DATA / "suzhou" / "metadata.json").read_bytes()
    book = cg.write_dataset(G, tmp_path / "suzhou.xlsx")
    assert cg.read_tables(book).meta == cg.read_tables(DATA / "suzhou").meta


def test_generate_records_the_schema() -> None:
    assert cg.generate("tiny", seed=1).graph["schema"] is DEFAULT_SCHEMA


@pytest.mark.neo4j
def test_the_store_keeps_the_schema(
    neo4j_store: Neo4jStore, new_dataset: Any, villages: nx.MultiDiGraph, schema: Schema
) -> None:
    name = new_dataset()
    neo4j_store.load(villages, name)  # the session's store, given no schema
    assert neo4j_store.metadata(name)["schema"] == schema
    H = neo4j_store.read(name)
    assert H.graph["schema"] == schema
    assert domain.coverage(H)["communities_covered"].to_dict() == covered(villages)
    pd.testing.assert_frame_equal(
        neo4j_store.coverage(name), domain.coverage(villages), check_dtype=False
    )


def test_read_roster_records_its_schema(tmp_path: Path) -> None:
    extended = DEFAULT_SCHEMA.extend({"labels": {"Unit": {"aliases": ["帮扶单位"]}}})
    roster = write_report_roster(tmp_path / "r.xlsx", report_rows())
    assert read_roster(roster, schema=extended).graph.graph["schema"] is extended
    assert read_roster(roster).graph.graph["schema"] is DEFAULT_SCHEMA


def test_a_graph_with_its_schema_can_be_deep_copied_and_pickled() -> None:
    import copy
    import pickle

    G = cg.read_dataset(cg.sample_path())
    assert copy.deepcopy(G).graph["schema"] is G.graph["schema"]
    again = pickle.loads(pickle.dumps(G))
    assert again.graph["schema"] == G.graph["schema"]
    assert again.number_of_edges() == G.number_of_edges()
