"""In Chromium on a 320 px phone: a link poses the bank's question, its four pictures in a
2 x 2 grid that fits, no page scroll sideways, no WCAG violation before or after the reveal."""

from __future__ import annotations

import pytest
from e2e_helpers import wait_for_app_idle
from playwright.sync_api import Page, expect
from test_accessibility import axe_violations

PHONE = {"width": 320, "height": 740}
#: Widest the document may be: the phone's width (no page scroll sideways).
PAGE_WIDTH_JS = "() => document.documentElement.scrollWidth"


@pytest.mark.e2e
def test_a_link_poses_the_bank_question_on_a_phone(page: Page, app_server: str) -> None:
    """Two pictures a row at 320 px, answered with the letters' radio, then the reveal."""
    page.set_viewport_size(PHONE)
    page.goto(f"{app_server}/kernel_bank?image=camera&res=256&kernel=sobel_x&quiz=4242")
    wait_for_app_idle(page, timeout_ms=90_000)
    figures = page.locator(".ckq-grid figure")
    expect(figures.first).to_be_visible()
    boxes = [figures.nth(index).bounding_box() for index in range(figures.count())]
    assert len(boxes) in (3, 4)
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[2]["y"] > boxes[0]["y"] + 20
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] for box in boxes)
    assert page.evaluate(PAGE_WIDTH_JS) <= PHONE["width"]
    assert not axe_violations(page)

    page.locator('[data-testid="stRadio"]').filter(has_text="Your answer").get_by_text(
        "A", exact=True).click()
    page.get_by_role("button", name="Check", exact=True).click()
    wait_for_app_idle(page, timeout_ms=60_000)
    expect(page.get_by_text("(✓ the output", exact=False)).to_be_visible()
    expect(page.get_by_text("Your score on this page: ", exact=False)).to_be_visible()
    assert page.evaluate(PAGE_WIDTH_JS) <= PHONE["width"]
    assert not axe_violations(page)
