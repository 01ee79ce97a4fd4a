"""The cyclic garbage collector, paused while millions of objects are made."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of dicts or tuples are made.

    A co-building graph holds no reference cycles worth collecting, yet every few thousand
    new containers trigger a collection that walks the growing graph
    (bench/read_validate_build.py measures the difference).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
