"""Fixtures for the real-browser tests: a live Streamlit server and headless Chromium.

- ``app_server`` (session): base URL of ``streamlit run app.py`` on a free port.
- ``browser`` (session) / ``page`` (function): Playwright-driven system Chromium.
A failing test that used ``page`` leaves ``test-artifacts/screenshots/FAILED-<test>.png``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_helpers import (
    CHROMIUM_ARGS,
    CHROMIUM_MISSING,
    VIEWPORT,
    find_chromium,
    run_streamlit,
    save_screenshot,
)
from playwright.sync_api import Browser, Page, sync_playwright


@pytest.fixture(scope="session")
def app_server() -> Iterator[str]:
    """Base URL (no trailing slash) of the app, served for the whole session."""
    with run_streamlit("app.py", log_name="streamlit-app-server") as server:
        yield server.url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        pytest.fail(CHROMIUM_MISSING, pytrace=False)
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Keep each phase's report on the item so `page` can tell a failed test.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(60_000)
    page = context.new_page()
    try:
        yield page
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            try:
                save_screenshot(page, f"FAILED-{request.node.name}")
            except Exception as exc:  # the page may be gone; never mask the real failure
                print(f"could not save failure screenshot: {exc!r}")
        context.close()
