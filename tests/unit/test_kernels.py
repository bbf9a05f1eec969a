"""Tests for the kernel bank, the Kernel type and the kernel generators."""

import dataclasses

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import convkit
from convkit import BANK, Kernel

from .references import HYPO
from .tutorial_reference import TUTORIAL_KERNELS

TUTORIAL_NAMES = ["small_blur", "large_blur", "sharpen", "laplacian", "sobel_x", "sobel_y"]
EXTRA_NAMES = [
    "identity",
    "emboss",
    "outline",
    "prewitt_x",
    "prewitt_y",
    "scharr_x",
    "scharr_y",
    "gaussian_5",
    "gaussian_15",
    "log_9",
    "unsharp_mask",
    "motion_blur",
]


def cv2_gaussian(size, sigma):
    """2-D Gaussian from OpenCV's 1-D kernel (independent reference)."""
    g = cv2.getGaussianKernel(size, sigma, ktype=cv2.CV_64F)
    return g @ g.T


def analytic_log(size, sigma):
    """Sampled continuous Laplacian of Gaussian, (r^2 - 2 s^2) exp(-r^2 / 2 s^2)."""
    r = np.arange(size) - size // 2
    yy, xx = np.meshgrid(r, r, indexing="ij")
    r2 = xx**2 + yy**2
    return (r2 - 2 * sigma**2) * np.exp(-r2 / (2 * sigma**2))


def centre_delta(size):
    """Hand-made identity kernel: a single 1 in the middle."""
    d = np.zeros((size, size))
    d[size // 2, size // 2] = 1.0
    return d


# --------------------------------------------------------------------------- bank


def test_bank_starts_with_the_tutorial_six_in_order():
    """The first six bank entries are the tutorial kernels, in the tutorial's order."""
    assert list(BANK)[:6] == TUTORIAL_NAMES


@pytest.mark.parametrize("name", TUTORIAL_NAMES)
def test_bank_tutorial_weights_are_exact(name):
    """Tutorial kernels in the bank have exactly the tutorial's weights, as float64."""
    weights = BANK[name].weights
    assert weights.dtype == np.float64
    assert weights.shape == TUTORIAL_KERNELS[name].shape
    assert np.array_equal(weights, TUTORIAL_KERNELS[name].astype(np.float64))


@pytest.mark.parametrize("name", EXTRA_NAMES)
def test_bank_has_extra_kernel(name):
    """The bank also offers the documented extra kernels."""
    assert name in BANK


@pytest.mark.parametrize("name", list(BANK))
def test_bank_entry_is_well_formed(name):
    """Each entry is a Kernel named as its key, odd 2-D float64 weights, one-line description."""
    k = BANK[name]
    assert isinstance(k, Kernel)
    assert k.name == name
    assert k.weights.ndim == 2
    assert k.weights.dtype == np.float64
    assert k.weights.shape[0] % 2 == 1 and k.weights.shape[1] % 2 == 1
    assert np.all(np.isfinite(k.weights))
    assert isinstance(k.description, str) and k.description.strip()
    assert "\n" not in k.description.strip()


def test_bank_cannot_be_assigned_into():
    """Adding, replacing or deleting bank entries fails."""
    with pytest.raises((TypeError, AttributeError)):
        BANK["sharpen"] = BANK["identity"]
    with pytest.raises((TypeError, AttributeError)):
        BANK["new_kernel"] = BANK["identity"]
    with pytest.raises((TypeError, AttributeError)):
        del BANK["sharpen"]
    assert np.array_equal(BANK["sharpen"].weights, TUTORIAL_KERNELS["sharpen"])


@pytest.mark.parametrize("name", ["sharpen", "small_blur", "gaussian_5"])
def test_bank_weights_are_read_only(name):
    """Writing into a bank kernel's weights raises and leaves them unchanged."""
    weights = BANK[name].weights
    before = weights.copy()
    with pytest.raises(ValueError):
        weights[0, 0] = 123.0
    with pytest.raises(ValueError):
        weights *= 2
    assert np.array_equal(BANK[name].weights, before)


def test_bank_kernel_is_frozen():
    """Kernel fields cannot be reassigned."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        BANK["sharpen"].name = "blunt"
    with pytest.raises(dataclasses.FrozenInstanceError):
        BANK["sharpen"].weights = np.zeros((3, 3))


def test_bank_identity_prewitt_scharr_sobel_tables():
    """identity, prewitt and scharr entries match hand tables and OpenCV's derivative kernels."""
    assert np.array_equal(BANK["identity"].weights, centre_delta(3))
    prewitt_x = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=float)
    assert np.array_equal(BANK["prewitt_x"].weights, prewitt_x)
    assert np.array_equal(BANK["prewitt_y"].weights, prewitt_x.T)
    kx, ky = cv2.getDerivKernels(1, 0, cv2.FILTER_SCHARR, ktype=cv2.CV_64F)
    scharr_x = ky @ kx.T  # rows smooth [3, 10, 3], columns differentiate [-1, 0, 1]
    assert np.array_equal(BANK["scharr_x"].weights, scharr_x)
    assert np.array_equal(BANK["scharr_y"].weights, scharr_x.T)
    kx, ky = cv2.getDerivKernels(1, 0, 3, ktype=cv2.CV_64F)
    assert np.array_equal(BANK["sobel_x"].weights, ky @ kx.T)


