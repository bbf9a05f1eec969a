"""One kernel grows into a convolutional layer: the sliding window with its numbers, channels,
bias, ReLU, pooling, and which outputs an input feeds.

Everything here is what deep-learning frameworks call a 2-D convolution: a *correlation* (the
kernel is not flipped), with stride, dilation and padding. ``conv2d`` gives the numbers of
``torch.nn.functional.conv2d`` and ``tf.nn.conv2d`` (with zero padding), which the tests
check against ``scipy.signal.correlate2d``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ..core._validation import check_finite_float, check_image, check_positive_int, check_value
from ..core.images import to_gray
from ..core.padding import check_border, padded_crop, source_index
from .geometry import LayerGeometry, Output, layer_geometry

#: Largest input grid the stepper and the layer views take (per side): every cell is shown.
MAX_GRID_SIDE = 16
#: Largest kernel side of a layer here (a 7 x 7 window with its numbers still fits a page).
MAX_LAYER_KERNEL = 7
#: Pooling kinds.
POOLS = ("max", "average")


def _check_layer_weights(weights, channels: int | None = None) -> np.ndarray:
    """Weights as float64 (C, kh, kw): a 2-D kernel is one channel's."""
    try:
        array = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"weights must hold numbers only; {error}") from None
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(f"weights must be (kh, kw) or (channels, kh, kw); got shape "
                         f"{array.shape}")
    if max(array.shape[1:]) > MAX_LAYER_KERNEL:
        raise ValueError(f"weights' sides must be at most {MAX_LAYER_KERNEL}; got "
                         f"{array.shape[1]} x {array.shape[2]}")
    if not np.all(np.isfinite(array)):
        raise ValueError("weights must be finite numbers; got NaN or infinity")
    if channels is not None and array.shape[0] != channels:
        raise ValueError(f"weights have {array.shape[0]} channel slice(s) but the image has "
                         f"{channels} channel(s); they must match")
    return array


def _as_channels(image) -> np.ndarray:
    """A numeric image as float64 (H, W, C): a gray one gets one channel."""
    image = check_image(image)
    array = image.astype(np.float64)
    return array[..., None] if array.ndim == 2 else array




