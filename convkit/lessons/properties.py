"""What a kernel does, read off its weights: sum, symmetry, separability, frequency response."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core._validation import check_image, check_positive_int, check_weights
from ..core.convolve import convolve
from ..core.formatting import format_number
from ..core.separable import numerical_rank, rank_one_factors, singular_values


@dataclass(frozen=True, eq=False)
class KernelProperties:
    """Facts about a kernel's weights, for the kernel lab."""

    shape: tuple[int, int]
    total: float
    sum_meaning: str
    symmetries: tuple[str, ...]
    rank: int
    factors: tuple[np.ndarray, np.ndarray] | None  # (column, row) when rank 1

    @property
    def separable(self) -> bool:
        """Whether the kernel is the outer product of a column and a row (two 1-D passes)."""
        return self.factors is not None


def sum_meaning(total: float) -> str:
    """What a kernel's sum does to a flat (constant) region of the image."""
    if abs(total - 1.0) < 1e-9:
        return "sums to 1: flat areas keep their brightness (a blur or a sharpen)"
    if abs(total) < 1e-9:
        return "sums to 0: flat areas become 0, only changes (edges, texture) respond"
    shown = format_number(total)
    if total > 1:
        return f"sums to {shown}: flat areas get {shown} times brighter"
    if total > 0:
        return f"sums to {shown}: flat areas get darker, times {shown}"
    return f"sums to {shown}: flat areas turn negative, clipped to black unless mapped"


def kernel_properties(weights) -> KernelProperties:
    """Sum and its meaning, symmetries, rank (by SVD) and 1-D factors when separable.

    Parameters
    ----------
    weights : array_like
        A kernel with odd sides.

    Returns
    -------
    KernelProperties
        Its shape, sum and what the sum does to a flat area, the symmetries it has, its
        numerical rank and, when the rank is 1, a (column, row) pair whose outer product it is.

    Examples
    --------
    >>> facts = kernel_properties([[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    >>> facts.total, facts.rank, facts.separable
    (16.0, 1, True)
    >>> kernel_properties([[0, 0, 0], [0, 0, 1], [0, 0, 0]]).symmetries
    ('up-down mirror',)
    """
    weights = check_weights(weights)
    total = float(weights.sum())
    checks = {
        "left-right mirror": weights[:, ::-1],
        "up-down mirror": weights[::-1, :],
        "180° rotation (convolution = correlation)": weights[::-1, ::-1],
    }
    symmetries = [name for name, moved in checks.items() if np.allclose(moved, weights)]
    if weights.shape[0] == weights.shape[1] and np.allclose(weights.T, weights):
        symmetries.append("transpose (diagonal mirror)")
    # One SVD serves both the rank and the separability test (the same as `separate`'s).
    rank = numerical_rank(singular_values(weights))
    factors = rank_one_factors(weights) if rank == 1 else None
    return KernelProperties(shape=weights.shape, total=total, sum_meaning=sum_meaning(total),
                            symmetries=tuple(symmetries), rank=rank, factors=factors)


@dataclass(frozen=True, eq=False)
class FrequencyResponse:
    """A kernel's gain at each spatial frequency, and the frequencies of the grid's axes."""

    gain: np.ndarray  # (size, size): |FFT|, zero frequency in the middle
    frequencies: np.ndarray  # (size,): cycles per pixel along each axis, -0.5 .. < 0.5


def frequency_response(weights, size: int = 64) -> FrequencyResponse:
    """Magnitude of the kernel's 2-D Fourier transform on a `size` x `size` grid, zero centred.

    Low frequencies (smooth areas) sit in the middle, high frequencies (fine detail) at the rim:
    a blur is bright in the middle, an edge detector dark there.

    Parameters
    ----------
    weights : array_like
        A kernel with odd sides.
    size : int
        Grid side, at least the kernel's longer side.

    Returns
    -------
    FrequencyResponse
        ``gain[i, j]`` is the gain at vertical frequency ``frequencies[i]`` and horizontal
        frequency ``frequencies[j]``, in cycles per pixel.

    Examples
    --------
    >>> response = frequency_response(np.ones((1, 3)) / 3, 4)
    >>> response.frequencies.tolist(), response.gain[2].round(3).tolist()
    ([-0.5, -0.25, 0.0, 0.25], [0.333, 0.333, 1.0, 0.333])
    """
    weights = check_weights(weights)
    size = check_positive_int(size, "size", minimum=max(weights.shape))
    gain = np.abs(np.fft.fftshift(np.fft.fft2(weights, s=(size, size))))
    return FrequencyResponse(gain=gain, frequencies=np.fft.fftshift(np.fft.fftfreq(size)))


