"""Years: which year a roster describes, and ties over several years as since / until."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")


def year_in(text: str | None) -> int | None:
    """The first plausible four-digit year (1950–2099) in `text`, or ``None``.

    Examples
    --------
    >>> year_in("2022年报到名册.xlsx"), year_in("名册（２０２３）"), year_in("共 12025 人")
    (2022, 2023, None)
    """
    if not text:
        return None
    found = _YEAR.search(unicodedata.normalize("NFKC", text))
    return int(found.group()) if found else None


def sheet_year(
    file: str,
    sheet: str | None,
    titles: Iterable[str],
    given: int | Mapping[str, int] | None,
) -> int | None:
    """A roster sheet's year: `given` (one year, or per file by path or file name), else
    a year in the sheet name, the title rows above the header, or the file name."""
    if isinstance(given, int):
        return given
    if given:
        path = Path(file)
        for key, year in given.items():
            if Path(key) == path or key == path.name or Path(key).name == path.name:
                return int(year)
    for text in (sheet, *titles, Path(file).name):
        if (year := year_in(text)) is not None:
            return year
    return None


def tie_span(
    years: set[int], dates: list[dt.date], roster_years: set[int]
) -> tuple[dt.date | None, dt.date | None]:
    """A tie's (since, until): since is its earliest own date, else 1 January of the first
    year it appears in; until is 31 December of the last year it appears in, when a roster
    of a later year (of the same kind) lacks it."""
    since = min(dates) if dates else (dt.date(min(years), 1, 1) if years else None)
    until = None
    if years and roster_years and max(roster_years) > max(years):
        until = dt.date(max(years), 12, 31)
    return since, until
