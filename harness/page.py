"""Reading a Streamlit page in Chromium: when is the app idle, and picking a kernel.

The idle test is JavaScript shared by the synchronous helpers here (browser tests, latency)
and the asynchronous load clients (bench/load.py), so that all of them mean the same thing.
"""

from __future__ import annotations

import re
import time

from .server import Fail, raise_error

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

#: A JS function of the busy selectors: 'idle', or what the app is still doing.
APP_STATE_JS = """
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

KERNEL_BOX = ".st-key-kernel_name input"


def kernel_option(name: str) -> re.Pattern:
    """The kernel box's option for `name`: its label is "name (h x w)"."""
    return re.compile(rf"^{re.escape(name)} \(")


def wait_for_app_idle(page, *, timeout_ms: float = 60_000, settle_ms: float = 300,
                      poll_ms: float = 100, fail: Fail = raise_error) -> None:
    """Wait until Streamlit has finished running and nothing is loading (a sync Playwright page).

    Idle means: stApp connected, script state ``notRunning`` (so at least one
    run has completed), and no visible running icon, spinner or skeleton. The
    state must hold for ``settle_ms`` so that a rerun triggered by an
    interaction just before the call is not mistaken for idleness.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    idle_since: float | None = None
    state = "not checked"
    while True:
        state = page.evaluate(APP_STATE_JS, list(BUSY_SELECTORS))
        now = time.monotonic()
        if state.startswith("ERROR"):
            fail(f"Streamlit app failed: {state}")
        if state == "idle":
            idle_since = idle_since if idle_since is not None else now
            if (now - idle_since) * 1000 >= settle_ms:
                return
        else:
            idle_since = None
        if now > deadline:
            fail(f"Streamlit app not idle after {timeout_ms / 1000:.0f} s (last state: {state})")
        page.wait_for_timeout(poll_ms)


def choose_kernel(page, name: str) -> None:
    """Choose `name` in the sidebar's kernel box (sync page); does not wait for the run."""
    page.locator(KERNEL_BOX).click()
    page.keyboard.type(name)
    page.locator('[role="option"]').filter(has_text=kernel_option(name)).first.click()


async def choose_kernel_async(page, name: str) -> None:
    """`choose_kernel` for an asynchronous Playwright page (the load test's browser clients)."""
    await page.locator(KERNEL_BOX).click()
    await page.keyboard.type(name)
    await page.locator('[role="option"]').filter(has_text=kernel_option(name)).first.click()
