"""AppTest tests of the challenges page: solving by typing a kernel, hints in order, the
solution on request only, and the link a teacher sends."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from apptest_helpers import APP, assert_healthy, component_data
from skimage import data
from skimage.metrics import peak_signal_noise_ratio
from streamlit.testing.v1 import AppTest

#: The 3 x 3 binomial blur the "gaussian" challenge hides, typed as a student would.
GAUSSIAN_TEXT = [["1/16", "2/16", "1/16"], ["2/16", "4/16", "2/16"], ["1/16", "2/16", "1/16"]]
#: The unsharp mask of the "unsharp" challenge: 2 x identity minus that blur, by hand.
UNSHARP = np.array([[-1, -2, -1], [-2, 28, -2], [-1, -2, -1]]) / 16


def challenges_page(query: dict[str, str] | None = None) -> AppTest:
    """A fresh session opened through a link with `query`, on the challenges page."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["res"] = "128"
    for key, value in (query or {}).items():
        at.query_params[key] = value
    # Straight onto the page, as a link to it opens.
    at.switch_page("pages/challenges.py").run()
    assert_healthy(at)
    assert [t.value for t in at.title] == ["Challenges"]
    return at


def type_kernel(at: AppTest, cells: list[list[str]]) -> AppTest:
    """Send the table as the browser's table sends its boxes (resizing it first)."""
    rows, cols = len(cells), len(cells[0])
    if (at.number_input(key="challenge_rows").value,
            at.number_input(key="challenge_cols").value) != (rows, cols):
        at.number_input(key="challenge_rows").set_value(rows)
        at.number_input(key="challenge_cols").set_value(cols).run()
    at.session_state["challenge_cells"] = cells
    at.run()
    assert_healthy(at)
    return at


def metric(at: AppTest, label: str) -> str:
    (found,) = [m.value for m in at.metric if m.label == label]
    return found


def page_text(at: AppTest) -> str:
    """Everything the page sent for the main area and the sidebar, protos and data included."""
    parts = []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        children = getattr(node, "children", {})
        stack.extend(children.values() if isinstance(children, dict) else children)
    return "\n".join(parts)


def score_line(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("Your score on this page")]


def test_solve_by_setting_the_kernel() -> None:
    """A wrong kernel is scored as numpy and skimage score it and does not pass; the true one
    typed as fractions passes, is ticked and counts in the score."""
    at = challenges_page({"challenge": "gaussian"})
    assert at.selectbox(key="challenge_pick").value == "gaussian"
    assert np.array(component_data(at, "convkit_kernel_grid")["cells"], float).tolist() \
        == np.zeros((3, 3)).tolist()

    box = [["1/9"] * 3] * 3
    type_kernel(at, box)
    crop = data.camera()[40:168, 200:328].astype(float)
    target = np.clip(np.rint(ndi.correlate(crop, np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
                                           mode="mirror")), 0, 255).astype(np.uint8)
    yours = np.clip(np.rint(ndi.correlate(crop, np.full((3, 3), 1 / 9), mode="mirror")),
                    0, 255).astype(np.uint8)
    assert int(metric(at, "Largest byte difference")) == np.abs(
        target.astype(int) - yours.astype(int)).max()
    shown_psnr = float(metric(at, "PSNR against the target").removesuffix(" dB"))
    assert shown_psnr == pytest.approx(peak_signal_noise_ratio(target, yours, data_range=255),
                                       abs=0.06)
    assert [w.value for w in at.warning if w.value.startswith("Not yet")]
    assert not at.success and not score_line(at)

    # A box that is not a number: said in words, and the last kernel read is still scored.
    type_kernel(at, [["1/9", "1/9", "1/9"], ["1/9", "nine", "1/9"], ["1/9", "1/9", "1/9"]])
    assert [e.value for e in at.error if e.value.startswith("The table cannot be used")]
    assert int(metric(at, "Largest byte difference")) == np.abs(
        target.astype(int) - yours.astype(int)).max()

    type_kernel(at, GAUSSIAN_TEXT)
    assert not at.error
    assert metric(at, "Largest byte difference") == "0"
    assert metric(at, "PSNR against the target") == "identical"
    (passed,) = [s.value for s in at.success]
    assert passed.startswith("Passed: the largest byte difference is at most 2")
    assert "Solved in this visit, 1 of 13: ✓ A smoother blur." in [c.value for c in at.caption]
    assert score_line(at)[0].startswith("Your score on this page: 1 of 1 right")


