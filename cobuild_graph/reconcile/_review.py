"""The review workbook: suggestions out for the researcher, decisions back in."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pandas as pd
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from cobuild_graph._files import append_row, atomic_write
from cobuild_graph._sheets import read_sheets
from cobuild_graph.errors import Problems
from cobuild_graph.reconcile._names import resolve_kind
from cobuild_graph.schema import Schema, schema_or_default

if TYPE_CHECKING:
    from cobuild_graph.reconcile._engine import Reconciliation

#: The two decisions.
MERGE, KEEP_APART = "merge", "keep apart"
#: Columns of a decisions table (:func:`read_decisions`); ``file`` and ``row`` say where
#: each decision was read.
DECISION_COLUMNS: tuple[str, ...] = ("kind", "name_a", "name_b", "decision", "file", "row")
#: The sheet of suggestions in the review workbook.
SHEET = "建议 suggestions"
#: Columns of the review workbook's sheet: (field, header). The header is Chinese, then
#: English; a decisions file may use either half, or the whole.
REVIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "类型 kind"),
    ("name_a", "名称甲 name_a"),
    ("name_b", "名称乙 name_b"),
    ("score", "得分 score"),
    ("reason", "理由 reason"),
    ("decision", "决定 decision"),
    ("rows_a", "名称甲出现于 rows_a"),
    ("rows_b", "名称乙出现于 rows_b"),
    ("id_a", "编号甲 id_a"),
    ("id_b", "编号乙 id_b"),
)
#: How each decision is written in the workbook, Chinese first.
WRITTEN = {MERGE: "合并 merge", KEEP_APART: "分开 keep apart"}
_READ = {
    MERGE: {"合并merge", "合并", "merge", "是", "同一", "yes", "y", "same"},
    KEEP_APART: {"分开keepapart", "分开", "keepapart", "apart", "否", "不同", "no", "n"},
}
_FOLD = re.compile(r"[\s_/\-]+")
_HOW_TO = (
    "在“决定”列选择：合并（两个名称指同一组织）或 分开（不同组织）；留空表示尚未决定。",
    "Choose a decision per row: 合并 merge (the same organisation) or 分开 keep apart; "
    "leave it blank to decide later.",
    "保存后重新运行 / then run again with:  cobuild-graph import ... --aliases review.xlsx",
    "决定按规则名称匹配：同一名称的其他写法（全角/半角、空格、居委会）也适用。",
    "Decisions match names by rule key: other spellings the rules merge are covered too.",
    "请把此文件与数据放在一起，研究即可重复 / keep this file beside the data so the study "
    "can be repeated.",
)


def write_review(reconciliation: Reconciliation, path: str | os.PathLike[str]) -> Path:
    """Write the suggestions as a review workbook (``review.xlsx``) for the researcher.

    One row per suggestion: the kind, the two names, score, reason, a decision column
    with a drop-down (合并 merge / 分开 keep apart; filled where already decided), where
    each name occurs, and the two entity ids. Names are stored as text, never as a formula.

    Parameters
    ----------
    reconciliation
        What :func:`~cobuild_graph.reconcile.reconcile` returned.
    path
        Where to write the ``.xlsx`` file; it appears only when complete.

    Returns
    -------
    pathlib.Path
        `path`.

    Examples
    --------
    >>> import tempfile
    >>> from cobuild_graph.reconcile import reconcile
    >>> found = reconcile([{"name": "苏州市妇联", "kind": "unit"},
    ...                    {"name": "苏州市妇女联合会", "kind": "unit"}])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     review = write_review(found, Path(folder) / "review.xlsx")
    ...     read_decisions(review).empty  # nothing decided yet
    True
    """
    path = Path(path)
    suggestions = reconciliation.suggestions
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    append_row(sheet, [header for _, header in REVIEW_COLUMNS], row=1)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, record in enumerate(suggestions.to_dict("records"), start=2):
        values: list[Any] = []
        for field, _ in REVIEW_COLUMNS:
            value = record[field]
            if field == "decision":
                value = WRITTEN.get(value)
            elif field == "score":
                value = None if pd.isna(value) else float(value)
            values.append(value)
        append_row(sheet, values, row=number)
    column = "ABCDEFGHIJ"[[f for f, _ in REVIEW_COLUMNS].index("decision")]
    drop_down = DataValidation(
        type="list",
        formula1='"' + ",".join(WRITTEN.values()) + '"',
        allow_blank=True,
        showErrorMessage=False,
    )
    drop_down.add(f"{column}2:{column}{max(len(suggestions) + 1, 2) + 1000}")
    sheet.add_data_validation(drop_down)
    sheet.freeze_panes = "B2"
    for letter, width in zip("ABCDEFGHIJ", (10, 28, 28, 8, 30, 16, 30, 30, 22, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    notes = book.create_sheet("说明 how to")
    for number, line in enumerate(_HOW_TO, start=1):
        append_row(notes, [line], row=number)
    atomic_write(path, book.save)
    return path


def read_decisions(path: str | os.PathLike[str], *, schema: Schema | None = None) -> pd.DataFrame:
    """Read the decisions of a review workbook or a CSV file of decisions.

    Parameters
    ----------
    path
        A review workbook (:func:`write_review`, its sheet ``建议 suggestions`` or else the
        first sheet) or a CSV file (UTF-8 or GBK) with the columns ``kind``, ``name_a``,
        ``name_b``, ``decision`` (headers as in the workbook, or either half of them).
    schema
        Gives the kinds.

    Returns
    -------
    pandas.DataFrame
        The decided rows, :data:`DECISION_COLUMNS`; ``decision`` is ``"merge"`` or
        ``"keep apart"``; ``row`` is the row number as a spreadsheet shows it. Rows left
        blank are not decisions and are left out.

    Raises
    ------
    ValidationError
        If a column is missing, a decision is neither merge nor keep apart, or a kind is
        unknown: every problem, with its row.
    """
    schema = schema_or_default(schema)
    path = Path(path)
    problems = Problems()
    sheets = read_sheets(path, problems)
    problems.raise_any("decisions")
    sheet = next((s for s in sheets if s.sheet == SHEET), sheets[0] if sheets else None)
    rows = sheet.rows if sheet is not None else []
    return check_decisions(rows, origin=str(path), schema=schema)


def check_decisions(
    rows: Sequence[tuple[int, list[str]]], *, origin: str, schema: Schema | None = None
) -> pd.DataFrame:
    """The decisions of a header row and data rows, each with its spreadsheet row number,
    or every problem in one error."""
    schema = schema_or_default(schema)
    problems = Problems()
    problem = partial(problems.add, origin)  # (row, column, value, message)

    header_row, header_cells = rows[0] if rows else (1, [])
    header = [_field(h) for h in header_cells]
    for field in ("kind", "name_a", "name_b", "decision"):
        if field not in header:
            problem(
                header_row,
                field,
                None,
                f"缺少列 / the column {dict(REVIEW_COLUMNS)[field]} is missing",
            )
    problems.raise_any("decisions")
    at = {field: header.index(field) for field in ("kind", "name_a", "name_b", "decision")}
    records = []
    for number, row in rows[1:]:
        cells = {f: (row[i] if i < len(row) else "").strip() for f, i in at.items()}
        if not cells["decision"]:
            continue
        decision = next(
            (d for d, spellings in _READ.items() if _fold(cells["decision"]) in spellings), None
        )
        if decision is None:
            problem(number, "decision", cells["decision"],
                    "未知决定 / unknown decision: write 合并 merge or 分开 keep apart")  # fmt: skip
        if resolve_kind(cells["kind"], schema) is None:
            problem(number, "kind", cells["kind"], "未知类型 / unknown kind")
        records.append({**cells, "decision": decision, "file": origin, "row": number})
    problems.raise_any("decisions")
    return pd.DataFrame(records, columns=list(DECISION_COLUMNS))


def decisions_of(table: pd.DataFrame, *, schema: Schema | None = None) -> pd.DataFrame:
    """A decisions table given in code, checked as a file would be."""
    schema = schema_or_default(schema)
    columns = [c for c in table.columns if c not in {"file", "row"}]
    cells = [columns, *table[columns].astype(object).fillna("").astype(str).values.tolist()]
    return check_decisions(list(enumerate(cells, start=1)), origin="<decisions>", schema=schema)


def _fold(text: str) -> str:
    return _FOLD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _field(header: str) -> str | None:
    folded = unicodedata.normalize("NFKC", header).strip().casefold()
    for field, written in REVIEW_COLUMNS:
        if folded in {field, written.casefold(), *written.casefold().split()}:
            return field
    return None
