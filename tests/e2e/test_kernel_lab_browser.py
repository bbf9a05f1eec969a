"""Real-browser tests of the kernel lab: edit, generate, save, and apply a kernel again."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest
from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect


def sum_shown(page: Page) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text="Sum of the weights")
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def shown(text: str) -> float:
    """A number as the page writes it (U+2212 for minus) read back."""
    return float(text.replace("−", "-"))


def assert_kernel_in_use(page: Page, expected: np.ndarray) -> None:
    """The sum shown is `expected`'s (numpy's sum; the last edit's run may still be on its way:
    a few seconds for it) and the kernel downloaded is `expected`."""
    for _ in range(50):
        if abs(shown(sum_shown(page)) - expected.sum()) < 1e-5:
            break
        page.wait_for_timeout(200)
    assert abs(shown(sum_shown(page)) - expected.sum()) < 1e-5
    wait_for_app_idle(page)
    np.testing.assert_array_equal(kernel_in_use(page), expected)


def test_kernel_lab_edit_generate_and_save(page: Page, app_server: str) -> None:
    """Type into the table, load a generator, save the kernel, find it on another page."""
    page.goto(app_server + "/kernel_lab?res=256&kernel=sharpen")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Kernel lab")).to_be_visible()
    assert sum_shown(page) == "1"

    # Type a fraction into the top-left box of the table.
    cell(page, 0, 0).fill("1/9")
    cell(page, 0, 0).press("Enter")
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
    # Typed, as a visitor finds a kernel in a long list: the list draws only what it shows.
    page.keyboard.type("my_gauss")
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


#: Ten cells of a 5 x 5 kernel (x, y) and what is typed into each.
TEN_EDITS = [((0, 0), "2"), ((1, 0), "-3"), ((4, 0), "1/4"), ((2, 1), "0.5"), ((0, 2), "-1"),
             ((2, 2), "7"), ((4, 2), "-2/5"), ((1, 3), "3"), ((3, 4), "-0.25"), ((4, 4), "9")]


def expected_after(edits) -> np.ndarray:
    """The 5 x 5 box with the typed values, computed with Fraction (not the app's parser)."""
    kernel = np.full((5, 5), 1 / 25)
    for (x, y), text in edits:
        kernel[y, x] = float(Fraction(text))
    return kernel


def cell(page: Page, x: int, y: int):
    """The kernel table's box for the weight at (x, y), by its label."""
    return page.get_by_label(f"weight at x={x}, y={y}", exact=True)


def kernel_in_use(page: Page) -> np.ndarray:
    """The kernel the page uses, as its "Kernel as CSV" download."""
    with page.expect_download() as download:
        page.get_by_role("button", name="Kernel as CSV").click()
    return np.loadtxt(download.value.path(), delimiter=",", ndmin=2)


def open_box_5(page: Page, app_server: str) -> None:
    page.goto(app_server + "/kernel_lab?res=128&kernel=box_5")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Kernel lab")).to_be_visible()


@pytest.mark.parametrize("gesture", ["double-click", "click"])
def test_ten_edits_in_a_row_are_all_kept(page: Page, app_server: str, gesture: str) -> None:
    """Ten boxes double-clicked (or clicked once) and typed into, each ended with Enter, one
    straight after the other: the sum shown and the kernel downloaded are the typed kernel
    (the sum compared with numpy's)."""
    open_box_5(page, app_server)
    for (x, y), text in TEN_EDITS:
        box = cell(page, x, y)
        if gesture == "double-click":
            box.dblclick()
        else:
            box.click()
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    wait_for_app_idle(page)
    expected = expected_after(TEN_EDITS)
    for (x, y), text in TEN_EDITS:
        expect(cell(page, x, y)).to_have_value(text)
    save_screenshot(page, f"kernel_lab_ten_edits_{gesture}", full_page=False)
    expect(page.get_by_text("Sum of the weights")).to_be_visible()
    assert_kernel_in_use(page, expected)
    assert_no_exception(page)



def test_a_row_of_weights_edited_with_the_keyboard_alone(page: Page, app_server: str) -> None:
    """Keyboard only: in the first box, then Tab from box to box along the top row, each one
    selected whole (Ctrl+A), typed over and left with Tab: the sum shown and the kernel
    downloaded are the typed kernel (the sum compared with numpy's)."""
    open_box_5(page, app_server)
    edits = [((0, 0), "1"), ((1, 0), "-2"), ((2, 0), "1/2"), ((3, 0), "0"), ((4, 0), "3")]
    cell(page, 0, 0).focus()
    for (x, y), text in edits:
        expect(cell(page, x, y)).to_be_focused()
        page.keyboard.press("Control+a")
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    wait_for_app_idle(page)
    expected = expected_after(edits)
    for (x, y), text in edits:
        expect(cell(page, x, y)).to_have_value(text)
    assert_kernel_in_use(page, expected)
    assert_no_exception(page)


def test_rows_of_40_is_explained_in_words_on_the_page(page: Page, app_server: str) -> None:
    """After a resize to 5 rows (said on the page), typing 40 in Rows shows in words why it
    cannot be used and that the kernel stays 5 x 5; nothing claims a load."""
    open_box_5(page, app_server)
    rows = page.locator(".st-key-lab_rows input")
    rows.fill("3")
    rows.press("Enter")
    wait_for_app_idle(page)
    expect(page.get_by_text("Loaded the resized kernel (3 x 5)")).to_be_visible()
    rows.fill("40")
    rows.press("Enter")
    wait_for_app_idle(page)
    expect(page.get_by_text(
        "A kernel has 1 to 31 rows and columns: 40 x 5 cannot be used. The kernel stays 3 x 5.")
    ).to_be_visible()
    expect(page.get_by_text("Loaded the resized kernel")).to_have_count(0)
    expect(page.get_by_text("Rows and columns: odd numbers from 1 to 31.")).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "kernel_lab_rows_40", full_page=False)
