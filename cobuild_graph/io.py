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

import datetime as dt
import itertools
import json
import logging
import os
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx
import numpy as np
import openpyxl
import pandas as pd

from cobuild_graph._encoding import DecodeError, decode_text
from cobuild_graph._files import (
    XML_ILLEGAL,
    append_row,
    check_excel_rows,
    excel_text,
    save_workbook,
    staged_folder,
    write_csv,
)
from cobuild_graph._sheets import (
    MAX_CELL_CHARACTERS,
    MAX_COLUMNS,
    OLE2_MAGIC,
    PASSWORD_PROTECTED,
    TRIM,
    BadRecordError,
    TooWideError,
    cell_text,
    check_field_counts,
    check_width,
    csv_delimiter,
    csv_frame,
    csv_records,
    decoded_text,
    illegal_message,
    is_encrypted,
    offset_of_line,
    open_xlsx,
    row_texts,
    too_long_message,
    xlsx_cells,
)
from cobuild_graph.build import graph_from_tables, graph_to_tables
from cobuild_graph.errors import FILE, ROW, Problems, ValidationError, problems_frame
from cobuild_graph.export import write_gexf, write_graphml, write_pajek, write_ucinet_dl
from cobuild_graph.schema import (
    KEY_COLUMN_ALIASES,
    NODE_KEY_COLUMNS,
    SCHEMA_KEY,
    TIE_KEY_COLUMNS,
    Schema,
    chosen_schema,
    schema_from_dict,
    schema_of,
    schema_or_default,
    written_meta,
)
from cobuild_graph.validate import check_tables

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


class Dataset(NamedTuple):
    """A validated dataset: typed node and tie tables and its metadata."""

    nodes: pd.DataFrame
    ties: pd.DataFrame
    meta: dict[str, Any]


