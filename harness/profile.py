"""Sampling profiles of a running server with py-spy: collapsed stacks, top functions, a
flame graph (SVG).

py-spy (requirements-dev.txt) reads another process's Python stacks from outside, so the
server runs unchanged; it needs ptrace rights on that process (root, or the server started by
the same user with ``kernel.yama.ptrace_scope`` at most 1).
"""

from __future__ import annotations

import html
import linecache
import re
import shutil
import subprocess
import sys
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .server import REPO_ROOT

MAX_SECONDS = 600
#: A source line that blocks the thread (sleep, a lock, a queue, a poll) rather than computes.
#: py-spy leaves out threads the OS reports idle, but misses some: a server with many
#: sleeping threads (Streamlit's path watchers, our session reaper) would otherwise look busy.
WAIT_LINE = re.compile(r"(\bsleep|\.wait|\.acquire|\.join|\bselect|\.select|\.poll|"
                       r"\.control|work_queue\.get|\bq(ueue)?\.get|self\._queue\.get)\(")
FRAME = re.compile(r"^(?P<function>.*) \((?P<path>.*?)(?::(?P<line>\d+))?\)$")


def py_spy() -> str:
    """Path of the py-spy executable (beside this Python first); RuntimeError if missing."""
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.is_file() else shutil.which("py-spy")
    if not found:
        raise RuntimeError("py-spy not found: .venv/bin/pip install -r requirements-dev.txt")
    return found


def start_recording(pid: int, seconds: float, out: Path, rate: int = 100,
                    gil: bool = False) -> subprocess.Popen:
    """Start py-spy sampling `pid` for `seconds` at `rate` Hz into `out` (collapsed stacks).

    By default every thread that is not idle is sampled: on a saturated machine that includes
    threads waiting for the GIL or for a core. `gil` samples only the thread holding the GIL,
    which is where Python's own CPU goes (native code that releases it, such as image
    encoding, then disappears). Returns the py-spy process; it ends by itself after `seconds`.
    """
    if not 1 <= seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be 1..{MAX_SECONDS}; got {seconds}")
    out.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [py_spy(), "record", "--pid", str(pid), "--duration", str(int(seconds)),
         "--rate", str(rate), "--format", "raw", "--full-filenames", "--output", str(out),
         *(["--gil"] if gil else [])],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def read_collapsed(path: Path) -> Counter[tuple[str, ...]]:
    """Collapsed stacks ("outer;...;inner count" lines) as stack -> samples.

    Frames stay as py-spy writes them: "function (/full/path.py:line)".
    """
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[tuple(stack.split(";"))] += int(count)
    return stacks


@dataclass(frozen=True)
class FunctionShare:
    """A function's share of the samples: on top of the stack (self) and anywhere (total)."""

    function: str
    self_share: float
    total_share: float


def is_wait(frame: str) -> bool:
    """Whether a frame "function (path:line)" is stopped on a line that blocks (WAIT_LINE)."""
    found = FRAME.match(frame)
    if not found or not found["line"]:
        return False
    return bool(WAIT_LINE.search(linecache.getline(found["path"], int(found["line"]))))


def without_waits(stacks: Counter[tuple[str, ...]]) -> Counter[tuple[str, ...]]:
    """The stacks whose innermost frame is not blocked in a wait (see `is_wait`)."""
    return Counter({stack: n for stack, n in stacks.items() if not is_wait(stack[-1])})


