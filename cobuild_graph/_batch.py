"""Jobs run at once: in forked worker processes where that is safe, else in turn.

Matplotlib draws in one thread, and a report's charts are a few seconds of it; igraph holds
the interpreter's lock while it searches. Forked workers inherit the graph and its tables
without copying them (the schema, for one, cannot be pickled), so the report's charts draw
side by side while the caller writes the map, and :func:`~cobuild_graph.analysis.analyze`
measures centrality while the caller makes the other tables. A job returns bytes (a figure,
or a pickled table). A fork copies only the thread that forks, with every lock as it was: it
is safe when the other threads are daemon helpers that the charts never wait on (tqdm's
monitor), not in a Jupyter kernel, whose threads own the output the workers would write to.
Elsewhere the jobs run one after another, with the same results.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType

#: Jobs of the batch being started, read by the forked workers (a fork copies them).
_JOBS: Sequence[Callable[[], bytes]] = ()


def workers() -> int:
    """How many worker processes a batch may use: the CPUs this process may run on but one,
    left to the caller (which goes on with its own work meanwhile); 0 where forking is not safe: off
    Linux (macOS's system libraries are not fork-safe, and Windows has no fork), beside a
    thread that is not a daemon, in a Jupyter kernel, or in a daemon process (which may not
    have children)."""
    main = threading.main_thread()
    if not sys.platform.startswith("linux") or _in_jupyter_kernel():
        return 0
    if any(not t.daemon for t in threading.enumerate() if t is not main):
        return 0
    if multiprocessing.current_process().daemon:
        return 0
    return max(cpus() - 1, 0)


def cpus() -> int:
    """The CPUs this process may run on."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return count or 1


def _in_jupyter_kernel() -> bool:
    """Whether this process is a running Jupyter kernel (ipykernel merely imported is not)."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from ipykernel.kernelapp import IPKernelApp
    except ImportError:  # a stand-in or broken ipykernel: take it for a kernel, to be safe
        return True
    return bool(IPKernelApp.initialized())


class Batch:
    """Jobs that each return bytes (a figure, a pickled table), started at once.

    Workers are forked when made (:func:`workers`); :meth:`results` waits for them. With no
    workers the jobs run in :meth:`results`. A job's exception is its result, for the
    caller to judge. As a context manager, it ends its workers on leaving the block (when
    an error left them running).
    """

    def __init__(self, jobs: Sequence[Callable[[], bytes]]) -> None:
        global _JOBS
        self._jobs = list(jobs)
        self._pool: Pool | None = None
        self._pending: AsyncResult[list[bytes | Exception]] | None = None
        count = min(workers(), len(self._jobs))
        if count:
            _JOBS = self._jobs
            try:
                with warnings.catch_warnings():  # Python 3.12+ warns of any other thread
                    warnings.filterwarnings("ignore", ".*multi-threaded", DeprecationWarning)
                    self._pool = multiprocessing.get_context("fork").Pool(count)
            finally:
                _JOBS = ()
            self._pending = self._pool.map_async(_run, range(len(self._jobs)), chunksize=1)

    def __enter__(self) -> Batch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()

    def results(self) -> list[bytes | Exception]:
        """Each job's bytes, or the exception it raised, in the order given."""
        if self._pool is None or self._pending is None:
            return [_call(job) for job in self._jobs]
        try:
            return self._pending.get()
        finally:
            self._pool.close()
            self._pool.join()
            self._pool = None


def _run(index: int) -> bytes | Exception:
    return _call(_JOBS[index])


def _call(job: Callable[[], bytes]) -> bytes | Exception:
    try:
        return job()
    except Exception as error:  # handed to the caller, who knows which it can leave out
        return error
