"""One HTML report of a co-building network: summary, key tables, charts and the map.

:func:`write_report` writes a folder that opens offline in any browser: ``index.html``
(the dataset's description and provenance counts, the key tables of
:func:`cobuild_graph.analysis.analyze`, the charts of :mod:`cobuild_graph.plot` as images inside
the page) and ``map.html`` (:func:`cobuild_graph.maps.network_map`), embedded in the
report and linked from it. The report runs no script at all; every name in it is
HTML-escaped text.
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
from markupsafe import Markup
from matplotlib.figure import Figure

from cobuild_graph import plot
from cobuild_graph._page import asset as _asset
from cobuild_graph._page import render_page
from cobuild_graph._style import CJK_FONT_STACK
from cobuild_graph.analysis import analyze
from cobuild_graph.build import graph_to_tables
from cobuild_graph.maps import network_map
from cobuild_graph.schema import Schema, schema_or_default

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
_METADATA_KEYS = ("place", "date", "licence", "description", "synthetic", "scale", "seed")


@dataclass
class _Section:
    anchor: str
    title: str
    note: str = ""
    charts: list[dict[str, str]] = field(default_factory=list)
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
    """Write ``out_dir/index.html`` and ``out_dir/map.html``.

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
        The path of ``index.html``.
    """
    schema = schema_or_default(schema)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if tables is None:
        tables = analyze(G, seed=seed, progress=False, schema=schema)
    title = str(G.graph.get("name") or "共建网络 co-building network") if title is None else title
    large = G.number_of_nodes() > EXPAND_ABOVE
    options = {
        "aggregate": "Street" if large else None,
        "layout_seed": seed,
        "heading": title,
        "metrics": _node_metrics(tables),
        **(map_options or {}),
    }
    options.setdefault(
        "expandable",
        large and options["aggregate"] is not None and G.number_of_nodes() <= UNFOLDABLE_UP_TO,
    )
    net = network_map(G, out / "map.html", schema=schema, **options)
    folded = ""
    if options["expandable"]:
        folded = f", starting folded to {options['aggregate']} level (double-click to unfold)"
    elif options["aggregate"]:
        folded = f", folded to {options['aggregate']} level"
    note = f"{len(net.nodes):,} nodes, {len(net.edges):,} links{folded}. Open it on its own:"
    sections = [
        _dataset_section(G),
        _network_section(tables),
        _places_section(G, tables, schema),
        _measures_section(G, tables, schema),
        _time_section(G, tables, schema),
    ]
    page = render_page(
        "report.html",
        data=None,
        css=f":root {{ --cg-font: {CJK_FONT_STACK}; }}\n" + _asset("report.css"),
        scripts={},
        frames=True,
        title=title,
        about=[(k, str(G.graph[k])) for k in _METADATA_KEYS if G.graph.get(k) not in (None, "")],
        sections=sections,
        map_note=note,
        footer=f"cobuild_graph {_version()} · analysis seed {seed}",
    )
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    logger.info("wrote the report %s", index)
    return index


def _version() -> str:
    import cobuild_graph  # here, not at import: the package may import this module first

    return cobuild_graph.__version__


def _node_metrics(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    parts = [
        tables[name].drop(columns=["name", "label"], errors="ignore")
        for name in ("centrality", "communities")
        if name in tables
    ]
    return pd.concat(parts, axis=1) if parts else None


# -- sections ------------------------------------------------------------------------------


def _dataset_section(G: nx.MultiDiGraph) -> _Section:
    nodes, ties = graph_to_tables(G)
    section = _Section("dataset", "数据集 Dataset", note="Rows per provenance (来源).")
    for what, frame, key in (("Nodes 节点", nodes, "label"), ("Ties 关系", ties, "type")):
        source = frame.get("provenance", pd.Series(None, index=frame.index, dtype=object))
        source = source.astype(object).where(source.notna(), "(none)")
        counts = pd.crosstab(frame[key], source, margins=True, margins_name="all")
        section.tables.append(_table(f"{what} by {key} and provenance", counts))
    return section


def _network_section(tables: Mapping[str, pd.DataFrame]) -> _Section:
    section = _Section("network", "网络概况 Network")
    _add(section, tables, "summary", "Summary measures")
    _add(section, tables, "community_streets", "Communities (Louvain) and their streets")
    return section


def _places_section(
    G: nx.MultiDiGraph, tables: Mapping[str, pd.DataFrame], schema: Schema
) -> _Section:
    section = _Section("places", "覆盖与均衡 Coverage and balance")
    balance = tables.get("balance")
    for count in ("units", "branches", "projects"):
        _chart(
            section,
            f"{count} per street",
            lambda c=count: plot.plot_per_street(G, c, table=balance, schema=schema),
        )
    _chart(
        section,
        "coverage per street",
        lambda: plot.plot_coverage(G, table=tables.get("coverage_by_street"), schema=schema),
    )
    _chart(
        section,
        "unit types per street",
        lambda: plot.plot_unit_types(G, table=tables.get("sector_mix"), schema=schema),
    )
    _chart(section, "roll-up per district", lambda: plot.plot_rollup(G, schema=schema))
    _add(section, tables, "coverage", "Coverage of communities")
    _add(section, tables, "uncovered", "Communities no unit or branch reaches")
    _add(section, tables, "inequality", "Inequality of the counts over streets")
    _add(section, tables, "balance", "Balance per street")
    _add(section, tables, "funding", "Funding per street")
    return section


def _measures_section(
    G: nx.MultiDiGraph, tables: Mapping[str, pd.DataFrame], schema: Schema
) -> _Section:
    section = _Section("measures", "中心性 Centrality")
    centrality = tables.get("centrality")
    _chart(section, "degree distribution", lambda: plot.plot_degree_distribution(G, schema=schema))
    if centrality is not None:
        _chart(
            section,
            "betweenness distribution",
            lambda: plot.plot_centrality_distribution(G, "betweenness", table=centrality),
        )
        _chart(
            section,
            "top nodes by PageRank",
            lambda: plot.plot_top_nodes(G, "pagerank", table=centrality, schema=schema),
        )
        top = centrality.sort_values("pagerank", ascending=False).head(TOP_ROWS)
        section.tables.append(_table(f"Top {TOP_ROWS} nodes by PageRank", top))
    _add(section, tables, "robustness", "Units whose withdrawal cuts most", head=TOP_ROWS)
    return section


def _time_section(
    G: nx.MultiDiGraph, tables: Mapping[str, pd.DataFrame], schema: Schema
) -> _Section:
    section = _Section("time", "增长 Growth")
    growth = tables.get("growth")
    _chart(section, "ties per year", lambda: plot.plot_growth(G, table=growth, schema=schema))
    if growth is not None and len(growth):
        every = growth[growth["type"] == "all"].set_index("period").drop(columns="type")
        section.tables.append(_table("All ties per year", every))
    _add(section, tables, "cross_level", "How far ties reach across the hierarchy")
    return section


# -- pieces --------------------------------------------------------------------------------


def _add(
    section: _Section,
    tables: Mapping[str, pd.DataFrame],
    name: str,
    title: str,
    *,
    head: int | None = None,
) -> None:
    table = tables.get(name)
    if table is None:
        return
    note = f"First {head} of {len(table):,} rows." if head is not None and len(table) > head else ""
    section.tables.append(_table(title, table.head(head) if head else table, note=note))


def _table(title: str, table: pd.DataFrame, *, note: str = "") -> dict[str, Any]:
    """A table as escaped HTML (pandas escapes every cell, index and header)."""
    html = table.to_html(
        escape=True,
        border=0,
        na_rep="",
        float_format=lambda x: f"{x:.4g}",
        max_rows=200,
    )
    # pandas puts a style attribute on the header row; the page's policy allows none
    html = html.replace(' style="text-align: right;"', "")
    return {"title": title, "note": note, "html": Markup(html)}


def _chart(section: _Section, title: str, draw: Callable[[], tuple[Figure, Any]]) -> None:
    """Draw a chart and add it to `section` as an SVG image (an ``<img>`` runs no script)."""
    try:
        fig, _ = draw()
    except (KeyError, ValueError) as error:  # a table this dataset cannot fill
        logger.warning("chart %r left out: %s", title, error)
        return
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    section.charts.append({"title": title, "src": f"data:image/svg+xml;base64,{data}"})
