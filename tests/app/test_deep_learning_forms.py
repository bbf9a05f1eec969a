"""AppTest tests of the deep-learning page's layer forms and receptive-field sections: the
numbers shown against hand formulas, scipy.signal.correlate2d and a forward pass written here."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest
from apptest_helpers import assert_healthy, open_page
from scipy import signal
from streamlit.testing.v1 import AppTest

from convkit import lessons
from pages.ui import cache


def plain(text: str) -> str:
    return html.unescape(text).replace("−", "-")


def text_table(at: AppTest, caption_start: str) -> dict[str, list[str]]:
    """A text table's rows by their header: the cells' text."""
    for element in at.get("html"):
        for caption, table in re.findall(r"<caption>(.*?)</caption>(.*?)</table>",
                                         element.proto.body, re.S):
            if html.unescape(caption).startswith(caption_start):
                return {plain(head): [plain(cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
                        for head, row in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>',
                                                    table, re.S)}
    raise AssertionError(f"no table captioned {caption_start!r}")


def grid_values(at: AppTest, caption_start: str) -> np.ndarray:
    for element in at.get("html"):
        for caption, table in re.findall(r"<caption>(.*?)</caption>(.*?)</table>",
                                         element.proto.body, re.S):
            if html.unescape(caption).startswith(caption_start):
                return np.array([[float(plain(re.sub(r"<small>.*?</small>", "", cell)))
                                  for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
                                 for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
                                 if "<td" in row])
    raise AssertionError(f"no grid captioned {caption_start!r}")


def markdown(at: AppTest, contains: str) -> str:
    (found,) = [m.value for m in at.markdown if contains in m.value]
    return plain(found)


@pytest.fixture
def dl(app: AppTest) -> AppTest:
    return open_page(app, "deep_learning")


def test_cost_table_follows_hand_formulas(dl):
    """12 -> 18 channels, 5 x 5, 3 groups, 40 x 40: every count as written out by hand."""
    dl.number_input(key="dl_forms_in").set_value(12).run()
    dl.number_input(key="dl_forms_out").set_value(18).run()
    dl.selectbox(key="dl_forms_k").set_value(5).run()
    dl.selectbox(key="dl_forms_groups").set_value(3).run()
    dl.number_input(key="dl_forms_side").set_value(40).run()
    assert_healthy(dl)
    rows = text_table(dl, "Weights and multiply-adds of one 12 to 18")
    positions = 36 * 36
    expected = {"standard": (18, 18 * 12 * 25, 18), "grouped": (18, 18 * 4 * 25, 18),
                "depthwise": (12, 12 * 25, 12), "separable": (18, 12 * 25 + 18 * 12, 12 + 18)}
    for form, (maps, weights, biases) in expected.items():
        cells = rows[form]
        assert int(cells[0]) == maps
        assert int(cells[1].split("= ")[-1]) == weights
        assert int(cells[2]) == weights + biases
        assert int(cells[3]) == weights * positions
        assert float(cells[4].rstrip(" %")) == pytest.approx(
            100 * weights / expected["standard"][1], rel=5e-3)


def test_outputs_on_the_colour_crop_equal_correlate2d(dl):
    """Each form's shown map against correlate2d per (output, input channel) pair summed."""
    dl.selectbox(key="dl_forms_map").set_value(3).run()
    assert_healthy(dl)
    corner = re.search(r"from pixel x=(\d+), y=(\d+)", markdown(dl, "crop (from pixel"))
    left, top = int(corner[1]), int(corner[2])
    colour = cache.sample("astronaut", True, 256).array.astype(float)
    volume = np.moveaxis(colour[top:top + 6, left:left + 6, :3], 2, 0)
    # The weights come from the seed; the outputs are computed here.
    weights = lessons.example_forms(volume, 6, 3, 3, seed=25)

    def correlate(channel, kernel):
        return signal.correlate2d(volume[channel], kernel, mode="valid")

    standard = sum(correlate(c, weights["standard weights"][3, c]) for c in range(3))
    grouped = correlate(1, weights["grouped weights"][3, 0])  # map 3 is group 1: green
    depthwise = correlate(1, weights["depthwise weights"][1])
    separable = sum(weights["pointwise weights"][3, c]
                    * correlate(c, weights["depthwise weights"][c]) for c in range(3))
    for caption, reference in (("standard map 3", standard), ("grouped map 3 (green", grouped),
                               ("depthwise map 1 (green", depthwise),
                               ("separable map 3", separable)):
        np.testing.assert_allclose(grid_values(dl, caption), reference, rtol=1e-3, atol=1e-3)


