"""Load test: many concurrent sessions pick kernels and pixels on the pixel inspector.

    python -m bench.load --sessions 20 --seconds 60                  # WebSocket clients
    python -m bench.load --clients browser --sessions 20 --seconds 60  # Chromium pages
    python -m bench.load --url http://127.0.0.1:8501 --pid 1234      # a running server

Every session opens the pixel inspector on a sample (a different one per session) and loops:
pick a kernel, type a pixel's x, type its y; each time it waits until the app has re-run and
checks that what came back is *its own* choice (the URL the server writes, and the "Output
pixel x=.., y=.." heading of the breakdown). Reported: actions, errors, latency percentiles
(action to run finished) and the server's resident memory (VmRSS from /proc/<pid>/status) and
CPU use.

Two kinds of client:
- ``ws`` (default): a Python client speaking Streamlit's own WebSocket protocol, as the
  browser does: a rerun message with the changed widget's value (a fragment rerun for the
  inspector's number inputs, as the browser sends), then the streamed page until the run has
  finished. Cheap on the client, so the figures are the server's.
- ``browser``: one headless Chromium, a browser context per session, driving the real
  widgets. On a two-core machine that also runs the server, twenty renderers cost far more
  CPU than the server does, so latency then mostly measures the browsers.

Only loopback URLs are accepted and sessions and duration are capped: this is a test of our own
server, not a tool to point at someone else's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from convkit import BANK

from .common import chromium_executable, e2e_helpers

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "bench" / "results"
MAX_SESSIONS = 50
MAX_SECONDS = 600
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

#: Kernels the sessions cycle through (small ones: the test is about the server, not big sums).
KERNELS = ("sharpen", "sobel_x", "sobel_y", "emboss", "laplacian", "box_5", "gaussian_5",
           "outline", "identity", "prewitt_x", "scharr_y", "unsharp_mask")
#: Samples and their (width, height), so typed pixels stay inside the image.
SAMPLES = {"camera": (512, 512), "coins": (384, 303), "moon": (512, 512), "text": (448, 172),
           "brick": (512, 512), "chelsea": (451, 300), "coffee": (600, 400),
           "astronaut": (512, 512)}
CRASH_TEXT = "Something went wrong on this page"
CHROMIUM_ARGS = [*e2e_helpers().CHROMIUM_ARGS,
                 # Twenty pages share two cores: background tabs must not be throttled.
                 "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                 "--disable-backgrounding-occluded-windows"]

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
# run, so the run has started) and the app is idle again.
IDLE_AFTER_JS = """
([before, wanted]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  const query = new URLSearchParams(window.location.search);
  if (wanted === null ? window.__ckRuns <= before
      : Object.entries(wanted).some(([k, v]) => query.get(k) !== v)) return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const busy = ['[data-testid="stStatusWidgetRunningIcon"]', '[data-testid="stSpinner"]',
                '[data-testid="stSkeleton"]'];
  return !busy.some((s) => [...document.querySelectorAll(s)].some(
      (e) => e.getClientRects().length > 0));
}
"""



@dataclass
class LoadResult:
    """What a load run measured."""

    sessions: int
    seconds: float
    clients: str = "ws"
    actions: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)
    actions_kind: list[str] = field(default_factory=list)  # "kernel" or "pixel", per latency
    page_load_s: list[float] = field(default_factory=list)
    rss_kib: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, KiB)
    per_session_actions: list[int] = field(default_factory=list)
    loop_start_s: float = 0.0  # when the timed loops began, in seconds since the start
    server_cpu_s: list[tuple[float, float]] = field(default_factory=list)  # (t, CPU seconds)

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

    @property
    def server_cores_busy(self) -> float:
        """Server CPU time over wall time during the loops (1.0 = one core fully busy)."""
        during = [(t, c) for t, c in self.server_cpu_s if t >= self.loop_start_s]
        if len(during) < 2 or during[-1][0] <= during[0][0]:
            return float("nan")
        return (during[-1][1] - during[0][1]) / (during[-1][0] - during[0][0])

    @property
    def rss_mib(self) -> dict[str, float]:
        """Server memory: before any session, a quarter into the loops (warm), peak, at the end."""
        if not self.rss_kib:
            return {}
        values = [kib / 1024 for _, kib in self.rss_kib]
        warm_from = self.loop_start_s + self.seconds / 4
        warm = [kib / 1024 for t, kib in self.rss_kib if t >= warm_from] or values[-1:]
        return {"start": values[0], "warm": warm[0], "peak": max(values), "end": values[-1]}

    def summary(self) -> dict:
        """The figures worth reporting, JSON-ready."""
        return {
            "clients": self.clients, "sessions": self.sessions, "seconds": self.seconds,
            "actions": self.actions,
            "actions_per_s": round(self.actions / self.seconds, 2) if self.seconds else 0,
            "errors": len(self.errors), "first_errors": self.errors[:10],
            "latency_s": {"p50": round(self.percentile(50), 3),
                          "p95": round(self.percentile(95), 3),
                          "max": round(max(self.latencies_s, default=float("nan")), 3)},
            "p95_by_action_s": {kind: round(self.percentile(95, kind), 3)
                                for kind in ("kernel", "pixel")},
            "page_load_s_max": round(max(self.page_load_s, default=float("nan")), 2),
            "min_actions_per_session": min(self.per_session_actions, default=0),
            "server_rss_mib": {k: round(v, 1) for k, v in self.rss_mib.items()},
            "server_cores_busy": round(self.server_cores_busy, 2),
            "load_average_1min": round(os.getloadavg()[0], 1),
        }

    def text(self) -> str:
        s = self.summary()
        rss = s["server_rss_mib"]
        lines = [
            f"{s['sessions']} {s['clients']} sessions for {s['seconds']:.0f} s: "
            f"{s['actions']} actions "
            f"({s['actions_per_s']}/s), {s['errors']} errors",
            f"latency (action -> app idle): p50 {s['latency_s']['p50']:.3f} s, "
            f"p95 {s['latency_s']['p95']:.3f} s, max {s['latency_s']['max']:.3f} s; p95 of "
            f"kernel picks (full run) {s['p95_by_action_s']['kernel']:.3f} s, of pixel changes "
            f"(fragment run) {s['p95_by_action_s']['pixel']:.3f} s",
            f"slowest first page load {s['page_load_s_max']} s; fewest actions in one session "
            f"{s['min_actions_per_session']}",
        ]
        if rss:
            lines.append(f"server RSS: start {rss['start']} MiB, warm {rss['warm']} MiB, "
                         f"peak {rss['peak']} MiB, end {rss['end']} MiB; server used "
                         f"{s['server_cores_busy']} cores (machine load average "
                         f"{s['load_average_1min']})")
        lines += [f"error: {e}" for e in s["first_errors"]]
        return "\n".join(lines)


def rss_kib(pid: int) -> int | None:
    """Resident memory of process `pid` in KiB (Linux /proc), None if it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmRSS:\s+(\d+)\s+kB", status, re.MULTILINE)
    return int(found.group(1)) if found else None


