"""Home in a real browser: one click on the magnified piece explains that pixel, its byte
checked against cv2.filter2D; the first screen fits a laptop's and a phone's."""

from __future__ import annotations

import re

import cv2
import pytest
from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect
from skimage import data

import convkit

PIECE = ".st-key-home_pick img"
SIDE = 24  # pixels per side of the piece Home magnifies (pages/home.py's PIECE_SIDE)


def piece_corner(page: Page) -> tuple[int, int]:
    """(left, top) of the magnified piece in the image, from its caption."""
    caption = page.get_by_text(re.compile(rf"^A {SIDE} x {SIDE} px piece of camera"))
    return tuple(map(int, re.search(r"from x=(\d+), y=(\d+)", caption.inner_text()).groups()))


def fits_the_screen(page: Page) -> None:
    """No sideways scroll: the page and its main block fit the viewport's width."""
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    main = page.locator('[data-testid="stMain"]')
    assert main.evaluate("m => m.scrollWidth") <= width


@pytest.mark.e2e
def test_a_click_on_home_explains_that_pixel(page: Page, app_server: str) -> None:
    """A click on a pixel of the piece names it and shows its byte: cv2.filter2D's with the
    replicate border (rounded and clipped, the clip mapping); the first screen holds it all
    at 1440 x 900, and a phone's 390 px have no sideways scroll."""
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{app_server}/?image=camera&res=512")
    wait_for_app_idle(page)
    picture = page.locator(PIECE)
    expect(picture).to_be_visible()
    left, top = piece_corner(page)
    box = picture.bounding_box()
    piece_x, piece_y = 3, SIDE - 5
    picture.click(position={"x": (piece_x + 0.5) * box["width"] / SIDE,
                            "y": (piece_y + 0.5) * box["height"] / SIDE})
    x, y = left + piece_x, top + piece_y
    expect(page.get_by_text(f"Pixel x={x}, y={y}, sharpen kernel")).to_be_visible()
    wait_for_app_idle(page)
    byte_line = page.locator('[data-testid="stMarkdownContainer"] p',
                             has_text=re.compile(r"^5\. Output byte: \d+"))
    shown = int(re.match(r"5\. Output byte: (\d+)", byte_line.inner_text()).group(1))
    camera = data.camera()
    expected = cv2.filter2D(camera, -1, convkit.BANK["sharpen"].weights,
                            borderType=cv2.BORDER_REPLICATE)[y, x]
    assert shown == int(expected)
    assert 0 < shown < 255  # a byte the clipping did not decide
    # All of it on the first screen of a laptop: the byte and the way to the inspector.
    button = page.get_by_role("button", name=f"Open pixel x={x}, y={y} in the Pixel inspector")
    assert button.bounding_box()["y"] + button.bounding_box()["height"] <= 900
    fits_the_screen(page)
    assert_no_exception(page)
    save_screenshot(page, "home-1440x900", full_page=False)

    page.set_viewport_size({"width": 390, "height": 844})
    wait_for_app_idle(page)
    fits_the_screen(page)
    save_screenshot(page, "home-390x844", full_page=False)
