"""The review workbook written: a reconciliation's suggestions, rule merges and names, for
the researcher to decide. What is decided comes back through
:mod:`cobuild_graph.reconcile._decisions`, whose layout this module writes."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cobuild_graph._files import EXCEL_MAX_CELL_CHARS, append_row, save_workbook
from cobuild_graph.reconcile._decisions import (
    DECIDED_REASON,
    KEEP_APART,
    MERGE,
    NAME_COLUMNS,
    NAMES_SHEET,
    REVIEW_COLUMNS,
    RULE_SHEET,
    SHEET,
)
from cobuild_graph.reconcile._engine import Reconciliation
from cobuild_graph.reconcile._names import trimmed
from cobuild_graph.schema import ALIAS_SEPARATOR

_WIDTHS = {"kind": 10, "score": 8, "decision": 16, "in_run": 12, "spellings": 48}
_WIDTHS |= dict.fromkeys(("name_a", "name_b", "name", "canonical"), 28)
_WIDTHS |= dict.fromkeys(("evidence_a", "evidence_b"), 36)
_WIDTHS |= dict.fromkeys(("reason", "rows_a", "rows_b"), 30)
#: How the review workbook says whether a row's names occur in this run.
IN_RUN = {True: "是 yes", False: "否 no"}
#: How each decision is written in the workbook, Chinese first.
WRITTEN = {MERGE: "合并 merge", KEEP_APART: "分开 keep apart"}
_WRAP = Alignment(wrap_text=True, vertical="top")
_HOW_TO = (
    "在“决定”列选择：合并（两个名称指同一组织）或 分开（不同组织）；留空表示尚未决定。",
    "Choose a decision per row: 合并 merge (the same organisation) or 分开 keep apart; "
    "leave it blank to decide later.",
    "保存后重新运行 / then run again with:  cobuild-graph import ... --aliases review.xlsx",
    "决定按规则名称匹配：同一名称的其他写法（全角/半角、空格、居委会）也适用。",
    "Decisions match names by rule key: other spellings the rules merge are covered too.",
    "理由为“规则合并”的行列出规则合并的写法；改为 分开 即把名称乙拆为单独的实体。",
    "Rows with the reason 规则合并 rule merge list spellings the rules merged; 分开 keep apart "
    "on one splits the spelling 名称乙 name_b into an entity of its own.",
    "“属性”两列并列两个名称在名册中的单位类型、党员人数、时间、所在地及行数。",
    "The evidence columns show each name's attributes in the rosters, with how many rows give "
    "each value.",
    "“本次出现”为 否 的决定涉及本次名册中没有的名称：保留，名称再出现时重新适用。",
    "Decisions whose names are not in this run (本次出现 否 no) are kept and apply again when "
    "the names come back.",
    "在“名称 names”表的“规范名称”列写入某一写法，即以它为该实体的名称。",
    "In the sheet 名称 names, write one of an entity's spellings under 规范名称 canonical to make "
    "it the entity's name.",
    "请把此文件与数据放在一起，研究即可重复 / keep this file beside the data so the study "
    "can be repeated.",
)


def write_review(
    reconciliation: Reconciliation,
    path: str | os.PathLike[str],
    *,
    sheets: Mapping[str, Sequence[Sequence[Any]]] | None = None,
    notes: Sequence[str] = (),
) -> Path:
    """Write the suggestions as a review workbook (``review.xlsx``) for the researcher.

    Sheet ``建议 suggestions`` (:data:`REVIEW_COLUMNS`): one row per suggestion, the kind,
    the two names and the evidence of each (its rows' attributes side by side), score,
    reason, a decision column with a drop-down (合并 merge / 分开 keep apart; filled where
    already decided), whether the names occur in this run, where each name occurs, and the
    two entity ids. Below the suggestions, every decision read whose names are not in this
    run (本次出现 否 no), kept so that they apply again when the names come back.

    Sheet ``规则合并 rule merges``, the same columns: the spellings the rules merged
    (reason :data:`RULE_REASON`), decided 合并 unless a decision keeps them apart; 分开 on
    a row splits the spelling of ``名称乙 name_b`` into an entity of its own.

    Sheet ``名称 names`` (:data:`NAME_COLUMNS`): one row per entity written more than one
    way (or with a canonical name chosen): its spellings, the name the import uses, and a
    ``规范名称 canonical`` cell for the researcher; choices for entities not in this run
    are kept. Names are stored as text, never as a formula.

    Parameters
    ----------
    reconciliation
        What :func:`~cobuild_graph.reconcile.reconcile` returned.
    path
        Where to write the ``.xlsx`` file; it appears only when complete.
    sheets
        More sheets for the researcher, by title: a header row, then the rows (the roster
        import's conflicts, say). Their cells are written as text or numbers, never as
        formulas.
    notes
        More lines for the how-to sheet, about those sheets.

    Returns
    -------
    pathlib.Path
        `path`.

    Examples
    --------
    >>> import tempfile
    >>> from cobuild_graph.reconcile import read_decisions, reconcile
    >>> found = reconcile([{"name": "苏州市妇联", "kind": "unit"},
    ...                    {"name": "苏州市妇女联合会", "kind": "unit"}])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     review = write_review(found, Path(folder) / "review.xlsx")
    ...     read_decisions(review).empty  # nothing decided yet
    True
    """
    path = Path(path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    records = [{**r, "in_run": True} for r in reconciliation.suggestions.to_dict("records")]
    absent = reconciliation.decisions[~reconciliation.decisions["in_run"].astype(bool)]
    absent = absent.drop_duplicates(["kind", "name_a", "name_b", "decision"])
    records += [
        {**r, "reason": r["reason"] or DECIDED_REASON, "in_run": False}
        for r in absent.to_dict("records")
    ]
    _write_decided(sheet, records)
    rules = reconciliation.rule_merges.to_dict("records")
    _write_decided(book.create_sheet(RULE_SHEET), [{**r, "in_run": True} for r in rules])
    names = book.create_sheet(NAMES_SHEET)
    _write_table(names, NAME_COLUMNS, _name_rows(reconciliation), wrapped=("spellings",))
    names.freeze_panes = "C2"
    for title, rows in (sheets or {}).items():
        extra = book.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            append_row(extra, list(row), row=number)
        for cell in extra[1]:
            cell.font = Font(bold=True)
        extra.freeze_panes = "A2"
    how_to = book.create_sheet("说明 how to")
    for number, line in enumerate((*_HOW_TO, *notes), start=1):
        append_row(how_to, [line], row=number)
    save_workbook(book, path)
    return path


def _write_decided(sheet: Any, records: Sequence[dict[str, Any]]) -> None:
    """A sheet of pairs to decide, with the decision's drop-down."""
    _write_table(sheet, REVIEW_COLUMNS, records, wrapped=("evidence_a", "evidence_b"))
    column = get_column_letter([f for f, _ in REVIEW_COLUMNS].index("decision") + 1)
    drop_down = DataValidation(
        type="list",
        formula1='"' + ",".join(WRITTEN.values()) + '"',
        allow_blank=True,
        showErrorMessage=False,
    )
    drop_down.add(f"{column}2:{column}{len(records) + 1001}")
    sheet.add_data_validation(drop_down)
    sheet.freeze_panes = "B2"


def _name_rows(reconciliation: Reconciliation) -> list[dict[str, Any]]:
    """The names sheet: entities spelt more than one way or given a canonical name, then
    the choices for entities not in this run."""
    choices = reconciliation.names
    chosen = choices[choices["in_run"].astype(bool)].drop_duplicates("id")
    canonical = dict(zip(chosen["id"], chosen["canonical"], strict=True))
    entities = reconciliation.entities
    many = entities[entities["spellings"].map(len) > 1]
    rows = [
        {
            "kind": kind,
            "id": id_,
            "spellings": ALIAS_SEPARATOR.join(spellings),
            "name": name,
            "canonical": canonical.get(id_),
            "in_run": True,
        }
        for id_, kind, name, spellings in zip(
            many.index, many["kind"], many["name"], many["spellings"], strict=True
        )
        if id_ in canonical or len({trimmed(s) for s in spellings}) > 1
    ]
    absent = choices[~choices["in_run"].astype(bool)].drop_duplicates(["id", "canonical"])
    rows += [{**r, "in_run": False} for r in absent.to_dict("records")]
    return rows


def _write_table(
    sheet: Any,
    columns: Sequence[tuple[str, str]],
    records: Sequence[dict[str, Any]],
    *,
    wrapped: Sequence[str] = (),
) -> None:
    append_row(sheet, [header for _, header in columns], row=1)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, record in enumerate(records, start=2):
        values: list[Any] = []
        for field, _ in columns:
            value = record.get(field)
            if field == "decision":
                value = WRITTEN.get(value)
            elif field == "in_run":
                value = IN_RUN[bool(value)]
            elif field == "score":
                value = None if value is None or pd.isna(value) else float(value)
            elif field in wrapped and value:
                value = _fit(value)
            elif value == "" or (isinstance(value, float) and pd.isna(value)):
                value = None
            values.append(value)
        append_row(sheet, values, row=number)
    fields = [f for f, _ in columns]
    for field in wrapped:
        at = fields.index(field) + 1
        for (cell,) in sheet.iter_rows(min_row=2, min_col=at, max_col=at):
            cell.alignment = _WRAP
    for index, field in enumerate(fields, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(field, 22)


def _fit(text: str) -> str:
    """`text`, cut to what an Excel cell holds (for listings, never for a name)."""
    if len(text) <= EXCEL_MAX_CELL_CHARS:
        return text
    return text[: EXCEL_MAX_CELL_CHARS - 2] + " …"
