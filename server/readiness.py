"""Is this replica ready for new visitors? The server writes how full it is; a probe reads it.

A replica whose shared work has spent its memory budget, or whose computations already have a
long line, should get no new visitors: Kubernetes' readiness probe then takes it out of the
Service's endpoints and the Ingress sends newcomers to another replica, while the visitors it
has keep their open connections. Streamlit's own /_stcore/health says only that the process
answers, so the server writes its figures to a small file every STATUS_EVERY_S seconds
(`write_status`, started by server.guards) and ``python -m server.readiness --port 8501`` (the
probe) reads them: exit 0 when ready, 1 when full or when the figures are stale (the server
has stopped writing: something is wrong). A replica nobody has visited has written nothing
yet (or its port holds an earlier server's old figures): the probe has it run the app's
script once (`start_script`).

    python -m server.readiness --port 8501      # "ready: 612 MiB of 1200, 0 computations waiting"
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .settings import whole_number

#: Seconds between two status files.
STATUS_EVERY_S = 2.0
#: Figures older than this mean the server stopped writing (seconds).
STALE_AFTER_S = 30.0
#: How long the probe waits for the server's script check (seconds): within the readiness
#: probe's timeout (deploy/k8s.yaml, 3 s) with FIRST_STATUS_WAIT_S.
START_TIMEOUT_S = 2.0
#: How long the probe then waits for the first status file (seconds).
FIRST_STATUS_WAIT_S = 0.5

#: Resident memory of the server and its workers at which the replica is full (MiB;
#: CONVKIT_FULL_MB): the budget of deploy/k8s.yaml's 2 GiB pod (docs/hosting.md, "Memory").
FULL_MB = whole_number("CONVKIT_FULL_MB", 1200, 1, 1 << 20)
#: Computations waiting at which the replica is full (CONVKIT_FULL_WAITING): at one second a
#: computation, newcomers would wait longer than a person does.
FULL_WAITING = whole_number("CONVKIT_FULL_WAITING", 60, 1, 100_000)


def status_path(port: int) -> Path:
    """Where the server on `port` writes its status (the temporary directory: in memory in a
    pod)."""
    return Path(tempfile.gettempdir()) / f"convkit-status-{int(port)}.json"


def tree_rss_mib(pid: int) -> float:
    """Resident memory of `pid` and every process below it (MiB), from /proc; 0 elsewhere."""
    total_kib, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                total_kib += next((int(line.split()[1]) for line in status
                                   if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return total_kib / 1024


def write_status(port: int, waiting: int) -> dict:
    """Write this process's figures for the probe; returns them.

    `waiting`: computations waiting in the server's compute queue now.
    """
    figures = {"time": time.time(), "rss_mib": round(tree_rss_mib(os.getpid()), 1),
               "waiting": int(waiting), "full_mb": FULL_MB, "full_waiting": FULL_WAITING}
    path = status_path(port)
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(figures))
    partial.replace(path)  # the probe never reads half a file
    return figures


def verdict(figures: dict | None, now: float | None = None) -> tuple[bool, str]:
    """Whether a replica with these figures takes new visitors, and why, in words."""
    if figures is None:
        return False, "not ready: the server has written no status yet"
    age = _age_s(figures, now)
    if age > STALE_AFTER_S:
        return False, f"not ready: the status is {age:.0f} s old"
    rss, waiting = float(figures["rss_mib"]), int(figures["waiting"])
    limit_mb, limit_waiting = int(figures["full_mb"]), int(figures["full_waiting"])
    if rss >= limit_mb:
        return False, f"full: {rss:.0f} MiB of {limit_mb}"
    if waiting >= limit_waiting:
        return False, f"full: {waiting} computations waiting (at most {limit_waiting})"
    return True, f"ready: {rss:.0f} MiB of {limit_mb}, {waiting} computations waiting"


def read_status(port: int) -> dict | None:
    """The figures the server on `port` last wrote, or None if there are none (yet)."""
    try:
        return json.loads(status_path(port).read_text())
    except (OSError, ValueError):
        return None


def _age_s(figures: dict, now: float | None = None) -> float:
    return (time.time() if now is None else now) - float(figures["time"])


def _fresh(figures: dict | None) -> bool:
    return figures is not None and _age_s(figures) <= STALE_AFTER_S


def start_script(port: int, timeout_s: float = START_TIMEOUT_S) -> None:
    """Have the server on `port` run the app's script once, as no visitor has yet.

    Streamlit runs a script only for a session, so a replica nobody has visited writes no
    status and would never be ready (nor get the visitor who would start it). Its script
    check (``server.scriptHealthCheckEnabled``) runs app.py in a session of its own: the
    script's guards start writing the status, and ``st.navigation`` ends Streamlit's
    pages-folder mode, which would otherwise give the first visitors on a link to a page
    (/pixel_inspector) that page alone, without the app round it. A slow or refused answer
    changes nothing: the next probe looks again.
    """
    url = f"http://127.0.0.1:{int(port)}/_stcore/script-health-check"
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            response.read()
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.readiness",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8501, help="the server's port (8501)")
    args = parser.parse_args(argv)
    figures = read_status(args.port)
    if not _fresh(figures):
        # Nothing written yet, or figures left by an earlier server on this port (a restarted
        # container keeps its /tmp): have this one run its script, then read what it writes.
        start_script(args.port)
        deadline = time.monotonic() + FIRST_STATUS_WAIT_S
        while not _fresh(figures) and time.monotonic() < deadline:
            time.sleep(0.1)
            figures = read_status(args.port)
    ready, why = verdict(figures)
    print(why)
    return 0 if ready else 1


if __name__ == "__main__":
    sys.exit(main())