def padded_input(image: np.ndarray, geometry: LayerGeometry, border: str = "constant",
                 value: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """The input with the layer's padding around it, and a mask of the padded cells.

    Examples
    --------
    >>> g = layer_geometry((1, 2), (1, 3), output="same")
    >>> padded_input(np.array([[5, 7]]), g, "replicate")[0].tolist()
    [[5.0, 5.0, 7.0, 7.0]]
    """
    check_border(border)
    value = check_value(value)
    array = _as_channels(image)
    if array.shape[:2] != geometry.input_shape:
        raise ValueError(f"image is {array.shape[0]} x {array.shape[1]} but the geometry is "
                         f"for {geometry.input_shape[0]} x {geometry.input_shape[1]}")
    height, width = geometry.input_shape
    padded, outside = padded_crop(
        array, -geometry.pad_top, -geometry.pad_left,
        height + geometry.pad_top + geometry.pad_bottom,
        width + geometry.pad_left + geometry.pad_right, border, value)
    return (padded[..., 0] if np.ndim(image) == 2 else padded), outside


# ---------------------------------------------------------------------- the layer itself


def conv2d(image: np.ndarray, weights, stride: int = 1, dilation: int = 1,
           output: Output = "valid", border: str = "constant", value: float = 0.0,
           bias: float = 0.0) -> np.ndarray:
    """One output channel of a convolutional layer: correlation summed over input channels.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray or (H, W, C) multi-channel input.
    weights : array_like
        (kh, kw) for a gray image, (C, kh, kw) for C channels: one slice per channel.
    stride, dilation, output
        As for `layer_geometry`; optional (1, 1 and "valid" by default).
    border : {"constant", "replicate", "reflect", "reflect_101", "wrap"}, optional
        What the padding holds (the modes of ``convkit.padding``); deep-learning layers use
        "constant" with value 0. Default "constant".
    value : float, optional
        The fill of "constant". Default 0.
    bias : float, optional
        Added to every output. Default 0.

    Returns
    -------
    numpy.ndarray
        (out_h, out_w) float64.

    Examples
    --------
    >>> conv2d(np.arange(1, 10).reshape(3, 3), [[0, 1], [1, 0]]).tolist()
    [[6.0, 8.0], [12.0, 14.0]]
    """
    array = _as_channels(image)
    kernel = _check_layer_weights(weights, array.shape[2])
    bias = check_finite_float(bias, "bias")
    geometry = layer_geometry(array.shape[:2], kernel.shape[1:], stride, dilation, output)
    padded, _ = padded_input(array, geometry, border, value)
    rows = geometry.row_taps + geometry.pad_top
    cols = geometry.col_taps + geometry.pad_left
    result = np.full(geometry.output_shape, bias)
    for i in range(kernel.shape[1]):
        for j in range(kernel.shape[2]):
            # One tap of the window for every output at once, all channels weighted and summed.
            taps = padded[np.ix_(rows[:, i], cols[:, j])]
            result += taps @ kernel[:, i, j]
    return result


def conv_layer(image: np.ndarray, filters, biases=None, stride: int = 1, dilation: int = 1,
               output: Output = "valid", border: str = "constant",
               value: float = 0.0) -> np.ndarray:
    """A layer of F filters: F output channels, each ``conv2d`` with its own weights and bias.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C).
    filters : array_like
        (F, C, kh, kw) weights (or (F, kh, kw) for a gray image).
    biases : array_like, optional
        F numbers, or None (default) for zeros.
    stride, dilation, output, border, value
        As for `conv2d`, the same for every filter.

    Returns
    -------
    numpy.ndarray
        (F, out_h, out_w) float64.

    Examples
    --------
    >>> conv_layer(np.ones((2, 2)), [[[1]], [[-2]]], biases=[0, 1]).tolist()
    [[[1.0, 1.0], [1.0, 1.0]], [[-1.0, -1.0], [-1.0, -1.0]]]
    """
    filters = np.asarray(filters, dtype=np.float64)
    if filters.ndim not in (3, 4) or filters.shape[0] == 0:
        raise ValueError(f"filters must be (F, C, kh, kw) or (F, kh, kw); got shape "
                         f"{filters.shape}")
    count = filters.shape[0]
    biases = np.zeros(count) if biases is None else np.asarray(biases, dtype=np.float64)
    if biases.shape != (count,):
        raise ValueError(f"biases must be {count} numbers, one per filter; got shape "
                         f"{biases.shape}")
    return np.stack([conv2d(image, f, stride, dilation, output, border, value, float(b))
                     for f, b in zip(filters, biases, strict=True)])


@dataclass(frozen=True, eq=False)
class WindowStep:
    """One position of the window: what it reads, the products, and the sum it writes.

    ``region``, ``products`` and ``padded`` are (C, kh, kw): one slice per input channel
    (C = 1 for gray). ``channel_sums`` is (C,); ``total = channel_sums.sum() + bias``.
    ``rows``/``cols`` are the input rows and columns of the taps (outside 0..n-1: padding).
    """

    step: int
    out_row: int
    out_col: int
    rows: np.ndarray
    cols: np.ndarray
    region: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    padded: np.ndarray
    channel_sums: np.ndarray
    bias: float
    total: float


def window_step(image: np.ndarray, weights, step: int, stride: int = 1, dilation: int = 1,
                output: Output = "valid", border: str = "constant", value: float = 0.0,
                bias: float = 0.0) -> WindowStep:
    """The window at step `step` (0-based, output cells row by row), worked out.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray or (H, W, C) multi-channel input.
    weights : array_like
        (kh, kw), or (C, kh, kw) for C channels, as for `conv2d`.
    step : int
        0 .. (number of outputs - 1), row by row.
    stride, dilation, output, border, value, bias
        As for `conv2d`.

    Returns
    -------
    WindowStep
        The output cell, the taps' input rows and columns, the region read, the products,
        which cells are padding, each channel's sum and the total written.

    Examples
    --------
    >>> s = window_step(np.arange(1, 10).reshape(3, 3), [[0, 1], [1, 0]], step=3)
    >>> (s.out_row, s.out_col), s.region[0].tolist(), s.total
    ((1, 1), [[5.0, 6.0], [8.0, 9.0]], 14.0)
    """
    array = _as_channels(image)
    kernel = _check_layer_weights(weights, array.shape[2])
    bias = check_finite_float(bias, "bias")
    geometry = layer_geometry(array.shape[:2], kernel.shape[1:], stride, dilation, output)
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise ValueError(f"step must be a whole number; got {step!r}")
    out_row, out_col = geometry.cell(int(step))
    padded, outside = padded_input(array, geometry, border, value)
    rows, cols = geometry.row_taps[out_row], geometry.col_taps[out_col]
    grid = np.ix_(rows + geometry.pad_top, cols + geometry.pad_left)
    region = np.moveaxis(padded[grid], -1, 0)
    products = region * kernel
    sums = products.sum(axis=(1, 2))
    return WindowStep(step=int(step), out_row=out_row, out_col=out_col, rows=rows, cols=cols,
                      region=region, weights=kernel, products=products,
                      padded=np.broadcast_to(outside[grid], region.shape).copy(),
                      channel_sums=sums, bias=bias, total=float(sums.sum() + bias))


def window_mask(geometry: LayerGeometry, step: int) -> np.ndarray:
    """Which cells of the padded input (``padded_input``'s grid) the window reads at `step`.

    >>> window_mask(layer_geometry((3, 4), (2, 2), dilation=2, output="same"), 1).astype(int)
    array([[0, 1, 0, 1, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [0, 1, 0, 1, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0]])
    """
    out_row, out_col = geometry.cell(step)
    height, width = geometry.input_shape
    mask = np.zeros((height + geometry.pad_top + geometry.pad_bottom,
                     width + geometry.pad_left + geometry.pad_right), dtype=bool)
    mask[np.ix_(geometry.row_taps[out_row] + geometry.pad_top,
                geometry.col_taps[out_col] + geometry.pad_left)] = True
    return mask


def filled_so_far(result: np.ndarray, step: int) -> np.ndarray:
    """The output map as the window leaves it after step `step`: later cells are NaN.

    >>> filled_so_far(np.arange(4.0).reshape(2, 2), 1).tolist()
    [[0.0, 1.0], [nan, nan]]
    """
    result = np.asarray(result, dtype=np.float64)
    order = np.arange(result.size).reshape(result.shape)
    return np.where(order <= step, result, np.nan)


# ------------------------------------------------------------- where an input cell goes


@dataclass(frozen=True, eq=False)
class Reach:
    """The output cells whose windows read input cell (`row`, `col`), and the weights it meets.

    ``weight[o_r, o_c]`` is the sum of the weights that meet the cell in that output's window
    (0 where it is not read; a padded copy of the cell counts too). ``taps`` maps each covered
    output (o_r, o_c) to the kernel cells (i, j) that land on the input cell. This is the set
    backpropagation sends the cell's gradient through: dL/dx = sum of dL/dy * weight.
    """

    row: int
    col: int
    covered: np.ndarray
    weight: np.ndarray
    taps: dict[tuple[int, int], tuple[tuple[int, int], ...]]


def input_reach(geometry: LayerGeometry, weights, row: int, col: int,
                border: str = "constant") -> Reach:
    """Which outputs input cell (`row`, `col`) feeds, with the weight it meets in each.

    With ``constant`` padding the cell is read only where it lies in the window; with the
    other border modes its copies in the padding are read too (a corner pixel under
    ``replicate`` feeds the outputs whose windows hang over the corner).

    Parameters
    ----------
    geometry : LayerGeometry
        The layer's window positions, from `layer_geometry`.
    weights : array_like
        One (kh, kw) kernel of `geometry`'s kernel shape.
    row, col : int
        The input cell.
    border : {"constant", "replicate", "reflect", "reflect_101", "wrap"}, optional
        How the input was padded; with "constant" (default) the padding holds no copies.

    Returns
    -------
    Reach
        The outputs the cell feeds (``covered``), the weight it meets in each (``weight``) and
        which kernel cells land on it (``taps``).

    Examples
    --------
    >>> g = layer_geometry((3, 3), (2, 2))
    >>> r = input_reach(g, [[1, 2], [3, 4]], 1, 1)
    >>> r.weight.tolist()
    [[4.0, 3.0], [2.0, 1.0]]
    """
    check_border(border)
    kernel = _check_layer_weights(weights)
    if kernel.shape[0] != 1 or kernel.shape[1:] != geometry.kernel_shape:
        raise ValueError(f"weights must be one {geometry.kernel_shape} slice; got shape "
                         f"{np.shape(weights)}")
    height, width = geometry.input_shape
    for name, index, size in (("row", row, height), ("col", col, width)):
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not (
                0 <= index < size):
            raise ValueError(f"{name} must be a whole number in 0..{size - 1}; got {index!r}")
    row_hits = source_index(geometry.row_taps, height, border) == row  # (out_h, kh)
    col_hits = source_index(geometry.col_taps, width, border) == col  # (out_w, kw)
    # meets[o_r, o_c, i, j]: kernel cell (i, j) of output (o_r, o_c) lands on the input cell.
    meets = row_hits[:, None, :, None] & col_hits[None, :, None, :]
    weight = np.einsum("abij,ij->ab", meets.astype(np.float64), kernel[0])
    covered = meets.any(axis=(2, 3))
    taps = {(int(a), int(b)): tuple((int(i), int(j)) for i, j in zip(*np.nonzero(meets[a, b]),
                                                                       strict=True))
            for a, b in zip(*np.nonzero(covered), strict=True)}
    return Reach(row=int(row), col=int(col), covered=covered, weight=weight, taps=taps)


# --------------------------------------------------------------- after the convolution


def relu(values) -> np.ndarray:
    """max(0, x), element by element.

    Parameters
    ----------
    values : array_like
        Any shape.

    Returns
    -------
    numpy.ndarray
        float64, the shape of `values`, negatives replaced by 0.

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.5]).tolist()
    [0.0, 0.0, 3.5]
    """
    return np.maximum(np.asarray(values, dtype=np.float64), 0.0)


def pool_length(n: int, size: int, stride: int | None = None) -> int:
    """Outputs of a pooling window of `size` moving by `stride` (default `size`) over `n` cells.

    ``floor((n - size) / stride) + 1``, 0 when the window does not fit.

    >>> pool_length(7, 2), pool_length(7, 3, 1), pool_length(1, 2)
    (3, 5, 0)
    """
    n = check_positive_int(n, "n")
    size = check_positive_int(size, "size")
    stride = size if stride is None else check_positive_int(stride, "stride")
    return 0 if n < size else (n - size) // stride + 1


def _check_pool(values, size: int, kind: str, stride: int | None) -> tuple[np.ndarray, int, int]:
    if kind not in POOLS:
        raise ValueError(f"kind must be one of {POOLS}; got {kind!r}")
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"values must be a non-empty 2-D map; got shape {array.shape}")
    size = check_positive_int(size, "size")
    stride = size if stride is None else check_positive_int(stride, "stride")
    return array, size, stride


