"""The review workbook: suggestions out for the researcher, decisions back in."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cobuild_graph._files import EXCEL_MAX_CELL_CHARS, append_row, save_workbook
from cobuild_graph._sheets import read_sheets
from cobuild_graph.errors import Problems
from cobuild_graph.reconcile._names import resolve_kind, trimmed
from cobuild_graph.schema import ALIAS_SEPARATOR, Schema, schema_or_default

if TYPE_CHECKING:
    from cobuild_graph.reconcile._engine import Reconciliation

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
_WIDTHS = {"kind": 10, "score": 8, "decision": 16, "in_run": 12, "spellings": 48}
_WIDTHS |= dict.fromkeys(("name_a", "name_b", "name", "canonical"), 28)
_WIDTHS |= dict.fromkeys(("evidence_a", "evidence_b"), 36)
_WIDTHS |= dict.fromkeys(("reason", "rows_a", "rows_b"), 30)
#: How the review workbook says whether a row's names occur in this run.
IN_RUN = {True: "是 yes", False: "否 no"}
#: How each decision is written in the workbook, Chinese first.
WRITTEN = {MERGE: "合并 merge", KEEP_APART: "分开 keep apart"}
_READ = {
    MERGE: {"合并merge", "合并", "merge", "是", "同一", "yes", "y", "same"},
    KEEP_APART: {"分开keepapart", "分开", "keepapart", "apart", "否", "不同", "no", "n"},
}
_FOLD = re.compile(r"[\s_/\-]+")
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
    >>> from cobuild_graph.reconcile import reconcile
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


def read_decisions(path: str | os.PathLike[str], *, schema: Schema | None = None) -> pd.DataFrame:
    """Read the decisions of a review workbook or a CSV file of decisions.

    Parameters
    ----------
    path
        A review workbook (:func:`write_review`: its sheets ``建议 suggestions``, or else
        the first sheet, and ``规则合并 rule merges``) or a CSV file (UTF-8 or GBK) with
        the columns ``kind``, ``name_a``, ``name_b``, ``decision`` (headers as in the
        workbook, or either half of them).
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
        A review workbook (:func:`write_review`); a file without that sheet (a CSV file of
        decisions) chooses none.

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
