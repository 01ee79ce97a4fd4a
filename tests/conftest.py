"""Shared fixtures: small datasets written as files the way users write them, Neo4j and R;
and the lanes of the suite (the markers in pyproject.toml), set here by what a test uses."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import cobuild_graph as cg
from cobuild_graph import server
from cobuild_graph.errors import JavaNotFoundError, ServerError
from cobuild_graph.store import Neo4jStore

#: The JVM options of every Neo4j server the tests start (unless COBUILD_NEO4J_JVM_OPTIONS is
#: set): servers that live minutes, not days, do not pay for the JIT's second compiler, about
#: a third of the JVMs' CPU in the suite (docs/neo4j.md).
TEST_JVM_OPTIONS = "-XX:TieredStopAtLevel=1"
os.environ.setdefault("COBUILD_NEO4J_JVM_OPTIONS", TEST_JVM_OPTIONS)

NODES = """id,label,name,members,founded,provenance
city,City,苏州市,,,public-record
gusu,District,姑苏区,,,public-record
canglang,Street,沧浪街道,,2017-09-01,public-record
daoqian,Community,道前社区,120,,article
nanhuan1,Community,南环第一社区,,,article
007,Unit,苏州市市政设施管理处,,,article
ab1,ActionBranch,市委党校行动支部,36,,public-record
"""

TIES = """source,target,type,since,until,weight,provenance
gusu,city,PART_OF,,,,public-record
canglang,gusu,PART_OF,,,,public-record
daoqian,canglang,PART_OF,,,,public-record
nanhuan1,canglang,PART_OF,,,,synthetic
007,daoqian,PAIRED_WITH,2019-05-01,,1.5,article
007,canglang,ASSIGNED_TO,2018,2023-12-31,,synthetic
ab1,nanhuan1,EMBEDDED_IN,2022,,,public-record
"""


def write_csv_dataset(
    folder: Path, nodes: str = NODES, ties: str = TIES, *, encoding: str = "utf-8"
) -> Path:
    """Write `nodes` and `ties` as CSV files in `folder` with `encoding`; returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nodes.csv").write_bytes(nodes.encode(encoding))
    (folder / "ties.csv").write_bytes(ties.encode(encoding))
    return folder


@pytest.fixture
def small_dataset(tmp_path: Path) -> Path:
    """A valid seven-node dataset folder in UTF-8."""
    return write_csv_dataset(tmp_path / "small")


# -- Neo4j: a real server for the tests marked neo4j ---------------------------------------


@dataclass(frozen=True)
class Neo4jServer:
    """The server the Neo4j tests use; `state` is set when the tests started it themselves."""

    uri: str
    user: str
    password: str
    database: str | None
    state: Path | None

    def env(self) -> dict[str, str]:
        """The ``NEO4J_*`` variables that point at this server."""
        env = {"NEO4J_URI": self.uri, "NEO4J_USERNAME": self.user, "NEO4J_PASSWORD": self.password}
        if self.database:
            env["NEO4J_DATABASE"] = self.database
        return env

    def restart(self) -> server.ServerInfo:
        """Restart the server the tests started (same data, port and password)."""
        assert self.state is not None
        return server.restart(self.state)


