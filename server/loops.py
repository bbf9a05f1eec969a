"""The tutorial's loop for visitors: in a worker process of its own, in bounded batches.

The loop (`convkit.convolve_loop`) is pure Python: run in a thread of the server, it holds the
interpreter lock between switches while every other visitor's messages wait, and a bystander's
click waited for the whole loop (1.9 s behind one loop run, 5.2 s behind three). In a worker
process (`server.workers`) it shares nothing with the server but a core. Runs take turns
through the server's "loop" queue (`server.queues`), and one click runs at most
`WINDOWS_PER_RUN` windows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .workers import Answer, Handler, WorkerPool, pack_arrays, unpack_arrays

#: Windows (pixels x channels x kernels) one click may run: about 4 s of one core at the
#: loop's measured 2-4 µs a window. More kernels run on the next click, so no visitor holds
#: the loop's one server-wide slot long.
WINDOWS_PER_RUN = 1_000_000
#: The pure-Python loop's cost on the 2-core demo server: seconds per window (an estimate).
SECONDS_PER_WINDOW = 4e-6
#: Longest pause between two `on_wait` calls while the loop runs (seconds).
POLL_S = 0.25
#: cv2.filter2D takes well under a millisecond on a loop-sized copy: the best of this many
#: runs is its time (the first pays for warming caches).
FILTER2D_REPEATS = 5


@dataclass(frozen=True)
class LoopTiming:
    """How long one kernel took in the loop's worker process: the tutorial's loop, and
    ``cv2.filter2D`` on the same pixels and weights (best of FILTER2D_REPEATS), in seconds."""

    loop_seconds: float
    filter2d_seconds: float


def loop_batch(pending: list, windows_each: int) -> list:
    """The kernels of `pending` that one click runs: as many as fit WINDOWS_PER_RUN.

    Examples
    --------
    >>> loop_batch(["box", "sharpen", "sobel"], 400_000)
    ['box', 'sharpen']
    >>> loop_batch(["box"], 5_000_000)  # always at least one
    ['box']
    """
    return pending[: max(1, WINDOWS_PER_RUN // max(1, windows_each))]


_POOL = WorkerPool("server.loops:loop_runner")


def convolve_loop_in_worker(pixels: np.ndarray, weights: np.ndarray, border: str, *,
                            flip: bool, value: float,
                            on_wait: Callable[[], object]) -> np.ndarray:
    """``convkit.convolve_loop(pixels, weights, border, flip=flip, value=value)``, computed in
    the loop's worker process: `timed_loop_in_worker` without the timing."""
    return timed_loop_in_worker(pixels, weights, border, flip=flip, value=value,
                                on_wait=on_wait)[0]


def timed_loop_in_worker(pixels: np.ndarray, weights: np.ndarray, border: str, *,
                         flip: bool, value: float,
                         on_wait: Callable[[], object]) -> tuple[np.ndarray, LoopTiming]:
    """``convkit.convolve_loop(pixels, weights, border, flip=flip, value=value)`` and how long
    it took (with cv2.filter2D's time on the same pixels), computed in the loop's worker
    process (started on first use and kept for the next).

    `on_wait()` is called at least every `POLL_S` seconds until the answer comes. Whatever it
    raises (Streamlit's rerun or stop when the visitor leaves or changes a setting) stops the
    worker, whose answer would otherwise be read as the next request's, and reaches the
    caller. Call it inside the server's "loop" slot: the worker serves one caller at a time.
    """
    worker = _POOL.take()
    try:
        worker.wait_ready_polling(on_wait, POLL_S)
        arrays, payload = pack_arrays([np.asarray(pixels), np.asarray(weights)])
        worker.send({"arrays": arrays, "border": border, "flip": bool(flip),
                     "value": float(value)}, payload)
        while not worker.answered(POLL_S):
            on_wait()
        header, answer = worker.receive()
        if header.get("status") != "ok":
            raise RuntimeError(f"the tutorial loop failed in its worker: {header.get('message')}")
        (result,) = unpack_arrays(header.get("arrays"), answer)
        timing = LoopTiming(float(header["loop_seconds"]), float(header["filter2d_seconds"]))
    except (OSError, EOFError, ValueError, TimeoutError, KeyError, TypeError) as error:
        worker.kill()
        raise RuntimeError(f"the tutorial loop's worker process stopped ({error!r})") from None
    except BaseException:
        worker.kill()
        raise
    _POOL.give_back(worker)
    return result, timing


def stop_loop_worker() -> None:
    """Stop the loop's idle worker (a new one starts when needed)."""
    _POOL.stop()


# ------------------------------------------------------------------------ the worker side


def loop_runner() -> Handler:
    """The worker's handler: run the tutorial's loop on each request's pixels and weights, and
    time it and cv2.filter2D on the same pixels (what the tutorial sets side by side)."""
    from convkit import convolve_loop
    from convkit.explain import opencv_reference

    def run(request: dict, payload: bytearray) -> Answer:
        pixels, weights = unpack_arrays(request["arrays"], payload)
        started = time.perf_counter()
        result = convolve_loop(pixels, weights, str(request["border"]),
                               flip=bool(request["flip"]), value=float(request["value"]))
        loop_seconds = time.perf_counter() - started
        filter2d_seconds = float("inf")
        for _ in range(FILTER2D_REPEATS):
            started = time.perf_counter()
            opencv_reference(pixels, weights)
            filter2d_seconds = min(filter2d_seconds, time.perf_counter() - started)
        arrays, data = pack_arrays([np.asarray(result)])
        return Answer({"status": "ok", "arrays": arrays, "loop_seconds": loop_seconds,
                       "filter2d_seconds": filter2d_seconds}, data)

    return run
