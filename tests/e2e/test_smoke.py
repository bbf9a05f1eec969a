"""Smoke test: the app loads in a real Chromium and shows its title."""

from __future__ import annotations

from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect


def test_app_root_loads(page: Page, app_server: str) -> None:
    page.goto(app_server + "/")
    wait_for_app_idle(page)

    expect(page.locator('[data-testid="stApp"]')).to_be_visible()
    heading = page.locator('[data-testid="stHeading"]', has_text="convkit").first
    expect(heading).to_be_visible()
    assert_no_exception(page)

    shot = save_screenshot(page, "smoke-root")
    assert shot.is_file() and shot.stat().st_size > 0
