"""Tests for lessons.properties: composing kernels and checking the composition on an image."""

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal

import convkit

RNG = np.random.default_rng(7)
IMAGE = RNG.uniform(0, 255, size=(40, 50))
PAIRS = [
    ("laplacian", "laplacian"),
    ("gaussian_5", "gaussian_5"),
    ("sobel_x", "sobel_y"),
    ("emboss", "horizontal_blur"),
    ("identity", "motion_blur"),
]


def scipy_two_pass_vs_one_pass(image, first, second):
    """Interior max |correlate(correlate(img, A), B) - correlate(img, A*B)|, all in scipy."""
    combined = scipy.signal.convolve2d(first, second)
    two = ndi.correlate(ndi.correlate(image, first, mode="constant"), second, mode="constant")
    one = ndi.correlate(image, combined, mode="constant")
    by, bx = combined.shape[0] // 2, combined.shape[1] // 2
    inner = (slice(by, image.shape[0] - by), slice(bx, image.shape[1] - bx))
    return np.abs(two[inner] - one[inner]).max(), np.abs(two - one).max()


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_compose_matches_scipy_full_convolution(a, b):
    first, second = convkit.BANK[a].weights, convkit.BANK[b].weights
    np.testing.assert_allclose(convkit.lessons.compose(first, second),
                               scipy.signal.convolve2d(first, second), atol=1e-12)


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_composition_error_is_rounding_only_in_the_interior(a, b):
    first, second = convkit.BANK[a].weights, convkit.BANK[b].weights
    interior, whole = scipy_two_pass_vs_one_pass(IMAGE, first, second)
    assert interior < 1e-9  # the identity holds exactly in float64
    error = convkit.lessons.composition_error(IMAGE, first, second)
    scale = np.abs(IMAGE).max() * np.abs(first).sum() * np.abs(second).sum()
    # convkit works in float32: the difference is rounding, a tiny fraction of the values.
    assert 0 <= error <= 1e-5 * scale


def test_composition_error_crops_the_border_band_where_passes_differ():
    # Near the edge the two routes really differ (scipy shows it); the function ignores that band.
    first = second = convkit.BANK["laplacian"].weights
    image = np.full((20, 20), 100.0)
    _, whole = scipy_two_pass_vs_one_pass(image, first, second)
    assert whole > 50
    assert convkit.lessons.composition_error(image, first, second) < 1e-3


def test_composition_error_colour_image():
    colour = RNG.uniform(0, 255, size=(30, 30, 3))
    error = convkit.lessons.composition_error(colour, convkit.BANK["sharpen"].weights,
                                              convkit.BANK["gaussian_5"].weights)
    assert error < 1e-2


def test_composition_error_refuses_an_image_without_interior():
    with pytest.raises(ValueError, match=r"image of 6 x 40 px has no interior for a 7 x 7 "
                                         r"composed kernel: it needs more than 6 rows"):
        convkit.lessons.composition_error(np.ones((6, 40)), convkit.box(3), convkit.box(5))


def test_composition_error_refuses_bad_kernels():
    with pytest.raises(ValueError, match="second kernel must have an odd height and an odd "
                                         "width, .*got 2 x 3"):
        convkit.lessons.composition_error(IMAGE, convkit.box(3), np.ones((2, 3)))
