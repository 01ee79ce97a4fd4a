"""Reading roster files into rows: every cell as text, merged cells filled, with file,
sheet and row.

The files are read by :mod:`cobuild_graph._sheets`, as datasets are: CSV text decoded as
UTF-8 (with or without BOM), then GB18030 (which covers GBK); ``.xlsx`` streamed; ``.xls``,
``.ods`` and ``.et`` through python-calamine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cobuild_graph._sheets import (
    MAX_COLUMNS,
    TRIM,
    BadRecordError,
    TooWideError,
    calamine_cells,
    check_width,
    csv_delimiter,
    csv_records,
    decoded_text,
    open_calamine,
    open_xlsx,
    row_texts,
    xlsx_cells,
)
from cobuild_graph.validate import Problems

#: Suffixes read as CSV text, as Excel workbooks, and through python-calamine.
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CALAMINE_SUFFIXES = (".xls", ".ods", ".et")


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
    except (TooWideError, BadRecordError) as error:
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
    text = decoded_text(path, encoding, problems)
    if text is None:
        return []
    delimiter = csv_delimiter(text)
    check_width(text, delimiter)
    sheet = Sheet(str(path), None)
    for row, _line, cells in csv_records(text, delimiter):
        if any(c.strip(TRIM) for c in cells):
            sheet.rows.append((row, cells))
    return [sheet]


def _xlsx_sheets(path: Path, problems: Problems) -> list[Sheet]:
    book = open_xlsx(path, problems)
    if book is None:
        return []
    sheets = []
    try:
        for worksheet in book.worksheets:
            sheet = Sheet(str(path), worksheet.title)
            cells = xlsx_cells(book, worksheet, sheet.where, problems)
            if cells is not None and _rows_of(sheet, cells, problems):
                sheets.append(sheet)
    finally:
        book.close()
    return sheets


def _calamine_sheets(path: Path, problems: Problems) -> list[Sheet]:
    book = open_calamine(path, problems)
    if book is None:
        return []
    sheets = []
    for name in book.sheet_names:
        sheet = Sheet(str(path), name)
        cells = calamine_cells(book, name, sheet.where, problems)
        if cells is not None and _rows_of(sheet, cells, problems):
            sheets.append(sheet)
    return sheets


def _rows_of(sheet: Sheet, cells: dict[int, dict[int, Any]], problems: Problems) -> bool:
    """Fill `sheet.rows` from a worksheet's cells; ``False`` if it is empty or too wide."""
    for number in sorted(cells):
        row = cells[number]
        widest = max(row)
        if widest > MAX_COLUMNS:
            problems.add(sheet.where, number, None, None, str(TooWideError(number, widest)))
            return False
        texts = row_texts(row, widest)
        if any(t.strip(TRIM) for t in texts):
            sheet.rows.append((number, texts))
    return bool(sheet.rows)
