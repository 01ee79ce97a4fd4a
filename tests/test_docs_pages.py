"""The walk-through pages of docs/ run as written, on the roster of ``tests/_rosters.py``.

A page's (or one section's) code blocks run in order in one empty folder holding that
roster as ``名册.xlsx``: each line of a ``bash`` block is a ``cobuild-graph`` command, run in
this process and expected to succeed; the ``python`` blocks share one namespace, as in a
reader's session. Every line of a ``text`` block is output the page shows, so it must be in
what the block before it printed (a line ``…`` stands for lines left out).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from cobuild_graph.cli import main
from tests._rosters import write_report_roster

DOCS = Path(__file__).resolve().parents[1] / "docs"
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)
ELIDED = "…"


def blocks(page: Path, section: str | None = None) -> list[tuple[str, str]]:
    """The fenced code blocks, ``(language, code)``, in order, of the page or of its
    section headed ``## {section}``."""
    text = page.read_text(encoding="utf-8")
    if section is not None:
        text = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return _BLOCK.findall(text)


def _run_commands(code: str) -> None:
    for line in code.splitlines():
        argv = shlex.split(line, comments=True)
        if not argv:
            continue
        assert argv[0] == "cobuild-graph", f"not a cobuild-graph command: {line}"
        assert main(argv[1:]) == 0, line


def test_blocks_are_found() -> None:
    page = "a\n```bash\ncobuild-graph info\n```\n\n```text\nx ```\n```\n"
    assert _BLOCK.findall(page) == [("bash", "cobuild-graph info\n"), ("text", "x ```\n")]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "section"), [("roster-to-paper.md", None), ("zh/quickstart.md", "从名册开始")]
)
def test_page_runs_as_written(
    name: str,
    section: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    write_report_roster(tmp_path / "名册.xlsx")
    namespace: dict[str, object] = {"__name__": "__page__"}
    shown, printed = 0, ""
    found = blocks(DOCS / name, section)
    assert {"bash", "text"} <= {language for language, _ in found}
    for i, (language, code) in enumerate(found):
        if language == "bash":
            _run_commands(code)
        elif language == "python":
            exec(compile(code, f"{name}, block {i + 1}", "exec"), namespace)
        elif language == "text":
            lines = [line.strip() for line in code.splitlines()]
            missing = [line for line in lines if line and line != ELIDED and line not in printed]
            assert not missing, f"block {i + 1} shows lines not printed: {missing}"
            shown += 1
            continue
        printed = capsys.readouterr().out
    assert shown
