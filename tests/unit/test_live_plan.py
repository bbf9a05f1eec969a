"""convkit.explain.live: the plan the browser's shader follows for live video."""

import cv2
import numpy as np
import pytest
from scipy import ndimage

import convkit
from convkit.explain import GRAY_SHIFT, GRAY_WEIGHTS_Q15, live_plan

RNG = np.random.default_rng(26)


def test_flipped_weights_correlate_as_scipy_convolves():
    """Correlating with the plan's flipped weights is scipy's true convolution."""
    kernel = np.arange(1, 16, dtype=float).reshape(3, 5)
    image = RNG.integers(0, 256, (9, 11)).astype(float)
    plan = live_plan(kernel, "wrap", flip=True)
    assert np.allclose(ndimage.correlate(image, plan.weights, mode="wrap"),
                       ndimage.convolve(image, kernel, mode="wrap"))
    assert np.array_equal(live_plan(kernel).weights, kernel)


@pytest.mark.parametrize("name", ["sobel_x", "gaussian_15", "box_5", "laplacian", "emboss",
                                  "motion_blur", "horizontal_blur"])
def test_two_passes_match_one_pass(name):
    """A separable kernel runs as a row pass then a column pass, which is scipy's 2-D
    correlation; others (and a single row) run in one pass."""
    weights = convkit.BANK[name].weights
    plan = live_plan(weights, "reflect_101")
    rank = np.linalg.matrix_rank(weights)
    assert (plan.column is not None) == (rank == 1 and min(weights.shape) > 1), rank
    if plan.column is None:
        return
    image = RNG.integers(0, 256, (20, 30)).astype(float)
    rows = ndimage.correlate1d(image, plan.row, axis=1, mode="mirror")
    both = ndimage.correlate1d(rows, plan.column, axis=0, mode="mirror")
    assert np.allclose(both, ndimage.correlate(image, weights, mode="mirror"), atol=1e-9)


def test_gray_weights_are_opencvs():
    """The shader's whole-number gray equals cv2.cvtColor's on a million colours."""
    colours = RNG.integers(0, 256, (1000, 1000, 3), dtype=np.uint8)
    red, green, blue = (colours[..., i].astype(np.int64) for i in range(3))
    weights = GRAY_WEIGHTS_Q15
    gray = (weights[0] * red + weights[1] * green + weights[2] * blue
            + (1 << (GRAY_SHIFT - 1))) >> GRAY_SHIFT
    assert np.array_equal(gray, cv2.cvtColor(colours, cv2.COLOR_RGB2GRAY))


def test_json_carries_every_setting():
    """The JSON form names the border, mapping and the divide mapping's numbers."""
    sent = live_plan(convkit.BANK["sharpen"], "constant", value=7, mapping="divide",
                     divisor=4, offset=128).to_json()
    assert sent["shape"] == [3, 3] and sent["column"] is None
    assert (sent["border"], sent["value"]) == ("constant", 7.0)
    assert (sent["mapping"], sent["divisor"], sent["offset"]) == ("divide", 4.0, 128.0)


@pytest.mark.parametrize("kwargs, match", [
    ({"kernel": np.ones((33, 33))}, "up to 31 x 31"),
    ({"kernel": np.ones((2, 3))}, "odd"),
    ({"kernel": np.ones((3, 3)), "mapping": "gamma"}, "mapping must be one of"),
    ({"kernel": np.ones((3, 3)), "mapping": "divide", "divisor": 0}, "divisor must not be 0"),
    ({"kernel": np.ones((3, 3)), "border": "mirror"}, "border must be one of"),
])
def test_refuses_what_convolve_refuses(kwargs, match):
    """Bad settings raise ValueError naming the culprit."""
    with pytest.raises(ValueError, match=match):
        live_plan(**kwargs)
