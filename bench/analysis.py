"""Benchmark: every analysis table, the engine of the searches, the province-scale measures,
the betweenness estimate.

Four parts, each one command well under ten minutes on the 2-core machine:

    python3 bench/analysis.py tables [--scales sample city] [--no-networkx]
    python3 bench/analysis.py engines [--scales sample city]
    python3 bench/analysis.py sampling [--scale city]
    python3 bench/analysis.py province [--networkx]
    python3 bench/analysis.py scale [--scales 100k province]

``tables`` times :func:`cobuild_graph.analysis.analyze` end to end (the median of three runs
with its default ``n_jobs``, then of three with ``n_jobs=1``, in this process: the ratio of
the two is the steadier figure on a shared machine), then every step of it in turn (wall and
CPU seconds) beside the pure-networkx path
for the same measure on the same simple graph, and prints the ratio. Where networkx would
take minutes (exact closeness, path lengths, betweenness at city scale ...) its time is
measured on a seeded sample of sources and scaled up (marked ``~``). ``sampling`` measures
the error of the k-source betweenness estimate against the exact values. ``engines``
compares the engines that could run the searches from every node (betweenness and closeness
of the network, the robustness table's path lengths): igraph in this process, igraph split
by sources in loky's processes (the first call, whose processes start, and the next),
and networkit's C++ threads (optional: ``pip install networkit``; betweenness and closeness
only, which is all it can do of them), each with the load average beside it. ``province``
times PageRank, components and Leiden at province scale (goal: under 30 s each), after the
one conversion to a simple igraph graph that every measure shares (timed apart). ``scale``
runs the whole :func:`~cobuild_graph.analysis.analyze` of a generated graph of 100k nodes
(goal 30 s) and of the province (goal 120 s, at most 2 GB beyond the graph): every table's
seconds, whether its values are exact or estimated (``about``'s ``values_*``), the memory
the graph holds and the peak beyond it (this process and its worker processes, sampled every
50 ms), beside the figures of the issue that set the goals; each scale in a process of its
own.
"""

from __future__ import annotations

import argparse
import functools
import graphlib
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from loky import get_reusable_executor
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

import cobuild_graph as cg
from cobuild_graph import analysis, metrics
from cobuild_graph._memo import memo, shared
from cobuild_graph.metrics._centrality import _closeness, betweenness, pagerank
from cobuild_graph.metrics._simple import Simple

SEED = 2020
GOALS = {"sample": 3.0, "city": 30.0}
PROVINCE_GOAL = 30.0
#: Scales of ``scale``: generate()'s argument, goal seconds, and the figures before (issue
#: 23: seconds and peak GB of the whole process on a quiet machine).
SCALES = {
    "100k": (16, 30.0, "27.7 s, 1.1 GB"),  # 105,701 nodes, the 105k graph of the issue
    "province": ("province", 120.0, "252 s, 7.5 GB (242.7 s, 5.3 GB beyond the graph on cdf160d)"),
}
EXTRA_GOAL_MB = 2048


