"""server.queues with real threads: slots, arrival order, where waiters stand, leaving,
refusing with Busy (never a ValueError), and the server's own queues."""

from __future__ import annotations

import threading
import time

import pytest
from thread_helpers import BOUND_S, join_all, start, wait_until

from server import queues
from server.queues import WAIT_POLL_S, Busy, WorkQueue
from server.settings import whole_number


class Visitor(BaseException):
    """Stands in for Streamlit's StopException / RerunException (BaseExceptions too)."""


def test_never_more_holders_than_slots():
    """Twelve threads through two slots: at most two inside at any moment, all get through."""
    queue = WorkQueue(slots=2, max_waiting=20)
    inside, most, done = [0], [0], []
    lock = threading.Lock()

    def work(i):
        with queue.slot():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1
        done.append(i)

    join_all([start(work, i) for i in range(12)])
    assert most[0] == 2 and sorted(done) == list(range(12))
    assert queue.busy == 0 and queue.waiting == 0


def test_waiters_get_their_turn_in_arrival_order():
    """With one slot held, four callers queued one after another get it in that order."""
    queue = WorkQueue(slots=1, max_waiting=10)
    order, release = [], threading.Event()

    def hold():
        with queue.slot():
            release.wait(BOUND_S)

    def wait_turn(i):
        with queue.slot():
            order.append(i)

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    for i in range(4):
        threads.append(start(wait_turn, i))
        wait_until(lambda i=i: queue.waiting == i + 1)
    release.set()
    join_all(threads)
    assert order == [0, 1, 2, 3]


def test_on_wait_says_how_many_are_ahead_often_enough():
    """The second waiter hears "1 ahead" then "0 ahead", and between two calls it never waits
    longer than WAIT_POLL_S (the gaps in seconds: `python -m bench.queues`)."""
    queue = WorkQueue(slots=1, max_waiting=10)
    first_may_go, holder_may_go = threading.Event(), threading.Event()
    aheads: list[int] = []
    pauses: list[float | None] = []  # the second waiter's waits between two calls
    second_waiter: list[int] = []
    condition_wait = queue._changed.wait

    def recorded_wait(timeout=None):
        if threading.get_ident() in second_waiter:
            pauses.append(timeout)
        return condition_wait(timeout)

    queue._changed.wait = recorded_wait

    def hold():
        with queue.slot():
            holder_may_go.wait(BOUND_S)

    def first():
        with queue.slot():
            first_may_go.wait(BOUND_S)

    def second():
        second_waiter.append(threading.get_ident())
        with queue.slot(aheads.append):
            pass

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    threads.append(start(first))
    wait_until(lambda: queue.waiting == 1)
    threads.append(start(second))
    wait_until(lambda: len(aheads) >= 4)
    holder_may_go.set()  # first takes the slot; second is now first in line, behind a holder
    wait_until(lambda: queue.waiting == 1 and aheads[-1] == 0)
    wait_until(lambda: aheads.count(0) >= 3)
    first_may_go.set()
    join_all(threads)
    assert aheads[0] == 1 and aheads[-1] == 0
    assert aheads == sorted(aheads, reverse=True)
    assert len(pauses) >= len(aheads) - 1 >= 6
    assert all(pause is not None and 0 <= pause <= WAIT_POLL_S for pause in pauses), pauses


@pytest.mark.parametrize("raised", [RuntimeError, Visitor])
def test_raising_from_on_wait_leaves_the_line_cleanly(raised):
    """A waiter whose on_wait raises leaves; the one behind moves up and gets the slot."""
    queue = WorkQueue(slots=1, max_waiting=10)
    release, outcome, behind = threading.Event(), [], []

    def hold():
        with queue.slot():
            release.wait(BOUND_S)

    def leaver():
        calls = []

        def on_wait(ahead):
            calls.append(ahead)
            if len(calls) == 3:
                raise raised("the visitor left")

        try:
            with queue.slot(on_wait):
                outcome.append("got a slot")
        except raised:
            outcome.append("left")

    def stayer():
        with queue.slot(behind.append):
            outcome.append("stayer served")

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    threads.append(start(leaver))
    wait_until(lambda: queue.waiting == 1)
    threads.append(start(stayer))
    wait_until(lambda: outcome == ["left"])
    wait_until(lambda: queue.waiting == 1 and behind and behind[-1] == 0)
    assert behind[0] == 1  # it stood behind the leaver before
    release.set()
    join_all(threads)
    assert outcome == ["left", "stayer served"]
    assert queue.busy == 0 and queue.waiting == 0


