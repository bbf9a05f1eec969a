"""Convolution as deep learning uses it: stride, dilation, output sizes, and learning a kernel."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validation import check_image, check_positive_int, check_weights
from .padding import check_border, document_border, pad

#: Output sizes of a convolutional layer ('same' keeps n / stride, 'full' every overlap).
OUTPUT_SIZES = ("valid", "same", "full")


def _check_output(output: str) -> str:
    if output not in OUTPUT_SIZES:
        raise ValueError(f"output must be one of {OUTPUT_SIZES}; got {output!r}")
    return output


def effective_size(k: int, dilation: int = 1) -> int:
    """Span of a `k`-tap kernel with gaps of `dilation - 1`: ``dilation * (k - 1) + 1``."""
    return dilation * (k - 1) + 1


def padding_before_after(n: int, k: int, stride: int = 1, dilation: int = 1,
                         output: str = "valid") -> tuple[int, int]:
    """Zeros added before and after an axis of length `n` for the `output` size.

    'same' follows TensorFlow: the odd one out goes after.

    Parameters
    ----------
    n : int
        Length of the input axis, at least 1.
    k : int
        Number of kernel taps along it, at least 1.
    stride : int, optional
        Step between neighbouring outputs, at least 1. Default 1.
    dilation : int, optional
        Step between neighbouring taps (``dilation - 1`` skipped inputs), at least 1. Default 1.
    output : {"valid", "same", "full"}, optional
        Which outputs the layer keeps: "valid" only windows inside the axis, "same"
        ``ceil(n / stride)`` of them (TensorFlow's rule), "full" every window that overlaps it.
        Default "valid".

    Returns
    -------
    tuple of int
        ``(before, after)``.

    Examples
    --------
    >>> padding_before_after(6, 3, stride=2, output="same")
    (0, 1)
    >>> padding_before_after(6, 3, output="full"), padding_before_after(6, 3)
    ((2, 2), (0, 0))
    """
    _check_output(output)
    span = effective_size(k, dilation)
    if output == "valid":
        return 0, 0
    if output == "full":
        return span - 1, span - 1
    wanted = math.ceil(n / stride)
    total = max((wanted - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


def output_length(n: int, k: int, stride: int = 1, dilation: int = 1,
                  output: str = "valid") -> int:
    """Outputs along an axis: ``floor((n + before + after - dilation*(k-1) - 1) / stride) + 1``.

    Parameters
    ----------
    n, k, stride, dilation, output
        As for `padding_before_after`.

    Returns
    -------
    int
        How many outputs the layer gives along the axis (0 when the kernel does not fit).

    Examples
    --------
    >>> output_length(7, 3), output_length(7, 3, output="same"), output_length(7, 3, output="full")
    (5, 7, 9)
    >>> output_length(7, 3, stride=2), output_length(7, 3, dilation=2)
    (3, 3)
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k")
    stride = check_positive_int(stride, "stride")
    dilation = check_positive_int(dilation, "dilation")
    before, after = padding_before_after(n, k, stride, dilation, output)
    reach = n + before + after - effective_size(k, dilation)
    return max(reach // stride + 1, 0) if reach >= 0 else 0


def window_taps(n: int, k: int, stride: int = 1, dilation: int = 1,
                output: str = "valid") -> np.ndarray:
    """For each output position, the input indices its `k` taps read (negative or >= n: zeros).

    Parameters
    ----------
    n, k, stride, dilation, output
        As for `padding_before_after`.

    Returns
    -------
    numpy.ndarray
        int, shape (outputs, k), for the stepper animation: row ``i`` lists the input indices
        output ``i`` reads, padding cells as indices below 0 or from `n` up.

    Examples
    --------
    >>> window_taps(5, 3, stride=2).tolist()
    [[0, 1, 2], [2, 3, 4]]
    >>> window_taps(3, 3, output="same").tolist()
    [[-1, 0, 1], [0, 1, 2], [1, 2, 3]]
    """
    before, _ = padding_before_after(n, k, stride, dilation, output)
    count = output_length(n, k, stride, dilation, output)
    starts = np.arange(count) * stride - before
    return starts[:, None] + np.arange(k)[None, :] * dilation


def correlate_layer(image: np.ndarray, weights, stride: int = 1, dilation: int = 1,
                    output: str = "valid") -> np.ndarray:
    """What a one-channel conv layer computes: correlation, zero padding, stride, dilation.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray image.
    weights : array_like
        The kernel, odd sides; applied as it is (correlation, no flip), as frameworks do.
    stride, dilation : int, optional
        As in `output_length`, the same along both axes. Default 1.
    output : {"valid", "same", "full"}, optional
        As for `padding_before_after`. Default "valid".

    Returns
    -------
    numpy.ndarray
        float64, ``output_length`` outputs along each axis.

    Examples
    --------
    A weight in the kernel's top-left corner reads the pixel up and to the left (no flip):

    >>> image = np.arange(1, 10).reshape(3, 3)
    >>> correlate_layer(image, [[1, 0, 0], [0, 0, 0], [0, 0, 0]], output="same").tolist()
    [[0.0, 0.0, 0.0], [0.0, 1.0, 2.0], [0.0, 4.0, 5.0]]
    >>> correlate_layer(image, np.ones((3, 3))).tolist()
    [[45.0]]
    """
    check_image(image)
    if image.ndim != 2:
        raise ValueError("correlate_layer takes a gray (2-D) image")
    weights = check_weights(weights)
    rows = window_taps(image.shape[0], weights.shape[0], stride, dilation, output)
    cols = window_taps(image.shape[1], weights.shape[1], stride, dilation, output)
    result = np.zeros((len(rows), len(cols)))
    source = image.astype(np.float64)
    for i in range(weights.shape[0]):
        row_idx = rows[:, i]
        row_ok = (row_idx >= 0) & (row_idx < image.shape[0])
        for j in range(weights.shape[1]):
            col_idx = cols[:, j]
            col_ok = (col_idx >= 0) & (col_idx < image.shape[1])
            tap = np.zeros((len(rows), len(cols)))
            tap[np.ix_(row_ok, col_ok)] = source[np.ix_(row_idx[row_ok], col_idx[col_ok])]
            result += weights[i, j] * tap
    return result


@document_border
def make_training_pair(image: np.ndarray, weights, noise_sigma: float = 0.0, seed: int = 0,
                       border: str = "replicate") -> tuple[np.ndarray, np.ndarray]:
    """An (input, target) pair for learning a kernel: the target is the input filtered, plus noise.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray image.
    weights : array_like
        The hidden kernel (2-D, odd sides), applied by correlation.
    noise_sigma : float, optional
        Standard deviation of the Gaussian noise added to the target, >= 0. Default 0.
    seed : int, optional
        Seed of the noise, so the same settings give the same pair. Default 0.
    %(border)s
        Default "replicate"; `learn_kernel` must use the same one.

    Returns
    -------
    inputs, target : numpy.ndarray
        Both float64 of the image's shape. The filtering is done in float64 (``convolve``
        works in float32, whose rounding would limit how exactly the kernel can be recovered
        from a noise-free pair).

    Examples
    --------
    A kernel that reads the right-hand neighbour, with the last column replicated:

    >>> inputs, target = make_training_pair(np.arange(9).reshape(3, 3),
    ...                                     [[0, 0, 0], [0, 0, 1], [0, 0, 0]])
    >>> target.tolist()
    [[1.0, 2.0, 2.0], [4.0, 5.0, 5.0], [7.0, 8.0, 8.0]]
    """
    check_image(image)
    if image.ndim != 2:
        raise ValueError("make_training_pair takes a gray (2-D) image")
    weights = check_weights(weights)
    check_border(border)
    if isinstance(noise_sigma, bool) or not np.isfinite(noise_sigma) or noise_sigma < 0:
        raise ValueError(f"noise_sigma must be a finite number >= 0; got {noise_sigma!r}")
    inputs = image.astype(np.float64)
    kh, kw = weights.shape
    padded = pad(inputs, kh // 2, kw // 2, border)
    height, width = inputs.shape
    target = np.zeros_like(inputs)
    for (row, col), weight in np.ndenumerate(weights):
        target += weight * padded[row : row + height, col : col + width]
    if noise_sigma > 0:
        target += np.random.default_rng(seed).normal(0.0, float(noise_sigma), target.shape)
    return inputs, target


@dataclass(frozen=True, eq=False)
class LearnedKernel:
    """A kernel recovered from an (input, output) pair by least squares."""

    weights: np.ndarray
    rms_residual: float
    samples: int


@document_border
def learn_kernel(image: np.ndarray, target: np.ndarray, shape: tuple[int, int],
                 border: str = "replicate", *, max_samples: int = 40_000,
                 seed: int = 0) -> LearnedKernel:
    """Find the kernel whose correlation with `image` best matches `target` (least squares).

    Each sampled pixel gives one equation: its patch of `shape` times the unknown weights equals
    its target value. This is what a convolutional layer's training minimises.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray input.
    target : numpy.ndarray
        The filtered image, the same shape.
    shape : tuple of int
        ``(height, width)`` of the kernel to find, both odd.
    %(border)s
        The padding `target` was made with. Default "replicate".
    max_samples : int, optional
        Most pixels (equations) used, drawn at random without repeats. Default 40 000.
    seed : int, optional
        Seed of that draw. Default 0.

    Returns
    -------
    LearnedKernel
        The weights, the root-mean-square residual over the sampled pixels and their count.

    Examples
    --------
    The hidden kernel of a noise-free pair comes back to rounding:

    >>> image = np.random.default_rng(1).random((16, 16))
    >>> hidden = [[0, 0, 0], [0, 0, 1], [0, 0, 0]]
    >>> learned = learn_kernel(*make_training_pair(image, hidden), (3, 3))
    >>> bool(np.abs(learned.weights - hidden).max() < 1e-9), learned.samples
    (True, 256)
    """
    check_image(image)
    if image.ndim != 2 or np.shape(target) != image.shape:
        raise ValueError("image must be gray and target must have the same shape")
    kh, kw = (check_positive_int(side, "kernel side", odd=True) for side in shape)
    padded = pad(image.astype(np.float64), kh // 2, kw // 2, border)
    height, width = image.shape
    rng = np.random.default_rng(seed)
    count = min(max_samples, height * width)
    flat = rng.choice(height * width, size=count, replace=False)
    ys, xs = np.divmod(flat, width)
    offsets_y, offsets_x = np.meshgrid(np.arange(kh), np.arange(kw), indexing="ij")
    patches = padded[ys[:, None] + offsets_y.ravel()[None, :], xs[:, None] + offsets_x.ravel()]
    values = np.asarray(target, dtype=np.float64)[ys, xs]
    solution, *_ = np.linalg.lstsq(patches, values, rcond=None)
    residual = patches @ solution - values
    return LearnedKernel(weights=solution.reshape(kh, kw),
                         rms_residual=float(np.sqrt(np.mean(residual**2))), samples=count)
