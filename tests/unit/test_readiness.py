"""server.readiness: the figures a replica writes, and the probe's verdict on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.process import rss_kib, tree_rss_kib
from server import readiness

ROOT = Path(__file__).resolve().parents[2]


def figures(**changes) -> dict:
    base = {"time": 1000.0, "rss_mib": 600.0, "waiting": 3, "full_mb": 1200, "full_waiting": 60}
    return {**base, **changes}


@pytest.mark.parametrize("changes, ready, words", [
    ({}, True, "ready: 600 MiB of 1200, 3 computations waiting"),
    ({"rss_mib": 1200.0}, False, "full: 1200 MiB of 1200"),
    ({"waiting": 60}, False, "full: 60 computations waiting (at most 60)"),
    ({"time": 1000.0 - 31}, False, "not ready: the status is 31 s old"),
])
def test_the_verdict_on_a_replicas_figures(changes, ready, words):
    assert readiness.verdict(figures(**changes), now=1000.0) == (ready, words)


def test_no_figures_is_not_ready():
    assert readiness.verdict(None) == (False, "not ready: the server has written no status yet")


def probe(port: int, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server.readiness", "--port", str(port)],
                          cwd=ROOT, env={**os.environ, "TMPDIR": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)


def test_the_probe_reads_what_the_server_wrote(tmp_path, monkeypatch):
    """write_status then the probe, as Kubernetes runs it: exit 0 and why under a budget it
    keeps; a replica over its memory budget (here a budget of 1 MiB) exits 1 with "full"; no
    file: exit 1."""
    monkeypatch.setattr(readiness.tempfile, "gettempdir", lambda: str(tmp_path))
    # The figures are this test process's: under `make test` its tree may also hold an app
    # server and a browser that other tests started, so the budget here is out of their reach.
    monkeypatch.setattr(readiness, "FULL_MB", 1 << 20)
    written = readiness.write_status(18501, waiting=2)
    assert json.loads(readiness.status_path(18501).read_text()) == written
    done = probe(18501, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ready: ") and "2 computations waiting" in done.stdout
    monkeypatch.setattr(readiness, "FULL_MB", 1)
    readiness.write_status(18501, waiting=0)
    done = probe(18501, tmp_path)
    assert done.returncode == 1 and done.stdout.startswith("full: ")
    assert probe(18502, tmp_path).returncode == 1


def test_tree_rss_counts_the_workers_too():
    """A child holding 200 MB shows in the parent's tree figure (what the pod's limit counts),
    as /proc reads it independently (harness.process)."""
    child = subprocess.Popen([sys.executable, "-c",
                              "import sys, time; b = bytearray(200 << 20); b[::4096] = b'x' * "
                              "len(b[::4096]); print('held', flush=True); time.sleep(60)"],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        own_mib = rss_kib(os.getpid()) / 1024
        assert readiness.tree_rss_mib(os.getpid()) - own_mib >= 195
        assert abs(readiness.tree_rss_mib(os.getpid()) - tree_rss_kib(os.getpid()) / 1024) < 20
    finally:
        child.kill()
        child.wait()
