"""Square matrices in (numpy arrays or labelled DataFrames), checked and cut into dyads."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Values of a relabelled matrix made at once for its dot products (2**13, 64 kB).
ROW_BLOCK_VALUES = 2**13


@dataclass(frozen=True)
class Dyads:
    """The matrices of one model on one node order, and the dyads it uses.

    ``rows[d], cols[d]`` are the ends of dyad ``d``: every ordered pair ``i != j`` when
    directed, else every pair ``i > j`` once (the lower triangle, as sna's
    ``mode="graph"``).
    """

    labels: pd.Index | None
    matrices: dict[str, np.ndarray]
    directed: bool
    rows: np.ndarray
    cols: np.ndarray

    @property
    def n(self) -> int:
        return len(self.rows)

    def vector(self, name: str) -> np.ndarray:
        """The matrix `name` at the dyads, in dyad order."""
        return self.matrices[name][self.rows, self.cols]

    def relabelled(self, matrix: np.ndarray, orders: np.ndarray) -> np.ndarray:
        """`matrix` with its nodes reordered by each row of `orders`, at the dyads.

        Row ``p`` of the result is ``matrix[o][:, o]`` at the dyads for ``o = orders[p]``:
        rows and columns permuted together, as sna's ``rmperm``. One relabelled matrix is
        made at a time: a batch holds only its dyads.
        """
        out = np.empty((len(orders), self.n))
        at = self.rows * len(matrix) + self.cols
        for p, order in enumerate(orders):
            np.take(matrix[order][:, order].ravel(), at, out=out[p])
        return out

    def place(self, vectors: np.ndarray) -> np.ndarray:
        """`vectors` (dyads × k) as k flattened matrices, zero off the dyads."""
        size = len(next(iter(self.matrices.values())))
        placed = np.zeros((vectors.shape[1], size * size))
        placed[:, self.rows * size + self.cols] = vectors.T
        return placed

    def relabelled_dots(
        self, matrix: np.ndarray, orders: np.ndarray, placed: np.ndarray
    ) -> np.ndarray:
        """``relabelled(matrix, orders) @ vectors`` for ``placed = place(vectors)``.

        The dot products run over whole matrices, with zeros off the dyads: faster than
        gathering the dyads. Each relabelled matrix is made a block of rows at a time
        (:data:`ROW_BLOCK_VALUES`), which stays in the processor's cache while it meets
        every vector; each permutation's sums are its own, whatever the batch.
        """
        size = len(matrix)
        rows = max(1, ROW_BLOCK_VALUES // size)
        vectors = placed.reshape(len(placed), size, size)
        dots = np.zeros((len(orders), len(placed)))
        for p, order in enumerate(orders):
            for start in range(0, size, rows):
                block = np.take(matrix[order[start : start + rows]], order, axis=1)
                # einsum, not @: OpenBLAS's threads stall a hundredfold on a busy machine.
                dots[p] += np.einsum("in,kin->k", block, vectors[:, start : start + rows])
        return dots


def dyads(matrices: Mapping[str, Any], *, directed: bool | None, minimum: int) -> Dyads:
    """Check `matrices` (name → square matrix), line them up and choose the dyads.

    DataFrames are aligned on the labels of the first one; arrays are taken as they are.
    ``directed=None`` is directed when any matrix is asymmetric. Every used dyad must be a
    finite number, and there must be at least `minimum` dyads.
    """
    labels, arrays = _aligned(matrices)
    asymmetric = [name for name, m in arrays.items() if not np.array_equal(m, m.T, equal_nan=True)]
    if directed is None:
        directed = bool(asymmetric)
    elif not directed and asymmetric:
        raise ValueError(
            f"matrix {asymmetric[0]!r} is not symmetric but directed=False: symmetrise it "
            "or pass directed=True"
        )
    size = len(next(iter(arrays.values())))
    rows, cols = np.nonzero(~np.eye(size, dtype=bool) if directed else np.tri(size, k=-1))
    for name, m in arrays.items():
        _refuse_missing(name, m, rows, cols, labels)
    if len(rows) < minimum:
        raise ValueError(
            f"too few dyads: {size} nodes give {len(rows)} "
            f"{'ordered' if directed else 'unordered'} pairs, at least {minimum} are needed"
        )
    return Dyads(labels, arrays, directed, rows, cols)


def _aligned(matrices: Mapping[str, Any]) -> tuple[pd.Index | None, dict[str, np.ndarray]]:
    labels: pd.Index | None = None
    first = ""
    arrays: dict[str, np.ndarray] = {}
    for name, value in matrices.items():
        if isinstance(value, pd.DataFrame):
            own = _labels(name, value)
            if labels is None:
                labels, first = own, name
            elif not own.equals(labels) and set(own) != set(labels):
                raise ValueError(_label_mismatch(name, own, first, labels))
            value = value.loc[labels, labels]
        arrays[name] = _square(name, value)
    sizes = {name: len(m) for name, m in arrays.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(
            "matrices of different sizes: "
            + ", ".join(f"{name!r} {size}×{size}" for name, size in sizes.items())
        )
    return labels, arrays


def _labels(name: str, frame: pd.DataFrame) -> pd.Index:
    if frame.index.has_duplicates:
        twice = frame.index[frame.index.duplicated()][0]
        raise ValueError(f"matrix {name!r} has the row label {twice!r} more than once")
    if frame.columns.has_duplicates:
        twice = frame.columns[frame.columns.duplicated()][0]
        raise ValueError(f"matrix {name!r} has the column label {twice!r} more than once")
    if set(frame.index) != set(frame.columns):
        only_rows = [x for x in frame.index if x not in set(frame.columns)][:3]
        only_cols = [x for x in frame.columns if x not in set(frame.index)][:3]
        raise ValueError(
            f"matrix {name!r} must have the same labels on rows and columns: rows only "
            f"{only_rows}, columns only {only_cols}"
        )
    return frame.index


def _label_mismatch(name: str, own: pd.Index, first: str, labels: pd.Index) -> str:
    missing = [x for x in labels if x not in set(own)][:3]
    extra = [x for x in own if x not in set(labels)][:3]
    return (
        f"matrix {name!r} has other labels than {first!r}: it lacks {missing} and has "
        f"{extra} besides; build every matrix on the same nodes (nodes=...)"
    )


def _square(name: str, value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise ValueError(f"matrix {name!r} must be square, not of shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"matrix {name!r} must hold numbers, not {array.dtype}")
    return array.astype(float)


def _refuse_missing(
    name: str, m: np.ndarray, rows: np.ndarray, cols: np.ndarray, labels: pd.Index | None
) -> None:
    bad = ~np.isfinite(m[rows, cols])
    if bad.any():
        first = int(np.argmax(bad))
        where: tuple[Hashable, Hashable] = (int(rows[first]), int(cols[first]))
        if labels is not None:
            where = (labels[rows[first]], labels[cols[first]])
        raise ValueError(
            f"matrix {name!r} has {int(bad.sum())} missing or infinite dyad values, the "
            f"first at {where}: fill them (e.g. .fillna(0)) or leave those nodes out"
        )
