"""Kernels typed into a table or carried in files: parsing with errors that point at the cell."""

from __future__ import annotations

import csv
import io
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ._validation import check_weights
from .formatting import format_number

#: The largest kernel the app lets people type or upload.
MAX_KERNEL_SIDE = 31


def parse_cells(rows) -> np.ndarray:
    """Turn a table of cells (numbers or strings like "1/9", "-2.5") into validated weights.

    Parameters
    ----------
    rows : iterable of iterable
        The table, row by row; a cell is a number or its text (a decimal or a fraction).

    Returns
    -------
    numpy.ndarray
        float64 weights with odd sides, at most MAX_KERNEL_SIDE x MAX_KERNEL_SIDE.

    Raises
    ------
    ValueError
        Naming the first bad weight by its place (x, y), from 0, an uneven table, an even
        size, or a side above MAX_KERNEL_SIDE.

    Examples
    --------
    >>> parse_cells([["1/4", 0.5, " 1/4 "]]).tolist()
    [[0.25, 0.5, 0.25]]
    >>> parse_cells([["1", "x", "1"]])
    Traceback (most recent call last):
    ...
    ValueError: the weight at x=1, y=0 holds 'x', which is not a number
    """
    rows = [list(row) for row in rows]
    if not rows or not rows[0]:
        raise ValueError("kernel is empty: give it at least one row and one column")
    width = len(rows[0])
    values = np.zeros((len(rows), width))
    for r, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(f"row y={r - 1} has {len(row)} cells; every row needs {width}")
        for c, cell in enumerate(row, start=1):
            values[r - 1, c - 1] = _parse_number(cell, r, c)
    _check_side(values.shape)
    return check_weights(values)


def _parse_number(cell, row: int, col: int) -> float:
    where = f"the weight at x={col - 1}, y={row - 1}"
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        raise ValueError(f"{where} is empty: type a number, 0 for nothing")
    if isinstance(cell, bool):
        raise ValueError(f"{where} holds {cell!r}, not a number")
    if isinstance(cell, (int, float, np.integer, np.floating)):
        number = float(cell)
    else:
        text = str(cell).strip()
        if not text:
            raise ValueError(f"{where} is empty: type a number, 0 for nothing")
        try:
            if "/" in text:
                numerator, denominator = text.split("/", 1)
                number = float(numerator) / float(denominator)
            else:
                number = float(text)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{where} holds {text[:20]!r}, which is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{where} is {number}: weights must be finite")
    if abs(number) > 1e12:
        raise ValueError(f"{where} is {format_number(number, 6)}: weights must lie within ±1e12")
    return number


def _check_side(shape) -> None:
    if max(shape) > MAX_KERNEL_SIDE:
        raise ValueError(
            f"kernel is {shape[0]} x {shape[1]}; at most {MAX_KERNEL_SIDE} x {MAX_KERNEL_SIDE}"
        )


def to_csv(weights) -> str:
    """The weights as CSV text, one kernel row per line, full precision.

    Parameters
    ----------
    weights : array_like
        A kernel with odd sides.

    Returns
    -------
    str
        One line per row, each weight as the shortest decimal that reads back exactly.

    Examples
    --------
    >>> print(to_csv([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]), end="")
    0.0,-1.0,0.0
    -1.0,5.0,-1.0
    0.0,-1.0,0.0
    """
    weights = check_weights(weights)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in weights:
        writer.writerow(repr(float(value)) for value in row)
    return buffer.getvalue()


def to_npy(weights) -> bytes:
    """The weights as a NumPy .npy file.

    Parameters
    ----------
    weights : array_like
        A kernel with odd sides.

    Returns
    -------
    bytes
        The file's content: float64 weights, readable without pickle.

    Examples
    --------
    >>> import io
    >>> np.load(io.BytesIO(to_npy([[1, 2, 1]]))).tolist()
    [[1.0, 2.0, 1.0]]
    """
    buffer = io.BytesIO()
    np.save(buffer, check_weights(weights), allow_pickle=False)
    return buffer.getvalue()


def read_kernel_file(data: bytes, filename: str) -> np.ndarray:
    """Read a kernel from an uploaded .npy or .csv/.txt file.

    Text cells may be separated by commas, semicolons, tabs or spaces; blank lines and lines
    starting with ``#`` are skipped.

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str
        Its name: ``.npy`` is read as NumPy's format, any other as UTF-8 text.

    Returns
    -------
    numpy.ndarray
        float64 weights, checked as `parse_cells` checks a typed table.

    Raises
    ------
    ValueError
        Naming the file and what is wrong with it (empty, unreadable, not 2-D, not numbers,
        or a bad cell).

    Examples
    --------
    >>> read_kernel_file(b"# a sharpen\\n0 -1 0\\n-1 5 -1\\n0 -1 0\\n", "sharpen.txt")[1].tolist()
    [-1.0, 5.0, -1.0]
    >>> read_kernel_file(to_npy([[1, 2, 1]]), "k.npy").tolist()
    [[1.0, 2.0, 1.0]]
    """
    if not data:
        raise ValueError(f"{filename} is empty")
    if filename.lower().endswith(".npy"):
        try:
            array = np.load(io.BytesIO(data), allow_pickle=False)
        except Exception as error:
            raise ValueError(f"{filename} is not a readable .npy file ({error})") from None
        if array.ndim != 2:
            raise ValueError(f"{filename} holds a {array.ndim}-D array; a kernel is 2-D")
        if not np.issubdtype(array.dtype, np.number):
            raise ValueError(f"{filename} holds {array.dtype} values, not numbers")
        return parse_cells(array.tolist())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{filename} is not a text file; use CSV or .npy") from None
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for separator in (",", ";", "\t"):
            if separator in line:
                rows.append([cell.strip() for cell in line.split(separator)])
                break
        else:
            rows.append(line.split())
    return parse_cells(rows)


