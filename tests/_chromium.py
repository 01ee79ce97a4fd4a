"""Debian's Chromium under Playwright, as the browser tests and ``bench/maps.py`` launch it.

Playwright's own browser download is not used: the binary is ``$COBUILD_CHROMIUM``, else
``chromium`` on the PATH, else ``/usr/bin/chromium`` (``apt-get install -y chromium``).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


@dataclass
class Watched:
    """A page and everything it did that a test may object to."""

    page: Any
    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.refused == []
        assert self.dialogs == []


def watch(
    browser: Browser,
    path: Path,
    *,
    viewport: dict[str, int],
    schemes: tuple[str, ...] = ("file:", "data:"),
    wait_ready: bool = True,
    accept_downloads: bool = False,
) -> Watched:
    """Open `path` in a new context of `browser`, refusing (and noting) every request whose
    address starts with none of `schemes`, noting errors and dismissing dialogs; with
    `wait_ready`, wait for the map's ``cgMap.ready``."""
    context = browser.new_context(viewport=viewport, accept_downloads=accept_downloads)
    page = context.new_page()
    watched = Watched(page)

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(schemes):
            request_route.continue_()
        else:
            watched.refused.append(url)
            request_route.abort()

    def dialog(d: Any) -> None:
        watched.dialogs.append(d.message)
        d.dismiss()

    context.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and watched.errors.append(m.text))
    page.on("pageerror", lambda e: watched.errors.append(str(e)))
    page.on("dialog", dialog)
    page.goto(path.resolve().as_uri())
    if wait_ready:
        page.wait_for_function("() => window.cgMap && window.cgMap.ready", timeout=60_000)
    return watched
