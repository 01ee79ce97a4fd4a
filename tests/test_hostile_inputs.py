"""Hostile and broken inputs: a clear message within seconds and bounded memory, no traceback.

Each case runs ``cobuild-graph`` in a child process with a cap on its memory and a time
limit: the cases of issue 10 ran for minutes or used up the machine's memory before.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font

from cobuild_graph.cli import EXIT_BROKEN_PIPE, EXIT_INVALID
from cobuild_graph.io import MAX_CELL_CHARACTERS, MAX_COLUMNS
from tests.conftest import write_csv_dataset

pytestmark = pytest.mark.slow  # each test starts the command line in a child process

ROOT = Path(__file__).resolve().parent.parent
# RLIMIT_DATA caps the memory a process writes to (heap and private mappings), not the
# address space that Arrow's and numpy's threads and arenas reserve without using, which
# RLIMIT_AS would count. `validate data/suzhou` runs within 300 MB of it.
MEMORY_BYTES = 1 << 30
# Generous for a slow machine (starting Python and pandas takes about a second); the bad
# cases took from 10 seconds to many minutes, or ran out of memory.
SECONDS = 10

NODES = "id,label,name\nc,City,苏州市\nd,District,姑苏区\n"
TIES = "source,target,type\nd,c,PART_OF\n"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_BYTES, MEMORY_BYTES))


def cli(
    *args: object, stdout: int | None = subprocess.PIPE, seconds: float = SECONDS
) -> subprocess.CompletedProcess:
    """Run the command line of this checkout in a child process, bounded in memory and time."""
    return subprocess.run(
        [sys.executable, "-m", "cobuild_graph.cli", *map(str, args)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=seconds,
        preexec_fn=_limit_memory,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


def refused(path: Path, *expected: str, seconds: float = SECONDS) -> str:
    """Validate `path`: it must be refused with every `expected` text and no traceback."""
    done = cli("validate", path, seconds=seconds)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == EXIT_INVALID, done.stderr
    for text in expected:
        assert text in done.stderr
    return done.stderr


def accepted(path: Path, counts: str = "(2 nodes, 1 ties)") -> None:
    done = cli("validate", path)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert counts in done.stdout


def workbook(path: Path, edit: Callable[[openpyxl.Workbook], None] | None = None) -> Path:
    """A small valid workbook (sheets nodes and ties), changed by `edit` before saving."""
    book = openpyxl.Workbook()
    nodes = book.active
    nodes.title = "nodes"
    for line in NODES.splitlines():
        nodes.append(line.split(","))
    ties = book.create_sheet("ties")
    for line in TIES.splitlines():
        ties.append(line.split(","))
    if edit is not None:
        edit(book)
    book.save(path)
    return path


def rezip(path: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Rewrite the parts of the workbook at `path`: `change(name, data)` gives each part's
    new bytes, or ``None`` to leave it out."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            new = change(info.filename, data)
            if new is not None:
                target.writestr(info.filename, new)
    return path


def in_nodes_sheet(change: Callable[[bytes], bytes]) -> Callable[[str, bytes], bytes]:
    return lambda name, data: change(data) if name == "xl/worksheets/sheet1.xml" else data


# -- workbooks whose size lies ------------------------------------------------------------


def test_a_cell_at_xfd1048576_is_one_cell(tmp_path: Path) -> None:
    # Before: a dense 1,048,576 x 16,384 grid, MemoryError.
    path = workbook(tmp_path / "far.xlsx", lambda book: book["nodes"].cell(1_048_576, 16_384, "x"))
    refused(
        path, "far.xlsx (sheet nodes), row 1048576: 字段比表头多 / more cells than header columns"
    )


def test_a_styled_empty_cell_far_down_is_nothing(tmp_path: Path) -> None:
    # Before: 16 s and 1 GB for a million empty rows.
    styled = workbook(
        tmp_path / "styled.xlsx",
        lambda book: setattr(book["nodes"].cell(1_048_576, 1), "font", Font(bold=True)),
    )
    accepted(styled)


def test_a_claimed_used_range_is_not_read(tmp_path: Path) -> None:
    path = rezip(
        workbook(tmp_path / "claims.xlsx"),
        in_nodes_sheet(lambda xml: xml.replace(b'ref="A1:C3"', b'ref="A1:XFD1048576"')),
    )
    assert b"A1:XFD1048576" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    accepted(path)


def test_rows_of_styled_cells_far_right_are_not_padded(tmp_path: Path) -> None:
    # 50,000 rows, each with one empty styled cell in column XFD: padded to rectangles,
    # 800 million cells; read as the cells they hold, 50,000.
    rows = b"".join(b'<row r="%d"><c r="XFD%d" s="0"/></row>' % (i, i) for i in range(4, 50_004))
    path = rezip(
        workbook(tmp_path / "padded.xlsx"),
        in_nodes_sheet(lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>")),
    )
    accepted(path)


def test_merged_ranges_past_the_content_fill_only_the_content(tmp_path: Path) -> None:
    def edit(book: openpyxl.Workbook) -> None:
        nodes = book["nodes"]
        nodes.insert_rows(1)
        nodes["A1"] = "苏州共建网络"
        nodes.merge_cells("A1:C1")  # a title row

    path = rezip(
        workbook(tmp_path / "merged.xlsx", edit),
        in_nodes_sheet(
            lambda xml: xml.replace(
                b'<mergeCell ref="A1:C1"/>', b'<mergeCell ref="A1:XFD1048575"/>'
            )
        ),
    )
    assert b"A1:XFD1048575" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    # The title fills every cell of the rows that hold cells: the header is not found.
    refused(
        path,
        "merged.xlsx (sheet nodes), row 1, column id: 表头行缺少必需的列 / missing required column",
    )


def test_overlapping_merged_ranges_are_refused(tmp_path: Path) -> None:
    twice = b'<mergeCells count="2"><mergeCell ref="A2:C3"/><mergeCell ref="A2:C3"/></mergeCells>'
    path = rezip(
        workbook(tmp_path / "twice.xlsx"),
        in_nodes_sheet(lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + twice)),
    )
    refused(
        path,
        "twice.xlsx (sheet nodes), row 2: 合并单元格相互重叠，请取消合并 / merged cells overlap",
    )


# -- files that are no workbook ------------------------------------------------------------


def _not_a_zip(path: Path) -> None:
    path.write_bytes(b"id,label,name\n")


def _empty_zip(path: Path) -> None:
    zipfile.ZipFile(path, "w").close()


def _no_workbook_part(path: Path) -> None:
    rezip(workbook(path), lambda name, data: None if name == "xl/workbook.xml" else data)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_not_a_zip, "不是 .xlsx 工作簿 / not an .xlsx workbook: the file is not a zip archive"),
        (
            _empty_zip,
            "不是 .xlsx 工作簿 / not an .xlsx workbook: the zip archive holds no workbook",
        ),
        (
            _no_workbook_part,
            "无法读取这个工作簿 / cannot read this workbook (KeyError: There is no item named",
        ),
    ],
    ids=["not-a-zip", "empty-zip", "no-workbook-part"],
)
def test_a_file_that_is_no_workbook_is_named(
    tmp_path: Path, make: Callable[[Path], None], expected: str
) -> None:
    path = tmp_path / "book.xlsx"
    make(path)
    stderr = refused(path, f"{path}: {expected}")
    assert stderr.count("\n  ") == 1  # one problem: no "no nodes table" besides


def test_a_sheet_that_is_no_xml_is_named(tmp_path: Path) -> None:
    # A control character as a character reference: no XML parser accepts it.
    path = rezip(
        workbook(tmp_path / "broken.xlsx"),
        in_nodes_sheet(lambda xml: xml.replace(b"<t>d</t>", b"<t>d&#1;</t>")),
    )
    refused(
        path, "broken.xlsx (sheet nodes): 无法读取这个工作表 / cannot read this sheet (ParseError"
    )


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    padding = b" " * (64 << 20)  # 64 MB of XML whitespace, about 64 KB compressed
    path = rezip(
        workbook(tmp_path / "bomb.xlsx"),
        in_nodes_sheet(lambda xml: xml.replace(b"</sheetData>", padding + b"</sheetData>")),
    )
    assert path.stat().st_size < 1 << 20
    refused(path, "bomb.xlsx: 未读取：解压后过大 / not read: xl/worksheets/sheet1.xml expands from")


# -- headers and cells too big -------------------------------------------------------------


def test_repeated_column_names_are_reported_in_linear_time(tmp_path: Path) -> None:
    # Before: quadratic, 15 s for 1,000 columns, 345 s for 4,000.
    width = MAX_COLUMNS - 3
    rows = "".join(line + "," * width + "\n" for line in NODES.splitlines()[1:])
    folder = write_csv_dataset(
        tmp_path, "id,label,name," + ",".join(["x"] * width) + "\n" + rows, TIES
    )
    # Linear, this takes about the second Python and pandas take to start; quadratic, ten.
    stderr = refused(
        folder,
        "nodes.csv, row 1, column x: 列重复出现 / column appears twice (also as 'x')",
        seconds=5,
    )
    assert f"invalid dataset: {width - 1} problems" in stderr


@pytest.mark.parametrize("columns", [4_000, 25_000_000], ids=["4000", "50-MB-line"])
def test_a_header_wider_than_the_limit_is_refused(tmp_path: Path, columns: int) -> None:
    # Before: 345 s for 4,000 columns; a 50 MB header passed 17 GB.
    header = "id,label,name" + ",x" * columns
    folder = write_csv_dataset(tmp_path, header + "\n" + NODES[14:], TIES)
    refused(
        folder,
        f"nodes.csv, row 1: {columns + 3:,} 列，表格最多 1,000 列 / "
        f"{columns + 3:,} columns: a table has at most 1,000",
    )


@pytest.mark.parametrize("length", [MAX_CELL_CHARACTERS + 1, 200_000])
def test_a_cell_too_long_is_reported_with_its_row_and_column(tmp_path: Path, length: int) -> None:
    # Before: a cell over the csv module's 131,072 characters escaped as _csv.Error.
    nodes = NODES + "u,Unit," + "长" * length + "\n" + "v,Unit,x,\n"  # a ragged row too
    folder = write_csv_dataset(tmp_path, nodes, TIES)
    refused(
        folder,
        f"nodes.csv, row 4, column name: 单元格有 {length:,} 个字符",
        f"/ a cell of {length:,} characters",
    )


# -- control characters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nodes", "metadata", "expected"),
    [
        (
            NODES + "u,Unit,bad\x00name\n",
            None,
            "nodes.csv, row 4, column name: 含有控制字符 U+0000，请删除 / "
            "holds the control character U+0000",
        ),
        (
            NODES + 'u,Unit,"esc\x1b[2J"\n',
            None,
            "nodes.csv, row 4, column name: 含有控制字符 U+001B，请删除 / "
            "holds the control character U+001B",
        ),
        (
            "id,label,name,no\x0bte\n" + NODES[14:],
            None,
            "nodes.csv, row 1: 第 4 列的表头含有控制字符 U+000B，请删除 / "
            "the header of column 4 holds the control character U+000B",
        ),
        (
            NODES,
            '{"name": "a\\u0007b"}',
            "metadata.json, row 1, column name: 含有控制字符 U+0007，请删除 / "
            "holds the control character U+0007",
        ),
        (
            NODES,
            '{"na\\u0001me": "x"}',
            "metadata.json, row 1: 键含有控制字符 U+0001，请删除 / "
            "the key holds the control character U+0001",
        ),
    ],
    ids=["nul-in-cell", "escape-in-cell", "header", "metadata-value", "metadata-key"],
)
def test_control_characters_are_refused(
    tmp_path: Path, nodes: str, metadata: str | None, expected: str
) -> None:
    # Before: valid, then the .xlsx export crashed and the .gexf was malformed XML.
    folder = write_csv_dataset(tmp_path, nodes, TIES)
    if metadata is not None:
        (folder / "metadata.json").write_text(metadata, encoding="utf-8")
    stderr = refused(folder, expected)
    assert "\x00" not in stderr  # shown escaped
    assert "\x1b" not in stderr


def test_tabs_and_line_breaks_stay_allowed(tmp_path: Path) -> None:
    nodes = NODES + 'u,Unit,"两行\r\n名称\twith a tab"\n'
    folder = write_csv_dataset(tmp_path, nodes, TIES)
    accepted(folder, "(3 nodes, 1 ties)")


# -- empty tables ----------------------------------------------------------------------------


def test_a_header_only_dataset_says_it_is_empty(tmp_path: Path) -> None:
    folder = write_csv_dataset(tmp_path, "id,label,name\n", "source,target,type\n")
    stderr = refused(folder, "nodes.csv: 数据集为空 / the dataset is empty")
    assert "invalid dataset: 1 problem\n" in stderr


def test_ties_without_nodes_name_their_missing_ends(tmp_path: Path) -> None:
    # Before: IndexError in validate.
    folder = write_csv_dataset(tmp_path, "id,label,name\n", TIES)
    refused(
        folder,
        "nodes.csv: 数据集为空 / the dataset is empty",
        "ties.csv, row 2, column source: 节点中没有这个 source id / source id not found among the "
        "nodes 取值 (value: 'd')",
    )


# -- a reader that goes away -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("info", ROOT / "data" / "suzhou", "--json"), ("generate", "--scale", "tiny", "-o", "{out}")],
    ids=["info", "generate"],
)
def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path, args: tuple) -> None:
    # `cobuild-graph ... | head`: here the reader has gone before the command writes.
    reading, writing = os.pipe()
    os.close(reading)
    try:
        done = cli(*(str(a).format(out=tmp_path / "out") for a in args), stdout=writing)
    finally:
        os.close(writing)
    assert (done.returncode, done.stderr) == (EXIT_BROKEN_PIPE, "")


def test_output_read_to_the_end_is_unchanged(tmp_path: Path) -> None:
    done = cli("info", ROOT / "data" / "suzhou", "--json")
    assert done.returncode == 0
    assert set(json.loads(done.stdout)) == {"nodes", "ties"}
