"""The server queues' timing on this machine: how often a waiter hears its place, how fast a full
line refuses, how close a timeout lands.

    python -m bench.queues [--rounds 20]

tests/unit/test_queues.py checks what is a fact (every pause of a waiter is bounded by
WAIT_POLL_S, a full line refuses without standing in it, a timeout gives up and leaves the
line); the seconds those take depend on the machine and its load, so they are printed here:

- the gaps between one waiter's ``on_wait`` calls (WAIT_POLL_S plus scheduling),
- the time a caller takes to be refused by a full line (``Busy`` at once),
- how long a ``timeout_s=0.3`` wait lasts before ``Busy``.
"""

from __future__ import annotations

import argparse
import threading
import time

from server.queues import WAIT_POLL_S, Busy, WorkQueue

from .common import format_table

TIMEOUT_S = 0.3


def _spread(values: list[float]) -> tuple[str, str, str]:
    """p50, p95 and max, in seconds to 0.1 ms."""
    ordered = sorted(values)
    p50, p95 = (ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in (0.5, 0.95))
    return f"{p50:.4f}", f"{p95:.4f}", f"{ordered[-1]:.4f}"


def _held(queue: WorkQueue):
    """A holder thread keeping `queue`'s one slot until the returned event is set."""
    release, holding = threading.Event(), threading.Event()

    def hold() -> None:
        with queue.slot():
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    holding.wait(30)
    return release, thread


def measure(rounds: int) -> dict[str, list[float]]:
    """Seconds: on_wait gaps, refusals of a full line, timeouts of TIMEOUT_S."""
    gaps, refusals, timeouts = [], [], []
    for _ in range(rounds):
        queue = WorkQueue(slots=1, max_waiting=1, name="bench")
        release, holder = _held(queue)
        calls: list[float] = []

        def wait_in_line(queue: WorkQueue = queue, calls: list[float] = calls) -> None:
            with queue.slot(lambda ahead: calls.append(time.monotonic())):
                pass

        waiter = threading.Thread(target=wait_in_line, daemon=True)
        waiter.start()
        while len(calls) < 6:
            time.sleep(0.01)
        began = time.monotonic()
        try:
            with queue.slot():
                pass
        except Busy:
            refusals.append(time.monotonic() - began)
        gaps += [later - earlier for earlier, later in zip(calls, calls[1:], strict=False)]
        release.set()
        holder.join(30)
        waiter.join(30)

        queue = WorkQueue(slots=1, max_waiting=1, name="bench")
        release, holder = _held(queue)
        began = time.monotonic()
        try:
            with queue.slot(timeout_s=TIMEOUT_S):
                pass
        except Busy:
            timeouts.append(time.monotonic() - began)
        release.set()
        holder.join(30)
    return {"gaps": gaps, "refusals": refusals, "timeouts": timeouts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queues",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, choices=range(1, 201),
                        metavar="1..200")
    args = parser.parse_args(argv)
    figures = measure(args.rounds)
    print(format_table(["seconds", "p50", "p95", "max", "n"], [
        [f"on_wait gap (WAIT_POLL_S = {WAIT_POLL_S})", *_spread(figures["gaps"]),
         len(figures["gaps"])],
        ["refused by a full line", *_spread(figures["refusals"]), len(figures["refusals"])],
        [f"timeout_s = {TIMEOUT_S}", *_spread(figures["timeouts"]), len(figures["timeouts"])],
    ]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
