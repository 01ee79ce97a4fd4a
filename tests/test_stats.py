"""QAP and MRQAP against R's sna (run for real under Rscript), dyadic matrices by brute force.

R's ``sna`` (Butts) fits the same matrices: ``netlm`` and ``netlogit`` estimates and test
statistics must agree to 1e-6, ``gcor`` to 1e-9, and the permutation p-values within
Monte Carlo error; the models' fit statistics are checked against R's ``lm`` and ``glm``
on the same dyads. Without R the comparisons skip locally and fail in CI (tests/_r.py).
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph.stats import (
    _mrqap,
    _permute,
    difference_matrix,
    distance_matrix,
    mrqap,
    qap_correlation,
    same_matrix,
    shared_neighbours_matrix,
    tie_matrix,
)
from cobuild_graph.stats._input import dyads
from tests._r import require_rscript, run_r

NODES = 15
PERMUTATIONS = 2000  # ours, and R's for netlm and gcor
R_LOGIT_PERMUTATIONS = 1000  # netlogit refits glm per permutation: slow in R
MODES = {"digraph": True, "graph": False}  # sna's mode → our directed

R_SCRIPT = """
suppressMessages(library(sna))
read <- function(name) as.matrix(read.csv(name, header = FALSE))
models <- list(); fits <- list(); cors <- list()
for (mode in c("digraph", "graph")) {
  y <- read(paste0(mode, "-y.csv")); yb <- read(paste0(mode, "-yb.csv"))
  x <- list(read(paste0(mode, "-x1.csv")), read(paste0(mode, "-x2.csv")))
  for (nullhyp in c("qap", "qapy")) {
    for (model in c("netlm", "netlogit")) {
      set.seed(7)
      reps <- if (model == "netlm") REPS_LM else REPS_LOGIT
      fit <- get(model)(if (model == "netlm") y else yb, x, mode = mode,
                        nullhyp = nullhyp, reps = reps)
      models[[length(models) + 1]] <- data.frame(
        mode = mode, model = model, nullhyp = nullhyp, term = 0:2,
        estimate = fit$coefficients, statistic = fit$tstat, p_two_sided = fit$pgreqabs,
        p_greater = fit$pgreq, p_less = fit$pleeq, reps = reps)
    }
  }
  v <- function(m) if (mode == "graph") m[lower.tri(m)] else m[row(m) != col(m)]
  least <- summary(lm(v(y) ~ v(x[[1]]) + v(x[[2]])))
  logistic <- glm(v(yb) ~ v(x[[1]]) + v(x[[2]]), family = binomial)
  fits[[mode]] <- data.frame(
    mode = mode, r_squared = least$r.squared, adj_r_squared = least$adj.r.squared,
    deviance = deviance(logistic), null_deviance = logistic$null.deviance,
    aic = AIC(logistic), bic = BIC(logistic), n_dyads = length(v(y)))
  set.seed(7)
  q <- qaptest(list(y, x[[1]]), gcor, g1 = 1, g2 = 2, reps = REPS_LM, mode = mode)
  cors[[mode]] <- data.frame(
    mode = mode, r = gcor(y, x[[1]], mode = mode),
    p_two_sided = mean(abs(q$dist) >= abs(q$testval)), p_greater = q$pgreq,
    p_less = q$pleeq, reps = REPS_LM)
}
options(digits = 17)
write.csv(do.call(rbind, models), "models.csv", row.names = FALSE)
write.csv(do.call(rbind, fits), "fits.csv", row.names = FALSE)
write.csv(do.call(rbind, cors), "cors.csv", row.names = FALSE)
"""


def matrices(directed: bool) -> dict[str, np.ndarray]:
    """y on x1 (strong) and x2 (weak, correlated with x1); yb is y cut at 0.3."""
    rng = np.random.default_rng(2024)
    x1 = rng.normal(size=(NODES, NODES))
    x2 = 0.5 * x1 + rng.normal(size=(NODES, NODES))
    y = 0.35 * x1 + 0.08 * x2 + rng.normal(size=(NODES, NODES))
    out = {"y": y, "x1": x1, "x2": x2}
    if not directed:
        out = {name: (m + m.T) / 2 for name, m in out.items()}
    out["yb"] = (out["y"] > 0.3).astype(float)
    return out


@pytest.fixture(scope="module")
def r_results(rscript: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """sna's netlm, netlogit and qaptest(gcor) on the test matrices, both modes."""
    folder = tmp_path_factory.mktemp("sna")
    for mode, directed in MODES.items():
        for name, m in matrices(directed).items():
            np.savetxt(folder / f"{mode}-{name}.csv", m, delimiter=",", fmt="%.17g")
    script = R_SCRIPT.replace("REPS_LM", str(PERMUTATIONS)).replace(
        "REPS_LOGIT", str(R_LOGIT_PERMUTATIONS)
    )
    run_r(rscript, script, folder)
    return {name: pd.read_csv(folder / f"{name}.csv") for name in ("models", "fits", "cors")}


