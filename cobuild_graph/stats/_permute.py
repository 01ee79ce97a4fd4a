"""Random node orders in batches, and p-values from a permutation distribution."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

#: Values gathered at once (2**19 floats, 4 MB, cache-sized): a batch of permutations is
#: this over the nodes squared, unless the statistic asks for another batch.
BATCH_VALUES = 2**19
#: Two statistics closer than this (relative) count as equal: a permuted value equal to the
#: observed one in exact arithmetic must count in ≥ and ≤ whatever the rounding.
TIES = 1e-9


def null_distribution(
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    nodes: int,
    permutations: int,
    rng: np.random.Generator,
    batch: int | None = None,
) -> np.ndarray:
    """``statistic`` of every permutation, stacked along the first axis.

    `statistic` takes a batch of node orders (one permutation of ``range(nodes)`` a row,
    `batch` rows, by default :data:`BATCH_VALUES` over the nodes squared) and returns one
    value (or one row of values) per order. The orders do not depend on the batch.
    """
    if permutations < 1:
        raise ValueError(f"permutations must be at least 1, not {permutations}")
    batch = batch or max(1, BATCH_VALUES // (nodes * nodes))
    return np.concatenate(
        [statistic(orders) for orders in _orders(nodes, permutations, batch, rng)]
    )


def _orders(n: int, count: int, batch: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    for start in range(0, count, batch):
        size = min(batch, count - start)
        yield np.ascontiguousarray(rng.permuted(np.broadcast_to(np.arange(n), (size, n)), axis=1))


def p_values(observed: np.ndarray, null: np.ndarray) -> dict[str, np.ndarray]:
    """Shares of the permutations at least as extreme as `observed`, as sna counts them.

    ``p_two_sided`` is Pr(|null| ≥ |observed|) (sna's ``pgreqabs``), ``p_greater``
    Pr(null ≥ observed) (``pgreq``), ``p_less`` Pr(null ≤ observed) (``pleeq``); the
    observed value itself is not counted among the permutations, as in sna.
    """
    slack = TIES * np.maximum(1.0, np.abs(observed))
    return {
        "p_two_sided": (np.abs(null) >= np.abs(observed) - slack).mean(axis=0),
        "p_greater": (null >= observed - slack).mean(axis=0),
        "p_less": (null <= observed + slack).mean(axis=0),
    }
