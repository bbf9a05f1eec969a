"""AppTest tests of the deep-learning page's transposed and 1-D convolution sections: the
numbers shown against scipy.signal and numpy.convolve."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from apptest_helpers import assert_healthy, open_page
from scipy import signal
from streamlit.testing.v1 import AppTest
from test_deep_learning import grid, marked, number, plotted


@pytest.fixture
def dl(app: AppTest) -> AppTest:
    return open_page(app, "deep_learning")


def test_transposed_output_stamp_and_formula_match_scipy(dl):
    """Stride 2, padding 1, output padding 1: every grid against scipy's zero-insertion."""
    x = np.array([[4.0, -1.0, 2.0], [0.0, 3.0, 5.0]])
    kernel = np.array([[1.0, 2.0, 0.0], [-1.0, 1.0, 3.0], [2.0, 0.0, 1.0]])
    dl.text_area(key="dl_tr_input").set_value("4 -1 2\n0 3 5")
    dl.text_area(key="dl_tr_kernel").set_value("1 2 0\n-1 1 3\n2 0 1")
    dl.selectbox(key="dl_tr_stride").set_value(2)
    dl.selectbox(key="dl_tr_padding").set_value(1).run()
    dl.selectbox(key="dl_tr_output_padding").set_value(1)
    dl.number_input(key="dl_tr_x").set_value(2)
    dl.number_input(key="dl_tr_y").set_value(1).run()
    assert_healthy(dl)

    def reference(values, weights=kernel):
        spread = np.zeros((3, 5))
        spread[::2, ::2] = values
        full = np.pad(signal.convolve2d(spread, weights, "full"), ((0, 1), (0, 1)))
        return full[1:-1, 1:-1]

    expected = reference(x)
    assert expected.shape == (4, 6)
    shown, classes, _ = grid(dl, "Transposed output")
    np.testing.assert_allclose(shown, expected, atol=1e-9)
    np.testing.assert_allclose(grid(dl, "Stride-1 result")[0], expected, atol=1e-9)
    alone = np.zeros_like(x)
    alone[1, 2] = x[1, 2]
    stamp = grid(dl, "Stamp of input x=2, y=1")[0]
    np.testing.assert_allclose(np.nan_to_num(stamp), reference(alone), atol=1e-9)
    footprint = reference(alone != 0, np.ones((3, 3))) != 0
    np.testing.assert_array_equal(marked(classes, "fed"), footprint)
    assert np.isnan(stamp[~footprint]).all()
    inserted, _, notes = grid(dl, "Zero-inserted input")
    assert inserted.shape == (3 + 2 + 1, 5 + 2 + 1)
    np.testing.assert_allclose(inserted[1:4:2, 1:6:2], x)
    assert (notes == "inserted").sum() == 15 - 6
    formulas = [f.value for f in dl.latex if re.search(r"[HW]_\\text\{out\}", f.value)]
    assert len(formulas) == 2  # a 2 x 3 input: rows and columns differ
    for formula, n, size in zip(formulas, (2, 3), expected.shape, strict=True):
        worked, result = (part.strip("$\n").removesuffix(r"\end{aligned}").strip(" \\")
                          for part in formula.split("&=")[2:])
        assert worked == rf"({n} - 1)\cdot 2 - 2\cdot 1 + 1\cdot(3 - 1) + 1 + 1"
        assert eval(worked.replace(r"\cdot", "*")) == int(result) == size


def test_transposed_bad_input_is_a_warning(dl):
    """Output padding beyond the stride is not offered; a bad grid and a cut-away output warn."""
    dl.selectbox(key="dl_tr_stride").set_value(1).run()
    assert dl.selectbox(key="dl_tr_output_padding").options == ["0"]
    dl.text_area(key="dl_tr_input").set_value("1 x").run()
    assert_healthy(dl)
    assert any("the cell at x=1, y=0" in w.value for w in dl.warning)
    dl.text_area(key="dl_tr_input").set_value("5")
    dl.text_area(key="dl_tr_kernel").set_value("1")
    dl.selectbox(key="dl_tr_padding").set_value(1).run()
    assert_healthy(dl)
    assert any("cuts the whole output away" in w.value for w in dl.warning)


def test_causal_dilated_signal_matches_numpy_convolve(dl):
    """Causal, dilation 2, kernel 1 −2 3: output is numpy.convolve with the taps reversed."""
    dl.text_input(key="dl_sig_kernel").set_value("1 −2 3")
    dl.selectbox(key="dl_sig_dilation").set_value(2)
    dl.toggle(key="dl_sig_causal").set_value(True)
    dl.number_input(key="dl_sig_t").set_value(5).run()
    assert_healthy(dl)
    padded, classes, _ = grid(dl, "Padded input")
    assert marked(classes, "pad")[0].tolist() == [True] * 4 + [False] * 24
    x = padded[0, 4:]
    taps = np.array([1.0, 0.0, -2.0, 0.0, 3.0])
    expected = np.convolve(x, taps[::-1])[:24]
    output, out_classes, _ = grid(dl, "Output, t=0..23")
    np.testing.assert_allclose(output[0], expected, atol=1e-9)
    assert marked(out_classes, "now")[0].nonzero()[0].tolist() == [5]
    # 28 cells are wider than a phone: the box that scrolls them takes keyboard focus.
    assert any('<div class="dl-wrap" tabindex="0" role="region" aria-label="Padded input'
               in element.proto.body for element in dl.get("html"))
    assert marked(classes, "tap")[0].nonzero()[0].tolist() == [1 + 4, 3 + 4, 5 + 4]
    line = next(m.value for m in dl.markdown if m.value.startswith("Output t=5 ="))
    assert number(re.search(r"\*\*(.*)\*\*", line).group(1)) == pytest.approx(expected[5],
                                                                             abs=1e-4)


def test_centred_row_of_the_image_matches_numpy_correlate(dl):
    """Centred on one image row, kernel 1 2 1: numpy.correlate 'same' on the row shown."""
    dl.radio(key="dl_sig_source").set_value("one row of the image").run()
    assert_healthy(dl)
    padded = grid(dl, "Padded input")[0][0]
    row = padded[1:-1]
    output = grid(dl, "Output, t=0..23")[0][0]
    np.testing.assert_allclose(output, np.correlate(row, [1.0, 2.0, 1.0], "same"), rtol=1e-4)


def test_the_1d_chart_draws_the_numbers_only_when_opened(dl):
    """No Plotly until the expander opens; then its two series are the grids' numbers."""
    assert not dl.get("plotly_chart")
    dl.session_state["dl_sig_chart_expander"] = True
    dl.run()
    assert_healthy(dl)
    (chart,) = dl.get("plotly_chart")
    series = [plotted(trace["y"]) for trace in json.loads(chart.proto.spec)["data"]]
    np.testing.assert_allclose(series[0], grid(dl, "Padded input")[0][0, 1:-1])
    np.testing.assert_allclose(series[1], grid(dl, "Output, t=0..23")[0][0], atol=1e-3)