def clock(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run `work`: its result, wall seconds and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def scaled(per_item: Callable[[Any], Any], items: list[Any], total: int) -> float:
    """Seconds for `total` items, from timing `per_item` on `items` (a sample of them)."""
    _, wall, _ = clock(lambda: [per_item(x) for x in items])
    return wall * total / len(items)


def networkx_times(
    G: nx.MultiDiGraph, sample: int | None, seed: int
) -> dict[str, tuple[float, str]]:
    """Seconds of the pure-networkx path per table, with a note on how it was measured."""
    H, build, _ = clock(lambda: metrics.simple_graph(G))
    n = H.number_of_nodes()
    rng = random.Random(seed)
    probe = rng.sample(list(H), min(n, 200))
    largest = H.subgraph(max(nx.connected_components(H), key=len)).copy()
    probe_largest = rng.sample(list(largest), min(len(largest), 200))
    out: dict[str, tuple[float, str]] = {"simple graph": (build, "")}

    def closeness_one(v: Any) -> float:
        return nx.closeness_centrality(H, u=v)

    def path_lengths_one(v: Any) -> int:
        return sum(nx.single_source_shortest_path_length(largest, v).values())

    parts = {
        "degree": clock(lambda: nx.degree_centrality(H))[1],
        "eigenvector": clock(lambda: nx.eigenvector_centrality(H, max_iter=10_000))[1],
        "pagerank": clock(lambda: _pagerank_python(H))[1],
    }
    if sample is None and n > 8_000:
        k = 200
        _, wall, _ = clock(lambda: nx.betweenness_centrality(H, k=k, seed=seed))
        parts["betweenness"] = wall * n / k
        note = "~ betweenness and closeness from 200 sources"
    else:
        parts["betweenness"] = clock(lambda: nx.betweenness_centrality(H, k=sample, seed=seed))[1]
        note = "~ closeness from 200 sources" + (
            f"; betweenness {sample} sources" if sample else ""
        )
    parts["closeness"] = scaled(closeness_one, probe, n)
    out["centrality"] = (sum(parts.values()), note)
    summary = {
        "diameter": clock(lambda: nx.diameter(largest, usebounds=True))[1],
        "path_length": scaled(path_lengths_one, probe_largest, len(largest)),
        "clustering": clock(lambda: (nx.average_clustering(H), nx.transitivity(H)))[1],
        "assortativity": clock(lambda: nx.degree_assortativity_coefficient(H))[1],
    }
    out["summary"] = (sum(summary.values()), "~ path lengths from 200 sources")
    out["communities"] = (
        clock(lambda: nx.community.louvain_communities(H, seed=seed))[1],
        "louvain_communities",
    )
    out["kcore"] = (clock(lambda: nx.core_number(H))[1], "")
    out["cliques"] = (clock(lambda: [c for c in nx.find_cliques(H) if len(c) >= 3])[1], "")
    holes = scaled(lambda v: (nx.constraint(H, [v]), nx.effective_size(H, [v])), probe, n)
    out["structural_holes"] = (holes, "~ from 200 nodes")
    return out


def run_tables(scales: list[str], with_networkx: bool) -> None:
    rows = []
    for scale in scales:
        G, wall, _ = clock(lambda scale=scale: cg.generate(scale, seed=SEED))
        n = G.number_of_nodes()
        print(f"{scale}: {n:,} nodes, {G.number_of_edges():,} ties (generated in {wall:.1f} s)")
        sample = analysis._choose(
            "auto", n, analysis.EXACT_BETWEENNESS_LIMIT, analysis.BETWEENNESS_SOURCES
        )
        sources = analysis._choose("auto", n, analysis.PATH_SOURCES, analysis.PATH_SOURCES)
        N, view_wall, view_cpu = clock(lambda G=G: cg.views.view(G, "cobuilding"))
        context = analysis.Context(
            G,
            N,
            schema=cg.DEFAULT_SCHEMA,
            seed=0,
            sample=sample,
            top=analysis.ROBUSTNESS_TOP,
            sources=sources,
            paths=n <= analysis.PATH_LIMIT,
            inferred_dates=True,
            assigned_places=True,
            n_jobs=1,
        )
        # in turn here, each table after those it needs, so that its time is its own
        needs = {name: table.needs for name, table in analysis.TABLES.items()}
        ours = {"(co-building view)": (view_wall, view_cpu)}
        with shared():
            for name in graphlib.TopologicalSorter(needs).static_order():
                _, wall, cpu = clock(functools.partial(context.table, name))
                ours[name] = (wall, cpu)
        reference = networkx_times(N, sample, 0) if with_networkx else {}
        for name, (wall, cpu) in ours.items():
            theirs, note = reference.get(name, (float("nan"), ""))
            rows.append((scale, name, wall, cpu, theirs, theirs / wall, note))
        total_wall = sum(w for w, _ in ours.values())
        total_cpu = sum(c for _, c in ours.values())
        rows.append((scale, "ALL TABLES", total_wall, total_cpu, np.nan, np.nan, ""))
        if "simple graph" in reference:
            rows.append(
                (
                    scale,
                    "(networkx simple graph)",
                    np.nan,
                    np.nan,
                    reference["simple graph"][0],
                    np.nan,
                    "",
                )
            )
        runs = [clock(lambda G=G: analysis.analyze(G))[1] for _ in range(3)]
        end_to_end = statistics.median(runs)
        alone = statistics.median(
            clock(lambda G=G: analysis.analyze(G, n_jobs=1))[1] for _ in range(3)
        )
        rows.append((scale, "analyze() end to end", end_to_end, np.nan, np.nan, np.nan, ""))
        rows.append((scale, "analyze() n_jobs=1", alone, np.nan, np.nan, np.nan, ""))
        print(
            f"  analyze() end to end: {end_to_end:.2f} s wall, median of "
            f"{', '.join(f'{r:.2f}' for r in runs)} (goal {GOALS.get(scale, float('nan')):.0f} s; "
            f"n_jobs={analysis.N_JOBS}); {alone:.2f} s with n_jobs=1 "
            f"({alone / end_to_end:.2f}x); load {load()}"
        )
        print(
            f"  every table: {total_wall:.2f} s wall, {total_cpu:.2f} s CPU "
            f"(goal {GOALS.get(scale, float('nan')):.0f} s); betweenness "
            f"{'exact' if sample is None else f'{sample} sources'}"
        )
    print()
    print(f"{'scale':<8}{'table':<24}{'wall s':>9}{'cpu s':>9}{'networkx s':>12}{'ratio':>9}  note")
    for scale, name, wall, cpu, theirs, ratio, note in rows:
        print(
            f"{scale:<8}{name:<24}{_f(wall):>9}{_f(cpu):>9}{_f(theirs, 1):>12}"
            f"{_f(ratio, 0, 'x'):>9}  {note}"
        )


def _f(value: float, digits: int = 2, suffix: str = "") -> str:
    return "" if value is None or np.isnan(value) else f"{value:.{digits}f}{suffix}"


def load() -> str:
    """The load average over the last minute, and the CPUs it is shared by."""
    return f"{os.getloadavg()[0]:.1f}/{os.cpu_count()}"


def fresh_pool() -> None:
    """End loky's processes, so that the next call with ``n_jobs`` > 1 starts them."""
    get_reusable_executor().shutdown(wait=True)


def run_engines(scales: list[str], repeat: int) -> None:
    """The searches from every node that analyze() makes, by each engine: seconds (best of
    `repeat`, with the load average then), and the ratio to igraph in one process."""
    rows = [row for scale in scales for row in _engine_rows(scale, repeat)]
    print()
    print(
        f"{'scale':<8}{'engine':<36}{'network s':>10}{'ratio':>7}{'robustness s':>13}"
        f"{'ratio':>7}{'analyze s':>10}{'ratio':>7}  load"
    )
    base: dict[str, tuple[float, float, float]] = {}
    for scale, engine, net, rob, whole, loaded in rows:
        b = base.setdefault(scale, (net, rob, whole))
        print(
            f"{scale:<8}{engine:<36}{_f(net):>10}{_f(b[0] / net, 2, 'x'):>7}{_f(rob):>13}"
            f"{_f(b[1] / rob, 2, 'x'):>7}{_f(whole):>10}{_f(b[2] / whole, 2, 'x'):>7}  {loaded}"
        )
    print(
        "network: betweenness and closeness of the co-building view; robustness: the table "
        "with its path searches; ratio: igraph in this process / the engine (above 1: faster); "
        "load: load average over a minute / CPUs"
    )


def _engine_rows(scale: str, repeat: int) -> list[tuple[str, str, float, float, float, str]]:
    G = cg.generate(scale, seed=SEED)
    N = cg.views.view(G, "cobuilding")
    n = N.number_of_nodes()
    sample = analysis._choose(
        "auto", n, analysis.EXACT_BETWEENNESS_LIMIT, analysis.BETWEENNESS_SOURCES
    )
    sources = analysis._choose(
        "auto", G.number_of_nodes(), analysis.PATH_SOURCES, analysis.PATH_SOURCES
    )
    jobs = max(os.cpu_count() or 1, 2)
    print(
        f"{scale}: network {n:,} nodes; betweenness "
        f"{'exact' if sample is None else f'from {sample} sources'}, robustness paths "
        f"{'exact' if sources is None else f'from {sources} sources'}; {jobs} processes"
    )

    def network(n_jobs: int) -> np.ndarray:
        S = Simple.of(N)  # a new one: nothing kept from the run before
        S.igraph()
        return np.concatenate([betweenness(S, sample, 0, n_jobs), _closeness(S, "in", n_jobs)])

    def timed(n_jobs: int, before: Callable[[], None]) -> tuple[float, float, float, str]:
        """Best seconds of the network's searches, the robustness table and analyze()."""
        works = [
            lambda: network(n_jobs),
            lambda: metrics.robustness(
                G, top=analysis.ROBUSTNESS_TOP, path_sources=sources, n_jobs=n_jobs
            ),
            lambda: analysis.analyze(G, n_jobs=n_jobs),
        ]
        best = []
        for work in works:
            times = []
            for _ in range(repeat):
                before()
                times.append(clock(work)[1])
            best.append(min(times))
        return best[0], best[1], best[2], load()

    reference = network(1)
    rows = [(scale, "igraph, this process (n_jobs=1)", *timed(1, lambda: None))]
    assert np.allclose(network(jobs), reference, rtol=1e-12, atol=0), "loky differs"
    rows.append((scale, f"igraph, loky n_jobs={jobs}, first call", *timed(jobs, fresh_pool)))
    rows.append((scale, f"igraph, loky n_jobs={jobs}, next call", *timed(jobs, lambda: None)))
    rows.extend(_networkit_rows(scale, N, sample, reference, repeat, jobs))
    return rows


def _networkit_rows(
    scale: str,
    N: nx.Graph,
    sample: int | None,
    reference: np.ndarray,
    repeat: int,
    jobs: int,
) -> list[tuple[str, str, float, float, float, str]]:
    """networkit's betweenness and closeness in 1 and `jobs` threads, when installed and
    when betweenness is exact (its estimates cannot take networkx's sources)."""
    try:
        import networkit as nk
    except ImportError:
        print("  networkit not installed: pip install networkit")
        return []
    if sample is not None:
        print("  networkit: no estimate from networkx's sources; left out at this scale")
        return []
    S = Simple.of(N)
    h = nk.graph.Graph(S.n, weighted=False, directed=False)
    h.addEdges((np.asarray(S.source), np.asarray(S.target)))

    def network() -> np.ndarray:
        between = nk.centrality.Betweenness(h, normalized=True)
        near = nk.centrality.Closeness(h, True, nk.centrality.ClosenessVariant.Generalized)
        between.run()
        near.run()
        return np.concatenate([between.scores(), near.scores()])

    rows = []
    for threads in (1, jobs):
        nk.setNumberOfThreads(threads)
        found = network()
        assert np.allclose(found, reference, rtol=1e-9, atol=1e-15), "networkit differs"
        took = min(clock(network)[1] for _ in range(repeat))
        rows.append((scale, f"networkit, {threads} thread(s)", took, np.nan, np.nan, load()))
    return rows


def run_sampling(scale: str) -> None:
    G = cg.generate(scale, seed=SEED)
    S = Simple.of(G)
    S.igraph()
    values, wall, cpu = clock(lambda: betweenness(S, None, None))
    exact = pd.Series(values, index=S.nodes)
    print(
        f"{scale}: {G.number_of_nodes():,} nodes; exact betweenness "
        f"{wall:.1f} s wall, {cpu:.1f} s CPU"
    )
    top = set(exact.nlargest(20).index)
    print(
        f"{'sources':>8}{'seed':>6}{'wall s':>9}{'cpu s':>8}{'mean abs err':>14}"
        f"{'max abs err':>13}{'max err / max':>15}{'top-20 kept':>13}{'spearman':>10}"
    )
    for k in (100, 250, 500, 1000, 2000):
        for seed in (0, 1, 2):
            values, wall, cpu = clock(lambda k=k, seed=seed: betweenness(S, k, seed))
            estimate = pd.Series(values, index=S.nodes)
            error = (estimate - exact).abs()
            kept = len(top & set(estimate.nlargest(20).index)) / 20
            rho = estimate.rank().corr(exact.rank())
            print(
                f"{k:>8}{seed:>6}{wall:>9.2f}{cpu:>8.2f}{error.mean():>14.2e}{error.max():>13.2e}"
                f"{error.max() / exact.max():>15.3f}{kept:>13.2f}{rho:>10.3f}"
            )


def run_province(with_networkx: bool) -> None:
    G, wall, _ = clock(lambda: cg.generate("province", seed=SEED))
    print(
        f"province: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} ties "
        f"(generated in {wall:.1f} s)"
    )
    S, wall, cpu = clock(lambda: Simple.of(G))
    print(f"  simple graph: {wall:.1f} s wall, {cpu:.1f} s CPU; ", end="")
    _, wall, cpu = clock(S.igraph)
    print(f"igraph: {wall:.1f} s wall, {cpu:.1f} s CPU")
    H = S.networkx() if with_networkx else None
    measures: list[tuple[str, Callable[[], Any], Callable[[], Any] | None]] = [
        (
            "pagerank",
            lambda: pagerank(S, 0.85),
            (lambda: _pagerank_python(H)) if H is not None else None,
        ),
        (
            "components",
            lambda: len(S.igraph().connected_components()),
            (lambda: nx.number_connected_components(H)) if H is not None else None,
        ),
        ("leiden", lambda: metrics.communities(G, method="leiden", seed=0), None),
        (
            "louvain",
            lambda: metrics.communities(G, method="louvain", seed=0),
            (lambda: nx.community.louvain_communities(H, seed=0)) if H is not None else None,
        ),
    ]
    print(f"{'measure':<12}{'wall s':>9}{'cpu s':>9}{'goal s':>8}{'networkx s':>12}{'ratio':>8}")
    for name, ours, theirs in measures:
        with shared():  # the simple graph made above, as inside analyze()
            memo(G, ("simple", None, False), lambda: S)
            result, wall, cpu = clock(ours)
        other = clock(theirs)[1] if theirs is not None else float("nan")
        extra = (
            f"  modularity {result.attrs['modularity']:.4f}"
            if name in ("leiden", "louvain")
            else ""
        )
        print(
            f"{name:<12}{wall:>9.2f}{cpu:>9.2f}{PROVINCE_GOAL:>8.0f}{_f(other, 1):>12}"
            f"{_f(other / wall, 0, 'x'):>8}{extra}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory {peak:,.0f} MB")


def _rss_mb(pid: int) -> float:
    """Resident memory of process `pid` and its descendants, in MB (Linux /proc)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as status:
                total += next(int(x.split()[1]) for x in status if x.startswith("VmRSS")) / 1024
            with open(f"/proc/{p}/task/{p}/children") as children:
                todo += [int(c) for c in children.read().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


class Peak:
    """The highest memory of this process and its children while the block runs, and since
    the last :meth:`mark`."""

    def __enter__(self) -> Peak:
        self.peak = self.since = _rss_mb(os.getpid())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            now = _rss_mb(os.getpid())
            self.peak, self.since = max(self.peak, now), max(self.since, now)

    def mark(self) -> float:
        """The peak since the last mark (MB), starting anew."""
        since, self.since = self.since, _rss_mb(os.getpid())
        return since

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


class TableTimes(logging.Handler):
    """The seconds of each table, from what analyze logs as it makes them, and the peak
    memory while it was made (of `peak`, when given)."""

    def __init__(self, peak: Peak | None = None) -> None:
        super().__init__(logging.INFO)
        self.seconds: dict[str, float] = {}
        self.peaks: dict[str, float] = {}
        self._peak = peak

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "%s: %.2f s":
            name, seconds = record.args  # type: ignore[misc]
            self.seconds[name] = seconds
            if self._peak is not None:
                self.peaks[name] = self._peak.mark()


def run_scale(scales: list[str]) -> None:
    if len(scales) > 1:  # each in a fresh process: what one leaves behind is not the next's
        for name in scales:
            subprocess.run([sys.executable, __file__, "scale", "--scales", name], check=True)
        return
    logger = logging.getLogger("cobuild_graph.analysis")
    for name in scales:
        scale, goal, before = SCALES[name]
        G, wall, _ = clock(lambda scale=scale: cg.generate(scale, seed=SEED))
        graph_mb = _rss_mb(os.getpid())
        print(
            f"{name}: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} ties, generated "
            f"in {wall:.1f} s; the process holds {graph_mb:,.0f} MB with the graph "
            f"(load {load()})"
        )
        logger.setLevel(logging.INFO)
        with Peak() as peak:
            times = TableTimes(peak)
            logger.addHandler(times)
            try:
                tables, wall, cpu = clock(lambda G=G: analysis.analyze(G))
            finally:
                logger.removeHandler(times)
        about = tables["about"]["value"]
        print(f"  {'table':<20}{'s':>8}{'peak MB':>9}  values (peak: beyond the graph)")
        for table, seconds in times.seconds.items():
            extra = times.peaks[table] - graph_mb
            print(f"  {table:<20}{seconds:>8.2f}{extra:>9,.0f}  {about[f'values_{table}'][:80]}")
        extra = peak.peak - graph_mb
        print(
            f"  analyze: {wall:.1f} s wall, {cpu:.1f} s CPU of this process (goal "
            f"{goal:.0f} s: {'met' if wall <= goal else 'NOT met'}); peak {peak.peak:,.0f} MB"
            f", {extra:,.0f} MB beyond the graph"
            + (
                f" (goal {EXTRA_GOAL_MB:,} MB: {'met' if extra <= EXTRA_GOAL_MB else 'NOT met'})"
                if name == "province"
                else ""
            )
        )
        print(f"  before: {before}; load {load()}")
        del G, tables


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parts = parser.add_subparsers(dest="part", required=True)
    tables = parts.add_parser("tables", help="every table at sample and city scale")
    tables.add_argument("--scales", nargs="+", default=["sample", "city"])
    tables.add_argument("--no-networkx", action="store_true", help="skip the networkx path")
    engines = parts.add_parser("engines", help="igraph, loky processes, networkit threads")
    engines.add_argument("--scales", nargs="+", default=["sample"])
    engines.add_argument("--repeat", type=int, default=3)
    sampling = parts.add_parser("sampling", help="error of the betweenness estimate")
    sampling.add_argument("--scale", default="city")
    province = parts.add_parser("province", help="PageRank, components, Leiden at province")
    province.add_argument("--networkx", action="store_true", help="also time networkx")
    scale = parts.add_parser("scale", help="the whole analyze at 100k nodes and province")
    scale.add_argument("--scales", nargs="+", default=list(SCALES), choices=list(SCALES))
    args = parser.parse_args()
    if args.part == "tables":
        run_tables(args.scales, not args.no_networkx)
    elif args.part == "engines":
        run_engines(args.scales, args.repeat)
    elif args.part == "sampling":
        run_sampling(args.scale)
    elif args.part == "scale":
        run_scale(args.scales)
    else:
        run_province(args.networkx)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
