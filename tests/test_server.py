"""The local Neo4j server (``cobuild-graph neo4j``): a real start, status and stop; a port in
use; damaged jars in the cache; Java missing or too old.

One server is started for the module through the command line, in a state dir and on a
port of its own (the session's server in conftest is another), from a cache whose jars were
damaged first: the start has to repair them.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cobuild_graph import server
from cobuild_graph.cli import EXIT_NEO4J, main
from cobuild_graph.errors import DownloadError, JavaNotFoundError, PortInUseError
from cobuild_graph.store import Neo4jStore
from tests.conftest import in_ci

ROOT = Path(__file__).resolve().parent.parent
JARS_LIST = Path(server.__file__).parent / "_static" / "neo4j-jars.txt"


@dataclass(frozen=True)
class ListedJar:
    """A line of the shipped jar list, read here independently of the module."""

    name: str
    url_path: str
    sha256: str
    size: int


def listed_jars() -> list[ListedJar]:
    jars = []
    for line in JARS_LIST.read_text().splitlines():
        if line.startswith("#"):
            continue
        coordinate, sha256, size = line.split()
        group, artifact, version, *classifier = coordinate.split(":")
        name = "-".join([artifact, version, *classifier]) + ".jar"
        url_path = "/".join([*group.split("."), artifact, version, name])
        jars.append(ListedJar(name, url_path, sha256, int(size)))
    return jars


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``cobuild-graph ARGS`` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "cobuild_graph.cli", *args],
        cwd=ROOT,  # this source tree's package
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # a first start downloads Neo4j
        check=False,
    )


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for its parent is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def need_java() -> None:
    try:
        server.find_java()
    except JavaNotFoundError as error:
        if in_ci():
            pytest.fail(str(error))
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def real_cache() -> Path:
    """The user's cache of Neo4j's jars, complete (downloaded if need be)."""
    return server.fetch()[0].parent


def cache_copy(real_cache: Path, folder: Path) -> Path:
    """A cache of its own in `folder`: links to the real jars (never written in place)."""
    lib = folder / "lib"
    lib.mkdir(parents=True)
    for jar in real_cache.glob("*.jar"):
        try:
            os.link(jar, lib / jar.name)
        except OSError:
            shutil.copy2(jar, lib / jar.name)
    return folder


def small_jars(count: int) -> list[ListedJar]:
    return sorted(listed_jars(), key=lambda jar: jar.size)[:count]


def damage(path: Path, data: bytes) -> None:
    path.unlink(missing_ok=True)  # a link to the real cache: replace it, never write into it
    path.write_bytes(data)


@dataclass
class Started:
    state: Path
    cache: Path
    repaired: list[ListedJar]
    run: subprocess.CompletedProcess[str]
    exports: dict[str, str]


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory, real_cache: Path) -> Iterator[Started]:
    """A server started by ``cobuild-graph neo4j start``, from a cache with damaged jars."""
    need_java()
    folder = tmp_path_factory.mktemp("server")
    cache = cache_copy(real_cache, folder / "cache")
    truncated, garbled, missing = small_jars(3)
    original = (cache / "lib" / truncated.name).read_bytes()
    damage(cache / "lib" / truncated.name, original[: len(original) // 2])
    damage(cache / "lib" / garbled.name, b"\0" * garbled.size)  # the right size, wrong bytes
    (cache / "lib" / missing.name).unlink()
    state = folder / "state"
    env = {**os.environ, "COBUILD_NEO4J_CACHE": str(cache)}
    for name in ("COBUILD_NEO4J_STATE", "COBUILD_NEO4J_MAVEN"):
        env.pop(name, None)
    run = cli("neo4j", "start", "--state-dir", str(state), env=env)
    assert run.returncode == 0, run.stderr
    exports = dict(line.removeprefix("export ").split("=", 1) for line in run.stdout.splitlines())
    yield Started(state, cache, [truncated, garbled, missing], run, exports)
    server.stop(state)


@pytest.mark.neo4j
def test_start_repairs_the_damaged_cache(started: Started) -> None:
    for jar in started.repaired:
        path = started.cache / "lib" / jar.name
        assert path.stat().st_size == jar.size
        assert sha256(path) == jar.sha256
    damaged = [jar.name for jar in started.repaired[:2]]  # the missing one is just fetched
    assert all(name in started.run.stderr for name in damaged), started.run.stderr
    assert "缓存文件损坏" in started.run.stderr
    assert not list((started.cache / "lib").glob("*.part"))


@pytest.mark.neo4j
def test_start_prints_what_to_export_and_the_server_takes_it(started: Started) -> None:
    exports = started.exports
    assert set(exports) == {"NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"}
    assert exports["NEO4J_URI"].startswith("bolt://127.0.0.1:")
    uri = re.escape(exports["NEO4J_URI"])
    assert re.search(rf"已就绪 ready \(pid \d+\): {uri}\n", started.run.stderr)
    assert exports["NEO4J_PASSWORD"] in started.run.stderr
    with Neo4jStore.from_env(
        uri=exports["NEO4J_URI"],
        user=exports["NEO4J_USERNAME"],
        password=exports["NEO4J_PASSWORD"],
        database=exports["NEO4J_DATABASE"],
    ) as store:
        assert store.run_cypher("RETURN 1 + 1 AS two")["two"].tolist() == [2]


@pytest.mark.neo4j
def test_status_and_a_second_start_report_the_running_server(started: Started) -> None:
    info = server.status(started.state)
    assert info is not None
    assert info.env() == started.exports
    assert running(info.pid)
    again = server.start(started.state)
    assert again == info  # the same process, not a second server
    run = cli("neo4j", "status", "--state-dir", str(started.state))
    assert run.returncode == 0, run.stderr
    assert run.stdout == info.exports()
    assert "运行中 running" in run.stderr


@pytest.mark.neo4j
def test_the_servers_jvm_takes_the_options_given(started: Started) -> None:
    given = shlex.split(os.environ["COBUILD_NEO4J_JVM_OPTIONS"])  # tests/conftest.py's
    assert given
    info = server.status(started.state)
    assert info is not None
    words = Path(f"/proc/{info.pid}/cmdline").read_bytes().decode().split("\0")
    assert all(word in words for word in given), words
    assert words.index("-XX:+UseG1GC") < words.index(given[0])  # after the stock options


@pytest.mark.neo4j
def test_start_on_the_port_of_the_running_server_names_the_port(
    started: Started, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = int(started.exports["NEO4J_URI"].rsplit(":", 1)[1])
    state = tmp_path / "state"
    code = main(["neo4j", "start", "--state-dir", str(state), "--bolt-port", str(port)])
    err = capsys.readouterr().err
    assert code == EXIT_NEO4J
    assert f"端口 {port} 已被占用 port {port}" in err
    assert "Traceback" not in err
    assert not state.exists()


@pytest.mark.neo4j
def test_stop_ends_the_server_and_deletes_its_state(started: Started) -> None:
    info = server.status(started.state)
    assert info is not None
    port = int(info.uri.rsplit(":", 1)[1])
    assert server.stop(started.state) is True
    assert not running(info.pid)
    assert not started.state.exists()
    assert server.status(started.state) is None
    with pytest.raises(ConnectionRefusedError):  # nothing listens on its port any more
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert server.stop(started.state) is False  # stopping again is harmless
    run = cli("neo4j", "status", "--state-dir", str(started.state))
    assert (run.returncode, run.stdout) == (EXIT_NEO4J, "")
    assert "未运行 not running" in run.stderr


def test_a_port_in_use_is_an_error_naming_it(tmp_path: Path) -> None:
    need_java()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=rf"port {port} \(the port asked for\) is in use"):
            server.start(tmp_path / "state", bolt_port=port)
    assert not (tmp_path / "state").exists()


def test_a_cache_that_cannot_be_repaired_offline_is_a_clear_error(
    real_cache: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    need_java()
    cache = cache_copy(real_cache, tmp_path / "cache")
    (jar,) = small_jars(1)
    damage(cache / "lib" / jar.name, b"PK\3\4 cut short")
    with socket.socket() as closed:  # a port nothing listens on: the network is "down"
        closed.bind(("127.0.0.1", 0))
        offline = f"http://127.0.0.1:{closed.getsockname()[1]}/maven2"
    monkeypatch.setenv("COBUILD_NEO4J_MAVEN", offline)
    monkeypatch.setenv("COBUILD_NEO4J_CACHE", str(cache))
    with pytest.raises(DownloadError, match="cannot download") as caught:
        server.fetch()
    assert f"{offline}/{jar.url_path}" in str(caught.value)
    assert not (cache / "lib" / jar.name).exists()  # the damaged jar is gone, not used
    assert not list((cache / "lib").glob("*.part"))
    state = tmp_path / "state"
    code = main(["neo4j", "start", "--state-dir", str(state)])
    err = capsys.readouterr().err
    assert code == EXIT_NEO4J
    assert "无法下载 Neo4j cannot download" in err
    assert "COBUILD_NEO4J_MAVEN" in err
    assert "Traceback" not in err
    assert not state.exists()


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No log line per request."""


