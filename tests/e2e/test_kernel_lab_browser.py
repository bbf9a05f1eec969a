"""Real-browser tests of the kernel lab and the deep-learning page, with screenshots."""

from __future__ import annotations

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


def test_deep_learning_steps_and_learns(page: Page, app_server: str) -> None:
    """Step the window over the padded input; gradient descent finds the hidden kernel."""
    page.goto(app_server + "/deep_learning?res=256")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Convolutions in deep learning")).to_be_visible()
    # Stride 2, 'same' on the 6 x 6 crop: the window starts on the zero padding.
    page.get_by_role("slider", name="Stride s").press("ArrowRight")
    wait_for_app_idle(page)
    page.get_by_text("same", exact=True).click()
    wait_for_app_idle(page)
    padding = page.locator('[data-testid="stMetric"]', has_text="Padding top/bottom")
    expect(padding.locator('[data-testid="stMetricValue"]')).to_have_text("0/1, 0/1")
    page.get_by_role("button", name="Next ▶").click()
    wait_for_app_idle(page)
    expect(page.get_by_text("output row 0, column 1 reads input rows 0, 1, 2 and columns 2, 3, "
                            "4")).to_be_visible()
    expect(page.get_by_text("weights are the hidden kernel's")).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "deep_learning")
