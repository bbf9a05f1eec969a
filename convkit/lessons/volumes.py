"""A layer drawn as volumes: the input, each filter and the output maps as stacks of slabs
seen obliquely from above, and which cells one output reads.

A volume of H rows, W columns and C channels is drawn as C slabs, one per channel, one above
the other; each slab is its H x W grid lying flat, row 0 at the back (up and to the right),
as a picture lying on a table is seen from its bottom edge. Everything here is screen
geometry in the drawing's own units (one unit a CSS pixel at its natural size), computed
without Streamlit so that it can be tested: the pages only write it out as SVG.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ..core._validation import check_positive_int
from .geometry import LayerGeometry

#: Most filters the drawn layer takes (the four of ``RGB_FILTERS``), so the drawing stays small.
MAX_VOLUME_FILTERS = 4
#: Largest side (rows, columns or slabs) a drawn volume takes: every cell is drawn.
MAX_VOLUME_SIDE = 16


@dataclass(frozen=True)
class Stack:
    """How one volume is drawn: `slabs` sheared grids of `rows` x `cols` cells, one above another.

    A cell is `cell` units wide; each row back shifts the grid `slant` units right and up.
    `margin` cells of room are left on every side of each slab (for a window hanging over the
    edge into the padding). ``width`` and ``height`` are the drawing's size; every corner of
    every cell, margin included, lies within 0..width, 0..height.
    """

    rows: int
    cols: int
    slabs: int
    cell: float
    slant: float
    gap: float
    margin: int

    @property
    def slab_height(self) -> float:
        """Screen height of one slab with its margin rows."""
        return (self.rows + 2 * self.margin) * self.slant

    @property
    def width(self) -> float:
        """Screen width of the drawing."""
        return ((self.cols + 2 * self.margin) * self.cell
                + (self.rows + 2 * self.margin) * self.slant)

    @property
    def height(self) -> float:
        """Screen height of the drawing: the slabs and the gaps between them."""
        return self.slabs * self.slab_height + (self.slabs - 1) * self.gap

    def point(self, slab: int, x: float, y: float) -> tuple[float, float]:
        """Screen (x, y) of grid point (`x`, `y`) of slab `slab`.

        Parameters
        ----------
        slab : int
            The slab, 0 at the top.
        x, y : float
            A grid point: a cell's top-left corner has the cell's own x and y; x = cols is
            the right edge, y = rows the front; outside 0..cols or 0..rows lies the margin.

        Returns
        -------
        tuple of float
            The point on screen, in drawing units from the drawing's top-left corner.

        Examples
        --------
        >>> Stack(2, 3, 1, cell=10, slant=4, gap=0, margin=0).point(0, 0, 0)
        (8.0, 0.0)
        """
        left = (x + self.margin) * self.cell + (self.rows + self.margin - y) * self.slant
        top = slab * (self.slab_height + self.gap) + (y + self.margin) * self.slant
        return float(left), float(top)

    def cell_corners(self, slab: int, x: int, y: int) -> np.ndarray:
        """The four screen corners of cell x, y of slab `slab`.

        Parameters
        ----------
        slab : int
            The slab, 0 at the top.
        x, y : int
            The cell (outside the grid: a cell of the margin).

        Returns
        -------
        numpy.ndarray
            (4, 2) screen (x, y): back-left, back-right, front-right, front-left.

        Examples
        --------
        >>> Stack(2, 3, 1, cell=10, slant=4, gap=0, margin=0).cell_corners(0, 2, 1).tolist()
        [[24.0, 4.0], [34.0, 4.0], [30.0, 8.0], [20.0, 8.0]]
        """
        return np.array([self.point(slab, x, y), self.point(slab, x + 1, y),
                         self.point(slab, x + 1, y + 1), self.point(slab, x, y + 1)])

    def corners(self) -> np.ndarray:
        """Every cell's corners at once, as `cell_corners` gives them one at a time.

        Returns
        -------
        numpy.ndarray
            (slabs, rows, cols, 4, 2), indexed slab, y, x.

        Examples
        --------
        >>> Stack(2, 3, 1, cell=10, slant=4, gap=0, margin=0).corners()[0, 1, 2].tolist()
        [[24.0, 4.0], [34.0, 4.0], [30.0, 8.0], [20.0, 8.0]]
        """
        slab, y, x = np.meshgrid(np.arange(self.slabs), np.arange(self.rows),
                                 np.arange(self.cols), indexing="ij")
        # The corners' offsets from a cell's own (x, y): back-left, back-right, front-right,
        # front-left.
        dx, dy = np.array([0, 1, 1, 0]), np.array([0, 0, 1, 1])
        gx, gy = x[..., None] + dx, y[..., None] + dy
        left = (gx + self.margin) * self.cell + (self.rows + self.margin - gy) * self.slant
        top = slab[..., None] * (self.slab_height + self.gap) + (gy + self.margin) * self.slant
        return np.stack([left, top], axis=-1).astype(np.float64)


def stack(rows: int, cols: int, slabs: int, cell: float = 16.0, *, slant: float | None = None,
          gap: float | None = None, margin: int = 0) -> Stack:
    """How to draw a `rows` x `cols` x `slabs` volume (see `Stack`).

    Parameters
    ----------
    rows, cols, slabs : int
        The volume's height, width and channels, each 1..MAX_VOLUME_SIDE.
    cell : float, optional
        A cell's width in drawing units, > 0. Default 16.
    slant : float, optional
        How far each row back moves the grid right and up; None (default) for half a cell.
    gap : float, optional
        Room between slabs; None (default) for half a cell.
    margin : int, optional
        Cells of room left around each slab, 0..MAX_VOLUME_SIDE. Default 0.

    Returns
    -------
    Stack
        The drawing's parameters, with its size and every cell's corners.

    Examples
    --------
    >>> s = stack(6, 6, 3, cell=10)
    >>> s.width, s.height, s.corners().shape
    (90.0, 100.0, (3, 6, 6, 4, 2))
    """
    rows, cols, slabs = (_check_side(v, name) for v, name in
                         ((rows, "rows"), (cols, "cols"), (slabs, "slabs")))
    cell = _check_length(cell, "cell")
    slant = cell / 2 if slant is None else _check_length(slant, "slant")
    gap = cell / 2 if gap is None else _check_length(gap, "gap", zero=True)
    margin = check_positive_int(margin, "margin", minimum=0)
    if margin > MAX_VOLUME_SIDE:
        raise ValueError(f"margin must be at most {MAX_VOLUME_SIDE} cells; got {margin}")
    return Stack(rows, cols, slabs, cell, slant, gap, margin)


@dataclass(frozen=True, eq=False)
class VolumeFocus:
    """One output of a layer drawn as volumes: the filter that made it and what it read.

    ``taps`` is (kh, kw, 2): the input (row, col) each weight meets (outside the input: the
    padding). ``read`` is (H, W): the input cells inside the window, in every channel.
    ``outside`` counts the taps that fall on the padding.
    """

    filter: int
    out_row: int
    out_col: int
    taps: np.ndarray
    read: np.ndarray
    outside: int


def volume_focus(geometry: LayerGeometry, filter_count: int, filter_index: int, out_row: int,
                 out_col: int) -> VolumeFocus:
    """The filter and the input cells behind one output of a layer drawn as volumes.

    The output is x=`out_col`, y=`out_row` of the map of filter `filter_index`.

    Parameters
    ----------
    geometry : LayerGeometry
        The layer's window positions, from `layer_geometry`.
    filter_count : int
        The layer's filters, 1..MAX_VOLUME_FILTERS.
    filter_index : int
        The chosen filter, 0..filter_count - 1: its output map holds the output cell.
    out_row, out_col : int
        The output cell, inside ``geometry.output_shape``.

    Returns
    -------
    VolumeFocus
        The taps' input cells, which input cells they read and how many fall on the padding.

    Examples
    --------
    >>> from convkit.lessons import layer_geometry
    >>> f = volume_focus(layer_geometry((4, 4), (3, 3), output="same"), 2, 1, 0, 3)
    >>> np.argwhere(f.read).tolist(), f.outside
    ([[0, 2], [0, 3], [1, 2], [1, 3]], 5)
    """
    count = check_positive_int(filter_count, "filter_count")
    if count > MAX_VOLUME_FILTERS:
        raise ValueError(f"filter_count must be at most {MAX_VOLUME_FILTERS}; got {count}")
    out_h, out_w = geometry.output_shape
    for name, value, size in (("filter_index", filter_index, count),
                              ("out_row", out_row, out_h), ("out_col", out_col, out_w)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not (
                0 <= value < size):
            raise ValueError(f"{name} must be a whole number in 0..{size - 1}; got {value!r}")
    rows = geometry.row_taps[out_row]
    cols = geometry.col_taps[out_col]
    taps = np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1)
    height, width = geometry.input_shape
    inside = (taps[..., 0] >= 0) & (taps[..., 0] < height) & (taps[..., 1] >= 0) & (
        taps[..., 1] < width)
    read = np.zeros((height, width), dtype=bool)
    read[taps[inside][:, 0], taps[inside][:, 1]] = True
    return VolumeFocus(filter=int(filter_index), out_row=int(out_row), out_col=int(out_col),
                       taps=taps, read=read, outside=int((~inside).sum()))


def _check_side(value, name: str) -> int:
    value = check_positive_int(value, name)
    if value > MAX_VOLUME_SIDE:
        raise ValueError(f"{name} must be at most {MAX_VOLUME_SIDE}; got {value}")
    return value


def _check_length(value, name: str, zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if not (np.isfinite(value) and (value >= 0 if zero else value > 0) and value <= 1000):
        allowed = "0 or more" if zero else "above 0"
        raise ValueError(f"{name} must be {allowed} and at most 1000; got {value!r}")
    return value
