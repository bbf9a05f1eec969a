"""Each fast route of convolve gives convolve_loop's and scipy's result, and is the route taken.

The routes (convkit.core.planner): a centred single weight as a (scaled) copy; on float32, 3 x 3
and 1-D kernels through cv2.filter2D; big constant kernels as a running sum (cv2.boxFilter);
rank-1 kernels as two 1-D passes (cv2.sepFilter2D), on uint8 also the 3 x 3 and 1-D ones; big
rank-2/3 kernels as a sum of separable passes; integer kernels on uint8 as exact int16 sums;
the rest through cv2.filter2D, on uint8 after a float32 conversion when the kernel is bigger
than 3 x 3. Around them: padding first for wrap / constant-value borders and kernels larger
than the image, and one plane at a time beyond 4 channels. Speed is measured by
``python -m bench``, not here.
"""

import sys

import cv2
import numpy as np
import pytest

import convkit
from convkit import BANK, convolve, convolve_loop
from convkit.core import describe_route

from .references import BORDERS, assert_filter_close, scipy_filter, window_filter

ENGINE = sys.modules["convkit.core.engine"]
SPIED = ("filter2D", "sepFilter2D", "boxFilter", "copyMakeBorder")


def dog(size):
    """Difference of Gaussians: rank 2."""
    return convkit.gaussian(size, 2.0) - convkit.gaussian(size, 3.5)


F2D, SEP, BOX = ["filter2D"], ["sepFilter2D"], ["boxFilter"]
# Kernel -> (route on float32 with its OpenCV calls, route on uint8 with its OpenCV calls).
ROUTES = {
    "identity": (BANK["identity"].weights, ("copy", []), ("copy", [])),
    "scaled_centre_5x5": (5.0 * convkit.identity(5), ("scale", []), ("scale", [])),
    "one_by_one": (np.array([[-2.5]]), ("scale", []), ("scale", [])),
    "all_zero_5x5": (np.zeros((5, 5)), ("scale", []), ("scale", [])),
    "sobel_x_3x3": (BANK["sobel_x"].weights, ("filter2D", F2D), ("separable", SEP)),
    "emboss_3x3": (BANK["emboss"].weights, ("filter2D", F2D), ("filter2D", F2D)),
    "sharpen_3x3": (BANK["sharpen"].weights, ("filter2D", F2D), ("filter2D", F2D)),
    "tenths_3x3": (np.array([[0.1, 0.2, -0.3], [0.7, -1.1, 0.2], [0.3, 0.3, 0.1]]),
                   ("filter2D", F2D), ("filter2D", F2D)),
    "irrational_3x3": (np.array([[0.0, -np.pi, 0.0], [-1.0, 5.0, -1.0], [0.0, -np.e, 0.0]]),
                       ("filter2D", F2D), ("filter2D", F2D)),
    "off_centre_single": (np.array([[0, 0, 0], [0, 0, 3.0], [0, 0, 0]]), ("filter2D", F2D),
                          ("separable", SEP)),
    "horizontal_box_1x9": (BANK["horizontal_blur"].weights, ("filter2D", F2D),
                           ("separable", SEP)),
    "vertical_1x7": (np.arange(1.0, 8.0)[:, None], ("filter2D", F2D), ("separable", SEP)),
    "box_5": (BANK["box_5"].weights, ("separable", SEP), ("separable", SEP)),
    "small_blur_7x7": (BANK["small_blur"].weights, ("separable", SEP), ("separable", SEP)),
    "large_blur_21x21": (BANK["large_blur"].weights, ("box", BOX), ("box", BOX)),
    "constant_3x31_not_mean": (np.full((3, 31), -0.75), ("box", BOX), ("box", BOX)),
    "gaussian_15": (BANK["gaussian_15"].weights, ("separable", SEP), ("separable", SEP)),
    "outer_random_5x9": (np.outer(np.arange(1.0, 6.0) ** 2 - 7, np.linspace(-2, 3, 9)),
                         ("separable", SEP), ("separable", SEP)),
    "dog_15_rank_2": (dog(15), ("low_rank", SEP * 2), ("low_rank", SEP * 2)),
    "log_15_rank_3": (convkit.laplacian_of_gaussian(15, 2.0), ("low_rank", SEP * 3),
                      ("low_rank", SEP * 3)),
    "unsharp_15_rank_2": (convkit.unsharp_mask(15, 3.0, 1.5), ("low_rank", SEP * 2),
                          ("low_rank", SEP * 2)),
    "integer_5x5": (np.random.default_rng(8).integers(-3, 4, (5, 5)).astype(float),
                    ("filter2D", F2D), ("filter2D", F2D)),
    "log_9_direct": (BANK["log_9"].weights, ("filter2D", F2D), ("filter2D", F2D)),
    "unsharp_5_direct": (BANK["unsharp_mask"].weights, ("filter2D", F2D), ("filter2D", F2D)),
    "motion_blur_direct": (BANK["motion_blur"].weights, ("filter2D", F2D), ("filter2D", F2D)),
    "rank_4_13x13_direct": (np.random.default_rng(3).normal(size=(13, 4))
                            @ np.random.default_rng(4).normal(size=(4, 13)),
                            ("filter2D", F2D), ("filter2D", F2D)),
}
DTYPES = {"float32": 1, "uint8": 2}


