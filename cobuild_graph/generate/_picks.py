"""Weighted picks inside groups, vectorised: one draw of the generator for many items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pools:
    """Items grouped by an integer key, to pick one per request by weight inside a group."""

    order: np.ndarray
    cum: np.ndarray
    start: np.ndarray
    stop: np.ndarray

    @classmethod
    def of(cls, groups: np.ndarray, n_groups: int, weights: np.ndarray | None = None) -> Pools:
        order = np.argsort(groups, kind="stable")
        w = np.ones(len(groups)) if weights is None else np.asarray(weights, float)[order]
        cum = np.concatenate([[0.0], np.cumsum(w)])
        keys = np.arange(n_groups)
        sorted_groups = np.asarray(groups)[order]
        return cls(
            order,
            cum,
            np.searchsorted(sorted_groups, keys, "left"),
            np.searchsorted(sorted_groups, keys, "right"),
        )

    def valid(self, groups: np.ndarray) -> np.ndarray:
        return self.cum[self.stop[groups]] > self.cum[self.start[groups]]

    def pick(self, rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
        lo, hi = self.cum[self.start[groups]], self.cum[self.stop[groups]]
        r = lo + rng.random(len(groups)) * (hi - lo)
        pos = np.searchsorted(self.cum, r, side="right") - 1
        return self.order[np.clip(pos, self.start[groups], self.stop[groups] - 1)]


def pick_from_pools(
    rng: np.random.Generator,
    options: Sequence[tuple[Pools, np.ndarray]],
    preferred: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One item per request from its preferred pool, else from the first pool that has one.

    Each option is a pool and every request's group in it. Returns the item and the option
    it came from; -1 where no pool has an item for the request.
    """
    n = len(preferred)
    out, used = np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64)
    for choice in [preferred, *(np.full(n, k) for k in range(len(options)))]:
        for k, (pools, groups) in enumerate(options):
            sel = np.flatnonzero((out < 0) & (choice == k))
            sel = sel[pools.valid(groups[sel])]
            if sel.size:
                out[sel], used[sel] = pools.pick(rng, groups[sel]), k
    return out, used


def split_total(
    rng: np.random.Generator, total: int, minimum: np.ndarray, alpha: float
) -> np.ndarray:
    """Split `total` into parts of at least `minimum`, the rest by Dirichlet shares."""
    minimum = np.asarray(minimum, np.int64)
    rest = total - int(minimum.sum())
    if rest < 0:
        raise ValueError(f"cannot split {total} into parts of at least {minimum.tolist()}")
    return minimum + largest_remainder(rest, rng.dirichlet(np.full(len(minimum), alpha)))


def largest_remainder(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole parts of `total` in proportion to `shares`, by the largest remainder method.

    Examples
    --------
    >>> largest_remainder(10, np.array([1.0, 1.0, 1.0])).tolist()
    [4, 3, 3]
    """
    exact = total * np.asarray(shares, float) / np.sum(shares)
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    counts[np.argsort(counts - exact, kind="stable")[:short]] += 1
    return counts


def rank_in_group(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within each group, in the order of the items.

    Examples
    --------
    >>> rank_in_group(np.array([2, 0, 2, 2, 0])).tolist()
    [0, 0, 1, 2, 1]
    """
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    first = np.searchsorted(sorted_groups, sorted_groups, "left")
    rank = np.empty(len(groups), np.int64)
    rank[order] = np.arange(len(groups)) - first
    return rank


def choose(rng: np.random.Generator, shares: Mapping[str, float], n: int) -> np.ndarray:
    """`n` keys of `shares`, each drawn with its share (shares need not sum to 1)."""
    keys = np.array(list(shares), dtype=object)
    p = np.array(list(shares.values()), float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]
