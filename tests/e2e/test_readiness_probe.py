"""The readiness probe against a real server: ready when it has room, full past its budget."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from e2e_helpers import run_async, run_streamlit
from playwright.sync_api import expect
from thread_helpers import wait_until

from harness import open_session
from harness.server import REPO_ROOT
from server import readiness


def probe(port: int, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.readiness", "--port", str(port)],
                          cwd=REPO_ROOT, env={**os.environ, "TMPDIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("full_mb, ready", [(1200, True), (1, False)])
def test_a_running_server_reports_whether_it_has_room(tmp_path, full_mb, ready):
    """The server writes its figures within seconds of starting; the probe reads them: ready
    under the default budget, "full" when the budget (CONVKIT_FULL_MB) is below what a
    server holds at rest."""
    env = {"TMPDIR": str(tmp_path), "CONVKIT_FULL_MB": str(full_mb)}
    with run_streamlit("app.py", log_name=f"readiness-{full_mb}", env=env) as server:
        async def visit() -> None:
            # The guards start with the app's first run, as with a first visitor.
            async with open_session(server.url, "home", "") as session:
                await session.run(None, 60)

        run_async(visit())
        wait_until((tmp_path / readiness.status_path(server.port).name).exists, bound=60)
        done = probe(server.port, tmp_path)
    assert (done.returncode == 0) == ready, done.stdout + done.stderr
    assert done.stdout.startswith("ready: " if ready else "full: ")


def test_a_replica_nobody_visited_is_made_ready_by_its_probe_and_serves_a_class_link_whole(
        tmp_path, browser):
    """A fresh server has run no script and written no status (its port holds only an earlier
    server's old figures): the first probe has it run
    the app's script once and answers "ready" (before, it stayed "not ready" for ever, and a
    pod never got a visitor). Then three visitors arriving at once on a link to a page get
    the whole app (the sidebar round the page), not the page alone."""
    env = {"TMPDIR": str(tmp_path)}
    with run_streamlit("app.py", log_name="readiness-fresh", env=env) as server:
        # An earlier server's figures for this port, an hour old (a restarted container
        # keeps its /tmp): they must not stand for this server's.
        old = tmp_path / readiness.status_path(server.port).name
        old.write_text(json.dumps({"time": time.time() - 3600, "rss_mib": 300.0, "waiting": 0,
                                   "full_mb": 1200, "full_waiting": 60}))
        done = probe(server.port, tmp_path)
        assert done.returncode == 0 and done.stdout.startswith("ready: "), done.stdout
        contexts = [browser.new_context() for _ in range(3)]
        try:
            pages = [context.new_page() for context in contexts]
            for page in pages:  # without waiting: they arrive together
                page.goto(f"{server.url}/pixel_inspector?image=camera&res=256",
                          wait_until="commit")
            for page in pages:
                sidebar = page.locator('[data-testid="stSidebar"]')
                expect(sidebar.get_by_label("Kernel", exact=True)).to_be_visible(timeout=30_000)
                expect(page.get_by_role("heading", name="Pixel inspector")).to_be_visible()
        finally:
            for context in contexts:
                context.close()
