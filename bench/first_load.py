"""A class's first load: Lighthouse on Home and the inspector, and thirty cold loads at once.

    python -m bench.first_load                      # everything below, about 3 minutes
    python -m bench.first_load --skip-lighthouse    # only the asset list and the 30 loads
    python -m bench.first_load --visitors 30 --runs 3
    python -m bench.first_load --runs 3 --protocols http2 --pages Home --presets mobile
    python -m bench.first_load --real-browser --runs 4 [--throttle link|link-window]

One app server on loopback behind nginx with the project's own deploy/nginx.conf (only the
upstream, the listen ports, the certificate's folder and the log and temporary paths
rewritten), as harness.run_nginx runs it for the tests: plain HTTP/1.1 on one port, HTTPS with
HTTP/2 on the other (a self-signed certificate made for the run).

1. Assets: one real Chromium load of each page through nginx, listing every HTTP request it
   makes (script, stylesheet, font, picture, the page itself; the WebSocket is not HTTP) with
   the bytes that crossed the wire (compressed or not) and the bytes decoded. Printed per
   page: the JavaScript files and their sizes, so a chunk that should not be there (the code
   highlighter, Plotly) shows up.
2. Lighthouse 12.8 (npm ``lighthouse``, pinned in package.json; Debian's Chromium), the mobile
   preset (slow 4G, 4x CPU slowdown, simulated) and the desktop preset, on Home and the pixel
   inspector, over HTTP/1.1 and over HTTP/2 (what a browser gets from a TLS proxy, the
   Kubernetes Ingress's included): performance score, first and largest contentful paint,
   total transfer. The runs are interleaved (for each run: every page, preset and protocol in
   turn), so a busy spell of a shared machine falls on all of them alike; the median run and
   the spread of the scores are printed.
3. Cold loads: `--visitors` HTTP clients at once (threads, six connections each, as a browser
   opens per host) each fetch every asset of Home's Chromium load, with and without
   ``Accept-Encoding: gzip``. Printed: bytes per visitor, wall time for all of them, and the
   time the same bytes need on a shared classroom link (computed, LINK_MBIT), the loopback
   time being no network at all. The Chromium page stays open meanwhile, so the pictures its
   session was given (/media/...) are still served.

With --real-browser, only this instead: Home's paints in real Chromium (a fresh one for every
load: no cache, connection or TLS session) as a phone on slow 4G, 390 px wide, CPU slowed
down 4x (DevTools), over HTTP/1.1 and HTTP/2 in turn, --runs loads each. Printed: first paint,
first contentful paint, largest contentful paint, the frame Home's grid of numbers is in the
page, and when the last render-blocking file (Chromium's own list) had arrived; the JSON
adds each load's render-blocking files with the priority Chromium asked them at. The network
(--throttle): DevTools' emulation (150 ms, 1.6 Mbit/s, the bandwidth shared equally among the
answers in flight), or bench.slow_link's relay of the same figures in front of nginx (the
connections take turns on the link, each one's bytes in the order nginx wrote them), with
`link-window` holding at most LINK_WINDOW bytes of a connection (the rest waits in nginx).

Streamlit's own bundle (the JavaScript and CSS every page needs, whatever the app shows) is the
floor: printed apart from what the page adds above it. Figures go to
bench/results/first_load-<time>.json. Loopback only; visitors are capped (MAX_VISITORS).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import harness
from bench import common
from bench.common import format_table, log, markdown_table
from bench.slow_link import slow_link

#: Pages measured, by URL path: Home and the heaviest first screen (the pixel inspector).
PAGES = {"Home": "/", "Pixel inspector": "/pixel_inspector"}
LIGHTHOUSE = common.REPO_ROOT / "node_modules" / ".bin" / "lighthouse"
PRESETS = ("mobile", "desktop")
#: How a browser reaches nginx: plain HTTP (HTTP/1.1, six connections per host) or HTTPS with
#: HTTP/2 (one connection, every request at once).
PROTOCOLS = ("http1", "http2")
PROTOCOL_NAMES = {"http1": "HTTP/1.1", "http2": "HTTP/2"}
MAX_VISITORS = 60
#: Connections a browser opens to one host over HTTP/1.1.
CONNECTIONS_PER_VISITOR = 6
#: A shared classroom link (Mbit/s), for the computed transfer time of a whole class.
LINK_MBIT = 50
#: Lighthouse's own targets for this project (issue: a light first load).
TARGETS = {"mobile": {"performance": 60, "transfer_mb": 1.6}, "desktop": {"performance": 90}}
LIGHTHOUSE_TIMEOUT_S = 240


@dataclass(frozen=True)
class Asset:
    """One HTTP response of a browser load: path, kind, bytes on the wire and decoded."""

    path: str
    kind: str
    encoding: str
    wire_bytes: int
    decoded_bytes: int


def is_streamlit_bundle(path: str) -> bool:
    """Streamlit's own static files (hashed JavaScript, CSS, fonts) rather than the app's."""
    return path.startswith("/static/")


# --------------------------------------------------------------------------- one browser load


@contextlib.contextmanager
def open_page(url: str, *, viewport: dict | None = None) -> Iterator[tuple[object, list[Asset]]]:
    """Chromium on `url` until the app is idle; yields (page, the HTTP responses it got).

    Playwright's own Chromium driver; the assets list keeps growing while the page is open
    (a picture fetched late, a chunk loaded on a click)."""
    from playwright.sync_api import sync_playwright

    assets: list[Asset] = []
    origin = urlparse(url)

    def record(response) -> None:
        parsed = urlparse(response.url)
        if (parsed.scheme, parsed.netloc) != (origin.scheme, origin.netloc):
            return
        sizes = response.request.sizes()
        try:
            decoded = len(response.body())
        except Exception:  # noqa: BLE001 - redirects and aborted loads have no body
            decoded = 0
        assets.append(Asset(
            path=parsed.path + (f"?{parsed.query}" if parsed.query else ""),
            kind=response.request.resource_type,
            encoding=response.headers.get("content-encoding", ""),
            wire_bytes=sizes["responseBodySize"] + sizes["responseHeadersSize"],
            decoded_bytes=decoded))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=harness.chromium_executable(),
                                             args=harness.CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=viewport or harness.VIEWPORT)
            page = context.new_page()
            page.on("response", record)
            page.goto(url)
            harness.wait_for_app_idle(page, settle_ms=1000)
            yield page, assets
        finally:
            browser.close()


def javascript_rows(assets: Sequence[Asset]) -> list[list[object]]:
    """[file, KiB decoded, KiB on the wire] of the JavaScript a load fetched, largest first."""
    scripts = sorted((a for a in assets if a.kind == "script"),
                     key=lambda a: a.decoded_bytes, reverse=True)
    return [[a.path.rsplit("/", 1)[-1], kib(a.decoded_bytes), kib(a.wire_bytes)]
            for a in scripts]


def kib(count: float) -> str:
    return f"{count / 1024:,.0f}"


def megabytes(count: float) -> str:
    return f"{count / 1e6:.2f}"


def assets_summary(assets: Sequence[Asset]) -> dict:
    """Bytes on the wire and decoded: all, by kind, and Streamlit's bundle apart."""
    kinds: dict[str, dict[str, int]] = {}
    for asset in assets:
        entry = kinds.setdefault(asset.kind, {"files": 0, "wire": 0, "decoded": 0})
        entry["files"] += 1
        entry["wire"] += asset.wire_bytes
        entry["decoded"] += asset.decoded_bytes
    bundle = [a for a in assets if is_streamlit_bundle(a.path)]
    return {"files": len(assets), "wire": sum(a.wire_bytes for a in assets),
            "decoded": sum(a.decoded_bytes for a in assets), "by_kind": kinds,
            "bundle_wire": sum(a.wire_bytes for a in bundle),
            "bundle_decoded": sum(a.decoded_bytes for a in bundle)}


