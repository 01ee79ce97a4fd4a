"""The HTML report: files, sections, escaped tables, embedded charts, the map, offline."""

from __future__ import annotations

import base64
import html
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import domain, metrics, report
from cobuild_graph.analysis import analyze
from cobuild_graph.maps import aggregate_graph
from cobuild_graph.report import write_report
from tests._pictures import HOSTILE, hostile_graph
from tests.test_maps import page_data


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    G = cg.generate("tiny", seed=3)
    out = tmp_path_factory.mktemp("report")
    index = write_report(G, out, seed=1)
    return G, out, index.read_text(encoding="utf-8")


def test_report_writes_index_and_map(tiny_report):
    G, out, page = tiny_report
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "map.html"]
    data = page_data((out / "map.html").read_text(encoding="utf-8"))
    assert data["expandable"] is False  # small: every node at once
    assert len(data["nodes"]) == G.number_of_nodes()
    assert '<iframe src="map.html"' in page
    assert '<a href="map.html">' in page
    assert f"{G.number_of_nodes():,} nodes" in page


def test_report_has_the_summary_tables_and_charts(tiny_report):
    G, _, page = tiny_report
    for title in (
        "Nodes 节点 by label and provenance",
        "Ties 关系 by type and provenance",
        "Summary measures",
        "Coverage of communities",
        "Balance per street",
        "Top 20 nodes by PageRank",
        "All ties per year",
    ):
        assert f"<h3>{title}</h3>" in page
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert len(charts) >= 9
    svg = base64.b64decode(charts[0]).decode("utf-8")
    assert "<svg" in svg
    provenance = pd.Series([a.get("provenance") for _, a in G.nodes(data=True)])
    synthetic = int((provenance == "synthetic").sum())
    assert f"<td>{synthetic}</td>" in page


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
    balance = page.split("<h3>Balance per street</h3>")[1].split("</table>")[0]
    assert "<tbody>" in balance
    assert "street-" not in balance


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
    assert "<h3>Balance per street</h3>" in page
    parser = _Tags()
    parser.feed(page)
    assert {tag for tag, _ in parser.tags}.isdisjoint({"script", "object", "embed"})
    images = [dict(attrs)["src"] for tag, attrs in parser.tags if tag == "img"]
    assert images
    assert all(src.startswith("data:image/svg+xml;base64,") for src in images)
    handlers = [name for _, attrs in parser.tags for name, _ in attrs if name.startswith("on")]
    assert handlers == []
    assert html.escape(HOSTILE[0], quote=False) in page
    assert html.escape(HOSTILE[1], quote=False) in page
    assert "<title>&lt;script&gt;" in page
