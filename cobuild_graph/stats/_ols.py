"""Least squares for many responses or many last predictors at once (sna's ``netlm``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OLSFit:
    """Least-squares fits of the responses ``Y`` (one per row) on one design ``X``."""

    estimate: np.ndarray  # (responses, terms)
    t: np.ndarray  # (responses, terms)
    rss: np.ndarray  # (responses,)


def ols(X: np.ndarray, Y: np.ndarray) -> OLSFit:
    """Fit every row of `Y` (responses × dyads) on `X` (dyads × terms).

    The t-value is the estimate over its standard error ``sqrt(s² · [(X'X)⁻¹]_jj)``,
    ``s² = RSS / (n − k)``, as sna's ``netlm`` computes it.
    """
    Q, R = np.linalg.qr(X)
    R_inv = np.linalg.inv(R)
    projected = Y @ Q
    estimate = projected @ R_inv.T
    residual = Y - projected @ Q.T
    rss = np.einsum("pn,pn->p", residual, residual)
    variance = rss / (X.shape[0] - X.shape[1])
    scale = np.einsum("ij,ij->i", R_inv, R_inv)  # diag((X'X)⁻¹) = row norms² of R⁻¹
    return OLSFit(estimate, estimate / np.sqrt(np.outer(variance, scale)), rss)


def ols_last_t(Z: np.ndarray, y: np.ndarray, W: np.ndarray) -> np.ndarray:
    """t-value of the last predictor when `y` is fitted on ``[Z, w]``, for each row w of `W`.

    By Frisch–Waugh–Lovell the last estimate is ``(m · y) / (m · m)`` with ``m`` the part
    of ``w`` that `Z` does not explain, and the fit's residual sum of squares is `y`'s on
    `Z` less ``(m · y)² / (m · m)``: no full fit per row.
    """
    Q, _ = np.linalg.qr(Z)
    e = y - Q @ (Q.T @ y)
    m = W - (W @ Q) @ Q.T
    mm = np.einsum("pn,pn->p", m, m)
    my = m @ e
    with np.errstate(divide="ignore", invalid="ignore"):  # w in Z's span: NaN, never extreme
        rss = e @ e - my**2 / mm
        variance = rss / (len(y) - Z.shape[1] - 1)
        return (my / mm) / np.sqrt(variance / mm)
