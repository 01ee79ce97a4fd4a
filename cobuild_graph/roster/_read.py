"""Reading roster files into rows: every cell as text, merged cells filled, with file,
sheet and row.

CSV files are decoded as the dataset reader decodes them (UTF-8 with or without BOM, then
GB18030, which covers GBK); ``.xlsx`` is streamed with the dataset reader's own parser;
``.xls``, ``.ods`` and ``.et`` are read with python-calamine.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from cobuild_graph._encoding import DecodeError, decode_text
from cobuild_graph.io import (
    _UNREADABLE_BOOK,
    MAX_COLUMNS,
    _BadRecordError,
    _cell_text,
    _check_width,
    _csv_records,
    _delimiter,
    _fill_merged,
    _OverlapError,
    _sheet_cells,
    _TooWideError,
    _unreadable,
    _zip_problem,
)
from cobuild_graph.validate import Problems

logger = logging.getLogger(__name__)

#: Suffixes read as CSV text, as Excel workbooks, and through python-calamine.
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CALAMINE_SUFFIXES = (".xls", ".ods", ".et")
#: The most cells a sheet read through python-calamine may claim (its used range is
#: materialised whole).
MAX_SHEET_CELLS = 20_000_000
_TRIM = " \t\r\n\u3000\u00a0\u200b\ufeff"


@dataclass
class Sheet:
    """One sheet of a roster file (a CSV file is one sheet, named ``None``)."""

    file: str
    sheet: str | None
    #: (spreadsheet row, cells as texts from column A), only rows with a non-blank cell.
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def where(self) -> str:
        """How problems name it: the file, and the sheet of a workbook."""
        return self.file if self.sheet is None else f"{self.file} (sheet {self.sheet})"


def read_sheets(path: Path, problems: Problems, *, encoding: str | None = None) -> list[Sheet]:
    """Every sheet of a roster file; problems (unreadable file, undecodable text) recorded."""
    where = str(path)
    if not path.is_file():
        problems.add(where, None, None, None, "no such file / 文件不存在")
        return []
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            return _csv_sheet(path, problems, encoding)
        if suffix in XLSX_SUFFIXES:
            return _xlsx_sheets(path, problems)
        if suffix in CALAMINE_SUFFIXES:
            return _calamine_sheets(path, problems)
    except (_TooWideError, _BadRecordError) as error:
        problems.add(where, error.row, None, None, str(error))
        return []
    problems.add(
        where,
        None,
        None,
        None,
        "不支持的文件类型 / a roster is a .xlsx, .xls, .ods, .et or .csv file",
    )
    return []


def _csv_sheet(path: Path, problems: Problems, encoding: str | None) -> list[Sheet]:
    try:
        text, used = decode_text(path.read_bytes(), encoding=encoding)
    except DecodeError as error:
        problems.add(str(path), error.line, None, None, str(error))
        return []
    logger.debug("%s decoded as %s", path, used)
    delimiter = _delimiter(text)
    _check_width(text, delimiter)
    sheet = Sheet(str(path), None)
    for row, _line, cells in _csv_records(text, delimiter):
        if any(c.strip(_TRIM) for c in cells):
            sheet.rows.append((row, cells))
    return [sheet]


def _xlsx_sheets(path: Path, problems: Problems) -> list[Sheet]:
    refused = _zip_problem(path)
    if refused:
        problems.add(str(path), None, None, None, refused)
        return []
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _UNREADABLE_BOOK as error:
        problems.add(str(path), None, None, None, _unreadable(error))
        return []
    sheets = []
    try:
        for worksheet in book.worksheets:
            sheet = Sheet(str(path), worksheet.title)
            try:
                cells = _sheet_cells(book, worksheet)
            except _UNREADABLE_BOOK as error:
                problems.add(sheet.where, None, None, None, _unreadable(error, "sheet"))
                continue
            except _OverlapError as error:
                problems.add(sheet.where, error.row, None, error.ref, str(error))
                continue
            if _rows_of(sheet, cells, problems):
                sheets.append(sheet)
    finally:
        book.close()
    return sheets


def _calamine_sheets(path: Path, problems: Problems) -> list[Sheet]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with path.open("rb") as handle:
            book = CalamineWorkbook.from_filelike(handle)
    except (CalamineError, OSError, ValueError) as error:
        problems.add(str(path), None, None, None, _unreadable(error))
        return []
    sheets = []
    for name in book.sheet_names:
        sheet = Sheet(str(path), name)
        try:
            grid = book.get_sheet_by_name(name)
            if grid.height * grid.width > MAX_SHEET_CELLS:
                problems.add(
                    sheet.where,
                    None,
                    None,
                    None,
                    f"the sheet claims {grid.height:,} rows × {grid.width:,} columns, more than "
                    f"{MAX_SHEET_CELLS:,} cells: delete the rows and columns beyond its data, "
                    "or save it as .xlsx",
                )
                continue
            top, left = grid.start
            values = grid.to_python(skip_empty_area=True)
            merged = grid.merged_cell_ranges or []
        except (CalamineError, ValueError) as error:
            problems.add(sheet.where, None, None, None, _unreadable(error, "sheet"))
            continue
        cells: dict[int, dict[int, Any]] = {}
        for r, row in enumerate(values, start=top + 1):
            held = {c: v for c, v in enumerate(row, start=left + 1) if v not in (None, "")}
            if held:
                cells[r] = held
        refs = [
            f"{get_column_letter(a[1] + 1)}{a[0] + 1}:{get_column_letter(b[1] + 1)}{b[0] + 1}"
            for a, b in merged
        ]
        try:
            _fill_merged(cells, refs)
        except _OverlapError as error:
            problems.add(sheet.where, error.row, None, error.ref, str(error))
            continue
        if _rows_of(sheet, cells, problems):
            sheets.append(sheet)
    return sheets


def _rows_of(sheet: Sheet, cells: dict[int, dict[int, Any]], problems: Problems) -> bool:
    """Fill `sheet.rows` from a worksheet's cells; ``False`` if it is empty or too wide."""
    for number in sorted(cells):
        row = cells[number]
        widest = max(row)
        if widest > MAX_COLUMNS:
            problems.add(sheet.where, number, None, None, str(_TooWideError(number, widest)))
            return False
        texts = [_cell_text(row.get(c)) for c in range(1, widest + 1)]
        if any(t.strip(_TRIM) for t in texts):
            sheet.rows.append((number, texts))
    return bool(sheet.rows)
