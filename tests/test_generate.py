"""Tests of the seeded generator: determinism, scales, the article's facts, validity."""

from __future__ import annotations

import re
from datetime import date

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from cobuild_graph.build import graph_from_tables, graph_to_tables
from cobuild_graph.generate import SCALES, generate, generate_tables
from cobuild_graph.generate import _suzhou_facts as facts
from cobuild_graph.schema import DEFAULT_SCHEMA

PYTHON_TYPES = {"str": str, "int": int, "float": float, "bool": bool, "date": date}
MID_2020 = date(2020, 6, 30)


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    return generate_tables("sample", seed=2020)


@pytest.fixture(scope="module")
def province() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    return generate_tables("province", seed=2020)


# -- helpers ----------------------------------------------------------------------------------


def assert_valid(nodes: pd.DataFrame, ties: pd.DataFrame) -> None:
    """The dataset rules of the schema, checked directly (not through the reader)."""
    assert nodes["id"].is_unique
    label = nodes.set_index("id")["label"]
    source, target = ties["source"].map(label), ties["target"].map(label)
    assert source.notna().all(), "a tie starts at a missing node"
    assert target.notna().all(), "a tie ends at a missing node"
    triples = set(zip(ties["type"], source, target, strict=True))
    assert not [t for t in triples if not DEFAULT_SCHEMA.allows(*t)]
    assert not ties.duplicated(["source", "target", "type"]).any()

    part_of = ties[ties["type"] == "PART_OF"]
    parents = part_of.groupby("source").size()
    below_top = nodes[nodes["label"].isin(DEFAULT_SCHEMA.hierarchy[1:])]["id"]
    assert (parents.reindex(below_top, fill_value=0) == 1).all(), "not exactly one parent"
    assert set(parents.index) <= set(below_top)
    # every chain of PART_OF ends at a City within the hierarchy's depth: no cycles
    parent = part_of.set_index("source")["target"]
    top = below_top.map(parent)
    for _ in DEFAULT_SCHEMA.hierarchy:
        top = top.where(top.map(parent).isna(), top.map(parent))
    assert set(top.map(label)) == {"City"}

    dated = ties.dropna(subset=["since", "until"])
    assert (dated["since"] <= dated["until"]).all()


def assert_typed(nodes: pd.DataFrame, ties: pd.DataFrame) -> None:
    """Every value has the schema's Python type (and allowed value); missing is None."""
    for frame in (nodes, ties):
        assert all(dtype.kind == "O" for dtype in frame.dtypes)
        assert not any(v != v for v in frame.to_numpy().ravel()), "NaN where None belongs"
    for label, group in nodes.groupby("label"):
        for column in nodes.columns[3:]:
            values = [v for v in group[column] if v is not None]
            if not values:
                continue
            spec = DEFAULT_SCHEMA.node_attribute(label, column)
            assert spec is not None, (label, column)
            assert_values(values, spec, (label, column))
    for tie_type, group in ties.groupby("type"):
        for column in ties.columns[3:]:
            values = [v for v in group[column] if v is not None]
            if values:
                spec = DEFAULT_SCHEMA.tie_attribute(tie_type, column)
                assert spec is not None, (tie_type, column)
                assert_values(values, spec, (tie_type, column))


def assert_values(values: list, spec, where: tuple[str, str]) -> None:
    wanted = PYTHON_TYPES[spec.type]
    wrong = [v for v in values if type(v) is not wanted]
    assert not wrong, (where, wrong[:3])
    if spec.choices is not None:
        assert set(values) <= set(spec.choices), where


def gini(counts: np.ndarray) -> float:
    x = np.sort(np.asarray(counts, float))
    n = len(x)
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))


def node(nodes: pd.DataFrame, name: str) -> pd.Series:
    """The one node of that name."""
    found = nodes[nodes["name"] == name]
    assert len(found) == 1, (name, len(found))
    return found.iloc[0]


def tie(ties: pd.DataFrame, source: str, target: str, type_: str) -> pd.Series:
    found = ties[(ties["source"] == source) & (ties["target"] == target) & (ties["type"] == type_)]
    assert len(found) == 1, (source, target, type_)
    return found.iloc[0]


def ancestors(ties: pd.DataFrame, id_: str) -> list[str]:
    parent = ties[ties["type"] == "PART_OF"].set_index("source")["target"]
    chain = []
    while id_ in parent.index:
        id_ = parent[id_]
        chain.append(id_)
    return chain


