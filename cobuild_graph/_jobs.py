"""``n_jobs``: how many processes a measure's searches run in, and running them there.

The searches from many nodes (betweenness, closeness, path lengths) are igraph's, which
holds the interpreter's lock while it searches, so threads cannot share them out. With
``n_jobs`` above 1 they are split by source nodes and handed to the processes of loky's
reusable pool (:func:`loky.get_reusable_executor`, a :mod:`concurrent.futures` executor,
joblib's own): fresh interpreters, not forks, so they are safe in a Jupyter kernel and
beside threads. A search is sent as igraph's own method with the graph, so a process
imports igraph and nothing of this package, and not matplotlib either (igraph would load it
for its drawing, which a search never uses: three times the start of a process). The pool
is kept between calls: its processes start on the first (a fraction of a second) and are
reused after. One left idle for loky's 10 s exits and gives back the memory a large
graph's searches took: kept 300 s, as joblib keeps them, the idle processes raised the peak
of a province's analysis by 330 MB. Searches too small to gain from the processes
(:data:`IN_PROCESS_BELOW`: a study of a few hundred nodes) run here whatever ``n_jobs``
says. The results do not depend on ``n_jobs`` beyond the last bits of sums taken in another
order.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import loky

if TYPE_CHECKING:
    import igraph as ig

__all__ = ["jobs", "searches"]

#: igraph's methods that :func:`searches` runs: the searches from many nodes.
METHODS = frozenset({"betweenness", "closeness"})
#: What each process of the pool runs first (with :func:`exec`, a built-in, so that it
#: needs no module of this package): igraph then finds no matplotlib to load.
_START = "import sys; sys.modules['matplotlib'] = None"
#: Searches whose work, sources × (nodes + links) summed over the calls, is below this run in
#: this process: about 0.1 s of igraph here, less than handing them to other processes costs
#: (the pool's first start alone takes about a second).
IN_PROCESS_BELOW = 5_000_000


def jobs(n_jobs: int) -> int:
    """How many processes `n_jobs` means, as in joblib and scikit-learn.

    ``1`` runs in this process; a larger number, that many processes; ``-1`` one per CPU
    this process may use (its affinity and any container quota counted,
    :func:`loky.cpu_count`), ``-2`` all of them but one, and so on (at least one).

    Examples
    --------
    >>> jobs(1), jobs(3)
    (1, 3)
    >>> jobs(-1) == loky.cpu_count()
    True
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(
            f"n_jobs 须为非零整数（1 在本进程，-1 用全部 CPU） n_jobs must be a non-zero "
            f"integer (1 in this process, -1 every CPU), not {n_jobs!r}"
        )
    return n_jobs if n_jobs > 0 else max(loky.cpu_count() + 1 + n_jobs, 1)


def searches(method: str, calls: Sequence[tuple[ig.Graph, dict[str, Any]]], n_jobs: int) -> list:
    """``[g.<method>(**options) for g, options in calls]``, in :func:`jobs` processes.

    Parameters
    ----------
    method
        One of :data:`METHODS`.
    calls
        The graph and igraph's keyword arguments of each search.
    n_jobs
        As in :func:`jobs`: with 1, a single call, or less work in all than
        :data:`IN_PROCESS_BELOW`, they run here in turn.

    Returns
    -------
    list
        igraph's result of each call, in the order given.
    """
    if method not in METHODS:
        raise ValueError(f"not a search: {method!r}")
    count = jobs(n_jobs)
    if count == 1 or len(calls) < 2 or sum(map(_work, calls)) < IN_PROCESS_BELOW:
        return [getattr(g, method)(**options) for g, options in calls]
    pool = loky.get_reusable_executor(max_workers=count, initializer=exec, initargs=(_START,))
    run = getattr(type(calls[0][0]), method)  # igraph's own: all a process needs is igraph
    # one submission per process, its calls run in turn by built-ins: a graph that several
    # calls share is pickled once per submission, not once per call
    parts = [calls[i::count] for i in range(count)]
    running = [
        pool.submit(list, map(operator.call, [partial(run, g, **o) for g, o in part]))
        for part in parts
        if part
    ]
    found = [search.result() for search in running]
    out: list = [None] * len(calls)
    for i, results in enumerate(found):
        out[i::count] = results
    return out


def _work(call: tuple[ig.Graph, dict[str, Any]]) -> int:
    """A search's work: its sources (every node when not given) × (nodes + links)."""
    g, options = call
    searched = options.get("sources", options.get("vertices"))
    return (g.vcount() if searched is None else len(searched)) * (g.vcount() + g.ecount())
