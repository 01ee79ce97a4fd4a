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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import MappingProxyType
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
from cobuild_graph._memo import apart, shared
from cobuild_graph.errors import NoTiesError
from cobuild_graph.metrics import carried_caveats
from cobuild_graph.schema import Schema, schema_of

__all__ = [
    "BETWEENNESS_SOURCES",
    "CAVEAT_SEPARATOR",
    "EI_COLUMNS",
    "EI_PERMUTATIONS",
    "EXACT_BETWEENNESS_LIMIT",
    "N_JOBS",
    "PATH_LIMIT",
    "PATH_SOURCES",
    "ROBUSTNESS_TOP",
    "TABLES",
    "TWO_MODE_COLUMNS",
    "Context",
    "Table",
    "analyze",
    "keeps_index",
    "write_analysis",
]

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
#: Joins the caveats of a table (``.attrs["caveats"]``) in one cell of the ``about`` table.
CAVEAT_SEPARATOR = "；"
_STREET = "Street"
_SHEET_NAME_LENGTH = 31
_BAD_SHEET_CHARACTERS = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))


@dataclass
class Context:
    """What the maker of a table (:class:`Table`) receives from :func:`analyze`.

    The whole graph `G`, the `network` of the view asked for, the settings of the run, and
    the other tables through :meth:`table`, each made the first time it is asked for and
    then kept. The graphs must not change while the context is in use.
    """

    G: nx.Graph
    network: nx.Graph
    schema: Schema
    seed: int
    #: Sources of the betweenness estimate, ``None`` for exact betweenness.
    sample: int | None
    #: Units of the robustness table's structural columns, ``None`` for all.
    top: int | None
    #: Sources of the robustness path lengths, ``None`` for exact ones.
    sources: int | None
    #: Whether the measures that search from every node are made (:data:`PATH_LIMIT`).
    paths: bool
    inferred_dates: bool
    assigned_places: bool
    #: Processes for the path searches (see :func:`analyze`).
    n_jobs: int = 1
    #: Called with a table's name when it is made (e.g. to move a progress bar on).
    done: Callable[[str], None] | None = None
    _made: dict[str, pd.DataFrame] = field(default_factory=dict, init=False, repr=False)
    _making: list[str] = field(default_factory=list, init=False, repr=False)
    _inner: list[float] = field(default_factory=list, init=False, repr=False)

    def table(self, name: str) -> pd.DataFrame:
        """The table `name`, made on the first call and kept.

        A maker may ask only for the tables its declaration lists in ``needs``.

        Raises
        ------
        LookupError
            If a maker asks for a table it does not declare.
        """
        if self._making and name not in TABLES[self._making[-1]].needs:
            asking = self._making[-1]
            raise LookupError(
                f"表 {asking} 用到了 {name}，但它的声明未列出 / table {asking} asks for "
                f"{name}, which its declaration does not list in needs"
            )
        if name not in self._made:
            self._making.append(name)
            self._inner.append(0.0)
            started = time.perf_counter()
            try:
                made = TABLES[name].make(self)
            finally:
                self._making.pop()
                inner = self._inner.pop()
            elapsed = time.perf_counter() - started
            if self._inner:  # the time of the table that asked for this one leaves it out
                self._inner[-1] += elapsed
            # logged, not tabled: the same inputs and seed write the same bytes
            logger.info("%s: %.2f s", name, elapsed - inner)
            self._made[name] = made
            if self.done is not None:
                self.done(name)
        return self._made[name]

    @cached_property
    def streets(self) -> pd.Series:
        """Each node's street (:func:`domain.ancestors`), for the tables by street."""
        return domain.ancestors(
            self.G, level=_STREET, schema=self.schema, assigned_places=self.assigned_places
        )


