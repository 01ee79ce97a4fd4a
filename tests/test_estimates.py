"""Estimated values say so, with a standard error that matches their spread over seeds."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import cobuild_graph as cg
from cobuild_graph import metrics
from cobuild_graph.analysis import analyze

SEEDS = range(30)
K = 150


@pytest.fixture(scope="module")
def graph() -> nx.Graph:
    return nx.barabasi_albert_graph(1500, 2, seed=3)


@pytest.fixture(scope="module")
def estimates(graph: nx.Graph) -> list:
    return [
        metrics.centrality(graph, betweenness_sample=K, seed=seed, closeness=False)
        for seed in SEEDS
    ]


def test_the_betweenness_standard_error_matches_the_spread_over_seeds(
    graph: nx.Graph, estimates: list
) -> None:
    exact = metrics.centrality(graph, closeness=False)["betweenness"]  # networkx's, tested
    top = list(exact.sort_values(ascending=False).index[:30])
    values = np.array([t.loc[top, "betweenness"].to_numpy() for t in estimates])
    errors = np.array([t.loc[top, "betweenness_se"].to_numpy() for t in estimates])
    spread = values.std(axis=0, ddof=1)
    ratio = np.median(errors.mean(axis=0) / spread)
    assert 0.75 < ratio < 1.3, ratio
    # 10 batches: 9 degrees of freedom, t = 2.262 for 95 %
    z = (values - exact[top].to_numpy()) / errors
    assert np.mean(np.abs(z) < 2.262) > 0.85


def test_an_estimate_is_marked_and_an_exact_table_is_not(graph: nx.Graph, estimates: list) -> None:
    table = estimates[0]
    assert set(table.attrs["estimates"]) == {"betweenness"}
    assert "betweenness_se" in table.attrs["caveats"][0]
    assert (table["betweenness_se"] >= 0).all()
    exact = metrics.centrality(graph, closeness=False)
    assert "betweenness_se" not in exact.columns
    assert exact.attrs["estimates"] == {}


def test_the_estimate_and_its_error_do_not_depend_on_n_jobs(graph: nx.Graph) -> None:
    one = metrics.centrality(graph, betweenness_sample=K, seed=1, closeness=False)
    two = metrics.centrality(graph, betweenness_sample=K, seed=1, closeness=False, n_jobs=2)
    np.testing.assert_allclose(two.to_numpy(), one.to_numpy(), rtol=1e-12, atol=1e-15)


def test_the_centralization_standard_error_matches_its_spread_over_seeds(
    graph: nx.Graph,
) -> None:
    rows = [
        metrics.summary(graph, betweenness_sample=K, seed=seed, paths=False)["value"]
        for seed in SEEDS
    ]
    values = np.array([float(r["betweenness_centralization"]) for r in rows])
    errors = np.array([float(r["betweenness_centralization_se"]) for r in rows])
    assert 0.5 < errors.mean() / values.std(ddof=1) < 2.0
    exact = metrics.summary(graph, paths=False)
    assert "betweenness_centralization_se" not in exact.index
    assert exact.attrs["estimates"] == {}
    assert set(metrics.summary(graph, betweenness_sample=K).attrs["estimates"]) == {
        "betweenness_centralization"
    }


def test_analyze_says_which_tables_are_estimated() -> None:
    G = cg.generate("tiny", seed=2)
    exact = analyze(G, seed=1)
    rows = exact["about"]["value"]
    for name in exact:
        if name == "about":
            continue
        if name.startswith("ei_"):  # the permutation test: Monte Carlo at every size
            assert rows[f"values_{name}"].startswith("估计 estimated: mean: 1000 random"), name
            assert set(exact[name].attrs["estimates"]) == {
                "mean",
                "sd",
                "minimum",
                "maximum",
                "p_greater",
                "p_less",
            }
        else:
            assert rows[f"values_{name}"] == "精确 exact", name
    sampled = analyze(G, seed=1, betweenness_sample=20)
    rows = sampled["about"]["value"]
    for name in ("centrality", "summary", "rollup_street", "rollup_district"):
        assert rows[f"values_{name}"].startswith("估计 estimated: betweenness"), name
        assert sampled[name].attrs["estimates"], name
    assert "sums of the nodes' estimates" in rows["values_rollup_street"]
    rollup, nodes = sampled["rollup_street"], sampled["centrality"]
    streets = cg.domain.ancestors(G, level="Street")
    for street in rollup.index[:5]:
        members = streets.index[streets == street].intersection(nodes.index)
        assert rollup.loc[street, "betweenness_se_bound"] == pytest.approx(
            nodes.loc[members, "betweenness_se"].sum()
        )
    assert rows["values_kcore"] == "精确 exact"


def test_the_two_mode_betweenness_estimate_has_a_standard_error_that_matches_its_spread() -> None:
    B = nx.bipartite.random_graph(300, 500, 0.01, seed=5)
    top = [v for v, side in B.nodes(data="bipartite") if side == 0]
    exact = metrics.two_mode_centrality(B, top=top)
    assert exact.attrs["estimates"] == {}
    assert "betweenness_se" not in exact.columns
    runs = [
        metrics.two_mode_centrality(B, top=top, betweenness_sample=80, seed=seed) for seed in SEEDS
    ]
    assert set(runs[0].attrs["estimates"]) == {"betweenness"}
    leading = exact["betweenness"].sort_values(ascending=False).index[:30]
    values = np.array([r.loc[leading, "betweenness"].to_numpy() for r in runs])
    errors = np.array([r.loc[leading, "betweenness_se"].to_numpy() for r in runs])
    ratio = np.median(errors.mean(axis=0) / values.std(axis=0, ddof=1))
    assert 0.75 < ratio < 1.3, ratio
    # unbiased: the mean over seeds is near the exact value
    np.testing.assert_allclose(values.mean(axis=0), exact.loc[leading, "betweenness"], rtol=0.15)


def test_robustness_says_when_its_path_lengths_are_estimated() -> None:
    G = cg.generate("tiny", seed=2)
    exact = analyze(G, seed=1, only=["robustness"], path_sources=None)
    assert exact["about"]["value"]["values_robustness"] == "精确 exact"
    sampled = analyze(G, seed=1, only=["robustness"], path_sources=20)
    assert set(sampled["robustness"].attrs["estimates"]) == {"path_length_change"}
    assert sampled["about"]["value"]["values_robustness"].startswith(
        "估计 estimated: path_length_change: 20 / "
    )