def read_tables(
    path: str | os.PathLike[str],
    *,
    schema: Schema | None = None,
    encoding: str | None = None,
) -> Dataset:
    """Read and validate a dataset folder or workbook into typed tables.

    Parameters
    ----------
    path
        A folder with ``nodes.csv`` and ``ties.csv``, or an ``.xlsx`` workbook.
    schema
        The schema to validate against (extend :data:`~cobuild_graph.DEFAULT_SCHEMA` for
        other node kinds); by default the one the dataset's metadata records (written by
        :func:`write_dataset`), else the default schema. A schema given must not contradict
        the recorded one.
    encoding
        Force the CSV files' encoding; by default UTF-8 (with or without BOM) is tried,
        then GB18030.

    Returns
    -------
    Dataset
        ``(nodes, ties, meta)``; cells are ``str``, ``int``, ``float``, ``bool``,
        ``datetime.date`` or ``None``; ``meta["schema"]`` is the schema read with.

    Raises
    ------
    ValidationError
        With every problem found (file, row, column, value, message).
    FileNotFoundError
        If `path` does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"找不到数据集 / no dataset at {path}")
    problems = Problems()
    sheets = _read_sources(path, encoding, problems)
    meta = _read_metadata(path, encoding, sheets, problems)
    try:
        schema = chosen_schema(schema, meta.get(SCHEMA_KEY), f"{path}'s", f"{path} 记录的")
    except ValueError as error:
        problems.add(str(path), None, SCHEMA_KEY, None, str(error))
    schema = meta[SCHEMA_KEY] = schema_or_default(schema)
    raw = {
        kind: _combine([s for s in sheets if s.kind == kind], kind, schema, problems)
        for kind in ("nodes", "ties")
    }
    nodes, ties = check_tables(raw["nodes"], raw["ties"], schema, problems)
    if problems:
        raise ValidationError(problems_frame(problems.records))
    logger.info("read %s: %d nodes, %d ties", path, len(nodes), len(ties))
    return Dataset(nodes, ties, meta)


def validate_tables(
    nodes: pd.DataFrame, ties: pd.DataFrame, *, schema: Schema | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate node and tie tables made in pandas, as a dataset's files are validated.

    Each cell is first turned into the text a spreadsheet would show (``120.0`` as
    ``120``, ``True`` as ``true``, a date or midnight timestamp as ``2019-05-01``; ``None``,
    ``NaN``, ``pd.NA`` and ``NaT`` as an empty cell), then the tables go through the checks
    of :func:`read_tables`: headers (Chinese ones too), labels and tie types, typed
    attributes, unique ids, tie endpoints, the ``PART_OF`` hierarchy.

    Parameters
    ----------
    nodes
        Columns ``id``, ``label``, ``name`` and any attributes, one row per node; cells of
        any dtype.
    ties
        Columns ``source``, ``target``, ``type`` and any attributes, one row per tie.
    schema
        The schema to validate against.

    Returns
    -------
    tuple of pandas.DataFrame
        Typed ``(nodes, ties)``, as :func:`read_tables` returns them: cells are ``str``,
        ``int``, ``float``, ``bool``, ``datetime.date`` or ``None``, the index a fresh
        ``RangeIndex``, attributes the schema does not know kept as text.

    Raises
    ------
    ValidationError
        With every problem found. Its ``file`` is ``"nodes (DataFrame)"`` or
        ``"ties (DataFrame)"``; its ``row`` is the row's label in the DataFrame's index
        (``df.loc[row]``), which for the default index is its position counted from 0. An
        index that is not unique or not of integers is replaced by positions from 0
        (``df.iloc[row]``). Rows without any value are left out, as blank lines are.

    Examples
    --------
    >>> nodes = pd.DataFrame({"id": ["s1", "c1"], "label": ["街道", "社区"],
    ...                       "name": ["沧浪街道", "道前社区"], "members": [None, 120.0]})
    >>> ties = pd.DataFrame({"source": ["c1", "c9"], "target": ["s1", "s1"],
    ...                      "type": ["隶属", "PART_OF"]})
    >>> validate_tables(nodes, ties)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    cobuild_graph.errors.ValidationError: 数据集无效，1 个问题 / invalid dataset: 1 problem
      第 1 行，source 列 / ties (DataFrame), row 1, column source: 节点中没有这个 source id / ...
    >>> typed_nodes, typed_ties = validate_tables(nodes, ties.iloc[:1])
    >>> typed_nodes["label"].tolist(), typed_nodes["members"].tolist()
    (['Street', 'Community'], [None, 120])
    """
    schema = schema_or_default(schema)
    problems = Problems()
    raw = {}
    for kind, table in (("nodes", nodes), ("ties", ties)):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(
                f"{kind} 应为 pandas DataFrame / "
                f"{kind} must be a pandas DataFrame, not {type(table).__name__}"
            )
        file = f"{kind} (DataFrame)"
        index = table.index
        if index.is_unique and pd.api.types.is_integer_dtype(index.dtype):
            labels = index.to_numpy(dtype=np.int64)
        else:
            labels = np.arange(len(table), dtype=np.int64)
        already = len(problems.records)
        sheet = _Sheet(kind, None, file, cells=_table_cells(table))
        raw[kind] = _combine([sheet], kind, schema, problems)
        # The sheet's rows are numbered as a spreadsheet's, under a header in row 1.
        raw[kind][ROW] = labels[raw[kind][ROW].to_numpy(dtype=np.int64) - 2]
        for record in problems.records[already:]:
            row = record["row"]
            record["row"] = None if row is None or row < 2 else int(labels[row - 2])
    typed_nodes, typed_ties = check_tables(raw["nodes"], raw["ties"], schema, problems)
    if problems:
        raise ValidationError(problems_frame(problems.records))
    return typed_nodes, typed_ties


def _table_cells(table: pd.DataFrame) -> dict[int, dict[int, Any]]:
    """A DataFrame as a worksheet's cells: its column names in row 1, its rows below."""
    columns = []
    for position in range(table.shape[1]):
        column = table.iloc[:, position]
        missing = pd.isna(column).to_numpy()
        columns.append(
            [
                None if gone else _cell_value(value)
                for value, gone in zip(column.astype(object).tolist(), missing, strict=True)
            ]
        )
    header = {j: str(name) for j, name in enumerate(table.columns, start=1)}
    cells = {1: header} if header else {}  # a sheet holds no empty rows
    for number, row in enumerate(zip(*columns, strict=True), start=2):
        held = {j: v for j, v in enumerate(row, start=1) if v is not None and v != ""}
        if held:
            cells[number] = held
    return cells


