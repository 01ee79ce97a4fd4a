"""The notebooks in notebooks/ run from top to bottom, from any folder, and are stored without
outputs; the map shows inline.

Each runs in a fresh kernel whose ``PYTHONPATH`` starts with this checkout, so the notebooks
exercise the code under test whatever copy of the package is installed, and whose working
directory is an empty folder outside the repository, so no notebook depends on being run
from ``notebooks/``. A notebook whose
name contains "neo4j" runs against the session's Neo4j server (the ``neo4j_server``
fixture: ``NEO4J_URI`` if set, else a disposable server), its ``NEO4J_*`` variables passed
to the kernel; the other notebooks need no server and do not start one.
"""

from __future__ import annotations

import ast
import html
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests._docs import ERGM_PAGE, section_blocks

pytestmark = pytest.mark.notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NEO4J_VARIABLES = ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")


def _needs_neo4j(path: Path) -> bool:
    return "neo4j" in path.stem


def _kernel_env(neo4j: dict[str, str] | None) -> dict[str, str]:
    """The kernel's environment: ours, this checkout first on the path, and Neo4j's if given."""
    env = {k: v for k, v in os.environ.items() if k not in NEO4J_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    env.update(neo4j or {})
    return env


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, id=p.stem, marks=[pytest.mark.neo4j] if _needs_neo4j(p) else [])
        for p in NOTEBOOKS
    ],
)
def test_notebook_runs(
    path: Path, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    neo4j = request.getfixturevalue("neo4j_server").env() if _needs_neo4j(path) else None
    notebook = nbformat.read(path, as_version=4)
    elsewhere = tmp_path_factory.mktemp(path.stem)  # not notebooks/: any folder works
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": elsewhere}}
    ).execute(env=_kernel_env(neo4j))
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    charts = [c for c in notebook.cells if c.cell_type == "code" and "fig, ax =" in c.source]
    shown = [c for c in charts if any("image/png" in o.get("data", {}) for o in c.outputs)]
    assert len(shown) == len(charts)  # every chart shows inline, not only the first
    maps = [c for c in notebook.cells if c.cell_type == "code" and "cg.network_map(" in c.source]
    for cell in maps:
        pages = [_map_page(o) for o in cell.outputs if "text/html" in o.get("data", {})]
        assert [p for p in pages if p], "the map shows inline as text/html"
    for page, heading in SHOWN_IN_DOCS.get(path.stem, []):
        _docs_section_shows_the_notebook(notebook, page, heading)


#: Sections of the docs whose blocks are a notebook's, shown as it shows them: run once here
#: (the model takes half a minute), checked against the page.
SHOWN_IN_DOCS = {"06-ergm": [(ERGM_PAGE, "Why do units report")]}


def _docs_section_shows_the_notebook(
    notebook: nbformat.NotebookNode, page: Path, heading: str
) -> None:
    """Every statement of each python block of the section runs in the notebook, in the
    page's order, and the block's last expression is a cell's last, whose result shows as
    the page's text block (every column; spacing aside)."""
    cells = [ast.parse(c.source).body for c in notebook.cells if c.cell_type == "code"]
    ran = [ast.dump(statement) for body in cells for statement in body]
    results = {
        ast.dump(ast.parse(c.source).body[-1]): [
            o["data"]["text/plain"] for o in c.outputs if o.output_type == "execute_result"
        ]
        for c in notebook.cells
        if c.cell_type == "code"
    }
    at = 0
    for code, shown in section_blocks(page, heading):
        body = ast.parse(code).body
        for statement in body:
            assert ast.dump(statement) in ran[at:], (heading, ast.unparse(statement))
            at = ran.index(ast.dump(statement), at) + 1
        (result,) = results[ast.dump(body[-1])]
        assert result.split() == shown.split(), (heading, result)


def _map_page(output: nbformat.NotebookNode) -> str:
    """The map page inside an output's ``<iframe srcdoc>`` ('' when there is none): a page
    with the map's data, which JupyterLab and VS Code show as they show any HTML output."""
    found = re.search(r'<iframe srcdoc="([^"]*)"', output["data"]["text/html"])
    if found is None:
        return ""
    page = html.unescape(found.group(1))
    data = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S)
    return page if data and '"nodes"' in data.group(1) else ""


def test_the_quickstart_shows_a_map() -> None:
    quickstart = nbformat.read(ROOT / "notebooks" / "01-quickstart.ipynb", as_version=4)
    assert any("cg.network_map(" in c.source for c in quickstart.cells if c.cell_type == "code")


def test_kernels_run_this_checkout_without_a_server_by_default() -> None:
    env = _kernel_env(None)
    assert not set(NEO4J_VARIABLES) & set(env)
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT)
    assert any(_needs_neo4j(p) for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code
    assert all(not c.outputs and c.execution_count is None for c in code)


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS
