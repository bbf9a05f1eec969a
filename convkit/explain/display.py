"""Turning a raw float response into the bytes shown on screen: the output mappings."""

from __future__ import annotations

import math
import numbers
import textwrap
from dataclasses import dataclass
from typing import Literal

import numpy as np
from skimage.exposure import rescale_intensity

from ..core.formatting import format_number
from ..core.padding import PARAMETER_DOCS, document_border

Mapping = Literal["tutorial", "clip", "abs", "minmax", "divide"]

#: One line on each output mapping, used as help text in the app.
MAPPINGS: dict[str, str] = {
    "tutorial": "the tutorial's rescale_intensity(in_range=(0, 255)) then * 255 and astype: clips, "
    "then truncates (254.9 becomes 254)",
    "clip": "clip to 0..255 and round half to even, as cv2.filter2D does with a uint8 output",
    "abs": "absolute value, then round and clip: shows edges of both signs (edge kernels)",
    "minmax": "stretch the smallest response to 0 and the largest to 255 (flat images give 0)",
    "divide": "sum / divisor + offset, then round and clip, like the custom filters of GIMP and "
    "Photoshop: offset 128 shows an edge kernel's zero as grey, negatives darker",
}



def _mapping_parameter_doc() -> str:
    """The numpydoc entry for a ``mapping`` parameter, built from MAPPINGS."""
    choices = ", ".join(f'"{name}"' for name in MAPPINGS)
    lines = [f"mapping : {{{choices}}}", "    How the raw response becomes bytes:", ""]
    for name, text in MAPPINGS.items():
        first, *more = textwrap.wrap(f"- {name}: {text}", width=88)
        lines += [f"    {first}", *(f"      {line}" for line in more)]
    return "\n".join(lines)


# The mapping's entries are written once, here beside MAPPINGS, and join padding's table of
# shared entries, so that `document_border` fills ``%(mapping)s`` and ``%(divisor_offset)s``
# too: one filler for the whole package, as scipy.ndimage has one docfiller.
PARAMETER_DOCS.update({
    "mapping": _mapping_parameter_doc(),
    "divisor_offset": (
        "divisor, offset : float, optional\n"
        "    Used by the ``divide`` mapping only (``raw / divisor + offset``, then round and\n"
        "    clip); the other mappings ignore them. Defaults 1 and 0."),
})

#: Largest divisor and offset magnitude accepted: beyond them every byte is 0 or 255 anyway.
MAX_DIVISOR = 1e6
MAX_OFFSET = 1e6


def check_mapping(mapping: str) -> str:
    """Return `mapping` if it is one of MAPPINGS, else raise ValueError naming them.

    Parameters
    ----------
    mapping : str
        The name to check.

    Returns
    -------
    str
        `mapping`, unchanged.

    Examples
    --------
    >>> check_mapping("abs")
    'abs'
    """
    if mapping not in MAPPINGS:
        raise ValueError(f"mapping must be one of {tuple(MAPPINGS)}; got {mapping!r}")
    return mapping


def check_divisor_offset(divisor: float, offset: float) -> tuple[float, float]:
    """Return `divisor` and `offset` as floats, refusing a zero, huge or non-finite one.

    Parameters
    ----------
    divisor : float
        Non-zero, at most MAX_DIVISOR in magnitude (negative inverts the picture).
    offset : float
        At most MAX_OFFSET in magnitude.

    Returns
    -------
    tuple of float
        ``(divisor, offset)``.

    Examples
    --------
    >>> check_divisor_offset(9, 128)
    (9.0, 128.0)
    """
    for name, number, limit in (("divisor", divisor, MAX_DIVISOR), ("offset", offset, MAX_OFFSET)):
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            raise ValueError(f"{name} must be a number; got {number!r}")
        if not math.isfinite(number) or abs(number) > limit:
            raise ValueError(f"{name} must be a finite number within ±{format_number(limit)}; got "
                             f"{number!r}")
    if divisor == 0:
        raise ValueError("divisor must not be 0; got 0 (use 1 to leave the sum as it is)")
    return float(divisor), float(offset)


