"""Files read exactly, or refused with the place: the file (and sheet), row, column and text.

Each case used to end silently wrong or in a traceback; now nothing is written, the command
exits non-zero, and the message names the place.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cobuild_graph import ValidationError, validate_tables
from cobuild_graph.cli import EXIT_INVALID, main
from cobuild_graph.roster import RosterError, read_roster
from tests.conftest import NODES, TIES, write_csv_dataset

HEADER = ["序号", "单位名称", "报到社区", "所属街道"]
LIBRARY = [1, "苏州市图书馆", "道前社区", "沧浪街道"]


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    """Run the command line in this process: (exit code, what it printed to stderr)."""
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def book(
    path: Path,
    rows: list[list[object]],
    title: str = "报到名册",
    edit: Callable[[openpyxl.Workbook], None] | None = None,
) -> Path:
    """A one-sheet workbook of `rows`, changed by `edit` before saving."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if edit is not None:
        edit(workbook)
    workbook.save(path)
    return path


def import_refused(capsys: pytest.CaptureFixture[str], roster: Path, *expected: str) -> RosterError:
    """Import `roster` as the library and the command line do: refused with every `expected`
    text, and nothing written (no dataset, no review workbook)."""
    with pytest.raises(RosterError) as caught:
        read_roster(roster)
    out = roster.parent / "out"
    code, err = run(capsys, "import", roster, "-o", out)
    assert code == EXIT_INVALID, err
    assert "Traceback" not in err
    for text in expected:
        assert text in str(caught.value)
        assert text in err
    assert not out.exists()
    assert not (roster.parent / "out.review.xlsx").exists()
    return caught.value


def convert_refused(capsys: pytest.CaptureFixture[str], dataset: Path, *expected: str) -> str:
    """Convert `dataset`: refused with every `expected` text, and nothing written."""
    out = dataset.parent / "converted"
    code, err = run(capsys, "convert", dataset, "-o", out)
    assert code == EXIT_INVALID, err
    assert "Traceback" not in err
    for text in expected:
        assert text in err
    assert not out.exists()
    return err


def sheet_xml(path: Path, change: Callable[[str], str]) -> Path:
    """Rewrite the first worksheet's XML of the workbook at `path` through `change`."""
    with zipfile.ZipFile(path) as source:
        parts = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            if name == "xl/worksheets/sheet1.xml":
                data = change(data.decode("utf-8")).encode("utf-8")
            target.writestr(name, data)
    return path


# -- formulas saved without their value ----------------------------------------------------

UNSAVED = "公式没有保存的值 / a formula without a saved value"


def test_formula_without_cached_value_is_refused_with_its_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: the cell read as empty, so the unit lost its community (and its tie).
    roster = book(tmp_path / "名册.xlsx", [HEADER, LIBRARY, [2, "苏州大学", "=C2", "沧浪街道"]])
    import_refused(
        capsys, roster, f"{roster} (sheet 报到名册), row 3, column C: {UNSAVED}", "(value: '=C2')"
    )
    nodes = [["id", "label", "name"], ["c", "City", "苏州市"], ["d", "District", '=B2&"区"']]
    ties = [["source", "target", "type"], ["d", "c", "PART_OF"]]

    def add_ties(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.create_sheet("ties")
        for row in ties:
            sheet.append(row)

    dataset = book(tmp_path / "data.xlsx", nodes, title="nodes", edit=add_ties)
    err = convert_refused(capsys, dataset, f"{dataset} (sheet nodes), row 3, column C: {UNSAVED}")
    assert """(value: '=B2&"区"')""" in err


def test_formula_with_a_saved_value_reads_as_excel_shows_it(tmp_path: Path) -> None:
    roster = book(
        tmp_path / "名册.xlsx",
        [HEADER, LIBRARY, [2, "苏州大学", "=C2", "沧浪街道"], [3, "苏州博物馆", "道前社区", '=""']],
    )
    saved = sheet_xml(
        roster,
        lambda xml: xml.replace(  # as Excel saves them: text results with their value
            '<c r="C3"><f>C2</f><v></v>', '<c r="C3" t="str"><f>C2</f><v>道前社区</v>'
        ).replace('<c r="D4"><f>""</f><v></v>', '<c r="D4" t="str"><f>""</f><v></v>'),
    )
    found = read_roster(saved)
    names = {attrs["name"] for _, attrs in found.graph.nodes(data=True)}
    assert {"苏州大学", "苏州博物馆", "道前社区"} <= names
    assert found.graph.number_of_edges() == 4  # three PAIRED_WITH, one PART_OF


# -- inline strings, and sheets without a <dimension> ------------------------------------------

# Inline-string cells in every form a writer may give them: plain (read without openpyxl's
# Text objects) and the rest (read through them).
INLINE_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>道前社区</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t xml:space="preserve">  前后空格  </t></is></c>'
    '<c r="C1" t="inlineStr"><is><t/></is></c><c r="D1" t="inlineStr"><is></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r>'
    '</is></c><c r="B2" t="inlineStr"><is><t>漢字</t><rPh sb="0" eb="1"><t>かんじ</t></rPh>'
    '</is></c><c r="C2" t="inlineStr"><is><t>先</t><r><t>后</t></r></is></c>'
    '<c r="D2" t="inlineStr"><is><t>一</t><t>二</t></is></c></row>'
    '<row r="3"><c t="inlineStr"><is><t>无坐标</t></is></c><c t="inlineStr"><is><t>次格</t>'
    '</is></c><c r="E3" t="inlineStr"><is><t>a_x000D_b&#10;c</t></is></c></row>'
    '<row r="4"><c r="A4" t="inlineStr"><is><t>0012</t></is></c>'
    '<c r="B4" t="inlineStr"><v>9</v><is><t>文</t></is></c>'
    '<c r="C4" t="inlineStr"><is><t>一</t></is><is><t>二</t></is></c>'
    '<c r="D4"><v>12345678901234567890</v></c><c r="E4" t="inlineStr"><is><t>a<b/>c</t>'
    "</is></c></row>"
)