@pytest.fixture
def opencv_calls(monkeypatch):
    """Record which of SPIED the engine calls, in order."""
    calls = []
    for name in SPIED:
        original = getattr(cv2, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(ENGINE.cv2, name, spy)
    return calls


def image_for(shape=(29, 34), seed=0, dtype="float32"):
    """Random pixels 0..255, as whole-number float32 or as uint8."""
    pixels = np.random.default_rng(seed).integers(0, 256, shape)
    return pixels.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_taken_is_the_route_described(name, dtype, opencv_calls):
    """Each kernel runs by the OpenCV functions its route promises, as describe_route says."""
    weights = ROUTES[name][0]
    route, expected = ROUTES[name][DTYPES[dtype]]
    convolve(image_for(dtype=dtype), weights, "reflect_101")
    assert opencv_calls == expected
    described = describe_route(weights, dtype, "reflect_101")
    assert described.route == route
    assert [call.removeprefix("cv2.") for call in described.calls
            if call.startswith("cv2.")] == expected
    assert described.source_dtype == ("float32" if dtype == "float32" or described.converted
                                      else "uint8")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_matches_loop_and_scipy(name, border, dtype):
    """Every route, in every border mode, on uint8 and float32, equals the loop and scipy."""
    weights = ROUTES[name][0]
    image = image_for((23, 26), seed=1, dtype=dtype)
    for flip in (False, True):
        got = convolve(image, weights, border, flip=flip, value=11.0)
        expected = convolve_loop(image, weights, border, flip=flip, value=11.0)
        assert got.dtype == np.float32 and got.shape == image.shape
        assert_filter_close(got, expected, weights, image, 11.0)
        assert_filter_close(got, scipy_filter(image, weights, border, flip, 11.0), weights,
                            image, 11.0)


@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("name", ["sobel_x_3x3", "emboss_3x3", "sharpen_3x3", "integer_5x5",
                                  "identity", "scaled_centre_5x5", "vertical_1x7"])
def test_integer_kernels_on_uint8_are_exact(name, border):
    """Integer weights on bytes give exactly scipy's float64 integers, whatever the route."""
    weights = ROUTES[name][0]
    image = image_for((31, 40), seed=9, dtype="uint8")
    got = convolve(image, weights, border, value=7.0)
    np.testing.assert_array_equal(got, scipy_filter(image, weights, border, False, 7.0))


@pytest.mark.parametrize("value", [-4.0, 11.5, 300.0, 200.0])
@pytest.mark.parametrize("name", ["sobel_x_3x3", "emboss_3x3", "large_blur_21x21",
                                  "log_9_direct", "identity"])
def test_uint8_constant_fill_beyond_a_byte(name, value):
    """A constant fill a byte cannot hold (negative, fractional, over 255) is used as given."""
    weights = ROUTES[name][0]
    image = image_for((25, 30), seed=10, dtype="uint8")
    got = convolve(image, weights, "constant", value=value)
    assert_filter_close(got, scipy_filter(image, weights, "constant", False, value), weights,
                        image, value)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize(
    "name", ["identity", "sobel_x_3x3", "emboss_3x3", "large_blur_21x21", "gaussian_15",
             "dog_15_rank_2", "log_9_direct"]
)
def test_kernel_larger_than_image(name, border, dtype):
    """Images smaller than the kernel (pad first, then filter) match the loop in every mode.

    The second reference is numpy.pad: scipy.ndimage's ``reflect`` differs on 2-pixel axes.
    """
    weights = ROUTES[name][0]
    for shape in [(1, 1), (2, 7), (9, 3), (6, 6)]:
        image = image_for(shape, seed=2, dtype=dtype)
        got = convolve(image, weights, border, value=-4.0)
        for expected in (convolve_loop(image, weights, border, value=-4.0),
                         window_filter(image, weights, border, False, -4.0)):
            assert_filter_close(got, expected, weights, image, -4.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("border", ["wrap", "constant"])
@pytest.mark.parametrize("name", ["large_blur_21x21", "gaussian_15", "log_15_rank_3",
                                  "sobel_x_3x3", "sharpen_3x3", "scaled_centre_5x5"])
def test_wrap_and_constant_value_padding(name, border, dtype, opencv_calls):
    """Borders filter2D lacks (wrap, a non-zero constant) are padded once, then filtered."""
    weights = ROUTES[name][0]
    image = image_for((40, 57), seed=3, dtype=dtype)
    got = convolve(image, weights, border, value=200.0)
    assert_filter_close(got, scipy_filter(image, weights, border, False, 200.0), weights,
                        image, 200.0)
    assert opencv_calls[0] == "copyMakeBorder"
    assert describe_route(weights, dtype, border, value=200.0).padded_first


@pytest.mark.parametrize("channels", [5, 7])
@pytest.mark.parametrize("name", ["identity", "emboss_3x3", "sobel_x_3x3", "large_blur_21x21",
                                  "gaussian_15", "dog_15_rank_2", "log_9_direct"])
def test_more_than_four_channels(name, channels):
    """Beyond OpenCV's 4 channels each plane is filtered on its own, in order."""
    weights = ROUTES[name][0]
    image = np.random.default_rng(4).integers(0, 256, (18, 21, channels)).astype(np.uint8)
    for source in (image, image.astype(np.float32)):
        for border in ("reflect", "wrap"):
            got = convolve(source, weights, border)
            assert got.shape == image.shape and got.dtype == np.float32
            assert_filter_close(got, scipy_filter(image, weights, border), weights, image)
    assert describe_route(weights, np.uint8, image_shape=image.shape).per_channel


@pytest.mark.parametrize("dtype", [np.uint16, np.int16, np.float64])
def test_other_dtypes_are_filtered_as_float32(dtype):
    """uint16, int16 and float64 images are converted to float32, then routed as float32."""
    image = image_for((20, 22), seed=11).astype(dtype)
    for name in ("sobel_x_3x3", "emboss_3x3", "large_blur_21x21"):
        weights = ROUTES[name][0]
        assert_filter_close(convolve(image, weights, "reflect"),
                            scipy_filter(image, weights, "reflect"), weights, image)
        described = describe_route(weights, dtype)
        assert described.converted and described.source_dtype == "float32"
        assert described.calls[0] == "numpy convert to float32"


@pytest.mark.parametrize("dtype", DTYPES)
def test_copy_route_returns_a_new_array(dtype):
    """The identity route copies: writing to the result leaves the input alone."""
    image = np.arange(12).reshape(3, 4).astype(dtype)
    out = convolve(image, BANK["identity"], "wrap")
    np.testing.assert_array_equal(out, image)
    out[:] = -1
    assert image[0, 1] == 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_route_results_equal_cv2_filter2d_on_large_image(dtype):
    """On a realistic size (where filter2D itself uses a DFT for big kernels) all routes agree."""
    image = image_for((300, 420), seed=5, dtype=dtype)
    for name, (weights, *_) in ROUTES.items():
        expected = cv2.filter2D(image.astype(np.float64), -1, weights,
                                borderType=cv2.BORDER_REFLECT_101)
        got = convolve(image, weights, "reflect_101")
        assert_filter_close(got, expected, weights, image), name


@pytest.mark.parametrize("weights", [convkit.gaussian(71, 12.0), np.full((71, 65), 0.5),
                                     dog(71)])
def test_kernels_too_big_to_remember_their_route(weights):
    """Kernels over 64 x 64 cells choose their route afresh each call, with the same results."""
    for dtype in DTYPES:
        image = image_for((90, 80), seed=6, dtype=dtype)
        got = convolve(image, weights, "reflect")
        assert_filter_close(got, scipy_filter(image, weights, "reflect"), weights, image)


def test_remembered_routes_follow_the_weights_not_the_array():
    """Editing a kernel array in place between calls gives the new kernel's result."""
    image = image_for((20, 24), seed=7)
    weights = convkit.gaussian(5, 1.0)
    first = convolve(image, weights, "replicate")
    weights[2, 2] += 1.0  # now rank 2: a different route, and different numbers
    second = convolve(image, weights, "replicate")
    assert_filter_close(first, scipy_filter(image, convkit.gaussian(5, 1.0)), weights, image)
    assert_filter_close(second, scipy_filter(image, weights), weights, image)
    assert not np.allclose(first, second)


@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("name", ["sharpen_3x3", "integer_5x5", "tenths_3x3"])
def test_int16_sums_in_strips_match_scipy(name, border, monkeypatch, opencv_calls):
    """Big images run integer weights as int16 sums in strips of rows; the seams leave no
    trace."""
    monkeypatch.setattr(sys.modules["convkit.core.planner"], "INT16_MIN_VALUES", 40)
    monkeypatch.setattr(ENGINE, "INT16_WHOLE_MAX_BYTES", 0)
    monkeypatch.setattr(ENGINE, "INT16_STRIP_BYTES", 64)
    weights = ROUTES[name][0]
    for shape in [(47, 5), (30, 4, 3), (9, 6)]:
        image = image_for(shape, seed=12, dtype="uint8")
        got = convolve(image, weights, border, value=3.0)
        assert_filter_close(got, scipy_filter(image, weights, border, False, 3.0), weights,
                            image, 3.0)
        assert describe_route(weights, np.uint8, border, value=3.0,
                              image_shape=image.shape).route == "filter2D_int16"
    assert opencv_calls.count("filter2D") > 3


@pytest.mark.parametrize("border", BORDERS)
def test_one_row_kernels_on_big_uint8_images_go_to_filter2d(border, monkeypatch, opencv_calls):
    """Past ROW_PASS_MAX_VALUES a one-row kernel on bytes is filter2D's; one column still not."""
    monkeypatch.setattr(sys.modules["convkit.core.planner"], "ROW_PASS_MAX_VALUES", 100)
    image = image_for((20, 30), seed=13, dtype="uint8")
    for name, expected in (("horizontal_box_1x9", "filter2D"), ("vertical_1x7", "separable")):
        weights = ROUTES[name][0]
        opencv_calls.clear()
        got = convolve(image, weights, border, value=5.0)
        assert_filter_close(got, scipy_filter(image, weights, border, False, 5.0), weights,
                            image, 5.0)
        assert describe_route(weights, np.uint8, border, value=5.0,
                              image_shape=image.shape).route == expected
        assert opencv_calls[-1] == ("filter2D" if expected == "filter2D" else "sepFilter2D")
