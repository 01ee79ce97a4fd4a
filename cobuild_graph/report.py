"""One HTML report of a co-building network: summary, key tables, charts and the map.

:func:`write_report` writes a folder that opens offline in any browser: ``index.html``
(the dataset's description and provenance counts, the key tables of
:func:`cobuild_graph.analysis.analyze` with names first and headers in Chinese and English,
the charts of :mod:`cobuild_graph.plot` as images inside the page), ``map.html``
(:func:`cobuild_graph.maps.network_map`), embedded in the report and linked from it, and the
network as a figure for a paper (:func:`cobuild_graph.plot.network`) in ``network.png`` and
``network.pdf``. The report runs no script at all; every name in it is HTML-escaped text.
The charts draw in worker processes while the map is written (:mod:`cobuild_graph._batch`).
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from matplotlib.figure import Figure

from cobuild_graph import plot
from cobuild_graph._batch import Batch
from cobuild_graph._files import check_output, write_bytes, write_text
from cobuild_graph._html_tables import MAX_ROWS, table_html
from cobuild_graph._memo import shared
from cobuild_graph._page import asset, render_page
from cobuild_graph._style import CJK_FONT_STACK
from cobuild_graph.analysis import analyze
from cobuild_graph.build import graph_to_tables
from cobuild_graph.maps import aggregate_graph, network_map
from cobuild_graph.schema import INFERENCES, Schema, inferred_counts, schema_of
from cobuild_graph.views import VIEWS

logger = logging.getLogger(__name__)

#: Above this many nodes the report's map starts folded to streets and unfolds on
#: double-click (:func:`cobuild_graph.maps.network_map` with ``aggregate="Street"`` and
#: ``expandable=True``); up to it, the map shows every node.
EXPAND_ABOVE = 1_500
#: Above this many nodes the report's map shows the streets only, without unfolding: an
#: unfoldable page holds every node (about 0.8 kB each), too much for a browser to open.
UNFOLDABLE_UP_TO = 30_000
#: Rows shown of the long per-node tables.
TOP_ROWS = 20
#: Places shown at most in a per-street bar chart (the highest, or the least covered):
#: beyond about 40 bars their names no longer fit beside them.
TOP_PLACES = 40
#: The files :func:`write_report` writes, and what each holds (as the command line says it).
FILES: dict[str, str] = {
    "index.html": "报告 report",
    "map.html": "交互网络图 interactive map",
    "network.png": "网络图 network figure (PNG)",
    "network.pdf": "网络图（论文用）network figure for a paper (PDF)",
}
#: Resolution of ``network.png``.
FIGURE_DPI = 200
_METADATA_KEYS = {
    "place": "地点",
    "date": "日期",
    "licence": "许可",
    "description": "说明",
    "synthetic": "合成数据",
    "scale": "规模",
    "seed": "随机种子",
}


@dataclass
class _Chart:
    title: str
    draw: Callable[[], tuple[Figure, Any]] | None = None
    src: str = ""
    files: tuple[str, ...] = ()


@dataclass
class _Section:
    anchor: str
    title: str
    note: str = ""
    charts: list[_Chart] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)


def write_report(
    G: nx.MultiDiGraph,
    out_dir: str | Path,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    seed: int = 0,
    title: str | None = None,
    map_options: Mapping[str, Any] | None = None,
    schema: Schema | None = None,
) -> Path:
    """Write the report's files (:data:`FILES`): ``index.html``, ``map.html`` and the figure.

    Parameters
    ----------
    G
        A co-building graph (:func:`cobuild_graph.read_dataset`).
    out_dir
        The folder to write; made when missing, files in it overwritten.
    tables
        The tables of :func:`cobuild_graph.analysis.analyze` when already computed.
    seed
        Seed of the analysis (when `tables` is ``None``) and of the map's layout.
    title
        Title of the report; the dataset's name (``G.graph["name"]``) by default.
    map_options
        Keyword arguments for :func:`cobuild_graph.maps.network_map`, e.g.
        ``{"aggregate": "Street"}``; they override the choice by :data:`EXPAND_ABOVE`
        and :data:`UNFOLDABLE_UP_TO` (``expandable`` follows `aggregate` unless given).
    schema
        Labels, tie types and hierarchy.

    Returns
    -------
    pathlib.Path
        The path of ``index.html``; the other files of :data:`FILES` are beside it.

    Raises
    ------
    cobuild_graph.errors.OutputError
        If `out_dir` cannot be written (checked before the analysis), naming the path; each
        file appears whole or not at all.
    """
    with shared():  # the sections, the map and the figure convert the graph once
        return _write_report(G, Path(out_dir), tables, seed, title, map_options, schema)


def _write_report(
    G: nx.MultiDiGraph,
    out: Path,
    tables: Mapping[str, pd.DataFrame] | None,
    seed: int,
    title: str | None,
    map_options: Mapping[str, Any] | None,
    schema: Schema | None,
) -> Path:
    schema = schema_of(G, schema)
    check_output(out, folder=True)  # before the analysis, not after it
    if tables is None:
        tables = analyze(G, seed=seed, progress=False, schema=schema)
    title = str(G.graph.get("name") or "共建网络 co-building network") if title is None else title
    kinds = _kinds(G, schema)
    sections = [
        _network_section(tables),  # the picture and the headline measures first
        _dataset_section(G),
        _places_section(G, tables, kinds, schema),
        _measures_section(G, tables, schema),
        _time_section(G, tables, schema),
    ]
    charts = [chart for section in sections for chart in section.charts if chart.draw]
    with Batch([lambda draw=chart.draw: _svg(draw) for chart in charts]) as drawing:
        large = G.number_of_nodes() > EXPAND_ABOVE
        options = {
            "aggregate": "Street" if large else None,
            "layout_seed": seed,
            "heading": title,
            "tables": tables,
            **(map_options or {}),
        }
        options.setdefault(
            "expandable",
            large and options["aggregate"] is not None and G.number_of_nodes() <= UNFOLDABLE_UP_TO,
        )
        net = network_map(G, out / "map.html", schema=schema, **options)
        figure = _network_figure(G, net, options["aggregate"], out, schema)
        drawn = drawing.results()
    for chart, result in zip(charts, drawn, strict=True):
        if isinstance(result, KeyError | ValueError):  # a table this dataset cannot fill
            logger.warning("chart %r left out: %s", chart.title, result)
        elif isinstance(result, Exception):
            raise result
        else:
            chart.src = "data:image/svg+xml;base64," + base64.b64encode(result).decode("ascii")
    for section in sections:
        section.charts = [chart for chart in section.charts if chart.src]
        for shown in section.tables:  # categories as the schema shows them
            shown["html"] = table_html(shown.pop("frame"), schema=schema)
    sections[0].charts.insert(0, figure)
    folded = ""
    if options["expandable"]:
        folded = f"，起始折叠到 {options['aggregate']} 层（双击展开） starting folded to "
        folded += f"{options['aggregate']} level (double-click to unfold)"
    elif options["aggregate"]:
        folded = f"，折叠到 {options['aggregate']} 层 folded to {options['aggregate']} level"
    note = (
        f"{len(net.nodes):,} 个节点 nodes，{len(net.edges):,} 条连线 links{folded}。"
        "单独打开 Open it on its own:"
    )
    page = render_page(
        "report.html",
        data=None,
        css=f":root {{ --cg-font: {CJK_FONT_STACK}; }}\n" + asset("report.css"),
        scripts={},
        frames=True,
        title=title,
        about=[
            (f"{zh} {key}", str(G.graph[key]))
            for key, zh in _METADATA_KEYS.items()
            if G.graph.get(key) not in (None, "")
        ],
        sections=sections,
        map_note=note,
        footer=f"cobuild_graph {_version()} · 分析随机种子 analysis seed {seed}",
    )
    index = out / "index.html"
    write_text(index, page)
    logger.info("wrote the report %s", index)
    return index


def _svg(draw: Callable[[], tuple[Figure, Any]]) -> bytes:
    """A chart as SVG; its constrained layout already fits it, so no second, tight pass."""
    fig, _ = draw()
    buffer = io.BytesIO()
    with mpl.rc_context(plot.REPRODUCIBLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def _network_figure(
    G: nx.MultiDiGraph, net: Any, aggregate: str | None, out: Path, schema: Schema
) -> _Chart:
    """The network as the map first shows it, in the map's positions: ``network.png``
    (also in the page) and ``network.pdf``."""
    shown = {n["id"]: (n["x"], n["y"]) for n in net.nodes if "cg_parent" not in n}
    if aggregate is None:
        H, size_by = G, "degree"
        caption = "网络图 The network"
    else:
        H, members = aggregate_graph(G, aggregate, schema=schema)
        size_by = pd.Series({n: 1 + sum(members.get(n, {}).values()) for n in H.nodes})
        caption = f"网络图（折叠到 {aggregate} 层）The network folded to {aggregate} level"
    positions = shown if all(n in shown for n in H.nodes) else None
    fig, _ = plot.network(H, size_by=size_by, positions=positions, schema=schema)
    plot.save_figure(fig, out / "network.pdf")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    plt.close(fig)
    write_bytes(out / "network.png", buffer.getvalue())
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return _Chart(
        caption, src=f"data:image/png;base64,{data}", files=("network.pdf", "network.png")
    )


def _version() -> str:
    import cobuild_graph  # here, not at import: the package may import this module first

    return cobuild_graph.__version__


# -- sections ------------------------------------------------------------------------------


def _kinds(G: nx.MultiDiGraph, schema: Schema) -> dict[str, bool]:
    """Whether the dataset has each kind of coverage (a tie of its type with its label at
    one end) and each count of the balance table (its label) at all: a kind it lacks gets
    no row, while a kind it has stays, even where it covers nothing."""
    labels = dict(G.nodes(data="label"))
    ends = {(tie, labels.get(end)) for u, v, tie in G.edges(data="type") for end in (u, v)}
    kinds = {kind: (k.tie_type, k.label) in ends for kind, k in schema.coverage.items()}
    counts = {count: label in labels.values() for count, label in schema.balance_counts.items()}
    return {**kinds, **counts, "any": True, "communities": True}


def _dataset_section(G: nx.MultiDiGraph) -> _Section:
    nodes, ties = graph_to_tables(G)
    section = _Section("dataset", "数据集 Dataset")
    for what, frame, key in (("节点 Nodes", nodes, "label"), ("关系 Ties", ties, "type")):
        source = frame.get("provenance")
        if source is None or source.isna().all():
            counts = frame[key].value_counts().rename("count").to_frame()
            counts.loc["all"] = counts["count"].sum()
            section.tables.append(_table(f"{what}：按{_zh(key)} by {key}", counts))
            continue
        source = source.astype(object).where(source.notna(), "(无 none)").rename("provenance")
        counts = pd.crosstab(frame[key], source, margins=True, margins_name="all")
        counts.columns.name = None
        title = f"{what}：按{_zh(key)}和来源 by {key} and provenance"
        section.tables.append(_table(title, counts))
    inferred = inferred_counts(G)
    if len(inferred):
        inferred["how"] = [INFERENCES.get(h, h) for h in inferred["how"]]
        title = "推定的值（未从本行单元格读取）Values not read from their own cell (inferred)"
        section.tables.append(_table(title, inferred.set_index(["on", "field"])))
    return section


def _zh(column: str) -> str:
    return {"label": "类型", "type": "类型"}[column]


def _network_section(tables: Mapping[str, pd.DataFrame]) -> _Section:
    section = _Section("network", "网络概况 Network")
    _add(section, tables, "summary", "概况指标 Summary measures")
    _add(
        section,
        tables,
        "community_streets",
        "社群（Louvain）及其街道 Communities and their streets",
    )
    _add(section, tables, "ei_street", "街道的 E-I 指数 E-I index of streets")
    _add(section, tables, "ei_sector", "单位类型的 E-I 指数 E-I index of unit types")
    return section


def _places_section(
    G: nx.MultiDiGraph,
    tables: Mapping[str, pd.DataFrame],
    kinds: Mapping[str, bool],
    schema: Schema,
) -> _Section:
    section = _Section("places", "覆盖与均衡 Coverage and balance")
    balance = tables.get("balance")
    streets = sum(1 for _, label in G.nodes(data="label") if label == "Street")
    many = streets > TOP_PLACES
    names = {"units": "单位", "branches": "行动支部", "projects": "项目"}
    for count, name in names.items():
        if kinds[count]:
            top = f"（前 {TOP_PLACES} 个，共 {streets} 个 top {TOP_PLACES} of {streets})"
            _chart(
                section,
                f"各街道{name}数 {count} per street" + (top if many else ""),
                lambda c=count: plot.plot_per_street(
                    G, c, table=balance, top=TOP_PLACES, schema=schema
                ),
            )
    covering = tuple(kind for kind in ("unit", "branch", "project") if kinds[kind])
    coverage = tables.get("coverage_by_street")
    if covering and many and coverage is not None:
        least = coverage[coverage["communities"] > 0].nsmallest(TOP_PLACES, f"{covering[0]}_share")
        _chart(
            section,
            f"{covering[0]} 覆盖率最低的 {TOP_PLACES} 个街道 "
            f"the {TOP_PLACES} streets least covered by {covering[0]}",
            lambda: plot.plot_coverage(G, covering, table=least, schema=schema),
        )
    elif covering:
        _chart(
            section,
            "各街道覆盖率 coverage per street",
            lambda: plot.plot_coverage(G, covering, table=coverage, schema=schema),
        )
    _chart(
        section,
        "各街道单位类型 unit types per street",
        lambda: plot.plot_unit_types(G, table=tables.get("sector_mix"), schema=schema),
    )
    _chart(section, "各区汇总 roll-up per district", lambda: plot.plot_rollup(G, schema=schema))
    absent = [kind for kind, has in kinds.items() if not has]
    present = {
        "coverage": lambda t: t.drop(index=absent, errors="ignore"),
        "coverage_by_street": lambda t: t.drop(columns=_columns_of(t, absent)),
        "balance": lambda t: t.drop(columns=_columns_of(t, absent)),
        "inequality": lambda t: t.drop(index=absent, errors="ignore"),
    }
    for name, title in (
        ("coverage", "社区覆盖 Coverage of communities"),
        ("coverage_by_street", "各街道社区覆盖 Coverage per street"),
        ("uncovered", "无单位或支部联系的社区 Communities no unit or branch reaches"),
        ("inequality", "各街道数量的不均衡 Inequality of the counts over streets"),
        ("balance", "各街道均衡 Balance per street"),
        ("sector_mix", "各街道单位类型 Unit types per street"),
        ("funding", "各街道经费 Funding per street"),
    ):
        _add(section, tables, name, title, keep=present.get(name))
    return section


def _columns_of(table: pd.DataFrame, kinds: list[str]) -> list[str]:
    """The columns of `table` about `kinds` (``project_share``, ``projects_ratio`` ...)."""
    return [c for c in table.columns if str(c) in kinds or str(c).rsplit("_", 1)[0] in kinds]


def _measures_section(
    G: nx.MultiDiGraph, tables: Mapping[str, pd.DataFrame], schema: Schema
) -> _Section:
    section = _Section("measures", "中心性 Centrality")
    centrality = tables.get("centrality")
    _chart(
        section,
        "度分布 degree distribution",
        lambda: plot.plot_degree_distribution(G, schema=schema),
    )
    if centrality is not None:
        _chart(
            section,
            "中介中心度分布 betweenness distribution",
            lambda: plot.plot_centrality_distribution(G, "betweenness", table=centrality),
        )
        _chart(
            section,
            "PageRank 最高的节点 top nodes by PageRank",
            lambda: plot.plot_top_nodes(G, "pagerank", table=centrality, schema=schema),
        )
        top = centrality.sort_values("pagerank", ascending=False).head(TOP_ROWS)
        title = f"PageRank 前 {TOP_ROWS} 名 Top {TOP_ROWS} nodes by PageRank"
        section.tables.append(_table(title, top))
    _add(
        section,
        tables,
        "robustness",
        "撤出影响最大的单位 Units whose withdrawal cuts most",
        head=TOP_ROWS,
    )
    return section


def _time_section(
    G: nx.MultiDiGraph, tables: Mapping[str, pd.DataFrame], schema: Schema
) -> _Section:
    section = _Section("time", "增长 Growth")
    growth = tables.get("growth")
    _chart(
        section,
        "每年关系数 ties per year",
        lambda: plot.plot_growth(G, table=growth, schema=schema),
    )
    if growth is not None and len(growth):
        every = growth[growth["type"] == "all"].set_index("period").drop(columns="type")
        section.tables.append(_table("每年全部关系 All ties per year", every))
    _add(section, tables, "cross_level", "关系跨越的层级 How far ties reach across the hierarchy")
    return section


# -- pieces --------------------------------------------------------------------------------


def _add(
    section: _Section,
    tables: Mapping[str, pd.DataFrame],
    name: str,
    title: str,
    *,
    head: int | None = None,
    keep: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> None:
    table = tables.get(name)
    if table is None:
        return
    table = keep(table) if keep is not None else table
    shown = min(len(table), head or MAX_ROWS)
    note = f"前 {shown} 行，共 {len(table):,} 行 First {shown} of {len(table):,} rows."
    section.tables.append(_table(title, table.head(shown), note=note if shown < len(table) else ""))


def _table(title: str, table: pd.DataFrame, *, note: str = "") -> dict[str, Any]:
    """A table, to be shown as escaped HTML (its ``frame`` becomes ``html``: names first, ids
    second, headers and categories in Chinese and English), with the network it was
    measured on (``analyze``'s ``attrs["view"]``) and its caveats (``attrs["caveats"]``,
    e.g. how many of its dates are inferred)."""
    view = table.attrs.get("view")
    measured_on = f"网络 network: {VIEWS[view]}" if view in VIEWS else ""
    return {
        "title": title,
        "view": measured_on,
        "caveats": list(table.attrs.get("caveats", [])),
        "note": note,
        "frame": table,
    }


def _chart(section: _Section, title: str, draw: Callable[[], tuple[Figure, Any]]) -> None:
    """Add a chart to `section`, drawn later with the others as an SVG image (an ``<img>``
    runs no script)."""
    section.charts.append(_Chart(title, draw))
