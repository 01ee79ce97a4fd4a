"""The sizes a dataset comes in: the named scales, and how one is read and shared out.

A scale says how many cities a dataset holds and how large the synthetic ones are, relative
to the Suzhou sample; :func:`resolve_scale` reads a name or a number as a :class:`Scale`,
:func:`city_sizes` draws the size of each synthetic city.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Scale:
    """A dataset size for :func:`generate`.

    Parameters
    ----------
    cities
        How many cities the dataset holds, each under its own ``City`` node.
    size
        Size of a synthetic city relative to the Suzhou sample (626 urban communities); in a
        dataset of several cities, the mean size of the synthetic ones.
    suzhou
        Whether the first city is the Suzhou sample with the real rows.
    description
        What the scale is for, written into the metadata.
    """

    cities: int
    size: float
    suzhou: bool
    description: str


#: The named scales. A number passed as ``scale`` means one synthetic city that many times
#: the size of the sample.
SCALES: dict[str, Scale] = {
    "tiny": Scale(1, 0.06, False, "one small synthetic city (a few hundred nodes), for tests"),
    "sample": Scale(1, 1.0, True, "Suzhou: the real rows filled to the article's scale"),
    "city": Scale(1, 3.0, False, "one synthetic city three times the size of the sample"),
    "province": Scale(
        40, 3.4, True, "Suzhou followed by 39 synthetic cities: a benchmark at province scale"
    ),
}


def resolve_scale(scale: str | float) -> tuple[str | float, Scale]:
    """The label of `scale` for the metadata, and its :class:`Scale`: a name or a number."""
    if isinstance(scale, str):
        if scale not in SCALES:
            raise ValueError(
                f"unknown scale {scale!r}; use one of {', '.join(SCALES)} or a positive number"
            )
        return scale, SCALES[scale]
    if (
        isinstance(scale, int | float | np.integer | np.floating)
        and not isinstance(scale, bool)
        and math.isfinite(scale)
        and scale > 0
    ):
        return float(scale), Scale(
            1, float(scale), False, f"one synthetic city {scale} × the sample"
        )
    raise ValueError(
        f"scale must be one of {', '.join(SCALES)} or a positive number, not {scale!r}"
    )


def city_sizes(rng: np.random.Generator, spec: Scale) -> np.ndarray:
    """Sizes of the synthetic cities: lognormal, scaled to a mean of ``spec.size``."""
    n = spec.cities - int(spec.suzhou)
    shares = rng.lognormal(0.0, 0.5, n)
    return spec.size * shares * n / shares.sum() if n > 1 else np.full(n, spec.size)
