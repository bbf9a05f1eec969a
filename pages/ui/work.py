"""Heavy work through server-wide queues: a visitor waits their turn and sees where they stand.

One Streamlit server runs every visitor's script in its own thread of one process. Left alone,
twenty simultaneous uploads decode at once (memory) and three tutorial loops share the GIL with
every click (latency). Here each kind of heavy work has a fixed number of slots for the whole
server and a bounded waiting line; waiting visitors are told how many are ahead of them, and a
visitor who leaves or changes a setting leaves the line (Streamlit raises in the waiting
callback, which frees the place).
"""

from __future__ import annotations

import contextlib
import threading
import time

import numpy as np
import streamlit as st

import convkit
from convkit.queueing import QueueFull, WorkQueue
from pages.ui import cache

#: Tutorial-loop runs at a time, and visitors who may wait for one.
LOOP_SLOTS = 1
LOOP_WAITING = 20
#: Heavy restorations (Richardson-Lucy, the unsupervised Wiener) at a time, and visitors who
#: may wait for one: a class of 30 opening the page together all fit in the line. One at a
#: time, up to a second of CPU each, leaves the other core to everyone's clicks.
RESTORE_SLOTS = 1
RESTORE_WAITING = 30
#: Richardson-Lucy iterations between two updates of its progress bar.
RL_CHUNK = 10

#: Each kind of queued work, as the waiting message names one of it.
KINDS = {"loop": "loop run", "restoration": "restoration"}

#: Raised (with a message for a person) when too many visitors already wait.
Busy = QueueFull


#: Module-level, not st.cache_resource: two sessions arriving at once on a cold cache could
#: each build their own, and the bound would not hold.
_QUEUES = {"loop": WorkQueue(LOOP_SLOTS, LOOP_WAITING, name="loop runs"),
           "restoration": WorkQueue(RESTORE_SLOTS, RESTORE_WAITING, name="restorations")}


def queues() -> dict[str, WorkQueue]:
    """The server's queues, one per process, shared by every session.

    Decodes have their own, inside convkit (convkit.upload_worker.DECODE_QUEUE), beside the
    worker processes they wait for.
    """
    return _QUEUES


_started = threading.Lock()


def start() -> None:
    """Start the decode workers once, with the server, so the first upload need not wait.

    A lock taken once and never released, not st.cache_resource: two first visitors arriving
    together on a cold cache would each start workers, one more than DECODE_WORKERS.
    """
    if _started.acquire(blocking=False):
        convkit.start_decode_workers()


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
    or too many uploads waiting).
    """
    placeholder, on_wait = _waiting("upload")
    try:
        with st.spinner("Decoding your upload…"):
            return convkit.decode_upload(data, max_side=max_side, on_wait=on_wait)
    finally:
        placeholder.empty()


@contextlib.contextmanager
def turn(kind: str):
    """Hold one of the server's slots for `kind` (one of KINDS) for the block.

    While the visitor waits, a message in place says how many are ahead; raises Busy when the
    line is full.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}; got {kind!r}")
    placeholder, on_wait = _waiting(KINDS[kind])
    with queues()[kind].slot(on_wait):
        placeholder.empty()
        yield


def loop_turn():
    """Hold the server's tutorial-loop slot for the block: ``turn("loop")``."""
    return turn("loop")


