"""Smoke test: the app loads in a real Chromium and shows its title."""

from __future__ import annotations

import re

from e2e_helpers import (
    VIEWPORT,
    assert_no_exception,
    run_streamlit,
    save_screenshot,
    wait_for_app_idle,
)
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


def test_deep_link_as_a_fresh_servers_first_request(browser) -> None:
    """The very first visitor of a new server may arrive on a page's link: it must work.

    Streamlit treats a folder named pages/ beside the entry point as its legacy page list
    until st.navigation has run once (pages/__init__.py ends that).
    """
    with run_streamlit("app.py", log_name="streamlit-deep-link") as server:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(f"{server.url}/kernel_bank?kernel=sobel_y&border=wrap")
            wait_for_app_idle(page)
            heading = page.locator('[data-testid="stHeading"]', has_text="Kernel bank")
            expect(heading).to_be_visible()
            nav = page.locator('[data-testid="stSidebarNav"]')
            expect(nav).to_contain_text("Pixel inspector")
            expect(nav).not_to_contain_text("ui")  # the helper packages are not pages
            expect(nav).not_to_contain_text("views")
            sidebar = page.locator('[data-testid="stSidebar"]')
            expect(sidebar).to_contain_text("Sobel y: vertical gradient")  # the kernel's caption
            expect(page).to_have_url(re.compile(r"kernel=sobel_y&border=wrap"))
            assert_no_exception(page)
        finally:
            context.close()
