"""Least squares as sna's ``netlm`` fits it, and its t-values over many permutations.

Relabelling a matrix only moves its values among the dyads, so its sum of squares over
them stays. The permutations' t-values therefore need only a few dot products of each
relabelled matrix with fixed vectors (:meth:`Dyads.relabelled_dots`): no fit per
permutation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OLS:
    """A least-squares design ``X`` (dyads × terms), factored once: ``X = Q R``."""

    Q: np.ndarray
    R_inv: np.ndarray

    @classmethod
    def of(cls, Q: np.ndarray, R: np.ndarray) -> OLS:
        """The design ``X = Q R`` from its QR decomposition."""
        return cls(Q, np.linalg.inv(R))

    @property
    def residual_df(self) -> int:
        return self.Q.shape[0] - self.Q.shape[1]

    def fit(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Estimates, t-values and residual sum of squares of `y`."""
        # einsum, not @: OpenBLAS's threads stall on a busy machine
        projected = np.einsum("nk,n->k", self.Q, y)
        residual = y - np.einsum("nk,k->n", self.Q, projected)
        rss = np.array([np.einsum("n,n->", residual, residual)])
        estimate, t = self.t_values(projected[None, :], float(np.einsum("n,n->", y, y)), rss=rss)
        return estimate[0], t[0], float(rss[0])

    def t_values(
        self, projected: np.ndarray, yy: float, *, rss: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Estimates and t-values of responses from their ``Q'y`` (rows) and their ``y'y``.

        The t-value is the estimate over ``sqrt(s² · [(X'X)⁻¹]_jj)``, ``s² = RSS / (n − k)``,
        as sna's ``netlm`` computes it; RSS is ``y'y − |Q'y|²`` unless given.
        """
        estimate = np.einsum("pk,jk->pj", projected, self.R_inv)  # each row its own sums
        if rss is None:
            rss = yy - np.einsum("pk,pk->p", projected, projected)
        scale = np.einsum("ij,ij->i", self.R_inv, self.R_inv)  # diag((X'X)⁻¹)
        return estimate, estimate / np.sqrt(np.outer(rss / self.residual_df, scale))


def last_t_values(
    projected: np.ndarray, w_e: np.ndarray, ww: float, ee: float, residual_df: int
) -> np.ndarray:
    """t-value of the last predictor ``w`` when ``y`` is fitted on ``[Z, w]``, per row.

    By Frisch–Waugh–Lovell, with ``Q`` an orthonormal basis of ``Z`` and ``e`` the
    residual of ``y`` on ``Z``: the part of ``w`` that ``Z`` leaves has squared norm
    ``mm = w'w − |Q'w|²``, the estimate is ``w'e / mm`` and the fit's residual sum of
    squares ``e'e − (w'e)² / mm``. `projected` holds the rows ``Q'w``, `w_e` the ``w'e``.
    """
    mm = ww - np.einsum("pk,pk->p", projected, projected)
    with np.errstate(divide="ignore", invalid="ignore"):  # w in Z's span: NaN, never extreme
        rss = ee - w_e**2 / mm
        return (w_e / mm) / np.sqrt(rss / residual_df / mm)
