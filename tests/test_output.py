"""Every file the library writes appears whole or not at all; an output that cannot be
written is refused before the work, or named when writing fails; the same inputs and
seed write the same bytes."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from cobuild_graph import _files, write_dataset
from cobuild_graph.analysis import write_analysis
from cobuild_graph.cli import EXIT_OUTPUT, main
from cobuild_graph.errors import OutputError
from cobuild_graph.sample import sample_path
from tests._workbooks import hostile_graph

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def mounted(folder: Path, options: str) -> Iterator[Path]:
    """A small tmpfs at `folder` (root only: chmod does not stop root from writing)."""
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs as root: a tmpfs must be mountable there")
        pytest.skip("mounting a tmpfs needs root")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- the output checked before the work ----------------------------------------------------


@pytest.mark.parametrize(
    ("command", "output"),
    [
        (["report"], "taken"),
        (["analyze", "--no-progress"], "taken"),
        (["convert"], "taken"),
        (["import"], "taken"),
        (["analyze", "--no-progress"], "folder.xlsx"),
        (["convert"], "folder.gexf"),
    ],
)
def test_an_output_of_the_wrong_kind_is_refused_before_reading(
    command: list[str], output: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").write_text("keep me", encoding="utf-8")
    (tmp_path / "folder.xlsx").mkdir()
    (tmp_path / "folder.gexf").mkdir()
    before = left(tmp_path)
    # The input does not exist: checked after reading, the error would be about it.
    missing = str(tmp_path / "no-such-dataset")
    code = main([*command, missing, "-o", str(tmp_path / output)])
    err = capsys.readouterr().err
    assert code == EXIT_OUTPUT
    assert str(tmp_path / output) in err
    assert "no-such-dataset" not in err
    assert ("需要文件夹" in err) == (output == "taken")
    assert left(tmp_path) == before
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "keep me"


def test_report_into_a_file_refused_before_the_analysis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").write_text("", encoding="utf-8")
    started = time.perf_counter()
    code = main(["report", str(sample_path()), "-o", str(tmp_path / "out" / "report")])
    assert code == EXIT_OUTPUT
    assert time.perf_counter() - started < 5  # the analysis of the sample alone takes longer
    assert f"{tmp_path / 'out' / 'report'}: " in capsys.readouterr().err
    assert left(tmp_path) == ["out"]


def test_template_and_generate_into_a_read_only_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with mounted(tmp_path / "ro", "ro,size=64k") as folder:
        for command in (["template"], ["generate", "--scale", "sample"]):
            assert main([*command, "-o", str(folder / "out.xlsx")]) == EXIT_OUTPUT
            err = capsys.readouterr().err
            assert f"{folder / 'out.xlsx'}: 无法写入 cannot write: 只读文件系统" in err
        assert left(folder) == []


# -- a full disk ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_full_disk_leaves_no_part_of_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "tiny.xlsx"  # its report's every file is still far above 64 kB
    assert main(["generate", "--scale", "tiny", "-o", str(data)]) == 0
    with mounted(tmp_path / "small", "size=64k") as folder:
        code = main(["report", str(data), "-o", str(folder / "report")])
        err = capsys.readouterr().err
        assert code == EXIT_OUTPUT
        assert "磁盘已满 the disk is full" in err
        assert str(folder / "report") in err
        assert "Traceback" not in err
        written = left(folder / "report")
        assert not [name for name in written if name.startswith(".staging-")]
        for name in written:  # what did fit is whole: the map (megabytes) is not there
            assert name != "map.html"


def test_a_full_disk_keeps_the_file_it_would_have_replaced(tmp_path: Path) -> None:
    with mounted(tmp_path / "small", "size=64k") as folder:
        old = write_dataset(hostile_graph(), folder / "data.xlsx").read_bytes()
        with pytest.raises(OutputError) as caught:
            _files.write_bytes(folder / "data.xlsx", b"x" * 200_000)
        assert str(caught.value).startswith(f"{folder / 'data.xlsx'}: ")
        assert (folder / "data.xlsx").read_bytes() == old
        assert left(folder) == ["data.xlsx"]
        big = pd.DataFrame({"text": ["共建" * 50] * 2_000})
        with pytest.raises(OutputError, match="disk is full"):
            write_analysis({"small": big.head(2), "big": big}, folder / "tables")
        assert left(folder) == ["data.xlsx"]  # no half folder, no staging folder


# -- staging files of runs that ended --------------------------------------------------------


def test_staging_files_of_ended_runs_are_cleaned_those_in_use_kept(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    host = _files._HOST
    dead = tmp_path / f".staging-{host}-{int(ended.stdout)}-abc.html"
    alive = tmp_path / f".staging-{host}-{os.getppid()}-def.html"
    other_machine = tmp_path / f".staging-0000beef-{int(ended.stdout)}-ghi.html"
    old_style = tmp_path / ".staging-k3j4h5.xlsx"
    dead_folder = tmp_path / f".staging-{host}-{int(ended.stdout)}-jkl"
    dead_folder.mkdir()
    (dead_folder / "nodes.csv").write_text("half", encoding="utf-8")
    for path in (dead, alive, other_machine, old_style):
        path.write_text("half", encoding="utf-8")
    a_day_ago = time.time() - _files.STALE_AFTER - 60
    os.utime(old_style, (a_day_ago, a_day_ago))
    _files.write_text(tmp_path / "page.html", "<p>whole</p>")
    assert left(tmp_path) == sorted([alive.name, other_machine.name, "page.html"])


def test_a_failed_write_removes_its_staging_file(tmp_path: Path) -> None:
    def fail(tmp: str) -> None:
        Path(tmp).write_text("half", encoding="utf-8")
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        _files.atomic_write(tmp_path / "out.csv", fail)
    assert left(tmp_path) == []


# -- the same inputs, the same bytes -------------------------------------------------------

WRITE_EVERYTHING = """
import sys
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
from cobuild_graph import plot, read_dataset
from cobuild_graph.cli import main
from cobuild_graph.sample import sample_path

