"""All tables at once, and writing them for Excel."""

from __future__ import annotations

import html
import re
from pathlib import Path

import networkx as nx
import numpy as np
import openpyxl
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import _files, analysis
from cobuild_graph.analysis import analyze, write_analysis
from cobuild_graph.errors import ExcelLimitError, NoTiesError

# the module, even if the package exports the function analyze under the same name

#: The documented columns of every table (per-node tables start with name and label).
COLUMNS = {
    "summary": ["value", "description"],
    "centrality": [
        "name",
        "label",
        "degree",
        "betweenness",
        "closeness",
        "eigenvector",
        "pagerank",
    ],
    "structural_holes": ["name", "label", "effective_size", "efficiency", "constraint"],
    "kcore": ["name", "label", "core"],
    "communities": ["name", "label", "community"],
    "community_streets": [
        "nodes",
        "streets",
        "main_street",
        "main_street_name",
        "main_street_share",
    ],
    "brokerage": [
        "name",
        "label",
        "coordinator",
        "consultant",
        "gatekeeper",
        "representative",
        "liaison",
        "total",
        "coordinator_z",
        "consultant_z",
        "gatekeeper_z",
        "representative_z",
        "liaison_z",
        "total_z",
    ],
    "cliques": ["size", "members"],
    "ei_street": ["observed", "expected", "mean", "sd", "minimum", "maximum", "p_greater"],
    "ei_sector": ["observed", "expected", "mean", "sd", "minimum", "maximum", "p_greater"],
    "ego_units": ["name", "label", "size", "ties", "pairs", "density", "effective_size"],
    "two_mode": ["name", "label", "mode", "degree", "closeness", "betweenness"],
    "street_links": ["source", "target", "source_name", "target_name", "shared", "collaboration"],
    "robustness": [
        "name",
        "degree",
        "branches",
        "communities_reached",
        "communities_uncovered",
        "uncovered",
        "components_change",
        "largest_component_change",
        "path_length_change",
    ],
    "coverage": ["communities_covered", "communities_total", "share"],
    "coverage_by_street": ["name", "communities", "unit_covered", "branch_covered"],
    "uncovered": ["name", "street", "street_name"],
    "balance": ["name", "communities", "units", "branches", "projects", "positions"],
    "inequality": ["places", "total", "mean", "min", "max", "zeros", "gini", "hhi"],
    "sector_mix": ["name", "organ", "soe", "school", "hospital", "institution", "private"],
    "rollup_street": ["name", "degree", "betweenness", "pagerank", "nodes"],
    "rollup_district": ["name", "degree", "betweenness", "pagerank", "nodes"],
    "cross_level": ["type", "source_level", "target_level", "span", "ties", "share"],
    "unit_reach": ["units", "paired_with_community", "branch_in_community", "community_direct"],
    "growth": ["period", "type", "added", "ended", "active"],
    "funding": ["name", "communities", "communities_funded", "service_fund_yuan", "projects"],
    "about": ["value"],
}


@pytest.fixture(scope="module")
def sample() -> nx.MultiDiGraph:
    return cg.generate("sample", seed=2020)


@pytest.fixture(scope="module")
def sample_tables(sample: nx.MultiDiGraph) -> dict[str, pd.DataFrame]:
    return analyze(sample, seed=1)


@pytest.fixture(scope="module")
def tiny_tables() -> dict[str, pd.DataFrame]:
    return analyze(cg.generate("tiny", seed=2), seed=1)


def test_every_table_of_the_sample_has_its_documented_columns(
    sample: nx.MultiDiGraph, sample_tables: dict[str, pd.DataFrame]
) -> None:
    assert next(iter(sample_tables)) == "summary"
    assert set(sample_tables) == set(COLUMNS)
    for name, columns in COLUMNS.items():
        table = sample_tables[name]
        assert list(table.columns[: len(columns)]) == columns, name
        assert len(table) > 0, name
    n = cg.views.view(sample, "cobuilding").number_of_nodes()  # the network tables' view
    assert n < sample.number_of_nodes()
    for name in ("centrality", "structural_holes", "kcore", "communities"):
        assert len(sample_tables[name]) == n
        assert sample_tables[name].index.name == "id"
    assert sample_tables["centrality"].loc["street-canglang", "name"] == "沧浪街道"
    summary = sample_tables["summary"]["value"]
    assert summary["nodes"] == n
    assert 0 < summary["modularity"] < 1
    about = sample_tables["about"]["value"]
    assert about["betweenness"] == "exact"  # the sample is below the exact limit
    assert not about.index.str.startswith("seconds").any()  # a run's times are logged only


