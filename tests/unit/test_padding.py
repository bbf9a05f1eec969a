"""Tests for border padding (pad, source_index, BORDER_MODES, BORDER_DRAWINGS) against numpy.pad."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convkit import BORDER_DRAWINGS, BORDER_MODES, pad
from convkit.core import (
    CORNERS,
    border_band_difference,
    busiest_corner,
    padded_corner,
    source_index,
)

from .references import (
    BORDER_NAMES,
    BORDERS,
    HYPO,
    border_modes,
    numpy_pad,
    random_image,
    seeds,
)

BORDER_REFUSED = r"border must be one of \('replicate', .*'wrap'\); got "

# [1, 2, 3] padded by 2 on each side, by hand ("v" is the constant value, here 9).
HAND_TABLE = {
    "replicate": [1, 1, 1, 2, 3, 3, 3],
    "reflect": [2, 1, 1, 2, 3, 3, 2],
    "reflect_101": [3, 2, 1, 2, 3, 2, 1],
    "wrap": [2, 3, 1, 2, 3, 1, 2],
    "constant": [9, 9, 1, 2, 3, 9, 9],
}


def test_border_modes_tuple():
    """BORDER_MODES lists the five modes in the documented order."""
    assert BORDER_MODES == ("replicate", "constant", "reflect", "reflect_101", "wrap")


@pytest.mark.parametrize("border", BORDERS)
def test_border_drawing_agrees_with_numpy_pad(border):
    """Each BORDER_DRAWINGS entry 'left|middle|right' shows what numpy.pad does in that mode."""
    assert set(BORDER_DRAWINGS) == set(BORDERS)
    drawing = BORDER_DRAWINGS[border].replace(" ", "")
    left, middle, right = drawing.split("|")
    assert len(set(middle)) == len(middle) >= 2
    if border == "constant":
        assert len(set(left + right)) == 1
        assert not set(left + right) & set(middle)
        return
    index = {ch: i for i, ch in enumerate(middle)}
    drawn = [index[ch] for ch in left + middle + right]
    # numpy.pad of indices, allowing different pad widths on each side.
    widths = (len(left), len(right))
    padded = np.pad(np.arange(len(middle)), widths, mode=BORDER_NAMES[border].numpy)
    assert drawn == padded.tolist()


@pytest.mark.parametrize("border", BORDERS)
def test_pad_hand_table_row_and_column(border):
    """[1, 2, 3] padded by 2 matches the hand table, along x for a row and along y for a column."""
    row = np.array([[1, 2, 3]], dtype=np.int32)
    got = pad(row, 0, 2, border, value=9)
    assert got.dtype == np.int32
    assert got.tolist() == [HAND_TABLE[border]]
    col = row.T.copy()
    got = pad(col, 2, 0, border, value=9)
    assert got[:, 0].tolist() == HAND_TABLE[border]


@given(
    h=st.integers(1, 8),
    w=st.integers(1, 8),
    pad_y=st.integers(0, 20),
    pad_x=st.integers(0, 20),
    border=border_modes,
    channels=st.sampled_from([None, 1, 3]),
    dtype=st.sampled_from([np.uint8, np.int16, np.float32, np.float64]),
    seed=seeds,
)
@HYPO
def test_pad_equals_numpy_pad(h, w, pad_y, pad_x, border, channels, dtype, seed):
    """pad equals numpy.pad in every mode and dtype, also for pads larger than the image."""
    shape = (h, w) if channels is None else (h, w, channels)
    image = random_image(np.random.default_rng(seed), shape, dtype)
    original = image.copy()
    value = 7 if np.dtype(dtype).kind in "iu" else -2.5
    got = pad(image, pad_y, pad_x, border, value=value)
    expected = numpy_pad(image, pad_y, pad_x, border, value=value)
    assert got.dtype == image.dtype
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(image, original)


@pytest.mark.parametrize("border", BORDERS)
def test_pad_one_pixel_image(border):
    """A 1x1 image padded by 3 repeats its single pixel (or the value for constant)."""
    image = np.array([[5.0]])
    got = pad(image, 3, 3, border, value=-1.0)
    expected = numpy_pad(image, 3, 3, border, value=-1.0)
    np.testing.assert_array_equal(got, expected)
    assert got.shape == (7, 7)


def test_pad_zero_returns_equal_copy():
    """Padding by zero returns the same values without sharing memory with the input."""
    image = np.arange(12, dtype=np.float32).reshape(3, 4)
    got = pad(image, 0, 0, "reflect")
    np.testing.assert_array_equal(got, image)
    got[...] = -1
    assert image[0, 1] == 1


def test_pad_rejects_unknown_border():
    """An unknown border mode raises ValueError naming the problem."""
    with pytest.raises(ValueError, match=BORDER_REFUSED + "'mirror_ball'"):
        pad(np.zeros((3, 3)), 1, 1, "mirror_ball")


def test_pad_rejects_4d_image():
    """A 4-D array is not an image."""
    with pytest.raises(ValueError, match=r"image must be 2-D .*; got 4-D with shape "
                                         r"\(2, 2, 2, 2\)"):
        pad(np.zeros((2, 2, 2, 2)), 1, 1, "replicate")


@given(
    n=st.integers(1, 10),
    lo=st.integers(-30, 0),
    hi=st.integers(1, 40),
    border=border_modes,
)
@HYPO
def test_source_index_matches_numpy_pad_of_arange(n, lo, hi, border):
    """source_index agrees with numpy.pad(np.arange(n)); constant mode gives -1 outside."""
    indices = np.arange(lo, hi)
    got = np.asarray(source_index(indices, n, border))
    assert got.shape == indices.shape
    assert got.dtype.kind == "i"
    width = max(-lo, hi - n, 0)
    if border == "constant":
        padded = np.pad(np.arange(n), width, mode="constant", constant_values=-1)
    else:
        padded = np.pad(np.arange(n), width, mode=BORDER_NAMES[border].numpy)
    np.testing.assert_array_equal(got, padded[indices + width])


@pytest.mark.parametrize("border", BORDERS)
def test_source_index_hand_table(border):
    """For n=3 and indices -2..4, source_index gives the hand table's positions."""
    got = np.asarray(source_index(np.arange(-2, 5), 3, border)).tolist()
    expected = {
        "replicate": [0, 0, 0, 1, 2, 2, 2],
        "reflect": [1, 0, 0, 1, 2, 2, 1],
        "reflect_101": [2, 1, 0, 1, 2, 1, 0],
        "wrap": [1, 2, 0, 1, 2, 0, 1],
        "constant": [-1, -1, 0, 1, 2, -1, -1],
    }[border]
    assert got == expected


