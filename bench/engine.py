"""The engine: convkit.convolve against cv2.filter2D on uint8 and on float32 images.

Images arrive in the app as uint8, so both input types are measured. For every bank kernel, at
3 and 12 megapixels, four calls run in turn on the same picture with the same border:
convolve(uint8) and ``cv2.filter2D(uint8, cv2.CV_32F, ...)`` (the same float32 result from the
same bytes), then convolve(float32) and ``cv2.filter2D(float32, -1, ...)``; which of each pair
goes first alternates. A ratio is the median of the per-pair ratios convolve / filter2D. Control
rows time filter2D against itself the same way, for each input type: their spread is the noise
floor of the machine. scipy.ndimage.correlate (float32 in, same mode) is timed at 3 MP, and a
float64 scipy result is the reference for the correctness column.
"""

from __future__ import annotations

import os
import time

import cv2
import numpy as np
import scipy.ndimage as ndi

import convkit
from convkit.core import NDIMAGE_MODES, OPENCV_BORDERS

from .common import format_table, log, median, paired_ratios, quartiles

SIZES = {"3 MP": (1500, 2000), "12 MP": (3000, 4000)}
DTYPES = ("uint8", "float32")
BORDER = "reflect_101"  # cv2.filter2D's default
#: The issue's bars: convolve / filter2D at most this (0.5 for big boxes and Gaussians)...
DEFAULT_TARGET = 1.0
FAST_TARGET = 0.5
#: ...or a tie within this where filter2D itself is the route.
TIE = 1.05
SCIPY_TARGET = 5.0
OTHER_BORDERS = ("replicate", "constant", "reflect", "wrap", "constant v=50")


def target(name: str, weights: np.ndarray) -> float:
    """0.5 for the 21 x 21 box and Gaussians of size 15 and over, else 1.0."""
    if name == "large_blur" or (name.startswith("gaussian") and max(weights.shape) >= 15):
        return FAST_TARGET
    return DEFAULT_TARGET


