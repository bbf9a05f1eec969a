"""Helpers for the real-browser tests: Streamlit server, Chromium, idle waits, screenshots.

Import in tests as ``from e2e_helpers import wait_for_app_idle, save_screenshot``
(``tests/e2e`` is on pytest's ``pythonpath``). There is no global test timeout
(no pytest-timeout), so everything here that waits has its own deadline.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"

CHROMIUM_MISSING = (
    "Chromium not found: install it with `apt-get install -y chromium` or set CONVKIT_CHROMIUM"
)
# --disable-background-networking etc. stop Chromium from hammering a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 1000}

SERVER_START_TIMEOUT_S = 60.0
SERVER_STOP_TIMEOUT_S = 10.0


# --------------------------------------------------------------------------- Chromium


def find_chromium() -> str | None:
    """Path of the Chromium to drive: $CONVKIT_CHROMIUM, /usr/bin/chromium, or on PATH."""
    env = os.environ.get("CONVKIT_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


# --------------------------------------------------------------------------- Streamlit server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class StreamlitServer:
    url: str
    port: int
    proc: subprocess.Popen
    log_path: Path

    def log_tail(self, max_chars: int = 6000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "<no log>"
        return text[-max_chars:]


def _wait_until_healthy(server: StreamlitServer, timeout_s: float) -> None:
    health = f"{server.url}/_stcore/health"
    deadline = time.monotonic() + timeout_s
    last_error = "no attempt"
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(
                f"Streamlit exited with code {server.proc.returncode} before becoming healthy.\n"
                f"Log ({server.log_path}):\n{server.log_tail()}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(health, timeout=2) as resp:
                body = resp.read().decode(errors="replace").strip()
                if resp.status == 200 and body == "ok":
                    return
                last_error = f"HTTP {resp.status}: {body!r}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = repr(exc)
        time.sleep(0.25)
    pytest.fail(
        f"Streamlit did not answer 'ok' on {health} within {timeout_s:.0f} s "
        f"(last: {last_error}).\nLog ({server.log_path}):\n{server.log_tail()}",
        pytrace=False,
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=SERVER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=SERVER_STOP_TIMEOUT_S)


@contextlib.contextmanager
def run_streamlit(
    script: str = "app.py",
    *,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    log_name: str = "streamlit",
    env: dict[str, str] | None = None,
    timeout_s: float = SERVER_START_TIMEOUT_S,
) -> Iterator[StreamlitServer]:
    """Start `streamlit run SCRIPT` on 127.0.0.1 (cwd = repo root), wait until healthy.

    Output goes to ``test-artifacts/<log_name>.log``; the process group is
    terminated on exit.
    """
    port = port or free_port()
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS_DIR / f"{log_name}.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        *extra_args,
    ]  # fmt: skip
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
            start_new_session=True,  # own process group, killed as a whole
        )
    server = StreamlitServer(
        url=f"http://127.0.0.1:{port}", port=port, proc=proc, log_path=log_path
    )
    try:
        _wait_until_healthy(server, timeout_s)
        yield server
    finally:
        _stop(proc)


# --------------------------------------------------------------------------- page helpers


def save_screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save ``test-artifacts/screenshots/<name>.png`` and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "screenshot"
    path = SCREENSHOT_DIR / f"{safe}.png"
    page.mouse.move(5, 5)  # no tooltip left over from the last click
    if not full_page:
        page.screenshot(path=str(path))
        return path
    # Streamlit scrolls inside its main block, so the document is only a viewport tall: grow
    # the viewport to the content for the shot, then put it back.
    viewport = page.viewport_size or VIEWPORT
    content_height = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(
                 '[data-testid="stMain"], [data-testid="stSidebarContent"]')]
               .map(e => e.scrollHeight), document.body.scrollHeight)"""
    )
    page.set_viewport_size({"width": viewport["width"],
                            "height": min(max(content_height, viewport["height"]), 12000)})
    try:
        page.wait_for_timeout(300)  # let images re-lay out at the new size
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
    return path


