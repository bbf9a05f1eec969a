"""Clicking pixels of the inspector in a real browser, checked against scipy.ndimage."""

from __future__ import annotations

import math
import re

import numpy as np
import scipy.ndimage as ndi
from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect
from skimage import data

import convkit

PICTURES = 'iframe[title="streamlit_image_coordinates.streamlit_image_coordinates"]'


def shown_sum(page: Page) -> float:
    """The total at the end of the written-out sum."""
    text = page.locator('[data-testid="stHtml"] p', has_text="×").last.inner_text()
    return float(re.search(r"= (\S+)$", text.strip()).group(1).replace("−", "-"))


def open_inspector(page: Page, app_server: str, query: str) -> None:
    page.goto(f"{app_server}/pixel_inspector?{query}")
    wait_for_app_idle(page)
    expect(page.get_by_text("Output pixel x=")).to_be_visible()


def test_click_on_the_picture_explains_that_pixel(page: Page, app_server: str) -> None:
    """A click on the overview picks the pixel under the pointer; its sum is scipy's."""
    open_inspector(page, app_server, "image=camera&kernel=sobel_x&border=reflect_101")
    overview = page.frame_locator(PICTURES).nth(0).locator("img")
    box = overview.bounding_box()
    click_x, click_y = 0.3 * box["width"], 0.6 * box["height"]
    overview.click(position={"x": click_x, "y": click_y})

    # The component reports integer offsets, as the browser's offsetX/offsetY.
    x = math.floor(math.floor(click_x) * 512 / box["width"])
    y = math.floor(math.floor(click_y) * 512 / box["height"])
    expect(page.get_by_text(f"Output pixel x={x}, y={y}")).to_be_visible()
    wait_for_app_idle(page)
    expected = ndi.correlate(data.camera().astype(float), convkit.BANK["sobel_x"].weights,
                             mode="mirror")[y, x]
    assert abs(shown_sum(page) - expected) < 1e-3
    assert f"x={x}" in page.url and f"y={y}" in page.url
    assert_no_exception(page)
    save_screenshot(page, "pixel_inspector")


def test_zoom_click_and_arrows_reach_the_corner(page: Page, app_server: str) -> None:
    """The magnified view picks exact pixels, padding included; arrows step one pixel."""
    open_inspector(page, app_server, "image=coins&kernel=sharpen&border=constant&value=9&x=2&y=2")
    zoom = page.frame_locator(PICTURES).nth(1).locator("img")
    box = zoom.bounding_box()
    # The magnified window reaches 3 cells past the edge: (2, 2) sits in the window's centre.
    cells = 25
    cell = box["width"] / cells
    zoom.click(position={"x": cell * 1.5, "y": cell * 1.5})  # a padded cell: clamped to (0, 0)
    expect(page.get_by_text("Output pixel x=0, y=0")).to_be_visible()
    wait_for_app_idle(page)
    image = data.coins().astype(float)
    sharpen = convkit.BANK["sharpen"].weights
    expected = ndi.correlate(image, sharpen, mode="constant", cval=9.0)
    assert abs(shown_sum(page) - expected[0, 0]) < 1e-3
    expect(page.get_by_text("filled with the constant 9").first).to_be_visible()

    page.get_by_role("button", name="→").click()
    expect(page.get_by_text("Output pixel x=1, y=0")).to_be_visible()
    page.get_by_role("button", name="↓").click()
    expect(page.get_by_text("Output pixel x=1, y=1")).to_be_visible()
    wait_for_app_idle(page)
    assert abs(shown_sum(page) - expected[1, 1]) < 1e-3
    save_screenshot(page, "pixel_inspector_padding")
    assert_no_exception(page)


def test_colour_breakdown_has_a_tab_per_channel(page: Page, app_server: str) -> None:
    """On a colour image each channel's tab holds that channel's sum."""
    open_inspector(page, app_server, "image=chelsea&color=1&kernel=emboss&x=200&y=100")
    image = data.chelsea().astype(float)
    for channel, name in enumerate("RGB"):
        page.get_by_role("tab", name=f"Channel {name}").click()
        panel = page.locator("[role=tabpanel]:visible")
        text = panel.locator('[data-testid="stHtml"] p', has_text="×").last
        total = float(re.search(r"= (\S+)$", text.inner_text().strip()).group(1)
                      .replace("−", "-"))
        expected = ndi.correlate(image[..., channel], convkit.BANK["emboss"].weights,
                                 mode="nearest")[100, 200]
        assert np.isclose(total, expected, atol=1e-3), (name, total, expected)