def urban(nodes: pd.DataFrame, ties: pd.DataFrame, label: str) -> pd.Series:
    """Ids of the Districts, Streets or Communities in an urban district (not a 县级市)."""
    parent = ties[ties["type"] == "PART_OF"].set_index("source")["target"]
    ids = nodes.loc[nodes["label"] == label, "id"]
    district = ids
    for _ in range(["District", "Street", "Community"].index(label)):
        district = district.map(parent)
    return ids[district.map(nodes.set_index("id")["kind"]) != "县级市"]


# -- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_tables() -> None:
    first, second = generate_tables("sample", seed=7), generate_tables("sample", seed=7)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])
    assert first[2] == second[2]


def test_another_seed_changes_synthetic_rows_only() -> None:
    (n1, t1, m1), (n2, t2, m2) = generate_tables("sample", 1), generate_tables("sample", 2)

    def real(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["provenance"] != "synthetic"].reset_index(drop=True)

    def synthetic(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["provenance"] == "synthetic"].reset_index(drop=True)

    pd.testing.assert_frame_equal(real(n1), real(n2))
    pd.testing.assert_frame_equal(real(t1), real(t2))
    assert not synthetic(n1).equals(synthetic(n2))
    assert not synthetic(t1).equals(synthetic(t2))
    assert (m1["seed"], m2["seed"]) == (1, 2)


# -- scales -----------------------------------------------------------------------------------


def test_sample_has_the_articles_scale(sample) -> None:
    nodes, ties, meta = sample
    labels = nodes["label"].value_counts()
    assert 5_000 <= len(nodes) <= 7_000
    assert 10_000 <= len(ties) <= 14_000
    assert labels["City"] == 1
    assert len(urban(nodes, ties, "District")) == 6
    assert len(urban(nodes, ties, "Street")) == 35
    assert len(urban(nodes, ties, "Community")) == 626
    assert labels["ActionBranch"] >= facts.ACTION_BRANCHES
    projects = nodes[nodes["label"] == "Project"]
    assert (projects["exemplary"] == True).sum() == 100  # noqa: E712
    committee = node(nodes, "城市基层党建工作专委会")["id"]
    members = ties[(ties["type"] == "MEMBER_OF") & (ties["target"] == committee)]
    assert len(members) == 6
    assert meta["licence"] == "CC-BY-4.0"
    assert set(meta) >= {"name", "place", "date", "licence", "description", "scale", "seed"}
    assert {"generator", "synthetic"} <= set(meta)


def test_communities_per_district_and_street_follow_the_record(sample) -> None:
    nodes, ties, _ = sample
    part_of = ties[ties["type"] == "PART_OF"].set_index("source")["target"]
    communities = nodes.loc[nodes["label"] == "Community", "id"]
    street = communities.map(part_of)
    per_district = street.map(part_of).value_counts()
    for district, count in facts.DISTRICT_COMMUNITIES.items():
        assert per_district[district] == count
    per_street = street.value_counts()
    for street_id, count in facts.STREET_COMMUNITIES.items():
        assert per_street[street_id] == count
    gusu_rest = per_street[["street-baiyangwan", "street-huqiu"]].sum()
    assert gusu_rest == 169 - sum(facts.STREET_COMMUNITIES.values())


def test_city_level_units_are_assigned_to_19_streets(sample) -> None:
    nodes, ties, _ = sample
    assigned = ties[ties["type"] == "ASSIGNED_TO"]
    level = nodes.set_index("id")["level"]
    city_units = nodes.loc[(nodes["label"] == "Unit") & (nodes["level"] == "city"), "id"]
    assert assigned["target"].nunique() == facts.ASSIGNED_STREETS
    assert len(city_units) >= facts.CITY_UNITS_ASSIGNED
    # every city-level unit once, and only those, all by the article's date
    assert sorted(assigned["source"]) == sorted(city_units)
    assert set(assigned["source"].map(level)) == {"city"}
    assert (assigned["since"] <= date(2020, 1, 1)).all()


@pytest.mark.parametrize("seed", [2020, 1, 2, 3])
def test_units_per_street_are_skewed(seed: int) -> None:
    _, ties, _ = generate_tables("sample", seed=seed)
    counts = ties.loc[ties["type"] == "ASSIGNED_TO", "target"].value_counts()
    assert len(counts) == 19
    assert counts.max() / counts.min() > 4
    assert gini(counts.to_numpy()) > 0.25


