"""Every workbook the library writes holds data as text, never as a formula, and exactly."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl.utils.escape import unescape

from cobuild_graph import _files, read_dataset, write_dataset
from cobuild_graph.analysis import write_analysis
from cobuild_graph.cli import main
from cobuild_graph.errors import ExcelLimitError, ValidationError
from cobuild_graph.schema import DEFAULT_SCHEMA
from cobuild_graph.template import write_template
from tests._workbooks import CONTROL, HOSTILE, hostile_graph, texts, workbook_cells
from tests.conftest import NODES, TIES, write_csv_dataset


def test_dataset_workbook_holds_every_string_as_text(tmp_path: Path) -> None:
    G = hostile_graph()
    G.nodes["=unit0"]["note"] = CONTROL
    path = write_dataset(G, tmp_path / "hostile.xlsx")
    cells = workbook_cells(path)
    for text in [*HOSTILE, CONTROL, "=STREET()", "=unit0"]:
        assert text in texts(cells["nodes"])
    assert set(HOSTILE) <= texts(cells["ties"])
    assert {HOSTILE[0], HOSTILE[3]} <= texts(cells["metadata"])


def test_dataset_workbook_reads_back_exactly(tmp_path: Path) -> None:
    G = hostile_graph()
    back = read_dataset(write_dataset(G, tmp_path / "hostile.xlsx"))
    # The reader trims spaces, tabs and line breaks around a cell, as it does for any file.
    for node, attrs in G.nodes(data=True):
        assert back.nodes[node]["name"] == attrs["name"].strip()
    assert back.nodes["=unit7"]["name"] == "a\r\nb\rc"  # inner line breaks kept as typed
    assert back.graph["name"] == HOSTILE[0]
    assert sorted(back.edges(keys=True)) == sorted(G.edges(keys=True))


def test_dataset_reader_refuses_control_characters_written_escaped(tmp_path: Path) -> None:
    G = hostile_graph()
    G.nodes["street"]["name"] = CONTROL
    path = write_dataset(G, tmp_path / "control.xlsx")
    with pytest.raises(ValidationError) as caught:
        read_dataset(path)
    problems = caught.value.problems
    assert (problems["column"] == "name").any()
    assert problems["file"].str.contains("sheet nodes").all()


def test_analysis_workbook_holds_every_string_as_text(tmp_path: Path) -> None:
    ids = [f"={i}" for i in range(len(HOSTILE))]
    tables = {
        "centrality": pd.DataFrame(
            {"name": HOSTILE, "degree": np.arange(len(HOSTILE), dtype=float)},
            index=pd.Index(ids, name="id"),
        ),
        "notes": pd.DataFrame({"text": [CONTROL, "-1", ["=a", "+b"]]}),
    }
    cells = workbook_cells(write_analysis(tables, tmp_path / "tables.xlsx"))
    assert set(HOSTILE) | set(ids) <= texts(cells["centrality"])
    assert {CONTROL, "-1", "=a; +b"} <= texts(cells["notes"])
    degrees = [v for c, v in cells["centrality"] if c.startswith("C") and c != "C1"]
    assert degrees == list(range(len(HOSTILE)))  # numbers stay numbers


@pytest.mark.slow
def test_analyze_command_writes_names_as_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = '=HYPERLINK("http://evil.example/x","click")'
    nodes = NODES.replace("苏州市市政设施管理处", f'"{name.replace(chr(34), chr(34) * 2)}"')
    folder = write_csv_dataset(tmp_path / "hostile", nodes, TIES)
    assert read_dataset(folder).nodes["007"]["name"] == name
    assert main(["analyze", str(folder), "-o", str(tmp_path / "out.xlsx"), "--no-progress"]) == 0
    cells = workbook_cells(tmp_path / "out.xlsx")
    carrying = [sheet for sheet, found in cells.items() if name in texts(found)]
    assert len(carrying) >= 3, carrying  # the nodes' tables that show names
    capsys.readouterr()


def test_template_holds_schema_text_as_text(tmp_path: Path) -> None:
    schema = DEFAULT_SCHEMA.extend(
        {
            "labels": {
                "Village": {
                    "description": '=HYPERLINK("http://evil.example","村")',
                    "parent": "Street",
                    "attributes": {"households": {"type": "int", "description": "+1+1"}},
                }
            }
        }
    )
    cells = workbook_cells(write_template(tmp_path / "template.xlsx", schema=schema))
    assert '=HYPERLINK("http://evil.example","村")' in texts(cells["labels"])
    assert "+1+1" in texts(cells["columns"])


def test_a_cell_longer_than_excel_holds_is_refused(tmp_path: Path) -> None:
    G = hostile_graph()
    G.nodes["=unit3"]["name"] = "长" * (_files.EXCEL_MAX_CELL_CHARS + 1)
    with pytest.raises(ExcelLimitError, match=r"nodes!C\d+: .*32,768 characters do not fit"):
        write_dataset(G, tmp_path / "long.xlsx")
    table = pd.DataFrame({"x": ["=" + "x" * _files.EXCEL_MAX_CELL_CHARS]})
    with pytest.raises(ExcelLimitError, match=r"t!A2: "):
        write_analysis({"t": table}, tmp_path / "long-tables.xlsx")
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a partial file
    # CSV takes it whole, and the reader, which bounds a cell as Excel does, says where it is.
    folder = write_dataset(G, tmp_path / "long")
    with pytest.raises(ValidationError, match=r"nodes\.csv, row \d+, column name: .*32,768"):
        read_dataset(folder)


def test_excel_text_escapes_what_xml_cannot_carry() -> None:
    for text in [*HOSTILE, CONTROL, "plain 文本", "_x", "_x12_", "_X000d_"]:
        escaped = _files.excel_text(text)
        assert not _files.XML_ILLEGAL.search(escaped)
        assert "\r" not in escaped
        assert unescape(escaped) == text


def test_atomic_write_gives_an_ordinary_mode_and_no_partial_file(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "out.txt"
        _files.atomic_write(target, lambda tmp: Path(tmp).write_text("whole"))
        assert stat.S_IMODE(target.stat().st_mode) == 0o644

        def fails(tmp: str) -> None:
            Path(tmp).write_text("half")
            raise OSError("disk full")

        with pytest.raises(OSError, match="disk full"):
            _files.atomic_write(target, fails)
        assert target.read_text() == "whole"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    finally:
        os.umask(old)
