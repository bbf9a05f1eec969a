"""server.descent: gradient descent in its worker process is convkit.lessons' own run, bit for
bit; it refuses what the package refuses and loads no Streamlit. Through the page's cache it
takes a compute slot, one worker serves the class, a visitor who changes a setting while
waiting leaves the line before anything runs, and a full line is refused."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import threading

import numpy as np
import pytest
from skimage import data
from thread_helpers import BOUND_S, join_all, start, wait_until

import convkit
from convkit import lessons
from pages.ui import cache, compat
from server import descent, workers
from server.queues import QUEUES, Busy, WorkQueue
from server.workers import WorkerPool
from tests.unit.test_workers import _worker_environment

NOISE = lessons.noise_image(lessons.MAX_TRAIN_SIDE)
PHOTO = lessons.centre_crop(data.camera(), lessons.MAX_TRAIN_SIDE)


@pytest.fixture(autouse=True, scope="module")
def _stop_the_worker():
    """The module's runs share one worker; it is stopped at the end, by its pool."""
    yield
    descent.stop_descent_worker()


def in_process(image, weights, rate, steps) -> lessons.DescentRun:
    """The run as the page made it in its own process before."""
    inputs, target = lessons.make_training_pair(image, weights)
    return lessons.train_kernel(inputs, target, weights.shape, learning_rate=rate, steps=steps)


def assert_same_run(got: lessons.DescentRun, expected: lessons.DescentRun) -> None:
    """Every field equal bit for bit: arrays by dtype, shape and bytes, floats by exact repr."""
    for field in dataclasses.fields(lessons.DescentRun):
        mine, theirs = getattr(got, field.name), getattr(expected, field.name)
        if isinstance(theirs, np.ndarray):
            assert (mine.dtype, mine.shape) == (theirs.dtype, theirs.shape), field.name
            assert mine.tobytes() == theirs.tobytes(), field.name
        else:
            assert type(mine) is type(theirs) and repr(mine) == repr(theirs), field.name


@pytest.mark.parametrize("image, name, rate, steps", [
    (NOISE, "sobel_x", 0.1, 300),
    (PHOTO, "gaussian_5", 0.003, 2000),  # uint8 pixels, the largest kernel, every step
    (NOISE, "sharpen", 1.5, 200),  # diverges: stops early, the loss past 100 times its start
])
def test_the_worker_s_run_is_the_lesson_s_run_bit_for_bit(image, name, rate, steps):
    """Weights, bias, history, loss, status, stable rate: what the package gives in-process."""
    weights = convkit.BANK[name].weights
    got = descent.train_in_worker(image, weights, learning_rate=rate, steps=steps)
    expected = in_process(image, weights, rate, steps)
    assert_same_run(got, expected)
    assert not got.history.flags.writeable  # shared through the results store


@pytest.mark.parametrize("image, weights, rate, steps", [
    (NOISE, convkit.BANK["sobel_x"].weights, 0.1, lessons.MAX_TRAIN_STEPS + 1),
    (NOISE, convkit.BANK["sobel_x"].weights, 0.0, 10),
    (NOISE, np.ones((7, 7)) / 49, 0.1, 10),
    (np.zeros((65, 64)), convkit.BANK["sobel_x"].weights, 0.1, 10),
    (np.zeros((8, 8, 3)), convkit.BANK["sobel_x"].weights, 0.1, 10),
])
def test_what_the_package_refuses_is_a_value_error_with_its_message(image, weights, rate,
                                                                      steps):
    """Too many steps, a rate of 0, a 7 x 7 kernel, a 65 px side, colour: the package's own
    ValueError and message; the worker answered, so it stays and trains the next run."""
    with pytest.raises(ValueError) as refused:
        in_process(image, weights, rate, steps)
    descent.train_in_worker(NOISE, convkit.BANK["sobel_x"].weights, learning_rate=0.1, steps=10)
    [worker] = descent.descent_worker_pids()
    with pytest.raises(ValueError, match=re.escape(str(refused.value))):
        descent.train_in_worker(image, weights, learning_rate=rate, steps=steps)
    assert descent.descent_worker_pids() == [worker]
    weights = convkit.BANK["emboss"].weights
    assert_same_run(descent.train_in_worker(NOISE, weights, learning_rate=0.1, steps=50),
                    in_process(NOISE, weights, 0.1, 50))


def test_an_answer_that_is_not_a_run_is_refused_and_its_worker_killed(monkeypatch):
    """A worker answering "ok" with other arrays (here the echo worker, sending the request
    back): RuntimeError, and the worker is not kept for the next run."""
    pool = WorkerPool("server.workers:echo")
    monkeypatch.setattr(descent, "_POOL", pool)
    with pytest.raises(RuntimeError, match="not a run"):
        descent.train_in_worker(NOISE, np.eye(3), learning_rate=0.1, steps=5)
    assert pool.pids() == []


def test_leaving_while_the_worker_starts_sends_nothing_and_keeps_the_worker():
    """A visitor who leaves while a fresh worker imports its libraries: whatever on_wait
    raises reaches the caller, nothing was sent, and the starting worker is kept; the next
    run uses that same worker and is the lesson's."""
    descent.stop_descent_worker()
    calls = []

    def leave():
        calls.append("asked")
        raise Visitor("the visitor left")

    weights = convkit.BANK["prewitt_y"].weights
    with pytest.raises(Visitor):
        descent.train_in_worker(NOISE, weights, learning_rate=0.1, steps=30, on_wait=leave)
    assert calls == ["asked"]
    [starting] = descent.descent_worker_pids()
    run = descent.train_in_worker(NOISE, weights, learning_rate=0.1, steps=30)
    assert descent.descent_worker_pids() == [starting]
    assert_same_run(run, in_process(NOISE, weights, 0.1, 30))


