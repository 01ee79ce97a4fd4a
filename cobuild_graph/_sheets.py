"""Reading cells from CSV text and spreadsheet files, bounded by their real content.

The one place that turns a file into cells, for the dataset reader (:mod:`cobuild_graph.io`)
and the roster reader (:mod:`cobuild_graph.roster`):

- text files: decoded (:func:`decoded_text`), split into records by the csv module
  (:func:`csv_records`) or by Arrow when they are well formed (:func:`csv_frame`), with
  the width of a record checked before any list of its cells is made
  (:func:`check_width`);
- ``.xlsx`` workbooks: the zip archive judged first (:func:`zip_problem`: no workbook, a
  zip bomb), then each worksheet streamed, keeping only the cells it holds and filling
  merged ranges (:func:`open_xlsx`, :func:`xlsx_cells`);
- ``.xls``, ``.ods`` and ``.et`` files through python-calamine (:func:`open_calamine`,
  :func:`calamine_cells`), their claimed size bounded;
- a cell's value as the text a user sees (:func:`cell_text`, :func:`row_texts`);
- a whole file of any of these kinds as its sheets' non-blank rows (:func:`read_sheets`),
  for rosters and decision files.

A worksheet's cells are ``{row: {column: value}}``, both 1-based; rows and cells the sheet
does not hold are absent. Problems a caller can report go into its
:class:`~cobuild_graph.validate.Problems`; the errors of this module carry the row.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.escape import unescape
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from cobuild_graph._encoding import DecodeError, decode_text
from cobuild_graph._files import EXCEL_MAX_CELL_CHARS, XML_ILLEGAL
from cobuild_graph._gc import gc_paused
from cobuild_graph.errors import Problems

#: The private names of openpyxl this module uses (its streaming worksheet parser and what
#: a read-only workbook and worksheet hand it): ``module.name``, or ``book.`` / ``sheet.``
#: for an attribute of a read-only workbook / worksheet. While there are any, pyproject.toml
#: pins openpyxl below its next minor version, and tests/test_dependencies.py checks each.
OPENPYXL_PRIVATE: tuple[str, ...] = (
    "openpyxl.worksheet._read_only.ReadOnlyWorksheet",
    "openpyxl.worksheet._reader.WorkSheetParser",
    "openpyxl.worksheet._reader.FORMULA_TAG",
    "openpyxl.worksheet._reader.VALUE_TAG",
    "book._archive",
    "book._sheets",
    "book._date_formats",
    "book._timedelta_formats",
    "sheet._worksheet_path",
)

logger = logging.getLogger(__name__)

#: The most columns a table may have; a row with more cells is refused, not read.
MAX_COLUMNS = 1_000
#: The most characters one cell may hold: Excel's own limit, for CSV files too.
MAX_CELL_CHARACTERS = EXCEL_MAX_CELL_CHARS
#: The most cells a sheet read through python-calamine may claim (its used range is
#: materialised whole).
MAX_SHEET_CELLS = 20_000_000
#: What trimming a cell removes: whitespace, the ideographic space, no-break and
#: zero-width spaces, a stray byte-order mark.
TRIM = " \t\r\n\u3000\u00a0\u200b\ufeff"
# A workbook part that expands more than this many times is refused (as Apache POI does):
# zip bombs do, Excel's files do not. Parts that expand to under a mebibyte are not judged.
_MAX_INFLATE_RATIO = 100
_INFLATE_CHECKED_BYTES = 1 << 20


class TooWideError(Exception):
    """A row with more cells than a table may have columns."""

    def __init__(self, row: int, count: int) -> None:
        super().__init__(
            f"{count:,} 列，表格最多 {MAX_COLUMNS:,} 列 / "
            f"{count:,} columns: a table has at most {MAX_COLUMNS:,} columns; "
            "delete the columns (or stray cells) beyond its data"
        )
        self.row = row


class BadRecordError(Exception):
    """A CSV record that the csv module cannot read (a cell too long for it, say)."""

    def __init__(self, message: str, row: int, column: int | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.column = column


class OverlapError(Exception):
    """Merged ranges that overlap, which Excel never writes, would fill cells again."""

    def __init__(self, ref: str, row: int) -> None:
        super().__init__(
            "合并单元格相互重叠，请取消合并 / merged cells overlap other merged cells: unmerge them"
        )
        self.ref = ref
        self.row = row


class UnsavedFormulaError(Exception):
    """Formula cells saved without their value (by a script, or linking another file)."""

    def __init__(self, cells: list[tuple[int, int, str | None]]) -> None:
        super().__init__(UNSAVED_FORMULA)
        self.cells = cells  # (row, column, formula)


UNSAVED_FORMULA = (
    "公式没有保存的值 / a formula without a saved value: open and save the file in Excel/WPS, "
    "or paste values"
)


def illegal_message(char: str, subject: tuple[str, str] = ("", "")) -> str:
    """The problem of a cell holding `char`, a character of :data:`XML_ILLEGAL`; `subject`
    (Chinese, English) names what holds it when that is not the cell.

    Examples
    --------
    >>> illegal_message("\\ud800").split(" / ")[1].split(" (")[0]
    'holds U+D800, a lone surrogate'
    >>> illegal_message("\\x01", ("键", "the key ")).split("，")[0]
    '键含有控制字符 U+0001'
    """
    zh, en = subject
    if "\ud800" <= char <= "\udfff":
        return (
            f"{zh}含有无效的 Unicode 字符 U+{ord(char):04X}，请重新输入 / {en}holds "
            f"U+{ord(char):04X}, a lone surrogate (invalid Unicode: half of a character, "
            "which no file can store): retype the text"
        )
    return (
        f"{zh}含有控制字符 U+{ord(char):04X}，请删除 / {en}holds the control character "
        f"U+{ord(char):04X}, which Excel, GraphML and GEXF cannot store: delete it (tab and "
        "line breaks are fine)"
    )


def too_long_message(length: int, subject: tuple[str, str] = ("单元格", "a cell")) -> str:
    """The problem of a cell of `length` characters, more than :data:`MAX_CELL_CHARACTERS`;
    `subject` (Chinese, English) names what is that long when that is not a cell."""
    zh, en = subject
    return (
        f"{zh}有 {length:,} 个字符，超过 {MAX_CELL_CHARACTERS:,} 的上限 / {en} of {length:,} "
        f"characters: a cell holds at most {MAX_CELL_CHARACTERS:,} (as in Excel); shorten it "
        "or keep long texts in a file of their own"
    )


# -- text files -------------------------------------------------------------------------


def decoded_text(file: Path, encoding: str | None, problems: Problems) -> str | None:
    """The file's text; ``None`` (and a problem) if it cannot be decoded."""
    try:
        text, used = decode_text(file.read_bytes(), encoding=encoding)
    except DecodeError as error:
        problems.add(str(file), error.line, None, None, str(error))
        return None
    logger.debug("%s decoded as %s", file, used)
    return text


