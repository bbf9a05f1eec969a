"""Interaction latency: picking a pixel in the inspector; kernel or border on the kernel bank.

Server side: Streamlit's AppTest reruns the app script after a widget change; the time of
``set_value(...).run()`` is the script's run time plus AppTest's own bookkeeping (an upper
bound). AppTest always reruns the whole script, even for a widget inside ``st.fragment``,
where the real server reruns only the fragment; the inspector is measured both ways (the
fragment run by asking AppTest's script runner for a fragment rerun, as the browser does).
AppTest also recompiles the scripts on every run, which a real server does not: the benchmark
keeps the compiled scripts, as the server does.

End to end: a real Streamlit server and headless Chromium; the time runs from the click, made by
JavaScript in the page, to the moment the new text is in the page (a MutationObserver watches).

Both on the 512 x 512 camera sample and on a 12-megapixel upload (4000 x 3000 JPEG), at the
default working resolution. "Cold" means the computation caches (not the decoded image) were
emptied first, as for a setting nobody has chosen yet; "warm" repeats settings already seen.
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

import convkit
import harness
from harness import VIEWPORT, run_streamlit, wait_for_app_idle

from .common import REPO_ROOT, format_table, log, median

APP = str(REPO_ROOT / "app.py")
UPLOAD_SIZE = (4000, 3000)  # width, height: 12 megapixels
SERVER_TARGET_PICK_MS = 50
SERVER_TARGET_BANK_MS = 300
BROWSER_TARGET_MS = 400
#: A pixel pick in the browser (the capacity issue: it must stay under 150 ms).
BROWSER_TARGET_PICK_MS = 150
#: Cached functions that make the image itself (a sample, an upload scaled, the loop's copy):
#: their results are kept when the computations' are emptied.
IMAGE_CACHES = ("sample", "working", "resized")
#: Kernels added one at a time on the bank page (the default six are already shown).
EXTRA_KERNELS = ("gaussian_15", "emboss", "box_5", "log_9", "outline", "prewitt_x",
                 "motion_blur", "unsharp_mask", "gaussian_5", "scharr_y", "identity",
                 "small_blur", "prewitt_y", "scharr_x")
BORDERS = ("reflect", "reflect_101", "wrap", "constant", "replicate")


def upload_bytes() -> bytes:
    """A 4000 x 3000 photo-like colour JPEG (the astronaut, scaled up, with sensor-like noise)."""
    import cv2

    astronaut = convkit.load_sample("astronaut")
    big = cv2.resize(astronaut, UPLOAD_SIZE, interpolation=cv2.INTER_CUBIC)
    noise = np.random.default_rng(0).normal(0, 4, big.shape)
    pixels = np.clip(big + noise, 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def empty_computation_caches() -> int:
    """Forget every computed result but the images' and the decoded uploads; returns how many
    results were forgotten."""
    from pages.ui import cache

    results = cache.stores()["results"]
    before = len(results)
    results.clear(lambda key: key[0] in IMAGE_CACHES)
    cache.stores()["loops"].clear()
    cache.stores()["restorations"].clear()
    return before - len(results)


def _healthy(at, what: str) -> None:
    from pages import ui

    problems = [e.value for e in at.exception] + [
        e.value for e in at.error if e.value == ui.CRASH_MESSAGE]
    if problems:
        raise RuntimeError(f"{what}: the app failed: {problems[:2]}")


def _timed_run(action) -> float:
    start = time.perf_counter()
    action.run()
    return (time.perf_counter() - start) * 1e3


# ------------------------------------------------------------------------------- AppTest


def server_side(data: bytes, repetitions: int) -> dict:
    """AppTest timings for both images and the three interactions."""
    # Long on purpose: one timed scenario after another, in the order the table prints them.
    from streamlit.testing.v1 import AppTest

    from harness import apptest_hooks

    results = {}
    with (apptest_hooks.keeps_navigation(), apptest_hooks.compiles_once(),
          apptest_hooks.fragment_reruns() as rerun_only):
        for image in ("camera", "upload"):
            log(f"latency (AppTest): {image}")
            at = AppTest.from_file(APP, default_timeout=300)
            at.run()
            if image == "upload":
                at.file_uploader(key="upload").set_value(("photo.jpg", data, "image/jpeg"))
                at.run()
                if at.session_state["source"] != "upload":
                    raise RuntimeError("the upload did not become the image")
            _healthy(at, "opening the app")
            at.switch_page("pages/pixel_inspector.py").run()
            _healthy(at, "opening the inspector")
            width = int(at.number_input(key="inspector_x").max) + 1
            fragments = apptest_hooks.fragment_ids(at)
            if len(fragments) != 1:
                raise RuntimeError(f"expected the inspector's one fragment; got {fragments}")
            picks = {"pick_fragment_ms": [], "pick_full_ms": []}
            for kind, fragment in (("pick_fragment_ms", fragments[0]), ("pick_full_ms", None)):
                rerun_only(fragment)
                for i in range(repetitions):
                    x = (37 + 53 * i + (kind == "pick_full_ms")) % width
                    picks[kind].append(_timed_run(at.number_input(key="inspector_x")
                                                  .set_value(x)))
                    if not any(f"Output pixel x={x}," in h.value for h in at.subheader):
                        raise RuntimeError(f"the breakdown did not move to x={x}")
                rerun_only(None)
            _healthy(at, "picking pixels")

            at.switch_page("pages/kernel_bank.py").run()
            _healthy(at, "opening the kernel bank")
            border_cold, border_warm = [], []
            for i in range(repetitions):
                border = BORDERS[i % len(BORDERS)]
                empty_computation_caches()
                border_cold.append(_timed_run(at.sidebar.selectbox(key="border")
                                              .set_value(border)))
            for i in range(repetitions):
                border = ("reflect", "replicate")[i % 2]
                border_warm.append(_timed_run(at.sidebar.selectbox(key="border")
                                              .set_value(border)))
            _healthy(at, "changing the border")
            chosen = list(at.multiselect(key="bank_kernels").value)
            kernel_cold, kernel_warm = [], []
            for i in range(repetitions):
                extra = EXTRA_KERNELS[i % len(EXTRA_KERNELS)]
                empty_computation_caches()
                kernel_cold.append(_timed_run(at.multiselect(key="bank_kernels")
                                              .set_value([*chosen[1:], extra])))
            for i in range(repetitions):
                extra = EXTRA_KERNELS[i % 2]
                kernel_warm.append(_timed_run(at.multiselect(key="bank_kernels")
                                              .set_value([*chosen[1:], extra])))
            _healthy(at, "changing kernels")
            results[image] = {
                **picks,
                "border_cold_ms": border_cold, "border_warm_ms": border_warm,
                "kernel_cold_ms": kernel_cold, "kernel_warm_ms": kernel_warm,
            }
    return results


# ------------------------------------------------------------------------------- browser

# Click the element `target()` returns (JS source), then resolve with the milliseconds until
# `done()` (JS source too) holds; a MutationObserver re-checks on every change to the page.
_CLICK_AND_WAIT = """
async ([targetSource, doneSource, timeoutMs]) => {
  const target = new Function('return (' + targetSource + ')();');
  const done = new Function('return (' + doneSource + ')();');
  const element = target();
  if (!element) throw new Error('nothing to click: ' + targetSource);
  return await new Promise((resolve, reject) => {
    let observer = null;
    const timer = setTimeout(() => { observer.disconnect();
                                     reject(new Error('timed out: ' + doneSource)); }, timeoutMs);
    const start = performance.now();
    const check = () => {
      if (done()) { observer.disconnect(); clearTimeout(timer);
                    resolve(performance.now() - start); }
    };
    observer = new MutationObserver(check);
    observer.observe(document.body, {childList: true, subtree: true, characterData: true,
                                     attributes: true});
    element.click();
  });
}
"""


def _option(prefix: str) -> str:
    """JS finder: the open list's option whose text starts with `prefix`."""
    return ("() => [...document.querySelectorAll('[role=option]')]"
            f".find(o => o.textContent.startsWith({prefix!r}))")


