"""ERGMs against published statnet results, logistic regressions and brute force.

- Padgett's Florentine marriage network (16 families with the isolate Pucci, wealth in
  thousands of lira, as statnet's ``flomarriage``): ``~edges`` and
  ``~edges + nodecov("wealth")`` equal statnet's published estimates and standard errors
  to the digits printed; ``~edges + triangle`` falls within the tutorial's MCMC spread.
- A dyad-independent model equals a logistic regression of the ties on the dyads'
  covariates, fitted here independently (scipy's BFGS on the log-likelihood, standard
  errors from its exact Hessian), one-mode, directed and two-mode.
- Every statistic equals a brute-force count (networkx), and every change statistic
  the difference of the statistics with and without the tie.
- MCMC: networks simulated at the estimate reproduce the observed statistics within
  Monte Carlo error; planted two-mode parameters are recovered; a degenerate model is
  refused.
"""

from __future__ import annotations

import ast
import itertools
import math
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy import optimize

import cobuild_graph as cg
from cobuild_graph.stats import ergm
from cobuild_graph.stats._ergm_formula import parse
from cobuild_graph.stats._ergm_mcmle import effective_sizes
from cobuild_graph.stats._ergm_network import network
from cobuild_graph.stats._ergm_sampler import Sampler
from cobuild_graph.stats._ergm_terms import change_matrix, observed, statistics
from tests._docs import ERGM_PAGE, section_blocks
from tests._r import require_rscript, run_r

# Padgett & Ansell (1993); the 16 families and their wealth as in statnet's flomarriage.
FLORENTINE_MARRIAGES = [
    ("Acciaiuoli", "Medici"),
    ("Albizzi", "Ginori"),
    ("Albizzi", "Guadagni"),
    ("Albizzi", "Medici"),
    ("Barbadori", "Castellani"),
    ("Barbadori", "Medici"),
    ("Bischeri", "Guadagni"),
    ("Bischeri", "Peruzzi"),
    ("Bischeri", "Strozzi"),
    ("Castellani", "Peruzzi"),
    ("Castellani", "Strozzi"),
    ("Guadagni", "Lamberteschi"),
    ("Guadagni", "Tornabuoni"),
    ("Medici", "Ridolfi"),
    ("Medici", "Salviati"),
    ("Medici", "Tornabuoni"),
    ("Pazzi", "Salviati"),
    ("Peruzzi", "Strozzi"),
    ("Ridolfi", "Strozzi"),
    ("Ridolfi", "Tornabuoni"),
]
FLORENTINE_WEALTH = {
    "Acciaiuoli": 10,
    "Albizzi": 36,
    "Barbadori": 55,
    "Bischeri": 44,
    "Castellani": 20,
    "Ginori": 32,
    "Guadagni": 8,
    "Lamberteschi": 42,
    "Medici": 103,
    "Pazzi": 48,
    "Peruzzi": 49,
    "Pucci": 3,
    "Ridolfi": 27,
    "Salviati": 10,
    "Strozzi": 146,
    "Tornabuoni": 48,
}


@pytest.fixture(scope="module")
def florentine() -> nx.Graph:
    F = nx.Graph()
    F.add_nodes_from((family, {"wealth": w}) for family, w in FLORENTINE_WEALTH.items())
    F.add_edges_from(FLORENTINE_MARRIAGES)
    return F


def test_florentine_is_networkx_marriages_plus_pucci(florentine: nx.Graph) -> None:
    reference = nx.florentine_families_graph()
    assert sorted(florentine) == sorted([*reference, "Pucci"])
    assert {frozenset(e) for e in florentine.edges} == {frozenset(e) for e in reference.edges}
    assert florentine.degree("Pucci") == 0


def test_florentine_edges_as_statnet(florentine: nx.Graph) -> None:
    table = ergm(florentine, "edges").table
    assert table.loc["edges", "estimate"] == pytest.approx(-1.6094, abs=5e-5)
    assert table.loc["edges", "std_error"] == pytest.approx(0.2449, abs=5e-5)
    assert table.attrs["method"].startswith("MLE")
    # statnet: "AIC: 110.1  BIC: 112.9"
    assert table.attrs["aic"] == pytest.approx(110.1, abs=0.05)
    assert table.attrs["bic"] == pytest.approx(112.9, abs=0.05)


def test_florentine_wealth_as_statnet(florentine: nx.Graph) -> None:
    table = ergm(florentine, "edges + nodecov('wealth')").table
    assert table.loc["edges", "estimate"] == pytest.approx(-2.5949, abs=5e-5)
    assert table.loc["nodecov.wealth", "estimate"] == pytest.approx(0.01055, abs=5e-6)
    assert table.loc["edges", "std_error"] == pytest.approx(0.5361, abs=5e-5)
    assert table.loc["nodecov.wealth", "std_error"] == pytest.approx(0.00467, abs=5e-6)
    assert list(table.columns[:5]) == ["estimate", "std_error", "mcmc_pct", "z", "p"]


