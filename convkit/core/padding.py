"""Border modes: what lies beyond the image edge, in one place for the whole project."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar, get_args

import cv2
import numpy as np

from ._validation import check_image, check_value

#: A border mode, as the type of every ``border`` parameter.
Border = Literal["replicate", "constant", "reflect", "reflect_101", "wrap"]

#: The modes in their documented order, read off `Border` so the two cannot drift apart.
BORDER_MODES: tuple[Border, ...] = get_args(Border)

#: How each mode extends the row ``abc`` by three cells on each side (OpenCV's notation).
BORDER_DRAWINGS: dict[str, str] = {
    "replicate": "aaa|abc|ccc",
    "constant": "vvv|abc|vvv",
    "reflect": "cba|abc|cba",
    "reflect_101": "cb|abc|ba",
    "wrap": "bc|abc|ab",
}

#: One line on each mode, used as help text in the app.
BORDER_DESCRIPTIONS: dict[str, str] = {
    "replicate": "repeat the edge pixel (the tutorial's choice)",
    "constant": "fill with one value v (zero by default)",
    "reflect": "mirror, edge pixel included",
    "reflect_101": "mirror about the edge pixel, not repeating it (cv2.filter2D's default)",
    "wrap": "tile the image, as if it were periodic (cv2.filter2D refuses it)",
}


def _border_parameter_doc() -> str:
    """The numpydoc entry for a ``border`` parameter, built from the two tables above."""
    choices = ", ".join(f'"{mode}"' for mode in BORDER_MODES)
    lines = [f"border : {{{choices}}}",
             "    What lies beyond the image edge (the row ``abc`` extended by each mode):", ""]
    width = max(map(len, BORDER_MODES)) + 2
    for mode in BORDER_MODES:
        lines.append(f"    - {mode + ':':<{width}} ``{BORDER_DRAWINGS[mode]}``, "
                     f"{BORDER_DESCRIPTIONS[mode]}")
    return "\n".join(lines)


#: Parameter entries shared by every function that pads, written once and filled into their
#: docstrings by `document_border` (as scipy.ndimage's docfiller does for ``mode``).
PARAMETER_DOCS: dict[str, str] = {
    "border": _border_parameter_doc(),
    "value": ("value : float, optional\n"
              "    The fill of the ``constant`` border (the ``v`` above); ignored by the other\n"
              "    modes. Default 0."),
}

_Function = TypeVar("_Function", bound=Callable)


def document_border(function: _Function) -> _Function:
    """Fill ``%(border)s`` and ``%(value)s`` in `function`'s docstring with PARAMETER_DOCS.

    Continuation lines take the placeholder's indentation, so an entry reads as if it had been
    typed in place.

    Parameters
    ----------
    function : callable
        A function whose docstring holds ``%(border)s`` and/or ``%(value)s`` placeholders.

    Returns
    -------
    callable
        The same function, its ``__doc__`` filled in.

    Examples
    --------
    >>> def f():
    ...     pass
    >>> f.__doc__ = "    %(value)s"
    >>> document_border(f).__doc__.splitlines()[0]
    '    value : float, optional'
    """
    doc = function.__doc__
    if doc:
        filled = []
        for line in doc.splitlines():
            stripped = line.strip()
            key = stripped[2:-2] if stripped.startswith("%(") and stripped.endswith(")s") else None
            if key in PARAMETER_DOCS:
                indent = line[: len(line) - len(line.lstrip())]
                filled += [indent + entry if entry else ""
                           for entry in PARAMETER_DOCS[key].splitlines()]
            else:
                filled.append(line)
        function.__doc__ = "\n".join(filled)
    return function


#: The same modes under OpenCV's, NumPy's and scipy.ndimage's names.
OPENCV_BORDERS: dict[str, int] = {
    "replicate": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
    "reflect": cv2.BORDER_REFLECT,
    "reflect_101": cv2.BORDER_REFLECT_101,
    "wrap": cv2.BORDER_WRAP,
}
NUMPY_PAD_MODES: dict[str, str] = {
    "replicate": "edge",
    "constant": "constant",
    "reflect": "symmetric",
    "reflect_101": "reflect",
    "wrap": "wrap",
}
NDIMAGE_MODES: dict[str, str] = {
    "replicate": "nearest",
    "constant": "constant",
    "reflect": "reflect",
    "reflect_101": "mirror",
    "wrap": "wrap",
}

#: The libraries whose names for the modes BORDER_NAMES gives, in the order shown.
BORDER_LIBRARIES: tuple[str, ...] = ("OpenCV", "scipy.ndimage", "NumPy pad", "MATLAB imfilter",
                                     "PyTorch padding_mode", "GIMP")
#: Written where a library has no such mode.
NO_NAME = "none"

#: Each mode's name in every library of BORDER_LIBRARIES ("none" where it has none). OpenCV,
#: SciPy and NumPy come from the tables above, which the code calls; the others are for
#: readers: MATLAB's imfilter options (a number X for constant), the ``padding_mode`` of
#: torch.nn.Conv2d (F.pad calls reflect_101 "reflect" too, and takes any constant value) and
#: the Border choices of GIMP's Convolution Matrix filter.
BORDER_NAMES: dict[str, dict[str, str]] = {
    mode: {
        "OpenCV": f"cv2.BORDER_{mode.upper()}",
        "scipy.ndimage": NDIMAGE_MODES[mode],
        "NumPy pad": NUMPY_PAD_MODES[mode],
        **dict(zip(BORDER_LIBRARIES[3:], others, strict=True)),
    }
    for mode, others in {
        "replicate": ("replicate", "replicate", "Extend"),
        "constant": ("X (a number, 0 by default)", "zeros (v = 0 only)", NO_NAME),
        "reflect": ("symmetric", NO_NAME, NO_NAME),
        "reflect_101": (NO_NAME, "reflect", NO_NAME),
        "wrap": ("circular", "circular", "Wrap"),
    }.items()
}


def border_names_help(border: str | None = None) -> str:
    """A mode's (or every mode's) names in other libraries, as one line of help text.

    Parameters
    ----------
    border : str, optional
        One of BORDER_MODES; None for all of them, separated by semicolons.

    Returns
    -------
    str
        E.g. ``"replicate (aaa|abc|ccc): OpenCV cv2.BORDER_REPLICATE, scipy.ndimage nearest,
        ..."``, libraries without the mode left out.

    Examples
    --------
    >>> border_names_help("reflect_101")[:60]
    'reflect_101 (cb|abc|ba): OpenCV cv2.BORDER_REFLECT_101, scip'
    >>> "GIMP" in border_names_help("reflect_101")
    False
    """
    if border is None:
        return "; ".join(border_names_help(mode) for mode in BORDER_MODES)
    check_border(border)
    names = ", ".join(f"{library} {name}" for library, name in BORDER_NAMES[border].items()
                      if name != NO_NAME)
    return f"{border} ({BORDER_DRAWINGS[border]}): {names}"


#: The border mode cv2.filter2D uses when none is given.
OPENCV_DEFAULT_BORDER: Border = "reflect_101"


@document_border
def check_border(border: Border) -> Border:
    """Return `border` if it is one of BORDER_MODES, else raise ValueError naming them.

    Parameters
    ----------
    %(border)s

    Returns
    -------
    str
        `border` itself.

    Raises
    ------
    ValueError
        When `border` is not one of BORDER_MODES; the message names the bad value.

    Examples
    --------
    >>> check_border("wrap")
    'wrap'
    """
    if border not in BORDER_MODES:
        raise ValueError(f"border must be one of {BORDER_MODES}; got {border!r}")
    return border


@document_border
def source_index(indices, n: int, border: Border) -> np.ndarray:
    """Map positions along an axis of length `n` (maybe outside 0..n-1) to the pixel they copy.

    Parameters
    ----------
    indices : int or array_like of int
        Positions along the axis; negative ones and ones from `n` up lie in the padding.
    n : int
        Length of the axis (at least 1).
    %(border)s

    Returns
    -------
    numpy.ndarray
        int64 array shaped like `indices`: the index of the pixel each position copies, or -1
        for cells outside the image in ``constant`` mode, which copy no pixel.

    Examples
    --------
    >>> source_index(range(-2, 5), 3, "reflect_101").tolist()
    [2, 1, 0, 1, 2, 1, 0]
    >>> source_index([-1, 3], 3, "constant").tolist()
    [-1, -1]
    """
    check_border(border)
    if n < 1:
        raise ValueError(f"n must be at least 1; got {n}")
    idx = np.asarray(indices, dtype=np.int64)
    if border == "replicate":
        return np.clip(idx, 0, n - 1)
    if border == "constant":
        return np.where((idx >= 0) & (idx < n), idx, -1)
    if border == "wrap":
        return np.mod(idx, n)
    if border == "reflect":
        folded = np.mod(idx, 2 * n)
        return np.where(folded < n, folded, 2 * n - 1 - folded)
    # reflect_101: the edge pixel is the mirror, so the period is 2n - 2.
    if n == 1:
        return np.zeros_like(idx)
    folded = np.mod(idx, 2 * n - 2)
    return np.where(folded < n, folded, 2 * n - 2 - folded)


@document_border
def pad(image: np.ndarray, pad_y: int, pad_x: int, border: Border,
        value: float = 0.0) -> np.ndarray:
    """Pad `image` by `pad_y` rows above and below and `pad_x` columns left and right.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array of numbers.
    pad_y, pad_x : int
        Rows added at the top and at the bottom, columns at the left and at the right (>= 0).
        Pads wider than the image repeat the mode's pattern.
    %(border)s
    %(value)s

    Returns
    -------
    numpy.ndarray
        (H + 2 pad_y, W + 2 pad_x[, C]) array of the image's dtype.

    Examples
    --------
    >>> pad(np.array([[1, 2, 3]]), 0, 2, "reflect").tolist()
    [[2, 1, 1, 2, 3, 3, 2]]
    """
    check_image(image)
    check_border(border)
    value = check_value(value)
    pad_y, pad_x = int(pad_y), int(pad_x)
    if pad_y < 0 or pad_x < 0:
        raise ValueError(f"pad_y and pad_x must be >= 0; got {pad_y}, {pad_x}")
    height, width = image.shape[:2]
    if _opencv_can_pad(image, pad_y, pad_x, border):
        channels = image.shape[2] if image.ndim == 3 else 1
        padded = cv2.copyMakeBorder(
            image, pad_y, pad_y, pad_x, pad_x, OPENCV_BORDERS[border], value=(value,) * channels
        )
        return padded.reshape(height + 2 * pad_y, width + 2 * pad_x, *image.shape[2:])
    padded, _ = padded_crop(image, -pad_y, -pad_x, height + 2 * pad_y, width + 2 * pad_x, border,
                            value)
    return padded


def _opencv_can_pad(image: np.ndarray, pad_y: int, pad_x: int, border: Border) -> bool:
    """Whether cv2.copyMakeBorder handles this case as our modes define it (it is faster)."""
    height, width = image.shape[:2]
    channels = image.shape[2] if image.ndim == 3 else 1
    supported_dtype = image.dtype in (np.uint8, np.int8, np.uint16, np.int16, np.int32,
                                      np.float32, np.float64)
    # OpenCV repeats reflections for pads wider than the image, but not for wrap or 1-pixel axes.
    narrow = pad_y >= height or pad_x >= width
    return supported_dtype and channels <= 4 and not narrow


#: The corners `padded_corner` can show.
CORNERS: tuple[str, ...] = ("top-left", "top-right", "bottom-left", "bottom-right")


@document_border
def padded_corner(image: np.ndarray, amount: int, border: Border, value: float = 0.0,
                  size: int = 48, corner: str = "top-left") -> np.ndarray:
    """One corner of `image` padded by `amount` in `border` mode, without padding the whole image.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array of numbers.
    amount : int
        Padded rows and columns shown beyond the corner (>= 0; 0 gives a plain crop).
    %(border)s
    %(value)s
    size : int, optional
        Side of the image's own part of the corner, capped by its height and width. Default 48.
    corner : {"top-left", "top-right", "bottom-left", "bottom-right"}, optional
        Which corner (see CORNERS). Default "top-left".

    Returns
    -------
    numpy.ndarray
        The ``(amount + h) x (amount + w)`` cells of ``pad(image, amount, amount, border,
        value)`` at that corner, ``h, w`` being `size` capped by the image's height and width.

    Examples
    --------
    >>> padded_corner(np.array([[1, 2, 3], [4, 5, 6]]), 1, "replicate", size=2).tolist()
    [[1, 1, 2], [1, 1, 2], [4, 4, 5]]
    >>> padded_corner(np.array([[1, 2, 3], [4, 5, 6]]), 1, "wrap", size=2,
    ...               corner="bottom-right").tolist()
    [[2, 3, 1], [5, 6, 4], [2, 3, 1]]
    """
    check_image(image)
    check_border(border)
    value = check_value(value)
    amount, size = int(amount), int(size)
    if amount < 0:
        raise ValueError(f"amount must be >= 0; got {amount}")
    if size < 1:
        raise ValueError(f"size must be at least 1; got {size}")
    if corner not in CORNERS:
        raise ValueError(f"corner must be one of {CORNERS}; got {corner!r}")
    height, width = image.shape[:2]
    rows, cols = min(size, height) + amount, min(size, width) + amount
    top = height - rows + amount if corner.startswith("bottom") else -amount
    left = width - cols + amount if corner.endswith("right") else -amount
    corner_cells, _ = padded_crop(image, top, left, rows, cols, border, value)
    return corner_cells


def busiest_corner(image: np.ndarray, size: int = 48) -> str:
    """The corner (one of CORNERS) whose `size` x `size` crop varies most: padding shows there.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array of numbers.
    size : int, optional
        Side of the crop compared at each corner. Default 48.

    Returns
    -------
    str
        The corner whose crop has the largest standard deviation; ties go to the earlier one.

    Examples
    --------
    >>> image = np.zeros((10, 10)); image[8, 9] = 1
    >>> busiest_corner(image, size=4)
    'bottom-right'
    """
    check_image(image)
    spreads = [float(np.std(padded_corner(image, 0, "replicate", size=size, corner=corner),
                            dtype=np.float64))
               for corner in CORNERS]
    return CORNERS[int(np.argmax(spreads))]


def border_band_difference(result: np.ndarray, reference: np.ndarray, band_y: int, band_x: int,
                           *, signed: bool = False) -> float:
    """Mean difference of two filtered images in the band along the edge that padding reaches.

    That band holds the pixels whose kernel window reaches past the edge (``band_y = kh // 2``,
    ``band_x = kw // 2``), the only ones the border mode can change.

    Parameters
    ----------
    result, reference : numpy.ndarray
        Arrays of the same shape, (H, W) or (H, W, C).
    band_y, band_x : int
        Width of the band at the top and bottom, and at the left and right (>= 0).
    signed : bool, optional
        False (default) for the mean absolute difference; True for the mean of
        ``result - reference``, negative when `result` is darker there.

    Returns
    -------
    float
        The mean difference over the band; 0.0 when the band is empty (a 1 x 1 kernel
        reaches no border).

    Examples
    --------
    >>> a = np.zeros((4, 4)); a[0, :] = 8
    >>> border_band_difference(a, np.zeros((4, 4)), 1, 0)
    4.0
    """
    check_image(result)
    check_image(reference)
    if result.shape != reference.shape:
        raise ValueError(f"result and reference must have the same shape; got {result.shape} "
                         f"and {reference.shape}")
    band_y, band_x = int(band_y), int(band_x)
    if band_y < 0 or band_x < 0:
        raise ValueError(f"band_y and band_x must be >= 0; got {band_y}, {band_x}")
    height, width = result.shape[:2]
    band = np.zeros((height, width), dtype=bool)
    # A zero-width band gives empty slices; a band wider than the image covers all of it.
    band[:band_y] = True
    band[max(height - band_y, 0):] = True
    band[:, :band_x] = True
    band[:, max(width - band_x, 0):] = True
    if not band.any():
        return 0.0
    difference = result[band].astype(np.float64) - reference[band].astype(np.float64)
    return float(difference.mean() if signed else np.abs(difference).mean())


#: How a mode's border band can look beside the reference's, in a few words each.
BAND_LOOKS: dict[str, str] = {
    "same": "no difference",
    "darker": "darker frame",
    "brighter": "brighter frame",
    "mixed": "differs, but no overall shade",
}


@dataclass(frozen=True)
class BandDifference:
    """How one mode's output differs from a reference mode's in the border band."""

    border: str
    mean_abs: float  # mean |result - reference| over the band, grey levels
    mean_signed: float  # mean of result - reference: negative when darker
    look: str  # a key of BAND_LOOKS


def band_look(mean_abs: float, mean_signed: float, threshold: float = 1.0) -> str:
    """Classify a border band by its mean differences: one of BAND_LOOKS' keys.

    Parameters
    ----------
    mean_abs, mean_signed : float
        What ``border_band_difference`` gives without and with ``signed=True``.
    threshold : float
        The mean signed difference (grey levels) past which the band counts as a darker or a
        brighter frame.

    Returns
    -------
    str
        ``"same"``, ``"darker"``, ``"brighter"`` or ``"mixed"``.

    Examples
    --------
    >>> band_look(3.0, -2.5), band_look(3.0, 0.2), band_look(0.0, 0.0)
    ('darker', 'mixed', 'same')
    """
    if mean_abs == 0:
        return "same"
    if mean_signed <= -threshold:
        return "darker"
    if mean_signed >= threshold:
        return "brighter"
    return "mixed"


def border_band_report(outputs: dict[str, np.ndarray], band_y: int, band_x: int,
                       reference: str = OPENCV_DEFAULT_BORDER) -> tuple[BandDifference, ...]:
    """Every mode's border-band difference from the `reference` mode's output, classified.

    Parameters
    ----------
    outputs : dict
        Border mode -> the image filtered (and mapped) with that border; must hold `reference`.
    band_y, band_x : int
        The kernel's reach, ``kh // 2`` and ``kw // 2`` (see ``border_band_difference``).
    reference : str
        The mode the others are compared with; cv2.filter2D's default.

    Returns
    -------
    tuple of BandDifference
        One per entry of `outputs`, in its order.

    Examples
    --------
    >>> dark = np.full((4, 4), 9.0); dark[0] = 1
    >>> [r.look for r in border_band_report({"reflect_101": np.full((4, 4), 9.0),
    ...                                      "constant": dark}, 1, 0)]
    ['same', 'darker']
    """
    if reference not in outputs:
        raise ValueError(f"outputs must hold the reference mode {reference!r}; got "
                         f"{tuple(outputs)}")
    base = outputs[reference]
    report = []
    for mode, output in outputs.items():
        check_border(mode)
        mean_abs = border_band_difference(output, base, band_y, band_x)
        mean_signed = border_band_difference(output, base, band_y, band_x, signed=True)
        report.append(BandDifference(mode, mean_abs, mean_signed, band_look(mean_abs,
                                                                            mean_signed)))
    return tuple(report)


@document_border
def padded_crop(image: np.ndarray, top: int, left: int, height: int, width: int,
                border: Border, value: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``top:top+height`` and columns ``left:left+width`` of the padded image.

    The window may reach past the image's edges: those cells are filled as `border` pads them.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array of numbers.
    top, left : int
        Image coordinates of the window's first row and column (may be negative).
    height, width : int
        Size of the window.
    %(border)s
    %(value)s

    Returns
    -------
    crop : numpy.ndarray
        (height, width[, C]) cells, of the image's dtype.
    outside : numpy.ndarray
        (height, width) bool mask of the cells that lie outside the image.

    Examples
    --------
    >>> crop, outside = padded_crop(np.array([[1, 2, 3]]), 0, -1, 1, 3, "constant", 9)
    >>> crop.tolist(), outside.tolist()
    ([[9, 1, 2]], [[True, False, False]])
    """
    check_image(image)
    check_border(border)
    value = check_value(value)
    rows_total, cols_total = image.shape[:2]
    rows = np.arange(top, top + height)
    cols = np.arange(left, left + width)
    source_rows = source_index(rows, rows_total, border)
    source_cols = source_index(cols, cols_total, border)
    crop = image[np.clip(source_rows, 0, None)][:, np.clip(source_cols, 0, None)].copy()
    if border == "constant":
        crop[source_rows < 0] = value
        crop[:, source_cols < 0] = value
    outside = ((rows < 0) | (rows >= rows_total))[:, None] | (
        (cols < 0) | (cols >= cols_total))[None, :]
    return crop, outside
