"""Static charts of a co-building network (matplotlib), with Chinese that renders anywhere.

Every ``plot_*`` function, and :func:`network` (the network itself, as a figure for a
paper), takes the graph first, draws on `ax` (a new figure when ``None``) and returns
``(fig, ax)``; :func:`save_figure` writes PNG, SVG and PDF. The numbers
come from :mod:`cobuild_graph.domain` and :mod:`cobuild_graph.metrics`; a function that
needs a table takes it as `table` when it is already computed (e.g. by
:func:`cobuild_graph.analysis.analyze`), and computes it otherwise.

Titles, axis labels, ticks and legends follow `language`: ``"zh"`` (Chinese), ``"en"``
(English) or ``"both"`` (Chinese with English beside it, the default); categories are shown
as the schema says (``机关 organ`` for the unit type ``organ``: its value labels).

Chinese labels need a font with Chinese glyphs, which many machines lack. The package
ships one, a subset of Noto Sans CJK SC (SIL Open Font License; ``_static/fonts``):
importing this module registers it with matplotlib's font manager as
:data:`FONT_FAMILY`, and the charts here draw their text in it, so no glyph is missing
whatever fonts the system has. :func:`use_chinese_font` makes it matplotlib's default for
your own charts too.

Examples
--------
>>> import cobuild_graph as cg
>>> G = cg.generate("tiny", seed=1)
>>> fig, ax = plot_per_street(G, "units")
>>> ax.get_xlabel()
'单位数 units'
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox
from matplotlib.typing import ColorType

from cobuild_graph import domain
from cobuild_graph._files import atomic_write
from cobuild_graph._style import (
    FONT_FAMILY,
    FONT_PATH,
    MISSING,
    bilingual,
    category_color,
    check_language,
    chinese_name,
    column_text,
    label_colors,
    label_text,
    register_font,
    tie_colors,
    tie_text,
    value_text,
)
from cobuild_graph.layout import figure_layout
from cobuild_graph.metrics import centrality
from cobuild_graph.schema import Schema, schema_of

__all__ = [
    "AUTO_LABELS",
    "COLUMN_WIDTHS_CM",
    "FONT_FAMILY",
    "FONT_PATH",
    "PALETTES",
    "REPRODUCIBLE",
    "SAVE_FORMATS",
    "chinese_font",
    "network",
    "plot_centrality_distribution",
    "plot_coverage",
    "plot_degree_distribution",
    "plot_growth",
    "plot_per_street",
    "plot_rollup",
    "plot_top_nodes",
    "plot_unit_types",
    "save_figure",
    "use_chinese_font",
]

logger = logging.getLogger(__name__)

#: Formats :func:`save_figure` writes when the path has no suffix.
SAVE_FORMATS: tuple[str, ...] = ("png", "svg")

register_font()


def use_chinese_font() -> None:
    """Make the shipped Chinese font matplotlib's default, for every chart drawn after.

    The charts of this module use it anyway; call this to write Chinese in your own.
    """
    mpl.rcParams["font.family"] = [FONT_FAMILY, "sans-serif"]


@contextlib.contextmanager
def chinese_font() -> Iterator[None]:
    """Within the block, new text is set in the shipped Chinese font (Latin included)."""
    with mpl.rc_context({"font.family": [FONT_FAMILY, "sans-serif"]}):
        yield


def save_figure(
    fig: Figure, path: str | Path, *, formats: Sequence[str] | None = None, dpi: int = 150
) -> list[Path]:
    """Save `fig` as PNG, SVG and / or PDF.

    Parameters
    ----------
    fig
        The figure.
    path
        ``chart.png``, ``chart.svg`` or ``chart.pdf`` writes that format; a path without
        suffix (``chart``) writes every format of `formats`.
    formats
        Formats for a path without suffix; :data:`SAVE_FORMATS` when ``None``.
    dpi
        Resolution of the PNG (300 for print).

    Returns
    -------
    list of pathlib.Path
        The files written. In a PDF the text stays text, in the shipped font embedded (only
        the glyphs used); in an SVG it is drawn as outlines, so it shows without the font.
    """
    path = Path(path)
    if path.suffix:
        targets = [path]
    else:
        targets = [path.with_suffix(f".{f.lstrip('.')}") for f in formats or SAVE_FORMATS]
    for target in targets:
        if target.suffix.lower() not in (".png", ".svg", ".pdf"):
            raise ValueError(f"save as .png, .svg or .pdf, not {target.suffix!r}")
    for target in targets:
        # Type 42: the font's own outlines embedded, subset (dated as the font, not now), so
        # the PDF's text is text
        with mpl.rc_context({"pdf.fonttype": 42, **REPRODUCIBLE}):
            atomic_write(
                target,
                lambda tmp, target=target: fig.savefig(
                    tmp,
                    format=target.suffix[1:].lower(),
                    dpi=dpi,
                    bbox_inches="tight",
                    metadata=_metadata(target),
                ),
            )
        logger.info("wrote %s", target)
    return targets


#: matplotlib settings under which the same figure gives the same bytes: the ids of an
#: SVG's elements are hashed with this salt instead of a random one.
REPRODUCIBLE: dict[str, Any] = {"svg.hashsalt": "cobuild_graph"}


def _metadata(target: Path) -> dict[str, str | None]:
    # no date in SVGs and PDFs, so the same chart gives the same file
    suffix = target.suffix.lower()
    return (
        {"Date": None} if suffix == ".svg" else {"CreationDate": None} if suffix == ".pdf" else {}
    )


@contextlib.contextmanager
def _chart(ax: Axes | None, size: tuple[float, float]) -> Iterator[tuple[Figure, Axes]]:
    """`ax` and its figure (a new figure of `size` inches when ``None``); what is drawn in
    the block, on `ax` and on axes it adds (a colour bar), is set in our font at the end.

    The font goes on the text itself rather than through ``rcParams``: the tick labels of
    an axes made before (a caller's ``ax``) copy the font of its first tick, and a figure
    made inside ``rc_context`` loses the interactive mode that Jupyter's inline backend
    switches on for the first figure, so later charts would not show.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
    else:
        fig = ax.figure  # type: ignore[assignment]
    before = set(fig.axes)
    yield fig, ax
    for drawn in [ax, *(a for a in fig.axes if a not in before)]:
        for text in drawn.findobj(Text):
            text.set_fontfamily([FONT_FAMILY, "sans-serif"])


def _height(rows: int) -> float:
    return min(2.0 + 0.28 * rows, 14.0)


def _named_bars(
    ax: Axes,
    values: np.ndarray,
    names: Iterable[object],
    color: ColorType | Sequence[ColorType] | None,
) -> None:
    """Horizontal bars from the bottom up, each named on the y axis."""
    rows = range(len(values))
    ax.barh(rows, values, color=color)
    ax.set_yticks(rows, labels=[str(n) for n in names])


def _side_by_side_bars(
    ax: Axes,
    bars: pd.DataFrame,
    names: Iterable[object],
    colors: Sequence[ColorType | None],
    *,
    horizontal: bool,
    **tick_labels: Any,
) -> None:
    """A group of bars per row of `bars`, named by `names`; in a group, a bar per column.

    The bars of a group stand side by side, each labelled by its column for the legend;
    `tick_labels` style the groups' names (``rotation=30`` ...).
    """
    positions = np.arange(len(bars))
    thickness = 0.8 / max(bars.shape[1], 1)
    draw, ticks = (ax.barh, ax.set_yticks) if horizontal else (ax.bar, ax.set_xticks)
    for i, ((column, values), color) in enumerate(zip(bars.items(), colors, strict=True)):
        offset = (i - (bars.shape[1] - 1) / 2) * thickness
        draw(positions + offset, values.to_numpy(), thickness, color=color, label=column)
    ticks(positions, labels=[str(n) for n in names], **tick_labels)


def _measure(G: nx.MultiDiGraph, table: pd.DataFrame | None, column: str) -> pd.Series:
    """`column` of `table` (of :func:`~cobuild_graph.metrics.centrality` when ``None``)."""
    table = centrality(G) if table is None else table
    if column not in table.columns:
        raise ValueError(f"column must be one of {', '.join(map(str, table.columns))}")
    return pd.to_numeric(table[column], errors="coerce")


# -- per street ------------------------------------------------------------------------------


def plot_per_street(
    G: nx.MultiDiGraph,
    count: str = "units",
    *,
    level: str = "Street",
    table: pd.DataFrame | None = None,
    top: int | None = None,
    ax: Axes | None = None,
    schema: Schema | None = None,
    language: str = "both",
) -> tuple[Figure, Axes]:
    """Units, branches, projects or positions per street, as sorted bars.

    Parameters
    ----------
    G
        A co-building graph.
    count
        A column of :func:`cobuild_graph.domain.balance`: ``units``, ``branches``,
        ``projects``, ``positions`` (or ``communities``).
    level
        The places: ``"Street"``, ``"District"`` ...
    table
        ``domain.balance(G, level=level)`` when already computed.
    top
        Show only this many places with the highest counts.
    ax
        Axes to draw on; a new figure when ``None``.
    schema
        Gives the hierarchy and the colours.
    language
        ``"zh"``, ``"en"`` or ``"both"``: the language of the title, axes and legend.

    Returns
    -------
    tuple
        ``(fig, ax)``.
    """
    schema = schema_of(G, schema)
    table = domain.balance(G, level=level, schema=schema) if table is None else table
    if count not in table.columns:
        raise ValueError(f"count must be a column of the balance table, not {count!r}")
    values = table.set_index("name")[count].sort_values()
    if top is not None:
        values = values.iloc[-top:]
    label = schema.balance_counts.get(count, level)
    check_language(language)
    title = bilingual(
        f"各{chinese_name(schema, level)}{column_text(count, 'zh')}",
        f"{count} per {level}",
        language,
    )
    with _chart(ax, (7, _height(len(values)))) as (fig, ax):
        _named_bars(ax, values.to_numpy(), values.index, label_colors(schema).get(label))
        mean = bilingual("平均", "mean", language)
        ax.axvline(values.mean(), color="#555", linestyle="--", linewidth=1, label=mean)
        ax.set(xlabel=column_text(count, language), title=title)
        ax.margins(y=0.01)
        ax.legend(loc="lower right")
    return fig, ax


def plot_coverage(
    G: nx.MultiDiGraph,
    kinds: Sequence[str] = ("unit", "branch", "project"),
    *,
    level: str = "Street",
    table: pd.DataFrame | None = None,
    ax: Axes | None = None,
    schema: Schema | None = None,
    language: str = "both",
) -> tuple[Figure, Axes]:
    """Share of each street's communities reached by units, branches, projects.

    Parameters
    ----------
    G
        A co-building graph.
    kinds
        Kinds of :func:`cobuild_graph.domain.coverage`: ``unit``, ``branch``,
        ``project``, ``position``, ``any``.
    level
        The places.
    table
        ``domain.coverage(G, level=level)`` when already computed.
    ax
        Axes to draw on; a new figure when ``None``.
    schema
        Gives the hierarchy and the colours.
    language
        ``"zh"``, ``"en"`` or ``"both"``: the language of the title, axes and legend.

    Returns
    -------
    tuple
        ``(fig, ax)``; places sorted by the first kind's share.
    """
    schema = schema_of(G, schema)
    table = domain.coverage(G, level=level, schema=schema) if table is None else table
    table = table[table["communities"] > 0].sort_values(f"{kinds[0]}_share")
    colors = label_colors(schema)
    shares = table[[f"{kind}_share" for kind in kinds]].set_axis(list(kinds), axis="columns")
    kind_colors = [
        colors.get(getattr(schema.coverage.get(kind), "label", ""), category_color(i))
        for i, kind in enumerate(kinds)
    ]
    check_language(language)
    shares.columns = [
        bilingual(
            chinese_name(schema, getattr(schema.coverage.get(k), "label", "任一")), k, language
        )
        for k in kinds
    ]
    with _chart(ax, (7, _height(len(table)))) as (fig, ax):
        _side_by_side_bars(ax, shares, table["name"], kind_colors, horizontal=True)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.set(
            xlabel=bilingual("覆盖社区比例", "share of communities covered", language),
            title=bilingual(
                f"各{chinese_name(schema, level)}覆盖率", f"Coverage per {level}", language
            ),
        )
        ax.margins(y=0.01)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig, ax


def plot_unit_types(
    G: nx.MultiDiGraph,
    *,
    level: str = "Street",
    table: pd.DataFrame | None = None,
    ax: Axes | None = None,
    schema: Schema | None = None,
    language: str = "both",
) -> tuple[Figure, Axes]:
    """Heatmap of the types of co-building units (rows) per street (columns).

    Parameters
    ----------
    G
        A co-building graph.
    level
        The places.
    table
        ``domain.sector_mix(G, level=level)`` when already computed.
    ax
        Axes to draw on; a new figure when ``None``.
    schema
        Gives the hierarchy and the unit types.
    language
        ``"zh"``, ``"en"`` or ``"both"``: the language of the title, axes and legend.

    Returns
    -------
    tuple
        ``(fig, ax)``; places sorted by their number of units, counts written in the cells.
    """
    schema = schema_of(G, schema)
    check_language(language)
    table = domain.sector_mix(G, level=level, schema=schema) if table is None else table
    types = [c for c in table.columns if c not in ("name", "units", "blau", "shannon")]
    table = table.sort_values("units", ascending=False)
    counts = table[types].to_numpy(dtype=float).T
    with _chart(ax, (min(3 + 0.35 * len(table), 20), 1.5 + 0.4 * len(types))) as (fig, ax):
        image = ax.imshow(counts, aspect="auto", cmap="Blues")
        ax.set_xticks(range(len(table)), labels=[str(n) for n in table["name"]], rotation=90)
        ax.set_yticks(
            range(len(types)),
            labels=[
                value_text(schema, "unit_type", t, label="Unit", language=language)
                if schema.value_label("unit_type", t, label="Unit")
                else column_text(t, language)
                for t in types
            ],
        )
        if counts.size <= 1500:
            high = counts.max() if counts.size else 0
            for (row, col), value in np.ndenumerate(counts):
                ax.text(
                    col,
                    row,
                    f"{value:.0f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if value > high / 2 else "#333",
                    in_layout=False,  # inside its cell: no margin to make room for
                )
        ax.figure.colorbar(image, ax=ax, label=column_text("units", language))
        ax.set_title(
            bilingual(
                f"各{chinese_name(schema, level)}单位类型", f"Unit types per {level}", language
            )
        )
    return fig, ax


# -- measures ------------------------------------------------------------------------------


def plot_degree_distribution(
    G: nx.MultiDiGraph,
    *,
    ax: Axes | None = None,
    schema: Schema | None = None,
    language: str = "both",
) -> tuple[Figure, Axes]:
    """How many nodes have each number of ties, per label, on log-log axes.

    Parameters
    ----------
    G
        A co-building graph; a node's degree is its number of ties (both directions).
    ax
        Axes to draw on; a new figure when ``None``.
    schema
        Gives the labels' colours.
    language
        ``"zh"``, ``"en"`` or ``"both"``: the language of the title, axes and legend.

    Returns
    -------
    tuple
        ``(fig, ax)``.
    """
    schema = schema_of(G, schema)
    check_language(language)
    frame = pd.DataFrame({"degree": dict(G.degree()), "label": dict(G.nodes(data="label"))}).dropna(
        subset=["degree"]
    )
    colors = label_colors(schema)
    with _chart(ax, (7, 4.5)) as (fig, ax):
        for label, group in frame.groupby("label", sort=False):
            counts = group["degree"].value_counts().sort_index()
            counts = counts[counts.index > 0]
            ax.scatter(
                counts.index,
                counts.to_numpy(),
                s=14,
                label=label_text(schema, str(label), language),
                color=colors.get(label),
            )
        ax.set(
            xscale="log",
            yscale="log",
            xlabel=bilingual("关系数（度）", "ties (degree)", language),
            ylabel=bilingual("节点数", "nodes", language),
            title=bilingual("度分布", "Degree distribution", language),
        )
        ax.legend(fontsize=8, ncols=2)
    return fig, ax


def plot_centrality_distribution(
    G: nx.MultiDiGraph,
    column: str = "betweenness",
    *,
    table: pd.DataFrame | None = None,
    bins: int = 40,
    ax: Axes | None = None,
    language: str = "both",
) -> tuple[Figure, Axes]:
    """Histogram of a centrality measure, counts on a log scale.

    Parameters
    ----------
    G
        A co-building graph.
    column
        A column of :func:`cobuild_graph.metrics.centrality`: ``degree``,
        ``betweenness``, ``closeness``, ``eigenvector``, ``pagerank``.
    table
        The centrality table when already computed (e.g. ``analyze(G)["centrality"]``).
    bins
        Number of bins.
    ax
        Axes to draw on; a new figure when ``None``.
    language
        ``"zh"``, ``"en"`` or ``"both"``: the language of the title, axes and legend.

    Returns
    -------
    tuple
        ``(fig, ax)``.
    """
    check_language(language)
    values = _measure(G, table, column).dropna()
    with _chart(ax, (7, 4.5)) as (fig, ax):
        ax.hist(values.to_numpy(), bins=bins, color=category_color(0), log=True)
        ax.set(
            xlabel=column_text(column, language),
            ylabel=bilingual("节点数", "nodes", language),
            title=bilingual(
                f"{column_text(column, 'zh')}分布", f"Distribution of {column}", language
            ),
        )
    return fig, ax


def plot_top_nodes(
    G: nx.MultiDiGraph,
    column: str = "pagerank",
    *,
    n: int = 15,
    table: pd.DataFrame | None = None,
    ax: Axes | None = None,
    schema: Schema | None = None,
    language: str = "both",
) -> tuple[Figure, Axes]:
    """The `n` nodes with the highest value of a measure, by name, coloured by label.

    Parameters
    ----------
    G
        A co-building graph (gives names and labels).
    column
        A column of `table`.
    n
        How many nodes.
    table
        Measures indexed by node id; :func:`cobuild_graph.metrics.centrality` when ``None``.
    ax
        Axes to draw on; a new figure when ``None``.
    schema
        Gives the labels' colours.
    language
        ``"zh"``, ``"en"`` or ``"both"``: the language of the title, axes and legend.

    Returns
    -------
    tuple
        ``(fig, ax)``.
    """
    schema = schema_of(G, schema)
    check_language(language)
    top = _measure(G, table, column).nlargest(n).iloc[::-1]
    names = [G.nodes[i].get("name", i) if i in G else i for i in top.index]
    labels = [G.nodes[i].get("label") if i in G else None for i in top.index]
    colors = label_colors(schema)
    with _chart(ax, (7, _height(len(top)))) as (fig, ax):
        _named_bars(ax, top.to_numpy(), names, [colors.get(lb, "#999") for lb in labels])
        title = bilingual(
            f"{column_text(column, 'zh')}最高的 {len(top)} 个节点",
            f"Top {len(top)} by {column}",
            language,
        )
        ax.set(xlabel=column_text(column, language), title=title)
        handles = [
            Patch(color=colors.get(lb, "#999"), label=label_text(schema, str(lb), language))
            for lb in dict.fromkeys(labels)
        ]
        ax.legend(handles=handles, loc="lower right", fontsize=8)
    return fig, ax


# -- time and hierarchy ----------------------------------------------------------------------


def plot_growth(
    G: nx.MultiDiGraph,
    value: str = "active",
    *,
    table: pd.DataFrame | None = None,
    ax: Axes | None = None,
    schema: Schema | None = None,
    language: str = "both",
) -> tuple[Figure, Axes]:
    """Ties per year and tie type, from their ``since`` and ``until`` dates.

    Parameters
    ----------
    G
        A co-building graph.
    value
        ``"added"`` (ties starting in the year), ``"ended"`` or ``"active"`` (holding at
        the year's end), as in :func:`cobuild_graph.domain.growth`.
    table
        ``domain.growth(G, "year")`` when already computed.
    ax
        Axes to draw on; a new figure when ``None``.
    schema
        Gives the tie types' colours.
    language
        ``"zh"``, ``"en"`` or ``"both"``: the language of the title, axes and legend.

    Returns
    -------
    tuple
        ``(fig, ax)``; one line per tie type that has dates.
    """
    schema = schema_of(G, schema)
    check_language(language)
    table = domain.growth(G, "year") if table is None else table
    if value not in ("added", "ended", "active"):
        raise ValueError(f"value must be added, ended or active, not {value!r}")
    wide = table[table["type"] != "all"].pivot(index="period", columns="type", values=value)
    wide = wide.loc[:, wide.sum() > 0]
    colors = tie_colors(schema)
    with _chart(ax, (7, 4.5)) as (fig, ax):
        years = wide.index.astype(int)  # on a number line: centuries get a few ticks
        for tie in wide.columns:
            ax.plot(
                years,
                wide[tie].to_numpy(),
                marker="o",
                markersize=3,
                label=tie_text(schema, str(tie), language),
                color=colors.get(tie),
            )
        ax.set(
            xlabel=bilingual("年份", "year", language),
            ylabel=bilingual(f"关系数（{column_text(value, 'zh')}）", f"ties {value}", language),
            title=bilingual(
                f"关系增长（{column_text(value, 'zh')}）", f"Growth of ties ({value})", language
            ),
        )
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if len(wide.columns):
            ax.legend(fontsize=8)
    return fig, ax


def plot_rollup(
    G: nx.MultiDiGraph,
    level: str = "District",
    *,
    counts: Sequence[str] = ("communities", "units", "branches", "projects", "positions"),
    table: pd.DataFrame | None = None,
    ax: Axes | None = None,
    schema: Schema | None = None,
    language: str = "both",
) -> tuple[Figure, Axes]:
    """The hierarchy rolled up: communities, units, branches ... per district (四级联动).

    Parameters
    ----------
    G
        A co-building graph.
    level
        The level rolled up to: ``"District"``, ``"Street"`` or ``"City"``.
    counts
        Columns of :func:`cobuild_graph.domain.balance` at `level`, drawn side by side.
    table
        ``domain.balance(G, level=level)`` when already computed.
    ax
        Axes to draw on; a new figure when ``None``.
    schema
        Gives the hierarchy and the colours.
    language
        ``"zh"``, ``"en"`` or ``"both"``: the language of the title, axes and legend.

    Returns
    -------
    tuple
        ``(fig, ax)``; the counts on a log scale, so that 6 districts and 3,000 branches
        show on one chart.
    """
    schema = schema_of(G, schema)
    check_language(language)
    table = domain.balance(G, level=level, schema=schema) if table is None else table
    counts = [c for c in counts if c in table.columns]
    colors = label_colors(schema)
    labels = {**schema.balance_counts, "communities": next(iter(schema.coverage_levels), "")}
    with _chart(ax, (max(6, 1 + 0.9 * len(table)), 4.5)) as (fig, ax):
        _side_by_side_bars(
            ax,
            table[counts].set_axis([column_text(c, language) for c in counts], axis="columns"),
            table["name"],
            [colors.get(labels.get(count, "")) for count in counts],
            horizontal=False,
            rotation=30,
            ha="right",
        )
        ax.set(
            yscale="log",
            ylabel=bilingual("数量", "count", language),
            title=bilingual(
                f"各{chinese_name(schema, level)}汇总", f"Roll-up per {level}", language
            ),
        )
        ax.legend(fontsize=8)
    return fig, ax


# -- the network -----------------------------------------------------------------------------


def network(
    G: nx.Graph,
    *,
    size_by: str | pd.Series | None = "degree",
    labels: int | str | Iterable[Hashable] | None = "auto",
    positions: Mapping[Hashable, tuple[float, float]] | None = None,
    seed: int = 0,
    title: str | None = None,
    size: str | tuple[float, float] = "two",
    width_cm: float | None = None,
    palette: str = "color",
    ax: Axes | None = None,
    schema: Schema | None = None,
) -> tuple[Figure, Axes]:
    """The network as a figure for a paper: packed pieces, colours by label, named nodes.

    Each connected piece is laid out on its own and the pieces are packed in rows, largest
    first; the nodes without a tie stand in a row beneath
    (:func:`cobuild_graph.layout.figure_layout`), so that no piece and no lone node
    squeezes the rest into a dot. Names are placed beside their node where they overlap no
    other name, else further out with a leader line; the limits leave room for every name,
    so none is cut at the figure's edge.

    Parameters
    ----------
    G
        Any co-building graph or view of one: the whole network, a street's part
        (``G.subgraph(...)``), an ego network (``nx.ego_graph(G, node, undirected=True)``),
        a view of :mod:`cobuild_graph.views`.
    size_by
        Node area by ``"degree"`` (ties, both directions), a numeric node attribute, or a
        Series of values indexed by node id (e.g. ``analyze(G)["centrality"]["pagerank"]``);
        ``None`` for one size.
    labels
        Which nodes are named. ``"auto"``: every node of the levels above the communities
        (city, district, street) and the :data:`AUTO_LABELS` largest others (by
        `size_by`); an int ``n``: the first ``n`` of that order (upper levels, then the
        largest); a list of node ids: those; ``0`` or ``None``: none. A name that finds no
        room anywhere is left out with a warning naming it.
    positions
        Node positions (y pointing down), e.g. the interactive map's
        (``{n["id"]: (n["x"], n["y"]) for n in net.nodes}``); the packed layout with
        `seed` when ``None``.
    seed
        Seed of the layout.
    title
        Title above the network; none when ``None`` (a paper's caption says it).
    size
        Width of a new figure: ``"one"`` or ``"two"`` journal columns
        (:data:`COLUMN_WIDTHS_CM`: 8.5 cm = 241 pt, 17.5 cm = 496 pt), the height following
        the network's shape; or ``(width, height)`` in inches.
    width_cm
        Width of a new figure in cm, instead of `size` (1 cm = 28.35 pt).
    palette
        ``"color"``, or ``"gray"`` for print in black and white: the labels in grays of
        distinct lightness, each with its own marker shape.
    ax
        Axes to draw on; a new figure when ``None``.
    schema
        Gives the labels' colours, their legend names and the hierarchy.

    Returns
    -------
    tuple
        ``(fig, ax)``; save it with :func:`save_figure` as PNG, SVG or PDF.

    Raises
    ------
    ValueError
        If `size_by` names neither ``"degree"`` nor a numeric node attribute, `labels`
        names a node not in `G`, or `size` or `palette` is not one of the choices.

    Examples
    --------
    >>> import cobuild_graph as cg
    >>> G = cg.generate("tiny", seed=1)
    >>> fig, ax = network(G, labels=5, size="one")
    >>> len(ax.texts)
    5
    >>> round(float(fig.get_figwidth()) * 2.54, 1)
    8.5
    """
    schema = schema_of(G, schema)
    if palette not in PALETTES:
        raise ValueError(f"palette must be one of {', '.join(PALETTES)}, not {palette!r}")
    width = _width_inches(size, width_cm)
    nodes = list(G.nodes)
    values = _size_values(G, nodes, size_by)
    named = _chosen(G, nodes, labels, values, schema)
    node_labels = [G.nodes[n].get("label") for n in nodes]
    if positions is None:
        rank = {n: _priority(G, n, schema) for n in nodes}
        where = figure_layout(G, seed=seed, aspect=1.6 if width > 5 else 1.2, order=rank.get)
    else:
        where = positions
    xy = np.array([where[n] for n in nodes], dtype=float).reshape(-1, 2)
    present = [lb for lb in schema.labels if lb in set(node_labels)]
    colors, markers = _appearance(schema, present, palette)
    handles = [
        Line2D(
            [],
            [],
            marker=markers[lb],
            linestyle="",
            markerfacecolor=colors[lb],
            markeredgecolor=_EDGE[palette],
            markeredgewidth=0.4,
            label=label_text(schema, lb),
        )
        for lb in present
    ]
    fig, ax = _network_axes(ax, width, xy, handles, title)
    areas = _areas(values, ax)
    renderer = fig.canvas.get_renderer()
    upper = len(_upper_levels(schema))
    texts = [_name_text(G, nodes[i], _priority(G, nodes[i], schema) < upper) for i in named]
    for text in texts:
        text.set_figure(fig)
    extents = [t.get_window_extent(renderer).padded(1).size for t in texts]
    frame = ax.get_window_extent(renderer)
    radii = np.sqrt(areas) / 2 * fig.dpi / 72
    scale, centre, spots = _fit_names(xy, radii, named, extents, frame)
    half = np.array([frame.width, frame.height]) / (2 * scale)
    ax.set_xlim(centre[0] - half[0], centre[0] + half[0])
    ax.set_ylim(centre[1] + half[1], centre[1] - half[1])  # y grows downwards, as on screen
    ax.set_axis_off()
    index = {n: i for i, n in enumerate(nodes)}
    ends = [(index[u], index[v]) for u, v in G.edges() if u != v]
    if ends:
        segments = xy[np.array(ends)]
        ax.add_collection(LineCollection(segments, colors="#9a9a9a", linewidths=0.3, alpha=0.5))
    order = np.argsort(areas, kind="stable")  # the hubs on top
    for marker in dict.fromkeys(markers.get(node_labels[i], "o") for i in order):
        drawn = [i for i in order if markers.get(node_labels[i], "o") == marker]
        ax.scatter(
            xy[drawn, 0],
            xy[drawn, 1],
            s=areas[drawn],
            marker=marker,
            c=[colors.get(node_labels[i], MISSING) for i in drawn],
            edgecolors=_EDGE[palette],
            linewidths=0.3,
            zorder=2,
        )
    _write_names(ax, texts, [xy[i] for i in named], [radii[i] for i in named], spots)
    return fig, ax


#: Widths in cm of a figure one and two journal columns wide.
COLUMN_WIDTHS_CM: dict[str, float] = {"one": 8.5, "two": 17.5}
#: How many of the largest nodes below the upper levels ``labels="auto"`` names.
AUTO_LABELS = 10
#: The palettes of :func:`network`.
PALETTES: tuple[str, ...] = ("color", "gray")
_EDGE = {"color": "white", "gray": "#222222"}
_MARKERS = "os^Dvp<h>P*X"
_CM = 1 / 2.54  # inches per cm
_NAME_SIZE = 7.0  # points: the least most journals print
_UPPER_NAME_SIZE = 8.0


def _width_inches(size: str | tuple[float, float], width_cm: float | None) -> float:
    if width_cm is not None:
        if not width_cm > 0:
            raise ValueError(f"width_cm must be positive, not {width_cm!r}")
        return width_cm * _CM
    if isinstance(size, str):
        if size not in COLUMN_WIDTHS_CM:
            raise ValueError(
                f"size must be {', '.join(map(repr, COLUMN_WIDTHS_CM))} or (width, height) "
                f"in inches, not {size!r}"
            )
        return COLUMN_WIDTHS_CM[size] * _CM
    return float(size[0])


def _network_axes(
    ax: Axes | None,
    width: float,
    xy: np.ndarray,
    handles: list[Line2D],
    title: str | None,
) -> tuple[Figure, Axes]:
    """The axes of the network, placed by hand (no layout engine moves them later): in a
    new figure, as wide as `width` inches, as high as the network's shape asks (within
    0.45 to 1.1 of the width), the legend below it; on given axes, the legend to their
    right."""
    font = {"family": [FONT_FAMILY, "sans-serif"], "size": _NAME_SIZE}
    if ax is not None:
        fig = ax.figure
        if handles:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), prop=font)
        if title:
            ax.set_title(title, fontfamily=font["family"])
        return fig, ax  # type: ignore[return-value]
    spans = np.ptp(xy, axis=0) if len(xy) else np.ones(2)
    ratio = float(np.clip(spans[1] / spans[0] if spans[0] > 0 else 1.0, 0.45, 1.1))
    fig = plt.figure(figsize=(width, width * ratio))
    legend_height = 0.0
    if handles:
        for columns in range(len(handles), 0, -1):  # as many columns as fit the width
            legend = fig.legend(
                handles=handles,
                loc="lower center",
                ncols=columns,
                frameon=False,
                prop=font,
                borderaxespad=0.2,
                columnspacing=1.0,
                handletextpad=0.2,
            )
            box = legend.get_window_extent(fig.canvas.get_renderer())
            if box.width <= fig.bbox.width or columns == 1:
                break
            legend.remove()
        legend_height = box.height / fig.dpi + 0.05
    title_height = 0.3 if title else 0.0
    pad = 0.04  # inches round the network
    height = width * ratio + legend_height + title_height
    fig.set_figheight(height)
    ax = fig.add_axes(
        (
            pad / width,
            legend_height / height,
            1 - 2 * pad / width,
            (width * ratio - pad) / height,
        )
    )
    if title:
        ax.set_title(title, fontfamily=font["family"], fontsize=_UPPER_NAME_SIZE + 1)
    return fig, ax


