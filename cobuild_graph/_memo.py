"""Reuse of conversions between calls, inside :func:`shared` only.

Every public measure takes a graph and converts it (to tie tables, to a simple igraph
graph ...). :func:`~cobuild_graph.analysis.analyze` calls many of them on the same graph, so
inside ``with shared():`` each conversion is made once and reused; outside it nothing is
kept, so a graph changed between two calls is never measured from a stale copy.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Callable, Hashable, Iterator, MutableMapping
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_STORE: ContextVar[MutableMapping[Hashable, tuple[Any, Any]] | None] = ContextVar(
    "cobuild_graph_memo", default=None
)


@contextlib.contextmanager
def shared() -> Iterator[None]:
    """Keep conversions of a graph for reuse until the block ends (the outermost block,
    when blocks nest: an inner one reuses what the outer one has made).

    The graphs must not change inside the block.
    """
    if _STORE.get() is not None:
        yield
        return
    token = _STORE.set({})
    try:
        yield
    finally:
        _STORE.reset(token)


@contextlib.contextmanager
def apart() -> Iterator[None]:
    """Inside :func:`shared`: reuse what the block has kept, and let go at the end of this
    one what is made in it (e.g. a view only one table reads, and its conversions)."""
    outer = _STORE.get()
    if outer is None:
        yield
        return
    token = _STORE.set(collections.ChainMap({}, outer))
    try:
        yield
    finally:
        _STORE.reset(token)


def memo(G: Any, key: Hashable, make: Callable[[], T]) -> T:
    """``make()``, or inside :func:`shared` the value made before for `G` and `key`."""
    store = _STORE.get()
    if store is None:
        return make()
    full = (id(G), key)
    if full not in store:
        store[full] = (G, make())  # holding G keeps its id from being reused
    return store[full][1]
