"""One output pixel worked out by hand: what lies under the kernel, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core._validation import check_index
from ..core.convolve import prepare
from ..core.padding import Border, document_border, padded_crop, source_index


@dataclass(frozen=True, eq=False)
class PixelBreakdown:
    """Every number behind ``convolve(image, kernel, ...)[y, x]``.

    Attributes
    ----------
    roi : (kh, kw) or (kh, kw, C) values under the kernel, padded cells included.
    weights : (kh, kw) weights as applied (rotated 180 degrees when `flip`).
    products : roi * weights, element by element.
    total : the sum of `products`; a float for gray images, one per channel for colour.
    padded : (kh, kw) bool mask of the cells that lie outside the image.
    source_yx : (kh, kw, 2) (y, x) of the original pixel each cell copies; -1 for constant cells.
    """

    x: int
    y: int
    border: str
    flip: bool
    value: float
    roi: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    total: float | np.ndarray
    padded: np.ndarray
    source_yx: np.ndarray

    @property
    def image_yx(self) -> np.ndarray:
        """Where each cell under the kernel lies in the image, (y, x), padding included.

        A padded cell's position is outside the image (a negative index, or one past the
        edge); ``source_yx`` says which pixel its value was copied from.

        Returns
        -------
        ndarray
            int, shape (kh, kw, 2).

        Examples
        --------
        >>> why = explain_pixel(np.arange(9.0).reshape(3, 3), np.ones((3, 3)), 0, 0)
        >>> why.image_yx[0, 0].tolist(), why.image_yx[2, 2].tolist()
        ([-1, -1], [1, 1])
        """
        kh, kw = self.weights.shape
        rows = np.arange(kh)[:, None] + self.y - kh // 2
        cols = np.arange(kw)[None, :] + self.x - kw // 2
        return np.stack(np.broadcast_arrays(rows, cols), axis=-1)

    @property
    def is_colour(self) -> bool:
        """Whether the breakdown has one channel axis (colour image).

        Returns
        -------
        bool

        Examples
        --------
        >>> explain_pixel(np.zeros((3, 3, 3)), np.ones((3, 3)), 1, 1).is_colour
        True
        """
        return self.roi.ndim == 3


@document_border
def explain_pixel(
    image: np.ndarray,
    kernel,
    x: int,
    y: int,
    border: Border = "replicate",
    *,
    flip: bool = False,
    value: float = 0.0,
) -> PixelBreakdown:
    """Break the output at column `x`, row `y` into the region, the weights and their products.

    ``explain_pixel(...).total`` equals ``convolve(...)[y, x]`` (up to float32 rounding) for
    the same arguments.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array of numbers.
    kernel : Kernel or array_like
        2-D weights with odd height and odd width.
    x, y : int
        Column and row of the output pixel, inside the image.
    %(border)s
        Default "replicate".
    flip : bool, optional
        True for a true convolution (the weights rotated 180 degrees). Default False.
    %(value)s

    Returns
    -------
    PixelBreakdown
        The region, the weights as applied, their products and sum, the padded cells and
        where every cell's value came from.

    Examples
    --------
    A plus-shaped kernel on ``arange(25)``: output [2, 2] is 7 + 11 + 12 + 13 + 17 = 60.

    >>> b = explain_pixel(np.arange(25.0).reshape(5, 5), [[0, 1, 0], [1, 1, 1], [0, 1, 0]],
    ...                   x=2, y=2)
    >>> b.products.tolist(), b.total
    ([[0.0, 7.0, 0.0], [11.0, 12.0, 13.0], [0.0, 17.0, 0.0]], 60.0)

    At a corner, replicate padding repeats the edge pixels:

    >>> b = explain_pixel(np.arange(9.0).reshape(3, 3), np.ones((3, 3)), x=0, y=0)
    >>> b.roi.tolist(), b.total, int(b.padded.sum())
    ([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0], [3.0, 3.0, 4.0]], 12.0, 5)
    """
    weights, value = prepare(image, kernel, border, flip, value)
    height, width = image.shape[:2]
    x = check_index(x, "x", width)
    y = check_index(y, "y", height)
    kernel_height, kernel_width = weights.shape

    top, left = y - kernel_height // 2, x - kernel_width // 2
    roi, outside = padded_crop(image.astype(np.float64), top, left, kernel_height, kernel_width,
                               border, value)
    source_rows = source_index(np.arange(top, top + kernel_height), height, border)
    source_cols = source_index(np.arange(left, left + kernel_width), width, border)
    source_yx = np.stack(np.broadcast_arrays(source_rows[:, None], source_cols[None, :]), axis=-1)
    # A constant cell copies no pixel, even where only its row or only its column is outside.
    source_yx[(source_yx < 0).any(axis=-1)] = -1
    applied = weights if roi.ndim == 2 else weights[:, :, np.newaxis]
    products = roi * applied
    total = products.sum(axis=(0, 1))
    total = float(total) if roi.ndim == 2 else total

    for array in (roi, products, source_yx, outside):
        array.flags.writeable = False
    weights = weights.copy()
    weights.flags.writeable = False
    return PixelBreakdown(x=x, y=y, border=border, flip=bool(flip), value=value, roi=roi,
                          weights=weights, products=products, total=total, padded=outside,
                          source_yx=source_yx)


BREAKDOWN_COLUMNS = ("row", "col", "image_y", "image_x", "padded", "source_y", "source_x",
                     "channel", "value", "weight", "product")


def breakdown_rows(breakdown: PixelBreakdown) -> list[tuple]:
    """One row per kernel cell (and channel): where it lies, where its value came from, the numbers.

    Parameters
    ----------
    breakdown : PixelBreakdown
        From `explain_pixel`.

    Returns
    -------
    list of tuple
        One tuple per cell and channel, its fields in BREAKDOWN_COLUMNS order: ``image_y`` /
        ``image_x`` may lie outside the image (padding), ``source_y`` / ``source_x`` are -1
        for constant padding, ``channel`` is 0 for gray images.

    Examples
    --------
    >>> b = explain_pixel(np.arange(9.0).reshape(3, 3), np.ones((3, 3)), x=0, y=0)
    >>> dict(zip(BREAKDOWN_COLUMNS, breakdown_rows(b)[0]))["source_y"]
    0
    """
    kernel_height, kernel_width = breakdown.weights.shape
    channels = breakdown.roi.shape[2] if breakdown.is_colour else 1
    rows = []
    for channel in range(channels):
        for r in range(kernel_height):
            for c in range(kernel_width):
                cell = (r, c, channel) if breakdown.is_colour else (r, c)
                rows.append((
                    r, c,
                    breakdown.y + r - kernel_height // 2, breakdown.x + c - kernel_width // 2,
                    bool(breakdown.padded[r, c]),
                    int(breakdown.source_yx[r, c, 0]), int(breakdown.source_yx[r, c, 1]),
                    channel, float(breakdown.roi[cell]), float(breakdown.weights[r, c]),
                    float(breakdown.products[cell]),
                ))
    return rows


def breakdown_csv(breakdown: PixelBreakdown) -> str:
    """The breakdown as CSV text: a header of BREAKDOWN_COLUMNS, then `breakdown_rows`.

    Parameters
    ----------
    breakdown : PixelBreakdown
        From `explain_pixel`.

    Returns
    -------
    str
        Comma-separated lines ending in a newline; floats keep every digit (``repr``), flags
        and coordinates are integers.

    Examples
    --------
    >>> b = explain_pixel(np.arange(9.0).reshape(3, 3), np.ones((3, 3)), x=0, y=0)
    >>> breakdown_csv(b).splitlines()[1]
    '0,0,-1,-1,1,0,0,0,0.0,1.0,0.0'
    """
    lines = [",".join(BREAKDOWN_COLUMNS)]
    for row in breakdown_rows(breakdown):
        lines.append(",".join(repr(v) if isinstance(v, float) else str(int(v)) for v in row))
    return "\n".join(lines) + "\n"
