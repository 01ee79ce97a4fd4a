"""``n_jobs``: how many processes a measure's searches run in, and running them there.

The searches from many nodes (betweenness, closeness, path lengths) are igraph's, which
holds the interpreter's lock while it searches, so threads cannot share them out. With
``n_jobs`` above 1 they are split by source nodes and handed to joblib's loky processes
(:class:`joblib.Parallel`): fresh interpreters, not forks, so they are safe in a Jupyter
kernel and beside threads, and they import igraph only (a search is sent as igraph's own
method and the graph, nothing of this package). The pool is kept between calls: its
processes start on the first (a fraction of a second each) and are reused after. The
results do not depend on ``n_jobs`` beyond the last bits of sums taken in another order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import joblib

if TYPE_CHECKING:
    import igraph as ig

__all__ = ["jobs", "searches"]

#: igraph's methods that :func:`searches` runs: the searches from many nodes.
METHODS = frozenset({"betweenness", "closeness"})


def jobs(n_jobs: int) -> int:
    """How many processes `n_jobs` means, as in joblib and scikit-learn.

    ``1`` runs in this process; a larger number, that many processes; ``-1`` one per CPU
    this process may use (its affinity and any container quota counted,
    :func:`joblib.cpu_count`), ``-2`` all of them but one, and so on (at least one).

    Examples
    --------
    >>> jobs(1), jobs(3)
    (1, 3)
    >>> jobs(-1) == joblib.cpu_count()
    True
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(
            f"n_jobs 须为非零整数（1 在本进程，-1 用全部 CPU） n_jobs must be a non-zero "
            f"integer (1 in this process, -1 every CPU), not {n_jobs!r}"
        )
    return n_jobs if n_jobs > 0 else max(joblib.cpu_count() + 1 + n_jobs, 1)


def searches(method: str, calls: Sequence[tuple[ig.Graph, dict[str, Any]]], n_jobs: int) -> list:
    """``[g.<method>(**options) for g, options in calls]``, in :func:`jobs` processes.

    Parameters
    ----------
    method
        One of :data:`METHODS`.
    calls
        The graph and igraph's keyword arguments of each search.
    n_jobs
        As in :func:`jobs`: with 1, or a single call, they run here in turn.

    Returns
    -------
    list
        igraph's result of each call, in the order given.
    """
    if method not in METHODS:
        raise ValueError(f"not a search: {method!r}")
    count = min(jobs(n_jobs), len(calls))
    if count <= 1:
        return [getattr(g, method)(**options) for g, options in calls]
    run = getattr(type(calls[0][0]), method)  # igraph's own: all a process needs is igraph
    return joblib.Parallel(n_jobs=count, backend="loky")(
        joblib.delayed(run)(g, **options) for g, options in calls
    )
