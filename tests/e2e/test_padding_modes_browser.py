"""Real-browser tests of the padding page: every mode, every library's name for it, the
difference pictures and "Reproduce in code" run as shown."""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi
from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect
from skimage import data


def test_padding_page_shows_every_mode(page: Page, app_server: str) -> None:
    """The padding page shows the five modes, the 1-D table and the band table."""
    page.goto(app_server + "/padding_modes?kernel=large_blur")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Padding: what lies beyond the edge")).to_be_visible()
    for drawing in ("aaa|abc|ccc", "vvv|abc|vvv", "cba|abc|cba", "cb|abc|ba", "bc|abc|ab"):
        expect(page.get_by_text(drawing).first).to_be_visible()
    expect(page.get_by_text("1 2 3 4 5").first).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]')).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "padding")


def test_padding_page_names_and_differences(page: Page, app_server: str) -> None:
    """Large blur: the names table, five difference pictures under the outputs, and the band
    table calling constant's frame darker."""
    page.goto(app_server + "/padding_modes?kernel=large_blur")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="The same modes by every library's name")) \
        .to_be_visible()
    for name in ("cv2.BORDER_REFLECT_101", "mirror", "symmetric", "circular", "Extend"):
        expect(page.get_by_text(name, exact=True).first).to_be_visible()
    for mode in ("replicate", "constant", "reflect", "reflect_101", "wrap"):
        expect(page.get_by_text(f"{mode} − reflect_101", exact=True)).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]')).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "padding_names_and_differences")


def test_reproduce_in_code_runs_as_shown(page: Page, app_server: str) -> None:
    """The OpenCV code shown for wrap + flip + abs, copied from the page and run, gives scipy's
    bytes for the same settings."""
    page.goto(app_server + "/padding_modes?kernel=sobel_x&border=wrap&flip=1&mapping=abs")
    wait_for_app_idle(page)
    page.get_by_text("Reproduce in code", exact=True).click()
    page.get_by_role("tab", name="OpenCV").click()
    panel = page.locator("[role=tabpanel]:visible").filter(has_text="cv2.filter2D")
    expect(panel).to_be_visible()
    code = panel.locator("code").first.inner_text()
    assert "cv2.BORDER_WRAP" in code and "cv2.flip(kernel, -1)" in code
    namespace: dict = {}
    exec(compile(code, "<shown code>", "exec"), namespace)  # noqa: S102
    sobel_x = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    raw = ndi.convolve(data.camera().astype(np.float64), sobel_x, mode="grid-wrap")
    expected = np.clip(np.rint(np.abs(raw)), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(namespace["output"], expected)
    panel.scroll_into_view_if_needed()
    assert_no_exception(page)
    save_screenshot(page, "reproduce_in_code")
