"""Load test: many concurrent visitors pick kernels and pixels on the pixel inspector.

    python -m bench.load --sessions 20 --seconds 60                  # closed loop, one server
    python -m bench.load --sessions 20 --seconds 60 --replicas 2     # two servers behind nginx
    python -m bench.load --sessions 150 --think 5 --seconds 300 --replicas 2
    python -m bench.load --sessions 20 --seconds 60 --profile        # py-spy on the server
    python -m bench.load --clients browser --sessions 20 --seconds 60  # Chromium pages
    python -m bench.load --url http://127.0.0.1:8501 --pid 1234      # a running server

Every visitor opens the pixel inspector on a sample (a different one per visitor) and loops:
pick a kernel, type a pixel's x, type its y; each time it waits until the app has re-run and
checks that what came back is *its own* choice (the URL the server writes, and the "Output
pixel x=.., y=.." heading of the breakdown). With ``--think S`` a visitor pauses between
actions, as a person reads the page: S seconds on average, uniformly between 0.5 S and 1.5 S
(closed loop, the default 0, sends the next action as soon as the last one is answered).

``--replicas N`` (2 or more) starts N servers on free loopback ports, sharing a cookie
secret, and nginx on loopback with the project's own deploy/nginx.conf (only the upstream
servers, the listen port and the log and temporary paths rewritten); visitors then connect
through nginx, each with the route cookie nginx hands it, as a browser would.

Reported: actions; errors; latency (action sent to run finished) p50/p95 overall and per kind
(a kernel pick reruns the whole page, a pixel change only the inspector's fragment); actions
per busy server core-second (actions / CPU seconds the servers used during the loops, summed
over replicas) and the servers' busy cores; nginx's CPU; the servers' resident memory (VmRSS)
as a series over time and whether it is flat (median of the first minute of the loops against
the last minute; a third of the loops each for runs under three minutes). ``--profile`` also
records the (first) server with py-spy during the loops and writes a flame graph and a table
of top functions to bench/results/.

Two kinds of client:
- ``ws`` (default): a Python client speaking Streamlit's own WebSocket protocol, as the
  browser does (harness/protocol.py). Cheap on the client, so the figures are the server's.
- ``browser``: one headless Chromium, a browser context per visitor, driving the real
  widgets. On a two-core machine that also runs the server, twenty renderers cost far more
  CPU than the server does, so latency then mostly measures the browsers.

Only loopback URLs are accepted, and visitors, duration, think time and replicas are capped:
this is a test of our own server, not a tool to point at someone else's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import harness
from convkit import BANK
from harness import profile
from harness.process import Sample

from .common import markdown_table

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "bench" / "results"
MAX_SESSIONS = 200
MAX_BROWSER_SESSIONS = 50
MAX_SECONDS = 600
MAX_THINK_S = 60
MAX_REPLICAS = 4
#: RSS counts as flat when the last window's median is at most this much above the first's.
FLAT_GROWTH_MIB = 16
FLAT_GROWTH_SHARE = 0.05

#: Kernels the visitors cycle through (small ones: the test is about the server, not big sums).
KERNELS = ("sharpen", "sobel_x", "sobel_y", "emboss", "laplacian", "box_5", "gaussian_5",
           "outline", "identity", "prewitt_x", "scharr_y", "unsharp_mask")
#: Samples and their (width, height), so typed pixels stay inside the image.
SAMPLES = {"camera": (512, 512), "coins": (384, 303), "moon": (512, 512), "text": (448, 172),
           "brick": (512, 512), "chelsea": (451, 300), "coffee": (600, 400),
           "astronaut": (512, 512)}
CRASH_TEXT = "Something went wrong on this page"
#: The key of the inspector's pictures component.
PICTURES = "inspector_pictures"

# Counts completed script runs (including fragment runs) from the attribute Streamlit sets on
# its root element, record by record, so a quick running -> notRunning flip is never missed.
RUN_COUNTER_JS = """
(() => {
  window.__ckRuns = 0;
  const hook = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) { setTimeout(hook, 30); return; }
    new MutationObserver((records) => {
      const states = records.map((r) => r.oldValue);
      states.push(app.getAttribute('data-test-script-state'));
      for (let i = 1; i < states.length; i++) {
        if (states[i] === 'notRunning' && states[i - 1] !== 'notRunning') window.__ckRuns++;
      }
    }).observe(app, {attributes: true, attributeOldValue: true,
                     attributeFilter: ['data-test-script-state']});
  };
  hook();
})();
"""

# Done when the server has written the wanted settings into the URL (it does so during the
# run, so the run has started), or (no settings wanted) a run has finished since `before`, and
# the app is idle by the harness's own test (harness.APP_STATE_JS).
IDLE_AFTER_JS = """
([before, wanted, appState, busy]) => {
  const query = new URLSearchParams(window.location.search);
  if (wanted === null ? window.__ckRuns <= before
      : Object.entries(wanted).some(([k, v]) => query.get(k) !== v)) return false;
  return (new Function('return (' + appState + ');')())(busy) === 'idle';
}
"""


@dataclass
class LoadResult:
    """What a load run measured.

    `samples` come from harness.Sampler: per process RSS and CPU, the first `replicas`
    processes being the servers and any after them the proxy's.
    """

    sessions: int
    seconds: float
    clients: str = "ws"
    think_s: float = 0.0
    replicas: int = 1
    actions: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)
    actions_kind: list[str] = field(default_factory=list)  # "kernel" or "pixel", per latency
    page_load_s: list[float] = field(default_factory=list)
    per_session_actions: list[int] = field(default_factory=list)
    sessions_per_replica: list[int] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    loop_start_s: float = 0.0  # when the timed loops began, on the samples' clock
    loop_end_s: float = 0.0  # when the last visitor finished its last action
    client_cpu_s: float = float("nan")  # CPU seconds this process (the visitors) used meanwhile

    def percentile(self, q: float, kind: str | None = None) -> float:
        """The q-th percentile (0..100) of action latencies, nearest-rank; NaN if none.

        `kind` keeps only "kernel" picks (a full run) or "pixel" changes (a fragment run).
        """
        latencies = [t for t, k in zip(self.latencies_s, self.actions_kind, strict=True)
                     if kind in (None, k)]
        if not latencies:
            return float("nan")
        ordered = sorted(latencies)
        rank = max(1, -(-len(ordered) * q // 100))  # ceil(n q / 100), at least 1
        return ordered[int(rank) - 1]

    def _loop_samples(self) -> list[Sample]:
        return [s for s in self.samples if self.loop_start_s <= s.t <= self.loop_end_s]

    def _cpu(self, processes: slice) -> tuple[float, float]:
        """(CPU seconds used, wall seconds) by `processes` during the loops; NaN if unsampled."""
        during = self._loop_samples()
        if len(during) < 2 or during[-1].t <= during[0].t:
            return float("nan"), float("nan")
        used = sum(during[-1].cpu_s[processes]) - sum(during[0].cpu_s[processes])
        return used, during[-1].t - during[0].t

    @property
    def server_cpu_s(self) -> float:
        """CPU seconds the servers used during the loops, summed over replicas."""
        return self._cpu(slice(0, self.replicas))[0]

    @property
    def server_cores_busy(self) -> float:
        """Server CPU time over wall time during the loops (1.0 = one core fully busy)."""
        used, wall = self._cpu(slice(0, self.replicas))
        return used / wall

    @property
    def proxy_cores_busy(self) -> float:
        """The proxy's (nginx's) CPU time over wall time during the loops; NaN without one."""
        if not self.samples or len(self.samples[0].cpu_s) <= self.replicas:
            return float("nan")
        used, wall = self._cpu(slice(self.replicas, None))
        return used / wall

    @property
    def client_cores_busy(self) -> float:
        """The load generator's own CPU over wall time during the loops: near 1, or the
        machine's free cores, it would be the bottleneck rather than the server."""
        wall = self.loop_end_s - self.loop_start_s
        return self.client_cpu_s / wall if wall > 0 else float("nan")

    @property
    def actions_per_core_s(self) -> float:
        """Actions per busy server core-second: what one core of server buys."""
        used = self.server_cpu_s
        return self.actions / used if used > 0 else float("nan")

    def server_rss_mib(self, sample: Sample) -> float:
        return sum(sample.rss_kib[: self.replicas]) / 1024

    def rss_series(self, points: int = 30) -> list[list[float]]:
        """[seconds since the loops began, servers' total MiB, MiB per replica...], at most
        `points` rows over the loops (the largest total in each slice of time)."""
        during = self._loop_samples()
        if not during:
            return []
        step = max((self.loop_end_s - self.loop_start_s) / points, 1e-9)
        rows: dict[int, Sample] = {}
        for s in during:
            slot = min(int((s.t - self.loop_start_s) / step), points - 1)
            if slot not in rows or self.server_rss_mib(s) > self.server_rss_mib(rows[slot]):
                rows[slot] = s
        return [[round(s.t - self.loop_start_s, 1), round(self.server_rss_mib(s), 1),
                 *(round(k / 1024, 1) for k in s.rss_kib[: self.replicas])]
                for _, s in sorted(rows.items())]

    @property
    def rss_mib(self) -> dict[str, float]:
        """Servers' total memory: before any visitor, a quarter into the loops (warm), peak, at
        the end; medians of the first and last window of the loops (a minute each, a third of
        the loops when shorter than three minutes), the growth between them, and whether it
        is flat (growth at most FLAT_GROWTH_MIB or FLAT_GROWTH_SHARE of the first)."""
        if not self.samples:
            return {}
        values = [self.server_rss_mib(s) for s in self.samples]
        warm_from = self.loop_start_s + (self.loop_end_s - self.loop_start_s) / 4
        warm = [self.server_rss_mib(s) for s in self.samples if s.t >= warm_from] or values[-1:]
        figures = {"start": values[0], "warm": warm[0], "peak": max(values), "end": values[-1]}
        during = self._loop_samples()
        if during:
            window = min(60.0, (self.loop_end_s - self.loop_start_s) / 3)
            first = [self.server_rss_mib(s) for s in during
                     if s.t <= self.loop_start_s + window]
            last = [self.server_rss_mib(s) for s in during if s.t >= self.loop_end_s - window]
            first_mib, last_mib = statistics.median(first), statistics.median(last)
            growth = last_mib - first_mib
            figures |= {"window_s": window, "first_window": first_mib,
                        "last_window": last_mib, "growth": growth,
                        "flat": growth <= max(FLAT_GROWTH_MIB, FLAT_GROWTH_SHARE * first_mib)}
        return figures

    def summary(self) -> dict:
        """The figures worth reporting, JSON-ready."""
        kinds = ("kernel", "pixel")
        rss = self.rss_mib
        return {
            "clients": self.clients, "sessions": self.sessions, "seconds": self.seconds,
            "think_s": self.think_s, "replicas": self.replicas,
            "actions": self.actions,
            "actions_per_s": round(self.actions / self.seconds, 2) if self.seconds else 0,
            "actions_per_core_s": round(self.actions_per_core_s, 1),
            "errors": len(self.errors), "first_errors": self.errors[:10],
            "latency_s": {"p50": round(self.percentile(50), 3),
                          "p95": round(self.percentile(95), 3),
                          "max": round(max(self.latencies_s, default=float("nan")), 3)},
            "by_action_s": {kind: {"count": self.actions_kind.count(kind),
                                   "p50": round(self.percentile(50, kind), 3),
                                   "p95": round(self.percentile(95, kind), 3)}
                            for kind in kinds},
            "page_load_s_max": round(max(self.page_load_s, default=float("nan")), 2),
            "min_actions_per_session": min(self.per_session_actions, default=0),
            "sessions_per_replica": self.sessions_per_replica,
            "server_cpu_s": round(self.server_cpu_s, 1),
            "server_cores_busy": round(self.server_cores_busy, 2),
            "proxy_cores_busy": round(self.proxy_cores_busy, 3),
            "client_cores_busy": round(self.client_cores_busy, 2),
            "server_rss_mib": {k: v if isinstance(v, bool) else round(v, 1)
                               for k, v in rss.items()},
            "server_rss_series_mib": self.rss_series(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }

    def text(self) -> str:
        s = self.summary()
        rss, by = s["server_rss_mib"], s["by_action_s"]
        where = (f"{s['replicas']} replicas behind nginx" if s["replicas"] > 1
                 else "one server")
        pace = f"think {s['think_s']:g} s" if s["think_s"] else "closed loop"
        lines = [
            f"{s['sessions']} {s['clients']} visitors ({pace}) on {where} for "
            f"{s['seconds']:.0f} s: {s['actions']} actions ({s['actions_per_s']}/s), "
            f"{s['errors']} errors",
            f"server CPU {s['server_cpu_s']} s = {s['server_cores_busy']} busy cores: "
            f"{s['actions_per_core_s']} actions per busy server core-second"
            + (f"; nginx {s['proxy_cores_busy']} cores" if s["replicas"] > 1 else "")
            + f"; the visitors' own process {s['client_cores_busy']} cores",
            f"latency (action -> run finished): p50 {s['latency_s']['p50']:.3f} s, "
            f"p95 {s['latency_s']['p95']:.3f} s, max {s['latency_s']['max']:.3f} s",
            *(f"  {kind:<6} ({'full run' if kind == 'kernel' else 'fragment run'}, "
              f"{by[kind]['count']}): p50 {by[kind]['p50']:.3f} s, p95 {by[kind]['p95']:.3f} s"
              for kind in by),
            f"slowest first page load {s['page_load_s_max']} s; fewest actions in one session "
            f"{s['min_actions_per_session']}"
            + (f"; sessions per replica {s['sessions_per_replica']}"
               if s["sessions_per_replica"] else ""),
        ]
        if rss:
            lines.append(f"server RSS (all replicas): start {rss['start']} MiB, warm "
                         f"{rss['warm']} MiB, peak {rss['peak']} MiB, end {rss['end']} MiB")
        if "flat" in rss:
            lines.append(f"  first {rss['window_s']:.0f} s of the loops {rss['first_window']} "
                         f"MiB, last {rss['window_s']:.0f} s {rss['last_window']} MiB: growth "
                         f"{rss['growth']} MiB, {'flat' if rss['flat'] else 'NOT flat'}")
            series = s["server_rss_series_mib"]
            lines.append("  over time (s: MiB): " + ", ".join(
                f"{row[0]:.0f}: {row[1]:.0f}" for row in series[:: max(1, len(series) // 10)]))
        lines.append(f"machine load average {s['load_average']}")
        lines += [f"error: {e}" for e in s["first_errors"]]
        return "\n".join(lines)


def rows(summary: dict) -> tuple[list[str], list[list[str]]]:
    """A run's summary as one row of the capacity table (docs/performance.md)."""
    headers = ["run (`python -m bench.load ...`)", "actions", "errors", "p50 / p95",
               "actions per busy server core-second", "server memory (RSS)"]
    flags = f"--sessions {summary['sessions']} --seconds {summary['seconds']:g}"
    if summary["think_s"]:
        flags += f" --think {summary['think_s']:g}"
    if summary["replicas"] > 1:
        flags += f" --replicas {summary['replicas']}"
    if summary["clients"] != "ws":
        flags += f" --clients {summary['clients']}"
    latency, rss = summary["latency_s"], summary["server_rss_mib"]
    if "flat" in rss:
        memory = (f"{rss['first_window']:.0f} → {rss['last_window']:.0f} MiB from the "
                  f"first {rss['window_s']:.0f} s to the last: "
                  f"{'flat' if rss['flat'] else 'NOT flat'}")
    else:
        memory = f"peak {rss['peak']:.0f} MiB" if rss else ""
    return headers, [[f"`{flags}`", f"{summary['actions']:,}", str(summary["errors"]),
                      f"{latency['p50']:.3f} s / {latency['p95']:.3f} s",
                      f"{summary['actions_per_core_s']} "
                      f"({summary['server_cores_busy']} busy cores)", memory]]


def check_loopback(url: str) -> str:
    """`url` without a trailing slash; ValueError unless it is on this machine."""
    return harness.check_loopback(url)


def _url_int(url: str, key: str) -> int | None:
    values = parse_qs(urlparse(url).query).get(key)
    return int(values[-1]) if values and values[-1].isdigit() else None


class _Start:
    """All visitors load their page first; the timed loops start together once all have."""

    def __init__(self, sessions: int, seconds: float):
        self.waiting, self.seconds = sessions, seconds
        self.go = asyncio.Event()
        self.deadline = 0.0

    def arrived(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.deadline = time.monotonic() + self.seconds
            self.go.set()


class _Visitor:
    """One simulated visitor's sample, the changes it makes and its pauses, alike for both
    kinds of client."""

    def __init__(self, index: int, think_s: float = 0.0):
        self.rng = random.Random(index)
        self.sample = list(SAMPLES)[index % len(SAMPLES)]
        self.width, self.height = SAMPLES[self.sample]
        self.kernel = KERNELS[index % len(KERNELS)]
        self.where = f"session {index} ({self.sample})"
        self.think_s = think_s
        self.x = self.y = None

    def next_change(self, step: int) -> tuple[int, dict[str, str]]:
        """Change the kernel, x or y in turn, each time to another value than it has.

        Returns the kind (0 kernel, 1 x, 2 y) and the query parameters the server must write.
        """
        kind = step % 3
        if kind == 0:
            self.kernel = self.rng.choice([k for k in KERNELS if k != self.kernel])
            return kind, {"kernel": self.kernel}
        if kind == 1:
            self.x = self.rng.choice([v for v in range(self.width) if v != self.x])
            return kind, {"x": str(self.x)}
        self.y = self.rng.choice([v for v in range(self.height) if v != self.y])
        return kind, {"y": str(self.y)}

    def pause_s(self, first: bool = False) -> float:
        """How long to think before the next action: uniform in [0.5, 1.5] x think_s, or, before
        the first action, in [0, 1] x think_s, so that visitors do not click in step."""
        if not self.think_s:
            return 0.0
        low, high = (0.0, 1.0) if first else (0.5, 1.5)
        return self.think_s * self.rng.uniform(low, high)

    async def think(self, start: _Start, first: bool = False) -> bool:
        """Pause (never past the deadline); False when the loops are over."""
        pause = min(self.pause_s(first), start.deadline - time.monotonic())
        if pause > 0:
            await asyncio.sleep(pause)
        return time.monotonic() < start.deadline

    def record(self, result: LoadResult, kind: int, began: float, wanted: dict[str, str],
               shown: dict[str, str], seen_in: str) -> None:
        """Count one finished action and check the server wrote this visitor's own choice."""
        result.latencies_s.append(time.monotonic() - began)
        result.actions_kind.append("kernel" if kind == 0 else "pixel")
        result.actions += 1
        if any(shown.get(k) != v for k, v in wanted.items()) or shown.get(
                "image") != self.sample:
            result.errors.append(f"{self.where}: wanted {wanted}, {seen_in} {shown}")


# ------------------------------------------------------------------- browser clients


async def _wait_for_run(page, before: int, wanted: dict[str, str] | None,
                        timeout_s: float) -> None:
    await page.wait_for_function(
        IDLE_AFTER_JS, arg=[before, wanted, harness.APP_STATE_JS, list(harness.BUSY_SELECTORS)],
        timeout=timeout_s * 1000, polling=100)

async def _page_errors(page) -> list[str]:
    """Exception boxes, the crash message, or st.error boxes on the page."""
    found = []
    if await page.locator('[data-testid="stException"]').count():
        found.append("exception box shown")
    if await page.get_by_text(CRASH_TEXT).count():
        found.append("crash message shown")
    errors = page.locator('[data-testid="stAlertContentError"]')
    if await errors.count():
        found.append("st.error: " + (await errors.first.inner_text())[:120])
    return found


async def _diagnose(page, before: int) -> str:
    """The app's state when an action went wrong, for the error message."""
    try:
        state = await page.evaluate("""() => {
          const app = document.querySelector('[data-testid="stApp"]');
          return [window.__ckRuns, app && app.getAttribute('data-test-script-state'),
                  app && app.getAttribute('data-test-connection-state')];
        }""")
        kernel = await page.locator(".st-key-kernel_name input").input_value(timeout=2000)
        return (f"runs {before}->{state[0]}, script {state[1]}, connection {state[2]}, "
                f"kernel box {kernel!r}, url {page.url.split('?')[-1]}")
    except Exception as error:
        return f"page unreadable: {str(error)[:80]}"


async def _type_number(page, key: str, value: int) -> None:
    field_ = page.locator(f".st-key-{key} input")
    await field_.fill(str(value))
    await field_.press("Enter")


async def _browser_session(browser, base_url: str, index: int, start: _Start,
                           result: LoadResult, timeout_s: float, start_delay_s: float,
                           think_s: float) -> None:
    """One visitor in a browser context: open the inspector, then pick kernels and pixels."""
    # Long on purpose: a visitor's whole life in a browser, from opening to its last action.
    visitor = _Visitor(index, think_s)
    sample, where = visitor.sample, visitor.where
    await asyncio.sleep(start_delay_s)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(timeout_s * 1000)
    actions = 0
    arrived = False
    try:
        await context.add_init_script(RUN_COUNTER_JS)
        page = await context.new_page()
        started = time.monotonic()
        await page.goto(f"{base_url}/pixel_inspector?image={sample}&kernel={visitor.kernel}",
                        timeout=timeout_s * 1000)
        await _wait_for_run(page, 0, None, timeout_s)  # the first run has finished
        await page.locator(".st-key-inspector_x input").wait_for()
        result.page_load_s.append(time.monotonic() - started)
        arrived = True
        start.arrived()
        await start.go.wait()
        step = 0
        visitor.x, visitor.y = _url_int(page.url, "x"), _url_int(page.url, "y")
        while await visitor.think(start, first=step == 0):
            kind, wanted = visitor.next_change(step)
            step += 1
            before = await page.evaluate("window.__ckRuns")
            began = time.monotonic()
            try:
                # Each action changes something, so the app must re-run and show it.
                if kind == 0:
                    await harness.choose_kernel_async(page, visitor.kernel)
                elif kind == 1:
                    await _type_number(page, "inspector_x", visitor.x)
                else:
                    await _type_number(page, "inspector_y", visitor.y)
                await _wait_for_run(page, before, wanted, timeout_s)
                # The server writes the session's settings into the URL: they must be ours,
                # and the breakdown on the page must be for that pixel.
                shown = {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}
                heading = f"Output pixel x={shown.get('x')}, y={shown.get('y')}"
                try:
                    await page.get_by_text(heading, exact=True).wait_for(
                        state="attached", timeout=timeout_s * 1000)
                except Exception:
                    result.errors.append(f"{where}: no heading {heading!r} "
                                         f"[{await _diagnose(page, before)}]")
                visitor.record(result, kind, began, wanted, shown, "page shows")
                actions += 1
                problems = await _page_errors(page)
                result.errors.extend(f"{where}: {p}" for p in problems)
                if problems:
                    return
            except Exception as error:  # a timeout or a closed page: count it, stop
                result.errors.append(f"{where}: step {step} failed: {str(error)[:120]} "
                                     f"[{await _diagnose(page, before)}]")
                return
    except Exception as error:
        result.errors.append(f"{where}: could not open the page: {str(error)[:200]}")
    finally:
        if not arrived:
            start.arrived()
        result.per_session_actions.append(actions)
        with contextlib.suppress(Exception):
            await context.close()


# ------------------------------------------------------------------- WebSocket clients


async def _ws_session(base_url: str, index: int, start: _Start, result: LoadResult,
                      timeout_s: float, start_delay_s: float, think_s: float) -> None:
    """One visitor over the WebSocket: open the inspector, then pick kernels and pixels."""
    visitor = _Visitor(index, think_s)
    sample, where = visitor.sample, visitor.where
    await asyncio.sleep(start_delay_s)
    actions, arrived = 0, False
    try:
        # Behind deploy/nginx.conf the route cookie pins the visitor to one replica.
        cookie = await asyncio.to_thread(harness.route_cookie, base_url)
        async with harness.open_session(base_url, "pixel_inspector",
                                        f"image={sample}&kernel={visitor.kernel}",
                                        timeout_s=timeout_s, cookie=cookie) as session:
            started = time.monotonic()
            await session.run(None, timeout_s)
            result.page_load_s.append(time.monotonic() - started)
            missing = {"kernel_name", "inspector_x", "inspector_y"} - set(session.widgets)
            if missing or session.problems:
                raise RuntimeError(f"page incomplete: {sorted(missing)} {session.problems}")
            await _hold_overview(session, timeout_s)
            arrived = True
            start.arrived()
            await start.go.wait()
            step = 0
            visitor.x = _url_int("?" + session.query, "x")
            visitor.y = _url_int("?" + session.query, "y")
            while await visitor.think(start, first=step == 0):
                kind, wanted = visitor.next_change(step)
                step += 1
                if kind == 0:
                    shape = "x".join(map(str, BANK[visitor.kernel].shape))  # the sidebar's label
                    change = ("kernel_name", "string_value", f"{visitor.kernel} ({shape})")
                elif kind == 1:
                    change = ("inspector_x", "double_value", float(visitor.x))
                else:
                    change = ("inspector_y", "double_value", float(visitor.y))
                began = time.monotonic()
                try:
                    await session.run(change, timeout_s)
                except Exception as error:
                    result.errors.append(f"{where}: step {step} failed: {error!r:.200}")
                    return
                shown = {k: v[-1] for k, v in parse_qs(session.query).items()}
                visitor.record(result, kind, began, wanted, shown, "server wrote")
                actions += 1
                heading = f"Output pixel x={shown.get('x')}, y={shown.get('y')}"
                if heading not in session.texts:
                    result.errors.append(f"{where}: no heading {heading!r} in the run")
                result.errors.extend(f"{where}: {p}" for p in session.problems)
    except Exception as error:
        result.errors.append(f"{where}: {error!r:.200}")
    finally:
        if not arrived:
            start.arrived()
        result.per_session_actions.append(actions)


async def _hold_overview(session, timeout_s: float) -> None:
    """Say, as the page's script does once it has the overview picture, that it holds it: the
    server then leaves the picture out of the next runs
    (pages/views/pixel_inspector/pixel_view.py)."""
    data = session.components.get(PICTURES) or {}
    overview = data.get("overview") or {}
    if overview.get("src") and overview.get("held") != overview.get("digest"):
        await session.run(session.component_state(PICTURES, held=overview["digest"]), timeout_s)


# ------------------------------------------------------------------------ the run


@dataclass
class Target:
    """What the visitors load: a base URL, the server processes behind it (one per replica,
    to sample), their own URLs (to count sessions on each) and the proxy's processes."""

    url: str
    server_pids: list[int] = field(default_factory=list)
    replica_urls: list[str] = field(default_factory=list)
    proxy_pids: list[int] = field(default_factory=list)


def _check(sessions: int, seconds: float, clients: str, think_s: float) -> None:
    most = MAX_SESSIONS if clients == "ws" else MAX_BROWSER_SESSIONS
    if clients not in ("ws", "browser"):
        raise ValueError(f"clients must be 'ws' or 'browser'; got {clients!r}")
    if not 1 <= sessions <= most:
        raise ValueError(f"sessions must be 1..{most} for {clients} clients; got {sessions}")
    if not 1 <= seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be 1..{MAX_SECONDS}; got {seconds}")
    if not 0 <= think_s <= MAX_THINK_S:
        raise ValueError(f"think must be 0..{MAX_THINK_S} seconds; got {think_s}")


async def run_load_async(target: Target | str, *, sessions: int = 20, seconds: float = 60,
                         clients: str = "ws", think_s: float = 0.0, timeout_s: float = 60,
                         chromium: str | None = None, profile_to: Path | None = None,
                         profile_gil: bool = False) -> LoadResult:
    """Drive `sessions` concurrent visitors against `target` (a Target or a base URL) for
    `seconds`, each pausing about `think_s` between actions (0: closed loop).

    `clients` is "ws" (protocol clients) or "browser" (Chromium pages); see the module text.
    `profile_to`: record the first server with py-spy during the loops into this file
    (collapsed stacks; `profile_gil`: only the thread holding the GIL, see
    harness.profile.start_recording).
    """
    target = target if isinstance(target, Target) else Target(target)
    base_url = check_loopback(target.url)
    _check(sessions, seconds, clients, think_s)
    if profile_to and not target.server_pids:
        raise ValueError("profiling needs the server's process id (--pid)")
    result = LoadResult(sessions=sessions, seconds=seconds, clients=clients, think_s=think_s,
                        replicas=max(1, len(target.server_pids)))
    if clients == "ws":
        await _drive(result, target, profile_to, lambda i, start: _ws_session(
            base_url, i, start, result, timeout_s, i * 0.1, think_s), profile_gil)
        return result

    from playwright.async_api import async_playwright

    executable = chromium or harness.chromium_executable()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, headless=True,
                                           args=harness.CHROMIUM_ARGS_MANY_PAGES,
                                           timeout=60_000)
        try:
            await _drive(result, target, profile_to, lambda i, start: _browser_session(
                browser, base_url, i, start, result, timeout_s, i * 0.25, think_s),
                profile_gil)
        finally:
            await browser.close()
    return result


async def _profile(target: Target, start: _Start, out: Path, seconds: float, gil: bool):
    """Start py-spy on the first server as the loops begin; returns its process."""
    await start.go.wait()
    return profile.start_recording(target.server_pids[0], seconds, out, gil=gil)


def _own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


async def _drive(result: LoadResult, target: Target, profile_to: Path | None,
                 session: Callable, profile_gil: bool = False) -> None:
    """Run `session(index, start)` for every visitor at once, sampling the servers meanwhile.

    Each visitor waits its own delay before loading its page, so visitors arrive over the
    first seconds, as they do, not in one instant. Exact samples are taken as the loops start
    and once the last visitor has finished, so CPU and RSS figures cover exactly the loops.
    """
    start = _Start(result.sessions, result.seconds)
    pids = [*target.server_pids, *target.proxy_pids]
    client_cpu: list[float] = []
    with contextlib.ExitStack() as stack:
        sampler = stack.enter_context(harness.Sampler(pids)) if pids else None

        async def mark_start() -> None:
            await start.go.wait()
            client_cpu.append(_own_cpu_s())
            if sampler:
                result.loop_start_s = sampler.sample().t
            result.sessions_per_replica = [
                n for n in await asyncio.gather(*(asyncio.to_thread(harness.active_sessions, u)
                                                  for u in target.replica_urls))
                if n is not None]

        marker = asyncio.create_task(mark_start())
        profiler = (asyncio.create_task(_profile(target, start, profile_to, result.seconds,
                                                 profile_gil))
                    if profile_to else None)
        try:
            await asyncio.gather(*(session(i, start) for i in range(result.sessions)))
        finally:
            if sampler:
                result.loop_end_s = sampler.sample().t
            await marker
            result.client_cpu_s = _own_cpu_s() - client_cpu[0] if client_cpu else float("nan")
        if sampler:
            stack.close()
            result.samples = sampler.samples
        if profiler:
            spy = await profiler
            output, _ = await asyncio.to_thread(spy.communicate, timeout=result.seconds + 60)
            if spy.returncode != 0:
                raise RuntimeError(f"py-spy failed: {output.decode(errors='replace')[-2000:]}")


def run_load(target: Target | str, **kwargs) -> LoadResult:
    """Synchronous wrapper of `run_load_async`."""
    return asyncio.run(run_load_async(target, **kwargs))


# ------------------------------------------------------------------------------ CLI


@contextlib.contextmanager
def serve(replicas: int = 1, log_dir: Path = RESULTS_DIR) -> Iterator[Target]:
    """Start `replicas` servers on free loopback ports (logs in `log_dir`), and for two or more
    nginx in front of them with deploy/nginx.conf; yield the Target to load."""
    if not 1 <= replicas <= MAX_REPLICAS:
        raise ValueError(f"replicas must be 1..{MAX_REPLICAS}; got {replicas}")
    # One secret for all replicas, as a deployment sets it: signed cookies stay valid anywhere.
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(16)}
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(harness.run_streamlit(
            "app.py", log_name=f"load-server-{i}", log_dir=log_dir, env=env))
            for i in range(replicas)]
        target = Target(servers[0].url, [s.proc.pid for s in servers], [s.url for s in servers])
        if replicas > 1:
            proxy = stack.enter_context(harness.run_nginx([s.port for s in servers],
                                                          log_dir=log_dir))
            target.url = proxy.url
            target.proxy_pids = [proxy.proc.pid, *harness.children(proxy.proc.pid)]
        yield target


def main(argv: list[str] | None = None) -> int:
    # Long on purpose: the options, each with its cap, then one run; read top to bottom.
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:3]))
    parser.add_argument("--sessions", type=int, default=20,
                        help=f"concurrent visitors (ws: at most {MAX_SESSIONS}, browser: "
                             f"{MAX_BROWSER_SESSIONS})")
    parser.add_argument("--seconds", type=float, default=60,
                        help=f"how long the loops run (at most {MAX_SECONDS})")
    parser.add_argument("--think", type=float, default=0.0, metavar="S",
                        help="mean pause between a visitor's actions, jittered 0.5-1.5 x "
                             "(default 0: closed loop)")
    parser.add_argument("--replicas", type=int, default=1,
                        help=f"servers to start (at most {MAX_REPLICAS}); 2 or more run "
                             "behind nginx with deploy/nginx.conf")
    parser.add_argument("--clients", choices=("ws", "browser"), default="ws",
                        help="WebSocket protocol clients (default) or Chromium pages")
    parser.add_argument("--url", help="a running server on this machine (default: start one)")
    parser.add_argument("--pid", type=int, action="append", default=[],
                        help="that server's process id, to sample its memory and CPU "
                             "(repeat for several replicas)")
    parser.add_argument("--profile", nargs="?", const="active", choices=("active", "gil"),
                        help="record the (first) server with py-spy during the loops: "
                             "bench/results/profile-<time>.svg and -top.txt; 'gil' samples "
                             "only the thread holding the GIL (Python's CPU)")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds one action may take before it counts as an error")
    parser.add_argument("--logs", type=Path, default=RESULTS_DIR,
                        help="folder for the servers' and nginx's logs (default: "
                             "bench/results/)")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the figures as a row of the capacity table in "
                             "docs/performance.md")
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "load.json",
                        help="where to write the figures (default: bench/results/load.json)")
    args = parser.parse_args(argv)
    try:
        _check(args.sessions, args.seconds, args.clients, args.think)
        if not 1 <= args.replicas <= MAX_REPLICAS:
            raise ValueError(f"replicas must be 1..{MAX_REPLICAS}; got {args.replicas}")
        if args.url:
            check_loopback(args.url)
            if args.replicas != 1:
                raise ValueError("--replicas starts its own servers; leave out --url")
    except ValueError as error:
        parser.error(str(error))
    profile_to = (RESULTS_DIR / f"profile-{time.strftime('%Y%m%d-%H%M%S')}.txt"
                  if args.profile else None)

    with contextlib.ExitStack() as stack:
        if args.url:
            target = Target(args.url, args.pid, [args.url])
        else:
            target = stack.enter_context(serve(args.replicas, args.logs))
        result = run_load(target, sessions=args.sessions, seconds=args.seconds,
                          clients=args.clients, think_s=args.think, timeout_s=args.timeout,
                          profile_to=profile_to, profile_gil=args.profile == "gil")
    print(result.text())
    if args.markdown:
        print()
        print(markdown_table(*rows(result.summary())))
    if profile_to:
        what = (f"{'GIL holder' if args.profile == 'gil' else 'active threads'} of the "
                f"server under {args.sessions} {args.clients} visitors, "
                f"{'think ' + str(args.think) + ' s' if args.think else 'closed loop'}, "
                f"{args.replicas} replica(s)")
        svg, top = profile.write_reports(profile_to, f"py-spy: {what}")
        print(f"profile: {svg}, {top} (collapsed stacks in {profile_to})")
        print("\n".join(top.read_text().splitlines()[:18]))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        **result.summary(), "latencies_s": result.latencies_s,
        "actions_kind": result.actions_kind, "per_session_actions": result.per_session_actions,
        "loop_start_s": result.loop_start_s,
        "loop_end_s": result.loop_end_s,
        "samples": [[s.t, list(s.rss_kib), list(s.cpu_s)] for s in result.samples]}, indent=1))
    print(f"figures written to {args.json}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
