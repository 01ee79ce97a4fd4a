"""``cobuild-graph load``, ``pull`` and ``info --neo4j`` against a real Neo4j server."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

import cobuild_graph as cg
from cobuild_graph import read_dataset
from cobuild_graph.cli import EXIT_INVALID, EXIT_NEO4J, EXIT_USAGE, main
from cobuild_graph.store import Neo4jStore
from tests._workbooks import HOSTILE, hostile_graph, texts, workbook_cells
from tests.conftest import NODES, TIES, Neo4jServer, write_csv_dataset
from tests.test_store import (
    assert_same_graph,
    database_totals,
    duplicates,
    holding,
    label_counts,
    stored_counts,
    type_counts,
)

pytestmark = pytest.mark.neo4j
NewDataset = Callable[..., str]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def neo4j_env(neo4j_server: Neo4jServer, monkeypatch: pytest.MonkeyPatch) -> Neo4jServer:
    """The ``NEO4J_*`` variables of the session's server, as a user would export them."""
    for key in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in neo4j_server.env().items():
        monkeypatch.setenv(key, value)
    return neo4j_server


def run(
    capsys: pytest.CaptureFixture[str], server: Neo4jServer, *args: str | Path
) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert server.password not in out + err  # never printed
    return code, out, err


@pytest.fixture(scope="module")
def suzhou() -> nx.MultiDiGraph:
    return read_dataset("data/suzhou")


def test_load_then_info_shows_the_sample_counts(
    capsys: pytest.CaptureFixture[str],
    neo4j_env: Neo4jServer,
    neo4j_store: Neo4jStore,
    new_dataset: NewDataset,
) -> None:
    name = new_dataset()
    code, out, _ = run(capsys, neo4j_env, "load", "data/suzhou", "--dataset", name, "--no-progress")
    assert code == 0
    assert f"as dataset {name!r}: 6,700 nodes, 12,230 ties" in out
    assert "ActionBranch       3,303" in out
    code, stored, _ = run(capsys, neo4j_env, "info", "--neo4j", "--dataset", name, "--json")
    assert code == 0
    _, from_file, _ = run(capsys, neo4j_env, "info", "data/suzhou", "--json")
    assert json.loads(stored) == json.loads(from_file)
    code, text, _ = run(capsys, neo4j_env, "info", "--neo4j", "--dataset", name)
    assert code == 0
    assert "name: 苏州城市基层党建共建网络 (sample)" in text
    assert "nodes (6,700)" in text


def test_load_names_the_dataset_after_the_folder(
    capsys: pytest.CaptureFixture[str],
    neo4j_env: Neo4jServer,
    neo4j_store: Neo4jStore,
    small_dataset: Path,
    new_dataset: NewDataset,
) -> None:
    folder = small_dataset.rename(small_dataset.parent / new_dataset())
    code, out, _ = run(capsys, neo4j_env, "load", folder, "--no-progress")
    assert code == 0
    assert f"as dataset {folder.name!r}: 7 nodes, 7 ties" in out
    assert folder.name in set(neo4j_store.datasets()["name"])


def test_load_of_an_invalid_dataset_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    neo4j_env: Neo4jServer,
    neo4j_store: Neo4jStore,
    tmp_path: Path,
    new_dataset: NewDataset,
) -> None:
    folder = write_csv_dataset(tmp_path / "bad", NODES + "x,Planet,火星,,,\n", TIES)
    name = new_dataset()
    before = database_totals(neo4j_store), list(neo4j_store.datasets()["name"])
    code, out, err = run(capsys, neo4j_env, "load", folder, "--dataset", name)
    assert code == EXIT_INVALID
    assert out == ""
    assert "unknown label" in err
    assert (database_totals(neo4j_store), list(neo4j_store.datasets()["name"])) == before


