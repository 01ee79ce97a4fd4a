"""Logistic regression of many responses or designs at once (sna's ``netlogit``).

Iteratively reweighted least squares as R's ``glm.fit`` runs it for the binomial family:
the same start (μ = (y + ½) / 2), the same convergence rule (relative change of the
deviance below 1e-8, at most 25 steps) and the same standard errors (from the weights of
the step before the estimate), so that estimates and z-values equal sna's. Every fit of
a batch stops at its own convergence and leaves the batch.

After the first step each step is Newton's, ``β ← β + (X'WX)⁻¹ X'(y − μ)``: the same as
``glm.fit``'s weighted least squares on the working response, and cheaper, since ``X'y``
and the deviance's linear part ``Σ(1 − y)η = β'X'(1 − y)`` are fixed. At each ``β`` one
pass over the dyads, a block of them at a time (:data:`BLOCK_DYADS`, so that the
intermediate arrays stay in the processor's cache), gives the deviance, ``X'WX`` and
``X'μ``: an exponential, a logarithm and a few products per dyad.

A fit may be *started* (:class:`Start`) from estimates near its own — a relabelled model
from the observed one — and then takes fewer steps to the same rule. Its estimate is the
Newton step from where the rule is met, with the standard errors from the weights there:
R's convention, one step further on. R's z-values (from the weights one step before its
estimate) may differ from the fully converged fit's by up to about 1e-4, as its rule allows; a
started fit's are within about 1e-6 of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

EPSILON = 1e-8
MAX_STEPS = 25
#: Dyads of a block (64 kB a fit): the few arrays of a block of a batch's fits then stay
#: in the processor's cache. Fixed, so that a fit's sums do not depend on its batch.
BLOCK_DYADS = 2**13
#: exp(−η) stays within [ε, 1/ε] (ε the double's epsilon): μ within about [ε, 1 − ε],
#: as R's logit link keeps it.
_TINY = np.finfo(float).eps


@dataclass(frozen=True)
class LogitFit:
    """Logistic fits of the responses ``Y`` (one per row)."""

    estimate: np.ndarray  # (responses, terms)
    z: np.ndarray  # (responses, terms)
    deviance: np.ndarray  # (responses,) where the rule was met (a started fit: 1 step before)
    converged: np.ndarray  # (responses,) bool
    steps: np.ndarray | None = None  # (responses,) IRLS steps taken


class Design(Protocol):
    """The design of a batch of fits, without a dyads × terms matrix per fit."""

    terms: int
    fits: int  # 1 when shared by every fit

    def linear(self, beta: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
        """``X β`` of each fit into `out` (fits × dyads), from `beta` (fits × terms)."""

    def gram(self, weight: np.ndarray, scratch: np.ndarray) -> np.ndarray:
        """``X' W X`` of each fit, (fits or 1, terms, terms), from `weight` (fits × dyads)."""

    def cross(self, values: np.ndarray) -> np.ndarray:
        """``X' v`` of each fit, (fits or 1, terms), from `values` (fits or 1 × dyads)."""

    def block(self, start: int, stop: int) -> Design:
        """The same design on the dyads ``start:stop`` only (views, no copies)."""

    def keep(self, rows: np.ndarray) -> Design:
        """The design of the fits `rows` (increasing) only; may reuse its own arrays."""


