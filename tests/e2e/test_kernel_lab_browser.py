"""Real-browser tests of the kernel lab: edit, generate, save, and apply a kernel again."""

from __future__ import annotations

import re

from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect


def sum_shown(page: Page) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text="Sum of the weights")
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_kernel_lab_edit_generate_and_save(page: Page, app_server: str) -> None:
    """Type into the table, load a generator, save the kernel, find it on another page."""
    page.goto(app_server + "/kernel_lab?res=256&kernel=sharpen")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Kernel lab")).to_be_visible()
    assert sum_shown(page) == "1"

    # Type a fraction into the top-left cell of the table (a canvas: click, type, Enter).
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 70, box["y"] + 55)
    page.keyboard.press("Enter")  # opens the cell's text box
    cell_input = page.locator("textarea.gdg-input")
    expect(cell_input).to_be_visible()
    cell_input.fill("1/9")
    cell_input.press("Enter")
    wait_for_app_idle(page)
    expect(page.get_by_text("Sum of the weights")).to_be_visible()
    assert sum_shown(page) == "1.11111"  # 0 became 1/9

    page.get_by_role("button", name="Load into editor").first.click()
    wait_for_app_idle(page)
    expect(page.get_by_text("Loaded a Gaussian (5 x 5) into the editor.")).to_be_visible()
    assert sum_shown(page) == "1"

    page.get_by_label("Name", exact=True).fill("my_gauss")
    page.get_by_label("Name", exact=True).press("Enter")
    wait_for_app_idle(page)
    page.get_by_role("button", name="Save to my bank").click()
    wait_for_app_idle(page)
    expect(page.get_by_text("Saved my_gauss")).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "kernel_lab")

    # The saved kernel is in the sidebar's list on another page of the same session.
    page.get_by_role("link", name="Home").click()
    wait_for_app_idle(page)
    page.locator('[data-testid="stSidebar"]').get_by_label("Kernel", exact=True).click()
    expect(page.get_by_role("option", name="my_gauss (5x5)")).to_be_visible()


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
