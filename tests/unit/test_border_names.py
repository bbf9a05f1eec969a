"""Tests for the border-name table and the band report (core.padding), against the libraries."""

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi

from convkit.core import (
    BAND_LOOKS,
    BORDER_LIBRARIES,
    BORDER_MODES,
    BORDER_NAMES,
    NO_NAME,
    band_look,
    border_band_report,
    border_names_help,
    pad,
)

ROW = np.array([1.0, 2.0, 3.0])
PAD = 4  # wider than the row: the patterns must repeat, in every library alike
VALUE = 7.0


def convkit_row(mode):
    return pad(ROW[None, :], 0, PAD, mode, VALUE)[0]


def opencv_row(name):
    flag = getattr(cv2, name.removeprefix("cv2."))
    return cv2.copyMakeBorder(ROW[None, :], 0, 0, PAD, PAD, flag, value=VALUE)[0]


def scipy_row(name):
    """scipy.ndimage's own padding: a one-hot filter reads x[i + k] beyond the edges."""
    n, cells = ROW.size, []
    for position in range(-PAD, n + PAD):
        i = min(max(position, 0), n - 1)  # an output pixel inside the row
        k = position - i  # how far from it to read
        weights = np.zeros(2 * PAD + 1)
        weights[PAD + k] = 1.0
        cells.append(ndi.correlate1d(ROW, weights, mode=name, cval=VALUE)[i])
    return np.array(cells)


def numpy_row(name):
    extra = {"constant_values": VALUE} if name == "constant" else {}
    return np.pad(ROW, PAD, mode=name, **extra)


@pytest.mark.parametrize("mode", BORDER_MODES)
@pytest.mark.parametrize("library, padder", [
    ("OpenCV", opencv_row), ("scipy.ndimage", scipy_row), ("NumPy pad", numpy_row),
])
def test_each_librarys_named_mode_pads_like_convkit(mode, library, padder):
    """Padding [1, 2, 3] by 4 with the library's mode of that name gives convkit's cells."""
    np.testing.assert_array_equal(padder(BORDER_NAMES[mode][library]), convkit_row(mode))


def test_reflect_101_by_hand():
    """The table's premise, by hand: reflect_101 of 1 2 3 by 2 is 3 2 | 1 2 3 | 2 1."""
    assert pad(ROW[None, :], 0, 2, "reflect_101")[0].tolist() == [3, 2, 1, 2, 3, 2, 1]
    assert BORDER_NAMES["reflect_101"]["scipy.ndimage"] == "mirror"
    assert BORDER_NAMES["reflect_101"]["NumPy pad"] == "reflect"


def test_table_covers_every_mode_and_library():
    """Every mode has a name (or "none") in every library, and no two modes share a name."""
    assert tuple(BORDER_NAMES) == BORDER_MODES
    for library in BORDER_LIBRARIES:
        names = [BORDER_NAMES[mode][library] for mode in BORDER_MODES]
        assert all(isinstance(n, str) and n for n in names)
        real = [n for n in names if n != NO_NAME]
        assert len(real) == len(set(real)), f"{library} names two modes alike: {names}"


def test_the_gaps_are_where_the_libraries_have_no_such_mode():
    """MATLAB has no reflect_101, PyTorch no symmetric reflect, GIMP only Extend and Wrap."""
    assert BORDER_NAMES["reflect_101"]["MATLAB imfilter"] == NO_NAME
    assert BORDER_NAMES["reflect"]["PyTorch padding_mode"] == NO_NAME
    assert [m for m in BORDER_MODES if BORDER_NAMES[m]["GIMP"] != NO_NAME] == ["replicate",
                                                                             "wrap"]


def test_help_names_the_mode_its_drawing_and_its_names():
    """The help line carries the drawing and every real name, never "none"."""
    text = border_names_help("reflect")
    assert text.startswith("reflect (cba|abc|cba): OpenCV cv2.BORDER_REFLECT")
    assert "scipy.ndimage reflect" in text and "NumPy pad symmetric" in text
    assert NO_NAME not in text
    assert border_names_help().count(";") == len(BORDER_MODES) - 1


def test_help_refuses_an_unknown_mode():
    """An unknown mode is refused by name."""
    with pytest.raises(ValueError, match=r"border must be one of .*got 'mirror'"):
        border_names_help("mirror")


# ------------------------------------------------------------------ band report


def scipy_outputs(image, weights, value=0.0):
    """Each mode's correlation by scipy.ndimage (the independent reference)."""
    return {mode: ndi.correlate(image, weights, mode=BORDER_NAMES[mode]["scipy.ndimage"],
                                cval=value)
            for mode in BORDER_MODES}


def test_a_blur_with_a_black_constant_border_leaves_a_darker_frame():
    """A box blur of a flat 200 image: constant (v = 0) is darker, every other mode the same."""
    image = np.full((12, 12), 200.0)
    report = {r.border: r for r in border_band_report(scipy_outputs(image, np.ones((3, 3)) / 9),
                                                      1, 1)}
    assert report["constant"].look == "darker"
    # The band's 44 pixels: 40 edge pixels lose 3/9 of 200, the 4 corners lose 5/9.
    expected = -(40 * 200 * 3 / 9 + 4 * 200 * 5 / 9) / 44
    assert report["constant"].mean_signed == pytest.approx(expected)
    assert report["constant"].mean_abs == pytest.approx(-expected)
    assert {report[m].look for m in ("replicate", "reflect", "reflect_101", "wrap")} == {"same"}


def test_a_sharpener_with_a_black_constant_border_leaves_a_brighter_frame():
    """The sharpen kernel subtracts the missing (black) neighbours: a brighter frame."""
    image = np.full((10, 10), 100.0)
    sharpen = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float)
    report = {r.border: r for r in border_band_report(scipy_outputs(image, sharpen), 1, 1)}
    assert report["constant"].look == "brighter"


def test_band_look_thresholds():
    """The four looks, at and around the threshold."""
    assert band_look(0.0, 0.0) == "same"
    assert band_look(2.0, -1.0) == "darker" and band_look(2.0, 1.0) == "brighter"
    assert band_look(2.0, 0.99) == "mixed"
    assert set(BAND_LOOKS) == {"same", "darker", "brighter", "mixed"}


def test_band_report_needs_the_reference():
    """Without the reference mode's output there is nothing to compare with."""
    with pytest.raises(ValueError, match=r"outputs must hold the reference mode 'reflect_101'"):
        border_band_report({"constant": np.zeros((3, 3))}, 1, 1)