def _cell_value(value: Any) -> Any:
    """A pandas or numpy scalar as the Python value a worksheet cell would hold; text as a
    workbook stores it, so that reading the cell gives back exactly this text."""
    if isinstance(value, str):
        return excel_text(value)
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def read_dataset(
    path: str | os.PathLike[str],
    *,
    schema: Schema | None = None,
    encoding: str | None = None,
) -> nx.MultiDiGraph:
    """Read and validate a dataset into the co-building graph.

    Parameters
    ----------
    path
        A folder with ``nodes.csv`` and ``ties.csv``, or an ``.xlsx`` workbook.
    schema
        The schema to validate against; by default the one the dataset records, else the
        default schema (see :func:`read_tables`). The graph records it in
        ``G.graph["schema"]``: later calls given the graph measure with it.
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
    return graph_from_tables(nodes, ties, meta=meta, validate=False)


def write_dataset(
    data: nx.MultiDiGraph | Dataset,
    path: str | os.PathLike[str],
    *,
    schema: Schema | None = None,
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
        Orders the columns; by default the data's (``G.graph["schema"]``, ``meta["schema"]``).
        A schema other than the default is written into ``metadata.json`` / the
        ``metadata`` sheet, so that :func:`read_dataset` reads the dataset with it again.
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
        cell holds (32,767 characters); nothing is written.
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
        schema = schema_of(data, schema)
        nodes, ties = graph_to_tables(data, schema=schema)
        meta = dict(data.graph)
    else:
        nodes, ties, meta = data
        schema = chosen_schema(schema, meta.get(SCHEMA_KEY), "the metadata's", "元数据的")
    meta = {**meta, SCHEMA_KEY: schema}
    suffix = path.suffix.lower()
    writer = _GRAPH_WRITERS.get(suffix)
    if writer is not None:
        # The tables of read_tables: valid already.
        graph = (
            data
            if isinstance(data, nx.Graph)
            else graph_from_tables(nodes, ties, meta=meta, schema=schema, validate=False)
        )
        writer(graph, path, **options)
    elif options:
        raise TypeError(
            f"{', '.join(options)}: CSV 文件夹或 .xlsx 工作簿不接受选项 / "
            "a CSV folder or .xlsx workbook takes no options"
        )
    elif suffix == ".xlsx":
        _write_xlsx(nodes, ties, meta, path)
    else:
        _write_folder(nodes, ties, meta, path)
    logger.info("wrote %s: %d nodes, %d ties", path, len(nodes), len(ties))
    return path


def writes_one_file(path: str | os.PathLike[str]) -> bool:
    """Whether :func:`write_dataset` writes `path` as one file (its suffix names a format)
    rather than as a folder of CSV files.

    Examples
    --------
    >>> writes_one_file("out.gexf"), writes_one_file("out")
    (True, False)
    """
    suffix = Path(path).suffix.lower()
    return suffix == ".xlsx" or suffix in _GRAPH_WRITERS


_GRAPH_WRITERS: dict[str, Any] = {
    ".graphml": write_graphml,
    ".gexf": write_gexf,
    ".dl": write_ucinet_dl,
    ".net": write_pajek,
}
#: The suffixes of the files :func:`write_dataset` writes for other network tools.
GRAPH_SUFFIXES: tuple[str, ...] = tuple(_GRAPH_WRITERS)


# -- reading: sources -------------------------------------------------------------------


class _Sheet(NamedTuple):
    kind: str  # "nodes", "ties" or "metadata"
    part: str | None  # the label or tie type of a split table
    file: str  # how problems name it
    text: str | None = None  # a CSV file's decoded text
    # A worksheet's non-empty cells, as the workbook holds them: {row: {column: value}},
    # both 1-based; rows and cells the sheet does not hold are absent.
    cells: dict[int, dict[int, Any]] | None = None


def _read_sources(path: Path, encoding: str | None, problems: Problems) -> list[_Sheet]:
    refused = None if path.is_dir() else _not_a_dataset(path)
    if refused:
        problems.add(str(path), None, None, None, refused)
        return []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".tsv"))
        sheets = [
            _Sheet(m["kind"].lower(), m["part"], str(f), text=decoded_text(f, encoding, problems))
            for f in files
            if (m := _TABLE_NAME.match(f.stem))
        ]
    else:
        book = _xlsx_sheets(path, problems)
        if book is None:
            return []  # not a workbook: already reported
        sheets = book
    for kind in ("nodes", "ties"):
        if not any(s.kind == kind for s in sheets):
            message = f"缺少 {kind} 表 / no {kind} table: add {kind}.csv (or a sheet named {kind})"
            problems.add(str(path), None, None, None, message)
    return sheets


_WHAT_IS_READ = (
    "数据集是一个存放 nodes.csv 和 ties.csv 的文件夹，或一个 .xlsx 工作簿",
    "a dataset is a folder holding nodes.csv and ties.csv, or an .xlsx workbook",
)
_OTHER_SPREADSHEETS = {
    ".ods": ("OpenDocument 表格（LibreOffice、WPS）", "an OpenDocument spreadsheet"),
    ".et": ("WPS 表格文件", "a WPS spreadsheet"),
    ".ett": ("WPS 表格模板", "a WPS spreadsheet template"),
    ".numbers": ("Numbers 表格", "a Numbers spreadsheet"),
    ".xlsb": ("Excel 二进制工作簿", "an Excel binary workbook"),
}


def _not_a_dataset(path: Path) -> str | None:
    """Why the file at `path` is no dataset (an .xls workbook, a single CSV ...), in Chinese
    and English: what was seen and what to do; ``None`` for a workbook to read."""
    suffix = path.suffix.lower()
    with path.open("rb") as file:
        ole2 = file.read(len(OLE2_MAGIC)) == OLE2_MAGIC
    if ole2 and is_encrypted(path):
        return PASSWORD_PROTECTED
    zh, en = _WHAT_IS_READ
    if suffix == ".xls" or (ole2 and suffix in (".xlsx", ".xlsm")):
        seen = "这是" if suffix == ".xls" else f"这个 {suffix} 文件其实是"
        return (
            f"{seen} .xls 工作簿（Excel 97–2003）：请在 Excel 或 WPS 中另存为 .xlsx，"
            "花名册请用 `cobuild-graph import` / an .xls workbook (Excel 97–2003): save it "
            "as .xlsx in Excel/WPS, or for a roster use `cobuild-graph import`"
        )
    if suffix in (".xlsx", ".xlsm"):
        return None
    if suffix in (".csv", ".tsv", ".txt"):
        return (
            f"这是单个 {suffix} 文件，不是数据集：请传入存放 nodes.csv 和 ties.csv 的文件夹 "
            f"{path.parent} / a single {suffix} file, not a dataset: pass the folder that "
            f"holds nodes.csv and ties.csv, {path.parent}"
        )
    if suffix in _OTHER_SPREADSHEETS:
        kind_zh, kind_en = _OTHER_SPREADSHEETS[suffix]
        return (
            f"{kind_zh}不能直接读取，请在 Excel 或 WPS 中另存为 .xlsx；{zh} / {kind_en} is "
            f"not read: save it as .xlsx in Excel/WPS; {en}"
        )
    named = f"{suffix} 文件" if suffix else "没有后缀的文件"
    return f"不能读取{named}：{zh} / a {suffix or 'suffix-less'} file is not read: {en}"


def _xlsx_sheets(path: Path, problems: Problems) -> list[_Sheet] | None:
    """The workbook's node, tie and metadata sheets; ``None`` (and a problem) if the file is
    no readable workbook.

    The sheets are read in streaming mode and only the cells the workbook holds are kept,
    so the work follows the content, not the used range a sheet claims.
    """
    book = open_xlsx(path, problems)
    if book is None:
        return None
    sheets = []
    try:
        for sheet in book.worksheets:
            title = sheet.title.strip()
            match = _TABLE_NAME.match(title)
            if not match and title != "metadata":
                continue
            file = f"{path} (sheet {sheet.title})"
            cells = xlsx_cells(book, sheet, file, problems)
            kind, part = (match["kind"].lower(), match["part"]) if match else ("metadata", None)
            sheets.append(_Sheet(kind, part, file, cells=cells))
    finally:
        book.close()
    return sheets


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
    if kind == "nodes" and table.empty and len(frames) == len(sheets):
        message = (
            "数据集为空 / the dataset is empty: a header but no rows below it, and no other nodes"
        )
        for sheet in sheets:
            problems.add(sheet.file, None, None, None, message)
    # Columns in a stable order: keys first, the rest as first seen.
    return table[[*keys, *(c for c in table.columns if c not in keys)]]


def _frame(
    sheet: _Sheet, keys: tuple[str, ...], aliases: Mapping[str, str], problems: Problems
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
            found = {aliases.get(_fold(h), _fold(h)) for h in header}
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
    sheet: _Sheet, frame: pd.DataFrame, columns: list[str], problems: Problems
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
                    _excerpt(cells.iat[index]),
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
                    _excerpt(value),
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


def _excerpt(value: str) -> str:
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
        column = aliases.get(_fold(name), _fold(name).replace(" ", "_"))
        if not name:
            column = f"__blank_{position}"
        elif found := XML_ILLEGAL.search(raw):
            subject = (f"第 {position + 1} 列的表头", f"the header of column {position + 1} ")
            message = illegal_message(found.group(), subject)
            problems.add(file, row, None, _excerpt(raw), message)
            column = f"__bad_{position}"
        elif len(raw) > MAX_CELL_CHARACTERS:
            subject = (
                f"第 {position + 1} 列的表头",
                f"the header of column {position + 1} is a cell",
            )
            message = too_long_message(len(raw), subject)
            problems.add(file, row, None, _excerpt(raw), message)
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
    sheet: _Sheet,
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
    sheet: _Sheet, header_row: int, header_line: int, width: int, problems: Problems
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
    return unicodedata.normalize("NFKC", text).strip(TRIM).casefold()


# -- reading: metadata ------------------------------------------------------------------


def _read_metadata(
    path: Path, encoding: str | None, sheets: list[_Sheet], problems: Problems
) -> dict[str, Any]:
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
            problems.add(
                str(file),
                error.lineno,
                None,
                None,
                f"不是有效的 JSON / not valid JSON: {error.msg}",
            )
            return {}
        if not isinstance(raw, dict):
            problems.add(
                str(file),
                1,
                None,
                None,
                "metadata.json 应为一个 JSON 对象 / metadata.json must hold one JSON object",
            )
            return {}
        items = [(1, str(k), v) for k, v in raw.items()]
        where = str(file)
    else:
        sheet = next((s for s in sheets if s.kind == "metadata"), None)
        if sheet is None or sheet.cells is None:
            return {}
        where = sheet.file
        items = [
            (number, cell_text(row[1]).strip(TRIM), row.get(2))
            for number, row in sorted(sheet.cells.items())
            if 1 in row
        ]
        if items and _fold(items[0][1]) in ("key", "键", "项目"):
            items = items[1:]  # a header row
    meta: dict[str, Any] = {}
    for row, key, value in items:
        key = _METADATA_ALIASES.get(_fold(key), key)
        if key == SCHEMA_KEY:
            if (recorded := _recorded_schema(value, where, row, problems)) is not None:
                meta[key] = recorded
            continue
        if isinstance(value, dt.date | str):
            value = cell_text(value)
        if isinstance(value, str):
            value = value.strip(TRIM)
        if value is None or value == "":
            continue
        if not isinstance(value, str | int | float | bool):
            problems.add(
                where,
                row,
                key,
                value,
                "元数据的值应为文本、数字或 true/false / "
                "metadata values are text, numbers or true/false",
            )
            continue
        if found := XML_ILLEGAL.search(key):
            problems.add(
                where, row, None, _excerpt(key), illegal_message(found.group(), ("键", "the key "))
            )
            continue
        if isinstance(value, str) and (found := XML_ILLEGAL.search(value)):
            problems.add(where, row, key, _excerpt(value), illegal_message(found.group()))
            continue
        meta[key] = value
    return meta


def _recorded_schema(value: Any, where: str, row: int, problems: Problems) -> Schema | None:
    """The schema a dataset's metadata records: :meth:`Schema.to_dict`, or its JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            problems.add(
                where, row, SCHEMA_KEY, _excerpt(value), f"schema 不是 JSON / not JSON: {error.msg}"
            )
            return None
    if not isinstance(value, dict):
        message = "schema 应为 Schema.to_dict() 的表 / must be a table as Schema.to_dict() writes"
        problems.add(where, row, SCHEMA_KEY, _excerpt(str(value)), message)
        return None
    try:
        return schema_from_dict(value, origin=f"{where}: {SCHEMA_KEY}")
    except ValidationError as error:
        for found in error.problems.to_dict("records"):
            message = f"{found['column']}: {found['message']}"
            problems.add(where, row, SCHEMA_KEY, found["value"], message)
        return None


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
    with staged_folder(path) as staging:
        write_csv(_as_text(nodes), staging / "nodes.csv")
        write_csv(_as_text(ties), staging / "ties.csv")
        (staging / "metadata.json").write_text(
            json.dumps(written_meta(meta), ensure_ascii=False, indent=2, default=_text) + "\n",
            encoding="utf-8",
            newline="",
        )


def _write_xlsx(
    nodes: pd.DataFrame, ties: pd.DataFrame, meta: Mapping[str, Any], path: Path
) -> None:
    check_excel_rows({"nodes": len(nodes), "ties": len(ties)})
    save_workbook(_xlsx_book(nodes, ties, meta), path)


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
    for row, (key, value) in enumerate(written_meta(meta, as_text=True).items(), start=2):
        append_row(sheet, [key, _text(value) if isinstance(value, dt.date) else value], row=row)
    return book
