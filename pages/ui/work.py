"""Heavy work through the server's queues, as a visitor sees it: where they stand, progress.

The queues, the worker processes and their bounds are the server's (`server/`); here each
wait shows how many are ahead, in place, and long runs show a progress bar. A visitor who
leaves or changes a setting leaves the line: Streamlit raises in the waiting callback (drawing
the message), which frees the place.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

import convkit
from pages.ui import cache, compat
from server.decode import decode_upload
from server.loops import LoopTiming, timed_loop_in_worker
from server.queues import QUEUES, Busy, Pace, working_side
from server.restorations import restore_in_worker

#: What a visitor reads while a heavy restoration runs, by method.
RESTORING = {"richardson_lucy": "Richardson-Lucy: iterating",
             "unsupervised_wiener": "Unsupervised Wiener: estimating the noise"}
#: What a heavy restoration holds at its peak, in copies of the blurred image (float64): the
#: estimate, its blurred version, the ratio and their spectra.
RESTORE_COPIES = 8

#: Seconds between two steps of a replayed loop's progress bar.
REPLAY_STEP_S = 0.1

#: Each kind of queued work, as the waiting message names one of it.
KINDS = {"loop": "loop run", "restoration": "restoration", "run": "page run"}
#: Working sides (px, the longer side) a page steps down to when the line of page runs is
#: long: a quarter of the pixels is about a quarter of the work (bench.classroom, deconvolution).
SMALLER_SIDES = (384, 256, 192, 128)
#: How long a visitor in line should wait for its result, at most (seconds): the issue's
#: 10 s from a visitor's change to its result, less a margin for the pace's errors (runs
#: served from the store are quick and pull it down; a loaded machine slows the next ones).
#: 8 s left one visitor of thirty at 12 s (bench.classroom, deconvolution).
WAIT_BUDGET_S = 6.0
#: How long each page that can work smaller takes per run, by side, measured here.
PACES = {"deconvolution": Pace()}

__all__ = ["KINDS", "PACES", "RESTORING", "SMALLER_SIDES", "WAIT_BUDGET_S", "Busy",
           "VisitorLeft", "Working", "decode", "download", "replay_loops", "restoration",
           "run_loops", "told_if_busy", "turn", "waiting_text", "working"]


class VisitorLeft(Exception):
    """The visitor who asked for the work closed the page; the work is dropped (`download`)."""


def waiting_text(what: str, ahead: int) -> str:
    """What a visitor waiting for `what` (one of it, e.g. "restoration") is told."""
    if ahead == 0:
        return f"Queued: yours is the next {what}; it starts by itself."
    return (f"Queued: {ahead} {what}{'s' if ahead != 1 else ''} ahead of yours. "
            "It starts by itself; keep this page open.")


def _waiting(what: str):
    placeholder = st.empty()

    def on_wait(ahead: int) -> None:
        placeholder.info(waiting_text(what, ahead), icon="⏳")

    return placeholder, on_wait


def decode(data: bytes, max_side: int) -> convkit.DecodedImage:
    """Decode an upload in the server's decode queue, in a memory-limited worker process.

    Raises convkit.ImageLoadError with a message for a person (refused, damaged, too heavy,
    or too many uploads waiting: the server's Busy, told as a reason the upload cannot be
    used).
    """
    placeholder, on_wait = _waiting("upload")
    try:
        with st.spinner("Decoding your upload…"):
            return decode_upload(data, max_side=max_side, on_wait=on_wait)
    finally:
        placeholder.empty()


@contextlib.contextmanager
def told_if_busy(what: str):
    """Say, for the block, where the visitor's `what` stands when the server's computations
    have a line (the cached computations wait for their turn inside, where they may not
    draw); nothing is shown when there is none.

    Examples: ``with work.told_if_busy("training"): run = cache.descent(...)``.
    """
    queue = QUEUES["compute"]
    ahead = queue.waiting + queue.busy
    placeholder = st.empty()
    if ahead:
        placeholder.info(f"Queued: {ahead} computation{'s' if ahead != 1 else ''} of other "
                         f"visitors before your {what}. It starts by itself; keep this page "
                         "open.", icon="⏳")
    try:
        yield
    finally:
        placeholder.empty()


@contextlib.contextmanager
def turn(kind: str):
    """Hold one of the server's slots for `kind` (one of KINDS) for the block.

    While the visitor waits, a message in place says how many are ahead; raises Busy (not a
    ValueError: the server is busy, the input is fine) when the line is full.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}; got {kind!r}")
    placeholder, on_wait = _waiting(KINDS[kind])
    with QUEUES[kind].slot(on_wait, owner=compat.session_id()):
        placeholder.empty()
        yield


