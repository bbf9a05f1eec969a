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
import time

import streamlit as st

import convkit
from convkit.queueing import QueueFull, WorkQueue

#: Tutorial-loop runs at a time, and visitors who may wait for one.
LOOP_SLOTS = 1
LOOP_WAITING = 20

#: Raised (with a message for a person) when too many visitors already wait.
Busy = QueueFull


@st.cache_resource(show_spinner=False)
def queues() -> dict[str, WorkQueue]:
    """The server's queues, created once per process and shared by every session.

    Decodes have their own, inside convkit (convkit.upload_worker.DECODE_QUEUE), beside the
    worker processes they wait for.
    """
    return {"loop": WorkQueue(LOOP_SLOTS, LOOP_WAITING, name="loop runs")}


@st.cache_resource(show_spinner=False)
def start() -> bool:
    """Start the decode workers once, with the server, so the first upload need not wait."""
    convkit.start_decode_workers()
    return True


def _waiting(what: str):
    placeholder = st.empty()

    def on_wait(ahead: int) -> None:
        if ahead == 0:
            text = f"Queued: yours is the next {what}; it starts by itself."
        else:
            text = (f"Queued: {ahead} {what}{'s' if ahead != 1 else ''} ahead of yours. "
                    "It starts by itself; keep this page open.")
        placeholder.info(text, icon="⏳")

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
def loop_turn():
    """Hold the server's tutorial-loop slot for the block, showing the line while waiting."""
    placeholder, on_wait = _waiting("loop run")
    with queues()["loop"].slot(on_wait):
        placeholder.empty()
        yield


#: Windows (pixels x channels x kernels) one click may run: about 4 s of one core at the
#: loop's measured 2-4 µs a window. More kernels run on the next click, so no visitor holds
#: the loop's one server-wide slot long.
LOOP_WINDOWS_PER_RUN = 1_000_000
#: The pure-Python loop's cost on the 2-core demo server: seconds per window (an estimate).
LOOP_SECONDS_PER_WINDOW = 4e-6


def loop_batch(pending: list, windows_each: int) -> list:
    """The kernels of `pending` that one click runs: as many as fit LOOP_WINDOWS_PER_RUN."""
    return pending[: max(1, LOOP_WINDOWS_PER_RUN // max(1, windows_each))]


def run_loops(pixels, kernels: list, current, keep) -> None:
    """Run the tutorial's loop for each kernel in the server's loop slot, with a progress bar.

    `keep(kernel, raw)` is called with each finished result. Drawing the progress raises when
    the visitor leaves or changes a setting, which stops the loop and frees the slot.
    """
    with loop_turn():
        bar = st.progress(0.0, text="Starting the tutorial's loop…")
        started = time.perf_counter()
        for done, kernel in enumerate(kernels):
            label = f"Tutorial loop: {kernel.name} ({done + 1} of {len(kernels)})"

            def report(fraction: float, done=done, label=label) -> None:
                bar.progress(min(1.0, (done + fraction) / len(kernels)), text=label)

            keep(kernel, convkit.convolve_loop(pixels, kernel.weights, current.border,
                                               flip=current.flip, value=current.value,
                                               progress=report))
        seconds = time.perf_counter() - started
    bar.progress(1.0, text=f"The loop ran {len(kernels)} kernel(s) in {seconds:.1f} s.")
