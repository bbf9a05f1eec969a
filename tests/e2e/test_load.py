"""Load: concurrent visitors pick kernels and pixels without an error and without a leak.

Short CI runs of ``python -m bench.load`` (the full ones are in docs/performance.md,
"Capacity"), each against servers of its own so that their memory can be watched. They check
correctness and bounded memory, never speed: the figures, p95 latency among them, are printed
and written to ``test-artifacts/load-*.json``.
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


def run_bench(name: str, args: list[str], timeout_s: float,
              server_args: tuple[str, ...] | None = ()) -> dict:
    """Run bench.load with `args`; against one server of ours when `server_args` is a tuple
    (its extra arguments), or letting bench.load start its own (None); returns the figures."""
    out = ARTIFACTS_DIR / f"load-{name}.json"
    command = [sys.executable, "-m", "bench.load", *args, "--json", str(out)]
    if server_args is None:
        run = subprocess.run([*command, "--logs", str(ARTIFACTS_DIR)], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=timeout_s)
        log = "".join((ARTIFACTS_DIR / f"load-server-{i}.log").read_text(errors="replace")
                      for i in range(2))
    else:
        with run_streamlit("app.py", log_name=f"streamlit-load-{name}",
                           extra_args=server_args) as server:
            run = subprocess.run([*command, "--url", server.url, "--pid", str(server.proc.pid)],
                                 cwd=REPO_ROOT, capture_output=True, text=True,
                                 timeout=timeout_s)
            log = server.log_tail()
    print(run.stdout)
    figures = json.loads(out.read_text())
    assert figures["errors"] == 0, (run.stdout, run.stderr[-3000:], log[-3000:])
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in log, log[-6000:]
    assert figures["actions"] == len(figures["latencies_s"])
    assert figures["actions"] == sum(k["count"] for k in figures["by_action_s"].values())
    rss = figures["server_rss_mib"]
    assert rss["peak"] < PEAK_RSS_MIB * figures["replicas"], rss
    assert rss["end"] - rss["warm"] < GROWTH_MIB, rss
    assert figures["server_cpu_s"] > 0 and figures["actions_per_core_s"] > 0, figures
    return figures


def test_twenty_websocket_sessions_for_ten_seconds() -> None:
    """Protocol clients, as cheap as the browser's own client: the figures are the server's
    (its latency percentiles: ``python -m bench.load --sessions 20 --seconds 10``)."""
    figures = run_bench("ws", ["--sessions", "20", "--seconds", "10"], timeout_s=180)
    assert figures["sessions"] == 20 and figures["clients"] == "ws"
    # Every session kept working through the window, each action checked by the client.
    assert figures["min_actions_per_session"] >= 3, figures
    assert figures["actions"] >= 60, figures
    assert figures["sessions_per_replica"] == [20]


def test_two_replicas_behind_nginx_with_thinking_visitors() -> None:
    """deploy/nginx.conf in front of two servers: every visitor's actions reach its own
    session (the client checks each answer), and the route cookies spread the visitors."""
    figures = run_bench("replicas", ["--replicas", "2", "--sessions", "30", "--think", "1",
                                     "--seconds", "12"], timeout_s=240, server_args=None)
    assert figures["replicas"] == 2 and figures["think_s"] == 1
    spread = figures["sessions_per_replica"]
    assert len(spread) == 2 and min(spread) >= 1 and sum(spread) == 30, spread
    # A pause is at least half the think time, so no visitor can act more than 25 times.
    assert max(figures["per_session_actions"]) <= 12 / 0.5 + 1, figures["per_session_actions"]
    assert figures["min_actions_per_session"] >= 3, figures
    assert len(figures["server_rss_series_mib"][0]) == 4  # time, total, each replica


@pytest.mark.slow
def test_a_few_real_browser_sessions_at_once() -> None:
    """The same loops through Chromium's real widgets (20 renderers would swamp two cores)."""
    figures = run_bench("browser", ["--clients", "browser", "--sessions", "4",
                                    "--seconds", "10"], timeout_s=300)
    assert figures["min_actions_per_session"] >= 1, figures
