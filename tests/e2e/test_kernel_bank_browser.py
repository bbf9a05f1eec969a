"""Real-browser tests of the kernel bank: its rows, the tutorial's loop and its badges."""

from __future__ import annotations

from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect


def test_kernel_bank_runs_the_loop(page: Page, app_server: str) -> None:
    """The bank shows its rows; the loop runs on a click and every row gets its badge."""
    page.goto(app_server + "/kernel_bank?mapping=tutorial")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Kernel bank")).to_be_visible()
    expect(page.get_by_text("The fast engine vs cv2.filter2D").first).to_be_visible()

    page.get_by_role("button", name="Run the tutorial's loop").click()
    wait_for_app_idle(page, timeout_ms=120_000)
    badges = page.get_by_text("The tutorial's loop vs cv2.filter2D")
    expect(badges.first).to_be_visible()
    assert badges.count() == 6
    expect(page.get_by_text("has run for every chosen kernel")).to_be_visible()
    # The six heat maps (large_blur's numbers are a second table, in a details element).
    assert page.locator("table.ck-grid").count() - page.locator("details table").count() == 6
    assert_no_exception(page)
    save_screenshot(page, "kernel_bank")