def test_images(shape: tuple[int, int]) -> dict[str, np.ndarray]:
    """A photo-like picture as uint8 (the cameraman scaled up, a little noise) and as float32."""
    camera = convkit.load_sample("camera").astype(np.float32)
    image = cv2.resize(camera, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(0).normal(0, 2, shape).astype(np.float32)
    pixels = np.ascontiguousarray(np.clip(np.rint(image + noise), 0, 255).astype(np.uint8))
    return {"uint8": pixels, "float32": pixels.astype(np.float32)}


def route(weights: np.ndarray, dtype: str, shape: tuple[int, int]) -> str:
    """The planner's route for these weights and image size, as convkit.core.describe_route says."""
    described = convkit.core.describe_route(weights, dtype, BORDER, image_shape=shape)
    return f"{described.route} (float32 first)" if (
        dtype == "uint8" and described.converted) else described.route


def shown_route(row: dict, dtype: str) -> str:
    """One route, or the route at each size when they differ."""
    routes = row["route"][dtype]
    if len(set(routes.values())) == 1:
        return routes["3 MP"]
    return ", ".join(f"{name} ({size})" for size, name in routes.items())


def _pair(image: np.ndarray, kernel: convkit.Kernel, border: str, value: float = 0.0):
    """(convolve call, baseline call): filter2D to float32, or pad + filter2D + crop for modes
    it lacks. convolve gets the bank's Kernel, as a caller would pass it; filter2D the same
    weights as an array."""
    weights = kernel.weights
    ours = lambda: convkit.convolve(image, kernel, border, value=value)  # noqa: E731
    if border == "wrap" or (border == "constant" and value != 0.0):
        pad_y, pad_x = weights.shape[0] // 2, weights.shape[1] // 2
        height, width = image.shape[:2]

        def baseline():
            padded = cv2.copyMakeBorder(image, pad_y, pad_y, pad_x, pad_x,
                                        OPENCV_BORDERS[border], value=value)
            out = cv2.filter2D(padded, cv2.CV_32F, weights, borderType=cv2.BORDER_CONSTANT)
            return np.ascontiguousarray(out[pad_y:pad_y + height, pad_x:pad_x + width])
    else:
        def baseline():
            return cv2.filter2D(image, cv2.CV_32F, weights, borderType=OPENCV_BORDERS[border])
    return ours, baseline


def _interleaved(pairs: dict[str, tuple], repetitions: int) -> dict[str, tuple[list, list]]:
    """Time every (ours, baseline) pair `repetitions` times, the pairs in turn, each pair's
    order alternating: all four calls see the same moment of the machine."""
    for ours, baseline in pairs.values():
        ours()
        baseline()
    times = {key: ([], []) for key in pairs}
    for repetition in range(repetitions):
        for key, (ours, baseline) in pairs.items():
            calls = ((ours, times[key][0]), (baseline, times[key][1]))
            for function, log_to in calls if repetition % 2 == 0 else calls[::-1]:
                start = time.perf_counter()
                function()
                log_to.append(time.perf_counter() - start)
    return times


def _repetitions(pairs: dict[str, tuple], budget_s: float, least: int, most: int = 301) -> int:
    """As many rounds as fit in `budget_s` (odd, so the median is one pair), within bounds."""
    start = time.perf_counter()
    for ours, baseline in pairs.values():
        ours()
        baseline()
    round_s = time.perf_counter() - start
    return max(least, min(most, int(budget_s / max(round_s, 1e-6)))) | 1


def _summary(ours_times: list[float], base_times: list[float], repetitions: int) -> dict:
    ratios = paired_ratios(ours_times, base_times)
    low, high = quartiles(ratios)
    extra = median([o - b for o, b in zip(ours_times, base_times, strict=True)])
    return {"convolve_ms": median(ours_times) * 1e3, "filter2d_ms": median(base_times) * 1e3,
            "ratio": median(ratios), "ratio_q1": low, "ratio_q3": high,
            "extra_us": extra * 1e6, "repetitions": repetitions}


def _timed(images: dict, kernel, border, budget_s, least, value=0.0) -> dict[str, dict]:
    """Both input types for one kernel and border, measured side by side."""
    pairs = {dtype: _pair(images[dtype], kernel, border, value) for dtype in DTYPES}
    repetitions = _repetitions(pairs, budget_s, least)
    times = _interleaved(pairs, repetitions)
    return {dtype: _summary(*times[dtype], repetitions) for dtype in DTYPES}


def _control(images: dict, budget_s, least) -> dict[str, dict]:
    """filter2D against itself on each input type, measured like the others: the noise floor."""
    weights = convkit.BANK["sobel_x"].weights
    pairs = {}
    for dtype in DTYPES:
        def call(image=images[dtype]):
            return cv2.filter2D(image, cv2.CV_32F, weights, borderType=cv2.BORDER_REFLECT_101)
        pairs[dtype] = (call, call)
    repetitions = _repetitions(pairs, budget_s, least)
    times = _interleaved(pairs, repetitions)
    return {dtype: _summary(*times[dtype], repetitions) for dtype in DTYPES}


def _scipy_and_error(images, weights, ours_ms, full) -> dict:
    """scipy.ndimage.correlate speed at 3 MP, and convolve's error against float64 scipy."""
    mode = NDIMAGE_MODES[BORDER]
    image = images["float32"]
    repetitions = 3 if full or weights.size <= 25 else 1
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        ndi.correlate(image, weights, mode=mode)
        times.append(time.perf_counter() - start)
    reference = ndi.correlate(image.astype(np.float64), weights, mode=mode)
    errors = {dtype: float(np.max(np.abs(convkit.convolve(images[dtype], weights, BORDER)
                                         - reference)))
              for dtype in DTYPES}
    # The unit tests' bound: float32 rounding of the largest possible response.
    bound = 2e-5 * (1.0 + float(np.abs(weights).sum()) * float(np.abs(image).max()))
    scipy_ms = median(times) * 1e3
    return {"scipy_ms": scipy_ms, "scipy_repetitions": repetitions,
            "speedup_vs_scipy": scipy_ms / ours_ms, "max_abs_error": max(errors.values()),
            "max_abs_error_by_dtype": errors, "error_bound": bound}


def verdict(row: dict, dtype: str) -> str:
    """pass, tie (filter2D itself is the route, within TIE), or FAIL with the worst ratio."""
    size = max(SIZES, key=lambda size: row[dtype][size]["ratio"])
    worst = row[dtype][size]["ratio"]
    if worst <= row["target"]:
        return "pass"
    if row["route"][dtype][size] == "filter2D" and worst <= TIE:
        return f"tie (<= {TIE})"
    return f"FAIL ({worst:.2f} at {size})"


def run(full: bool = False) -> dict:
    """Measure every bank kernel at both sizes on both input types; rows and summaries."""
    # Seconds of rounds (four calls each) per kernel and size, and the fewest rounds.
    budget_s, least = (8.0, 31) if full else (2.5, 15)
    load_start = os.getloadavg()
    rows = []
    controls = {}
    for size, shape in SIZES.items():
        images = test_images(shape)
        log(f"engine: {size} ({shape[1]} x {shape[0]}), uint8 and float32, about "
            f"{budget_s:.1f} s of rounds (at least {least}) per kernel")
        controls[size] = _control(images, budget_s, least)
        for name, kernel in convkit.BANK.items():
            weights = kernel.weights
            row = next((r for r in rows if r["kernel"] == name), None)
            if row is None:
                row = {"kernel": name, "shape": f"{weights.shape[0]}x{weights.shape[1]}",
                       "route": {dtype: {size: route(weights, dtype, shape)
                                         for size, shape in SIZES.items()}
                                 for dtype in DTYPES},
                       "target": target(name, weights), **{dtype: {} for dtype in DTYPES}}
                rows.append(row)
            for dtype, figures in _timed(images, kernel, BORDER, budget_s, least).items():
                row[dtype][size] = figures
            if size == "3 MP":
                row.update(_scipy_and_error(images, weights, row["uint8"][size]["convolve_ms"],
                                            full))
    for row in rows:
        row["verdict"] = {dtype: verdict(row, dtype) for dtype in DTYPES}
        row["scipy_pass"] = row["speedup_vs_scipy"] >= SCIPY_TARGET
        row["error_pass"] = row["max_abs_error"] <= row["error_bound"]
    borders = _other_borders(test_images(SIZES["3 MP"]), budget_s / 4, 9)
    return {"border": BORDER, "rows": rows, "controls": controls, "other_borders": borders,
            "budget_s": budget_s, "least_rounds": least,
            "load_average": {"start": [round(x, 2) for x in load_start],
                             "end": [round(x, 2) for x in os.getloadavg()]}}


def _other_borders(images: dict, budget_s: float, least: int) -> list[dict]:
    """Every bank kernel in the other border modes at 3 MP, summarised per mode and dtype."""
    summary = []
    for mode in OTHER_BORDERS:
        border, _, value = mode.partition(" v=")
        value = float(value or 0.0)
        log(f"engine: border {mode} at 3 MP")
        ratios = {dtype: {} for dtype in DTYPES}
        for name, kernel in convkit.BANK.items():
            for dtype, figures in _timed(images, kernel, border, budget_s, least, value).items():
                ratios[dtype][name] = figures["ratio"]
        for dtype in DTYPES:
            by_kernel = ratios[dtype]
            worst = max(by_kernel, key=by_kernel.get)
            summary.append({
                "border": mode, "dtype": dtype,
                "baseline": ("copyMakeBorder + filter2D + crop"
                             if border == "wrap" or value else "filter2D"),
                "median_ratio": median(list(by_kernel.values())),
                "worst_kernel": worst, "worst_ratio": by_kernel[worst],
                "at_most_1": sum(r <= 1.0 for r in by_kernel.values()),
                "kernels": len(by_kernel), "ratios": by_kernel,
            })
    return summary


# ------------------------------------------------------------------------------- tables


def engine_rows(results: dict) -> tuple[list[str], list[list[str]]]:
    headers = ["kernel", "size", "route on uint8", "u8 ms", "f2D ms", "ratio 3 MP",
               "ratio 12 MP", "route on float32", "f32 ms", "f2D ms", "ratio 3 MP",
               "ratio 12 MP", "target", "verdict u8 / f32", "scipy x", "max err"]
    table = []
    for row in results["rows"]:
        cells = [row["kernel"], row["shape"]]
        for dtype in DTYPES:
            small, big = row[dtype]["3 MP"], row[dtype]["12 MP"]
            cells += [shown_route(row, dtype), f"{small['convolve_ms']:.1f}",
                      f"{small['filter2d_ms']:.1f}", f"{small['ratio']:.2f}",
                      f"{big['ratio']:.2f}"]
        cells += [f"<= {row['target']:.1f}",
                  " / ".join(row["verdict"][dtype] for dtype in DTYPES),
                  f"{row['speedup_vs_scipy']:.0f}", f"{row['max_abs_error']:.1e}"]
        table.append(cells)
    controls = results["controls"]
    cells = ["control: filter2D / filter2D", "3x3"]
    for dtype in DTYPES:
        small, big = controls["3 MP"][dtype], controls["12 MP"][dtype]
        cells += ["", f"{small['convolve_ms']:.1f}", f"{small['filter2d_ms']:.1f}",
                  f"{small['ratio']:.2f} ({small['ratio_q1']:.2f}-{small['ratio_q3']:.2f})",
                  f"{big['ratio']:.2f} ({big['ratio_q1']:.2f}-{big['ratio_q3']:.2f})"]
    table.append(cells + ["", "middle half of the pairs in brackets", "", ""])
    return headers, table


def border_rows(results: dict) -> tuple[list[str], list[list[str]]]:
    headers = ["border (3 MP)", "input", "baseline", "median ratio", "worst", "kernels <= 1.0"]
    table = [[b["border"], b["dtype"], b["baseline"], f"{b['median_ratio']:.2f}",
              f"{b['worst_kernel']} {b['worst_ratio']:.2f}", f"{b['at_most_1']}/{b['kernels']}"]
             for b in results["other_borders"]]
    return headers, table


def report(results: dict) -> str:
    headers, table = engine_rows(results)
    load = results["load_average"]
    text = [f"Engine: convolve vs cv2.filter2D(image, cv2.CV_32F, ...) on uint8 and on float32 "
            f"input, border {results['border']}; ratio = median of paired ratios (lower is "
            "faster); scipy x = speed-up over scipy.ndimage.correlate at 3 MP (uint8 input); "
            f"max err = vs float64 scipy at 3 MP, both inputs. Load average (1, 5, 15 min) at "
            f"the start {load['start']}, at the end {load['end']}",
            format_table(headers, table, "lllrrrrlrrrrllrr")]
    failures = [r for r in results["rows"] if not r["error_pass"]]
    text.append("correctness: " + ("all within float32 rounding" if not failures else
                                   "OUT OF BOUND: " + ", ".join(r["kernel"] for r in failures)))
    slow = [r["kernel"] for r in results["rows"] if not r["scipy_pass"]]
    text.append(f"scipy.ndimage.correlate at least {SCIPY_TARGET:.0f}x slower: "
                + ("all kernels" if not slow else "NOT for " + ", ".join(slow)))
    headers, table = border_rows(results)
    text += ["", "Other border modes (every bank kernel, 3 MP)", format_table(headers, table)]
    return "\n".join(text)
