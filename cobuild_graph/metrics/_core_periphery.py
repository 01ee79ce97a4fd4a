"""Borgatti and Everett's core–periphery models: a discrete core and continuous coreness."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import scipy.optimize
import scipy.sparse as sp
import scipy.sparse.linalg

from cobuild_graph.metrics._simple import Simple, node_index

_GAIN = 1e-12  # a flip must raise the fit by more than rounding to be taken
_SAME = 1e-9  # fits this close are one optimum found again, not a better one
_CHUNK = 2**17  # splits evaluated at once by the exhaustive search
EXHAUSTIVE_NODES = 20


def core_periphery(
    G: nx.Graph,
    *,
    weight: str | None = None,
    between: float | None = None,
    restarts: int = 20,
    seed: int | None = None,
    exact_up_to: int = EXHAUSTIVE_NODES,
) -> pd.DataFrame:
    """Which nodes form the core, and how core each node is (Borgatti & Everett 1999).

    Borgatti, S. P. & Everett, M. G. 1999. Models of core/periphery structures. *Social
    Networks* 21, 375–395. Measured on the undirected simple graph (:func:`simple_graph`),
    :math:`a_{ij}` the link's strength (1 without `weight`), over pairs :math:`i \\ne j`.

    **Discrete model** (``core``): the core maximises the fit — Pearson's correlation
    between :math:`a_{ij}` and the ideal pattern :math:`\\delta_{ij}` = 1 for two core
    nodes, 0 for two peripheral nodes, and for a core and a peripheral node `between`, or,
    by default (as UCINET), no value: those pairs are left out of the correlation. On up to
    `exact_up_to` nodes every one of the :math:`2^n` splits is scored (numpy, in chunks;
    about a second at 20 nodes) and the best returned — the exact optimum (of equal fits,
    the first split counting node i as bit i). On more nodes the search (UCINET's is a
    genetic algorithm) climbs from the best split of nodes by degree, each time flipping
    the one node that raises the fit most until none does, then `restarts` times again from
    the best split so far with a random few nodes flipped (iterated local search); every
    flip's fit follows from block sums kept up to date, so a step costs O(n) with numpy.
    That search may miss the optimum: ``.attrs`` says how it searched and how many of its
    climbs ended at the best fit (one of many says more restarts may find a better split).

    **Continuous model** (``coreness``): the :math:`c` that minimises
    :math:`\\sum_{i \\ne j} (a_{ij} - c_i c_j)^2` — the ideal :math:`\\delta_{ij} = c_i
    c_j`, the diagonal ignored — by L-BFGS from the leading eigenvector of the adjacency
    matrix (scipy), :math:`c` made non-negative in sum. Its fit is the correlation of
    :math:`a_{ij}` with :math:`c_i c_j`.

    Parameters
    ----------
    G
        Any networkx graph.
    weight
        A tie attribute of strengths (summed per link).
    between
        The ideal value of a core–periphery pair; ``None`` leaves those pairs out.
    restarts
        Climbs from random changes of the best split, after the first (above
        `exact_up_to` nodes).
    seed
        Seed of those changes (numpy's ``default_rng``).
    exact_up_to
        The most nodes searched exhaustively (time and memory double with each node:
        beyond 20, more than a few seconds).

    Returns
    -------
    pandas.DataFrame
        Indexed by node id: ``core`` (bool), ``coreness`` (:math:`c_i`). ``.attrs`` holds
        ``fit`` (of the discrete model; ``NaN`` when no split fits, e.g. under four nodes
        or no links), ``coreness_fit``, ``core_size``, ``between``, ``restarts``, ``seed``,
        and how the discrete search went: ``search`` (``"exhaustive"`` or ``"local"``),
        ``climbs`` (``restarts + 1``; ``None`` when exhaustive) and ``best_found`` (of those
        climbs, how many ended within 1e-9 of the best fit; ``None`` when exhaustive).

    Examples
    --------
    >>> star_of_triangles = nx.Graph([(0, 1), (1, 2), (0, 2), (0, 3), (1, 4), (2, 5)])
    >>> table = core_periphery(star_of_triangles, seed=1)
    >>> table.index[table["core"]].tolist(), table.attrs["fit"]
    ([0, 1, 2], 1.0)
    """
    if restarts < 0:
        raise ValueError(f"restarts must be 0 or more, not {restarts}")
    S = Simple.of(G, weight=weight)
    model = _Discrete.of(S.adjacency(), between)
    if S.n <= exact_up_to:
        (core, fit), search, climbs, best_found = model.exhaustive(), "exhaustive", None, None
    else:
        core, fit, best_found = model.search(restarts, np.random.default_rng(seed))
        search, climbs = "local", restarts + 1
    coreness, coreness_fit = _coreness(S.adjacency())
    out = pd.DataFrame({"core": core, "coreness": coreness}, index=node_index(S.nodes))
    out.attrs.update(
        fit=fit,
        coreness_fit=coreness_fit,
        core_size=int(core.sum()),
        between=between,
        restarts=restarts,
        seed=seed,
        search=search,
        climbs=climbs,
        best_found=best_found,
    )
    return out


@dataclass
class _Discrete:
    """The fit of every split into core and periphery, from the sums of its blocks."""

    A: sp.csr_array
    A2: sp.csr_array  # squared strengths
    between: float | None

    @classmethod
    def of(cls, A: sp.csr_array, between: float | None) -> _Discrete:
        return cls(A, A.multiply(A).tocsr(), between)

    @property
    def n(self) -> int:
        return self.A.shape[0]

    def fit(
        self,
        k: np.ndarray,
        s_cc: np.ndarray,
        s_pp: np.ndarray,
        q_cc: np.ndarray,
        q_pp: np.ndarray,
    ) -> np.ndarray:
        """Correlation of a with the ideal pattern, for core sizes `k` and the sums (s) and
        sums of squares (q) of strengths inside the core and inside the periphery."""
        n = self.n
        n_cc, n_pp = k * (k - 1) / 2, (n - k) * (n - k - 1) / 2
        if self.between is None:
            N, s_a, q_a = n_cc + n_pp, s_cc + s_pp, q_cc + q_pp
            s_d = s_dd = n_cc
            s_ad = s_cc
        else:
            x = float(self.between)
            n_cp = k * (n - k)
            N, s_a, q_a = n * (n - 1) / 2, self.A.sum() / 2, self.A2.sum() / 2
            s_cp = s_a - s_cc - s_pp
            s_d, s_dd = n_cc + x * n_cp, n_cc + x * x * n_cp
            s_ad = s_cc + x * s_cp
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = s_ad / N - s_a * s_d / N**2
            var = (q_a / N - (s_a / N) ** 2) * (s_dd / N - (s_d / N) ** 2)
            return np.where((N > 0) & (var > 1e-15), cov / np.sqrt(var), np.nan)

    def climb(self, core: np.ndarray) -> tuple[np.ndarray, float]:
        """Flip the node that raises the fit most until none does."""
        core = core.copy()
        A, A2 = self.A, self.A2
        x = core.astype(float)
        k_c, q_c = A @ x, A2 @ x
        k_p, q_p = A @ (1 - x), A2 @ (1 - x)
        s_cc, s_pp = k_c @ x / 2, k_p @ (1 - x) / 2
        q_cc, q_pp = q_c @ x / 2, q_p @ (1 - x) / 2
        k = float(x.sum())
        current = self.fit(np.array(k), s_cc, s_pp, q_cc, q_pp)[()]
        current = -np.inf if np.isnan(current) else current
        while True:
            sign = np.where(core, -1.0, 1.0)  # +1 joins the core, −1 leaves it
            cand = (
                k + sign,
                s_cc + np.where(core, -k_c, k_c),
                s_pp + np.where(core, k_p, -k_p),
                q_cc + np.where(core, -q_c, q_c),
                q_pp + np.where(core, q_p, -q_p),
            )
            fits = np.nan_to_num(self.fit(*cand), nan=-np.inf)
            v = int(np.argmax(fits))
            if not fits[v] > current + _GAIN:
                return core, current
            _, s_cc, s_pp, q_cc, q_pp = (c[v] for c in cand)
            k += sign[v]
            current = fits[v]
            core[v] = not core[v]
            row = slice(A.indptr[v], A.indptr[v + 1])
            ends, strength, squared = A.indices[row], A.data[row], A2.data[row]
            k_c[ends] += sign[v] * strength
            k_p[ends] -= sign[v] * strength
            q_c[ends] += sign[v] * squared
            q_p[ends] -= sign[v] * squared

    def by_degree(self) -> np.ndarray:
        """The best core among the k strongest nodes, over every k."""
        n = self.n
        order = np.argsort(-self.A.sum(axis=1), kind="stable")
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        upper = sp.triu(self.A, k=1).tocoo()
        squared = upper.data**2
        low = np.minimum(rank[upper.row], rank[upper.col])
        high = np.maximum(rank[upper.row], rank[upper.col])
        # a link is inside the top k once k > high, inside the rest while k <= low
        s_cc = np.concatenate([[0.0], np.cumsum(np.bincount(high, upper.data, n))])
        q_cc = np.concatenate([[0.0], np.cumsum(np.bincount(high, squared, n))])
        s_pp = np.concatenate([np.cumsum(np.bincount(low, upper.data, n)[::-1])[::-1], [0.0]])
        q_pp = np.concatenate([np.cumsum(np.bincount(low, squared, n)[::-1])[::-1], [0.0]])
        fits = np.nan_to_num(self.fit(np.arange(n + 1.0), s_cc, s_pp, q_cc, q_pp), nan=-np.inf)
        core = np.zeros(n, dtype=bool)
        core[order[: int(np.argmax(fits))]] = True
        return core

    def search(self, restarts: int, rng: np.random.Generator) -> tuple[np.ndarray, float, int]:
        """Iterated local search; also how many of the climbs ended at the best fit."""
        best, fit = self.climb(self.by_degree())
        ends = [fit]
        for _ in range(restarts):
            # climb again from the best split with some nodes flipped
            flips = np.zeros(self.n, dtype=bool)
            flips[rng.integers(self.n, size=4 + rng.integers(0, 1 + self.n // 50))] = True
            core, found = self.climb(best ^ flips)
            ends.append(found)
            if found > fit + _GAIN:
                best, fit = core, found
        if not np.isfinite(fit):
            return np.zeros(self.n, dtype=bool), float("nan"), 0
        return best, float(fit), int(np.sum(np.array(ends) >= fit - _SAME))

    def exhaustive(self) -> tuple[np.ndarray, float]:
        """The best of all 2^n splits; of equal fits, the split of the smallest bit mask.

        Node i is bit i of a split's mask. The nodes are halved: inside each half the
        sums of every sub-mask come from a small product, and the sums across the halves
        from one matrix product per chunk of masks of the upper half.
        """
        n = self.n
        A, A2 = self.A.toarray(), self.A2.toarray()
        low = n // 2
        bits_low, bits_high = _bits(low), _bits(n - low)
        fits = np.empty((len(bits_high), len(bits_low)))
        sums = []
        for M in (A, A2):
            total, strength = M.sum() / 2, M.sum(axis=1)
            inner_low = np.einsum("mi,ij,mj->m", bits_low, M[:low, :low], bits_low) / 2
            inner_high = np.einsum("mi,ij,mj->m", bits_high, M[low:, low:], bits_high) / 2
            sums.append(
                (
                    total,
                    bits_low @ strength[:low],
                    bits_high @ strength[low:],
                    inner_low,
                    inner_high,
                    bits_high @ M[low:, :low],
                )
            )
        k_low, k_high = bits_low.sum(axis=1), bits_high.sum(axis=1)
        rows = max(1, _CHUNK // len(bits_low))
        for start in range(0, len(bits_high), rows):
            part = slice(start, start + rows)
            inside, outside = [], []
            for total, strength_low, strength_high, inner_low, inner_high, across in sums:
                # x'Mx / 2 over the core; over the periphery, total − x·strength + that
                core = inner_high[part, None] + inner_low[None, :] + across[part] @ bits_low.T
                inside.append(core)
                outside.append(total - strength_high[part, None] - strength_low[None, :] + core)
            k = k_high[part, None] + k_low[None, :]
            fits[part] = self.fit(k, inside[0], outside[0], inside[1], outside[1])
        fits = np.nan_to_num(fits.ravel(), nan=-np.inf)
        if len(fits) == 0 or not np.isfinite(fits.max()):
            return np.zeros(n, dtype=bool), float("nan")
        mask = int(np.flatnonzero(fits >= fits.max() - _SAME)[0])
        return (mask >> np.arange(n)) & 1 == 1, float(fits[mask])


def _bits(n: int) -> np.ndarray:
    """Every mask of `n` bits as a row of 0/1, masks in increasing order."""
    return ((np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1).astype(float)


def _coreness(A: sp.csr_array) -> tuple[np.ndarray, float]:
    """The c minimising Σ_{i≠j} (a_ij − c_i c_j)², and the correlation of a_ij with c_i c_j."""
    n = A.shape[0]
    if n < 2 or A.nnz == 0:
        return np.zeros(n), float("nan")
    squares = float(A.multiply(A).sum())

    def objective(c: np.ndarray) -> tuple[float, np.ndarray]:
        Ac = A @ c
        norm = c @ c
        c2 = c * c
        value = squares - 2 * c @ Ac + norm**2 - c2 @ c2
        return value, 4 * (norm * c - Ac - c2 * c)

    if n <= 200:
        values, vectors = np.linalg.eigh(A.toarray())
        value, start = values[-1], vectors[:, -1]
    else:
        found = scipy.sparse.linalg.eigsh(A, k=1, which="LA", v0=np.ones(n))
        value, start = found[0][0], found[1][:, 0]
    start = np.sqrt(max(value, 0.0)) * start
    c = scipy.optimize.minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-10, "ftol": 0.0, "maxiter": 10_000},
    ).x
    c = c if c.sum() >= 0 else -c
    # correlation over the pairs i < j of a_ij and c_i c_j, from sums
    pairs = n * (n - 1) / 2
    s_a, q_a = A.sum() / 2, squares / 2
    s_c = (c.sum() ** 2 - c @ c) / 2
    q_c = ((c @ c) ** 2 - np.sum(c**4)) / 2
    s_ac = c @ (A @ c) / 2
    cov = s_ac / pairs - s_a * s_c / pairs**2
    var = (q_a / pairs - (s_a / pairs) ** 2) * (q_c / pairs - (s_c / pairs) ** 2)
    return c, float(cov / np.sqrt(var)) if var > 0 else float("nan")