def pool2d(values, size: int = 2, kind: str = "max", stride: int | None = None) -> np.ndarray:
    """Max or average pooling of a 2-D map, windows of `size` x `size` moving by `stride`.

    Cells left over at the bottom and right (when the window does not fit) are dropped, as
    in PyTorch's ``max_pool2d`` and ``avg_pool2d`` without padding.

    Parameters
    ----------
    values : array_like
        A non-empty 2-D map.
    size : int, optional
        The window's side, >= 1. Default 2.
    kind : {"max", "average"}, optional
        What the window keeps of its values. Default "max".
    stride : int, optional
        Step between windows, >= 1; None (default) for `size`, windows side by side.

    Returns
    -------
    numpy.ndarray
        float64, ``pool_length`` cells along each axis.

    Examples
    --------
    >>> pool2d(np.arange(16.0).reshape(4, 4), 2, "max").tolist()
    [[5.0, 7.0], [13.0, 15.0]]
    """
    array, size, stride = _check_pool(values, size, kind, stride)
    out_h, out_w = (pool_length(n, size, stride) for n in array.shape)
    result = np.zeros((out_h, out_w))
    for r in range(out_h):
        for c in range(out_w):
            window = array[r * stride : r * stride + size, c * stride : c * stride + size]
            result[r, c] = window.max() if kind == "max" else window.mean()
    return result