def assert_same_p(ours: float, theirs: float, n_ours: int, n_theirs: int) -> None:
    """Two Monte Carlo estimates of one p-value agree within 4.5 standard errors."""
    pooled = (ours * n_ours + theirs * n_theirs) / (n_ours + n_theirs)
    error = math.sqrt(pooled * (1 - pooled) * (1 / n_ours + 1 / n_theirs))
    assert abs(ours - theirs) <= 4.5 * error + 1e-12, (ours, theirs)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize(("model", "kind"), [("netlm", "ols"), ("netlogit", "logit")])
@pytest.mark.parametrize(("nullhyp", "method"), [("qap", "dsp"), ("qapy", "y")])
def test_mrqap_equals_sna(
    r_results: dict[str, pd.DataFrame],
    mode: str,
    model: str,
    kind: str,
    nullhyp: str,
    method: str,
) -> None:
    m = matrices(MODES[mode])
    y = m["yb"] if kind == "logit" else m["y"]
    table = mrqap(
        y,
        {"x1": m["x1"], "x2": m["x2"]},
        kind=kind,  # type: ignore[arg-type]
        method=method,  # type: ignore[arg-type]
        permutations=PERMUTATIONS,
        seed=11,
    )
    r = r_results["models"].query("mode == @mode and model == @model and nullhyp == @nullhyp")
    assert list(table.index) == ["intercept", "x1", "x2"]
    statistic = "t" if kind == "ols" else "z"
    assert list(table.columns) == ["estimate", statistic, "p_two_sided", "p_greater", "p_less"]
    np.testing.assert_allclose(table["estimate"], r["estimate"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(table[statistic], r["statistic"], rtol=0, atol=1e-6)
    for column in ("p_two_sided", "p_greater", "p_less"):
        for ours, theirs in zip(table[column], r[column], strict=True):
            assert_same_p(ours, theirs, PERMUTATIONS, int(r["reps"].iloc[0]))
    assert table.attrs["directed"] is MODES[mode]
    assert table.attrs["method"] == method


@pytest.mark.parametrize("mode", list(MODES))
def test_model_fit_equals_lm_and_glm(r_results: dict[str, pd.DataFrame], mode: str) -> None:
    m = matrices(MODES[mode])
    fit = r_results["fits"].set_index("mode").loc[mode]
    x = {"x1": m["x1"], "x2": m["x2"]}
    least = mrqap(m["y"], x, permutations=1, seed=1).attrs
    logistic = mrqap(m["yb"], x, kind="logit", permutations=1, seed=1).attrs
    assert least["n_dyads"] == logistic["n_dyads"] == fit["n_dyads"]
    for name in ("r_squared", "adj_r_squared"):
        assert least[name] == pytest.approx(fit[name], abs=1e-9)
    for name in ("deviance", "null_deviance", "aic", "bic"):
        assert logistic[name] == pytest.approx(fit[name], abs=1e-6)


@pytest.mark.parametrize("mode", list(MODES))
def test_qap_correlation_equals_sna(r_results: dict[str, pd.DataFrame], mode: str) -> None:
    m = matrices(MODES[mode])
    result = qap_correlation(m["y"], m["x1"], permutations=PERMUTATIONS, seed=3)
    r = r_results["cors"].set_index("mode").loc[mode]
    assert result.r == pytest.approx(r["r"], abs=1e-9)
    assert result.directed is MODES[mode]
    assert result.n_dyads == (NODES * (NODES - 1) // (1 if MODES[mode] else 2))
    for name in ("p_two_sided", "p_greater", "p_less"):
        assert_same_p(getattr(result, name), r[name], PERMUTATIONS, int(r["reps"]))
    assert len(result.null) == PERMUTATIONS


def test_the_comparisons_include_p_values_away_from_0_and_1(
    r_results: dict[str, pd.DataFrame],
) -> None:
    # The comparisons above must include p-values away from 0 and 1, where the
    # permutation distributions' shape matters, not only their tails.
    p = r_results["models"]["p_two_sided"]
    assert ((p > 0.1) & (p < 0.9)).sum() >= 4


def test_without_rscript_the_r_tests_skip_locally_and_fail_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COBUILD_RSCRIPT", str(tmp_path / "no-Rscript"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="r-cran-sna"):
        require_rscript()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="r-cran-sna"):
        require_rscript()


RELABELLINGS = 40  # node orders on which sna's glm and our permuted logits are compared

R_PERMUTED_SCRIPT = """
read <- function(name) as.matrix(read.csv(name, header = FALSE))
v <- function(m) m[row(m) != col(m)]
y <- read("y.csv"); X <- cbind(1, v(read("x1.csv")), v(read("x2.csv")))
orders <- read("orders.csv") + 1
z <- function(response, design) {
  # glm.fit as netlogit runs it (its rule: relative deviance change < 1e-8), and run on
  # until the deviance no longer changes (to 1e-15)
  loose <- glm(response ~ design - 1, family = binomial)
  tight <- glm(response ~ design - 1, family = binomial,
               control = glm.control(epsilon = 1e-15, maxit = 100))
  c(summary(loose)$coefficients[, 3], summary(tight)$coefficients[, 3])
}
rows <- list()
for (p in seq_len(nrow(orders))) {
  o <- orders[p, ]
  relabelled_y <- z(v(y[o, o]), X)
  semi_partial <- sapply(seq_len(ncol(X)), function(j) {
    r <- lm.fit(X[, -j, drop = FALSE], X[, j])$residuals
    R <- matrix(0, nrow(y), ncol(y)); R[row(R) != col(R)] <- r
    z(v(y), cbind(X[, -j], v(R[o, o])))[c(3, 6)]  # the relabelled residual's: loose, tight
  })
  rows[[p]] <- c(relabelled_y, semi_partial)  # y: 3 loose, 3 tight; then per term both
}
options(digits = 17)
write.csv(do.call(rbind, rows), "permuted.csv", row.names = FALSE)
"""


def model_inputs(m: dict[str, np.ndarray], y: str) -> tuple[object, object]:
    """The dyads and the design (with its QR) of y on x1 and x2, as mrqap makes them."""
    d = dyads({"y": m[y], "x1": m["x1"], "x2": m["x2"]}, directed=True, minimum=4)
    X = np.column_stack([np.ones(d.n), d.vector("x1"), d.vector("x2")])
    return d, _mrqap._Terms.of(X)


def null(kind: str, method: str, d: object, X: object, permutations: int) -> np.ndarray:
    """Every term's statistic on `permutations` relabellings (seed 8; each DSP term anew)."""
    model = _mrqap._MODELS[kind]
    if method == "y":
        return model.y_null(d, X, permutations, np.random.default_rng(8))
    return np.column_stack(
        [
            model.dsp_null(d, X, term, permutations, np.random.default_rng(8))
            for term in range(X.terms)
        ]
    )


@pytest.mark.slow
def test_permuted_logits_equal_glm_on_the_same_relabellings(tmp_path: Path) -> None:
    # The fits of the permutations start near their estimates (the intercept-only fit,
    # the fit on the other terms) and take fewer steps than R's, to where the deviance no
    # longer changes: their z-values are glm's run on to convergence, on the same
    # relabelled matrices. glm's own rule (relative deviance change < 1e-8) stops it up
    # to about 1e-4 from there (its z from the weights one step before its estimate).
    rscript = require_rscript()
    m = matrices(True)
    d, X = model_inputs(m, "yb")
    orders = np.concatenate(
        list(_permute._orders(NODES, RELABELLINGS, RELABELLINGS, np.random.default_rng(8)))
    )
    for name in ("x1", "x2"):
        np.savetxt(tmp_path / f"{name}.csv", m[name], delimiter=",", fmt="%.17g")
    np.savetxt(tmp_path / "y.csv", m["yb"], delimiter=",", fmt="%.17g")
    np.savetxt(tmp_path / "orders.csv", orders, delimiter=",", fmt="%d")
    run_r(rscript, R_PERMUTED_SCRIPT, tmp_path)
    r = pd.read_csv(tmp_path / "permuted.csv").to_numpy()
    relabelled_y, semi_partial = r[:, :6], r[:, 6:].reshape(RELABELLINGS, 3, 2)
    for ours, loose, tight in [
        (null("logit", "y", d, X, RELABELLINGS), relabelled_y[:, :3], relabelled_y[:, 3:]),
        (null("logit", "dsp", d, X, RELABELLINGS), semi_partial[..., 0], semi_partial[..., 1]),
    ]:
        np.testing.assert_allclose(ours, tight, rtol=0, atol=1e-6)
        np.testing.assert_allclose(ours, loose, rtol=0, atol=2e-4)


@pytest.mark.parametrize("kind", ["ols", "logit"])
@pytest.mark.parametrize("method", ["dsp", "y"])
def test_batches_leave_every_permuted_statistic_unchanged(
    monkeypatch: pytest.MonkeyPatch, kind: str, method: str
) -> None:
    rng = np.random.default_rng(4)
    x1 = rng.normal(size=(110, 110))  # 11,990 dyads: the logit's sums run in two blocks
    x2 = 0.5 * x1 + rng.normal(size=x1.shape)
    y = 0.3 * x1 + rng.normal(size=x1.shape)
    m = {"y": y, "yb": (y > 0.3).astype(float), "x1": x1, "x2": x2}
    d, X = model_inputs(m, "yb" if kind == "logit" else "y")
    assert _mrqap._logit_batch(d) > 1
    assert _permute.BATCH_VALUES // 110**2 > 1
    batched = null(kind, method, d, X, 37)
    monkeypatch.setattr(_mrqap, "LOGIT_BATCH_MOST", 1)
    monkeypatch.setattr(_permute, "BATCH_VALUES", 1)
    np.testing.assert_array_equal(null(kind, method, d, X, 37), batched)


def test_seed_repeats_and_labels_align() -> None:
    m = matrices(True)
    labels = [f"n{i}" for i in range(NODES)]
    frames = {name: pd.DataFrame(v, index=labels, columns=labels) for name, v in m.items()}
    shuffled = list(np.random.default_rng(5).permutation(labels))
    x2 = frames["x2"].loc[shuffled, shuffled[::-1]]
    by_label = mrqap(frames["y"], {"x1": frames["x1"], "x2": x2}, permutations=300, seed=4)
    by_position = mrqap(m["y"], {"x1": m["x1"], "x2": m["x2"]}, permutations=300, seed=4)
    pd.testing.assert_frame_equal(by_label, by_position, check_exact=False, rtol=1e-12)


def test_cg_stats_is_reachable_after_import() -> None:
    assert cg.stats.mrqap is mrqap


# --- errors -----------------------------------------------------------------------------


def square(n: int = 6, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, n))


def test_mismatched_labels_are_refused() -> None:
    a = pd.DataFrame(square(3), index=list("abc"), columns=list("abc"))
    b = pd.DataFrame(square(3, 1), index=list("abd"), columns=list("abd"))
    with pytest.raises(ValueError, match=r"matrix 'x' has other labels than 'y'.*\['c'\]"):
        mrqap(a, {"x": b})
    rows_not_columns = pd.DataFrame(square(3), index=list("abc"), columns=list("abd"))
    with pytest.raises(ValueError, match="same labels on rows and columns"):
        qap_correlation(rows_not_columns, square(3))


def test_non_square_and_different_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"matrix 'b' must be square, not of shape \(3, 4\)"):
        qap_correlation(square(3), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="different sizes"):
        mrqap(square(4), {"x": square(5)})


