"""The fast engine: carry out the planner's route with OpenCV, on uint8 or float32 images.

uint8 images are handed to OpenCV as they are, with a float32 result (``ddepth=cv2.CV_32F``):
converting a whole image to float32 first costs a second image-sized buffer, which on a busy
machine is slower than the filter itself. Only routes that need float32 (see
`convkit.planner`) convert first.
"""

from __future__ import annotations

import cv2
import numpy as np

from .padding import OPENCV_BORDERS, Border, pad
from .planner import Route, fits_uint8, needs_padding, route_for

#: OpenCV filters at most this many channels in one call.
OPENCV_MAX_CHANNELS = 4
#: int16 sums of an image bigger than this (in bytes of int16) run in strips of rows of about
#: INT16_STRIP_BYTES, converted to float32 strip by strip: a whole int16 image out of cache
#: costs a second pass over memory. Measured (python -m bench): sharpen at 12 MP took 1.41
#: times filter2D's time in one piece and 0.89 in 1 MB strips; at 3 MP 0.78 in one piece and
#: 1.18 in strips (each call then has too little work for OpenCV's two threads).
INT16_WHOLE_MAX_BYTES = 8 << 20
INT16_STRIP_BYTES = 1 << 20


def correlate(image: np.ndarray, weights: np.ndarray, border: Border,
              value: float) -> np.ndarray:
    """Correlate a checked image with checked weights (as applied); float32 result.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) image of any numeric dtype, already validated.
    weights : numpy.ndarray
        2-D float64 weights, already rotated for a true convolution.
    border : str
        A border mode (see BORDER_MODES), already validated.
    value : float
        The constant border's fill, already validated.

    Returns
    -------
    numpy.ndarray
        float32 array of the image's shape.

    Examples
    --------
    >>> correlate(np.array([[0, 10, 0]], np.uint8), np.array([[1.0, 2.0, 3.0]]), "constant", 0.0)
    array([[30., 20., 10.]], dtype=float32)
    """
    padded = needs_padding(weights.shape, image.shape[:2], border, value)
    if image.dtype == np.uint8 and (not padded or fits_uint8(value, border)):
        source = image
    else:
        # Other dtypes, and a fill a byte cannot hold, are filtered as float32.
        source = image if image.dtype == np.float32 else image.astype(np.float32)
    route = route_for(weights, source.dtype == np.uint8, source.size)
    if source.ndim == 3 and source.shape[2] > OPENCV_MAX_CHANNELS:
        output = np.empty(source.shape, dtype=np.float32)
        for channel in range(source.shape[2]):
            plane = np.ascontiguousarray(source[:, :, channel])
            output[:, :, channel] = _correlate_planes(plane, route, weights.shape, border, value,
                                                      padded)
        return output
    return _correlate_planes(source, route, weights.shape, border, value, padded)


def _correlate_planes(source: np.ndarray, route: Route, kernel_shape: tuple[int, int],
                      border: Border, value: float, padded: bool) -> np.ndarray:
    """Correlate an image of at most 4 channels, padding first where OpenCV cannot."""
    if not padded:
        return run(source, route, OPENCV_BORDERS[border])
    pad_y, pad_x = kernel_shape[0] // 2, kernel_shape[1] // 2
    height, width = source.shape[:2]
    # Every output pixel then reads only padded cells, so OpenCV's own border is never used.
    result = run(pad(source, pad_y, pad_x, border, value), route, cv2.BORDER_CONSTANT)
    return np.ascontiguousarray(result[pad_y : pad_y + height, pad_x : pad_x + width])


def run(source: np.ndarray, route: Route, cv_border: int) -> np.ndarray:
    """Carry out `route` on a uint8 or float32 image with OpenCV's border `cv_border`.

    Parameters
    ----------
    source : numpy.ndarray
        uint8 or float32 image of at most 4 channels.
    route : Route
        From `convkit.planner.plan` for this dtype.
    cv_border : int
        An OpenCV border flag (``cv2.BORDER_*``).

    Returns
    -------
    numpy.ndarray
        A new float32 array of the image's shape.

    Examples
    --------
    >>> from convkit.core.planner import plan
    >>> run(np.full((2, 2), 3, np.uint8), plan([[2.0]], np.uint8), cv2.BORDER_REFLECT_101)
    array([[6., 6.],
           [6., 6.]], dtype=float32)
    """
    if route.convert_first:
        source = source.astype(np.float32)
    name, arguments = route.name, route.arguments
    if name == "copy":
        return source.astype(np.float32)
    if name == "scale":
        if source.dtype == np.float32:
            return np.multiply(source, arguments[0])
        # Converting, then scaling in place, beats one mixed-type multiply.
        output = source.astype(np.float32)
        return np.multiply(output, arguments[0], out=output)
    if name == "filter2D":
        kernel, depth = arguments
        return cv2.filter2D(source, depth, kernel, borderType=cv_border)
    if name == "filter2D_int16":
        return _int16_sums(source, *arguments, cv_border)
    if name == "box":
        size, scale = arguments
        summed = cv2.boxFilter(source, cv2.CV_32F, size, normalize=False, borderType=cv_border)
        # Scaling afterwards keeps any constant weight, not only 1 / (height * width).
        return np.multiply(summed, scale, out=summed)
    output = None
    for row, column in arguments:
        part = cv2.sepFilter2D(source, cv2.CV_32F, row, column, borderType=cv_border)
        output = part if output is None else np.add(output, part, out=output)
    return output


def _int16_sums(source: np.ndarray, kernel: np.ndarray, step: np.float32,
                cv_border: int) -> np.ndarray:
    """Integer weights on bytes: exact int16 sums (faster than float32 ones), times `step`."""
    if source.size * 2 <= INT16_WHOLE_MAX_BYTES:
        output = cv2.filter2D(source, cv2.CV_16S, kernel, borderType=cv_border).astype(np.float32)
        return output if step == 1 else np.multiply(output, step, out=output)
    height = source.shape[0]
    pad_y = kernel.shape[0] // 2
    rows = max(4 * pad_y + 1, INT16_STRIP_BYTES * height // (2 * source.size))
    output = np.empty(source.shape, dtype=np.float32)
    for top in range(0, height, rows):
        bottom = min(top + rows, height)
        # The strip reads pad_y real rows beyond each of its ends; OpenCV's border only
        # applies at the image's own top and bottom, the other extra rows are dropped.
        first, last = max(top - pad_y, 0), min(bottom + pad_y, height)
        sums = cv2.filter2D(source[first:last], cv2.CV_16S, kernel, borderType=cv_border)
        np.multiply(sums[top - first : bottom - first], step, out=output[top:bottom])
    return output