def csv_delimiter(text: str) -> str:
    """Tab for tab-separated text (Excel's "Unicode text"), else comma, from the first line.

    Examples
    --------
    >>> csv_delimiter("名称\\t地址\\n"), csv_delimiter("id,label\\n")
    ('\\t', ',')
    """
    first_line = text[: text.find("\n")] if "\n" in text[:65536] else text[:65536]
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def check_width(text: str, delimiter: str) -> None:
    """Raise :class:`TooWideError` for the first record of `text` with too many cells.

    Counts delimiters outside quoted cells with whole-text operations, so a huge header
    line costs a scan, not a list of millions of cells.
    """
    if text.count(delimiter) < MAX_COLUMNS:
        return
    if '"' in text:
        text = _quoted_cells(delimiter).sub("", text)  # a record's line breaks go with them
    row, start = 1, 0
    for line_break in (*_LINE_BREAK.finditer(text), None):
        end = len(text) if line_break is None else line_break.start()
        count = text.count(delimiter, start, end) + 1
        if count > MAX_COLUMNS:
            raise TooWideError(row, count)
        row, start = row + 1, end if line_break is None else line_break.end()


@functools.cache
def _quoted_cells(delimiter: str) -> re.Pattern[str]:
    """Quoted cells: a quote where a cell starts, up to its closing quote (``""`` inside)."""
    d = re.escape(delimiter)
    return re.compile(rf'(?<![^{d}\r\n])"[^"]*(?:""[^"]*)*(?:"|\Z)')


