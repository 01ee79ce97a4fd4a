"""Searches sent ahead to a worker interpreter give what igraph gives here, whatever happens."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import _batch, analysis
from cobuild_graph._searches import Ahead, ahead, ahead_subgraph, search


def random_graph(seed: int, n: int = 300, m: int = 700) -> ig.Graph:
    rng = np.random.default_rng(seed)
    edges = {tuple(sorted(map(int, rng.choice(n, 2, replace=False)))) for _ in range(m)}
    return ig.Graph(n=n, edges=sorted(edges))


@pytest.fixture
def two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker is started however many CPUs the test machine lends this process."""
    monkeypatch.setattr(_batch, "cpus", lambda: 2)


def test_searches_sent_ahead_equal_igraph_here(two_cpus: None) -> None:
    g = random_graph(1)
    lengths = np.random.default_rng(2).uniform(0.5, 2.0, g.ecount()).tolist()
    sources = list(range(0, 300, 7))
    with Ahead() as sent:
        ahead(g, "betweenness", weights=lengths, sources=sources)
        ahead(g, "closeness", vertices=sources, normalized=False)
        # collected in another order than sent
        closeness = search(g, "closeness", vertices=sources, normalized=False)
        betweenness = search(g, "betweenness", weights=lengths, sources=sources)
        assert sent.collected == 2  # both came from the worker
    expected = g.closeness(vertices=sources, normalized=False)
    assert closeness == pytest.approx(expected, nan_ok=True)
    assert betweenness == pytest.approx(g.betweenness(weights=lengths, sources=sources))


def test_searches_of_a_subgraph_the_worker_made_itself(two_cpus: None) -> None:
    g = random_graph(7)
    keep = [v for v in range(g.vcount()) if v % 5]
    h = g.induced_subgraph(keep)
    with Ahead() as sent:
        ahead_subgraph(h, g, keep)
        ahead(h, "closeness", normalized=False)
        ahead(g, "closeness", normalized=False)
        on_h = search(h, "closeness", normalized=False)
        on_g = search(g, "closeness", normalized=False)
        assert sent.collected == 2
    assert on_h == pytest.approx(h.closeness(normalized=False), nan_ok=True)
    assert on_g == pytest.approx(g.closeness(normalized=False), nan_ok=True)


def test_searches_sent_after_others_were_collected(two_cpus: None) -> None:
    g = random_graph(8)
    first, second, third = ([v, v + 1] for v in (3, 30, 60))
    with Ahead() as sent:
        ahead(g, "betweenness", sources=first)
        ahead(g, "betweenness", sources=second)
        found = {1: search(g, "betweenness", sources=first)}
        ahead(g, "betweenness", sources=third)
        found[3] = search(g, "betweenness", sources=third)
        found[2] = search(g, "betweenness", sources=second)
        assert sent.collected == 3
    for place, sources in ((1, first), (2, second), (3, third)):
        assert found[place] == pytest.approx(g.betweenness(sources=sources))


def test_a_search_not_sent_ahead_runs_here(two_cpus: None) -> None:
    g = random_graph(3)
    with Ahead() as sent:
        ahead(g, "betweenness", sources=[0, 1, 2])
        found = search(g, "betweenness", sources=[0, 1, 3])  # other options: not sent
        assert sent.collected == 0
    assert found == pytest.approx(g.betweenness(sources=[0, 1, 3]))
    # outside a block nothing is sent and every search runs here
    ahead(g, "betweenness")
    assert search(g, "betweenness") == pytest.approx(g.betweenness())


def test_a_worker_that_died_leaves_its_searches_to_this_process(two_cpus: None) -> None:
    g = random_graph(4)
    with Ahead() as sent:
        ahead(g, "betweenness")
        assert sent.worker is not None
        sent.worker.kill()
        sent.worker.wait()
        found = search(g, "betweenness")
        assert sent.collected == 0
    assert found == pytest.approx(g.betweenness())


def test_igraph_errors_are_raised_here(two_cpus: None) -> None:
    g = random_graph(5)
    with Ahead() as sent:
        ahead(g, "betweenness", sources=[10_000])
        with pytest.raises(ig.InternalError):
            search(g, "betweenness", sources=[10_000])
        assert sent.collected == 0
    with pytest.raises(ValueError, match="not a search"):
        search(g, "pagerank")


def test_the_worker_ends_with_the_block_even_when_it_raises(two_cpus: None) -> None:
    g = random_graph(6)
    started = []

    def interrupted() -> None:
        with Ahead() as sent:
            ahead(g, "betweenness")
            started.append(sent.worker)
            raise KeyError("stop")

    with pytest.raises(KeyError):
        interrupted()
    assert started[0] is not None
    assert started[0].poll() is not None  # killed, not left searching
    with Ahead() as sent:
        process = sent.worker
    assert process is not None
    assert process.wait(5) == 0  # ended by itself when the block did


def test_analyze_gives_the_same_tables_with_and_without_a_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    G = cg.read_dataset(cg.sample_path())
    collected = []

    class Watched(Ahead):
        def __exit__(self, *error: object) -> None:
            collected.append(self.collected)
            super().__exit__(*error)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "Ahead", Watched)
    monkeypatch.setattr(_batch, "cpus", lambda: 2)
    beside = analysis.analyze(G)
    # betweenness and the robustness table's path lengths came from the worker
    assert collected[0] > analysis.ROBUSTNESS_TOP
    monkeypatch.setattr(_batch, "cpus", lambda: 1)
    here = analysis.analyze(G)
    for name in ("centrality", "summary", "rollup_street", "robustness"):
        left, right = (t.apply(pd.to_numeric, errors="coerce") for t in (beside[name], here[name]))
        assert left.index.equals(right.index)
        assert left.notna().any().any()
        np.testing.assert_allclose(
            left.to_numpy(float), right.to_numpy(float), rtol=1e-9, atol=1e-12
        )