def check_loopback(url: str) -> str:
    host = urlparse(url).hostname
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"the load test only runs against this machine; got host {host!r}")
    return url.rstrip("/")


def _url_int(url: str, key: str) -> int | None:
    values = parse_qs(urlparse(url).query).get(key)
    return int(values[-1]) if values and values[-1].isdigit() else None


async def _wait_for_run(page, before: int, wanted: dict[str, str] | None,
                        timeout_s: float) -> None:
    await page.wait_for_function(IDLE_AFTER_JS, arg=[before, wanted],
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


async def _pick_kernel(page, name: str) -> None:
    box = page.locator(".st-key-kernel_name input")
    await box.click()
    await page.keyboard.type(name)
    option = page.locator('[role="option"]').filter(has_text=re.compile(rf"^{name} \("))
    await option.first.click()


async def _type_number(page, key: str, value: int) -> None:
    field_ = page.locator(f".st-key-{key} input")
    await field_.fill(str(value))
    await field_.press("Enter")


class _Start:
    """All sessions load their page first; the timed loops start together once all have."""

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
    """One simulated visitor's sample and the changes it makes, alike for both kinds of client."""

    def __init__(self, index: int):
        self.rng = random.Random(index)
        self.sample = list(SAMPLES)[index % len(SAMPLES)]
        self.width, self.height = SAMPLES[self.sample]
        self.kernel = KERNELS[index % len(KERNELS)]
        self.where = f"session {index} ({self.sample})"
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

    def record(self, result: LoadResult, kind: int, began: float, wanted: dict[str, str],
               shown: dict[str, str], seen_in: str) -> None:
        """Count one finished action and check the server wrote this visitor's own choice."""
        result.latencies_s.append(time.monotonic() - began)
        result.actions_kind.append("kernel" if kind == 0 else "pixel")
        result.actions += 1
        if any(shown.get(k) != v for k, v in wanted.items()) or shown.get(
                "image") != self.sample:
            result.errors.append(f"{self.where}: wanted {wanted}, {seen_in} {shown}")


async def _session(browser, base_url: str, index: int, start: _Start, result: LoadResult,
                   timeout_s: float, start_delay_s: float) -> None:
    """One visitor: open the inspector, then pick kernels and pixels until the deadline."""
    visitor = _Visitor(index)
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
        while time.monotonic() < start.deadline:
            kind, wanted = visitor.next_change(step)
            step += 1
            before = await page.evaluate("window.__ckRuns")
            began = time.monotonic()
            try:
                # Each action changes something, so the app must re-run and show it.
                if kind == 0:
                    await _pick_kernel(page, visitor.kernel)
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


class _ProtocolSession:
    """One Streamlit session over the WebSocket, as the browser's client would hold it."""

    def __init__(self, socket, page: str, query: str):
        self.socket, self.page, self.query = socket, page, query
        self.widgets: dict[str, tuple[str, str]] = {}  # key -> (widget id, fragment id)
        self.texts: list[str] = []
        self.problems: list[str] = []

    async def run(self, widget: tuple[str, str, object] | None, timeout_s: float) -> None:
        """Rerun (with one widget's new value) and read the page until the run has finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        if widget is not None:
            key, field_name, value = widget
            widget_id, fragment_id = self.widgets[key]
            entry = state.widget_states.widgets.add()
            entry.id = widget_id
            setattr(entry, field_name, value)
            if fragment_id:
                state.fragment_id = fragment_id  # the browser reruns only the fragment
        self.texts, self.problems = [], []
        await self.socket.send(message.SerializeToString())
        await asyncio.wait_for(self._read_until_finished(), timeout_s)

    async def _read_until_finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        done = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.socket.recv())
            kind = message.WhichOneof("type")
            if kind == "page_info_changed":
                self.query = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                self._read_element(message.delta.new_element, message.delta.fragment_id)
            elif kind == "script_finished":
                status = message.script_finished
                if status in done:
                    return
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.problems.append("script compile error")
                    return
                # FINISHED_EARLY_FOR_RERUN: the script asked for another run; keep reading.

    def _read_element(self, element, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        inner = getattr(element, kind) if kind else None
        widget_id = getattr(inner, "id", "")
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            self.widgets[widget_id.rsplit("-", 1)[-1]] = (widget_id, fragment_id)
        if kind == "heading":
            self.texts.append(element.heading.body)
        elif kind == "exception":
            self.problems.append(f"exception: {element.exception.message[:120]}")
        elif kind == "alert" and element.alert.format == 1:  # ERROR
            self.problems.append(f"st.error: {element.alert.body[:120]}")


async def _ws_session(base_url: str, index: int, start: _Start, result: LoadResult,
                      timeout_s: float, start_delay_s: float) -> None:
    """One visitor over the WebSocket: open the inspector, then pick kernels and pixels."""
    from websockets.asyncio.client import connect

    visitor = _Visitor(index)
    sample, where = visitor.sample, visitor.where
    await asyncio.sleep(start_delay_s)
    actions, arrived = 0, False
    ws_url = "ws" + base_url[len("http"):] + "/_stcore/stream"
    try:
        async with connect(ws_url, subprotocols=["streamlit"], origin=base_url,
                           max_size=None, open_timeout=timeout_s) as socket:
            session = _ProtocolSession(socket, "pixel_inspector",
                                       f"image={sample}&kernel={visitor.kernel}")
            started = time.monotonic()
            await session.run(None, timeout_s)
            result.page_load_s.append(time.monotonic() - started)
            missing = {"kernel_name", "inspector_x", "inspector_y"} - set(session.widgets)
            if missing or session.problems:
                raise RuntimeError(f"page incomplete: {sorted(missing)} {session.problems}")
            arrived = True
            start.arrived()
            await start.go.wait()
            step = 0
            visitor.x = _url_int("?" + session.query, "x")
            visitor.y = _url_int("?" + session.query, "y")
            while time.monotonic() < start.deadline:
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


# ------------------------------------------------------------------------ server figures


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time process `pid` has used so far, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _sample_server(pid: int, started: float, result: LoadResult,
                         stop: asyncio.Event) -> None:
    while not stop.is_set():
        value, cpu = rss_kib(pid), cpu_seconds(pid)
        now = time.monotonic() - started
        if value is not None:
            result.rss_kib.append((now, value))
        if cpu is not None:
            result.server_cpu_s.append((now, cpu))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


async def run_load_async(base_url: str, *, sessions: int = 20, seconds: float = 60,
                         clients: str = "ws", server_pid: int | None = None,
                         timeout_s: float = 60, chromium: str | None = None) -> LoadResult:
    """Drive `sessions` concurrent sessions against `base_url` for `seconds`.

    `clients` is "ws" (protocol clients) or "browser" (Chromium pages); see the module text.
    """
    base_url = check_loopback(base_url)
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"sessions must be 1..{MAX_SESSIONS}; got {sessions}")
    if not 1 <= seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be 1..{MAX_SECONDS}; got {seconds}")
    if clients not in ("ws", "browser"):
        raise ValueError(f"clients must be 'ws' or 'browser'; got {clients!r}")
    result = LoadResult(sessions=sessions, seconds=seconds, clients=clients)
    if clients == "ws":
        await _drive(result, server_pid, lambda i, start: _ws_session(
            base_url, i, start, result, timeout_s, i * 0.1))
        return result

    from playwright.async_api import async_playwright

    executable = chromium or chromium_executable()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, headless=True,
                                           args=CHROMIUM_ARGS, timeout=60_000)
        try:
            await _drive(result, server_pid, lambda i, start: _session(
                browser, base_url, i, start, result, timeout_s, i * 0.25))
        finally:
            await browser.close()
    return result


async def _drive(result: LoadResult, server_pid: int | None, session) -> None:
    """Run `session(index, start)` for every session at once, sampling the server meanwhile.

    Each session waits its own delay before loading its page, so visitors arrive over the
    first few seconds, as they do, not in one instant.
    """
    stop = asyncio.Event()
    started = time.monotonic()
    sampler = (asyncio.create_task(_sample_server(server_pid, started, result, stop))
               if server_pid else None)
    start = _Start(result.sessions, result.seconds)
    try:
        await asyncio.gather(*(session(i, start) for i in range(result.sessions)))
    finally:
        result.loop_start_s = max(0.0, start.deadline - result.seconds - started)
        stop.set()
        if sampler:
            await sampler


def run_load(base_url: str, **kwargs) -> LoadResult:
    """Synchronous wrapper of `run_load_async`."""
    return asyncio.run(run_load_async(base_url, **kwargs))


# ------------------------------------------------------------------------------ CLI


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(timeout_s: float = 60) -> Iterator[tuple[str, int]]:
    """Start `streamlit run app.py` on a free loopback port; yield (url, pid)."""
    port = _free_port()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    log = open(RESULTS_DIR / "load-server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited; see {log.name}")
            with contextlib.suppress(OSError), urllib.request.urlopen(
                    f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not become healthy; see {log.name}")
            time.sleep(0.25)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions")
    parser.add_argument("--seconds", type=float, default=60, help="how long the loops run")
    parser.add_argument("--clients", choices=("ws", "browser"), default="ws",
                        help="WebSocket protocol clients (default) or Chromium pages")
    parser.add_argument("--url", help="a running server on this machine (default: start one)")
    parser.add_argument("--pid", type=int, help="that server's process id, to sample its memory")
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "load.json",
                        help="where to write the figures (default: bench/results/load.json)")
    args = parser.parse_args(argv)

    with contextlib.ExitStack() as stack:
        if args.url:
            url, pid = args.url, args.pid
        else:
            url, pid = stack.enter_context(serve())
        result = run_load(url, sessions=args.sessions, seconds=args.seconds,
                          clients=args.clients, server_pid=pid)
    print(result.text())
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**result.summary(), "latencies_s": result.latencies_s,
                                     "rss_kib": result.rss_kib}, indent=1))
    print(f"figures written to {args.json}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