def test_inline_strings_and_unsized_sheets_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    from cobuild_graph._sheets import open_xlsx, xlsx_cells
    from cobuild_graph.errors import Problems

    def edit(workbook: openpyxl.Workbook) -> None:
        other = workbook.create_sheet("第二页")
        other.append(["名称", "社区"])
        other.append(["苏州市图书馆", "道前社区"])
        other.print_title_rows = "1:1"  # a name local to the sheet, bound by its index

    path = sheet_xml(
        book(tmp_path / "名册.xlsx", [["x"]], edit=edit),
        lambda xml: re.sub(r"<dimension [^>]*/>", "", xml).replace(
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>',
            f"<sheetData>{INLINE_ROWS}",
        ),
    )
    problems = Problems()
    read = open_xlsx(path, problems)
    try:
        titles = [sheet.title for sheet in read.worksheets]
        cells = [xlsx_cells(read, sheet, sheet.title, problems) for sheet in read.worksheets]
    finally:
        read.close()
    # openpyxl's public reading of the whole workbook, its own Text objects and all
    public = openpyxl.load_workbook(path, data_only=True)
    assert titles == [sheet.title for sheet in public.worksheets] == ["报到名册", "第二页"]
    expected = [
        {
            row: {cell.column: cell.value for cell in line if cell.value not in (None, "")}
            for row, line in enumerate(sheet.iter_rows(), start=1)
            if any(cell.value not in (None, "") for cell in line)
        }
        for sheet in public.worksheets
    ]
    assert cells == expected
    assert not problems
    assert cells[0][1] == {1: "道前社区", 2: "  前后空格  "}
    assert cells[0][3] == {1: "无坐标", 2: "次格", 5: "a_x000D_b\nc"}
    assert cells[0][4][4] == 12345678901234567890


# -- CSV rows shorter or longer than their header ---------------------------------------------

SHORT = "字段比表头少 / fewer cells than header columns (3 cells, 4 columns)"
LONG = "字段比表头多 / more cells than header columns (5 cells, 4 columns)"


def test_csv_cut_in_its_last_row_is_refused_with_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: the short row imported as a community 迎 without a street.
    roster = tmp_path / "名册.csv"
    lines = [",".join(HEADER), ",".join(map(str, LIBRARY)), "2,苏州大学,迎"]
    roster.write_text("\n".join(lines), encoding="utf-8")
    import_refused(capsys, roster, f"{roster}, row 3: {SHORT}", "(value: '2,苏州大学,迎')")
    # Trailing empty cells count: a stray delimiter is a cell beyond the header.
    roster.write_text("\n".join([*lines[:2], "2,苏州大学,胥江社区,沧浪街道,"]), encoding="utf-8")
    import_refused(capsys, roster, f"{roster}, row 3: {LONG}")

    nodes = "id,label,name,founded\nc,City,苏州市,\nd,District,姑苏区,\ns,Street,沧"
    dataset = write_csv_dataset(tmp_path / "data", nodes, TIES.split("\n")[0] + "\n")
    err = convert_refused(capsys, dataset, f"nodes.csv, row 4: {SHORT}")
    assert "invalid dataset: 1 problem\n" in err


