"""Numbers written for people: one precision rule for every table, equation and caption.

Text a program reads back (CSV files, code snippets, the weights a link carries) does not come
from here: it keeps ASCII and every digit (``repr``, ``to_csv``, ``format_weights_text``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

#: A value smaller than this, relative to the numbers it is shown with (`scale`, at least 1), is
#: float noise around zero and is shown as 0.
ZERO_TOLERANCE = 1e-12
#: The minus sign people read (U+2212), not the hyphen-minus of code.
MINUS = "\N{MINUS SIGN}"


def _check_digits(digits) -> int:
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral) \
            or not 1 <= digits <= 17:
        raise ValueError(f"digits must be a whole number of significant digits in 1..17; got "
                         f"{digits!r}")
    return int(digits)


def _zero_below(scale, tolerance: float) -> float:
    """The size under which a value counts as zero: `tolerance` times max(1, largest |scale|)."""
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real) \
            or not 0 <= tolerance < 1:
        raise ValueError(f"tolerance must be a number in [0, 1); got {tolerance!r}")
    sizes = np.abs(np.asarray(1.0 if scale is None else scale, dtype=np.float64))
    sizes = sizes[np.isfinite(sizes)]
    return float(tolerance) * max(1.0, float(sizes.max()) if sizes.size else 0.0)


def format_number(number, digits: int = 4, *, scale=None,
                  tolerance: float = ZERO_TOLERANCE) -> str:
    """`number` as people read it: `digits` significant digits, float noise written as 0.

    Parameters
    ----------
    number : float
        The number to show.
    digits : int, optional
        Significant digits, 1..17 (Python's ``format(number, ".{digits}g")``); default 4.
    scale : float or array_like, optional
        The numbers `number` is shown with or computed from (a table, the products of a sum).
        It is 0 when ``|number| < tolerance * max(1, |scale|)``: relative among large
        numbers, so a sum of products of pixels (255 x weights, up to 961 terms) loses its
        rounding noise, and absolute among numbers up to 1, so the sum of a zero-sum kernel
        (``5.6e-17``) is 0, and so is a grid holding nothing but such noise. A weight that is
        zero up to 1e-12 is 0 (the style's rule 16). Default None: the number alone.
    tolerance : float, optional
        Relative size of float noise, in [0, 1); default ZERO_TOLERANCE (1e-12, about 5000
        float64 roundings). A result known only to a coarser precision (a fitted minimum)
        passes its own.

    Returns
    -------
    str
        The number, its minus sign U+2212 (``−``): the typographic minus is as wide as the
        plus sign and never breaks a line from its number, and one sign on every page keeps
        a negative weight looking the same in a table and in an equation. Never ``-0``;
        infinities are ``∞`` and ``−∞``, NaN is ``nan``. Not for text a program reads back:
        ``float("−1")`` fails, so CSV and code keep ASCII and every digit (``repr``).

    Raises
    ------
    ValueError
        If `digits` or `tolerance` is out of range, or `number` is not a number.

    Examples
    --------
    >>> format_number(1 / 9), format_number(-0.5), format_number(2.0), format_number(-0.0)
    ('0.1111', '−0.5', '2', '0')
    >>> format_number(123456.0), format_number(123456.0, 6), format_number(-2e-05)
    ('1.235e+05', '123456', '−2e−05')
    >>> weights = np.array([[0.1, 0.2, -0.3]])
    >>> float(weights.sum()), format_number(weights.sum(), 6, scale=weights)
    (5.551115123125783e-17, '0')
    >>> format_number(3e-11), format_number(3e-11, scale=[255, -40])
    ('3e−11', '0')
    """
    digits = _check_digits(digits)
    try:
        value = float(number)
    except (TypeError, ValueError):
        raise ValueError(f"number must be a number; got {number!r}") from None
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    if value == 0 or abs(value) < _zero_below(scale, tolerance):
        return "0"
    return format(value, f".{digits}g").replace("-", MINUS)


def format_numbers(values, digits: int = 4, *, scale=None,
                   tolerance: float = ZERO_TOLERANCE) -> list[str]:
    """Every number of `values`, flattened in row order, written as `format_number` writes it.

    One threshold for the whole grid, worked out once: a table of a thousand cells is written
    in a few milliseconds (`format_number` per cell worked out the threshold a thousand times).

    Parameters
    ----------
    values : array_like
        The numbers of a table, any shape.
    digits : int, optional
        Significant digits, 1..17; default 4.
    scale : float or array_like, optional
        What `values` are shown with, as in `format_number`; default None: each number
        alone (zero below `tolerance` only).
    tolerance : float, optional
        As in `format_number`; default ZERO_TOLERANCE.

    Returns
    -------
    list of str
        ``format_number(v, digits, scale=scale, tolerance=tolerance)`` for each value.

    Examples
    --------
    >>> format_numbers([[1 / 9, -0.5], [float("inf"), 5.6e-17]], scale=[1.0])
    ['0.1111', '−0.5', '∞', '0']
    """
    digits = _check_digits(digits)
    below = _zero_below(scale, tolerance)
    pattern = f".{digits}g"
    texts = []
    for value in np.asarray(values, dtype=np.float64).ravel().tolist():
        if math.isnan(value):
            texts.append("nan")
        elif math.isinf(value):
            texts.append("∞" if value > 0 else MINUS + "∞")
        elif value == 0 or abs(value) < below:
            texts.append("0")
        else:
            texts.append(format(value, pattern).replace("-", MINUS))
    return texts


def round_significant(values, digits: int = 4, *, scale=None,
                      tolerance: float = ZERO_TOLERANCE) -> np.ndarray:
    """`values` rounded as `format_number` writes them, as numbers (for tables that sort).

    Parameters
    ----------
    values : array_like
        The numbers of a table.
    digits : int, optional
        Significant digits, 1..17; default 4.
    scale : float or array_like, optional
        What `values` are shown with; default None: `values` themselves (a table is its own
        scale), so ``|v| < tolerance * max(1, |values|)`` becomes 0.
    tolerance : float, optional
        As in `format_number`; default ZERO_TOLERANCE.

    Returns
    -------
    ndarray of float64
        Same shape; each finite value is ``float(format(v, ".{digits}g"))`` or 0, never -0.

    Examples
    --------
    >>> round_significant([4.72e-15, 1 / 3, -2 / 3, 1234.56, -0.0]).tolist()
    [0.0, 0.3333, -0.6667, 1235.0, 0.0]
    """
    digits = _check_digits(digits)
    array = np.asarray(values, dtype=np.float64)
    below = _zero_below(array if scale is None else scale, tolerance)
    flat = [0.0 if v == 0 or abs(v) < below else float(format(v, f".{digits}g"))
            for v in array.ravel().tolist()]
    return np.array(flat, dtype=np.float64).reshape(array.shape)
