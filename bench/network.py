"""python -m bench.network: the trained network's section, drawn on in headless Chromium.

1. Latency: one visitor on the deep-learning page draws STROKES strokes (short lines, the
   drawing cleared every CLEAR_EVERY strokes). The time runs from the stroke's pointerup (a
   listener in the page) to the moment the first layer's maps show the new drawing's
   activations (their picture changed; checked every animation frame): median and p95.
2. Memory per visitor: after a warm-up visitor (code and shared data loaded), SESSIONS
   visitors open the page at once, each draws a digit; (server RSS - RSS before) / SESSIONS.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

import harness
from harness import new_page, run_streamlit, wait_for_app_idle

from .common import format_table, log, markdown_table, median, save

URL = "/deep_learning?res=256"
STROKES = 20
CLEAR_EVERY = 4
SESSIONS = 6
TARGET_STROKE_MS = 300
TARGET_VISITOR_MB = 50
CANVAS = ".st-key-dl_net_drawing canvas"

# The first layer's maps picture sits in a shadow root below its component's key class.
_MAPS_SRC = """(() => { const look = (root) => root.querySelector('img') ||
  [...root.querySelectorAll('*')].map(e => e.shadowRoot && look(e.shadowRoot)).find(Boolean);
  const host = document.querySelector('.st-key-dl_net_pick_conv1');
  const img = host && look(host); return img ? img.getAttribute('src') : null; })()"""
_ARM = """(old) => { window.__strokeEnd = null; window.__oldMaps = old;
  window.addEventListener('pointerup', () => { window.__strokeEnd = performance.now(); },
                          {capture: true, once: true}); }"""
_CHANGED = f"""() => {{ const src = {_MAPS_SRC};
  return window.__strokeEnd !== null && src && src !== window.__oldMaps
    ? performance.now() - window.__strokeEnd : null; }}"""


def _open_drawing(page, url: str) -> None:
    page.goto(url + URL)
    wait_for_app_idle(page, timeout_ms=180_000)
    page.locator(".st-key-dl_net_source").get_by_text("Draw a digit").click()
    page.locator(CANVAS).wait_for()
    wait_for_app_idle(page, timeout_ms=60_000)
    page.locator(CANVAS).scroll_into_view_if_needed()


def _stroke(page, rng: np.random.Generator) -> None:
    box = page.locator(CANVAS).bounding_box()
    (x1, y1), (x2, y2) = rng.uniform(0.15, 0.85, size=(2, 2))
    page.mouse.move(box["x"] + x1 * box["width"], box["y"] + y1 * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + x2 * box["width"], box["y"] + y2 * box["height"], steps=6)
    page.mouse.up()


def _clear(page) -> None:
    page.locator(".st-key-dl_net_drawing").get_by_role("button", name="Clear").click()
    wait_for_app_idle(page, timeout_ms=60_000)


def latency(page, url: str, strokes: int) -> list[float]:
    """Stroke end to new first-layer maps, in ms, for `strokes` strokes of one visitor."""
    _open_drawing(page, url)
    rng = np.random.default_rng(25)
    times = []
    for number in range(strokes):
        if number % CLEAR_EVERY == 0:
            _clear(page)
        page.evaluate(_ARM, page.evaluate(_MAPS_SRC))
        _stroke(page, rng)
        times.append(page.wait_for_function(_CHANGED, polling="raf", timeout=60_000)
                     .json_value())
        wait_for_app_idle(page, timeout_ms=60_000)
    return times


def run(strokes: int = STROKES, sessions: int = SESSIONS) -> dict:
    from playwright.sync_api import sync_playwright

    results: dict = {"strokes": strokes, "sessions": sessions}
    with (run_streamlit("app.py", log_name="bench-network") as server,
          sync_playwright() as pw):
        pid = server.proc.pid
        browser = pw.chromium.launch(executable_path=harness.chromium_executable(),
                                     headless=True, args=harness.CHROMIUM_ARGS)

        log("network: warm-up visitor, then one visitor drawing strokes")
        context, page = new_page(browser)
        latency(page, server.url, 2)
        context.close()
        context, page = new_page(browser)
        results["stroke_ms"] = latency(page, server.url, strokes)
        context.close()
        time.sleep(2)
        before = harness.rss_kib(pid) / 1024
        log(f"network: {sessions} visitors at once, each drawing a digit")
        visitors = [new_page(browser) for _ in range(sessions)]
        for _, page in visitors:
            page.goto(server.url + URL)
        for _, page in visitors:
            wait_for_app_idle(page, timeout_ms=300_000)
            page.locator(".st-key-dl_net_source").get_by_text("Draw a digit").click()
            page.locator(CANVAS).wait_for()
            page.locator(CANVAS).scroll_into_view_if_needed()
            _stroke(page, np.random.default_rng(1))
        for _, page in visitors:
            wait_for_app_idle(page, timeout_ms=300_000)
        time.sleep(2)
        after = harness.rss_kib(pid) / 1024
        results.update(rss_before_mb=before, rss_after_mb=after,
                       per_visitor_mb=(after - before) / sessions)
        for context, _ in visitors:
            context.close()
        browser.close()
    return results


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def rows(results: dict) -> tuple[list[str], list[list[str]]]:
    strokes = results["stroke_ms"]
    per_visitor = results["per_visitor_mb"]
    return (["measure", "figure", "target", "verdict"], [
        [f"stroke end to new activations, median of {len(strokes)}",
         f"{median(strokes):.0f} ms", f"<= {TARGET_STROKE_MS} ms",
         "pass" if median(strokes) <= TARGET_STROKE_MS else "FAIL"],
        ["stroke end to new activations, p95", f"{p95(strokes):.0f} ms",
         f"<= {TARGET_STROKE_MS} ms", "pass" if p95(strokes) <= TARGET_STROKE_MS else "FAIL"],
        [f"server memory per visitor ({results['sessions']} at once)",
         f"{per_visitor:.1f} MB", f"<= {TARGET_VISITOR_MB} MB",
         "pass" if per_visitor <= TARGET_VISITOR_MB else "FAIL"]])


def report(results: dict) -> str:
    headers, table = rows(results)
    spread = statistics.quantiles(results["stroke_ms"], n=4)
    return "\n".join([
        "Trained network: drawing in headless Chromium (one visitor; then visitors at once)",
        format_table(headers, table, "lrrl"),
        f"strokes: quartiles {spread[0]:.0f}-{spread[2]:.0f} ms, slowest "
        f"{max(results['stroke_ms']):.0f} ms; server RSS {results['rss_before_mb']:.0f} -> "
        f"{results['rss_after_mb']:.0f} MB"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.network",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--strokes", type=int, default=STROKES)
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if not (1 <= args.strokes <= 200 and 1 <= args.sessions <= 30):
        parser.error("--strokes must be 1 to 200 and --sessions 1 to 30")
    results = run(args.strokes, args.sessions)
    path = save(results, "network")
    print(report(results))
    if args.markdown:
        print(markdown_table(*rows(results)))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