def test_csv_rows_as_long_as_their_header_read_as_before(tmp_path: Path) -> None:
    roster = tmp_path / "名册.csv"
    rows = [HEADER, LIBRARY, [""] * 4, [], [2, "苏州大学", "胥江社区", "沧浪街道"]]
    roster.write_text("\n".join(",".join(map(str, r)) for r in rows), encoding="utf-8")
    assert read_roster(roster).graph.number_of_edges() == 4  # 2 PAIRED_WITH, 2 PART_OF


# -- password-protected workbooks ---------------------------------------------------------

PROTECTED = (
    "受密码保护 / password-protected: remove the password in Excel/WPS (File › Info › Protect "
    "Workbook) and save again"
)


def test_password_protected_xlsx_is_called_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: "not a zip archive as .xlsx files are (an old .xls file renamed?)".
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = book(tmp_path / "plain.xlsx", [HEADER, LIBRARY])
    roster = tmp_path / "名册.xlsx"
    with plain.open("rb") as source, roster.open("wb") as target:
        ooxml.OOXMLFile(source).encrypt("secret", target)
    import_refused(capsys, roster, f"{roster}: {PROTECTED}")
    convert_refused(capsys, roster, f"{roster}: {PROTECTED}")
    renamed = tmp_path / "renamed" / "名册.xls"  # Excel opens it by its bytes, whatever the name
    renamed.parent.mkdir()
    renamed.write_bytes(roster.read_bytes())
    import_refused(capsys, renamed, f"{renamed}: {PROTECTED}")


def test_password_protected_xls_is_called_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: "cannot read this workbook (CalamineError: Cannot detect file format)".
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("报到名册")
    for column, text in enumerate(HEADER):
        sheet.write(0, column, text)
    # xlwt cannot encrypt: a FILEPASS record (RC4, a zero salt and verifier) after the BOF
    # marks the workbook as encrypted, as Excel's is.
    bof = workbook._Workbook__bof_rec
    filepass = struct.pack("<HHH", 1, 1, 1) + bytes(48)
    workbook._Workbook__bof_rec = lambda: bof() + struct.pack("<HH", 0x2F, 54) + filepass
    roster = tmp_path / "名册.xls"
    workbook.save(roster)
    import_refused(capsys, roster, f"{roster}: {PROTECTED}")


# -- lone surrogates ------------------------------------------------------------------------

SURROGATE = (
    "含有无效的 Unicode 字符 U+D800，请重新输入 / holds U+D800, a lone surrogate (invalid Unicode"
)


def test_lone_surrogate_in_a_cell_is_a_problem_with_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: "'utf-8' codec can't encode character '\\ud800'", with no place. An .xlsx
    # holds the surrogate as OOXML's escape _xD800_, which openpyxl writes as typed.
    roster = book(
        tmp_path / "名册.xlsx", [HEADER, [1, "苏州市图书馆_xD800_", "道前社区", "沧浪街道"]]
    )
    import_refused(
        capsys,
        roster,
        f"{roster} (sheet 报到名册), row 2, column B: {SURROGATE}",
        "(value: '苏州市图书馆\\\\ud800')",
    )

    def add_ties(workbook: openpyxl.Workbook) -> None:
        workbook.create_sheet("ties").append(["source", "target", "type"])

    nodes = [["id", "label", "name"], ["c", "City", "苏州_xD800_市"]]
    dataset = book(tmp_path / "data.xlsx", nodes, title="nodes", edit=add_ties)
    err = convert_refused(
        capsys, dataset, f"{dataset} (sheet nodes), row 2, column name: {SURROGATE}"
    )
    assert "invalid dataset: 1 problem\n" in err


def test_lone_surrogate_in_metadata_json_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_csv_dataset(tmp_path / "data", NODES, TIES)
    (folder / "metadata.json").write_text('{"name": "苏州\\ud800", "来\\udc00源": "x"}')
    err = convert_refused(
        capsys,
        folder,
        f"metadata.json, row 1, column name: {SURROGATE}",
        "metadata.json, row 1: 键含有无效的 Unicode 字符 U+DC00",
        "/ the key holds U+DC00, a lone surrogate",
    )
    assert "invalid dataset: 2 problems\n" in err