def test_missing_values_are_refused_naming_the_matrix_and_pair() -> None:
    labels = list("abcd")
    x = pd.DataFrame(square(4), index=labels, columns=labels)
    x.loc["b", "c"] = np.nan
    with pytest.raises(ValueError, match=r"matrix 'distance' has 1 missing .*\('b', 'c'\)"):
        mrqap(pd.DataFrame(square(4, 1), index=labels, columns=labels), {"distance": x})


def test_too_few_dyads_and_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="too few dyads: 2 nodes give 1 unordered"):
        qap_correlation(np.eye(2), np.eye(2))
    with pytest.raises(ValueError, match="too few dyads"):
        mrqap(square(2), {"a": square(2, 1)})
    with pytest.raises(ValueError, match="kind must be one of"):
        mrqap(square(), {"a": square(6, 1)}, kind="probit")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="method must be one of"):
        mrqap(square(), {"a": square(6, 1)}, method="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one predictor"):
        mrqap(square(), {})
    with pytest.raises(ValueError, match="'intercept' and 'y' are taken"):
        mrqap(square(), {"intercept": square(6, 1)})
    with pytest.raises(ValueError, match="permutations must be at least 1"):
        qap_correlation(square(), square(6, 1), permutations=0)


def test_models_that_cannot_be_fitted_are_refused() -> None:
    x = square()
    with pytest.raises(ValueError, match="'x' is not symmetric but directed=False"):
        mrqap(x + x.T, {"x": x}, directed=False)
    with pytest.raises(ValueError, match=r"predictor 'twice' is constant .* or a linear"):
        mrqap(square(6, 1), {"x": x, "twice": 2 * x})
    with pytest.raises(ValueError, match="'y' has the same value on every dyad"):
        mrqap(np.ones((6, 6)), {"x": x})
    with pytest.raises(ValueError, match="needs a 0/1 matrix 'y'"):
        mrqap(square(6, 1), {"x": x}, kind="logit")
    with pytest.raises(ValueError, match="'a' has the same value on every dyad"):
        qap_correlation(np.ones((6, 6)), x)


