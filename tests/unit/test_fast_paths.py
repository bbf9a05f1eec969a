"""Each fast route of convolve gives convolve_loop's result, and is the route actually taken.

The routes (see convkit.convolve._filter): a centred single weight as a scaled copy, 3 x 3 and
1-D kernels through cv2.filter2D, big constant kernels as a running sum (cv2.boxFilter),
rank-1 kernels as two 1-D passes (cv2.sepFilter2D), big rank-2/3 kernels as a sum of
separable passes; around them, padding first for wrap / constant-value borders and kernels
larger than the image, and one plane at a time beyond 4 channels. Speed is measured by
``python -m bench``, not here.
"""

import sys

import cv2
import numpy as np
import pytest

import convkit
from convkit import BANK, convolve, convolve_loop, separate

from .references import BORDERS, assert_filter_close, scipy_filter, window_filter

ENGINE = sys.modules["convkit.convolve"]


def dog(size):
    """Difference of Gaussians: rank 2."""
    return convkit.gaussian(size, 2.0) - convkit.gaussian(size, 3.5)


# Kernels and the OpenCV functions their route calls, in order.
ROUTES = {
    "identity": (BANK["identity"].weights, []),
    "scaled_centre_5x5": (5.0 * convkit.identity(5), []),
    "one_by_one": (np.array([[-2.5]]), []),
    "sobel_x_3x3": (BANK["sobel_x"].weights, ["filter2D"]),
    "emboss_3x3": (BANK["emboss"].weights, ["filter2D"]),
    "off_centre_single": (np.array([[0, 0, 0], [0, 0, 3.0], [0, 0, 0]]), ["filter2D"]),
    "horizontal_box_1x9": (BANK["horizontal_blur"].weights, ["filter2D"]),
    "vertical_1x7": (np.arange(1.0, 8.0)[:, None], ["filter2D"]),
    "box_5": (BANK["box_5"].weights, ["sepFilter2D"]),
    "small_blur_7x7": (BANK["small_blur"].weights, ["sepFilter2D"]),
    "large_blur_21x21": (BANK["large_blur"].weights, ["boxFilter"]),
    "constant_3x31_not_mean": (np.full((3, 31), -0.75), ["boxFilter"]),
    "gaussian_15": (BANK["gaussian_15"].weights, ["sepFilter2D"]),
    "outer_random_5x9": (np.outer(np.arange(1.0, 6.0) ** 2 - 7, np.linspace(-2, 3, 9)),
                         ["sepFilter2D"]),
    "dog_15_rank_2": (dog(15), ["sepFilter2D", "sepFilter2D"]),
    "log_15_rank_3": (convkit.laplacian_of_gaussian(15, 2.0), ["sepFilter2D"] * 3),
    "unsharp_15_rank_2": (convkit.unsharp_mask(15, 3.0, 1.5), ["sepFilter2D"] * 2),
    "log_9_direct": (BANK["log_9"].weights, ["filter2D"]),
    "motion_blur_direct": (BANK["motion_blur"].weights, ["filter2D"]),
    "rank_4_13x13_direct": (np.random.default_rng(3).normal(size=(13, 4))
                            @ np.random.default_rng(4).normal(size=(4, 13)), ["filter2D"]),
}