# the report of the sample (a map that starts folded, every chart); the rest of the
# generated dataset, whose every kind of node, tie and date goes through the same code
out = Path(sys.argv[1])
sample, data = str(sample_path()), str(out / "generated.xlsx")
commands = [
    ["report", sample, "-o", str(out / "report")],
    ["template", "-o", str(out / "template.xlsx")],
    ["generate", "--scale", "tiny", "-o", data],
    ["analyze", data, "--no-progress", "-o", str(out / "tables.xlsx")],
    # the folder of CSV files for a few tables: the workbook above has every table
    ["analyze", data, "--no-progress", "--only", "centrality,inequality",
     "-o", str(out / "tables")],
    *(["convert", data, "-o", str(out / f"data{s}")]
      for s in (".xlsx", ".graphml", ".gexf", ".dl", ".net", "")),
]
for command in commands:
    assert main(command) == 0, command
# every format of a figure (the report has drawn the sample's)
fig, _ = plot.network(read_dataset(data))
plot.save_figure(fig, out / "figure", formats=("png", "svg", "pdf"))
"""


@pytest.mark.slow
def test_the_same_inputs_and_seed_write_the_same_bytes(tmp_path: Path) -> None:
    runs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        env.pop("SOURCE_DATE_EPOCH", None)
        out = tmp_path / hash_seed
        runs.append(
            subprocess.Popen(
                [sys.executable, "-c", WRITE_EVERYTHING, str(out)],
                cwd=ROOT,
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
        time.sleep(2)  # the runs' clocks apart: a time written into a file shows
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    first, second = tmp_path / "1", tmp_path / "2"
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert len(files) > 20
    assert Path("tables/centrality.csv") in files
    assert Path("report/network.pdf") in files
    different = [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []
