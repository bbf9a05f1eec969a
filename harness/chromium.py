"""Which Chromium to drive, and how to launch it headless on a shared machine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_MISSING = (
    "Chromium not found: install it with `apt-get install -y chromium` or set CONVKIT_CHROMIUM"
)
# --disable-background-networking etc. stop Chromium from hammering a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: For many pages in one browser (a load test): background tabs must not be throttled.
CHROMIUM_ARGS_MANY_PAGES = [
    *CHROMIUM_ARGS,
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
]
VIEWPORT = {"width": 1400, "height": 1000}


def find_chromium() -> str | None:
    """Path of the Chromium to drive: $CONVKIT_CHROMIUM, /usr/bin/chromium, or on PATH."""
    env = os.environ.get("CONVKIT_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def chromium_executable() -> str:
    """Path of the Chromium to drive; RuntimeError saying how to install one if there is none."""
    executable = find_chromium()
    if executable is None:
        raise RuntimeError(CHROMIUM_MISSING)
    return executable


def new_page(browser, timeout_ms: int = 180_000):
    """A fresh context (a visitor of its own: no cookies, no cache) at VIEWPORT and its page,
    every wait bounded by `timeout_ms`; returns (context, page): close the context after."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(timeout_ms)
    return context, context.new_page()
