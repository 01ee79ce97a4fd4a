"""One HTML report of a co-building network: summary, key tables, charts and the map.

:func:`write_report` writes a folder that opens offline in any browser: ``index.html``
(the dataset's description and provenance counts, the key tables of
:func:`cobuild_graph.analysis.analyze` with names first and headers in Chinese and English,
the charts of :mod:`cobuild_graph.plot` as images inside the page), ``map.html``
(:func:`cobuild_graph.maps.network_map`), embedded in the report and linked from it, and the
network as a figure for a paper (:func:`cobuild_graph.plot.network`) in ``network.png`` and
``network.pdf``. The report runs no script at all; every name in it is HTML-escaped text.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from cobuild_graph import plot
from cobuild_graph._files import check_output, write_bytes, write_text
from cobuild_graph._html_tables import MAX_ROWS, table_html
from cobuild_graph._memo import shared
from cobuild_graph._page import asset, render_page
from cobuild_graph._sheets import CALAMINE_SUFFIXES, CSV_SUFFIXES, XLSX_SUFFIXES
from cobuild_graph._style import CJK_FONT_STACK, LANGUAGES, bilingual, column_text
from cobuild_graph.analysis import TABLES, analyze
from cobuild_graph.build import graph_to_tables
from cobuild_graph.maps import aggregate_graph, network_map
from cobuild_graph.schema import INFERENCES, Schema, inferred_counts, schema_of
from cobuild_graph.views import VIEWS, view

__all__ = [
    "EXPAND_ABOVE",
    "FIGURE_DPI",
    "FILES",
    "MEASURES",
    "ROLLUP_LEVEL",
    "TOP_PLACES",
    "TOP_ROWS",
    "UNFOLDABLE_UP_TO",
    "WHOLE_NETWORK_MEASURES",
    "write_report",
]

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
    "sources": "来源文件",
    "licence": "许可",
    "description": "说明",
    "synthetic": "合成数据",
    "scale": "规模",
    "seed": "随机种子",
}
#: What each centrality measure measures, in one sentence (Chinese, English), in the order
#: the report shows them: a node's own ties and paths first, then
#: :data:`WHOLE_NETWORK_MEASURES`.
MEASURES: dict[str, tuple[str, str]] = {
    "degree": ("与它直接相连的节点占其他节点的比例。", "The share of the other nodes tied to it."),
    "in_degree": ("指向它的节点占其他节点的比例。", "The share of the other nodes tied to it."),
    "out_degree": ("它指向的节点占其他节点的比例。", "The share of the other nodes it ties to."),
    "strength": ("它所有连线的权重之和。", "The sum of the weights of its ties."),
    "betweenness": (
        "其他节点之间的最短路径经过它的比例：它在多大程度上是别人之间的桥梁。",
        "The share of shortest paths between other nodes that pass through it: how far it "
        "bridges them.",
    ),
    "closeness": (
        "它到所能到达的节点的平均距离的倒数，再乘以可达节点的比例。",
        "The inverse of its mean distance to the nodes it reaches, times the share of nodes "
        "it reaches.",
    ),
    "in_closeness": (
        "能到达它的节点到它的平均距离的倒数，再乘以这些节点的比例。",
        "The inverse of the mean distance to it from the nodes that reach it, times their share.",
    ),
    "out_closeness": (
        "它到所能到达的节点的平均距离的倒数，再乘以可达节点的比例。",
        "The inverse of its mean distance to the nodes it reaches, times their share.",
    ),
    "eigenvector": (
        "邻居越处于中心，它就越处于中心；网络不连通时只有一个连通分量的节点不为零。",
        "High when its neighbours are central themselves; in a fragmented network only one "
        "component's nodes are above zero.",
    ),
    "pagerank": (
        "沿连线随机行走、偶尔随机跳转的人停留在它上面的时间比例。",
        "The share of time a random walk that follows ties, now and then jumping anywhere, "
        "spends on it.",
    ),
}
#: Measures whose values compare nodes across the whole network: in a network of several
#: components they do not compare from one component to another, so they come last.
WHOLE_NETWORK_MEASURES = ("eigenvector", "pagerank")
#: Labels of the levels rolled up in a chart, which needs at least two of them to compare.
ROLLUP_LEVEL = "District"

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_ROW = re.compile(r"^(?P<source>.+):\d+$")  # file/sheet:row (a roster import's provenance)
_MORE = re.compile(r" … \(\+\d+\)$")  # the rows past those a provenance lists
_SUFFIXES = "|".join(re.escape(s) for s in (*XLSX_SUFFIXES, *CALAMINE_SUFFIXES, *CSV_SUFFIXES))
_FILE = re.compile(  # a file's name, and its sheet when it has sheets
    r"[^/\\]+(?:" + _SUFFIXES + r")(?:/[^/\\]*)?$",
    re.IGNORECASE,
)
_NONE = ("（无）", "(none)")
_Pair = tuple[str, str]


@dataclass
class _Chart:
    title: str
    draw: Callable[[], tuple[Figure, Any]] | None = None
    src: str = ""
    files: tuple[str, ...] = ()


@dataclass
class _Section:
    anchor: str
    title: _Pair
    language: str
    note: str = ""
    charts: list[_Chart] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    measures: list[tuple[str, str]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    def say(self, chinese: str, english: str) -> str:
        return bilingual(chinese, english, self.language)

    @property
    def heading(self) -> str:
        return self.say(*self.title)


def write_report(
    G: nx.MultiDiGraph,
    out_dir: str | Path,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    seed: int = 0,
    title: str | None = None,
    language: str = "both",
    map_options: Mapping[str, Any] | None = None,
    schema: Schema | None = None,
) -> Path:
    """Write the report's files (:data:`FILES`): ``index.html``, ``map.html`` and the figure.

    A section, chart or table appears only when the data holds what it shows: a table of no
    rows or whose numbers are all zero, a chart of a level the data lacks, are left out, and
    one line under the heading lists what was left out and why.

    Parameters
    ----------
    G
        A co-building graph (:func:`cobuild_graph.read_dataset`).
    out_dir
        The folder to write; made when missing, files in it overwritten.
    tables
        The tables of :func:`cobuild_graph.analysis.analyze` when already computed, all or
        some (``analyze(G, only=[...])``): those not given are made here, with `seed`.
    seed
        Seed of the tables made here and of the map's layout.
    title
        Title of the report; the dataset's name (``G.graph["name"]``) by default.
    language
        The language of the report's own headings, notes, table headers and chart titles:
        ``"zh"``, ``"en"`` or ``"both"`` (Chinese first). Names and values of the data, and
        the analysis' caveats, are shown as they are.
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
    ValueError
        If `language` is not one of ``zh``, ``en``, ``both``.
    cobuild_graph.errors.OutputError
        If `out_dir` cannot be written (checked before the analysis), naming the path; each
        file appears whole or not at all.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    with shared():  # the sections, the map and the figure convert the graph once
        return _write_report(G, Path(out_dir), tables, seed, title, language, map_options, schema)


