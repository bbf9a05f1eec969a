"""A real ``redis-server`` on a free loopback port, for the poll's tests and benchmarks.

Debian's redis-server (scripts/system-packages.sh installs it), started in the foreground with
no persistence, stopped by its PID. Nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .server import Fail, free_port, raise_error, stop_process_group

REDIS_SERVER = Path("/usr/bin/redis-server")
START_TIMEOUT_S = 10.0


@dataclass
class RedisServer:
    """A running redis-server: its URL (``redis://127.0.0.1:<port>/0``), port and process."""

    url: str
    port: int
    proc: subprocess.Popen

    def stop(self) -> None:
        """Stop it now (the poll's "Redis went away" case); idempotent."""
        stop_process_group(self.proc, timeout_s=5)


def _answers_ping(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5) as s:
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    return False


@contextlib.contextmanager
def run_redis(*, fail: Fail = raise_error) -> Iterator[RedisServer]:
    """redis-server on 127.0.0.1 and a free port, no disk writes, until the block ends."""
    if not REDIS_SERVER.is_file():
        fail("redis-server not found: apt-get install -y redis-server")
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="convkit-redis-"))
    proc = subprocess.Popen(
        [str(REDIS_SERVER), "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(workdir), "--daemonize", "no",
         "--protected-mode", "yes", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        start_new_session=True)
    server = RedisServer(f"redis://127.0.0.1:{port}/0", port, proc)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers_ping(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                fail(f"redis-server did not answer PING on port {port}")
            time.sleep(0.05)
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
