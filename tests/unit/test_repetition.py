"""Tests for applying a kernel n times: scipy.signal references, the box variance by hand."""


import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal

import convkit
from convkit.lessons import (
    MAX_TIMES,
    apply_repeatedly,
    compose_power,
    gaussian_gaps,
    repeat_kernel,
)

from .references import random_image


@pytest.mark.parametrize("name", ["box_5", "sobel_x", "emboss", "horizontal_blur"])
@pytest.mark.parametrize("times", [1, 2, 4])
def test_compose_power_equals_repeated_convolve2d(name, times):
    """The n-fold composition equals scipy.signal.convolve2d applied n - 1 times."""
    weights = convkit.BANK[name].weights
    expected = weights
    for _ in range(times - 1):
        expected = scipy.signal.convolve2d(expected, weights)
    np.testing.assert_allclose(compose_power(weights, times), expected, atol=1e-12)


def test_applying_three_times_equals_one_pass_of_the_composed_kernel():
    """Away from the borders, three passes equal one pass of the composed kernel (scipy)."""
    image = random_image(np.random.default_rng(7), (30, 34), np.uint8)
    weights = np.arange(15, dtype=np.float64).reshape(3, 5) / 50
    thrice = apply_repeatedly(image, weights, 3, "reflect_101")
    once = ndi.correlate(image.astype(np.float64), compose_power(weights, 3), mode="mirror")
    reach_y, reach_x = 3 * 1, 3 * 2
    np.testing.assert_allclose(thrice[reach_y:-reach_y, reach_x:-reach_x],
                               once[reach_y:-reach_y, reach_x:-reach_x], rtol=1e-5, atol=1e-3)
    assert thrice.dtype == np.float32


def test_flip_applies_to_every_pass():
    """Flipped passes equal scipy.ndimage.convolve applied the same number of times."""
    image = random_image(np.random.default_rng(8), (12, 13), np.float32).astype(np.float64)
    weights = np.array([[0.0, 1.0, 2.0]])
    expected = ndi.convolve(ndi.convolve(image, weights, mode="nearest"), weights,
                            mode="nearest")
    np.testing.assert_allclose(apply_repeatedly(image, weights, 2, "replicate", flip=True),
                               expected, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("width, times", [(3, 1), (3, 3), (5, 2), (5, 6)])
def test_box_variance_is_n_times_w_squared_minus_one_over_twelve(width, times):
    """A width-w box applied n times has variance n (w² - 1) / 12: the fit's sigma squared."""
    repetition = repeat_kernel(convkit.box(width, width), times)
    assert repetition.sigma**2 == pytest.approx(times * (width**2 - 1) / 12)
    assert repetition.weights.shape == (times * (width - 1) + 1,) * 2
    assert repetition.profile.sum() == pytest.approx(1.0)
    assert repetition.gaussian.sum() == pytest.approx(1.0)


def test_repeated_boxes_approach_the_gaussian():
    """A 5 x 5 box is half its peak off a Gaussian; 2 passes 10 %, 4 under 5 %, 10 under 2 %.

    (Not strictly every pass: a 3 x 3 box's third pass is a hair worse than its second.)
    """
    errors = {n: repeat_kernel(convkit.box(5, 5), n).error for n in (1, 2, 4, 10)}
    assert errors[1] > 0.5 and errors[2] < 0.15 and errors[4] < 0.05 and errors[10] < 0.02
    assert errors[10] < errors[4] < errors[2] < errors[1]


def test_an_edge_kernel_gets_no_gaussian():
    """Sobel x has negative weights: no fit, and a note saying why."""
    repetition = repeat_kernel(convkit.BANK["sobel_x"].weights, 2)
    assert repetition.sigma is None and repetition.gaussian is None and repetition.error is None
    assert "negative weights" in repetition.fit_note


def test_a_column_kernel_is_profiled_vertically():
    """A 5 x 1 box has no width to profile: its vertical profile is used."""
    repetition = repeat_kernel(np.ones((5, 1)) / 5, 2)
    assert repetition.axis == "vertical" and repetition.profile.size == 9
    assert repetition.offsets.tolist() == list(range(-4, 5))


def test_identity_has_no_spread_to_fit():
    """The identity stays a single cell: no fit."""
    repetition = repeat_kernel(convkit.identity(), 3)
    assert repetition.sigma is None and "single cell" in repetition.fit_note


@pytest.mark.parametrize("times, message", [
    (0, r"times must be at least 1; got 0"),
    (MAX_TIMES + 1, rf"times must be at most {MAX_TIMES}; got {MAX_TIMES + 1}"),
    (2.5, r"times must be a whole number; got 2.5"),
])
def test_times_outside_the_cap_are_refused(times, message):
    """times is a whole number in 1..MAX_TIMES."""
    with pytest.raises(ValueError, match=message):
        repeat_kernel(convkit.box(3, 3), times)
    with pytest.raises(ValueError, match=message):
        apply_repeatedly(np.zeros((4, 4)), convkit.box(3, 3), times)


def test_gaussian_gaps_follow_each_repetition():
    """gaussian_gaps lists each n's own gap; an edge kernel has none to list."""
    box = convkit.box(3, 3)
    gaps = gaussian_gaps(box, 5)
    assert gaps == tuple(repeat_kernel(box, n).error for n in range(1, 6))
    assert gaps[-1] < gaps[0] / 10
    assert gaussian_gaps(convkit.BANK["sobel_x"].weights, 3) == (None, None, None)
