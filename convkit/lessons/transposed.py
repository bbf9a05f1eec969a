"""Transposed convolution: each input cell stamps a scaled kernel into the output, which is the
same as a stride-1 convolution of the zero-inserted, padded input.

Sizes, padding and output padding follow PyTorch's ``ConvTranspose2d`` (no flip in the
scatter; the stride-1 route correlates with the kernel rotated 180 degrees).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core._validation import check_positive_int

#: Largest input side (rows or columns): every stamp is drawn as a grid on the page.
MAX_TRANSPOSED_INPUT = 5
#: Largest kernel side.
MAX_TRANSPOSED_KERNEL = 5
#: Largest stride, padding and dilation a visitor can choose.
MAX_TRANSPOSED_STRIDE = 3
MAX_TRANSPOSED_PADDING = 2
MAX_TRANSPOSED_DILATION = 2

#: What each cell of the zero-inserted input is (``ZeroInsertion.kind``): an input value, a
#: zero put between inputs, a zero of the padding around.
INPUT, INSERTED, BORDER = "input", "inserted", "pad"


def _check_count(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number; got {value!r}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name} must be in {low}..{high}; got {value}")
    return int(value)


def _check_grid(values, name: str, limit: int) -> np.ndarray:
    try:
        grid = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 2-D grid of numbers") from None
    if grid.ndim != 2 or grid.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D grid; got shape {grid.shape}")
    if max(grid.shape) > limit:
        raise ValueError(f"{name} must be at most {limit} x {limit}; got "
                         f"{grid.shape[0]} x {grid.shape[1]}")
    if not np.isfinite(grid).all():
        raise ValueError(f"{name} must hold finite numbers only")
    return grid


def transposed_length(n: int, k: int, stride: int = 1, padding: int = 0,
                      output_padding: int = 0, dilation: int = 1) -> int:
    """Output length of a transposed convolution along one axis (PyTorch's ConvTranspose2d).

    ``(n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1``.

    Parameters
    ----------
    n : int
        Input length, at least 1.
    k : int
        Kernel taps along the axis, at least 1.
    stride : int, optional
        Step between the stamps of neighbouring inputs, at least 1. Default 1.
    padding : int, optional
        Cells cut from each end of the stamped result, at least 0. Default 0.
    output_padding : int, optional
        Cells added at the far end only, to reach a size a strided convolution could have come
        from; 0 <= output_padding < max(stride, dilation), PyTorch's rule. Default 0.
    dilation : int, optional
        Step between the kernel's taps, at least 1. Default 1.

    Returns
    -------
    int
        The length; it may be 0 or less when the padding cuts everything (see
        `conv_transpose2d`, which refuses that).

    Raises
    ------
    ValueError
        If a parameter is not a whole number in its range.

    Examples
    --------
    >>> transposed_length(3, 3, stride=2), transposed_length(3, 3, 2, 1, 1)
    (7, 6)
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k")
    stride = check_positive_int(stride, "stride")
    dilation = check_positive_int(dilation, "dilation")
    padding = check_positive_int(padding, "padding", minimum=0)
    output_padding = check_positive_int(output_padding, "output_padding", minimum=0)
    if output_padding >= max(stride, dilation):
        raise ValueError(f"output_padding must be smaller than the stride or the dilation "
                         f"(PyTorch's rule), here below {max(stride, dilation)}; got "
                         f"{output_padding}")
    return (n - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1


def _checked(x, kernel, stride, padding, output_padding, dilation):
    x = _check_grid(x, "input", MAX_TRANSPOSED_INPUT)
    kernel = _check_grid(kernel, "kernel", MAX_TRANSPOSED_KERNEL)
    stride = _check_count(stride, "stride", 1, MAX_TRANSPOSED_STRIDE)
    padding = _check_count(padding, "padding", 0, MAX_TRANSPOSED_PADDING)
    dilation = _check_count(dilation, "dilation", 1, MAX_TRANSPOSED_DILATION)
    output_padding = _check_count(output_padding, "output_padding", 0, MAX_TRANSPOSED_STRIDE)
    shape = tuple(transposed_length(n, k, stride, padding, output_padding, dilation)
                  for n, k in zip(x.shape, kernel.shape, strict=True))
    if min(shape) < 1:
        raise ValueError(f"padding={padding} cuts the whole output away: the output would be "
                         f"{shape[0]} x {shape[1]}; lower the padding or enlarge the input")
    return x, kernel, stride, padding, output_padding, dilation, shape


@dataclass(frozen=True)
class Stamp:
    """One input cell's contribution: the kernel times its value, placed in the output.

    ``top``/``left`` are where the stamp's first tap lands in the uncut output (before the
    padding is cut away), ``rows``/``cols`` the output cells its taps land on after the cut
    (negative or past the end: cut away).
    """

    row: int
    col: int
    value: float
    scaled: np.ndarray
    top: int
    left: int


@dataclass(frozen=True)
class TransposedConv:
    """A transposed convolution worked out: every stamp, the uncut sum and the output."""

    input: np.ndarray
    kernel: np.ndarray
    stride: int
    padding: int
    output_padding: int
    dilation: int
    stamps: tuple[Stamp, ...]
    uncut: np.ndarray
    output: np.ndarray

    def placed(self, stamp: Stamp) -> np.ndarray:
        """The output-sized grid holding only `stamp`, as the scatter view draws it.

        Parameters
        ----------
        stamp : Stamp
            One of ``self.stamps``.

        Returns
        -------
        ndarray
            The output's shape; the stamp's scaled weights where its taps land after the
            padding is cut, NaN elsewhere.

        Examples
        --------
        >>> result = conv_transpose2d([[1, 2]], [[1, 1]], stride=2)
        >>> result.placed(result.stamps[1]).tolist()
        [[nan, nan, 2.0, 2.0]]
        """
        grid = np.full(self.uncut.shape, np.nan)
        kh, kw = self.kernel.shape
        d = self.dilation
        rows = slice(stamp.top, stamp.top + d * (kh - 1) + 1, d)
        cols = slice(stamp.left, stamp.left + d * (kw - 1) + 1, d)
        grid[rows, cols] = stamp.scaled
        p = self.padding
        return grid[p:p + self.output.shape[0], p:p + self.output.shape[1]]


def conv_transpose2d(x, kernel, stride: int = 1, padding: int = 0, output_padding: int = 0,
                     dilation: int = 1) -> TransposedConv:
    """Transposed convolution by scattering, each input cell stamping a scaled kernel.

    Input cell (x, y) adds ``value * kernel`` with its first tap at output
    (x * stride - padding, y * stride - padding), taps `dilation` apart.

    Parameters
    ----------
    x : (H, W) array_like
        The input, at most MAX_TRANSPOSED_INPUT per side, finite numbers.
    kernel : (kh, kw) array_like
        The weights, at most MAX_TRANSPOSED_KERNEL per side; not flipped (PyTorch).
    stride : int, optional
        1..MAX_TRANSPOSED_STRIDE. Default 1.
    padding : int, optional
        Cells cut from every side of the stamped sum, 0..MAX_TRANSPOSED_PADDING. Default 0.
    output_padding : int, optional
        Cells kept at the bottom and right only, 0 <= output_padding < max(stride, dilation).
        Default 0.
    dilation : int, optional
        1..MAX_TRANSPOSED_DILATION. Default 1.

    Returns
    -------
    TransposedConv
        The stamps, the uncut sum and the output of `transposed_length` rows and columns.

    Raises
    ------
    ValueError
        On a grid too large, empty or not finite, a knob out of range, or padding that cuts
        the whole output away.

    Examples
    --------
    >>> conv_transpose2d([[1, 2]], [[1, 1]], stride=2).output.tolist()
    [[1.0, 1.0, 2.0, 2.0]]
    >>> conv_transpose2d([[1, 2]], [[1, 1]]).output.tolist()
    [[1.0, 3.0, 2.0]]
    """
    x, kernel, stride, padding, output_padding, dilation, shape = _checked(
        x, kernel, stride, padding, output_padding, dilation)
    kh, kw = kernel.shape
    uncut = np.zeros(tuple(n + 2 * padding for n in shape))
    stamps = []
    for r in range(x.shape[0]):
        for c in range(x.shape[1]):
            scaled = x[r, c] * kernel
            top, left = r * stride, c * stride
            uncut[top:top + dilation * (kh - 1) + 1:dilation,
                  left:left + dilation * (kw - 1) + 1:dilation] += scaled
            stamps.append(Stamp(r, c, float(x[r, c]), scaled, top, left))
    output = uncut[padding:padding + shape[0], padding:padding + shape[1]]
    return TransposedConv(x, kernel, stride, padding, output_padding, dilation, tuple(stamps),
                          uncut, output)


@dataclass(frozen=True)
class ZeroInsertion:
    """The stride-1 route: the zero-inserted, padded input and the rotated kernel.

    ``grid`` correlated ('valid', stride 1) with ``rotated`` dilated by ``dilation`` is the
    transposed convolution. ``kind`` says what each cell of ``grid`` is: "input" (an input
    value), "inserted" (a zero put between inputs, ``stride - 1`` of them) or "pad" (a zero of
    the padding ``dilation * (k - 1) - padding`` each side, plus ``output_padding`` at the
    bottom and right); ``border`` is the zeros before the first row and column. ``cut`` is
    how many cells a padding larger than the kernel's reach removes from the top and left
    (0 usually).
    """

    grid: np.ndarray
    kind: np.ndarray
    rotated: np.ndarray
    border: tuple[int, int]
    cut: tuple[int, int]
    output: np.ndarray


def zero_insertion(x, kernel, stride: int = 1, padding: int = 0, output_padding: int = 0,
                   dilation: int = 1) -> ZeroInsertion:
    """The same transposed convolution as a stride-1 correlation of the zero-inserted input.

    Put ``stride - 1`` zeros between neighbouring inputs, pad ``dilation * (k - 1) - padding``
    zeros on each side (``output_padding`` more at the bottom and right; a negative amount
    cuts cells instead), then slide the kernel rotated 180 degrees with stride 1.

    Parameters
    ----------
    x, kernel, stride, padding, output_padding, dilation
        As for `conv_transpose2d`, with the same checks.

    Returns
    -------
    ZeroInsertion
        The stride-1 input, what each of its cells is, the rotated kernel and the output
        (equal to ``conv_transpose2d(...).output``).

    Raises
    ------
    ValueError
        As `conv_transpose2d`.

    Examples
    --------
    >>> route = zero_insertion([[1, 2]], [[1, 1]], stride=2)
    >>> route.grid.tolist(), route.output.tolist()
    ([[0.0, 1.0, 0.0, 2.0, 0.0]], [[1.0, 1.0, 2.0, 2.0]])
    """
    x, kernel, stride, padding, output_padding, dilation, shape = _checked(
        x, kernel, stride, padding, output_padding, dilation)
    spread_shape = tuple((n - 1) * stride + 1 for n in x.shape)
    spread = np.zeros(spread_shape)
    spread[::stride, ::stride] = x
    spread_kind = np.full(spread_shape, INSERTED)
    spread_kind[::stride, ::stride] = INPUT
    before = tuple(dilation * (k - 1) - padding for k in kernel.shape)
    after = tuple(b + output_padding for b in before)
    # A padding beyond the kernel's reach cuts input-side cells rather than adding zeros.
    cut = tuple(max(-b, 0) for b in before)
    cut_after = tuple(max(-a, 0) for a in after)
    keep = (slice(cut[0], spread_shape[0] - cut_after[0]),
            slice(cut[1], spread_shape[1] - cut_after[1]))
    widths = tuple((max(b, 0), max(a, 0)) for b, a in zip(before, after, strict=True))
    grid = np.pad(spread[keep], widths)
    kind = np.pad(spread_kind[keep], widths, constant_values=BORDER)
    rotated = kernel[::-1, ::-1]
    kh, kw = kernel.shape
    output = np.zeros(shape)
    for i in range(kh):
        for j in range(kw):
            output += rotated[i, j] * grid[i * dilation:i * dilation + shape[0],
                                           j * dilation:j * dilation + shape[1]]
    return ZeroInsertion(grid, kind, rotated, (max(before[0], 0), max(before[1], 0)), cut,
                         output)