@functools.cache
def _one_cell(delimiter: str) -> re.Pattern[str]:
    """One cell as the csv module reads it: an optional quoted start, then up to the next
    delimiter or line break."""
    d = re.escape(delimiter)
    return re.compile(rf'(?:"[^"]*(?:""[^"]*)*(?:"|\Z))?[^{d}\r\n]*')


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def csv_records(text: str, delimiter: str) -> Iterator[tuple[int, int, list[str]]]:
    """(spreadsheet row, last physical line, cells) of each record.

    A spreadsheet counts records, not lines: a cell with a line break stays in one row.

    Raises
    ------
    BadRecordError
        For a record the csv module cannot read, with its row (and the column of a cell
        too long to read).

    Examples
    --------
    >>> list(csv_records('id,name\\n1,"沧浪\\n街道"\\n', ","))
    [(1, 1, ['id', 'name']), (2, 3, ['1', '沧浪\\n街道'])]
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row, line = 0, 0
    try:
        for row, cells in enumerate(reader, start=1):
            line = reader.line_num
            yield row, line, cells
    except csv.Error as error:
        raise _record_error(text, delimiter, row + 1, line, error) from None


def _record_error(
    text: str, delimiter: str, row: int, after_line: int, error: csv.Error
) -> BadRecordError:
    """The problem of the record the csv module gave up on: which row, and which cell."""
    if "field limit" in str(error):
        position, column = offset_of_line(text, after_line + 1), 1
        cell = _one_cell(delimiter)
        while True:  # the record's cells, up to the overlong one
            found = cell.match(text, position)
            length = found.end() - found.start()
            if length > MAX_CELL_CHARACTERS:
                return BadRecordError(too_long_message(length), row, column)
            if not text.startswith(delimiter, found.end()):
                break
            position, column = found.end() + len(delimiter), column + 1
    return BadRecordError(f"无法按 CSV 读取这一行 / cannot read this row as CSV: {error}", row)


def check_field_counts(
    file: str, rows: Iterable[tuple[int, list[str]]], width: int, problems: Problems
) -> None:
    """Report each CSV record below the header that holds a value but not as many cells as
    the header has columns (trailing empty cells count): a file cut in the middle of its
    last row, or a row with a stray delimiter, would otherwise read shifted or short.

    Examples
    --------
    >>> problems = Problems()
    >>> check_field_counts("a.csv", [(2, ["1", "迎"]), (3, []), (4, ["", "", ""])], 3, problems)
    >>> [(p["row"], p["message"][:40]) for p in problems.records]
    [(2, '字段比表头少 / fewer cells than header columns')]
    """
    for row, cells in rows:
        if len(cells) == width or not any(c.strip(TRIM) for c in cells):
            continue
        if len(cells) > width:
            message = "字段比表头多 / more cells than header columns"
            advice = "delete the cells beyond the header, or name their column"
        else:
            message = "字段比表头少 / fewer cells than header columns"
            advice = "the row is cut short (was the file cut off?): complete it"
        shown = ",".join(cells)
        shown = shown if len(shown) <= 60 else f"{shown[:60]}…"
        problems.add(
            file, row, None, shown, f"{message} ({len(cells)} cells, {width} columns): {advice}"
        )


def csv_frame(body: str, delimiter: str, width: int) -> pd.DataFrame | None:
    """Parse well-formed CSV rows with Arrow's reader, as text columns numbered from 0;
    ``None`` if they are not well formed (ragged rows, blank lines, line breaks inside
    quotes)."""
    if not body.strip("\r\n"):
        return pd.DataFrame({i: pd.Series(dtype=str) for i in range(width)})
    first_line = body[: body.find("\n")] if "\n" in body else body
    if first_line.count(delimiter) >= MAX_COLUMNS:
        return None  # Arrow would make a column of each cell of the first row
    try:
        table = pacsv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True),
            # A blank line is a spreadsheet row too: let it fail over to the exact reader.
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
                column_types={f"f{i}": pa.string() for i in range(width)},
            ),
        )
    except pa.ArrowInvalid:
        return None
    frame = table.to_pandas()
    frame.columns = range(frame.shape[1])
    return frame


def offset_of_line(text: str, line: int) -> int:
    """Where physical line `line` (1-based) starts in `text`; its length if it has fewer.

    Examples
    --------
    >>> offset_of_line("ab\\ncd\\n", 2), offset_of_line("ab\\ncd\\n", 9)
    (3, 6)
    """
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return len(text)
    return offset


# -- .xlsx workbooks --------------------------------------------------------------------

#: How every Compound File (OLE2) starts: Excel 97–2003 .xls, WPS .et, and the .xlsx files
#: Excel and WPS save with a password.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PASSWORD_PROTECTED = (
    "受密码保护 / password-protected: remove the password in Excel/WPS (File › Info › Protect "
    "Workbook) and save again"
)
# The stream an encrypted .xlsx is held in, named in UTF-16 in the Compound File directory.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def is_encrypted(path: Path) -> bool:
    """Whether `path` is an encrypted workbook: a Compound File holding an
    ``EncryptedPackage`` stream, as an ``.xlsx`` saved with a password is."""
    with path.open("rb") as file:
        return file.read(len(OLE2_MAGIC)) == OLE2_MAGIC and _ENCRYPTED_PACKAGE in file.read()


# What openpyxl and the zip and XML parsers raise on a file that is no complete workbook.
UNREADABLE_BOOK = (
    zipfile.BadZipFile,
    KeyError,  # a part the workbook names is missing from the archive
    OSError,
    EOFError,
    SyntaxError,  # XML that does not parse (ElementTree's and lxml's errors derive from it)
    ValueError,
    TypeError,
    InvalidFileException,
)


def zip_problem(path: Path) -> str | None:
    """Why the file cannot be an ``.xlsx`` workbook, judged from its zip directory alone."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError):
        if is_encrypted(path):
            return PASSWORD_PROTECTED
        return (
            "不是 .xlsx 工作簿 / "
            "not an .xlsx workbook: the file is not a zip archive as .xlsx files are "
            "(an old .xls file renamed? open it in Excel and save it as .xlsx)"
        )
    if not any(p.filename == "[Content_Types].xml" for p in parts):
        return (
            "不是 .xlsx 工作簿 / not an .xlsx workbook: the zip archive holds no workbook "
            "([Content_Types].xml)"
        )
    for part in parts:
        expanded = part.file_size
        if expanded > _INFLATE_CHECKED_BYTES and expanded > _MAX_INFLATE_RATIO * part.compress_size:
            return (
                "未读取：解压后过大 / "
                f"not read: {part.filename} expands from {part.compress_size:,} to "
                f"{expanded:,} bytes, more than {_MAX_INFLATE_RATIO} times, as zip bombs do "
                "and Excel's workbooks do not; save the data again from Excel, or as CSV"
            )
    return None


