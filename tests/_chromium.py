"""Debian's Chromium under Playwright, as the browser tests and ``bench/maps.py`` launch it.

Playwright's own browser download is not used: the binary is ``$COBUILD_CHROMIUM``, else
``chromium`` on the PATH, else ``/usr/bin/chromium`` (``apt-get install -y chromium``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Browser, Playwright

#: Flags that keep Chromium off the network (and quiet) on a machine without one.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    """The Chromium binary to launch.

    Raises
    ------
    FileNotFoundError
        If there is none, with how to install it.
    """
    found = os.environ.get("COBUILD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise FileNotFoundError(
            f"no Chromium at {found}: apt-get install -y chromium "
            "(or set COBUILD_CHROMIUM to a Chromium binary)"
        )
    return found


def launch(playwright: Playwright) -> Browser:
    """Launch Chromium with :data:`CHROMIUM_FLAGS` (a fresh, empty profile each time)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_FLAGS))
