"""The live video page: frames per second in the browser, and the server's CPU while it runs.

    python -m bench.live_video
    python -m bench.live_video --seconds 3 --pages 10 --window 30

One server and one headless Chromium whose camera plays a still 640 x 480 picture
(`harness.write_still_y4m`). Frame rate: on one page, the whole chain (camera upload, gray,
filter, mapping, drawing) timed for `--seconds` with the page's own bench hook, for 3 x 3,
9 x 9 and 31 x 31 kernels in one pass (any kernel) and in two (a separable one), the two
measured alternately, and minmax (its range reduction) at 9 x 9; WebGL's renderer is named
(SwiftShader, on the CPU, where there is no GPU). Server CPU: `--pages` pages open the live
video page and sit idle for `--window` seconds, then all of them press Start and watch for
another `--window` seconds; the server's CPU seconds (its process and its workers) are read
from /proc over each window, with the WebSocket messages the pages send meanwhile. The figures go
to bench/results/live_video-<time>.json and live_video-latest.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

import convkit
import harness
from bench import common
from harness import cpu_seconds

WIDTH, HEIGHT = 640, 480
#: A page's frames per second over the last frames it drew (the readout's own window).
FRAME_RATE_JS = """root => { const f = root.cklvFrames || [];
  return f.length > 1 ? (f.length - 1) / ((f[f.length - 1] - f[0]) / 1000) : 0; }"""
SIZES = (3, 9, 31)


def plans(side: int) -> dict[str, dict]:
    """A random separable `side` x `side` kernel's plan as one pass and as two.

    A pass costs the same whatever its weights, so the one-pass figure is any kernel's of that
    size; the two-pass one is a separable kernel's."""
    rng = np.random.default_rng(side)
    weights = np.outer(rng.random(side) + 0.5, rng.random(side) + 0.5)
    column, row = convkit.separate(weights)
    plan = convkit.explain.live_plan(weights, "reflect_101").to_json()
    return {"1 pass": {**plan, "column": None, "row": None},
            "2 passes": {**plan, "column": column.tolist(), "row": row.tolist()}}


def server_cpu(pid: int) -> float:
    """CPU seconds of the server and its worker processes so far."""
    return sum(cpu_seconds(p) or 0.0 for p in [pid, *harness.children(pid)])


def frame_rates(page, seconds: float, repetitions: int) -> list[dict]:
    """Each size's one-pass and two-pass rates, measured alternately `repetitions` times (the
    machine's other work shared by both; the best of each kept); 31 x 31 in one pass, which
    takes seconds a frame in software, once."""
    view = page.locator(".cklv")
    bench = "(root, args) => root.cklvBench(args[0], args[1])"
    rows = []
    for side in SIZES:
        cases = plans(side)
        minmax = {**cases["2 passes"], "mapping": "minmax"}
        if side == 9:
            cases["2 passes, minmax mapping"] = minmax
        rates: dict[str, list[float]] = {name: [] for name in cases}
        for repetition in range(repetitions):
            for name, plan in cases.items() if repetition % 2 == 0 else reversed(cases.items()):
                if side == max(SIZES) and name == "1 pass" and rates[name]:
                    continue
                result = view.evaluate(bench, [seconds, plan])
                rates[name].append(result["fps"])
                renderer = result["renderer"]
        for name, found in rates.items():
            rows.append({"kernel": f"{side} x {side}, {name}", "fps": max(found),
                         "runs": [round(r, 2) for r in found], "renderer": renderer})
            common.log(f"{side} x {side}, {name}: {max(found):.1f} frames per second "
                       f"(runs {', '.join(f'{r:.1f}' for r in found)})")
    return rows


def open_pages(context, url: str, count: int, sent: list[int] | None = None) -> list:
    """`count` pages on `url`, each counting into `sent` the WebSocket messages it sends."""
    pages = []
    for _ in range(count):
        page = context.new_page()
        if sent is not None:
            page.on("websocket", lambda socket: socket.on(
                "framesent", lambda _payload: sent.__setitem__(0, sent[0] + 1)))
        page.goto(url)
        harness.wait_for_app_idle(page, timeout_ms=120_000)
        pages.append(page)
    return pages


