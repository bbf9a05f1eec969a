"""Turning a raw float response into the bytes shown on screen."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from skimage.exposure import rescale_intensity

#: One line on each output mapping, used as help text in the app.
MAPPINGS: dict[str, str] = {
    "tutorial": "the tutorial's rescale_intensity(in_range=(0, 255)) then * 255 and astype: clips, "
    "then truncates (254.9 becomes 254)",
    "clip": "clip to 0..255 and round half to even, as cv2.filter2D does with a uint8 output",
    "abs": "absolute value, then round and clip: shows edges of both signs (edge kernels)",
    "minmax": "stretch the smallest response to 0 and the largest to 255 (flat images give 0)",
}


def check_method(method: str) -> str:
    """Return `method` if it is one of MAPPINGS."""
    if method not in MAPPINGS:
        raise ValueError(f"method must be one of {tuple(MAPPINGS)}; got {method!r}")
    return method


def to_uint8(raw: np.ndarray, method: str = "clip") -> np.ndarray:
    """Map a raw response to uint8 by `method` (see MAPPINGS).

    >>> to_uint8(np.array([-3.0, 2.5, 3.5, 254.99, 300.0]), "clip").tolist()
    [0, 2, 4, 255, 255]
    >>> to_uint8(np.array([-3.0, 2.5, 3.5, 254.99, 300.0]), "tutorial").tolist()
    [0, 2, 3, 254, 255]
    >>> to_uint8(np.array([np.nan, -np.inf, np.inf]), "clip").tolist()
    [0, 0, 255]
    """
    check_method(method)
    # NaN has no byte: show it as 0; infinities clip like any out-of-range sum.
    raw = np.nan_to_num(np.asarray(raw), nan=0.0, posinf=np.inf, neginf=-np.inf)
    if method == "tutorial":
        scaled = rescale_intensity(raw.astype(np.float32), in_range=(0, 255))
        return (scaled * 255).astype("uint8")
    if method == "abs":
        return np.clip(np.rint(np.abs(raw)), 0, 255).astype(np.uint8)
    if method == "minmax":
        low, high = _finite_range(raw)
        if high <= low:
            return np.zeros(raw.shape, dtype=np.uint8)
        stretched = (raw.astype(np.float64) - low) * (255.0 / (high - low))
        return np.clip(np.rint(stretched), 0, 255).astype(np.uint8)
    return np.clip(np.rint(raw), 0, 255).astype(np.uint8)


def _finite_range(raw: np.ndarray) -> tuple[float, float]:
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


def explain_mapping(total: float, method: str, raw_min: float = 0.0, raw_max: float = 255.0):
    """The steps by which one raw sum becomes its output byte under `method`.

    `raw_min` and `raw_max` are the response's range over the whole image, used by ``minmax``.
    Returns a list of MappingStep whose last value is the byte ``to_uint8`` gives.
    """
    check_method(method)
    total = float(total)
    steps = [MappingStep("sum", "sum of the products", total)]
    if method == "tutorial":
        clipped = min(max(total, 0.0), 255.0)
        scaled = float(np.float32(clipped) / np.float32(255.0))
        back = float(np.float32(scaled) * np.float32(255))
        steps += [
            MappingStep("clip", f"clip({total:.6g}, 0, 255)", clipped),
            MappingStep("rescale", f"{clipped:.6g} / 255 (rescale_intensity)", scaled),
            MappingStep("times 255", f"{scaled:.8g} * 255", back),
            MappingStep("truncate", f"astype(uint8) drops the fraction of {back:.8g}", 0.0),
        ]
    elif method == "clip":
        clipped = min(max(total, 0.0), 255.0)
        steps += [
            MappingStep("clip", f"clip({total:.6g}, 0, 255)", clipped),
            MappingStep("round", f"round half to even ({clipped:.6g})", 0.0),
        ]
    elif method == "abs":
        magnitude = abs(total)
        steps += [
            MappingStep("abs", f"|{total:.6g}|", magnitude),
            MappingStep("clip", f"clip({magnitude:.6g}, 0, 255)", min(magnitude, 255.0)),
            MappingStep("round", f"round half to even ({min(magnitude, 255.0):.6g})", 0.0),
        ]
    else:
        span = raw_max - raw_min
        stretched = 0.0 if span <= 0 else (total - raw_min) * 255.0 / span
        steps += [
            MappingStep("stretch", f"({total:.6g} - {raw_min:.6g}) * 255 / ({raw_max:.6g} - "
                        f"{raw_min:.6g})", stretched),
            MappingStep("round", f"round and clip ({stretched:.6g})", 0.0),
        ]
    byte = _mapped_byte(total, method, raw_min, raw_max)
    last = steps[-1]
    steps[-1] = MappingStep(last.label, last.formula, float(byte))
    return steps


def _mapped_byte(total: float, method: str, raw_min: float, raw_max: float) -> int:
    """The byte `to_uint8` gives `total`, with the image's range for minmax."""
    if method == "minmax":
        if raw_max <= raw_min:
            return 0
        stretched = (total - raw_min) * (255.0 / (raw_max - raw_min))
        return int(np.clip(np.rint(stretched), 0, 255))
    return int(to_uint8(np.array([total], dtype=np.float32), method)[0])