def _appearance(
    schema: Schema, present: list[str], palette: str
) -> tuple[dict[str, ColorType], dict[str, str]]:
    """Colour and marker of each label present: the schema's colours and discs, or for
    ``"gray"`` grays from dark to light, each label its own shape."""
    if palette == "color":
        return dict(label_colors(schema)), dict.fromkeys(present, "o")
    levels = np.linspace(0.1, 0.85, len(present)) if len(present) > 1 else [0.3]
    grays = {lb: str(round(float(v), 3)) for lb, v in zip(present, levels, strict=True)}
    return grays, {lb: _MARKERS[i % len(_MARKERS)] for i, lb in enumerate(present)}


def _priority(G: nx.Graph, node: Hashable, schema: Schema) -> int:
    """0, 1 ... for the levels above the communities (city first), else their count."""
    upper = _upper_levels(schema)
    label = G.nodes[node].get("label")
    return upper.index(label) if label in upper else len(upper)


def _upper_levels(schema: Schema) -> list[str]:
    """The hierarchy's levels above the first level coverage counts (city, district,
    street), or all but the lowest."""
    levels = list(schema.hierarchy)
    lowest = next(iter(schema.coverage_levels), levels[-1] if levels else None)
    return levels[: levels.index(lowest)] if lowest in levels else levels[:-1]