# Streamlit 1.67 frontend: the root <div data-testid="stApp"> carries
# data-test-script-state ("initial" before the first run, then "running",
# "rerunRequested", "stopRequested", "notRunning", "compilationError") and
# data-test-connection-state ("CONNECTED", "CONNECTING", ...). While work is in
# flight the header shows stStatusWidgetRunningIcon; st.spinner renders
# stSpinner; the page placeholder is stAppSkeleton; lazy elements and custom
# components show stSkeleton until loaded.
BUSY_SELECTORS = (
    '[data-testid="stStatusWidgetRunningIcon"]',
    '[data-testid="stSpinner"]',
    '[data-testid="stAppSkeleton"]',
    '[data-testid="stSkeleton"]',
)

_APP_STATE_JS = """
(busySelectors) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return 'no [data-testid="stApp"] yet';
  const script = app.getAttribute('data-test-script-state');
  const conn = app.getAttribute('data-test-connection-state');
  if (script === 'compilationError') return 'ERROR: script compilation error';
  if (conn !== 'CONNECTED') return `connection state ${conn}`;
  if (script !== 'notRunning') return `script state ${script}`;
  for (const sel of busySelectors) {
    for (const el of document.querySelectorAll(sel)) {
      if (el.getClientRects().length > 0) return `visible ${sel}`;
    }
  }
  return 'idle';
}
"""


def wait_for_app_idle(
    page: Page, *, timeout_ms: float = 60_000, settle_ms: float = 300, poll_ms: float = 100
) -> None:
    """Wait until Streamlit has finished running and nothing is loading.

    Idle means: stApp connected, script state ``notRunning`` (so at least one
    run has completed), and no visible running icon, spinner or skeleton. The
    state must hold for ``settle_ms`` so that a rerun triggered by an
    interaction just before the call is not mistaken for idleness.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    idle_since: float | None = None
    state = "not checked"
    while True:
        state = page.evaluate(_APP_STATE_JS, list(BUSY_SELECTORS))
        now = time.monotonic()
        if state.startswith("ERROR"):
            pytest.fail(f"Streamlit app failed: {state}", pytrace=False)
        if state == "idle":
            idle_since = idle_since if idle_since is not None else now
            if (now - idle_since) * 1000 >= settle_ms:
                return
        else:
            idle_since = None
        if now > deadline:
            pytest.fail(
                f"Streamlit app not idle after {timeout_ms / 1000:.0f} s (last state: {state})",
                pytrace=False,
            )
        page.wait_for_timeout(poll_ms)


def assert_no_exception(page: Page) -> None:
    """Fail if the app shows an uncaught exception box (stException)."""
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        pytest.fail(f"App shows an exception: {boxes.first.inner_text()[:2000]}", pytrace=False)


def inspect_column(page: Page, x: int) -> None:
    """Go to the pixel inspector through the sidebar menu (same session) and type column `x`.

    Returns once the link carries ``x`` and the breakdown names the new pixel.
    """
    page.locator('[data-testid="stSidebarNav"] a', has_text="Pixel inspector").click()
    expect(page).to_have_url(re.compile(r"/pixel_inspector"))
    wait_for_app_idle(page)
    field = page.locator(".st-key-inspector_x input")
    field.fill(str(x))
    field.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]x={x}(&|$)"))
    wait_for_app_idle(page)
    expect(page.get_by_text(re.compile(rf"^Output pixel x={x}, y=\d+$"))).to_be_visible()


def pick_kernel(page: Page, name: str) -> None:
    """Choose `name` in the sidebar's kernel box and wait for the link and the page to follow."""
    page.locator(".st-key-kernel_name input").click()
    page.keyboard.type(name)
    page.locator('[role="option"]').filter(has_text=re.compile(rf"^{name} \(")).first.click()
    expect(page).to_have_url(re.compile(rf"kernel={name}(&|$)"))
    wait_for_app_idle(page)


def centre_sum(page: Page) -> float:
    """The 'OpenCV computes the same sum: v' number on the Home page (minus sign or hyphen)."""
    line = page.get_by_text("OpenCV computes the same sum")
    expect(line).to_be_visible()
    found = re.search(r"same sum: (−?-?[0-9.e+]+)", line.inner_text())
    assert found, line.inner_text()
    return float(found.group(1).replace("−", "-"))
