"""The HTML report: files, sections, escaped tables, embedded charts, the map, offline."""

from __future__ import annotations

import base64
import html
import re
from html.parser import HTMLParser

import networkx as nx
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import domain, metrics, report
from cobuild_graph._style import COLUMN_NAMES, label_text
from cobuild_graph.analysis import analyze
from cobuild_graph.maps import aggregate_graph
from cobuild_graph.report import write_report
from cobuild_graph.schema import DEFAULT_SCHEMA
from tests._pictures import HOSTILE, hostile_graph
from tests.test_maps import page_data

pytestmark = pytest.mark.slow  # most tests write a report: over a second each


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    G = cg.generate("tiny", seed=3)
    out = tmp_path_factory.mktemp("report")
    index = write_report(G, out, seed=1)
    return G, out, index.read_text(encoding="utf-8")


def test_report_writes_index_and_map(tiny_report):
    G, out, page = tiny_report
    assert sorted(p.name for p in out.iterdir()) == sorted(report.FILES)
    data = page_data((out / "map.html").read_text(encoding="utf-8"))
    assert data["expandable"] is False  # small: every node at once
    assert len(data["nodes"]) == G.number_of_nodes()
    assert '<iframe src="map.html"' in page
    assert '<a href="map.html">' in page
    assert f"{G.number_of_nodes():,} 个节点 nodes" in page


def test_report_has_the_summary_tables_and_charts(tiny_report):
    G, out, page = tiny_report
    for title in (
        "节点：按类型和来源（文件/工作表） Nodes by label and source (file/sheet)",
        "关系：按类型和来源（文件/工作表） Ties by type and source (file/sheet)",
        "概况指标 Summary measures",
        "社区覆盖 Coverage of communities",
        "各街道均衡 Balance per street",
        "度中心度前 20 名 Top 20 nodes by degree",
        "每年全部关系 All ties per year",
    ):
        assert f"<h3>{title}</h3>" in page
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(charts) >= 9
    svg = base64.b64decode(charts[0]).decode("utf-8")
    assert "<svg" in svg
    (figure,) = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert base64.b64decode(figure) == (out / "network.png").read_bytes()
    assert (out / "network.pdf").read_bytes().startswith(b"%PDF")
    assert '<a href="network.pdf">' in page
    provenance = pd.Series([a.get("provenance") for _, a in G.nodes(data=True)])
    synthetic = int((provenance == "synthetic").sum())
    assert f'<td class="num">{synthetic:,}</td>' in page