@dataclass(frozen=True)
class Table:
    """The declaration of one table of :func:`analyze`.

    Attributes
    ----------
    name
        The table's name (its key, sheet and file name).
    view
        The view it is made on (:data:`cobuild_graph.views.VIEWS`); ``None``: the view
        :func:`analyze` is asked for (``view=``).
    make
        Makes it from a :class:`Context`; it reads the tables it needs through
        :meth:`Context.table`.
    needs
        The tables it reads.
    description
        What it is, as listed in :func:`analyze`.
    """

    name: str
    view: str | None
    make: Callable[[Context], pd.DataFrame] = field(repr=False)
    needs: tuple[str, ...] = ()
    description: str = ""


# centrality and summary share their searches (betweenness ...) through the measures' own
# cache of the network, kept while analyze runs (cobuild_graph._memo.shared)
def _summary(c: Context) -> pd.DataFrame:
    table = metrics.summary(
        c.network, betweenness_sample=c.sample, seed=c.seed, paths=c.paths, n_jobs=c.n_jobs
    )
    parts = c.table("communities")
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
    out.attrs["estimates"] = table.attrs.get("estimates", {})
    return out


def _communities(c: Context) -> pd.DataFrame:
    parts = metrics.communities(c.network, method="louvain", seed=c.seed)
    out = domain.with_names(c.G, parts)
    out.attrs.update(parts.attrs)
    return out


def _two_mode(c: Context) -> pd.DataFrame:
    with apart():  # the two-mode view is this table's only: let it go after
        return _two_mode_table(c)


def _two_mode_table(c: Context) -> pd.DataFrame:
    B = views.view(c.G, "two_mode", schema=c.schema)
    modes = pd.Series(dict(B.nodes(data="bipartite")), dtype=object).value_counts()
    if len(modes) < 2 or modes.min() < 2:  # no two-mode network to normalise by
        return pd.DataFrame(columns=["name", "label", "mode", *TWO_MODE_COLUMNS])
    # the rule of the other tables, on the two-mode network's own size: betweenness exact
    # up to EXACT_BETWEENNESS_LIMIT nodes, closeness only where paths are searched
    sample = c.sample if B.number_of_nodes() > EXACT_BETWEENNESS_LIMIT else None
    table = metrics.two_mode_centrality(
        B, betweenness_sample=sample, closeness=c.paths, seed=c.seed, n_jobs=c.n_jobs
    )
    return domain.with_names(c.G, table)


def _ei(c: Context, graph: nx.Graph, groups: pd.Series) -> pd.DataFrame:
    empty = pd.DataFrame(columns=EI_COLUMNS, index=pd.Index([], name="statistic"))
    if not groups.reindex(list(graph)).notna().any():  # a dataset without the grouping
        return empty
    try:
        return metrics.ei_index(graph, groups, permutations=EI_PERMUTATIONS, seed=c.seed)
    except NoTiesError as error:  # the table stays, empty, saying why
        empty.attrs["caveats"] = [*carried_caveats(groups), str(error)]
        return empty


def _ei_sector(c: Context) -> pd.DataFrame:
    with apart():  # the unit view is this table's only: let it go after
        units = views.view(c.G, "unit", schema=c.schema)
        return _ei(c, units, pd.Series(dict(units.nodes(data="unit_type")), dtype=object))


def _rollup(level: str) -> Callable[[Context], pd.DataFrame]:
    def make(c: Context) -> pd.DataFrame:
        centrality = c.table("centrality")
        estimated = centrality.attrs.get("estimates", {})
        # summed, the nodes' standard errors bound the sum's (they are correlated)
        bound = ["betweenness_se"] if "betweenness_se" in centrality else []
        values = centrality[["degree", "betweenness", "pagerank", *bound]]
        out = domain.rollup(
            c.G, values, level=level, how="sum", schema=c.schema, assigned_places=c.assigned_places
        ).rename(columns={"betweenness_se": "betweenness_se_bound"})
        out.attrs["estimates"] = {
            column: f"sums of the nodes' estimates ({how}); the sum's standard error is at "
            "most betweenness_se_bound, the sum of theirs"
            for column, how in estimated.items()
        }
        return out

    return make