def test_source_index_rejects_unknown_border():
    """source_index also validates the border mode."""
    with pytest.raises(ValueError, match=BORDER_REFUSED + "'nope'"):
        source_index(np.arange(3), 3, "nope")


@given(
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    amount=st.integers(0, 15),
    size=st.integers(1, 14),
    border=border_modes,
    channels=st.sampled_from([None, 3]),
    corner=st.sampled_from(CORNERS),
    seed=seeds,
)
@HYPO
def test_padded_corner_is_the_corner_of_numpy_pad(h, w, amount, size, border, channels, corner,
                                                  seed):
    """padded_corner equals that corner of numpy.pad's padded image, in every mode."""
    shape = (h, w) if channels is None else (h, w, channels)
    image = random_image(np.random.default_rng(seed), shape, np.uint8)
    got = padded_corner(image, amount, border, value=9, size=size, corner=corner)
    expected = numpy_pad(image, amount, amount, border, value=9)
    rows, cols = amount + min(size, h), amount + min(size, w)
    expected = expected[:rows] if corner.startswith("top") else expected[-rows:]
    expected = expected[:, :cols] if corner.endswith("left") else expected[:, -cols:]
    assert got.dtype == image.dtype
    np.testing.assert_array_equal(got, expected)


def test_padded_corner_rejects_bad_arguments():
    """A negative amount, a zero size, an unknown border or corner raise ValueError."""
    image = np.zeros((4, 4))
    with pytest.raises(ValueError, match="amount must be >= 0; got -1"):
        padded_corner(image, -1, "replicate")
    with pytest.raises(ValueError, match="size must be at least 1; got 0"):
        padded_corner(image, 1, "replicate", size=0)
    with pytest.raises(ValueError, match=BORDER_REFUSED + "'mirror_ball'"):
        padded_corner(image, 1, "mirror_ball")
    with pytest.raises(ValueError, match=r"corner must be one of \('top-left', .*\); "
                                         r"got 'middle'"):
        padded_corner(image, 1, "wrap", corner="middle")


