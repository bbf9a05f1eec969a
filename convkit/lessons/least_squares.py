"""Learning a kernel from an (input, target) pair in one step, by least squares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core._validation import check_image, check_positive_int, check_weights
from ..core.padding import check_border, document_border, pad


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