#: The tables of :func:`analyze` by name, in the order it returns them (``about`` last).
TABLES: Mapping[str, Table] = MappingProxyType(
    {
        table.name: table
        for table in [
            Table(
                "summary",
                None,
                _summary,
                needs=("communities",),
                description=":func:`metrics.summary`, plus the Louvain modularity",
            ),
            Table(
                "centrality",
                None,
                lambda c: domain.with_names(
                    c.G,
                    metrics.centrality(
                        c.network,
                        betweenness_sample=c.sample,
                        seed=c.seed,
                        closeness=c.paths,
                        n_jobs=c.n_jobs,
                    ),
                ),
                description=":func:`metrics.centrality` (with ``name``, ``label``)",
            ),
            Table(
                "communities",
                None,
                _communities,
                description=":func:`metrics.communities` (Louvain, `seed`)",
            ),
            Table(
                "structural_holes",
                None,
                lambda c: domain.with_names(c.G, metrics.structural_holes(c.network)),
                description=":func:`metrics.structural_holes`",
            ),
            Table(
                "kcore",
                None,
                lambda c: domain.with_names(c.G, metrics.kcore(c.network)),
                description=":func:`metrics.kcore`",
            ),
            Table(
                "community_streets",
                None,
                lambda c: _community_streets(c.G, c.table("communities"), c.streets),
                needs=("communities",),
                description="per community: size, streets spanned, its main street",
            ),
            Table(
                "brokerage",
                None,
                lambda c: domain.with_names(
                    c.G, metrics.brokerage(c.network, c.streets, standardize=True)
                ),
                description=":func:`metrics.brokerage` by street, with z-scores",
            ),
            Table(
                "cliques",
                None,
                lambda c: metrics.cliques(c.network),
                description=":func:`metrics.cliques`",
            ),
            Table(
                "ei_street",
                None,
                lambda c: _ei(c, c.network, c.streets),
                description=":func:`metrics.ei_index` of streets, with its permutation test",
            ),
            Table(
                "ei_sector",
                "unit",
                _ei_sector,
                description=":func:`metrics.ei_index` of unit types on the ``unit`` view",
            ),
            Table(
                "ego_units",
                None,
                lambda c: domain.with_names(
                    c.G, metrics.ego_table(c.network, label="Unit", group=c.streets)
                ),
                description=":func:`metrics.ego_table` of the units, brokerage by street",
            ),
            Table(
                "two_mode",
                "two_mode",
                _two_mode,
                description=":func:`metrics.two_mode_centrality` of units × communities",
            ),
            Table(
                "street_links",
                "street",
                lambda c: metrics.project(c.G, onto=_STREET, via="Unit", schema=c.schema),
                description=":func:`metrics.project`: streets linked by shared units",
            ),
            Table(
                "robustness",
                "full",
                lambda c: metrics.robustness(
                    c.G,
                    top=c.top,
                    paths=c.paths,
                    path_sources=c.sources,
                    seed=c.seed,
                    schema=c.schema,
                    n_jobs=c.n_jobs,
                ),
                description=":func:`metrics.robustness`",
            ),
            Table(
                "coverage",
                "full",
                lambda c: domain.coverage(c.G, schema=c.schema),
                description=":func:`domain.coverage`",
            ),
            Table(
                "coverage_by_street",
                "full",
                lambda c: domain.coverage(c.G, level=_STREET, schema=c.schema),
                description=":func:`domain.coverage` per street",
            ),
            Table(
                "uncovered",
                "full",
                lambda c: domain.uncovered(c.G, "any", schema=c.schema),
                description=":func:`domain.uncovered` (no unit or branch)",
            ),
            Table(
                "balance",
                "full",
                lambda c: domain.balance(c.G, level=_STREET, schema=c.schema),
                description=":func:`domain.balance` per street",
            ),
            Table(
                "inequality",
                "full",
                lambda c: domain.inequality(c.table("balance")),
                needs=("balance",),
                description=":func:`domain.inequality` of the balance counts",
            ),
            Table(
                "sector_mix",
                "full",
                lambda c: domain.sector_mix(c.G, level=_STREET, schema=c.schema),
                description=":func:`domain.sector_mix` per street",
            ),
            Table(
                "rollup_street",
                None,  # the network's centrality, summed up the hierarchy
                _rollup(_STREET),
                needs=("centrality",),
                description=":func:`domain.rollup` of degree, betweenness, PageRank (sum)",
            ),
            Table(
                "rollup_district",
                None,  # the network's centrality, summed up the hierarchy
                _rollup("District"),
                needs=("centrality",),
                description="the same per district",
            ),
            Table(
                "cross_level",
                "full",
                lambda c: domain.cross_level_summary(c.G, schema=c.schema),
                description=":func:`domain.cross_level_summary`",
            ),
            Table(
                "unit_reach",
                "full",
                lambda c: domain.unit_reach(c.G, schema=c.schema),
                description=":func:`domain.unit_reach`",
            ),
            Table(
                "growth",
                "full",
                lambda c: domain.growth(c.G, "year", inferred_dates=c.inferred_dates),
                description=":func:`domain.growth` per year",
            ),
            Table(
                "funding",
                "full",
                lambda c: domain.funding(c.G, level=_STREET, schema=c.schema),
                description=":func:`domain.funding` per street",
            ),
        ]
    }
)
#: The table :func:`analyze` always adds last: the settings, versions, views and caveats.
_ABOUT = "about"