@pytest.fixture
def opencv_calls(monkeypatch):
    """Record which of cv2.filter2D / sepFilter2D / boxFilter the engine calls, in order."""
    calls = []
    for name in ("filter2D", "sepFilter2D", "boxFilter"):
        original = getattr(cv2, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(ENGINE.cv2, name, spy)
    return calls


def image_for(weights, shape=(29, 34), seed=0):
    """A float image with values around 100 and a bit of every frequency."""
    return np.random.default_rng(seed).uniform(0, 255, shape).astype(np.float32)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_taken(name, opencv_calls):
    """Each kernel class runs by the OpenCV functions its route promises (none for copies)."""
    weights, expected = ROUTES[name]
    convolve(image_for(weights), weights, "reflect_101")
    assert opencv_calls == expected


@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_matches_loop(name, border):
    """Every route, in every border mode, equals the loop and scipy within float32 rounding."""
    weights, _ = ROUTES[name]
    image = image_for(weights, (23, 26), seed=1)
    for flip in (False, True):
        got = convolve(image, weights, border, flip=flip, value=11.0)
        expected = convolve_loop(image, weights, border, flip=flip, value=11.0)
        assert got.dtype == np.float32 and got.shape == image.shape
        assert_filter_close(got, expected, weights, image, 11.0)
        assert_filter_close(got, scipy_filter(image, weights, border, flip, 11.0), weights,
                            image, 11.0)


@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize(
    "name", ["identity", "sobel_x_3x3", "large_blur_21x21", "gaussian_15", "dog_15_rank_2",
             "log_9_direct"]
)
def test_kernel_larger_than_image(name, border):
    """Images smaller than the kernel (pad first, then filter) match the loop in every mode.

    The second reference is numpy.pad: scipy.ndimage's ``reflect`` differs on 2-pixel axes.
    """
    weights, _ = ROUTES[name]
    for shape in [(1, 1), (2, 7), (9, 3), (6, 6)]:
        image = image_for(weights, shape, seed=2)
        got = convolve(image, weights, border, value=-4.0)
        for expected in (convolve_loop(image, weights, border, value=-4.0),
                         window_filter(image, weights, border, False, -4.0)):
            assert_filter_close(got, expected, weights, image, -4.0)


@pytest.mark.parametrize("border", ["wrap", "constant"])
@pytest.mark.parametrize("name", ["large_blur_21x21", "gaussian_15", "log_15_rank_3",
                                  "sobel_x_3x3", "scaled_centre_5x5"])
def test_wrap_and_constant_value_padding(name, border):
    """Borders filter2D lacks (wrap, a non-zero constant) are padded once, then filtered."""
    weights, _ = ROUTES[name]
    image = image_for(weights, (40, 57), seed=3)
    got = convolve(image, weights, border, value=200.0)
    assert_filter_close(got, scipy_filter(image, weights, border, False, 200.0), weights,
                        image, 200.0)


@pytest.mark.parametrize("channels", [5, 7])
@pytest.mark.parametrize("name", ["identity", "emboss_3x3", "large_blur_21x21", "gaussian_15",
                                  "dog_15_rank_2"])
def test_more_than_four_channels(name, channels):
    """Beyond OpenCV's 4 channels each plane is filtered on its own, in order."""
    weights, _ = ROUTES[name]
    image = np.random.default_rng(4).integers(0, 256, (18, 21, channels)).astype(np.uint8)
    for border in ("reflect", "wrap"):
        got = convolve(image, weights, border)
        assert got.shape == image.shape and got.dtype == np.float32
        assert_filter_close(got, scipy_filter(image, weights, border), weights, image)


def test_copy_route_returns_a_new_array():
    """The identity route copies: writing to the result leaves the input alone."""
    image = np.arange(12, dtype=np.float32).reshape(3, 4)
    out = convolve(image, BANK["identity"], "wrap")
    np.testing.assert_array_equal(out, image)
    out[:] = -1
    assert image[0, 1] == 1


def test_route_results_equal_cv2_filter2d_on_large_image():
    """On a realistic size (where filter2D itself uses a DFT for big kernels) all routes agree."""
    image = np.random.default_rng(5).uniform(0, 255, (300, 420)).astype(np.float32)
    for name, (weights, _) in ROUTES.items():
        expected = cv2.filter2D(image.astype(np.float64), -1, weights,
                                borderType=cv2.BORDER_REFLECT_101)
        got = convolve(image, weights, "reflect_101")
        assert_filter_close(got, expected, weights, image), name


@pytest.mark.parametrize(
    "weights, column, row",
    [
        (BANK["sobel_x"].weights, [1, 2, 1], [-1, 0, 1]),
        (BANK["sobel_y"].weights, [-1, 0, 1], [1, 2, 1]),
        (BANK["prewitt_x"].weights, [1, 1, 1], [-1, 0, 1]),
        (BANK["scharr_y"].weights, [-1, 0, 1], [3, 10, 3]),
        (np.ones((1, 3)), [1], [1, 1, 1]),
        (-2 * np.ones((3, 1)), [1, 1, 1], [-2]),
    ],
)
def test_separate_gives_the_kernels_own_integer_factors(weights, column, row):
    """Integer kernels split into integer factors (read off the kernel), not SVD floats."""
    got_column, got_row = separate(weights)
    np.testing.assert_array_equal(got_column, column)
    np.testing.assert_array_equal(got_row, row)


@pytest.mark.parametrize("name", ["gaussian_5", "gaussian_15", "small_blur", "large_blur"])
def test_separate_factors_are_exactly_symmetric(name):
    """Symmetric kernels give exactly symmetric factors (OpenCV folds those) with outer == w."""
    weights = BANK[name].weights
    column, row = separate(weights)
    np.testing.assert_array_equal(column, column[::-1])
    np.testing.assert_array_equal(row, row[::-1])
    np.testing.assert_allclose(np.outer(column, row), weights, rtol=1e-12, atol=0)


def test_separate_splits_blurs_into_normalised_1d_blurs():
    """A Gaussian gives the 1-D Gaussian twice; a 7 x 7 mean gives 1/7 seven times, twice."""
    line = convkit.gaussian(15, 3.0)[7] / convkit.gaussian(15, 3.0)[7].sum()
    for factor in separate(BANK["gaussian_15"].weights):
        np.testing.assert_allclose(factor, line, rtol=1e-12)
    for factor in separate(BANK["small_blur"].weights):
        np.testing.assert_allclose(factor, np.full(7, 1 / 7), rtol=1e-12)


@pytest.mark.parametrize("weights", [BANK["sharpen"].weights, BANK["log_9"].weights,
                                     np.zeros((3, 3)), dog(7)])
def test_separate_refuses_other_kernels(weights):
    """Rank > 1 (or all zeros) is not separable."""
    assert separate(weights) is None


@pytest.mark.parametrize("weights", [convkit.gaussian(71, 12.0), np.full((71, 65), 0.5),
                                     dog(71)])
def test_kernels_too_big_to_remember_their_route(weights):
    """Kernels over 64 x 64 cells choose their route afresh each call, with the same results."""
    image = image_for(weights, (90, 80), seed=6)
    got = convolve(image, weights, "reflect")
    assert_filter_close(got, scipy_filter(image, weights, "reflect"), weights, image)


def test_remembered_routes_follow_the_weights_not_the_array():
    """Editing a kernel array in place between calls gives the new kernel's result."""
    image = image_for(None, (20, 24), seed=7)
    weights = convkit.gaussian(5, 1.0)
    first = convolve(image, weights, "replicate")
    weights[2, 2] += 1.0  # now rank 2: a different route, and different numbers
    second = convolve(image, weights, "replicate")
    assert_filter_close(first, scipy_filter(image, convkit.gaussian(5, 1.0)), weights, image)
    assert_filter_close(second, scipy_filter(image, weights), weights, image)
    assert not np.allclose(first, second)
