"""Real-browser tests of the trained network on the deep-learning page: digits drawn with the
mouse are read right, and a click on a unit of layer 2's maps works that unit out."""

from __future__ import annotations

import re

from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect
from test_accessibility import AXE_SOURCE, WCAG_TAGS

import convkit
from convkit.lessons import digits, network
from tests.unit.test_network import reference_forward

URL = "/deep_learning?res=256"
CANVAS = ".st-key-dl_net_drawing canvas"
#: Strokes of a "7" as fractions of the drawing area's side.
SEVEN = [[(0.28, 0.15), (0.72, 0.15), (0.42, 0.85)]]


def draw(page: Page, strokes) -> None:
    """Draw `strokes` on the drawing area with the mouse, point by point."""
    box = page.locator(CANVAS).bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"],
                            steps=4)
        page.mouse.up()


def test_drawn_digits_are_read_and_the_section_is_accessible(page: Page,
                                                             app_server: str) -> None:
    """A "7" drawn with the mouse is read as 7; after Clear, a "1" drawn with the keyboard's
    pen as 1; axe finds nothing in the section, and at 390 px the drawing area fits."""
    page.goto(app_server + URL)
    wait_for_app_idle(page)
    page.locator(".st-key-dl_net_source").get_by_text("Draw a digit").click()
    canvas = page.locator(CANVAS)
    expect(canvas).to_be_visible()
    canvas.scroll_into_view_if_needed()
    wait_for_app_idle(page)
    reading = page.get_by_text(re.compile(r"^You drew a digit\. The network reads \d"))
    draw(page, SEVEN)
    expect(reading).to_contain_text("The network reads 7 ")
    wait_for_app_idle(page)
    # The keyboard route: a "1" drawn with the pen, from the middle's row 2 to row 11 of 14.
    page.locator(".st-key-dl_net_drawing").get_by_role("button", name="Clear").click()
    wait_for_app_idle(page)
    canvas.focus()
    for key in ["ArrowUp"] * 5 + ["Space"] + ["ArrowDown"] * 9 + ["Space"]:
        page.keyboard.press(key)
    expect(reading).to_contain_text("The network reads 1 ")
    wait_for_app_idle(page)
    assert_no_exception(page)
    save_screenshot(page, "digit_network_drawn_desktop", full_page=False)
    page.add_script_tag(content=AXE_SOURCE.read_text(encoding="utf-8"))
    violations = page.evaluate("""async (tags) => (await axe.run('.st-key-dl_net_section',
        {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})).violations
        .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)""", WCAG_TAGS)
    assert violations == []
    page.set_viewport_size({"width": 390, "height": 844})
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    save_screenshot(page, "digit_network_drawn_390", full_page=False)


def test_a_click_on_a_layer_2_unit_works_it_out(page: Page, app_server: str) -> None:
    """Clicking unit x=5, y=1 of layer 2's 10th map (the second row's 4th; test picture 0):
    the boxes, the value (scipy's correlate2d on the activations) and the receptive field
    x=10 to 19, y=2 to 11; then the right arrow and Enter pick the next map's unit x=0, y=1."""
    page.goto(app_server + URL)
    wait_for_app_idle(page)
    maps = page.locator(".st-key-dl_net_pick_conv2 img")
    maps.scroll_into_view_if_needed()
    box = maps.bounding_box()
    # 12 maps of 6 x 6 units in two rows of six, 4 pixels a unit, 2 pixels apart: 154 x 50
    # pixels as drawn.
    column, row = 3 * 26 + 5 * 4 + 2, 26 + 1 * 4 + 2
    maps.click(position={"x": column * box["width"] / 154, "y": row * box["height"] / 50})
    line = page.get_by_text(re.compile(r"^Unit x=5, y=1 of filter 10:"))
    expect(line).to_be_visible()
    images, _ = digits.digit_images(1, digits.split_seeds(digits.SHIPPED_SEED)[1])
    value = reference_forward(network.load_network(), images[0])["conv2"][9, 1, 5]
    expect(line).to_contain_text(f"= {convkit.format_number(value, 6)};")
    expect(page.get_by_text("Receptive field: input pixels x=10 to 19, y=2 to 11")).to_be_visible()
    assert page.locator(".st-key-dl_net_x input").input_value() == "5"
    # The keyboard: one arrow moves a whole unit, here past the gap to the next map's first.
    maps.focus()
    page.keyboard.press("ArrowRight")
    # The live region names the map and unit under the marker, not the picture's pixel.
    status = page.locator(".st-key-dl_net_pick_conv2 [aria-live]")
    expect(status).to_have_text("red box (the unit) at map 11, unit x=0, y=1: Enter picks it")
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"^Unit x=0, y=1 of filter 11:"))).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "digit_network_unit_picked", full_page=False)