def test_action_branches_stood_by_mid_2020(sample) -> None:
    _, ties, _ = sample
    embedded = ties[ties["type"] == "EMBEDDED_IN"].dropna(subset=["since"])
    holding = embedded[
        (embedded["since"] <= MID_2020) & embedded["until"].map(lambda u: u is None or u > MID_2020)
    ]
    assert holding["source"].nunique() >= facts.ACTION_BRANCHES
    branch_of = ties[ties["type"] == "BRANCH_OF"]
    assert branch_of["source"].is_unique  # each branch has one home unit


def test_tiny_and_city_sizes() -> None:
    tiny, _, _ = generate_tables("tiny", seed=5)
    assert 200 <= len(tiny) <= 1_000
    city, _, meta = generate_tables("city", seed=5)
    assert 15_000 <= len(city) <= 25_000
    assert (city["label"] == "City").sum() == 1
    assert meta["scale"] == "city"


@pytest.mark.slow
def test_province_counts_and_validity(province, sample) -> None:
    nodes, ties, meta = province
    assert len(nodes) >= 500_000
    assert len(ties) >= 1_500_000
    assert (nodes["label"] == "City").sum() == SCALES["province"].cities
    assert meta["scale"] == "province"
    assert_valid(nodes, ties)
    units = nodes[nodes["label"] == "Unit"]
    city = units["id"].str.extract(r"^(c\d+)-", expand=False).fillna("suzhou")
    assert not units.assign(city=city).duplicated(["city", "name"]).any()
    # the province starts with the Suzhou sample of the same seed
    suzhou = ~nodes["id"].str.match(r"c\d+-")
    pd.testing.assert_frame_equal(nodes[suzhou].reset_index(drop=True), sample[0])


def test_a_number_is_one_synthetic_city_that_many_times_the_sample() -> None:
    nodes, ties, meta = generate_tables(0.2, seed=4)
    communities = (nodes["label"] == "Community").sum()
    assert communities == round(0.2 * 626)
    assert meta["scale"] == 0.2
    assert set(nodes["provenance"]) == {"synthetic"}
    assert_valid(nodes, ties)


@pytest.mark.parametrize("scale", ["village", "", 0, -1.5, float("nan"), True, None])
def test_unknown_scale_is_refused(scale) -> None:
    with pytest.raises(ValueError, match="tiny, sample, city, province"):
        generate(scale)


@pytest.mark.parametrize("seed", [-1, 1.5, "2020", True])
def test_bad_seed_is_refused(seed) -> None:
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        generate_tables("tiny", seed=seed)


# -- validity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "seed"), [("tiny", 0), ("tiny", 11), ("sample", 2020), ("city", 3)]
)
def test_generated_datasets_are_valid_and_typed(scale: str, seed: int) -> None:
    nodes, ties, _ = generate_tables(scale, seed=seed)
    assert_valid(nodes, ties)
    assert_typed(nodes, ties)
    assert list(nodes.columns[:3]) == ["id", "label", "name"]
    assert list(ties.columns[:3]) == ["source", "target", "type"]
    assert nodes["id"].map(lambda i: i.isascii() and " " not in i).all()


@pytest.mark.slow
def test_tables_are_in_the_canonical_form_of_the_builder(sample) -> None:
    nodes, ties, meta = sample
    back_nodes, back_ties = graph_to_tables(graph_from_tables(nodes, ties, meta=meta))
    pd.testing.assert_frame_equal(back_nodes, nodes)
    key = ["source", "target", "type"]
    pd.testing.assert_frame_equal(
        back_ties.sort_values(key).reset_index(drop=True),
        ties.sort_values(key).reset_index(drop=True),
    )


def test_generate_builds_the_graph_with_its_metadata() -> None:
    nodes, ties, meta = generate_tables("tiny", seed=9)
    G = generate("tiny", seed=9)
    assert isinstance(G, nx.MultiDiGraph)
    assert G.graph == meta
    assert G.number_of_nodes() == len(nodes)
    assert G.number_of_edges() == len(ties)
    assert {k for _, _, k in G.edges(keys=True)} == set(ties["type"])


def test_dates_show_growth_and_some_ties_end(sample) -> None:
    _, ties, _ = sample
    to_level = ties["target"].str.match(r"(street|community)-")
    dated = ties.dropna(subset=["since"])
    assert dated["since"].min() >= date(2017, 1, 1)
    assert (ties.loc[to_level, "since"].dropna() >= date(2017, 1, 1)).all()
    assert dated["since"].max() <= date(2024, 12, 31)
    ends = ties["until"].dropna()
    assert 0 < len(ends) < 0.1 * len(ties)

    def holding(day: date) -> int:
        started = dated["since"] <= day
        ended = dated["until"].map(lambda u: u is not None and u < day)
        return int((started & ~ended).sum())

    active = [holding(date(year, 12, 31)) for year in range(2017, 2025)]
    assert active == sorted(active)
    assert len(set(active)) == len(active)


