"""Gradient descent for visitors: in a worker process of its own, one run at a time.

A run (`convkit.lessons.train_kernel`, up to 2,000 steps of a 5 x 5 kernel on 64 x 64 pixels)
is thousands of small NumPy calls: in a thread of the server, the Python between them holds
the interpreter lock from every other visitor's clicks. In a worker process
(`server.workers`) it shares nothing with the server but a core. The caller holds one of the
server's compute slots (`server.queues`, "compute") while the worker trains, so one worker
is enough per slot; visitors who change a setting or leave while waiting for that slot leave
the line before anything runs.

What crosses the pipe is numbers: the pixels and the hidden kernel there, the run's history
and loss curve back (raw float64 bytes) with its scalars in the JSON header (a float's JSON
text is its shortest exact repr, so every value comes back bit for bit).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from convkit.lessons import DescentRun

from .workers import Answer, Handler, WorkerPool, pack_arrays, unpack_arrays

#: Longest wait for a run's answer once sent (seconds): the largest run takes about 1 s of
#: one core; a worker silent for this long is stuck, and is killed.
RUN_TIMEOUT_S = 30.0
#: Longest pause between two `on_wait` calls while a fresh worker starts (seconds).
POLL_S = 0.2
#: How a run may end, as `DescentRun.status` says.
STATUSES = ("converged", "diverged", "still descending")

_POOL = WorkerPool("server.descent:descent_trainer")


def train_in_worker(image: np.ndarray, weights: np.ndarray, *, learning_rate: float,
                    steps: int, on_wait: Callable[[], object] | None = None) -> DescentRun:
    """Gradient descent learning `weights` back from `image` and its filtered version, in the
    training's worker process (started on first use and kept for the next).

    The same run as ``train_kernel(*make_training_pair(image, weights), weights.shape,
    learning_rate=learning_rate, steps=steps)``, bit for bit.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray training image, at most ``convkit.lessons.MAX_TRAIN_SIDE`` a side.
    weights : numpy.ndarray
        The hidden kernel, odd sides of at most ``convkit.lessons.MAX_TRAIN_KERNEL``.
    learning_rate : float
        Positive.
    steps : int
        1..``convkit.lessons.MAX_TRAIN_STEPS``.
    on_wait : callable or None
        Called with no argument at least every `POLL_S` seconds while a fresh worker starts.
        Whatever it raises (Streamlit's rerun or stop: the visitor changed a setting or
        left) reaches the caller before the run is sent; the worker is kept for the next
        one. A run once sent is not cancelled: it takes at most about a second, less than
        starting the worker again would cost.

    Returns
    -------
    DescentRun

    Raises
    ------
    ValueError
        Input `train_kernel` or `make_training_pair` refuses, with their message.
    RuntimeError
        The worker died, did not answer within RUN_TIMEOUT_S, or sent back something that is
        not a run.

    Examples
    --------
    >>> run = train_in_worker(np.arange(64.0).reshape(8, 8), np.eye(3), learning_rate=0.1,
    ...                       steps=5)
    >>> run.steps, run.history.shape
    (5, (6, 3, 3))
    """
    request = {"learning_rate": _plain(learning_rate), "steps": _plain(steps)}
    arrays, payload = pack_arrays([np.asarray(image), np.asarray(weights)])
    worker = _POOL.take()
    try:
        worker.wait_ready_polling(on_wait, POLL_S)
    except (OSError, EOFError, TimeoutError, ValueError) as error:
        worker.kill()
        raise RuntimeError(f"the training's worker process did not start ({error!r})") from None
    except BaseException:
        _POOL.give_back(worker)  # nothing was sent: it serves the next run as it is
        raise
    try:
        header, answer = worker.call({**request, "arrays": arrays}, payload, RUN_TIMEOUT_S)
        run = _run_from(header, answer) if header.get("status") == "ok" else None
    except (OSError, EOFError, TimeoutError, ValueError) as error:
        worker.kill()
        raise RuntimeError(f"the training's worker process stopped ({error!r})") from None
    except BaseException:
        worker.kill()  # its answer would be read as the next run's
        raise
    _POOL.give_back(worker)
    if header.get("status") == "refused":
        raise ValueError(str(header.get("message")))
    if run is None:
        raise RuntimeError(f"the training failed in its worker: {header.get('message')}")
    return run


def stop_descent_worker() -> None:
    """Stop the training's idle worker (a new one starts when needed)."""
    _POOL.stop()


def descent_worker_pids() -> list[int]:
    """Process ids of the training's idle workers, for measuring them from outside."""
    return _POOL.pids()


def _plain(value: object) -> object:
    """A NumPy scalar as the Python number it holds; anything else as it is, for the worker's
    own validation to judge (JSON carries bools, numbers and text as they are)."""
    return value.item() if isinstance(value, np.generic) else value


def _run_from(header: dict, payload: bytearray) -> DescentRun:
    """The run a worker's answer describes, checked: float64 history (steps + 1, kh, kw) and
    loss (steps + 1), a known status, numbers where numbers belong."""
    try:
        history, loss = unpack_arrays(header.get("arrays"), payload)
        steps, diverged_at = header["steps"], header["diverged_at"]
        scalars = {name: header[name] for name in ("bias", "best_loss", "learning_rate",
                                                   "stable_below")}
        valid = (history.dtype == loss.dtype == np.float64 and history.ndim == 3
                 and loss.ndim == 1 and isinstance(steps, int) and not isinstance(steps, bool)
                 and len(history) == len(loss) == steps + 1
                 and header["run_status"] in STATUSES
                 and (diverged_at is None or (isinstance(diverged_at, int)
                                              and not isinstance(diverged_at, bool)))
                 and all(isinstance(v, float) for v in scalars.values()))
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise RuntimeError("the training's worker sent back something that is not a run")
    # Shared with every session through the results store: read-only, as a cached value is.
    history.flags.writeable = loss.flags.writeable = False
    return DescentRun(weights=history[-1], history=history, loss=loss, steps=steps,
                      status=header["run_status"], diverged_at=diverged_at, **scalars)


# ------------------------------------------------------------------------ the worker side


def descent_trainer() -> Handler:
    """The worker's handler: make the training pair of each request's image and hidden kernel
    and train on it (convkit.lessons, as the page would in its own process)."""
    from convkit.lessons import make_training_pair, train_kernel

    def train(request: dict, payload: bytearray) -> Answer:
        image, weights = unpack_arrays(request["arrays"], payload)
        try:
            inputs, target = make_training_pair(image, weights)
            run = train_kernel(inputs, target, weights.shape,
                               learning_rate=request["learning_rate"], steps=request["steps"])
        except ValueError as refusal:
            return Answer({"status": "refused", "message": str(refusal)})
        arrays, data = pack_arrays([run.history, run.loss])
        return Answer({"status": "ok", "arrays": arrays, "bias": run.bias,
                       "best_loss": run.best_loss, "learning_rate": run.learning_rate,
                       "steps": run.steps, "run_status": run.status, "diverged_at": run.diverged_at,
                       "stable_below": run.stable_below}, data)

    return train