def test_bank_gaussian_entries():
    """gaussian_5 is gaussian(5, 1.0); gaussian_15 is a normalised symmetric 15x15 bell."""
    np.testing.assert_allclose(BANK["gaussian_5"].weights, cv2_gaussian(5, 1.0), atol=1e-12)
    g15 = BANK["gaussian_15"].weights
    assert g15.shape == (15, 15)
    assert g15.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(g15 > 0)
    assert np.allclose(g15, g15.T) and np.allclose(g15, g15[::-1, ::-1])
    assert g15[7, 7] == g15.max()


def test_bank_log_unsharp_motion_outline_emboss():
    """log_9 sums to 0, unsharp_mask and motion_blur to 1, outline to 0; emboss is directional."""
    log9 = BANK["log_9"].weights
    assert log9.shape == (9, 9)
    assert abs(log9.sum()) < 1e-9 * np.abs(log9).sum()
    assert np.allclose(log9, log9.T) and np.allclose(log9, log9[::-1, ::-1])
    assert BANK["unsharp_mask"].weights.sum() == pytest.approx(1.0, abs=1e-9)
    centre = BANK["unsharp_mask"].weights.shape[0] // 2
    assert BANK["unsharp_mask"].weights[centre, centre] > 1.0
    assert BANK["motion_blur"].weights.sum() == pytest.approx(1.0, abs=1e-9)
    outline = BANK["outline"].weights
    assert outline.sum() == pytest.approx(0.0, abs=1e-12)
    assert outline[outline.shape[0] // 2, outline.shape[1] // 2] > 0
    emboss = BANK["emboss"].weights
    assert not np.array_equal(emboss, emboss[::-1, ::-1])


# ------------------------------------------------------------------ Kernel type


def test_kernel_construction_normalises_weights():
    """Kernel accepts an odd non-square array-like and stores a read-only float64 copy."""
    source = np.array([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]])
    k = Kernel(name="k", weights=source, description="A test kernel.")
    assert k.weights.shape == (3, 5)
    assert k.weights.dtype == np.float64
    assert np.array_equal(k.weights, source)
    with pytest.raises(ValueError):
        k.weights[1, 1] = 0.0
    k2 = Kernel(name="row", weights=[[1.0, 2.0, 1.0]], description="Row.")
    assert k2.weights.shape == (1, 3)


def test_kernel_does_not_alias_the_callers_array():
    """Changing the caller's float64 array later does not change the Kernel."""
    source = np.ones((3, 3), dtype=np.float64)
    k = Kernel(name="k", weights=source, description="Ones.")
    source[1, 1] = 42.0  # the caller's array must stay writable and independent
    assert k.weights[1, 1] == 1.0