def _chosen(
    G: nx.Graph,
    nodes: list[Hashable],
    labels: int | str | Iterable[Hashable] | None,
    values: np.ndarray,
    schema: Schema,
) -> list[int]:
    """Indices of the nodes to name, the most important first: upper levels, then size."""
    order = sorted(range(len(nodes)), key=lambda i: (_priority(G, nodes[i], schema), -values[i]))
    upper = len(_upper_levels(schema))
    if labels is None or labels == 0:
        return []
    if isinstance(labels, str):
        if labels != "auto":
            raise ValueError(f"labels must be 'auto', a number or node ids, not {labels!r}")
        top = [i for i in order if _priority(G, nodes[i], schema) < upper]
        return top + [i for i in order if i not in set(top)][:AUTO_LABELS]
    if isinstance(labels, int | np.integer):
        return order[: int(labels)]
    asked = list(labels)
    missing = [n for n in asked if n not in G]
    if missing:
        raise ValueError(f"labels names nodes not in the graph: {missing[:5]}")
    wanted = set(asked)
    return [i for i in order if nodes[i] in wanted]


def _name_text(G: nx.Graph, node: Hashable, upper: bool) -> Text:
    """A node's name, unplaced: measured before it is written."""
    return Text(
        text=str(G.nodes[node].get("name", node)),
        fontsize=_UPPER_NAME_SIZE if upper else _NAME_SIZE,
        fontfamily=[FONT_FAMILY, "sans-serif"],
        ha="center",
        va="center",
    )


