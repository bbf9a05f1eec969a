"""convkit/core/formatting.py: numbers for people, checked against hand tables and `decimal`."""

from __future__ import annotations

import decimal
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convkit.core import ZERO_TOLERANCE, format_number, format_numbers, round_significant


@pytest.mark.parametrize("value, digits, shown", [
    (1 / 9, 4, "0.1111"), (2 / 3, 4, "0.6667"), (-2 / 3, 4, "−0.6667"), (2.0, 4, "2"),
    (-0.5, 4, "−0.5"), (0.125, 2, "0.12"), (1234.56, 4, "1235"), (123456.0, 4, "1.235e+05"),
    (123456.0, 6, "123456"), (-2e-5, 4, "−2e−05"), (0.0001, 4, "0.0001"), (1e12, 6, "1e+12"),
    (-1e12, 4, "−1e+12"), (255.0, 2, "2.6e+02"), (0.0, 4, "0"), (-0.0, 4, "0"),
    (4.72e-15, 4, "0"), (-3e-13, 6, "0"), (2e-12, 4, "2e−12"),
])
def test_hand_table(value, digits, shown):
    """Worked by hand: significant digits, U+2212 for every minus, noise and -0 as 0."""
    assert format_number(value, digits) == shown


def _by_decimal(value: float, digits: int) -> str:
    """An independent reference: round the exact binary value half-even with `decimal`."""
    exact = decimal.Decimal(value)
    exponent = exact.adjusted()
    quantum = decimal.Decimal(1).scaleb(exponent - digits + 1)
    rounded = exact.quantize(quantum, rounding=decimal.ROUND_HALF_EVEN)
    if rounded.adjusted() != exponent:  # 9.99 -> 10.0: one digit more, round again
        rounded = exact.quantize(quantum.scaleb(1), rounding=decimal.ROUND_HALF_EVEN)
    return rounded


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False).filter(
    lambda v: abs(v) >= 1e-6), st.integers(1, 12))
def test_value_is_the_decimal_rounding_of_the_float(value, digits):
    """Read back, the text is the float rounded half-even to `digits` (decimal, not format)."""
    shown = format_number(value, digits)
    assert "-" not in shown and shown.count("−") <= 2
    assert decimal.Decimal(shown.replace("−", "-")) == _by_decimal(value, digits)


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(1, 17))
def test_same_digits_as_python_format(value, digits):
    """Outside the zero band the text is Python's own ``format(value, ".{digits}g")``."""
    shown = format_number(value, digits)
    if abs(value) < ZERO_TOLERANCE:
        assert shown == "0"
    else:
        assert shown == format(value, f".{digits}g").replace("-", "−")


def test_zero_is_relative_to_the_numbers_it_is_shown_with():
    """Noise below 1e-12 x max(1, the numbers shown with it) is 0; above it, it is shown."""
    weights = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 3
    total = float(weights.sum())
    assert format_number(total + 1e-17, scale=weights) == "0"
    assert format_number(1e-14, scale=1e3) == "0"       # 1e-14 < 1e-12 * 1000
    assert format_number(1e-8, scale=1e3) == "1e−08"
    assert format_number(3e-13, scale=[1e-12]) == "0"  # a weight zero up to 1e-12 is 0
    assert format_number(3e-11, scale=np.full((31, 31), 255.0)) == "0"  # pixel-sum noise
    assert format_number(3e-11) == "3e−11"
    assert format_number(2e-10, 3, scale=5, tolerance=1e-8) == "0"


def test_infinities_and_nan():
    assert [format_number(v) for v in (math.inf, -math.inf, math.nan)] == ["∞", "−∞", "nan"]


@pytest.mark.parametrize("digits, match", [(0, "1..17"), (18, "1..17"), (2.5, "1..17"),
                                            (True, "1..17")])
def test_bad_digits_are_named(digits, match):
    with pytest.raises(ValueError, match=rf"digits must be .*{match}.*got {digits!r}"):
        format_number(1.0, digits)


def test_bad_value_and_tolerance_are_named():
    with pytest.raises(ValueError, match="number must be a number; got 'x'"):
        format_number("x")
    with pytest.raises(ValueError, match=r"tolerance must be a number in \[0, 1\); got 2"):
        format_number(1.0, tolerance=2)


def test_round_significant_hand_table():
    """Tables that take numbers: the same digits and zero rule, relative to the table."""
    np.testing.assert_array_equal(
        round_significant([[4.72e-15, 1 / 3], [-2 / 3, 1234.56]]),
        [[0.0, 0.3333], [-0.6667, 1235.0]])
    assert round_significant([1e-13, 2e-13]).tolist() == [0.0, 0.0]  # noise alone is 0
    assert round_significant([1e-6, 2e-3]).tolist() == [1e-6, 2e-3]
    assert round_significant([5e-10, 1e3]).tolist() == [0.0, 1e3]  # relative to the table
    assert round_significant([1 / 7], 8).tolist() == [0.14285714]
    assert str(round_significant([-1e-20, 1.0])[0]) == "0.0"  # never -0


@given(st.lists(st.floats(-1e12, 1e12), min_size=1, max_size=20), st.integers(1, 17))
def test_round_significant_agrees_with_format_number(values, digits):
    """Each rounded number reads the same as `format_number` writes it in that table."""
    rounded = round_significant(values, digits)
    for value, number in zip(values, rounded, strict=True):
        shown = format_number(value, digits, scale=values).replace("−", "-")
        assert number == float(shown)


def test_format_numbers_writes_each_number_as_format_number_does():
    """The grid door agrees with the one-number door on every kind of value, at 4 and 6
    digits, with and without a scale."""
    values = np.array([[1 / 9, -0.5, 2.0, -0.0], [123456.0, -2e-05, 5.6e-17, 3e-11],
                       [np.inf, -np.inf, np.nan, 255 * 0.3]])
    for digits in (4, 6):
        for scale in (None, 255.0, values[np.isfinite(values)]):
            assert format_numbers(values, digits, scale=scale) == [
                format_number(v, digits, scale=scale) for v in values.ravel()]
    with pytest.raises(ValueError, match="digits must be"):
        format_numbers(values, 0)
