"""A dataset's sheets as raw text tables: the header found, its spellings made canonical.

The step between the cells of a file (:mod:`cobuild_graph._sheets`) and the typed tables
(:func:`cobuild_graph.validate.check_tables`), for the dataset reader
(:func:`cobuild_graph.io.read_tables`) and for tables made in pandas
(:func:`cobuild_graph.validate.validate_tables`): the header row is looked for among title
rows, header spellings (Chinese ones too) become canonical column names, the cells below are
trimmed, and cells too long for a spreadsheet or holding characters XML cannot hold are
reported.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from cobuild_graph._files import XML_ILLEGAL
from cobuild_graph._sheets import (
    MAX_CELL_CHARACTERS,
    MAX_COLUMNS,
    TRIM,
    BadRecordError,
    TooWideError,
    cell_text,
    check_field_counts,
    check_width,
    csv_delimiter,
    csv_frame,
    csv_records,
    illegal_message,
    offset_of_line,
    row_texts,
    too_long_message,
)
from cobuild_graph.errors import FILE, ROW, Problems
from cobuild_graph.schema import KEY_COLUMN_ALIASES, NODE_KEY_COLUMNS, TIE_KEY_COLUMNS, Schema

_HEADER_SEARCH_ROWS = 10


class TableSheet(NamedTuple):
    """A table as read from one file or worksheet, before its header is found."""

    kind: str  # "nodes", "ties" or "metadata"
    part: str | None  # the label or tie type of a split table
    file: str  # how problems name it
    text: str | None = None  # a CSV file's decoded text
    # A worksheet's non-empty cells, as the workbook holds them: {row: {column: value}},
    # both 1-based; rows and cells the sheet does not hold are absent.
    cells: dict[int, dict[int, Any]] | None = None


def raw_table(
    sheets: list[TableSheet], kind: str, schema: Schema, problems: Problems
) -> pd.DataFrame:
    """One raw table from all sheets of a kind: canonical headers, trimmed text cells."""
    keys = NODE_KEY_COLUMNS if kind == "nodes" else TIE_KEY_COLUMNS
    aliases = _header_aliases(kind, schema)
    frames = [_frame(sheet, keys, aliases, problems) for sheet in sheets]
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (*keys, FILE, ROW)})
    table = pd.concat(frames, ignore_index=True).fillna("")
    if kind == "nodes" and table.empty and len(frames) == len(sheets):
        message = (
            "数据集为空 / the dataset is empty: a header but no rows below it, and no other nodes"
        )
        for sheet in sheets:
            problems.add(sheet.file, None, None, None, message)
    # Columns in a stable order: keys first, the rest as first seen.
    return table[[*keys, *(c for c in table.columns if c not in keys)]]


def _frame(
    sheet: TableSheet, keys: tuple[str, ...], aliases: Mapping[str, str], problems: Problems
) -> pd.DataFrame | None:
    if sheet.text is None and sheet.cells is None:
        return None  # undecodable or unreadable; already reported
    part_column = keys[1] if sheet.kind == "nodes" else keys[2]  # label or type
    required = [k for k in keys if not (k == part_column and sheet.part)]
    canonical: list[str] = []
    try:
        head, line_ends, unread = _head_rows(sheet)
        header_at = _find_header(head, required, aliases)
        if header_at is None and unread is not None:
            raise unread  # else it is met again below the header, where its column is known
        if header_at is None:
            header_row, header = next(((r, c) for r, c in head if any(c)), (1, []))
            found = {aliases.get(fold(h), fold(h)) for h in header}
            for column in required:
                if column not in found:
                    message = (
                        f"表头行缺少必需的列 / missing required column {column!r} in the header row"
                    )
                    problems.add(sheet.file, header_row, column, None, message)
            return None
        header_row, header = head[header_at]
        if len(header) > MAX_COLUMNS:
            raise TooWideError(header_row, len(header))
        canonical = _canonical_header(sheet.file, header_row, header, aliases, problems)
        body, rows = _body(sheet, header_row, line_ends[header_at], len(canonical), problems)
    except TooWideError as error:
        problems.add(sheet.file, error.row, None, None, str(error))
        return None
    except BadRecordError as error:
        column, message = None, str(error)
        if error.column is not None and error.column <= len(canonical):
            column = canonical[error.column - 1]  # shown as the file names it
        elif error.column is not None:
            message = f"该行第 {error.column} 个单元格 / cell {error.column} of the row: {message}"
        problems.add(sheet.file, error.row, column, None, message)
        return None
    # Each column is made once and the table built in one go: a wide header stays linear.
    texts = {c: body[i].str.strip(TRIM) for i, c in enumerate(canonical)}
    filled = {c: (t != "").to_numpy() for c, t in texts.items()}
    keep = np.logical_or.reduce([*filled.values(), np.zeros(len(rows), dtype=bool)])
    # Blank lines and trailing Excel rows go.
    frame = pd.DataFrame(
        {c: t[keep] for c, t in texts.items()} | {FILE: sheet.file, ROW: rows[keep]}
    )
    _check_cells(sheet, frame, canonical, problems)
    for column in canonical:
        if column.startswith("__blank_") and filled[column][keep].any():
            message = "空表头下的单元格：请给列命名 / a cell under an empty header: name the column"
            problems.add_rows(frame, filled[column][keep], column, message)
    columns = {c: frame[c] for c in frame.columns if not c.startswith("__")}
    if sheet.part is not None:
        given = columns.get(part_column)
        columns[part_column] = (
            pd.Series(sheet.part, index=frame.index, dtype=object)
            if given is None
            else given.mask(given == "", sheet.part)
        )
    for key in keys:
        columns.setdefault(key, pd.Series("", index=frame.index, dtype=object))
    return pd.DataFrame(columns)


def _check_cells(
    sheet: TableSheet, frame: pd.DataFrame, columns: list[str], problems: Problems
) -> None:
    """Refuse cells longer than a spreadsheet cell, or holding characters XML cannot hold."""
    for column in columns:
        cells = frame[column]
        lengths = cells.str.len().to_numpy()
        if len(lengths) and lengths.max() > MAX_CELL_CHARACTERS:
            for index in np.flatnonzero(lengths > MAX_CELL_CHARACTERS):
                problems.add(
                    sheet.file,
                    int(frame[ROW].iat[index]),
                    column,
                    excerpt(cells.iat[index]),
                    too_long_message(int(lengths[index])),
                )
    # A CSV file holding none of these characters needs no look at each cell.
    if sheet.text is not None and not _may_hold_xml_illegal(sheet.text):
        return
    for column in columns:
        values = frame[column].tolist()
        if not XML_ILLEGAL.search("".join(values)):
            continue
        for index, value in enumerate(values):
            if found := XML_ILLEGAL.search(value):
                problems.add(
                    sheet.file,
                    int(frame[ROW].iat[index]),
                    column,
                    excerpt(value),
                    illegal_message(found.group()),
                )


# The bytes of UTF-8 text that XML_ILLEGAL has nothing to say about: all but its ASCII ones.
_BYTES_XML_HOLDS = bytes(b for b in range(256) if b > 0x7F or not XML_ILLEGAL.match(chr(b)))


def _may_hold_xml_illegal(text: str) -> bool:
    """Whether `text` may hold a character of :data:`XML_ILLEGAL`: a quick look at C speed
    (a search with the pattern itself takes three times as long on Chinese text).

    Its ASCII controls are found by deleting every other byte of the UTF-8 encoding; of
    the rest, lone surrogates cannot be encoded and U+FFFE and U+FFFF are looked for.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return bool(data.translate(None, _BYTES_XML_HOLDS)) or "\ufffe" in text or "\uffff" in text


