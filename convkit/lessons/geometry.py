"""A layer's geometry: output sizes, padding, and which inputs each output's taps read."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..core._validation import check_positive_int

#: Output sizes of a convolutional layer ('same' keeps n / stride, 'full' every overlap).
OUTPUT_SIZES = ("valid", "same", "full")
Output = Literal["valid", "same", "full"]


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


@dataclass(frozen=True)
class LayerGeometry:
    """Where a layer's window goes: padding on each side, output size, the taps of every output.

    ``row_taps[o]`` are the input rows output row `o` reads (negative or >= height: padding),
    ``col_taps`` the same for columns.
    """

    input_shape: tuple[int, int]
    kernel_shape: tuple[int, int]
    stride: int
    dilation: int
    output: str
    pad_top: int
    pad_bottom: int
    pad_left: int
    pad_right: int
    output_shape: tuple[int, int]
    row_taps: np.ndarray
    col_taps: np.ndarray

    @property
    def steps(self) -> int:
        """How many positions the window takes: one per output cell."""
        return self.output_shape[0] * self.output_shape[1]

    def cell(self, step: int) -> tuple[int, int]:
        """The output (row, column) of step `step` (0-based, row by row).

        Parameters
        ----------
        step : int
            0..steps - 1.

        Returns
        -------
        row, col : int
            The output cell the window writes at that step.

        Examples
        --------
        >>> g = layer_geometry((3, 4), (3, 3), output="same")
        >>> g.output_shape, g.cell(5)
        ((3, 4), (1, 1))
        """
        if not 0 <= step < self.steps:
            raise ValueError(f"step must be in 0..{self.steps - 1}; got {step!r}")
        return divmod(int(step), self.output_shape[1])

    def step_at(self, row: int, col: int) -> int:
        """The step (0-based) at which the window writes output (`row`, `col`).

        Parameters
        ----------
        row, col : int
            An output cell, inside ``output_shape``.

        Returns
        -------
        int
            ``row * output width + col``: the inverse of `cell`.

        Examples
        --------
        >>> layer_geometry((3, 4), (3, 3), output="same").step_at(1, 1)
        5
        """
        height, width = self.output_shape
        if not (0 <= row < height and 0 <= col < width):
            raise ValueError(f"(row, col) must be inside the {height} x {width} output; got "
                             f"({row!r}, {col!r})")
        return int(row) * width + int(col)


def layer_geometry(input_shape: tuple[int, int], kernel_shape: tuple[int, int],
                   stride: int = 1, dilation: int = 1, output: Output = "valid") -> LayerGeometry:
    """The padding, output size and window taps of a layer on an input of `input_shape`.

    Parameters
    ----------
    input_shape : tuple of int
        (height, width) of the input.
    kernel_shape : tuple of int
        (kh, kw), any sides >= 1 (even ones too, as in deep learning).
    stride, dilation : int, optional
        Step between outputs and between taps, >= 1, the same along both axes. Default 1.
    output : {"valid", "same", "full"}, optional
        'valid' pads nothing; 'same' pads so that there are ceil(n / stride) outputs
        (TensorFlow's rule: the odd zero goes after); 'full' gives every overlap. Default
        'valid'.

    Returns
    -------
    LayerGeometry
        Padding on each side, the output shape and the input rows and columns of every tap.

    Examples
    --------
    >>> g = layer_geometry((5, 5), (3, 3), stride=2, output="same")
    >>> g.output_shape, (g.pad_top, g.pad_bottom), g.row_taps.tolist()
    ((3, 3), (1, 1), [[-1, 0, 1], [1, 2, 3], [3, 4, 5]])
    """
    _check_output(output)
    height, width = (check_positive_int(n, "input side") for n in input_shape)
    kh, kw = (check_positive_int(k, "kernel side") for k in kernel_shape)
    stride = check_positive_int(stride, "stride")
    dilation = check_positive_int(dilation, "dilation")
    top, bottom = padding_before_after(height, kh, stride, dilation, output)
    left, right = padding_before_after(width, kw, stride, dilation, output)
    shape = (output_length(height, kh, stride, dilation, output),
             output_length(width, kw, stride, dilation, output))
    return LayerGeometry(
        input_shape=(height, width), kernel_shape=(kh, kw), stride=stride, dilation=dilation,
        output=output, pad_top=top, pad_bottom=bottom, pad_left=left, pad_right=right,
        output_shape=shape,
        row_taps=window_taps(height, kh, stride, dilation, output).reshape(shape[0], kh),
        col_taps=window_taps(width, kw, stride, dilation, output).reshape(shape[1], kw))

