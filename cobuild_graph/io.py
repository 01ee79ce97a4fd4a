"""Reading and writing datasets: CSV folders and Excel workbooks (and, through
:mod:`cobuild_graph.export`, GraphML, GEXF, UCINET DL and Pajek files).

A dataset is a folder holding ``nodes.csv`` and ``ties.csv`` (optionally split per label
or tie type as ``nodes_Street.csv``, ``ties_PAIRED_WITH.csv`` ...) and an optional
``metadata.json``; or one ``.xlsx`` workbook with sheets ``nodes`` and ``ties`` (split the
same way) and an optional ``metadata`` sheet of key / value rows.

Nothing is returned, and nothing written, until the whole dataset is valid: every problem
found is raised at once in one :class:`~cobuild_graph.errors.ValidationError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from openpyxl.utils.escape import unescape

from cobuild_graph._encoding import DecodeError, decode_text
from cobuild_graph._files import append_row, atomic_write, check_excel_rows, write_csv
from cobuild_graph.build import graph_from_tables, graph_to_tables
from cobuild_graph.errors import ValidationError, problems_frame
from cobuild_graph.export import write_gexf, write_graphml, write_pajek, write_ucinet_dl
from cobuild_graph.schema import (
    DEFAULT_SCHEMA,
    KEY_COLUMN_ALIASES,
    NODE_KEY_COLUMNS,
    TIE_KEY_COLUMNS,
    Schema,
)
from cobuild_graph.validate import FILE, ROW, Problems, validate_tables

logger = logging.getLogger(__name__)

#: Metadata keys with a meaning; others are kept as given.
METADATA_KEYS: tuple[str, ...] = (
    "name",
    "place",
    "date",
    "licence",
    "description",
    "sources",
    "synthetic",
)
_METADATA_ALIASES = {
    "license": "licence",
    "名称": "name",
    "地点": "place",
    "日期": "date",
    "许可": "licence",
    "说明": "description",
    "来源": "sources",
}
_TABLE_NAME = re.compile(r"^(?P<kind>nodes|ties)(?:[_-](?P<part>.+))?$", re.IGNORECASE)
_HEADER_SEARCH_ROWS = 10
_TRIM = " \t\r\n\u3000\u00a0\u200b\ufeff"


class Dataset(NamedTuple):
    """A validated dataset: typed node and tie tables and its metadata."""

    nodes: pd.DataFrame
    ties: pd.DataFrame
    meta: dict[str, Any]


def read_tables(
    path: str | os.PathLike[str],
    *,
    schema: Schema = DEFAULT_SCHEMA,
    encoding: str | None = None,
) -> Dataset:
    """Read and validate a dataset folder or workbook into typed tables.

    Parameters
    ----------
    path
        A folder with ``nodes.csv`` and ``ties.csv``, or an ``.xlsx`` workbook.
    schema
        The schema to validate against (extend :data:`~cobuild_graph.DEFAULT_SCHEMA` for
        other node kinds).
    encoding
        Force the CSV files' encoding; by default UTF-8 (with or without BOM) is tried,
        then GB18030.

    Returns
    -------
    Dataset
        ``(nodes, ties, meta)``; cells are ``str``, ``int``, ``float``, ``bool``,
        ``datetime.date`` or ``None``.

    Raises
    ------
    ValidationError
        With every problem found (file, row, column, value, message).
    FileNotFoundError
        If `path` does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no dataset at {path}")
    problems = Problems()
    sheets = _read_sources(path, encoding, problems)
    raw = {
        kind: _combine([s for s in sheets if s.kind == kind], kind, schema, problems)
        for kind in ("nodes", "ties")
    }
    meta = _read_metadata(path, encoding, problems)
    nodes, ties = validate_tables(raw["nodes"], raw["ties"], schema, problems)
    if problems:
        raise ValidationError(problems_frame(problems.records))
    logger.info("read %s: %d nodes, %d ties", path, len(nodes), len(ties))
    return Dataset(nodes, ties, meta)


