"""Real-browser test of the challenges page: a challenge solved by typing the kernel."""

from __future__ import annotations

from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect

#: The sharpen kernel's non-zero weights by (x, y), typed into the zeros the table starts with.
SHARPEN_TYPED = [((1, 0), "-1"), ((0, 1), "-1"), ((1, 1), "5"), ((2, 1), "-1"), ((1, 2), "-1")]


def test_a_challenge_solved_by_typing_the_kernel(page: Page, app_server: str) -> None:
    """Opened from a teacher's link, the sharpen challenge is not passed by the empty table;
    typing the five weights (Enter after each) passes it, exactly, and ticks it; the page
    fits a 320 px wide phone."""
    page.goto(app_server + "/challenges?challenge=sharpen&res=128")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Challenges", exact=True)).to_be_visible()
    expect(page.get_by_text("Not yet: it passes when")).to_be_visible()
    for (x, y), text in SHARPEN_TYPED:
        box = page.get_by_label(f"weight at x={x}, y={y}", exact=True)
        box.click()
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    wait_for_app_idle(page)
    expect(page.get_by_text("Passed: the largest byte difference is at most 2")).to_be_visible(
        timeout=15_000)
    psnr = page.locator('[data-testid="stMetric"]', has_text="PSNR against the target")
    expect(psnr.locator('[data-testid="stMetricValue"]')).to_have_text("identical")
    expect(page.get_by_text("Solved in this visit, 1 of 13: ✓ Sharpen.")).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "challenges_solved", full_page=False)

    page.get_by_role("button", name="Send this challenge").click()
    wait_for_app_idle(page)
    expect(page.locator('[data-testid="stCode"]')).to_have_text(
        f"{app_server}/challenges?challenge=sharpen")

    page.set_viewport_size({"width": 320, "height": 800})
    wait_for_app_idle(page)
    overflow = page.evaluate("() => document.documentElement.scrollWidth"
                             " - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at 320 px"
