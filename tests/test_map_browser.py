"""The map's reading aids and controls in a real browser (Debian's Chromium, Playwright):
names by level of detail, fit to view, tie-type toggles, colour by, PNG export, the time
slider, ego maps and the embedded Chinese font on a machine without CJK fonts.

Every page is watched as in :mod:`tests.test_browser`: a JavaScript error, a request for
anything but the page's own file, or a dialog fails the test.
"""

from __future__ import annotations

import base64
import io
import itertools
import os
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

import cobuild_graph as cg
from cobuild_graph.maps import network_map
from cobuild_graph.schema import DEFAULT_SCHEMA
from tests._chromium import CHROMIUM_FLAGS, Watched, chromium_path, launch, watch
from tests.test_browser import SAMPLE

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1440, "height": 900}
#: What the map page may load: itself, and what it makes (its PNG export makes a blob).
SCHEMES = ("file:", "data:", "blob:")


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def chromium(playwright):
    launched = launch(playwright)
    yield launched
    launched.close()


@pytest.fixture
def open_map(chromium):
    opened: list[Watched] = []

    def open_(path: Path, **options) -> Watched:
        watched = watch(chromium, path, viewport=VIEWPORT, schemes=SCHEMES, **options)
        opened.append(watched)
        return watched

    yield open_
    for watched in opened:
        watched.page.context.close()


def screen_positions(page) -> dict:
    """Where each drawn node is, in pixels of the map's element."""
    return page.evaluate(
        """() => {
          const net = window.cgMap.network, ids = window.cgMap.view.getIds();
          const at = net.getPositions(ids), out = {};
          ids.forEach((id) => { out[id] = net.canvasToDOM(at[id]); });
          return out;
        }"""
    )


def map_size(page) -> tuple[float, float]:
    box = page.locator("#cg-network").bounding_box()
    return box["width"], box["height"]


def assert_inside_and_filling(page, *, fill: float) -> None:
    points = np.array([(p["x"], p["y"]) for p in screen_positions(page).values()])
    width, height = map_size(page)
    assert (points >= -1).all()
    assert (points[:, 0] <= width + 1).all()
    assert (points[:, 1] <= height + 1).all()
    span = np.ptp(points, axis=0)
    assert max(span[0] / width, span[1] / height) >= fill


