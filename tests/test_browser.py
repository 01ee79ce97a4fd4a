"""The map and the report in a real browser: headless Chromium driven by Playwright.

Needs Debian's Chromium and Playwright's Python package (see :mod:`tests._chromium`).
Every page runs with all requests routed: anything but the page's own ``file:`` and
``data:`` URLs is refused and fails the test.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

import cobuild_graph as cg
from cobuild_graph import domain
from cobuild_graph._style import tie_colors
from cobuild_graph.maps import COLLAPSE, aggregate_graph, fold_tree, network_map
from cobuild_graph.report import write_report
from tests._chromium import Watched, launch, watch
from tests._pictures import HOSTILE, hostile_graph

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "suzhou"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        launched = launch(p)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser) -> Iterator[object]:
    contexts = []

    def open_(path: Path, *, wait_ready: bool = True) -> Watched:
        watched = watch(
            browser, path, viewport={"width": 1280, "height": 800}, wait_ready=wait_ready
        )
        contexts.append(watched.page.context)
        return watched

    yield open_
    for context in contexts:
        context.close()


def count(page, what: str) -> int:
    return page.evaluate(f"() => window.cgMap.network.body.data.{what}.length")


def drawn_ids(page) -> set:
    return set(page.evaluate("() => window.cgMap.view.getIds()"))


def node_point(page, node) -> tuple[float, float]:
    """Where `node` is on the screen, for a real mouse."""
    box = page.locator("#cg-network").bounding_box()
    point = page.evaluate(
        "(id) => window.cgMap.network.canvasToDOM(window.cgMap.network.getPositions([id])[id])",
        node,
    )
    return box["x"] + point["x"], box["y"] + point["y"]


def test_sample_map_draws_every_node_without_errors_or_requests(open_page, sample, sample_map):
    watched = open_page(sample_map)
    assert count(watched.page, "nodes") == sample.number_of_nodes()
    assert count(watched.page, "edges") == sample.number_of_edges()
    assert watched.page.text_content("#cg-count").endswith(f"{sample.number_of_nodes()}")
    assert not watched.page.is_visible("#cg-fold-all")  # nothing to unfold
    watched.assert_clean()


def test_screenshot_shows_a_drawn_network(open_page, sample_map, tmp_path):
    watched = open_page(sample_map)
    shot = tmp_path / "map.png"
    watched.page.locator("#cg-network").screenshot(path=str(shot))
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3)
    drawn = (pixels < 240).any(axis=1).mean()
    assert drawn > 0.05, f"only {drawn:.1%} of the canvas is drawn"
    assert len(np.unique(pixels, axis=0)) > 50  # many colours: nodes and ties, not one blot
    watched.assert_clean()


def test_searching_a_chinese_name_selects_that_node(open_page, sample, sample_map):
    watched = open_page(sample_map)
    page = watched.page
    holding = [n for n, a in sample.nodes(data=True) if "道前社区" in a["name"]]
    page.fill("#cg-search", "道前社区")
    page.press("#cg-search", "Enter")
    assert page.evaluate("() => window.cgMap.network.getSelectedNodes()") == ["community-daoqian"]
    assert page.text_content("#cg-search-info") == f"1 / {len(holding)}"  # exact name first
    assert page.text_content("#cg-details").startswith("道前社区\n")
    page.fill("#cg-search", "不存在的名字")
    page.press("#cg-search", "Enter")
    assert page.text_content("#cg-search-info") == "无匹配 no match"
    assert page.evaluate("() => window.cgMap.network.getSelectedNodes()") == []
    watched.assert_clean()


def test_filters_by_label_and_street_show_the_right_nodes(open_page, sample, sample_map):
    watched = open_page(sample_map)
    page = watched.page
    street = domain.ancestors(sample, level="Street")
    chosen = "street-canglang"
    page.select_option("#cg-filter-Street", label=sample.nodes[chosen]["name"])
    assert count(page, "nodes") == int((street == chosen).sum())
    page.get_by_label("Position 阵地", exact=False).uncheck()
    positions = {n for n, a in sample.nodes(data=True) if a["label"] == "Position"}
    expected = int(((street == chosen) & ~street.index.isin(positions)).sum())
    assert count(page, "nodes") == expected
    page.select_option("#cg-filter-Street", value="-1")
    assert count(page, "nodes") == sample.number_of_nodes() - len(positions)
    watched.assert_clean()


# -- the expandable map: starts at street level, unfolds on double-click ----------------------


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory) -> tuple[nx.MultiDiGraph, Path]:
    """A tiny graph and its report, written once: the tests below only read it."""
    G = cg.generate("tiny", seed=3)
    return G, write_report(G, tmp_path_factory.mktemp("report") / "report", seed=1)


@pytest.fixture(scope="module")
def street_map(sample, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("street") / "map.html"
    network_map(sample, path, aggregate="Street", expandable=True, layout_seed=1)
    return path


def drawn_ties(page) -> Counter:
    """The ties drawn, as (from, to, colour, width) with their multiplicity."""
    ties = page.evaluate(
        "() => window.cgMap.edges.get().map(e => [e.from, e.to, e.color, e.width || 1])"
    )
    return Counter(map(tuple, ties))


def expected_ties(G: nx.MultiDiGraph, stand_in: dict) -> Counter:
    """The ties between the nodes `stand_in` maps to, merged per type as the map merges them."""
    colors = tie_colors(cg.DEFAULT_SCHEMA)
    merged = Counter(
        (stand_in[u], stand_in[v], key)
        for u, v, key in G.edges(keys=True)
        if stand_in[u] != stand_in[v]
    )
    return Counter(
        (u, v, colors[key], round(1 + np.log2(n), 1) if n > 1 else 1)
        for (u, v, key), n in merged.items()
    )


def test_expandable_map_starts_as_the_street_level_map(open_page, sample, street_map):
    watched = open_page(street_map)
    page = watched.page
    H, _ = aggregate_graph(sample, "Street")
    assert drawn_ids(page) == set(H.nodes)
    assert page.text_content("#cg-count").endswith(f"{H.number_of_nodes()} / {len(sample)}")
    folded = network_map(sample, aggregate="Street")
    widths = Counter((e["from"], e["to"], e["color"], e.get("width", 1)) for e in folded.edges)
    assert drawn_ties(page) == widths
    assert page.is_visible("#cg-fold-all")
    watched.assert_clean()


def test_double_click_unfolds_a_street_and_collapse_all_folds_it(open_page, sample, street_map):
    watched = open_page(street_map)
    page = watched.page
    start = drawn_ids(page)
    street = domain.ancestors(sample, level="Street")
    community = domain.ancestors(sample, level="Community")
    label = pd.Series(dict(sample.nodes(data="label")))
    chosen = next(  # a street no other node covers on the screen
        s
        for s in sorted(label.index[label == "Street"])
        if page.evaluate(
            "(id) => window.cgMap.network.getNodeAt("
            "window.cgMap.network.canvasToDOM(window.cgMap.network.getPositions([id])[id])) === id",
            s,
        )
    )
    inside = street == chosen
    # branches, positions, projects in no community of this street are the street's own
    own = label.isin(COLLAPSE) & (community.map(street) != chosen)
    children = set(label.index[inside & ((label == "Community") | own)])
    assert children
    page.mouse.dblclick(*node_point(page, chosen))
    assert drawn_ids(page) == start | children
    assert count(page, "nodes") == len(start) + len(children)
    assert page.evaluate("() => window.cgMap.network.getSelectedNodes()") == [chosen]
    assert "holds 包含" not in page.text_content("#cg-details")
    parents = fold_tree(sample, "Street")
    stand_in = {}
    for node in sample:
        up = node
        while up not in start | children:
            up = parents[up]
        stand_in[node] = up
    assert drawn_ties(page) == expected_ties(sample, stand_in)
    page.click("#cg-fold-all")
    assert drawn_ids(page) == start
    assert page.text_content("#cg-count").startswith(f"显示 shown: {len(start)} /")
    watched.assert_clean()


def test_search_unfolds_the_way_to_a_folded_node(open_page, sample, street_map):
    watched = open_page(street_map)
    page = watched.page
    page.fill("#cg-search", "道前社区")
    page.press("#cg-search", "Enter")
    assert page.evaluate("() => window.cgMap.network.getSelectedNodes()") == ["community-daoqian"]
    assert "community-daoqian" in drawn_ids(page)
    assert page.text_content("#cg-details").startswith("道前社区\n")
    parents = fold_tree(sample, "Street")
    names = Counter(name for _, name in sample.nodes(data="name"))
    branch = next(  # two steps down: in a community of a street
        n
        for n, a in sample.nodes(data=True)
        if a["label"] == "ActionBranch"
        and names[a["name"]] == 1
        and sample.nodes[parents[n]]["label"] == "Community"
    )
    page.fill("#cg-search", sample.nodes[branch]["name"])
    page.press("#cg-search", "Enter")
    assert page.evaluate("() => window.cgMap.network.getSelectedNodes()") == [branch]
    assert {branch, parents[branch], parents[parents[branch]]} <= drawn_ids(page)
    watched.assert_clean()


@pytest.mark.parametrize("expandable", [False, True], ids=["full", "expandable"])
def test_hostile_names_open_hover_and_fire_nothing(open_page, tmp_path, expandable):
    G = hostile_graph()
    path = tmp_path / "hostile.html"
    network_map(
        G,
        path,
        aggregate="Street" if expandable else None,
        expandable=expandable,
        filter_levels=["Street"],  # its one street: a filter only when asked for
    )
    watched = open_page(path)
    page = watched.page
    if expandable:
        assert drawn_ids(page) == {"d", "s", "u"}  # the community folded into its street
        page.mouse.dblclick(*node_point(page, "s"))
    assert count(page, "nodes") == 4
    box = page.locator("#cg-network").bounding_box()
    for node in G.nodes:
        page.mouse.move(*node_point(page, node))
        tooltip = page.locator("div.vis-tooltip")
        tooltip.wait_for(state="visible", timeout=5_000)
        assert tooltip.inner_text().splitlines()[0] == G.nodes[node]["name"]
        page.mouse.move(box["x"] + 2, box["y"] + 2)
        tooltip.wait_for(state="hidden", timeout=5_000)
    for node, name in zip("scu", HOSTILE, strict=True):
        page.fill("#cg-search", name)
        page.press("#cg-search", "Enter")
        assert page.evaluate("() => window.cgMap.network.getSelectedNodes()") == [node]
        assert page.text_content("#cg-details").startswith(name)
    options = page.eval_on_selector_all("#cg-filter-Street option", "os => os.map(o => o.text)")
    assert HOSTILE[0] in options
    assert page.title() == "<script>alert('title')</script>"
    assert page.evaluate("() => document.querySelectorAll('img, iframe, object').length") == 0
    handlers = page.evaluate(
        "() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
        ".map(a => a.name).filter(n => n.startsWith('on'))"
    )
    assert handlers == []
    watched.assert_clean()


def test_map_shows_inside_a_jupyter_srcdoc_iframe(browser, tmp_path):
    G = cg.generate("tiny", seed=3)
    shown = network_map(G, height="480px")._repr_html_()
    page = browser.new_page()
    try:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_content(f"<!DOCTYPE html><html><body>{shown}</body></html>")
        frame = page.frames[1]
        frame.wait_for_function("() => window.cgMap && window.cgMap.ready", timeout=30_000)
        assert frame.evaluate("() => window.cgMap.network.body.data.nodes.length") == len(G)
        assert errors == []
    finally:
        page.close()


def test_report_opens_offline_with_its_map(open_page, tiny_report):
    G, index = tiny_report
    watched = open_page(index, wait_ready=False)
    page = watched.page
    page.locator("#map").scroll_into_view_if_needed()
    frame = next(f for f in page.frames if f.url.endswith("map.html"))
    frame.wait_for_function("() => window.cgMap && window.cgMap.ready", timeout=30_000)
    assert frame.evaluate("() => window.cgMap.network.body.data.nodes.length") == len(G)
    assert page.evaluate("() => document.querySelectorAll('img').length") >= 9
    natural = page.evaluate("() => [...document.images].map(i => i.naturalWidth)")
    assert all(width > 0 for width in natural)  # every chart decoded
    watched.assert_clean()


def search_selects(frame, G: nx.MultiDiGraph) -> None:
    """In the map of `frame`: a name typed and Enter pressed, then another name and the
    button clicked, each selects its node and shows it in the details panel."""
    frame.wait_for_function("() => window.cgMap && window.cgMap.ready", timeout=30_000)
    named = Counter(a["name"] for _, a in G.nodes(data=True))
    # names no other name contains: the first hit is the node itself
    unique = [
        (n, a["name"])
        for n, a in G.nodes(data=True)
        if a["label"] in ("Community", "Unit") and sum(a["name"] in other for other in named) == 1
    ]
    for (node, name), how in zip(unique[:2], ("Enter", "click"), strict=True):
        frame.fill("#cg-search", name)
        if how == "Enter":
            frame.press("#cg-search", "Enter")
        else:
            frame.click("#cg-search-go")
        assert frame.evaluate("() => window.cgMap.network.getSelectedNodes()") == [node], how
        assert frame.text_content("#cg-search-info") == "1 / 1"
        assert frame.text_content("#cg-details").startswith(name + "\n")


def test_search_works_inside_the_reports_sandboxed_frame(open_page, tiny_report):
    G, index = tiny_report
    watched = open_page(index, wait_ready=False)
    page = watched.page
    # the frame as the report writes it: scripts, and no form may be submitted in it
    assert page.get_attribute("#map iframe", "sandbox") == "allow-scripts"
    page.locator("#map").scroll_into_view_if_needed()
    frame = next(f for f in page.frames if f.url.endswith("map.html"))
    search_selects(frame, G)
    watched.assert_clean()


def test_search_works_inside_a_notebooks_output(browser, tmp_path):
    G = cg.generate("tiny", seed=3)
    shown = network_map(G, height="480px")._repr_html_()  # what a notebook cell's output holds
    assert 'sandbox="allow-scripts"' in shown
    output = tmp_path / "output.html"
    output.write_text(f"<!DOCTYPE html><html><body>{shown}</body></html>", encoding="utf-8")
    watched = watch(browser, output, viewport={"width": 1280, "height": 800}, wait_ready=False)
    try:
        search_selects(watched.page.frames[1], G)
        watched.assert_clean()
    finally:
        watched.page.context.close()


def test_map_text_shows_before_its_font_is_ready(open_page, sample_map):
    watched = open_page(sample_map)
    page = watched.page
    # the embedded font swaps in: until it is decoded the text is set in the fallbacks
    assert page.evaluate("() => [...document.fonts].map(f => [f.family, f.display])") == [
        ["Cobuild Sans SC", "swap"]
    ]
    stacks = page.evaluate(
        "() => [...document.querySelectorAll('h1, h2, button, label')]"
        ".map((e) => getComputedStyle(e).fontFamily)"
    )
    assert all('"Noto Sans CJK SC"' in stack for stack in stacks)  # a system CJK font next
    watched.assert_clean()


def test_map_of_a_roster_study_offers_only_what_it_has(open_page, tmp_path):
    import openpyxl

    from tests._rosters import PLACES, write_report_roster

    roster = write_report_roster(tmp_path / "roster.xlsx")
    book = openpyxl.load_workbook(roster)
    book["社区名单"].delete_cols(1)  # the study names no district
    book.save(roster)
    G = cg.read_roster(roster).graph
    labels = {a["label"] for _, a in G.nodes(data=True)}
    assert "District" not in labels
    network_map(G, tmp_path / "map.html")
    watched = open_page(tmp_path / "map.html")
    page = watched.page
    filters = page.eval_on_selector_all("#cg-filters select", "ss => ss.map(s => s.id)")
    assert filters == ["cg-filter-Street"]
    streets = page.eval_on_selector_all("#cg-filter-Street option", "os => os.map(o => o.text)")
    assert streets[1:] == sorted(PLACES)
    assert "District" not in page.text_content("#cg-filters")
    legend = page.eval_on_selector_all(
        "#cg-labels span:last-child", "ss => ss.map(s => s.textContent)"
    )
    assert len(legend) == len(labels)
    assert not any("District" in text for text in legend)
    ties = page.eval_on_selector_all("#cg-ties input", "bs => bs.map(b => b.dataset.tie)")
    assert set(ties) == {k for _, _, k in G.edges(keys=True)}
    page.focus("#cg-color-by")
    offered = page.eval_on_selector_all(
        "#cg-color-by optgroup[label^='属性'] option", "os => os.map(o => o.value)"
    )
    held = {k for _, a in G.nodes(data=True) for k, v in a.items() if v not in (None, "")}
    assert offered
    assert set(offered) <= held
    watched.assert_clean()


def test_report_tables_scroll_inside_their_box_with_the_names_in_view(open_page, tiny_report):
    _, index = tiny_report
    watched = open_page(index, wait_ready=False)
    page = watched.page
    page.set_viewport_size({"width": 900, "height": 800})
    found = page.evaluate(
        """() => {
          const lines = cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
          };
          const boxes = [...document.querySelectorAll('div.table')];
          const wide = boxes.filter(b => b.scrollWidth > b.clientWidth);
          const box = wide[0];
          box.scrollLeft = box.scrollWidth;
          const name = box.querySelector('tbody td.name');
          return {
            pageWidth: document.documentElement.scrollWidth,
            wide: wide.length,
            scrolled: box.scrollLeft,
            nameLeft: name.getBoundingClientRect().left,
            boxLeft: box.getBoundingClientRect().left,
            wrappedIds: [...document.querySelectorAll('td.id')]
              .filter(c => c.textContent && lines(c) > 1).map(c => c.textContent),
          };
        }"""
    )
    assert found["pageWidth"] <= 900  # the page itself does not scroll sideways
    assert found["wide"] > 0
    assert found["scrolled"] > 0
    assert abs(found["nameLeft"] - found["boxLeft"]) <= 1  # the names stay in view
    assert found["wrappedIds"] == []
    watched.assert_clean()
