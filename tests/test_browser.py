"""The map and the report in a real browser: headless Chromium driven by Playwright.

Needs Debian's Chromium (``apt-get install chromium``, at ``/usr/bin/chromium`` or
``$COBUILD_CHROMIUM``) and Playwright's Python package; Playwright's own browser download
is not used. Every page runs with all requests routed: anything but the page's own
``file:`` and ``data:`` URLs is refused and fails the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

import cobuild_graph as cg
from cobuild_graph import domain
from cobuild_graph.maps import network_map
from cobuild_graph.report import write_report
from tests._pictures import HOSTILE, hostile_graph

#: Flags that keep Chromium off the network (and quiet) on a machine without one.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "suzhou"


def chromium_path() -> str:
    found = os.environ.get("COBUILD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail(
            "the browser tests need Debian's Chromium: apt-get install -y chromium "
            "(or set COBUILD_CHROMIUM to a Chromium binary)"
        )
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_playwright() as p:
        # Playwright gives every launch a fresh, empty profile directory of its own.
        launched = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class Watched:
    """A page and everything it did that a test may object to."""

    page: object
    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.refused == []
        assert self.dialogs == []


@pytest.fixture
def open_page(browser) -> Iterator[object]:
    contexts = []

    def open_(path: Path, *, wait_ready: bool = True) -> Watched:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        watched = Watched(page)

        def route(request_route):
            url = request_route.request.url
            if url.startswith(("file:", "data:")):
                request_route.continue_()
            else:
                watched.refused.append(url)
                request_route.abort()

        context.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and watched.errors.append(m.text))
        page.on("pageerror", lambda e: watched.errors.append(str(e)))

        def dialog(d):
            watched.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.goto(path.resolve().as_uri())
        if wait_ready:
            page.wait_for_function("() => window.cgMap && window.cgMap.ready", timeout=60_000)
        return watched

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def sample() -> nx.MultiDiGraph:
    return cg.read_dataset(SAMPLE)


@pytest.fixture(scope="module")
def sample_map(sample, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("map") / "map.html"
    network_map(sample, path, layout_seed=1)
    return path


def count(page, what: str) -> int:
    return page.evaluate(f"() => window.cgMap.network.body.data.{what}.length")


def test_sample_map_draws_every_node_without_errors_or_requests(open_page, sample, sample_map):
    watched = open_page(sample_map)
    assert count(watched.page, "nodes") == sample.number_of_nodes()
    assert count(watched.page, "edges") == sample.number_of_edges()
    assert watched.page.text_content("#cg-count").endswith(f"{sample.number_of_nodes()}")
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
    street = domain.ancestors(sample, "Street")
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


def test_hostile_names_open_hover_and_fire_nothing(open_page, tmp_path):
    G = hostile_graph()
    path = tmp_path / "hostile.html"
    network_map(G, path)
    watched = open_page(path)
    page = watched.page
    assert count(page, "nodes") == 4
    box = page.locator("#cg-network").bounding_box()
    for node in G.nodes:
        point = page.evaluate(
            "(id) => window.cgMap.network.canvasToDOM(window.cgMap.network.getPositions([id])[id])",
            node,
        )
        page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
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


def test_report_opens_offline_with_its_map(open_page, tmp_path):
    G = cg.generate("tiny", seed=3)
    index = write_report(G, tmp_path / "report", seed=1)
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
