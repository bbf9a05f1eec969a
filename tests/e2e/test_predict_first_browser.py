"""Predict first in a real browser: a wrong prediction is diagnosed, a right one accepted."""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.ndimage as ndi
from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Browser, Page, expect
from skimage import data
from test_accessibility import STREAMLIT_EXCLUSIONS, axe_violations

import convkit

EMBOSS = convkit.BANK["emboss"].weights


def bytes_at(x: int, y: int) -> tuple[int, int]:
    """The right byte (correlation, reflect border, clip) and the byte of convolving instead,
    by scipy.ndimage and np.clip, independent of convkit's engine."""
    image = data.camera().astype(np.float64)
    right = ndi.correlate(image, EMBOSS, mode="reflect")[y, x]
    flipped = ndi.convolve(image, EMBOSS, mode="reflect")[y, x]
    return int(np.clip(np.rint(right), 0, 255)), int(np.clip(np.rint(flipped), 0, 255))


def answer(page: Page, number: int) -> None:
    field = page.get_by_label("Your answer")
    field.fill(str(number))
    page.get_by_role("button", name="Check").click()
    wait_for_app_idle(page)


@pytest.mark.e2e
def test_a_wrong_prediction_is_diagnosed_then_a_right_one_accepted(
        page: Page, browser: Browser, app_server: str) -> None:
    """Convolving where the page correlates is named; the next pixel's right byte is Right;
    the link that poses it again opens the question, unanswered, in a fresh browser."""
    x, y = 300, 200
    byte, flipped = bytes_at(x, y)
    assert byte != flipped
    page.goto(f"{app_server}/pixel_inspector?image=camera&kernel=emboss&border=reflect"
              f"&mapping=clip&predict=1&x={x}&y={y}")
    wait_for_app_idle(page, timeout_ms=90_000)
    expect(page.get_by_text(f"Output pixel x={x}, y={y}: your prediction")).to_be_visible()
    # Nothing of the answer is on the page: no products, no sum, no byte, not even spoken.
    # (axe runs on this state, which holds the new form and link; the revealed breakdown is
    # test_accessibility's.)
    expect(page.get_by_text("4. Sum of the products")).to_have_count(0)
    expect(page.get_by_text("Output byte:")).to_have_count(0)
    expect(page.locator(".ckv-live")).to_have_text(
        f"pixel {x}, {y}: predict its output, then press Check")
    left = [f"{rule} {selector}: {summary}" for rule, selector, summary in axe_violations(page)
            if (rule, selector) not in STREAMLIT_EXCLUSIONS]
    assert not left, "\n".join(left)
    # On a 320 px phone the question fits: no sideways scroll of the page.
    desktop = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    wait_for_app_idle(page)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, "
                           "document.querySelector('[data-testid=stMain]').scrollWidth]")
    assert max(widths) <= 320, widths
    page.set_viewport_size(desktop)

    answer(page, flipped)
    verdict = page.get_by_text(re.compile(r"^Not quite: you said"))
    expect(verdict).to_be_visible()
    expect(verdict).to_contain_text(f"the output byte is {byte}")
    expect(page.get_by_text("You convolved (rotated the kernel 180°) where the page correlates")
           ).to_be_visible()
    expect(page.get_by_text("Output byte:").first).to_be_visible()
    save_screenshot(page, "predict_first_wrong")

    x2 = x + 1
    byte2, _ = bytes_at(x2, y)
    field = page.locator(".st-key-inspector_x input")
    field.fill(str(x2))
    field.press("Enter")
    expect(page.get_by_text(f"Output pixel x={x2}, y={y}: your prediction")).to_be_visible()
    wait_for_app_idle(page)
    answer(page, byte2)
    expect(page.get_by_text(f"Right: you said {byte2}, and the output byte is {byte2}.")
           ).to_be_visible()
    expect(page.get_by_text("Your score on this page: 1 of 2 right")).to_be_visible()
    assert_no_exception(page)

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server)
    page.get_by_role("button", name="Pose this question to someone else").click()
    expect(page.locator(".st-key-inspector_pose").get_by_text("Link copied")).to_be_visible()
    link = page.evaluate("() => navigator.clipboard.readText()")
    assert "predict=1" in link and f"x={x2}" in link, link
    fresh = browser.new_context(viewport=page.viewport_size)
    try:
        other = fresh.new_page()
        other.goto(link)
        wait_for_app_idle(other, timeout_ms=90_000)
        expect(other.get_by_text(f"Output pixel x={x2}, y={y}: your prediction")).to_be_visible()
        expect(other.get_by_text("4. Sum of the products")).to_have_count(0)
        expect(other.get_by_label("Your answer")).to_be_visible()
    finally:
        fresh.close()
