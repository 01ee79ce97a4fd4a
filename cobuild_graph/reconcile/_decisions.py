"""The decisions of a review: what the researcher decided, read back from the review
workbook or a CSV file, and the layout of the workbook both sides agree on.

The engine (:mod:`cobuild_graph.reconcile._engine`) applies what this module reads; the
workbook is written by :mod:`cobuild_graph.reconcile._review`, which knows the engine's
result. Neither of those two is imported here: the seam runs one way.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import pandas as pd

from cobuild_graph._sheets import read_sheets
from cobuild_graph.errors import Problems
from cobuild_graph.reconcile._names import resolve_kind
from cobuild_graph.schema import Schema, schema_or_default

#: The two decisions.
MERGE, KEEP_APART = "merge", "keep apart"
#: Columns of a decisions table (:func:`read_decisions`); ``reason`` is the reason the
#: workbook showed (blank in a CSV file without it); ``file`` and ``row`` say where each
#: decision was read.
DECISION_COLUMNS: tuple[str, ...] = (
    "kind",
    "name_a",
    "name_b",
    "decision",
    "reason",
    "file",
    "row",
)
#: Columns of a table of chosen canonical names (:func:`read_names`).
NAME_CHOICE_COLUMNS: tuple[str, ...] = (
    "kind",
    "id",
    "spellings",
    "name",
    "canonical",
    "file",
    "row",
)
#: The sheet of suggestions in the review workbook.
SHEET = "建议 suggestions"
#: The sheet of the spellings the rules merged, where 分开 undoes a rule merge.
RULE_SHEET = "规则合并 rule merges"
#: The sheet of entities written more than one way, where a canonical name is chosen.
NAMES_SHEET = "名称 names"
#: The reason of a row listing two spellings the rules merged; 分开 on it splits them.
RULE_REASON = "规则合并 rule merge"
#: The reason of a decided pair that was not suggested.
DECIDED_REASON = "研究者的决定 the researcher's decision"
#: Columns of the review workbook's sheet: (field, header). The header is Chinese, then
#: English; a decisions file may use either half, or the whole. The evidence of each name
#: (``evidence_a``, ``evidence_b``) is one line per attribute of its rows, each value with
#: how many rows give it (``单位类型 category: 事业单位 ×3、学校 ×1``), beside the other's.
REVIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "类型 kind"),
    ("name_a", "名称甲 name_a"),
    ("name_b", "名称乙 name_b"),
    ("evidence_a", "名称甲的属性 evidence_a"),
    ("evidence_b", "名称乙的属性 evidence_b"),
    ("score", "得分 score"),
    ("reason", "理由 reason"),
    ("decision", "决定 decision"),
    ("in_run", "本次出现 in this run"),
    ("rows_a", "名称甲出现于 rows_a"),
    ("rows_b", "名称乙出现于 rows_b"),
    ("id_a", "编号甲 id_a"),
    ("id_b", "编号乙 id_b"),
)
#: Columns of the names sheet: (field, header); the researcher writes ``canonical``.
NAME_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "类型 kind"),
    ("id", "编号 id"),
    ("spellings", "写法 spellings"),
    ("name", "导入所用名称 name"),
    ("canonical", "规范名称 canonical"),
    ("in_run", "本次出现 in this run"),
)
_READ = {
    MERGE: {"合并merge", "合并", "merge", "是", "同一", "yes", "y", "same"},
    KEEP_APART: {"分开keepapart", "分开", "keepapart", "apart", "否", "不同", "no", "n"},
}
_FOLD = re.compile(r"[\s_/\-]+")


def read_decisions(path: str | os.PathLike[str], *, schema: Schema | None = None) -> pd.DataFrame:
    """Read the decisions of a review workbook or a CSV file of decisions.

    Parameters
    ----------
    path
        A review workbook (:func:`~cobuild_graph.reconcile.write_review`: its sheets
        ``建议 suggestions``, or else the first sheet, and ``规则合并 rule merges``) or a CSV
        file (UTF-8 or GBK) with the columns ``kind``, ``name_a``, ``name_b``, ``decision``
        (headers as in the workbook, or either half of them).
    schema
        Gives the kinds.

    Returns
    -------
    pandas.DataFrame
        The decided rows, :data:`DECISION_COLUMNS`; ``decision`` is ``"merge"`` or
        ``"keep apart"``; ``row`` is the row number as a spreadsheet shows it. Rows left
        blank are not decisions and are left out, and so are rule merges (reason
        :data:`RULE_REASON`) left at 合并: that is the rule, not a decision.

    Raises
    ------
    ValidationError
        If a column is missing, a decision is neither merge nor keep apart, or a kind is
        unknown: every problem, with its row.
    """
    return read_review(path, schema=schema)[0]


def read_names(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the canonical names chosen in a review workbook's sheet ``名称 names``.

    Parameters
    ----------
    path
        A review workbook (:func:`~cobuild_graph.reconcile.write_review`); a file without
        that sheet (a CSV file of decisions) chooses none.

    Returns
    -------
    pandas.DataFrame
        One row per filled ``规范名称 canonical`` cell, :data:`NAME_CHOICE_COLUMNS`.

    Raises
    ------
    ValidationError
        If the sheet lacks the column ``编号 id`` or ``规范名称 canonical``.
    """
    return read_review(path)[1]


