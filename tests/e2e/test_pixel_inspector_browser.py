"""The pixel inspector in a real browser: clicks, zoom, channels, divide and offset, checked
against scipy.ndimage."""

from __future__ import annotations

import base64
import io
import math
import re

import numpy as np
import scipy.ndimage as ndi
from e2e_helpers import assert_no_exception, run_async, save_screenshot, wait_for_app_idle
from PIL import Image
from playwright.sync_api import Page, expect
from skimage import data

import convkit

OVERVIEW = ".st-key-inspector_pictures img"
ZOOM = ".st-key-inspector_pictures canvas"


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
    overview = page.locator(OVERVIEW)
    box = overview.bounding_box()
    click_x, click_y = 0.3 * box["width"], 0.6 * box["height"]
    overview.click(position={"x": click_x, "y": click_y})

    # The browser reports integer offsets (offsetX/offsetY).
    x = math.floor(math.floor(click_x) * 512 / box["width"])
    y = math.floor(math.floor(click_y) * 512 / box["height"])
    expect(page.get_by_text(f"Output pixel x={x}, y={y}")).to_be_visible()
    wait_for_app_idle(page)
    expected = ndi.correlate(data.camera().astype(float), convkit.BANK["sobel_x"].weights,
                             mode="mirror")[y, x]
    assert abs(shown_sum(page) - expected) < 1e-3
    assert f"x={x}" in page.url and f"y={y}" in page.url
    # The red box (the magnified window) is round the clicked point.
    red = page.locator(".st-key-inspector_pictures .ckv-box").bounding_box()
    picture = overview.bounding_box()
    point = (picture["x"] + click_x, picture["y"] + click_y)
    assert red["x"] < point[0] < red["x"] + red["width"], (red, point)
    assert red["y"] < point[1] < red["y"] + red["height"], (red, point)
    assert_no_exception(page)
    save_screenshot(page, "pixel_inspector")


def test_zoom_click_and_arrows_reach_the_corner(page: Page, app_server: str) -> None:
    """The magnified view picks exact pixels, padding included; arrows step one pixel."""
    open_inspector(page, app_server, "image=coins&kernel=sharpen&border=constant&value=9&x=2&y=2")
    zoom = page.locator(ZOOM)
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

    page.get_by_role("button", name="Move right one pixel").click()
    expect(page.get_by_text("Output pixel x=1, y=0")).to_be_visible()
    page.get_by_role("button", name="Move down one pixel").click()
    expect(page.get_by_text("Output pixel x=1, y=1")).to_be_visible()
    zoom.focus()  # the arrow keys step too, once the magnified view has the focus
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_text("Output pixel x=0, y=1")).to_be_visible()
    page.keyboard.press("ArrowRight")
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


def test_the_magnified_view_is_drawn_as_convkit_draws_it(page: Page, app_server: str) -> None:
    """The browser's canvas holds exactly convkit.explain.zoom_picture's pixels for the window cut
    from np.pad: padding tinted, the grid, the yellow footprint and the red pixel."""
    open_inspector(page, app_server, "image=coins&kernel=small_blur&border=constant&value=9"
                                     "&x=1&y=300")
    url = page.locator(ZOOM).evaluate("canvas => canvas.toDataURL('image/png')")
    drawn = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    # 303 x 384 coins, a 7 x 7 kernel: a 25-cell window from (278, -5), reaching 5 past the
    # left edge and 5 past the bottom, where the kernel (half 3) plus 2 reaches.
    window = convkit.explain.Window(303 - 25 + 5, -5, 25, 25)
    padded = np.pad(data.coins(), 5, constant_values=9)
    crop = padded[window.top + 5:window.top + 30, 0:25]
    outside = np.zeros((25, 25), bool)
    outside[:, :5] = True
    outside[303 - window.top:, :] = True
    expected = convkit.explain.zoom_picture(crop, outside, window, 1, 300, (7, 7), 420)
    assert drawn.shape[:2] == expected.shape[:2] == (400, 400)
    assert (drawn[..., 3] == 255).all()
    np.testing.assert_array_equal(drawn[..., :3], expected)
    save_screenshot(page, "pixel_inspector_corner")


#: Events no browser of ours sends: each must be ignored, on the server, without an error.
MADE_UP_EVENTS = [
    None, "left", 12, [], {}, {"step": [5, 0]}, {"step": ["1", 0]}, {"step": [1e308, 0]},
    {"picture": "overview", "x": 1, "y": 1, "width": 0, "height": 0},
    {"picture": "zoom", "x": 1, "y": 1, "width": 10, "height": 10, "window": [0, 0, 10**6, 1]},
    {"picture": "zoom", "x": 1, "y": 1, "width": 10, "height": 10, "window": None},
]


