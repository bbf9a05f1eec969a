"""pages.ui.work with real threads: heavy restorations take turns, waiters hear their place,
and the tutorial's loop runs in its worker process."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import scipy.ndimage as ndi
from skimage import restoration as skr
from thread_helpers import BOUND_S, join_all, start, wait_until

import convkit
from pages.ui import cache, work
from server.queues import QUEUES, RESTORE_SLOTS, RESTORE_WAITING

MILD = np.array([[0.0, 0.1, 0.0], [0.1, 0.6, 0.1], [0.0, 0.1, 0.0]])


class Placeholder:
    """Stands in for st.empty(): remembers the texts shown in it, per waiting visitor."""

    def __init__(self, shown: dict[int, list[str]]) -> None:
        self.texts = shown.setdefault(threading.get_ident(), [])

    def info(self, text: str, icon: str | None = None) -> None:
        self.texts.append(text)

    def caption(self, text: str) -> None:
        self.texts.append(text)

    def empty(self) -> None:
        pass


@pytest.fixture
def shown(monkeypatch) -> dict[int, list[str]]:
    """The waiting messages each thread was shown, by thread id."""
    texts: dict[int, list[str]] = {}
    monkeypatch.setattr(work.st, "empty", lambda: Placeholder(texts))
    return texts


def test_waiting_text_by_hand() -> None:
    """The next in line, one ahead, two ahead."""
    assert work.waiting_text("restoration", 0) == (
        "Queued: yours is the next restoration; it starts by itself.")
    assert work.waiting_text("restoration", 1).startswith("Queued: 1 restoration ahead of yours.")
    assert work.waiting_text("loop run", 2).startswith("Queued: 2 loop runs ahead of yours.")


def test_restorations_take_turns_and_waiters_hear_their_place(shown) -> None:
    """One restoration at a time; the three behind it are told 'next', '1 ahead', '2 ahead',
    go in arrival order, and a loop run meanwhile starts at once (its own queue)."""
    queue = QUEUES["restoration"]
    assert (queue.slots, queue.max_waiting) == (RESTORE_SLOTS, RESTORE_WAITING) == (1, 30)
    release = threading.Event()
    inside, most, order, ids = [0], [0], [], {}
    lock = threading.Lock()

    def visitor(name: str) -> None:
        ids[name] = threading.get_ident()
        with work.turn("restoration"):
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                order.append(name)
            if name == "first":
                assert release.wait(BOUND_S)
            with lock:
                inside[0] -= 1

    threads = [start(visitor, "first")]
    wait_until(lambda: order == ["first"])
    for count, name in enumerate(("second", "third", "fourth"), start=1):
        threads.append(start(visitor, name))
        wait_until(lambda count=count: queue.waiting == count)
    wait_until(lambda: all(shown.get(ids[n]) for n in ("second", "third", "fourth")))
    with work.turn("loop"):  # another kind of work does not wait behind restorations
        assert QUEUES["loop"].busy == 1 and queue.busy == 1
    release.set()
    join_all(threads)
    assert order == ["first", "second", "third", "fourth"] and most[0] == 1
    assert not shown[ids["first"]]  # a free slot: no message
    assert shown[ids["second"]][0] == work.waiting_text("restoration", 0)
    assert shown[ids["third"]][0].startswith("Queued: 1 restoration ahead of yours.")
    assert shown[ids["fourth"]][0].startswith("Queued: 2 restorations ahead of yours.")
    assert queue.busy == 0 and queue.waiting == 0


def test_unknown_kind_is_refused() -> None:
    """turn() names the kinds it knows."""
    refused = r"kind must be one of \['loop', 'restoration', 'run'\]; got 'render'"
    with pytest.raises(ValueError, match=refused), work.turn("render"):
        pass


def test_same_restoration_asked_twice_at_once_is_computed_once(shown) -> None:
    """Two visitors asking for the same Richardson-Lucy run at once (the first held up by a
    computation under way, the second behind it in the restoration line): the second gets
    the very result the first put in the store, and it is scikit-image's richardson_lucy."""
    cache.restorations().clear()
    image = np.random.default_rng(4).random((40, 36)) * 0.8 + 0.1
    blurred = cache.Pixels.of(ndi.convolve(image, MILD, mode="constant"))
    results, release = [], threading.Event()

    def computation_under_way() -> None:
        with QUEUES["compute"].slot():
            release.wait(BOUND_S)

    def visitor() -> None:
        results.append(work.restoration("richardson_lucy", blurred, MILD, balance=0.01,
                                        iterations=7, border="constant"))

    threads = [start(computation_under_way)]
    wait_until(lambda: QUEUES["compute"].busy == 1)
    threads.append(start(visitor))
    wait_until(lambda: QUEUES["compute"].waiting == 1)
    threads.append(start(visitor))
    wait_until(lambda: QUEUES["restoration"].waiting == 1)
    release.set()
    join_all(threads)
    assert len(results) == 2 and results[0] is results[1]
    expected = skr.richardson_lucy(blurred.array, MILD, num_iter=7, clip=False)
    np.testing.assert_allclose(results[0].array, expected, rtol=1e-4, atol=1e-6)
    cache.restorations().clear()


