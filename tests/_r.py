"""R with Butts' ``sna`` under Rscript, as the stats tests run it.

The R is Debian's (``apt-get install -y r-cran-sna``); the binary is ``$COBUILD_RSCRIPT``,
else ``Rscript`` on the PATH. Without it the comparisons skip locally and fail in CI
(``CI=true``), as the Neo4j tests do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import in_ci


def rscript_path() -> str:
    """The Rscript binary, checked to load ``sna``.

    Raises
    ------
    FileNotFoundError
        If there is no Rscript or it has no ``sna``, with how to install them.
    """
    found = os.environ.get("COBUILD_RSCRIPT") or shutil.which("Rscript") or "/usr/bin/Rscript"
    if not Path(found).exists():
        raise FileNotFoundError(
            f"no Rscript at {found}: apt-get install -y r-cran-sna "
            "(or set COBUILD_RSCRIPT to an Rscript with the sna package)"
        )
    loads = subprocess.run(
        [found, "-e", "suppressMessages(library(sna))"], capture_output=True, text=True
    )
    if loads.returncode != 0:
        raise FileNotFoundError(
            f"{found} cannot load sna: apt-get install -y r-cran-sna\n{loads.stderr[-2000:]}"
        )
    return found


def require_rscript() -> str:
    """:func:`rscript_path`, or skip the test (fail it in CI) when there is none."""
    try:
        return rscript_path()
    except FileNotFoundError as missing:
        if in_ci():
            pytest.fail(str(missing))
        pytest.skip(str(missing))


def run_r(rscript: str, script: str, folder: Path) -> None:
    """Run `script` with R's working directory `folder`; fail with R's errors if it fails."""
    path = folder / "script.R"
    path.write_text(script, encoding="utf-8")
    done = subprocess.run(
        [rscript, str(path)], cwd=folder, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        pytest.fail(f"R failed:\n{done.stderr[-4000:]}")