def test_a_logit_with_perfect_prediction_is_refused() -> None:
    x = square()
    with pytest.raises(ValueError, match="did not converge"):
        mrqap((x > 0).astype(float), {"x": x}, kind="logit")


# --- dyadic matrices --------------------------------------------------------------------


def handmade() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_nodes_from(
        [
            ("u1", {"unit_type": "school", "members": 30, "lat": 31.30, "lon": 120.60}),
            ("u2", {"unit_type": "school", "members": 12.5, "lat": 31.32, "lon": 120.62}),
            ("u3", {"unit_type": "soe", "members": None}),
            ("u4", {"unit_type": float("nan"), "members": 7, "lat": 31.0, "lon": 121.0}),
            ("c1", {}),
            ("c2", {}),
            ("s1", {}),
        ]
    )
    ties = [
        ("u1", "c1", {"weight": 2.0}),
        ("u1", "c1", {}),  # a second tie, no weight: counts 1
        ("c1", "u1", {"weight": 0.5}),
        ("u2", "c1", {"weight": 1.0}),
        ("u2", "c2", {}),
        ("u3", "c2", {"weight": 4.0}),
        ("u1", "u1", {"weight": 9.0}),  # a self-tie: dropped
        ("c1", "s1", {}),
        ("c2", "s1", {}),
        ("u4", "s1", {}),
    ]
    G.add_edges_from(ties)
    return G


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("weight", [None, "weight"])
def test_tie_matrix_by_brute_force(directed: bool, weight: str | None) -> None:
    G = handmade()
    nodes = ["c1", "u1", "u2", "c2", "u3"]  # a subset, in an order of its own
    expected = pd.DataFrame(0.0, index=nodes, columns=nodes)
    for u, v, data in G.edges(data=True):
        if u == v or u not in nodes or v not in nodes:
            continue
        value = 1.0 if weight is None else data.get(weight, 1.0)
        ends = [(u, v)] if directed else [(u, v), (v, u)]
        for a, b in ends:
            expected.loc[a, b] = 1.0 if weight is None else expected.loc[a, b] + value
    got = tie_matrix(G, nodes=nodes, weight=weight, directed=directed)
    assert list(got.index) == list(got.columns) == nodes
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())