# Directions round a node in which a name is tried, beside it first (above, below, right,
# left, then the diagonals); each ring further out by a line of text.
_DIRECTIONS = np.array(
    [(0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1)], dtype=float
)
_RINGS = 12
_LEADER_FROM = 1  # from this ring on, a leader line joins name and node


def _fit_names(
    xy: np.ndarray,
    radii: np.ndarray,
    named: list[int],
    extents: list[np.ndarray],
    frame: Bbox,
) -> tuple[float, np.ndarray, list[tuple[np.ndarray, int] | None]]:
    """Scale (pixels per layout unit), centre (layout units) and each name's place: the
    offset in pixels of its centre from its node and the ring it was found on (``None``
    where no room was found).

    Names are placed most important first, on the first spot round their node that is
    inside the frame and overlaps no name placed, a ring or two further out for a spot that
    covers no node. When
    some name finds no room, the network is drawn smaller (room at the edges) and all are
    placed again, up to four times.
    """
    if not len(xy):
        return 1.0, np.zeros(2), []
    low, high = xy.min(axis=0), xy.max(axis=0)
    centre = (low + high) / 2
    span = np.maximum(high - low, 1e-9)
    tallest = max([float(e[1]) for e in extents] + [0.0])
    margin = float(radii.max()) + 1.5 * tallest + 2
    room = np.array([frame.width, frame.height]) - 2 * margin
    scale = float(np.min(np.maximum(room, 10) / span))
    if np.all(high - low == 0):
        scale = 1.0
    for _ in range(5):
        pixels = (xy - centre) * [scale, -scale]  # pixels from the frame's centre, y up
        spots = _place(pixels, radii, named, extents, frame.size / 2)
        if all(spot is not None for spot in spots):
            break
        scale *= 0.85
    return scale, centre, spots