_WHAT_ZH = {"workbook": "工作簿", "sheet": "工作表"}


def unreadable(error: BaseException, what: str = "workbook") -> str:
    """The problem of a workbook (or a sheet) that raised `error` when read."""
    reason = error.args[0] if isinstance(error, KeyError) and error.args else error
    return (
        f"无法读取这个{_WHAT_ZH[what]} / "
        f"cannot read this {what} ({type(error).__name__}: {reason}); "
        "open it in Excel and save it again as .xlsx"
    )


def open_xlsx(path: Path, problems: Problems) -> Any:
    """The ``.xlsx`` workbook at `path`, opened read-only (close it when done); ``None``
    (and a problem) if the file is no readable workbook."""
    refused = zip_problem(path)
    if refused:
        problems.add(str(path), None, None, None, refused)
        return None
    try:
        reader = _BookReader(path, read_only=True, data_only=True)
        reader.read()
        return reader.wb
    except UNREADABLE_BOOK as error:
        problems.add(str(path), None, None, None, unreadable(error))
        return None


class _UnsizedWorksheet(ReadOnlyWorksheet):
    """A read-only worksheet that does not measure itself when opened.

    openpyxl's reads the sheet's ``<dimension>`` on opening, and parses the whole sheet
    when there is none (openpyxl's own write-only files and many scripts' have none): a
    second pass over every cell, for a size :func:`xlsx_cells` does not use.
    """

    def _get_size(self) -> None:
        return None