@pytest.mark.parametrize(
    "weights, pattern",
    [
        (np.ones((2, 2)), "kernel 'bad' must have an odd height and an odd width.*got 2 x 2"),
        (np.ones((3, 4)), "kernel 'bad' must have an odd height and an odd width.*got 3 x 4"),
        (np.ones((4, 3)), "kernel 'bad' must have an odd height and an odd width.*got 4 x 3"),
        (np.ones((0, 0)), r"kernel 'bad' must not be empty; got shape \(0, 0\)"),
        (np.ones((0, 3)), r"kernel 'bad' must not be empty; got shape \(0, 3\)"),
        (np.array([[0.0, np.nan, 0.0]]), "kernel 'bad' weights must be finite numbers; got NaN"),
        (np.array([[0.0, np.inf, 0.0]]), "kernel 'bad' weights must be finite.*infinity"),
        (np.ones(3), r"kernel 'bad' must be 2-D \(height x width\); got 1-D"),
        (np.ones((3, 3, 3)), r"kernel 'bad' must be 2-D \(height x width\); got 3-D"),
    ],
    ids=["2x2", "3x4", "4x3", "0x0", "0x3", "nan", "inf", "1-D", "3-D"],
)
def test_kernel_rejects_bad_weights(weights, pattern):
    """Even, empty, non-finite or non-2-D weights are refused naming the kernel and the fault."""
    with pytest.raises(ValueError, match=pattern):
        Kernel(name="bad", weights=weights, description="Bad.")


# ------------------------------------------------------------------- generators


@pytest.mark.parametrize("size", [1, 3, 5, 9])
def test_identity_is_a_centre_delta(size):
    """identity(size) is a single 1 in the centre of a size x size zero array."""
    assert np.array_equal(convkit.identity(size), centre_delta(size))


def test_identity_default_size_is_three():
    """identity() defaults to 3x3."""
    assert np.array_equal(convkit.identity(), centre_delta(3))


@pytest.mark.parametrize("size_y, size_x", [(1, None), (3, None), (7, None), (3, 5), (5, 1)])
def test_box_is_uniform_and_normalised(size_y, size_x):
    """box(size_y, size_x) is constant, shaped as asked (square by default) and sums to 1."""
    b = convkit.box(size_y, size_x) if size_x is not None else convkit.box(size_y)
    shape = (size_y, size_y if size_x is None else size_x)
    assert b.shape == shape
    assert b.dtype == np.float64
    np.testing.assert_allclose(b, np.full(shape, 1.0 / (shape[0] * shape[1])), rtol=1e-15)


@given(size=st.integers(0, 10).map(lambda k: 2 * k + 1), sigma=st.floats(0.3, 6.0))
@HYPO
def test_gaussian_matches_opencv(size, sigma):
    """gaussian(size, sigma) equals the outer product of cv2.getGaussianKernel with itself."""
    g = convkit.gaussian(size, sigma)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, cv2_gaussian(size, sigma), rtol=0, atol=1e-12)
    assert g.sum() == pytest.approx(1.0, abs=1e-12)


@given(size=st.integers(1, 8).map(lambda k: 2 * k + 1), sigma=st.floats(0.5, 3.0))
@HYPO
def test_laplacian_of_gaussian_sums_to_zero_and_is_log_shaped(size, sigma):
    """laplacian_of_gaussian sums to ~0, is symmetric, and follows the analytic LoG shape."""
    log = convkit.laplacian_of_gaussian(size, sigma)
    assert log.shape == (size, size)
    assert abs(log.sum()) <= 1e-9 * np.abs(log).sum()
    assert np.allclose(log, log.T) and np.allclose(log, log[::-1, ::-1])
    c = size // 2
    assert abs(log[c, c]) == pytest.approx(np.abs(log).max())
    ref = analytic_log(size, sigma)
    corr = np.corrcoef(log.ravel(), ref.ravel())[0, 1]
    assert abs(corr) > 0.95


@given(
    size=st.integers(0, 6).map(lambda k: 2 * k + 1),
    sigma=st.floats(0.5, 4.0),
    amount=st.floats(0.0, 3.0),
)
@HYPO
def test_unsharp_mask_formula(size, sigma, amount):
    """unsharp_mask = identity + amount * (identity - gaussian), summing to 1."""
    u = convkit.unsharp_mask(size, sigma, amount)
    ref = centre_delta(size) + amount * (centre_delta(size) - cv2_gaussian(size, sigma))
    np.testing.assert_allclose(u, ref, rtol=0, atol=1e-12)
    assert u.sum() == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("length", [1, 3, 5, 9, 15])