@document_border
def to_uint8(raw: np.ndarray, mapping: Mapping = "clip", *, divisor: float = 1.0,
             offset: float = 0.0) -> np.ndarray:
    """Map a raw response to uint8 bytes by `mapping`.

    Parameters
    ----------
    raw : ndarray
        The float response, any shape. NaN maps to 0; infinities clip like any big sum.
    %(mapping)s
        Default "clip".
    %(divisor_offset)s

    Returns
    -------
    ndarray of uint8
        Same shape as `raw`.

    Examples
    --------
    >>> to_uint8(np.array([-3.0, 2.5, 3.5, 254.99, 300.0]), "clip").tolist()
    [0, 2, 4, 255, 255]
    >>> to_uint8(np.array([-3.0, 2.5, 3.5, 254.99, 300.0]), "tutorial").tolist()
    [0, 2, 3, 254, 255]
    >>> to_uint8(np.array([-40.0, 0.0, 40.0]), "divide", divisor=4, offset=128).tolist()
    [118, 128, 138]
    >>> to_uint8(np.array([np.nan, -np.inf, np.inf]), "clip").tolist()
    [0, 0, 255]
    """
    check_mapping(mapping)
    divisor, offset = check_divisor_offset(divisor, offset)
    # NaN has no byte: show it as 0; infinities clip like any out-of-range sum.
    raw = np.nan_to_num(np.asarray(raw), nan=0.0, posinf=np.inf, neginf=-np.inf)
    if mapping == "tutorial":
        scaled = rescale_intensity(raw.astype(np.float32), in_range=(0, 255))
        return (scaled * 255).astype("uint8")
    if mapping == "abs":
        return np.clip(np.rint(np.abs(raw)), 0, 255).astype(np.uint8)
    if mapping == "minmax":
        low, high = stretch_range(raw)
        if high <= low:
            return np.zeros(raw.shape, dtype=np.uint8)
        stretched = (raw.astype(np.float64) - low) * (255.0 / (high - low))
        return np.clip(np.rint(stretched), 0, 255).astype(np.uint8)
    if mapping == "divide":
        shifted = raw.astype(np.float64) / divisor + offset
        return np.clip(np.rint(shifted), 0, 255).astype(np.uint8)
    return np.clip(np.rint(raw), 0, 255).astype(np.uint8)


def stretch_range(raw) -> tuple[float, float]:
    """The lowest and highest value the ``minmax`` mapping stretches to 0 and 255.

    NaN counts as 0 (as `to_uint8` maps it) and infinities are left out.

    Parameters
    ----------
    raw : array_like
        The float response, any shape, all channels together.

    Returns
    -------
    tuple of float
        (lowest, highest); (0.0, 0.0) when no value is finite.

    Examples
    --------
    >>> stretch_range(np.array([[2.0, np.inf], [np.nan, 5.0]]))
    (0.0, 5.0)
    """
    raw = np.nan_to_num(np.asarray(raw, dtype=np.float64), nan=0.0, posinf=np.inf,
                        neginf=-np.inf)
    finite = raw[np.isfinite(raw)]
    if finite.size == 0:
        return 0.0, 0.0
    return float(finite.min()), float(finite.max())


@dataclass(frozen=True)
class MappingStep:
    """One step from the raw sum to the output byte: a label, the formula, and its value."""

    label: str
    formula: str
    value: float


def _n(value: float, digits: int = 6) -> str:
    """A number of a step's formula, for people: the one rule, at the scale of bytes (255)."""
    return format_number(value, digits, scale=255.0)


