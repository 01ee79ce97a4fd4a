"""What the ties mean lives in the schema: an extended schema (a new place level and a new
co-building tie type, from one TOML file) reaches coverage, balance, robustness, the
in-database aggregates and the map legend with no change of code."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import domain, metrics
from cobuild_graph.errors import ValidationError
from cobuild_graph.maps import network_map
from cobuild_graph.schema import DEFAULT_SCHEMA, Schema
from cobuild_graph.store import Neo4jStore
from tests.conftest import Neo4jServer

VILLAGES = """
coverage_levels = ["Community", "Village"]

[labels.Village]
description = "村"
aliases = ["村", "行政村"]
parent = "Street"

[tie_types.VOLUNTEERS_IN]
description = "志愿服务"
aliases = ["志愿服务"]
endpoints = [["Unit", "Community"], ["Unit", "Village"]]
role = "cobuilding"
attachment = 6

[coverage.volunteer]
tie_type = "VOLUNTEERS_IN"
label = "Unit"
cobuilding = true
"""

PLACES = {"City", "District", "Street", "Village", "Community", "Grid"}
NODES = [
    ("c0", "City", "市"),
    ("d1", "District", "区"),
    ("s1", "Street", "一街道"),
    ("s2", "Street", "二镇"),
    ("k1", "Community", "一社区"),
    ("k2", "Community", "二社区"),
    ("k3", "Community", "三社区"),
    ("v1", "Village", "张家村"),
    ("v2", "Village", "李家村"),
    ("g1", "Grid", "一网格"),
    ("u1", "Unit", "甲单位"),
    ("u2", "Unit", "乙单位"),
    ("u3", "Unit", "丙单位"),
    ("u4", "Unit", "丁单位"),
    ("b1", "ActionBranch", "丁支部"),
    ("p1", "Project", "项目"),
]
TIES = [
    ("d1", "c0", "PART_OF"),
    ("s1", "d1", "PART_OF"),
    ("s2", "d1", "PART_OF"),
    ("k1", "s1", "PART_OF"),
    ("k2", "s1", "PART_OF"),
    ("k3", "s2", "PART_OF"),
    ("v1", "s1", "PART_OF"),
    ("v2", "s2", "PART_OF"),
    ("g1", "k1", "PART_OF"),
    ("u1", "k1", "PAIRED_WITH"),
    ("u2", "v1", "VOLUNTEERS_IN"),
    ("u3", "v2", "VOLUNTEERS_IN"),
    ("u3", "k3", "PAIRED_WITH"),
    ("u4", "s2", "ASSIGNED_TO"),
    ("b1", "u4", "BRANCH_OF"),
    ("b1", "g1", "EMBEDDED_IN"),
    ("k2", "p1", "RUNS"),
]


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Schema:
    path = tmp_path_factory.mktemp("schema") / "villages.toml"
    path.write_text(VILLAGES, encoding="utf-8")
    return cg.load_schema(path)


@pytest.fixture(scope="module")
def villages(schema: Schema) -> nx.MultiDiGraph:
    nodes = pd.DataFrame(NODES, columns=["id", "label", "name"])
    ties = pd.DataFrame(TIES, columns=["source", "target", "type"])
    return cg.graph_from_tables(nodes, ties, schema=schema)


def test_the_file_gives_the_level_the_role_and_the_kind(schema: Schema) -> None:
    assert schema.hierarchy == ("City", "District", "Street", "Village", "Community", "Grid")
    assert schema.ties_with_role("cobuilding") == (
        "ASSIGNED_TO",
        "PAIRED_WITH",
        "EMBEDDED_IN",
        "VOLUNTEERS_IN",
    )
    assert schema.attachment_ties()[-1] == "VOLUNTEERS_IN"
    assert schema.cobuilding_coverage() == ("unit", "branch", "volunteer")
    assert Schema(**{f: getattr(schema, f) for f in schema.__dataclass_fields__}) == schema
    assert DEFAULT_SCHEMA.extend(schema.to_dict()) == schema


def expected_coverage(G: nx.MultiDiGraph) -> dict[str, set[str]]:
    """Coverage counted by walking the PART_OF ties of the hand-made graph."""
    parent = {u: v for u, v, t in G.edges(data="type") if t == "PART_OF"}

    def counted(place: str) -> str | None:
        while place is not None and G.nodes[place]["label"] not in ("Community", "Village"):
            place = parent.get(place)
        return place

    kinds = {
        "unit": ("PAIRED_WITH", "Unit"),
        "branch": ("EMBEDDED_IN", "ActionBranch"),
        "project": ("RUNS", "Project"),
        "position": ("LOCATED_IN", "Position"),
        "volunteer": ("VOLUNTEERS_IN", "Unit"),
    }
    covered: dict[str, set[str]] = {kind: set() for kind in kinds}
    for u, v, t in G.edges(data="type"):
        for kind, (tie_type, label) in kinds.items():
            for place, other in ((u, v), (v, u)):
                if t == tie_type and G.nodes[other]["label"] == label:
                    found = counted(place) if G.nodes[place]["label"] in PLACES else None
                    if found is not None:
                        covered[kind].add(found)
    covered["any"] = covered["unit"] | covered["branch"] | covered["volunteer"]
    return covered


def test_coverage_counts_villages_and_the_new_kind(
    villages: nx.MultiDiGraph, schema: Schema
) -> None:
    got = domain.coverage(villages, schema=schema)
    expected = expected_coverage(villages)
    assert list(got.index) == list(expected)
    assert got["communities_total"].eq(5).all()  # k1, k2, k3, v1, v2
    assert got["communities_covered"].to_dict() == {k: len(v) for k, v in expected.items()}
    assert expected["volunteer"] == {"v1", "v2"}
    assert expected["any"] == {"k1", "k3", "v1", "v2"}
    assert list(domain.uncovered(villages, schema=schema).index) == ["k2"]
    # under the default schema the same file's ties would not even read
    with pytest.raises(ValidationError, match="VOLUNTEERS_IN"):
        cg.graph_from_tables(
            pd.DataFrame(NODES[:4], columns=["id", "label", "name"]),
            pd.DataFrame([("s1", "d1", "VOLUNTEERS_IN")], columns=["source", "target", "type"]),
        )


def test_balance_counts_the_villages_and_the_units_serving_them(
    villages: nx.MultiDiGraph, schema: Schema
) -> None:
    got = domain.balance(villages, level="Street", schema=schema)
    assert got["communities"].to_dict() == {"s1": 3, "s2": 2}  # k1 k2 v1 | k3 v2
    assert got["units"].to_dict() == {"s1": 2, "s2": 2}  # u1 u2 | u3 u4
    assert got["branches"].to_dict() == {"s1": 1, "s2": 0}
    assert domain.ancestors(villages, level="Village", schema=schema)["u2"] == "v1"


def test_robustness_counts_the_new_cobuilding_ties(
    villages: nx.MultiDiGraph, schema: Schema
) -> None:
    got = metrics.robustness(villages, schema=schema)
    assert got["communities_reached"].to_dict() == {"u3": 2, "u2": 1, "u1": 1, "u4": 1}
    assert got["communities_uncovered"].to_dict() == {"u3": 2, "u2": 1, "u1": 0, "u4": 0}
    assert got.loc["u3", "uncovered"] == "k3;v2"


def test_the_map_legend_names_the_new_level_and_tie_type(
    villages: nx.MultiDiGraph, schema: Schema
) -> None:
    net = network_map(villages, schema=schema)
    assert "Village 村" in [item["text"] for item in net.page["labels"]]
    ties = {item["key"]: item for item in net.page["ties"]}
    assert ties["VOLUNTEERS_IN"]["count"] == 2
    assert ties["VOLUNTEERS_IN"]["text"] == "VOLUNTEERS_IN 志愿服务"


@pytest.fixture
def village_store(neo4j_server: Neo4jServer, schema: Schema) -> Iterator[Neo4jStore]:
    with Neo4jStore(
        neo4j_server.uri,
        (neo4j_server.user, neo4j_server.password),
        database=neo4j_server.database,
        schema=schema,
    ) as store:
        yield store
        store.delete("test-villages")


@pytest.mark.neo4j
def test_the_database_counts_as_the_domain_does(
    village_store: Neo4jStore, villages: nx.MultiDiGraph, schema: Schema
) -> None:
    village_store.load(villages, "test-villages")
    pd.testing.assert_frame_equal(
        village_store.coverage("test-villages"),
        domain.coverage(villages, schema=schema),
        check_dtype=False,
    )
    counts = village_store.place_counts("test-villages", "Street")
    balance = domain.balance(villages, level="Street", schema=schema)
    columns = ["communities", *schema.balance_counts]
    pd.testing.assert_frame_equal(counts[columns], balance[columns].sort_index(), check_dtype=False)


@pytest.mark.parametrize(
    ("extension", "message"),
    [
        ({"tie_types": {"PAIRED_WITH": {"role": "friendly"}}}, "unknown role"),
        ({"tie_types": {"RUNS": {"role": "hierarchy"}}}, "exactly one tie type"),
        ({"tie_types": {"RUNS": {"attachment": 1}}}, "same attachment rank"),
        ({"tie_types": {"RUNS": {"attachment": "first"}}}, "whole number"),
        ({"coverage": {"x": {"tie_type": "HELPS", "label": "Unit"}}}, "unknown tie type"),
        ({"coverage": {"x": {"tie_type": "RUNS", "label": "Unit"}}}, "never joins"),
        ({"coverage": {"any": {"tie_type": "RUNS", "label": "Project"}}}, "coverage's own"),
        ({"coverage_levels": ["Unit"]}, "not a hierarchy level"),
        ({"balance_counts": {"volunteers": "Volunteer"}}, "unknown label"),
    ],
)
def test_malformed_roles_are_refused(extension: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DEFAULT_SCHEMA.extend(extension)


def test_the_docs_show_the_roles() -> None:
    spec = importlib.util.spec_from_file_location(
        "generated_pages", Path(__file__).parents[1] / "docs" / "hooks" / "generated_pages.py"
    )
    assert spec is not None
    assert spec.loader is not None
    pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pages)
    page = pages.schema_page()
    assert "`cobuilding`" in page
    assert "| `unit` | `PAIRED_WITH` | `Unit` | yes |" in page