def restoration(method: str, blurred: cache.Pixels, weights: np.ndarray, *, balance: float,
                iterations: int, border: str) -> cache.Pixels:
    """A restoration of `blurred` by `method` (see convkit.lessons.RESTORATION_METHODS), by content.

    The light methods come from a cached function, keyed only by the settings they read.
    The heavy ones (convkit.lessons.HEAVY_METHODS) come from the shared store, or take their turn in
    the server's restoration queue, Richardson-Lucy with a progress bar. Raises ValueError
    (a kernel the method cannot undo) and Busy (the line is full), both for a person.
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
        if iterative:
            bar = st.progress(0.0, text="Richardson-Lucy: starting")

            def progress(done: int, total: int) -> None:
                # Drawing raises if the visitor left or changed a setting: the run stops.
                bar.progress(done / total, text=f"Richardson-Lucy: {done}/{total}")

            restored = convkit.lessons.restore(blurred.array, weights, method,
                                               iterations=iterations, border=border,
                                               chunk=RL_CHUNK, progress=progress)
            bar.empty()
        else:
            with st.spinner("Unsupervised Wiener: estimating the noise…"):
                restored = convkit.lessons.restore(blurred.array, weights, method, seed=0)
        result = cache.Pixels.of(restored)
        # Kept before the slot is freed: whoever is next in line may want the same.
        store.put(key, result, result.nbytes)
    return result


#: Windows (pixels x channels x kernels) one click may run: about 4 s of one core at the
#: loop's measured 2-4 µs a window. More kernels run on the next click, so no visitor holds
#: the loop's one server-wide slot long.
LOOP_WINDOWS_PER_RUN = 1_000_000
#: The pure-Python loop's cost on the 2-core demo server: seconds per window (an estimate).
LOOP_SECONDS_PER_WINDOW = 4e-6


def loop_batch(pending: list, windows_each: int) -> list:
    """The kernels of `pending` that one click runs: as many as fit LOOP_WINDOWS_PER_RUN."""
    return pending[: max(1, LOOP_WINDOWS_PER_RUN // max(1, windows_each))]


#: The loop worker's program: read (weights, border, flip, value, pixels) pickles from stdin,
#: answer each with the pickled result. Our own arrays only: pickle is safe here.
_LOOP_SERVE = """
import pickle, struct, sys
from convkit import convolve_loop
source, sink = sys.stdin.buffer, sys.stdout.buffer
while header := source.read(8):
    pixels, weights, border, flip, value = pickle.loads(source.read(struct.unpack(">Q", header)[0]))
    answer = pickle.dumps(convolve_loop(pixels, weights, border, flip=flip, value=value), 5)
    sink.write(struct.pack(">Q", len(answer)) + answer)
    sink.flush()
"""


class _LoopWorker:
    """The process the tutorial's loop runs in, started on first use and kept for the next.

    The loop is pure Python: run in a thread of the server, it holds the interpreter lock
    between switches while every other visitor's messages wait, and a bystander's click waited
    for the whole loop (1.9 s behind one loop run, 5.2 s behind three). In a process of its own
    it shares nothing with the server but a core. A fresh interpreter (not a fork of the
    threaded server, not multiprocessing, whose start-up would run the page script again).
    """

    def __init__(self) -> None:
        import os
        import subprocess
        import sys

        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [root, *([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])])}
        self.process = subprocess.Popen([sys.executable, "-c", _LOOP_SERVE], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def send(self, *arguments) -> None:
        import pickle
        import struct

        data = pickle.dumps(arguments, 5)
        self.process.stdin.write(struct.pack(">Q", len(data)) + data)
        self.process.stdin.flush()

    def receive(self, timeout_s: float):
        """The answer, or None if it is not there within `timeout_s` seconds."""
        import pickle
        import select
        import struct

        if not select.select([self.process.stdout], [], [], timeout_s)[0]:
            return None
        header = self.process.stdout.read(8)
        if len(header) < 8:
            raise RuntimeError("the tutorial loop's worker process stopped")
        return pickle.loads(self.process.stdout.read(struct.unpack(">Q", header)[0]))


_loop_worker_lock = threading.Lock()
_loop_worker: _LoopWorker | None = None


def _worker() -> _LoopWorker:
    """The loop's worker, (re)started if it is not running. Called inside the loop's slot."""
    global _loop_worker
    with _loop_worker_lock:
        if _loop_worker is None or _loop_worker.process.poll() is not None:
            _loop_worker = _LoopWorker()
        return _loop_worker


def run_loops(pixels, kernels: list, current, keep) -> None:
    """Run the tutorial's loop for each kernel in the server's loop slot, with a progress bar.

    Each kernel runs in the loop's worker process (see _LoopWorker). `keep(kernel, raw)` is
    called with each finished result. Drawing the progress raises when the visitor leaves or
    changes a setting, which stops the run after the kernel under way and frees the slot.
    """
    with loop_turn():
        bar = st.progress(0.0, text="Starting the tutorial's loop…")
        started = time.perf_counter()
        for done, kernel in enumerate(kernels):
            label = f"Tutorial loop: {kernel.name} ({done + 1} of {len(kernels)})"
            worker = _worker()
            worker.send(pixels, kernel.weights, current.border, current.flip, current.value)
            try:
                while (raw := worker.receive(0.25)) is None:
                    # Raises when the visitor left or changed a setting: the worker's answer
                    # would then be read as the next kernel's, so it is stopped instead.
                    bar.progress(done / len(kernels), text=label)
            except BaseException:
                worker.process.kill()
                raise
            keep(kernel, raw)
        seconds = time.perf_counter() - started
    bar.progress(1.0, text=f"The loop ran {len(kernels)} kernel(s) in {seconds:.1f} s.")