# -- the article's and the public record's facts ---------------------------------------------


def test_every_real_row_is_in_the_sample_unchanged(sample) -> None:
    nodes, ties, _ = sample
    by_id = nodes.set_index("id")
    for row in facts.NODES:
        got = by_id.loc[row["id"]]
        for key, value in row.items():
            if key != "id":
                assert got[key] == value, (row["id"], key)
    keyed = ties.set_index(["source", "target", "type"])
    for row in facts.TIES:
        got = keyed.loc[(row["source"], row["target"], row["type"])]
        for key, value in row.items():
            if key not in ("source", "target", "type"):
                assert got[key] == value, (row["source"], row["target"], key)
    # nothing else claims to be real
    assert (nodes["provenance"] != "synthetic").sum() == len(facts.NODES)
    real_ties = ties[ties["provenance"] != "synthetic"]
    assert len(real_ties) == sum(t["provenance"] != "synthetic" for t in facts.TIES)


def test_pairings_of_the_article_and_public_record(sample) -> None:
    nodes, ties, _ = sample
    facilities = node(nodes, "苏州市市政设施管理处")
    daoqian = node(nodes, "道前社区")
    qingjiayuan = node(nodes, "清嘉苑社区")
    assert tie(ties, facilities["id"], daoqian["id"], "PAIRED_WITH")["provenance"] == "article"
    later = tie(ties, facilities["id"], qingjiayuan["id"], "PAIRED_WITH")
    assert (later["provenance"], later["since"].year) == ("public-record", 2023)
    canglang, gusu = node(nodes, "沧浪街道"), node(nodes, "姑苏区")
    assert ancestors(ties, daoqian["id"])[:2] == [canglang["id"], gusu["id"]]
    assert ancestors(ties, qingjiayuan["id"])[0] == node(nodes, "白洋湾街道")["id"]

    fund = node(nodes, "苏州市公积金姑苏分中心")
    for name in ("南环第一社区", "南环第二社区"):
        community = node(nodes, name)
        assert tie(ties, fund["id"], community["id"], "PAIRED_WITH")["provenance"] == "article"
        # the article does not name their street: that tie is our choice
        street = tie(ties, community["id"], ancestors(ties, community["id"])[0], "PART_OF")
        assert street["provenance"] == "synthetic"
        assert ancestors(ties, community["id"])[1] == gusu["id"]

    for unit, community in [
        ("苏州信托有限公司", "和美社区"),
        ("苏州城投再生资源发展有限公司", "虎池苑社区"),
    ]:
        row = tie(ties, node(nodes, unit)["id"], node(nodes, community)["id"], "PAIRED_WITH")
        assert (row["provenance"], row["since"].year) == ("public-record", 2023)


def test_three_way_agreement_of_the_civil_affairs_bureau(sample) -> None:
    nodes, ties, _ = sample
    branch = node(nodes, "苏州市民政局机关第二党支部")
    bureau = node(nodes, "苏州市民政局")
    assert tie(ties, branch["id"], bureau["id"], "BRANCH_OF")["provenance"] == "public-record"
    yuyuan, xingguang = node(nodes, "御苑家园社区"), node(nodes, "星光社区")
    for community in (yuyuan, xingguang):
        row = tie(ties, branch["id"], community["id"], "EMBEDDED_IN")
        assert row["since"] == date(2023, 2, 28)
    assert (yuyuan["party_org_kind"], xingguang["party_org_kind"]) == ("党委", "党总支")
    assert ancestors(ties, yuyuan["id"])[0] == node(nodes, "元和街道")["id"]
    assert ancestors(ties, xingguang["id"])[0] == node(nodes, "苏锦街道")["id"]