def test_same_matrix_by_brute_force() -> None:
    G = handmade()
    nodes = ["u1", "u2", "u3", "u4", "c1"]
    for missing in (0.0, np.nan):
        got = same_matrix(G, "unit_type", nodes=nodes, missing=missing)
        for a in nodes:
            for b in nodes:
                va, vb = G.nodes[a].get("unit_type"), G.nodes[b].get("unit_type")
                if a == b:
                    want = 0.0
                elif pd.isna(va) or pd.isna(vb):
                    want = missing
                else:
                    want = float(va == vb)
                assert got.loc[a, b] == want or (np.isnan(want) and np.isnan(got.loc[a, b]))


def test_same_matrix_takes_a_mapping_such_as_each_nodes_street() -> None:
    G = cg.read_dataset("data/suzhou")
    units = [v for v, d in G.nodes(data=True) if d["label"] == "Unit"][:40]
    street = cg.domain.ancestors(G, level="Street")
    got = same_matrix(G, street, nodes=units, missing=0)
    for a in units:
        for b in units:
            want = a != b and pd.notna(street[a]) and street[a] == street[b]
            assert got.loc[a, b] == float(want)


def test_difference_matrix_by_brute_force() -> None:
    G = handmade()
    nodes = ["u1", "u2", "u3", "u4"]
    got = difference_matrix(G, "members", nodes=nodes)
    members = {v: G.nodes[v]["members"] for v in nodes}
    for a in nodes:
        for b in nodes:
            if members[a] is None or members[b] is None:
                assert np.isnan(got.loc[a, b])
            else:
                assert got.loc[a, b] == abs(members[a] - members[b])
    G.nodes["u2"]["members"] = "many"
    with pytest.raises(ValueError, match="node 'u2' has members='many', not a number"):
        difference_matrix(G, "members", nodes=nodes)


