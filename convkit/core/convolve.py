"""Sliding a kernel over an image: the tutorial's loop, kept readable, and the fast engine.

Both compute correlation, as the tutorial and ``cv2.filter2D`` do:
``output[y, x] = sum(roi * weights)`` where ``roi`` is the patch centred on ``(y, x)``.
``flip=True`` rotates the weights by 180 degrees first, which turns it into true
convolution; nothing else differs. The two doors share their argument checks (`prepare`) and
the border vocabulary (`convkit.padding`); the fast one hands the work to `convkit.engine`,
which follows the route `convkit.planner` chooses.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import check_image, check_value
from .engine import correlate
from .kernels import as_weights
from .padding import Border, check_border, document_border, pad


@document_border
def prepare(image, kernel, border: Border, flip: bool, value: float
            ) -> tuple[np.ndarray, float]:
    """Check the arguments every sliding-window function shares; return the weights as applied.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array of numbers.
    kernel : Kernel or array_like
        2-D weights with odd height and odd width.
    %(border)s
    flip : bool
        True rotates the weights by 180 degrees (true convolution).
    %(value)s

    Returns
    -------
    weights : numpy.ndarray
        float64 weights as applied (rotated when `flip`).
    value : float
        The checked fill.

    Examples
    --------
    >>> weights, value = prepare(np.zeros((2, 2)), [[1, 2, 3]], "constant", True, 5)
    >>> weights.tolist(), value
    ([[3.0, 2.0, 1.0]], 5.0)
    """
    check_image(image)
    weights = as_weights(kernel)
    check_border(border)
    value = check_value(value)
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"flip must be True or False; got {flip!r}")
    if flip:
        weights = weights[::-1, ::-1]
    return weights, value


@document_border
def convolve_loop(
    image: np.ndarray,
    kernel,
    border: Border = "replicate",
    *,
    flip: bool = False,
    value: float = 0.0,
    progress: Callable[[float], object] | None = None,
) -> np.ndarray:
    """Slide the kernel over the image one pixel at a time, as the tutorial does (the reference).

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array of numbers; each channel is filtered on its own.
    kernel : Kernel or array_like
        2-D weights with odd height and odd width.
    %(border)s
        Default "replicate".
    flip : bool, optional
        False (default) for correlation, as the tutorial and cv2.filter2D compute; True for
        true convolution (the weights rotated 180 degrees).
    %(value)s
    progress : callable, optional
        Called with the fraction done, from 0 to 1, about a hundred times.

    Returns
    -------
    numpy.ndarray
        The raw float32 response, of the image's shape, not rescaled.

    See Also
    --------
    convolve : the same numbers from OpenCV, hundreds of times faster.

    Examples
    --------
    An impulse shows correlation turning the kernel around:

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


@document_border
def convolve(
    image: np.ndarray,
    kernel,
    border: Border = "replicate",
    *,
    flip: bool = False,
    value: float = 0.0,
) -> np.ndarray:
    """Same result as `convolve_loop` (within float32 rounding), computed by OpenCV.

    The route depends on the kernel and on whether the image is uint8 (`describe_route` says
    which and why): a centred single weight is a scaled copy, separable kernels run as two
    1-D passes, big constant kernels as a running sum, big kernels of rank 2 or 3 as that many
    pairs of passes, integer kernels on uint8 as exact int16 sums, and the rest as
    cv2.filter2D. uint8 images are read by OpenCV as they are. Borders OpenCV lacks (``wrap``,
    ``constant`` with a non-zero value) or cannot reach (kernels larger than the image) are
    padded once first.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array of numbers; each channel is filtered on its own.
    kernel : Kernel or array_like
        2-D weights with odd height and odd width.
    %(border)s
        Default "replicate".
    flip : bool, optional
        False (default) for correlation, as cv2.filter2D computes; True for true convolution.
    %(value)s

    Returns
    -------
    numpy.ndarray
        The raw float32 response, of the image's shape, not rescaled.

    See Also
    --------
    convolve_loop : the readable reference these numbers match.
    describe_route : which OpenCV calls compute them, and why.

    Examples
    --------
    Output 0 of a wrapped row is its last, first and second values summed, 4 + 0 + 1:

    >>> convolve(np.arange(5.0)[np.newaxis], [[1, 1, 1]], "wrap").tolist()
    [[5.0, 3.0, 6.0, 9.0, 7.0]]
    """
    weights, value = prepare(image, kernel, border, flip, value)
    return correlate(image, weights, border, value)
