"""Why the tutorial's pipeline and cv2.filter2D disagree, pixel count by pixel count."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..core._validation import check_image
from ..core.convolve import convolve
from ..core.kernels import as_weights
from ..core.padding import BORDER_DRAWINGS, OPENCV_DEFAULT_BORDER, check_border, document_border
from .display import check_divisor_offset, check_mapping, to_uint8


@dataclass(frozen=True)
class Cause:
    """A group of differing values and the choices they differ by, with how many there are.

    The groups of one comparison do not overlap and add up to all its differing values.
    """

    name: str
    pixels: int
    explanation: str
    #: The choices that differ from filter2D behind this group ("mapping", "flip", "border"):
    #: one for a choice alone, several for values only those choices together explain,
    #: none for floating-point rounding.
    factors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agreement:
    """How far an output is from cv2.filter2D's, and why."""

    max_abs_diff: int
    differing_pixels: int
    total_pixels: int
    causes: tuple[Cause, ...]
    #: Each choice made differently from filter2D (name to what it does differently).
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def percent_differ(self) -> float:
        """Share of pixels (all channels) that differ, in percent."""
        return 100.0 * self.differing_pixels / self.total_pixels

    @property
    def identical(self) -> bool:
        """Whether every byte matches."""
        return self.differing_pixels == 0


#: What the tutorial's mapping does differently from filter2D, in words.
TUTORIAL_TRUNCATES = ("the tutorial truncates (rescale then astype('uint8')), filter2D rounds: "
                      "a sum of 254.9 gives 254 there, 255 here")


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

    Each choice made differently from filter2D (mapping, flip, border) is tried alone, with
    filter2D's settings for the others; every differing value is then counted once, in one
    group: changed by one choice alone, by several (each alone, or only together), or by
    neither (floating-point rounding at exact halves). The groups add up to
    ``differing_pixels``.

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
    choices = {}
    if mapping != "clip":
        choices["mapping"] = (TUTORIAL_TRUNCATES if mapping == "tutorial" else
                              f"the {mapping!r} mapping differs from filter2D's clip and round")
    if flip:
        choices["flip"] = "true convolution rotates the kernel; filter2D correlates"
    if border != OPENCV_DEFAULT_BORDER:
        choices["border"] = (
            f"padding is {border} ({BORDER_DRAWINGS[border]}) here; filter2D defaults to "
            f"{OPENCV_DEFAULT_BORDER} ({BORDER_DRAWINGS[OPENCV_DEFAULT_BORDER]}), so pixels "
            f"within the kernel's reach of the edge differ")

    def with_only(made: tuple[str, ...]) -> np.ndarray:
        """Where the output with only the choices `made` (filter2D's for the rest) differs."""
        response = convolve(image, weights, border if "border" in made else OPENCV_DEFAULT_BORDER,
                            flip="flip" in made, value=value)
        return differing(to_uint8(response, mapping if "mapping" in made else "clip",
                                  divisor=divisor, offset=offset))

    return Agreement(max_abs_diff=int(diff.max()), differing_pixels=int((diff > 0).sum()),
                     total_pixels=int(diff.size),
                     causes=_groups(diff > 0, tuple(choices), with_only, choices),
                     choices=choices)


def _groups(differs: np.ndarray, names: tuple[str, ...], with_only, choices: dict[str, str]
            ) -> tuple[Cause, ...]:
    """Split the differing values by which choices, made alone, change them.

    A value that one choice alone changes is that choice's; one that several change, each
    alone, is theirs together. A value no choice changes alone goes to the fewest choices
    that change it together (a replicated edge pushing a sum across a whole number that
    truncation then drops); a value not even all of them change is floating-point rounding.
    """
    subsets = sorted(range(1, 1 << len(names)), key=lambda m: (bin(m).count("1"), m))

    def made(mask: int) -> tuple[str, ...]:
        return tuple(name for bit, name in enumerate(names) if mask >> bit & 1)

    # One bit per choice: bit i set where choice i alone makes the value differ.
    group = np.zeros(differs.shape, np.int64)
    for bit, name in enumerate(names):
        group |= with_only((name,)).astype(np.int64) << bit
    for mask in subsets:
        if bin(mask).count("1") > 1:
            unexplained = differs & (group == 0)
            if not unexplained.any():
                break
            group[unexplained & with_only(made(mask))] = mask
    counts = np.bincount(group[differs], minlength=1 << len(names))
    causes = []
    for mask in subsets:
        if counts[mask]:
            factors = made(mask)
            explanation = (choices[factors[0]] if len(factors) == 1 else
                           f"each of {_and(factors)} alone changes these values, or only "
                           "the choices together do")
            causes.append(Cause(_and(factors), int(counts[mask]), explanation, factors))
    if counts[0]:
        causes.append(Cause("rounding", int(counts[0]),
                            "float rounding: sums within a hair of .5 round the other way"))
    return tuple(causes)


def _and(names) -> str:
    """'mapping', 'mapping and border', 'mapping, flip and border'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