@pytest.mark.slow
def test_chains_in_threads_give_the_fit_of_one_thread(florentine: nx.Graph) -> None:
    """The chains run in threads at once (the compiled loop releases the interpreter
    lock) draw what they draw one after another, seed for seed."""
    here = ergm(florentine, "edges + triangle", seed=3, interval=100, n_jobs=1).table
    apart = ergm(florentine, "edges + triangle", seed=3, interval=100, n_jobs=2).table
    pd.testing.assert_frame_equal(here, apart)
    assert here.attrs["converged"]
    assert apart.attrs["converged"]


def test_florentine_triangle_within_statnet_tolerance(florentine: nx.Graph) -> None:
    fit = ergm(florentine, "edges + triangle", seed=3, interval=100)
    table = fit.table
    # statnet's tutorial: edges -1.69 (0.36), triangle 0.19 (0.59), MCMC-dependent
    assert table.loc["edges", "estimate"] == pytest.approx(-1.69, abs=0.1)
    assert table.loc["triangle", "estimate"] == pytest.approx(0.19, abs=0.15)
    assert table.loc["edges", "std_error"] == pytest.approx(0.36, abs=0.04)
    assert table.loc["triangle", "std_error"] == pytest.approx(0.59, abs=0.06)
    assert table.attrs["method"] == "MCMC-MLE"
    assert table.attrs["converged"]
    assert 0.05 < table.attrs["acceptance"] <= 1
    assert (table["mcmc_pct"] >= 0).all()
    assert (table["mcmc_pct"] < 10).all()
    assert (table["chain_sd"] < table["std_error"] / 3).all()
    diagnostics = fit.diagnostics()
    assert (diagnostics["r_hat"] < 1.1).all()
    assert (diagnostics["effective_size"] > 100).all()
    # statnet reports AIC 112 for this model: the bridge-sampled log-likelihood
    assert table.attrs["aic"] == pytest.approx(112.0, abs=0.5)


@pytest.mark.slow
def test_simulated_statistics_match_observed_at_the_estimate(florentine: nx.Graph) -> None:
    fit = ergm(florentine, "edges + triangle", seed=5, interval=100)
    simulated = fit.simulate(400, seed=11, interval=200, output="stats")
    assert isinstance(simulated, pd.DataFrame)
    mean, sd = simulated.mean(), simulated.std()
    z = (mean - fit.observed) / (sd / math.sqrt(len(simulated)))
    assert (z.abs() < 4).all(), z
    graphs = fit.simulate(3, seed=11, interval=200)
    assert isinstance(graphs, list)
    assert len(graphs) == 3
    assert set(graphs[0]) == set(florentine)
    counts = [g.number_of_edges() for g in graphs]
    assert counts == simulated["edges"].iloc[:3].astype(int).tolist()


# -- dyad-independent models equal a logistic regression -------------------------------


