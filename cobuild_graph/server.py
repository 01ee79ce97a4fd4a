"""A disposable local Neo4j server: fetched from Maven Central once, started, stopped.

For trying the library's Neo4j store, and for its tests: Neo4j 5.26 LTS Community runs from
its jars (``org.neo4j:neo4j`` and its runtime dependencies, the list the package ships in
``_static/neo4j-jars.txt``, each jar with its SHA-256), downloaded once from Maven Central
into a cache and checked on every start. The server listens on the loopback interface only,
Bolt without TLS (no HTTP), with authentication on and a generated password. Everything it
writes (data, logs, password, port) lives in one *state dir*; :func:`stop` deletes it.

It needs Java 17 or newer (``java`` on the ``PATH``, ``JAVA_HOME``, or
``COBUILD_NEO4J_JAVA``) and Linux (WSL too). The command line is ``cobuild-graph neo4j
start|stop|restart|status|fetch``.

Settings, read at each call, that the arguments override:

- ``COBUILD_NEO4J_STATE``: the state dir (default ``/tmp/cobuild-neo4j``).
- ``COBUILD_NEO4J_CACHE``: where the jars are kept (default
  ``$XDG_CACHE_HOME/cobuild-graph/neo4j-5.26``, else ``~/.cache/cobuild-graph/neo4j-5.26``).
- ``COBUILD_NEO4J_MAVEN``: the Maven repository to download from (default Maven Central,
  ``https://repo1.maven.org/maven2``); a mirror such as
  ``https://maven.aliyun.com/repository/public`` serves the same files, and the checksums
  make sure of it.
- ``COBUILD_NEO4J_JAVA``: the ``java`` program (default ``$JAVA_HOME/bin/java``, else
  ``java`` on the ``PATH``).
- ``COBUILD_NEO4J_HEAP``, ``COBUILD_NEO4J_PAGECACHE``: the JVM's maximum heap (default
  ``2g``) and Neo4j's page cache (default ``512m``).
- ``COBUILD_NEO4J_JVM_OPTIONS``: more options for the server's JVM, after the stock ones
  (split as a shell splits words), such as ``-XX:TieredStopAtLevel=1`` for a server that
  lives a few minutes: the JIT compiles less, at about half the CPU (the test suite's).
- ``COBUILD_NEO4J_START_TIMEOUT``, ``COBUILD_NEO4J_STOP_TIMEOUT``: seconds to wait for the
  server to answer (default 120), and for it to stop before it is killed (default 60).

Examples
--------
Start a server, connect, stop it (and delete its data)::

    from cobuild_graph import server
    from cobuild_graph.store import Neo4jStore

    info = server.start()
    with Neo4jStore(info.uri, (info.user, info.password)) as store:
        store.datasets()
    server.stop()
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import logging
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from cobuild_graph.errors import DownloadError, JavaNotFoundError, PortInUseError, ServerError

__all__ = [
    "DATABASE",
    "JAVA_MIN",
    "MAVEN_CENTRAL",
    "USER",
    "ServerInfo",
    "fetch",
    "find_java",
    "neo4j_version",
    "restart",
    "start",
    "status",
    "stop",
]

logger = logging.getLogger(__name__)

#: The user of the server.
USER = "neo4j"
#: Its database.
DATABASE = "neo4j"
#: Where the jars come from unless ``COBUILD_NEO4J_MAVEN`` says otherwise.
MAVEN_CENTRAL = "https://repo1.maven.org/maven2"
#: The oldest Java that Neo4j 5.26 runs on.
JAVA_MIN = 17

_JARS_LIST = Path(__file__).resolve().parent / "_static" / "neo4j-jars.txt"
_ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
_ADMIN_COMMAND = "org.neo4j.server.startup.Neo4jAdminCommand"
_JAVA_INSTALL = (
    "安装 install: Debian/Ubuntu `sudo apt install openjdk-17-jre-headless`, "
    "macOS `brew install openjdk@17`, others https://adoptium.net (Temurin 17 or 21); "
    "or set JAVA_HOME or COBUILD_NEO4J_JAVA"
)
_DOWNLOADS = 4  # jars fetched at once


@dataclass(frozen=True)
class ServerInfo:
    """How to reach a running local server.

    Attributes
    ----------
    uri
        Its Bolt URI, ``bolt://127.0.0.1:PORT``.
    user, password, database
        What to log in with, and the database to use.
    pid
        The server's process id.
    state_dir
        Its state dir (data, logs, password).
    """

    uri: str
    user: str
    password: str
    database: str
    pid: int
    state_dir: Path

    def env(self) -> dict[str, str]:
        """The ``NEO4J_*`` variables that :meth:`Neo4jStore.from_env` reads."""
        return {
            "NEO4J_URI": self.uri,
            "NEO4J_USERNAME": self.user,
            "NEO4J_PASSWORD": self.password,
            "NEO4J_DATABASE": self.database,
        }

    def exports(self) -> str:
        """The variables as shell ``export`` lines, for ``eval "$(cobuild-graph neo4j start)"``."""
        return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in self.env().items())


@dataclass(frozen=True)
class _Jar:
    coordinate: str  # group:artifact:version[:classifier]
    sha256: str
    size: int

    @property
    def file_name(self) -> str:
        _, artifact, version, *classifier = self.coordinate.split(":")
        return f"{artifact}-{version}{''.join('-' + c for c in classifier)}.jar"

    @property
    def url_path(self) -> str:
        group, artifact, version, *_ = self.coordinate.split(":")
        return f"{group.replace('.', '/')}/{artifact}/{version}/{self.file_name}"


@functools.cache
def _jars() -> tuple[_Jar, ...]:
    rows = (line.split() for line in _JARS_LIST.read_text().splitlines())
    return tuple(_Jar(c, h, int(n)) for c, h, n in (r for r in rows if r and r[0][0] != "#"))


def neo4j_version() -> str:
    """The Neo4j release that :func:`start` runs, e.g. ``"5.26.30"``."""
    return next(
        j.coordinate.split(":")[2] for j in _jars() if j.coordinate.startswith("org.neo4j:neo4j:")
    )


# -- the jars ------------------------------------------------------------------------------


def fetch(*, cache_dir: str | Path | None = None) -> list[Path]:
    """Download Neo4j's jars into the cache, once; check the cached ones against their SHA-256.

    A cached jar that is missing, cut short or different is deleted and downloaded again;
    a download is kept only when its checksum matches.

    Parameters
    ----------
    cache_dir
        Else ``COBUILD_NEO4J_CACHE``, else ``~/.cache/cobuild-graph/neo4j-5.26``.

    Returns
    -------
    list of pathlib.Path
        The jars, Neo4j's class path.

    Raises
    ------
    DownloadError
        If a jar cannot be downloaded, or the download does not match its checksum.
    """
    lib = _cache_dir(cache_dir) / "lib"
    lib.mkdir(parents=True, exist_ok=True)
    paths = [lib / jar.file_name for jar in _jars()]
    with _file_lock(lib.parent / ".lock"):
        missing = [jar for jar, path in zip(_jars(), paths, strict=True) if not _intact(path, jar)]
        if missing:
            _download(missing, lib)
    return paths


def _cache_dir(given: str | Path | None) -> Path:
    if given or os.environ.get("COBUILD_NEO4J_CACHE"):
        return Path(given or os.environ["COBUILD_NEO4J_CACHE"]).absolute()
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg).absolute() / "cobuild-graph" / "neo4j-5.26"


def _intact(path: Path, jar: _Jar) -> bool:
    """Whether `path` holds `jar`; a damaged copy is deleted (and logged)."""
    if not path.exists():
        return False
    if path.stat().st_size == jar.size and _sha256(path) == jar.sha256:
        return True
    logger.warning("缓存文件损坏，重新下载 cached %s is damaged; downloading it again", path)
    path.unlink()
    return False


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _download(jars: list[_Jar], lib: Path) -> None:
    repository = (os.environ.get("COBUILD_NEO4J_MAVEN") or MAVEN_CENTRAL).rstrip("/")
    megabytes = sum(j.size for j in jars) / 1e6
    logger.info(
        "downloading %d jars (%.0f MB) from %s to %s", len(jars), megabytes, repository, lib
    )
    started = time.monotonic()
    with ThreadPoolExecutor(_DOWNLOADS) as pool:
        futures = [pool.submit(_download_one, jar, repository, lib) for jar in jars]
        try:
            for future in futures:
                future.result()
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    logger.info("downloaded Neo4j's jars in %.0f s", time.monotonic() - started)


def _download_one(jar: _Jar, repository: str, lib: Path) -> None:
    url = f"{repository}/{jar.url_path}"
    part = lib / (jar.file_name + ".part")
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(part, "wb") as out:
            while chunk := response.read(1 << 16):
                digest.update(chunk)
                out.write(chunk)
    except (OSError, urllib.error.URLError, http.client.HTTPException) as error:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"无法下载 Neo4j cannot download {url}: {getattr(error, 'reason', error)}. "
            "检查网络 check the network, or set COBUILD_NEO4J_MAVEN to a Maven Central mirror "
            "(e.g. https://maven.aliyun.com/repository/public)"
        ) from None
    if part.stat().st_size != jar.size or digest.hexdigest() != jar.sha256:
        part.unlink()
        raise DownloadError(
            f"下载的文件校验失败 {url} does not match its SHA-256 (expected {jar.sha256}, "
            f"{jar.size} bytes): the download was cut short or the server sent another file; "
            "run it again"
        )
    part.replace(lib / jar.file_name)


# -- Java ----------------------------------------------------------------------------------


def find_java(java: str | Path | None = None) -> tuple[str, int]:
    """The ``java`` program to run Neo4j with, and its major version (17 or newer).

    Parameters
    ----------
    java
        Else ``COBUILD_NEO4J_JAVA``, else ``$JAVA_HOME/bin/java``, else ``java`` on the
        ``PATH``.

    Raises
    ------
    JavaNotFoundError
        If there is no Java, or it is older than 17; the message says how to install one.
    """
    given = str(java or os.environ.get("COBUILD_NEO4J_JAVA") or "")
    home = os.environ.get("JAVA_HOME")
    if not given and home and os.access(Path(home, "bin", "java"), os.X_OK):
        given = str(Path(home, "bin", "java"))
    found = shutil.which(given or "java")
    if not found:
        where = f"{given} 不存在 does not exist" if given else "PATH 中没有 java: no java found"
        raise JavaNotFoundError(
            f"Neo4j 需要 Java {JAVA_MIN} 或更高版本 needs Java {JAVA_MIN} or newer, but {where}. "
            + _JAVA_INSTALL
        )
    try:
        answer = subprocess.run(
            [found, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise JavaNotFoundError(f"无法运行 cannot run {found} -version: {error}") from None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', answer.stderr + answer.stdout)
    if not match:
        raise JavaNotFoundError(f"{found} -version 没有给出版本 names no version. " + _JAVA_INSTALL)
    major = int(match[1]) if match[1] != "1" else int(match[2] or 0)  # 1.8 is Java 8
    if major < JAVA_MIN:
        raise JavaNotFoundError(
            f"Neo4j 需要 Java {JAVA_MIN} 或更高版本 needs Java {JAVA_MIN} or newer; {found} is "
            f"Java {major}. " + _JAVA_INSTALL
        )
    return found, major


# -- the server ----------------------------------------------------------------------------


class _State:
    """The files of a state dir."""

    def __init__(self, root: str | Path | None) -> None:
        given = root or os.environ.get("COBUILD_NEO4J_STATE")
        self.root = Path(given or Path(tempfile.gettempdir(), "cobuild-neo4j")).absolute()
        self.conf_dir = self.root / "conf"
        self.data = self.root / "data"
        self.logs = self.root / "logs"
        self.pid_file = self.root / "neo4j.pid"
        self.port_file = self.root / "port"
        self.password_file = self.root / "password"
        self.kept_file = self.root / "kept"
        self.lock = self.root.parent / (self.root.name + ".lock")

    def port(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int(self.port_file.read_text())
        return None

    def password(self) -> str | None:
        with contextlib.suppress(OSError):
            return self.password_file.read_text().strip() or None
        return None

    def reusable(self) -> bool:
        return self.data.is_dir() and self.port() is not None and self.password() is not None

    def info(self, pid: int) -> ServerInfo:
        uri = f"bolt://127.0.0.1:{self.port()}"
        return ServerInfo(uri, USER, self.password() or "", DATABASE, pid, self.root)


def start(
    state_dir: str | Path | None = None,
    *,
    bolt_port: int | None = None,
    password: str | None = None,
    heap: str | None = None,
    pagecache: str | None = None,
    timeout: float | None = None,
    cache_dir: str | Path | None = None,
) -> ServerInfo:
    """Start a local Neo4j server, or report the one already running from `state_dir`.

    A fresh start makes a new, empty state dir; a state dir left by
    ``stop(keep_data=True)`` is started again with its data, port and password. The first
    start downloads Neo4j (about 120 MB, see :func:`fetch`). It returns when the server
    answers on Bolt.

    Parameters
    ----------
    state_dir
        Else ``COBUILD_NEO4J_STATE``, else ``/tmp/cobuild-neo4j``.
    bolt_port
        The loopback port to listen on; a free one when ``None``.
    password
        The password of user ``neo4j``; a random one when ``None``.
    heap, pagecache
        The JVM's maximum heap and Neo4j's page cache, such as ``"2g"`` or ``"512m"``.
    timeout
        Seconds to wait for the server to answer (default 120).
    cache_dir
        Where the jars are kept (see :func:`fetch`).

    Returns
    -------
    ServerInfo
        Its URI, user, password, database and process id.

    Raises
    ------
    JavaNotFoundError
        If Java 17 or newer is missing.
    PortInUseError
        If `bolt_port` (or the kept port) is taken by another program.
    DownloadError
        If the jars cannot be downloaded.
    ServerError
        If the server does not start (the message ends with its log).
    """
    return _start(
        _State(state_dir),
        bolt_port=bolt_port,
        password=password,
        heap=heap,
        pagecache=pagecache,
        timeout=timeout,
        cache_dir=cache_dir,
        reuse=False,
    )


def restart(
    state_dir: str | Path | None = None,
    *,
    timeout: float | None = None,
    cache_dir: str | Path | None = None,
) -> ServerInfo:
    """Stop the server keeping its data, and start it again with the same port and password.

    A server that died or was killed is started again the same way (Neo4j recovers from
    its transaction logs). Parameters as in :func:`start`.
    """
    stop(state_dir, keep_data=True)
    return _start(
        _State(state_dir),
        bolt_port=None,
        password=None,
        heap=None,
        pagecache=None,
        timeout=timeout,
        cache_dir=cache_dir,
        reuse=True,
    )


def _start(
    state: _State,
    *,
    bolt_port: int | None,
    password: str | None,
    heap: str | None,
    pagecache: str | None,
    timeout: float | None,
    cache_dir: str | Path | None,
    reuse: bool,
) -> ServerInfo:
    _require_linux()
    if bolt_port is not None and not 0 < bolt_port < 65536:
        raise ValueError(f"端口号无效 the Bolt port must be 1-65535, not {bolt_port}")
    with _file_lock(state.lock):
        pids = _server_pids(state.root)
        if pids and state.reusable():
            running = state.info(pids[0])
            if bolt_port not in (None, state.port()):
                raise ServerError(
                    f"已在运行 a server is already running from {state.root} at {running.uri}: "
                    "stop it first to use another port"
                )
            logger.info("already running (pid %d) at %s", pids[0], running.uri)
            return running
        if pids:  # running, but its state files are gone: not ours to reuse
            logger.warning("stopping a server with no usable state: pids %s", pids)
            _terminate(pids, _seconds("COBUILD_NEO4J_STOP_TIMEOUT", None, 60))
        java, _ = find_java()
        jvm = _jvm_options(heap or os.environ.get("COBUILD_NEO4J_HEAP") or "2g")
        jvm += shlex.split(os.environ.get("COBUILD_NEO4J_JVM_OPTIONS", ""))
        reuse = (reuse or state.kept_file.exists()) and state.reusable()
        if reuse:
            port = state.port()
            assert port is not None  # reusable() says so
            if bolt_port not in (None, port) or password not in (None, state.password()):
                raise ServerError(
                    f"{state.root} 保留了数据 holds kept data with its own port and password: "
                    "start it without them, or stop it (deleting the data) first"
                )
            _check_port(port, "the kept server's port")
        else:
            port = bolt_port or _free_port()
            if bolt_port is not None:
                _check_port(bolt_port, "the port asked for")
        classpath = os.pathsep.join(map(str, fetch(cache_dir=cache_dir)))
        if not reuse:
            _fresh_state(state, port, password or secrets.token_hex(16))
        pagecache = pagecache or os.environ.get("COBUILD_NEO4J_PAGECACHE") or "512m"
        _write_conf(state, port, pagecache, Path(classpath.split(os.pathsep)[0]).parent)
        if not reuse:
            _set_initial_password(state, java, classpath)
        proc = _launch(state, [java, *jvm], classpath)
        return _wait_ready(state, proc, _seconds("COBUILD_NEO4J_START_TIMEOUT", timeout, 120))


def stop(
    state_dir: str | Path | None = None, *, keep_data: bool = False, timeout: float | None = None
) -> bool:
    """Stop the server of `state_dir` (SIGTERM, then SIGKILL) and delete the state dir.

    Parameters
    ----------
    state_dir
        Else ``COBUILD_NEO4J_STATE``, else ``/tmp/cobuild-neo4j``.
    keep_data
        Keep the state dir, so that the next :func:`start` brings back the same data, port
        and password.
    timeout
        Seconds to wait after SIGTERM before SIGKILL (default 60).

    Returns
    -------
    bool
        Whether a server was running.
    """
    _require_linux()
    state = _State(state_dir)
    with _file_lock(state.lock):
        pids = _server_pids(state.root)
        if pids:
            logger.info("stopping Neo4j (pid %s)", ", ".join(map(str, pids)))
            _terminate(pids, _seconds("COBUILD_NEO4J_STOP_TIMEOUT", timeout, 60))
        if keep_data and state.reusable():
            state.pid_file.unlink(missing_ok=True)
            state.kept_file.touch()
            logger.info("data kept in %s", state.root)
        elif not keep_data and state.root.exists():
            shutil.rmtree(state.root)
            logger.info("removed %s", state.root)
    return bool(pids)


def status(state_dir: str | Path | None = None) -> ServerInfo | None:
    """The server of `state_dir` if it is running and answers on Bolt, else ``None``.

    Parameters
    ----------
    state_dir
        Else ``COBUILD_NEO4J_STATE``, else ``/tmp/cobuild-neo4j``.
    """
    _require_linux()
    state = _State(state_dir)
    pids = _server_pids(state.root)
    port = state.port()
    if pids and state.reusable() and port is not None and _bolt_answers(port):
        return state.info(pids[0])
    if pids:
        logger.info(
            "pid %d runs but does not answer on Bolt (starting, hung, or lost its state)", pids[0]
        )
    return None


def _require_linux() -> None:
    if not sys.platform.startswith("linux"):
        raise ServerError(
            "本地测试服务器只支持 Linux the local server runs on Linux (and WSL) only: on "
            f"{sys.platform} use Neo4j Desktop or Docker (see the Neo4j set-up page)"
        )


def _seconds(variable: str, given: float | None, default: float) -> float:
    if given is not None:
        return given
    raw = os.environ.get(variable, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{variable} must be a number of seconds, not {raw!r}") from None


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    import fcntl  # POSIX only; _require_linux() comes first

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _check_port(port: int, what: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise PortInUseError(
                f"端口 {port} 已被占用 port {port} ({what}) is in use by another program: "
                "choose another port, or leave it out to get a free one"
            ) from None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fresh_state(state: _State, port: int, password: str) -> None:
    if state.root.exists():
        logger.info("removing the stale state dir %s", state.root)
        shutil.rmtree(state.root)
    state.root.mkdir(parents=True, mode=0o700)
    for sub in ("data", "logs", "run", "import", "plugins"):
        (state.root / sub).mkdir()
    fd = os.open(state.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password + "\n")
    state.port_file.write_text(f"{port}\n")


def _write_conf(state: _State, port: int, pagecache: str, lib: Path) -> None:
    r = state.root
    lines = [
        "# Written by cobuild_graph.server on every start; edits are lost.",
        f"server.directories.data={r / 'data'}",
        f"server.directories.logs={r / 'logs'}",
        f"server.directories.run={r / 'run'}",
        f"server.directories.import={r / 'import'}",
        f"server.directories.plugins={r / 'plugins'}",
        f"server.directories.lib={lib}",
        "server.default_listen_address=127.0.0.1",
        "server.default_advertised_address=127.0.0.1",
        "server.bolt.enabled=true",
        f"server.bolt.listen_address=127.0.0.1:{port}",
        f"server.bolt.advertised_address=127.0.0.1:{port}",
        "server.bolt.tls_level=DISABLED",
        "server.http.enabled=false",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        f"initial.dbms.default_database={DATABASE}",
        f"server.memory.pagecache.size={pagecache}",
        "dbms.usage_report.enabled=false",
        "db.logs.query.enabled=OFF",
        # A disposable server: transaction logs stay bounded during bulk loads.
        "db.tx_log.rotation.retention_policy=1G size",
        "db.tx_log.preallocate=false",
        # Bolt's thread pools otherwise wait 2 x 5 s on shutdown.
        "internal.server.bolt.thread_pool_shutdown_wait_time=1s",
        "internal.server.bolt.connection_shutdown_wait_time=1s",
    ]
    state.conf_dir.mkdir(parents=True, exist_ok=True)
    (state.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")


def _jvm_options(heap: str) -> list[str]:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", heap.strip())
    if not match:
        raise ValueError(f"the heap size must look like 2g or 1536m, not {heap!r}")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match[2].lower()]
    initial = "1g" if int(match[1]) * scale > (1 << 30) else heap.strip()
    # Neo4j's stock JVM options, without AlwaysPreTouch (a small shared machine), and with
    # exit-on-OOM so that a dead server is seen.
    return [
        f"-Xms{initial}",
        f"-Xmx{heap.strip()}",
        "-XX:+UseG1GC",
        "-XX:-OmitStackTraceInFastThrow",
        "-XX:+UnlockExperimentalVMOptions",
        "-XX:+TrustFinalNonStaticFields",
        "-XX:+DisableExplicitGC",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djdk.nio.maxCachedBufferSize=1024",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Djdk.tls.ephemeralDHKeySize=2048",
        "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
        "-Dlog4j2.disable.jmx=true",
        "-Dfile.encoding=UTF-8",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    ]


def _child_env(state: _State, classpath: str) -> dict[str, str]:
    env = dict(os.environ, NEO4J_HOME=str(state.root), NEO4J_CONF=str(state.conf_dir))
    env["CLASSPATH"] = classpath
    env.pop("JAVA_TOOL_OPTIONS", None)
    env.pop("_JAVA_OPTIONS", None)
    return env


def _set_initial_password(state: _State, java: str, classpath: str) -> None:
    password = state.password() or ""
    command = [java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", _ADMIN_COMMAND]
    done = subprocess.run(
        [*command, "dbms", "set-initial-password", password],
        cwd=state.root,
        env=_child_env(state, classpath),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    if done.returncode != 0 or not (state.data / "dbms" / "auth.ini").is_file():
        output = (done.stdout + done.stderr).replace(password, "***")
        raise ServerError(
            f"设置初始密码失败 setting the initial password failed (exit {done.returncode}):\n"
            + output[-3000:]
        )


#: The servers this process started, so that it can reap them when they stop.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _launch(state: _State, java: list[str], classpath: str) -> subprocess.Popen[bytes]:
    state.logs.mkdir(exist_ok=True)
    command = [*java, _ENTRY_POINT, f"--home-dir={state.root}", f"--config-dir={state.conf_dir}"]
    with open(state.logs / "console.log", "ab") as out:
        proc = subprocess.Popen(
            command,
            cwd=state.root,
            env=_child_env(state, classpath),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal that started it does not stop it
        )
    _CHILDREN[proc.pid] = proc
    state.pid_file.write_text(f"{proc.pid}\n")
    return proc


def _wait_ready(state: _State, proc: subprocess.Popen[bytes], timeout: float) -> ServerInfo:
    user_log = state.logs / "neo4j.log"
    offset = user_log.stat().st_size if user_log.exists() else 0
    port = state.port()
    assert port is not None
    started_at = time.monotonic()
    started = False
    while True:
        if proc.poll() is not None:
            _fail_start(state, proc, f"Neo4j 启动时退出 exited with code {proc.returncode}")
        if not started:
            with contextlib.suppress(OSError), open(user_log, "rb") as fh:
                fh.seek(offset)
                started = b"Started." in fh.read()
        if started and _bolt_answers(port):
            break
        if time.monotonic() - started_at > timeout:
            _fail_start(
                state, proc, f"Neo4j 未在 {timeout:g} 秒内就绪 not ready after {timeout:g} s"
            )
        time.sleep(0.25)
    state.kept_file.unlink(missing_ok=True)
    info = state.info(proc.pid)
    logger.info("ready in %.1f s (pid %d) at %s", time.monotonic() - started_at, proc.pid, info.uri)
    return info


def _fail_start(state: _State, proc: subprocess.Popen[bytes], what: str) -> None:
    if proc.poll() is None:
        _terminate([proc.pid], 20)
    state.pid_file.unlink(missing_ok=True)
    tails = [_tail(state.logs / name) for name in ("neo4j.log", "console.log")]
    raise ServerError(f"{what}; logs in {state.logs}\n" + "\n".join(t for t in tails if t))


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return f"---- {path.name} ----\n" + "\n".join(text[-lines:])


def _bolt_answers(port: int) -> bool:
    """Whether a Bolt server answers the version handshake on 127.0.0.1:`port`."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            # the magic number, then four proposals: 5.0-5.8, 4.4, none, none
            s.sendall(bytes.fromhex("6060b01700080805000004040000000000000000"))
            answer = b""
            while len(answer) < 4:
                chunk = s.recv(4 - len(answer))
                if not chunk:
                    return False
                answer += chunk
            return answer != b"\0\0\0\0"
    except OSError:
        return False


def _alive(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :][:1] not in ("Z", "X", "")  # the field after the name


def _server_pids(root: Path) -> list[int]:
    """The Neo4j servers started with ``--home-dir=<root>``, found in /proc."""
    marker = f"--home-dir={root}".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            args = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if _ENTRY_POINT.encode() in args and marker in args and _alive(int(entry)):
            pids.append(int(entry))
    return sorted(pids)


def _terminate(pids: list[int], timeout: float) -> None:
    """SIGTERM `pids`, wait up to `timeout` seconds, then SIGKILL the rest."""
    for signum, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 30.0)):
        alive = [p for p in pids if _alive(p)]
        if not alive:
            break
        if signum == signal.SIGKILL:
            logger.warning("still running after %g s, sending SIGKILL to %s", timeout, alive)
        for pid in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and any(_alive(p) for p in alive):
            time.sleep(0.1)
    if left := [p for p in pids if _alive(p)]:
        raise ServerError(f"无法结束进程 could not stop Neo4j: pids {left} are still running")
    for pid in pids:
        if (child := _CHILDREN.pop(pid, None)) is not None:
            child.wait()  # our own child: reap it
    # Another's child is a zombie until its parent (init, often) reaps it: give it a moment.
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.05)