def in_ci() -> bool:
    """Whether the tests run in CI (``CI=true``), where nothing may skip."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _ungrouped(session: pytest.Session) -> list[str]:
    """The Neo4j tests that ``--dist loadgroup`` failed to put in the group ``neo4j``.

    xdist groups by suffixing each test's id with ``@`` and its group; under pytest 9.2 that no
    longer takes (pytest-xdist#1386), hence ``pytest<9.2`` in the dev extra.
    """
    if not getattr(session.config.option, "loadgroup", False):
        return []
    marked = (item.nodeid for item in session.items if item.get_closest_marker("neo4j"))
    return [nodeid for nodeid in marked if not nodeid.endswith("@neo4j")]


@pytest.fixture(scope="session")
def neo4j_server(request: pytest.FixtureRequest) -> Iterator[Neo4jServer]:
    """A Neo4j server: ``NEO4J_URI`` if set, else a disposable one started for the session.

    The disposable one is :mod:`cobuild_graph.server`'s, as ``cobuild-graph neo4j start``
    starts it, in a state dir of its own. In CI (``CI=true``) a server that cannot start
    fails the tests; elsewhere they are skipped only when Java is missing. Under
    ``--dist loadgroup`` it refuses to start when the Neo4j tests are not all on this worker
    (:func:`_ungrouped`): each worker would start a server of its own.
    """
    if apart := _ungrouped(request.session):
        pytest.fail(
            "pytest-xdist 未把 Neo4j 测试分到同一个 worker，每个 worker 都会启动一个 Neo4j；"
            "请安装 pytest<9.2（pytest-xdist#1386）或用 -n 0 运行。"
            " pytest-xdist did not put the Neo4j tests on one worker, so each would start a"
            f" Neo4j: install pytest<9.2 (pytest-xdist#1386) or run with -n 0; e.g. {apart[0]}"
        )
    if os.environ.get("NEO4J_URI"):
        yield Neo4jServer(
            os.environ["NEO4J_URI"],
            os.environ.get("NEO4J_USERNAME", "neo4j"),
            os.environ.get("NEO4J_PASSWORD", ""),
            os.environ.get("NEO4J_DATABASE") or None,
            None,
        )
        return
    try:
        server.find_java()
    except JavaNotFoundError as error:
        message = f"{error} (the Neo4j tests start a server; or set NEO4J_URI)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    state = Path(tempfile.mkdtemp(prefix="cobuild-neo4j-tests-")) / "state"
    try:
        try:
            info = server.start(state)
        except ServerError as error:
            pytest.fail(f"the local Neo4j server did not start; no Neo4j test can run: {error}")
        yield Neo4jServer(info.uri, info.user, info.password, info.database, state)
    finally:
        server.stop(state)
        shutil.rmtree(state.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def neo4j_store(neo4j_server: Neo4jServer) -> Iterator[Neo4jStore]:
    """A store on the session's server, shared by the Neo4j tests."""
    with Neo4jStore(
        neo4j_server.uri,
        (neo4j_server.user, neo4j_server.password),
        database=neo4j_server.database,
    ) as opened:
        yield opened


@pytest.fixture(scope="session")
def stored_suzhou(neo4j_store: Neo4jStore) -> Iterator[str]:
    """The Suzhou sample, loaded once for the session's tests that only read it; its name."""
    name = "test-suzhou-readonly"
    neo4j_store.load(cg.read_dataset(cg.sample_path()), name, replace=True, progress=False)
    yield name
    neo4j_store.delete(name)


@pytest.fixture
def new_dataset(neo4j_store: Neo4jStore, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Call it for a dataset name of this test's own; every one is deleted afterwards."""
    names: list[str] = []

    def make(tag: str = "") -> str:
        name = f"test-{request.node.name}{'-' + tag if tag else ''}-{uuid.uuid4().hex[:8]}"
        names.append(name)
        return name

    yield make
    for name in names:
        neo4j_store.delete(name)


# -- The lanes: browser, r, neo4j, notebook and slow ----------------------------------------

#: The marker a test gets for using one of these fixtures (directly or through another).
NEEDS = {"neo4j_server": "neo4j", "rscript": "r"}
#: The markers of tests that need an outside program; each is also slow.
OUTSIDE = ("browser", "r", "neo4j", "notebook")
#: The markers whose tests share one xdist worker: Neo4j's tests its server, R's tests the
#: module fixture that runs sna's permutation tests once (about a minute).
GROUPED = ("neo4j", "r")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by what it needs, as ``-m`` selects the lanes (README, Development).

    A test using :data:`NEEDS`' fixtures gets their marker; a test that needs an outside
    program (:data:`OUTSIDE`) is slow too. The browser and notebook modules mark themselves
    (``pytestmark``), as slow tests of their own do. Every Neo4j test joins the xdist group
    ``neo4j``, so under ``--dist loadgroup`` one worker runs them all and only that worker
    starts the session's server; the R tests likewise join the group ``r`` (:data:`GROUPED`).
    """
    for item in items:
        for fixture, marker in NEEDS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)
        if any(item.get_closest_marker(marker) for marker in OUTSIDE):
            item.add_marker("slow")
        for shared in GROUPED:
            if item.get_closest_marker(shared):
                item.add_marker(pytest.mark.xdist_group(shared))


@pytest.fixture(scope="session")
def rscript() -> str:
    """Rscript with sna loaded (Debian: ``apt-get install r-cran-sna``): skips the test
    without it, fails it in CI (:func:`tests._r.require_rscript`)."""
    from tests._r import require_rscript  # tests._r imports this module

    return require_rscript()


@pytest.fixture(scope="module")
def sample() -> nx.MultiDiGraph:
    """The shipped sample dataset (each module gets its own copy)."""
    return cg.read_dataset(cg.sample_path())


@pytest.fixture(scope="module")
def sample_map(sample: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's map, as ``network_map`` writes it by default (layout seed 1)."""
    from cobuild_graph.maps import network_map

    path = tmp_path_factory.mktemp("map") / "map.html"
    network_map(sample, path, layout_seed=1)
    return path
