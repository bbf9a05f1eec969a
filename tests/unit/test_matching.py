"""Tests for lessons.matching against cv2.matchTemplate, scipy.ndimage and direct NumPy sums."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi
from skimage import data

import convkit
from convkit import lessons
from convkit.explain import Window


@pytest.fixture(scope="module")
def camera() -> np.ndarray:
    return data.camera()


def numpy_ncc(image: np.ndarray, patch: np.ndarray, x: int, y: int) -> float:
    """TM_CCOEFF_NORMED written out in NumPy at centre (x, y)."""
    ph, pw = patch.shape
    region = image[y - ph // 2:y + ph // 2 + 1, x - pw // 2:x + pw // 2 + 1].astype(float)
    r, t = region - region.mean(), patch.astype(float) - patch.mean()
    return float((r * t).sum() / np.sqrt((r**2).sum() * (t**2).sum()))


def face(camera: np.ndarray) -> tuple[np.ndarray, Window]:
    x, y, w, h = lessons.example_patch("cameraman's face", camera.shape)
    window = lessons.patch_window(x, y, w, h, camera.shape)
    return lessons.cut_patch(camera, window), window


def test_ncc_map_is_numpy_ncc_at_sampled_points(camera: np.ndarray) -> None:
    """The normalized map equals the NCC written out in NumPy at 40 random valid centres."""
    patch, _ = face(camera)
    maps = lessons.match_maps(camera, patch)
    rng = np.random.default_rng(0)
    valid = maps.valid
    for _ in range(40):
        x = int(rng.integers(valid.left, valid.left + valid.width))
        y = int(rng.integers(valid.top, valid.top + valid.height))
        assert maps.ncc[y, x] == pytest.approx(numpy_ncc(camera, patch, x, y), abs=1e-4)


def test_breakdown_ncc_is_cv2_match_template(camera: np.ndarray) -> None:
    """explain_match's hand computation gives cv2.matchTemplate's TM_CCOEFF_NORMED value."""
    patch = camera[300:321, 200:215]
    reference = cv2.matchTemplate(camera.astype(np.float32), patch.astype(np.float32),
                                  cv2.TM_CCOEFF_NORMED)
    for top, left in [(0, 0), (100, 250), (491, 497), (300, 200), (17, 403)]:
        b = lessons.explain_match(camera, patch, x=left + 7, y=top + 10)
        # OpenCV works from running sums in float32: on the flat sky it is off by ~2e-4.
        assert b.ncc == pytest.approx(float(reference[top, left]), abs=1e-3)
        assert b.region_mean == pytest.approx(camera[top:top + 21, left:left + 15].mean())
        assert b.patch_norm == pytest.approx(np.linalg.norm(patch - patch.mean()))


def test_plain_map_is_scipy_correlate(camera: np.ndarray) -> None:
    """The plain map is the patch used as a kernel: scipy.ndimage.correlate, same border."""
    patch = camera[200:209, 300:311]
    maps = lessons.match_maps(camera, patch, border="replicate")
    expected = ndi.correlate(camera.astype(float), patch.astype(float), mode="nearest")
    np.testing.assert_allclose(maps.plain, expected, rtol=1e-5)
    b = lessons.explain_match(camera, patch, x=150, y=400)
    assert b.total == pytest.approx(expected[400, 150], rel=1e-9)
    np.testing.assert_array_equal(b.products, b.region * patch)


def test_ncc_finds_the_patch_and_plain_correlation_goes_to_the_light(camera: np.ndarray) -> None:
    """The normalized best match is the patch's own place; the plain one lands somewhere light."""
    patch, window = face(camera)
    maps = lessons.match_maps(camera, patch)
    centre = (window.left + window.width // 2, window.top + window.height // 2)
    assert maps.ncc_best == centre
    assert maps.ncc_score == pytest.approx(1.0, abs=1e-4)
    px, py = maps.plain_best
    assert abs(px - centre[0]) + abs(py - centre[1]) > 50
    fooled = lessons.explain_match(camera, patch, px, py)
    right = lessons.explain_match(camera, patch, *centre)
    assert fooled.total > right.total
    assert fooled.region_mean > right.region_mean + 50
    assert fooled.ncc < 0.5


@pytest.mark.parametrize("dx, dy, noise", [(40, 25, 0.0), (-60, 13, 15.0)])
def test_match_in_a_shifted_noisy_copy(camera: np.ndarray, dx: int, dy: int, noise: float) -> None:
    """In the image moved by (dx, dy) with noise, the best match moves by (dx, dy)."""
    patch, window = face(camera)
    moved = lessons.shifted_copy(camera, dx, dy, noise, seed=1)
    np.testing.assert_array_equal(lessons.shifted_copy(camera, dx, dy),
                                  np.roll(camera, (dy, dx), axis=(0, 1)))
    maps = lessons.match_maps(moved, patch)
    centre = (window.left + window.width // 2 + dx, window.top + window.height // 2 + dy)
    assert maps.ncc_best == centre
    assert maps.ncc_score > 0.9


def test_example_scales_with_the_image(camera: np.ndarray) -> None:
    """On the half-size camera the stored coin/face example is found at half the coordinates."""
    small = convkit.fit_to_pixels(camera, 256)
    x, y, w, h = lessons.example_patch("cameraman's face", small.shape)
    assert (x, y) == (111, 75) and w % 2 == 1 and h % 2 == 1
    patch = lessons.cut_patch(small, lessons.patch_window(x, y, w, h, small.shape))
    assert lessons.match_maps(small, patch).ncc_best == (x, y)


def test_windows_and_drags_by_hand() -> None:
    """Valid centres, clamping and drags on small hand-checked cases."""
    assert lessons.valid_centres((10, 20), (3, 5)) == Window(1, 2, 8, 16)
    assert lessons.clamp_centre(-5, 99, Window(1, 2, 8, 16)) == (2, 8)
    assert lessons.patch_window(99, 99, 5, 3, (10, 20)) == Window(7, 15, 3, 5)
    # Backwards drag, even sides shortened to odd, a drag past the edge clipped.
    assert lessons.drag_to_patch(30, 20, 10, 10, (100, 100)) == (20, 15, 21, 11)
    assert lessons.drag_to_patch(10, 10, 29, 19, (100, 100)) == (19, 14, 19, 9)
    assert lessons.drag_to_patch(90, 90, 300, 95, (100, 100)) == (94, 92, 9, 5)
    assert lessons.drag_to_patch(5, 5, 6, 6, (100, 100), default_side=11) == (5, 5, 11, 11)
    # A tiny drag is at least MIN_PATCH_SIDE.
    assert lessons.drag_to_patch(5, 5, 5, 40, (100, 100)) == (6, 22, 3, 35)


def test_shifted_point_is_where_shifted_copy_puts_a_pixel(camera: np.ndarray) -> None:
    """Every sampled pixel of the image is found, unchanged, at shifted_point in the copy."""
    moved = lessons.shifted_copy(camera, -70, 33)
    rng = np.random.default_rng(3)
    for x, y in zip(rng.integers(0, 512, 20), rng.integers(0, 512, 20), strict=True):
        nx, ny = lessons.shifted_point(x, y, -70, 33, camera.shape)
        assert moved[ny, nx] == camera[y, x]


def test_patch_side_limits() -> None:
    """The largest odd sides, capped at MAX_PATCH_SIDE; images under 3 px refused."""
    assert lessons.patch_side_limits((30, 40)) == (39, 29)
    assert lessons.patch_side_limits((3, 1000)) == (lessons.MAX_PATCH_SIDE, 3)
    with pytest.raises(ValueError, match="image must be at least 3 x 3 pixels.*got 5 x 2"):
        lessons.patch_side_limits((2, 5))


def test_fit_patch_by_hand() -> None:
    """A patch from a bigger image: sides cut to the largest odd fit, centre to the last pixel;
    a side that fits is kept as typed, even or not (patch_window refuses it by name)."""
    assert lessons.fit_patch(300, 20, 61, 30, (40, 256)) == (255, 20, 61, 30)
    assert lessons.fit_patch(10, 500, 95, 95, (30, 40)) == (10, 29, 39, 29)
    assert lessons.fit_patch(0, 0, 4, 3, (100, 100)) == (0, 0, 4, 3)
    with pytest.raises(ValueError, match="image must be at least 3 x 3 pixels.*got 2 x 1"):
        lessons.fit_patch(0, 0, 3, 3, (1, 2))


def test_patch_centre_is_where_match_maps_puts_the_patch(camera: np.ndarray) -> None:
    """The centre of a cut patch is the normalized map's best match in its own image, and the
    plain map's best score is scipy's correlate there."""
    window = lessons.patch_window(300, 200, 21, 15, camera.shape)
    assert lessons.patch_centre(window) == (300, 200)
    assert lessons.patch_centre(Window(top=10, left=20, height=5, width=3)) == (21, 12)
    patch = lessons.cut_patch(camera, window)
    maps = lessons.match_maps(camera, patch)
    assert maps.ncc_best == lessons.patch_centre(window)
    x, y = maps.plain_best
    expected = ndi.correlate(camera.astype(float), patch.astype(float), mode="nearest")
    assert maps.plain_score == pytest.approx(expected[y, x], rel=1e-6)
    inner = expected[7:-7, 10:-10]  # centres where the 15 x 21 patch fits
    assert maps.plain_score == pytest.approx(inner.max(), rel=1e-6)


def test_mark_patches_outlines_each_box_in_its_colour() -> None:
    """Each mark is a box of its shape around its centre, in its colour, drawn inside the box
    and clipped at the picture's edge; the rest is the gray picture in three channels."""
    gray = np.arange(400, dtype=np.uint8).reshape(20, 20)
    red, green = (255, 0, 0), (0, 255, 0)
    marked = lessons.mark_patches(gray, [((5, 6), (5, 3), red), ((19, 0), (7, 7), green)],
                                  thickness=1)
    assert marked.shape == (20, 20, 3) and marked.dtype == np.uint8
    box = np.zeros((20, 20), bool)
    box[4:9, 4:7] = True
    box[5:8, 5:6] = False  # 5 rows x 3 columns around (x=5, y=6), one pixel thick
    clipped = np.zeros((20, 20), bool)
    clipped[0:4, 16:20] = True
    clipped[0:3, 17:20] = False  # the 7 x 7 box round (19, 0): only its left and bottom show
    np.testing.assert_array_equal(np.all(marked == red, axis=2), box)
    np.testing.assert_array_equal(np.all(marked == green, axis=2), clipped)
    untouched = ~(box | clipped)
    np.testing.assert_array_equal(marked[untouched], np.repeat(gray[untouched, None], 3, axis=1))
    thick = lessons.mark_patches(gray, [((10, 10), (7, 7), red)], thickness=2)
    assert np.all(thick[8, 8] == red) and not np.all(thick[9, 9] == red)


def test_map_picture_table() -> None:
    """Smallest finite value black, largest white, NaN mid-gray."""
    values = np.array([[-2.0, 0.0, 2.0, np.nan]])
    assert lessons.map_picture(values).tolist() == [[0, 128, 255, 128]]


@pytest.mark.parametrize("call, message", [
    (lambda img: lessons.match_maps(img[:20, :20], img[:31, :31]),
     r"patch \(31 x 31\) must be no larger than the image \(20 x 20\)"),
    (lambda img: lessons.cut_patch(img, Window(0, 0, 0, 5)), "must not be empty"),
    (lambda img: lessons.match_maps(img, img[:0, :5]), "patch must not be empty"),
    (lambda img: lessons.patch_window(50, 50, 10, 11, img.shape), "patch_width must be odd"),
    (lambda img: lessons.patch_window(50, 50, 11, 97, img.shape), "patch_height must be odd"),
    (lambda img: lessons.match_maps(img, np.full((9, 9), 7.0)), "patch must not be flat"),
    (lambda img: lessons.explain_match(img, img[:9, :9], 2, 50),
     r"x=2 puts the patch past the image's edge: allowed 4\.\."),
    (lambda img: lessons.match_maps(np.dstack([img] * 3), img[:9, :9]), "image must be 2-D"),
    (lambda img: lessons.match_maps(np.zeros((600, 600)), img[:9, :9]),
     "image must be at most 512 px"),
    (lambda img: lessons.example_patch("nope", img.shape), "example must be one of"),
    (lambda img: lessons.shifted_copy(img, 1.5, 0), "dx must be a whole number"),
])
def test_bad_input_names_the_parameter(camera: np.ndarray, call, message: str) -> None:
    """Bad arguments raise ValueError saying which one and what is allowed."""
    with pytest.raises(ValueError, match=message):
        call(camera)