def _write_report(
    G: nx.MultiDiGraph,
    out: Path,
    tables: Mapping[str, pd.DataFrame] | None,
    seed: int,
    title: str | None,
    language: str,
    map_options: Mapping[str, Any] | None,
    schema: Schema | None,
) -> Path:
    schema = schema_of(G, schema)
    say = partial(bilingual, language=language)
    check_output(out, folder=True)  # before the analysis, not after it
    missing = [name for name in TABLES if tables is None or name not in tables]
    if missing:  # those not given (e.g. a result of analyze(only=...)) are made here
        tables = {
            **analyze(G, only=missing, seed=seed, progress=False, schema=schema),
            **(tables or {}),
        }
    if title is None:
        title = str(G.graph.get("name") or say("共建网络", "Co-building network"))
    kinds = _kinds(G, schema)
    sections = [
        _network_section(tables, language),  # the picture and the headline measures first
        _dataset_section(G, language),
        _places_section(G, tables, kinds, schema, language),
        _measures_section(G, tables, schema, language),
        _time_section(G, tables, schema, language),
    ]
    for section in sections:  # drawn here, in turn: matplotlib draws in one thread
        for chart in section.charts:
            if chart.draw is None:
                continue
            try:
                drawn = _svg(chart.draw, chart.title)
            except (KeyError, ValueError) as error:  # a table this dataset cannot fill
                logger.warning("chart %r left out: %s", chart.title, error)
                reason = ("无法由本数据绘制", "cannot be drawn from this data")
                _leave_out(section, chart.title, reason)
            else:
                chart.src = "data:image/svg+xml;base64," + base64.b64encode(drawn).decode("ascii")
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
    figure = _network_figure(G, net, options["aggregate"], out, schema, language)
    for section in sections:
        section.charts = [chart for chart in section.charts if chart.src]
        for shown in section.tables:  # categories as the schema shows them
            shown["html"] = table_html(shown.pop("frame"), schema=schema, language=language)
    sections[0].charts.insert(0, figure)
    left_out = [item for section in sections for item in section.left_out]
    note = _map_note(len(net.nodes), len(net.edges), options, language)
    page = render_page(
        "report.html",
        data=None,
        css=f":root {{ --cg-font: {CJK_FONT_STACK}; }}\n" + asset("report.css"),
        scripts={},
        frames=True,
        lang="en" if language == "en" else "zh-CN",
        title=title,
        about=[
            (say(zh, key), str(G.graph[key]))
            for key, zh in _METADATA_KEYS.items()
            if G.graph.get(key) not in (None, "")
        ],
        sections=[s for s in sections if s.charts or s.tables],
        left_out=(say("本报告未列出：", "Not in this report: ") + "; ".join(left_out))
        if left_out
        else "",
        words={
            "map": say("交互网络图", "Interactive map"),
            "map_short": say("交互网络图", "Map"),
        },
        map_note=note,
        footer=f"cobuild_graph {_version()} · {say('分析随机种子', 'analysis seed')} {seed}",
    )
    index = out / "index.html"
    write_text(index, page)
    logger.info("wrote the report %s", index)
    return index


