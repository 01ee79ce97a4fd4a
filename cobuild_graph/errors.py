"""The library's exceptions: one root, and classes that subclass the matching built-ins."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

#: Columns of every problems table, in this order.
PROBLEM_COLUMNS: tuple[str, ...] = ("file", "row", "column", "value", "message")


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
        lines = [f"invalid {self.what}: {count} problem{'s' if count != 1 else ''}"]
        shown = self.problems if limit is None else self.problems.head(limit)
        lines += ["  " + format_problem(p) for p in shown.to_dict("records")]
        if count > len(shown):
            lines.append(f"  ... and {count - len(shown)} more (see the .problems table)")
        return "\n".join(lines)


def format_problem(problem: Mapping[str, Any]) -> str:
    """One problem as a line: ``file, row 3, column name: message (value: '...')``."""
    where = [str(problem["file"])]
    if not pd.isna(problem["row"]):
        where.append(f"row {problem['row']}")
    if problem["column"] is not None and not pd.isna(problem["column"]):
        where.append(f"column {problem['column']}")
    text = ", ".join(where) + f": {problem['message']}"
    value = problem["value"]
    if value is not None and value != "" and not (isinstance(value, float) and pd.isna(value)):
        text += f" (value: {value!r})"
    return text


class ExcelLimitError(CobuildGraphError, ValueError):
    """Data that an Excel workbook cannot hold: a sheet of too many rows, a cell too long."""


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
