"""QAP correlation of two dyadic matrices (sna's ``qaptest`` of ``gcor``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cobuild_graph.stats._input import dyads
from cobuild_graph.stats._permute import null_distribution, p_values


@dataclass(frozen=True)
class QAPCorrelation:
    """The result of :func:`qap_correlation`.

    Attributes
    ----------
    r
        Pearson's correlation of the two matrices over the dyads (sna's ``gcor``).
    p_two_sided
        Share of permutations with ``|r_perm| ≥ |r|``.
    p_greater
        Share of permutations with ``r_perm ≥ r`` (sna's ``pgreq``).
    p_less
        Share of permutations with ``r_perm ≤ r`` (sna's ``pleeq``).
    n_dyads
        Number of dyads correlated.
    permutations
        Number of permutations drawn.
    directed
        Whether ordered pairs were used (else each pair once).
    null
        The correlation under each permutation.
    """

    r: float
    p_two_sided: float
    p_greater: float
    p_less: float
    n_dyads: int
    permutations: int
    directed: bool
    null: np.ndarray = field(repr=False)


def qap_correlation(
    a: Any,
    b: Any,
    *,
    permutations: int = 1000,
    seed: int | None = None,
    directed: bool | None = None,
) -> QAPCorrelation:
    """Correlation of two dyadic matrices, with its QAP permutation test.

    The correlation is Pearson's r of the two matrices' values over the dyads, the diagonal
    left out (R ``sna::gcor``). Its null distribution comes from relabelling the nodes of
    `b` at random (rows and columns together) `permutations` times, as
    ``sna::qaptest(list(a, b), gcor, g1=1, g2=2)`` does (Krackhardt 1988).

    Parameters
    ----------
    a, b
        Square matrices on the same nodes: numpy arrays in the same node order, or pandas
        DataFrames with the same labels on rows and columns (aligned by label).
    permutations
        Number of random relabellings.
    seed
        Seed of the random relabellings; the same seed gives the same p-values.
    directed
        ``True`` uses every ordered pair ``(i, j)``, ``i ≠ j`` (sna's ``mode="digraph"``);
        ``False`` each pair once (``mode="graph"``) and needs symmetric matrices. ``None``
        is directed when either matrix is asymmetric.

    Returns
    -------
    QAPCorrelation
        ``r``, ``p_two_sided``, ``p_greater``, ``p_less``, ``n_dyads``, ``permutations``,
        ``directed`` and the permutation distribution ``null``.

    Raises
    ------
    ValueError
        If a matrix is not square, the labels differ, a dyad is missing (``NaN``), a
        matrix is constant over the dyads, or there are fewer than 3 dyads.

    Examples
    --------
    >>> a = np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])
    >>> result = qap_correlation(a, a, permutations=100, seed=1)
    >>> round(result.r, 6), result.directed, result.n_dyads
    (1.0, False, 6)
    """
    d = dyads({"a": a, "b": b}, directed=directed, minimum=3)
    centred = {}
    for name in ("a", "b"):
        values = d.vector(name)
        centred[name] = values - values.mean()
        if not centred[name].any():
            raise ValueError(f"matrix {name!r} has the same value on every dyad: r is undefined")
    scale = np.linalg.norm(centred["a"]) * np.linalg.norm(centred["b"])
    r = float(centred["a"] @ centred["b"] / scale)
    # Relabelling only moves b's values among the dyads, so their mean and spread stay:
    # r_perm is the dot product of a's centred values with the relabelled b over `scale`.
    b, placed = d.matrices["b"] - d.vector("b").mean(), d.place(centred["a"][:, None])
    null = null_distribution(
        lambda orders: d.relabelled_dots(b, orders, placed)[:, 0] / scale,
        nodes=len(b),
        permutations=permutations,
        rng=np.random.default_rng(seed),
    )
    p = p_values(np.asarray(r), null)
    return QAPCorrelation(
        r=r,
        p_two_sided=float(p["p_two_sided"]),
        p_greater=float(p["p_greater"]),
        p_less=float(p["p_less"]),
        n_dyads=d.n,
        permutations=permutations,
        directed=d.directed,
        null=null,
    )
