"""The heavy restorations (Richardson-Lucy, the unsupervised Wiener) and the quality scores in
a worker process.

The unsupervised Wiener is a Gibbs sampler: a Python loop of small NumPy steps that holds the
interpreter lock most of the time, and SSIM's filters hold it too (five scores a run). Thirty
visitors restoring at a small working size (the line is long, the page works smaller) made
the server's interpreter lock busy most of every second, and a bystander's click waited for
it. In a worker process (`server.workers`) the work shares nothing with the server but a
core. Restorations and scores take turns through the server's "restoration" and "compute"
queues (`server.queues`): the worker serves one caller at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .workers import Answer, Handler, WorkerPool, pack_arrays, unpack_arrays

#: Longest pause between two `on_wait` calls while a restoration runs (seconds).
POLL_S = 0.25
#: Longest a restoration under way is waited for once its visitor has gone (seconds): its
#: answer is read so the worker can serve the next visitor instead of being killed and
#: started again (a second of imports, taken from the next visitor's turn).
FINISH_S = 30.0

#: How much lower the worker's CPU priority is than the server's (added to its nice value):
#: while a class keeps the line long, the worker would take a core at full speed, and a
#: bystander's click, the event loop and the health probe share the other with the page
#: runs; at a lower priority the worker gets what they leave. The line's own pace adapts
#: (server.queues.Pace).
NICENESS = 10

_POOL = WorkerPool("server.restorations:restorer")


def restore_in_worker(blurred: np.ndarray, weights: np.ndarray, method: str, *,
                      iterations: int = 30, border: str = "wrap", seed: int = 0,
                      on_wait: Callable[[], object]) -> np.ndarray:
    """``convkit.lessons.restore(blurred, weights, method, iterations=..., border=...,
    seed=...)``, computed in the restorations' worker process (started on first use and kept
    for the next).

    `on_wait()` is called at least every `POLL_S` seconds until the answer comes. Whatever it
    raises (Streamlit's rerun or stop when the visitor changes a setting or leaves) reaches
    the caller once the restoration under way has finished (at most `FINISH_S` seconds; past
    that the worker is killed). Raises ValueError with convkit's message for a kernel or
    image the method refuses, RuntimeError if the worker failed.
    """
    header, answer = _ask({"kind": "restore", "method": str(method),
                           "iterations": int(iterations), "border": str(border),
                           "seed": int(seed)}, [blurred, weights], on_wait)
    (result,) = unpack_arrays(header.get("arrays"), answer)
    return result


def quality_in_worker(original: np.ndarray, picture: np.ndarray, *,
                      on_wait: Callable[[], object]) -> tuple[float, float]:
    """``convkit.lessons.image_quality(original, picture)`` as (PSNR, SSIM), computed in the
    restorations' worker process: SSIM's filters hold the interpreter lock, five scores a
    deconvolution run. `on_wait` and the errors as for `restore_in_worker`."""
    header, _ = _ask({"kind": "quality"}, [original, picture], on_wait)
    return float(header["psnr"]), float(header["ssim"])


def _ask(request: dict, arrays: list[np.ndarray],
         on_wait: Callable[[], object]) -> tuple[dict, bytearray]:
    """Send `request` with `arrays` to a restorations' worker; its answer when "ok"."""
    worker = _POOL.take()
    try:
        worker.wait_ready_polling(on_wait, POLL_S)
        specs, payload = pack_arrays([np.asarray(array) for array in arrays])
        worker.send({**request, "arrays": specs}, payload)
        try:
            while not worker.answered(POLL_S):
                on_wait()
        except BaseException:
            if not worker.answered(FINISH_S):
                raise
            worker.receive()
            _POOL.give_back(worker)
            worker = None
            raise
        header, answer = worker.receive()
    except (OSError, EOFError, ValueError, TimeoutError) as error:
        if worker is not None:
            worker.kill()
        raise RuntimeError(f"the restorations' worker process stopped ({error!r})") from None
    except BaseException:
        if worker is not None:
            worker.kill()
        raise
    _POOL.give_back(worker)
    if header.get("status") == "refused":
        raise ValueError(str(header.get("message")))
    if header.get("status") != "ok":
        raise RuntimeError(f"the restoration failed in its worker: {header.get('message')}")
    return header, answer


def restoration_worker_pids() -> list[int]:
    """Process ids of the idle restoration workers (for measuring them from outside)."""
    return _POOL.pids()


def stop_restoration_worker() -> None:
    """Stop the idle restoration worker (a new one starts when needed)."""
    _POOL.stop()


# ------------------------------------------------------------------------ the worker side


def restorer() -> Handler:
    """The worker's handler: restore a blurred image with its kernel ("restore"), or score a
    picture against the original ("quality")."""
    import os

    from convkit.lessons import image_quality, restore

    os.nice(NICENESS)

    def run(request: dict, payload: bytearray) -> Answer:
        first, second = unpack_arrays(request["arrays"], payload)
        try:
            if request.get("kind") == "quality":
                scores = image_quality(first, second)
                return Answer({"status": "ok", "psnr": float(scores.psnr),
                               "ssim": float(scores.ssim)})
            restored = restore(first, second, str(request["method"]),
                               iterations=int(request["iterations"]),
                               border=str(request["border"]), seed=int(request["seed"]))
        except ValueError as error:
            # Bad input for a person (a kernel the method cannot undo), said as convkit says it.
            return Answer({"status": "refused", "message": str(error)})
        arrays, data = pack_arrays([np.asarray(restored, dtype=np.float64)])
        return Answer({"status": "ok", "arrays": arrays}, data)

    return run
