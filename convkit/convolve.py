"""Sliding a kernel over an image: the tutorial's loop, kept readable, and a fast engine.

Both compute correlation, as the tutorial and ``cv2.filter2D`` do:
``output[y, x] = sum(roi * weights)`` where ``roi`` is the patch centred on ``(y, x)``.
``flip=True`` rotates the weights by 180 degrees first, which turns it into true
convolution; nothing else differs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import cv2
import numpy as np

from ._validation import check_image, check_value
from .kernels import as_weights
from .padding import OPENCV_BORDERS, check_border, pad

#: A kernel whose second singular value is below this fraction of the first is separable:
#: it runs as two 1-D passes. Low-rank kernels drop singular values below it too.
SEPARABLE_TOLERANCE = 1e-9

# Routing thresholds for `_filter`, measured on float32 images of 3 and 12 megapixels with
# OpenCV 5 on two cores (python -m bench shows the resulting timings).
#: cv2.boxFilter costs the same for any kernel size but runs on one thread, and two 1-D passes
#: beat it until the kernel is big: constant kernels with height + width >= this run as it.
BOX_MIN_SPAN = 32
#: cv2.filter2D switches from direct sums to a DFT for float32 kernels of this many cells
#: (OpenCV's dft_filter_size); only past it do a few separable passes beat filter2D.
DFT_MIN_AREA = 130
#: Kernels of rank 2..LOW_RANK_MAX run as that many separable passes, summed...
LOW_RANK_MAX = 3
#: ...when the passes are short: rank * (height + width) at most this.
LOW_RANK_MAX_TAPS = 100
#: Routes chosen for this many recent kernels of at most this many cells are remembered.
PLAN_CACHE_ENTRIES = 128
PLAN_CACHE_MAX_CELLS = 64 * 64


def prepare(image, kernel, border: str, flip: bool, value: float):
    """Validate the arguments shared by every sliding-window function; return weights as applied."""
    check_image(image)
    weights = as_weights(kernel)
    check_border(border)
    value = check_value(value)
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"flip must be True or False; got {flip!r}")
    if flip:
        weights = weights[::-1, ::-1]
    return weights, value


def convolve_loop(
    image: np.ndarray,
    kernel,
    border: str = "replicate",
    *,
    flip: bool = False,
    value: float = 0.0,
    progress: Callable[[float], object] | None = None,
) -> np.ndarray:
    """Slide the kernel over the image one pixel at a time, as the tutorial does (the reference).

    Parameters
    ----------
    image : (H, W) or (H, W, C) array; each channel is filtered on its own.
    kernel : Kernel or 2-D array-like with odd height and odd width.
    border : {"replicate", "constant", "reflect", "reflect_101", "wrap"}
    flip : False for correlation (the tutorial, cv2.filter2D), True for true convolution.
    value : fill of the ``constant`` border.
    progress : called with the fraction done, from 0 to 1.

    Returns the raw float32 response, same shape as `image`, not rescaled.

    >>> impulse = np.zeros((3, 3)); impulse[1, 1] = 1
    >>> convolve_loop(impulse, np.arange(1, 10).reshape(3, 3), "constant").astype(int)
    array([[9, 8, 7],
           [6, 5, 4],
           [3, 2, 1]])
    """
    weights, value = prepare(image, kernel, border, flip, value)
    kernel_height, kernel_width = weights.shape
    height, width = image.shape[:2]
    padded = pad(image.astype(np.float64), kernel_height // 2, kernel_width // 2, border, value)
    if image.ndim == 2:
        padded = padded[:, :, np.newaxis]
    channels = padded.shape[2]
    output = np.zeros((height, width, channels), dtype=np.float32)

    rows_done, rows_total = 0, height * channels
    report_every = max(1, rows_total // 100)
    for channel in range(channels):
        plane = padded[:, :, channel]
        for y in range(height):
            for x in range(width):
                # The patch under the kernel when its centre sits on (y, x).
                roi = plane[y : y + kernel_height, x : x + kernel_width]
                output[y, x, channel] = (roi * weights).sum()
            rows_done += 1
            if progress is not None and (rows_done % report_every == 0 or rows_done == rows_total):
                progress(rows_done / rows_total)
    return output[:, :, 0] if image.ndim == 2 else output


def convolve(
    image: np.ndarray,
    kernel,
    border: str = "replicate",
    *,
    flip: bool = False,
    value: float = 0.0,
) -> np.ndarray:
    """Same result as `convolve_loop` (within float32 rounding), computed by OpenCV.

    The route depends on the kernel (see `_filter`): a centred single weight is a scaled copy,
    3 x 3 and 1-D kernels go straight to cv2.filter2D, larger separable kernels (rank 1) run as
    two 1-D passes, big constant kernels as a running-sum box filter, and big kernels of rank 2
    or 3 as that many separable passes summed. Borders cv2.filter2D lacks (``wrap``,
    ``constant`` with a non-zero value) or cannot reach (kernels larger than the image) are
    padded once first.

    >>> convolve(np.arange(5.0)[np.newaxis], [[1, 1, 1]], "wrap").tolist()
    [[5.0, 3.0, 6.0, 9.0, 7.0]]
    """
    weights, value = prepare(image, kernel, border, flip, value)
    source = image if image.dtype == np.float32 else image.astype(np.float32)
    if source.ndim == 3 and source.shape[2] > 4:
        # OpenCV filters at most 4 channels at once: the rest go one plane at a time.
        output = np.empty(source.shape, dtype=np.float32)
        for channel in range(source.shape[2]):
            plane = np.ascontiguousarray(source[:, :, channel])
            output[:, :, channel] = _correlate(plane, weights, border, value)
        return output
    return _correlate(source, weights, border, value)


def separate(weights: np.ndarray, tolerance: float = SEPARABLE_TOLERANCE):
    """Split a rank-1 kernel into (column, row) 1-D factors with ``outer(column, row) == weights``.

    The factors are a column and a row of the kernel itself, rescaled for reading: integer
    kernels keep integer factors (Sobel x gives ``[1, 2, 1]`` and ``[-1, 0, 1]``), others
    get a column summing to 1 (a Gaussian gives the 1-D Gaussian twice). Returns None when
    the kernel is not separable (its second singular value exceeds `tolerance` times the
    first) or is all zeros.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if numerical_rank(np.linalg.svd(weights, compute_uv=False), tolerance) != 1:
        return None
    return _rank_one_factors(weights)


