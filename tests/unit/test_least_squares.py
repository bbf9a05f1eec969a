"""Tests for lessons.least_squares: the training pair a conv layer learns from, and the fit."""

import numpy as np
import pytest

import convkit

from .references import BORDERS, scipy_filter

RNG = np.random.default_rng(3)
IMAGE = RNG.uniform(0, 255, size=(33, 41))


@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("name", ["sobel_x", "emboss", "gaussian_5", "horizontal_blur"])
def test_noise_free_target_is_scipy_correlation(name, border):
    weights = convkit.BANK[name].weights
    inputs, target = convkit.lessons.make_training_pair(IMAGE, weights, 0.0, border=border)
    assert inputs.dtype == target.dtype == np.float64
    np.testing.assert_array_equal(inputs, IMAGE)
    np.testing.assert_allclose(target, scipy_filter(IMAGE, weights, border), atol=1e-9)


def test_noise_has_the_asked_spread_and_is_seeded():
    weights = convkit.BANK["sharpen"].weights
    image = RNG.uniform(0, 255, size=(200, 200))
    _, clean = convkit.lessons.make_training_pair(image, weights, 0.0)
    _, noisy = convkit.lessons.make_training_pair(image, weights, 5.0, seed=1)
    _, again = convkit.lessons.make_training_pair(image, weights, 5.0, seed=1)
    _, other = convkit.lessons.make_training_pair(image, weights, 5.0, seed=2)
    noise = noisy - clean
    assert abs(noise.std() - 5.0) < 0.1 and abs(noise.mean()) < 0.1
    np.testing.assert_array_equal(noisy, again)
    assert not np.array_equal(noisy, other)


def test_learn_kernel_recovers_the_hidden_kernel_from_a_clean_pair():
    weights = convkit.BANK["unsharp_mask"].weights
    inputs, target = convkit.lessons.make_training_pair(IMAGE, weights, 0.0)
    learned = convkit.lessons.learn_kernel(inputs, target, weights.shape)
    assert np.abs(learned.weights - weights).max() < 1e-9


@pytest.mark.parametrize("sigma", [-1.0, float("nan"), float("inf"), True])
def test_bad_noise_is_refused(sigma):
    with pytest.raises(ValueError, match="noise_sigma"):
        convkit.lessons.make_training_pair(IMAGE, convkit.box(3), sigma)


def test_colour_image_is_refused():
    with pytest.raises(ValueError, match="gray"):
        convkit.lessons.make_training_pair(np.zeros((5, 5, 3)), convkit.box(3))