def run(seconds: float, count: int, window: float, repetitions: int = 4) -> dict:
    results: dict = {"machine": common.machine(), "frame_size": [WIDTH, HEIGHT]}
    with tempfile.TemporaryDirectory() as folder, \
            harness.run_streamlit("app.py", log_name="bench-live-video") as server, \
            sync_playwright() as pw:
        video = harness.write_still_y4m(Path(folder) / "still.y4m", WIDTH, HEIGHT)
        browser = pw.chromium.launch(
            executable_path=harness.find_chromium(), headless=True,
            args=[*harness.CHROMIUM_ARGS_MANY_PAGES, "--use-fake-device-for-media-stream",
                  f"--use-file-for-fake-video-capture={video}"])
        try:
            context = browser.new_context(viewport=harness.VIEWPORT, permissions=["camera"])
            context.set_default_timeout(120_000)
            url = f"{server.url}/live_video"
            (page,) = open_pages(context, url, 1)
            page.get_by_role("button", name="Start the live view").click()
            page.locator(".cklv-fps").filter(has_text=f"{WIDTH} x {HEIGHT} px").wait_for()
            results["frame_rates"] = frame_rates(page, seconds, repetitions)
            results["renderer"] = results["frame_rates"][0]["renderer"]
            page.close()

            sent = [0]
            pages = open_pages(context, url, count, sent)
            pid = server.proc.pid
            common.log(f"{count} pages idle for {window:.0f} s")
            before, sent_before = server_cpu(pid), sent[0]
            time.sleep(window)
            idle, idle_sent = server_cpu(pid) - before, sent[0] - sent_before
            for each in pages:
                each.get_by_role("button", name="Start the live view").click()
            for each in pages:
                each.locator(".cklv-fps").filter(has_text=f"{WIDTH} x {HEIGHT} px").wait_for()
            common.log(f"{count} pages live for {window:.0f} s")
            before, sent_before = server_cpu(pid), sent[0]
            time.sleep(window)
            live, live_sent = server_cpu(pid) - before, sent[0] - sent_before
            rates = [each.locator(".cklv").evaluate(FRAME_RATE_JS) for each in pages]
            results["server_cpu"] = {"pages": count, "window_s": window, "idle_cpu_s": idle,
                                     "live_cpu_s": live, "live_page_fps": rates,
                                     "idle_messages_sent": idle_sent,
                                     "live_messages_sent": live_sent}
        finally:
            browser.close()
    return results


def report(results: dict) -> str:
    lines = [f"Renderer: {results['renderer']}; frames {WIDTH} x {HEIGHT}", "",
             common.format_table(["kernel", "frames per second (best)", "runs"],
                                 [[r["kernel"], f"{r['fps']:.1f}",
                                   ", ".join(f"{x:.1f}" for x in r["runs"])]
                                  for r in results["frame_rates"]])]
    cpu = results["server_cpu"]
    lines += ["", f"Server CPU over {cpu['window_s']:.0f} s with {cpu['pages']} pages: idle "
                  f"{cpu['idle_cpu_s']:.2f} s, watching live video {cpu['live_cpu_s']:.2f} s "
                  f"(pages at {min(cpu['live_page_fps']):.1f}-{max(cpu['live_page_fps']):.1f} "
                  "frames per second); WebSocket messages the pages sent: idle "
                  f"{cpu['idle_messages_sent']}, live {cpu['live_messages_sent']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live_video",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="seconds each kernel's frame rate is timed (default 3)")
    parser.add_argument("--repetitions", type=int, default=4,
                        help="alternate runs of one pass and two passes per size (default 4)")
    parser.add_argument("--pages", type=int, default=10,
                        help="pages watching live video for the server's CPU (default 10)")
    parser.add_argument("--window", type=float, default=30.0,
                        help="seconds of each CPU window, idle then live (default 30)")
    args = parser.parse_args(argv)
    if not 1 <= args.pages <= 30 or not 0 < args.seconds <= 30 or not 0 < args.window <= 300:
        parser.error("--pages 1-30, --seconds up to 30 and --window up to 300")
    results = run(args.seconds, args.pages, args.window, max(1, min(args.repetitions, 10)))
    print(report(results))
    common.log(f"saved {common.save(results, 'live_video')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