def numerical_rank(singular: np.ndarray, tolerance: float = SEPARABLE_TOLERANCE) -> int:
    """How many of the (descending) singular values exceed `tolerance` times the largest."""
    if singular[0] == 0:
        return 0
    return int(np.count_nonzero(singular > tolerance * singular[0]))


def _rank_one_factors(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(column, row) of a rank-1 kernel, read off the column and row of its largest weight.

    Scaled for reading: integer factors when there are some (Sobel x: [1, 2, 1] and
    [-1, 0, 1]), else a column summing to 1 (a Gaussian splits into two 1-D Gaussians);
    a non-zero column sum, or failing that row sum, is made positive.
    """
    row_index, column_index = np.unravel_index(np.argmax(np.abs(weights)), weights.shape)
    column = weights[:, column_index].copy()
    row = weights[row_index] / weights[row_index, column_index]
    smallest = np.abs(column[column != 0]).min()
    if _integral(column / smallest) and _integral(row * smallest):
        scale = smallest
    elif abs(column.sum()) > 1e-9 * np.abs(column).sum():
        scale = abs(column.sum())
    else:
        scale = np.abs(column).max()
    column, row = column / scale, row * scale
    column_sum, row_sum = column.sum(), row.sum()
    if abs(column_sum) > 1e-9 * np.abs(column).sum():
        sign = np.sign(column_sum)
    elif abs(row_sum) > 1e-9 * np.abs(row).sum():
        sign = np.sign(row_sum)
    else:
        sign = np.sign(column[np.flatnonzero(column)[0]])
    return _symmetrised(column * sign), _symmetrised(row * sign)


def _integral(values: np.ndarray) -> bool:
    """Whether all values are whole numbers, up to rounding."""
    return bool(np.all(np.abs(values - np.rint(values)) <= 1e-9 * max(1.0, np.abs(values).max())))


def _symmetrised(factor: np.ndarray) -> np.ndarray:
    """Make a 1-D factor exactly (anti)symmetric when it is so up to rounding.

    OpenCV filters with exactly symmetric or antisymmetric 1-D kernels faster (it folds the
    mirrored taps), and the change is far below float32 rounding.
    """
    mirrored = factor[::-1]
    slack = 1e-12 * np.abs(factor).max()
    difference = np.abs(factor - mirrored)
    if difference.max() <= slack:
        return (factor + mirrored) / 2
    if np.abs(factor + mirrored).max() <= slack:
        return (factor - mirrored) / 2
    return factor


def _correlate(source: np.ndarray, weights: np.ndarray, border: str, value: float) -> np.ndarray:
    """Correlate a float32 image of at most 4 channels, padding first where OpenCV cannot."""
    pad_y, pad_x = weights.shape[0] // 2, weights.shape[1] // 2
    height, width = source.shape[:2]
    opencv_lacks_border = border == "wrap" or (border == "constant" and value != 0.0)
    if opencv_lacks_border or pad_y >= height or pad_x >= width:
        # Every output pixel then reads only padded cells, so OpenCV's own border is never used.
        padded = pad(source, pad_y, pad_x, border, value)
        result = _filter(padded, weights, cv2.BORDER_CONSTANT)
        return np.ascontiguousarray(result[pad_y : pad_y + height, pad_x : pad_x + width])
    return _filter(source, weights, OPENCV_BORDERS[border])


def _filter(source: np.ndarray, weights: np.ndarray, cv_border: int) -> np.ndarray:
    """Correlate float32 `source` with `weights` by the fastest exact OpenCV route (see _plan)."""
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    if weights.size <= PLAN_CACHE_MAX_CELLS:
        route, *arguments = _cached_plan(weights.shape, weights.tobytes())
    else:
        route, *arguments = _plan(weights)
    if route == "filter2D":
        (kernel,) = arguments
        return cv2.filter2D(source, -1, kernel, borderType=cv_border)
    if route == "copy":
        return source.copy()
    if route == "scale":
        return np.multiply(source, arguments[0])
    if route == "box":
        size, scale = arguments
        summed = cv2.boxFilter(source, -1, size, normalize=False, borderType=cv_border)
        # Scaling afterwards keeps any constant weight, not only 1 / (height * width).
        return np.multiply(summed, scale, out=summed)
    output = None
    for row, column in arguments[0]:
        part = cv2.sepFilter2D(source, -1, row, column, borderType=cv_border)
        output = part if output is None else np.add(output, part, out=output)
    return output


@functools.lru_cache(maxsize=PLAN_CACHE_ENTRIES)
def _cached_plan(shape: tuple[int, int], data: bytes) -> tuple:
    """`_plan` of the float64 weights in `data`, kept for the next call with the same weights."""
    return _plan(np.frombuffer(data, dtype=np.float64).reshape(shape))


def _plan(weights: np.ndarray) -> tuple:
    """Choose how to correlate with `weights` (float64), and prepare what that route needs.

    Returns the route and what it needs, cheapest first (timings: python -m bench):

    - ``("copy",)`` / ``("scale", w)``: only the centre weight is non-zero, a (scaled) copy,
      about three times as fast as any filter;
    - ``("filter2D", kernel)``: 3 x 3 and 1-D kernels, where cv2.filter2D beats both two 1-D
      passes and cv2.boxFilter, and kernels no cheaper route fits;
    - ``("box", (width, height), w)``: constant kernels with height + width >= BOX_MIN_SPAN, a
      running sum (cv2.boxFilter), whose cost does not grow with the kernel;
    - ``("separable", ((row, column), ...))``: rank 1, two 1-D passes (cv2.sepFilter2D),
      height + width taps instead of height * width; or rank 2..LOW_RANK_MAX when filter2D
      would use its slow DFT, one pair of passes per rank, summed.

    Working this out (an SVD) costs more than filtering a small image, hence _cached_plan.
    """
    kernel_height, kernel_width = weights.shape
    centre = weights[kernel_height // 2, kernel_width // 2]
    if centre != 0 and np.count_nonzero(weights) == 1:
        return ("copy",) if centre == 1 else ("scale", np.float32(centre))
    as_kernel = ("filter2D", _frozen(weights))
    if (kernel_height <= 3 and kernel_width <= 3) or kernel_height == 1 or kernel_width == 1:
        return as_kernel

    first = weights[0, 0]
    if kernel_height + kernel_width >= BOX_MIN_SPAN and np.all(weights == first):
        return ("box", (kernel_width, kernel_height), np.float32(first))

    rank = numerical_rank(np.linalg.svd(weights, compute_uv=False))
    if rank == 1:
        # A column and a row of the kernel itself: exact (anti)symmetry survives, unlike SVD's.
        column, row = _rank_one_factors(weights)
        return ("separable", ((_frozen(row), _frozen(column)),))
    cheap_passes = rank * (kernel_height + kernel_width) <= LOW_RANK_MAX_TAPS
    if (2 <= rank <= LOW_RANK_MAX and cheap_passes
            and kernel_height * kernel_width >= DFT_MIN_AREA):
        left, singular, right = np.linalg.svd(weights)
        scales = np.sqrt(singular[:rank])
        return ("separable", tuple(
            (_frozen(_symmetrised(right[index] * scales[index])),
             _frozen(_symmetrised(left[:, index] * scales[index])))
            for index in range(rank)))
    return as_kernel


def _frozen(weights: np.ndarray) -> np.ndarray:
    """A read-only float32 copy: cached plans are shared by every caller."""
    copy = np.array(weights, dtype=np.float32)
    copy.flags.writeable = False
    return copy