@dataclass(frozen=True, eq=False)
class PoolCell:
    """One pooled output: the window of values it reads, where, and the result."""

    row: int
    col: int
    top: int
    left: int
    values: np.ndarray
    result: float


def pool_cell(values, row: int, col: int, size: int = 2, kind: str = "max",
              stride: int | None = None) -> PoolCell:
    """The pooling window of output (`row`, `col`) and its max or average.

    Parameters
    ----------
    values : array_like
        A non-empty 2-D map.
    row, col : int
        A cell of the pooled map.
    size : int, optional
        The window's side, >= 1. Default 2.
    kind : {"max", "average"}, optional
        What the window keeps of its values. Default "max".
    stride : int, optional
        Step between windows, >= 1; None (default) for `size`, windows side by side.

    Returns
    -------
    PoolCell
        The window's top-left corner in `values`, its values and the result.

    Examples
    --------
    >>> p = pool_cell(np.arange(16.0).reshape(4, 4), 1, 0, 2, "average")
    >>> p.values.tolist(), p.result
    ([[8.0, 9.0], [12.0, 13.0]], 10.5)
    """
    array, size, stride = _check_pool(values, size, kind, stride)
    out_h, out_w = (pool_length(n, size, stride) for n in array.shape)
    if not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(f"(row, col) must be inside the {out_h} x {out_w} pooled map; got "
                         f"({row!r}, {col!r})")
    top, left = row * stride, col * stride
    window = array[top : top + size, left : left + size].copy()
    result = float(window.max() if kind == "max" else window.mean())
    return PoolCell(row=int(row), col=int(col), top=top, left=left, values=window,
                    result=result)


