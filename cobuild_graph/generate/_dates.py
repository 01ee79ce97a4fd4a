"""Tie dates from 2017 to 2024, drawn in bulk as day offsets from 2017-01-01.

Ties to a street or community never start before 2017-01-01, so that time slices show
growth; :func:`until_days` ends a few of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

#: The first day of a tie's dates.
START = date(2017, 1, 1)
#: The last day of a tie's dates, and the date of every generated dataset.
END = date(2024, 12, 31)
_DAYS = np.array([START + timedelta(days=d) for d in range((END - START).days + 1)], object)
YEARS = np.arange(2017, 2025)
#: Day offset of 1 January of each year from 2017 to 2025.
YEAR_START = np.array([(date(y, 1, 1) - START).days for y in range(2017, 2026)])


def day_of(d: date) -> int:
    """Day offset of `d` from 2017-01-01.

    Examples
    --------
    >>> day_of(date(2020, 6, 30))
    1276
    """
    return (d - START).days


def days_by_year(
    rng: np.random.Generator,
    n: int,
    year_weights: Sequence[float],
    *,
    first: date = START,
    last: date = END,
) -> np.ndarray:
    """Day offsets (from 2017-01-01): a year by weight (2017 first), a day within it."""
    w = np.asarray(year_weights, float)
    years = YEARS[: len(w)]
    lo = np.array([max(day_of(date(y, 1, 1)), day_of(first)) for y in years])
    hi = np.array([min(day_of(date(y, 12, 31)), day_of(last)) for y in years])
    w = np.where(hi >= lo, w, 0.0)
    pick = rng.choice(len(w), size=n, p=w / w.sum())
    return lo[pick] + (rng.random(n) * (hi[pick] - lo[pick] + 1)).astype(np.int64)


def days_between(rng: np.random.Generator, n: int, first: date, last: date) -> np.ndarray:
    """`n` day offsets drawn evenly from `first` to `last`, both included."""
    return day_of(first) + rng.integers(0, day_of(last) - day_of(first) + 1, size=n)


def until_days(
    rng: np.random.Generator, since: np.ndarray, share: float, not_before: date = START
) -> np.ndarray:
    """An ``until`` day for a `share` of the ties, a year after `since` at the earliest; -1
    for the others and for ties too young to have ended by the end of 2024."""
    first = np.maximum(since + 365, day_of(not_before))
    ends = (rng.random(len(since)) < share) & (first < day_of(END))
    span = np.maximum(day_of(END) - first, 1)
    return np.where(ends, first + (rng.random(len(since)) * span).astype(np.int64), -1)


def as_dates(days: np.ndarray) -> np.ndarray:
    """Day offsets to ``datetime.date`` objects; negative offsets to ``None``."""
    out = _DAYS[np.clip(days, 0, len(_DAYS) - 1)]
    out[days < 0] = None
    return out
