"""Rows of the node and tie tables, gathered as blocks of columns and joined once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd


class Rows:
    """Rows of one table, gathered as blocks of columns and joined once at the end."""

    def __init__(self) -> None:
        self._blocks: list[dict[str, np.ndarray]] = []

    def add(self, **columns: Any) -> None:
        """Add a block: arrays of one length, scalars repeated, ``None`` left out."""
        n = len(next(v for v in columns.values() if isinstance(v, np.ndarray)))
        if n:
            self._blocks.append({k: _objects(v, n) for k, v in columns.items() if v is not None})

    def add_records(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Add rows given as mappings (missing keys are ``None``)."""
        keys = list(dict.fromkeys(k for r in records for k in r))
        self._blocks.append({k: object_array([r.get(k) for r in records]) for k in keys})

    def frame(self, keys: Sequence[str], known: Sequence[str]) -> pd.DataFrame:
        present = {c for b in self._blocks for c in b}
        columns = [*keys, *(c for c in dict.fromkeys(known) if c in present and c not in keys)]
        columns += sorted(present - set(columns))
        data = {
            c: np.concatenate(
                [b[c] if c in b else np.full(_length(b), None, object) for b in self._blocks]
            )
            for c in columns
        }
        return pd.DataFrame(data, columns=columns, dtype=object)


def _length(block: Mapping[str, np.ndarray]) -> int:
    return len(next(iter(block.values())))


def object_array(values: Sequence[Any]) -> np.ndarray:
    """`values` as an object array of ``len(values)`` items, none of them unpacked."""
    out = np.empty(len(values), object)
    out[:] = values
    return out


def _objects(value: Any, n: int) -> np.ndarray:
    """A column as an object array of Python values, ``None`` for missing floats."""
    if not isinstance(value, np.ndarray):
        return np.full(n, value, dtype=object)
    if value.dtype == object:
        return value
    out = value.astype(object)
    if value.dtype.kind == "f":
        out[np.isnan(value)] = None
    return out