def excerpt(value: str) -> str:
    """A value short enough to show in a problem line."""
    return value if len(value) <= 60 else f"{value[:60]}… ({len(value):,} characters)"


def _canonical_header(
    file: str, row: int, header: list[str], aliases: Mapping[str, str], problems: Problems
) -> list[str]:
    """Canonical column names; odd columns get placeholder names starting with ``__``."""
    canonical: list[str] = []
    spelled: dict[str, str] = {}
    for position, raw in enumerate(header):
        name = raw.strip(TRIM)
        column = aliases.get(fold(name), fold(name).replace(" ", "_"))
        if not name:
            column = f"__blank_{position}"
        elif found := XML_ILLEGAL.search(raw):
            subject = (f"第 {position + 1} 列的表头", f"the header of column {position + 1} ")
            message = illegal_message(found.group(), subject)
            problems.add(file, row, None, excerpt(raw), message)
            column = f"__bad_{position}"
        elif len(raw) > MAX_CELL_CHARACTERS:
            subject = (
                f"第 {position + 1} 列的表头",
                f"the header of column {position + 1} is a cell",
            )
            message = too_long_message(len(raw), subject)
            problems.add(file, row, None, excerpt(raw), message)
            column = f"__bad_{position}"
        elif column in spelled:
            message = f"列重复出现 / column appears twice (also as {spelled[column]!r})"
            problems.add(file, row, column, raw, message)
            column = f"__duplicate_{position}"
        elif not re.match(r"^[^\W\d]\w*$", column):
            message = (
                "列名不能用作属性名 / "
                "column header is not a usable attribute name: use letters, digits and _ "
                "(or a header the schema knows, such as 名称)"
            )
            problems.add(file, row, None, raw, message)
            column = f"__bad_{position}"
        spelled[column] = name
        canonical.append(column)
    problems.spelled(file, spelled)
    return canonical