def _heading_done(prefix: str) -> str:
    """JS predicate: some h3 in the main area starts with `prefix`."""
    return ("() => [...document.querySelectorAll('main.stMain h3')]"
            f".some(h => h.textContent.startsWith({prefix!r}))")


def _heading_changed(old: str) -> str:
    """JS predicate: the breakdown's heading says something other than `old`."""
    return ("() => [...document.querySelectorAll('main.stMain h3')]"
            f".some(h => h.textContent.startsWith('Output pixel') && h.textContent !== {old!r})")


def _in_pictures(css: str) -> str:
    """JS expression: the element matching `css` in the inspector's pictures component, whose
    parts sit in a shadow root below ``.st-key-inspector_pictures``."""
    return ("(() => { const look = (root) => root.querySelector(" + repr(css) + ") || "
            "[...root.querySelectorAll('*')].map(e => e.shadowRoot && look(e.shadowRoot))"
            ".find(Boolean); const host = document.querySelector('.st-key-inspector_pictures');"
            " return host && look(host); })()")


def _picture_click(fx: float, fy: float) -> str:
    """JS finder: something whose click() clicks the inspector's overview at fractions
    (fx, fy) of its size, dispatched on the picture at that point as a real click would be."""
    return f"""() => {{
      const img = {_in_pictures(".ckv-overview img")};
      if (!img) return null;
      return {{click: () => {{
        const box = img.getBoundingClientRect();
        img.dispatchEvent(new MouseEvent('click', {{bubbles: true,
          clientX: box.left + {fx} * box.width, clientY: box.top + {fy} * box.height}}));
      }}}};
    }}"""