# The training worker built the way the pool builds it (server.workers.load_handler, the same
# environment and folder), then made to train; it reports what it has loaded.
TRAINING_WORKER_MODULES = """
import json, sys
import numpy as np
from server import workers
handler = workers.load_handler("server.descent:descent_trainer")
arrays, payload = workers.pack_arrays([np.arange(64.0).reshape(8, 8), np.eye(3)])
answer = handler({"arrays": arrays, "learning_rate": 0.1, "steps": 5}, bytearray(payload))
print(json.dumps({"status": answer.header["status"], "modules": sorted(sys.modules)}))
"""


def test_the_training_worker_loads_no_streamlit():
    """A training worker's sys.modules, after a run: nothing of Streamlit."""
    done = subprocess.run([sys.executable, "-c", TRAINING_WORKER_MODULES], cwd=workers.ROOT,
                          env=_worker_environment(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == "ok"
    assert [name for name in report["modules"] if name.split(".")[0] == "streamlit"] == []


# ------------------------------------------------------------- through the page's cache


class Visitor(BaseException):
    """Stands in for Streamlit's RerunException / StopException (BaseExceptions too)."""


@pytest.fixture
def line(monkeypatch) -> WorkQueue:
    """A compute queue of one slot and a line of two, in place of the server's; an empty
    results store; the page's training recorded as it reaches the worker."""
    queue = WorkQueue(1, 2, name="computations", max_bytes=2**30, reentrant=True)
    monkeypatch.setitem(QUEUES, "compute", queue)
    cache.clear()
    yield queue
    cache.clear()


@pytest.fixture
def trained(monkeypatch) -> list[int]:
    """The steps of every run that reached the worker, in order; fails if two overlap."""
    steps_sent, inside = [], []
    real = cache.train_in_worker

    def recorded(image, weights, *, learning_rate, steps, on_wait):
        inside.append(steps)
        assert len(inside) == 1, "two trainings at once"
        steps_sent.append(steps)
        try:
            return real(image, weights, learning_rate=learning_rate, steps=steps,
                        on_wait=on_wait)
        finally:
            inside.remove(steps)

    monkeypatch.setattr(cache, "train_in_worker", recorded)
    return steps_sent


def hold(queue: WorkQueue, release: threading.Event) -> None:
    with queue.slot():
        release.wait(BOUND_S)


def test_two_visitors_training_at_once_take_turns_in_one_worker(line, trained):
    """Two settings asked at once: one run at a time, one worker for both, each run the
    lesson's own."""
    weights, results = convkit.BANK["laplacian"].weights, {}

    def visitor(steps):
        results[steps] = cache.descent(cache.Pixels.of(NOISE), weights, 0.03, steps)

    join_all([start(visitor, 400), start(visitor, 600)])
    assert sorted(trained) == [400, 600]
    assert len(descent.descent_worker_pids()) == 1
    for steps, run in results.items():
        assert_same_run(run, in_process(NOISE, weights, 0.03, steps))
    assert line.busy == 0 and line.waiting == 0


def test_a_setting_changed_while_waiting_replaces_the_waiting_run(line, trained, monkeypatch):
    """A visitor waits behind another's computation and changes the steps: the rerun request
    takes the stale run out of the line (it never reaches the worker), and the new setting
    waits and trains once the slot is free."""
    rerun_requested = threading.Event()

    def stop_if_rerun_requested(_ahead: int = 0) -> None:
        if rerun_requested.is_set():
            raise Visitor("a newer setting")

    monkeypatch.setattr(compat, "stop_if_rerun_requested", stop_if_rerun_requested)
    weights, outcome, release = convkit.BANK["outline"].weights, [], threading.Event()
    pixels = cache.Pixels.of(NOISE)

    def visitor():
        try:
            cache.descent(pixels, weights, 0.03, 300)
            outcome.append("the stale setting trained")
        except Visitor:
            outcome.append("left the line")
        rerun_requested.clear()  # the rerun starts, with the new setting
        outcome.append(cache.descent(pixels, weights, 0.03, 500))

    threads = [start(hold, line, release)]
    wait_until(lambda: line.busy == 1)
    threads.append(start(visitor))
    wait_until(lambda: line.waiting == 1)
    rerun_requested.set()
    wait_until(lambda: outcome == ["left the line"] and line.waiting == 1)
    assert trained == []  # still behind the holder
    release.set()
    join_all(threads)
    assert trained == [500]
    assert_same_run(outcome[1], in_process(NOISE, weights, 0.03, 500))
    assert line.busy == 0 and line.waiting == 0


def test_a_full_line_refuses_a_training_at_once(line, trained):
    """One computation under way and two waiting: a third visitor's training is refused with
    the queue's message (Busy, not a ValueError) and nothing is trained."""
    release = threading.Event()
    threads = [start(hold, line, release)]
    wait_until(lambda: line.busy == 1)
    threads += [start(hold, line, release), start(hold, line, release)]
    wait_until(lambda: line.waiting == 2)
    with pytest.raises(Busy, match="The server is busy: 2 computations are already waiting"):
        cache.descent(cache.Pixels.of(NOISE), convkit.BANK["sobel_y"].weights, 0.1, 300)
    release.set()
    join_all(threads)
    assert trained == []
