"""igraph's path searches, run here or sent ahead to a worker interpreter beside the caller.

A search from every node (betweenness, closeness) is seconds of igraph, which holds the
interpreter's lock meanwhile and may only be called from the main thread (its error handler
is set for that thread alone), so a thread cannot run it beside other work. Inside
``with Ahead():`` a caller that knows which searches it will need sends them with
:func:`ahead` to a second Python interpreter, goes on with other work on the other core,
and later collects each result by making the same :func:`search` (same graph, method and
options). The worker is this file run as a script: it imports igraph only (not this
package, not matplotlib) and starts in a quarter of a second; it is a new process, not a
fork, so none of the caller's locks or threads is copied into it, and it is safe in a
Jupyter kernel. A search that was not sent ahead runs here; one whose worker failed (it
could not start, it died, igraph raised there) runs here again, so results never depend on
the worker.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import igraph as ig

logger = logging.getLogger(__name__)

#: The igraph methods a worker runs: the searches from many nodes.
METHODS = frozenset({"betweenness", "closeness"})
#: Seconds a worker may take to end after its last search before it is killed.
_END_SECONDS = 5.0

_AHEAD: contextvars.ContextVar[Ahead | None] = contextvars.ContextVar(
    "cobuild_graph_searches_ahead", default=None
)


def search(g: ig.Graph, method: str, **options: Any) -> Any:
    """``g.<method>(**options)``: the result of the same search sent :func:`ahead`, else
    run here.

    Parameters
    ----------
    g
        The graph to search.
    method
        One of :data:`METHODS`.
    **options
        igraph's keyword arguments of `method`.
    """
    if method not in METHODS:
        raise ValueError(f"not a search: {method!r}")
    sent = _AHEAD.get()
    found = sent.collect(g, method, options) if sent is not None else _NOT_SENT
    return getattr(g, method)(**options) if found is _NOT_SENT else found


def ahead(g: ig.Graph, method: str, **options: Any) -> None:
    """Send the search ``g.<method>(**options)`` to the worker of the current
    :class:`Ahead`, for :func:`search` to collect; nothing outside one."""
    if method not in METHODS:
        raise ValueError(f"not a search: {method!r}")
    sent = _AHEAD.get()
    if sent is not None:
        sent.send(g, method, options)


class _NotSent:
    """What :meth:`Ahead.collect` returns for a search to run here."""


_NOT_SENT = _NotSent()


class Ahead:
    """A worker interpreter for searches sent :func:`ahead`, while the block runs.

    With one CPU, or where no worker starts, nothing is sent and every search runs here.
    Leaving the block ends the worker and forgets what was not collected.
    """

    def __init__(self) -> None:
        from cobuild_graph._batch import cpus

        #: The worker process; ``None`` when there is none, or once it has ended.
        self.worker = _start_worker() if cpus() > 1 else None
        self._graphs: dict[int, ig.Graph] = {}  # held, so that no id is reused
        self._sent: dict[tuple[int, bytes], int] = {}  # search -> its place in the replies
        self._replies: dict[int, tuple[str, Any]] = {}
        self._read = 0
        #: Results collected from the worker so far.
        self.collected = 0
        self._token: contextvars.Token[Ahead | None] | None = None

    def send(self, g: ig.Graph, method: str, options: dict[str, Any]) -> None:
        """Send a search to the worker (nothing when it has failed)."""
        if self.worker is None:
            return
        key = (id(g), pickle.dumps((method, options)))
        if key in self._sent:
            return
        try:
            if id(g) not in self._graphs:
                self._write(("graph", id(g), g.vcount(), g.get_edgelist(), g.is_directed()))
                self._graphs[id(g)] = g
            self._write(("search", id(g), method, options))
        except OSError as error:
            self._fail(error)
            return
        self._sent[key] = len(self._sent)

    def collect(self, g: ig.Graph, method: str, options: dict[str, Any]) -> Any:
        """The result of a search sent before, or :data:`_NOT_SENT`."""
        place = self._sent.pop((id(g), pickle.dumps((method, options))), None)
        if place is None or self.worker is None:
            return _NOT_SENT
        try:
            while place not in self._replies:
                self._replies[self._read] = pickle.load(_stdout(self.worker))
                self._read += 1
        except (OSError, EOFError, pickle.UnpicklingError) as error:
            self._fail(error)
            return _NOT_SENT
        status, value = self._replies.pop(place)
        if status != "ok":  # igraph raised there: here it raises with its own traceback
            return _NOT_SENT
        self.collected += 1
        return value

    def _write(self, message: tuple[Any, ...]) -> None:
        assert self.worker is not None
        requests = _stdin(self.worker)
        pickle.dump(message, requests, protocol=pickle.HIGHEST_PROTOCOL)
        requests.flush()

    def _fail(self, error: BaseException) -> None:
        logger.debug("searches run here from now on: the worker failed (%r)", error)
        self._end(kill=True)

    def _end(self, *, kill: bool) -> None:
        process, self.worker = self.worker, None
        if process is None:
            return
        if kill:
            process.kill()
        with contextlib.suppress(OSError):  # a worker that died leaves a broken pipe
            _stdin(process).close()
        try:
            process.wait(_END_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _stdout(process).close()

    def __enter__(self) -> Ahead:
        self._token = _AHEAD.set(self)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._token is not None:
            _AHEAD.reset(self._token)
        # a worker still searching for a result nobody will collect is killed
        self._end(kill=kind is not None or bool(self._sent))


def _stdin(process: subprocess.Popen[bytes]) -> IO[bytes]:
    assert process.stdin is not None
    return process.stdin


def _stdout(process: subprocess.Popen[bytes]) -> IO[bytes]:
    assert process.stdout is not None
    return process.stdout


def _start_worker() -> subprocess.Popen[bytes] | None:
    script = Path(__file__)
    if not sys.executable or not script.is_file():
        return None
    try:
        return subprocess.Popen(
            [sys.executable, "-P", str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError as error:
        logger.debug("searches run here: no worker (%s)", error)
        return None


def _serve() -> None:
    """The worker: answer searches from standard input on standard output until its end.

    Replies are written by a thread of their own, so that a reply the caller has not read
    yet never stops the next search.
    """
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # igraph's drawing only
    import igraph

    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else prints goes to standard error, not into the replies
    outbox: queue.Queue[bytes | None] = queue.Queue()

    def post() -> None:
        while (reply := outbox.get()) is not None:
            replies.write(reply)
            replies.flush()

    poster = threading.Thread(target=post)
    poster.start()
    graphs: dict[int, igraph.Graph] = {}
    try:
        while True:
            try:
                request = pickle.load(requests)
            except EOFError:
                return
            if request[0] == "graph":
                _, key, n, edges, directed = request
                graphs[key] = igraph.Graph(n=n, edges=edges, directed=directed)
                continue
            _, key, method, options = request
            try:
                if method not in METHODS:
                    raise ValueError(f"not a search: {method!r}")
                reply = ("ok", getattr(graphs[key], method)(**options))
            except Exception as error:  # the caller runs it again, to raise it there
                reply = ("error", repr(error))
            outbox.put(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        outbox.put(None)
        poster.join()


if __name__ == "__main__":
    _serve()
