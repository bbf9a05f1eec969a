"""AppTest tests of the deep-learning page: output sizes, the stepper, learning a kernel."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from apptest_helpers import assert_healthy, open_page
from streamlit.testing.v1 import AppTest

import convkit


@pytest.fixture
def dl(app: AppTest) -> AppTest:
    return open_page(app, "deep_learning")


def slide(n: int, k: int, stride: int, dilation: int, mode: str) -> list[list[int]]:
    """Slide a dilated window over a zero-padded axis by hand; return each output's taps."""
    span = dilation * (k - 1) + 1
    if mode == "valid":
        first, last_start = 0, n - span
    elif mode == "full":
        first, last_start = -(span - 1), n - 1
    else:  # same: TensorFlow pads so that ceil(n / stride) outputs fit, extra zero after
        wanted = math.ceil(n / stride)
        total = max((wanted - 1) * stride + span - n, 0)
        first, last_start = -(total // 2), (wanted - 1) * stride - total // 2
    windows, start = [], first
    while start <= last_start:
        windows.append([start + t * dilation for t in range(k)])
        start += stride
    return windows


def formula_result(at: AppTest) -> int:
    """Check the formula with numbers: evaluate its fraction, compare with the result shown."""
    latex = at.latex[0].value.strip("$\n")
    top, bottom = re.findall(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", latex)[-1]
    top = top.replace("\\cdot", "*")
    assert re.fullmatch(r"[\d+*\- ]+", top), top
    value = eval(top) // int(bottom) + 1  # plain arithmetic on the numbers shown
    shown = int(latex.rsplit("=", 1)[1])
    assert max(value, 0) == shown, latex
    return shown


def metric(at: AppTest, label_start: str) -> str:
    matches = [m.value for m in at.metric if m.label.startswith(label_start)]
    assert len(matches) == 1, [m.label for m in at.metric]
    return matches[0]


def test_defaults(dl):
    assert dl.title[0].value == "Convolutions in deep learning"
    text = " ".join(m.value for m in dl.markdown)
    assert "correlation" in text and "not flipped" in text
    assert metric(dl, "Output size") == "5"  # 7 inputs, 3 taps, valid
    assert formula_result(dl) == 5
    assert not dl.error and not dl.warning


@pytest.mark.parametrize(("n", "k", "stride", "dilation", "mode"), [
    (7, 3, 1, 1, "same"), (7, 3, 2, 1, "valid"), (8, 3, 3, 2, "same"), (9, 2, 2, 3, "full"),
    (16, 7, 4, 2, "valid"), (5, 4, 1, 1, "same"), (10, 5, 3, 1, "full"),
])
def test_output_size_and_formula_match_sliding_by_hand(dl, n, k, stride, dilation, mode):
    for key, value in (("dl_n", n), ("dl_k", k), ("dl_stride", stride),
                       ("dl_dilation", dilation)):
        dl.slider(key=key).set_value(value)
    dl.radio(key="dl_output").set_value(mode).run()
    assert_healthy(dl)
    expected = len(slide(n, k, stride, dilation, mode))
    assert int(metric(dl, "Output size")) == expected
    assert metric(dl, "Output grid") == f"{expected} x {expected}"
    assert formula_result(dl) == expected
    if mode == "same":
        assert expected == math.ceil(n / stride)


def test_stepper_reads_the_taps_of_each_output_cell(dl):
    for key, value in (("dl_n", 7), ("dl_k", 3), ("dl_stride", 2), ("dl_dilation", 2)):
        dl.slider(key=key).set_value(value)
    dl.radio(key="dl_output").set_value("same").run()
    windows = slide(7, 3, 2, 2, "same")  # 4 outputs per side
    assert dl.slider(key="dl_step").value == 1
    dl.button(key="dl_next").click().run()
    dl.button(key="dl_next").click().run()
    assert dl.slider(key="dl_step").value == 3  # output row 0, column 2
    text = next(m.value for m in dl.markdown if m.value.startswith("Output cell"))
    rows = re.search(r"rows \*\*([-\d, ]+)\*\*", text).group(1)
    cols = re.search(r"columns \*\*([-\d, ]+)\*\*", text).group(1)
    assert rows == ", ".join(map(str, windows[0]))
    assert cols == ", ".join(map(str, windows[2]))
    outside = sum(not (0 <= r < 7 and 0 <= c < 7) for r in windows[0] for c in windows[2])
    assert f"{outside} of them on zero padding" in text
    dl.slider(key="dl_step").set_value(16).run()
    dl.button(key="dl_next").click().run()  # the last cell: Next stays there
    assert dl.slider(key="dl_step").value == 16
    dl.button(key="dl_prev").click().run()
    assert dl.slider(key="dl_step").value == 15
    assert_healthy(dl)


def test_no_output_warns(dl):
    dl.slider(key="dl_n").set_value(4)
    dl.slider(key="dl_k").set_value(5).run()
    assert "No output at all" in dl.warning[0].value
    assert metric(dl, "Output size") == "0"
    assert "no output" in dl.latex[0].value
    assert_healthy(dl)


def tables(at: AppTest) -> tuple[np.ndarray, np.ndarray]:
    hidden, learned = (t.value.to_numpy() for t in at.dataframe)
    return hidden, learned


@pytest.mark.parametrize("name", ["emboss", "gaussian_5", "unsharp_mask"])
def test_learned_kernel_equals_the_bank_kernel_without_noise(dl, name):
    dl.selectbox(key="dl_hidden").set_value(name).run()
    hidden, learned = tables(dl)
    bank = convkit.BANK[name].weights
    np.testing.assert_array_equal(hidden, bank)
    assert learned.shape == bank.shape
    assert np.abs(learned - bank).max() < 1e-6
    assert float(metric(dl, "Largest weight error")) < 1e-6
    assert float(metric(dl, "RMS residual")) < 1e-6


def test_noise_makes_the_fit_approximate(dl):
    dl.selectbox(key="dl_hidden").set_value("sobel_y")
    dl.slider(key="dl_noise").set_value(8.0).run()
    _, learned = tables(dl)
    error = np.abs(learned - convkit.BANK["sobel_y"].weights).max()
    assert 1e-4 < error < 0.1
    assert float(metric(dl, "Largest weight error")) == pytest.approx(error, rel=1e-2)
    # The residual is the noise the kernel cannot explain: close to its standard deviation.
    assert float(metric(dl, "RMS residual")) == pytest.approx(8.0, rel=0.05)
    assert_healthy(dl)


def test_hidden_kernels_are_the_small_ones(dl):
    options = dl.selectbox(key="dl_hidden").options
    small = [n for n, k in convkit.BANK.items() if max(k.shape) <= 5]
    assert all(any(o.startswith(f"{n} (") for o in options) for n in small)
    assert not any(o.startswith(("small_blur", "large_blur", "log_9")) for o in options)
