"""The package's top-level names: light to import, heavy parts on first use."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

import cobuild_graph as cg


@pytest.mark.slow
def test_import_does_not_load_the_heavy_libraries() -> None:
    code = (
        "import json, sys, cobuild_graph; "
        "print(json.dumps([m in sys.modules for m in ('matplotlib', 'pyvis', 'neo4j', 'numba')]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, False, False, False]


def test_every_exported_name_resolves_to_its_module_object() -> None:
    from cobuild_graph.analysis import analyze, write_analysis
    from cobuild_graph.maps import network_map
    from cobuild_graph.report import write_report
    from cobuild_graph.store import Neo4jStore

    assert cg.analyze is analyze
    assert cg.write_analysis is write_analysis
    assert cg.network_map is network_map
    assert cg.write_report is write_report
    assert cg.Neo4jStore is Neo4jStore
    for name in cg.__all__:
        assert getattr(cg, name) is not None, name


def test_submodules_are_reachable_as_attributes() -> None:
    assert callable(cg.metrics.centrality)
    assert callable(cg.domain.coverage)
    assert callable(cg.server.start)
    assert callable(cg.stats.mrqap)
    names = {"metrics", "domain", "plot", "stats", "analyze", "network_map", "server"}
    assert names <= set(dir(cg))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = cg.no_such_thing


PUBLIC_MODULES = (
    "cobuild_graph",
    "cobuild_graph.analysis",
    "cobuild_graph.build",
    "cobuild_graph.domain",
    "cobuild_graph.export",
    "cobuild_graph.io",
    "cobuild_graph.maps",
    "cobuild_graph.metrics",
    "cobuild_graph.plot",
    "cobuild_graph.reconcile",
    "cobuild_graph.report",
    "cobuild_graph.roster",
    "cobuild_graph.server",
    "cobuild_graph.stats",
    "cobuild_graph.store",
    "cobuild_graph.template",
)


def test_signatures_are_short_enough_to_read() -> None:
    """help() and Jupyter's Shift-Tab show a signature whole: no default object dumped in it."""
    seen = 0
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", dir(module)):
            value = getattr(module, name)
            functions = [value] if inspect.isfunction(value) else []
            if inspect.isclass(value) and value.__module__.startswith("cobuild_graph"):
                functions = [f for _, f in inspect.getmembers(value, inspect.isfunction)]
            for function in functions:
                signature = str(inspect.signature(function))
                seen += "schema" in signature
                assert "Schema(" not in signature, f"{module_name}.{name}: {signature[:120]}"
                # network_map has twenty options (630 characters): a longer one dumps an object
                assert len(signature) < 650, f"{module_name}.{name}: {len(signature)} characters"
    assert seen >= 20  # the functions that take a schema were looked at


# -- public seams and the import graph ---------------------------------------------------------

PACKAGE_DIR = Path(cg.__file__).parent

