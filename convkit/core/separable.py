"""Separability: when a kernel is a column times a row, and the 1-D factors that show it."""

from __future__ import annotations

import numpy as np

from .kernels import as_weights

#: A kernel whose second singular value is below this fraction of the first is separable:
#: it runs as two 1-D passes. Low-rank kernels drop singular values below it too.
SEPARABLE_TOLERANCE = 1e-9


def separate(weights, tolerance: float = SEPARABLE_TOLERANCE):
    """Split a rank-1 kernel into (column, row) 1-D factors with ``outer(column, row) == weights``.

    The factors are a column and a row of the kernel itself, rescaled for reading (see
    `rank_one_factors`), not SVD's: integer kernels keep integer factors.

    Parameters
    ----------
    weights : Kernel or array_like
        2-D weights with odd height and odd width.
    tolerance : float, optional
        The kernel counts as rank 1 when its second singular value is at most this fraction of
        the first. Default SEPARABLE_TOLERANCE (1e-9).

    Returns
    -------
    tuple of two numpy.ndarray, or None
        (column, row), float64, or None when the kernel is not separable or is all zeros.

    Examples
    --------
    >>> column, row = separate([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])   # Sobel x
    >>> column.tolist(), row.tolist()
    ([1.0, 2.0, 1.0], [-1.0, 0.0, 1.0])
    >>> separate([[0, 1, 0], [1, -4, 1], [0, 1, 0]]) is None           # the Laplacian
    True
    """
    weights = as_weights(weights)
    if numerical_rank(singular_values(weights), tolerance) != 1:
        return None
    return rank_one_factors(weights)


def singular_values(weights: np.ndarray) -> np.ndarray:
    """The singular values of 2-D `weights`, largest first (an SVD without the vectors).

    Parameters
    ----------
    weights : numpy.ndarray
        A 2-D float array.

    Returns
    -------
    numpy.ndarray
        min(height, width) non-negative values, in descending order.

    Examples
    --------
    >>> singular_values(np.diag([1.0, 3.0])).tolist()
    [3.0, 1.0]
    """
    return np.linalg.svd(np.asarray(weights, dtype=np.float64), compute_uv=False)


def numerical_rank(singular: np.ndarray, tolerance: float = SEPARABLE_TOLERANCE) -> int:
    """How many of the (descending) singular values exceed `tolerance` times the largest.

    Parameters
    ----------
    singular : numpy.ndarray
        Singular values, largest first (see `singular_values`).
    tolerance : float, optional
        Fraction of the largest value below which a value counts as zero. Default 1e-9.

    Returns
    -------
    int
        The rank; 0 for an all-zero kernel.

    Examples
    --------
    >>> numerical_rank(np.array([2.0, 1e-12, 0.0]))
    1
    """
    if singular[0] == 0:
        return 0
    return int(np.count_nonzero(singular > tolerance * singular[0]))


def rank_one_factors(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(column, row) of a rank-1 kernel, read off the column and row of its largest weight.

    Scaled for reading: integer factors when there are some (Sobel x: [1, 2, 1] and
    [-1, 0, 1]), else a column summing to 1 (a Gaussian splits into two 1-D Gaussians); a
    non-zero column sum, or failing that row sum, is made positive. Factors that are
    (anti)symmetric up to rounding are made exactly so, which OpenCV filters faster.

    Parameters
    ----------
    weights : numpy.ndarray
        2-D float weights of rank 1 (the caller checks the rank: see `separate`).

    Returns
    -------
    column, row : numpy.ndarray
        1-D float64 factors with ``np.outer(column, row)`` equal to `weights` up to rounding.

    Examples
    --------
    >>> column, row = rank_one_factors(np.outer([1.0, 2.0, 1.0], [2.0, 4.0, 2.0]))
    >>> column.tolist(), row.tolist()
    ([1.0, 2.0, 1.0], [2.0, 4.0, 2.0])
    """
    weights = np.asarray(weights, dtype=np.float64)
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
    return symmetrised(column * sign), symmetrised(row * sign)


def low_rank_factors(weights: np.ndarray, rank: int) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """`rank` pairs (column, row) whose outer products sum to `weights`, from its SVD.

    Parameters
    ----------
    weights : numpy.ndarray
        2-D float weights of numerical rank `rank`.
    rank : int
        How many pairs to keep (the singular values past it are below tolerance).

    Returns
    -------
    tuple of (column, row) pairs
        float64 factors, each scaled by the square root of its singular value and made
        exactly (anti)symmetric where it is so up to rounding.

    Examples
    --------
    >>> weights = np.outer([1.0, 2, 1], [1.0, 0, 1]) + np.outer([0.0, 1, 0], [0.0, 1, 0])
    >>> pairs = low_rank_factors(weights, 2)
    >>> bool(np.allclose(sum(np.outer(c, r) for c, r in pairs), weights))
    True
    """
    left, singular, right = np.linalg.svd(np.asarray(weights, dtype=np.float64))
    scales = np.sqrt(singular[:rank])
    return tuple((symmetrised(left[:, index] * scales[index]),
                  symmetrised(right[index] * scales[index]))
                 for index in range(rank))


def symmetrised(factor: np.ndarray) -> np.ndarray:
    """Make a 1-D factor exactly (anti)symmetric when it is so up to rounding.

    OpenCV filters with exactly symmetric or antisymmetric 1-D kernels faster (it folds the
    mirrored taps), and the change is far below float32 rounding.

    Parameters
    ----------
    factor : numpy.ndarray
        A 1-D float array.

    Returns
    -------
    numpy.ndarray
        `factor` averaged with its mirror image (or its negated mirror image) when the two
        differ by at most 1e-12 of its largest magnitude; else `factor` unchanged.

    Examples
    --------
    >>> factor = symmetrised(np.array([0.1 + 0.2, 1.0, 0.3]))   # 0.30000000000000004 and 0.3
    >>> bool(factor[0] == factor[2])
    True
    """
    mirrored = factor[::-1]
    slack = 1e-12 * np.abs(factor).max()
    if np.abs(factor - mirrored).max() <= slack:
        return (factor + mirrored) / 2
    if np.abs(factor + mirrored).max() <= slack:
        return (factor - mirrored) / 2
    return factor


def _integral(values: np.ndarray) -> bool:
    """Whether all values are whole numbers, up to rounding."""
    return bool(np.all(np.abs(values - np.rint(values)) <= 1e-9 * max(1.0, np.abs(values).max())))