def _logistic(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MLE and standard errors of a logistic regression, by BFGS and the exact Hessian."""

    def loss(b: np.ndarray) -> tuple[float, np.ndarray]:
        eta = X @ b
        value = float(np.sum(np.logaddexp(0, eta) - y * eta))
        return value, X.T @ (1 / (1 + np.exp(-eta)) - y)

    found = optimize.minimize(
        loss, np.zeros(X.shape[1]), jac=True, method="BFGS", options={"gtol": 1e-10}
    )
    p = 1 / (1 + np.exp(-X @ found.x))
    hessian = (X * (p * (1 - p))[:, None]).T @ X
    return found.x, np.sqrt(np.diag(np.linalg.inv(hessian)))


def test_the_mple_is_a_logistic_regression_on_change_statistics(florentine: nx.Graph) -> None:
    table = ergm(florentine, "edges + triangle", estimate="MPLE").table
    pairs = list(itertools.combinations(florentine, 2))
    X = np.array(
        [[1, len(list(nx.common_neighbors(florentine, i, j)))] for i, j in pairs], dtype=float
    )
    y = np.array([florentine.has_edge(i, j) for i, j in pairs], dtype=float)
    estimate, se = _logistic(X, y)
    np.testing.assert_allclose(table["estimate"], estimate, rtol=1e-6)
    np.testing.assert_allclose(table["std_error"], se, rtol=1e-6)
    assert table.attrs["method"] == "MPLE"
    assert np.isnan(table.attrs["aic"])


def _attributed_graph(directed: bool, seed: int) -> nx.Graph:
    rng = np.random.default_rng(seed)
    G = nx.gnp_random_graph(30, 0.15, seed=seed, directed=directed)
    for v in G:
        G.nodes[v]["sector"] = ["a", "b", "c"][int(rng.integers(3))]
        G.nodes[v]["size"] = float(rng.normal(10, 3))
    return G


@pytest.mark.parametrize("directed", [False, True])
def test_one_mode_dyad_independent_equals_logistic_regression(directed: bool) -> None:
    G = _attributed_graph(directed, seed=4)
    nodes = list(G)
    rng = np.random.default_rng(9)
    distance = rng.random((30, 30))
    distance = distance if directed else (distance + distance.T) / 2
    covariate = pd.DataFrame(distance, index=nodes, columns=nodes)
    table = ergm(
        G,
        "edges + nodematch('sector') + nodefactor('sector') + nodecov('size') + "
        "absdiff('size') + edgecov('distance')",
        covariates={"distance": covariate},
    ).table
    pairs = [(i, j) for i, j in itertools.product(nodes, nodes) if i != j and (directed or i > j)]
    sector = nx.get_node_attributes(G, "sector")
    size = nx.get_node_attributes(G, "size")
    X = np.array(
        [
            [
                1,
                sector[i] == sector[j],
                (sector[i] == "b") + (sector[j] == "b"),
                (sector[i] == "c") + (sector[j] == "c"),
                size[i] + size[j],
                abs(size[i] - size[j]),
                distance[i, j],
            ]
            for i, j in pairs
        ],
        dtype=float,
    )
    y = np.array([G.has_edge(i, j) for i, j in pairs], dtype=float)
    estimate, se = _logistic(X, y)
    assert list(table.index) == [
        "edges",
        "nodematch.sector",
        "nodefactor.sector.b",
        "nodefactor.sector.c",
        "nodecov.size",
        "absdiff.size",
        "edgecov.distance",
    ]
    np.testing.assert_allclose(table["estimate"], estimate, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(table["std_error"], se, rtol=1e-6)
    assert table.attrs["n_dyads"] == len(pairs)


def _two_mode(seed: int) -> nx.Graph:
    rng = np.random.default_rng(seed)
    B = nx.bipartite.random_graph(25, 35, 0.1, seed=seed)
    for v in B:
        B.nodes[v]["kind"] = ["x", "y"][int(rng.integers(2))]
        B.nodes[v]["fund"] = float(rng.gamma(2.0, 1.5))
    return B


def test_two_mode_dyad_independent_equals_logistic_regression() -> None:
    B = _two_mode(seed=2)
    first = [v for v in B if B.nodes[v]["bipartite"] == 0]
    second = [v for v in B if B.nodes[v]["bipartite"] == 1]
    rng = np.random.default_rng(3)
    block = pd.DataFrame((rng.random((25, 35)) < 0.2).astype(float), index=first, columns=second)
    table = ergm(
        B,
        "edges + b1factor('kind') + b2factor('kind') + b1cov('fund') + b2cov('fund') + "
        "edgecov('street')",
        covariates={"street": block},
    ).table
    kind = nx.get_node_attributes(B, "kind")
    fund = nx.get_node_attributes(B, "fund")
    pairs = list(itertools.product(first, second))
    X = np.array(
        [[1, kind[i] == "y", kind[j] == "y", fund[i], fund[j], block.loc[i, j]] for i, j in pairs],
        dtype=float,
    )
    y = np.array([B.has_edge(i, j) for i, j in pairs], dtype=float)
    estimate, se = _logistic(X, y)
    np.testing.assert_allclose(table["estimate"], estimate, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(table["std_error"], se, rtol=1e-6)
    assert table.attrs["n_dyads"] == 25 * 35


def test_two_mode_dyad_independent_equals_r_glm(tmp_path: Path) -> None:
    rscript = require_rscript()
    B = _two_mode(seed=5)
    first = [v for v in B if B.nodes[v]["bipartite"] == 0]
    second = [v for v in B if B.nodes[v]["bipartite"] == 1]
    table = ergm(B, "edges + b1factor('kind') + b2cov('fund')").table
    rows = [
        (B.has_edge(i, j), B.nodes[i]["kind"], B.nodes[j]["fund"])
        for i, j in itertools.product(first, second)
    ]
    pd.DataFrame(rows, columns=["y", "kind", "fund"]).astype({"y": int}).to_csv(
        tmp_path / "dyads.csv", index=False
    )
    run_r(
        rscript,
        'd <- read.csv("dyads.csv")\n'
        "fit <- glm(y ~ factor(kind) + fund, family = binomial, data = d,\n"
        "           control = glm.control(epsilon = 1e-14, maxit = 100))\n"
        'write.csv(summary(fit)$coefficients, "glm.csv")\n',
        tmp_path,
    )
    r = pd.read_csv(tmp_path / "glm.csv", index_col=0)
    np.testing.assert_allclose(table["estimate"], r["Estimate"], rtol=1e-8)
    np.testing.assert_allclose(table["std_error"], r["Std. Error"], rtol=1e-6)


def test_a_square_covariate_gives_the_two_mode_block() -> None:
    B = _two_mode(seed=2)
    rng = np.random.default_rng(5)
    nodes = list(B)
    square = pd.DataFrame(rng.random((60, 60)), index=nodes, columns=nodes)
    first = [v for v in B if B.nodes[v]["bipartite"] == 0]
    second = [v for v in B if B.nodes[v]["bipartite"] == 1]
    via_square = ergm(B, "edges + edgecov('w')", covariates={"w": square}).table
    via_block = ergm(B, "edges + edgecov('w')", covariates={"w": square.loc[first, second]}).table
    pd.testing.assert_frame_equal(via_square, via_block)


# -- statistics and change statistics by brute force -----------------------------------


def _gw(counts: dict[int, int], decay: float) -> float:
    r = 1 - math.exp(-decay)
    return math.exp(decay) * sum((1 - r**k) * n for k, n in counts.items())


def _esp(G: nx.Graph) -> dict[int, int]:
    counts: dict[int, int] = {}
    for u, v in G.edges:
        k = len(set(G[u]) & set(G[v]))
        counts[k] = counts.get(k, 0) + 1
    return counts


def _degree_counts(degrees: list[int]) -> dict[int, int]:
    return {k: degrees.count(k) for k in set(degrees)}


def test_structural_statistics_equal_brute_force() -> None:
    G = nx.powerlaw_cluster_graph(40, 3, 0.4, seed=1)
    net = network(G)
    formula = "edges + triangle + kstar(c(2, 3)) + gwesp(0.7, fixed=TRUE) + gwdegree(0.4, fixed=T)"
    values = dict(
        zip(
            [s.name for s in statistics(net, parse(formula))],
            observed(net, statistics(net, parse(formula)), net.ties),
            strict=True,
        )
    )
    degrees = [d for _, d in G.degree]
    assert values["edges"] == G.number_of_edges()
    assert values["triangle"] == sum(nx.triangles(G).values()) / 3
    assert values["kstar2"] == sum(math.comb(d, 2) for d in degrees)
    assert values["kstar3"] == sum(math.comb(d, 3) for d in degrees)
    assert values["gwesp.fixed.0.7"] == pytest.approx(_gw(_esp(G), 0.7))
    assert values["gwdeg.fixed.0.4"] == pytest.approx(_gw(_degree_counts(degrees), 0.4))


def test_two_mode_and_directed_statistics_equal_brute_force() -> None:
    B = _two_mode(seed=6)
    net = network(B)
    stats = statistics(
        net,
        parse("gwb1degree(0.5, fixed=TRUE) + gwb2degree(1.5, fixed=TRUE) + b1nodematch('kind')"),
    )
    got = observed(net, stats, net.ties)
    first = [v for v in B if B.nodes[v]["bipartite"] == 0]
    second = [v for v in B if B.nodes[v]["bipartite"] == 1]
    assert got[0] == pytest.approx(_gw(_degree_counts([B.degree(v) for v in first]), 0.5))
    assert got[1] == pytest.approx(_gw(_degree_counts([B.degree(v) for v in second]), 1.5))
    kind = nx.get_node_attributes(B, "kind")
    pairs = sum(
        kind[a] == kind[b] for e in second for a, b in itertools.combinations(sorted(B[e]), 2)
    )
    assert got[2] == pairs
    D = nx.gnp_random_graph(25, 0.2, seed=3, directed=True)
    dnet = network(D)
    mutual = observed(dnet, statistics(dnet, parse("mutual")), dnet.ties)[0]
    assert mutual == sum(D.has_edge(v, u) for u, v in D.edges) / 2


@pytest.mark.parametrize(
    ("graph", "formula"),
    [
        (
            nx.powerlaw_cluster_graph(14, 3, 0.5, seed=2),
            "edges + triangle + kstar(2) + gwesp(0.5, fixed=TRUE) + gwdegree(0.8, fixed=TRUE)",
        ),
        (nx.gnp_random_graph(10, 0.3, seed=1, directed=True), "edges + mutual"),
        (
            _two_mode(seed=8).subgraph(list(range(8)) + list(range(25, 35))).copy(),
            "gwb1degree(0.5, fixed=TRUE) + gwb2degree(0.5, fixed=TRUE) + b1nodematch('kind')",
        ),
    ],
)
def test_change_statistics_are_differences_of_statistics(graph: nx.Graph, formula: str) -> None:
    net = network(graph)
    stats = statistics(net, parse(formula))
    y = net.observed()
    X = change_matrix(net, stats, y)
    for d in range(net.size):
        with_tie = np.union1d(net.ties, [d])
        without = np.setdiff1d(net.ties, [d])
        expected = observed(net, stats, with_tie) - observed(net, stats, without)
        np.testing.assert_allclose(X[d], expected, atol=1e-9)


_KINDS = {
    "undirected": (
        lambda seed: nx.gnp_random_graph(12, 0.35, seed=seed),
        "edges + triangle + kstar(c(2, 3)) + gwesp(0.6, fixed=TRUE) + gwdegree(0.9, fixed=TRUE)",
    ),
    "directed": (
        lambda seed: nx.gnp_random_graph(9, 0.3, seed=seed, directed=True),
        "edges + mutual",
    ),
    "bipartite": (
        lambda seed: _two_mode(seed).subgraph(list(range(7)) + list(range(25, 33))).copy(),
        "gwb1degree(0.5, fixed=TRUE) + gwb2degree(1.2, fixed=TRUE) + b1nodematch('kind')",
    ),
}


def _counted(G: nx.Graph) -> dict[str, float]:
    """Every statistic of the formulas of `_KINDS`, counted from scratch on `G`."""
    if G.is_directed():
        return {
            "edges": G.number_of_edges(),
            "mutual": sum(G.has_edge(v, u) for u, v in G.edges) / 2,
        }
    if nx.get_node_attributes(G, "bipartite"):
        first = [v for v in G if G.nodes[v]["bipartite"] == 0]
        second = [v for v in G if G.nodes[v]["bipartite"] == 1]
        kind = nx.get_node_attributes(G, "kind")
        return {
            "gwb1deg.fixed.0.5": _gw(_degree_counts([G.degree(v) for v in first]), 0.5),
            "gwb2deg.fixed.1.2": _gw(_degree_counts([G.degree(v) for v in second]), 1.2),
            "b1nodematch.kind": sum(
                kind[a] == kind[b] for e in second for a, b in itertools.combinations(G[e], 2)
            ),
        }
    degrees = [d for _, d in G.degree]
    return {
        "edges": G.number_of_edges(),
        "triangle": sum(nx.triangles(G).values()) / 3,
        "kstar2": sum(math.comb(d, 2) for d in degrees),
        "kstar3": sum(math.comb(d, 3) for d in degrees),
        "gwesp.fixed.0.6": _gw(_esp(G), 0.6),
        "gwdeg.fixed.0.9": _gw(_degree_counts(degrees), 0.9),
    }


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("kind", list(_KINDS))
def test_compiled_changes_equal_recounts_from_scratch(kind: str, seed: int) -> None:
    """The compiled kernel's statistics and changes, on random networks of each kind,
    against networkx counts of the network with and without each dyad's tie."""
    graph, formula = _KINDS[kind]
    net = network(graph(seed))
    stats = statistics(net, parse(formula))
    names = [s.name for s in stats]
    rng = np.random.default_rng(seed)
    for density in (0.2, 0.5):
        y = (rng.random(net.size) < density).astype(float)
        ties = np.flatnonzero(y)
        counted = _counted(net.graph(ties))
        np.testing.assert_allclose(
            observed(net, stats, ties), [counted[n] for n in names], rtol=1e-12
        )
        X = change_matrix(net, stats, y)
        for d in range(net.size):
            with_tie = _counted(net.graph(np.union1d(ties, [d])))
            without = _counted(net.graph(np.setdiff1d(ties, [d])))
            expected = [with_tie[n] - without[n] for n in names]
            np.testing.assert_allclose(X[d], expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", list(_KINDS))
def test_a_chain_reports_the_statistics_of_its_networks(kind: str) -> None:
    graph, formula = _KINDS[kind]
    net = network(graph(3))
    stats = statistics(net, parse(formula))
    theta = np.linspace(-0.8, 0.3, len(stats))
    draw = Sampler(net, stats, cap=net.size + 1).run(
        theta,
        net.ties,
        observed(net, stats, net.ties),
        burnin=100,
        interval=37,
        size=40,
        rng=np.random.default_rng(4),
        keep=True,
    )
    assert draw.networks is not None
    np.testing.assert_array_equal(draw.networks[-1], draw.ties)
    assert len({tuple(ties) for ties in draw.networks}) > 10  # the chain moves
    for ties, values in zip(draw.networks, draw.stats, strict=True):
        np.testing.assert_allclose(values, observed(net, stats, ties), rtol=1e-12, atol=1e-12)


# -- bounds, errors, formulas ----------------------------------------------------------


def test_a_statistic_at_its_bound_is_fixed_at_minus_infinity() -> None:
    G = _attributed_graph(False, seed=4)
    c_nodes = [v for v in G if G.nodes[v]["sector"] == "c"]
    G.remove_edges_from([(u, v) for u, v in G.edges if u in c_nodes and v in c_nodes])
    with pytest.warns(UserWarning, match=r"-∞.*nodematch.sector.c.*fixed at -Inf"):
        table = ergm(G, "edges + nodematch('sector', diff=TRUE)").table
    assert table.loc["nodematch.sector.c", "estimate"] == -np.inf
    assert np.isnan(table.loc["nodematch.sector.c", "std_error"])
    assert table.attrs["fixed"] == ["nodematch.sector.c"]
    # the others: the logistic regression on the dyads the fixed term leaves
    nodes = list(G)
    sector = nx.get_node_attributes(G, "sector")
    pairs = [(i, j) for i, j in itertools.combinations(nodes, 2)]
    pairs = [(i, j) for i, j in pairs if not (sector[i] == sector[j] == "c")]
    X = np.array(
        [[1, sector[i] == sector[j] == "a", sector[i] == sector[j] == "b"] for i, j in pairs],
        dtype=float,
    )
    y = np.array([G.has_edge(i, j) for i, j in pairs], dtype=float)
    estimate, se = _logistic(X, y)
    np.testing.assert_allclose(table["estimate"].iloc[:3], estimate, rtol=1e-6)
    np.testing.assert_allclose(table["std_error"].iloc[:3], se, rtol=1e-6)


def test_formula_strings_and_term_lists_agree(florentine: nx.Graph) -> None:
    as_string = ergm(florentine, '~ edges + nodecov("wealth")').table
    as_list = ergm(florentine, ["edges", ("nodecov", "wealth")]).table
    pd.testing.assert_frame_equal(as_string, as_list)
    calls = parse("edges + nodematch('unit_type', diff=TRUE) + gwesp(0.5, fixed=TRUE)")
    assert [str(c) for c in calls] == [
        "edges",
        "nodematch('unit_type', diff=True)",
        "gwesp(0.5, fixed=True)",
    ]


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("edges + __import__('os').system('true')", "not a term"),
        ("edges * triangle", r"joined by '\+'"),
        ("edges + nodecov(wealth)", "must be a literal"),
        ("edges + nodecov('wealth') +", "cannot read the formula"),
        ("edges + gwesp(0.5)", r"curved terms \(fixed=FALSE\) are not supported"),
        ("edges + star", "unknown term 'star'"),
        ("edges + nodecov('income')", "no node has the attribute 'income'"),
        ("edges + b1factor('wealth')", "does not apply to a undirected network"),
        ("edges + nodecov('wealth', 2)", "it takes nodecov"),
        ("edges + edgecov('street')", "no dyadic covariate 'street'"),
        ("edges + edges", "appears twice"),
    ],
)
def test_bad_formulas_are_refused(florentine: nx.Graph, formula: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ergm(florentine, formula)


def test_too_many_dyads_are_refused() -> None:
    G = nx.empty_graph(4500)
    G.add_edge(0, 1)
    with pytest.raises(ValueError, match="too many dyads: 4500 nodes give 10,122,750"):
        ergm(G, "edges")


def test_missing_attribute_values_are_refused(florentine: nx.Graph) -> None:
    F = florentine.copy()
    del F.nodes["Pucci"]["wealth"]
    with pytest.raises(ValueError, match=r"1 nodes lack 'wealth'.*Pucci"):
        ergm(F, "edges + nodecov('wealth')")


# -- MCMC: the sampler's target, planted parameters, degeneracy ------------------------


@pytest.mark.parametrize("uniform", [True, False])
@pytest.mark.slow
def test_the_sampler_draws_from_the_model_by_exact_enumeration(uniform: bool) -> None:
    G = nx.Graph([(0, 1), (1, 2), (2, 0), (3, 4)])
    G.add_node(5)
    net = network(G)
    stats = statistics(net, parse("edges + triangle + gwdegree(0.5, fixed=TRUE)"))
    theta = np.array([-0.6, 0.5, -0.4])
    # every network on the 15 dyads, weighted exp(theta . g)
    every = [np.flatnonzero([(m >> d) & 1 for d in range(net.size)]) for m in range(2**15)]
    g = np.array([observed(net, stats, ties) for ties in every])
    weight = np.exp(g @ theta - (g @ theta).max())
    exact = weight @ g / weight.sum()
    rng = np.random.default_rng(0)
    proposal = None if uniform else rng.dirichlet(np.full(net.size, 0.5))
    draw = Sampler(net, stats, cap=net.size + 1, proposal=proposal).run(
        theta,
        net.ties,
        observed(net, stats, net.ties),
        burnin=2000,
        interval=10,
        size=20000,
        rng=np.random.default_rng(1),
    )
    halves = np.array_split(draw.stats, 4)
    se = draw.stats.std(axis=0) / np.sqrt(effective_sizes(halves))
    z = (draw.stats.mean(axis=0) - exact) / se
    assert (np.abs(z) < 4).all(), (draw.stats.mean(axis=0), exact, z)


@pytest.mark.slow
def test_planted_two_mode_parameters_are_recovered() -> None:
    B = nx.complete_bipartite_graph(40, 60)
    B.remove_edges_from(list(B.edges))
    rng = np.random.default_rng(0)
    for v in B:
        B.nodes[v]["fund"] = float(rng.normal())
    B.add_edge(0, 40)
    formula = "edges + b1cov('fund') + gwb2degree(0.5, fixed=TRUE)"
    planted = np.array([-2.5, 0.8, -1.0])
    net = network(B)
    stats = statistics(net, parse(formula))
    draw = Sampler(net, stats, cap=net.size + 1).run(
        planted,
        net.ties,
        observed(net, stats, net.ties),
        burnin=60000,
        interval=1,
        size=1,
        rng=np.random.default_rng(1),
        keep=True,
    )
    assert draw.networks is not None
    simulated = net.graph(draw.networks[0])
    table = ergm(simulated, formula, seed=2, interval=200).table
    z = (table["estimate"].to_numpy() - planted) / table["std_error"].to_numpy()
    assert (np.abs(z) < 3).all(), table
    assert table.attrs["converged"]


def test_terms_that_separate_ties_from_non_ties_are_refused() -> None:
    """Ties only within groups: no tie across, so the estimates run off to infinity (as R's
    glm warns, fitted probabilities numerically 0 or 1) — refused, not reported."""
    G = nx.Graph()
    for group in ("a", "b", "c"):
        members = [f"{group}{k}" for k in range(4)]
        G.add_nodes_from(members, group=group)
        G.add_edges_from([(members[0], members[1]), (members[1], members[2])])
    with pytest.raises(ValueError, match=r"伪似然估计不存在.*separate tied from untied"):
        ergm(G, "edges + nodematch('group')")


def test_a_degenerate_model_is_refused() -> None:
    G = nx.powerlaw_cluster_graph(300, 2, 0.6, seed=3)
    with pytest.raises(ValueError, match=r"模型退化.*the model is degenerate"):
        ergm(G, "edges + triangle", seed=1, interval=200)


# -- results: goodness of fit, diagnostics, plots --------------------------------------


@pytest.mark.slow
def test_gof_counts_the_observed_network_as_networkx(florentine: nx.Graph) -> None:
    fit = ergm(florentine, "edges + triangle", seed=3, interval=100)
    gof = fit.gof(nsim=60, seed=4)
    assert list(gof.tables) == ["degree", "espartners", "distance"]
    degree = gof.tables["degree"]["observed"]
    assert degree.tolist()[: len(nx.degree_histogram(florentine))] == nx.degree_histogram(
        florentine
    )
    espartners = gof.tables["espartners"]["observed"]
    assert espartners.to_dict() == {
        k: sum(len(set(florentine[u]) & set(florentine[v])) == k for u, v in florentine.edges)
        for k in espartners.index
    }
    lengths = dict(nx.all_pairs_shortest_path_length(florentine))
    pairs = list(itertools.combinations(florentine, 2))
    distance = gof.tables["distance"]["observed"]
    assert distance["inf"] == sum(v not in lengths[u] for u, v in pairs)
    for k in distance.index.drop("inf"):
        assert distance[k] == sum(lengths[u].get(v) == k for u, v in pairs)
    for table in gof.tables.values():
        assert table["p"].between(0, 1).all()
        assert (table["min"] <= table["mean"]).all()
        assert (table["mean"] <= table["max"]).all()
    assert gof.simulated["degree"].shape[0] == 60
    # the model fits its own edges: the mean degree is reproduced
    sims = gof.simulated["degree"]
    mean_degree = (sims * np.arange(sims.shape[1])).sum(axis=1) / len(florentine)
    assert abs(mean_degree.mean() - 2 * 20 / 16) < 0.3
    fig, axes = gof.plot()
    assert [ax.get_title() for ax in axes] == [
        "度 degree",
        "边共享伙伴 edgewise shared partners",
        "测地距离 geodesic distance",
    ]
    assert "goodness of fit" in fig.get_suptitle()
    traces, trace_axes = fit.plot_traces()
    assert [ax.get_title(loc="left") for ax in trace_axes] == ["edges", "triangle"]
    assert len(trace_axes[0].get_lines()) == 3  # two chains and the zero line
    own, own_axes = plt.subplots(1, 2)
    drawn, drawn_axes = fit.plot_traces(axes=own_axes)
    assert drawn is own
    assert drawn_axes[1].get_title(loc="left") == "triangle"
    with pytest.raises(ValueError, match="3 axes are needed, not 2"):
        gof.plot(axes=own_axes)
    for figure in (fig, traces, own):
        plt.close(figure)


@pytest.mark.slow
def test_two_mode_gof_has_the_degrees_of_each_mode() -> None:
    B = _two_mode(seed=2)
    fit = ergm(B, "edges + gwb2degree(0.5, fixed=TRUE)", seed=1, interval=200)
    gof = fit.gof(nsim=20, seed=2)
    assert list(gof.tables) == ["b1degree", "b2degree", "distance"]
    first = [B.degree(v) for v in B if B.nodes[v]["bipartite"] == 0]
    second = [B.degree(v) for v in B if B.nodes[v]["bipartite"] == 1]
    b1 = gof.tables["b1degree"]["observed"]
    assert b1.tolist()[: max(first) + 1] == np.bincount(first).tolist()
    assert b1.sum() == len(first)
    assert gof.tables["b2degree"]["observed"].sum() == len(second)


def test_a_dyad_independent_fit_has_no_traces(florentine: nx.Graph) -> None:
    fit = ergm(florentine, "edges")
    assert fit.diagnostics().empty
    with pytest.raises(ValueError, match="without MCMC"):
        fit.plot_traces()


# -- the views of a co-building graph --------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> nx.MultiDiGraph:
    return cg.read_dataset(cg.sample_path())


def test_the_two_mode_view_with_attributes_from_the_graph(sample: nx.MultiDiGraph) -> None:
    H = cg.views.view(sample, "two_mode")
    fit = ergm(sample, "edges + b1factor('unit_type')", view="two_mode")
    units = [v for v in H if H.nodes[v]["bipartite"] == 1]
    places = [v for v in H if H.nodes[v]["bipartite"] == 0]
    assert fit.table.attrs["n_dyads"] == len(units) * len(places)
    assert fit.table.attrs["n_ties"] == H.number_of_edges()
    # a logistic regression by unit type: the log-odds of each type against the first
    kinds = sorted({sample.nodes[u]["unit_type"] for u in units})
    ties = dict.fromkeys(kinds, 0)
    count = dict.fromkeys(kinds, 0)
    for u in units:
        ties[sample.nodes[u]["unit_type"]] += H.degree(u)
        count[sample.nodes[u]["unit_type"]] += len(places)

    def logit(k: str) -> float:
        return math.log(ties[k] / (count[k] - ties[k]))

    assert fit.table.loc["edges", "estimate"] == pytest.approx(logit(kinds[0]), abs=1e-7)
    for k in kinds[1:]:
        got = fit.table.loc[f"b1factor.unit_type.{k}", "estimate"]
        assert got == pytest.approx(logit(k) - logit(kinds[0]), abs=1e-7)


def test_one_mode_projections(sample: nx.MultiDiGraph) -> None:
    streets = ergm(sample, "edges", view="street").table
    P = cg.views.view(sample, "street")
    density = P.number_of_edges() / (len(P) * (len(P) - 1) / 2)
    assert streets.loc["edges", "estimate"] == pytest.approx(
        math.log(density / (1 - density)), abs=1e-9
    )
    units = ergm(sample, "edges + nodematch('unit_type')", view="unit").table
    U = cg.views.view(sample, "unit")
    kind = {v: sample.nodes[v]["unit_type"] for v in U}
    pairs = list(itertools.combinations(U, 2))
    same = np.array([kind[a] == kind[b] for a, b in pairs])
    tied = np.array([U.has_edge(a, b) for a, b in pairs])
    inside, outside = tied[same].mean(), tied[~same].mean()
    assert units.loc["edges", "estimate"] == pytest.approx(
        math.log(outside / (1 - outside)), abs=1e-7
    )
    assert units.loc["nodematch.unit_type", "estimate"] == pytest.approx(
        math.log(inside / (1 - inside)) - math.log(outside / (1 - outside)), abs=1e-7
    )


def test_simulated_two_mode_networks_keep_the_modes() -> None:
    B = _two_mode(seed=2)
    fit = ergm(B, "edges + b1cov('fund')")
    (simulated,) = fit.simulate(1, seed=3, output="network")
    assert dict(simulated.nodes(data="bipartite")) == dict(B.nodes(data="bipartite"))
    assert dict(simulated.nodes(data="fund")) == dict(B.nodes(data="fund"))
    assert all(
        simulated.nodes[u]["bipartite"] != simulated.nodes[v]["bipartite"]
        for u, v in simulated.edges
    )


@pytest.mark.slow
def test_a_dependent_statistic_at_its_bound_keeps_every_network_without_it() -> None:
    T = nx.random_labeled_tree(20, seed=4)  # no triangle
    with pytest.warns(UserWarning, match=r"\['triangle'\] are at their smallest"):
        fit = ergm(T, "edges + triangle", seed=1, interval=100)
    assert fit.table.loc["triangle", "estimate"] == -np.inf
    assert np.isnan(fit.table.attrs["aic"])  # no path from a dyad-independent model
    simulated = fit.simulate(50, seed=2, interval=100, output="stats")
    assert (simulated["triangle"] == 0).all()
    assert abs(simulated["edges"].mean() - 19) < 3
    # on six nodes, against every triangle-free network
    small = nx.path_graph(6)
    with pytest.warns(UserWarning, match="fixed at -Inf"):
        fit = ergm(small, "edges + triangle", seed=1, interval=50)
    net = network(small)
    stats = statistics(net, parse("edges + triangle"))
    every = [np.flatnonzero([(m >> d) & 1 for d in range(net.size)]) for m in range(2**15)]
    g = np.array([observed(net, stats, ties) for ties in every])
    free = g[g[:, 1] == 0, 0]
    weight = np.exp(fit.table.loc["edges", "estimate"] * free)
    exact = weight @ free / weight.sum()
    draws = fit.simulate(4000, seed=3, interval=20, output="stats")["edges"]
    se = draws.std() / math.sqrt(effective_sizes(np.array_split(draws.to_numpy()[:, None], 4))[0])
    assert abs(draws.mean() - exact) < 4 * se, (draws.mean(), exact)
    # and the estimate is the MLE: the model's mean edge count is the observed one
    assert exact == pytest.approx(5, abs=0.15)


def test_too_few_iterations_warn_that_the_fit_did_not_converge(florentine: nx.Graph) -> None:
    with pytest.warns(UserWarning, match="未收敛.*did not converge in 1 iterations"):
        fit = ergm(florentine, "edges + triangle", seed=1, interval=100, iterations=1)
    assert not fit.table.attrs["converged"]


# -- the docs page shows what its code prints ------------------------------------------


def _section_prints_what_it_shows(heading: str, before: dict[str, object]) -> None:
    """Run the section's python blocks in one namespace; each one's last expression must
    show as the text block after it (as a notebook shows a table, every column)."""
    namespace = dict(before)
    for code, shown in section_blocks(ERGM_PAGE, heading):
        tree = ast.parse(code)
        last = ast.Expression(tree.body.pop().value)  # type: ignore[attr-defined]
        exec(compile(tree, str(ERGM_PAGE), "exec"), namespace)
        value = eval(compile(last, str(ERGM_PAGE), "eval"), namespace)
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            assert repr(value).split() == shown.split()


def test_the_docs_florentine_section_shows_what_it_prints() -> None:
    _section_prints_what_it_shows("A first model", {})


# The page's section on the sample ("Why do units report ...") is the notebook 06-ergm's
# model: tests/test_notebooks.py checks it against the notebook's outputs as it runs it.
