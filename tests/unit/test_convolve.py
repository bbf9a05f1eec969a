"""Tests for convolve_loop and convolve against scipy.ndimage, numpy.pad, OpenCV, the tutorial."""

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convkit
from convkit import BANK, convolve, convolve_loop, to_uint8

from .references import (
    BORDER_NAMES,
    BORDERS,
    HYPO,
    HYPO_SLOW,
    OPENCV_BORDERS,
    assert_filter_close,
    border_modes,
    images,
    kernels,
    pad_values,
    random_image,
    scipy_filter,
    window_filter,
)
from .tutorial_reference import TUTORIAL_KERNELS, tutorial_convolve

ENGINES = [convolve_loop, convolve]
ENGINE_IDS = ["loop", "fast"]
K123 = np.arange(1, 10, dtype=np.float64).reshape(3, 3)


# ---------------------------------------------------------------- hand checks


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINE_IDS)
def test_impulse_shows_correlation_versus_convolution(engine):
    """A delta image shows the kernel rotated 180° (correlation) or as is (convolution)."""
    delta = np.zeros((5, 5), dtype=np.uint8)
    delta[2, 2] = 1
    corr = engine(delta, K123, "constant")
    conv = engine(delta, K123, "constant", flip=True)
    rotated = np.array([[9, 8, 7], [6, 5, 4], [3, 2, 1]], dtype=np.float32)
    np.testing.assert_array_equal(corr[1:4, 1:4], rotated)
    np.testing.assert_array_equal(conv[1:4, 1:4], K123.astype(np.float32))
    outside = np.ones((5, 5), bool)
    outside[1:4, 1:4] = False
    assert np.all(corr[outside] == 0) and np.all(conv[outside] == 0)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINE_IDS)
def test_constant_value_counts_padded_cells(engine):
    """3x3 ones on zeros, constant value 1: corners see 5 padded cells, edges 3, centre 0."""
    out = engine(np.zeros((3, 3)), np.ones((3, 3)), "constant", value=1.0)
    np.testing.assert_array_equal(out, [[5, 3, 5], [3, 0, 3], [5, 3, 5]])


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINE_IDS)
def test_output_is_raw_float32_not_rescaled(engine):
    """The response is raw float32: values above 255 and below 0 survive."""
    ramp = np.tile(np.arange(8, dtype=np.uint8) * 30, (6, 1))  # 0, 30, ..., 210 across x
    out = engine(ramp, BANK["sobel_x"], "replicate")
    assert out.dtype == np.float32
    assert out.shape == ramp.shape
    assert out[3, 3] == pytest.approx(8 * 30)  # (2 * 30) * (1 + 2 + 1)
    neg = engine(ramp, -BANK["sobel_x"].weights, "replicate")
    assert neg[3, 3] == pytest.approx(-240)
    bright = engine(np.full((4, 4), 200, np.uint8), np.full((3, 3), 1.0), "replicate")
    np.testing.assert_array_equal(bright, np.full((4, 4), 1800, np.float32))


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINE_IDS)
def test_accepts_kernel_objects_lists_and_arrays(engine):
    """A Kernel, its weights array and a nested list give identical results."""
    image = random_image(np.random.default_rng(1), (9, 11), np.uint8)
    k = BANK["sharpen"]
    a = engine(image, k)
    b = engine(image, k.weights)
    c = engine(image, k.weights.tolist())
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINE_IDS)
def test_default_border_is_replicate(engine):
    """Without a border argument the edges are replicated."""
    image = random_image(np.random.default_rng(2), (6, 7), np.float64)
    w = K123 - 5
    assert_filter_close(engine(image, w), scipy_filter(image, w, "replicate"), w, image)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINE_IDS)
def test_input_is_not_modified(engine):
    """Convolving leaves the image and kernel arrays untouched."""
    image = random_image(np.random.default_rng(3), (7, 7, 3), np.uint8)
    w = K123.copy()
    before_image, before_w = image.copy(), w.copy()
    engine(image, w, "reflect", flip=True)
    np.testing.assert_array_equal(image, before_image)
    np.testing.assert_array_equal(w, before_w)


# ----------------------------------------------------------------- properties


@given(
    image=images(max_side=16),
    w=kernels(),
    border=border_modes,
    flip=st.booleans(),
    value=pad_values,
)
@HYPO_SLOW
def test_loop_matches_scipy(image, w, border, flip, value):
    """convolve_loop equals scipy.ndimage for random odd kernels, images, modes and flip."""
    got = convolve_loop(image, w, border, flip=flip, value=value)
    assert got.dtype == np.float32
    assert got.shape == image.shape
    assert_filter_close(got, scipy_filter(image, w, border, flip, value), w, image, value)


@given(
    image=images(max_side=16),
    w=kernels(),
    border=border_modes,
    flip=st.booleans(),
    value=pad_values,
)
@HYPO_SLOW
def test_fast_matches_loop(image, w, border, flip, value):
    """convolve equals convolve_loop within float32 rounding."""
    fast = convolve(image, w, border, flip=flip, value=value)
    loop = convolve_loop(image, w, border, flip=flip, value=value)
    assert fast.dtype == np.float32
    assert fast.shape == loop.shape == image.shape
    assert_filter_close(fast, loop.astype(np.float64), w, image, value)


