"""The argument checks at the door of every filter: what they refuse, and what they let through.

`check_image` and `check_value` run on every `convolve` call, so they were rewritten to avoid
NumPy's type-hierarchy walk; these tests pin down that the cheaper checks refuse and accept
exactly what a filter can and cannot work with. Accepted inputs are checked against
scipy.ndimage.correlate in float64.
"""

from __future__ import annotations

import fractions

import numpy as np
import pytest
from scipy import ndimage

import convkit

SHARPEN = convkit.BANK["sharpen"]


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((4, 4), dtype=bool), "must hold numbers; got dtype bool"),
        (np.zeros((4, 4), dtype=np.complex64), "real numbers; got complex"),
        (np.zeros((4, 4), dtype=object), "must hold numbers; got dtype object"),
        (np.full((4, 4), "a"), "must hold numbers; got dtype <U1"),
        (np.zeros((4, 4), dtype="timedelta64[s]"), "must hold numbers; got dtype timedelta64"),
        (np.zeros((4, 4), dtype="datetime64[s]"), "must hold numbers; got dtype datetime64"),
    ],
    ids=["bool", "complex", "object", "str", "timedelta", "datetime"],
)
@pytest.mark.parametrize("engine", [convkit.convolve, convkit.convolve_loop])
def test_images_that_are_not_real_numbers_are_refused_by_name(engine, image, message):
    with pytest.raises(TypeError, match=message):
        engine(image, SHARPEN)


@pytest.mark.parametrize(
    "dtype", [np.uint8, np.int8, np.uint16, np.int16, np.int32, np.int64, np.float16,
              np.float32, np.float64])
def test_every_integer_and_float_image_is_filtered(dtype):
    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else None
    low, high = (max(info.min, -100), min(info.max, 200)) if info else (-100, 200)
    image = np.random.default_rng(3).integers(low, high, (9, 11)).astype(dtype)
    expected = ndimage.correlate(image.astype(np.float64), SHARPEN.weights, mode="nearest")
    got = convkit.convolve(image, SHARPEN, "replicate")
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-3)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (True, TypeError, "real number; got True"),
        ("5", TypeError, "real number; got '5'"),
        (None, TypeError, "real number; got None"),
        (1 + 2j, TypeError, "real number"),
        (float("nan"), ValueError, "finite; got nan"),
        (float("inf"), ValueError, "finite; got inf"),
        (np.float32("-inf"), ValueError, "finite"),
    ],
    ids=["bool", "str", "None", "complex", "nan", "inf", "numpy-inf"],
)
def test_bad_padding_values_are_refused(value, error, message):
    image = np.zeros((5, 5), dtype=np.float32)
    with pytest.raises(error, match=message):
        convkit.convolve(image, SHARPEN, "constant", value=value)


@pytest.mark.parametrize(
    "value", [7, 7.0, np.float32(7), np.int16(7), np.uint8(7), fractions.Fraction(7)],
    ids=["int", "float", "float32", "int16", "uint8", "Fraction"])
def test_any_real_padding_value_pads_with_that_number(value):
    image = np.zeros((5, 5), dtype=np.float32)
    expected = ndimage.correlate(image.astype(np.float64), np.ones((3, 3)), mode="constant",
                                 cval=7.0)
    got = convkit.convolve(image, np.ones((3, 3)), "constant", value=value)
    np.testing.assert_allclose(got, expected)
