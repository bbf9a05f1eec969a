"""Independent references (numpy.pad, scipy.ndimage, OpenCV) and hypothesis strategies.

Nothing here imports convkit: these are the yardsticks the package is measured against.
"""

from typing import NamedTuple

import cv2
import numpy as np
import scipy.ndimage as ndi
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view


class BorderNames(NamedTuple):
    """One border mode under each reference library's own name."""

    scipy: str  # scipy.ndimage's mode
    numpy: str  # numpy.pad's mode
    opencv: int | None  # OpenCV's flag; None for wrap, which cv2.filter2D refuses


#: The one table of border names the tests use (convkit's own table is what they check).
BORDER_NAMES: dict[str, BorderNames] = {
    "replicate": BorderNames("nearest", "edge", cv2.BORDER_REPLICATE),
    "constant": BorderNames("constant", "constant", cv2.BORDER_CONSTANT),
    "reflect": BorderNames("reflect", "symmetric", cv2.BORDER_REFLECT),
    "reflect_101": BorderNames("mirror", "reflect", cv2.BORDER_REFLECT_101),
    "wrap": BorderNames("wrap", "wrap", None),
}
BORDERS = tuple(BORDER_NAMES)
#: The modes cv2.filter2D accepts.
OPENCV_BORDERS = tuple(mode for mode, names in BORDER_NAMES.items() if names.opencv is not None)

HYPO = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HYPO_SLOW = settings(HYPO, max_examples=40)


def numpy_pad(image, pad_y, pad_x, border, value=0.0):
    """Pad the two spatial axes of image with numpy.pad in the mode matching border."""
    image = np.asarray(image)
    widths = [(pad_y, pad_y), (pad_x, pad_x)] + [(0, 0)] * (image.ndim - 2)
    if border == "constant":
        return np.pad(image, widths, mode="constant", constant_values=value)
    return np.pad(image, widths, mode=BORDER_NAMES[border].numpy)


def scipy_filter(image, weights, border="replicate", flip=False, value=0.0):
    """scipy.ndimage.correlate (flip=False) or convolve (flip=True), channel by channel."""
    img = np.asarray(image, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    func = ndi.convolve if flip else ndi.correlate
    mode = BORDER_NAMES[border].scipy
    if img.ndim == 2:
        return func(img, w, mode=mode, cval=value)
    return np.stack(
        [func(img[..., c], w, mode=mode, cval=value) for c in range(img.shape[2])],
        axis=-1,
    )


def window_filter(image, weights, border="replicate", flip=False, value=0.0):
    """numpy.pad + sliding windows + einsum: a second, scipy-free reference."""
    img = np.asarray(image, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if flip:
        w = w[::-1, ::-1]
    kh, kw = w.shape
    padded = numpy_pad(img, kh // 2, kw // 2, border, value)
    windows = sliding_window_view(padded, (kh, kw), axis=(0, 1))
    return np.einsum("...ij,ij->...", windows, w)


def tolerance(weights, image, value=0.0):
    """Absolute tolerance for float32 results: scaled by the largest possible response."""
    biggest = max(1.0, float(np.max(np.abs(np.asarray(image, dtype=np.float64)))), abs(value))
    return 2e-5 * (1.0 + float(np.abs(np.asarray(weights, dtype=np.float64)).sum()) * biggest)


def assert_filter_close(actual, expected, weights, image, value=0.0):
    """Assert a float32 filter response matches a float64 reference within rounding."""
    actual = np.asarray(actual)
    assert actual.shape == np.shape(expected), (actual.shape, np.shape(expected))
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=tolerance(weights, image, value))


def random_image(rng, shape, dtype):
    """Random image of the given shape and dtype with a dtype-appropriate value range."""
    dtype = np.dtype(dtype)
    if dtype == np.uint8:
        return rng.integers(0, 256, size=shape).astype(np.uint8)
    if dtype == np.uint16:
        return rng.integers(0, 65536, size=shape).astype(np.uint16)
    if dtype.kind == "i":
        return rng.integers(-300, 301, size=shape).astype(dtype)
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    return rng.uniform(-100.0, 100.0, size=shape).astype(dtype)


odd_sizes = st.integers(0, 4).map(lambda k: 2 * k + 1)  # 1, 3, 5, 7, 9
seeds = st.integers(0, 2**32 - 1)
border_modes = st.sampled_from(BORDERS)
pad_values = st.sampled_from([0.0, 7.5, -3.0, 255.0])
image_dtypes = st.sampled_from([np.uint8, np.int16, np.int32, np.float32, np.float64])


@st.composite
def kernels(draw, max_side=9):
    """Random odd (possibly non-square) kernel, 1..max_side on each side."""
    kh = draw(odd_sizes.filter(lambda s: s <= max_side))
    kw = draw(odd_sizes.filter(lambda s: s <= max_side))
    rng = np.random.default_rng(draw(seeds))
    if draw(st.booleans()):
        return rng.integers(-3, 4, size=(kh, kw)).astype(np.float64)
    return rng.uniform(-2.0, 2.0, size=(kh, kw))


@st.composite
def images(draw, max_side=20, colour=None):
    """Random image, 1..max_side per side (odd and even), gray or HxWxC colour."""
    h = draw(st.one_of(st.just(1), st.integers(1, max_side)))
    w = draw(st.one_of(st.just(1), st.integers(1, max_side)))
    if colour is None:
        colour = draw(st.booleans())
    shape = (h, w, draw(st.sampled_from([3, 4]))) if colour else (h, w)
    dtype = draw(image_dtypes)
    return random_image(np.random.default_rng(draw(seeds)), shape, dtype)