def test_action_branches_of_the_public_record(sample) -> None:
    nodes, ties, _ = sample
    school = node(nodes, "市委党校行动支部")
    assert school["members"] == 36
    joined = ties[(ties["source"] == school["id"]) & (ties["type"] == "EMBEDDED_IN")]
    assert len(joined) == facts.PARTY_SCHOOL_COMMUNITIES
    assert set(joined["provenance"]) == {"synthetic"}  # the count is public, which 12 is not
    assert {d.year for d in joined["since"]} == {2022}
    gusu = node(nodes, "姑苏区")["id"]
    assert all(gusu in ancestors(ties, c) for c in joined["target"])

    gazetteer = node(nodes, "常熟市地方志办行动支部")
    assert gazetteer["members"] == 6
    baobei = node(nodes, "报北社区")
    row = tie(ties, gazetteer["id"], baobei["id"], "EMBEDDED_IN")
    assert (row["since"], row["provenance"]) == (date(2020, 2, 1), "public-record")
    changshu = node(nodes, "常熟市")
    assert changshu["kind"] == "县级市"
    assert ancestors(ties, baobei["id"]) == [
        node(nodes, "虞山街道")["id"],
        changshu["id"],
        node(nodes, "苏州市")["id"],
    ]

    committee = node(nodes, "市委市级机关工委")
    branches = ties[(ties["target"] == committee["id"]) & (ties["type"] == "BRANCH_OF")]
    assert len(branches) == 55
    assert {d.year for d in branches["since"]} == {2022}


def test_caohu_paired_with_30_organisations_and_ran_32_projects(sample) -> None:
    nodes, ties, _ = sample
    caohu = node(nodes, "漕湖街道")["id"]
    part_of = ties[ties["type"] == "PART_OF"]
    places = {caohu, *part_of.loc[part_of["target"] == caohu, "source"]}
    paired = ties[(ties["type"] == "PAIRED_WITH") & ties["target"].isin(places)]
    assert paired["source"].nunique() == 30
    runs = ties[(ties["type"] == "RUNS") & ties["source"].isin(places)]
    assert len(runs) == 32
    years = nodes.set_index("id").loc[runs["target"], "year"]
    assert set(years) == {2024}


def test_exemplary_projects_of_the_article(sample) -> None:
    nodes, ties, _ = sample
    expected = [
        ("博士阳光讲坛", "嘉业阳光城社区", "党委", "虎丘街道", "姑苏区"),
        ("关爱老人、情暖夕阳", "西津桥社区", "党委", "枫桥街道", "虎丘区"),
        ("5+共建会", "湖景花园社区", "党支部", "郭巷街道", "吴中区"),
    ]
    for project, community, org_kind, street, district in expected:
        p, c = node(nodes, project), node(nodes, community)
        assert (p["exemplary"], p["provenance"]) == (True, "article")
        assert tie(ties, c["id"], p["id"], "RUNS")["provenance"] == "article"
        assert c["party_org_kind"] == org_kind
        chain = ancestors(ties, c["id"])
        assert chain[:2] == [node(nodes, street)["id"], node(nodes, district)["id"]]


def test_committee_and_service_fund(sample) -> None:
    nodes, ties, _ = sample
    body = node(nodes, "城市基层党建工作专委会")
    members = ties[(ties["type"] == "MEMBER_OF") & (ties["target"] == body["id"])]
    names = set(nodes.set_index("id").loc[members["source"], "name"])
    assert names == {
        "市委组织部",
        "市委市级机关工委",
        "市委教育工委",
        "市民政局党委",
        "市财政局党组",
        "市政府国资委党委",
    }
    assert set(members["provenance"]) == {"article"}
    communities = nodes[nodes["label"] == "Community"]
    assert set(communities["service_fund_yuan"]) == {200_000.0}


def test_synthetic_rows_read_plausibly(sample) -> None:
    nodes, _, _ = sample
    synthetic = nodes[nodes["provenance"] == "synthetic"]
    suffix = {
        "Community": "社区",
        "ActionBranch": "行动支部",
        "Position": "先锋阵地",
        "Project": "项目",
    }
    for label, end in suffix.items():
        names = synthetic.loc[synthetic["label"] == label, "name"]
        assert names.str.endswith(end).all(), label
        assert names.map(lambda n: bool(re.search(r"[\u4e00-\u9fff]", n))).all()
    units = nodes[nodes["label"] == "Unit"]
    assert units["name"].is_unique
    shares = units["unit_type"].value_counts(normalize=True)
    assert shares.index[0] == "organ"
    assert len(shares) == 7


def test_the_module_imports_as_a_module_and_calls_as_generate() -> None:
    import importlib
    import inspect
    import types

    import cobuild_graph as cg

    module = importlib.import_module("cobuild_graph.generate")
    assert isinstance(module, types.ModuleType)
    assert cg.generate is module
    assert module.generate_tables is generate_tables
    assert inspect.signature(cg.generate) == inspect.signature(generate)
    assert nx.utils.graphs_equal(cg.generate("sample", seed=3), generate("sample", seed=3))
