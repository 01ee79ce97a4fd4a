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

_AHEAD: contextvars.ContextVar[Ahead | None] = contextvars.ContextVar(
    "cobuild_graph_searches_ahead", default=None
)


def search(g: ig.Graph, method: str, *, here: bool = False, **options: Any) -> Any:
    """``g.<method>(**options)``: the result of the same search sent :func:`ahead`, else
    run here.

    Parameters
    ----------
    g
        The graph to search.
    method
        One of :data:`METHODS`.
    here
        Run it here even if it was sent ahead, its result there then left unread: for a
        caller that would otherwise wait (see :func:`arrived`).
    **options
        igraph's keyword arguments of `method`.
    """
    if method not in METHODS:
        raise ValueError(f"not a search: {method!r}")
    sent = _AHEAD.get()
    found = sent.collect(g, method, options, wait=not here) if sent is not None else _NOT_SENT
    return getattr(g, method)(**options) if found is _NOT_SENT else found


def arrived(g: ig.Graph, method: str, **options: Any) -> bool:
    """Whether the result of this search, sent :func:`ahead`, is here to collect."""
    sent = _AHEAD.get()
    return sent is not None and sent.arrived(g, method, options)


def ahead(g: ig.Graph, method: str, **options: Any) -> None:
    """Send the search ``g.<method>(**options)`` to the worker of the current
    :class:`Ahead`, for :func:`search` to collect; nothing outside one."""
    if method not in METHODS:
        raise ValueError(f"not a search: {method!r}")
    sent = _AHEAD.get()
    if sent is not None:
        sent.send(g, method, options)


def ahead_subgraph(h: ig.Graph, g: ig.Graph, vertices: list[int]) -> None:
    """Tell the worker of the current :class:`Ahead` that `h` is
    ``g.induced_subgraph(vertices)``, so that searches of `h` sent :func:`ahead` do not
    send its ties; nothing outside one."""
    sent = _AHEAD.get()
    if sent is not None:
        sent.derive(h, g, vertices)


class _NotSent:
    """What :meth:`Ahead.collect` returns for a search to run here."""


_NOT_SENT = _NotSent()