def _head_rows(
    sheet: TableSheet,
) -> tuple[list[tuple[int, list[str]]], list[int], BadRecordError | None]:
    """The first rows, where the header is looked for, as (spreadsheet row, cells), the
    physical line each ends on, and the error of a CSV record that could not be read there."""
    if sheet.cells is not None:
        rows = [
            (number, row_texts(sheet.cells[number]))
            for number in sorted(n for n in sheet.cells if n <= _HEADER_SEARCH_ROWS)
        ]
        return rows, [row for row, _ in rows], None
    text = sheet.text or ""
    # The header is among the first lines: parse only the start of a large file (with room
    # for quoted line breaks in title rows).
    head = text[: offset_of_line(text, _HEADER_SEARCH_ROWS * 4 + 1)]
    delimiter = csv_delimiter(text)
    check_width(head, delimiter)  # before the csv module makes a list of every cell
    records: list[tuple[int, int, list[str]]] = []
    unread = None
    try:
        records.extend(itertools.islice(csv_records(head, delimiter), _HEADER_SEARCH_ROWS))
    except BadRecordError as error:
        unread = error
    return [(row, cells) for row, _, cells in records], [line for _, line, _ in records], unread


def _body(
    sheet: TableSheet, header_row: int, header_line: int, width: int, problems: Problems
) -> tuple[pd.DataFrame, np.ndarray]:
    """The cells below the header (`width` text columns) and the spreadsheet row of each."""
    if sheet.cells is not None:
        rows = [(n, sheet.cells[n]) for n in sorted(sheet.cells) if n > header_row]
        return _rows_frame(sheet.file, _grid_rows(sheet.file, rows, width, problems), width)
    text = sheet.text or ""
    delimiter = csv_delimiter(text)
    frame = csv_frame(text[offset_of_line(text, header_line + 1) :], delimiter, width)
    if frame is None or frame.shape[1] != width:
        # Ragged rows, blank lines or quoted line breaks: read record by record instead.
        check_width(text, delimiter)
        rows = [(r, c) for r, _, c in csv_records(text, delimiter) if r > header_row]
        check_field_counts(sheet.file, rows, width, problems)
        return _rows_frame(sheet.file, rows, width)
    return frame, np.arange(header_row + 1, header_row + 1 + len(frame))


def _grid_rows(
    file: str, rows: list[tuple[int, dict[int, Any]]], width: int, problems: Problems
) -> list[tuple[int, list[str]]]:
    """Worksheet rows as `width` texts each; cells further right are reported."""
    dense = []
    for number, row in rows:
        extra = [text for c in sorted(row) if c > width and (text := cell_text(row[c]))]
        if any(text.strip(TRIM) for text in extra):
            problems.add(file, number, None, extra, "字段比表头多 / more cells than header columns")
        dense.append((number, row_texts(row, width)))
    return dense


def _rows_frame(
    file: str, rows: list[tuple[int, list[str]]], width: int
) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.DataFrame(
        [(cells + [""] * width)[:width] for _, cells in rows], columns=range(width), dtype=object
    )
    return frame, np.array([row for row, _ in rows], dtype=np.int64)


def _find_header(
    rows: list[tuple[int, list[str]]], required: list[str], aliases: Mapping[str, str]
) -> int | None:
    """Index of the first row naming every required column (title rows may come above)."""
    for index, (_row, cells) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        found = {aliases.get(fold(c), fold(c)) for c in cells}
        if all(column in found for column in required):
            return index
    return None


def _header_aliases(kind: str, schema: Schema) -> dict[str, str]:
    """Every accepted header spelling, folded, mapped to its canonical column name."""
    keys = NODE_KEY_COLUMNS if kind == "nodes" else TIE_KEY_COLUMNS
    aliases: dict[str, str] = {}
    specs = (
        [schema.node_attributes, *(s.attributes for s in schema.labels.values())]
        if kind == "nodes"
        else [schema.tie_attributes, *(s.attributes for s in schema.tie_types.values())]
    )
    for mapping in specs:
        for name, spec in mapping.items():
            for spelling in (name, *spec.aliases):
                aliases[fold(spelling)] = name
    for key in keys:  # key columns win over attribute aliases
        for spelling in (key, *KEY_COLUMN_ALIASES[key]):
            aliases[fold(spelling)] = key
    return aliases


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip(TRIM).casefold()