@document_border
def explain_mapping(total: float, mapping: Mapping, raw_min: float = 0.0,
                    raw_max: float = 255.0, *, divisor: float = 1.0,
                    offset: float = 0.0) -> list[MappingStep]:
    """The steps by which one raw sum becomes its output byte under `mapping`.

    Parameters
    ----------
    total : float
        The pixel's raw sum.
    %(mapping)s
    raw_min, raw_max : float, optional
        The response's range over the whole image (`stretch_range`), used by ``minmax``.
        Defaults 0 and 255.
    %(divisor_offset)s
        One step divides, the next adds the offset.

    Returns
    -------
    list of MappingStep
        The first is the sum; the last value is the byte ``to_uint8`` gives.

    Examples
    --------
    >>> [(s.label, s.value) for s in explain_mapping(-40, "divide", divisor=4, offset=128)]
    [('sum', -40.0), ('divide', -10.0), ('add offset', 118.0), ('clip', 118.0), ('round', 118.0)]
    """
    check_mapping(mapping)
    divisor, offset = check_divisor_offset(divisor, offset)
    total = float(total)
    steps = [MappingStep("sum", "sum of the products", total)]
    if mapping == "tutorial":
        clipped = min(max(total, 0.0), 255.0)
        scaled = float(np.float32(clipped) / np.float32(255.0))
        back = float(np.float32(scaled) * np.float32(255))
        steps += [
            MappingStep("clip", f"clip({_n(total)}, 0, 255)", clipped),
            MappingStep("rescale", f"{_n(clipped)} / 255 (rescale_intensity)", scaled),
            MappingStep("times 255", f"{_n(scaled, 8)} * 255", back),
            MappingStep("truncate", f"astype(uint8) drops the fraction of {_n(back, 8)}", 0.0),
        ]
    elif mapping == "clip":
        clipped = min(max(total, 0.0), 255.0)
        steps += [
            MappingStep("clip", f"clip({_n(total)}, 0, 255)", clipped),
            MappingStep("round", f"round half to even ({_n(clipped)})", 0.0),
        ]
    elif mapping == "abs":
        magnitude = abs(total)
        steps += [
            MappingStep("abs", f"|{_n(total)}|", magnitude),
            MappingStep("clip", f"clip({_n(magnitude)}, 0, 255)", min(magnitude, 255.0)),
            MappingStep("round", f"round half to even ({_n(min(magnitude, 255.0))})", 0.0),
        ]
    elif mapping == "divide":
        divided = total / divisor
        shifted = divided + offset
        clipped = min(max(shifted, 0.0), 255.0)
        steps += [
            MappingStep("divide", f"{_n(total)} / {_n(divisor)}", divided),
            MappingStep("add offset", f"{_n(divided)} + {_n(offset)}", shifted),
            MappingStep("clip", f"clip({_n(shifted)}, 0, 255)", clipped),
            MappingStep("round", f"round half to even ({_n(clipped)})", 0.0),
        ]
    else:
        span = raw_max - raw_min
        stretched = 0.0 if span <= 0 else (total - raw_min) * 255.0 / span
        steps += [
            MappingStep("stretch", f"({_n(total)} - {_n(raw_min)}) * 255 / ({_n(raw_max)} - "
                        f"{_n(raw_min)})", stretched),
            MappingStep("round", f"round and clip ({_n(stretched)})", 0.0),
        ]
    byte = _mapped_byte(total, mapping, raw_min, raw_max, divisor, offset)
    last = steps[-1]
    steps[-1] = MappingStep(last.label, last.formula, float(byte))
    return steps


def _mapped_byte(total: float, mapping: str, raw_min: float, raw_max: float, divisor: float,
                 offset: float) -> int:
    """The byte `to_uint8` gives `total`, with the image's range for minmax."""
    if mapping == "minmax":
        if raw_max <= raw_min:
            return 0
        stretched = (total - raw_min) * (255.0 / (raw_max - raw_min))
        return int(np.clip(np.rint(stretched), 0, 255))
    if mapping == "divide":
        # float64 throughout, as to_uint8 divides: a float32 sum would round differently.
        return int(to_uint8(np.array([total]), mapping, divisor=divisor, offset=offset)[0])
    return int(to_uint8(np.array([total], dtype=np.float32), mapping)[0])