def _place(
    pixels: np.ndarray,
    radii: np.ndarray,
    named: list[int],
    extents: list[np.ndarray],
    half: np.ndarray,
) -> list[tuple[np.ndarray, int] | None]:
    taken: list[np.ndarray] = []  # (x0, y0, x1, y1) of the names placed
    spots: list[tuple[np.ndarray, int] | None] = []
    for i, (w, h) in zip(named, extents, strict=True):
        best: tuple[float, np.ndarray, int] | None = None
        for ring in range(_RINGS):
            reach = radii[i] + 1 + ring * h
            for direction in _DIRECTIONS:
                offset = direction * (
                    reach * (0.75 if direction.all() else 1) + np.array([w, h]) / 2
                )
                c = pixels[i] + offset
                box = np.array([c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] + h / 2])
                if (box[:2] < -half).any() or (box[2:] > half).any():
                    continue
                if any(_overlap(box, other) for other in taken):
                    continue
                near = np.clip(pixels, box[:2], box[2:])
                covered = np.hypot(*(pixels - near).T) < radii
                covered[i] = False
                score = ring + (1.5 if covered.any() else 0.0)  # a hairball: stay near
                if best is None or score < best[0]:
                    best = (score, offset, ring)
            if best is not None and best[0] < ring + 1:  # nothing further out can do better
                break
        if best is None:
            spots.append(None)
            continue
        _, offset, ring = best
        c = pixels[i] + offset
        taken.append(np.array([c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] + h / 2]))
        spots.append((offset, ring))
    return spots


