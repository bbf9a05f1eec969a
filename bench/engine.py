"""The engine: convkit.convolve against cv2.filter2D (and scipy.ndimage) on float32 images.

For every bank kernel, at 3 and 12 megapixels, convolve and cv2.filter2D run alternately on the
same float32 image with the same border; the ratio is the median of the per-pair ratios
convolve / filter2D. A control row times filter2D against itself the same way: its spread is
the noise floor of the machine. scipy.ndimage.correlate (float32 in, same mode) is timed at
3 MP, and a float64 scipy result is the reference for the correctness column.
"""

from __future__ import annotations

import contextlib
import sys

import cv2
import numpy as np
import scipy.ndimage as ndi

import convkit
from convkit.padding import NDIMAGE_MODES, OPENCV_BORDERS

from .common import format_table, log, median, paired_ratios, quartiles, side_by_side

SIZES = {"3 MP": (1500, 2000), "12 MP": (3000, 4000)}
BORDER = "reflect_101"  # cv2.filter2D's default
#: The issue's bars: convolve / filter2D at most this (0.5 for big boxes and Gaussians).
DEFAULT_TARGET = 1.0
FAST_TARGET = 0.5
SCIPY_TARGET = 5.0
OTHER_BORDERS = ("replicate", "constant", "reflect", "wrap", "constant v=50")


def target(name: str, weights: np.ndarray) -> float:
    """0.5 for the 21 x 21 box and Gaussians of size 15 and over, else 1.0."""
    if name == "large_blur" or (name.startswith("gaussian") and max(weights.shape) >= 15):
        return FAST_TARGET
    return DEFAULT_TARGET


