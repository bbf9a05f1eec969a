"""Tests for explain_pixel: the per-pixel breakdown must agree with numpy.pad and with convolve."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from convkit import PixelBreakdown, convolve, explain_pixel

from .references import (
    BORDERS,
    HYPO,
    border_modes,
    images,
    kernels,
    numpy_pad,
    pad_values,
    random_image,
    tolerance,
)


def positions(h, w):
    """Corners, edge midpoints and centre of an h x w image (deduplicated)."""
    ys, xs = (0, h // 2, h - 1), (0, w // 2, w - 1)
    return sorted({(y, x) for y in ys for x in xs})


def expected_roi(image, weights, x, y, border, value):
    """The kh x kw (x C) window under the kernel, cut from a numpy.pad-ed image."""
    kh, kw = np.shape(weights)
    padded = numpy_pad(np.asarray(image, dtype=np.float64), kh // 2, kw // 2, border, value)
    return padded[y : y + kh, x : x + kw]


def expected_padded_mask(h, w, kh, kw, x, y):
    """True where the window cell lies outside the image."""
    rows = np.arange(y - kh // 2, y + kh // 2 + 1)
    cols = np.arange(x - kw // 2, x + kw // 2 + 1)
    return ((rows < 0) | (rows >= h))[:, None] | ((cols < 0) | (cols >= w))[None, :]


def check_breakdown(image, w, border, flip, value):
    """Check every field of explain_pixel at corners, edges and centre."""
    h, wd = image.shape[:2]
    kh, kw = w.shape
    full = convolve(image, w, border, flip=flip, value=value)
    applied = w[::-1, ::-1] if flip else w
    tol = tolerance(w, image, value)
    for y, x in positions(h, wd):
        b = explain_pixel(image, w, x, y, border, flip=flip, value=value)
        assert isinstance(b, PixelBreakdown)
        assert (b.x, b.y, b.border, b.flip) == (x, y, border, flip)
        roi = expected_roi(image, w, x, y, border, value)
        assert np.shape(b.roi) == roi.shape
        np.testing.assert_allclose(b.roi, roi, rtol=1e-6)
        np.testing.assert_array_equal(b.weights, applied)
        expected_products = roi * (applied[..., None] if image.ndim == 3 else applied)
        np.testing.assert_allclose(b.products, expected_products, rtol=1e-6, atol=1e-9)
        total = np.asarray(b.total, dtype=np.float64)
        if image.ndim == 2:
            assert total.shape == ()
        else:
            assert total.shape == (image.shape[2],)
        np.testing.assert_allclose(total, expected_products.sum(axis=(0, 1)), rtol=1e-6, atol=tol)
        np.testing.assert_allclose(total, full[y, x], rtol=1e-5, atol=tol)
        mask = expected_padded_mask(h, wd, kh, kw, x, y)
        assert np.asarray(b.padded).dtype == bool
        np.testing.assert_array_equal(b.padded, mask)


@given(
    image=images(max_side=12),
    w=kernels(max_side=7),
    border=border_modes,
    flip=st.booleans(),
    value=pad_values,
)
@HYPO
def test_breakdown_matches_references_at_corners_edges_centre(image, w, border, flip, value):
    """All breakdown fields agree with numpy.pad and convolve at corners, edges, centre."""
    check_breakdown(image, w, border, flip, value)


@pytest.mark.parametrize("border", BORDERS)
@pytest.mark.parametrize("flip", [False, True])
@pytest.mark.parametrize("shape", [(7, 8), (5, 6, 3), (1, 6), (3, 1)])
def test_breakdown_every_mode_gray_and_colour(border, flip, shape):
    """Deterministic sweep: every mode, flip on/off, gray, colour and 1-pixel-wide images."""
    rng = np.random.default_rng(20)
    image = random_image(rng, shape, np.uint8)
    w = rng.uniform(-1, 1, (3, 5))
    check_breakdown(image, w, border, flip, 4.0)


@given(
    image=images(max_side=9),
    w=kernels(),
    border=border_modes,
    value=pad_values,
    seed=st.integers(0, 10**6),
)
@HYPO
def test_source_yx_points_at_the_roi_values(image, w, border, value, seed):
    """source_yx indexes the image to give the roi; constant cells are (-1, -1) = value."""
    h, wd = image.shape[:2]
    rng = np.random.default_rng(seed)
    y, x = int(rng.integers(0, h)), int(rng.integers(0, wd))
    b = explain_pixel(image, w, x, y, border, value=value)
    src = np.asarray(b.source_yx)
    kh, kw = w.shape
    assert src.shape == (kh, kw, 2)
    assert src.dtype.kind == "i"
    roi = np.asarray(b.roi, dtype=np.float64)
    padded = np.asarray(b.padded)
    if border == "constant":
        assert np.all(src[padded] == -1)
        np.testing.assert_allclose(roi[padded], value)
        inside = ~padded
    else:
        inside = np.ones((kh, kw), bool)
    sy, sx = src[..., 0][inside], src[..., 1][inside]
    assert np.all((sy >= 0) & (sy < h) & (sx >= 0) & (sx < wd))
    np.testing.assert_allclose(image[sy, sx].astype(np.float64), roi[inside])
    # Cells inside the image point at themselves.
    rows = np.arange(y - kh // 2, y + kh // 2 + 1)
    cols = np.arange(x - kw // 2, x + kw // 2 + 1)
    grid_y, grid_x = np.meshgrid(rows, cols, indexing="ij")
    np.testing.assert_array_equal(src[..., 0][~padded], grid_y[~padded])
    np.testing.assert_array_equal(src[..., 1][~padded], grid_x[~padded])


def test_source_yx_hand_example_reflect_101():
    """Top-left pixel of a 3x3 image with a 3x3 kernel in reflect_101 mirrors row/column 1."""
    image = np.arange(9, dtype=np.uint8).reshape(3, 3)
    b = explain_pixel(image, np.ones((3, 3)), 0, 0, "reflect_101")
    src = np.asarray(b.source_yx)
    assert src[0, 0].tolist() == [1, 1]
    assert src[0, 1].tolist() == [1, 0]
    assert src[1, 1].tolist() == [0, 0]
    assert src[2, 2].tolist() == [1, 1]
    np.testing.assert_array_equal(b.roi, [[4, 3, 4], [1, 0, 1], [4, 3, 4]])
    assert float(b.total) == 24.0


def test_breakdown_is_frozen():
    """PixelBreakdown is a frozen dataclass."""
    b = explain_pixel(np.zeros((3, 3)), np.ones((3, 3)), 1, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.total = 5.0


def test_gray_total_is_a_scalar_float():
    """For a gray image the total is a plain float equal to the weighted sum."""
    image = np.arange(9, dtype=np.uint8).reshape(3, 3)
    b = explain_pixel(image, np.ones((3, 3)), 1, 1)
    assert isinstance(b.total, (float, np.floating))
    assert float(b.total) == 36.0


def test_numpy_integer_coordinates_are_accepted():
    """numpy integers are valid pixel coordinates."""
    image = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = explain_pixel(image, np.ones((1, 1)), np.int64(3), np.int32(2))
    assert float(b.total) == 11.0


@pytest.mark.parametrize(
    "x, y, message",
    [(4, 0, r"x=4 is outside the image: allowed 0\.\.3"),
     (0, 3, r"y=3 is outside the image: allowed 0\.\.2"),
     (-1, 0, r"x=-1 is outside the image: allowed 0\.\.3"),
     (0, -1, r"y=-1 is outside the image: allowed 0\.\.2"),
     (10, 10, r"x=10 is outside the image: allowed 0\.\.3"),
     (1.5, 1, r"x must be a whole number; got 1\.5"),
     (1, 0.5, r"y must be a whole number; got 0\.5")],
    ids=["x=W", "y=H", "x<0", "y<0", "far", "x-float", "y-float"],
)
def test_pixel_outside_or_non_integer_raises(x, y, message):
    """A pixel outside the 4 x 3 image, or not whole, is refused naming the coordinate."""
    with pytest.raises(ValueError, match=message):
        explain_pixel(np.zeros((3, 4)), np.ones((3, 3)), x, y)


def test_bad_kernel_and_border_raise():
    """explain_pixel validates the kernel and the border mode too."""
    image = np.zeros((3, 4))
    with pytest.raises(ValueError, match="kernel must have an odd height and an odd width, .*"
                                         "got 2 x 2"):
        explain_pixel(image, np.ones((2, 2)), 1, 1)
    with pytest.raises(ValueError, match=r"border must be one of \(.*\); got 'mirror_ball'"):
        explain_pixel(image, np.ones((3, 3)), 1, 1, "mirror_ball")