def test_pull_writes_the_dataset_or_part_of_it(
    capsys: pytest.CaptureFixture[str],
    neo4j_env: Neo4jServer,
    neo4j_store: Neo4jStore,
    suzhou: nx.MultiDiGraph,
    tmp_path: Path,
    stored_suzhou: str,
) -> None:
    name = stored_suzhou
    code, out, _ = run(capsys, neo4j_env, "pull", "-o", tmp_path / "all", "--dataset", name)
    assert code == 0
    assert "(6,700 nodes, 12,230 ties)" in out
    assert_same_graph(read_dataset(tmp_path / "all"), suzhou)

    code, _, _ = run(
        capsys,
        neo4j_env,
        "pull",
        "-o",
        tmp_path / "street",
        "--dataset",
        name,
        "--street",
        "street-canglang",
        "--at",
        "2019-06-30",
    )
    assert code == 0
    expected = neo4j_store.read(name, within="street-canglang", at="2019-06-30")
    pulled = read_dataset(tmp_path / "street")
    assert_same_graph(pulled, expected)
    assert pulled.graph["selection"] == f"{name}: within=street-canglang; at=2019-06-30"

    code, _, _ = run(
        capsys,
        neo4j_env,
        "pull",
        "-o",
        tmp_path / "x.xlsx",
        "--dataset",
        name,
        "--at",
        "2018-01-01",
        "--label",
        "Street",
        "--label",
        "Unit",
    )
    assert code == 0
    sliced = holding(suzhou, dt.date(2018, 1, 1))
    chosen = [n for n, label in suzhou.nodes(data="label") if label in ("Street", "Unit")]
    assert_same_graph(read_dataset(tmp_path / "x.xlsx"), sliced.subgraph(chosen), meta=False)

    code, _, err = run(
        capsys,
        neo4j_env,
        "pull",
        "-o",
        tmp_path / "d",
        "--dataset",
        name,
        "--district",
        "street-canglang",
    )
    assert code == EXIT_USAGE
    assert "'street-canglang' is a Street, not a District" in err
    assert not (tmp_path / "d").exists()


def test_pulled_workbook_holds_hostile_names_as_text(
    capsys: pytest.CaptureFixture[str],
    neo4j_env: Neo4jServer,
    neo4j_store: Neo4jStore,
    tmp_path: Path,
    new_dataset: NewDataset,
) -> None:
    name = new_dataset()
    G = hostile_graph()
    neo4j_store.load(G, name, progress=False)
    code, _, _ = run(capsys, neo4j_env, "pull", "-o", tmp_path / "x.xlsx", "--dataset", name)
    assert code == 0
    cells = workbook_cells(tmp_path / "x.xlsx")  # fails on any formula
    assert set(HOSTILE) <= texts(cells["nodes"])
    back = read_dataset(tmp_path / "x.xlsx")
    # The reader trims spaces, tabs and line breaks around a cell, as it does for any file.
    assert {n: d["name"].strip() for n, d in G.nodes(data=True)} == dict(back.nodes(data="name"))


def test_commands_that_need_a_dataset_name(
    capsys: pytest.CaptureFixture[str],
    neo4j_env: Neo4jServer,
    neo4j_store: Neo4jStore,
    tmp_path: Path,
    new_dataset: NewDataset,
) -> None:
    tiny = read_dataset("data/suzhou").subgraph(["city-suzhou", "district-gusu"]).copy()
    for tag in ("a", "b"):
        neo4j_store.load(tiny, new_dataset(tag), progress=False)
    code, _, err = run(capsys, neo4j_env, "pull", "-o", tmp_path / "out")
    assert code == EXIT_USAGE
    assert "name the dataset with --dataset" in err
    code, out, _ = run(capsys, neo4j_env, "info", "--neo4j", "--json")
    assert code == 0
    listed = {d["name"]: d for d in json.loads(out)["datasets"]}
    assert all(
        listed[name]["nodes"] == 2 for name in listed if name.startswith("test-test_commands")
    )
    code, _, err = run(capsys, neo4j_env, "pull", "-o", tmp_path / "o", "--dataset", "nope")
    assert code == EXIT_NEO4J
    assert "no dataset 'nope'" in err