def read_dataset(
    path: str | os.PathLike[str],
    *,
    schema: Schema = DEFAULT_SCHEMA,
    encoding: str | None = None,
) -> nx.MultiDiGraph:
    """Read and validate a dataset into the co-building graph.

    Parameters
    ----------
    path
        A folder with ``nodes.csv`` and ``ties.csv``, or an ``.xlsx`` workbook.
    schema
        The schema to validate against.
    encoding
        Force the CSV files' encoding (see :func:`read_tables`).

    Returns
    -------
    networkx.MultiDiGraph
        Nodes keyed by id with a ``label`` attribute, edges keyed by tie ``type``, every
        other non-empty cell as an attribute, the metadata in ``G.graph``.

    Raises
    ------
    ValidationError
        With every problem found.

    Examples
    --------
    >>> G = read_dataset("data/suzhou")
    >>> G.nodes["street-canglang"]["name"]
    '沧浪街道'
    """
    nodes, ties, meta = read_tables(path, schema=schema, encoding=encoding)
    return graph_from_tables(nodes, ties, meta=meta)


def write_dataset(
    data: nx.MultiDiGraph | Dataset,
    path: str | os.PathLike[str],
    *,
    schema: Schema = DEFAULT_SCHEMA,
    **options: Any,
) -> Path:
    """Write a dataset as a CSV folder, an ``.xlsx`` workbook, or a file for another tool.

    The format follows the suffix of `path`: ``.xlsx``; ``.graphml``; ``.gexf`` (Gephi,
    :func:`~cobuild_graph.export.write_gexf`); ``.dl`` (UCINET,
    :func:`~cobuild_graph.export.write_ucinet_dl`); ``.net`` (Pajek,
    :func:`~cobuild_graph.export.write_pajek`). A path without one of these suffixes is a
    folder. CSV files are UTF-8 with a byte-order mark, so Excel opens them correctly.
    Files appear only when complete: they are written aside and moved into place.

    Parameters
    ----------
    data
        A co-building graph, or the tables of :func:`read_tables`.
    path
        Where to write.
    schema
        Orders the columns.
    **options
        Keyword options of the format's writer, e.g. ``layout="fullmatrix"`` for ``.dl``.

    Returns
    -------
    pathlib.Path
        `path`.

    Raises
    ------
    ExcelLimitError
        For ``.xlsx``: a table of more rows than a sheet holds, or a text longer than a
        cell holds (32,767 characters); nothing is written. A CSV folder holds both.
    TypeError
        If `options` are given for a CSV folder or a workbook, which take none.

    Notes
    -----
    Every text is stored in ``.xlsx`` as text, never as a formula, exactly as it is (a
    carriage return or a control character escaped the way Excel escapes it). CSV files
    hold each cell verbatim; see the FAQ on opening a CSV file in Excel safely.
    """
    path = Path(path)
    if isinstance(data, nx.Graph):
        nodes, ties = graph_to_tables(data, schema=schema)
        meta = dict(data.graph)
    else:
        nodes, ties, meta = data
    suffix = path.suffix.lower()
    writer = _GRAPH_WRITERS.get(suffix)
    if writer is not None:
        graph = data if isinstance(data, nx.Graph) else graph_from_tables(nodes, ties, meta=meta)
        writer(graph, path, **options)
    elif options:
        raise TypeError(f"{', '.join(options)}: a CSV folder or .xlsx workbook takes no options")
    elif suffix == ".xlsx":
        _write_xlsx(nodes, ties, meta, path)
    else:
        _write_folder(nodes, ties, meta, path)
    logger.info("wrote %s: %d nodes, %d ties", path, len(nodes), len(ties))
    return path


_GRAPH_WRITERS: dict[str, Any] = {
    ".graphml": write_graphml,
    ".gexf": write_gexf,
    ".dl": write_ucinet_dl,
    ".net": write_pajek,
}


# -- reading: sources -------------------------------------------------------------------


class _Sheet(NamedTuple):
    kind: str  # "nodes" or "ties"
    part: str | None  # the label or tie type of a split table
    file: str  # how problems name it
    text: str | None = None  # a CSV file's decoded text
    grid: list[list[str]] | None = None  # a worksheet's cells; row i is spreadsheet row i + 1