#: Longest weights text `parse_weights_text` reads, so a link stays a link: a 31 x 31 kernel of
#: small whole numbers or fractions (a 31 x 31 box, 1/961 each, takes 5.8 kB) fits, and so do
#: about 400 full-precision decimals (a 19 x 19 Gaussian); 961 of them (about 19 kB) do not.
MAX_WEIGHTS_TEXT = 8192


def parse_weights_text(text: str) -> np.ndarray:
    """Read kernel weights from compact text: rows split by ``;``, cells by ``,`` or spaces.

    The format links carry, e.g. ``"0,-1,0; -1,5,-1; 0,-1,0"`` or ``"1/9 1/9 1/9; ..."``.
    The weights pass the kernel editor's checks (``parse_cells``).

    Parameters
    ----------
    text : str
        At most MAX_WEIGHTS_TEXT characters. A trailing ``;`` is allowed. Within a row holding a
        comma, commas alone separate (so ``1,,2`` is an empty cell, not two cells).

    Returns
    -------
    ndarray
        float64 weights with odd sides, at most MAX_KERNEL_SIDE x MAX_KERNEL_SIDE.

    Raises
    ------
    ValueError
        Naming what is wrong: the length, an empty kernel, the first bad weight by its place
        (x, y, from 0), uneven rows, an even side or a side above MAX_KERNEL_SIDE.

    Examples
    --------
    >>> parse_weights_text("1/4, 1/2, 1/4").tolist()
    [[0.25, 0.5, 0.25]]
    >>> parse_weights_text("0 -1 0; -1 5 -1; 0 -1 0;")[1].tolist()
    [-1.0, 5.0, -1.0]
    """
    if not isinstance(text, str):
        raise ValueError(f"weights text must be a string; got {type(text).__name__}")
    if len(text) > MAX_WEIGHTS_TEXT:
        raise ValueError(f"weights text is {len(text)} characters; at most {MAX_WEIGHTS_TEXT}")
    lines = [line.strip() for line in text.split(";")]
    if lines and not lines[-1]:
        lines.pop()  # a trailing ";"
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line:
            raise ValueError(f"row y={number - 1} of the weights text is empty")
        rows.append([cell.strip() for cell in line.split(",")] if "," in line else line.split())
    return parse_cells(rows)


def format_weights_text(weights) -> str:
    """The weights as compact text that `parse_weights_text` reads back exactly.

    Each cell is written in the shortest of its exact forms: the shortest digits that read
    back as the same float (``repr``'s), written out (``0.25``, ``-2``) or with an exponent
    when that is shorter (``1e12``, ``-1e-5``; never ``e+``, which a URL reads as a space), or
    a fraction (``1/9``) when that is exact. Text for programs: ASCII, every digit.

    Parameters
    ----------
    weights : array_like
        A kernel with odd sides, at most MAX_KERNEL_SIDE.

    Returns
    -------
    str
        Rows joined by ``;``, cells by ``,``.

    Raises
    ------
    ValueError
        If the weights are not a valid kernel, or their text would exceed MAX_WEIGHTS_TEXT.

    Examples
    --------
    >>> format_weights_text(np.ones((3, 3)) / 9)
    '1/9,1/9,1/9;1/9,1/9,1/9;1/9,1/9,1/9'
    >>> format_weights_text([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    '0,-1,0;-1,5,-1;0,-1,0'
    >>> format_weights_text([[1e12, -1e-05, 100, 1500, 2.5e-07]])
    '1e12,-1e-5,100,1500,2.5e-7'
    """
    weights = check_weights(weights)
    _check_side(weights.shape)
    text = ";".join(",".join(_cell_text(float(v)) for v in row) for row in weights)
    if len(text) > MAX_WEIGHTS_TEXT:
        raise ValueError(f"weights text would be {len(text)} characters; at most "
                         f"{MAX_WEIGHTS_TEXT} (a {weights.shape[0]} x {weights.shape[1]} kernel "
                         "of long decimals)")
    return text


def _decimal_text(value: float) -> str:
    """The shortest text ``float`` reads back as `value`: repr's digits, positional or not.

    >>> [_decimal_text(v) for v in (1e12, 0.25, -1e-05, 100.0, 1000.0, -0.0, 123.456)]
    ['1e12', '0.25', '-1e-5', '100', '1e3', '0', '123.456']
    """
    if value == 0:
        return "0"  # -0.0 too: it reads back equal, and a link has no use for its sign
    # repr gives the fewest digits that round-trip; any exact writing of them reads back alike.
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits))
    stripped = text.rstrip("0")
    exponent += len(text) - len(stripped)
    text, minus = stripped, "-" if sign else ""
    if exponent >= 0:
        positional = text + "0" * exponent
    elif -exponent < len(text):
        positional = f"{text[:exponent]}.{text[exponent:]}"
    else:
        positional = "0." + "0" * (-exponent - len(text)) + text
    mantissa = text[0] + (f".{text[1:]}" if len(text) > 1 else "")
    scientific = f"{mantissa}e{exponent + len(text) - 1}"
    return minus + (scientific if len(scientific) < len(positional) else positional)


def _cell_text(value: float) -> str:
    decimal = _decimal_text(value)
    fraction = Fraction(value).limit_denominator(1024)
    # The parser computes numerator / denominator in floats: keep the fraction only if that
    # gives back this very float.
    if fraction.denominator > 1 and fraction.numerator / fraction.denominator == value:
        candidate = f"{fraction.numerator}/{fraction.denominator}"
        if len(candidate) < len(decimal):
            return candidate
    return decimal