@pytest.mark.parametrize("command", ["info", "analyze", "report"])
def test_commands_take_a_path_or_neo4j(
    capsys: pytest.CaptureFixture[str], command: str, tmp_path: Path
) -> None:
    output = [] if command == "info" else ["-o", str(tmp_path / "out")]
    assert main([command, *output]) == EXIT_USAGE
    assert f"{command} needs a dataset PATH (or --neo4j" in capsys.readouterr().err
    assert main([command, "data/suzhou", "--neo4j", *output]) == EXIT_USAGE
    assert "give PATH or --neo4j, not both" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_analyze_and_report_from_neo4j_equal_those_from_files(
    capsys: pytest.CaptureFixture[str],
    neo4j_env: Neo4jServer,
    neo4j_store: Neo4jStore,
    tmp_path: Path,
    new_dataset: NewDataset,
) -> None:
    source = tmp_path / "tiny"
    cg.write_dataset(cg.generate("tiny", seed=5), source)
    G = read_dataset(source)
    name = new_dataset()
    neo4j_store.load(G, name, progress=False)

    def table(folder: str, name: str) -> pd.DataFrame:
        return pd.read_csv(tmp_path / folder / f"{name}.csv", index_col=0).sort_index()

    stored = ["analyze", "--neo4j", "--dataset", name, "-o"]
    code, out, _ = run(capsys, neo4j_env, *stored, tmp_path / "db")
    assert code == 0
    assert "tables)" in out
    assert main(["analyze", str(source), "-o", str(tmp_path / "files")]) == 0
    for name_ in ("centrality", "coverage", "balance", "brokerage", "sector_mix"):
        pd.testing.assert_frame_equal(table("db", name_), table("files", name_))

    street = next(n for n, label in G.nodes(data="label") if label == "Street")
    code, _, _ = run(capsys, neo4j_env, *stored, tmp_path / "street", "--street", street)
    assert code == 0
    nodes = int(table("street", "summary").loc["nodes", "value"])
    part = neo4j_store.read(name, within=street)
    assert nodes == cg.views.view(part, "cobuilding").number_of_nodes()  # the tables' network
    assert nodes < G.number_of_nodes()

    code, _, _ = run(
        capsys, neo4j_env, "report", "--neo4j", "--dataset", name, "-o", tmp_path / "report"
    )
    assert code == 0
    page = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert G.graph["name"] in page
    assert (tmp_path / "report" / "map.html").is_file()


def test_connection_errors(
    capsys: pytest.CaptureFixture[str],
    neo4j_env: Neo4jServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTHER_SECRET", "wrong-" + neo4j_env.password[::-1])
    code, out, err = run(capsys, neo4j_env, "info", "--neo4j", "--password-env", "OTHER_SECRET")
    assert code == EXIT_NEO4J
    assert "refused the login of user 'neo4j'" in err
    assert os.environ["OTHER_SECRET"] not in out + err
    monkeypatch.delenv("NEO4J_URI")
    code, _, err = run(capsys, neo4j_env, "info", "--neo4j")
    assert code == EXIT_USAGE
    assert "set NEO4J_URI" in err
    code, _, err = run(
        capsys, neo4j_env, "info", "--neo4j", "--uri", "bolt://neo4j:hunter2@localhost:7687"
    )
    assert code == EXIT_USAGE
    assert "hunter2" not in err


def test_two_processes_load_at_once_without_duplicates(
    neo4j_env: Neo4jServer,
    neo4j_store: Neo4jStore,
    suzhou: nx.MultiDiGraph,
    new_dataset: NewDataset,
) -> None:
    name = new_dataset()
    command = [
        sys.executable,
        "-m",
        "cobuild_graph.cli",
        "load",
        "data/suzhou",
        "--dataset",
        name,
        "--batch-size",
        "500",
        "--no-progress",
    ]
    loads = [
        subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for load in loads:
        out, err = load.communicate(timeout=300)
        assert load.returncode == 0, err
        assert neo4j_env.password not in out + err
    assert stored_counts(neo4j_store, name) == (label_counts(suzhou), type_counts(suzhou))
    assert duplicates(neo4j_store, name) == 0