def test_a_full_line_is_refused_at_once_with_a_message():
    """One holder, one waiter, max_waiting=1: a third caller gets Busy, not a ValueError, without
    standing in line (its on_wait is never called; the seconds: `python -m bench.queues`)."""
    queue = WorkQueue(slots=1, max_waiting=1, name="uploads")
    release = threading.Event()

    def hold():
        with queue.slot():
            release.wait(BOUND_S)

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    threads.append(start(hold))
    wait_until(lambda: queue.waiting == 1)
    heard = []
    with pytest.raises(Busy, match="1 upload is already waiting") as info, \
            queue.slot(heard.append):
        pass
    assert heard == [] and queue.waiting == 1
    assert not isinstance(info.value, ValueError)
    release.set()
    join_all(threads)
    with queue.slot():  # free again
        assert queue.busy == 1


def test_timeout_gives_up_and_leaves_the_line():
    """timeout_s bounds the wait: Busy after no less than that, long before the holder lets go
    (BOUND_S), and the line is empty again (how close to 0.3 s: `python -m bench.queues`)."""
    queue = WorkQueue(slots=1, max_waiting=5, name="loop runs")
    release = threading.Event()

    def hold():
        with queue.slot():
            release.wait(BOUND_S)

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    started = time.monotonic()
    with pytest.raises(Busy, match="loop runs"), queue.slot(timeout_s=0.3):
        pass
    assert time.monotonic() - started >= 0.3
    assert queue.waiting == 0 and not release.is_set() and queue.busy == 1
    release.set()
    join_all(threads)


def test_an_error_inside_the_block_frees_the_slot():
    """The slot is given back however the block ends."""
    queue = WorkQueue(slots=1, max_waiting=0)
    with pytest.raises(ZeroDivisionError), queue.slot():
        raise ZeroDivisionError
    assert queue.busy == 0
    with queue.slot():
        assert queue.busy == 1


@pytest.mark.parametrize("kwargs, word", [({"slots": 0, "max_waiting": 1}, "slots"),
                                          ({"slots": 1, "max_waiting": -1}, "max_waiting"),
                                          ({"slots": 1.5, "max_waiting": 1}, "slots")])
def test_bad_sizes_are_refused(kwargs, word):
    """slots >= 1 and max_waiting >= 0, whole numbers, named in the error."""
    with pytest.raises(ValueError, match=word):
        WorkQueue(**kwargs)


def test_busy_is_not_bad_input():
    """Busy is an Exception but not a ValueError: a page that catches bad input (ValueError,
    ImageLoadError) lets a busy server through to its own handler."""
    assert issubclass(Busy, Exception) and not issubclass(Busy, ValueError)
    queue = WorkQueue(slots=1, max_waiting=0, name="restorations")
    caught = []
    with queue.slot():
        try:
            try:
                with queue.slot():
                    pass
            except ValueError:  # what a page writes for "not possible with this input"
                caught.append("bad input")
        except Busy as busy:
            caught.append(f"busy: {busy}")
    assert caught == ["busy: The server is busy: 1 restoration is being worked on and no more "
                      "can wait. Try again in a minute."]


