"""Real-browser tests: border names, difference pictures, 'Reproduce in code', 'Apply it again'."""

from __future__ import annotations

import re

import numpy as np
import scipy.ndimage as ndi
from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect
from skimage import data


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


def test_kernel_lab_apply_again(page: Page, app_server: str) -> None:
    """Three 5 x 5 box blurs: one 13 x 13 kernel, sigma sqrt(6), drawn against its Gaussian."""
    page.goto(app_server + "/kernel_lab?res=256")
    wait_for_app_idle(page)
    page.get_by_role("button", name="Try it with a 5 x 5 box").click()
    wait_for_app_idle(page)
    caption = page.get_by_text(re.compile(r"^3 passes = one 13 x 13 kernel"))
    expect(caption).to_be_visible()
    assert "sigma 2.45 px" in caption.inner_text()
    expect(page.locator(".st-key-lab_times_profile")).to_be_visible()
    expect(page.get_by_text("Gaussian, sigma 2.45 px").first).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "kernel_lab_apply_again")


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
