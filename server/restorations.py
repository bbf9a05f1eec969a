"""The heavy restorations (Richardson-Lucy, the unsupervised Wiener) in a worker process.

The unsupervised Wiener is a Gibbs sampler: a Python loop of small NumPy steps that holds the
interpreter lock most of the time. Thirty visitors restoring at a small working size (the line
is long, the page works smaller) made the server's interpreter lock busy most of every second,
and a bystander's click waited for it. In a worker process (`server.workers`) the work shares
nothing with the server but a core. Restorations take turns through the server's
"restoration" and "compute" queues (`server.queues`): the worker serves one caller at a time.
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
    worker = _POOL.take()
    try:
        while not worker.ready:
            if worker.answered(POLL_S):
                worker.wait_ready()
            else:
                on_wait()
        arrays, payload = pack_arrays([np.asarray(blurred), np.asarray(weights)])
        worker.send({"arrays": arrays, "method": str(method), "iterations": int(iterations),
                     "border": str(border), "seed": int(seed)}, payload)
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
    (result,) = unpack_arrays(header.get("arrays"), answer)
    return result


def restoration_worker_pids() -> list[int]:
    """Process ids of the idle restoration workers (for measuring them from outside)."""
    return _POOL.pids()


def stop_restoration_worker() -> None:
    """Stop the idle restoration worker (a new one starts when needed)."""
    _POOL.stop()


# ------------------------------------------------------------------------ the worker side


def restorer() -> Handler:
    """The worker's handler: restore each request's blurred image with its kernel."""
    from convkit.lessons import restore

    def run(request: dict, payload: bytearray) -> Answer:
        blurred, weights = unpack_arrays(request["arrays"], payload)
        try:
            restored = restore(blurred, weights, str(request["method"]),
                               iterations=int(request["iterations"]),
                               border=str(request["border"]), seed=int(request["seed"]))
        except ValueError as error:
            # Bad input for a person (a kernel the method cannot undo), said as convkit says it.
            return Answer({"status": "refused", "message": str(error)})
        arrays, data = pack_arrays([np.asarray(restored, dtype=np.float64)])
        return Answer({"status": "ok", "arrays": arrays}, data)

    return run
