"""Deconvolution in a real browser: noise ruins the inverse filter, not Wiener."""

from __future__ import annotations

import math
import re

from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect


def psnr_of(page: Page, label: str) -> float:
    """The PSNR in the caption of the picture whose caption starts with `label`."""
    caption = page.get_by_text(re.compile(rf"^{re.escape(label)}.*PSNR")).first
    value = re.search(r"PSNR (\S+) dB", caption.inner_text()).group(1)
    return math.inf if value == "∞" else float(value.replace("−", "-"))


def set_noise(page: Page, steps_from_zero: int) -> None:
    """Move the noise slider to 0 (Home), then `steps_from_zero` steps of 0.5 to the right."""
    thumb = page.get_by_role("slider", name="Noise (gray levels, standard deviation)")
    thumb.focus()
    thumb.press("Home")
    for _ in range(steps_from_zero):
        thumb.press("ArrowRight")
    expect(thumb).to_have_value(f"{steps_from_zero / 2:g}")
    wait_for_app_idle(page, timeout_ms=90_000)


def test_noise_blows_up_the_inverse_filter_not_wiener(page: Page, app_server: str) -> None:
    """Without noise the inverse filter restores the image; with 5 gray levels it falls far
    below the blurred picture while Wiener stays above it."""
    page.goto(f"{app_server}/deconvolution?image=camera")
    wait_for_app_idle(page, timeout_ms=90_000)
    set_noise(page, 0)
    clean_inverse = psnr_of(page, "Inverse filter")
    assert clean_inverse > 40
    save_screenshot(page, "deconvolution_no_noise")

    set_noise(page, 10)
    blurred = psnr_of(page, "Blurred with motion_blur")
    inverse = psnr_of(page, "Inverse filter")
    wiener = psnr_of(page, "Wiener")
    assert inverse < blurred - 10 < wiener - 10
    assert_no_exception(page)
    save_screenshot(page, "deconvolution_noise_5")