def read_review(
    path: str | os.PathLike[str], *, schema: Schema | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The decisions (:func:`read_decisions`) and the chosen canonical names
    (:func:`read_names`) of a review workbook or a CSV file, read once."""
    schema = schema_or_default(schema)
    path = Path(path)
    problems = Problems()
    sheets = read_sheets(path, problems)
    problems.raise_any("decisions")
    sheet = next((s for s in sheets if s.sheet == SHEET), sheets[0] if sheets else None)
    rows = sheet.rows if sheet is not None else []
    decisions = check_decisions(rows, origin=str(path), schema=schema)
    rules = next((s for s in sheets if s.sheet == RULE_SHEET), None)
    if rules is not None:
        more = check_decisions(rules.rows, origin=rules.where, schema=schema)
        decisions = pd.concat([decisions, more], ignore_index=True) if len(more) else decisions
    names = next((s for s in sheets if s.sheet == NAMES_SHEET), None)
    chosen = _check_names(names.rows, origin=names.where) if names is not None else None
    return decisions, chosen if chosen is not None else empty_names()


def empty_names() -> pd.DataFrame:
    """A table of chosen canonical names with none chosen."""
    return pd.DataFrame(columns=list(NAME_CHOICE_COLUMNS))


def check_decisions(
    rows: Sequence[tuple[int, list[str]]], *, origin: str, schema: Schema | None = None
) -> pd.DataFrame:
    """The decisions of a header row and data rows, each with its spreadsheet row number,
    or every problem in one error."""
    schema = schema_or_default(schema)
    problems = Problems()
    problem = partial(problems.add, origin)  # (row, column, value, message)

    header_row, header_cells = rows[0] if rows else (1, [])
    header = [_field(h, REVIEW_COLUMNS) for h in header_cells]
    for field in ("kind", "name_a", "name_b", "decision"):
        if field not in header:
            problem(
                header_row,
                field,
                None,
                f"缺少列 / the column {dict(REVIEW_COLUMNS)[field]} is missing",
            )
    problems.raise_any("decisions")
    fields = ("kind", "name_a", "name_b", "decision", "reason")
    at = {field: header.index(field) for field in fields if field in header}
    rule = _fold(RULE_REASON)
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
        elif decision == MERGE and _fold(cells.get("reason", "")) == rule:
            continue  # a rule merge left as the rule made it
        if resolve_kind(cells["kind"], schema) is None:
            problem(number, "kind", cells["kind"], "未知类型 / unknown kind")
        records.append({"reason": "", **cells, "decision": decision, "file": origin, "row": number})
    problems.raise_any("decisions")
    return pd.DataFrame(records, columns=list(DECISION_COLUMNS))


def _check_names(rows: Sequence[tuple[int, list[str]]], *, origin: str) -> pd.DataFrame:
    problems = Problems()
    header_row, header_cells = rows[0] if rows else (1, [])
    header = [_field(h, NAME_COLUMNS) for h in header_cells]
    for field in ("id", "canonical"):
        if field not in header:
            problems.add(
                origin,
                header_row,
                field,
                None,
                f"缺少列 / the column {dict(NAME_COLUMNS)[field]} is missing",
            )
    problems.raise_any("names")
    fields = [f for f in NAME_CHOICE_COLUMNS if f in header]
    at = {field: header.index(field) for field in fields}
    records = []
    for number, row in rows[1:]:
        cells = {f: (row[i] if i < len(row) else "").strip() for f, i in at.items()}
        if cells["canonical"]:
            records.append({**cells, "file": origin, "row": number})
    return pd.DataFrame(records, columns=list(NAME_CHOICE_COLUMNS))


def decisions_of(table: pd.DataFrame, *, schema: Schema | None = None) -> pd.DataFrame:
    """A decisions table given in code, checked as a file would be."""
    schema = schema_or_default(schema)
    columns = [c for c in table.columns if c not in {"file", "row"}]
    cells = [columns, *table[columns].astype(object).fillna("").astype(str).values.tolist()]
    return check_decisions(list(enumerate(cells, start=1)), origin="<decisions>", schema=schema)


def _fold(text: str) -> str:
    return _FOLD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _field(header: str, columns: Sequence[tuple[str, str]]) -> str | None:
    folded = unicodedata.normalize("NFKC", header).strip().casefold()
    for field, written in columns:
        if folded in {field, written.casefold(), *written.casefold().split()}:
            return field
    return None