def _band_difference_by_hand(result, reference, band_y, band_x, signed):
    """Visit every pixel, keep those within band_y rows or band_x columns of an edge."""
    height, width = result.shape[:2]
    values = []
    for y in range(height):
        for x in range(width):
            near_edge = (y < band_y or y >= height - band_y
                         or x < band_x or x >= width - band_x)
            if near_edge:
                values.extend(np.ravel(result[y, x].astype(float) - reference[y, x]))
    if not values:
        return 0.0
    values = np.array(values)
    return values.mean() if signed else np.abs(values).mean()


@given(
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    band_y=st.integers(0, 6),
    band_x=st.integers(0, 6),
    channels=st.sampled_from([None, 3]),
    signed=st.booleans(),
    seed=seeds,
)
@HYPO
def test_border_band_difference_matches_pixel_by_pixel(h, w, band_y, band_x, channels, signed,
                                                       seed):
    """The band mean equals a pixel-by-pixel walk, bands wider than the image included."""
    rng = np.random.default_rng(seed)
    shape = (h, w) if channels is None else (h, w, channels)
    result = random_image(rng, shape, np.uint8)
    reference = random_image(rng, shape, np.uint8)
    got = border_band_difference(result, reference, band_y, band_x, signed=signed)
    expected = _band_difference_by_hand(result, reference, band_y, band_x, signed)
    assert got == pytest.approx(expected)


def test_border_band_difference_sign_and_errors():
    """A darker frame gives a negative signed mean; mismatched shapes raise ValueError."""
    reference = np.full((5, 5), 100, dtype=np.uint8)
    darker = reference.copy()
    darker[0, :] = 50  # the top row only: 5 of the 16 band pixels, each 50 darker
    assert border_band_difference(darker, reference, 1, 1, signed=True) == pytest.approx(-250 / 16)
    assert border_band_difference(darker, reference, 1, 1) == pytest.approx(250 / 16)
    assert border_band_difference(darker, reference, 0, 0) == 0.0
    with pytest.raises(ValueError, match=r"result and reference must have the same shape; "
                                         r"got \(5, 5\) and \(4, 5\)"):
        border_band_difference(darker, reference[:4], 1, 1)
    with pytest.raises(ValueError, match="band_y and band_x must be >= 0; got -1, 1"):
        border_band_difference(darker, reference, -1, 1)


@pytest.mark.parametrize("corner", CORNERS)
def test_busiest_corner_finds_the_textured_corner(corner):
    """Noise in one corner of a flat image (and in the centre, which no crop sees) wins."""
    rng = np.random.default_rng(3)
    image = np.full((40, 60, 3), 100, dtype=np.uint8)
    rows = slice(0, 8) if corner.startswith("top") else slice(32, 40)
    cols = slice(0, 8) if corner.endswith("left") else slice(52, 60)
    image[rows, cols] = rng.integers(0, 256, size=(8, 8, 3))
    image[16:24, 26:34] = rng.integers(0, 256, size=(8, 8, 3))
    assert busiest_corner(image, size=10) == corner


def test_busiest_corner_of_a_flat_image_is_the_first():
    """With no detail anywhere, the tie goes to the first corner, top-left."""
    assert busiest_corner(np.zeros((5, 5)), size=3) == CORNERS[0]


def test_border_mode_text_is_written_once_and_filled_everywhere():
    """Every public function with a border parameter shows the same entry, drawings included."""
    import convkit
    from convkit.core import PARAMETER_DOCS

    with_border = [convkit.convolve, convkit.convolve_loop, convkit.explain_pixel, pad,
                   padded_corner, source_index, convkit.core.padded_crop,
                   convkit.core.describe_route]
    for function in with_border:
        doc = function.__doc__
        assert "%(" not in doc, function.__name__
        for mode, drawing in BORDER_DRAWINGS.items():
            assert f"- {mode}:" in doc and f"``{drawing}``" in doc, function.__name__
        assert PARAMETER_DOCS["border"].splitlines()[0] in doc


def test_signatures_use_the_border_type():
    """The doors type their border parameter with Border, whose choices are BORDER_MODES."""
    import convkit

    for function in (convkit.convolve, convkit.convolve_loop, convkit.explain_pixel, pad):
        assert function.__annotations__["border"] == "Border", function.__name__