def test_the_server_queues_and_their_bounds():
    """One queue per kind of heavy work, sized as docs/hosting.md states; decodes 1 or 2 at a
    time; computations one at a time by default, bounded in bytes, reentrant."""
    assert sorted(queues.QUEUES) == ["compute", "loop", "restoration", "run", "upload"]
    run = queues.QUEUES["run"]
    assert (run.slots, run.max_waiting) == (queues.RUN_SLOTS, queues.RUN_WAITING) == (1, 500)
    sizes = {kind: (queue.slots, queue.max_waiting) for kind, queue in queues.QUEUES.items()}
    assert sizes["loop"] == (queues.LOOP_SLOTS, queues.LOOP_WAITING) == (1, 20)
    assert sizes["restoration"] == (queues.RESTORE_SLOTS, queues.RESTORE_WAITING) == (1, 30)
    assert sizes["upload"] == (queues.DECODE_WORKERS, queues.DECODE_WAITING)
    assert 1 <= queues.DECODE_WORKERS <= 2 and 0 <= queues.DECODE_WAITING <= 1000
    compute = queues.QUEUES["compute"]
    assert (compute.slots, compute.max_waiting, compute.max_bytes) == (
        queues.COMPUTE_SLOTS, queues.COMPUTE_WAITING, queues.COMPUTE_BYTES)
    assert compute.reentrant and not any(queues.QUEUES[k].reentrant
                                         for k in ("loop", "restoration", "run", "upload"))


@pytest.mark.parametrize("text, expected", [("2", 2), ("7", 2), ("0", 1), ("many", 1)])
def test_decode_workers_setting_is_kept_within_bounds(monkeypatch, text, expected):
    """CONVKIT_DECODE_WORKERS is read as a whole number within [1, 2]; unreadable: the default."""
    monkeypatch.setenv("CONVKIT_DECODE_WORKERS", text)
    assert whole_number("CONVKIT_DECODE_WORKERS", 1, 1, 2) == expected


# ----------------------------------------------------------- bytes: the compute queue's bound


def computations(slots: int, max_bytes: int, max_waiting: int = 40) -> WorkQueue:
    return WorkQueue(slots, max_waiting, name="computations", max_bytes=max_bytes,
                     reentrant=True)


def test_bytes_held_together_never_exceed_max_bytes():
    """Twenty holders of 30..70 bytes through 4 slots and 100 bytes: the bytes held together
    (read from inside each holder) never pass 100, and every holder gets through."""
    queue = computations(slots=4, max_bytes=100)
    seen, done, lock = [], [], threading.Lock()

    def work(i):
        with queue.slot(nbytes=30 + 10 * (i % 5)):
            with lock:
                seen.append(queue.bytes_held)
            time.sleep(0.01)
        done.append(i)

    join_all([start(work, i) for i in range(20)])
    assert sorted(done) == list(range(20))
    assert max(seen) <= 100 and queue.peak_bytes_held <= 100 and max(seen) > 70
    assert (queue.busy, queue.bytes_held, queue.waiting) == (0, 0, 0)


def test_a_holder_larger_than_max_bytes_works_alone():
    """More than max_bytes on its own: not refused; it waits for the holder before it, then
    works with nobody beside it."""
    queue = computations(slots=3, max_bytes=100, max_waiting=5)
    release, events = threading.Event(), []

    def small():
        with queue.slot(nbytes=10):
            events.append("small")
            release.wait(BOUND_S)

    def big():
        with queue.slot(nbytes=500):
            events.append(("big", queue.busy))

    threads = [start(small)]
    wait_until(lambda: queue.busy == 1)
    threads.append(start(big))
    wait_until(lambda: queue.waiting == 1)
    assert events == ["small"]
    release.set()
    join_all(threads)
    assert events == ["small", ("big", 1)]


def test_a_reentrant_holder_does_not_wait_behind_itself():
    """One slot, reentrant: a slot asked for inside a slot on the same thread passes through,
    counted once; a second thread still waits its turn."""
    queue = computations(slots=1, max_bytes=100, max_waiting=5)
    other = []

    def second():
        with queue.slot(nbytes=1):
            other.append(queue.bytes_held)

    with queue.slot(nbytes=40), queue.slot(nbytes=40):
        assert (queue.busy, queue.bytes_held) == (1, 40)
        thread = start(second)
        wait_until(lambda: queue.waiting == 1)
        assert other == []
    join_all([thread])
    assert other == [1] and (queue.busy, queue.bytes_held) == (0, 0)


@pytest.mark.parametrize("kwargs, word", [({"max_bytes": 0}, "max_bytes"),
                                          ({"max_bytes": 1.5}, "max_bytes")])
