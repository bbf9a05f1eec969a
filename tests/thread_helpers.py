"""Threads in tests: start them, wait for a condition by polling, join them, all bounded."""

from __future__ import annotations

import threading
import time

#: Every wait in these tests ends within this many seconds, or the test fails.
BOUND_S = 10.0


def wait_until(condition, bound: float = BOUND_S) -> None:
    """Poll `condition` until it holds; fail the test after `bound` seconds."""
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)


def start(target, *args) -> threading.Thread:
    """`target(*args)` in a daemon thread, started."""
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def join_all(threads) -> None:
    """Join every thread within BOUND_S; fail the test if one is still running."""
    for thread in threads:
        thread.join(BOUND_S)
        assert not thread.is_alive(), "a thread is still waiting"