@given(
    image=images(max_side=40),
    w=kernels(),
    border=border_modes,
    flip=st.booleans(),
    value=pad_values,
)
@HYPO
def test_fast_matches_window_reference(image, w, border, flip, value):
    """convolve equals a numpy.pad sliding-window reference on larger images."""
    got = convolve(image, w, border, flip=flip, value=value)
    assert_filter_close(got, window_filter(image, w, border, flip, value), w, image, value)


@given(
    h=st.integers(1, 4),
    w_=st.integers(1, 4),
    w=kernels(),
    border=border_modes,
    flip=st.booleans(),
    seed=st.integers(0, 1000),
)
@HYPO
def test_kernels_larger_than_image(h, w_, w, border, flip, seed):
    """Both engines handle kernels larger than the image (repeated reflection and wrapping)."""
    image = random_image(np.random.default_rng(seed), (h, w_), np.float64)
    ref = scipy_filter(image, w, border, flip, 2.0)
    for engine in ENGINES:
        assert_filter_close(engine(image, w, border, flip=flip, value=2.0), ref, w, image, 2.0)


@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("flip", [False, True])
def test_flip_true_is_scipy_convolve(border, flip):
    """flip=True is true convolution (scipy.ndimage.convolve); flip=False is correlation."""
    rng = np.random.default_rng(4)
    image = rng.uniform(0, 255, (9, 10))
    w = rng.uniform(-1, 1, (3, 5))
    for engine in ENGINES:
        got = engine(image, w, border, flip=flip, value=3.0)
        assert_filter_close(got, scipy_filter(image, w, border, flip, 3.0), w, image, 3.0)


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (2, 2), (7, 8), (8, 7), (33, 32)])
@pytest.mark.parametrize("border", BORDERS)
def test_fast_odd_even_and_thin_images(shape, border):
    """convolve is right for odd/even sizes and 1-pixel-wide images, square or not kernels."""
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, shape).astype(np.uint8)
    for w in (rng.uniform(-1, 1, (5, 3)), BANK["sobel_y"].weights, BANK["small_blur"].weights):
        assert_filter_close(
            convolve(image, w, border, value=9.0),
            scipy_filter(image, w, border, False, 9.0),
            w,
            image,
            9.0,
        )


@pytest.mark.parametrize(
    "name_or_weights",
    [
        "small_blur",
        "large_blur",
        "gaussian_5",
        "gaussian_15",
        "sobel_x",
        "sobel_y",
        "prewitt_x",
        "scharr_y",
        "sharpen",
        "laplacian",
        "emboss",
        "log_9",
        "motion_blur",
        "box_3x7",
        "random_5x9",
    ],
)
@pytest.mark.parametrize("border", BORDERS)
def test_fast_separable_and_non_separable_kernels(name_or_weights, border):
    """Separable (box, gaussian, sobel) and non-separable kernels match in every mode."""
    rng = np.random.default_rng(6)
    if name_or_weights == "box_3x7":
        w = convkit.box(3, 7)
    elif name_or_weights == "random_5x9":
        w = rng.uniform(-1, 1, (5, 9))
    else:
        w = BANK[name_or_weights].weights
    for flip in (False, True):
        image = rng.integers(0, 256, (37, 40, 3)).astype(np.uint8)
        got = convolve(image, w, border, flip=flip, value=17.0)
        assert_filter_close(got, scipy_filter(image, w, border, flip, 17.0), w, image, 17.0)


@pytest.mark.parametrize("border", BORDERS)
def test_fast_nearly_separable_kernel_is_not_approximated(border):
    """A rank-1 kernel plus a small non-separable bump is not approximated by two 1-D passes."""
    rng = np.random.default_rng(12)
    w = np.outer(convkit.gaussian(5, 1.0)[2], [1, 2, 3, 2, 1]) + 1e-3 * rng.uniform(-1, 1, (5, 5))
    image = rng.integers(0, 256, (25, 30)).astype(np.uint8)
    got = convolve(image, w, border)
    assert_filter_close(got, scipy_filter(image, w, border), w, image)


@pytest.mark.parametrize("border", OPENCV_BORDERS)
@pytest.mark.parametrize("name", ["sharpen", "sobel_x", "gaussian_5", "large_blur", "emboss"])
def test_fast_matches_cv2_filter2d(border, name):
    """convolve matches cv2.filter2D on float32 input for the modes OpenCV supports."""
    image = random_image(np.random.default_rng(7), (30, 41), np.float32) + 100
    w = BANK[name].weights
    ref = cv2.filter2D(image, cv2.CV_32F, w, borderType=BORDER_NAMES[border].opencv)
    got = convolve(image, w, border)
    assert_filter_close(got, ref.astype(np.float64), w, image)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINE_IDS)
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.int32, np.float32, np.float64])
def test_any_numeric_dtype(engine, dtype):
    """Gray and colour images of any numeric dtype match the float reference (no overflow)."""
    rng = np.random.default_rng(8)
    w = np.array([[1, -2, 3], [-4, 5, -6], [7, -8, 9]], dtype=np.float64) * 40
    for shape in ((6, 5), (6, 5, 3)):
        image = random_image(rng, shape, dtype)
        got = engine(image, w, "reflect")
        assert got.dtype == np.float32 and got.shape == shape
        assert_filter_close(got, scipy_filter(image.astype(np.float64), w, "reflect"), w, image)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINE_IDS)
