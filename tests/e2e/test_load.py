"""Load: 20 concurrent sessions pick kernels and pixels for 20 s without an error.

Short CI runs of ``python -m bench.load`` (the full one is ``--sessions 20 --seconds 60``),
each against a server of its own so that its memory can be watched. The figures, p95
latency among them, are printed and written to ``test-artifacts/load-*.json``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from e2e_helpers import ARTIFACTS_DIR, REPO_ROOT, run_streamlit

#: A fresh server holds 100-400 MiB; its caches are bounded (max_entries, and
#: server.maxCacheDataSize), so twenty sessions must stay well under this.
PEAK_RSS_MIB = 1536
#: Growth allowed between a quarter into the loops and their end (no leak per action).
GROWTH_MIB = 256


def run_bench(clients: str, sessions: int, seconds: int, timeout_s: float) -> dict:
    out = ARTIFACTS_DIR / f"load-{clients}.json"
    with run_streamlit("app.py", log_name=f"streamlit-load-{clients}") as server:
        run = subprocess.run(
            [sys.executable, "-m", "bench.load", "--clients", clients, "--url", server.url,
             "--pid", str(server.proc.pid), "--sessions", str(sessions), "--seconds",
             str(seconds), "--json", str(out)],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s)
        log = server.log_tail()
    print(run.stdout)
    figures = json.loads(out.read_text())
    assert figures["errors"] == 0, (run.stdout, run.stderr[-3000:], log)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in log, log
    assert figures["sessions"] == sessions and figures["clients"] == clients
    assert figures["actions"] == len(figures["latencies_s"])
    rss = figures["server_rss_mib"]
    assert rss["peak"] < PEAK_RSS_MIB, rss
    assert rss["end"] - rss["warm"] < GROWTH_MIB, rss
    return figures


def test_twenty_websocket_sessions_for_twenty_seconds() -> None:
    """Protocol clients, as cheap as the browser's own client: the figures are the server's."""
    figures = run_bench("ws", sessions=20, seconds=20, timeout_s=180)
    # Every session kept working through the window, each action checked by the client.
    assert figures["min_actions_per_session"] >= 3, figures
    assert figures["actions"] >= 60, figures
    assert 0 < figures["latency_s"]["p95"] < 15, figures["latency_s"]


@pytest.mark.slow
def test_a_few_real_browser_sessions_at_once() -> None:
    """The same loops through Chromium's real widgets (20 renderers would swamp two cores)."""
    figures = run_bench("browser", sessions=4, seconds=15, timeout_s=300)
    assert figures["min_actions_per_session"] >= 1, figures
