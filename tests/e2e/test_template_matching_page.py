"""Template matching's clickable pictures in a real browser: a map clicked with the mouse, a
point chosen with the keyboard alone, and each picture's text alternative in the
accessibility tree. The numbers shown are checked against cv2.matchTemplate."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect
from skimage import data

#: The page's clickable pictures (pages/ui/clickable.py), by widget key.
KEYS = ("match_pick", "match_map_plain", "match_map_ncc")
HEADING = re.compile(r"^At x=(\d+), y=(\d+) \(blue\)$")
#: The patch typed on the cameraman's face: centre and odd sides.
X, Y, WIDTH, HEIGHT = 222, 150, 41, 51
DESKTOP, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}


def open_with_patch(page: Page, app_server: str) -> None:
    """The template matching page on camera, with the face's patch typed in."""
    page.goto(f"{app_server}/template_matching?image=camera")
    wait_for_app_idle(page)
    for key, value in (("match_w", WIDTH), ("match_h", HEIGHT), ("match_x", X), ("match_y", Y)):
        field = page.locator(f".st-key-{key} input")
        field.fill(str(value))
        field.press("Enter")
        wait_for_app_idle(page)
    expect(page.get_by_text(f"At x={X}, y={Y} (blue)")).to_be_visible()


def shown_point(page: Page) -> tuple[int, int]:
    """The point the breakdown is at, from its heading."""
    heading = page.get_by_text(HEADING)
    found = HEADING.match(heading.inner_text())
    return int(found.group(1)), int(found.group(2))


def expected_scores(px: int, py: int) -> float:
    """cv2.matchTemplate's TM_CCOEFF_NORMED at centre (px, py), same gray image and patch."""
    camera = data.camera().astype(np.float32)
    patch = camera[Y - HEIGHT // 2:Y + HEIGHT // 2 + 1, X - WIDTH // 2:X + WIDTH // 2 + 1]
    scores = cv2.matchTemplate(camera, patch, cv2.TM_CCOEFF_NORMED)
    return float(scores[py - HEIGHT // 2, px - WIDTH // 2])


def shown_ncc(page: Page) -> float:
    """The NCC the breakdown's normalized tab works out."""
    page.get_by_role("tab", name="Normalized cross-correlation").click()
    line = page.get_by_text(re.compile(r"^NCC = ")).inner_text()
    value = re.search(r"= (−?[0-9.]+)$", line.strip()).group(1)
    return float(value.replace("−", "-"))


def test_a_mouse_click_on_the_normalized_map(page: Page, app_server: str) -> None:
    """A click at 70 % across and 40 % down the normalized map breaks down the pixel under it;
    its NCC is cv2.matchTemplate's there."""
    open_with_patch(page, app_server)
    ncc_map = page.locator(".st-key-match_map_ncc img")
    box = ncc_map.bounding_box()
    ncc_map.click(position={"x": 0.7 * box["width"], "y": 0.4 * box["height"]})
    expect(page.get_by_text(HEADING)).not_to_have_text(f"At x={X}, y={Y} (blue)")
    wait_for_app_idle(page)
    px, py = shown_point(page)
    assert abs(px - int(0.7 * 512)) <= 1 and abs(py - int(0.4 * 512)) <= 1
    assert shown_ncc(page) == pytest.approx(expected_scores(px, py), abs=1e-3)
    caption = page.get_by_text(re.compile(r"^cv2\.matchTemplate gives "))
    assert float(re.search(r"gives (−?[0-9.]+)", caption.inner_text()).group(1)
                 .replace("−", "-")) == pytest.approx(expected_scores(px, py), abs=1e-3)
    assert_no_exception(page)
    save_screenshot(page, "template_matching_mouse_pick")


def test_a_point_chosen_with_the_keyboard_alone(page: Page, app_server: str) -> None:
    """Tab to the normalized map, move its marker 3 right (one Shift step = 10, then 7 left)
    and 12 down with the arrow keys, press Enter: that point is broken down."""
    open_with_patch(page, app_server)
    ncc_map = page.locator(".st-key-match_map_ncc img")
    # Reach the map with Tab alone, from the plain map before it.
    page.locator(".st-key-match_map_plain img").focus()
    page.keyboard.press("Tab")
    expect(ncc_map).to_be_focused()
    outline = ncc_map.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"  # the focus ring is visible
    page.keyboard.press("Shift+ArrowRight")
    for _ in range(7):
        page.keyboard.press("ArrowLeft")
    for _ in range(12):
        page.keyboard.press("ArrowDown")
    status = page.locator(".st-key-match_map_ncc [aria-live]")
    expect(status).to_have_text(f"blue box at x={X + 3}, y={Y + 12}: Enter picks it")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"At x={X + 3}, y={Y + 12} (blue)")).to_be_visible()
    wait_for_app_idle(page)
    assert shown_ncc(page) == pytest.approx(expected_scores(X + 3, Y + 12), abs=1e-3)
    assert_no_exception(page)
    save_screenshot(page, "template_matching_keyboard_pick")


def test_the_patch_moves_with_the_keyboard(page: Page, app_server: str) -> None:
    """On the patch picture, arrows move the yellow outline and Enter centres the patch
    there, its sides unchanged."""
    open_with_patch(page, app_server)
    picture = page.locator(".st-key-match_pick img")
    picture.focus()
    for _ in range(5):
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(page.locator(".st-key-match_y input")).to_have_value(str(Y - 5))
    wait_for_app_idle(page)
    assert page.locator(".st-key-match_x input").input_value() == str(X)
    assert page.locator(".st-key-match_w input").input_value() == str(WIDTH)
    assert page.locator(".st-key-match_h input").input_value() == str(HEIGHT)
    assert_no_exception(page)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_clickable_picture_has_its_alt_text_in_the_accessibility_tree(
        page: Page, app_server: str, viewport: dict) -> None:
    """Each clickable picture is an image named by what it shows, and takes focus."""
    page.set_viewport_size(viewport)
    open_with_patch(page, app_server)
    names = {
        "match_pick": f"The image (camera) in gray, 512 x 512 px, the patch outlined in "
                      f"yellow: {WIDTH} x {HEIGHT} px centred on x={X}, y={Y}",
        "match_map_plain": re.compile(r"^Plain correlation map over the same image, 512 x 512 "
                                      r"px, .*the red dashed box marks its largest, at "
                                      r"x=\d+, y=\d+; "
                                      rf"the blue box marks the point broken down, x={X}, "
                                      rf"y={Y}$"),
        "match_map_ncc": re.compile(r"^Normalized cross-correlation map over the same image, "
                                    rf".*the green box marks the best match, x={X}, y={Y}, "
                                    r"score 1; the blue box marks the point broken down"),
    }
    for key, name in names.items():
        container = page.locator(f".st-key-{key}")
        image = container.get_by_role("img", name=name)
        expect(image).to_have_count(1)
        expect(image).to_have_accessible_description(re.compile("Enter picks it"))
        assert image.get_attribute("tabindex") == "0"
    snapshot = page.locator('[data-testid="stMain"]').aria_snapshot()
    assert snapshot.count("img \"Normalized cross-correlation map") == 1
    assert_no_exception(page)
    save_screenshot(page, f"template_matching_{viewport['width']}x{viewport['height']}")