def _overlap(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def _write_names(
    ax: Axes,
    texts: list[Text],
    anchors: list[np.ndarray],
    radii: list[float],
    spots: list[tuple[np.ndarray, int] | None],
) -> None:
    """Write each name at its place, with a leader line when it stands off its node; warn
    naming those without room."""
    dpi = ax.figure.dpi
    left_out = []
    for text, anchor, radius, spot in zip(texts, anchors, radii, spots, strict=True):
        if spot is None:
            left_out.append(text.get_text())
            continue
        offset, ring = spot
        leader = (
            {
                "arrowstyle": "-",
                "color": "#666666",
                "linewidth": 0.4,
                "shrinkA": 0,
                "shrinkB": radius * 72 / dpi,
            }
            if ring >= _LEADER_FROM
            else None
        )
        drawn = ax.annotate(
            text.get_text(),
            anchor,
            xytext=tuple(offset * 72 / dpi),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=text.get_fontsize(),
            fontfamily=[FONT_FAMILY, "sans-serif"],
            zorder=3,
            arrowprops=leader,
            path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
            annotation_clip=False,
        )
        drawn.set_in_layout(False)
    if left_out:
        warnings.warn(
            f"no room for {len(left_out)} name(s) in the figure, left out: "
            f"{', '.join(left_out)}; ask for fewer labels or a wider size",
            UserWarning,
            stacklevel=3,
        )


def _size_values(G: nx.Graph, nodes: list[Hashable], size_by: str | pd.Series | None) -> np.ndarray:
    """The value each node's size shows (all ones for one size)."""
    if size_by is None:
        return np.ones(len(nodes))
    if isinstance(size_by, pd.Series):
        values = pd.to_numeric(size_by.reindex(nodes), errors="coerce")
    elif size_by == "degree":
        values = pd.Series([G.degree(n) for n in nodes], dtype=float)
    else:
        values = pd.to_numeric(
            pd.Series([G.nodes[n].get(size_by) for n in nodes], dtype=object), errors="coerce"
        )
        if len(nodes) and values.isna().all():
            raise ValueError(
                f"size_by must be 'degree' or a numeric node attribute, not {size_by!r}"
            )
    return values.clip(lower=0).fillna(0).to_numpy(dtype=float)


def _areas(values: np.ndarray, ax: Axes) -> np.ndarray:
    """Marker areas (points²) growing with the square root of `values`, from a fifth to
    three times the room each node has on `ax` (at most 4 to 240 points²)."""
    width, height = ax.get_window_extent().size * 72 / ax.figure.dpi
    room = float(np.clip(width * height / max(len(values), 1) / 3, 1.0, 80.0))
    root = np.sqrt(values)
    top = root.max() if len(root) else 0.0
    return room * (0.2 + 2.8 * (root / top if top > 0 else np.ones_like(root)))