def test_colour_channels_are_independent(engine):
    """Each colour channel is filtered on its own, exactly like the gray image of that channel."""
    image = random_image(np.random.default_rng(9), (8, 9, 3), np.uint8)
    w = K123
    got = engine(image, w, "wrap")
    for c in range(3):
        np.testing.assert_allclose(got[..., c], engine(image[..., c].copy(), w, "wrap"), rtol=1e-6)


# --------------------------------------------------------------- progress


def test_loop_progress_reports_fractions_ending_at_one():
    """progress receives non-decreasing fractions in [0, 1] and the last call is 1.0."""
    calls = []
    convolve_loop(np.zeros((6, 7, 3)), K123, progress=calls.append)
    assert calls, "progress was never called"
    assert all(0.0 <= f <= 1.0 for f in calls)
    assert calls == sorted(calls)
    assert calls[-1] == 1.0


# ------------------------------------------------------------------- errors


ODD = r"kernel must have an odd height and an odd width, so that it has a centre; got "
BAD_ARGUMENTS = {
    "even2x2": (np.zeros((4, 4)), np.ones((2, 2)), "replicate", ODD + "2 x 2"),
    "even3x4": (np.zeros((4, 4)), np.ones((3, 4)), "replicate", ODD + "3 x 4"),
    "empty": (np.zeros((4, 4)), np.ones((0, 0)), "replicate",
              r"kernel must not be empty; got shape \(0, 0\)"),
    "nan": (np.zeros((4, 4)), [[0.0, np.nan, 0.0]], "replicate",
            "kernel weights must be finite numbers; got NaN or infinity"),
    "inf": (np.zeros((4, 4)), [[0.0, np.inf, 0.0]], "replicate",
            "kernel weights must be finite numbers; got NaN or infinity"),
    "1-D-kernel": (np.zeros((4, 4)), np.ones(3), "replicate",
                   r"kernel must be 2-D \(height x width\); got 1-D"),
    "4-D-image": (np.zeros((2, 4, 4, 3)), np.ones((3, 3)), "replicate",
                  r"image must be 2-D .* or 3-D .*; got 4-D with shape \(2, 4, 4, 3\)"),
    "1-D-image": (np.zeros(4), np.ones((3, 3)), "replicate",
                  r"image must be 2-D .*; got 1-D with shape \(4,\)"),
    "border": (np.zeros((4, 4)), np.ones((3, 3)), "mirror_ball",
               r"border must be one of \('replicate', .*'wrap'\); got 'mirror_ball'"),
}


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINE_IDS)
@pytest.mark.parametrize("image, weights, border, pattern", BAD_ARGUMENTS.values(),
                         ids=BAD_ARGUMENTS.keys())
def test_bad_arguments_raise_value_error(engine, image, weights, border, pattern):
    """Bad kernels, images and border modes raise ValueError naming the parameter and value."""
    with pytest.raises(ValueError, match=pattern):
        engine(image, weights, border)


# ---------------------------------------------------------- tutorial parity


@pytest.mark.parametrize("name", list(TUTORIAL_KERNELS))
def test_loop_reproduces_tutorial_exactly(name):
    """to_uint8(convolve_loop(...), 'tutorial') equals the tutorial's loop pixel for pixel."""
    gray = random_image(np.random.default_rng(10), (20, 24), np.uint8)
    expected = tutorial_convolve(gray, TUTORIAL_KERNELS[name])
    got = to_uint8(convolve_loop(gray, BANK[name].weights), "tutorial")
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", ["sharpen", "laplacian", "sobel_x", "sobel_y"])
def test_fast_reproduces_tutorial_exactly_for_integer_kernels(name):
    """Integer kernels on bytes: the engine's sums are exact, so the tutorial's bytes match."""
    gray = random_image(np.random.default_rng(11), (20, 24), np.uint8)
    expected = tutorial_convolve(gray, TUTORIAL_KERNELS[name])
    np.testing.assert_array_equal(to_uint8(convolve(gray, BANK[name]), "tutorial"), expected)


@pytest.mark.parametrize("name", ["small_blur", "large_blur"])
def test_fast_reproduces_tutorial_blurs_within_one(name):
    """Blurs: float32 sums of 1/49 or 1/441 may round across a byte the tutorial truncates."""
    gray = random_image(np.random.default_rng(11), (20, 24), np.uint8)
    expected = tutorial_convolve(gray, TUTORIAL_KERNELS[name]).astype(int)
    got = to_uint8(convolve(gray, BANK[name]), "tutorial").astype(int)
    assert np.abs(got - expected).max() <= 1
    assert np.mean(got == expected) > 0.95