class _BookReader(ExcelReader):
    """openpyxl's workbook reader (that of ``load_workbook``), opening each worksheet as
    :class:`_UnsizedWorksheet`; the rest of the workbook is read as openpyxl reads it."""

    def read_worksheets(self) -> None:
        # openpyxl's read_worksheets for a read-only workbook, but for the worksheet class
        book = self.wb
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files:
                continue
            if "chartsheet" in rel.Type:
                self.read_chartsheet(sheet, rel)
                continue
            worksheet = _UnsizedWorksheet(book, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            book._sheets.append(worksheet)


def xlsx_cells(
    book: Any, worksheet: Any, where: str, problems: Problems
) -> dict[int, dict[int, Any]] | None:
    """The non-empty cells of a worksheet of :func:`open_xlsx`, merged ranges filled;
    ``None`` (and a problem, named by `where`) if it cannot be read.

    The sheet is streamed and only the cells it holds are kept, so the work follows the
    content, not the used range the sheet claims.
    """
    try:
        return _sheet_cells(book, worksheet)
    except UNREADABLE_BOOK as error:
        problems.add(where, None, None, None, unreadable(error, "sheet"))
    except OverlapError as error:
        problems.add(where, error.row, None, error.ref, str(error))
    except UnsavedFormulaError as error:
        for row, column, formula in error.cells:
            problems.add(where, row, get_column_letter(column), formula, str(error))
    return None


_INLINE_STRING = f"{{{SHEET_MAIN_NS}}}is"
_INLINE_TEXT = f"{{{SHEET_MAIN_NS}}}t"


class _Parser(WorkSheetParser):
    """openpyxl's streaming parser, noting the formula cells saved without a value.

    With ``data_only`` openpyxl reads such a cell as empty, so a roster row would silently
    lose what the formula shows in Excel.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unsaved: list[tuple[int, int, str | None]] = []

    def parse_cell(self, element: Any) -> dict[str, Any]:
        plain = _plain_inline_string(element)
        if plain is not None:
            # openpyxl makes a Text object of it (most of the time of a sheet of inline
            # strings) whose content is its one <t>'s text: read that, and let openpyxl
            # place the cell without it
            element.remove(plain)
            cell = super().parse_cell(element)
            cell["value"] = plain[0].text or ""
            return self.note_unsaved(element, cell)
        return self.note_unsaved(element, super().parse_cell(element))

    def note_unsaved(self, element: Any, cell: dict[str, Any]) -> dict[str, Any]:
        """`cell`, noted if it is a formula saved without a value."""
        formula = element.find(FORMULA_TAG)
        # Only a text result may be empty (Excel saves ="" as t="str" and an empty <v>);
        # openpyxl and other scripts write a formula with an empty <v>, or none.
        if formula is not None and not element.findtext(VALUE_TAG) and element.get("t") != "str":
            text = formula.text
            self.unsaved.append((cell["row"], cell["column"], f"={text}" if text else None))
        return cell


def _plain_inline_string(element: Any) -> Any:
    """The ``<is>`` of an inline-string cell `element` when it is plain text: the cell's
    only ``<is>``, without attributes, holding one ``<t>`` and nothing else (as openpyxl,
    pandas and most scripts write text); else ``None``.

    For such an ``<is>`` openpyxl's value is ``Text.from_tree(is).content``: the ``<t>``'s
    text, ``""`` for none. Rich runs, phonetic runs and attributes take openpyxl's way.
    """
    if element.get("t") != "inlineStr":
        return None
    if len(element) == 1:  # the common case, without a list
        inline = element[0]
        if inline.tag != _INLINE_STRING:
            return None
    else:
        found = [child for child in element if child.tag == _INLINE_STRING]
        if len(found) != 1:
            return None
        (inline,) = found
    if inline.attrib or len(inline) != 1 or inline[0].tag != _INLINE_TEXT:
        return None
    return inline


def _sheet_cells(book: Any, sheet: Any) -> dict[int, dict[int, Any]]:
    """The non-empty cells of a read-only worksheet, merged ranges filled with their value.

    openpyxl's streaming parser yields each ``<row>`` as the cells it holds; its public row
    iterator pads every row to a rectangle, which a crafted sheet makes astronomically
    large, so the parser is used directly, with the settings the read-only sheet gives it.
    """
    cells: dict[int, dict[int, Any]] = {}
    # a dict per cell and per row by the hundred thousand: see _gc
    with book._archive.open(sheet._worksheet_path) as source, gc_paused():
        parser = _Parser(
            source,
            book.shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, row in parser.parse():
            held = {c["column"]: c["value"] for c in row if c["value"] not in (None, "")}
            if held:
                cells.setdefault(number, {}).update(held)
        merged = parser.merged_cells.mergeCell if parser.merged_cells is not None else []
    if parser.unsaved:
        raise UnsavedFormulaError(parser.unsaved)
    _fill_merged(cells, [m.ref for m in merged])
    return cells


def _fill_merged(cells: dict[int, dict[int, Any]], refs: list[str]) -> None:
    """Give every cell of a merged range its value, as the sheet shows it.

    Only rows that hold a cell and columns up to the widest one are filled: a range that
    reaches past the content (a title merged across the sheet) adds nothing beyond it.
    """
    if not refs or not cells:
        return
    numbers = sorted(cells)
    widest = min(max(max(row) for row in cells.values()), MAX_COLUMNS + 1)
    budget = len(numbers) * widest  # ranges that do not overlap fill at most every cell once
    for ref in refs:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        value = cells.get(min_row, {}).get(min_col)
        if value is None:
            continue
        columns = range(min_col, min(max_col, widest) + 1)
        start, stop = bisect.bisect_left(numbers, min_row), bisect.bisect_right(numbers, max_row)
        budget -= (stop - start) * len(columns)
        if budget < 0:
            raise OverlapError(ref, min_row)
        for number in numbers[start:stop]:
            row = cells[number]
            for column in columns:
                row[column] = value


# -- .xls, .ods and .et through python-calamine -----------------------------------------


def open_calamine(path: Path, problems: Problems) -> Any:
    """The workbook at `path` read by python-calamine (``.xls``, ``.ods``, ``.et``);
    ``None`` (and a problem) if it cannot be read."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        with path.open("rb") as handle:
            return CalamineWorkbook.from_filelike(handle)
    except (CalamineError, OSError, ValueError) as error:
        if isinstance(error, PasswordError) or is_encrypted(path) or _xls_password(path):
            problems.add(str(path), None, None, None, PASSWORD_PROTECTED)
            return None
        problems.add(str(path), None, None, None, unreadable(error))
        return None


def _xls_password(path: Path) -> bool:
    """Whether an ``.xls`` file has a password: python-calamine says so when it reads the file
    as ``.xls``, by its suffix, not when it guesses the format of its bytes."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    if path.suffix.lower() != ".xls":
        return False
    try:
        CalamineWorkbook.from_path(str(path)).close()
    except PasswordError:
        return True
    except (CalamineError, OSError, ValueError):
        pass
    return False


def calamine_cells(
    book: Any, name: str, where: str, problems: Problems
) -> dict[int, dict[int, Any]] | None:
    """The non-empty cells of sheet `name` of :func:`open_calamine`, merged ranges filled;
    ``None`` (and a problem, named by `where`) if it cannot be read or claims more than
    :data:`MAX_SHEET_CELLS` cells."""
    from python_calamine import CalamineError

    try:
        grid = book.get_sheet_by_name(name)
        if grid.height * grid.width > MAX_SHEET_CELLS:
            problems.add(
                where,
                None,
                None,
                None,
                f"工作表超过 {MAX_SHEET_CELLS:,} 个单元格 / "
                f"the sheet claims {grid.height:,} rows × {grid.width:,} columns, more than "
                f"{MAX_SHEET_CELLS:,} cells: delete the rows and columns beyond its data, "
                "or save it as .xlsx",
            )
            return None
        top, left = grid.start
        values = grid.to_python(skip_empty_area=True)
        merged = grid.merged_cell_ranges or []
    except (CalamineError, ValueError) as error:
        problems.add(where, None, None, None, unreadable(error, "sheet"))
        return None
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
    except OverlapError as error:
        problems.add(where, error.row, None, error.ref, str(error))
        return None
    return cells


# -- cells ------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as the text a user sees; whole floats lose their ``.0``.

    Examples
    --------
    >>> [cell_text(v) for v in (None, True, 120.0, dt.datetime(2019, 5, 1), "a_x000D_b")]
    ['', 'true', '120', '2019-05-01', 'a\\rb']
    """
    if isinstance(value, str):  # most cells: first
        return unescape(value) if "_x" in value else value  # _x000D_ and the like
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def row_texts(row: Mapping[int, Any], width: int | None = None) -> list[str]:
    """A worksheet row's cells as texts, from column A to column `width` (by default to
    its last cell).

    Examples
    --------
    >>> row_texts({2: 7.0, 3: "社区"}), row_texts({2: 7.0}, 3)
    (['', '7', '社区'], ['', '7', ''])
    """
    last = max(row) if width is None else width
    return [cell_text(row.get(column)) for column in range(1, last + 1)]


# -- whole files: every sheet's non-blank rows ---------------------------------------------

#: Suffixes read as CSV text, as Excel workbooks, and through python-calamine.
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CALAMINE_SUFFIXES = (".xls", ".ods", ".et")


@dataclass
class Sheet:
    """One sheet of a file (a CSV file is one sheet, named ``None``)."""

    file: str
    sheet: str | None
    #: (spreadsheet row, cells as texts from column A), only rows with a non-blank cell.
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def where(self) -> str:
        """How problems name it: the file, and the sheet of a workbook."""
        return self.file if self.sheet is None else f"{self.file} (sheet {self.sheet})"


def read_sheets(path: Path, problems: Problems, *, encoding: str | None = None) -> list[Sheet]:
    """Every sheet of a file (CSV, .xlsx, .xls, .ods, .et) with its non-blank rows;
    problems (unreadable file, undecodable text, too wide) recorded."""
    where = str(path)
    if not path.is_file():
        problems.add(where, None, None, None, "文件不存在 / no such file")
        return []
    suffix = path.suffix.lower()
    try:
        with gc_paused():  # cells, rows and lists by the hundred thousand: see _gc
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
        "不支持的文件类型 / not a .xlsx, .xls, .ods, .et or .csv file",
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
            _check_characters(sheet, row, cells, problems)
            sheet.rows.append((row, cells))
    return [sheet]


def _check_characters(sheet: Sheet, row: int, texts: list[str], problems: Problems) -> None:
    """Report the cells of a row holding a character no file can store (see
    :data:`~cobuild_graph._files.XML_ILLEGAL`), by their column letter."""
    if not XML_ILLEGAL.search("".join(texts)):
        return
    for column, text in enumerate(texts, start=1):
        if found := XML_ILLEGAL.search(text):
            shown = text if len(text) <= 60 else f"{text[:60]}…"
            where = get_column_letter(column)
            problems.add(sheet.where, row, where, shown, illegal_message(found.group()))


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
            _check_characters(sheet, number, texts, problems)
            sheet.rows.append((number, texts))
    return bool(sheet.rows)
