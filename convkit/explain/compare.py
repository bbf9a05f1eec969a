"""Why the tutorial's pipeline and cv2.filter2D disagree, pixel count by pixel count."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..core._validation import check_image
from ..core.convolve import convolve
from ..core.kernels import as_weights
from ..core.padding import BORDER_DRAWINGS, OPENCV_DEFAULT_BORDER, check_border, document_border
from .display import check_divisor_offset, check_mapping, to_uint8


@dataclass(frozen=True)
class Cause:
    """One reason two outputs differ, with the number of pixels it accounts for."""

    name: str
    pixels: int
    explanation: str


@dataclass(frozen=True)
class Agreement:
    """How far an output is from cv2.filter2D's, and why."""

    max_abs_diff: int
    differing_pixels: int
    total_pixels: int
    causes: tuple[Cause, ...]

    @property
    def percent_differ(self) -> float:
        """Share of pixels (all channels) that differ, in percent."""
        return 100.0 * self.differing_pixels / self.total_pixels

    @property
    def identical(self) -> bool:
        """Whether every byte matches."""
        return self.differing_pixels == 0


def opencv_reference(image: np.ndarray, kernel) -> np.ndarray:
    """What the tutorial compares against: ``cv2.filter2D(image, -1, kernel)``, defaults kept.

    That is correlation, the reflect_101 border, and rounding to the image's own dtype.

    Parameters
    ----------
    image : ndarray
        (H, W) or (H, W, C).
    kernel : array_like or Kernel
        The weights.

    Returns
    -------
    ndarray
        The filtered image, in `image`'s dtype.

    Examples
    --------
    >>> opencv_reference(np.full((3, 3), 10, np.uint8), [[0, 0, 0], [0, 2, 0], [0, 0, 0]])[1, 1]
    np.uint8(20)
    """
    check_image(image)
    return cv2.filter2D(image, -1, as_weights(kernel))


@document_border
def compare_with_opencv(
    image: np.ndarray,
    kernel,
    raw: np.ndarray,
    border: str,
    mapping: str,
    *,
    flip: bool = False,
    value: float = 0.0,
    divisor: float = 1.0,
    offset: float = 0.0,
) -> Agreement:
    """Compare ``to_uint8(raw, mapping)`` with `opencv_reference` and attribute every difference.

    Each cause is found by undoing one choice at a time (mapping, flip, border) and counting
    the pixels that then agree; what is left is floating-point rounding at exact halves.

    Parameters
    ----------
    image : ndarray of uint8
        The image both outputs were computed from.
    kernel : array_like or Kernel
        The weights.
    raw : ndarray
        convkit's raw response, computed with `border`, `flip` and `value`.
    %(border)s
        The one `raw` was computed with.
    %(mapping)s
    flip : bool, optional
        True if `raw` is a true convolution (the kernel rotated 180 degrees). Default False.
    %(value)s
    %(divisor_offset)s

    Returns
    -------
    Agreement
        The largest byte difference, how many bytes differ, and the causes.

    Examples
    --------
    >>> image = np.arange(25, dtype=np.uint8).reshape(5, 5)
    >>> sharpen = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    >>> raw = convolve(image, sharpen, "reflect_101")
    >>> compare_with_opencv(image, sharpen, raw, "reflect_101", "clip").identical
    True
    """
    check_image(image)
    if image.dtype != np.uint8:
        raise ValueError(f"image must be uint8 to compare with filter2D; got {image.dtype}")
    check_border(border)
    check_mapping(mapping)
    divisor, offset = check_divisor_offset(divisor, offset)
    weights = as_weights(kernel)
    reference = opencv_reference(image, weights).astype(np.int16)

    def differing(candidate: np.ndarray) -> np.ndarray:
        return candidate.astype(np.int16) != reference

    ours = to_uint8(raw, mapping, divisor=divisor, offset=offset)
    diff = np.abs(ours.astype(np.int16) - reference)
    steps = []
    current = differing(ours)
    if mapping != "clip":
        current = _undo(steps, current, differing(to_uint8(raw, "clip")), "mapping",
                        f"the {mapping!r} mapping differs from filter2D's clip and round")
    if flip:
        unflipped = convolve(image, weights, border, value=value)
        current = _undo(steps, current, differing(to_uint8(unflipped, "clip")), "flip",
                        "true convolution rotates the kernel; filter2D correlates")
    if border != OPENCV_DEFAULT_BORDER:
        default_border = convolve(image, weights, OPENCV_DEFAULT_BORDER)
        current = _undo(
            steps, current, differing(to_uint8(default_border, "clip")), "border",
            f"padding is {border} ({BORDER_DRAWINGS[border]}) here; filter2D defaults to "
            f"{OPENCV_DEFAULT_BORDER} ({BORDER_DRAWINGS[OPENCV_DEFAULT_BORDER]}), so pixels "
            f"within the kernel's reach of the edge differ",
        )
    if current.any():
        steps.append(Cause("rounding", int(current.sum()),
                           "float rounding: sums within a hair of .5 round the other way"))
    return Agreement(max_abs_diff=int(diff.max()), differing_pixels=int((diff > 0).sum()),
                     total_pixels=int(diff.size), causes=tuple(steps))


def _undo(steps: list, before: np.ndarray, after: np.ndarray, name: str, explanation: str):
    fixed = int((before & ~after).sum())
    if fixed:
        steps.append(Cause(name, fixed, explanation))
    return after
