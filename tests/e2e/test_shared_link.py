"""A teacher's link to a kernel of their own, opened in a student's fresh browser."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlparse

import numpy as np
import scipy.ndimage as ndi
from e2e_helpers import VIEWPORT, assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Browser, expect
from skimage import data
from test_pixel_inspector_browser import shown_sum

import convkit
from pages.ui.widgets import CRASH_MESSAGE

WEIGHTS = "1,2,0; 0,-1,0; 0,0,1/2"


def test_a_link_with_weights_opens_the_same_kernel_in_a_fresh_browser(browser: Browser,
                                                                       app_server: str):
    """A new browser context (no session, no saved kernels) reproduces the breakdown."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{app_server}/pixel_inspector?image=camera&kernel=edges&border=reflect_101"
                  f"&x=10&y=20&weights={quote(WEIGHTS)}")
        wait_for_app_idle(page)
        expect(page.get_by_text("Output pixel x=10, y=20")).to_be_visible()
        assert_no_exception(page)
        expected = ndi.correlate(data.camera().astype(np.float64),
                                 np.array([[1, 2, 0], [0, -1, 0], [0, 0, 0.5]]),
                                 mode="mirror")[20, 10]
        assert abs(shown_sum(page) - expected) < 1e-3
        # The page writes the weights back: the address bar is itself a link to this view.
        query = parse_qs(urlparse(page.url).query)
        np.testing.assert_array_equal(convkit.parse_weights_text(query["weights"][0]),
                                      [[1, 2, 0], [0, -1, 0], [0, 0, 0.5]])
        expect(page.get_by_role("button", name="Copy a link to this view")).to_be_visible()
        save_screenshot(page, "shared_link_inspector")
    finally:
        context.close()


def test_a_link_with_weights_it_cannot_write_back_keeps_the_page_and_offers_a_file(
        browser: Browser, app_server: str):
    """31 x 31 weights of 1/3001 fit a typed link (6.7 kB) but not the writer's exact text
    (3.332222592469177e-4 a cell, 20 kB): the page works, the sidebar says the link cannot carry
    the kernel, and the address bar drops it."""
    cells = ";".join([",".join(["1/3001"] * 31)] * 31)
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{app_server}/kernel_bank?res=128&kernel=thin&weights={quote(cells)}")
        wait_for_app_idle(page)
        expect(page.get_by_role("heading", name="Kernel bank")).to_be_visible()
        expect(page.get_by_text("The link cannot carry this kernel")).to_be_visible()
        expect(page.get_by_role("button", name="Download the kernel (CSV)")).to_be_visible()
        assert_no_exception(page)
        expect(page.get_by_text(CRASH_MESSAGE)).to_have_count(0)
        query = parse_qs(urlparse(page.url).query)
        assert "weights" not in query and "kernel" not in query, query
        assert query["res"] == ["128"]
    finally:
        context.close()


def test_a_link_of_plus_minus_1e12_is_written_back_exactly(browser: Browser, app_server: str):
    """31 x 31 weights of ±1e12 travel as 1e12 and -1e12 (5.3 kB): the address bar keeps them."""
    extremes = np.where(np.add.outer(np.arange(31), np.arange(31)) % 2 == 0, 1e12, -1e12)
    cells = ";".join(",".join("1e12" if (r + c) % 2 == 0 else "-1e12" for c in range(31))
                     for r in range(31))
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{app_server}/kernel_bank?res=128&kernel=extremes&weights={quote(cells)}")
        wait_for_app_idle(page)
        expect(page.get_by_role("heading", name="Kernel bank")).to_be_visible()
        assert_no_exception(page)
        expect(page.get_by_text("The link cannot carry this kernel")).to_have_count(0)
        query = parse_qs(urlparse(page.url).query)
        assert query["kernel"] == ["extremes"], query
        np.testing.assert_array_equal(convkit.parse_weights_text(query["weights"][0]), extremes)
    finally:
        context.close()