def test_the_e_i_table_counts_links_within_and_across_streets(
    sample: nx.MultiDiGraph, sample_tables: dict[str, pd.DataFrame]
) -> None:
    links = nx.Graph(cg.views.view(sample, "cobuilding"))
    links.remove_edges_from(nx.selfloop_edges(links))
    street = cg.domain.ancestors(sample, level="Street").dropna().to_dict()
    placed = [(u, v) for u, v in links.edges() if u in street and v in street]
    internal = sum(street[u] == street[v] for u, v in placed)
    ei = sample_tables["ei_street"]
    assert ei.loc["internal", "observed"] == internal
    assert ei.loc["external", "observed"] == len(placed) - internal
    assert ei.loc["ei", "observed"] == pytest.approx((len(placed) - 2 * internal) / len(placed))
    assert ei.attrs["view"] == "cobuilding"
    assert sample_tables["ei_sector"].attrs["view"] == "unit"


def test_sample_tables_agree_with_each_other(sample_tables: dict[str, pd.DataFrame]) -> None:
    coverage = sample_tables["coverage"]
    uncovered = sample_tables["uncovered"]
    assert coverage.loc["any", "communities_total"] - coverage.loc[
        "any", "communities_covered"
    ] == len(uncovered)
    by_street = sample_tables["coverage_by_street"]
    assert by_street["any_covered"].sum() == coverage.loc["any", "communities_covered"]
    balance, inequality = sample_tables["balance"], sample_tables["inequality"]
    assert inequality.loc["units", "total"] == balance["units"].sum()
    assert inequality.loc["units", "gini"] == pytest.approx(cg.domain.gini(balance["units"]))
    rollup = sample_tables["rollup_district"]
    centrality = sample_tables["centrality"]
    district = cg.domain.ancestors(cg.generate("sample", seed=2020), level="District")
    placed = centrality["pagerank"].reindex(district.dropna().index).sum()
    assert rollup["pagerank"].sum() == pytest.approx(placed)
    robustness = sample_tables["robustness"]
    assert robustness["components_change"].notna().sum() == 10  # the default top 10


def test_analyze_estimates_betweenness_when_asked(tiny_tables: dict[str, pd.DataFrame]) -> None:
    G = cg.generate("tiny", seed=2)
    estimated = analyze(G, seed=1, betweenness_sample=50, robustness_top=2)
    assert estimated["about"].loc["betweenness", "value"] == "estimate from 50 sources"
    exact = tiny_tables["centrality"]["betweenness"]
    assert not np.allclose(estimated["centrality"]["betweenness"], exact)
    assert np.corrcoef(estimated["centrality"]["betweenness"], exact)[0, 1] > 0.9
    with pytest.raises(ValueError, match="expected 'auto'"):
        analyze(G, betweenness_sample="some")  # type: ignore[arg-type]


def test_large_graphs_leave_out_the_path_measures(monkeypatch: pytest.MonkeyPatch) -> None:
    G = cg.generate("tiny", seed=2)
    monkeypatch.setattr(analysis, "PATH_LIMIT", G.number_of_nodes() - 1)
    tables = analyze(G, robustness_top=2)
    assert tables["centrality"]["closeness"].isna().all()
    assert tables["summary"].loc[["diameter", "average_path_length"], "value"].isna().all()
    assert tables["robustness"]["path_length_change"].isna().all()
    assert tables["robustness"]["components_change"].notna().sum() == 2
    assert tables["about"].loc["path_lengths", "value"].startswith("not computed")


def test_progress_bar_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    analyze(cg.generate("tiny", seed=2), progress=True, robustness_top=1)
    assert "analyse" in capsys.readouterr().err


def _closure(names: list[str]) -> set[str]:
    """The tables `names` need, by networkx over the declared needs: an independent reach."""
    needs = nx.DiGraph([(t, need) for t, table in analysis.TABLES.items() for need in table.needs])
    needs.add_nodes_from(analysis.TABLES)
    return set(names).union(*(nx.descendants(needs, name) for name in names))


def test_the_registry_declares_every_table_once_without_cycles() -> None:
    tables = analysis.TABLES
    assert "about" not in tables
    assert set(tables) | {"about"} == set(COLUMNS)
    assert all(name == table.name for name, table in tables.items())
    for table in tables.values():
        assert set(table.needs) <= set(tables), table.name
        assert table.view is None or table.view in cg.views.VIEWS, table.name
    needs = nx.DiGraph([(t, need) for t, table in tables.items() for need in table.needs])
    assert nx.is_directed_acyclic_graph(needs)
    # the dependencies the tables' contents imply
    assert tables["summary"].needs == ("communities",)
    assert tables["inequality"].needs == ("balance",)
    assert tables["rollup_street"].needs == tables["rollup_district"].needs == ("centrality",)
    # analyze's docstring lists the registry: the same names, order and descriptions
    rows = re.findall(r"^ {4}``(\w+)`` {2,}(.+)$", analyze.__doc__ or "", re.M)
    assert rows == [
        *((name, table.description) for name, table in tables.items()),
        ("about", "the settings and versions"),
    ]


@pytest.mark.parametrize("name", list(analysis.TABLES))
def test_only_gives_a_table_with_those_it_needs_as_the_full_run_does(
    name: str, tiny_tables: dict[str, pd.DataFrame]
) -> None:
    tables = analyze(cg.generate("tiny", seed=2), seed=1, only=[name])
    expected = _closure([name])
    assert list(tables) == [t for t in tiny_tables if t in expected] + ["about"]
    for made in expected:
        pd.testing.assert_frame_equal(tables[made], tiny_tables[made])
        assert tables[made].attrs == tiny_tables[made].attrs, made
    about, full = tables["about"]["value"], tiny_tables["about"]["value"]
    shown = [key for key in about.index if key.startswith(("view_", "values_", "caveats_"))]
    assert shown == [
        key
        for key in full.index
        if key.startswith(("view_", "values_", "caveats_")) and key.split("_", 1)[1] in expected
    ]
    pd.testing.assert_series_equal(about, full.reindex(about.index))


def test_only_makes_a_table_needed_twice_once(
    monkeypatch: pytest.MonkeyPatch, tiny_tables: dict[str, pd.DataFrame]
) -> None:
    calls: list[str] = []

    def counted(module: object, name: str) -> None:
        real = getattr(module, name)

        def call(*args: object, **kwargs: object) -> object:
            calls.append(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, call)

    for module, name in [
        (cg.metrics, "centrality"),
        (cg.metrics, "communities"),
        (cg.domain, "balance"),
    ]:
        counted(module, name)
    asked = ["rollup_street", "rollup_district", "summary", "community_streets", "inequality"]
    tables = analyze(cg.generate("tiny", seed=2), seed=1, only=asked)
    assert sorted(calls) == ["balance", "centrality", "communities"]
    assert set(tables) == {*asked, "centrality", "communities", "balance", "about"}
    for name in asked:
        pd.testing.assert_frame_equal(tables[name], tiny_tables[name])


def test_only_refuses_an_unknown_table() -> None:
    G = cg.generate("tiny", seed=2)
    with pytest.raises(
        ValueError,
        match=r"^未知的分析表 centralty；.*/ unknown tables centralty; "
        r"the tables are: summary, centrality, communities",
    ):
        analyze(G, only=["kcore", "centralty"])
    assert list(analyze(G, only="kcore")) == ["kcore", "about"]  # one name, as a string


