"""Tests for the compact weights text of links: parse_weights_text and format_weights_text."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convkit
from convkit.core import (
    MAX_KERNEL_SIDE,
    MAX_WEIGHTS_TEXT,
    format_weights_text,
    parse_weights_text,
)

from .references import HYPO


def test_hand_examples_parse_to_the_typed_numbers():
    """Rows by ';', cells by commas or spaces, fractions computed as numerator / denominator."""
    assert parse_weights_text("0,-1,0;-1,5,-1;0,-1,0").tolist() == [[0, -1, 0], [-1, 5, -1],
                                                                     [0, -1, 0]]
    assert parse_weights_text(" 1/4  1/2 1/4 ").tolist() == [[0.25, 0.5, 0.25]]
    assert parse_weights_text("1, 2.5e-1, -3;").tolist() == [[1.0, 0.25, -3.0]]
    assert parse_weights_text("1/3").tolist() == [[1 / 3]]


def test_format_writes_the_shorter_exact_form_by_hand():
    """1/9 and 1/4 as fractions (shorter), 0.5 (a tie), -2, 0.1 as decimals, 1e-5 and 1e12
    with an exponent (shorter than 0.00001, 1000000000000 and 0.001), 100 and 0.01 written
    out (ties)."""
    assert format_weights_text(np.ones((3, 3)) / 9) == ";".join(["1/9,1/9,1/9"] * 3)
    assert format_weights_text([[0.5, -2.0, 0.1, 0.25, 1e-05]]) == "0.5,-2,0.1,1/4,1e-5"
    assert format_weights_text([[1e12, -1e12, 100.0, 1500.0, -2.5e-7]]) == (
        "1e12,-1e12,100,1500,-2.5e-7")
    assert format_weights_text([[123.456, 0.001, 0.01, 1 / 3, 7.0]]) == (
        "123.456,1e-3,0.01,1/3,7")


@given(st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False))
@HYPO
def test_a_cell_is_never_longer_than_repr_and_reads_back(value):
    """Any weight the editor accepts (subnormals too): one cell, no longer than repr's digits
    without a trailing .0, read back as the very same number; ASCII, no ``e+``."""
    text = format_weights_text([[value]])
    written = repr(value).removesuffix(".0")
    assert len(text) <= len(written.replace("-0", "0") if value == 0 else written)
    assert parse_weights_text(text)[0, 0] == value and "+" not in text and text.isascii()


@pytest.mark.parametrize("name", list(convkit.BANK))
def test_every_bank_kernel_round_trips_exactly(name):
    """The text of every bank kernel reads back as the very same float64 weights."""
    weights = convkit.BANK[name].weights
    np.testing.assert_array_equal(parse_weights_text(format_weights_text(weights)), weights)


@given(
    h=st.sampled_from([1, 3, 5, 7]),
    w=st.sampled_from([1, 3, 5, 7]),
    data=st.data(),
)
@HYPO
def test_round_trip_of_any_floats_and_fractions(h, w, data):
    """Random floats and fractions of every size survive format then parse bit for bit."""
    cell = st.one_of(
        st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False),
        st.fractions(max_denominator=1024).filter(lambda f: abs(f) < 1e12).map(float),
        st.sampled_from([1 / 3, -1 / 3, 1 / 7, 2 / 7, -1 / 9, 1 / 961, 1e12, -1e12]),
    )
    weights = np.array(data.draw(st.lists(cell, min_size=h * w, max_size=h * w))).reshape(h, w)
    np.testing.assert_array_equal(parse_weights_text(format_weights_text(weights)), weights)


def test_a_31_by_31_box_fits_the_limit():
    """The largest box the editor allows travels as text."""
    box = np.ones((MAX_KERNEL_SIDE, MAX_KERNEL_SIDE)) / MAX_KERNEL_SIDE**2
    text = format_weights_text(box)
    assert len(text) <= MAX_WEIGHTS_TEXT
    assert str(Fraction(1, 961)) in text
    np.testing.assert_array_equal(parse_weights_text(text), box)


def test_a_31_by_31_kernel_of_plus_minus_1e12_fits_the_limit():
    """±1e12 in a checkerboard: 1e12 and -1e12, 5.3 kB, so a link carries it exactly."""
    signs = np.where(np.add.outer(np.arange(31), np.arange(31)) % 2 == 0, 1.0, -1.0)
    text = format_weights_text(signs * 1e12)
    assert len(text) == 481 * len("1e12") + 480 * len("-1e12") + 30 * 31 + 30 < MAX_WEIGHTS_TEXT
    np.testing.assert_array_equal(parse_weights_text(text), signs * 1e12)


def test_fractions_read_back_as_the_float_division():
    """1/3 and 1/7 everywhere: written as fractions, read back bit for bit."""
    for denominator in (3, 7):
        weights = np.full((31, 31), 1 / denominator)
        text = format_weights_text(weights)
        assert set(text.replace(";", ",").split(",")) == {f"1/{denominator}"}
        np.testing.assert_array_equal(parse_weights_text(text), weights)


def test_format_refuses_text_past_the_limit():
    """961 long decimals would make a 19 kB link: refused, with the length and the limit."""
    weights = np.random.default_rng(0).random((31, 31))
    with pytest.raises(ValueError, match=rf"weights text would be \d+ characters; at most "
                                         rf"{MAX_WEIGHTS_TEXT}"):
        format_weights_text(weights)


@pytest.mark.parametrize("text, message", [
    ("", r"kernel is empty"),
    ("1,2;;3,4", r"row y=1 of the weights text is empty"),
    ("1,,2", r"the weight at x=1, y=0 is empty"),
    ("1,x,2", r"the weight at x=1, y=0 holds 'x', which is not a number"),
    ("1,2,3;4,5", r"row y=1 has 2 cells; every row needs 3"),
    ("1,2", r"kernel must have an odd height and an odd width.*got 1 x 2"),
    ("1/0", r"the weight at x=0, y=0 holds '1/0', which is not a number"),
    ("1e400", r"the weight at x=0, y=0 is inf: weights must be finite"),
    ("1e13", r"the weight at x=0, y=0 is 1e\+13: weights must lie within ±1e12"),
    (";".join(["1"] * 33), r"kernel is 33 x 1; at most 31 x 31"),
    ("1," * 5000, rf"weights text is 10000 characters; at most {MAX_WEIGHTS_TEXT}"),
])
def test_bad_text_is_refused_naming_what_is_wrong(text, message):
    """Each refusal names the row, the cell, the size or the length."""
    with pytest.raises(ValueError, match=message):
        parse_weights_text(text)


def test_non_text_is_refused():
    """Only a string is weights text."""
    with pytest.raises(ValueError, match=r"weights text must be a string; got list"):
        parse_weights_text([[1]])