# -- rosters that used to end in a traceback -----------------------------------------------


def test_roster_with_only_a_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Before: IndexError in the reconciliation of no names.
    import_refused(
        capsys,
        book(tmp_path / "名册.xlsx", [["2023年报到名册"], HEADER]),
        "名册.xlsx (sheet 报到名册), row 2: 名册只有表头 / the roster has a header but no rows",
    )
    csv = tmp_path / "csv" / "名册.csv"
    csv.parent.mkdir()
    csv.write_text(",".join(HEADER) + "\n", encoding="utf-8")
    import_refused(capsys, csv, "名册.csv, row 1: 名册只有表头")


@pytest.mark.parametrize("blank", [["  ", "\u3000"], [1]], ids=["whitespace", "serial-only"])
def test_roster_with_a_blank_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], blank: list[object]
) -> None:
    # Before: IndexError when the blank row was the only one; beside named rows it is skipped.
    roster = book(tmp_path / "名册.xlsx", [HEADER, blank])
    expected = "row 2 holds no 单位名称、报到社区、所属街道" if blank == [1] else "只有表头"
    import_refused(capsys, roster, f"{roster} (sheet 报到名册), row 1: 名册", expected)
    found = read_roster(book(tmp_path / "ok.xlsx", [HEADER, LIBRARY, blank]))
    assert found.graph.number_of_edges() == 2  # PAIRED_WITH and PART_OF


def test_places_list_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Before: IndexError in making the ties of no roster rows.
    places = [["区", "街道", "社区"], ["姑苏区", "沧浪街道", "道前社区"]]
    roster = book(tmp_path / "名单.xlsx", places, title="社区名单")
    import_refused(
        capsys,
        roster,
        f"{roster} (sheet 社区名单), row 1: 没有名册，只有社区名单 / only a places list",
    )


def test_unit_with_no_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Before: the unit became a node tied to nothing, silently.
    roster = book(tmp_path / "名册.xlsx", [HEADER, LIBRARY, [2, "苏州大学", None, "  "]])
    error = import_refused(
        capsys,
        roster,
        f"{roster} (sheet 报到名册), row 3, column 报到社区: 报到社区为空",
        "'苏州大学' (单位名称) has no community or street in this row",
    )
    assert len(error.problems) == 1


def test_one_merged_cell_over_the_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Before: IndexError; the merged range holds no value, so the file holds nothing.
    roster = book(tmp_path / "名册.xlsx", [], edit=lambda b: b.active.merge_cells("A1:Z100"))
    import_refused(capsys, roster, f"{roster}: 文件是空的 / the file is empty")


def test_validate_tables_without_columns() -> None:
    # Before: ValueError "max() arg is an empty sequence".
    with pytest.raises(ValidationError) as caught:
        validate_tables(pd.DataFrame(index=range(2)), pd.DataFrame())
    shown = str(caught.value)
    assert (
        "nodes (DataFrame), column id: 表头行缺少必需的列 / missing required column 'id'" in shown
    )
    assert (
        "ties (DataFrame), column source: 表头行缺少必需的列 / missing required column 'source'"
        in shown
    )


# -- dates outside pandas' nanosecond range ------------------------------------------------


@pytest.mark.slow
def test_since_before_1677_and_an_old_founding_go_through_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: valid, then `report` ended in "Cannot cast 1600-01-01 ... to unit='ns'".
    nodes = NODES.replace("canglang,Street,沧浪街道,,2017-09-01", "canglang,Street,沧浪街道,,1035")
    ties = TIES.replace("PAIRED_WITH,2019-05-01,", "PAIRED_WITH,1600-01-01,")
    ties = ties.replace("EMBEDDED_IN,2022,", "EMBEDDED_IN,2022,9999-12-31")
    folder = write_csv_dataset(tmp_path / "old", nodes, ties)
    for command, out in (("report", "report"), ("analyze", "tables.xlsx"), ("convert", "x.gexf")):
        code, err = run(capsys, command, folder, "-o", tmp_path / out)
        assert (code, err) == (0, ""), (command, err)
    html = (tmp_path / "report" / "map.html").read_text(encoding="utf-8")
    assert "1600-01-01" in html