def analyze(
    G: nx.Graph,
    *,
    only: Iterable[str] | None = None,
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
    """All the tables of a co-building network, or those asked for, by name.

    The network measures (the tables of view ``None`` in :data:`TABLES`) run on `view` of
    the graph — the co-building network by default (:mod:`cobuild_graph.views`), so that
    the city and the districts, joined to the rest only by the hierarchy, do not lead the
    rankings; the domain's measures, which need the hierarchy, run on the whole graph;
    ``street_links`` is the ``street`` view. Each table names its view in
    ``.attrs["view"]`` and in the ``about`` table (``view_{table}``); a table with caveats
    (``.attrs["caveats"]``, e.g. how many of the dates ``growth`` rests on are inferred) has
    them there too (``caveats_{table}``, joined by ``；``). Each table says whether its
    values are exact or which are estimated, and how, with their standard error
    (``.attrs["estimates"]``, a column or measure name to how, ``{}`` when exact; in
    ``about``: ``values_{table}``): at scale betweenness is estimated from sampled
    sources (``betweenness_se``; the roll-ups of it carry ``betweenness_se_bound``, the sum
    of their nodes' errors, which bounds their own), and the E-I tables' permutation tests
    are Monte Carlo estimates at every size.

    Each table is declared once in :data:`TABLES`: its view, its maker and the tables it
    needs. A table is made when it is first asked for, and made once: ``summary`` reads
    ``communities``, ``inequality`` reads ``balance``, the roll-ups read ``centrality``.

    The tables (their columns are documented at the function named):

    ========================  ===============================================================
    ``summary``               :func:`metrics.summary`, plus the Louvain modularity
    ``centrality``            :func:`metrics.centrality` (with ``name``, ``label``)
    ``communities``           :func:`metrics.communities` (Louvain, `seed`)
    ``structural_holes``      :func:`metrics.structural_holes`
    ``kcore``                 :func:`metrics.kcore`
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
    only
        Names of tables (of :data:`TABLES`): only these are made, with the tables they need,
        and all of them are returned, e.g. ``only=["inequality"]`` gives ``balance``,
        ``inequality`` and ``about``. ``None``: every table.
    seed
        Seed of every randomised step (Louvain, betweenness and path-length samples).
    progress
        Show a progress bar (tqdm) over the tables.
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
        The tables made, in the order above, ``about`` last: its ``view_*`` and
        ``caveats_*`` rows are those of the tables made. Above :data:`PATH_LIMIT` nodes
        closeness, the diameter, the average path length and the robustness path lengths
        are left empty: each searches from every node.

    Raises
    ------
    ValueError
        If `only` names a table :data:`TABLES` does not declare, naming those it does.
    """
    wanted = _wanted(only)
    schema = schema_of(G, schema)
    network = views.view(G, view, schema=schema)
    n = network.number_of_nodes()
    sample = _choose(betweenness_sample, n, EXACT_BETWEENNESS_LIMIT, BETWEENNESS_SOURCES)
    sources = _choose(path_sources, n, PATH_SOURCES, PATH_SOURCES)
    paths = G.number_of_nodes() <= PATH_LIMIT  # robustness searches the whole graph
    if not paths:
        logger.info("%d nodes: closeness and path lengths are left out", G.number_of_nodes())
    with (
        shared(),
        tqdm(total=len(wanted), disable=not progress, desc="analyse", unit="table") as bar,
    ):
        context = Context(
            G,
            network,
            schema=schema,
            seed=seed,
            sample=sample,
            top=robustness_top,
            sources=sources,
            paths=paths,
            inferred_dates=inferred_dates,
            assigned_places=assigned_places,
            n_jobs=n_jobs,
            done=lambda name: (bar.set_postfix_str(name), bar.update()),
        )
        out = {name: context.table(name) for name in wanted}
    shown = {name: TABLES[name].view or views.view_name(network) for name in out}
    for name, table in out.items():
        table.attrs["view"] = shown[name]
    caveats = {name: t.attrs["caveats"] for name, t in out.items() if t.attrs.get("caveats")}
    for table in out.values():
        table.attrs.setdefault("estimates", {})
    values = {name: _values(table.attrs["estimates"]) for name, table in out.items()}
    out[_ABOUT] = _about(G, seed, sample, robustness_top, sources, paths, shown, values, caveats)
    return out


def _values(estimates: Mapping[str, str]) -> str:
    """The ``values_{table}`` row of ``about``: exact, or which values are estimated."""
    if not estimates:
        return "精确 exact"
    return "估计 estimated: " + CAVEAT_SEPARATOR.join(
        f"{what}: {how}" for what, how in estimates.items()
    )


def _wanted(only: Iterable[str] | None) -> list[str]:
    """The tables asked for and those they need, in the order of :data:`TABLES`."""
    if only is None:
        return list(TABLES)
    asked = [only] if isinstance(only, str) else list(only)
    unknown = [name for name in asked if name not in TABLES and name != _ABOUT]
    if unknown:
        raise ValueError(
            f"未知的分析表 {', '.join(unknown)}；可选的表 / unknown tables {', '.join(unknown)}; "
            f"the tables are: {', '.join(TABLES)} (and {_ABOUT}, always made)"
        )
    wanted: set[str] = set()
    pending = [name for name in asked if name != _ABOUT]
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(TABLES[name].needs)
    return [name for name in TABLES if name in wanted]


def _choose(value: int | str | None, n: int, limit: int, sample: int) -> int | None:
    if value == "auto":
        return None if n <= limit else sample
    if value is None or isinstance(value, int):
        return value
    raise ValueError(f"expected 'auto', None or a number of sources, not {value!r}")


def _community_streets(G: nx.Graph, parts: pd.DataFrame, streets: pd.Series) -> pd.DataFrame:
    """Per community of the partition: its size, the streets it spans and its main one;
    the caveats of `streets`."""
    frame = pd.DataFrame({"community": parts["community"], "street": streets.reindex(parts.index)})
    size = frame.groupby("community").size()
    placed = frame.dropna(subset=["street"])
    counts = placed.groupby(["community", "street"]).size().rename("n").reset_index()
    counts = counts.sort_values(["community", "n", "street"], ascending=[True, False, True])
    main = counts.drop_duplicates("community").set_index("community")
    # the names of the main streets only: a lookup per node of the graph is slow
    streets_named = pd.unique(main["street"])
    names = pd.Series([G.nodes[s].get("name") for s in streets_named], streets_named, object)
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
    values: Mapping[str, str],
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
        *((f"values_{name}", text) for name, text in values.items()),
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