@dataclass(frozen=True, eq=False)
class LayerStages:
    """A filter's map through the rest of the layer, and the numbers at one output cell.

    ``biased = conv + bias``; ``activated`` is ``relu(biased)`` (or ``biased`` without ReLU);
    ``pooled`` is None without pooling. ``pool`` is the pooling window holding cell
    (`row`, `col`), None when pooling is off or drops that cell (leftover rows or columns);
    ``pool_window`` marks that window on the map.
    """

    conv: np.ndarray
    biased: np.ndarray
    activated: np.ndarray
    pooled: np.ndarray | None
    row: int
    col: int
    pool: PoolCell | None
    pool_window: np.ndarray


def layer_stages(conv: np.ndarray, row: int, col: int, bias: float = 0.0, use_relu: bool = True,
                 pool: str | None = "max", pool_size: int = 2) -> LayerStages:
    """Bias, ReLU and pooling (window = stride = `pool_size`) after a convolution, at one cell.

    Parameters
    ----------
    conv : (H, W) output map of one filter.
    row, col : the output cell to follow through the stages.
    bias : added to every cell.
    use_relu : apply max(0, x).
    pool : {"max", "average", None}
    pool_size : the pooling window's side, also its stride.

    Examples
    --------
    >>> s = layer_stages(np.array([[-3.0, 1], [2, -5]]), 1, 1, bias=1, pool="max")
    >>> s.activated.tolist(), s.pooled.tolist(), s.pool.result
    ([[0.0, 2.0], [3.0, 0.0]], [[3.0]], 3.0)
    """
    conv = np.asarray(conv, dtype=np.float64)
    if conv.ndim != 2 or 0 in conv.shape:
        raise ValueError(f"conv must be a non-empty 2-D map; got shape {conv.shape}")
    height, width = conv.shape
    for name, index, size in (("row", row, height), ("col", col, width)):
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not (
                0 <= index < size):
            raise ValueError(f"{name} must be a whole number in 0..{size - 1}; got {index!r}")
    biased = conv + check_finite_float(bias, "bias")
    activated = relu(biased) if use_relu else biased
    window = np.zeros(conv.shape, dtype=bool)
    if pool is None:
        return LayerStages(conv, biased, activated, None, int(row), int(col), None, window)
    pooled = pool2d(activated, pool_size, pool)
    cell = None
    p_row, p_col = row // pool_size, col // pool_size
    if p_row < pooled.shape[0] and p_col < pooled.shape[1]:
        cell = pool_cell(activated, p_row, p_col, pool_size, pool)
        window[cell.top : cell.top + pool_size, cell.left : cell.left + pool_size] = True
    return LayerStages(conv, biased, activated, pooled, int(row), int(col), cell, window)


# ------------------------------------------------------------------- a bank of filters


def _rgb(red, green, blue) -> np.ndarray:
    return np.stack([np.asarray(red, float), np.asarray(green, float), np.asarray(blue, float)])


_SOBEL_X = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
_CENTRE = np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]])
_BOX = np.full((3, 3), 1 / 9)

#: A small layer: four 3 x 3 x 3 filters for RGB input (one 3 x 3 slice per channel), each
#: a feature a first layer often learns. Fresh copies from ``rgb_filters()``.
RGB_FILTERS: dict[str, tuple[str, np.ndarray]] = {
    "vertical edges": ("Sobel x on the brightness: the same slice / 3 on every channel",
                       _rgb(_SOBEL_X / 3, _SOBEL_X / 3, _SOBEL_X / 3)),
    "red minus green": ("+1 on red, −1 on green at the centre: a colour-opponent cell",
                        _rgb(_CENTRE, -_CENTRE, 0 * _CENTRE)),
    "blurred brightness": ("a 3 x 3 box on each channel, weighted like luma (0.299, 0.587, "
                           "0.114)", _rgb(0.299 * _BOX, 0.587 * _BOX, 0.114 * _BOX)),
    "blue spots": ("sharpen on blue only: bright blue dots on a dull surround",
                   _rgb(0 * _CENTRE, 0 * _CENTRE,
                        np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]]))),
}