def test_shared_neighbours_equal_networkx_common_neighbours() -> None:
    graphs = [handmade(), nx.gnm_random_graph(40, 120, seed=3, directed=True)]
    for G in graphs:
        H = nx.Graph(G.to_undirected())
        H.remove_edges_from(nx.selfloop_edges(H))
        nodes = list(G)[::2]
        got = shared_neighbours_matrix(G, nodes=nodes)
        for a in nodes:
            for b in nodes:
                want = 0 if a == b else len(list(nx.common_neighbors(H, a, b)))
                assert got.loc[a, b] == want, (a, b)


def test_haversine_equals_the_published_bna_lax_distance() -> None:
    # Rosetta Code, "Haversine formula": Nashville BNA (N 36°7.2', W 86°40.2') to Los
    # Angeles LAX (N 33°56.4', W 118°24.0') on a sphere of radius 6372.8 km is
    # 2887.2599506071106 km.
    G = nx.Graph()
    G.add_node("BNA", lat=36.12, lon=-86.67)
    G.add_node("LAX", lat=33.94, lon=-118.40)
    got = distance_matrix(G, radius_km=6372.8)
    assert got.loc["BNA", "LAX"] == pytest.approx(2887.2599506071106, abs=1e-6)
    assert got.loc["LAX", "BNA"] == got.loc["BNA", "LAX"]
    assert got.loc["BNA", "BNA"] == 0


def test_missing_coordinates_give_nan_and_mrqap_refuses_them() -> None:
    G = handmade()
    nodes = ["u1", "u2", "u3", "u4"]
    distance = distance_matrix(G, nodes=nodes)
    assert distance.loc[["u3"], :].isna().all(axis=None)
    assert distance.loc["u1", "u2"] == pytest.approx(2.9, abs=0.1)
    ties = tie_matrix(G, nodes=nodes)
    with pytest.raises(ValueError, match=r"matrix 'distance' has 3 missing .* \('u3', 'u1'\)"):
        mrqap(ties, {"distance": distance})
    G.nodes["u1"]["lat"] = 95.0
    with pytest.raises(ValueError, match=r"node 'u1' has lat=95\.0, outside ±90"):
        distance_matrix(G, nodes=nodes)


def test_unknown_or_repeated_nodes_are_refused() -> None:
    G = handmade()
    with pytest.raises(ValueError, match=r"1 of the nodes are not in the graph, e.g. \['zz'\]"):
        tie_matrix(G, nodes=["u1", "zz"])
    with pytest.raises(ValueError, match="node 'u1' is given twice"):
        same_matrix(G, "unit_type", nodes=["u1", "u2", "u1"])