def _map_note(nodes: int, links: int, options: Mapping[str, Any], language: str) -> str:
    """What the map shows and how it starts, before the link that opens it on its own."""
    level = options["aggregate"]
    zh = en = ""
    if options["expandable"]:
        zh, en = f"，起始折叠到 {level} 层（双击展开）", f"starting folded to {level} level"
        en += " (double-click to unfold)"
    elif level:
        zh, en = f"，折叠到 {level} 层", f"folded to {level} level"
    if language == "zh":
        return f"{nodes:,} 个节点，{links:,} 条连线{zh}。单独打开："
    if language == "en":
        return f"{nodes:,} nodes, {links:,} links{', ' * bool(en)}{en}. Open it on its own:"
    return (
        f"{nodes:,} 个节点 nodes，{links:,} 条连线 links{zh}{' ' * bool(en)}{en}。"
        "单独打开 Open it on its own:"
    )


def _svg(draw: Callable[[], tuple[Figure, Any]], title: str) -> bytes:
    """A chart as SVG, titled in the report's language; its constrained layout already fits
    it, so no second, tight pass."""
    fig, ax = draw()
    if isinstance(ax, Axes):
        ax.set_title(title)
    buffer = io.BytesIO()
    with mpl.rc_context(plot.REPRODUCIBLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def _network_figure(
    G: nx.MultiDiGraph, net: Any, aggregate: str | None, out: Path, schema: Schema, language: str
) -> _Chart:
    """The network as the map first shows it, in the map's positions: ``network.png``
    (also in the page) and ``network.pdf``."""
    shown = {n["id"]: (n["x"], n["y"]) for n in net.nodes if "cg_parent" not in n}
    if aggregate is None:
        H, size_by = G, "degree"
        caption = bilingual("网络图", "The network", language)
    else:
        H, members = aggregate_graph(G, aggregate, schema=schema)
        size_by = pd.Series({n: 1 + sum(members.get(n, {}).values()) for n in H.nodes})
        caption = bilingual(
            f"网络图（折叠到 {aggregate} 层）", f"The network folded to {aggregate} level", language
        )
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


def _dataset_section(G: nx.MultiDiGraph, language: str) -> _Section:
    nodes, ties = graph_to_tables(G)
    section = _Section("dataset", ("数据集", "Dataset"), language)
    say = section.say
    parts = ((("节点", "Nodes"), nodes, "label"), (("关系", "Ties"), ties, "type"))
    for (zh, en), frame, key in parts:
        sources = frame.get("provenance")
        if sources is None or sources.isna().all():
            counts = frame[key].value_counts().rename("count").to_frame()
            counts.loc["all"] = counts["count"].sum()
            _add_table(section, say(f"{zh}：按类型", f"{en} by {key}"), counts)
            continue
        counts, partly = _by_source(frame[key], sources, none=say(*_NONE))
        note = ""
        if partly:
            note = say(
                f"{partly:,} 项的来源只列出前几行（… (+N)），未列出的行不计入。",
                f"The provenance of {partly:,} items lists only their first rows (… (+N)); "
                "the rows not listed are not counted.",
            )
        title = say(f"{zh}：按类型和来源（文件/工作表）", f"{en} by {key} and source (file/sheet)")
        _add_table(section, title, counts, note=note)
    inferred = inferred_counts(G)
    if len(inferred):
        inferred["how"] = [INFERENCES.get(h, h) for h in inferred["how"]]
        title = say(
            "推定的值（未从本行单元格读取）", "Values not read from their own cell (inferred)"
        )
        _add_table(section, title, inferred.set_index(["on", "field"]))
    return section


def _by_source(
    keys: pd.Series, provenance: pd.Series, *, none: str = "（无）(none)"
) -> tuple[pd.DataFrame, int]:
    """How many items of each kind each source gave: rows `keys`, a column per source.

    A roster import's provenance (``file/sheet:row, file/sheet:row …``) counts under each
    file and sheet it names, shown by the file's name without its folder; any other
    provenance (``article``, ``synthetic``) is a source as written.

    Parameters
    ----------
    keys
        The kind of each item (a node's label, a tie's type).
    provenance
        Each item's provenance, aligned with `keys`.
    none
        The column of the items of no provenance.

    Returns
    -------
    tuple
        The counts (an item named by several sheets counts under each; ``all`` the items of
        each kind, and of each source), and how many provenances list only their first rows
        (``… (+N)``), whose other rows are not counted.

    Examples
    --------
    >>> keys = pd.Series(["Unit", "Unit", "Street"])
    >>> where = pd.Series(["d/r.xlsx/名册:3, d/r.xlsx/名册:9", "article", "d/r.xlsx/街道:2"])
    >>> counts, partly = _by_source(keys, where)
    >>> counts.to_dict("index")  # doctest: +NORMALIZE_WHITESPACE
    {'Street': {'article': 0, 'r.xlsx/名册': 0, 'r.xlsx/街道': 1, 'all': 1},
     'Unit': {'article': 1, 'r.xlsx/名册': 1, 'r.xlsx/街道': 0, 'all': 2},
     'all': {'article': 1, 'r.xlsx/名册': 1, 'r.xlsx/街道': 1, 'all': 3}}
    """
    named = [_sources(value, none) for value in provenance]
    short = _short_names({source for sources, _ in named for source in sources})
    pairs = [
        (key, short.get(source, source))
        for key, (sources, _) in zip(keys, named, strict=True)
        for source in sources
    ]
    found = pd.DataFrame(pairs, columns=["kind", "source"])
    counts = pd.crosstab(found["kind"], found["source"])
    counts = counts.reindex(sorted(keys.unique(), key=str), fill_value=0)
    counts["all"] = keys.value_counts()
    counts.loc["all"] = [*(counts[c].sum() for c in counts.columns[:-1]), len(keys)]
    counts.index.name = keys.name
    counts.columns.name = None
    return counts, sum(partly for _, partly in named)


def _sources(value: object, none: str) -> tuple[list[str], bool]:
    """The sources one provenance names, and whether it lists only its first rows."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return [none], False
    text = str(value)
    partly = bool(_MORE.search(text))
    entries = [_ROW.match(entry.strip()) for entry in _MORE.sub("", text).split(", ")]
    if not all(entries):  # not a roster's rows: the provenance as written
        return [text], False
    return list(dict.fromkeys(match["source"] for match in entries if match)), partly


def _short_names(sources: set[str]) -> dict[str, str]:
    """Each roster source by its file's name (and sheet), unless two would read the same."""
    short = {s: match.group(0) if (match := _FILE.search(s)) else s for s in sources}
    names = list(short.values())
    return {s: s if names.count(name) > 1 else name for s, name in short.items()}


def _network_section(tables: Mapping[str, pd.DataFrame], language: str) -> _Section:
    section = _Section("network", ("网络概况", "Network"), language)
    _add(section, tables, "summary", ("概况指标", "Summary measures"))
    _add(
        section,
        tables,
        "community_streets",
        ("社群（Louvain）及其街道", "Communities (Louvain) and their streets"),
    )
    _add(section, tables, "ei_street", ("街道的 E-I 指数", "E-I index of streets"))
    _add(section, tables, "ei_sector", ("单位类型的 E-I 指数", "E-I index of unit types"))
    return section


def _places_section(
    G: nx.MultiDiGraph,
    tables: Mapping[str, pd.DataFrame],
    kinds: Mapping[str, bool],
    schema: Schema,
    language: str,
) -> _Section:
    section = _Section("places", ("覆盖与均衡", "Coverage and balance"), language)
    balance = tables.get("balance")
    labels = pd.Series(dict(G.nodes(data="label")), dtype=object).value_counts()
    streets = int(labels.get("Street", 0))
    many = streets > TOP_PLACES
    names = {"units": "单位", "branches": "行动支部", "projects": "项目"}
    for count, name in names.items():
        if kinds[count]:
            top = (f"（前 {TOP_PLACES} 个，共 {streets} 个）", f" (top {TOP_PLACES} of {streets})")
            _chart(
                section,
                (f"各街道{name}数" + top[0] * many, f"{count} per street" + top[1] * many),
                lambda c=count: plot.plot_per_street(
                    G, c, table=balance, top=TOP_PLACES, schema=schema
                ),
                table=balance,
                columns=[count],
            )
    covering = tuple(kind for kind in ("unit", "branch", "project") if kinds[kind])
    coverage = tables.get("coverage_by_street")
    shares = [f"{kind}_share" for kind in covering]
    if covering and many and coverage is not None:
        least = coverage[coverage["communities"] > 0].nsmallest(TOP_PLACES, f"{covering[0]}_share")
        _chart(
            section,
            (
                f"{covering[0]} 覆盖率最低的 {TOP_PLACES} 个街道",
                f"the {TOP_PLACES} streets least covered by {covering[0]}",
            ),
            lambda: plot.plot_coverage(G, covering, table=least, schema=schema),
            table=least,
            columns=shares,
        )
    elif covering:
        _chart(
            section,
            ("各街道覆盖率", "coverage per street"),
            lambda: plot.plot_coverage(G, covering, table=coverage, schema=schema),
            table=coverage,
            columns=shares,
        )
    _chart(
        section,
        ("各街道单位类型", "unit types per street"),
        lambda: plot.plot_unit_types(G, table=tables.get("sector_mix"), schema=schema),
        table=tables.get("sector_mix"),
    )
    rollup = ("各区汇总", "roll-up per district")
    if labels.get(ROLLUP_LEVEL, 0) >= 2:
        _chart(section, rollup, lambda: plot.plot_rollup(G, ROLLUP_LEVEL, schema=schema))
    else:
        reason = (f"数据中 {ROLLUP_LEVEL} 节点少于 2 个", f"fewer than 2 {ROLLUP_LEVEL} nodes")
        _leave_out(section, section.say(*rollup), reason)
    absent = [kind for kind, has in kinds.items() if not has]
    present = {
        "coverage": lambda t: t.drop(index=absent, errors="ignore"),
        "coverage_by_street": lambda t: t.drop(columns=_columns_of(t, absent)),
        "balance": lambda t: t.drop(columns=_columns_of(t, absent)),
        "inequality": lambda t: t.drop(index=absent, errors="ignore"),
    }
    for name, title in (
        ("coverage", ("社区覆盖", "Coverage of communities")),
        ("coverage_by_street", ("各街道社区覆盖", "Coverage per street")),
        ("uncovered", ("无单位或支部联系的社区", "Communities no unit or branch reaches")),
        ("inequality", ("各街道数量的不均衡", "Inequality of the counts over streets")),
        ("balance", ("各街道均衡", "Balance per street")),
        ("sector_mix", ("各街道单位类型", "Unit types per street")),
    ):
        _add(section, tables, name, title, keep=present.get(name))
    money = ["communities_funded", "service_fund_yuan", "projects_budgeted", "budget_yuan"]
    _add(section, tables, "funding", ("各街道经费", "Funding per street"), columns=money)
    return section


def _columns_of(table: pd.DataFrame, kinds: list[str]) -> list[str]:
    """The columns of `table` about `kinds` (``project_share``, ``projects_ratio`` ...)."""
    return [c for c in table.columns if str(c) in kinds or str(c).rsplit("_", 1)[0] in kinds]


def _measures_section(
    G: nx.MultiDiGraph, tables: Mapping[str, pd.DataFrame], schema: Schema, language: str
) -> _Section:
    """Degree and betweenness first, then the other measures of a node's own paths, then
    eigenvector centrality and PageRank (with a note when the network falls apart into
    components, across which those two do not compare); a sentence on each."""
    section = _Section("measures", ("中心性", "Centrality"), language)
    say = section.say
    _chart(
        section,
        ("度分布", "degree distribution"),
        lambda: plot.plot_degree_distribution(G, schema=schema),
    )
    centrality = tables.get("centrality")
    measured = [] if centrality is None else [m for m in MEASURES if m in centrality.columns]
    measured = [m for m in measured if centrality[m].notna().any()]  # closeness may be skipped
    if measured:
        order = [m for m in measured if m not in WHOLE_NETWORK_MEASURES]
        order += [m for m in measured if m in WHOLE_NETWORK_MEASURES]
        lead = order[0]
        section.measures = [(column_text(m, language), say(*MEASURES[m])) for m in order]
        components = _components(G, centrality, schema)
        if components > 1 and set(order) & set(WHOLE_NETWORK_MEASURES):
            section.note = say(
                f"此网络有 {components:,} 个连通分量：特征向量中心度与 PageRank 不能在分量之间"
                "比较，故列在最后，仅供参考。",
                f"This network has {components:,} components: eigenvector centrality and "
                "PageRank do not compare across components, so they come last, for reference.",
            )
        if "betweenness" in order:
            _chart(
                section,
                ("中介中心度分布", "betweenness distribution"),
                lambda: plot.plot_centrality_distribution(G, "betweenness", table=centrality),
                table=centrality,
                columns=["betweenness"],
            )
        lead_name = column_text(lead, "zh")
        _chart(
            section,
            (f"{lead_name}最高的节点", f"top nodes by {lead}"),
            lambda: plot.plot_top_nodes(G, lead, table=centrality, schema=schema),
            table=centrality,
            columns=[lead],
        )
        others = [c for c in centrality.columns if c not in order]
        top = centrality.sort_values(order[:2], ascending=False).head(TOP_ROWS)
        title = (f"{lead_name}前 {TOP_ROWS} 名", f"Top {TOP_ROWS} nodes by {lead}")
        _add_table(section, say(*title), top[others + order].copy())
        section.tables[-1]["caveats"] = list(centrality.attrs.get("caveats", []))
    _add(
        section,
        tables,
        "robustness",
        ("撤出影响最大的单位", "Units whose withdrawal cuts most"),
        head=TOP_ROWS,
    )
    return section


def _components(G: nx.MultiDiGraph, centrality: pd.DataFrame, schema: Schema) -> int:
    """The number of (weakly) connected components of the network `centrality` measured."""
    name = centrality.attrs.get("view")
    H = view(G, name if name in VIEWS else None, schema=schema)
    if H.number_of_nodes() == 0:
        return 0
    if H.is_directed():
        return nx.number_weakly_connected_components(H)
    return nx.number_connected_components(H)


def _time_section(
    G: nx.MultiDiGraph, tables: Mapping[str, pd.DataFrame], schema: Schema, language: str
) -> _Section:
    section = _Section("time", ("增长", "Growth"), language)
    growth = tables.get("growth")
    _chart(
        section,
        ("每年关系数", "ties per year"),
        lambda: plot.plot_growth(G, table=growth, schema=schema),
        table=growth,
    )
    if growth is not None:
        every = growth[growth["type"] == "all"].set_index("period").drop(columns="type")
        every.attrs = growth.attrs
        _add(section, {"growth": every}, "growth", ("每年全部关系", "All ties per year"))
    _add(
        section,
        tables,
        "cross_level",
        ("关系跨越的层级", "How far ties reach across the hierarchy"),
    )
    return section


# -- pieces --------------------------------------------------------------------------------


def _says_nothing(table: pd.DataFrame, columns: list[str] | None = None) -> _Pair | None:
    """Why `table` shows nothing (Chinese, English), or ``None`` when it shows something: it
    has no rows, or every number in `columns` (by default its numeric columns) is zero or
    empty. A table without numbers that has rows shows something.

    Examples
    --------
    >>> _says_nothing(pd.DataFrame({"n": [0, 0], "name": ["a", "b"]}))
    ('数值全为零或空', 'every number zero or empty')
    >>> _says_nothing(pd.DataFrame({"n": [0, 2], "m": [0, 0]}), ["m"])
    ('数值全为零或空', 'every number zero or empty')
    >>> _says_nothing(pd.DataFrame({"n": [0, 2]})) is None
    True
    """
    if len(table) == 0:
        return ("没有数据行", "no rows")
    numbers = table[[c for c in columns if c in table.columns]] if columns else table
    numbers = numbers.select_dtypes("number")
    if numbers.shape[1] and not numbers.fillna(0).ne(0).any().any():
        return ("数值全为零或空", "every number zero or empty")
    return None


def _leave_out(section: _Section, title: str, reason: _Pair) -> None:
    section.left_out.append(f"{title} ({section.say(*reason)})")


def _add(
    section: _Section,
    tables: Mapping[str, pd.DataFrame],
    name: str,
    title: _Pair,
    *,
    head: int | None = None,
    keep: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    columns: list[str] | None = None,
) -> None:
    """Add the table `name` of `tables` when it shows something (:func:`_says_nothing` of
    `columns`), else say it is left out; a table not computed is not mentioned."""
    table = tables.get(name)
    if table is None:
        return
    table = keep(table) if keep is not None else table
    heading = section.say(*title)
    reason = _says_nothing(table, columns)
    if reason is not None:
        _leave_out(section, heading, reason)
        return
    shown = min(len(table), head or MAX_ROWS)
    rows = f"{len(table):,}"
    note = section.say(f"前 {shown} 行，共 {rows} 行。", f"First {shown} of {rows} rows.")
    _add_table(section, heading, table.head(shown), note=note if shown < len(table) else "")


def _add_table(section: _Section, title: str, table: pd.DataFrame, *, note: str = "") -> None:
    """A table as escaped HTML: names first, ids second, headers in the section's language,
    with the network it was measured on (``analyze``'s ``attrs["view"]``) and its caveats
    (``attrs["caveats"]``, e.g. how many of its dates are inferred)."""
    name = table.attrs.get("view")
    measured_on = ""
    if name in VIEWS:
        chinese, english = _halves(VIEWS[name])
        measured_on = section.say(f"网络：{chinese}", f"network: {english}")
    section.tables.append(
        {
            "title": title,
            "view": measured_on,
            "caveats": list(table.attrs.get("caveats", [])),
            "note": note,
            "frame": table,  # shown as the schema shows its categories, when written
        }
    )


def _halves(text: str) -> _Pair:
    """A text written Chinese first, English after, as its two halves (split after its
    last Chinese character).

    Examples
    --------
    >>> _halves("共建网络（不含行政隶属）co-building ties")
    ('共建网络（不含行政隶属）', 'co-building ties')
    """
    last = max((m.end() for m in _CJK.finditer(text)), default=0)
    return text[:last].strip(), text[last:].strip()


def _chart(
    section: _Section,
    title: _Pair,
    draw: Callable[[], tuple[Figure, Any]],
    *,
    table: pd.DataFrame | None = None,
    columns: list[str] | None = None,
) -> None:
    """Add a chart to `section`, drawn later with the others as an SVG image (an ``<img>``
    runs no script); left out when the `table` it draws shows nothing (:func:`_says_nothing`
    of `columns`)."""
    heading = section.say(*title)
    reason = None if table is None else _says_nothing(table, columns)
    if reason is not None:
        _leave_out(section, heading, reason)
        return
    section.charts.append(_Chart(heading, draw))
