"""Timing, tables and the machine description shared by the benchmarks.

Servers, Chromium and process sampling come from the shared ``harness`` package.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "bench" / "results"


def machine() -> dict:
    """What the figures were measured on: CPU, cores, memory, library versions, load."""
    import cv2
    import numpy as np
    import scipy
    import streamlit

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "opencv": cv2.__version__,
        "opencv_threads": cv2.getNumThreads(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "streamlit": streamlit.__version__,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def quartiles(values: Sequence[float]) -> tuple[float, float]:
    """25th and 75th percentiles (the middle half of the values)."""
    if len(values) < 2:
        return float(values[0]), float(values[0])
    q = statistics.quantiles(values, n=4, method="inclusive")
    return float(q[0]), float(q[2])


def side_by_side(first: Callable[[], object], second: Callable[[], object], repetitions: int,
                 warmup: int = 1) -> tuple[list[float], list[float]]:
    """Time two functions alternately, swapping which goes first each repetition (seconds).

    Alternating pairs share whatever else the machine is doing at that moment, so the ratio of
    a pair is far steadier than the ratio of two separately measured medians.
    """
    for _ in range(warmup):
        first()
        second()
    times_first, times_second = [], []
    for repetition in range(repetitions):
        order = ((first, times_first), (second, times_second))
        for function, times in order if repetition % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    return times_first, times_second


def paired_ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]],
                 align: str | None = None) -> str:
    """A plain-text table; `align` has one 'l' or 'r' per column (default: first left)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    align = align or "l" + "r" * (len(headers) - 1)

    def line(row):
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w)
                         for c, w, a in zip(row, widths, align, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The same table in Markdown, for docs/performance.md."""
    out = ["| " + " | ".join(map(str, headers)) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return "\n".join(out)


def save(results: dict, name: str) -> Path:
    """Write results as JSON to bench/results/<name>-<time>.json and <name>-latest.json."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    text = json.dumps(results, indent=2, default=float)
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(text)
    (RESULTS_DIR / f"{name}-latest.json").write_text(text)
    return path


def log(message: str) -> None:
    """Progress on stderr-like output, flushed, so long runs show they are alive."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