def rgb_filters() -> tuple[list[str], np.ndarray]:
    """The names of RGB_FILTERS and their weights as a fresh (F, 3, 3, 3) array.

    >>> names, weights = rgb_filters()
    >>> len(names), weights.shape
    (4, (4, 3, 3, 3))
    """
    return list(RGB_FILTERS), np.stack([w for _, w in RGB_FILTERS.values()]).copy()




# ----------------------------------------------------------------------- small inputs


def parse_grid(text: str, max_side: int = MAX_GRID_SIDE) -> np.ndarray:
    """A small grid typed as rows of numbers (spaces or commas between, one row a line).

    Raises ValueError naming the first bad cell, an uneven row, or a side above `max_side`.

    >>> parse_grid("1 2 3\\n4, 5, 6").tolist()
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    """
    if not isinstance(text, str):
        raise ValueError(f"grid must be text; got {type(text).__name__}")
    lines = [line.replace(",", " ").split() for line in text.strip().splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError("grid is empty: type rows of numbers, one row a line")
    if len(lines) > max_side or max(map(len, lines)) > max_side:
        raise ValueError(f"grid must be at most {max_side} x {max_side}; got "
                         f"{len(lines)} rows of up to {max(map(len, lines))} numbers")
    width = len(lines[0])
    values = np.zeros((len(lines), width))
    for r, line in enumerate(lines):
        if len(line) != width:
            raise ValueError(f"row y={r} has {len(line)} numbers; every row needs {width}")
        for c, cell in enumerate(line):
            try:
                number = float(cell)
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or abs(number) > 1e6:
                raise ValueError(f"the cell at x={c}, y={r} is {cell[:12]!r}: type "
                                 "a number between -1e6 and 1e6")
            values[r, c] = number
    return values


def centre_crop(image: np.ndarray, side: int, channels: bool = False) -> np.ndarray:
    """The `side` x `side` cells at the image's centre (smaller if the image is), as float64.

    A colour image becomes gray (``to_gray``) unless `channels`, which keeps (side, side, C).

    >>> centre_crop(np.arange(25).reshape(5, 5), 3).tolist()
    [[6.0, 7.0, 8.0], [11.0, 12.0, 13.0], [16.0, 17.0, 18.0]]
    """
    check_image(image)
    side = check_positive_int(side, "side")
    picture = image if channels or image.ndim == 2 else to_gray(image)
    height, width = picture.shape[:2]
    top, left = max((height - side) // 2, 0), max((width - side) // 2, 0)
    return picture[top : top + side, left : left + side].astype(np.float64)


def busiest_crop(image: np.ndarray, side: int,
                 channels: bool = False) -> tuple[np.ndarray, int, int]:
    """The `side` x `side` crop where the image's gray levels vary most, and its top and left.

    The crop is gray unless `channels`, which keeps a colour image's (side, side, C).

    A flat patch (the sky, a dark coat) makes every product look alike; the spot with the
    largest variance of gray levels shows what a kernel does. Ties go to the first (top-left).

    >>> image = np.zeros((8, 8)); image[5, 6] = 9
    >>> crop, top, left = busiest_crop(image, 3)
    >>> (top, left), int(crop.max())
    ((3, 4), 9)
    """
    check_image(image)
    side = check_positive_int(side, "side")
    gray = (image if image.ndim == 2 else to_gray(image)).astype(np.float64)
    height, width = gray.shape
    picture = image if channels else gray
    if side >= min(height, width):
        return (centre_crop(picture, side, channels), max((height - side) // 2, 0),
                max((width - side) // 2, 0))
    # Running sums give every window's mean and mean square at once.
    table = np.pad(np.cumsum(np.cumsum(np.stack([gray, gray**2]), 1), 2),
                   ((0, 0), (1, 0), (1, 0)))
    sums = (table[:, side:, side:] - table[:, :-side, side:] - table[:, side:, :-side]
            + table[:, :-side, :-side]) / side**2
    variance = sums[1] - sums[0] ** 2
    top, left = np.unravel_index(int(np.argmax(variance)), variance.shape)
    crop = picture[top : top + side, left : left + side].astype(np.float64)
    return crop, int(top), int(left)


