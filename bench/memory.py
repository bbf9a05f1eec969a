"""Server memory: resident memory (VmRSS) of a real Streamlit server as browser sessions use it.

1. A fresh server; one warm-up session opens every page on the camera sample and closes, so
   libraries and code are loaded: that is the baseline.
2. One session uploads the 12-megapixel JPEG and opens every page: added = RSS - baseline
   (and the peak, sampled every 50 ms while it works).
3. Ten sessions at once, each on a sample image (different images, kernels, gray and colour),
   each opening three pages: the server's whole RSS.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import harness
from harness import new_page, run_streamlit, wait_for_app_idle

from .common import format_table, log
from .latency import upload_bytes

ONE_SESSION_TARGET_MB = 400
TEN_SESSIONS_TARGET_MB = 1536
PAGES = ("kernel_bank", "pixel_inspector", "kernel_lab", "padding_modes", "deep_learning")
PAGE_TITLES = {"kernel_bank": "Kernel bank", "pixel_inspector": "Pixel inspector",
               "kernel_lab": "Kernel lab", "padding_modes": "Padding",
               "deep_learning": "Convolutions in deep learning"}
SESSIONS = [  # (sample, colour, kernel) for the ten sessions
    ("camera", 0, "sharpen"), ("astronaut", 1, "gaussian_15"), ("coffee", 1, "sobel_x"),
    ("chelsea", 1, "large_blur"), ("coins", 0, "log_9"), ("moon", 0, "emboss"),
    ("text", 0, "outline"), ("brick", 0, "motion_blur"), ("astronaut", 0, "box_5"),
    ("coffee", 0, "unsharp_mask"),
]


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB, from /proc."""
    kib = harness.rss_kib(pid)
    if kib is None:
        raise RuntimeError(f"no VmRSS for process {pid}")
    return kib / 1024


def _browse(page, pages=PAGES) -> None:
    """Open pages through the sidebar's navigation (same session), waiting until each is idle."""
    for name in pages:
        page.locator('[data-testid="stSidebarNav"] a', has_text=PAGE_TITLES[name]).first.click()
        page.locator("main.stMain h1", has_text=PAGE_TITLES[name]).first.wait_for()
        wait_for_app_idle(page, timeout_ms=180_000)


def run(full: bool = False) -> dict:
    # Long on purpose: one browser session walks the pages while the server is sampled.
    from playwright.sync_api import sync_playwright

    executable = harness.chromium_executable()
    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        photo = Path(folder) / "photo.jpg"
        photo.write_bytes(upload_bytes())
        with (run_streamlit("app.py", log_name="bench-memory") as server,
              sync_playwright() as pw,
              harness.Sampler([server.proc.pid], every_s=0.05) as sampler):
            pid = server.proc.pid
            results["fresh_server_mb"] = rss_mb(pid)
            browser = pw.chromium.launch(executable_path=executable, headless=True,
                                         args=harness.CHROMIUM_ARGS)

            log("memory: warm-up session on the camera sample")
            context, page = new_page(browser)
            page.goto(server.url + "/?image=camera")
            wait_for_app_idle(page, timeout_ms=180_000)
            _browse(page)
            context.close()
            time.sleep(2)
            baseline = rss_mb(pid)
            results["baseline_mb"] = baseline

            log("memory: one session with a 12 MP upload, every page")
            since = sampler.now()
            context, page = new_page(browser)
            page.goto(server.url + "/")
            wait_for_app_idle(page, timeout_ms=180_000)
            page.locator('.st-key-upload input[type="file"]').set_input_files(photo)
            page.locator("main.stMain", has_text="photo.jpg").first.wait_for()
            wait_for_app_idle(page, timeout_ms=180_000)
            _browse(page)
            time.sleep(1)
            peak = sampler.peak_rss_kib(since) / 1024
            results["upload_session"] = {
                "rss_mb": rss_mb(pid), "peak_mb": peak,
                "added_mb": rss_mb(pid) - baseline, "peak_added_mb": peak - baseline,
            }
            context.close()

            log("memory: ten sessions at once on sample images")
            since = sampler.now()
            sessions = []
            for sample, colour, kernel in SESSIONS:
                context, page = new_page(browser)
                page.goto(f"{server.url}/kernel_bank?image={sample}&color={colour}"
                          f"&kernel={kernel}")
                sessions.append((context, page))
            for _, page in sessions:
                wait_for_app_idle(page, timeout_ms=300_000)
            for _, page in sessions:
                _browse(page, ("pixel_inspector", "padding_modes"))
            time.sleep(1)
            results["ten_sessions"] = {
                "rss_mb": rss_mb(pid), "peak_mb": sampler.peak_rss_kib(since) / 1024,
                "added_mb": rss_mb(pid) - baseline,
            }
            for context, _ in sessions:
                context.close()
            browser.close()
    return results


def rows(results: dict) -> tuple[list[str], list[list[str]]]:
    upload, ten = results["upload_session"], results["ten_sessions"]
    headers = ["measurement", "MB", "target MB", "verdict"]
    return headers, [
        ["fresh server (no session yet)", f"{results['fresh_server_mb']:.0f}", "", ""],
        ["baseline (after a warm-up session)", f"{results['baseline_mb']:.0f}", "", ""],
        ["one session, 12 MP upload, every page: added", f"{upload['added_mb']:.0f}",
         f"< {ONE_SESSION_TARGET_MB}",
         "pass" if upload["added_mb"] < ONE_SESSION_TARGET_MB else "FAIL"],
        ["  same, peak while it worked: added", f"{upload['peak_added_mb']:.0f}", "", ""],
        ["  same, added over the fresh server",
         f"{upload['rss_mb'] - results['fresh_server_mb']:.0f}", "", ""],
        ["ten sessions on samples: whole server", f"{ten['rss_mb']:.0f}",
         f"< {TEN_SESSIONS_TARGET_MB}",
         "pass" if ten["rss_mb"] < TEN_SESSIONS_TARGET_MB else "FAIL"],
        ["  same, peak", f"{ten['peak_mb']:.0f}", "", ""],
    ]


def report(results: dict) -> str:
    headers, table = rows(results)
    return "\n".join(["Memory: resident memory (VmRSS) of the Streamlit server",
                      format_table(headers, table, "lrrl")])
