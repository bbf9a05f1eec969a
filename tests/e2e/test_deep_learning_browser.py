"""Real-browser tests of the deep-learning page: stride and padding, the animation plays, an
input cell is picked, gradient descent finds the hidden kernel."""

from __future__ import annotations

import re

from e2e_helpers import assert_no_exception, save_screenshot, wait_for_app_idle
from playwright.sync_api import Page, expect

STEP = re.compile(r"Step (\d+) of (\d+)")


def step_shown(page: Page) -> tuple[int, str]:
    """The step number in 'Step n of N', and the sum line written out under the grids."""
    text = page.get_by_text(STEP).first.inner_text()
    found = STEP.search(text)
    assert found, text
    return int(found.group(1)), page.get_by_text("Sum of the products").first.inner_text()


def test_play_moves_the_window_and_its_numbers(page: Page, app_server: str) -> None:
    """Play: the step, the region and the sum on screen change by themselves; Pause stops."""
    page.goto(app_server + "/deep_learning?res=256&kernel=sobel_x")
    wait_for_app_idle(page)
    expect(page.get_by_role("heading", name="The window slides, with numbers")).to_be_visible()
    first_step, first_sum = step_shown(page)
    assert first_step == 1
    save_screenshot(page, "deep_learning_stepper_start", full_page=False)

    # The box itself, then the choice typed (a click on the element's middle could land on
    # its label, and the list draws only what it shows).
    page.locator(".st-key-dl_speed").get_by_role("combobox").click()
    page.keyboard.type("fast")
    page.get_by_role("option", name="fast (0.5 s)").click()
    wait_for_app_idle(page)
    play = page.locator(".st-key-dl_play button")
    expect(play).to_contain_text("Play")
    play.click()
    # No clicks from here on: the fragment's timer moves the window.
    expect(page.get_by_text(re.compile(r"Step [4-9] of"))).to_be_visible(timeout=15_000)
    moved_step, moved_sum = step_shown(page)
    assert moved_step > first_step and moved_sum != first_sum
    grids = page.locator(".dl-grid")
    expect(grids.first).to_be_visible()
    # The output map fills in: more than one computed cell, and the later ones still blank.
    filled = page.locator(".dl-grid").nth(4).locator("td:not(.empty)").count()
    assert filled >= 4
    save_screenshot(page, "deep_learning_stepper_playing")

    expect(play).to_contain_text("Pause")
    play.click()
    # Paused: the button offers Play again (the fragment's timer is off with it), and from
    # here on only a click moves the window: Next moves it by exactly one step, however long
    # the click and the rerun take (the timer would add a step every 0.5 s).
    expect(play).to_contain_text("Play")
    wait_for_app_idle(page)
    paused, paused_sum = step_shown(page)
    page.get_by_role("button", name="Next ▶").click()
    expect(page.get_by_text(STEP).first).to_contain_text(f"Step {paused + 1} of")
    wait_for_app_idle(page)
    assert step_shown(page)[0] == paused + 1
    assert_no_exception(page)


def test_reduced_motion_starts_paused_and_moves_nothing_by_itself(page: Page,
                                                                  app_server: str) -> None:
    """A visitor who asked their system for reduced motion: the animation waits for Play, and
    nothing on the page fades or slides (every transition and animation computed as none)."""
    page.emulate_media(reduced_motion="reduce")
    page.goto(app_server + "/deep_learning?res=256&kernel=sobel_x")
    wait_for_app_idle(page)
    expect(page.locator(".st-key-dl_play button")).to_contain_text("Play")
    assert step_shown(page)[0] == 1
    page.wait_for_timeout(1500)
    assert step_shown(page)[0] == 1  # still: nothing plays until asked
    moving = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => {
        const style = getComputedStyle(e);
        const seconds = s => Math.max(...s.split(',').map(parseFloat));
        return seconds(style.transitionDuration) > 0 || style.animationName !== 'none';
    }).length""")
    assert moving == 0


def test_clicking_an_input_cell_lights_the_outputs_it_feeds(page: Page, app_server: str) -> None:
    """A corner cell feeds one output of a 'valid' layer, a middle one all nine around it."""
    page.goto(app_server + "/deep_learning?res=256&kernel=sobel_x")
    wait_for_app_idle(page)
    table = page.locator(".st-key-dl_pick_table [data-testid='stDataFrame']")
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box is not None
    fed_outputs = page.locator(".dl-grid").nth(6).locator("td.fed")
    # The table's canvas: a row-number column about 50 px wide, then 6 equal columns that
    # share the rest; a 35 px header and 35 px rows.
    column = (box["width"] - 50) / 6
    for (row, col), expected in (((0, 0), 1), ((2, 3), 9), ((5, 1), 2), ((4, 5), 2)):
        page.mouse.click(box["x"] + 50 + column * (col + 0.5), box["y"] + 35 + 35 * row + 17)
        wait_for_app_idle(page)
        sentence = page.get_by_text(re.compile(r"^Input cell x=\d+, y=\d+ is read by"))
        expect(sentence).to_contain_text(f"Input cell x={col}, y={row} is read by {expected} of")
        assert fed_outputs.count() == expected
    save_screenshot(page, "deep_learning_reach", full_page=False)
    assert_no_exception(page)


def test_whole_page_reads_well(page: Page, app_server: str) -> None:
    """The full page with a colour image: channels, pooling and a converged descent."""
    page.goto(app_server + "/deep_learning?res=256&image=astronaut&color=1&kernel=sobel_x")
    wait_for_app_idle(page)
    expect(page.get_by_text("Output size after pooling")).to_be_visible()
    expect(page.get_by_text(re.compile("weights are the hidden kernel's"))).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "deep_learning_page")


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
    expect(page.get_by_text("output x=1, y=0 reads input columns x = 2, 3, 4 and rows "
                            "y = 0, 1, 2")).to_be_visible()
    expect(page.get_by_text("weights are the hidden kernel's")).to_be_visible()
    assert_no_exception(page)
    save_screenshot(page, "deep_learning")


def test_clicking_an_output_cell_of_the_volumes_breaks_it_down(page: Page,
                                                               app_server: str) -> None:
    """A click on a cell of the drawn output volume, then the arrow keys and Enter, each
    break that cell down; the drawing fits a 390 px phone without sideways page scroll."""
    page.goto(app_server + "/deep_learning?res=256")
    wait_for_app_idle(page)
    drawing = page.locator(".st-key-dl_volumes")
    drawing.scroll_into_view_if_needed()
    expect(page.get_by_text("Output x=3, y=2 of filter 1 =")).to_be_visible()
    drawing.locator('[data-f="1"][data-x="4"][data-y="5"]').click()
    expect(page.get_by_text("Output x=4, y=5 of filter 2 =")).to_be_visible()
    expect(drawing.get_by_text("map 2, x=4, y=5")).to_be_visible()
    wait_for_app_idle(page)
    # The keyboard route: the drawing takes focus, Left and Page Down move, Enter picks.
    drawing.locator(".ckv-figures").focus()
    for key in ("ArrowLeft", "PageDown", "Enter"):
        page.keyboard.press(key)
    expect(page.get_by_text("Output x=3, y=5 of filter 3 =")).to_be_visible()
    wait_for_app_idle(page)
    assert_no_exception(page)
    drawing.scroll_into_view_if_needed()
    save_screenshot(page, "deep_learning_volumes", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    wait_for_app_idle(page)
    drawing.scroll_into_view_if_needed()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    save_screenshot(page, "deep_learning_volumes_390", full_page=False)
