"""Writing files safely: whole or not at all, with an ordinary file's permissions, and
workbooks whose cells hold the data exactly as text, never as a formula."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from cobuild_graph.errors import ExcelLimitError

#: Characters that XML 1.0, and so an ``.xlsx``, ``.gexf`` or ``.graphml`` file, cannot
#: hold: the C0 controls other than tab, line feed and carriage return, U+FFFE, U+FFFF and
#: lone surrogates.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def atomic_write(path: Path, write: Callable[[str], object]) -> None:
    """Write `path` through `write(temporary_path)`, then move it into place.

    The file appears only when complete, and with the mode an ordinary new file gets
    (``0666`` less the umask), not the private ``0600`` of a temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".staging-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: put it straight back
    os.umask(mask)
    return mask


# -- Excel ----------------------------------------------------------------------------------

#: Rows of one Excel sheet, the header included.
EXCEL_MAX_ROWS = 1_048_576
#: Characters one Excel cell holds.
EXCEL_MAX_CELL_CHARS = 32_767

# OOXML writes a character XML cannot carry (and a carriage return, which XML would turn
# into a line feed) as _xHHHH_; a literal "_xHHHH_" in the text is written as _x005F_xHHHH_.
_OOXML_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def excel_text(text: str) -> str:
    """`text` as an ``.xlsx`` file stores it, so that Excel shows exactly `text`.

    Examples
    --------
    >>> excel_text("a\\rb _x0041_")
    'a_x000D_b _x005F_x0041_'
    """
    return _OOXML_ESCAPED.sub(lambda m: f"_x{ord(m[0]):04X}_", text)


def check_excel_rows(counts: Mapping[str, int]) -> None:
    """Refuse tables of more data rows than an Excel sheet holds below its header.

    Raises
    ------
    ExcelLimitError
        Naming the tables; the message says to write CSV files instead.
    """
    too_long = [f"{name} ({count:,})" for name, count in counts.items() if count >= EXCEL_MAX_ROWS]
    if too_long:
        raise ExcelLimitError(
            f"Excel 工作表最多 {EXCEL_MAX_ROWS - 1:,} 行数据，请改写 CSV 文件夹 / more rows than "
            f"an Excel sheet holds (at most {EXCEL_MAX_ROWS - 1:,} below the header): "
            f"{', '.join(too_long)}; write a folder of CSV files instead"
        )


def append_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any], *, row: int) -> None:
    """Append `values` as spreadsheet row `row` of `sheet`; text is always text.

    A string is stored as a text cell whatever it starts with (``=``, ``+``, ``-``, ``@``):
    data never becomes a formula. Other values (numbers, dates, booleans, ``None``) are
    stored as they are.

    Raises
    ------
    ExcelLimitError
        If a string is longer than an Excel cell holds (it would be cut), naming the cell.
    """
    cells: list[Any] = []
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            if len(value) > EXCEL_MAX_CELL_CHARS:
                where = f"{sheet.title}!{get_column_letter(column)}{row}"
                raise ExcelLimitError(
                    f"{where}: 文本 {len(value):,} 字符，超过 Excel 单元格上限 "
                    f"{EXCEL_MAX_CELL_CHARS:,}，请缩短 / {len(value):,} characters do not "
                    f"fit in an Excel cell (at most {EXCEL_MAX_CELL_CHARS:,}): shorten the "
                    "text, or write CSV files"
                )
            cell = Cell(sheet, row=row, column=column)
            cell.value = excel_text(value)
            cell.data_type = "s"  # set after the value: openpyxl reads "=..." as a formula
            value = cell
        cells.append(value)
    sheet.append(cells)


# -- CSV ------------------------------------------------------------------------------------


def write_csv(table: pd.DataFrame, path: str | os.PathLike[str], *, index: bool = False) -> None:
    """Write `table` as CSV the way Excel reads it: UTF-8 with a byte-order mark, CRLF.

    CRLF line ends make every cell holding a line break or a lone carriage return quoted,
    so each cell reads back exactly. Cells are written verbatim: a CSV file holds no
    formulas, though a spreadsheet may evaluate ``=...`` text when it opens one (the FAQ
    says how to open a CSV file safely).
    """
    table.to_csv(path, index=index, encoding="utf-8-sig", lineterminator="\r\n")
