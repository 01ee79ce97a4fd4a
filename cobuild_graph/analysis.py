"""Every table of a co-building network at once, and writing them for publication.

:func:`analyze` runs the general measures of :mod:`cobuild_graph.metrics` and the domain's
own of :mod:`cobuild_graph.domain` on one graph, converting it once, and returns the tables
by name; :func:`write_analysis` writes them as one Excel workbook (a sheet per table) or a
folder of CSV files that Excel on Chinese Windows opens as they are (UTF-8 with BOM).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from functools import cache, partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import numpy as np
import openpyxl
import pandas as pd
from tqdm.auto import tqdm

from cobuild_graph import domain, metrics, views
from cobuild_graph._files import (
    append_row,
    check_excel_rows,
    save_workbook,
    staged_folder,
    write_csv,
)
from cobuild_graph._memo import shared
from cobuild_graph.errors import NoTiesError
from cobuild_graph.metrics._brokerage import carried_caveats
from cobuild_graph.schema import Schema, schema_of

logger = logging.getLogger(__name__)

#: Up to this many nodes :func:`analyze` computes betweenness exactly by default; above it,
#: from :data:`BETWEENNESS_SOURCES` sampled sources.
EXACT_BETWEENNESS_LIMIT = 10_000
#: Sources of the betweenness estimate above :data:`EXACT_BETWEENNESS_LIMIT` nodes.
BETWEENNESS_SOURCES = 1_000
#: Source nodes of the path-length estimate in the robustness table (exact for graphs of up
#: to this many nodes).
PATH_SOURCES = 400
#: Above this many nodes :func:`analyze` leaves out the measures that search from every
#: node (closeness, diameter, average path length, robustness path lengths): O(n m) each.
PATH_LIMIT = 100_000
#: The measures of the ``two_mode`` table.
TWO_MODE_COLUMNS = ("degree", "closeness", "betweenness")
#: The columns of the E-I tables.
EI_COLUMNS = ("observed", "expected", "mean", "sd", "minimum", "maximum", "p_greater", "p_less")
#: Random relabellings of the E-I tables' permutation test.
EI_PERMUTATIONS = 1_000
#: Units of highest degree whose withdrawal the robustness table measures structurally.
ROBUSTNESS_TOP = 10
#: Processes of :func:`analyze`'s searches by default (``n_jobs``): one per CPU.
N_JOBS = -1
#: Tables of :func:`analyze` on a view of their own; the network measures' view is the one
#: asked for, every other table is on the whole graph.
_VIEW_OF: dict[str, str] = {
    "street_links": "street",
    "ei_sector": "unit",
    "two_mode": "two_mode",
    **dict.fromkeys(
        [
            "robustness",
            "coverage",
            "coverage_by_street",
            "uncovered",
            "balance",
            "inequality",
            "sector_mix",
            "cross_level",
            "unit_reach",
            "growth",
            "funding",
        ],
        "full",
    ),
}
#: Joins the caveats of a table (``.attrs["caveats"]``) in one cell of the ``about`` table.
CAVEAT_SEPARATOR = "；"
_SHEET_NAME_LENGTH = 31
_BAD_SHEET_CHARACTERS = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


def analyze(
    G: nx.Graph,
    *,
    seed: int = 0,
    progress: bool = False,
    betweenness_sample: int | Literal["auto"] | None = "auto",
    robustness_top: int | None = ROBUSTNESS_TOP,
    path_sources: int | Literal["auto"] | None = "auto",
    view: str | None = "cobuilding",
    schema: Schema | None = None,
    inferred_dates: bool = True,
    assigned_places: bool = True,
    n_jobs: int = N_JOBS,
) -> dict[str, pd.DataFrame]:
    """All the tables of a co-building network, by name.

    The network measures (``centrality`` to ``cliques`` below) run on `view` of the graph —
    the co-building network by default (:mod:`cobuild_graph.views`), so that the city and
    the districts, joined to the rest only by the hierarchy, do not lead the rankings; the
    domain's measures, which need the hierarchy, run on the whole graph; ``street_links`` is
    the ``street`` view. Each table names its view in ``.attrs["view"]`` and in the
    ``about`` table (``view_{table}``); a table with caveats (``.attrs["caveats"]``, e.g.
    how many of the dates ``growth`` rests on are inferred) has them there too
    (``caveats_{table}``, joined by ``；``).

    The tables (their columns are documented at the function named):

    ========================  ===============================================================
    ``summary``               :func:`metrics.summary`, plus the Louvain modularity
    ``centrality``            :func:`metrics.centrality` (with ``name``, ``label``)
    ``structural_holes``      :func:`metrics.structural_holes`
    ``kcore``                 :func:`metrics.kcore`
    ``communities``           :func:`metrics.communities` (Louvain, `seed`)
    ``community_streets``     per community: size, streets spanned, its main street
    ``brokerage``             :func:`metrics.brokerage` by street, with z-scores
    ``cliques``               :func:`metrics.cliques`
    ``ei_street``             :func:`metrics.ei_index` of streets, with its permutation test
    ``ei_sector``             :func:`metrics.ei_index` of unit types on the ``unit`` view
    ``ego_units``             :func:`metrics.ego_table` of the units, brokerage by street
    ``two_mode``              :func:`metrics.two_mode_centrality` of units × communities
    ``street_links``          :func:`metrics.project`: streets linked by shared units
    ``robustness``            :func:`metrics.robustness`
    ``coverage``              :func:`domain.coverage`
    ``coverage_by_street``    :func:`domain.coverage` per street
    ``uncovered``             :func:`domain.uncovered` (no unit or branch)
    ``balance``               :func:`domain.balance` per street
    ``inequality``            :func:`domain.inequality` of the balance counts
    ``sector_mix``            :func:`domain.sector_mix` per street
    ``rollup_street``         :func:`domain.rollup` of degree, betweenness, PageRank (sum)
    ``rollup_district``       the same per district
    ``cross_level``           :func:`domain.cross_level_summary`
    ``unit_reach``            :func:`domain.unit_reach`
    ``growth``                :func:`domain.growth` per year
    ``funding``               :func:`domain.funding` per street
    ``about``                 the settings and versions
    ========================  ===============================================================

    Parameters
    ----------
    G
        A co-building graph.
    seed
        Seed of every randomised step (Louvain, betweenness and path-length samples).
    progress
        Show a progress bar (tqdm) over the steps.
    betweenness_sample
        ``"auto"``: exact up to :data:`EXACT_BETWEENNESS_LIMIT` nodes, else an estimate
        from :data:`BETWEENNESS_SOURCES` sources; ``None``: exact; a number: that many
        sources.
    robustness_top
        Structural columns of the robustness table for this many units of highest degree
        (:data:`ROBUSTNESS_TOP`); ``None`` for all.
    path_sources
        ``"auto"``: exact path lengths in the robustness table up to :data:`PATH_SOURCES`
        nodes, an estimate from that many sources above; ``None`` or a number as in
        :func:`metrics.robustness`.
    view
        The view of the network measures (:data:`cobuild_graph.views.VIEWS`): ``"full"``
        (or ``None``) for the whole graph as before.
    schema
        Gives the hierarchy.
    inferred_dates
        ``False``: the ``growth`` table leaves out the ties whose ``since`` or ``until`` is
        inferred (e.g. from the roster's year; see :func:`domain.growth`).
    assigned_places
        ``False``: the tables by street (``community_streets``, ``brokerage``,
        ``ei_street``, ``ego_units``, ``rollup_street``, ``rollup_district``) leave out the
        nodes whose street is assigned by a rule, not recorded (a unit in the street it is
        most often paired with; see :func:`domain.ancestors`). Either way their caveats say
        how many there are.
    n_jobs
        Processes for the searches of betweenness, closeness and the robustness path
        lengths (:func:`metrics.centrality`, :func:`metrics.summary`,
        :func:`metrics.robustness`): ``1`` in this process, ``-1`` one per CPU this
        process may use, ``-2`` all but one; :data:`N_JOBS` by default. The tables are the
        same either way.

    Returns
    -------
    dict of str to pandas.DataFrame
        The tables above, in that order. Above :data:`PATH_LIMIT` nodes closeness, the
        diameter, the average path length and the robustness path lengths are left empty:
        each searches from every node.
    """
    schema = schema_of(G, schema)
    network = views.view(G, view, schema=schema)
    n = network.number_of_nodes()
    sample = _choose(betweenness_sample, n, EXACT_BETWEENNESS_LIMIT, BETWEENNESS_SOURCES)
    sources = _choose(path_sources, n, PATH_SOURCES, PATH_SOURCES)
    tables: dict[str, pd.DataFrame] = {}
    paths = G.number_of_nodes() <= PATH_LIMIT  # robustness searches the whole graph
    if not paths:
        logger.info("%d nodes: closeness and path lengths are left out", G.number_of_nodes())
    with (
        shared(),
        tqdm(total=0, disable=not progress, desc="analyse", unit="table") as bar,
    ):
        # centrality and the summary share one measurement of the network
        measured = cache(
            partial(_measure_network, network, sample=sample, seed=seed, paths=paths, n_jobs=n_jobs)
        )
        steps = _steps(
            G,
            network,
            tables,
            measured,
            seed=seed,
            sample=sample,
            top=robustness_top,
            sources=sources,
            paths=paths,
            schema=schema,
            inferred_dates=inferred_dates,
            assigned_places=assigned_places,
            n_jobs=n_jobs,
        )
        bar.reset(total=len(steps))
        for name, step in steps:
            bar.set_postfix_str(name)
            started = time.perf_counter()
            tables[name] = step()
            # logged, not tabled: the same inputs and seed write the same bytes
            logger.info("%s: %.2f s", name, time.perf_counter() - started)
            bar.update()
    order = [name for name, _ in steps]
    order.insert(0, order.pop(order.index("summary")))
    out = {name: tables[name] for name in order}
    shown = {name: _VIEW_OF.get(name, views.view_name(network)) for name in out}
    for name, table in out.items():
        table.attrs["view"] = shown[name]
    caveats = {name: t.attrs["caveats"] for name, t in out.items() if t.attrs.get("caveats")}
    out["about"] = _about(G, seed, sample, robustness_top, sources, paths, shown, caveats)
    return out


def _steps(
    G: nx.Graph,
    N: nx.Graph,
    tables: dict[str, pd.DataFrame],
    measured: Callable[[], tuple[pd.DataFrame, pd.DataFrame]],
    *,
    seed: int,
    sample: int | None,
    top: int | None,
    sources: int | None,
    paths: bool,
    schema: Schema,
    inferred_dates: bool,
    assigned_places: bool,
    n_jobs: int,
) -> list[tuple[str, Callable[[], pd.DataFrame]]]:
    """The steps of :func:`analyze` in order; a step may read the `tables` made before it.

    The network measures run on `N`, the view; the domain's on `G`, the whole graph.
    `measured` gives the centrality and summary tables of `N` (:func:`_measure_network`).
    """
    street = "Street"

    def centrality() -> pd.DataFrame:
        return domain.with_names(G, measured()[0])

    def summary() -> pd.DataFrame:
        table = measured()[1]
        parts = tables["communities"]
        extra = pd.DataFrame(
            {
                "value": [parts.attrs["count"], parts.attrs["modularity"]],
                "description": ["Louvain communities", "modularity of the Louvain partition"],
            },
            index=pd.Index(["louvain_communities", "modularity"], name="measure"),
            dtype=object,
        )
        out = pd.concat([table, extra])
        out.attrs["caveats"] = table.attrs.get("caveats", [])
        return out

    @cache  # each node's street, for brokerage, the E-I and ego tables and the communities
    def streets() -> pd.Series:
        return domain.ancestors(G, level=street, schema=schema, assigned_places=assigned_places)

    def brokerage() -> pd.DataFrame:
        return domain.with_names(G, metrics.brokerage(N, streets(), standardize=True))

    def two_mode() -> pd.DataFrame:
        B = views.view(G, "two_mode", schema=schema)
        modes = pd.Series(dict(B.nodes(data="bipartite")), dtype=object).value_counts()
        if len(modes) < 2 or modes.min() < 2:  # no two-mode network to normalise by
            return pd.DataFrame(columns=["name", "label", "mode", *TWO_MODE_COLUMNS])
        return domain.with_names(G, metrics.two_mode_centrality(B))

    def ei(graph: nx.Graph, groups: pd.Series) -> pd.DataFrame:
        empty = pd.DataFrame(columns=EI_COLUMNS, index=pd.Index([], name="statistic"))
        if not groups.reindex(list(graph)).notna().any():  # a dataset without the grouping
            return empty
        try:
            return metrics.ei_index(graph, groups, permutations=EI_PERMUTATIONS, seed=seed)
        except NoTiesError as error:  # the table stays, empty, saying why
            empty.attrs["caveats"] = [*carried_caveats(groups), str(error)]
            return empty

    def ei_sector() -> pd.DataFrame:
        units = views.view(G, "unit", schema=schema)
        return ei(units, pd.Series(dict(units.nodes(data="unit_type")), dtype=object))

    def rollup(level: str) -> pd.DataFrame:
        values = tables["centrality"][["degree", "betweenness", "pagerank"]]
        return domain.rollup(
            G, values, level=level, how="sum", schema=schema, assigned_places=assigned_places
        )

    return [
        ("centrality", centrality),
        ("communities", lambda: _communities(G, N, seed)),
        ("summary", summary),
        ("structural_holes", lambda: domain.with_names(G, metrics.structural_holes(N))),
        ("kcore", lambda: domain.with_names(G, metrics.kcore(N))),
        ("community_streets", lambda: _community_streets(G, tables["communities"], streets())),
        ("brokerage", brokerage),
        ("cliques", lambda: metrics.cliques(N)),
        (
            "ei_street",
            lambda: ei(N, streets()),
        ),
        ("ei_sector", ei_sector),
        (
            "ego_units",
            lambda: domain.with_names(G, metrics.ego_table(N, label="Unit", group=streets())),
        ),
        ("two_mode", two_mode),
        ("street_links", lambda: metrics.project(G, onto=street, via="Unit", schema=schema)),
        (
            "robustness",
            lambda: metrics.robustness(
                G,
                top=top,
                paths=paths,
                path_sources=sources,
                seed=seed,
                schema=schema,
                n_jobs=n_jobs,
            ),
        ),
        ("coverage", lambda: domain.coverage(G, schema=schema)),
        ("coverage_by_street", lambda: domain.coverage(G, level=street, schema=schema)),
        ("uncovered", lambda: domain.uncovered(G, "any", schema=schema)),
        ("balance", lambda: domain.balance(G, level=street, schema=schema)),
        ("inequality", lambda: domain.inequality(tables["balance"])),
        ("sector_mix", lambda: domain.sector_mix(G, level=street, schema=schema)),
        ("rollup_street", lambda: rollup(street)),
        ("rollup_district", lambda: rollup("District")),
        ("cross_level", lambda: domain.cross_level_summary(G, schema=schema)),
        ("unit_reach", lambda: domain.unit_reach(G, schema=schema)),
        ("growth", lambda: domain.growth(G, "year", inferred_dates=inferred_dates)),
        ("funding", lambda: domain.funding(G, level=street, schema=schema)),
    ]


def _measure_network(
    N: nx.Graph, *, sample: int | None, seed: int, paths: bool, n_jobs: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        metrics.centrality(N, betweenness_sample=sample, seed=seed, closeness=paths, n_jobs=n_jobs),
        metrics.summary(N, betweenness_sample=sample, seed=seed, paths=paths, n_jobs=n_jobs),
    )


def _choose(value: int | str | None, n: int, limit: int, sample: int) -> int | None:
    if value == "auto":
        return None if n <= limit else sample
    if value is None or isinstance(value, int):
        return value
    raise ValueError(f"expected 'auto', None or a number of sources, not {value!r}")


def _communities(G: nx.Graph, N: nx.Graph, seed: int) -> pd.DataFrame:
    parts = metrics.communities(N, method="louvain", seed=seed)
    out = domain.with_names(G, parts)
    out.attrs.update(parts.attrs)
    return out


def _community_streets(G: nx.Graph, parts: pd.DataFrame, streets: pd.Series) -> pd.DataFrame:
    """Per community of the partition: its size, the streets it spans and its main one;
    the caveats of `streets`."""
    frame = pd.DataFrame({"community": parts["community"], "street": streets.reindex(parts.index)})
    size = frame.groupby("community").size()
    placed = frame.dropna(subset=["street"])
    counts = placed.groupby(["community", "street"]).size().rename("n").reset_index()
    counts = counts.sort_values(["community", "n", "street"], ascending=[True, False, True])
    main = counts.drop_duplicates("community").set_index("community")
    names = pd.Series(dict(G.nodes(data="name")), dtype=object)
    out = pd.DataFrame(
        {
            "nodes": size,
            "streets": placed.groupby("community")["street"].nunique(),
            "main_street": main["street"],
            "main_street_name": main["street"].map(names),
            "main_street_share": main["n"] / size,
        }
    )
    out["streets"] = out["streets"].fillna(0).astype(int)
    out.index.name = "community"
    out.attrs["caveats"] = carried_caveats(streets)
    return out


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _about(
    G: nx.Graph,
    seed: int,
    sample: int | None,
    top: int | None,
    sources: int | None,
    paths: bool,
    shown: Mapping[str, str],
    caveats: Mapping[str, list[str]],
) -> pd.DataFrame:
    rows: list[tuple[str, Any]] = [
        ("dataset", G.graph.get("name", "")),
        ("nodes", G.number_of_nodes()),
        ("ties", G.number_of_edges()),
        ("seed", seed),
        ("betweenness", "exact" if sample is None else f"estimate from {sample} sources"),
        ("robustness_top", "all units" if top is None else top),
        (
            "path_lengths",
            f"not computed (over {PATH_LIMIT:,} nodes)"
            if not paths
            else "exact"
            if sources is None
            else f"estimate from {sources} sources",
        ),
        *((f"version_{p}", _version(p)) for p in ("cobuild_graph", "networkx", "igraph")),
        *((f"view_{name}", f"{view} · {views.VIEWS[view]}") for name, view in shown.items()),
        *((f"caveats_{name}", CAVEAT_SEPARATOR.join(lines)) for name, lines in caveats.items()),
    ]
    out = pd.DataFrame(rows, columns=["key", "value"]).set_index("key")
    out["value"] = out["value"].astype(object)
    return out


# -- writing ------------------------------------------------------------------------------------


def _sheet_names(names: list[str]) -> dict[str, str]:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = name.translate(_BAD_SHEET_CHARACTERS)[:_SHEET_NAME_LENGTH] or "table"
        candidate, k = base, 1
        while candidate.casefold() in used:
            k += 1
            suffix = f"_{k}"
            candidate = base[: _SHEET_NAME_LENGTH - len(suffix)] + suffix
        used.add(candidate.casefold())
        out[name] = candidate
    return out


def _for_excel(table: pd.DataFrame) -> pd.DataFrame:
    """Cells Excel can hold: sequences joined by ``; ``, infinities empty."""
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object:
            if values.map(lambda v: isinstance(v, list | tuple | set | frozenset)).any():
                out[column] = values.map(
                    lambda v: (
                        "; ".join(map(str, v))
                        if isinstance(v, list | tuple | set | frozenset)
                        else v
                    )
                )
        elif pd.api.types.is_float_dtype(values):
            out[column] = values.replace([np.inf, -np.inf], np.nan)
    return out


def keeps_index(table: pd.DataFrame) -> bool:
    """Whether the index means something (node ids, measures), not just row numbers."""
    return not (isinstance(table.index, pd.RangeIndex) and table.index.name is None)


def _write_sheet(book: openpyxl.Workbook, title: str, table: pd.DataFrame) -> None:
    sheet = book.create_sheet(title)
    frame = _for_excel(table)
    keep = keeps_index(frame)
    header = [str(c) for c in frame.columns]
    append_row(sheet, [frame.index.name or "index", *header] if keep else header, row=1)
    cells = frame.astype(object)
    cells = cells.where(frame.notna(), None)
    for row, values in enumerate(cells.itertuples(index=keep, name=None), start=2):
        append_row(sheet, values, row=row)


def write_analysis(tables: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """Write the tables of :func:`analyze` for Excel.

    Parameters
    ----------
    tables
        Tables by name.
    path
        A ``.xlsx`` file: one sheet per table (names cut to Excel's 31 characters); or a
        folder (made if missing): one ``{name}.csv`` per table in UTF-8 with BOM, which
        Excel opens with the Chinese text intact. The index comes first where it means
        something (node ids, measures ...), under its name; sequences in cells are joined
        by ``; `` and infinities left empty.

    Returns
    -------
    pathlib.Path
        `path`.

    Raises
    ------
    ExcelLimitError
        If a table has more rows than an Excel sheet holds (1,048,575 below the header), or
        a cell more characters (32,767): shorten it, or write a folder of CSV files. Nothing is
        written then.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        check_excel_rows({name: len(table) for name, table in tables.items()})
        names = _sheet_names(list(tables))
        book = openpyxl.Workbook(write_only=True)  # streams rows: several times faster
        try:
            for name, table in tables.items():
                _write_sheet(book, names[name], table)
            save_workbook(book, path)
        finally:  # a refused cell leaves a sheet half-streamed: end its stream quietly
            for sheet in book.worksheets:
                if not sheet.closed:
                    sheet.close()
    else:
        with staged_folder(path) as staging:
            for name, table in tables.items():
                write_csv(_for_excel(table), staging / f"{name}.csv", index=keeps_index(table))
    logger.info("wrote %d tables to %s", len(tables), path)
    return path
