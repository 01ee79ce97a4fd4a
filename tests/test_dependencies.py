"""The dependencies whose private parts the house uses are the versions it was tested with.

``cobuild_graph/_sheets.py`` streams a worksheet with openpyxl's private parser
(:data:`~cobuild_graph._sheets.OPENPYXL_PRIVATE`), so pyproject.toml pins openpyxl below its
next minor version. These tests fail, naming the name that moved, when the installed openpyxl
is outside the pin or no longer has a private name as ``_sheets.py`` uses it.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import networkx as nx
import openpyxl
import pytest
from packaging.requirements import Requirement

from cobuild_graph import _sheets
from cobuild_graph._sheets import OPENPYXL_PRIVATE

ROOT = Path(__file__).resolve().parents[1]
REVISIT = (
    "须重新检查 pyproject.toml 中 openpyxl 的版本限制和 cobuild_graph/_sheets.py; "
    "revisit the openpyxl pin in pyproject.toml and cobuild_graph/_sheets.py"
)
SPREADSHEET_ML = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _openpyxl_requirement() -> Requirement:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(r) for r in project["dependencies"] if Requirement(r).name == "openpyxl"]
    assert len(found) == 1, "pyproject.toml 应恰好声明一次 openpyxl; declares openpyxl once"
    return found[0]


def test_the_installed_openpyxl_is_within_the_pin() -> None:
    requirement = _openpyxl_requirement()
    installed = version("openpyxl")
    assert requirement.specifier.contains(installed, prereleases=True), (
        f"已安装 openpyxl {installed}, 不在 pyproject.toml 的 {requirement.specifier} 之内; "
        f"installed openpyxl {installed} is outside pyproject.toml's {requirement.specifier}: "
        f"{REVISIT}"
    )


def test_openpyxl_has_an_upper_bound_while_its_private_names_are_used() -> None:
    assert OPENPYXL_PRIVATE
    bounds = [s for s in _openpyxl_requirement().specifier if s.operator in ("<", "<=", "==")]
    assert bounds, (
        "_sheets.py 使用 openpyxl 的私有名称, pyproject.toml 须给出版本上限; _sheets.py uses "
        f"private names of openpyxl, so pyproject.toml must bound it above: {REVISIT}"
    )


def test_the_list_names_every_private_name_sheets_uses() -> None:
    # the constant is the one list: every private openpyxl name in _sheets.py's code is on it
    tree = ast.parse(inspect.getsource(_sheets))
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
            private_module = any(part.startswith("_") for part in node.module.split("."))
            used |= {
                f"{node.module}.{alias.name}"
                for alias in node.names
                if private_module or alias.name.startswith("_")
            }
        elif (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
        ):
            used.add(f"{node.value.id}.{node.attr}")
    assert used == set(OPENPYXL_PRIVATE)


@pytest.fixture(scope="module")
def read_only_book(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("openpyxl") / "book.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "成立日期", "人数"])
    sheet.append(["道前社区", dt.datetime(2017, 9, 1), 120])
    sheet.merge_cells("A5:B5")
    sheet["A5"] = "合并"
    book.save(path)
    read_only = openpyxl.load_workbook(path, read_only=True, data_only=True)
    yield read_only
    read_only.close()


def _resolve(name: str, book: Any) -> Any:
    owner, _, attribute = name.rpartition(".")
    if owner == "book":
        return getattr(book, attribute)
    if owner == "sheet":
        return getattr(book.worksheets[0], attribute)
    return getattr(importlib.import_module(owner), attribute)


@pytest.mark.parametrize("name", OPENPYXL_PRIVATE)
def test_each_private_name_is_there(name: str, read_only_book: Any) -> None:
    try:
        _resolve(name, read_only_book)
    except (ImportError, AttributeError) as error:
        pytest.fail(
            f"openpyxl {openpyxl.__version__} 已无 {name} ({error}); openpyxl "
            f"{openpyxl.__version__} no longer has {name}, which _sheets.py uses: {REVISIT}"
        )


def _moved(name: str, what: str) -> str:
    return (
        f"openpyxl {openpyxl.__version__} 的 {name} 已变 ({what}); openpyxl "
        f"{openpyxl.__version__} changed {name} ({what}), as _sheets.py uses it: {REVISIT}"
    )


def test_the_private_names_behave_as_sheets_relies_on(read_only_book: Any) -> None:
    names = {name.rpartition(".")[2]: name for name in OPENPYXL_PRIVATE}
    reader = importlib.import_module("openpyxl.worksheet._reader")
    tags = {"FORMULA_TAG": f"{SPREADSHEET_ML}f", "VALUE_TAG": f"{SPREADSHEET_ML}v"}
    for tag, expected in tags.items():
        assert getattr(reader, tag) == expected, _moved(names[tag], f"not {expected}")
    parser_class = reader.WorkSheetParser
    wanted = {"src", "shared_strings", "data_only", "epoch", "date_formats", "timedelta_formats"}
    parameters = set(inspect.signature(parser_class).parameters)
    assert wanted <= parameters, _moved(names["WorkSheetParser"], f"lacks {wanted - parameters}")

    book, sheet = read_only_book, read_only_book.worksheets[0]
    for formats in ("_date_formats", "_timedelta_formats"):
        assert isinstance(getattr(book, formats), set), _moved(names[formats], "not a set")
    with book._archive.open(sheet._worksheet_path) as source:
        parser = parser_class(
            source,
            book.shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        rows = list(parser.parse())
    # the cells each row holds, compared with openpyxl's public reading of the same sheet
    public = openpyxl.load_workbook(book._archive.filename, data_only=True).worksheets[0]
    cells = {(c["row"], c["column"]): c["value"] for _, row in rows for c in row if c["value"]}
    expected_cells = {
        (cell.row, cell.column): cell.value
        for row in public.iter_rows()
        for cell in row
        if cell.value
    }
    assert cells == expected_cells, _moved(names["WorkSheetParser"], "parses other cells")
    assert cells[2, 2] == dt.datetime(2017, 9, 1), _moved(names["_date_formats"], "no dates")
    merged = [m.ref for m in parser.merged_cells.mergeCell]
    assert merged == ["A5:B5"], _moved(names["WorkSheetParser"], "merged cells not kept")


def test_networkx_is_pinned_and_its_data_layout_is_as_the_views_use_it() -> None:
    """``views._cobuilding``, ``build`` and the store read and set networkx's dicts of dicts
    (``G._node``, ``G._adj``, ``G._pred``): within the pin, setting a digraph's ``_adj``
    sets its successors too, and a graph made so reads as one built by its methods."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (requirement,) = [
        Requirement(r) for r in project["dependencies"] if Requirement(r).name == "networkx"
    ]
    assert [s for s in requirement.specifier if s.operator in ("<", "<=", "==")]
    assert requirement.specifier.contains(version("networkx"), prereleases=True)
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", key="T", w=1)
    G.add_node("c", label="x")
    H = nx.MultiDiGraph()
    H._node = dict(G._node)
    H._adj = {n: dict(G._adj[n]) for n in G}
    H._pred = {n: dict(G._pred[n]) for n in G}
    assert H._succ is H._adj
    assert list(H.edges(keys=True, data=True)) == list(G.edges(keys=True, data=True))
    assert list(H.in_edges("b")) == [("a", "b")]
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
