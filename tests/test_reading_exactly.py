"""Files read exactly, or refused with the place: the file (and sheet), row, column and text.

Each case used to end silently wrong or in a traceback; now nothing is written, the command
exits non-zero, and the message names the place.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cobuild_graph.cli import main
from tests.conftest import NODES, TIES, write_csv_dataset


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    """Run the command line in this process: (exit code, what it printed to stderr)."""
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


# -- dates outside pandas' nanosecond range ------------------------------------------------


def test_since_before_1677_and_an_old_founding_go_through_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: valid, then `report` ended in "Cannot cast 1600-01-01 ... to unit='ns'".
    nodes = NODES.replace("canglang,Street,沧浪街道,,2017-09-01", "canglang,Street,沧浪街道,,1035")
    ties = TIES.replace("PAIRED_WITH,2019-05-01,", "PAIRED_WITH,1600-01-01,")
    ties = ties.replace("EMBEDDED_IN,2022,", "EMBEDDED_IN,2022,9999-12-31")
    folder = write_csv_dataset(tmp_path / "old", nodes, ties)
    for command, out in (("report", "report"), ("analyze", "tables.xlsx"), ("convert", "x.gexf")):
        code, err = run(capsys, command, folder, "-o", tmp_path / out)
        assert (code, err) == (0, ""), (command, err)
    html = (tmp_path / "report" / "map.html").read_text(encoding="utf-8")
    assert "1600-01-01" in html