def test_a_maker_reads_only_the_tables_it_declares(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import MappingProxyType

    greedy = analysis.Table("greedy", "full", lambda c: c.table("balance"), needs=("kcore",))
    monkeypatch.setattr(analysis, "TABLES", MappingProxyType({**analysis.TABLES, "greedy": greedy}))
    G = cg.generate("tiny", seed=2)
    with pytest.raises(LookupError, match="greedy asks for balance"):
        analyze(G, only=["greedy"])


def test_write_analysis_as_excel(tiny_tables: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    path = write_analysis(tiny_tables, tmp_path / "metrics.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == list(tiny_tables)
    sheet = book["centrality"]
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert header[:4] == ("id", "name", "label", "degree")
    back = pd.read_excel(path, sheet_name="centrality", index_col=0, engine="openpyxl")
    pd.testing.assert_series_equal(
        back["pagerank"],
        tiny_tables["centrality"]["pagerank"],
        check_names=False,
        check_index_type=False,
    )
    cliques = pd.read_excel(path, sheet_name="cliques", index_col=0, engine="openpyxl")
    assert cliques["members"].iloc[0] == "; ".join(tiny_tables["cliques"]["members"].iloc[0])
    assert not list(tmp_path.glob("*.xlsx.tmp*"))


@pytest.mark.slow
def test_inferred_dates_reach_the_growth_table_and_the_about_sheet(
    tiny_tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    G = cg.generate("tiny", seed=2)
    dated = [(u, v, k) for u, v, k, day in G.edges(keys=True, data="since") if day is not None]
    marked = dated[::3]
    for u, v, k in marked:
        G.edges[u, v, k]["inferred"] = "since:roster_year"
    tables = analyze(G, seed=1, robustness_top=1, inferred_dates=False)
    growth = tables["growth"]
    # every since lies within the periods: each unmarked one is added once, no marked one
    assert growth.loc[growth["type"] == "all", "added"].sum() == len(dated) - len(marked)
    expected = f"{len(marked)} of {len(dated)} since dates inferred (roster_year), left out"
    assert any(line.endswith(expected) for line in growth.attrs["caveats"])
    about = tables["about"]["value"]
    assert expected in about["caveats_growth"]
    assert "caveats_growth" not in tiny_tables["about"].index
    path = write_analysis(tables, tmp_path / "metrics.xlsx")
    sheet = pd.read_excel(path, sheet_name="about", index_col=0, engine="openpyxl")
    assert expected in sheet.loc["caveats_growth", "value"]
    counted = analyze(G, seed=1, robustness_top=1)["about"].loc["caveats_growth", "value"]
    assert expected.replace("left out", "counted") in counted


def test_write_analysis_as_csv_for_excel(
    tiny_tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = write_analysis(tiny_tables, tmp_path / "metrics")
    assert sorted(p.stem for p in folder.glob("*.csv")) == sorted(tiny_tables)
    raw = (folder / "balance.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows the Chinese text
    back = pd.read_csv(folder / "balance.csv", encoding="utf-8-sig", index_col=0)
    assert back["name"].tolist() == tiny_tables["balance"]["name"].tolist()


def test_excel_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long_names = ["a" * 40, "a" * 39 + "b"]  # the same in their first 31 characters
    names = analysis._sheet_names([*long_names, "rollup:street/2", "Summary", "summary"])
    assert list(names.values()) == [
        "a" * 31,
        "a" * 29 + "_2",
        "rollup_street_2",
        "Summary",
        "summary_2",
    ]
    tables = {"big": pd.DataFrame({"x": range(10)}), "inf": pd.DataFrame({"x": [np.inf, 1.0]})}
    monkeypatch.setattr(_files, "EXCEL_MAX_ROWS", 5)
    with pytest.raises(ExcelLimitError, match=r"more rows than an Excel sheet.*big \(10\)"):
        write_analysis(tables, tmp_path / "too-big.xlsx")
    assert not (tmp_path / "too-big.xlsx").exists()
    monkeypatch.undo()
    write_analysis(tables, tmp_path / "ok.xlsx")
    back = pd.read_excel(tmp_path / "ok.xlsx", sheet_name="inf", engine="openpyxl")
    assert list(back.columns) == ["x"]  # row numbers are not written
    assert back["x"].isna().tolist() == [True, False]  # infinity left empty


def _roster_graph(tmp_path: Path) -> nx.MultiDiGraph:
    from tests._rosters import write_report_roster

    return cg.read_roster(write_report_roster(tmp_path / "roster.xlsx")).graph


@pytest.mark.slow
def test_assigned_streets_travel_with_the_tables(tmp_path: Path) -> None:
    """A roster gives no unit a street: every table by street says how many are assigned,
    in attrs, the about table, the written about sheet and the report."""
    G = _roster_graph(tmp_path)
    units = [v for v, label in G.nodes(data="label") if label == "Unit"]
    # independently: a unit's street is recorded only by an ASSIGNED_TO tie to a street
    recorded = {u for u, v, t in G.edges(data="type") if t == "ASSIGNED_TO"}
    placed = [u for u in units if any(G.nodes[c]["label"] == "Community" for c in G[u])]
    assigned = len([u for u in placed if u not in recorded])
    assert assigned == len(placed) > 0
    expected = (
        f"{assigned} of {len(placed)} Unit nodes have no recorded Street; each is placed in "
        "the Street it is most often tied to by PAIRED_WITH (assigned)"
    )
    streets = cg.domain.ancestors(G, level="Street")
    assert any(line.endswith(expected) for line in streets.attrs["caveats"])
    assert any(
        f"{len(placed)} 个单位中 {assigned} 个没有登记街道" in x for x in streets.attrs["caveats"]
    )
    tables = analyze(G, seed=1, robustness_top=1)
    about = tables["about"]["value"]
    for name in ("ei_street", "brokerage", "ego_units", "community_streets", "rollup_street"):
        assert any(line.endswith(expected) for line in tables[name].attrs["caveats"]), name
        assert expected in about[f"caveats_{name}"], name
    path = write_analysis(tables, tmp_path / "metrics.xlsx")
    sheet = pd.read_excel(path, sheet_name="about", index_col=0, engine="openpyxl")
    assert expected in sheet.loc["caveats_ei_street", "value"]
    assert expected in sheet.loc["caveats_brokerage", "value"]
    page = cg.write_report(G, tmp_path / "report", tables=tables).read_text(encoding="utf-8")
    ei = page.split("<h3>街道的 E-I 指数 E-I index of streets</h3>")[1].split("<table")[0]
    notes = [html.unescape(x) for x in re.findall(r'<p class="note caveat">([^<]*)</p>', ei)]
    assert any(line.endswith(expected) for line in notes)


def test_leaving_out_assigned_streets_is_removing_those_units(tmp_path: Path) -> None:
    G = cg.generate("tiny", seed=2)
    units = [v for v, label in G.nodes(data="label") if label == "Unit"]
    # a mix: some units with a recorded street, some only paired
    assignments = [(u, v, k) for u, v, k, t in G.edges(keys=True, data="type")]
    G.remove_edges_from(
        [(u, v, k) for u, v, k in assignments if k == "ASSIGNED_TO" and u in units[::2]]
    )
    recorded = {u for u, v, t in G.edges(data="type") if t == "ASSIGNED_TO"}
    placement = cg.domain.ancestors(G, level="Street")
    left_out = [
        v
        for v in G
        if pd.notna(placement[v])
        and G.nodes[v]["label"] not in ("Street", "Community", "District", "City", "Grid")
        and v not in recorded
        and G.nodes[v]["label"] not in ("Project", "Position")
    ]
    assert any(G.nodes[v]["label"] == "Unit" for v in left_out)
    N = cg.views.view(G, "cobuilding")
    kept = N.subgraph([v for v in N if v not in set(left_out)])
    streets = cg.domain.ancestors(G, level="Street", assigned_places=False)
    assert streets.reindex(left_out).isna().all()
    assert any("left out" in line for line in streets.attrs["caveats"])
    alone = cg.domain.ancestors(G, level="Street")  # the places of the nodes kept are unchanged
    # the observed values (the relabellings follow the node order, which differs)
    a = cg.metrics.ei_index(N, streets, permutations=0)
    b = cg.metrics.ei_index(kept, alone, permutations=0)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["nodes"] == b.attrs["nodes"]
    pd.testing.assert_frame_equal(
        cg.metrics.brokerage(N, streets).sort_index(),
        cg.metrics.brokerage(kept, alone).sort_index(),
    )
    values = pd.Series(1.0, index=list(G))
    pd.testing.assert_frame_equal(
        cg.domain.rollup(G, values, assigned_places=False),
        cg.domain.rollup(G, values.drop(left_out)),
    )
    tables = analyze(G, seed=1, robustness_top=1, assigned_places=False)
    pd.testing.assert_frame_equal(
        tables["ei_street"], cg.metrics.ei_index(N, streets, permutations=1_000, seed=1)
    )


def test_ei_of_units_in_a_roster_graph_names_the_unit_view(tmp_path: Path) -> None:
    G = _roster_graph(tmp_path)
    G.add_node("lonely", label="Unit", name="孤立单位", unit_type="school")  # an isolate
    with pytest.raises(NoTiesError, match=r"views\.view\(G, 'unit'\)") as caught:
        cg.metrics.ei_index(G, "unit_type")
    assert "彼此没有关系" in str(caught.value)
    with pytest.raises(NoTiesError, match="unit"):
        cg.metrics.ei_groups(G, "unit_type")
    U = cg.views.view(G, "unit")
    table = cg.metrics.ei_index(U, "unit_type", permutations=0)
    # by hand: links between units of one type against links across types
    types = dict(U.nodes(data="unit_type"))
    links = {frozenset((u, v)) for u, v in U.edges() if u != v and types[u] and types[v]}
    internal = sum(1 for pair in links if len({types[v] for v in pair}) == 1)
    external = len(links) - internal
    assert table.loc["internal", "observed"] == internal
    assert table.loc["external", "observed"] == external
    assert table.attrs["ei"] == pytest.approx((external - internal) / (external + internal))
