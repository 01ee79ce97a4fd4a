"""Charts: each plot function and the network figure, Chinese without missing glyphs, saving as
PNG, SVG and PDF."""

from __future__ import annotations

import datetime
import warnings

import matplotlib
import matplotlib.image
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import cobuild_graph as cg
from cobuild_graph import domain, plot
from cobuild_graph.layout import figure_layout
from tests._rosters import write_report_roster

CHINESE = "沧浪街道 甪直镇 浒墅关 道前社区（党委）"


@pytest.fixture(scope="module")
def tiny() -> nx.MultiDiGraph:
    return cg.generate("tiny", seed=3)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def draw_strictly(fig) -> None:
    """Draw `fig` with every warning an error (missing glyphs warn while drawing)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()


PLOTS = [
    ("per_street", lambda G, **kw: plot.plot_per_street(G, "branches", **kw)),
    ("coverage", lambda G, **kw: plot.plot_coverage(G, **kw)),
    ("unit_types", lambda G, **kw: plot.plot_unit_types(G, **kw)),
    ("degree", lambda G, **kw: plot.plot_degree_distribution(G, **kw)),
    ("centrality", lambda G, **kw: plot.plot_centrality_distribution(G, "pagerank", **kw)),
    ("top", lambda G, **kw: plot.plot_top_nodes(G, "degree", n=5, **kw)),
    ("growth", lambda G, **kw: plot.plot_growth(G, "added", **kw)),
    ("rollup", lambda G, **kw: plot.plot_rollup(G, **kw)),
]


@pytest.mark.parametrize(("name", "draw"), PLOTS, ids=[p[0] for p in PLOTS])
def test_every_chart_returns_fig_and_ax_and_draws_chinese_cleanly(tiny, name, draw):
    fig, ax = draw(tiny)
    assert ax.figure is fig
    draw_strictly(fig)
    texts = [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()] + [ax.get_title()]
    assert any(texts)


@pytest.mark.parametrize(("name", "draw"), PLOTS, ids=[p[0] for p in PLOTS])
def test_every_chart_draws_on_the_axes_it_is_given(tiny, name, draw):
    fig, ax = plt.subplots()
    got_fig, got_ax = draw(tiny, ax=ax)
    assert got_fig is fig
    assert got_ax is ax
    draw_strictly(fig)  # Chinese tick labels on the caller's axes have their glyphs too


def test_shipped_font_is_the_one_matplotlib_finds():
    found = font_manager.findfont(
        FontProperties(family=plot.FONT_FAMILY), fallback_to_default=False
    )
    assert found == str(plot.FONT_PATH)
    assert plot.FONT_PATH.stat().st_size < 15_000_000
    assert (plot.FONT_PATH.parent / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1


def test_chinese_in_the_shipped_font_has_every_glyph():
    with plot.chinese_font():
        fig, ax = plt.subplots()
        ax.set_title(CHINESE)
        ax.set_xlabel("−1 年份 ①")
    draw_strictly(fig)


def test_the_glyph_check_catches_a_font_without_chinese():
    # the negative control: without the shipped font the same text warns
    with plt.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title(CHINESE)
    with pytest.warns(UserWarning, match="missing from font"):
        fig.canvas.draw()


def test_use_chinese_font_sets_the_default(monkeypatch):
    monkeypatch.setitem(plt.rcParams, "font.family", ["DejaVu Sans"])
    plot.use_chinese_font()
    assert plt.rcParams["font.family"][0] == plot.FONT_FAMILY
    fig, ax = plt.subplots()
    ax.set_title(CHINESE)
    draw_strictly(fig)


def test_per_street_bars_are_sorted_and_match_the_balance_table(tiny):
    table = domain.balance(tiny, level="Street")
    _, ax = plot.plot_per_street(tiny, "units", table=table)
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == sorted(widths)
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert dict(zip(names, widths, strict=True)) == dict(
        zip(table["name"], table["units"].astype(float), strict=True)
    )


def test_coverage_shares_are_the_domain_shares(tiny):
    table = domain.coverage(tiny, level="Street")
    _, ax = plot.plot_coverage(tiny, ("any",), table=table)
    shares = sorted(bar.get_width() for bar in ax.patches)
    expected = sorted(table.loc[table["communities"] > 0, "any_share"])
    assert np.allclose(shares, expected)


def test_unit_type_heatmap_counts_every_typed_unit(tiny):
    _, ax = plot.plot_unit_types(tiny)
    counts = ax.images[0].get_array()
    units = sum(1 for _, a in tiny.nodes(data=True) if a["label"] == "Unit")
    assert 0 < counts.sum() <= units * 3  # a unit serving several streets counts in each


def test_top_nodes_are_the_largest(tiny):
    degree = dict(tiny.degree())
    table = pd.DataFrame({"degree": degree})
    _, ax = plot.plot_top_nodes(tiny, "degree", n=3, table=table)
    widths = [bar.get_width() for bar in ax.patches]
    assert widths[-1] == max(degree.values())
    assert len(widths) == 3


def test_growth_lines_follow_the_growth_table(tiny):
    table = domain.growth(tiny, "year")
    _, ax = plot.plot_growth(tiny, "active", table=table)
    lines = {line.get_label(): line for line in ax.get_lines()}
    paired = table[table["type"] == "PAIRED_WITH"]
    assert list(lines["PAIRED_WITH 结对"].get_ydata()) == paired["active"].tolist()


def test_growth_over_centuries_has_a_few_year_ticks():
    # Before: one tick label per year, 8,400 of them from 1600 to 9999: a minute to save.
    G = cg.read_dataset(cg.sample_path()).subgraph(["city-suzhou", "district-gusu"]).copy()
    G.edges["district-gusu", "city-suzhou", "PART_OF"].update(
        since=datetime.date(1600, 1, 1), until=datetime.date(9999, 12, 31)
    )
    fig, ax = plot.plot_growth(G, "active")
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert 2 <= len(ticks) <= 12
    assert all(t == int(t) for t in ticks)  # whole years
    (line,) = ax.get_lines()
    assert (line.get_xdata()[0], line.get_xdata()[-1]) == (1600, 9999)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda G: plot.plot_per_street(G, "nothing"), "count must be a column"),
        (lambda G: plot.plot_growth(G, "nothing"), "value must be added, ended or active"),
        (lambda G: plot.plot_top_nodes(G, "nothing"), "column must be one of"),
    ],
)
def test_bad_arguments_are_refused(tiny, call, message):
    with pytest.raises(ValueError, match=message):
        call(tiny)


def test_save_figure_writes_png_and_svg(tmp_path, tiny):
    fig, _ = plot.plot_per_street(tiny, "units")
    written = plot.save_figure(fig, tmp_path / "units")
    assert [p.name for p in written] == ["units.png", "units.svg"]
    assert written[0].read_bytes().startswith(b"\x89PNG")
    svg = written[1].read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml")
    assert "<dc:date>" not in svg  # the same chart gives the same file
    assert plot.save_figure(fig, tmp_path / "one.svg") == [tmp_path / "one.svg"]
    with pytest.raises(ValueError, match=r"save as \.png, \.svg or \.pdf"):
        plot.save_figure(fig, tmp_path / "units.eps")


# -- the network figure ------------------------------------------------------------------------


def _scatter(ax):
    """The nodes drawn: offsets, sizes and face colours of every marker collection."""
    return [c for c in ax.collections if hasattr(c, "get_offsets")][1:]  # after the ties


def _offsets(ax):
    return np.concatenate([c.get_offsets() for c in _scatter(ax)])


def test_network_draws_every_node_where_the_figure_layout_puts_it(tiny):
    fig, ax = plot.network(tiny, seed=4)
    assert ax.figure is fig
    draw_strictly(fig)
    expected = figure_layout(tiny, seed=4, aspect=1.6, order=lambda n: 0)
    drawn = {tuple(np.round(xy, 6)) for xy in _offsets(ax)}
    assert len(drawn) == tiny.number_of_nodes()
    connected = {n for n in tiny if tiny.degree(n) - nx.number_of_selfloops(tiny.subgraph([n]))}
    assert {tuple(np.round(expected[n], 6)) for n in connected} <= drawn
    assert ax.yaxis_inverted()  # y points down, as on the map's screen
    ties = ax.collections[0].get_segments()
    assert len(ties) == sum(1 for u, v in tiny.edges() if u != v)
    given = cg.maps.layout(tiny, seed=4)  # the map's positions, when given, are used as they are
    _, ax = plot.network(tiny, positions=given)
    assert {tuple(np.round(xy, 6)) for xy in _offsets(ax)} == {
        tuple(np.round(xy, 6)) for xy in given.values()
    }


def test_network_colours_by_label_and_sizes_by_degree(tiny):
    where = cg.maps.layout(tiny, seed=4)
    _, ax = plot.network(tiny, positions=where)
    (points,) = _scatter(ax)
    at = {tuple(np.round(xy, 6)): n for n, xy in where.items()}
    colors = cg._style.label_colors(cg.schema.DEFAULT_SCHEMA)
    nodes = [at[tuple(np.round(xy, 6))] for xy in points.get_offsets()]
    faces = [matplotlib.colors.to_hex(c) for c in points.get_facecolors()]
    assert faces == [colors[tiny.nodes[n]["label"]] for n in nodes]
    sizes = dict(zip(nodes, points.get_sizes(), strict=True))
    degree = dict(nx.MultiGraph(tiny).degree())  # independent: both directions, loops twice
    by_degree = sorted(degree, key=degree.get)
    assert [sizes[n] for n in by_degree] == sorted(sizes[n] for n in by_degree)
    assert sizes[max(degree, key=degree.get)] == max(sizes.values())
    legend = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert "Street 街道" in legend
    assert len(legend) == len({a["label"] for _, a in tiny.nodes(data=True)})


def test_network_sizes_by_a_given_measure(tiny):
    measure = pd.Series({n: float(i) for i, n in enumerate(tiny.nodes)})
    _, ax = plot.network(tiny, size_by=measure, labels=0)
    sizes = np.concatenate([c.get_sizes() for c in _scatter(ax)])
    assert len(set(sizes)) == tiny.number_of_nodes()
    assert len(ax.texts) == 0
    with pytest.raises(ValueError, match="size_by must be 'degree' or a numeric node attribute"):
        plot.network(tiny, size_by="nothing")


def test_network_names_the_upper_levels_without_overlap(tiny):
    fig, ax = plot.network(tiny, labels=12)
    draw_strictly(fig)
    written = [t.get_text() for t in ax.texts]
    assert 0 < len(written) <= 12
    upper = [a["name"] for _, a in tiny.nodes(data=True) if a["label"] in ("City", "District")]
    assert set(upper) <= set(written)
    renderer = fig.canvas.get_renderer()
    boxes = _name_boxes(ax, renderer)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[:i])


def test_network_labels_are_set_in_a_font_that_has_their_glyphs(tiny):
    fig, ax = plot.network(tiny)
    draw_strictly(fig)  # "Glyph missing" warnings are errors
    texts = ax.texts + fig.legends[0].get_texts()
    fonts = [
        font_manager.findfont(t.get_fontproperties(), fallback_to_default=False) for t in texts
    ]
    assert all(found == str(plot.FONT_PATH) for found in fonts)
    charmap = FT2Font(str(plot.FONT_PATH)).get_charmap()
    chinese = {c for t in texts for c in t.get_text() if ord(c) > 0x2E80}
    assert chinese
    assert all(ord(c) in charmap for c in chinese)


def test_network_of_an_ego_network_and_a_street_on_given_axes(tiny):
    street = next(n for n, a in tiny.nodes(data=True) if a["label"] == "Street")
    ego = nx.ego_graph(tiny, street, radius=1, undirected=True)
    fig, ax = plt.subplots()
    assert plot.network(ego, ax=ax) == (fig, ax)
    assert len(_offsets(ax)) == ego.number_of_nodes()
    view = tiny.subgraph(nx.descendants(tiny.reverse(copy=False), street) | {street})
    fig, ax = plot.network(view)
    assert len(_offsets(ax)) == view.number_of_nodes()
    draw_strictly(fig)


@pytest.mark.slow
def test_network_saves_png_svg_and_pdf_at_paper_size(tmp_path, tiny):
    fig, _ = plot.network(tiny)
    png, svg, pdf = plot.save_figure(fig, tmp_path / "net", formats=["png", "svg", "pdf"], dpi=300)
    image = matplotlib.image.imread(png)
    width = image.shape[1]
    two_columns = plot.COLUMN_WIDTHS_CM["two"] / 2.54
    assert width >= 0.8 * two_columns * 300  # trimmed to the drawing, still print size
    assert image[..., :3].std() > 0.05  # not blank: nodes in colours on white
    assert "<svg" in svg.read_text(encoding="utf-8")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"CobuildSansSC" in data  # the font embedded: text stays text
    assert b"/FontFile" in data
    assert b"/ToUnicode" in data  # searchable and copyable Chinese


# -- the network figure: never collapsed, every name inside -------------------------------------


def _shapes() -> nx.MultiDiGraph:
    """Isolates, many small pieces and one dense piece, labelled as a co-building graph."""
    G = nx.MultiDiGraph()
    for i in range(6):
        G.add_node(f"street-{i}", label="Street", name=f"第{i}街道")
    for i in range(40):
        G.add_node(f"c{i}", label="Community", name=f"社区{i}")
    for i in range(40):
        for j in range(i + 1, 40):
            if (i * 7 + j * 3) % 4 == 0:
                G.add_edge(f"c{i}", f"c{j}", type="SERVES")
    for k in range(12):  # pairs and paths: flat pieces
        G.add_node(f"u{k}", label="Unit", name=f"单位{k}")
        G.add_node(f"v{k}", label="Community", name=f"小社区{k}")
        G.add_edge(f"u{k}", f"v{k}", type="SERVES")
        if k % 3 == 0:
            G.add_node(f"w{k}", label="Community", name=f"又一社区{k}")
            G.add_edge(f"u{k}", f"w{k}", type="SERVES")
    return G


@pytest.fixture(scope="module")
def roster_view(tmp_path_factory) -> nx.MultiDiGraph:
    path = write_report_roster(tmp_path_factory.mktemp("roster") / "报到名册.xlsx")
    G = cg.roster.read_roster(path, accept_above=90).graph
    view = cg.views.view(G, "cobuilding")
    assert any(d == 0 for _, d in nx.Graph(view).degree())  # isolates: the case that collapsed
    return view


def _check_figure(fig, ax, G, asked: int) -> None:
    """No two nodes on one spot, the main piece not squeezed, every name inside the figure
    and none over another."""
    draw_strictly(fig)
    renderer = fig.canvas.get_renderer()
    pixels = ax.transData.transform(_offsets(ax))
    assert len(pixels) == G.number_of_nodes()
    gaps = np.hypot(*(pixels[:, None, :] - pixels[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    smallest = np.sqrt(min(c.get_sizes().min() for c in _scatter(ax))) * fig.dpi / 72
    assert gaps.min() > 0.5 * smallest  # apart by half the smallest marker's width at least
    main = max(nx.connected_components(nx.Graph(G)), key=len)
    at = [i for i, n in enumerate(_node_order(ax, G)) if n in main]
    assert np.ptp(pixels[at, 0]) >= ax.get_window_extent().width / 4
    assert len(ax.texts) == asked
    figure_box = fig.bbox
    boxes = _name_boxes(ax, renderer)
    for text, box in zip(ax.texts, boxes, strict=True):
        inside = Bbox.union([figure_box, box]).bounds == figure_box.bounds
        assert inside, text.get_text()
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[:i])
    legend = fig.legends[0].get_window_extent(renderer)
    assert Bbox.union([figure_box, legend]).bounds == figure_box.bounds


def _name_boxes(ax, renderer):
    """The names' own boxes (an annotation's extent takes in its leader line too)."""
    return [Text.get_window_extent(t, renderer) for t in ax.texts]


def _node_order(ax, G):
    """The node behind each drawn point, by position (the layout independent of the test)."""
    where = figure_layout(G, seed=0, aspect=1.6, order=_upper_first(G))
    at = {tuple(np.round(xy, 6)): n for n, xy in where.items()}
    return [at[tuple(np.round(xy, 6))] for xy in _offsets(ax)]


def _upper_first(G):
    rank = {"City": 0, "District": 1, "Street": 2}
    return lambda n: rank.get(G.nodes[n].get("label"), 3)


def test_network_of_isolates_small_pieces_and_a_dense_one_never_collapses():
    G = _shapes()
    fig, ax = plot.network(G, labels="auto")
    streets = {a["name"] for _, a in G.nodes(data=True) if a["label"] == "Street"}
    assert streets <= {t.get_text() for t in ax.texts}
    _check_figure(fig, ax, G, asked=len(streets) + plot.AUTO_LABELS)


def test_the_flat_pair_is_not_thrown_away():
    # a piece of two nodes lying flat had no area: spread to a node's room it went ~10^7 away
    G = _shapes()
    xy = np.array(list(cg.maps.layout(G, seed=0).values()))
    assert np.ptp(xy, axis=0).max() < 50 * np.sqrt(G.number_of_nodes()) * 60


def test_network_of_a_roster_study_shows_the_whole_study(roster_view, tmp_path):
    fig, ax = plot.network(roster_view)
    streets = [a["name"] for _, a in roster_view.nodes(data=True) if a["label"] == "Street"]
    asked = len(streets) + min(plot.AUTO_LABELS, roster_view.number_of_nodes() - len(streets))
    _check_figure(fig, ax, roster_view, asked=asked)
    assert set(streets) <= {t.get_text() for t in ax.texts}
    plot.save_figure(fig, tmp_path / "roster.png")


def test_every_name_asked_for_is_written_inside_or_warned(roster_view):
    every = list(roster_view.nodes)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plot.network(roster_view, labels=every, size="one")
    fig.canvas.draw()
    written = {t.get_text() for t in ax.texts}
    left_out = {a["name"] for n, a in roster_view.nodes(data=True)} - written
    for name in left_out:  # a name without room is named in a warning, never dropped silently
        assert any(name in str(w.message) for w in caught)
    assert len(written) >= 0.8 * len(every)
    renderer = fig.canvas.get_renderer()
    boxes = _name_boxes(ax, renderer)
    assert all(fig.bbox.contains(b.x0, b.y0) and fig.bbox.contains(b.x1, b.y1) for b in boxes)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[:i])
    far = [t for t in ax.texts if t.arrow_patch is not None]  # moved off its node: a leader line
    assert all(t.get_text() in written for t in far)


def test_network_names_the_main_hub_with_many_labels(tiny):
    hub = max(tiny.degree(), key=lambda nd: nd[1])[0]
    _, ax = plot.network(tiny, labels=44)
    assert tiny.nodes[hub]["name"] in {t.get_text() for t in ax.texts}


@pytest.mark.parametrize(("size", "cm"), [("one", 8.5), ("two", 17.5)])
def test_network_sizes_for_journal_columns(tiny, size, cm):
    fig, _ = plot.network(tiny, size=size, labels=3)
    assert fig.get_figwidth() == pytest.approx(cm / 2.54)
    assert fig.get_figwidth() * 72 == pytest.approx(cm / 2.54 * 72)  # in points: 241 and 496
    fig, _ = plot.network(tiny, width_cm=12.0, labels=3)
    assert fig.get_figwidth() == pytest.approx(12.0 / 2.54)
    fig, _ = plot.network(tiny, size=(5.0, 4.0), labels=3)
    assert fig.get_figwidth() == pytest.approx(5.0)
    with pytest.raises(ValueError, match="size must be"):
        plot.network(tiny, size="three")


def test_network_gray_palette_tells_labels_apart_by_lightness_and_shape(tiny):
    fig, ax = plot.network(tiny, palette="gray", labels=3)
    draw_strictly(fig)
    collections = _scatter(ax)
    shapes = [c.get_paths()[0].vertices.round(3).tobytes() for c in collections]
    assert (
        len(set(shapes)) == len(collections) == len({a["label"] for _, a in tiny.nodes(data=True)})
    )
    faces = [matplotlib.colors.to_rgb(c.get_facecolors()[0]) for c in collections]
    assert all(r == g == b for r, g, b in faces)  # gray
    assert len({round(r, 3) for r, _, _ in faces}) == len(faces)  # a lightness each
    with pytest.raises(ValueError, match="palette must be"):
        plot.network(tiny, palette="rainbow")


def test_network_labels_refuses_an_unknown_node(tiny):
    with pytest.raises(ValueError, match="labels names nodes not in the graph"):
        plot.network(tiny, labels=["no-such-node"])
