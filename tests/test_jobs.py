"""``n_jobs``: searches in other processes give what igraph and networkx give here."""

from __future__ import annotations

import os
import threading
import time

import igraph as ig
import loky
import networkx as nx
import numpy as np
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import _jobs, analysis, metrics
from cobuild_graph._jobs import jobs, searches

#: The library's own figure, before the fixture below sets it to 0 for each test.
IN_PROCESS_BELOW = _jobs.IN_PROCESS_BELOW
#: Sums of the same parts in another order: equal to this (relative) or better.
RTOL = 1e-12


@pytest.fixture(autouse=True)
def every_search_in_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests here hand even small searches to processes (see the last test for why not)."""
    monkeypatch.setattr(_jobs, "IN_PROCESS_BELOW", 0)


def _numbers(table: pd.DataFrame) -> np.ndarray:
    return table.apply(pd.to_numeric, errors="coerce").to_numpy(float)


def _assert_same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    assert left.index.equals(right.index)
    assert list(left.columns) == list(right.columns)
    a, b = _numbers(left), _numbers(right)
    assert np.isfinite(a).any()
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-300)


def test_n_jobs_counts_processes_as_joblib_does() -> None:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert jobs(1) == 1
    assert jobs(3) == 3
    assert 1 <= jobs(-1) <= usable  # a container's quota may allow fewer
    assert jobs(-2) == max(jobs(-1) - 1, 1)
    assert jobs(-1000) == 1
    for wrong in (0, 1.5, True, "2"):
        with pytest.raises(ValueError, match="n_jobs"):
            jobs(wrong)  # type: ignore[arg-type]


@pytest.mark.slow
def test_a_process_timing_out_as_work_comes_does_not_break_the_pool() -> None:
    # Work sent just as a process of the pool exits idle: loky starts another and warns. The
    # suite's filter must keep that warning from becoming an error in loky's own thread,
    # which breaks the pool (about one round in three did before it).
    with loky.ProcessPoolExecutor(max_workers=2, timeout=0.05) as pool:
        for i in range(40):
            time.sleep(0.046 + (i % 8) * 0.001)
            assert [f.result() for f in [pool.submit(abs, -i), pool.submit(abs, -1)]] == [i, 1]


def test_searches_in_two_processes_equal_igraph_here() -> None:
    g = ig.Graph.Erdos_Renyi(n=300, m=700)
    lengths = list(np.random.default_rng(1).uniform(0.5, 2.0, g.ecount()))
    sources = np.array_split(np.arange(300), 3)
    calls = [(g, {"weights": lengths, "sources": part.tolist()}) for part in sources]
    found = searches("betweenness", calls, n_jobs=2)
    here = sum(np.asarray(g.betweenness(weights=lengths, sources=p.tolist())) for p in sources)
    np.testing.assert_array_equal(sum(np.asarray(f) for f in found), here)
    h = g.induced_subgraph(list(range(0, 300, 2)))
    far = searches("closeness", [(g, {"normalized": False}), (h, {"normalized": False})], 2)
    np.testing.assert_array_equal(far[0], g.closeness(normalized=False))  # NaN for isolates
    np.testing.assert_array_equal(far[1], h.closeness(normalized=False))
    assert searches("closeness", [], n_jobs=2) == []
    with pytest.raises(ValueError, match="not a search"):
        searches("pagerank", calls, n_jobs=2)


@pytest.mark.parametrize(
    ("directed", "weight", "sample"),
    [(False, None, None), (True, None, None), (False, "weight", None), (False, None, 30)],
)
def test_centrality_in_two_processes_equals_one_and_networkx(
    directed: bool, weight: str | None, sample: int | None
) -> None:
    G = nx.connected_watts_strogatz_graph(120, 4, 0.2, seed=5)
    G.add_edges_from([(200, 0), (201, 0), (202, 7), (300, 301)])  # leaves, a second component
    if directed:
        G = nx.DiGraph(nx.gnp_random_graph(120, 0.04, seed=7, directed=True))
    rng = np.random.default_rng(3)
    for _, _, data in G.edges(data=True):
        data["weight"] = float(rng.choice([1, 2, 4]))  # lengths whose sums are exact
    options = {"directed": directed, "weight": weight, "betweenness_sample": sample, "seed": 2}
    one = metrics.centrality(G, **options, n_jobs=1)
    two = metrics.centrality(G, **options, n_jobs=2)
    _assert_same(one, two)
    H = metrics.simple_graph(G, weight=weight, directed=directed)
    if weight is not None:
        for _, _, data in H.edges(data=True):
            data["length"] = 1.0 / data["weight"]
    expected = nx.betweenness_centrality(H, k=sample, seed=2, weight="length" if weight else None)
    np.testing.assert_allclose(two["betweenness"], pd.Series(expected)[two.index], atol=1e-12)
    closeness = nx.closeness_centrality(H, distance="length" if weight else None)
    column = "in_closeness" if directed else "closeness"
    np.testing.assert_allclose(two[column], pd.Series(closeness)[two.index], atol=1e-12)


def test_summary_and_robustness_in_two_processes_equal_one() -> None:
    G = cg.generate("tiny", seed=3)
    N = cg.views.view(G, "cobuilding")
    _assert_same(metrics.summary(N, n_jobs=1), metrics.summary(N, n_jobs=2))
    one = metrics.robustness(G, path_sources=30, n_jobs=1)
    two = metrics.robustness(G, path_sources=30, n_jobs=2)
    assert one.equals(two)  # one search per network: the same numbers to the last bit
    assert one["path_length_change"].notna().any()


@pytest.mark.slow
def test_analyze_gives_the_same_tables_in_one_process_and_in_two() -> None:
    G = cg.read_dataset(cg.sample_path())
    one = analysis.analyze(G, n_jobs=1)
    two = analysis.analyze(G, n_jobs=2)
    assert list(one) == list(two)
    for name in ("centrality", "summary", "rollup_street", "rollup_district", "robustness"):
        _assert_same(one[name], two[name])
    for name in set(one) - {"centrality", "summary", "rollup_street", "rollup_district"}:
        pd.testing.assert_frame_equal(one[name], two[name])


def test_apart_reuses_what_is_kept_and_lets_go_what_it_makes() -> None:
    from cobuild_graph._memo import apart, memo, shared

    made: list[str] = []

    def make(name: str) -> str:
        made.append(name)
        return name

    G, H = object(), object()
    with shared():
        memo(G, "kept", lambda: make("kept"))
        with apart():
            assert memo(G, "kept", lambda: make("again")) == "kept"  # reused
            memo(H, "view", lambda: make("view"))
            memo(H, "view", lambda: make("view twice"))
        memo(H, "view", lambda: make("view after"))  # let go: made anew
        memo(G, "kept", lambda: make("kept again"))
    assert made == ["kept", "view", "view after"]


def test_small_searches_stay_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    g = ig.Graph.Erdos_Renyi(n=300, m=700)
    g["unsendable"] = threading.Lock()  # a graph that cannot be pickled for another process
    calls = [(g, {"sources": part.tolist()}) for part in np.array_split(np.arange(300), 2)]
    assert sum(map(_jobs._work, calls)) < IN_PROCESS_BELOW
    monkeypatch.setattr(_jobs, "IN_PROCESS_BELOW", IN_PROCESS_BELOW)
    found = searches("betweenness", calls, n_jobs=2)  # here: nothing pickled
    np.testing.assert_allclose(np.sum(found, axis=0), g.betweenness(), rtol=RTOL)
    monkeypatch.setattr(_jobs, "IN_PROCESS_BELOW", 0)
    with pytest.raises(Exception, match=r"(?i)pickl"):
        searches("betweenness", calls, n_jobs=2)
