"""The server's queues for heavy work: a few slots, a capped line, visitors in turn.

One Streamlit server runs every visitor's script in its own thread of one process. Left alone,
twenty simultaneous uploads decode at once (memory) and three tutorial loops share the GIL with
every click (latency). Here each kind of heavy work has a fixed number of slots for the whole
server and a bounded waiting line (`QUEUES`); a caller who waits is told where it stands, and
one who leaves (Streamlit raises in the waiting callback) frees its place. Callers that name
their visitor (`owner`, a session) are served round-robin between visitors: a visitor who
changes a setting while waiting leaves and comes back at the place it had, not at the back.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from .settings import whole_number

#: Longest pause between two `on_wait` calls while a caller waits for a slot (seconds).
WAIT_POLL_S = 0.2
#: Visitors whose last turn a queue remembers (round-robin); the longest-served are forgotten
#: first, and one forgotten only joins at the back.
REMEMBERED_OWNERS = 4096


class Busy(Exception):
    """The queue's line is full (or the wait was too long); the message is meant for a person.

    Not a ValueError: a busy server is not bad input, and a page that catches bad input must
    not take one for the other.
    """


@dataclass(eq=False)
class _Ticket:
    """One caller in line: for whom, in which order it arrived, its place as a newcomer, and
    since when it waits (time.monotonic)."""

    owner: object
    arrival: int
    place: tuple[int, int]
    since: float = field(default_factory=time.monotonic)


class WorkQueue:
    """At most `slots` holders at a time, holding at most `max_bytes` together; at most
    `max_waiting` callers waiting, visitors in turn.

    Thread-safe. A caller that cannot have a slot at once waits in line, and is told where it
    stands through `on_wait(ahead)` at least every `WAIT_POLL_S` seconds. Anything raised by
    `on_wait` (Streamlit raises from it when the visitor leaves or reruns) takes the caller out
    of the line cleanly, and those behind it move up.

    The line is round-robin between owners (a caller's `owner`, its visitor's session): the
    next served is the one whose owner's last turn is oldest, a newcomer counting as served
    when it first joined; ties, and callers without an owner, go in arrival order. So a
    visitor whose page needs several turns goes behind everyone else after each, and one who
    leaves the line (a setting changed while waiting: Streamlit reruns) and comes back gets
    the place it had rather than the back of the line, where thirty others' turns would come
    first again. Without owners the line is first come, first served.

    Parameters
    ----------
    slots : int
        How many holders may work at the same time (1 or more).
    max_waiting : int
        How many callers may wait in line (0 or more); one more is refused with `Busy`.
    name : str
        What the work is, in plural, for messages ("uploads", "loop runs").
    max_bytes : int or None
        Bytes the holders may declare together (`slot`'s `nbytes`); None for no bound. A
        holder declaring more than this on its own works alone.
    reentrant : bool
        Whether a thread that holds a slot and asks again passes through (work made of other
        work, as a cached computation calling another) instead of waiting behind itself.

    Examples
    --------
    >>> queue = WorkQueue(slots=1, max_waiting=2, name="uploads")
    >>> with queue.slot():
    ...     queue.busy
    1
    >>> queue.busy, queue.waiting
    (0, 0)
    >>> gate = WorkQueue(slots=2, max_waiting=4, name="computations", max_bytes=100)
    >>> with gate.slot(nbytes=60):
    ...     gate.bytes_held
    60
    """

    def __init__(self, slots: int, max_waiting: int, *, name: str = "jobs",
                 max_bytes: int | None = None, reentrant: bool = False) -> None:
        for label, value, low in (("slots", slots, 1), ("max_waiting", max_waiting, 0),
                                  ("max_bytes", 1 if max_bytes is None else max_bytes, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{label} must be a whole number >= {low}; got {value!r}")
        self.slots = slots
        self.max_waiting = max_waiting
        self.name = name
        self.max_bytes = max_bytes
        self.reentrant = reentrant
        self._busy = 0
        self._held = 0
        self._peak_held = 0
        self._line: list[_Ticket] = []
        self._arrivals = 0
        self._turns = 0
        self._owner_places: OrderedDict[object, tuple[int, int]] = OrderedDict()
        self._changed = threading.Condition(threading.Lock())
        self._holder = threading.local()

    @property
    def busy(self) -> int:
        """How many slots are held now."""
        with self._changed:
            return self._busy

    @property
    def waiting(self) -> int:
        """How many callers are waiting in line now."""
        with self._changed:
            return len(self._line)

    def waited(self) -> list[float]:
        """The seconds each caller in line has waited so far, in the order they will be
        served (the next one first)."""
        with self._changed:
            now = time.monotonic()
            return [now - ticket.since for ticket in sorted(self._line, key=self._rank)]

    @property
    def bytes_held(self) -> int:
        """Bytes the holders declared, together."""
        with self._changed:
            return self._held

    @property
    def peak_bytes_held(self) -> int:
        """The most bytes ever declared at once."""
        with self._changed:
            return self._peak_held

    @contextmanager
    def slot(self, on_wait: Callable[[int], object] | None = None, *,
             timeout_s: float | None = None, nbytes: int = 0,
             owner: object = None) -> Iterator[None]:
        """Hold one slot for the `with` block, waiting in line for it if need be.

        Parameters
        ----------
        on_wait : callable or None
            Called as ``on_wait(ahead)`` when the caller has to wait, and again at least every
            `WAIT_POLL_S` seconds until its turn; `ahead` is how many callers wait before it
            (those holding slots not counted). Not called when a slot is free at once.
            Whatever it raises leaves the line and reaches the caller.
        timeout_s : float or None
            Longest wait for a slot; past it, `Busy` is raised. None waits as long as it
            takes.
        nbytes : int
            What the work holds at its peak (an estimate, 0 or more), counted against
            `max_bytes` while the slot is held.
        owner : hashable or None
            Who the work is for (a visitor's session id): owners take turns, round-robin.
            None: in arrival order, as a newcomer.

        Yields
        ------
        None
            Once, when a slot is held; the slot is given back when the block ends, however
            it ends.

        Raises
        ------
        Busy
            When `max_waiting` callers already wait, or after `timeout_s`.

        Examples
        --------
        >>> queue = WorkQueue(slots=1, max_waiting=0, name="uploads")
        >>> with queue.slot():
        ...     try:
        ...         with queue.slot():
        ...             pass
        ...     except Busy as refusal:
        ...         print(str(refusal)[:44])
        The server is busy: 1 upload is being worked
        """
        if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < 0:
            raise ValueError(f"nbytes must be a whole number >= 0; got {nbytes!r}")
        if self.reentrant and getattr(self._holder, "holds", False):
            yield
            return
        self._enter(on_wait, timeout_s, nbytes, owner)
        self._holder.holds = True
        try:
            yield
        finally:
            self._holder.holds = False
            with self._changed:
                self._busy -= 1
                self._held -= nbytes
                self._changed.notify_all()

    def _fits(self, nbytes: int) -> bool:
        return self._busy < self.slots and (
            self.max_bytes is None or self._busy == 0 or self._held + nbytes <= self.max_bytes)

    def _take(self, nbytes: int) -> None:
        self._busy += 1
        self._held += nbytes
        self._peak_held = max(self._peak_held, self._held)

    def _rank(self, ticket: _Ticket) -> tuple[int, int, int]:
        """Where a ticket stands: its owner's place (last turn, or first arrival), then its own
        arrival."""
        return (*self._owner_places.get(ticket.owner, ticket.place), ticket.arrival)

    def _first(self) -> _Ticket:
        return min(self._line, key=self._rank)

    def _ahead(self, ticket: _Ticket) -> int:
        rank = self._rank(ticket)
        return sum(self._rank(other) < rank for other in self._line)

    def _served(self, owner: object) -> None:
        self._turns += 1
        if owner is None:
            return
        # 2t: behind whoever joined before this turn (2t - 1 at most).
        self._owner_places[owner] = (2 * self._turns, 0)
        self._owner_places.move_to_end(owner)
        while len(self._owner_places) > REMEMBERED_OWNERS:
            self._owner_places.popitem(last=False)

    def _enter(self, on_wait: Callable[[int], object] | None, timeout_s: float | None,
               nbytes: int, owner: object) -> None:
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._changed:
            if not self._line and self._fits(nbytes):
                self._take(nbytes)
                self._served(owner)
                return
            if len(self._line) >= self.max_waiting:
                raise Busy(self._full_message())
            self._arrivals += 1
            # A newcomer stands after every owner served so far, before the last one served.
            ticket = _Ticket(owner, self._arrivals, (2 * self._turns - 1, self._arrivals))
            if owner is not None and owner not in self._owner_places:
                # Kept when it leaves: coming back (a rerun), it gets this place again.
                self._owner_places[owner] = ticket.place
            self._line.append(ticket)
        try:
            while True:
                with self._changed:
                    if self._first() is ticket and self._fits(nbytes):
                        self._line.remove(ticket)
                        self._take(nbytes)
                        self._served(owner)
                        # The next in line may have a free slot too, and everyone moved up.
                        self._changed.notify_all()
                        return
                    ahead = self._ahead(ticket)
                if deadline is not None and time.monotonic() >= deadline:
                    raise Busy(f"Waited more than {timeout_s:g} s for a turn: the server "
                               f"is busy with other {self.name}. Try again in a minute.")
                if on_wait is not None:
                    on_wait(ahead)
                with self._changed:
                    if not (self._first() is ticket and self._fits(nbytes)):
                        pause = WAIT_POLL_S
                        if deadline is not None:
                            pause = max(0.0, min(pause, deadline - time.monotonic()))
                        self._changed.wait(pause)
        except BaseException:
            # Streamlit's rerun and stop are BaseExceptions: leave the line for those too.
            with self._changed:
                if ticket in self._line:
                    self._line.remove(ticket)
                self._changed.notify_all()
            raise

    def _full_message(self) -> str:
        waiting = len(self._line)
        if waiting:
            return (f"The server is busy: {self._count(waiting)} already waiting. "
                    "Try again in a minute.")
        return (f"The server is busy: {self._count(self._busy)} being worked on and no more "
                "can wait. Try again in a minute.")

    def _count(self, number: int) -> str:
        if number == 1:
            return f"1 {self.name.removesuffix('s')} is"
        return f"{number} {self.name} are"


# --------------------------------------------------------- working smaller when the line is long


class Pace:
    """How long a page's runs take, by working side: a moving average per side, thread-safe.

    Measured by the server on its own runs (wall time inside the run's slot, waits for a
    computation's turn included), so it knows its machine and its load, not a constant
    written for another. A side not measured yet is estimated from the nearest measured one
    in proportion to its pixels.

    Examples
    --------
    >>> pace = Pace()
    >>> pace.record(512, 2.0)
    >>> pace.seconds(512), pace.seconds(256)
    (2.0, 0.5)
    """

    #: Weight of the newest run in the average.
    NEWEST = 0.3

    def __init__(self) -> None:
        self._by_side: dict[int, float] = {}
        self._lock = threading.Lock()

    def record(self, side: int, seconds: float) -> None:
        """Add one run at `side` (its longer side, px) that took `seconds`."""
        with self._lock:
            old = self._by_side.get(side)
            self._by_side[side] = seconds if old is None else (
                (1 - self.NEWEST) * old + self.NEWEST * seconds)

    def seconds(self, side: int) -> float | None:
        """The expected seconds of a run at `side`; None before any run was measured."""
        with self._lock:
            if side in self._by_side:
                return self._by_side[side]
            if not self._by_side:
                return None
            nearest = min(self._by_side, key=lambda known: abs(known - side))
            return self._by_side[nearest] * (side / nearest) ** 2

    def clear(self) -> None:
        """Forget every measure (tests, and a server that changed machines)."""
        with self._lock:
            self._by_side.clear()


def working_side(full_side: int, sides: tuple[int, ...], waited: Sequence[float], slots: int,
                 pace: Pace, budget_s: float) -> int:
    """The largest working side at which every run waiting behind this one has its result
    within `budget_s` seconds of joining the line, as `pace` expects: `full_side` when the
    line is short.

    `waited` holds the seconds each run in line has already waited, the next one first. The
    one at place ``i`` (from 0) starts once this run and the ``i`` before it have gone through
    `slots` slots, then takes its own time: ``waited[i] + (i + 1) * t / slots + t`` for runs
    of ``t = pace.seconds(side)``. A line that has waited long already (a class that stopped
    changing settings, whose last runs still wait) so keeps working small until it is served.

    The preference a busy server follows (issue #20): wait in line at full size; when the
    line's wait would pass the budget, work smaller (the page says so); the smallest of
    `sides` when even that is too slow (the line's own bound refuses beyond).

    Examples
    --------
    >>> pace = Pace(); pace.record(512, 2.0)
    >>> working_side(512, (384, 256, 128), [0.0] * 3, slots=2, pace=pace, budget_s=8)
    512
    >>> working_side(512, (384, 256, 128), [0.0] * 28, slots=2, pace=pace, budget_s=8)
    256
    >>> working_side(512, (384, 256, 128), [7.0, 0.5, 0.0], slots=2, pace=pace, budget_s=8)
    256
    >>> working_side(512, (384, 256, 128), [0.0] * 400, slots=2, pace=pace, budget_s=8)
    128
    """
    candidates = [full_side, *sorted((s for s in sides if s < full_side), reverse=True)]
    for side in candidates:
        seconds = pace.seconds(side)
        if seconds is None or all(
                already + (place + 1) * seconds / slots + seconds <= budget_s
                for place, already in enumerate(waited)):
            return side
    return candidates[-1]


# ------------------------------------------------------------------ the server's queues


#: Decodes at a time per server (1 or 2; CONVKIT_DECODE_WORKERS), and uploads that may wait
#: for one (CONVKIT_DECODE_QUEUE).
DECODE_WORKERS = whole_number("CONVKIT_DECODE_WORKERS", 1, 1, 2)
DECODE_WAITING = whole_number("CONVKIT_DECODE_QUEUE", 30, 0, 1000)
#: Tutorial-loop runs at a time, and visitors who may wait for one.
LOOP_SLOTS = 1
LOOP_WAITING = 20
#: Heavy restorations (Richardson-Lucy, the unsupervised Wiener) at a time, and visitors who
#: may wait for one: a class of 30 opening the page together all fit in the line. One at a
#: time, up to a second of CPU each, leaves the other core to everyone's clicks.
RESTORE_SLOTS = 1
RESTORE_WAITING = 30
#: Full page runs at a time (CONVKIT_RUN_SLOTS), and how many may wait. Drawing a page is
#: Python work that holds the interpreter lock (figures, tables, markdown): thirty visitors
#: rerunning the deep-learning page at once left a bystander's click 4.5 s behind them. One
#: at a time: with two, thirty visitors training left the bystander's click p95 at 1.28 s,
#: with one at 0.10 s, and each visitor still had the result of their last change within
#: 3.3 s (docs/hosting.md). Fragment runs (a pixel picked in the inspector) do not wait.
RUN_SLOTS = whole_number("CONVKIT_RUN_SLOTS", 1, 1, 16)
RUN_WAITING = whole_number("CONVKIT_RUN_WAITING", 500, 1, 10_000)
#: Computations of the pages (every cached filtering, mapping, restoration, training ...) at
#: a time (CONVKIT_COMPUTE_SLOTS), the bytes they may hold together (CONVKIT_COMPUTE_MB) and
#: how many may wait. NumPy, OpenCV and SciPy release the interpreter lock in their loops, so
#: thirty visitors computing at once were thirty threads on two cores: a bystander's click,
#: the event loop and the health probe each got a thirtieth of the machine, and every
#: computation's working arrays were held at once. One at a time leaves the second core of a
#: two-core replica to clicks, the event loop and the health probe (docs/hosting.md).
COMPUTE_SLOTS = whole_number("CONVKIT_COMPUTE_SLOTS", 1, 1, 8)
COMPUTE_BYTES = whole_number("CONVKIT_COMPUTE_MB", 320, 64, 8192) * 2**20
COMPUTE_WAITING = whole_number("CONVKIT_COMPUTE_WAITING", 200, 1, 10_000)

#: Every server-wide line, by the kind of work that waits in it. Built at import, once per
#: process, not with st.cache_resource: two sessions arriving at once on a cold cache could
#: each build their own, and the bound would not hold.
QUEUES: dict[str, WorkQueue] = {
    "upload": WorkQueue(DECODE_WORKERS, DECODE_WAITING, name="uploads"),
    "loop": WorkQueue(LOOP_SLOTS, LOOP_WAITING, name="loop runs"),
    "restoration": WorkQueue(RESTORE_SLOTS, RESTORE_WAITING, name="restorations"),
    "run": WorkQueue(RUN_SLOTS, RUN_WAITING, name="page runs"),
    "compute": WorkQueue(COMPUTE_SLOTS, COMPUTE_WAITING, name="computations",
                         max_bytes=COMPUTE_BYTES, reentrant=True),
}