class SharedDesign:
    """One design for every fit, given terms × dyads; its column products are kept."""

    def __init__(self, X: np.ndarray) -> None:
        self.X = np.ascontiguousarray(X, dtype=float)
        self.terms, self.fits = len(X), 1
        self._pairs = np.triu_indices(self.terms)
        self._products = self.X[self._pairs[0]] * self.X[self._pairs[1]]  # pairs × dyads
        self._blocks: dict[tuple[int, int], SharedDesign] = {}

    def linear(self, beta: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
        np.einsum("pk,kn->pn", beta, self.X, out=out)

    def gram(self, weight: np.ndarray, scratch: np.ndarray) -> np.ndarray:
        return _symmetric(_dots(weight, self._products), self._pairs, self.terms)

    def cross(self, values: np.ndarray) -> np.ndarray:
        return _dots(values, self.X)

    def block(self, start: int, stop: int) -> SharedDesign:
        if (start, stop) not in self._blocks:  # made once: a fit asks for each many times
            part = object.__new__(SharedDesign)
            part.X, part.terms, part.fits = self.X[:, start:stop], self.terms, 1
            part._pairs = self._pairs
            part._products, part._blocks = self._products[:, start:stop], {}
            self._blocks[start, stop] = part
        return self._blocks[start, stop]

    def keep(self, rows: np.ndarray) -> SharedDesign:
        return self


class OneVaryingDesign:
    """Fixed terms (`fixed`) and a last term of its own per fit (`W`, fits × dyads).

    The design of double semi-partialling: only the relabelled residual differs between
    fits, so the products of the fixed terms are kept and only those with `W` are made
    per step. `W`'s rows are moved in place as fits finish.
    """

    def __init__(self, fixed: SharedDesign, W: np.ndarray) -> None:
        self.fixed = fixed
        self.W = W
        self.terms, self.fits = fixed.terms + 1, len(W)

    def linear(self, beta: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
        self.fixed.linear(beta[:, :-1], out, scratch)
        out += np.multiply(self.W, beta[:, -1:], out=scratch)

    def gram(self, weight: np.ndarray, scratch: np.ndarray) -> np.ndarray:
        k = self.fixed.terms
        gram = np.empty((len(self.W), k + 1, k + 1))
        gram[:, :k, :k] = self.fixed.gram(weight, scratch)
        weighted = np.multiply(weight, self.W, out=scratch)
        gram[:, :k, k] = gram[:, k, :k] = self.fixed.cross(weighted)
        gram[:, k, k] = _row_dots(weighted, self.W)
        return gram

    def cross(self, values: np.ndarray) -> np.ndarray:
        last = _row_dots(np.broadcast_to(values, self.W.shape), self.W)
        fixed = np.broadcast_to(self.fixed.cross(values), (len(self.W), self.fixed.terms))
        return np.column_stack([fixed, last])

    def block(self, start: int, stop: int) -> OneVaryingDesign:
        return OneVaryingDesign(self.fixed.block(start, stop), self.W[:, start:stop])

    def keep(self, rows: np.ndarray) -> OneVaryingDesign:
        return OneVaryingDesign(self.fixed, _compact(self.W, rows))


class PerFitDesign:
    """A design of its own per fit: fits × terms × dyads."""

    def __init__(self, X: np.ndarray) -> None:
        self.X = X
        self.terms, self.fits = X.shape[1], len(X)

    def linear(self, beta: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
        np.einsum("pkn,pk->pn", self.X, beta, out=out)

    def gram(self, weight: np.ndarray, scratch: np.ndarray) -> np.ndarray:
        return np.einsum("pkn,pln->pkl", self.X * weight[:, None, :], self.X)

    def cross(self, values: np.ndarray) -> np.ndarray:
        return np.einsum("pkn,pn->pk", self.X, np.broadcast_to(values, self.X[:, 0].shape))

    def block(self, start: int, stop: int) -> PerFitDesign:
        return PerFitDesign(self.X[:, :, start:stop])

    def keep(self, rows: np.ndarray) -> PerFitDesign:
        return PerFitDesign(self.X[rows])


@dataclass(frozen=True)
class Start:
    """Estimates (terms,) to start every fit of a batch from, the same for each fit.

    Made by :meth:`at` where every fit has the same ``η = X β`` there, μ and the weights
    of the start are made once for all the fits (and batches) that start from it.
    """

    beta: np.ndarray
    mu: np.ndarray | None = None  # (dyads,), where the fits share η
    weight: np.ndarray | None = None  # (dyads,)
    log_sum: float = 0.0  # Σ log(1 + e^−η)

    @classmethod
    def at(cls, beta: np.ndarray, eta: np.ndarray) -> Start:
        """Start from `beta`, where every fit has the linear predictor `eta` (dyads)."""
        minus_eta = -np.asarray(eta, dtype=float)[None, :]
        mu, weight = np.empty_like(minus_eta), np.empty_like(minus_eta)
        log_sum = _link(minus_eta, mu, weight)
        return cls(np.asarray(beta, dtype=float), mu[0], weight[0], float(log_sum[0]))


def logit(X: np.ndarray, Y: np.ndarray, *, start: np.ndarray | None = None) -> LogitFit:
    """Fit every row of `Y` (responses × dyads, values 0 and 1) on the design `X`.

    `X` is given terms × dyads (the transpose of the usual design, for speed), one
    shared by every response or one per response (responses × terms × dyads).
    `start` (terms) starts every fit from these estimates instead of R's
    μ = (y + ½) / 2, with the same convergence rule (see the module).
    """
    X = np.asarray(X, dtype=float)
    design: Design = SharedDesign(X) if X.ndim == 2 else PerFitDesign(X)
    return fit(design, np.array(Y, dtype=float), start=None if start is None else Start(start))


def fit(design: Design, Y: np.ndarray, *, start: Start | None = None) -> LogitFit:
    """Fit the rows of `Y` (fits × dyads, or 1 × dyads shared by every fit) on `design`.

    `design` holds as many fits as `Y` has rows, or `Y` has one row and the design says
    how many fits (a :class:`OneVaryingDesign`'s rows are moved in place as fits finish).
    """
    count, terms = max(len(Y), design.fits), design.terms
    blocks = _Blocks(count, Y.shape[1])
    y_cross = np.array(np.broadcast_to(blocks.cross(design, Y), (count, terms)))  # X'y
    linear_part = blocks.cross(design, np.ones((1, Y.shape[1]))) - y_cross  # X'(1 − y)
    estimate, variance = np.zeros((count, terms)), np.zeros((count, terms))
    deviances, steps = np.zeros(count), np.zeros(count, dtype=int)
    converged = np.zeros(count, dtype=bool)
    rows = np.arange(count)
    if start is None:
        beta, previous, deviance = _first_step(design, Y, blocks)
    else:
        beta = np.array(np.broadcast_to(start.beta, (count, terms)), dtype=float)
        previous, deviance = None, None
    for step in range(0 if start is not None else 1, MAX_STEPS + 1):
        log_sum, gram, mu_cross = blocks.evaluate(design, beta, start if step == 0 else None)
        inverse = np.linalg.inv(gram)
        new_deviance = 2 * (log_sum + np.einsum("pk,pk->p", beta, linear_part))
        newton = beta + _times(inverse, y_cross - mu_cross)
        if deviance is None:
            finished = np.zeros(len(beta), dtype=bool)
        else:
            change = np.abs(new_deviance - deviance) / (np.abs(new_deviance) + 0.1)
            finished = (change < EPSILON) | (step == MAX_STEPS)
        if finished.any():
            # R's estimate is β with the weights of the step before; a started fit's the
            # Newton step from β with the weights at β (see the module)
            done, cover = (beta, previous) if start is None else (newton, inverse)
            at = rows[finished]
            estimate[at], deviances[at], steps[at] = done[finished], new_deviance[finished], step
            variance[at] = np.diagonal(cover[finished], axis1=1, axis2=2)
            converged[at] = change[finished] < EPSILON
            if finished.all():
                break
            keep = np.flatnonzero(~finished)
            rows, newton, inverse, new_deviance = (
                a[keep] for a in (rows, newton, inverse, new_deviance)
            )
            y_cross, linear_part = y_cross[keep], linear_part[keep]
            design = design.keep(keep)
        beta, previous, deviance = newton, inverse, new_deviance
    return LogitFit(estimate, estimate / np.sqrt(variance), deviances, converged, steps)


def _first_step(
    design: Design, Y: np.ndarray, blocks: _Blocks
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """glm.fit's first step, from μ = (y + ½) / 2: least squares on the working response.

    Returns the estimates, the inverse of ``X'WX`` and the deviance at the start.
    """
    deviance, gram, cross = np.zeros(len(Y)), 0.0, 0.0
    for start, stop in blocks.ranges:
        y = Y[:, start:stop]
        mu = (y + 0.5) / 2
        weight = mu * (1 - mu)
        deviance += -2 * np.log(np.where(y > 0, mu, 1 - mu)).sum(axis=1)
        part = design.block(start, stop)
        gram = gram + part.gram(weight, blocks.arrays[0, : blocks.fits, : stop - start])
        cross = cross + part.cross(weight * np.log(mu / (1 - mu)) + (y - mu))
    shape = (blocks.fits, design.terms)
    inverse = np.linalg.inv(np.broadcast_to(gram, (*shape, design.terms)))
    beta = _times(inverse, np.broadcast_to(cross, shape))
    return beta, inverse, np.array(np.broadcast_to(deviance, blocks.fits))


class _Blocks:
    """The dyads in blocks, and arrays for one block of each fit, kept for the whole fit.

    Every sum over the dyads is summed block by block, so that a fit's results do not
    depend on the other fits of its batch (numpy's sums over longer rows do).
    """

    def __init__(self, fits: int, dyads: int) -> None:
        self.fits, self.dyads = fits, dyads
        self.size = min(dyads, BLOCK_DYADS)
        self.ranges = [(a, min(a + self.size, dyads)) for a in range(0, dyads, self.size)]
        self.arrays = np.empty((3, fits, self.size))

    def cross(self, design: Design, values: np.ndarray) -> np.ndarray:
        """``X' v`` of each fit, (fits or 1, terms), from `values` (fits or 1 × dyads)."""
        total = design.block(*self.ranges[0]).cross(values[:, : self.ranges[0][1]])
        for start, stop in self.ranges[1:]:
            total = total + design.block(start, stop).cross(values[:, start:stop])
        return total

    def evaluate(
        self, design: Design, beta: np.ndarray, shared: Start | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Σ log(1 + e^−η), ``X'WX`` and ``X'μ`` of each fit at `beta`, block by block.

        At a `shared` start (with its μ and weights) only the products are made.
        """
        fits = len(beta)
        log_sum = np.zeros(fits)
        gram = np.zeros((fits, design.terms, design.terms))
        mu_cross = np.zeros((fits, design.terms))
        minus_beta = -beta
        for start, stop in self.ranges:
            scratch, mu, weight = self.arrays[:, :fits, : stop - start]
            part = design.block(start, stop)
            if shared is not None and shared.mu is not None:
                mu, weight = shared.mu[None, start:stop], shared.weight[None, start:stop]
            else:
                part.linear(minus_beta, scratch, mu)
                log_sum += _link(scratch, mu, weight)
            gram += part.gram(weight, scratch)
            mu_cross += part.cross(mu)
        if shared is not None and shared.mu is not None:
            log_sum += shared.log_sum
        return log_sum, gram, mu_cross


def _link(minus_eta: np.ndarray, mu: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """μ and the weights μ(1 − μ) from −η (overwritten); returns Σ log(1 + e^−η) per row."""
    t = np.exp(minus_eta, out=minus_eta)
    np.clip(t, _TINY, 1 / _TINY, out=t)
    u = np.add(t, 1, out=weight)  # 1 / μ
    np.reciprocal(u, out=mu)
    log_sum = np.log(u, out=u).sum(axis=1)
    np.multiply(mu, mu, out=weight)
    weight *= t  # μ²·e^−η = μ(1 − μ)
    return log_sum


def _times(matrices: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Each matrix times its vector: (fits, k, k) and (fits, k) → (fits, k)."""
    return np.matmul(matrices, vectors[:, :, None])[:, :, 0]


def _compact(array: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``array[rows]`` for increasing `rows`, moved into the first rows of `array` itself."""
    for to, source in enumerate(rows):
        if to != source:
            array[to] = array[source]
    return array[: len(rows)]


def _row_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each row of `a` times the same row of `b`."""
    return np.einsum("pn,pn->p", a, b)


def _dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each row of `a` times each row of `b`: (p, n) and (k, n) → (p, k).

    einsum, not BLAS: its sums do not depend on the other rows (a fit's results then
    do not depend on its batch), and OpenBLAS's threads stall on a busy machine.
    """
    return np.einsum("pn,kn->pk", a, b)


def _symmetric(flat: np.ndarray, pairs: tuple[np.ndarray, np.ndarray], terms: int) -> np.ndarray:
    out = np.empty((len(flat), terms, terms))
    out[:, pairs[0], pairs[1]] = flat
    out[:, pairs[1], pairs[0]] = flat
    return out


def null_deviance(y: np.ndarray) -> float:
    """Deviance of the intercept-only model of the 0/1 vector `y`."""
    share = y.mean()
    return float(-2 * np.log(np.where(y > 0, share, 1 - share)).sum())