def test_hints_come_one_at_a_time_then_the_solution() -> None:
    """Four hints in order, each one click; the solution's button only after the fourth; the
    solution, once asked for, shows the kernel and loads into the table, which then passes."""
    at = challenges_page({"challenge": "unsharp"})
    assert not [m for m in at.markdown if m.value.startswith("**Hint")]
    for shown in range(1, 5):
        assert not [b for b in at.button if b.label == "Show the solution"]
        (button,) = [b for b in at.button if b.label == f"Show hint {shown} of 4"]
        button.click().run()
        hints = [m.value for m in at.markdown if m.value.startswith("**Hint")]
        assert [h.split(".**")[0] for h in hints] == [f"**Hint {n} of 4" for n in
                                                       range(1, shown + 1)]
    hints = [m.value for m in at.markdown if m.value.startswith("**Hint")]
    assert hints[0].endswith("Size: 3 x 3 (3 rows, 3 columns).")
    assert "add up to 1;" in hints[2]
    assert "row y=0: − − −; row y=1: − + −; row y=2: − − −" in hints[3]
    assert "1.75" not in page_text(at)

    at.button(key="challenge_show_solution").click().run()
    assert_healthy(at)
    text = page_text(at)
    assert "row y=1: −0.125, 1.75, −0.125" in text
    assert score_line(at)[0].startswith("Your score on this page: 0 of 1 right")
    at.button(key="challenge_load_solution").click().run()
    np.testing.assert_allclose(
        np.array(component_data(at, "convkit_kernel_grid")["cells"], float), UNSHARP)
    assert [s.value for s in at.success if s.value.startswith("Passed")]
    assert "Solved in this visit, 1 of 13: ✓ Unsharp mask (after the solution)." in \
        [c.value for c in at.caption]
    assert score_line(at)[0].startswith("Your score on this page: 0 of 1 right")


def test_the_kernel_is_nowhere_in_the_page_or_link_before_the_solution() -> None:
    """Before the solution is asked for, no weight of the hidden kernel is in what the page
    sent (elements, component data) nor in the link; after it, the same search finds them."""
    at = challenges_page({"challenge": "unsharp"})
    for _ in range(4):
        [b for b in at.button if b.label.startswith("Show hint")][0].click().run()
    at.button(key="challenge_send").click().run()
    weights = ["1.75", "0.125", "0.0625", "28/16", "-2/16"]
    before = page_text(at) + str(dict(at.query_params))
    assert not [w for w in weights if w in before]
    cells = np.array(component_data(at, "convkit_kernel_grid")["cells"], float)
    assert not cells.any()
    at.button(key="challenge_show_solution").click().run()
    after = page_text(at)
    assert [w for w in weights[:3] if w in after] == weights[:3]


def test_a_link_opens_its_challenge_and_names_nothing_else() -> None:
    """"Send this challenge" gives the page's address with the challenge id only; the link
    opens that challenge; an unknown id is refused in words and the first challenge opens."""
    at = challenges_page({"challenge": "emboss"})
    assert at.selectbox(key="challenge_pick").value == "emboss"
    assert not at.code
    at.button(key="challenge_send").click().run()
    (link,) = [c.value for c in at.code]
    assert link == "challenges?challenge=emboss"

    at.selectbox(key="challenge_pick").set_value("sobel").run()
    assert not at.code  # a new challenge: its link is asked for again
    assert at.query_params["challenge"] == "sobel"

    wrong = challenges_page({"challenge": "nope"})
    notices = [w.value for w in wrong.warning if "link were ignored" in w.value]
    assert len(notices) == 1
    assert "`challenge=nope`: no challenge has that id (the ids: identity, " in notices[0]
    assert wrong.selectbox(key="challenge_pick").value == "identity"