def test_report_runs_no_script_and_requests_nothing(tiny_report):
    _, _, page = tiny_report
    assert "<script" not in page
    csp = html.unescape(re.search(r'Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "script-src 'none'" in csp
    assert "default-src 'none'" in csp
    assert not re.search(r'(src|href)="https?:', page)
    assert "style=" not in page  # the policy allows no style attribute


def test_report_uses_given_tables_and_map_options(tmp_path):
    G = cg.generate("tiny", seed=3)
    tables = analyze(G, seed=0)
    tables = {**tables, "balance": tables["balance"].head(0)}
    index = write_report(G, tmp_path, tables=tables, map_options={"aggregate": "Street"})
    page = index.read_text(encoding="utf-8")
    assert "folded to Street level" in page
    assert "<h3>各街道均衡 Balance per street</h3>" not in page  # the given, empty table
    left_out = re.search(r'<p class="note left-out">([^<]*)</p>', page).group(1)
    assert "各街道均衡 Balance per street (没有数据行 no rows)" in left_out


def test_tables_not_given_are_made_for_the_report(tmp_path):
    """A part of the tables (analyze(only=...)) gives the report of all of them."""
    G = cg.generate("tiny", seed=3)
    some = analyze(G, seed=0, only=["centrality", "inequality"])
    assert "coverage_by_street" not in some
    given = write_report(G, tmp_path / "some", tables=some, seed=0)
    made = write_report(G, tmp_path / "all", seed=0)
    assert given.read_bytes() == made.read_bytes()
    assert "各街道覆盖率" in given.read_text(encoding="utf-8")


def test_a_chart_its_table_cannot_draw_is_left_out_saying_why(tmp_path, caplog):
    G = cg.generate("tiny", seed=3)
    tables = analyze(G, seed=0)
    broken = tables["coverage_by_street"].drop(columns=["communities"])  # the chart reads it
    with caplog.at_level("WARNING", logger="cobuild_graph.report"):
        index = write_report(G, tmp_path, tables={**tables, "coverage_by_street": broken})
    page = index.read_text(encoding="utf-8")
    left_out = html.unescape(re.search(r'<p class="note left-out">([^<]*)</p>', page).group(1))
    assert (
        "各街道覆盖率 coverage per street (无法由本数据绘制 cannot be drawn from this data)"
        in left_out
    )
    assert "<figure" in page  # the other charts are drawn
    assert any("coverage per street" in r.getMessage() for r in caplog.records)


def test_the_growth_table_says_how_many_of_its_dates_are_inferred(tmp_path):
    G = cg.generate("tiny", seed=3)
    dated = [(u, v, k) for u, v, k, day in G.edges(keys=True, data="since") if day is not None]
    for u, v, k in dated[::2]:
        G.edges[u, v, k]["inferred"] = "since:roster_year"
    tables = {"growth": domain.growth(G, inferred_dates=False)}
    page = write_report(G, tmp_path, tables=tables)
    text = page.read_text(encoding="utf-8")
    growth = text.split("<h3>每年全部关系 All ties per year</h3>")[1].split("<table")[0]
    caveats = re.findall(r'<p class="note caveat">([^<]*)</p>', growth)
    expected = f"{len(dated[::2])} of {len(dated)} since dates inferred (roster_year), left out"
    assert any(html.unescape(line).endswith(expected) for line in caveats)
    assert any("未计入" in html.unescape(line) for line in caveats)


@pytest.mark.parametrize(
    ("map_options", "aggregate", "expandable"),
    [
        (None, "Street", True),
        ({"expandable": False}, "Street", False),
        ({"aggregate": None}, None, False),
        ({"aggregate": "Community"}, "Community", True),
    ],
)
def test_a_large_graphs_map_starts_at_street_level(
    tmp_path, monkeypatch, map_options, aggregate, expandable
):
    G = cg.generate("tiny", seed=3)
    monkeypatch.setattr(report, "EXPAND_ABOVE", G.number_of_nodes() - 1)
    page = write_report(G, tmp_path, tables={}, map_options=map_options).read_text("utf-8")
    data = page_data((tmp_path / "map.html").read_text(encoding="utf-8"))
    assert data["expandable"] is expandable
    start = [n for n in data["nodes"] if "cg_parent" not in n]
    folded = aggregate_graph(G, aggregate)[0] if aggregate else G
    assert len(start) == folded.number_of_nodes()
    assert ("starting folded to" in page) is expandable


def test_a_very_large_graphs_map_shows_only_the_streets(tmp_path, monkeypatch):
    G = cg.generate("tiny", seed=3)
    monkeypatch.setattr(report, "EXPAND_ABOVE", G.number_of_nodes() - 2)
    monkeypatch.setattr(report, "UNFOLDABLE_UP_TO", G.number_of_nodes() - 1)
    page = write_report(G, tmp_path, tables={}).read_text("utf-8")
    data = page_data((tmp_path / "map.html").read_text(encoding="utf-8"))
    assert data["expandable"] is False
    assert len(data["nodes"]) == aggregate_graph(G, "Street")[0].number_of_nodes()
    assert "folded to Street level" in page


class _Tags(HTMLParser):
    """Every start tag of a page and its attributes, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def test_report_escapes_hostile_names(tmp_path):
    G = hostile_graph()
    tables = {
        "balance": domain.balance(G, level="Street"),
        "centrality": domain.with_names(G, metrics.centrality(G)),
    }
    page = write_report(G, tmp_path, tables=tables).read_text(encoding="utf-8")
    assert "<h3>各街道均衡 Balance per street</h3>" in page
    parser = _Tags()
    parser.feed(page)
    assert {tag for tag, _ in parser.tags}.isdisjoint({"script", "object", "embed"})
    images = [dict(attrs)["src"] for tag, attrs in parser.tags if tag == "img"]
    assert images
    assert all(
        src.startswith(("data:image/svg+xml;base64,", "data:image/png;base64,")) for src in images
    )
    handlers = [name for _, attrs in parser.tags for name, _ in attrs if name.startswith("on")]
    assert handlers == []
    assert html.escape(HOSTILE[0], quote=False) in page
    assert html.escape(HOSTILE[1], quote=False) in page
    assert "<title>&lt;script&gt;" in page


class _Tables(HTMLParser):
    """The report's tables as rows of (class, text) cells, headers first."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, str]]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = [dict(attrs).get("class", "")]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append((self._cell[0], "".join(self._cell[1:])))
            self._cell = None


def _tables(page: str) -> dict[str, list[list[tuple[str, str]]]]:
    """Each table of the page under its title."""
    titles = re.findall(r"<h3>([^<]+)</h3>", page)
    parser = _Tables()
    parser.feed(page)
    return dict(zip(titles, parser.tables, strict=True))


def test_tables_show_names_first_and_ids_second(tiny_report):
    G, _, page = tiny_report
    top = _tables(page)["度中心度前 20 名 Top 20 nodes by degree"]
    header, *rows = top
    assert [text for _, text in header[:2]] == ["名称 name", "编号 id"]
    assert [kind for kind, _ in header[:2]] == ["name", "id"]
    assert len(rows) == 20
    for (_, name), (kind, node) in (row[:2] for row in rows):
        assert kind == "id"
        assert G.nodes[node]["name"] == name
    uncovered = _tables(page).get("无单位或支部联系的社区 Communities no unit or branch reaches")
    if uncovered and len(uncovered) > 1:
        heads = [text for _, text in uncovered[0]]
        assert heads.index("街道名称 street_name") < heads.index("街道 street")


def test_every_header_is_in_chinese_and_english(tiny_report):
    _, _, page = tiny_report
    provenance = {"article", "public-record", "synthetic", "（无） (none)"}
    for title, rows in _tables(page).items():
        for _, text in rows[0]:
            if text in provenance:  # values of the data, not columns
                continue
            chinese, _, english = text.rpartition(" ")
            shown = DEFAULT_SCHEMA.value_label("unit_type", english)  # a column per unit type
            assert COLUMN_NAMES.get(english, shown and shown[0]) == chinese, (title, text)


def test_category_cells_show_the_schema_value_labels(tiny_report):
    _, _, page = tiny_report
    types = _tables(page)["各街道单位类型 Unit types per street"]
    heads = [text for _, text in types[0]]
    unit_types = DEFAULT_SCHEMA.labels["Unit"].attributes["unit_type"].value_labels
    assert "机关 organ" in heads
    codes = set(DEFAULT_SCHEMA.labels) | set(DEFAULT_SCHEMA.tie_types) | set(unit_types)
    for title, rows in _tables(page).items():
        for row in rows:
            for kind, text in row:
                assert kind in ("id", "num") or text not in codes, (title, text)
    (nodes,) = (rows for title, rows in _tables(page).items() if title.startswith("节点"))
    assert "Unit 单位" in [row[0][1] for row in nodes[1:]]


def test_a_dataset_without_provenance_gets_no_synthetic_column(tmp_path):
    G = cg.generate("tiny", seed=3)
    for _, attrs in G.nodes(data=True):
        attrs.pop("provenance", None)
    for *_, attrs in G.edges(data=True):
        attrs.pop("provenance", None)
    page = write_report(G, tmp_path, tables={}).read_text("utf-8")
    assert "col_0" not in page
    assert "(none)" not in page
    nodes = _tables(page)["节点：按类型 Nodes by label"]
    assert [text for _, text in nodes[0]] == ["节点类型 label", "数量 count"]
    counts = {row[0][1]: int(row[1][1].replace(",", "")) for row in nodes[1:]}
    labels = pd.Series(dict(G.nodes(data="label"))).value_counts()
    shown = {label_text(DEFAULT_SCHEMA, label): n for label, n in labels.items()}
    assert counts == {**shown, "合计 all": G.number_of_nodes()}


def test_kinds_the_dataset_lacks_get_no_rows_but_a_real_zero_stays(tmp_path):
    G = cg.generate("tiny", seed=3)
    G.remove_nodes_from([n for n, a in list(G.nodes(data=True)) if a["label"] == "Project"])
    to_communities = [
        (u, v, k)
        for u, v, k, t in G.edges(keys=True, data="type")
        if t == "PAIRED_WITH" and G.nodes[v]["label"] == "Community"
    ]
    G.remove_edges_from(to_communities)  # units still pair with streets: they cover none
    assert any(t == "PAIRED_WITH" for *_, t in G.edges(data="type"))
    page = write_report(G, tmp_path, tables=analyze(G)).read_text("utf-8")
    tables = _tables(page)
    coverage = {row[0][1]: row for row in tables["社区覆盖 Coverage of communities"][1:]}
    assert "project" not in coverage
    assert coverage["unit"][1][1] == "0"  # no community covered: a finding, kept
    assert {"unit", "branch", "position", "any"} <= set(coverage)
    heads = [text for _, text in tables["各街道均衡 Balance per street"][0]]
    assert not [h for h in heads if "project" in h]
    assert "单位数 units" in heads
    inequality = [
        row[0][1] for row in tables["各街道数量的不均衡 Inequality of the counts over streets"][1:]
    ]
    assert "projects" not in inequality
    assert "units" in inequality
    assert "各街道项目数 projects per street" not in page
    assert "各街道单位数 units per street" in page


def test_per_street_charts_show_the_top_places_of_many(tmp_path, monkeypatch):
    G = cg.generate("tiny", seed=3)
    streets = sum(1 for _, label in G.nodes(data="label") if label == "Street")
    monkeypatch.setattr(report, "TOP_PLACES", streets - 1)
    page = write_report(G, tmp_path, tables=analyze(G)).read_text("utf-8")
    charts = re.findall(r'alt="([^"]+)"', page)
    top = f"top {streets - 1} of {streets}"
    assert [c for c in charts if "per street" in c and "unit types" not in c] == [
        f"各街道{zh}数（前 {streets - 1} 个，共 {streets} 个） {count} per street ({top})"
        for zh, count in (("单位", "units"), ("行动支部", "branches"), ("项目", "projects"))
    ]
    assert (
        f"unit 覆盖率最低的 {streets - 1} 个街道 the {streets - 1} streets least covered by unit"
        in charts
    )


# -- a small imported study: the report fits the data ----------------------------------------

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
STUDY_TITLE = "姑苏区报到 <2023> & co"


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """The 41-row 报到名册 imported and reported by the command line, with a title."""
    from cobuild_graph.cli import main
    from tests._rosters import write_report_roster

    folder = tmp_path_factory.mktemp("study")
    roster = write_report_roster(folder / "报到名册.xlsx")
    assert main(["import", str(roster), "-o", str(folder / "study")]) == 0
    out = folder / "report"
    assert main(["report", str(folder / "study"), "-o", str(out), "--title", STUDY_TITLE]) == 0
    G = cg.read_dataset(folder / "study")
    return G, roster, (out / "index.html").read_text(encoding="utf-8")


def _sections(page: str) -> dict[str, str]:
    return dict(re.findall(r'<section id="([^"]+)">(.*?)</section>', page, flags=re.S))


def test_a_small_studys_report_has_no_empty_section_table_or_chart(study):
    G, _, page = study
    for anchor, body in _sections(page).items():
        assert "<h3>" in body or "<img" in body or "<iframe" in body, anchor
    tables = _tables(page)
    assert len(tables) >= 10
    for title, (_, *rows) in tables.items():
        assert rows, title
        numbers = [text for row in rows for kind, text in row if kind == "num"]
        if numbers:
            assert any(float(n.replace(",", "")) != 0 for n in numbers if n), title
    labels = pd.Series(dict(G.nodes(data="label"))).value_counts()
    assert labels.get("District", 0) < 2  # one district: nothing to roll up across
    charts = re.findall(r'alt="([^"]+)"', page)
    assert not [c for c in charts if "district" in c.lower() or "区" in c]
    left_out = html.unescape(re.search(r'<p class="note left-out">([^<]*)</p>', page).group(1))
    assert "各区汇总 roll-up per district" in left_out
    assert "各街道经费 Funding per street (数值全为零或空 every number zero or empty)" in left_out
    assert "各街道经费" not in "".join(tables)


def test_a_small_studys_caveats_and_inferred_values_are_shown(study):
    G, _, page = study
    tables = _tables(page)
    inferred = tables[
        "推定的值（未从本行单元格读取） Values not read from their own cell (inferred)"
    ]
    shown = sum(int(row[-1][1]) for row in inferred[1:])
    marked = sum(
        len(cg.schema.inferred_fields(a.get("inferred")))
        for _, a in [*G.nodes(data=True), *((k, a) for *_, k, a in G.edges(keys=True, data=True))]
    )
    assert shown == marked > 0
    streets = page.split("<h3>社群（Louvain）及其街道 Communities (Louvain) and their streets</h3>")
    caveats = re.findall(r'<p class="note caveat">([^<]*)</p>', streets[1].split("<table")[0])
    assert any("no recorded Street" in html.unescape(c) for c in caveats)


def test_provenance_is_counted_by_file_and_sheet(study):
    G, roster, page = study
    nodes, ties = graph_to_tables_by_hand(G, roster)
    tables = _tables(page)
    for title, expected in (
        ("节点：按类型和来源（文件/工作表） Nodes by label and source (file/sheet)", nodes),
        ("关系：按类型和来源（文件/工作表） Ties by type and source (file/sheet)", ties),
    ):
        header, *rows = tables[title]
        columns = [text for _, text in header[1:]]
        assert columns == [*sorted(f"{roster.name}/{sheet}" for sheet in expected), "合计 all"]
        shown = {  # rows named as the schema shows them: "Community 社区", "合计 all"
            row[0][1].split()[-1 if row[0][1].startswith("合计") else 0]: dict(
                zip(columns, (int(t.replace(",", "")) for _, t in row[1:]), strict=True)
            )
            for row in rows
        }
        for sheet, counts in expected.items():
            for kind, count in counts.items():
                assert shown[kind][f"{roster.name}/{sheet}"] == count, (title, sheet, kind)
        kinds = {kind for counts in expected.values() for kind in counts}
        assert set(shown) == kinds | {"all"}


def graph_to_tables_by_hand(G, roster):
    """Per sheet of the roster, how many nodes (ties) of each kind name a row of it."""
    prefix = f"{roster}/"

    def count(items):
        counts: dict[str, dict[str, int]] = {}
        for kind, provenance in items:
            listed = provenance.split(" … ")[0].split(", ")
            sheets = {entry[len(prefix) : entry.rindex(":")] for entry in listed}
            for sheet in sheets:
                counts.setdefault(sheet, {}).setdefault(kind, 0)
                counts[sheet][kind] += 1
        return counts

    nodes = count((a["label"], a["provenance"]) for _, a in G.nodes(data=True))
    ties = count((a["type"], a["provenance"]) for *_, a in G.edges(data=True))
    return nodes, ties


def test_the_title_is_in_the_page_title_and_heading_escaped(study):
    _, _, page = study
    escaped = html.escape(STUDY_TITLE, quote=False)
    assert f"<title>{escaped}</title>" in page
    assert f"<h1>{escaped}</h1>" in page
    assert STUDY_TITLE not in page


class _Own(HTMLParser):
    """The report's own words: headings, links, captions, terms, notes (not caveats, not the
    values of the data) and table headers, each with its tag."""

    OWN = frozenset({"h1", "h2", "h3", "a", "figcaption", "dt", "p", "th"})

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[tuple[str, str]] = []
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.OWN:
            self._open.append((tag, dict(attrs).get("class") or ""))
        if tag == "img":
            self.texts.append(("alt", dict(attrs)["alt"]))

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open and data.strip():
            tag, kind = self._open[-1]
            if "caveat" not in kind:
                self.texts.append((tag, data.strip()))


def _own_words(page: str, roster_name: str) -> list[tuple[str, str]]:
    parser = _Own()
    parser.feed(page)
    data = ("map.html", "network.pdf", "network.png", roster_name)
    return [(tag, text) for tag, text in parser.texts if not text.startswith(data)]


@pytest.fixture(scope="module")
def study_graph(study):
    G, roster, _ = study
    return G, roster, analyze(G)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_report_speaks_one_language_when_asked(study_graph, tmp_path, language):
    G, roster, tables = study_graph
    page = write_report(G, tmp_path, tables=tables, language=language).read_text("utf-8")
    assert f'<html lang="{"en" if language == "en" else "zh-CN"}">' in page
    words = _own_words(page, roster.name)
    assert {tag for tag, _ in words} >= {"h1", "h2", "h3", "a", "th", "dt", "alt", "p"}
    if language == "en":
        assert [(tag, text) for tag, text in words if _CJK.search(text)] == []
        return
    # Chinese only: no English words but names that have no Chinese (E-I, Louvain, PageRank,
    # the schema's labels and the version line)
    kept = {"E", "I", "Louvain", "PageRank", "Blau", "District", "cobuild_graph"}  # names
    english = [
        (tag, text)
        for tag, text in words
        if set(re.findall(r"[A-Za-z_]{2,}", text)) - kept and not text[0].isdigit()
    ]
    assert english == []


def test_centrality_leads_with_degree_and_betweenness_on_a_fragmented_network(study):
    G, _, page = study
    H = cg.views.view(G, "cobuilding")
    components = nx.number_weakly_connected_components(H)
    assert components > 1
    measures = _sections(page)["measures"]
    terms = re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", measures)
    names = [name.split()[-1] for name, _ in terms]
    assert names[:2] == ["degree", "betweenness"]
    assert names[-2:] == ["eigenvector", "pagerank"]
    for name, sentence in terms:
        chinese, english = report.MEASURES[name.split()[-1]]
        assert html.unescape(sentence) == f"{chinese} {english}"
    assert f"此网络有 {components} 个连通分量" in measures
    header, *rows = _tables(page)["度中心度前 20 名 Top 20 nodes by degree"]
    degree = [float(row[3][1]) for row in rows]
    assert header[3][1] == "度中心度 degree"
    assert degree == sorted(degree, reverse=True)