def test_motion_blur_angle_zero_is_middle_row(length):
    """motion_blur(length, 0) is a horizontal line: only the middle row is non-zero, sum 1."""
    m = convkit.motion_blur(length, 0)
    assert m.shape == (length, length)
    assert m.sum() == pytest.approx(1.0, abs=1e-12)
    c = length // 2
    others = np.delete(m, c, axis=0)
    assert np.all(others == 0)
    assert np.all(m[c] > 0)
    assert np.allclose(m[c], m[c][::-1])


@pytest.mark.parametrize("length", [3, 5, 9])
def test_motion_blur_angle_ninety_is_middle_column(length):
    """motion_blur(length, 90) is a vertical line in the middle column."""
    m = convkit.motion_blur(length, 90)
    c = length // 2
    assert m.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(np.delete(m, c, axis=1), 0, atol=1e-12)
    assert np.all(m[:, c] > 0)


@given(length=st.integers(1, 7).map(lambda k: 2 * k + 1), angle=st.floats(-360, 360))
@HYPO
def test_motion_blur_any_angle_is_normalised(length, angle):
    """motion_blur at any angle is non-negative, square, sums to 1 and touches the centre."""
    m = convkit.motion_blur(length, angle)
    assert m.shape == (length, length)
    assert np.all(m >= 0)
    assert m.sum() == pytest.approx(1.0, abs=1e-9)
    assert m[length // 2, length // 2] > 0


def test_motion_blur_diagonal_lies_on_the_rising_diagonal():
    """motion_blur(9, 45): 1/9 on each cell from bottom-left to top-right (rows grow down)."""
    np.testing.assert_array_equal(convkit.motion_blur(9, 45), np.fliplr(np.eye(9)) / 9)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: convkit.identity(4), "size must be odd, so that the kernel has a centre; got 4"),
        (lambda: convkit.box(2), "size_y must be odd, .*; got 2"),
        (lambda: convkit.box(3, 4), "size_x must be odd, .*; got 4"),
        (lambda: convkit.gaussian(4, 1.0), "size must be odd, .*; got 4"),
        (lambda: convkit.laplacian_of_gaussian(6, 1.0), "size must be odd, .*; got 6"),
        (lambda: convkit.unsharp_mask(4, 1.0, 1.0), "size must be odd, .*; got 4"),
        (lambda: convkit.motion_blur(4, 0), "length must be odd, .*; got 4"),
    ],
    ids=["identity", "box", "box_x", "gaussian", "log", "unsharp", "motion"],
)
def test_generators_reject_even_sizes(call, message):
    """Every generator refuses an even size, naming the parameter and the value."""
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("sigma", [0.0, -1.0])
@pytest.mark.parametrize(
    "func",
    [
        lambda s: convkit.gaussian(5, s),
        lambda s: convkit.laplacian_of_gaussian(5, s),
        lambda s: convkit.unsharp_mask(5, s, 1.0),
    ],
    ids=["gaussian", "log", "unsharp"],
)
def test_generators_reject_non_positive_sigma(func, sigma):
    """sigma <= 0 is refused naming sigma and its value."""
    with pytest.raises(ValueError, match=f"sigma must be greater than 0; got {sigma}"):
        func(sigma)


@pytest.mark.parametrize(
    "make",
    [
        lambda: convkit.identity(3),
        lambda: convkit.box(3),
        lambda: convkit.gaussian(5, 1.0),
        lambda: convkit.laplacian_of_gaussian(5, 1.0),
        lambda: convkit.unsharp_mask(5, 1.0, 1.0),
        lambda: convkit.motion_blur(5, 30),
    ],
    ids=["identity", "box", "gaussian", "log", "unsharp", "motion"],
)
def test_generators_return_fresh_writable_arrays(make):
    """Generators return new writable float64 arrays: scribbling on one doesn't affect the next."""
    first = make()
    assert isinstance(first, np.ndarray) and first.dtype == np.float64
    expected = first.copy()
    first[...] = 99.0
    assert np.array_equal(make(), expected)
