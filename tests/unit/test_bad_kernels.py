"""Bad and extreme kernels: refused with a message naming the problem, or computed correctly.

References are independent: scipy.ndimage.correlate in float64 and plain NumPy.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from scipy import ndimage

import convkit
from convkit import Kernel, parse_cells, read_kernel_file
from convkit.core._validation import check_weights

from .references import BORDER_NAMES, BORDERS


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        call(*args, **kwargs)
    return str(info.value)


# ------------------------------------------------------------------------- refused


@pytest.mark.parametrize("rows", [[[1, 2], [3, 4]], [["1", "2", "3"], ["4", "5", "6"]],
                                  [[1, 1, 1, 1]]], ids=["2x2", "2x3", "1x4"])
def test_even_sizes_are_refused_with_the_size(rows):
    message = refused(parse_cells, rows)
    height, width = len(rows), len(rows[0])
    assert "odd" in message and f"{height} x {width}" in message, message


@pytest.mark.parametrize("rows", [[], [[]], [[], []]])
def test_empty_tables_are_refused(rows):
    assert "empty" in refused(parse_cells, rows)


@pytest.mark.parametrize(
    "cell, where",
    [("abc", "x=2, y=1"), ("1,5", "x=2, y=1"), ("2/0", "x=2, y=1"),
     ("0x1F", "x=2, y=1"), ("", "x=2, y=1"), (None, "x=2, y=1"),
     ("<b>1</b>", "x=2, y=1"), (True, "x=2, y=1")],
)
def test_non_numeric_cells_are_refused_naming_the_cell(cell, where):
    rows = [["0", "0", "0"], ["0", "1", cell], ["0", "0", "0"]]
    message = refused(parse_cells, rows)
    assert where in message, message


@pytest.mark.parametrize("cell", ["nan", "inf", "-inf", "Infinity", float("inf"), np.inf])
def test_nan_and_infinity_are_refused(cell):
    message = refused(parse_cells, [[0, 0, 0], [0, cell, 0], [0, 0, 0]])
    assert "x=1, y=1" in message and re.search(r"finite|empty", message), message


def test_a_nan_cell_counts_as_an_empty_cell():
    # st.data_editor hands an emptied cell over as NaN: the message should say "empty".
    message = refused(parse_cells, [[float("nan")]])
    assert "empty" in message


@pytest.mark.parametrize("cell", ["1e30", "-1e30", 1e13, "1e308"])
def test_huge_weights_are_refused_with_the_limit(cell):
    message = refused(parse_cells, [[cell]])
    assert "1e12" in message, message


def test_weights_at_the_limit_are_accepted():
    assert parse_cells([["1e12", "-1e12", "0"]]).tolist() == [[1e12, -1e12, 0.0]]


def test_uneven_rows_are_refused_naming_the_row():
    message = refused(parse_cells, [[1, 2, 3], [4, 5], [6, 7, 8]])
    assert "row y=1" in message and "3" in message


def test_kernel_wider_than_the_editor_allows_is_refused():
    message = refused(parse_cells, np.ones((33, 3)).tolist())
    assert "33 x 3" in message and "31" in message


@pytest.mark.parametrize(
    "weights, words",
    [
        (np.ones((2, 2)), "odd"),
        (np.ones((3, 4)), "odd"),
        (np.ones((0, 3)), "empty"),
        (np.array([[np.nan]]), "finite"),
        (np.array([[1, np.inf, 1]]), "finite"),
        ([["a", "b", "c"]], "numbers"),
        (np.ones((3, 3, 3)), "2-D"),
        (np.ones(3), "2-D"),
        ([[1, 2, 3], [4, 5]], "numbers"),
    ],
)
def test_check_weights_and_kernel_refuse_bad_weights(weights, words):
    assert words in refused(check_weights, weights)
    assert words in refused(Kernel, "mine", weights)


@pytest.mark.parametrize("name", ["", "   ", None])
def test_kernel_needs_a_name(name):
    assert "name" in refused(Kernel, name, np.ones((1, 1)))


@pytest.mark.parametrize(
    "text, filename, words",
    [(b"", "k.csv", "empty"), (b"1,2\n3,4\n", "k.csv", "odd"), (b"a;b;c\n", "k.txt", "x=0, y=0"),
     (b"\xff\xfe\x00", "k.csv", "not a text file"), (b"not npy", "k.npy", "not a readable"),
     (b"1 2 nan\n", "k.txt", "finite")],
)
def test_kernel_files_are_refused_with_a_reason(text, filename, words):
    assert words in refused(read_kernel_file, text, filename)


# ----------------------------------------------------------------- computed correctly


@pytest.fixture(scope="module")
def small_image():
    return np.random.default_rng(3).integers(0, 256, (5, 7)).astype(np.uint8)


def scipy_reference(image, weights, border, value=0.0):
    return ndimage.correlate(image.astype(np.float64), np.asarray(weights, np.float64),
                             mode=BORDER_NAMES[border].scipy, cval=value)


def test_all_zero_kernel_gives_a_black_image_in_every_mapping(small_image):
    zeros = parse_cells([["0"] * 3] * 3)
    raw = convkit.convolve(small_image, zeros, "reflect_101")
    assert raw.shape == small_image.shape and not raw.any()
    for method in convkit.MAPPINGS:
        assert not convkit.to_uint8(raw, method).any()
    assert convkit.lessons.kernel_properties(zeros).rank == 0
    assert "sums to 0" in refused(convkit.lessons.normalise, zeros)


@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("shape", [(31, 31), (9, 15), (7, 1)])
def test_kernel_larger_than_the_image_matches_scipy(small_image, border, shape):
    weights = np.random.default_rng(sum(shape)).normal(size=shape)
    raw = convkit.convolve(small_image, weights, border, value=17.0)
    expected = scipy_reference(small_image, weights, border, value=17.0)
    assert raw.shape == small_image.shape
    np.testing.assert_allclose(raw, expected, rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize("border", BORDERS)
def test_loop_engine_agrees_on_a_kernel_larger_than_the_image(border):
    image = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    weights = np.random.default_rng(5).normal(size=(9, 11))
    expected = scipy_reference(image, weights, border, value=-3.0)
    got = convkit.convolve_loop(image, weights, border, value=-3.0)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-3)


def test_huge_but_valid_weights_stay_finite_and_correct(small_image):
    """The largest weights the editor accepts (1e12), on the largest kernel, do not overflow."""
    weights = np.full((31, 31), 1e12)
    weights[::2] = -1e12
    raw = convkit.convolve(small_image, weights, "replicate")
    assert np.isfinite(raw).all()
    expected = scipy_reference(small_image, weights, "replicate")
    np.testing.assert_allclose(raw, expected, rtol=1e-3, atol=1e12 * 255 * 1e-4)
    for method in convkit.MAPPINGS:
        out = convkit.to_uint8(raw, method)
        assert out.dtype == np.uint8 and out.shape == small_image.shape


def test_weights_of_1e30_through_the_kernel_class_are_finite(small_image):
    """Kernel() allows any finite weights; 1e30 x 255 x 9 still fits float32 (3.4e38)."""
    kernel = Kernel("huge", np.full((3, 3), 1e30))
    raw = convkit.convolve(small_image, kernel, "reflect")
    assert np.isfinite(raw).all()
    np.testing.assert_allclose(raw, scipy_reference(small_image, kernel.weights, "reflect"),
                               rtol=1e-5)
    # Any window holding a non-zero pixel sums to at least 1e30: white after clipping.
    window_sums = ndimage.correlate(small_image.astype(float), np.ones((3, 3)), mode="reflect")
    np.testing.assert_array_equal(convkit.to_uint8(raw, "clip"), np.where(window_sums > 0, 255, 0))


@pytest.mark.parametrize("method", ["clip", "abs", "tutorial"])
def test_to_uint8_maps_infinities_to_the_ends(method):
    out = convkit.to_uint8(np.array([[np.inf, -np.inf, 100.0]]), method)
    expected = {"clip": [255, 0, 100], "abs": [255, 255, 100], "tutorial": [255, 0, 100]}
    assert out.tolist() == [expected[method]]


def test_to_uint8_minmax_ignores_infinities_in_the_range():
    out = convkit.to_uint8(np.array([[0.0, 40.0, 100.0, np.inf, -np.inf]]), "minmax")
    assert out.tolist() == [[0, 102, 255, 255, 0]]


@pytest.mark.parametrize("method", ["clip", "abs", "tutorial", "minmax"])
def test_to_uint8_handles_nan_without_warning(method):
    """NaN maps to byte 0, silently, and leaves its neighbours' bytes alone."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = convkit.to_uint8(np.array([[np.nan, 100.0, 255.0]]), method)
    assert out[0, 0] == 0
    assert out[0, 1] == 100
    assert out[0, 2] == 255
