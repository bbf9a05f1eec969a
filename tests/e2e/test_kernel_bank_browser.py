"""Real-browser tests of the kernel bank: its rows, a download, the tutorial's loop and its
badges."""

from __future__ import annotations

import numpy as np
from e2e_helpers import VIEWPORT, assert_no_exception, save_screenshot, wait_for_app_idle
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from scipy import ndimage
from skimage import data


def test_kernel_bank_runs_the_loop(page: Page, browser: Browser, app_server: str) -> None:
    """The bank shows its rows; a download button gives the whole image filtered; the loop
    runs on a click and every row gets its badge and the loop's time beside cv2.filter2D's.
    A second visitor, in a fresh browser, presses Run too and watches a replay of that
    measured run, said so, with the same times."""
    page.goto(app_server + "/kernel_bank?mapping=tutorial")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="Kernel bank")).to_be_visible()
    expect(page.get_by_text("The fast engine vs cv2.filter2D").first).to_be_visible()

    # The first row's download: made on click, the whole 512 x 512 image, the tutorial's
    # small blur (replicate border, values truncated by the tutorial mapping).
    with page.expect_download() as started:
        page.get_by_role("button", name="Download PNG").first.click()
    assert started.value.suggested_filename == "small_blur_fast_replicate_tutorial.png"
    picture = np.asarray(Image.open(started.value.path()))
    blurred = ndimage.correlate(data.camera().astype(np.float64), np.ones((7, 7)) / 49,
                                mode="nearest")
    assert picture.shape == (512, 512)
    # Truncation: a sum a hair under a whole number in float32 may land one level lower.
    assert np.abs(picture.astype(int) - np.floor(blurred + 1e-6)).max() <= 1

    page.get_by_role("button", name="Run the tutorial's loop").click()
    wait_for_app_idle(page, timeout_ms=120_000)
    badges = page.get_by_text("The tutorial's loop vs cv2.filter2D")
    expect(badges.first).to_be_visible()
    assert badges.count() == 6
    expect(page.get_by_text("has run for every chosen kernel")).to_be_visible()
    # The six heat maps (large_blur's numbers are a second table, in a details element).
    assert page.locator("table.ck-grid").count() - page.locator("details table").count() == 6
    assert_no_exception(page)
    times = page.get_by_text("(your run): the tutorial's loop took")
    assert times.count() == 6
    save_screenshot(page, "kernel_bank")

    other = browser.new_context(viewport=VIEWPORT)
    try:
        second = other.new_page()
        second.goto(app_server + "/kernel_bank?mapping=tutorial")
        wait_for_app_idle(second)
        expect(second.get_by_text("already ran on this server for another visitor")).to_be_visible()
        expect(second.get_by_text("The tutorial's loop vs cv2.filter2D")).to_have_count(0)
        second.get_by_role("button", name="Run the tutorial's loop").click()
        wait_for_app_idle(second, timeout_ms=120_000)
        replays = second.get_by_text("(a replay of the run measured on this server at")
        expect(replays.first).to_be_visible()
        assert replays.count() == 6
        took = [t.split("took ")[1].split(",")[0] for t in times.all_inner_texts()]
        assert [t.split("took ")[1].split(",")[0] for t in replays.all_inner_texts()] == took
        assert second.get_by_text("The tutorial's loop vs cv2.filter2D").count() == 6
        assert_no_exception(second)
        save_screenshot(second, "kernel_bank_replay", full_page=False)
    finally:
        other.close()