@dataclass
class Working:
    """The side a page works at this run, the side it would work at with a short line, and
    how many page runs waited behind it when it chose."""

    page: str
    side: int
    full_side: int
    waiting: int
    started: float = field(default_factory=time.perf_counter)

    @property
    def reduced(self) -> bool:
        """Whether this run works smaller than it would with a short line."""
        return self.side < self.full_side

    def done(self) -> None:
        """Record how long the run took at its side (the page's pace); call once, at the end
        of a run that finished (a run stopped by a rerun says nothing about the pace)."""
        PACES[self.page].record(self.side, time.perf_counter() - self.started)


def working(page: str, full_side: int, *, full: bool = False) -> Working:
    """The side `page` (a key of PACES) works at this run, chosen when it has its turn.

    `full_side` when the line of page runs behind it is short, or when the visitor asked for
    `full` size; otherwise the largest of SMALLER_SIDES at which every run waiting has its
    result within WAIT_BUDGET_S of joining the line (server.queues.working_side), as this
    page's measured pace expects.
    """
    if page not in PACES:
        raise ValueError(f"page must be one of {list(PACES)}; got {page!r}")
    line = QUEUES["run"]
    waited = line.waited()
    side = full_side if full else working_side(full_side, SMALLER_SIDES, waited, line.slots,
                                               PACES[page], WAIT_BUDGET_S)
    return Working(page, side, full_side, len(waited))


def restoration(method: str, blurred: cache.Pixels, weights: np.ndarray, *, balance: float,
                iterations: int, border: str) -> cache.Pixels:
    """A restoration of `blurred` by `method` (see convkit.lessons.RESTORATION_METHODS), by content.

    The light methods come from a cached function, keyed only by the settings they read.
    The heavy ones (convkit.lessons.HEAVY_METHODS) come from the shared store, or take their
    turn in the server's restoration queue and run in the restorations' worker process
    (server.restorations), the seconds so far shown. Raises ValueError (a kernel the method
    cannot undo) and Busy (the line is full), both for a person.
    """
    if method not in convkit.lessons.HEAVY_METHODS:
        # Only Wiener reads the balance: the inverse filter stays cached when it moves.
        return cache.restored(blurred, weights, method, balance if method == "wiener" else 0.0)
    iterative = method == "richardson_lucy"
    key = (method, blurred.digest, cache.Pixels.of(weights).digest,
           iterations if iterative else 0, border if iterative else "")
    store = cache.restorations()
    result = store.get(key)
    if result is not None:
        return result
    with turn("restoration"):
        result = store.get(key)  # the visitor ahead may have asked for the same
        if result is not None:
            return result
        # The restoration's own turn, then a computation's: it shares the cores with every
        # other visitor's work (server.queues, "compute"); it runs in the restorations'
        # worker process, away from the server's interpreter lock (server.restorations).
        placeholder, on_wait = _waiting("computation")
        with QUEUES["compute"].slot(on_wait, nbytes=RESTORE_COPIES * blurred.nbytes,
                                    owner=compat.session_id()):
            placeholder.empty()
            status, started = st.empty(), time.perf_counter()

            def show_progress() -> None:
                # Drawing raises if the visitor left or changed a setting: the run stops.
                status.caption(f"{RESTORING[method]}… {time.perf_counter() - started:.1f} s")

            restored = restore_in_worker(blurred.array, weights, method,
                                         iterations=iterations, border=border, seed=0,
                                         on_wait=show_progress)
            status.empty()
        result = cache.Pixels.of(restored)
        # Kept before the slot is freed: whoever is next in line may want the same.
        store.put(key, result, result.nbytes)
    return result