def kind_rows(summary: dict) -> list[list[object]]:
    """[kind, files, KiB on the wire, KiB decoded], then Streamlit's bundle and the total."""
    rows = [[kind, entry["files"], kib(entry["wire"]), kib(entry["decoded"])]
            for kind, entry in sorted(summary["by_kind"].items(),
                                      key=lambda item: -item[1]["wire"])]
    rows.append(["of which Streamlit's bundle (/static/)", "", kib(summary["bundle_wire"]),
                 kib(summary["bundle_decoded"])])
    rows.append(["total", summary["files"], kib(summary["wire"]), kib(summary["decoded"])])
    return rows


# --------------------------------------------------------------------------- Lighthouse


def run_lighthouse(url: str, preset: str, report_path: Path) -> dict:
    """Lighthouse's performance audit of `url` with the `preset` ("mobile" or "desktop"):
    score, paints (s), blocking time (ms), layout shift, total transfer (bytes), the protocol
    the page's files came over, the largest requests; its whole report in `report_path`.
    RuntimeError if Lighthouse fails.

    An https `url` is the run's own nginx with its self-signed certificate, which Chromium is
    told to accept (`--ignore-certificate-errors`); loopback only."""
    if not LIGHTHOUSE.is_file():
        raise RuntimeError(f"{LIGHTHOUSE} not found: run `make node-packages`")
    harness.check_loopback(url)
    chrome_flags = ["--headless=new", *harness.CHROMIUM_ARGS]
    if url.startswith("https:"):
        chrome_flags.append("--ignore-certificate-errors")
    flags = " ".join(chrome_flags)
    command = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={report_path}",
               "--only-categories=performance", "--quiet", f"--chrome-flags={flags}"]
    if preset == "desktop":
        command.append("--preset=desktop")
    done = subprocess.run(command, capture_output=True, text=True, timeout=LIGHTHOUSE_TIMEOUT_S,
                          env={**os.environ, "CHROME_PATH": harness.chromium_executable()},
                          cwd=report_path.parent)
    if done.returncode != 0 or not report_path.is_file():
        raise RuntimeError(f"lighthouse failed ({done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(report_path.read_text())
    audits = report["audits"]
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse: {report['runtimeError']}")
    heaviest = audits["total-byte-weight"].get("details", {}).get("items", [])[:5]
    requests = audits["network-requests"].get("details", {}).get("items", [])
    return {
        "protocols": sorted({r.get("protocol", "") for r in requests
                             if r.get("url", "").startswith(("http:", "https:"))}),
        "preset": preset,
        "performance": round(100 * (report["categories"]["performance"]["score"] or 0)),
        "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "speed_index_s": audits["speed-index"]["numericValue"] / 1000,
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "transfer_bytes": audits["total-byte-weight"]["numericValue"],
        "heaviest": [[item["url"].rsplit("/", 1)[-1], item["totalBytes"]] for item in heaviest],
    }


def median_run(runs: Sequence[dict]) -> dict:
    """The run with the median performance score (the upper one of an even count), with the
    spread of all the runs' scores and paints beside its own figures."""
    if not runs:
        raise ValueError("median_run needs at least one run")
    ordered = sorted(runs, key=lambda run: run["performance"])
    scores = [run["performance"] for run in ordered]
    return {**ordered[len(ordered) // 2], "runs": len(ordered), "scores": scores,
            "fcp_range_s": [min(r["fcp_s"] for r in runs), max(r["fcp_s"] for r in runs)],
            "lcp_range_s": [min(r["lcp_s"] for r in runs), max(r["lcp_s"] for r in runs)],
            "tbt_range_ms": [min(r["tbt_ms"] for r in runs), max(r["tbt_ms"] for r in runs)]}


def lighthouse_rows(results: Sequence[dict]) -> list[list[object]]:
    rows = []
    for result in results:
        target = TARGETS[result["preset"]]
        met = result["performance"] >= target["performance"] and (
            "transfer_mb" not in target or result["transfer_bytes"] / 1e6 <= target[
                "transfer_mb"])
        scores = result.get("scores", [result["performance"]])
        rows.append([result["page"], result["preset"],
                     PROTOCOL_NAMES.get(result.get("protocol", "http1"), "?"),
                     result["performance"], ", ".join(map(str, scores)),
                     f"{result['fcp_s']:.1f} s", f"{result['lcp_s']:.1f} s",
                     f"{result['speed_index_s']:.1f} s", f"{result['tbt_ms']:,.0f} ms",
                     f"{result['cls']:.2f}", f"{megabytes(result['transfer_bytes'])} MB",
                     "yes" if met else "no"])
    return rows


LIGHTHOUSE_HEADERS = ["page", "preset", "protocol", "performance", "scores of the runs",
                      "first contentful paint",
                      "largest contentful paint", "speed index", "total blocking time",
                      "layout shift", "transfer",
                      "target met"]


# --------------------------------------------------------------------------- a class at once


def fetch_all(base_url: str, paths: Sequence[str], accept_encoding: str) -> tuple[int, int]:
    """One visitor: every path over CONNECTIONS_PER_VISITOR kept-alive connections, as a
    browser does: (bytes received, bodies as sent plus headers; requests that failed)."""
    parsed = urlparse(base_url)
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for path in paths:
        todo.put(path)
    received = [0]
    failed = [0]
    lock = threading.Lock()

    def connection_worker() -> None:
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        try:
            while True:
                try:
                    path = todo.get_nowait()
                except queue.Empty:
                    return
                # No cookie: a first visit, as a class's is.
                connection.request("GET", path, headers={"Accept-Encoding": accept_encoding})
                response = connection.getresponse()
                body = response.read()
                header_bytes = sum(len(k) + len(v) + 4 for k, v in response.getheaders())
                with lock:
                    received[0] += len(body) + header_bytes
                    failed[0] += response.status != 200
        finally:
            connection.close()

    workers = [threading.Thread(target=connection_worker)
               for _ in range(min(CONNECTIONS_PER_VISITOR, len(paths)))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return received[0], failed[0]


def cpu_of(pids: Sequence[int]) -> float:
    """CPU seconds the processes `pids` have used so far (those still running)."""
    return sum(harness.cpu_seconds(pid) or 0.0 for pid in pids)


def class_load(base_url: str, paths: Sequence[str], visitors: int, accept_encoding: str,
               proxy_pids: Sequence[int] = ()) -> dict:
    """`visitors` cold loads at once: bytes per visitor, wall time for all, failures, and the
    CPU seconds nginx (`proxy_pids`) spent on them (compressing is most of it)."""
    results: list[tuple[int, int]] = [(0, 0)] * visitors
    start = threading.Barrier(visitors + 1)

    def visitor(index: int) -> None:
        start.wait()
        results[index] = fetch_all(base_url, paths, accept_encoding)

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(visitors)]
    for thread in threads:
        thread.start()
    proxy_cpu_before = cpu_of(proxy_pids)
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall_s = time.perf_counter() - began
    proxy_cpu_s = cpu_of(proxy_pids) - proxy_cpu_before
    per_visitor = [received for received, _ in results]
    total = sum(per_visitor)
    return {"accept_encoding": accept_encoding, "visitors": visitors, "requests": len(paths),
            "bytes_per_visitor": total / visitors, "bytes_total": total, "wall_s": wall_s,
            "failed": sum(failed for _, failed in results), "proxy_cpu_s": proxy_cpu_s,
            "link_s": total * 8 / (LINK_MBIT * 1e6)}


def class_rows(results: Sequence[dict]) -> list[list[object]]:
    return [["gzip" if r["accept_encoding"] == "gzip" else "none", r["visitors"], r["requests"],
             f"{megabytes(r['bytes_per_visitor'])} MB", f"{megabytes(r['bytes_total'])} MB",
             f"{r['wall_s']:.1f} s", f"{r['proxy_cpu_s']:.1f} s", f"{r['link_s']:.0f} s",
             r["failed"]] for r in results]


CLASS_HEADERS = ["compression", "visitors", "requests each", "per visitor", "all visitors",
                 "time for all (loopback)", "nginx CPU", f"bytes on a {LINK_MBIT} Mbit/s link",
                 "failed"]


# --------------------------------------------------------------------------- a throttled phone


#: A phone on slow 4G, as Lighthouse's mobile preset describes it, applied for real by Chromium
#: (DevTools network emulation: every response held back by the latency, the bandwidth shared
#: among the responses in flight) instead of simulated afterwards from a fast trace.
PHONE_NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 204_800,
                 "uploadThroughput": 750_000 / 8}
PHONE_CPU_SLOWDOWN = 4
PHONE_VIEWPORT = {"width": 390, "height": 844}
#: Home has drawn its first worked-out pixel: the grids of numbers (st.html's table).
HOME_GRID = ".st-key-home_numbers table"
REAL_BROWSER_TIMEOUT_MS = 120_000
#: A send buffer kept to about what a slow-4G link holds in flight (bandwidth x round trip).
LINK_WINDOW = 32 * 1024
THROTTLES = {"devtools": "Chromium's DevTools emulation",
             "link": "one shaped link the server's bytes cross in its order",
             "link-window": f"the shaped link, at most {LINK_WINDOW // 1024} KiB of a "
                            "connection waiting"}
#: Recorded in the page from its first byte: the last largest-contentful-paint candidate, and
#: the frame after Home's grid of numbers first is in the page (st.html may draw it in a
#: shadow root, so those are searched too).
PAINT_PROBE = """
window.ckPaint = {lcp: null, grid: null};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.ckPaint.lcp = entry.startTime;
}).observe({type: "largest-contentful-paint", buffered: true});
const ckHasGrid = (root) => root.querySelector(SELECTOR) !== null
  || [...root.querySelectorAll("*")].some((e) => e.shadowRoot && ckHasGrid(e.shadowRoot));
const ckGridWatch = new MutationObserver(() => {
  if (window.ckPaint.grid === null && document.querySelector(".st-key-home_numbers")
      && ckHasGrid(document)) {
    ckGridWatch.disconnect();
    requestAnimationFrame(() => { window.ckPaint.grid = performance.now(); });
  }
});
ckGridWatch.observe(document, {childList: true, subtree: true});
""".replace("SELECTOR", json.dumps(HOME_GRID))
#: What the page measured: paints, the protocol, and every file that held the first paint back
#: (Chromium's renderBlockingStatus) with when it was asked for and when it had arrived.
PAINT_REPORT = """() => ({
  paints: Object.fromEntries(performance.getEntriesByType("paint")
    .map((entry) => [entry.name, entry.startTime])),
  lcp: window.ckPaint.lcp, grid: window.ckPaint.grid,
  protocol: performance.getEntriesByType("navigation")[0].nextHopProtocol,
  html_end: performance.getEntriesByType("navigation")[0].responseEnd,
  requests_before_paint: performance.getEntriesByType("resource").filter((entry) =>
    entry.startTime < (performance.getEntriesByName("first-contentful-paint")[0] || {startTime: 0})
      .startTime).length,
  blocking: performance.getEntriesByType("resource")
    .filter((entry) => entry.renderBlockingStatus === "blocking")
    .map((entry) => ({url: entry.name, start: entry.startTime, end: entry.responseEnd,
                      bytes: entry.transferSize})),
})"""


def phone_load(url: str, *, devtools_network: bool = True) -> dict:
    """One cold load of `url` by a throttled phone in a fresh Chromium (no cache, no open
    connection, no TLS session): the paints in milliseconds from navigation, the protocol, the
    render-blocking files and the priority Chromium gave each request (DevTools events).

    The network is DevTools' emulation of PHONE_NETWORK, or, without `devtools_network`, what
    `url` itself goes through (a bench.slow_link relay); the CPU is slowed down either way."""
    from playwright.sync_api import sync_playwright

    priorities: dict[str, str] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=harness.chromium_executable(),
            # The bench's HTTPS port has a throwaway self-signed certificate.
            args=[*harness.CHROMIUM_ARGS, "--ignore-certificate-errors"])
        try:
            context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True,
                                          has_touch=True, ignore_https_errors=True)
            page = context.new_page()
            devtools = context.new_cdp_session(page)
            devtools.on("Network.requestWillBeSent", lambda event: priorities.setdefault(
                event["request"]["url"], event["request"].get("initialPriority", "")))
            devtools.send("Network.enable")
            devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
            if devtools_network:
                devtools.send("Network.emulateNetworkConditions", PHONE_NETWORK)
            devtools.send("Emulation.setCPUThrottlingRate", {"rate": PHONE_CPU_SLOWDOWN})
            page.add_init_script(PAINT_PROBE)
            page.goto(url, timeout=REAL_BROWSER_TIMEOUT_MS)
            page.wait_for_function("window.ckPaint && window.ckPaint.grid !== null",
                                   timeout=REAL_BROWSER_TIMEOUT_MS, polling=250)
            report = page.evaluate(PAINT_REPORT)
        finally:
            browser.close()
    for entry in report["blocking"]:
        entry["priority"] = priorities.get(entry["url"], "")
        entry["url"] = urlparse(entry["url"]).path
    return {"fp_ms": report["paints"].get("first-paint"),
            "fcp_ms": report["paints"].get("first-contentful-paint"),
            "lcp_ms": report["lcp"], "grid_ms": report["grid"], "protocol": report["protocol"],
            "html_end_ms": report["html_end"],
            "requests_before_fcp": report["requests_before_paint"],
            "blocking": report["blocking"]}


