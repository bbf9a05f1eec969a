"""Template matching in a real browser, checked against OpenCV and NumPy."""

from __future__ import annotations

import re

import cv2
import numpy as np
from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect
from skimage import data

#: The clickable pictures (pages/ui/clickable.py), by widget key.
PATCH_PICTURE, NCC_MAP = ".st-key-match_pick img", ".st-key-match_map_ncc img"
BEST = re.compile(r"Normalized best match \(green\) at x=(\d+), y=(\d+)")


def best_match(page: Page) -> tuple[int, int]:
    """The normalized best match the page reports."""
    text = page.get_by_text(BEST).inner_text()
    found = BEST.search(text)
    return int(found.group(1)), int(found.group(2))


def test_drag_a_patch_and_find_it(page: Page, app_server: str) -> None:
    """A box dragged on the face is found where OpenCV finds it, also in a shifted noisy copy."""
    page.goto(f"{app_server}/template_matching?image=camera")
    wait_for_app_idle(page)
    picture = page.locator(PATCH_PICTURE)
    box = picture.bounding_box()
    scale = box["width"] / 512
    start, end = (202, 125), (242, 175)  # image pixels around the cameraman's face
    page.mouse.move(box["x"] + start[0] * scale, box["y"] + start[1] * scale)
    page.mouse.down()
    page.mouse.move(box["x"] + end[0] * scale, box["y"] + end[1] * scale, steps=5)
    page.mouse.up()
    expect(page.locator(".st-key-match_w input")).not_to_have_value("31")
    wait_for_app_idle(page)
    x = int(page.locator(".st-key-match_x input").input_value())
    y = int(page.locator(".st-key-match_y input").input_value())
    width = int(page.locator(".st-key-match_w input").input_value())
    height = int(page.locator(".st-key-match_h input").input_value())
    # Screen to image pixels at a fractional scale: a pixel either way.
    assert abs(x - 222) <= 1 and abs(y - 150) <= 1
    assert abs(width - 41) <= 2 and abs(height - 51) <= 2

    camera = data.camera().astype(np.float32)
    patch = camera[y - height // 2:y + height // 2 + 1, x - width // 2:x + width // 2 + 1]
    scores = cv2.matchTemplate(camera, patch, cv2.TM_CCOEFF_NORMED)
    top, left = np.unravel_index(int(np.argmax(scores)), scores.shape)
    assert best_match(page) == (left + width // 2, top + height // 2) == (x, y)
    expect(page.get_by_text(f"At x={x}, y={y} (blue)")).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "template_matching")

    page.get_by_text("the same image, shifted and noised").click()
    wait_for_app_idle(page)
    expect(page.get_by_text(BEST)).to_contain_text(f"x={x + 40}, y={y + 25}")
    assert_no_exception(page)
    save_screenshot(page, "template_matching_shifted")


def test_click_on_the_map_explains_that_point(page: Page, app_server: str) -> None:
    """A click on the normalized map breaks down that point; its NCC is the NumPy formula."""
    page.goto(f"{app_server}/template_matching?image=coins")
    wait_for_app_idle(page)
    page.locator(".st-key-match_example input").click()
    page.locator('[role="option"]').filter(has_text="one coin").click()
    wait_for_app_idle(page)
    page.get_by_role("button", name="Use this example").click()
    wait_for_app_idle(page)
    x = int(page.locator(".st-key-match_x input").input_value())
    y = int(page.locator(".st-key-match_y input").input_value())
    width = int(page.locator(".st-key-match_w input").input_value())
    height = int(page.locator(".st-key-match_h input").input_value())
    ncc_map = page.locator(NCC_MAP)
    box = ncc_map.bounding_box()
    ncc_map.click(position={"x": 0.7 * box["width"], "y": 0.5 * box["height"]})
    heading = page.get_by_text(re.compile(r"^At x=\d+, y=\d+ \(blue\)$"))
    expect(heading).not_to_have_text(f"At x={x}, y={y} (blue)")
    wait_for_app_idle(page)
    px, py = map(int, re.findall(r"\d+", heading.inner_text()))
    coins = data.coins().astype(float)
    region = coins[py - height // 2:py + height // 2 + 1, px - width // 2:px + width // 2 + 1]
    patch = coins[y - height // 2:y + height // 2 + 1, x - width // 2:x + width // 2 + 1]
    r, t = region - region.mean(), patch - patch.mean()
    expected = (r * t).sum() / np.sqrt((r**2).sum() * (t**2).sum())
    page.get_by_role("tab", name="Normalized cross-correlation").click()
    line = page.get_by_text(re.compile(r"^NCC = ")).inner_text()
    shown = float(re.search(r"= \*?\*?(−?[0-9.]+)\*?\*?$", line.strip()).group(1).replace("−", "-"))
    assert abs(shown - expected) < 1e-3
    assert_no_exception(page)
    save_screenshot(page, "template_matching_point")