def _captions_done(text: str, count: int) -> str:
    """JS predicate: at least `count` image captions contain `text`."""
    return ("() => [...document.querySelectorAll("
            "'main.stMain [data-testid=\"stImageCaption\"]')]"
            f".filter(c => c.textContent.includes({text!r})).length >= {count}")


def _choose_timed(page, key: str, typed: str, option_prefix: str, done: str) -> float:
    """Type `typed` into select box `key`, then time choosing the option until `done` holds."""
    page.locator(f".st-key-{key} input").click()
    page.keyboard.type(typed)
    page.locator('[role="option"]', has_text=option_prefix).first.wait_for()
    return page.evaluate(_CLICK_AND_WAIT, [_option(option_prefix), done, 60_000])


def _pick_breakdown(page) -> tuple[int, int]:
    text = page.locator("main.stMain h3", has_text="Output pixel").first.inner_text()
    x, y = (int(part.split("=")[1]) for part in text.replace("Output pixel", "").split(","))
    return x, y


def browser_side(path: Path, repetitions: int) -> dict:
    """End-to-end timings in headless Chromium against a real server."""
    # Long on purpose: one timed scenario after another, in the order the table prints them.
    from playwright.sync_api import sync_playwright

    executable = harness.chromium_executable()
    results = {}
    with run_streamlit("app.py", log_name="bench-latency") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True,
                                     args=harness.CHROMIUM_ARGS)
        for image in ("camera", "upload"):
            log(f"latency (browser): {image}")
            context = browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(120_000)
            page = context.new_page()
            page.goto(f"{server.url}/pixel_inspector")
            wait_for_app_idle(page, timeout_ms=120_000)
            if image == "upload":
                page.locator('.st-key-upload input[type="file"]').set_input_files(path)
                page.locator("main.stMain", has_text="photo.jpg").wait_for()
                wait_for_app_idle(page, timeout_ms=180_000)
            picks = []
            for i in range(repetitions):
                x, y = _pick_breakdown(page)
                dx = 1 if i % 2 == 0 else -1
                new_x = x + dx
                picks.append(page.evaluate(_CLICK_AND_WAIT, [
                    "() => " + _in_pictures(f'button[data-step="{dx},0"]'),
                    _heading_done(f"Output pixel x={new_x}, y={y}"), 30_000]))
                wait_for_app_idle(page)
            clicks = []
            for i in range(repetitions):
                old = page.locator("main.stMain h3", has_text="Output pixel").first.inner_text()
                fx, fy = 0.1 + 0.8 * ((i * 0.37) % 1), 0.1 + 0.8 * ((i * 0.61) % 1)
                clicks.append(page.evaluate(_CLICK_AND_WAIT, [
                    _picture_click(fx, fy), _heading_changed(old),
                    30_000]))
                wait_for_app_idle(page)

            page.locator('[data-testid="stSidebarNav"] a', has_text="Kernel bank").click()
            page.locator("main.stMain h1", has_text="Kernel bank").wait_for()
            wait_for_app_idle(page, timeout_ms=120_000)
            rows = page.locator("main.stMain h3").count()
            borders = []
            for i in range(repetitions):
                border = BORDERS[i % len(BORDERS)]
                borders.append(_choose_timed(page, "border", border, f"{border} ",
                                             _captions_done(f"; {border} border,", rows)))
                wait_for_app_idle(page, timeout_ms=60_000)
            kernels = []
            for i in range(repetitions):
                extra = EXTRA_KERNELS[i % len(EXTRA_KERNELS)]
                kernels.append(_choose_timed(page, "bank_kernels", extra, f"{extra} (",
                                             _heading_done(extra)))
                page.keyboard.press("Escape")
                wait_for_app_idle(page, timeout_ms=60_000)
                # Take it away again (not timed), so every round adds one kernel to six.
                page.locator(f'.st-key-bank_kernels button[aria-label^="Remove {extra} ("]').click()
                wait_for_app_idle(page, timeout_ms=60_000)
            results[image] = {"pick_ms": picks, "click_ms": clicks, "border_ms": borders,
                              "kernel_ms": kernels,
                              "rows": rows}
            context.close()
        browser.close()
    return results


