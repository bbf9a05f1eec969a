"""Sliding a kernel over an image: the tutorial's loop, kept readable, and a fast engine.

Both compute correlation, as the tutorial and ``cv2.filter2D`` do:
``output[y, x] = sum(roi * weights)`` where ``roi`` is the patch centred on ``(y, x)``.
``flip=True`` rotates the weights by 180 degrees first, which turns it into true
convolution; nothing else differs.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from ._validation import check_image, check_value
from .kernels import as_weights
from .padding import OPENCV_BORDERS, check_border, pad

#: A kernel whose second singular value is below this fraction of the first is separable:
#: it runs as two 1-D passes.
SEPARABLE_TOLERANCE = 1e-9


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

    Separable kernels (rank 1) run as two 1-D passes and constant kernels as a running-sum box
    filter. Borders cv2.filter2D lacks (``wrap``, ``constant`` with a non-zero value) or cannot
    reach (kernels larger than the image) are padded once first.

    >>> convolve(np.arange(5.0)[np.newaxis], [[1, 1, 1]], "wrap").tolist()
    [[5.0, 3.0, 6.0, 9.0, 7.0]]
    """
    weights, value = prepare(image, kernel, border, flip, value)
    source = image if image.dtype == np.float32 else image.astype(np.float32)
    if source.ndim == 3 and source.shape[2] > 4:
        planes = [convolve(source[:, :, c], weights, border, value=value)
                  for c in range(source.shape[2])]
        return np.stack(planes, axis=2)

    pad_y, pad_x = weights.shape[0] // 2, weights.shape[1] // 2
    height, width = source.shape[:2]
    opencv_lacks_border = border == "wrap" or (border == "constant" and value != 0.0)
    if opencv_lacks_border or pad_y >= height or pad_x >= width:
        # Every output pixel then reads only padded cells, so OpenCV's own border is never used.
        padded = pad(source, pad_y, pad_x, border, value)
        result = _filter(padded, weights, cv2.BORDER_CONSTANT)
        return np.ascontiguousarray(result[pad_y : pad_y + height, pad_x : pad_x + width])
    return _filter(source, weights, OPENCV_BORDERS[border])


def separate(weights: np.ndarray, tolerance: float = SEPARABLE_TOLERANCE):
    """Split a rank-1 kernel into (column, row) 1-D factors with ``outer(column, row) == weights``.

    Returns None when the kernel is not separable (its second singular value exceeds
    `tolerance` times the first) or is all zeros.
    """
    weights = np.asarray(weights, dtype=np.float64)
    u, s, vt = np.linalg.svd(weights)
    if s[0] == 0 or (len(s) > 1 and s[1] > tolerance * s[0]):
        return None
    scale = np.sqrt(s[0])
    return u[:, 0] * scale, vt[0] * scale


def _filter(source: np.ndarray, weights: np.ndarray, cv_border: int) -> np.ndarray:
    """Correlate float32 `source` with `weights` using the fastest exact OpenCV route."""
    kernel_height, kernel_width = weights.shape
    if kernel_height * kernel_width == 1:
        return source * np.float32(weights[0, 0])
    first = weights.flat[0]
    if kernel_height * kernel_width >= 9 and np.all(weights == first):
        # A running sum costs the same for any size; scaling afterwards keeps any constant weight.
        summed = cv2.boxFilter(source, -1, (kernel_width, kernel_height), normalize=False,
                               borderType=cv_border)
        return summed * np.float32(first)
    factors = separate(weights) if max(kernel_height, kernel_width) > 3 else None
    if factors is not None:
        column, row = factors
        return cv2.sepFilter2D(source, -1, row.astype(np.float32), column.astype(np.float32),
                               borderType=cv_border)
    return cv2.filter2D(source, -1, weights.astype(np.float32), borderType=cv_border)