def _read_sources(path: Path, encoding: str | None, problems: Problems) -> list[_Sheet]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".tsv"))
        sheets = [
            _Sheet(m["kind"].lower(), m["part"], str(f), text=_decoded(f, encoding, problems))
            for f in files
            if (m := _TABLE_NAME.match(f.stem))
        ]
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = _xlsx_sheets(path)
    else:
        problems.add(
            str(path), None, None, None, "a dataset is a folder of CSV files or an .xlsx workbook"
        )
        return []
    for kind in ("nodes", "ties"):
        if not any(s.kind == kind for s in sheets):
            message = f"no {kind} table: add {kind}.csv (or a sheet named {kind})"
            problems.add(str(path), None, None, None, message)
    return sheets


def _decoded(file: Path, encoding: str | None, problems: Problems) -> str | None:
    """The file's text; ``None`` (and a problem) if it cannot be decoded."""
    try:
        text, used = decode_text(file.read_bytes(), encoding=encoding)
    except DecodeError as error:
        problems.add(str(file), error.line, None, None, str(error))
        return None
    logger.debug("%s decoded as %s", file, used)
    return text


def _xlsx_sheets(path: Path) -> list[_Sheet]:
    book = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for sheet in book.worksheets:
        match = _TABLE_NAME.match(sheet.title.strip())
        if not match:
            continue
        grid = [[_cell_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:  # a merged cell's value fills its range
            value = grid[merged.min_row - 1][merged.min_col - 1]
            for r in range(merged.min_row - 1, merged.max_row):
                for c in range(merged.min_col - 1, merged.max_col):
                    grid[r][c] = value
        file = f"{path} (sheet {sheet.title})"
        sheets.append(_Sheet(match["kind"].lower(), match["part"], file, grid=grid))
    book.close()
    return sheets


def _cell_text(value: Any) -> str:
    """A cell as the text a user sees; whole floats lose their ``.0``."""
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
    if isinstance(value, str):
        return unescape(value)  # _x000D_ and the like, as Excel writes them
    return str(value)


# -- reading: headers and rows ----------------------------------------------------------


def _combine(sheets: list[_Sheet], kind: str, schema: Schema, problems: Problems) -> pd.DataFrame:
    """One raw table from all sheets of a kind: canonical headers, trimmed text cells."""
    keys = NODE_KEY_COLUMNS if kind == "nodes" else TIE_KEY_COLUMNS
    aliases = _header_aliases(kind, schema)
    frames = [_frame(sheet, keys, aliases, problems) for sheet in sheets]
    frames = [f for f in frames if f is not None]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in (*keys, FILE, ROW)})
    table = pd.concat(frames, ignore_index=True).fillna("")
    # Columns in a stable order: keys first, the rest as first seen.
    return table[[*keys, *(c for c in table.columns if c not in keys)]]


def _frame(
    sheet: _Sheet, keys: tuple[str, ...], aliases: Mapping[str, str], problems: Problems
) -> pd.DataFrame | None:
    if sheet.text is None and sheet.grid is None:
        return None  # undecodable; already reported
    part_column = keys[1] if sheet.kind == "nodes" else keys[2]  # label or type
    required = [k for k in keys if not (k == part_column and sheet.part)]
    head, line_ends = _head_rows(sheet)
    header_at = _find_header(head, required, aliases)
    if header_at is None:
        header_row, header = next(((r, c) for r, c in head if any(c)), (1, []))
        found = {aliases.get(_fold(h), _fold(h)) for h in header}
        for column in required:
            if column not in found:
                message = f"missing required column {column!r} in the header row"
                problems.add(sheet.file, header_row, column, None, message)
        return None
    header_row, header = head[header_at]
    canonical = _canonical_header(sheet.file, header_row, header, aliases, problems)
    frame = _body(sheet, header_row, line_ends[header_at], len(canonical), problems)
    frame.columns = [*canonical, ROW]
    for column in canonical:
        frame[column] = frame[column].str.strip(_TRIM)
    frame = frame[(frame[canonical] != "").any(axis=1)]  # blank lines, trailing Excel rows
    frame.insert(len(canonical), FILE, sheet.file)
    for column in canonical:
        if column.startswith("__"):
            if column.startswith("__blank_") and (frame[column] != "").any():
                message = "a cell under an empty header: name the column"
                problems.add_rows(frame, frame[column] != "", column, message)
            frame = frame.drop(columns=column)
    if sheet.part is not None and part_column not in frame:
        frame[part_column] = sheet.part
    elif sheet.part is not None:
        frame[part_column] = frame[part_column].mask(frame[part_column] == "", sheet.part)
    for key in keys:
        if key not in frame:
            frame[key] = ""
    return frame