def seconds_spread(values: Sequence[float | None]) -> str:
    """'median (lowest-highest) s' of millisecond figures, or 'n/a' if one is missing."""
    if not values:
        raise ValueError("seconds_spread needs at least one figure")
    if any(value is None for value in values):
        return "n/a"
    in_seconds = sorted(value / 1000 for value in values)
    return (f"{statistics.median(in_seconds):.1f} s "
            f"({in_seconds[0]:.1f}-{in_seconds[-1]:.1f})")


def phone_rows(runs: dict[str, list[dict]]) -> list[list[object]]:
    """One row per protocol: runs, the protocol Chromium used, then the median and range of
    first paint, first contentful paint, largest contentful paint, Home's grid, and the time
    the last render-blocking file had arrived."""
    rows = []
    for protocol, loads in runs.items():
        if not loads:
            continue
        last_blocking = [max((entry["end"] for entry in load["blocking"]), default=0.0)
                         for load in loads]
        rows.append([PROTOCOL_NAMES[protocol], len(loads),
                     ", ".join(sorted({load["protocol"] for load in loads})),
                     *(seconds_spread([load[key] for load in loads])
                       for key in ("fp_ms", "fcp_ms", "lcp_ms", "grid_ms")),
                     seconds_spread(last_blocking)])
    return rows