def test_made_up_picture_events_are_ignored(app_server: str) -> None:
    """Junk sent as the pictures' events over the WebSocket leaves the pixel where it was;
    a well-formed step after them still moves it."""
    from harness import open_session

    async def main() -> list[tuple[list[str], list[str]]]:
        seen = []
        async with open_session(app_server, "pixel_inspector", "image=camera&x=10&y=20") as s:
            await s.run(None, 60)
            for value in MADE_UP_EVENTS:
                await s.run(s.component_event("inspector_pictures", "pick", value), 60)
                seen.append((s.texts, s.problems))
            key, field, _ = s.component_event("inspector_pictures", "pick", None)
            await s.run((key, field, "not JSON at all"), 60)
            seen.append((s.texts, s.problems))
            await s.run(s.component_event("inspector_pictures", "elsewhere", {"step": [1, 0]}),
                        60)
            seen.append((s.texts, s.problems))
            await s.run(s.component_event("inspector_pictures", "pick", {"step": [1, 0]}), 60)
            seen.append((s.texts, s.problems))
        return seen

    seen = run_async(main())
    for texts, problems in seen[:-1]:
        assert "Output pixel x=10, y=20" in texts and not problems, (texts, problems)
    assert "Output pixel x=11, y=20" in seen[-1][0] and not seen[-1][1]


def overview_shown(page: Page) -> dict:
    """The overview picture as the page holds it: its digest and decoded size."""
    return page.locator(OVERVIEW).evaluate(
        "img => ({digest: img.dataset.digest, width: img.naturalWidth, complete: img.complete})")


def test_the_overview_is_sent_once_not_with_every_click(page: Page, app_server: str) -> None:
    """The first runs bring the overview (a 50 kB-plus frame); a pixel click brings only the
    small window; a fresh page after visiting another one gets the picture again, and the
    output view gets its own."""
    frames: list[int] = []
    page.on("websocket", lambda socket: socket.on(
        "framereceived", lambda payload: frames.append(len(payload))))
    open_inspector(page, app_server, "image=astronaut&color=1&kernel=sharpen&x=100&y=100")
    wait_for_app_idle(page)
    first = overview_shown(page)
    assert first["width"] == 420 and first["digest"], first
    assert max(frames) > 50_000, sorted(frames)[-3:]

    for step in range(3):
        frames.clear()
        # 25 cells of 16 px round the pixel (cell 12): the cell to its right.
        page.locator(ZOOM).click(position={"x": 13.5 * 16, "y": 12.5 * 16})
        expect(page.get_by_text(f"Output pixel x={101 + step}, y=100")).to_be_visible()
        wait_for_app_idle(page)
        assert sum(frames) < 40_000, frames  # the window and the breakdown, no picture
        assert overview_shown(page) == first

    page.locator('[data-testid="stSidebarNav"] a', has_text="Home").click()
    wait_for_app_idle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Pixel inspector").click()
    expect(page.get_by_text("Output pixel x=103, y=100")).to_be_visible()
    wait_for_app_idle(page)
    expect(page.locator(OVERVIEW)).to_have_js_property("naturalWidth", 420)
    assert overview_shown(page)["digest"] == first["digest"]

    page.locator(".st-key-inspector_view button", has_text="output").click()
    wait_for_app_idle(page)
    expect(page.locator(OVERVIEW)).not_to_have_attribute("data-digest", first["digest"])
    assert overview_shown(page)["width"] == 420
    save_screenshot(page, "pixel_inspector_output_view")
    assert_no_exception(page)


def test_inspector_shows_divide_and_offset(page: Page, app_server: str) -> None:
    """Sobel x, divisor 4, offset 128: the steps table shows the division, then the offset, and
    the byte that scipy's sum gives by hand."""
    page.goto(app_server + "/pixel_inspector?image=camera&kernel=sobel_x&border=replicate"
              "&mapping=divide&divisor=4&offset=128&x=300&y=200")
    wait_for_app_idle(page)
    sobel_x = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    total = ndi.correlate(data.camera().astype(np.float64), sobel_x, mode="nearest")[200, 300]
    byte = int(np.clip(np.rint(total / 4 + 128), 0, 255))
    steps = page.locator("table.ck-steps")
    expect(steps).to_be_visible()
    text = steps.inner_text().replace("−", "-")
    assert f"{total:.6g} / 4" in text and f"{total / 4:.6g} + 128" in text
    expect(page.get_by_text(f"Output byte: {byte}")).to_be_visible()
    steps.scroll_into_view_if_needed()
    assert_no_exception(page)
    save_screenshot(page, "inspector_divide_offset", full_page=False)
