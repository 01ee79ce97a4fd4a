"""Charts: each plot function and the network figure, Chinese without missing glyphs, saving as
PNG, SVG and PDF."""

from __future__ import annotations

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

import cobuild_graph as cg
from cobuild_graph import domain, plot

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
    (points,) = ax.collections[1:]  # the ties, then the nodes
    return points


def test_network_draws_every_node_where_the_map_puts_it(tiny):
    fig, ax = plot.network(tiny, seed=4)
    assert ax.figure is fig
    draw_strictly(fig)
    expected = cg.maps.layout(tiny, seed=4)
    drawn = {tuple(np.round(xy, 6)) for xy in _scatter(ax).get_offsets()}
    assert drawn == {tuple(np.round(xy, 6)) for xy in expected.values()}
    assert ax.yaxis_inverted()  # y points down, as on the map's screen
    ties = ax.collections[0].get_segments()
    assert len(ties) == sum(1 for u, v in tiny.edges() if u != v)


def test_network_colours_by_label_and_sizes_by_degree(tiny):
    _, ax = plot.network(tiny, seed=4)
    points = _scatter(ax)
    where = cg.maps.layout(tiny, seed=4)
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
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Street 街道" in legend
    assert len(legend) == len({a["label"] for _, a in tiny.nodes(data=True)})


def test_network_sizes_by_a_given_measure(tiny):
    measure = pd.Series({n: float(i) for i, n in enumerate(tiny.nodes)})
    _, ax = plot.network(tiny, size_by=measure, labels=0)
    sizes = _scatter(ax).get_sizes()
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
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[:i])


def test_network_labels_are_set_in_a_font_that_has_their_glyphs(tiny):
    fig, ax = plot.network(tiny)
    draw_strictly(fig)  # "Glyph missing" warnings are errors
    texts = ax.texts + ax.get_legend().get_texts()
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
    assert len(_scatter(ax).get_offsets()) == ego.number_of_nodes()
    view = tiny.subgraph(nx.descendants(tiny.reverse(copy=False), street) | {street})
    fig, ax = plot.network(view)
    assert len(_scatter(ax).get_offsets()) == view.number_of_nodes()
    draw_strictly(fig)


def test_network_saves_png_svg_and_pdf_at_paper_size(tmp_path, tiny):
    fig, _ = plot.network(tiny)
    png, svg, pdf = plot.save_figure(fig, tmp_path / "net", formats=["png", "svg", "pdf"], dpi=300)
    image = matplotlib.image.imread(png)
    width = image.shape[1]
    assert width >= 0.8 * plot.PAPER_SIZE[0] * 300  # trimmed to the drawing, still print size
    assert image[..., :3].std() > 0.05  # not blank: nodes in colours on white
    assert "<svg" in svg.read_text(encoding="utf-8")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"CobuildSansSC" in data  # the font embedded: text stays text
    assert b"/FontFile" in data
    assert b"/ToUnicode" in data  # searchable and copyable Chinese