# ------------------------------------------------------------------------------- entry


def run(full: bool = False, browser: bool = True) -> dict:
    data = upload_bytes()
    results = {"upload": {"size": UPLOAD_SIZE, "jpeg_bytes": len(data)},
               "server": server_side(data, 20)}
    if browser:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "photo.jpg"
            path.write_bytes(data)
            results["browser"] = browser_side(path, 20 if full else 10)
    return results


def _cell(values: list[float], target: float) -> tuple[str, str]:
    value = median(values)
    return f"{value:.0f}", "pass" if value <= target else "FAIL"


#: (result key, interaction, target ms) of each row, per kind of measurement.
SERVER_ROWS = (
    ("pick_fragment_ms", "inspector: pick a pixel (fragment rerun)", SERVER_TARGET_PICK_MS),
    ("pick_full_ms", "inspector: pick a pixel (whole script)", SERVER_TARGET_PICK_MS),
    ("border_cold_ms", "bank: change border (cold)", SERVER_TARGET_BANK_MS),
    ("border_warm_ms", "bank: change border (warm)", SERVER_TARGET_BANK_MS),
    ("kernel_cold_ms", "bank: change kernel (cold)", SERVER_TARGET_BANK_MS),
    ("kernel_warm_ms", "bank: change kernel (warm)", SERVER_TARGET_BANK_MS),
)
BROWSER_ROWS = (
    ("click_ms", "inspector: pick a pixel (click picture)", BROWSER_TARGET_PICK_MS),
    ("pick_ms", "inspector: pick a pixel (arrow button)", BROWSER_TARGET_PICK_MS),
    ("border_ms", "bank: change border", BROWSER_TARGET_MS),
    ("kernel_ms", "bank: add a kernel", BROWSER_TARGET_MS),
)


def rows(results: dict) -> tuple[list[str], list[list[str]]]:
    headers = ["interaction", "where", "image", "median ms", "target ms", "verdict", "runs"]
    table = []
    labels = {"camera": "camera 512x512", "upload": "12 MP upload"}
    for kind, where, measured in (("server", "server (AppTest)", SERVER_ROWS),
                                  ("browser", "browser, end to end", BROWSER_ROWS)):
        if kind not in results:
            continue
        for image, label in labels.items():
            figures = results[kind][image]
            for key, name, target in measured:
                value, verdict = _cell(figures[key], target)
                table.append([name, where, label, value, f"< {target}", verdict,
                              len(figures[key])])
    return headers, table


def report(results: dict) -> str:
    headers, table = rows(results)
    upload = results["upload"]
    return "\n".join([
        f"Latency (default working resolution; upload {upload['size'][0]} x "
        f"{upload['size'][1]} JPEG, {upload['jpeg_bytes'] / 1e6:.1f} MB)",
        format_table(headers, table, "lllrrlr"),
    ])
