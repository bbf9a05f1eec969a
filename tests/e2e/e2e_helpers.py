"""Helpers for the real-browser tests: Streamlit server, Chromium, idle waits, screenshots.

Import in tests as ``from e2e_helpers import wait_for_app_idle, save_screenshot``
(``tests/e2e`` is on pytest's ``pythonpath``). Servers, nginx, Chromium lookup and the idle
wait come from the shared ``harness`` package (also used by bench/), failing the test with
``pytest.fail`` instead of raising. There is no global test timeout (no pytest-timeout), so
everything here that waits has its own deadline.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Page, expect

import harness
from harness import (  # noqa: F401 - re-exported for the tests
    ARTIFACTS_DIR,
    BUSY_SELECTORS,
    CHROMIUM_ARGS,
    CHROMIUM_MISSING,
    REPO_ROOT,
    VIEWPORT,
    StreamlitServer,
    find_chromium,
    free_port,
    http_get,
    render_config,
)
from harness import active_sessions as harness_active_sessions  # noqa: F401 - re-exported

SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"


def _fail(message: str) -> NoReturn:
    # A server or page that never came up is the test's failure, not a harness traceback.
    pytest.fail(message, pytrace=False)


# The shared harness (harness/) with pytest's short failures instead of HarnessError.
run_streamlit = functools.partial(harness.run_streamlit, fail=_fail)
wait_for_app_idle = functools.partial(harness.wait_for_app_idle, fail=_fail)


@contextlib.contextmanager
def run_nginx(ports: Sequence[int]) -> Iterator[tuple[str, Path]]:
    """deploy/nginx.conf on loopback in front of `ports`; yields (base URL, access log)."""
    with harness.run_nginx(ports, fail=_fail) as proxy:
        yield proxy.url, proxy.access_log


@contextlib.contextmanager
def run_nginx_proxy(ports: Sequence[int]) -> Iterator[harness.Proxy]:
    """deploy/nginx.conf on loopback in front of `ports`; yields the running proxy, with its
    plain HTTP URL and its HTTPS (HTTP/2, self-signed certificate) one."""
    with harness.run_nginx(ports, fail=_fail) as proxy:
        yield proxy


# --------------------------------------------------------------------------- page helpers


def run_async(coroutine):
    """Run `coroutine` to its end in a thread of its own: the browser tests' Playwright keeps
    an event loop running in the main thread, where asyncio.run would refuse to start."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def save_screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save ``test-artifacts/screenshots/<name>.png`` and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "screenshot"
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.mouse.move(5, 5)  # no tooltip left over from the last click
    if not full_page:
        page.screenshot(path=str(path))
        return path
    # Streamlit scrolls inside its main block, so the document is only a viewport tall: grow
    # the viewport to the content for the shot, then put it back.
    viewport = page.viewport_size or VIEWPORT
    content_height = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(
                 '[data-testid="stMain"], [data-testid="stSidebarContent"]')]
               .map(e => e.scrollHeight), document.body.scrollHeight)"""
    )
    page.set_viewport_size({"width": viewport["width"],
                            "height": min(max(content_height, viewport["height"]), 12000)})
    try:
        # Every picture loaded and laid out at the new size before the shot.
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
    return path


def assert_no_exception(page: Page) -> None:
    """Fail if the app shows an uncaught exception box (stException)."""
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        pytest.fail(f"App shows an exception: {boxes.first.inner_text()[:2000]}", pytrace=False)


def inspect_column(page: Page, x: int) -> None:
    """Go to the pixel inspector through the sidebar menu (same session) and type column `x`.

    Returns once the link carries ``x`` and the breakdown names the new pixel.
    """
    page.locator('[data-testid="stSidebarNav"] a', has_text="Pixel inspector").click()
    expect(page).to_have_url(re.compile(r"/pixel_inspector"))
    wait_for_app_idle(page)
    field = page.locator(".st-key-inspector_x input")
    field.fill(str(x))
    field.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]x={x}(&|$)"))
    wait_for_app_idle(page)
    expect(page.get_by_text(re.compile(rf"^Output pixel x={x}, y=\d+$"))).to_be_visible()


def pick_kernel(page: Page, name: str) -> None:
    """Choose `name` in the sidebar's kernel box and wait for the link and the page to follow."""
    harness.choose_kernel(page, name)
    expect(page).to_have_url(re.compile(rf"kernel={name}(&|$)"))
    wait_for_app_idle(page)


def home_pixel(page: Page) -> tuple[int, int]:
    """(x, y) of the pixel the Home page works out ('Pixel x=3, y=0, ...')."""
    heading = page.get_by_text(re.compile(r"^Pixel x=\d+, y=\d+, "))
    expect(heading).to_be_visible()
    found = re.match(r"Pixel x=(\d+), y=(\d+)", heading.inner_text())
    return int(found.group(1)), int(found.group(2))


def centre_sum(page: Page) -> float:
    """The 'OpenCV computes the same sum: v' number on the Home page (minus sign or hyphen),
    at the pixel it works out first (`home_pixel`)."""
    line = page.get_by_text("OpenCV computes the same sum")
    expect(line).to_be_visible()
    found = re.search(r"same sum: (−?-?[0-9.e+]+)", line.inner_text())
    assert found, line.inner_text()
    return float(found.group(1).replace("−", "-"))