def reference_forward(image, stack, weights):
    """Each layer: correlate2d with the dilated kernel, then every stride-th output."""
    values = image
    for (k, s, d), w in zip(stack, weights, strict=True):
        dilated = np.zeros(((k - 1) * d + 1,) * 2)
        dilated[::d, ::d] = w
        values = signal.correlate2d(values, dilated, mode="valid")[::s, ::s]
    return values


def test_receptive_field_numbers_equal_closed_form_and_gradient(dl):
    """Four random-weight layers, one unit: the box from the closed form, the heat picture's
    numbers (nonzero count, strongest pixel) from nudging each pixel through correlate2d."""
    stack = [(3, 1, 1), (2, 2, 1), (3, 1, 2), (3, 2, 1)]
    dl.number_input(key="dl_rf_layers").set_value(4).run()
    for index, (k, s, d) in enumerate(stack):
        dl.selectbox(key=f"dl_rf_k{index}").set_value(k)
        dl.selectbox(key=f"dl_rf_s{index}").set_value(s)
        dl.selectbox(key=f"dl_rf_d{index}").set_value(d)
    dl.radio(key="dl_rf_weights").set_value("random").run()
    dl.number_input(key="dl_rf_x").set_value(2).run()
    dl.number_input(key="dl_rf_y").set_value(5).run()
    assert_healthy(dl)
    size = 1 + (3 - 1) * 1 * 1 + (2 - 1) * 1 * 1 + (3 - 1) * 2 * 2 + (3 - 1) * 1 * 2
    jump = 1 * 2 * 1 * 2
    x0, y0 = 2 * jump, 5 * jump
    told = markdown(dl, "of the last map sees input pixels")
    assert f"= **{size}**, jump {jump}" in told
    assert f"x={x0} to {x0 + size - 1}, y={y0} to {y0 + size - 1}" in told
    rows = text_table(dl, "The receptive field layer by layer")
    assert [r[5] for r in rows.values()] == ["3 x 3", "4 x 4", "12 x 12", "16 x 16"]

    (shape,) = [re.search(r"Input (\d+) x (\d+)", i.caption) for e in dl.get("image")
                for i in e.proto.imgs if i.caption.startswith("Input ") and "field" in i.caption]
    width, height = int(shape[1]), int(shape[2])
    weights = lessons.stack_weights(stack, "random", seed=0)
    gradient = np.zeros((height, width))
    for y in range(y0, min(y0 + size, height)):
        for x in range(x0, min(x0 + size, width)):
            impulse = np.zeros((height, width))
            impulse[y, x] = 1.0
            gradient[y, x] = reference_forward(impulse, stack, weights)[5, 2]
    peak_y, peak_x = np.unravel_index(int(np.argmax(np.abs(gradient))), gradient.shape)
    summary = markdown(dl, "pixels in the square move the unit")
    assert summary.startswith(f"{np.count_nonzero(np.abs(gradient) > 1e-15)} of the "
                              f"{size * size} pixels")
    assert f"is pixel x={peak_x}, y={peak_y}" in summary
    shown = float(re.search(r"with gradient (\S+), is", summary)[1])
    assert shown == pytest.approx(gradient[peak_y, peak_x], rel=1e-3)


def test_a_stack_too_deep_for_the_input_is_told_not_crashed(dl):
    """Six wide, strided, dilated layers on a 64-pixel input: a clear warning, no pictures."""
    dl.number_input(key="dl_rf_layers").set_value(6).run()
    for index in range(6):
        dl.selectbox(key=f"dl_rf_k{index}").set_value(7)
        dl.selectbox(key=f"dl_rf_s{index}").set_value(3)
        dl.selectbox(key=f"dl_rf_d{index}").set_value(4)
    dl.run()
    assert_healthy(dl)
    told = "layer 2's window spans 25 pixels but its input is only 14 x 14"
    assert any("does not fit" in w.value and told in w.value for w in dl.warning), \
        [w.value for w in dl.warning]