def compose(first, second) -> np.ndarray:
    """The one kernel equal to applying `first` then `second` (their full 2-D convolution).

    Away from the borders, correlating with `first` and then `second` equals correlating once
    with the result, of size (h1 + h2 - 1) x (w1 + w2 - 1).

    Parameters
    ----------
    first, second : array_like
        Kernels with odd sides, in the order they are applied.

    Returns
    -------
    numpy.ndarray
        float64, (h1 + h2 - 1) x (w1 + w2 - 1).

    Examples
    --------
    Two 3-wide boxes make the 5-wide triangle:

    >>> compose(np.ones((1, 3)), np.ones((1, 3))).tolist()
    [[1.0, 2.0, 3.0, 2.0, 1.0]]
    """
    first = check_weights(first, "first kernel")
    second = check_weights(second, "second kernel")
    height, width = first.shape
    combined = np.zeros((height + second.shape[0] - 1, width + second.shape[1] - 1))
    for (row, col), weight in np.ndenumerate(first):
        combined[row : row + second.shape[0], col : col + second.shape[1]] += weight * second
    return combined


def composition_error(image, first, second) -> float:
    """Largest difference, in the interior, between applying `first` then `second` and `compose`.

    Parameters
    ----------
    image : ndarray
        (H, W) or (H, W, C).
    first, second : array_like
        2-D kernels with odd sides, applied by correlation with a zero border.

    Returns
    -------
    float
        The maximum absolute difference between the two-pass result and the one-pass result
        with ``compose(first, second)``, ignoring a band as wide as the composed kernel's half
        size along every edge: there the first pass's output beyond the image (which the second
        pass treats as zero) is missing. What remains is float32 rounding, not a real
        difference.

    Raises
    ------
    ValueError
        When the image has no interior left after removing that band.

    Examples
    --------
    >>> image = np.arange(49, dtype=np.float32).reshape(7, 7)
    >>> composition_error(image, np.ones((3, 3)) / 9, [[0, 0, 0], [0, 0, 1], [0, 0, 0]]) < 1e-4
    True
    """
    check_image(image)
    first = check_weights(first, "first kernel")
    second = check_weights(second, "second kernel")
    combined = compose(first, second)
    band_y, band_x = combined.shape[0] // 2, combined.shape[1] // 2
    height, width = image.shape[:2]
    if height <= 2 * band_y or width <= 2 * band_x:
        raise ValueError(
            f"image of {height} x {width} px has no interior for a {combined.shape[0]} x "
            f"{combined.shape[1]} composed kernel: it needs more than {2 * band_y} rows and "
            f"{2 * band_x} columns"
        )
    source = image.astype(np.float32)
    two_passes = convolve(convolve(source, first, "constant"), second, "constant")
    one_pass = convolve(source, combined, "constant")
    inner = (slice(band_y, height - band_y), slice(band_x, width - band_x))
    difference = two_passes[inner].astype(np.float64) - one_pass[inner]
    return float(np.abs(difference).max())


def normalise(weights) -> np.ndarray:
    """Scale the weights so they sum to 1; refuse kernels that sum to 0 (edge detectors).

    Parameters
    ----------
    weights : array_like
        A kernel with odd sides whose sum is not 0.

    Returns
    -------
    numpy.ndarray
        float64, the weights divided by their sum.

    Raises
    ------
    ValueError
        When the weights sum to 0 (within 1e-12).

    Examples
    --------
    >>> normalise([[1, 2, 1]]).tolist()
    [[0.25, 0.5, 0.25]]
    """
    weights = check_weights(weights)
    total = weights.sum()
    if abs(total) < 1e-12:
        raise ValueError("kernel sums to 0 (an edge detector): it cannot be normalised to sum 1")
    return weights / total


def resize_kernel(weights, height: int, width: int) -> np.ndarray:
    """Grow (with zeros) or crop a kernel to `height` x `width`, keeping its centre.

    Parameters
    ----------
    weights : array_like
        A kernel with odd sides.
    height, width : int
        The new sides, odd and positive.

    Returns
    -------
    numpy.ndarray
        float64, `height` x `width`, the centre weight where it was.

    Examples
    --------
    >>> resize_kernel([[1, 2, 3]], 3, 1).tolist()
    [[0.0], [2.0], [0.0]]
    """
    weights = check_weights(weights)
    height = check_positive_int(height, "height", odd=True)
    width = check_positive_int(width, "width", odd=True)
    resized = np.zeros((height, width))
    old_h, old_w = weights.shape
    keep_h, keep_w = min(height, old_h), min(width, old_w)
    src_y, src_x = (old_h - keep_h) // 2, (old_w - keep_w) // 2
    dst_y, dst_x = (height - keep_h) // 2, (width - keep_w) // 2
    resized[dst_y : dst_y + keep_h, dst_x : dst_x + keep_w] = weights[
        src_y : src_y + keep_h, src_x : src_x + keep_w
    ]
    return resized
