"""Start and stop a real ``streamlit run app.py`` on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

REPO_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
SERVER_START_TIMEOUT_S = 60.0
SERVER_STOP_TIMEOUT_S = 10.0
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

#: What a harness function calls when something it waits for never happens: raise by default;
#: the browser tests pass ``pytest.fail`` instead, for a short failure without a traceback.
Fail = Callable[[str], NoReturn]


class HarnessError(RuntimeError):
    """A server, proxy or page the harness drives did not start or did not answer."""


def raise_error(message: str) -> NoReturn:
    """The default `fail`: raise HarnessError(message)."""
    raise HarnessError(message)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class StreamlitServer:
    """A running server: its base URL, port, process and log file."""

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


def http_get(url: str, cookie: str | None = None, timeout_s: float = 10) -> tuple[int, dict,
                                                                                 bytes]:
    """(status, headers, body) of a GET, HTTP errors included; only loopback URLs."""
    check_loopback(url)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def active_sessions(server_url: str) -> int | None:
    """A server's own count of open sessions (its /_stcore/metrics), None if unreadable.

    Ask a replica directly: deploy/nginx.conf hides /_stcore/metrics from the public.
    """
    with contextlib.suppress(OSError):
        status, _, body = http_get(f"{server_url}/_stcore/metrics")
        found = re.search(rb"^active_sessions (\d+)", body, re.MULTILINE)
        if status == 200 and found:
            return int(found.group(1))
    return None


def check_loopback(url: str) -> str:
    """`url` without a trailing slash; ValueError unless its host is this machine."""
    from urllib.parse import urlparse

    host = urlparse(url).hostname
    if host not in LOOPBACK_HOSTS:
        raise ValueError(f"the harness only drives this machine; got host {host!r} "
                         f"(allowed: {', '.join(sorted(LOOPBACK_HOSTS))})")
    return url.rstrip("/")


def _wait_until_healthy(server: StreamlitServer, timeout_s: float, fail: Fail) -> None:
    health = f"{server.url}/_stcore/health"
    deadline = time.monotonic() + timeout_s
    last_error = "no attempt"
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            fail(f"Streamlit exited with code {server.proc.returncode} before becoming healthy."
                 f"\nLog ({server.log_path}):\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(health, timeout=2) as resp:
                body = resp.read().decode(errors="replace").strip()
                if resp.status == 200 and body == "ok":
                    return
                last_error = f"HTTP {resp.status}: {body!r}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = repr(exc)
        time.sleep(0.25)
    fail(f"Streamlit did not answer 'ok' on {health} within {timeout_s:.0f} s "
         f"(last: {last_error}).\nLog ({server.log_path}):\n{server.log_tail()}")


def stop_process_group(proc: subprocess.Popen, sig: int = signal.SIGTERM,
                       timeout_s: float = SERVER_STOP_TIMEOUT_S) -> None:
    """Send `sig` to the process group `proc` leads, wait; SIGKILL if it outlives `timeout_s`."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout_s)


@contextlib.contextmanager
def run_streamlit(
    script: str = "app.py",
    *,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    log_name: str = "streamlit",
    env: dict[str, str] | None = None,
    timeout_s: float = SERVER_START_TIMEOUT_S,
    log_dir: Path = ARTIFACTS_DIR,
    fail: Fail = raise_error,
) -> Iterator[StreamlitServer]:
    """Start `streamlit run SCRIPT` on 127.0.0.1 (cwd = repo root), wait until healthy.

    Output goes to ``<log_dir>/<log_name>.log`` (default ``test-artifacts/``); the process
    group is terminated on exit.

    Example
    -------
    >>> with run_streamlit("app.py") as server:  # doctest: +SKIP
    ...     http_get(server.url + "/_stcore/health")[2]
    b'ok'
    """
    port = port or free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{log_name}.log"
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
    server = StreamlitServer(url=f"http://127.0.0.1:{port}", port=port, proc=proc,
                             log_path=log_path)
    try:
        _wait_until_healthy(server, timeout_s, fail)
        yield server
    finally:
        stop_process_group(proc)