def test_the_unsupervised_wiener_in_its_worker_is_scikit_images(shown) -> None:
    """The restorations' worker process answers what skimage's unsupervised_wiener gives on
    the same image (seed 0), and a kernel Richardson-Lucy cannot undo is refused with
    convkit's own message, a ValueError (the page says it is not possible)."""
    from server.restorations import restore_in_worker

    image = np.random.default_rng(5).random((48, 40))
    blurred = ndi.convolve(image, MILD, mode="wrap")
    restored = restore_in_worker(blurred, MILD, "unsupervised_wiener", on_wait=lambda: None)
    expected, _ = skr.unsupervised_wiener(blurred, MILD, clip=False, rng=0,
                                          user_params={"max_num_iter": 100,
                                                       "min_num_iter": 30})
    np.testing.assert_allclose(restored, expected, rtol=1e-9, atol=1e-12)
    sharpen = convkit.BANK["sharpen"].weights
    with pytest.raises(ValueError, match="kernel must have no negative weights"):
        restore_in_worker(blurred, sharpen, "richardson_lucy", on_wait=lambda: None)


def test_quality_scores_in_the_worker_are_scikit_images() -> None:
    """PSNR and SSIM from the worker process equal skimage.metrics' on the same pictures
    (clipped to 0..1, data range 1); equal pictures score an infinite PSNR and SSIM 1."""
    from skimage import metrics

    from server.restorations import quality_in_worker

    rng = np.random.default_rng(7)
    original = rng.random((64, 48))
    picture = original + rng.normal(0, 0.05, original.shape)
    psnr, ssim = quality_in_worker(original, picture, on_wait=lambda: None)
    shown = picture.clip(0, 1)
    assert psnr == pytest.approx(metrics.peak_signal_noise_ratio(original, shown,
                                                                 data_range=1), rel=1e-12)
    assert ssim == pytest.approx(metrics.structural_similarity(original, shown,
                                                               data_range=1), rel=1e-12)
    assert quality_in_worker(original, original, on_wait=lambda: None) == (float("inf"), 1.0)


def test_the_restorations_worker_runs_at_a_lower_priority_than_the_server() -> None:
    """Its nice value is the server's plus NICENESS (10): the CPU goes to clicks first."""
    import os

    from server import restorations

    restorations.quality_in_worker(np.zeros((8, 8)), np.ones((8, 8)), on_wait=lambda: None)
    (pid,) = restorations.restoration_worker_pids()
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, ours + restorations.NICENESS)


def test_a_visitor_leaving_during_a_restoration_keeps_the_worker_for_the_next(shown) -> None:
    """The visitor leaves (its on_wait raises) while its restoration runs: that reaches the
    caller once the worker has answered, the worker is kept (no second of imports for the
    next visitor) and the next restoration gets its own right answer."""
    from server import restorations

    image = np.random.default_rng(6).random((512, 512))  # about a second of sampling
    blurred = ndi.convolve(image, MILD, mode="wrap")

    def leave() -> None:
        raise Visitor("the visitor left")

    restorations.restore_in_worker(blurred[:8, :8], MILD, "richardson_lucy",
                                   on_wait=lambda: None)  # a warm worker
    (pid,) = restorations.restoration_worker_pids()
    with pytest.raises(Visitor):
        restorations.restore_in_worker(blurred, MILD, "unsupervised_wiener", on_wait=leave)
    assert restorations.restoration_worker_pids() == [pid]
    small = blurred[:30, :20]
    expected = convkit.lessons.restore(small, MILD, "richardson_lucy", iterations=5,
                                       border="constant")
    np.testing.assert_array_equal(restorations.restore_in_worker(
        small, MILD, "richardson_lucy", iterations=5, border="constant",
        on_wait=lambda: None), expected)


class Bar:
    """Stands in for st.progress(): remembers its texts; raises once told to (a visitor left)."""

    def __init__(self, leave_after: int | None = None) -> None:
        self.texts: list[str] = []
        self.leave_after = leave_after

    def progress(self, value: float, text: str = "") -> None:
        self.texts.append(text)
        if self.leave_after is not None and len(self.texts) > self.leave_after:
            raise Visitor("the visitor left")

    def empty(self) -> None:
        pass


class Visitor(BaseException):
    """Stands in for Streamlit's StopException / RerunException (BaseExceptions too)."""


