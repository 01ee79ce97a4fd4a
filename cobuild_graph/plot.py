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
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import font_manager, patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from matplotlib.typing import ColorType

from cobuild_graph import domain
from cobuild_graph._files import atomic_write
from cobuild_graph._style import (
    MISSING,
    bilingual,
    category_color,
    check_language,
    chinese_name,
    column_text,
    label_colors,
    label_text,
    tie_colors,
    tie_text,
    value_text,
)
from cobuild_graph.metrics import centrality
from cobuild_graph.schema import Schema, schema_of

logger = logging.getLogger(__name__)

#: The shipped Chinese font (a subset of Noto Sans CJK SC, SIL Open Font License 1.1).
FONT_PATH = Path(str(resources.files("cobuild_graph") / "_static" / "fonts")) / (
    "CobuildSansSC-Regular.otf"
)
#: Its family name in matplotlib.
FONT_FAMILY = "Cobuild Sans SC"
#: Formats :func:`save_figure` writes when the path has no suffix.
SAVE_FORMATS: tuple[str, ...] = ("png", "svg")
#: Size in inches of :func:`network`'s figure: the text width of an A4 or letter page.
PAPER_SIZE: tuple[float, float] = (7.0, 5.5)

font_manager.fontManager.addfont(str(FONT_PATH))


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
        for tie in wide.columns:
            ax.plot(
                wide.index.astype(str),
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
    labels: int = 20,
    positions: Mapping[Hashable, tuple[float, float]] | None = None,
    seed: int = 0,
    title: str | None = None,
    size: tuple[float, float] = PAPER_SIZE,
    ax: Axes | None = None,
    schema: Schema | None = None,
) -> tuple[Figure, Axes]:
    """The network as a figure for a paper: the map's layout, colours by label, a legend.

    Parameters
    ----------
    G
        Any co-building graph or view of one: the whole network, a street's part
        (``G.subgraph(...)``), an ego network (``nx.ego_graph(G, node, undirected=True)``).
    size_by
        Node area by ``"degree"`` (ties, both directions), a numeric node attribute, or a
        Series of values indexed by node id (e.g. ``analyze(G)["centrality"]["pagerank"]``);
        ``None`` for one size.
    labels
        At most this many names are written: the upper hierarchy levels first (district
        before street ...), then the largest nodes; a name that would overlap one already
        written is left out.
    positions
        Node positions; :func:`cobuild_graph.maps.layout` with `seed` (the interactive map's
        layout, y pointing down as on screen) when ``None``.
    seed
        Seed of the layout.
    title
        Title above the network; none when ``None`` (a paper's caption says it).
    size
        Size in inches of a new figure; :data:`PAPER_SIZE` fits a page's text width.
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
        If `size_by` names neither ``"degree"`` nor a numeric node attribute.

    Examples
    --------
    >>> import cobuild_graph as cg
    >>> G = cg.generate("tiny", seed=1)
    >>> fig, ax = network(G, labels=5)
    >>> 0 < len(ax.texts) <= 5
    True
    """
    from cobuild_graph.maps import layout  # the maps import this module's colours' source

    schema = schema_of(G, schema)
    nodes = list(G.nodes)
    where = layout(G, seed=seed) if positions is None else positions
    xy = np.array([where[n] for n in nodes], dtype=float).reshape(-1, 2)
    values = _size_values(G, nodes, size_by)
    node_labels = [G.nodes[n].get("label") for n in nodes]
    colors = label_colors(schema)
    with _chart(ax, size) as (fig, ax):
        areas = _areas(values, ax)
        index = {n: i for i, n in enumerate(nodes)}
        ends = [(index[u], index[v]) for u, v in G.edges() if u != v]
        if ends:
            segments = xy[np.array(ends)]
            ax.add_collection(LineCollection(segments, colors="#9a9a9a", linewidths=0.3, alpha=0.5))
        order = np.argsort(areas, kind="stable")  # the hubs on top
        ax.scatter(
            xy[order, 0],
            xy[order, 1],
            s=areas[order],
            c=[colors.get(node_labels[i], MISSING) for i in order],
            edgecolors="white",
            linewidths=0.3,
            zorder=2,
        )
        ax.set_aspect("equal")
        ax.invert_yaxis()  # y grows downwards on the map's screen
        ax.set_axis_off()
        present = [lb for lb in schema.labels if lb in set(node_labels)]
        handles = [
            Line2D([], [], marker="o", linestyle="", color=colors[lb], label=label_text(schema, lb))
            for lb in present
        ]
        if handles:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
        if title:
            ax.set_title(title)
    _write_names(G, ax, nodes, xy, areas, labels, schema)  # measured in the font just set
    return fig, ax


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


def _write_names(
    G: nx.Graph,
    ax: Axes,
    nodes: list[Hashable],
    xy: np.ndarray,
    areas: np.ndarray,
    most: int,
    schema: Schema,
) -> None:
    """Name up to `most` nodes, upper levels and big nodes first, none over another."""
    if most <= 0 or not nodes:
        return
    depth = len(schema.hierarchy)
    rank = [schema.level(G.nodes[n].get("label", "")) for n in nodes]
    order = sorted(
        range(len(nodes)), key=lambda i: (depth if rank[i] is None else rank[i], -areas[i])
    )
    ax.figure.draw_without_rendering()  # the final place of the axes, legend and title
    renderer = ax.figure.canvas.get_renderer()
    taken: list[Bbox] = []
    for i in order:
        if len(taken) == most:
            break
        text = ax.annotate(
            str(G.nodes[nodes[i]].get("name", nodes[i])),
            xy[i],
            xytext=(0, np.sqrt(areas[i]) / 2 + 1),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=7 if rank[i] is None or rank[i] > 2 else 8,
            fontfamily=[FONT_FAMILY, "sans-serif"],
            zorder=3,
            path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
        )
        text.set_in_layout(False)
        box = text.get_window_extent(renderer).padded(1)
        if any(box.overlaps(other) for other in taken):
            text.remove()
        else:
            taken.append(box)
