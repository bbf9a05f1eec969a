"""Tests for frequency_response: gains and axes against NumPy's FFT and hand values."""

import numpy as np
import pytest

import convkit


def test_box_gain_by_hand():
    """A 1 x 3 box: gain 1 at zero frequency, |1 + 2 cos(2 pi f)| / 3 elsewhere."""
    response = convkit.lessons.frequency_response(np.ones((1, 3)) / 3, 8)
    f = response.frequencies
    assert f.tolist() == [-0.5, -0.375, -0.25, -0.125, 0.0, 0.125, 0.25, 0.375]
    expected = np.abs(1 + 2 * np.cos(2 * np.pi * f)) / 3
    # Row 4 is vertical frequency 0; a 1 x 3 kernel does not change with vertical frequency.
    np.testing.assert_allclose(response.gain[4], expected, atol=1e-12)
    np.testing.assert_allclose(response.gain, np.tile(expected, (8, 1)), atol=1e-12)


def test_axes_match_where_the_gain_sits():
    """A horizontal cosine detector [-1, 2, -1]: biggest gain 4 at horizontal f = -0.5, none
    at 0: the axes say which frequency each column is."""
    response = convkit.lessons.frequency_response(np.array([[-1.0, 2.0, -1.0]]), 16)
    centre = response.gain[list(response.frequencies).index(0.0)]
    assert centre[np.argmax(centre)] == pytest.approx(4.0)
    assert response.frequencies[np.argmax(centre)] == -0.5
    assert centre[list(response.frequencies).index(0.0)] == pytest.approx(0.0, abs=1e-12)


def test_grid_smaller_than_the_kernel_is_refused():
    """The grid must hold the kernel."""
    with pytest.raises(ValueError, match=r"size must be at least 5; got 3"):
        convkit.lessons.frequency_response(np.ones((5, 5)), 3)