def test_run_loops_gives_the_tutorial_loop_s_own_results(shown, monkeypatch) -> None:
    """run_loops (in the loop's worker process) keeps, per kernel, exactly convolve_loop's
    result, and the bar ends saying how many ran; the loop's slot is free again."""
    bar = Bar()
    monkeypatch.setattr(work.st, "progress", lambda *args, **kwargs: bar)
    pixels = np.random.default_rng(3).integers(0, 256, (9, 11, 3), dtype=np.uint8)
    kernels = [convkit.BANK["sharpen"], convkit.BANK["small_blur"]]
    current = type("Current", (), {"border": "reflect", "flip": True, "value": 0.0})()
    kept = {}
    work.run_loops(pixels, kernels, current, lambda kernel, raw: kept.update({kernel.name: raw}))
    assert list(kept) == [kernel.name for kernel in kernels]
    for kernel in kernels:
        expected = convkit.convolve_loop(pixels, kernel.weights, "reflect", flip=True)
        assert kept[kernel.name].dtype == expected.dtype
        np.testing.assert_array_equal(kept[kernel.name], expected)
    assert bar.texts[-1].startswith("The loop ran 2 kernel(s) in ")
    assert QUEUES["loop"].busy == 0 and QUEUES["loop"].waiting == 0


def test_leaving_during_a_loop_stops_its_worker_and_frees_the_slot(shown, monkeypatch) -> None:
    """A visitor leaving while the loop runs (drawing the bar raises) reaches the caller, the
    worker under way is killed (its answer would be read as the next run's), the slot is free,
    and the next run gets the right answer."""
    from server import loops

    big = np.random.default_rng(6).integers(0, 256, (500, 500), dtype=np.uint8)
    kernel = convkit.BANK["gaussian_15"]  # seconds of loop: the visitor leaves long before
    current = type("Current", (), {"border": "constant", "flip": False, "value": 0.0})()
    leaving = Bar(leave_after=0)  # at the first update
    monkeypatch.setattr(work.st, "progress", lambda *args, **kwargs: leaving)
    with pytest.raises(Visitor):
        work.run_loops(big, [kernel], current, lambda kernel, raw: None)
    assert QUEUES["loop"].busy == 0
    assert loops._POOL.pids() == []  # killed, not given back
    monkeypatch.setattr(work.st, "progress", lambda *args, **kwargs: Bar())
    small = big[:7, :8]
    kept = []
    work.run_loops(small, [kernel], current, lambda kernel, raw: kept.append(raw))
    np.testing.assert_array_equal(kept[0], convkit.convolve_loop(small, kernel.weights,
                                                                 "constant"))


def test_a_visitor_is_told_how_many_computations_are_before_theirs(shown, monkeypatch):
    """told_if_busy: nothing said while the compute queue is free; with one computation under
    way and two waiting, "3 computations ... before your training"."""
    from server.queues import WorkQueue

    queue = WorkQueue(1, 10, name="computations", max_bytes=10**9, reentrant=True)
    monkeypatch.setitem(QUEUES, "compute", queue)
    with work.told_if_busy("training"):
        pass
    assert shown.get(threading.get_ident(), []) == []
    release = threading.Event()

    def hold():
        with queue.slot():
            release.wait(BOUND_S)

    def wait_in_line():
        with queue.slot():
            pass

    threads = [start(hold)]
    wait_until(lambda: queue.busy == 1)
    threads += [start(wait_in_line), start(wait_in_line)]
    wait_until(lambda: queue.waiting == 2)
    with work.told_if_busy("training"):
        pass
    release.set()
    join_all(threads)
    (text,) = shown[threading.get_ident()]
    assert text.startswith("Queued: 3 computations of other visitors before your training.")


def test_a_replay_lasts_the_measured_time_holds_no_slot_and_stops_when_the_visitor_leaves(
        shown, monkeypatch) -> None:
    """replay_loops fills its bar over the measured seconds (0.3 s and 0.2 s: at least 0.5 s
    in all) without taking the loop's slot, and ends saying what it replayed; a visitor who
    leaves stops it at once."""
    from server.loops import LoopTiming

    busy_while_drawing = []

    class Watching(Bar):
        def progress(self, value: float, text: str = "") -> None:
            busy_while_drawing.append(QUEUES["loop"].busy)
            super().progress(value, text)

    bar = Watching()
    monkeypatch.setattr(work.st, "progress", lambda *args, **kwargs: bar)
    runs = [(convkit.BANK["sharpen"], LoopTiming(0.3, 1e-4)),
            (convkit.BANK["small_blur"], LoopTiming(0.2, 1e-4))]
    started = time.perf_counter()
    work.replay_loops(runs)
    assert time.perf_counter() - started >= 0.5
    assert set(busy_while_drawing) == {0}
    assert any("sharpen (1 of 2), 0.30 s" in text for text in bar.texts)
    assert bar.texts[-1].startswith("Replayed 2 measured loop run(s) at their real speed")

    leaving = Bar(leave_after=1)
    monkeypatch.setattr(work.st, "progress", lambda *args, **kwargs: leaving)
    started = time.perf_counter()
    with pytest.raises(Visitor):
        work.replay_loops([(convkit.BANK["sharpen"], LoopTiming(30.0, 1e-4))])
    assert time.perf_counter() - started < 1.0