PHONE_HEADERS = ["protocol", "runs", "Chromium saw", "first paint", "first contentful paint",
                 "largest contentful paint", "Home's grid", "render-blocking files in"]


# --------------------------------------------------------------------------- the run


def choices(text: str, allowed: Sequence[str], option: str) -> list[str]:
    """The comma-separated names in `text`, in `allowed`'s order; ValueError naming `option`
    for an unknown or missing one."""
    wanted = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in wanted if name not in allowed]
    if unknown or not wanted:
        raise ValueError(f"{option} takes one or more of {', '.join(allowed)}; got {text!r}")
    return [name for name in allowed if name in wanted]


@contextlib.contextmanager
def serve() -> Iterator[harness.Proxy]:
    """One app server and nginx with deploy/nginx.conf in front, on loopback (HTTP/1.1 and
    HTTPS with HTTP/2); yields nginx. Logs in bench/results."""
    with harness.run_streamlit("app.py", log_name="first-load-server",
                               log_dir=common.RESULTS_DIR) as server, harness.run_nginx(
            [server.port], log_dir=common.RESULTS_DIR) as proxy:
        yield proxy


def main(argv: list[str] | None = None) -> int:
    # Long on purpose: the three parts in the order the docstring lists, then the tables.
    parser = argparse.ArgumentParser(prog="python -m bench.first_load",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=30,
                        help=f"simultaneous cold loads of Home (at most {MAX_VISITORS})")
    parser.add_argument("--runs", type=int, default=1,
                        help="Lighthouse runs per page and preset (the median is kept; "
                             "at most 5)")
    parser.add_argument("--protocols", default=",".join(PROTOCOLS),
                        help="Lighthouse over these, comma-separated: http1 (plain HTTP), "
                             "http2 (HTTPS)")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help="Lighthouse on these pages, comma-separated")
    parser.add_argument("--presets", default=",".join(PRESETS),
                        help="Lighthouse presets, comma-separated: mobile, desktop")
    parser.add_argument("--skip-lighthouse", action="store_true",
                        help="only the asset lists and the simultaneous loads")
    parser.add_argument("--real-browser", action="store_true",
                        help="only Home's paints in real Chromium on a throttled phone, "
                             "--runs cold loads per protocol, interleaved")
    parser.add_argument("--throttle", choices=tuple(THROTTLES), default="devtools",
                        help="with --real-browser, the phone's network: "
                             + "; ".join(f"{k}: {v}" for k, v in THROTTLES.items()))
    parser.add_argument("--markdown", action="store_true",
                        help="also print the tables in Markdown (for docs/)")
    args = parser.parse_args(argv)
    if not 1 <= args.visitors <= MAX_VISITORS:
        parser.error(f"--visitors must be 1..{MAX_VISITORS}; got {args.visitors}")
    if not 1 <= args.runs <= 5:
        parser.error(f"--runs must be 1..5; got {args.runs}")
    try:
        protocols = choices(args.protocols, PROTOCOLS, "--protocols")
        pages = choices(args.pages, tuple(PAGES), "--pages")
        presets = choices(args.presets, PRESETS, "--presets")
    except ValueError as error:
        parser.error(str(error))

    results: dict = {"machine": common.machine(), "pages": {}, "lighthouse": [],
                     "class": []}
    tables: list[tuple[str, list[str], list[list[object]]]] = []
    with serve() as proxy:
        url = proxy.url
        if args.real_browser:
            results["phone"] = phone_paints(proxy, protocols, args.runs, args.throttle)
            results["phone_throttle"] = args.throttle
            tables.append((f"Home on a throttled phone in Chromium (390 px, 150 ms, "
                           f"1.6 Mbit/s, 4x CPU; network: {THROTTLES[args.throttle]}): "
                           "median (lowest-highest)", PHONE_HEADERS,
                           phone_rows(results["phone"])))
            return print_report(results, tables, args.markdown)
        proxy_pids = [proxy.proc.pid, *harness.children(proxy.proc.pid)]
        for name, path in PAGES.items():
            log(f"assets: Chromium on {name} through nginx")
            with open_page(url + path) as (_, assets):
                summary = assets_summary(assets)
            results["pages"][name] = {**summary, "scripts": javascript_rows(assets)}
            tables.append((f"{name}: what Chromium fetched (KiB)",
                           ["kind", "files", "on the wire", "decoded"], kind_rows(summary)))
            tables.append((f"{name}: JavaScript over 20 KiB (KiB)",
                           ["file", "decoded", "on the wire"],
                           [row for row in javascript_rows(assets)
                            if float(row[1].replace(",", "")) > 20]))

        if not args.skip_lighthouse:
            common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
            bases = {"http1": url, "http2": proxy.https_url}
            cases = [(name, preset, protocol) for name in pages for preset in presets
                     for protocol in protocols]
            runs: dict[tuple[str, str, str], list[dict]] = {case: [] for case in cases}
            # Interleaved: each round runs every case once, so the machine's busy spells
            # spread over all of them instead of falling on one.
            for run in range(args.runs):
                for name, preset, protocol in cases:
                    log(f"lighthouse: {name}, {preset} preset, {PROTOCOL_NAMES[protocol]}, "
                        f"run {run + 1}")
                    path = PAGES[name]
                    report = (common.RESULTS_DIR / f"lighthouse-{path.strip('/') or 'home'}"
                              f"-{preset}-{protocol}-{run + 1}.json")
                    runs[name, preset, protocol].append(
                        {**run_lighthouse(bases[protocol] + path, preset, report),
                         "protocol": protocol})
            results["lighthouse"] = [{"page": name, **median_run(runs[name, preset, protocol])}
                                     for name, preset, protocol in cases]
            tables.append(("Lighthouse 12.8 through nginx (median run; every run's score)",
                           LIGHTHOUSE_HEADERS, lighthouse_rows(results["lighthouse"])))

        log(f"class: {args.visitors} cold loads of Home at once, with and without gzip")
        with open_page(url + PAGES["Home"]) as (_, assets):
            paths = [a.path for a in assets if a.path.startswith("/")]
            for encoding in ("identity", "gzip"):
                class_load(url, paths, 1, encoding)  # warm: pictures made, files in cache
                results["class"].append(class_load(url, paths, args.visitors, encoding,
                                                   proxy_pids))
        tables.append((f"{args.visitors} simultaneous cold loads of Home through nginx",
                       CLASS_HEADERS, class_rows(results["class"])))

    return print_report(results, tables, args.markdown)


