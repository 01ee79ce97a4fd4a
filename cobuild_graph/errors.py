"""The library's exceptions: one root, and classes that subclass the matching built-ins."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FILE",
    "PROBLEM_COLUMNS",
    "ROW",
    "CobuildGraphError",
    "DownloadError",
    "ExcelLimitError",
    "JavaNotFoundError",
    "Neo4jAuthError",
    "Neo4jConfigError",
    "Neo4jConnectionError",
    "Neo4jPermissionError",
    "NoTiesError",
    "NotFoundError",
    "OutputError",
    "PortInUseError",
    "Problems",
    "ServerError",
    "StoreError",
    "ValidationError",
    "format_problem",
    "problems_frame",
]

#: Columns of every problems table, in this order.
PROBLEM_COLUMNS: tuple[str, ...] = ("file", "row", "column", "value", "message")
#: Hidden columns the reader adds to every raw table: where each row came from (the row is
#: a spreadsheet row number, or the row of a DataFrame as validate_tables numbers it).
FILE, ROW = "_file", "_row"


class CobuildGraphError(Exception):
    """Root of every error raised by cobuild_graph."""


def problems_frame(problems: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Collect problem records into the problems table.

    Parameters
    ----------
    problems
        Mappings with the keys of :data:`PROBLEM_COLUMNS`; ``row`` is the row number as a
        spreadsheet shows it (the header is row 1), or ``None`` where no row applies.

    Returns
    -------
    pandas.DataFrame
        One problem per row, sorted by file, row and column, with a nullable integer ``row``.
    """
    frame = pd.DataFrame(list(problems), columns=list(PROBLEM_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    for name in ("file", "column", "value", "message"):
        column = frame[name].astype(object)
        frame[name] = column.where(column.notna(), None)
    return frame.sort_values(
        ["file", "row", "column"], na_position="first", kind="stable", key=_sort_key
    ).reset_index(drop=True)


def _sort_key(column: pd.Series) -> pd.Series:
    return column if column.name == "row" else column.astype(str)


class ValidationError(CobuildGraphError, ValueError):
    """A dataset or schema is invalid; :attr:`problems` lists every problem found.

    Parameters
    ----------
    problems
        The problems table (see :func:`problems_frame`).
    what
        What was being validated, for the message (``"dataset"``, ``"schema"`` ...).
    """

    def __init__(self, problems: pd.DataFrame, *, what: str = "dataset") -> None:
        self.problems = problems
        self.what = what
        super().__init__()

    def __str__(self) -> str:
        return self.report(limit=20)

    def report(self, *, limit: int | None = None) -> str:
        """The problems as readable lines, at most `limit` of them (all when ``None``)."""
        count = len(self.problems)
        zh = _WHAT_ZH.get(self.what, self.what)
        lines = [
            f"{zh}无效，{count} 个问题 / invalid {self.what}: {count} "
            f"problem{'s' if count != 1 else ''}"
        ]
        shown = self.problems if limit is None else self.problems.head(limit)
        lines += ["  " + format_problem(p) for p in shown.to_dict("records")]
        if count > len(shown):
            more = count - len(shown)
            lines.append(
                f"  …… 还有 {more} 个（见 .problems 表）/ ... and {more} more "
                "(see the .problems table)"
            )
        return "\n".join(lines)


#: What :class:`ValidationError` names, in Chinese.
_WHAT_ZH = {
    "dataset": "数据集",
    "schema": "schema ",
    "rosters": "名册",
    "graph": "图",
    "decisions": "合并决定",
    "names": "名称",
    "occurrences": "名称出现",
}


def format_problem(problem: Mapping[str, Any]) -> str:
    """One problem as a line, where it is in Chinese first:
    ``第 3 行，name 列 / file, row 3, column name: message 取值 (value: '...')``.

    Examples
    --------
    >>> format_problem(
    ...     {"file": "nodes.csv", "row": 3, "column": "name", "value": None, "message": "m"}
    ... )
    '第 3 行，name 列 / nodes.csv, row 3, column name: m'
    """
    where, zh = [str(problem["file"])], []
    if not pd.isna(problem["row"]):
        where.append(f"row {problem['row']}")
        zh.append(f"第 {problem['row']} 行")
    if problem["column"] is not None and not pd.isna(problem["column"]):
        where.append(f"column {problem['column']}")
        zh.append(f"{problem['column']} 列")
    text = ("，".join(zh) + " / " if zh else "") + ", ".join(where) + f": {problem['message']}"
    value = problem["value"]
    if value is not None and value != "" and not (isinstance(value, float) and pd.isna(value)):
        text += f" 取值 (value: {value!r})"
    return text


class ExcelLimitError(CobuildGraphError, ValueError):
    """Data that an Excel workbook cannot hold: a sheet of too many rows, a cell too long."""


class NoTiesError(CobuildGraphError, ValueError):
    """A measure is undefined on the graph it was given: the nodes it measures have no ties
    among themselves there (e.g. units in a roster's graph, tied only to communities); the
    message names the view to measure instead."""


class OutputError(CobuildGraphError, OSError):
    """An output that cannot be written (no permission, a full disk, a file where a folder
    is needed ...); the message names the path. Nothing is left half-written under it."""


def _storable(value: Any) -> Any:
    """`value`, a text's lone surrogates escaped.

    Examples
    --------
    >>> _storable("a\\ud800b"), _storable(3)
    ('a\\\\ud800b', 3)
    """
    if isinstance(value, str) and not value.isascii():
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


@dataclass
class Problems:
    """Collects problems as they are found, to raise them all in one :class:`ValidationError`.

    The one collector of the reader, the validator, the schema loader, the store's load
    plan, the roster import and the decision files. A file's own spelling of its columns
    (:meth:`spelled`) is how problems show them.
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(
        self, file: str | None, row: int | None, column: str | None, value: Any, message: str
    ) -> None:
        """Record one problem; `column` is canonical and is shown as the file spells it.

        Lone surrogates in the texts are written as escapes (``\\ud800``): no text column,
        file or terminal can hold them.
        """
        self.records.append(
            {
                "file": _storable(file),
                "row": row,
                "column": _storable(self.header(file, column)),
                "value": _storable(value),
                "message": _storable(message),
            }
        )

    def add_rows(
        self, table: pd.DataFrame, mask: np.ndarray | pd.Series, column: str, message: str
    ) -> None:
        """One problem per row of a raw table (with :data:`FILE` and :data:`ROW`) selected
        by `mask`, showing `column`'s cell."""
        hit = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hit):
            return
        files = table[FILE].to_numpy()[hit]
        rows = table[ROW].to_numpy()[hit]
        values = table[column].to_numpy()[hit]
        for file, row, value in zip(files, rows, values, strict=True):
            self.add(file, int(row), column, value, message)

    def spelled(self, file: str, headers: Mapping[str, str]) -> None:
        """Say how `file` spells each canonical column, for the problems found after."""
        self.headers[file] = dict(headers)

    def header(self, file: str | None, column: str | None) -> str | None:
        """`column` as `file` spells it."""
        if column is None:
            return None
        return self.headers.get(file, {}).get(column, column)

    def raise_any(self, what: str = "dataset") -> None:
        """Raise every problem recorded in one :class:`ValidationError`, if there is any."""
        if self.records:
            raise ValidationError(problems_frame(self.records), what=what)

    def __bool__(self) -> bool:
        return bool(self.records)


class StoreError(CobuildGraphError):
    """Neo4j refused an operation of the store, or a stored dataset is not as expected."""


class Neo4jConfigError(StoreError, ValueError):
    """The connection settings are incomplete or unsafe (no URI, a password in the URI ...)."""


class Neo4jConnectionError(StoreError, ConnectionError):
    """Neo4j cannot be reached: the server is down, the address is wrong, or it went away."""


class Neo4jAuthError(Neo4jConnectionError):
    """Neo4j refused the user name and password (the message never shows the password)."""


class Neo4jPermissionError(StoreError, PermissionError):
    """The Neo4j user may not do what the store asked (create constraints, write ...)."""


class NotFoundError(StoreError, LookupError):
    """The dataset, or the node asked for, is not stored in the Neo4j database."""


class ServerError(CobuildGraphError, RuntimeError):
    """The local Neo4j server (``cobuild-graph neo4j``) could not be fetched, started or stopped."""


class JavaNotFoundError(ServerError):
    """No Java 17 or newer to run the local Neo4j server with."""


class PortInUseError(ServerError):
    """The port asked for the local Neo4j server is taken by another program."""


class DownloadError(ServerError, ConnectionError):
    """Neo4j's jars could not be downloaded from Maven Central, or did not match their checksum."""
