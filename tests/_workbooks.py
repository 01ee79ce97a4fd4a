"""Hostile strings, a graph that carries them, and a look at every cell a workbook holds."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import networkx as nx
import openpyxl
from openpyxl.utils.escape import unescape

from cobuild_graph import _files

# Strings that Excel would run or mangle if a writer let it: formulas however they start,
# the leading tab and carriage return that CSV-injection filters look for, OOXML's own
# escape syntax, and the longest text a cell holds.
HOSTILE = [
    '=HYPERLINK("http://evil.example/x","click")',
    "=1+1",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "a\r\nb\rc",
    "_x000D_ and _x005F_x0041_ as typed",
    "长" * _files.EXCEL_MAX_CELL_CHARS,
]
# Characters XML cannot carry; Excel stores them escaped, and so do we.
CONTROL = "NUL\x00 BEL\x07 ESC\x1b US\x1f \ufffe\uffff end"


def workbook_cells(path: Path) -> dict[str, list[tuple[str, object]]]:
    """Every non-empty cell per sheet as (coordinate, value), failing on any formula."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode("utf-8")
                assert not re.search(r"<f[ >/]", xml), f"a formula in {name}"
    book = openpyxl.load_workbook(path)
    cells: dict[str, list[tuple[str, object]]] = {}
    for sheet in book.worksheets:
        cells[sheet.title] = []
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                value = unescape(cell.value) if isinstance(cell.value, str) else cell.value
                cells[sheet.title].append((cell.coordinate, value))
    return cells


def texts(cells: list[tuple[str, object]]) -> set[object]:
    return {value for _, value in cells}


def hostile_graph() -> nx.MultiDiGraph:
    """A valid co-building graph whose ids and names are the hostile strings."""
    G = nx.MultiDiGraph(name=HOSTILE[0], description=HOSTILE[3])
    G.add_node("street", label="Street", name="=STREET()")
    for i, text in enumerate(HOSTILE):
        G.add_node(f"=unit{i}", label="Unit", name=text, unit_type="organ")
        G.add_edge(f"=unit{i}", "street", key="ASSIGNED_TO", type="ASSIGNED_TO", provenance=text)
    return G