def test_bad_byte_bounds_are_refused(kwargs, word):
    with pytest.raises(ValueError, match=word):
        WorkQueue(1, 1, **kwargs)


def test_negative_bytes_are_refused():
    with pytest.raises(ValueError, match="nbytes must be a whole number >= 0"), \
            WorkQueue(1, 0).slot(nbytes=-1):
        pass


def _queued(queue: WorkQueue, calls: list) -> list[threading.Thread]:
    """Start each (name, owner) caller of `calls` in turn, each in line before the next
    starts; each appends its name to `order` once served. Returns the threads."""
    threads = []
    for number, (target, args) in enumerate(calls):
        threads.append(start(target, *args))
        wait_until(lambda number=number: queue.waiting == number + 1)
    return threads


def test_owners_are_served_round_robin_not_first_come():
    """Visitor a queues three works, then b and c one each, behind a held slot: a's first,
    then b's and c's, then a's others (first come would serve a, a, a, b, c)."""
    queue = WorkQueue(slots=1, max_waiting=10)
    order, release = [], threading.Event()

    def hold():
        with queue.slot(owner="a"):
            release.wait(BOUND_S)

    def work(name, owner):
        with queue.slot(owner=owner):
            order.append(name)

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    threads += _queued(queue, [(work, ("a1", "a")), (work, ("a2", "a")), (work, ("a3", "a")),
                               (work, ("b", "b")), (work, ("c", "c"))])
    release.set()
    join_all(threads)
    # a was served last (the holder): b and c, never served, come first; a's go in order.
    assert order == ["b", "c", "a1", "a2", "a3"]


def test_each_serving_sends_the_owner_behind_the_others():
    """Two visitors with two works each, queued a, a, b, b: served a, b, a, b."""
    queue = WorkQueue(slots=1, max_waiting=10)
    order, release = [], threading.Event()

    def hold():
        with queue.slot():
            release.wait(BOUND_S)

    def work(name, owner):
        with queue.slot(owner=owner):
            order.append(name)

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    threads += _queued(queue, [(work, ("a1", "a")), (work, ("a2", "a")),
                               (work, ("b1", "b")), (work, ("b2", "b"))])
    release.set()
    join_all(threads)
    assert order == ["a1", "b1", "a2", "b2"]


def test_a_visitor_who_changes_a_setting_keeps_its_place():
    """a, b, c wait in that order; a's visitor changes a setting (its on_wait raises, as
    Streamlit's rerun does) and a's new run joins after c: it is served first all the same,
    and the stale run never is (coalescing: the new setting replaces the queued one)."""
    queue = WorkQueue(slots=1, max_waiting=10)
    order, release, rerun = [], threading.Event(), threading.Event()

    def hold():
        with queue.slot():
            release.wait(BOUND_S)

    def stale(name, owner):
        def on_wait(_ahead):
            if rerun.is_set():
                raise Visitor("a newer setting")
        try:
            with queue.slot(on_wait, owner=owner):
                order.append(name)
        except Visitor:
            pass

    def work(name, owner):
        with queue.slot(owner=owner):
            order.append(name)

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    threads += _queued(queue, [(stale, ("a-old", "a")), (work, ("b", "b")), (work, ("c", "c"))])
    rerun.set()
    wait_until(lambda: queue.waiting == 2)
    threads.append(start(work, "a-new", "a"))
    wait_until(lambda: queue.waiting == 3)
    release.set()
    join_all(threads)
    assert order == ["a-new", "b", "c"]


def test_where_an_owner_stands_is_said_in_round_robin_order():
    """on_wait's `ahead` counts those to be served first: a (just served, holding) queues
    again and hears 0 ahead, then b (never served) arrives after it and goes in front: b
    hears 0 and a hears 1."""
    queue = WorkQueue(slots=1, max_waiting=10)
    release, heard = threading.Event(), {"a": [], "b": []}

    def hold():
        with queue.slot(owner="a"):
            release.wait(BOUND_S)

    def work(owner):
        with queue.slot(heard[owner].append, owner=owner):
            pass

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    threads += _queued(queue, [(work, ("a",)), (work, ("b",))])
    wait_until(lambda: heard["b"] and heard["a"][-1] == 1)
    release.set()
    join_all(threads)
    assert heard["a"][0] == 0 and set(heard["b"]) == {0}