def short_name(frame: str) -> str:
    """ "function (path:line)" as "function (path)", the path from site-packages or the repo."""
    found = FRAME.match(frame)
    if not found:
        return frame
    path = found["path"]
    for marker in ("/site-packages/", "/lib/python3.", f"{REPO_ROOT}/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            path = path.split("/", 1)[1] if marker == "/lib/python3." else path
            break
    return f"{found['function']} ({path})"


def by_function(stacks: Counter[tuple[str, ...]]) -> Counter[tuple[str, ...]]:
    """The same stacks with frames named by function and short path, lines merged."""
    merged: Counter[tuple[str, ...]] = Counter()
    for stack, count in stacks.items():
        merged[tuple(short_name(f) for f in stack)] += count
    return merged


def top_functions(stacks: Counter[tuple[str, ...]], n: int = 30) -> list[FunctionShare]:
    """The `n` functions with most samples anywhere on the stack (recursion counted once)."""
    samples = sum(stacks.values()) or 1
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    for stack, count in stacks.items():
        own[stack[-1]] += count
        for frame in set(stack):
            anywhere[frame] += count
    return [FunctionShare(f, own[f] / samples, anywhere[f] / samples)
            for f, _ in anywhere.most_common(n)]


def top_text(stacks: Counter[tuple[str, ...]], n: int = 30) -> str:
    """Two plain tables: the functions with most samples of their own (where the time goes),
    then with most samples anywhere on the stack (which callers it goes through)."""
    shares = top_functions(stacks, len(stacks) * 64)
    header = f"{'self':>7} {'total':>7}  function"
    by_self = sorted(shares, key=lambda f: -f.self_share)[:n]
    by_total = [f for f in shares if f.total_share < 0.8][:n]  # below the thread roots
    return "\n".join([
        f"{sum(stacks.values())} samples", "", "by own time (innermost frame):", header,
        *(f"{f.self_share:7.1%} {f.total_share:7.1%}  {f.function}" for f in by_self),
        "", "by time including callees:", header,
        *(f"{f.self_share:7.1%} {f.total_share:7.1%}  {f.function}" for f in by_total)])


def flame_svg(stacks: Counter[tuple[str, ...]], title: str, width: int = 1600,
              row: int = 17) -> str:
    """A flame graph: one box per frame, as wide as its samples, callers below callees.

    Hover a box for its function and share (the SVG's <title>); boxes narrower than a few
    pixels are left out, as flamegraph.pl does.
    """
    total = sum(stacks.values()) or 1
    tree: dict = {}
    for stack, count in stacks.items():
        node = tree
        for frame in stack:
            entry = node.setdefault(frame, [0, {}])
            entry[0] += count
            node = entry[1]
    boxes: list[str] = []
    depth_max = 0

    def draw(node: dict, x: float, depth: int) -> None:
        nonlocal depth_max
        for frame, (count, kids) in sorted(node.items()):
            w = count / total * width
            if w >= 2:
                depth_max = max(depth_max, depth)
                hue = 20 + zlib.crc32(frame.encode()) % 40  # stable colours across runs
                label = html.escape(frame)
                text = frame if len(frame) * 7 < w else frame[: max(0, int(w / 7) - 2)] + ".."
                boxes.append(
                    f'<g><title>{label}: {count} samples ({count / total:.1%})</title>'
                    f'<rect x="{x:.1f}" y="{{y{depth}}}" width="{w - 0.5:.1f}" '
                    f'height="{row - 1}" fill="hsl({hue},80%,60%)"/>'
                    + (f'<text x="{x + 3:.1f}" y="{{t{depth}}}">{html.escape(text)}</text>'
                       if w > 21 else "") + "</g>")
                draw(kids, x, depth + 1)
            x += w

    draw(tree, 0.0, 0)
    height = (depth_max + 3) * row
    svg = "\n".join(boxes)
    for depth in range(depth_max + 1):  # the root row at the bottom
        y = height - (depth + 1) * row
        svg = svg.replace(f"{{y{depth}}}", str(y)).replace(f"{{t{depth}}}", str(y + row - 5))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="monospace" font-size="11">'
            f'<text x="4" y="13" font-size="13">{html.escape(title)} ({total} samples)</text>'
            f"\n{svg}\n</svg>\n")


def write_reports(collapsed: Path, title: str) -> tuple[Path, Path]:
    """Write `<stem>.svg` (flame graph) and `<stem>-top.txt` beside `collapsed`; their paths."""
    every = read_collapsed(collapsed)
    stacks = by_function(without_waits(every))
    waits = sum(every.values()) - sum(stacks.values())
    title = f"{title}; {waits} samples in blocking waits left out"
    svg = collapsed.with_suffix(".svg")
    svg.write_text(flame_svg(stacks, title))
    top = collapsed.with_name(collapsed.stem + "-top.txt")
    top.write_text(title + "\n" + top_text(stacks) + "\n")
    return svg, top
