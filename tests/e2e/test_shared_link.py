"""A teacher's link to a kernel of their own, opened in a student's fresh browser."""

from __future__ import annotations

import re
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


PHONE = {"width": 390, "height": 844}
COPY_BUTTON = ".st-key-copy_link button"


def copy_the_link(page) -> str:
    """Click "Copy a link to this view", wait for its confirmation and read the clipboard."""
    page.locator(COPY_BUTTON).click()
    expect(page.locator(".st-key-copy_link").get_by_text("Link copied")).to_be_visible()
    return page.evaluate("() => navigator.clipboard.readText()")


def shown_view(page) -> dict:
    """What a visitor reads of the view: kernel and border boxes, the pixel and its sum."""
    heading = page.get_by_text(re.compile(r"^Output pixel x=\d+, y=\d+$"))
    return {"kernel": page.locator(".st-key-kernel_name input").input_value(),
            "border": page.locator(".st-key-border").inner_text(),
            "pixel": heading.inner_text(), "sum": shown_sum(page)}


def test_copy_a_link_copies_the_view_that_opens_the_same_in_a_fresh_browser(
        browser: Browser, app_server: str):
    """The button puts the address of the view (a pixel picked on the page included) on the
    clipboard and says so; that link, in a context with no session, shows the same kernel,
    border, pixel and sum (the sum also checked against scipy)."""
    context = browser.new_context(viewport=VIEWPORT,
                                  permissions=["clipboard-read", "clipboard-write"])
    fresh = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{app_server}/pixel_inspector?image=camera&kernel=sharpen&border=reflect")
        wait_for_app_idle(page)
        field = page.locator(".st-key-inspector_x input")
        field.fill("37")
        field.press("Enter")
        expect(page.get_by_text("Output pixel x=37, y=")).to_be_visible()
        wait_for_app_idle(page)
        link = copy_the_link(page)
        assert link == page.url
        query = parse_qs(urlparse(link).query)
        assert query["kernel"] == ["sharpen"] and query["border"] == ["reflect"], query
        assert query["x"] == ["37"], query
        before = shown_view(page)
        save_screenshot(page, "copy_link_copied", full_page=False)

        other = fresh.new_page()
        other.goto(link)
        wait_for_app_idle(other)
        assert_no_exception(other)
        assert shown_view(other) == before
        y = int(query["y"][0])
        expected = ndi.correlate(data.camera().astype(np.float64),
                                 convkit.BANK["sharpen"].weights, mode="reflect")[y, 37]
        assert abs(before["sum"] - expected) < 1e-3
    finally:
        fresh.close()
        context.close()


def test_copy_a_link_on_a_phone_copies_the_view(browser: Browser, app_server: str):
    """At 390 px with touch, the button in the opened sidebar fits the screen and a tap copies
    the view's link."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True,
                                  permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(f"{app_server}/?image=coins&kernel=emboss&border=wrap")
        wait_for_app_idle(page)
        # A phone opens with the sidebar closed: open it as a visitor would.
        if page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") != "false":
            page.locator('[data-testid="stExpandSidebarButton"]').tap()
        expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute(
            "data-collapsed", "false")
        button = page.locator(COPY_BUTTON)
        button.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => { const s = document.querySelector('[data-testid=\"stSidebar\"]')"
            ".getBoundingClientRect(); return s.left >= 0; }")
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        button.tap()
        expect(page.locator(".st-key-copy_link").get_by_text("Link copied")).to_be_visible()
        link = page.evaluate("() => navigator.clipboard.readText()")
        assert link == page.url
        query = parse_qs(urlparse(link).query)
        assert (query["image"], query["kernel"], query["border"]) == (
            ["coins"], ["emboss"], ["wrap"]), query
        save_screenshot(page, "copy_link_phone", full_page=False)
    finally:
        context.close()


def test_copy_a_link_refused_shows_the_link_selected_with_words(browser: Browser,
                                                                app_server: str):
    """Where the clipboard refuses, the link appears in a text field, selected, and the page
    says how to copy it by hand."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(
        "navigator.clipboard.writeText = () => Promise.reject(new Error('refused'));")
    try:
        page = context.new_page()
        page.goto(f"{app_server}/?kernel=sharpen&border=constant")
        wait_for_app_idle(page)
        page.locator(COPY_BUTTON).click()
        area = page.locator(".st-key-copy_link")
        expect(area.get_by_text("Your browser did not let the page copy")).to_be_visible()
        expect(area.get_by_text("Link copied")).to_have_count(0)
        field = area.get_by_label("Link to this view")
        expect(field).to_have_value(page.url)
        selected = field.evaluate("f => f.value.slice(f.selectionStart, f.selectionEnd)")
        assert selected == page.url
        save_screenshot(page, "copy_link_refused", full_page=False)
    finally:
        context.close()