# Private names a package shows although they are not its own: the limit on the cells of a
# roster's .xls, .ods or .et sheet, which read_roster documents (docs/reference/roster.md)
# and cobuild_graph._sheets enforces for it.
SHOWN = {("cobuild_graph.roster", "cobuild_graph._sheets.MAX_SHEET_CELLS")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(name: str) -> bool:
    return (PACKAGE_DIR.parent / name.replace(".", "/") / "__init__.py").exists()


def _is_module(name: str) -> bool:
    return _is_package(name) or (PACKAGE_DIR.parent / f"{name.replace('.', '/')}.py").exists()


def _package_of(name: str) -> str:
    """The package a module belongs to: itself for a package, its parent otherwise."""
    return name if _is_package(name) else name.rpartition(".")[0]


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def _imports(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, module, name) of each import of the package in the file (name None for a
    module); ``from cobuild_graph.maps import _layout`` is the module it names."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                if _is_module(whole):
                    found.append((node.lineno, whole, None))
                else:
                    found.append((node.lineno, node.module, alias.name))
    return [f for f in found if f[1].split(".")[0] == "cobuild_graph"]


def _unreachable(importer: str, module: str, name: str | None) -> str | None:
    """The private part of `module` (or `name` in it) that `importer` may not use, if any.

    A private module or name belongs to the package that holds it, and is used only inside
    that package (its subpackages included): the top-level private modules (``_files``,
    ``_page`` ...) serve the whole of ``cobuild_graph``; ``metrics._simple`` serves only
    ``metrics``."""
    parts = module.split(".") + ([name] if name else [])
    for at, part in enumerate(parts):
        if not _private(part):
            continue
        owner = ".".join(parts[:at])
        owner = owner if _is_package(owner) else owner.rpartition(".")[0]
        if not (importer == owner or importer.startswith(f"{owner}.")):
            return ".".join(parts[: at + 1])
    return None


def _public_modules() -> list[str]:
    names = ["cobuild_graph"]
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], "cobuild_graph."):
        if not any(_private(part) for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _dunder_all(path: Path) -> list[str] | None:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                return list(ast.literal_eval(node.value))
    return None


def _path_of(module: str) -> Path:
    base = PACKAGE_DIR.parent / module.replace(".", "/")
    return base / "__init__.py" if _is_package(module) else base.with_suffix(".py")


def test_every_public_module_lists_its_public_names_and_each_exists() -> None:
    modules = _public_modules()
    assert {"cobuild_graph.layout", "cobuild_graph.views", "cobuild_graph.maps"} <= set(modules)
    assert not any(m.startswith("cobuild_graph.metrics._") for m in modules)
    for name in modules:
        listed = _dunder_all(_path_of(name))
        assert listed is not None, f"{name} has no __all__"
        assert len(set(listed)) == len(listed), f"{name}.__all__ repeats a name"
        module = importlib.import_module(name)
        for public in listed:
            assert not _private(public), f"{name}.__all__ lists the private {public}"
            assert hasattr(module, public), f"{name}.__all__ lists {public}, which it lacks"


def test_no_package_uses_the_private_names_of_another() -> None:
    found = set()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        importer = _module_name(path)
        for line, module, name in _imports(path):
            if (reached := _unreachable(importer, module, name)) is not None:
                found.add((importer, reached, f"{path.name}:{line}"))
    assert not found, "\n".join(f"{w}: {i} imports {r}" for i, r, w in sorted(found))


def test_a_module_re_exports_private_names_only_of_its_own_package() -> None:
    """``maps`` shows its map, its folding and its layouts, never the page kit
    (``cobuild_graph._page``) it shares with the report; a module of a package may show the
    package's own private names (``io.MAX_COLUMNS`` from ``cobuild_graph._sheets``)."""
    wrong = []
    for name in _public_modules():
        path = _path_of(name)
        listed = set(_dunder_all(path) or ())
        own = _package_of(name)
        for line, module, imported in _imports(path):
            shown = imported in listed and any(_private(p) for p in module.split("."))
            outside = _package_of(module) != own and not module.startswith(f"{name}.")
            if shown and outside and (name, f"{module}.{imported}") not in SHOWN:
                wrong.append(f"{path.name}:{line}: {name} re-exports {module}.{imported}")
    assert not wrong, "\n".join(wrong)
    maps = importlib.import_module("cobuild_graph.maps")
    assert not {"render_page", "json_for_script", "vis_network_js"} & set(maps.__all__)


def _import_cycles(root: str) -> list[list[str]]:
    """The loops of the import graph of package `root`, each as the modules round it.

    Importing ``a.b.c`` from outside ``a.b`` runs ``a.b``'s ``__init__`` first, so it counts
    as importing ``a.b`` too: ``_page -> plot -> maps._layout`` was a loop through
    ``maps/__init__``, which imports the map, which imports ``_page``."""
    # an import for annotations only (under TYPE_CHECKING) runs nowhere: no cycle
    graph = grimp.build_graph(root, cache_dir=None, exclude_type_checking_imports=True)
    imports = nx.DiGraph()
    for importer in graph.modules:
        imports.add_node(importer)
        for imported in graph.find_modules_directly_imported_by(importer):
            imports.add_edge(importer, imported)
            parts = imported.split(".")
            for depth in range(1, len(parts)):
                package = ".".join(parts[:depth])
                if not (importer == package or importer.startswith(f"{package}.")):
                    imports.add_edge(importer, package)
    assert imports.number_of_nodes() == len(graph.modules)
    return [
        [u for u, _ in nx.find_cycle(imports.subgraph(c))]
        for c in nx.strongly_connected_components(imports)
        if len(c) > 1
    ]


def test_the_import_graph_has_no_cycles() -> None:
    assert Path(importlib.import_module("cobuild_graph").__file__).parent == PACKAGE_DIR
    loops = _import_cycles("cobuild_graph")
    assert not loops, "import cycles:\n" + "\n".join(" -> ".join(loop) for loop in loops)


def test_a_loop_through_a_package_init_is_found(tmp_path: Path) -> None:
    """The loop issue 22 found, on a package made here: no module imports another back, but
    importing ``loopy.maps._layout`` runs ``loopy/maps/__init__``."""
    package = tmp_path / "loopy"
    (package / "maps").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "maps/__init__.py": "from loopy.maps._map import draw\n",
        "maps/_map.py": "from loopy._page import FONT\ndraw = 1\n",
        "maps/_layout.py": "where = 1\n",
        "_page.py": "from loopy.plot import FONT\n",
        "plot.py": "from loopy.maps._layout import where\nFONT = 1\n",
    }
    for name, text in files.items():
        (package / name).write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        (loop,) = _import_cycles("loopy")
        (package / "plot.py").write_text("FONT = 1\n")  # the font where the page kit is
        assert _import_cycles("loopy") == []
    finally:
        sys.path.remove(str(tmp_path))
    assert sorted(loop) == ["loopy._page", "loopy.maps", "loopy.maps._map", "loopy.plot"]