def _canonical_header(
    file: str, row: int, header: list[str], aliases: Mapping[str, str], problems: Problems
) -> list[str]:
    """Canonical column names; odd columns get placeholder names starting with ``__``."""
    canonical: list[str] = []
    spelled: dict[str, str] = {}
    for position, raw in enumerate(header):
        name = raw.strip(_TRIM)
        column = aliases.get(_fold(name), _fold(name).replace(" ", "_"))
        if not name:
            column = f"__blank_{position}"
        elif column in spelled:
            message = f"column appears twice (also as {spelled[column]!r})"
            problems.add(file, row, column, raw, message)
            column = f"__duplicate_{position}"
        elif not re.match(r"^[^\W\d]\w*$", column):
            message = (
                "column header is not a usable attribute name: use letters, digits and _ "
                "(or a header the schema knows, such as 名称)"
            )
            problems.add(file, row, None, raw, message)
            column = f"__bad_{position}"
        spelled[column] = name
        canonical.append(column)
    problems.headers[file] = spelled
    return canonical


def _head_rows(sheet: _Sheet) -> tuple[list[tuple[int, list[str]]], list[int]]:
    """The first rows, where the header is looked for, as (spreadsheet row, cells), and the
    physical line each ends on."""
    if sheet.grid is not None:
        rows = [(i + 1, row) for i, row in enumerate(sheet.grid[:_HEADER_SEARCH_ROWS])]
        return rows, [row for row, _ in rows]
    text = sheet.text or ""
    # The header is among the first lines: parse only the start of a large file (with room
    # for quoted line breaks in title rows).
    head = text[: _offset_of_line(text, _HEADER_SEARCH_ROWS * 4 + 1)]
    records = list(itertools.islice(_csv_records(head), _HEADER_SEARCH_ROWS))
    return [(row, cells) for row, _, cells in records], [line for _, line, _ in records]


def _csv_records(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """(spreadsheet row, last physical line, cells) of each record.

    A spreadsheet counts records, not lines: a cell with a line break stays in one row.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    for row, cells in enumerate(reader, start=1):
        yield row, reader.line_num, cells


def _delimiter(text: str) -> str:
    """Tab for tab-separated text (Excel's "Unicode text"), else comma, from the first line."""
    first_line = text[: text.find("\n")] if "\n" in text[:65536] else text[:65536]
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def _body(
    sheet: _Sheet, header_row: int, header_line: int, width: int, problems: Problems
) -> pd.DataFrame:
    """The cells below the header: `width` text columns and the spreadsheet row."""
    if sheet.grid is not None:
        rows = [(i + 1, r) for i, r in enumerate(sheet.grid) if i + 1 > header_row]
        return _rows_frame(sheet.file, rows, width, problems)
    text = sheet.text or ""
    frame = _fast_csv(text[_offset_of_line(text, header_line + 1) :], _delimiter(text), width)
    if frame is None or frame.shape[1] > width:
        # Ragged rows, blank lines or quoted line breaks: read record by record instead.
        rows = [(r, c) for r, _, c in _csv_records(text) if r > header_row]
        return _rows_frame(sheet.file, rows, width, problems)
    frame = frame.reindex(columns=range(width)).fillna("")
    frame[ROW] = np.arange(header_row + 1, header_row + 1 + len(frame))
    return frame


def _fast_csv(body: str, delimiter: str, width: int) -> pd.DataFrame | None:
    """Parse well-formed CSV rows with Arrow's reader; ``None`` if they are not well formed
    (ragged rows, blank lines, line breaks inside quotes)."""
    if not body.strip("\r\n"):
        return pd.DataFrame({i: pd.Series(dtype=str) for i in range(width)})
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


def _offset_of_line(text: str, line: int) -> int:
    """Where physical line `line` (1-based) starts in `text`; its length if it has fewer."""
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return len(text)
    return offset


def _rows_frame(
    file: str, rows: list[tuple[int, list[str]]], width: int, problems: Problems
) -> pd.DataFrame:
    for row, cells in rows:
        if any(c.strip(_TRIM) for c in cells[width:]):
            problems.add(file, row, None, cells[width:], "more cells than header columns")
    frame = pd.DataFrame(
        [(cells + [""] * width)[:width] for _, cells in rows], columns=range(width), dtype=object
    )
    frame[ROW] = [row for row, _ in rows]
    return frame


def _find_header(
    rows: list[tuple[int, list[str]]], required: list[str], aliases: Mapping[str, str]
) -> int | None:
    """Index of the first row naming every required column (title rows may come above)."""
    for index, (_row, cells) in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        found = {aliases.get(_fold(c), _fold(c)) for c in cells}
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
                aliases[_fold(spelling)] = name
    for key in keys:  # key columns win over attribute aliases
        for spelling in (key, *KEY_COLUMN_ALIASES[key]):
            aliases[_fold(spelling)] = key
    return aliases


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip(_TRIM).casefold()


# -- reading: metadata ------------------------------------------------------------------


def _read_metadata(path: Path, encoding: str | None, problems: Problems) -> dict[str, Any]:
    if path.is_dir():
        file = path / "metadata.json"
        if not file.exists():
            return {}
        try:
            text, _ = decode_text(file.read_bytes(), encoding=encoding)
            raw = json.loads(text)
        except DecodeError as error:
            problems.add(str(file), error.line, None, None, str(error))
            return {}
        except json.JSONDecodeError as error:
            problems.add(str(file), error.lineno, None, None, f"not valid JSON: {error.msg}")
            return {}
        if not isinstance(raw, dict):
            problems.add(str(file), 1, None, None, "metadata.json must hold one JSON object")
            return {}
        items = [(1, str(k), v) for k, v in raw.items()]
        where = str(file)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        if "metadata" not in book.sheetnames:
            book.close()
            return {}
        rows = list(book["metadata"].iter_rows(values_only=True))
        book.close()
        where = f"{path} (sheet metadata)"
        items = [
            (i + 1, _cell_text(r[0]).strip(_TRIM), r[1] if len(r) > 1 else None)
            for i, r in enumerate(rows)
            if r and r[0] is not None
        ]
        if items and _fold(items[0][1]) in ("key", "键", "项目"):
            items = items[1:]  # a header row
    else:
        return {}
    meta: dict[str, Any] = {}
    for row, key, value in items:
        key = _METADATA_ALIASES.get(_fold(key), key)
        if isinstance(value, dt.date | str):
            value = _cell_text(value)
        if isinstance(value, str):
            value = value.strip(_TRIM)
        if value is None or value == "":
            continue
        if value is not None and not isinstance(value, str | int | float | bool):
            problems.add(where, row, key, value, "metadata values are text, numbers or true/false")
            continue
        meta[key] = value
    return meta


# -- writing ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    return table.astype(object).map(_text)


def _write_folder(
    nodes: pd.DataFrame, ties: pd.DataFrame, meta: Mapping[str, Any], path: Path
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=path.parent))
    try:
        write_csv(_as_text(nodes), staging / "nodes.csv")
        write_csv(_as_text(ties), staging / "ties.csv")
        (staging / "metadata.json").write_text(
            json.dumps(dict(meta), ensure_ascii=False, indent=2, default=_text) + "\n",
            encoding="utf-8",
        )
        path.mkdir(parents=True, exist_ok=True)
        for file in staging.iterdir():
            os.replace(file, path / file.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_xlsx(
    nodes: pd.DataFrame, ties: pd.DataFrame, meta: Mapping[str, Any], path: Path
) -> None:
    check_excel_rows({"nodes": len(nodes), "ties": len(ties)})
    atomic_write(path, lambda tmp: _xlsx_book(nodes, ties, meta).save(tmp))


def _xlsx_book(
    nodes: pd.DataFrame, ties: pd.DataFrame, meta: Mapping[str, Any]
) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, table in (("nodes", nodes), ("ties", ties)):
        sheet = book.create_sheet(name)
        append_row(sheet, table.columns, row=1)
        # Text cells keep ids such as 007 as typed; dates and numbers stay typed.
        for row, values in enumerate(table.itertuples(index=False), start=2):
            append_row(sheet, values, row=row)
        sheet.freeze_panes = "A2"
    sheet = book.create_sheet("metadata")
    append_row(sheet, ["key", "value"], row=1)
    for row, (key, value) in enumerate(meta.items(), start=2):
        append_row(sheet, [key, _text(value) if isinstance(value, dt.date) else value], row=row)
    return book