def overlapping(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and (a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"])
    )


def drawn_edge_ids(page) -> list:
    return page.evaluate("() => window.cgMap.edgeView.getIds()")


# -- names at first sight -------------------------------------------------------------------


def test_first_view_names_the_upper_levels_without_overlaps(open_map, sample, sample_map):
    watched = open_map(sample_map)
    page = watched.page
    boxes = page.evaluate("() => window.cgMap.labels")
    labels = {b["id"]: sample.nodes[b["id"]]["label"] for b in boxes}
    assert len(labels) >= 20
    assert set(labels.values()) <= {"City", "District", "Street"}
    # every district is named, unless another district named sits right beside it
    upper = {n for n, a in sample.nodes(data=True) if a["label"] in ("City", "District")}
    at = screen_positions(page)
    for district in upper - set(labels):
        crowded = [
            n
            for n in upper & set(labels)
            if np.hypot(
                *np.subtract((at[n]["x"], at[n]["y"]), (at[district]["x"], at[district]["y"]))
            )
            < 40
        ]
        assert crowded, district
    assert len(upper & set(labels)) >= len(upper) - 1
    width, height = map_size(page)
    for box in boxes:
        assert 0 <= box["x"] <= width - box["w"]
        assert 0 <= box["y"] <= height - box["h"]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlapping(a, b), (a["id"], b["id"])
    # zoomed in on a community, the lower levels get their names
    page.evaluate(
        """() => { const net = window.cgMap.network;
          net.moveTo({ position: net.getPositions(["community-daoqian"])["community-daoqian"],
                       scale: 4, animation: false }); }"""
    )
    page.wait_for_function(
        "() => window.cgMap.labels.some((b) => b.id === 'community-daoqian')", timeout=5_000
    )
    deeper = {sample.nodes[b["id"]]["label"] for b in page.evaluate("() => window.cgMap.labels")}
    assert deeper - {"City", "District", "Street"}
    watched.assert_clean()


def test_first_view_has_every_node_inside_the_view(open_map, sample_map):
    watched = open_map(sample_map)
    assert_inside_and_filling(watched.page, fill=0.8)
    watched.assert_clean()


def test_filtering_a_street_fits_its_nodes_to_the_view(open_map, sample, sample_map):
    watched = open_map(sample_map)
    page = watched.page
    page.select_option("#cg-filter-Street", label=sample.nodes["street-canglang"]["name"])
    street = cg.domain.ancestors(sample, level="Street")
    assert set(screen_positions(page)) == set(street.index[street == "street-canglang"])
    assert_inside_and_filling(page, fill=0.6)
    watched.assert_clean()


def test_search_focuses_the_hit_with_an_animation(open_map, sample_map):
    watched = open_map(sample_map)
    page = watched.page
    before = page.evaluate("() => window.cgMap.network.getScale()")
    page.fill("#cg-search", "道前社区")
    page.press("#cg-search", "Enter")
    just_after = page.evaluate("() => window.cgMap.network.getScale()")
    page.wait_for_function("() => window.cgMap.network.getScale() > 1.49", timeout=20_000)
    assert before <= just_after < 1.49  # zooms in over several frames: animated, not a jump
    page.wait_for_timeout(300)  # the animation's last frame
    x, y = screen_positions(page)["community-daoqian"].values()  # {x, y}
    width, height = map_size(page)
    assert (x, y) == (pytest.approx(width / 2, abs=2), pytest.approx(height / 2, abs=2))
    watched.assert_clean()


# -- controls ---------------------------------------------------------------------------------


def test_tie_type_toggle_hides_exactly_those_ties(open_map, sample, sample_map):
    watched = open_map(sample_map)
    page = watched.page
    types = Counter(key for _, _, key in sample.edges(keys=True))
    tie_type = types.most_common(2)[1][0]
    page.uncheck(f"input[data-tie='{tie_type}']")
    drawn = page.evaluate("() => window.cgMap.edgeView.get().map((e) => [e.from, e.to, e.cg_type])")
    expected = Counter((u, v, k) for u, v, k in sample.edges(keys=True) if k != tie_type)
    assert Counter(map(tuple, drawn)) == expected
    assert len(drawn_edge_ids(page)) == sample.number_of_edges() - types[tie_type]
    page.check(f"input[data-tie='{tie_type}']")
    assert len(drawn_edge_ids(page)) == sample.number_of_edges()
    watched.assert_clean()


def test_colour_by_an_attribute_or_a_measure_updates_the_legend(open_map, tmp_path):
    G = cg.generate("tiny", seed=3)  # every unit type, and a measure to ramp
    tables = {"centrality": cg.metrics.centrality(G)}
    path = tmp_path / "measures.html"
    network_map(G, path, tables=tables, layout_seed=1)
    watched = open_map(path)
    page = watched.page
    assert page.is_hidden("#cg-colour-section")
    page.select_option("#cg-color-by", "unit_type")
    assert page.text_content("#cg-colour-title") == "unit_type"
    items = page.eval_on_selector_all("#cg-colours li", "ls => ls.map(l => l.textContent)")
    kinds = pd.Series(dict(G.nodes(data="unit_type"))).dropna().value_counts()
    # each kind as the schema shows it: its Chinese label, then the code
    shown = {kind: DEFAULT_SCHEMA.value_label("unit_type", kind)[0] for kind in kinds.index}
    assert items == [f"{shown[kind]} {kind} ({n})" for kind, n in kinds.items()]
    colours = page.evaluate(
        "() => Object.fromEntries(window.cgMap.nodes.get().map((n) => [n.id, n.color]))"
    )
    unit_type = pd.Series(dict(G.nodes(data="unit_type")))
    per_kind = {k: {colours[n] for n in unit_type.index[unit_type == k]} for k in kinds.index}
    assert all(len(c) == 1 for c in per_kind.values())
    assert len({next(iter(c)) for c in per_kind.values()}) == len(kinds)
    page.select_option("#cg-color-by", "betweenness")
    assert page.is_visible("#cg-colours .cg-ramp")
    ends = page.eval_on_selector_all(
        "#cg-colours .cg-ramp-ends span", "s => s.map(e => e.textContent)"
    )
    betweenness = tables["centrality"]["betweenness"]
    assert float(ends[0]) == pytest.approx(betweenness.min(), rel=1e-3, abs=1e-12)
    assert float(ends[1]) == pytest.approx(betweenness.max(), rel=1e-3)
    page.select_option("#cg-color-by", "label")
    assert page.is_hidden("#cg-colour-section")
    watched.assert_clean()


def test_png_export_is_the_view_at_twice_its_size(open_map, sample_map, tmp_path):
    watched = open_map(sample_map, accept_downloads=True)
    page = watched.page
    with page.expect_download() as download:
        page.click("#cg-png")
    saved = tmp_path / "view.png"
    download.value.save_as(saved)
    picture = Image.open(saved)
    width, height = map_size(page)
    assert picture.size == (round(width) * 2, round(height) * 2)
    pixels = np.asarray(picture.convert("RGB")).reshape(-1, 3)
    assert (pixels < 240).any(axis=1).mean() > 0.02  # the network, not a blank sheet
    assert page.evaluate("() => window.cgMap.network.canvas.frame.canvas.width") == round(width)
    watched.assert_clean()


# -- drawing big maps (map-draw.js) -----------------------------------------------------------

#: Zoom out until every node is a small disc (map-draw.js copies those from images), draw
#: the frame with the page's drawing and with vis-network's own (the renderer's methods
#: restored), and count vis-network's node draws in each; ties left out when `ties` is false.
BOTH_DRAWINGS = """([scale, ties]) => {
  const net = window.cgMap.network, renderer = net.renderer, body = net.body;
  net.moveTo({ scale: scale, animation: false });
  const counted = [body.nodes[body.nodeIndices[0]], body.edges[body.edgeIndices[0]]].map(
    (item) => Object.getPrototypeOf(item));
  if (!ties) { body.edgeIndices = []; }
  const draws = counted.map((proto) => proto.draw);
  let calls = [0, 0];
  counted.forEach((proto, i) => {
    proto.draw = function () { calls[i] += 1; return draws[i].apply(this, arguments); };
  });
  const picture = () => {
    calls = [0, 0];
    renderer._redraw();
    return [net.canvas.frame.canvas.toDataURL("image/png"), calls];
  };
  const page = picture();
  const own = [renderer._drawNodes, renderer._drawEdges];
  delete renderer._drawNodes;
  delete renderer._drawEdges;
  const vis = picture();
  renderer._drawNodes = own[0];
  renderer._drawEdges = own[1];
  counted.forEach((proto, i) => { proto.draw = draws[i]; });
  return { page: page[0], pageCalls: page[1], vis: vis[0], visCalls: vis[1],
           nodes: body.nodeIndices.length, ties: body.edgeIndices.length };
}"""


def on_white(data_url: str) -> np.ndarray:
    """The canvas as seen on the page's white (the colour of a transparent pixel is moot)."""
    raw = base64.b64decode(data_url.split(",", 1)[1])
    rgba = np.asarray(Image.open(io.BytesIO(raw)).convert("RGBA")).astype(float)
    alpha = rgba[..., 3:] / 255
    return rgba[..., :3] * alpha + 255 * (1 - alpha)


def test_small_nodes_look_as_vis_network_draws_them(open_map, sample_map):
    watched = open_map(sample_map)
    frames = watched.page.evaluate(BOTH_DRAWINGS, [0.15, False])
    assert frames["pageCalls"][0] == 0  # every node copied from its disc's image
    assert frames["visCalls"][0] == frames["nodes"] > 5000
    page, vis = on_white(frames["page"]), on_white(frames["vis"])
    inked = (vis < 250).any(axis=2).sum()
    assert inked > 0.05 * vis[..., 0].size
    off = np.abs(page - vis).max(axis=2)
    # discs are placed to 1/8 pixel: only their anti-aliased rims differ, and a little
    assert (off > 64).sum() < 0.001 * inked
    assert (off > 32).sum() < 0.02 * inked
    watched.assert_clean()


def test_ties_drawn_in_batches_look_as_vis_network_draws_them(open_map, tmp_path):
    path = tmp_path / "bigger.html"
    network_map(cg.generate(3, seed=1), path, layout_seed=1)  # enough ties to batch
    watched = open_map(path)
    frames = watched.page.evaluate(BOTH_DRAWINGS, [0.2, True])
    assert frames["pageCalls"][1] == 0  # every tie in a batch
    assert frames["visCalls"][1] == frames["ties"] > 5000
    page, vis = on_white(frames["page"]), on_white(frames["vis"])
    inked = (vis < 250).any(axis=2)
    assert inked.mean() > 0.2
    # one path per colour and width: the same ink, a crossing of ties of one colour drawn
    # once (a shade lighter than two lines laid over each other), and where colours cross
    # the one on top may differ from vis-network's tie-by-tie order; no pixel far off
    assert abs((page < 250).any(axis=2).mean() - inked.mean()) < 0.01
    assert (np.abs(page - vis).max(axis=2) > 64).sum() < 0.001 * inked.sum()
    watched.assert_clean()


def test_nodes_drawn_from_images_are_found_where_they_are_drawn(open_map, sample_map):
    watched = open_map(sample_map)
    found = watched.page.evaluate(
        """() => {
          const net = window.cgMap.network, body = net.body;
          net.moveTo({ scale: 0.15, animation: false });
          // three nodes moved to empty corners of the view, then one frame drawn
          const corners = [{ x: 12, y: 12 }, { x: 12, y: 600 }, { x: 900, y: 12 }];
          const ids = body.nodeIndices.slice(0, 3);
          ids.forEach((id, i) => {
            const at = net.DOMtoCanvas(corners[i]);
            body.nodes[id].x = at.x;
            body.nodes[id].y = at.y;
          });
          net.renderer._redraw();
          return ids.map((id, i) => {
            const node = body.nodes[id], box = node.shape.boundingBox;
            const middle = [
              (box.left + box.right) / 2 - node.x, (box.top + box.bottom) / 2 - node.y
            ];
            return [id, net.getNodeAt(corners[i]), middle];
          });
        }"""
    )
    # the page keeps vis-network's bounds of what it draws: clicks find the nodes, and the
    # boxes it culls by are round them
    assert all(under == node for node, under, _ in found)
    assert np.allclose([middle for _, _, middle in found], 0)
    watched.assert_clean()


# -- time -------------------------------------------------------------------------------------

DRAWN_TIES = "() => window.cgMap.drawnEdges().map((e) => [e.from, e.to, e.cg_type])"


@pytest.mark.parametrize("when", ["2019-06-30", "2022-01-01"])
def test_time_slider_shows_exactly_the_ties_active_that_day(open_map, sample, sample_map, when):
    ties = pd.read_csv(SAMPLE / "ties.csv", parse_dates=["since", "until"], encoding="utf-8-sig")
    day = pd.Timestamp(when)
    holds = (ties["since"].isna() | (ties["since"] <= day)) & (
        ties["until"].isna() | (ties["until"] >= day)
    )
    watched = open_map(sample_map)
    page = watched.page
    assert page.is_visible("#cg-time")
    days = (day - pd.Timestamp(0)).days
    page.eval_on_selector(
        "#cg-time", "(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", days
    )
    assert page.text_content("#cg-date") == when
    assert page.text_content("#cg-active") == f"关系 active ties: {int(holds.sum())}"
    active = ties[holds]
    expected = Counter(zip(active["source"], active["target"], active["type"], strict=True))
    assert Counter(map(tuple, page.evaluate(DRAWN_TIES))) == expected
    lonely = {n for n in sample if sample.degree(n) == 0}
    joined = set(active["source"]) | set(active["target"])
    assert set(page.evaluate("() => window.cgMap.drawnNodes()")) == joined | lonely
    assert page.text_content("#cg-count") == f"显示 shown: {len(joined | lonely)} / {len(sample)}"
    # hiding a tie type and showing it again keeps to the day
    ended = ties.loc[ties["until"].notna(), "type"].mode()[0]  # a type whose ties end
    page.uncheck(f"input[data-tie='{ended}']")
    without = Counter(map(tuple, page.evaluate(DRAWN_TIES)))
    assert without == Counter({t: n for t, n in expected.items() if t[2] != ended})
    page.check(f"input[data-tie='{ended}']")
    assert Counter(map(tuple, page.evaluate(DRAWN_TIES))) == expected
    page.click("#cg-time-all")
    assert len(page.evaluate("() => window.cgMap.drawnEdges()")) == sample.number_of_edges()
    watched.assert_clean()


def test_time_slider_can_leave_out_the_ties_with_inferred_dates(open_map, tmp_path):
    G = cg.generate("tiny", seed=3)  # 648 of its 696 ties dated, 9 of them ended
    dated = [(u, v, k) for u, v, k, day in G.edges(keys=True, data="since") if day is not None]
    marked = set(dated[::2])
    for u, v, k in marked:
        G.edges[u, v, k]["inferred"] = "since:roster_year"
    path = tmp_path / "inferred.html"
    network_map(G, path, layout_seed=1)
    ties = pd.DataFrame(
        [(u, v, k, a.get("since"), a.get("until")) for u, v, k, a in G.edges(keys=True, data=True)],
        columns=["source", "target", "type", "since", "until"],
    )
    ties[["since", "until"]] = ties[["since", "until"]].apply(pd.to_datetime)
    ties["marked"] = [
        t in marked for t in zip(ties["source"], ties["target"], ties["type"], strict=True)
    ]
    day = ties.loc[ties["marked"], "since"].max()  # every marked tie has begun by then
    holds = (ties["since"].isna() | (ties["since"] <= day)) & (
        ties["until"].isna() | (ties["until"] >= day)
    )
    watched = open_map(path)
    page = watched.page
    dates = int(ties[["since", "until"]].notna().sum().sum())
    assert (
        page.text_content("#cg-inferred-dates")
        == f"推定日期 inferred dates: {len(marked)} of {dates}"
    )
    page.eval_on_selector(
        "#cg-time",
        "(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }",
        (day - pd.Timestamp(0)).days,
    )
    assert page.text_content("#cg-active") == f"关系 active ties: {int(holds.sum())}"
    page.check("#cg-leave-out")
    kept = ties[holds & ~ties["marked"]]
    assert kept.shape[0] < holds.sum()
    assert page.text_content("#cg-active") == f"关系 active ties: {len(kept)}"
    expected = Counter(zip(kept["source"], kept["target"], kept["type"], strict=True))
    assert Counter(map(tuple, page.evaluate(DRAWN_TIES))) == expected
    page.uncheck("#cg-leave-out")
    assert page.text_content("#cg-active") == f"关系 active ties: {int(holds.sum())}"
    page.check("#cg-leave-out")
    page.click("#cg-time-all")  # every day: the ties with inferred dates stay out
    assert page.text_content("#cg-active") == f"关系 active ties: {len(ties) - len(marked)}"
    watched.assert_clean()


# -- search -----------------------------------------------------------------------------------


def test_search_finds_a_node_by_its_aliases(open_map, tmp_path):
    G = cg.generate("tiny", seed=3)  # no name holds the words searched for
    unit = next(n for n, label in G.nodes(data="label") if label == "Unit")
    G.nodes[unit]["aliases"] = "苏州银行；苏州银行股份有限公司"
    path = tmp_path / "aliases.html"
    network_map(G, path, layout_seed=1)
    watched = open_map(path)
    page = watched.page
    for query in ("苏州银行股份有限公司", "苏州银行", "股份"):
        page.fill("#cg-search", query)
        page.press("#cg-search", "Enter")
        assert page.text_content("#cg-search-info") == "1 / 1"
        assert page.evaluate("() => window.cgMap.network.getSelectedNodes()") == [unit]
    assert "别名 aliases: 苏州银行；苏州银行股份有限公司" in page.text_content("#cg-details")
    page.fill("#cg-search", "苏州农商银行")
    page.press("#cg-search", "Enter")
    assert page.text_content("#cg-search-info") == "无匹配 no match"
    watched.assert_clean()


# -- ego maps ---------------------------------------------------------------------------------


def test_ego_map_fills_the_view_and_selects_the_ego(open_map, sample, tmp_path):
    path = tmp_path / "ego.html"
    network_map(sample, path, ego="community-daoqian", radius=1, layout_seed=1)
    watched = open_map(path)
    page = watched.page
    expected = nx.ego_graph(sample, "community-daoqian", radius=1, undirected=True)
    assert set(screen_positions(page)) == set(expected)
    assert_inside_and_filling(page, fill=0.6)
    named = [b["id"] for b in page.evaluate("() => window.cgMap.labels")]
    assert sorted(named) == sorted(expected)  # a small network: every name, each once
    assert page.evaluate("() => window.cgMap.network.getSelectedNodes()") == ["community-daoqian"]
    assert page.text_content("#cg-details").startswith("道前社区\n")
    groups = page.eval_on_selector_all(
        "#cg-details h3.cg-tie-group", "hs => hs.map(h => h.textContent)"
    )
    assert groups  # neighbours grouped by tie type
    first = page.locator(".cg-neighbours button").first
    name = first.text_content()
    first.click()
    selected = page.evaluate("() => window.cgMap.network.getSelectedNodes()")
    assert [sample.nodes[n]["name"] for n in selected] == [name]
    watched.assert_clean()


# -- Chinese without CJK fonts on the machine ------------------------------------------------


#: Latin-only font folders (Debian's fonts-liberation, which Chromium recommends, and
#: fonts-dejavu-core): Chromium with no font at all crashes on a canvas.
LATIN_FONTS = ("/usr/share/fonts/truetype/liberation", "/usr/share/fonts/truetype/dejavu")


@pytest.fixture(scope="module")
def fontless(playwright, tmp_path_factory):
    """Chromium that sees no CJK font: fontconfig is given Latin font folders only."""
    folders = [f for f in LATIN_FONTS if Path(f).is_dir()]
    assert folders, "no Latin font folder: apt-get install -y fonts-liberation"
    folder = tmp_path_factory.mktemp("fontconfig")
    dirs = "".join(f"<dir>{f}</dir>" for f in folders)
    (folder / "fonts.conf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig>{dirs}<cachedir>{folder / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(folder / "fonts.conf"), "HOME": str(folder)}
    launched = playwright.chromium.launch(
        executable_path=chromium_path(), args=list(CHROMIUM_FLAGS), env=env
    )
    yield launched
    launched.close()


#: Draw each character alone at 48 px in a font stack; resolves with the pixels' digests.
GLYPHS = """([stack, characters]) => characters.map((c) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 64;
  const ctx = canvas.getContext("2d");
  ctx.font = "48px " + stack;
  ctx.textBaseline = "top";
  ctx.fillText(c, 8, 8);
  const pixels = ctx.getImageData(0, 0, 64, 64).data;
  let inked = 0, hash = 0;
  for (let i = 3; i < pixels.length; i += 4) {
    if (pixels[i] > 0) { inked += 1; }
    hash = (hash * 31 + pixels[i]) | 0;
  }
  return [inked, hash];
})"""


def test_chinese_shows_with_the_embedded_font_when_the_machine_has_none(
    fontless, sample, sample_map
):
    watched = watch(fontless, sample_map, viewport=VIEWPORT, schemes=SCHEMES)
    page = watched.page
    try:
        characters = sorted(set("沧浪街道 道前社区 姑苏区 苏州市".replace(" ", "")))
        page.evaluate("() => document.fonts.ready")
        assert page.evaluate(
            "(text) => document.fonts.check('12px \"Cobuild Sans SC\"', text)", "".join(characters)
        )
        # the machine itself has no CJK glyph: its fallback draws every character alike
        system = page.evaluate(GLYPHS, ["sans-serif", characters])
        assert len({tuple(g) for g in system}) == 1
        embedded = page.evaluate(GLYPHS, ['"Cobuild Sans SC"', characters])
        assert len({tuple(g) for g in embedded}) == len(characters)  # no two alike: no .notdef
        assert all(inked > 40 for inked, _ in embedded)
        assert tuple(system[0]) not in {tuple(g) for g in embedded}
        # the names on the map, the panel and the buttons are set in it
        fonts = page.evaluate(
            "() => [...document.querySelectorAll('h1, h2, button, select, label, #cg-details')]"
            ".map((e) => getComputedStyle(e).fontFamily)"
        )
        assert all(f.startswith('"Cobuild Sans SC"') for f in fonts)
        # and the map draws its names with a font stack that comes out as the embedded font
        stack = page.evaluate(
            "() => JSON.parse(document.getElementById('cg-data').textContent)"
            ".options.nodes.font.face"
        )
        assert page.evaluate(GLYPHS, [stack, characters]) == embedded
        assert page.evaluate("() => window.cgMap.labels.length") >= 20
        shot = page.locator("#cg-network").screenshot()
        pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).reshape(-1, 3)
        assert (pixels < 240).any(axis=1).mean() > 0.02
        watched.assert_clean()
    finally:
        page.context.close()
