"""Dates as datasets and rosters write them: read exactly, or refused with the reason.

One reader for every date cell of the library (a dataset's ``since``/``until``/``founded``,
a roster's 报到时间, 结对时间, 成立时间), so that what one command accepts every command
reads the same way. Accepted, after width folding (NFKC) and trimming:

- a day: ``2023-03-01``, ``2023/3/1``, ``2023.3.1``, ``2023年3月1日``, ``20230301``,
  ``二〇二三年三月一日``, optionally followed by a midnight time (``00:00:00``, as
  spreadsheets write a date cell);
- a month: ``2023-03``, ``2023/3``, ``2019.3``, ``2023年3月``, ``二〇二三年三月``;
- a year: ``2023``, ``2023年``, ``二〇二三年``;
- an Excel date serial stored as a number (five digits, ``44986`` is 2023-03-01; the 1900
  date system Excel and WPS use by default).

A month or a year alone stands for its first day. Anything else is refused with the reason
(:func:`date_problem`): no such day (``2023-02-30``), ambiguous (``1/5/2023`` is 1 May or
5 January), or a form the library does not read (``Jan 5, 2023``), never replaced by
another date.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["DATE_FORMS", "date_problem", "parse_date", "parse_dates"]

#: The forms accepted, as a message shows them.
DATE_FORMS = (
    "2023-03-01, 2023/3/1, 2023.3.1, 2023年3月1日, 20230301, 2023-03, 2019.3, 2023年3月, "
    "2023, 二〇二三年三月, or an Excel date"
)
_TRIM = " \t\r\n\u3000\u00a0\u200b\ufeff"
_NUMERIC = re.compile(
    r"^(?P<year>\d{4})(?:\s*[-/.年]\s*(?P<month>\d{1,2})(?:\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?)?"
    r"\s*月?)?\s*年?(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
)
_COMPACT = re.compile(r"^(?P<year>\d{4})(?P<month>\d\d)(?P<day>\d\d)$")
_SERIAL = re.compile(r"^(?P<serial>\d{5})(?:\.0+)?$")
_AMBIGUOUS = re.compile(r"^\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}$")
# Chinese numerals: the year digit by digit (二〇二三), month and day in words (十二, 二十一).
_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0"}
_CHINESE = re.compile(
    r"^(?P<year>[〇零○一二三四五六七八九]{4})年(?:(?P<month>[一二三四五六七八九十]{1,3})月"
    r"(?:(?P<day>[一二三四五六七八九十]{1,3})[日号])?)?$"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 61 is 1900-03-01 (Excel counts 1900-02-29)


class _NotADateError(ValueError):
    """Why a text is no date."""


def _words(text: str) -> int:
    """十二 → 12, 二十一 → 21, 三十 → 30, 五 → 5; 0 for what is no such number (一二)."""
    tens, _, units = text.rpartition("十")
    if "十" not in text:
        return int(_DIGITS[text]) if len(text) == 1 else 0
    if len(tens) > 1 or len(units) > 1 or "十" in tens:
        return 0
    return (int(_DIGITS[tens]) if tens else 1) * 10 + (int(_DIGITS[units]) if units else 0)


def _day(year: int, month: int | None, day: int | None, text: str) -> dt.date:
    try:
        return dt.date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError:
        raise _NotADateError(f"没有这一天 / no such day: {text}") from None


def parse_date(text: str) -> dt.date:
    """The date a cell's text writes (a month or a year stands for its first day).

    Raises
    ------
    ValueError
        With the reason (:func:`date_problem`) where the text is no date.

    Examples
    --------
    >>> [parse_date(t).isoformat() for t in ("2019.3", "2023年3月1日", "二〇二三年三月", "44986")]
    ['2019-03-01', '2023-03-01', '2023-03-01', '2023-03-01']
    """
    folded = unicodedata.normalize("NFKC", text).strip(_TRIM)
    for pattern in (_NUMERIC, _COMPACT):
        found = pattern.match(folded)
        if found:
            parts = found.groupdict()
            month, day = parts["month"], parts["day"]
            return _day(
                int(parts["year"]), int(month) if month else None, int(day) if day else None, text
            )
    found = _CHINESE.match(folded)
    if found:
        parts = found.groupdict()
        year = int("".join(_DIGITS[c] for c in parts["year"]))
        month = _words(parts["month"]) if parts["month"] else None
        day = _words(parts["day"]) if parts["day"] else None
        return _day(year, month, day, text)
    found = _SERIAL.match(folded)
    if found:
        return _EXCEL_EPOCH + dt.timedelta(days=int(found["serial"]))
    if _AMBIGUOUS.match(folded):
        numbers = re.findall(r"\d+", folded)
        first, second, year = numbers
        readings = [
            f"{year}-{month:02d}-{day:02d}"
            for month, day in ((int(second), int(first)), (int(first), int(second)))
            if len(year) == 4 and month <= 12 and day <= 31
        ]
        shown = " or ".join(dict.fromkeys(readings)) or "year-month-day (2023-05-01)"
        raise _NotADateError(
            f"日期有歧义 / ambiguous: {text} puts the year last, and the order of day and "
            f"month is not known; write it as {shown}"
        )
    raise _NotADateError(
        f"无法识别的日期 / not a date form the library reads: {text}; use {DATE_FORMS}"
    )


def date_problem(text: str) -> str | None:
    """Why `text` is no date (bilingual), or ``None`` if it is one.

    Examples
    --------
    >>> date_problem("2023-02-30")
    '没有这一天 / no such day: 2023-02-30'
    >>> date_problem("2023-02-28") is None
    True
    >>> date_problem("1/5/2023").endswith("write it as 2023-05-01 or 2023-01-05")
    True
    """
    try:
        parse_date(text)
    except _NotADateError as error:
        return str(error)
    return None


def parse_dates(cells: pd.Series) -> pd.Series:
    """Parse date cells (:func:`parse_date`); ``NaN`` where a cell is no date.

    Each distinct text is read once. Returns ``datetime.date`` objects.

    Examples
    --------
    >>> parse_dates(pd.Series(["2023-02-28", "2020年2月", "2022", "soon"])).tolist()
    [datetime.date(2023, 2, 28), datetime.date(2020, 2, 1), datetime.date(2022, 1, 1), nan]
    """
    codes, uniques = pd.factorize(cells.astype(object))
    read = []
    for text in uniques:
        try:
            read.append(parse_date(text))
        except _NotADateError:
            read.append(np.nan)
    values = np.array([*read, np.nan], dtype=object)  # code -1 (a missing cell) → NaN
    return pd.Series(values[codes], index=cells.index, dtype=object)
