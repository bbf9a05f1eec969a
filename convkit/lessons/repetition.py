"""Applying one kernel again and again: the composed kernel, and how close it is to a Gaussian.

Filtering n times with a kernel equals filtering once with its n-fold composition (away from
the borders). For a blur, that composition tends to a Gaussian whose variance is n times the
kernel's own (the central limit theorem): three box blurs already look like one Gaussian.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core._validation import check_image, check_positive_int, check_value, check_weights
from ..core.convolve import convolve
from ..core.padding import document_border

#: At most this many applications: enough to see the bell emerge, bounded in time.
MAX_TIMES = 10


@dataclass(frozen=True, eq=False)
class Repetition:
    """A kernel applied `times` times, as one kernel, with its profile and fitted Gaussian."""

    times: int
    weights: np.ndarray  # the composed kernel, (n (h - 1) + 1) x (n (w - 1) + 1)
    axis: str  # "horizontal" (columns summed) or "vertical" (rows summed)
    offsets: np.ndarray  # profile positions, 0 at the centre
    profile: np.ndarray  # the composed kernel summed across the other axis
    gaussian: np.ndarray | None  # the fitted Gaussian at the same offsets, same total
    sigma: float | None  # its standard deviation in pixels (None: no fit, see `fit_note`)
    fit_note: str  # why there is no fit, or "" when there is one

    @property
    def error(self) -> float | None:
        """Largest |profile - gaussian| as a share of the profile's peak (None without a fit)."""
        if self.gaussian is None:
            return None
        return float(np.abs(self.profile - self.gaussian).max() / np.abs(self.profile).max())


def check_times(times) -> int:
    """Return `times` if it is a whole number in 1..MAX_TIMES.

    Examples
    --------
    >>> check_times(3)
    3
    """
    times = check_positive_int(times, "times")
    if times > MAX_TIMES:
        raise ValueError(f"times must be at most {MAX_TIMES}; got {times}")
    return times


def compose_power(weights, times: int) -> np.ndarray:
    """The kernel equal to applying `weights` `times` times: its `times`-fold full convolution.

    Parameters
    ----------
    weights : array_like
        A kernel with odd sides.
    times : int
        1..MAX_TIMES.

    Returns
    -------
    ndarray
        (times (h - 1) + 1) x (times (w - 1) + 1) float64.

    Examples
    --------
    >>> compose_power(np.ones((1, 3)), 2).round(12).tolist()
    [[1.0, 2.0, 3.0, 2.0, 1.0]]
    """
    weights = check_weights(weights)
    times = check_times(times)
    height, width = weights.shape
    shape = (times * (height - 1) + 1, times * (width - 1) + 1)
    # One FFT and a power instead of times - 1 direct convolutions: the same result up to
    # float rounding (the tests compare with scipy.signal.convolve2d), in milliseconds even
    # for a 31 x 31 kernel applied 10 times (a 301 x 301 result).
    spectrum = np.fft.rfft2(weights, s=shape)
    return np.fft.irfft2(spectrum**times, s=shape)


def repeat_kernel(weights, times: int) -> Repetition:
    """The kernel applied `times` times, its profile and the Gaussian fitted to that profile.

    The profile is the composed kernel summed over its rows (a horizontal profile; over its
    columns when it is one column wide). The Gaussian has the profile's total, mean and
    variance (a moment fit), sampled at the same offsets: for a box of width w applied n
    times its variance is n (w² - 1) / 12.

    Parameters
    ----------
    weights : array_like
        A kernel with odd sides.
    times : int
        1..MAX_TIMES.

    Returns
    -------
    Repetition
        No fit (``sigma`` None, with a note) unless the weights are >= 0 with a positive sum,
        as a blur's are, and spread over more than one cell.

    Examples
    --------
    >>> r = repeat_kernel(np.ones((3, 3)) / 9, 3)
    >>> r.weights.shape, round(r.sigma ** 2, 6)
    ((7, 7), 2.0)
    """
    composed = compose_power(weights, times)
    weights = check_weights(weights)
    horizontal = composed.shape[1] > 1
    profile = composed.sum(axis=0) if horizontal else composed.sum(axis=1)
    offsets = np.arange(profile.size) - profile.size // 2
    gaussian, sigma, note = _fit_gaussian(offsets, profile, weights)
    return Repetition(times=times, weights=composed, axis="horizontal" if horizontal else
                      "vertical", offsets=offsets, profile=profile, gaussian=gaussian,
                      sigma=sigma, fit_note=note)


def _fit_gaussian(offsets: np.ndarray, profile: np.ndarray, weights: np.ndarray):
    if (weights < 0).any() or weights.sum() <= 0:
        return None, None, ("a Gaussian fits blurs only: this kernel has negative weights or "
                            "does not sum to a positive number")
    total = float(profile.sum())
    mean = float((offsets * profile).sum() / total)
    variance = float(((offsets - mean) ** 2 * profile).sum() / total)
    if variance < 1e-12:
        return None, None, "the profile is a single cell: there is no spread to fit"
    bell = np.exp(-((offsets - mean) ** 2) / (2 * variance))
    return total * bell / bell.sum(), float(np.sqrt(variance)), ""


@document_border
def apply_repeatedly(image: np.ndarray, weights, times: int, border: str = "replicate", *,
                     flip: bool = False, value: float = 0.0) -> np.ndarray:
    """Filter `image` with `weights` `times` times in a row, each pass padded by `border`.

    No pass is rounded to bytes: the float response of one is the input of the next, so the
    result equals one pass with ``compose_power(weights, times)`` away from the borders.

    Parameters
    ----------
    image : ndarray
        (H, W) or (H, W, C).
    weights : array_like
        A kernel with odd sides.
    times : int
        1..MAX_TIMES.
    %(border)s
        The same for every pass. Default "replicate".
    flip : bool, optional
        True for true convolution (the weights rotated 180 degrees), False (default) for
        correlation.
    %(value)s

    Returns
    -------
    ndarray
        float32, the shape of `image`.

    Examples
    --------
    >>> impulse = np.zeros((1, 7)); impulse[0, 3] = 1
    >>> apply_repeatedly(impulse, np.ones((1, 3)), 2, "constant").round(6).tolist()
    [[0.0, 1.0, 2.0, 3.0, 2.0, 1.0, 0.0]]
    """
    check_image(image)
    weights = check_weights(weights)
    times = check_times(times)
    value = check_value(value)
    result = image
    for _ in range(times):
        result = convolve(result, weights, border, flip=flip, value=value)
    return result


def gaussian_gaps(weights, up_to: int = MAX_TIMES) -> tuple[float | None, ...]:
    """How far the kernel applied 1, 2, ..., `up_to` times is from its fitted Gaussian.

    Parameters
    ----------
    weights : array_like
        A kernel with odd sides.
    up_to : int
        1..MAX_TIMES.

    Returns
    -------
    tuple
        ``repeat_kernel(weights, n).error`` for n = 1..`up_to` (None where there is no fit).

    Examples
    --------
    >>> [round(gap, 2) for gap in gaussian_gaps(np.ones((1, 5)) / 5, 4)]
    [0.52, 0.1, 0.08, 0.04]
    """
    up_to = check_times(up_to)
    return tuple(repeat_kernel(weights, n).error for n in range(1, up_to + 1))