def run_loops(pixels, kernels: list, current, keep, on_timing=None, known=None) -> None:
    """Run the tutorial's loop for each kernel in the server's loop slot, with a progress bar.

    Each kernel runs in the loop's worker process (server.loops). `keep(kernel, raw)` is
    called with each finished result, and `on_timing(kernel, timing)` (if given) with how
    long it took (server.loops.LoopTiming). A kernel for which `known(kernel)` (if given)
    is true once the slot is ours is skipped: the visitor ahead made it while this one
    waited. Drawing the progress raises when the visitor leaves or changes a setting, which
    stops the run (and the worker) and frees the slot.
    """
    with turn("loop"):
        bar = st.progress(0.0, text="Starting the tutorial's loop…")
        started = time.perf_counter()
        for done, kernel in enumerate(kernels):
            if known is not None and known(kernel):
                continue
            label = f"Tutorial loop: {kernel.name} ({done + 1} of {len(kernels)})"
            raw, timing = timed_loop_in_worker(
                pixels, kernel.weights, current.border, flip=current.flip, value=current.value,
                on_wait=lambda done=done, label=label: bar.progress(done / len(kernels),
                                                                    text=label))
            keep(kernel, raw)
            if on_timing is not None:
                on_timing(kernel, timing)
        seconds = time.perf_counter() - started
    bar.progress(1.0, text=f"The loop ran {len(kernels)} kernel(s) in {seconds:.1f} s.")


def download(make: Callable[[], np.ndarray], nbytes: int) -> Callable[[], bytes]:
    """A download button's data: a PNG made on click, in the server's compute queue.

    Streamlit runs a download's data function in its own thread pool when the button is
    clicked, outside the script run and outside the app's queues. This one takes its turn in
    ``QUEUES["compute"]`` declaring `nbytes` (what `make` holds at its peak, as the cached
    computations declare theirs; 0: `make` only reads cached results, which take their own
    turns), makes the picture (`make()`, a uint8 array) and encodes it; nothing is kept.
    While it waits, and between its steps, it asks whether the visitor still has the page
    open: if not, it leaves the line, stops, and gives an empty file to nobody.

    Call it during the run that draws the button: it notes whose page it is.
    """
    if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < 0:
        raise ValueError(f"nbytes must be a whole number >= 0; got {nbytes!r}")
    still_here = compat.visitor_still_here()

    def check(_ahead: int = 0) -> None:
        if not still_here():
            raise VisitorLeft("the visitor closed the page; their download is dropped")

    def data() -> bytes:
        turn = (QUEUES["compute"].slot(check, nbytes=nbytes) if nbytes
                else contextlib.nullcontext())
        try:
            check()
            with turn:
                check()
                pixels = make()
                pixels = pixels.array if isinstance(pixels, cache.Pixels) else pixels
                check()
                return cache.png_bytes(pixels)
        except VisitorLeft:
            # Nobody is there to take the file: an empty one, not an error (Streamlit logs
            # a traceback for every data function that raises).
            return b""

    return data


def replay_loops(runs: list[tuple[object, LoopTiming]]) -> None:
    """Play back loop runs measured earlier on this server, at their measured speed: a
    progress bar per kernel fills over the seconds that kernel's loop took. Nothing is
    computed and no slot is held (the results are kept); drawing raises when the visitor
    leaves or changes a setting, which stops the replay.
    """
    total = sum(timing.loop_seconds for _, timing in runs) or 1.0
    bar = st.progress(0.0, text="Replaying the measured loop runs…")
    elapsed = 0.0
    for done, (kernel, timing) in enumerate(runs):
        label = (f"Replay of a measured run: {kernel.name} ({done + 1} of {len(runs)}), "
                 f"{timing.loop_seconds:.2f} s")
        start = time.perf_counter()
        while (spent := time.perf_counter() - start) < timing.loop_seconds:
            bar.progress(min((elapsed + spent) / total, 1.0), text=label)
            time.sleep(min(REPLAY_STEP_S, timing.loop_seconds - spent))
        elapsed += timing.loop_seconds
    bar.progress(1.0, text=f"Replayed {len(runs)} measured loop run(s) at their real speed: "
                           f"{total:.1f} s in all.")
