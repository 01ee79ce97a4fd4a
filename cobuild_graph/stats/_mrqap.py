"""Multiple regression QAP (sna's ``netlm`` and ``netlogit``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from cobuild_graph.stats._input import Dyads, dyads
from cobuild_graph.stats._logit import (
    OneVaryingDesign,
    SharedDesign,
    Start,
    fit,
    logit,
    null_deviance,
)
from cobuild_graph.stats._ols import OLS, last_t_values
from cobuild_graph.stats._permute import null_distribution, p_values

#: Name of the constant term in :func:`mrqap`'s table.
INTERCEPT = "intercept"
KINDS = ("ols", "logit")
METHODS = ("dsp", "y")
#: A logit's batch of permutations holds the relabelled matrices' dyads in at most this
#: many values (2**22, 32 MB: 4 permutations at 1,000 nodes, 999,000 dyads each), and at
#: most :data:`LOGIT_BATCH_MOST` permutations (more gain no speed). Its fits' other
#: arrays are a block of dyads each (:data:`~cobuild_graph.stats._logit.BLOCK_DYADS`).
LOGIT_BATCH_VALUES = 2**22
LOGIT_BATCH_MOST = 16


def mrqap(
    y: Any,
    x: Mapping[str, Any],
    *,
    kind: Literal["ols", "logit"] = "ols",
    method: Literal["dsp", "y"] = "dsp",
    permutations: int = 1000,
    seed: int | None = None,
    directed: bool | None = None,
) -> pd.DataFrame:
    """Regression of one dyadic matrix on others, with QAP permutation tests.

    The model is fitted on the dyads (the diagonal left out) as R's ``sna::netlm``
    (``kind="ols"``) or ``sna::netlogit`` (``kind="logit"``) fits it, with an intercept.
    Each term is tested, as sna tests by default, on its t-value (OLS) or z-value
    (logit) — not on the estimate — against its distribution over `permutations` random
    relabellings of the nodes:

    - ``method="dsp"``: Dekker, Krackhardt & Snijders' (2007) double semi-partialling
      (sna's default ``nullhyp="qap"``, the same as ``"qapspp"``): for each term, the part
      of its matrix that the other terms do not explain (least-squares residuals) is
      relabelled and put back in their place; robust to correlated predictors.
    - ``method="y"``: `y` is relabelled (``nullhyp="qapy"``; Krackhardt 1988).

    Parameters
    ----------
    y
        The dependent matrix: square, numbers; 0 and 1 only for ``kind="logit"``.
    x
        Predictor name → square matrix, in the order the table shows them. Matrices are
        numpy arrays in one node order, or pandas DataFrames with the same labels on rows
        and columns (aligned by label on `y`'s, or the first DataFrame's, labels).
    kind
        ``"ols"`` (least squares) or ``"logit"`` (logistic regression).
    method
        ``"dsp"`` or ``"y"``, as above.
    permutations
        Number of random relabellings per term.
    seed
        Seed of the relabellings; the same seed gives the same p-values.
    directed
        ``True`` uses every ordered pair ``(i, j)``, ``i ≠ j`` (sna's
        ``mode="digraph"``); ``False`` each pair once (``mode="graph"``) and needs
        symmetric matrices. ``None`` is directed when any matrix is asymmetric.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``term`` (``intercept``, then the names of `x`), with columns
        ``estimate``, ``t`` (OLS) or ``z`` (logit), ``p_two_sided`` (share of
        permutations with ``|stat_perm| ≥ |stat|``, sna's ``Pr(>=|b|)``), ``p_greater``
        (``stat_perm ≥ stat``, ``Pr(>=b)``) and ``p_less`` (``stat_perm ≤ stat``,
        ``Pr(<=b)``). ``attrs`` hold the fit: ``kind``, ``method``, ``permutations``,
        ``directed``, ``n_dyads``, and ``r_squared``, ``adj_r_squared`` (OLS) or
        ``deviance``, ``null_deviance`` (of the intercept-only model), ``aic``, ``bic``
        (logit).

    Raises
    ------
    ValueError
        If a matrix is not square or holds a missing value (``NaN``), labels differ,
        the predictors are collinear, `y` is constant (or not 0/1 for a logit), or there
        are no more dyads than terms.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> same = (rng.random((12, 12)) < 0.5).astype(float)
    >>> y = 2 * same + rng.normal(size=(12, 12))
    >>> table = mrqap(y, {"same": same}, permutations=200, seed=1)
    >>> list(table.index), list(table.columns)
    (['intercept', 'same'], ['estimate', 't', 'p_two_sided', 'p_greater', 'p_less'])
    >>> bool(table.loc["same", "p_two_sided"] < 0.05)
    True
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if not x:
        raise ValueError("x must name at least one predictor matrix")
    names = list(x)
    if INTERCEPT in names or "y" in names:
        raise ValueError(f"predictor names {INTERCEPT!r} and 'y' are taken: rename them")
    d = dyads({"y": y, **x}, directed=directed, minimum=len(names) + 2)
    X = _Terms.of(np.column_stack([np.ones(d.n), *(d.vector(name) for name in names)]))
    yv = d.vector("y")
    _check_design(X, yv, [INTERCEPT, *names], kind)
    model = _MODELS[kind]
    estimate, statistic, attrs = model.observed(X, yv)
    rng = np.random.default_rng(seed)
    if method == "y":
        null = model.y_null(d, X, permutations, rng)
    else:
        null = np.column_stack(
            [model.dsp_null(d, X, term, permutations, rng) for term in range(X.terms)]
        )
    table = pd.DataFrame(
        {"estimate": estimate, model.column: statistic, **p_values(statistic, null)},
        index=pd.Index([INTERCEPT, *names], name="term"),
    )
    table.attrs = {
        "kind": kind,
        "method": method,
        "permutations": permutations,
        "directed": d.directed,
        "n_dyads": d.n,
        **attrs,
    }
    return table


@dataclass(frozen=True)
class _Terms:
    """The design (dyads × terms, the intercept first) and its QR decomposition."""

    X: np.ndarray
    Q: np.ndarray
    R: np.ndarray

    @classmethod
    def of(cls, X: np.ndarray) -> _Terms:
        return cls(X, *np.linalg.qr(X))

    @property
    def terms(self) -> int:
        return self.X.shape[1]

    def others(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        """An orthonormal basis of the other terms' columns, and `term`'s residual on them.

        From the one QR decomposition: in its coordinates (``X = Q R``) the other terms
        are ``R``'s other columns, a basis of them the QR of that small matrix.
        """
        others = np.delete(self.R, term, axis=1)
        basis, _ = np.linalg.qr(others)  # terms × (terms − 1)
        column = self.R[:, term]
        # einsum, not @, for the products over the dyads: OpenBLAS's threads stall on a
        # busy machine
        residual = column - basis @ (basis.T @ column)
        return np.einsum("nk,kj->nj", self.Q, basis), np.einsum("nk,k->n", self.Q, residual)


def _semi_partial(d: Dyads, X: _Terms, term: int) -> tuple[np.ndarray, np.ndarray]:
    """An orthonormal basis of the other terms, and `term`'s residual on them as a matrix."""
    basis, vector = X.others(term)
    residual = np.zeros_like(d.matrices["y"])
    residual[d.rows, d.cols] = vector
    if not d.directed:
        residual[d.cols, d.rows] = vector
    return basis, residual


def _squares(v: np.ndarray) -> float:
    return float(np.einsum("n,n->", v, v))


def _check_design(X: _Terms, y: np.ndarray, terms: list[str], kind: str) -> None:
    if np.ptp(y) == 0:
        raise ValueError("matrix 'y' has the same value on every dyad: nothing to explain")
    if kind == "logit" and not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("kind='logit' needs a 0/1 matrix 'y' (a tie or none on each dyad)")
    # |R_jj| is the length of column j's residual on the columns before it: none (up to
    # rounding, numpy's matrix_rank tolerance) when j is constant or their combination
    lengths = np.linalg.norm(X.X, axis=0)
    tolerance = max(X.X.shape) * np.finfo(float).eps * lengths
    for j in range(1, X.terms):
        if abs(X.R[j, j]) <= tolerance[j]:
            raise ValueError(
                f"predictor {terms[j]!r} is constant over the dyads or a linear combination "
                f"of {terms[:j]}: leave it out"
            )


@dataclass(frozen=True)
class _Model:
    """How one kind of model is fitted, and its statistics' permutation distributions."""

    column: str  # the name of its test statistic
    observed: Callable[[_Terms, np.ndarray], tuple[np.ndarray, np.ndarray, dict[str, Any]]]
    #: (dyads, X, permutations, rng) → every term's statistic per relabelling of y
    y_null: Callable[[Dyads, _Terms, int, np.random.Generator], np.ndarray]
    #: (dyads, X, term, permutations, rng) → the term's statistic per relabelling of its
    #: residual on the other terms
    dsp_null: Callable[[Dyads, _Terms, int, int, np.random.Generator], np.ndarray]


def _ols_observed(X: _Terms, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    estimate, t, rss = OLS.of(X.Q, X.R).fit(y)
    n, k = X.X.shape
    r_squared = 1 - rss / float(((y - y.mean()) ** 2).sum())
    attrs = {"r_squared": r_squared, "adj_r_squared": 1 - (1 - r_squared) * (n - 1) / (n - k)}
    return estimate, t, attrs


def _ols_y_null(d: Dyads, X: _Terms, permutations: int, rng: np.random.Generator) -> np.ndarray:
    design, y = OLS.of(X.Q, X.R), d.matrices["y"]
    yy, placed = _squares(d.vector("y")), d.place(design.Q)
    return null_distribution(
        lambda orders: design.t_values(d.relabelled_dots(y, orders, placed), yy)[1],
        nodes=len(y),
        permutations=permutations,
        rng=rng,
    )


def _ols_dsp_null(
    d: Dyads, X: _Terms, term: int, permutations: int, rng: np.random.Generator
) -> np.ndarray:
    Q, residual = _semi_partial(d, X, term)
    y = d.vector("y")
    e = y - np.einsum("nk,k->n", Q, np.einsum("nk,n->k", Q, y))
    w = residual[d.rows, d.cols]
    placed, ww, ee = d.place(np.column_stack([Q, e])), _squares(w), _squares(e)

    def statistic(orders: np.ndarray) -> np.ndarray:
        dots = d.relabelled_dots(residual, orders, placed)
        return last_t_values(dots[:, :-1], dots[:, -1], ww, ee, len(y) - X.terms)

    return null_distribution(statistic, nodes=len(residual), permutations=permutations, rng=rng)


def _logit_observed(X: _Terms, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    result = logit(X.X.T, y[None, :])
    if not result.converged[0]:
        raise ValueError(
            "the logit did not converge: a predictor may separate ties from non-ties "
            "(perfect prediction); leave it out or use kind='ols'"
        )
    n, k = X.X.shape
    deviance = float(result.deviance[0])
    attrs = {
        "deviance": deviance,
        "null_deviance": null_deviance(y),
        "aic": deviance + 2 * k,
        "bic": deviance + k * float(np.log(n)),
    }
    return result.estimate[0], result.z[0], attrs


def _logit_y_null(d: Dyads, X: _Terms, permutations: int, rng: np.random.Generator) -> np.ndarray:
    y, design = d.matrices["y"], SharedDesign(X.X.T)
    share = d.vector("y").mean()
    # the intercept-only fit, near the fit of each relabelled y
    beta = np.zeros(X.terms)
    beta[0] = np.log(share / (1 - share))
    start = Start.at(beta, np.full(d.n, beta[0]))
    return null_distribution(
        lambda orders: fit(design, d.relabelled(y, orders), start=start).z,
        nodes=len(y),
        permutations=permutations,
        rng=rng,
        batch=_logit_batch(d),
    )


def _logit_dsp_null(
    d: Dyads, X: _Terms, term: int, permutations: int, rng: np.random.Generator
) -> np.ndarray:
    _, residual = _semi_partial(d, X, term)
    y, fixed = d.vector("y")[None, :], SharedDesign(np.delete(X.X, term, axis=1).T)
    # y on the other terms alone: the fit of each relabelling is near it, with 0 for the
    # relabelled residual (which the other terms do not explain).
    others_fit = fit(fixed, y).estimate[0]
    start = Start.at(np.append(others_fit, 0.0), np.einsum("k,kn->n", others_fit, fixed.X))

    def statistic(orders: np.ndarray) -> np.ndarray:
        design = OneVaryingDesign(fixed, d.relabelled(residual, orders))
        return fit(design, y, start=start).z[:, -1]

    return null_distribution(
        statistic, nodes=len(residual), permutations=permutations, rng=rng, batch=_logit_batch(d)
    )


def _logit_batch(d: Dyads) -> int:
    return max(1, min(LOGIT_BATCH_MOST, LOGIT_BATCH_VALUES // d.n))


_MODELS = {
    "ols": _Model("t", _ols_observed, _ols_y_null, _ols_dsp_null),
    "logit": _Model("z", _logit_observed, _logit_y_null, _logit_dsp_null),
}
