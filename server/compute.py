"""One server-wide gate for the heavy computations of every visitor: few at a time, bounded in
bytes, taken in turn.

A Streamlit server runs each visitor's script in a thread of one process. NumPy, OpenCV and
SciPy release the interpreter lock inside their loops, so thirty visitors computing at once
were thirty threads on two cores: a bystander's click, the event loop and the health probe
each got a thirtieth of the machine, and every computation's working arrays (a 2048 px colour
response is 50 MB, its padding and temporaries as much again) were held at the same time.
Here a computation takes one of `slots` places and declares the bytes it will hold; while
the places or the bytes are taken it waits in line, in arrival order, so the machine's other
core stays free for light work and the memory in flight stays under `max_bytes`.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Longest pause between two `on_wait` calls while a computation waits (seconds).
WAIT_POLL_S = 0.1


class Busy(Exception):
    """The server cannot take this work now; the message is meant for a person.

    Not a ValueError: a busy server is not bad input, and must never be caught as one.
    """


def _setting(name: str, default: int, low: int, high: int) -> int:
    """A whole number from the environment, kept within [low, high]; the default if unreadable."""
    try:
        return min(high, max(low, int(os.environ.get(name, default))))
    except ValueError:
        return default


class ComputeGate:
    """At most `slots` computations at a time, holding at most `max_bytes` together.

    Thread-safe. A computation that cannot start at once waits in line behind the earlier
    ones (first come, first served: a visitor whose page needs several computations goes to
    the back of the line after each, so visitors take turns). `on_wait(ahead)` is called at
    least every `WAIT_POLL_S` seconds while it waits; whatever it raises (Streamlit's rerun
    or stop, when the visitor changed a setting or left) takes it out of the line.

    Parameters
    ----------
    slots : int
        Computations at a time (1 or more).
    max_bytes : int
        Bytes the computations under way may declare together. One computation declaring
        more than this runs alone.
    max_waiting : int
        Computations that may wait; one more is refused with `Busy`.

    Examples
    --------
    >>> gate = ComputeGate(slots=1, max_bytes=100, max_waiting=4)
    >>> with gate.turn(60):
    ...     gate.running, gate.bytes_held
    (1, 60)
    >>> gate.running, gate.bytes_held
    (0, 0)
    """

    def __init__(self, slots: int, max_bytes: int, max_waiting: int) -> None:
        for label, value, low in (("slots", slots, 1), ("max_bytes", max_bytes, 1),
                                  ("max_waiting", max_waiting, 0)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{label} must be a whole number >= {low}; got {value!r}")
        self.slots, self.max_bytes, self.max_waiting = slots, max_bytes, max_waiting
        self._running = 0
        self._held = 0
        self._peak_held = 0
        self._line: deque[tuple[object, int]] = deque()
        self._changed = threading.Condition(threading.Lock())
        self._holder = threading.local()

    @property
    def running(self) -> int:
        """Computations under way now."""
        with self._changed:
            return self._running

    @property
    def bytes_held(self) -> int:
        """Bytes the computations under way declared."""
        with self._changed:
            return self._held

    @property
    def peak_bytes_held(self) -> int:
        """The most bytes ever declared at once (for tests and benchmarks)."""
        with self._changed:
            return self._peak_held

    @property
    def waiting(self) -> int:
        """Computations waiting in line now."""
        with self._changed:
            return len(self._line)

    def _fits(self, nbytes: int) -> bool:
        return self._running < self.slots and (
            self._running == 0 or self._held + nbytes <= self.max_bytes)

    def _take(self, nbytes: int) -> None:
        self._running += 1
        self._held += nbytes
        self._peak_held = max(self._peak_held, self._held)

    @contextmanager
    def turn(self, nbytes: int, on_wait: Callable[[int], object] | None = None, *,
             timeout_s: float | None = None) -> Iterator[None]:
        """Hold a place, and `nbytes` of the budget, for the `with` block.

        Parameters
        ----------
        nbytes : int
            What the computation will hold at its peak (an estimate, 0 or more).
        on_wait : callable or None
            ``on_wait(ahead)`` while waiting, `ahead` being how many wait before it.
        timeout_s : float or None
            Longest wait; past it `Busy` is raised.

        Raises
        ------
        Busy
            When `max_waiting` computations already wait, or after `timeout_s`.
        """
        if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < 0:
            raise ValueError(f"nbytes must be a whole number >= 0; got {nbytes!r}")
        if getattr(self._holder, "depth", 0):
            # A computation made of others already holds this thread's turn: waiting for a
            # second one behind itself would never end.
            yield
            return
        self._enter(nbytes, on_wait, timeout_s)
        self._holder.depth = 1
        try:
            yield
        finally:
            self._holder.depth = 0
            with self._changed:
                self._running -= 1
                self._held -= nbytes
                self._changed.notify_all()

    def _enter(self, nbytes: int, on_wait, timeout_s: float | None) -> None:
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        ticket = (object(), nbytes)
        with self._changed:
            if not self._line and self._fits(nbytes):
                self._take(nbytes)
                return
            if len(self._line) >= self.max_waiting:
                raise Busy(f"The server is busy: {len(self._line)} computations are already "
                           "waiting. Try again in a minute.")
            self._line.append(ticket)
        try:
            while True:
                with self._changed:
                    if self._line[0] is ticket and self._fits(nbytes):
                        self._line.popleft()
                        self._take(nbytes)
                        self._changed.notify_all()
                        return
                    ahead = self._line.index(ticket)
                if deadline is not None and time.monotonic() >= deadline:
                    raise Busy(f"Waited more than {timeout_s:g} s for a turn: the server is "
                               "busy with other visitors' work. Try again in a minute.")
                if on_wait is not None:
                    on_wait(ahead)
                with self._changed:
                    if not (self._line[0] is ticket and self._fits(nbytes)):
                        self._changed.wait(WAIT_POLL_S)
        except BaseException:
            # Streamlit's rerun and stop are BaseExceptions: leave the line for those too.
            with self._changed:
                if ticket in self._line:
                    self._line.remove(ticket)
                self._changed.notify_all()
            raise


#: Computations at a time per server (CONVKIT_COMPUTE_SLOTS, 1 to 8). One leaves the second
#: core of a two-core replica to clicks, the event loop and the health probe.
COMPUTE_SLOTS = _setting("CONVKIT_COMPUTE_SLOTS", 1, 1, 8)
#: Bytes the computations under way may hold together (CONVKIT_COMPUTE_MB, in MB).
COMPUTE_BYTES = _setting("CONVKIT_COMPUTE_MB", 320, 64, 8192) * 2**20
#: Computations that may wait: every visitor of a full class, several times over.
COMPUTE_WAITING = _setting("CONVKIT_COMPUTE_WAITING", 200, 1, 10_000)

#: The server's gate, one per process, shared by every session.
GATE = ComputeGate(COMPUTE_SLOTS, COMPUTE_BYTES, COMPUTE_WAITING)