def phone_paints(proxy: harness.Proxy, protocols: Sequence[str], runs: int,
                 throttle: str) -> dict:
    """`runs` cold loads of Home per protocol by a throttled phone, interleaved (each round
    loads over every protocol in turn, so a busy spell of the machine falls on all alike).
    `throttle`: "devtools" (Chromium's network emulation), "link" (bench.slow_link), or
    "link-window" (the same with a LINK_WINDOW send buffer)."""
    bases = {"http1": proxy.url, "http2": proxy.https_url}
    loads: dict[str, list[dict]] = {protocol: [] for protocol in protocols}
    phone_load(proxy.url + PAGES["Home"])  # warm: the app's caches, not the browser's
    with contextlib.ExitStack() as stack:
        if throttle.startswith("link"):
            ports = stack.enter_context(slow_link(
                {name: urlparse(base).port for name, base in bases.items()},
                down=PHONE_NETWORK["downloadThroughput"],
                up=PHONE_NETWORK["uploadThroughput"],
                rtt_s=PHONE_NETWORK["latency"] / 1000,
                window=LINK_WINDOW if throttle == "link-window" else None))
            bases = {name: f"{urlparse(base).scheme}://127.0.0.1:{ports[name]}"
                     for name, base in bases.items()}
        for run in range(runs):
            for protocol in protocols:
                log(f"phone: Home over {PROTOCOL_NAMES[protocol]}, run {run + 1}, "
                    f"{throttle}")
                loads[protocol].append(phone_load(bases[protocol] + PAGES["Home"],
                                                  devtools_network=throttle == "devtools"))
    return loads


def print_report(results: dict, tables: list[tuple[str, list[str], list[list[object]]]],
           markdown: bool) -> int:
    """Save `results`, print the machine and `tables` (also in Markdown if `markdown`)."""
    path = common.save(results, "first_load")
    described = results["machine"]
    print()
    print(f"Machine: {described['cpu']}, {described['cores']} cores; Streamlit "
          f"{described['streamlit']}; load average at start "
          f"{described['load_average_at_start']}, at end "
          f"{[round(x, 2) for x in os.getloadavg()]} (Lighthouse's paints are simulated from "
          "a trace taken on this machine: a busy machine makes them slower)")
    for title, headers, rows in tables:
        print()
        print(title)
        print(format_table(headers, rows))
    if markdown:
        for title, headers, rows in tables:
            print()
            print(f"{title} (Markdown)")
            print(markdown_table(headers, rows))
    print()
    print(f"saved {path.relative_to(common.REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
