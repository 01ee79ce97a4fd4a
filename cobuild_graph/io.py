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
import json
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx
import openpyxl
import pandas as pd

from cobuild_graph._encoding import DecodeError, decode_text
from cobuild_graph._files import (
    XML_ILLEGAL,
    append_row,
    check_excel_rows,
    save_workbook,
    staged_folder,
    write_csv,
)
from cobuild_graph._raw_tables import TableSheet, excerpt, fold, raw_table
from cobuild_graph._sheets import (
    MAX_CELL_CHARACTERS,
    MAX_COLUMNS,
    OLE2_MAGIC,
    PASSWORD_PROTECTED,
    TRIM,
    cell_text,
    decoded_text,
    illegal_message,
    is_encrypted,
    open_xlsx,
    xlsx_cells,
)
from cobuild_graph.build import graph_from_tables, graph_to_tables
from cobuild_graph.errors import Problems, ValidationError, problems_frame
from cobuild_graph.export import write_gexf, write_graphml, write_pajek, write_ucinet_dl
from cobuild_graph.schema import (
    SCHEMA_KEY,
    Schema,
    chosen_schema,
    schema_from_dict,
    schema_of,
    schema_or_default,
    written_meta,
)
from cobuild_graph.validate import check_tables, validate_tables

__all__ = [
    "GRAPH_SUFFIXES",
    "MAX_CELL_CHARACTERS",
    "MAX_COLUMNS",
    "METADATA_KEYS",
    "Dataset",
    "read_dataset",
    "read_tables",
    "validate_tables",
    "write_dataset",
    "writes_one_file",
]

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
        kind: raw_table([s for s in sheets if s.kind == kind], kind, schema, problems)
        for kind in ("nodes", "ties")
    }
    nodes, ties = check_tables(raw["nodes"], raw["ties"], schema, problems)
    if problems:
        raise ValidationError(problems_frame(problems.records))
    logger.info("read %s: %d nodes, %d ties", path, len(nodes), len(ties))
    return Dataset(nodes, ties, meta)


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


def _read_sources(path: Path, encoding: str | None, problems: Problems) -> list[TableSheet]:
    refused = None if path.is_dir() else _not_a_dataset(path)
    if refused:
        problems.add(str(path), None, None, None, refused)
        return []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".tsv"))
        sheets = [
            TableSheet(
                m["kind"].lower(), m["part"], str(f), text=decoded_text(f, encoding, problems)
            )
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


def _xlsx_sheets(path: Path, problems: Problems) -> list[TableSheet] | None:
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
            sheets.append(TableSheet(kind, part, file, cells=cells))
    finally:
        book.close()
    return sheets


# -- reading: metadata ------------------------------------------------------------------


def _read_metadata(
    path: Path, encoding: str | None, sheets: list[TableSheet], problems: Problems
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
        if items and fold(items[0][1]) in ("key", "键", "项目"):
            items = items[1:]  # a header row
    meta: dict[str, Any] = {}
    for row, key, value in items:
        key = _METADATA_ALIASES.get(fold(key), key)
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
                where, row, None, excerpt(key), illegal_message(found.group(), ("键", "the key "))
            )
            continue
        if isinstance(value, str) and (found := XML_ILLEGAL.search(value)):
            problems.add(where, row, key, excerpt(value), illegal_message(found.group()))
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
                where, row, SCHEMA_KEY, excerpt(value), f"schema 不是 JSON / not JSON: {error.msg}"
            )
            return None
    if not isinstance(value, dict):
        message = "schema 应为 Schema.to_dict() 的表 / must be a table as Schema.to_dict() writes"
        problems.add(where, row, SCHEMA_KEY, excerpt(str(value)), message)
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