def test_a_download_that_does_not_match_its_checksum_is_not_kept(
    real_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (jar,) = small_jars(1)
    mirror = tmp_path / "mirror"  # a mirror that serves another file under the jar's name
    (mirror / jar.url_path).parent.mkdir(parents=True)
    (mirror / jar.url_path).write_bytes(b"not the jar" * 10)
    handler = functools.partial(QuietFiles, directory=str(mirror))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever)
        thread.start()
        try:
            cache = cache_copy(real_cache, tmp_path / "cache")
            (cache / "lib" / jar.name).unlink()
            monkeypatch.setenv("COBUILD_NEO4J_MAVEN", f"http://127.0.0.1:{httpd.server_port}")
            with pytest.raises(DownloadError, match=f"{jar.name} does not match its SHA-256"):
                server.fetch(cache_dir=cache)
        finally:
            httpd.shutdown()
            thread.join()
    assert not (cache / "lib" / jar.name).exists()
    assert not list((cache / "lib").glob("*.part"))


def test_java_missing_is_a_bilingual_error_without_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "COBUILD_NEO4J_JAVA")}
    env["PATH"] = str(tmp_path)  # no java on it
    state = tmp_path / "state"
    run = cli("neo4j", "start", "--state-dir", str(state), env=env)
    assert run.returncode == EXIT_NEO4J
    assert "Neo4j 需要 Java 17 或更高版本 needs Java 17 or newer" in run.stderr
    assert "apt install openjdk-17-jre-headless" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    assert not state.exists()


def test_an_old_java_is_refused_with_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    java = tmp_path / "java"  # what Java 11 answers to -version
    java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("COBUILD_NEO4J_JAVA", str(java))
    code = main(["neo4j", "start", "--state-dir", str(tmp_path / "state")])
    err = capsys.readouterr().err
    assert code == EXIT_NEO4J
    assert f"{java} is Java 11" in err
    assert "需要 Java 17" in err
    assert not (tmp_path / "state").exists()