def test_image(shape: tuple[int, int]) -> np.ndarray:
    """A photo-like float32 image: the cameraman scaled up, plus a little noise."""
    camera = convkit.load_sample("camera").astype(np.float32)
    image = cv2.resize(camera, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(0).normal(0, 2, shape).astype(np.float32)
    return np.ascontiguousarray(image + noise)


@contextlib.contextmanager
def _spy_on_opencv(calls: list[str]):
    engine = sys.modules["convkit.convolve"]
    names = ("filter2D", "sepFilter2D", "boxFilter")
    originals = {name: getattr(engine.cv2, name) for name in names}

    def spy(name):
        def wrapped(*args, **kwargs):
            calls.append(name)
            return originals[name](*args, **kwargs)
        return wrapped

    try:
        for name in names:
            setattr(engine.cv2, name, spy(name))
        yield
    finally:
        for name, original in originals.items():
            setattr(engine.cv2, name, original)


def route(weights: np.ndarray) -> str:
    """Which OpenCV calls convolve makes for these weights (watched on a small image)."""
    calls: list[str] = []
    with _spy_on_opencv(calls):
        convkit.convolve(np.zeros((64, 64), np.float32), weights, BORDER)
    if not calls:
        return "scaled copy"
    if calls == ["filter2D"]:
        return "filter2D"
    if calls == ["boxFilter"]:
        return "running sum (boxFilter)"
    if calls == ["sepFilter2D"]:
        return "2 x 1-D (sepFilter2D)"
    if set(calls) == {"sepFilter2D"}:
        return f"rank {len(calls)}: {len(calls)} x sepFilter2D"
    return " + ".join(calls)


def _pair(image: np.ndarray, kernel: convkit.Kernel, border: str, value: float = 0.0):
    """(convolve call, baseline call): filter2D, or pad + filter2D + crop for modes it lacks.

    convolve gets the bank's Kernel, as a caller would pass it (its weights were checked when
    it was made); filter2D gets the same weights as an array.
    """
    weights = kernel.weights
    ours = lambda: convkit.convolve(image, kernel, border, value=value)  # noqa: E731
    if border == "wrap" or (border == "constant" and value != 0.0):
        pad_y, pad_x = weights.shape[0] // 2, weights.shape[1] // 2
        height, width = image.shape[:2]

        def baseline():
            padded = cv2.copyMakeBorder(image, pad_y, pad_y, pad_x, pad_x,
                                        OPENCV_BORDERS[border], value=value)
            out = cv2.filter2D(padded, -1, weights, borderType=cv2.BORDER_CONSTANT)
            return np.ascontiguousarray(out[pad_y:pad_y + height, pad_x:pad_x + width])
    else:
        def baseline():
            return cv2.filter2D(image, -1, weights, borderType=OPENCV_BORDERS[border])
    return ours, baseline


def _repetitions(ours, baseline, budget_s: float, least: int, most: int = 301) -> int:
    """As many pairs as fit in `budget_s` (odd, so the median is one pair), within bounds."""
    import time

    start = time.perf_counter()
    ours()
    baseline()
    pair_s = time.perf_counter() - start
    count = int(budget_s / max(pair_s, 1e-6))
    return max(least, min(most, count)) | 1


def _timed(image, kernel, border, budget_s, least, value=0.0) -> dict:
    ours, baseline = _pair(image, kernel, border, value)
    repetitions = _repetitions(ours, baseline, budget_s, least)
    ours_times, base_times = side_by_side(ours, baseline, repetitions)
    ratios = paired_ratios(ours_times, base_times)
    low, high = quartiles(ratios)
    extra = median([o - b for o, b in zip(ours_times, base_times, strict=True)])
    return {"convolve_ms": median(ours_times) * 1e3, "filter2d_ms": median(base_times) * 1e3,
            "ratio": median(ratios), "ratio_q1": low, "ratio_q3": high,
            "extra_us": extra * 1e6, "repetitions": repetitions}


def _control(image, budget_s, least) -> dict:
    """filter2D against itself, measured like the others: the machine's noise floor."""
    weights = convkit.BANK["sobel_x"].weights
    call = lambda: cv2.filter2D(image, -1, weights, borderType=cv2.BORDER_REFLECT_101)  # noqa: E731
    repetitions = _repetitions(call, call, budget_s, least)
    first, second = side_by_side(call, call, repetitions)
    ratios = paired_ratios(first, second)
    low, high = quartiles(ratios)
    return {"convolve_ms": median(first) * 1e3, "filter2d_ms": median(second) * 1e3,
            "ratio": median(ratios), "ratio_q1": low, "ratio_q3": high,
            "repetitions": repetitions}


def _scipy_and_error(image, weights, ours_ms, full) -> dict:
    """scipy.ndimage.correlate speed at 3 MP, and convolve's error against float64 scipy."""
    import time

    mode = NDIMAGE_MODES[BORDER]
    repetitions = 3 if full or weights.size <= 25 else 1
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        ndi.correlate(image, weights, mode=mode)
        times.append(time.perf_counter() - start)
    reference = ndi.correlate(image.astype(np.float64), weights, mode=mode)
    got = convkit.convolve(image, weights, BORDER)
    error = float(np.max(np.abs(got - reference)))
    # The unit tests' bound: float32 rounding of the largest possible response.
    bound = 2e-5 * (1.0 + float(np.abs(weights).sum()) * float(np.abs(image).max()))
    scipy_ms = median(times) * 1e3
    return {"scipy_ms": scipy_ms, "scipy_repetitions": repetitions,
            "speedup_vs_scipy": scipy_ms / ours_ms, "max_abs_error": error,
            "error_bound": bound}


def verdict(row: dict) -> str:
    """pass, or FAIL; a kernel routed to filter2D itself can only tie, so say by how much."""
    if row["ratio"] <= row["target"]:
        return "pass"
    if row["route"] == "filter2D":
        worst = max(SIZES, key=lambda size: row[size]["ratio"])
        return f"FAIL: = filter2D {row[worst]['extra_us']:+.0f} us ({worst})"
    return "FAIL"


def run(full: bool = False) -> dict:
    """Measure every bank kernel at both sizes; returns rows and the tables as text."""
    # Seconds of pairs per kernel and size, and the fewest pairs whatever the time.
    budget_s, least = (6.0, 31) if full else (2.0, 15)
    rows = []
    controls = {}
    for size, shape in SIZES.items():
        image = test_image(shape)
        log(f"engine: {size} ({shape[1]} x {shape[0]}), about {budget_s:.0f} s of pairs "
            f"(at least {least}) per kernel")
        controls[size] = _control(image, budget_s, least)
        for name, kernel in convkit.BANK.items():
            weights = kernel.weights
            row = next((r for r in rows if r["kernel"] == name), None)
            if row is None:
                row = {"kernel": name, "shape": f"{weights.shape[0]}x{weights.shape[1]}",
                       "route": route(weights), "target": target(name, weights)}
                rows.append(row)
            row[size] = _timed(image, kernel, BORDER, budget_s, least)
            if size == "3 MP":
                row.update(_scipy_and_error(image, weights, row[size]["convolve_ms"], full))
    for row in rows:
        row["ratio"] = max(row[size]["ratio"] for size in SIZES)
        row["verdict"] = verdict(row)
        row["scipy_pass"] = row["speedup_vs_scipy"] >= SCIPY_TARGET
        row["error_pass"] = row["max_abs_error"] <= row["error_bound"]
    borders = _other_borders(test_image(SIZES["3 MP"]), budget_s / 4, 9)
    return {"border": BORDER, "rows": rows, "controls": controls, "other_borders": borders,
            "budget_s": budget_s, "least_pairs": least}


def _other_borders(image: np.ndarray, budget_s: float, least: int) -> list[dict]:
    """Every bank kernel in the other border modes at 3 MP, summarised per mode."""
    summary = []
    for mode in OTHER_BORDERS:
        border, _, value = mode.partition(" v=")
        value = float(value or 0.0)
        log(f"engine: border {mode} at 3 MP")
        ratios = {}
        for name, kernel in convkit.BANK.items():
            ratios[name] = _timed(image, kernel, border, budget_s, least, value)["ratio"]
        worst = max(ratios, key=ratios.get)
        summary.append({
            "border": mode,
            "baseline": ("copyMakeBorder + filter2D + crop"
                         if border == "wrap" or value else "filter2D"),
            "median_ratio": median(list(ratios.values())),
            "worst_kernel": worst, "worst_ratio": ratios[worst],
            "at_most_1": sum(r <= 1.0 for r in ratios.values()), "kernels": len(ratios),
            "ratios": ratios,
        })
    return summary


# ------------------------------------------------------------------------------- tables


def engine_rows(results: dict) -> tuple[list[str], list[list[str]]]:
    headers = ["kernel", "size", "route", "3 MP ms", "f2D ms", "ratio", "12 MP ms", "f2D ms",
               "ratio", "target", "verdict", "scipy x", "max err"]
    table = []
    for row in results["rows"]:
        small, big = row["3 MP"], row["12 MP"]
        table.append([
            row["kernel"], row["shape"], row["route"],
            f"{small['convolve_ms']:.1f}", f"{small['filter2d_ms']:.1f}", f"{small['ratio']:.2f}",
            f"{big['convolve_ms']:.1f}", f"{big['filter2d_ms']:.1f}", f"{big['ratio']:.2f}",
            f"<= {row['target']:.1f}", row["verdict"],
            f"{row['speedup_vs_scipy']:.0f}", f"{row['max_abs_error']:.1e}",
        ])
    for size in SIZES:
        control = results["controls"][size]
        cells = ["", "", ""]
        ms = [f"{control['convolve_ms']:.1f}", f"{control['filter2d_ms']:.1f}",
              f"{control['ratio']:.2f}"]
        cells = ms + ["", "", ""] if size == "3 MP" else ["", "", ""] + ms
        table.append([f"control: filter2D/filter2D ({size})", "3x3", "noise floor",
                      *cells, "", f"q1-q3 {control['ratio_q1']:.2f}-{control['ratio_q3']:.2f}",
                      "", ""])
    return headers, table


def border_rows(results: dict) -> tuple[list[str], list[list[str]]]:
    headers = ["border (3 MP)", "baseline", "median ratio", "worst", "kernels <= 1.0"]
    table = [[b["border"], b["baseline"], f"{b['median_ratio']:.2f}",
              f"{b['worst_kernel']} {b['worst_ratio']:.2f}", f"{b['at_most_1']}/{b['kernels']}"]
             for b in results["other_borders"]]
    return headers, table


def report(results: dict) -> str:
    headers, table = engine_rows(results)
    text = [f"Engine: convolve vs cv2.filter2D, float32, border {results['border']}; ratio = "
            "median of paired ratios (lower is faster); scipy x = speed-up over "
            "scipy.ndimage.correlate at 3 MP; max err = vs float64 scipy at 3 MP",
            format_table(headers, table, "lllrrrrrrllrr")]
    failures = [r for r in results["rows"] if not r["error_pass"]]
    text.append("correctness: " + ("all within float32 rounding" if not failures else
                                   "OUT OF BOUND: " + ", ".join(r["kernel"] for r in failures)))
    slow = [r["kernel"] for r in results["rows"] if not r["scipy_pass"]]
    text.append(f"scipy.ndimage.correlate at least {SCIPY_TARGET:.0f}x slower: "
                + ("all kernels" if not slow else "NOT for " + ", ".join(slow)))
    headers, table = border_rows(results)
    text += ["", "Other border modes (every bank kernel, 3 MP)", format_table(headers, table)]
    return "\n".join(text)
