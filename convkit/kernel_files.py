"""Kernels typed into a table or carried in files: parsing with errors that point at the cell."""

from __future__ import annotations

import csv
import io
import math

import numpy as np

from ._validation import check_weights

#: The largest kernel the app lets people type or upload.
MAX_KERNEL_SIDE = 31


def parse_cells(rows) -> np.ndarray:
    """Turn a table of cells (numbers or strings like "1/9", "-2.5") into validated weights.

    Raises ValueError naming the first bad cell (row and column counted from 1), an uneven
    table, an even size, or a side above MAX_KERNEL_SIDE.
    """
    rows = [list(row) for row in rows]
    if not rows or not rows[0]:
        raise ValueError("kernel is empty: give it at least one row and one column")
    width = len(rows[0])
    values = np.zeros((len(rows), width))
    for r, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(f"row {r} has {len(row)} cells; every row needs {width}")
        for c, cell in enumerate(row, start=1):
            values[r - 1, c - 1] = _parse_number(cell, r, c)
    _check_side(values.shape)
    return check_weights(values)


def _parse_number(cell, row: int, col: int) -> float:
    where = f"cell (row {row}, column {col})"
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
        raise ValueError(f"{where} is {number:g}: weights must lie within ±1e12")
    return number


def _check_side(shape) -> None:
    if max(shape) > MAX_KERNEL_SIDE:
        raise ValueError(
            f"kernel is {shape[0]} x {shape[1]}; at most {MAX_KERNEL_SIDE} x {MAX_KERNEL_SIDE}"
        )


def to_csv(weights) -> str:
    """The weights as CSV text, one kernel row per line, full precision."""
    weights = check_weights(weights)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in weights:
        writer.writerow(repr(float(value)) for value in row)
    return buffer.getvalue()


def to_npy(weights) -> bytes:
    """The weights as a NumPy .npy file."""
    buffer = io.BytesIO()
    np.save(buffer, check_weights(weights), allow_pickle=False)
    return buffer.getvalue()


def read_kernel_file(data: bytes, filename: str) -> np.ndarray:
    """Read a kernel from an uploaded .npy or .csv/.txt file.

    Text cells may be separated by commas, semicolons, tabs or spaces.
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
