"""Logistic regression of many responses or designs at once (sna's ``netlogit``).

Iteratively reweighted least squares as R's ``glm.fit`` runs it for the binomial family:
the same start (μ = (y + ½) / 2), the same convergence rule (relative change of the
deviance below 1e-8, at most 25 steps) and the same standard errors (from the weights of
the last step), so that estimates and z-values equal sna's. Every fit of a batch stops at
its own convergence; the batch runs until all have.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPSILON = 1e-8
MAX_STEPS = 25
#: μ stays within [ε, 1 − ε] (ε the double's epsilon), as in R's logit link.
_TINY = np.finfo(float).eps


@dataclass(frozen=True)
class LogitFit:
    """Logistic fits of the responses ``Y`` (one per row)."""

    estimate: np.ndarray  # (responses, terms)
    z: np.ndarray  # (responses, terms)
    deviance: np.ndarray  # (responses,)
    converged: np.ndarray  # (responses,) bool


def logit(X: np.ndarray, Y: np.ndarray) -> LogitFit:
    """Fit every row of `Y` (responses × dyads, values 0 and 1) on the design `X`.

    `X` is given terms × dyads (the transpose of the usual design, for speed), one
    shared by every response or one per response (responses × terms × dyads).
    """
    X = np.broadcast_to(X, (len(Y), *X.shape[-2:]))
    count, terms = len(Y), X.shape[1]
    mu = (Y + 0.5) / 2
    eta = np.log(mu / (1 - mu))
    deviance = _deviance(Y, mu)
    estimate = np.zeros((count, terms))
    covariance = np.zeros((count, terms, terms))
    done = np.zeros(count, dtype=bool)
    for _ in range(MAX_STEPS):
        weight = np.maximum(mu * (1 - mu), _TINY)
        working = eta + (Y - mu) / weight
        weighted = X * weight[:, None, :]
        # einsum, not @: OpenBLAS's threads stall a hundredfold on a busy machine.
        inverse = np.linalg.inv(np.einsum("pkn,pln->pkl", weighted, X))
        step = np.einsum("pkl,pl->pk", inverse, np.einsum("pkn,pn->pk", weighted, working))
        new_eta = np.einsum("pkn,pk->pn", X, step)
        new_mu = _mean(new_eta)
        new_deviance = _deviance(Y, new_mu)
        now = ~done
        estimate[now], covariance[now] = step[now], inverse[now]
        eta[now], mu[now] = new_eta[now], new_mu[now]
        change = np.abs(new_deviance - deviance) / (np.abs(new_deviance) + 0.1)
        deviance[now] = new_deviance[now]
        done |= change < EPSILON
        if done.all():
            break
    se = np.sqrt(np.diagonal(covariance, axis1=1, axis2=2))
    return LogitFit(estimate, estimate / se, deviance, done)


def _mean(eta: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # exp(-eta) overflows to inf for eta ≪ 0: mu = 0
        return np.clip(1 / (1 + np.exp(-eta)), _TINY, 1 - _TINY)


def _deviance(Y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    return -2 * np.log(np.where(Y > 0, mu, 1 - mu)).sum(axis=1)


def null_deviance(y: np.ndarray) -> float:
    """Deviance of the intercept-only model of the 0/1 vector `y`."""
    share = y.mean()
    return float(_deviance(y[None, :], np.full((1, len(y)), share))[0])