class Ahead:
    """A worker interpreter for searches sent :func:`ahead`, while the block runs.

    With one CPU, or where no worker starts, nothing is sent and every search runs here.
    Two threads of this process move the bytes (they never call igraph): one writes the
    searches to the worker, one reads its results as they come, so that neither side ever
    waits on a full pipe while the other is busy. Leaving the block tells the worker to end
    (the reading thread waits for it), or kills it if it is still searching for a result
    nobody will collect.
    """

    def __init__(self) -> None:
        from cobuild_graph._batch import cpus

        #: The worker process; ``None`` when there is none.
        self.worker = _start_worker() if cpus() > 1 else None
        #: Results collected from the worker so far.
        self.collected = 0
        self._graphs: dict[int, ig.Graph] = {}  # held, so that no id is reused
        self._sent: dict[tuple[int, bytes], int] = {}  # search -> its place in the replies
        self._searches = 0  # sent so far: the place of the next one's reply
        self._received = 0  # replies read so far
        self._replies: dict[int, tuple[str, Any]] = {}
        self._dropped: set[int] = set()  # replies nobody will read
        self._arrived = threading.Condition()
        self._over = False  # no more replies will come
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._token: contextvars.Token[Ahead | None] | None = None
        if self.worker is not None:
            for job in (self._write, self._read):
                thread = threading.Thread(target=job, name=f"cobuild-graph-searches{job.__name__}")
                thread.daemon = True
                thread.start()
                self._threads.append(thread)

    def send(self, g: ig.Graph, method: str, options: dict[str, Any]) -> None:
        """Send a search to the worker (nothing without one)."""
        key = (id(g), pickle.dumps((method, options)))
        if self.worker is None or self._over or key in self._sent:
            return
        self._register(g)
        self._post(("search", id(g), method, options))
        self._sent[key] = self._searches
        self._searches += 1

    def derive(self, h: ig.Graph, g: ig.Graph, vertices: list[int]) -> None:
        """Tell the worker that `h` is ``g.induced_subgraph(vertices)``: it makes its own
        copy from `g`'s, and searches of `h` need not send its ties."""
        if self.worker is None or self._over or id(h) in self._graphs:
            return
        self._register(g)
        self._post(("subgraph", id(h), id(g), vertices))
        self._graphs[id(h)] = h

    def _register(self, g: ig.Graph) -> None:
        if id(g) not in self._graphs:
            self._post(("graph", id(g), g.vcount(), g.get_edgelist(), g.is_directed()))
            self._graphs[id(g)] = g

    def arrived(self, g: ig.Graph, method: str, options: dict[str, Any]) -> bool:
        """Whether the result of a search sent before is here."""
        place = self._sent.get((id(g), pickle.dumps((method, options))))
        with self._arrived:
            return place in self._replies

    def collect(
        self, g: ig.Graph, method: str, options: dict[str, Any], *, wait: bool = True
    ) -> Any:
        """The result of a search sent before, or :data:`_NOT_SENT` (also for one not
        arrived yet without `wait`, whose result is then dropped when it comes)."""
        place = self._sent.pop((id(g), pickle.dumps((method, options))), None)
        if place is None:
            return _NOT_SENT
        with self._arrived:
            if not wait and place not in self._replies:
                self._dropped.add(place)
                return _NOT_SENT
            self._arrived.wait_for(lambda: place in self._replies or self._over)
            status, value = self._replies.pop(place, ("lost", None))
        if status != "ok":  # igraph raised there, or the worker failed: it runs here
            return _NOT_SENT
        self.collected += 1
        return value

    def _post(self, message: tuple[Any, ...]) -> None:
        self._outbox.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def _write(self) -> None:
        assert self.worker is not None
        requests = _stdin(self.worker)
        try:
            while (message := self._outbox.get()) is not None:
                requests.write(message)
                requests.flush()
        except (OSError, ValueError) as error:  # a dead worker: _read sees it end
            logger.debug("the search worker stopped reading (%r)", error)
        with contextlib.suppress(OSError):  # a worker that died leaves a broken pipe
            requests.close()

    def _read(self) -> None:
        assert self.worker is not None
        replies, place = _stdout(self.worker), 0
        try:
            while True:
                reply = pickle.load(replies)
                with self._arrived:
                    if place not in self._dropped:
                        self._replies[place] = reply
                    self._arrived.notify_all()
                place += 1
                self._received = place
        except (OSError, EOFError, ValueError, pickle.UnpicklingError) as error:
            if not isinstance(error, EOFError):
                logger.debug("searches run here from now on: the worker failed (%r)", error)
        finally:
            with self._arrived:
                self._over = True
                self._arrived.notify_all()
        self.worker.wait()  # it has ended or is ending: reaped here, without polling
        replies.close()

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
        if self.worker is None:
            return
        self._outbox.put(None)  # the worker ends when it has read this end
        if kind is not None or self._received < self._searches:  # still searching, for none
            self.worker.kill()
            for thread in self._threads:
                thread.join()


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
    """The worker: answer searches from standard input on standard output until its end."""
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # igraph's drawing only
    import igraph

    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else prints goes to standard error, not into the replies
    graphs: dict[int, igraph.Graph] = {}
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            return
        if request[0] == "graph":
            _, key, n, edges, directed = request
            graphs[key] = igraph.Graph(n=n, edges=edges, directed=directed)
            continue
        if request[0] == "subgraph":
            _, key, base, vertices = request
            graphs[key] = graphs[base].induced_subgraph(vertices)
            continue
        _, key, method, options = request
        try:
            if method not in METHODS:
                raise ValueError(f"not a search: {method!r}")
            reply = ("ok", getattr(graphs[key], method)(**options))
        except Exception as error:  # the caller runs it again, to raise it there
            reply = ("error", repr(error))
        pickle.dump(reply, replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()


if __name__ == "__main__":
    _serve()