def test_pace_averages_each_side_and_scales_to_the_others_by_pixels():
    """Runs of 2 s then 4 s at 512 px average to 2.6 s (the newest weighs 0.3); 256 px, never
    measured, is a quarter of that; measured, it is its own."""
    pace = queues.Pace()
    assert pace.seconds(512) is None
    pace.record(512, 2.0)
    pace.record(512, 4.0)
    assert pace.seconds(512) == pytest.approx(0.7 * 2.0 + 0.3 * 4.0)
    assert pace.seconds(256) == pytest.approx(2.6 / 4)
    pace.record(256, 1.0)
    assert pace.seconds(256) == 1.0 and pace.seconds(192) == pytest.approx(1.0 * (192 / 256) ** 2)


@pytest.mark.parametrize(("waiting", "expected"), [
    # Runs of t s, two at a time: the last of N fresh waiters has its result at t (N/2 + 1).
    (0, 512), (6, 512),      # t = 2 (512 px): 2 x 4 = 8 s, the budget
    (7, 384), (12, 384),     # 2 x 4.5 = 9 s > 8; at 384 px, t = 1.125: 1.125 x 7 = 7.9 s
    (13, 256), (30, 256),    # 1.125 x 7.5 = 8.4 s > 8; at 256 px, t = 0.5: 0.5 x 16 = 8 s
    (31, 192), (54, 192),    # at 192 px, t = 0.28125: 0.28125 x 28 = 7.9 s
    (55, 128), (1000, 128)])  # 0.28125 x 28.5 = 8.02 s > 8; the smallest when nothing fits
def test_working_side_is_the_largest_whose_line_finishes_within_the_budget(waiting, expected):
    """Runs of 2 s at 512 px (smaller sides in proportion to pixels), two at a time, a budget
    of 8 s, fresh waiters: by hand, per line length."""
    pace = queues.Pace()
    pace.record(512, 2.0)
    assert queues.working_side(512, (384, 256, 192, 128), [0.0] * waiting, 2, pace,
                               8.0) == expected


def test_a_line_that_has_waited_long_keeps_working_small():
    """Three waiters, the first of them 7 s already: at 512 px it would have its result at
    7 + 1 + 2 = 10 s, at 384 px 7 + 0.56 + 1.125 = 8.7 s, at 256 px 7 + 0.25 + 0.5 = 7.75 s;
    the same three just arrived: full size (the last at 0 + 3 + 2 = 5 s)."""
    pace = queues.Pace()
    pace.record(512, 2.0)
    assert queues.working_side(512, (384, 256, 128), [7.0, 0.5, 0.0], 2, pace, 8.0) == 256
    assert queues.working_side(512, (384, 256, 128), [0.5, 0.0, 0.0], 2, pace, 8.0) == 512


def test_the_line_says_how_long_each_has_waited_in_the_order_served():
    """Three callers join a held queue 0.2 s apart: `waited` lists them first come first
    (no owners), each about its own time in line, the oldest longest."""
    queue = WorkQueue(slots=1, max_waiting=10)
    release = threading.Event()

    def hold():
        with queue.slot():
            release.wait(BOUND_S)

    def wait_turn():
        with queue.slot():
            pass

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    for count in range(1, 4):
        threads.append(start(wait_turn))
        wait_until(lambda count=count: queue.waiting == count)
        time.sleep(0.2)
    waited = queue.waited()
    release.set()
    join_all(threads)
    assert len(waited) == 3 and waited == sorted(waited, reverse=True)
    assert waited[0] - waited[2] >= 0.4 and waited[2] >= 0.2


def test_working_side_is_full_size_before_any_run_was_measured():
    """No pace yet: nothing says the line is slow, so full size; a smaller image keeps its own."""
    pace = queues.Pace()
    assert queues.working_side(512, (256, 128), [0.0] * 500, 2, pace, 8.0) == 512
    pace.record(200, 30.0)
    assert queues.working_side(200, (256, 128), [0.0] * 500, 2, pace, 8.0) == 128
