"""The server's compute gate with real threads: places, bytes, arrival order, leaving, refusing."""

from __future__ import annotations

import threading
import time

import pytest

from server.compute import Busy, ComputeGate

#: Every wait in these tests ends within this many seconds, or the test fails.
BOUND_S = 10.0


def wait_until(condition, bound=BOUND_S):
    """Poll `condition` until it holds; fail the test after `bound` seconds."""
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)


def start(target, *args):
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def join_all(threads):
    for thread in threads:
        thread.join(BOUND_S)
        assert not thread.is_alive(), "a thread is still waiting"


class Rerun(BaseException):
    """Stands in for Streamlit's RerunException (a BaseException too)."""


def test_bytes_in_flight_never_exceed_the_budget():
    """Twenty computations of 30..70 bytes through a 100-byte gate with 4 places: the bytes
    held together never pass 100 (checked from inside each computation), and all finish."""
    gate = ComputeGate(slots=4, max_bytes=100, max_waiting=40)
    seen, done, lock = [], [], threading.Lock()

    def work(i):
        nbytes = 30 + 10 * (i % 5)
        with gate.turn(nbytes):
            with lock:
                seen.append(gate.bytes_held)
            time.sleep(0.01)
        done.append(i)

    join_all([start(work, i) for i in range(20)])
    assert sorted(done) == list(range(20))
    assert max(seen) <= 100 and gate.peak_bytes_held <= 100
    assert gate.running == 0 and gate.bytes_held == 0 and gate.waiting == 0


def test_places_bound_the_computations_at_once():
    """Twelve small computations through 2 places: never more than 2 inside."""
    gate = ComputeGate(slots=2, max_bytes=10**9, max_waiting=20)
    inside, most, lock = [0], [0], threading.Lock()

    def work():
        with gate.turn(1):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.01)
            with lock:
                inside[0] -= 1

    join_all([start(work) for _ in range(12)])
    assert most[0] == 2


def test_one_computation_larger_than_the_budget_runs_alone():
    """A computation declaring more than max_bytes is not refused: it waits until nothing else
    runs, runs alone, and nothing else starts beside it."""
    gate = ComputeGate(slots=3, max_bytes=100, max_waiting=5)
    release_small, events = threading.Event(), []

    def small():
        with gate.turn(10):
            events.append("small in")
            release_small.wait(BOUND_S)

    def big():
        with gate.turn(500):
            events.append(("big in", gate.running))

    first = start(small)
    wait_until(lambda: gate.running == 1)
    second = start(big)
    wait_until(lambda: gate.waiting == 1)
    assert events == ["small in"]
    release_small.set()
    join_all([first, second])
    assert events == ["small in", ("big in", 1)]


def test_waiters_start_in_arrival_order_and_are_told_where_they_stand():
    """Behind one holder, three waiters start in the order they came, each told how many wait
    before it (2, 1, 0 for the last)."""
    gate = ComputeGate(slots=1, max_bytes=100, max_waiting=5)
    release, order, told = threading.Event(), [], {}

    def holder():
        with gate.turn(10):
            release.wait(BOUND_S)

    def waiter(i):
        def on_wait(ahead):
            told.setdefault(i, ahead)
        with gate.turn(10, on_wait):
            order.append(i)

    threads = [start(holder)]
    wait_until(lambda: gate.running == 1)
    for i in range(3):
        threads.append(start(waiter, i))
        wait_until(lambda i=i: gate.waiting == i + 1)
    wait_until(lambda: len(told) == 3)
    release.set()
    join_all(threads)
    assert order == [0, 1, 2]
    assert told == {0: 0, 1: 1, 2: 2}


def test_a_full_line_is_refused_with_busy_not_a_value_error():
    """max_waiting=1: a second waiter is refused at once with Busy, which is no ValueError."""
    gate = ComputeGate(slots=1, max_bytes=100, max_waiting=1)
    release = threading.Event()

    def holder():
        with gate.turn(1):
            release.wait(BOUND_S)

    def waiter():
        with gate.turn(1):
            pass

    threads = [start(holder)]
    wait_until(lambda: gate.running == 1)
    threads.append(start(waiter))
    wait_until(lambda: gate.waiting == 1)
    with pytest.raises(Busy, match="1 computations are already waiting") as refusal, \
            gate.turn(1):
        pass
    assert not isinstance(refusal.value, ValueError)
    release.set()
    join_all(threads)


def test_a_visitor_who_reruns_leaves_the_line_and_those_behind_move_up():
    """The first waiter's on_wait raises (its visitor changed a setting): it leaves the line,
    the second waiter starts next, and the gate ends empty."""
    gate = ComputeGate(slots=1, max_bytes=100, max_waiting=5)
    release, leave, order, raised = threading.Event(), threading.Event(), [], []

    def holder():
        with gate.turn(1):
            release.wait(BOUND_S)

    def leaver():
        def on_wait(_ahead):
            if leave.is_set():
                raise Rerun
        try:
            with gate.turn(1, on_wait):
                order.append("leaver")
        except Rerun:
            raised.append(True)

    def stayer():
        with gate.turn(1):
            order.append("stayer")

    threads = [start(holder)]
    wait_until(lambda: gate.running == 1)
    threads.append(start(leaver))
    wait_until(lambda: gate.waiting == 1)
    threads.append(start(stayer))
    wait_until(lambda: gate.waiting == 2)
    leave.set()
    wait_until(lambda: gate.waiting == 1)
    release.set()
    join_all(threads)
    assert raised == [True] and order == ["stayer"]
    assert gate.running == 0 and gate.waiting == 0 and gate.bytes_held == 0


def test_a_wait_past_its_timeout_is_refused_and_leaves_the_line():
    gate = ComputeGate(slots=1, max_bytes=100, max_waiting=5)
    release = threading.Event()

    def holder():
        with gate.turn(1):
            release.wait(BOUND_S)

    thread = start(holder)
    wait_until(lambda: gate.running == 1)
    with pytest.raises(Busy, match="Waited more than 0.2 s"), gate.turn(1, timeout_s=0.2):
        pass
    assert gate.waiting == 0
    release.set()
    join_all([thread])


def test_a_computation_made_of_others_does_not_wait_for_itself():
    """One place: a turn taken inside a turn on the same thread passes through (no deadlock),
    and the place is given back once, when the outer turn ends."""
    gate = ComputeGate(slots=1, max_bytes=100, max_waiting=5)
    with gate.turn(40), gate.turn(40):
        assert gate.running == 1 and gate.bytes_held == 40
    assert gate.running == 0 and gate.bytes_held == 0


@pytest.mark.parametrize("arguments, message", [
    (dict(slots=0, max_bytes=1, max_waiting=0), "slots must be a whole number >= 1"),
    (dict(slots=1, max_bytes=0, max_waiting=0), "max_bytes must be a whole number >= 1"),
    (dict(slots=1, max_bytes=1, max_waiting=-1), "max_waiting must be a whole number >= 0"),
    (dict(slots=True, max_bytes=1, max_waiting=0), "slots must be a whole number"),
])
def test_bad_settings_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        ComputeGate(**arguments)


def test_negative_bytes_are_refused():
    with pytest.raises(ValueError, match="nbytes must be a whole number >= 0"), \
            ComputeGate(1, 1, 0).turn(-1):
        pass
