"""Decoding uploads in a worker process, with a memory limit, a timeout and a server-wide queue.

`decode_image` refuses from the header what it knows to be too heavy; this module is the
backstop for what a header cannot tell (a codec's own buffers, a file built against a decoder).
Each decode runs in a persistent worker process (`server.workers`: a fresh interpreter, never
a fork of the threaded server) whose address space is capped with ``RLIMIT_AS`` for the length
of the decode. A decode that runs out of memory, crashes the worker or outlasts its timeout is
answered with an `ImageLoadError`; the worker is killed and replaced. At most `DECODE_WORKERS`
decodes run at a time per server process; the others wait in the server's "upload" queue.

The worker side imports only what decoding needs (convkit's decoder, NumPy, OpenCV): no
Streamlit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from convkit import DecodedImage, ImageLoadError, decode_image

from .queues import DECODE_WORKERS, QUEUES, Busy
from .workers import Answer, Handler, WorkerPool, pack_arrays, unpack_arrays

#: Longest decode, from the request to the answer (seconds); the worker is killed after it.
DEFAULT_TIMEOUT_S = 3.0
#: Address space a decode may add to the worker's idle size (MB). Virtual, not resident: the
#: decodes the header allows peak well under this (see tests/unit/test_decode_budget.py).
DEFAULT_MEMORY_MB = 400

_HEAVY = ("This file is too heavy to decode here: {why}. Save it smaller (for example as a "
          "JPEG of at most 4000 pixels a side) and upload it again.")


def decode_upload(data: bytes, *, max_side: int | None = 2048,
                  max_pixels: int | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
                  memory_mb: int = DEFAULT_MEMORY_MB,
                  on_wait: Callable[[int], object] | None = None) -> DecodedImage:
    """Decode an upload in a worker process, in turn with the server's other uploads.

    The same result as ``decode_image(data, max_pixels=..., max_side=...)``, computed in a
    separate process that may add at most `memory_mb` MB of address space and must answer
    within `timeout_s` seconds; otherwise it is killed (and replaced) and the caller gets an
    `ImageLoadError` saying the file was too heavy. Uploads take turns through the server's
    "upload" queue (`DECODE_WORKERS` at a time).

    Parameters
    ----------
    data : bytes
        The file's bytes.
    max_side : int or None
        Longest side of the result (the largest working resolution); None for full size.
    max_pixels : int or None
        Most pixels decoded at full resolution (see `decode_image`); None for its default.
    timeout_s : float
        Longest decode, once the upload's turn has come (seconds, > 0).
    memory_mb : int
        Address space the decode may add to the idle worker (MB, >= 64).
    on_wait : callable or None
        ``on_wait(ahead)`` is called at least every 0.2 s while the upload waits for its turn,
        `ahead` being how many uploads wait before it. Whatever it raises (Streamlit's rerun
        or stop) takes the upload out of the line and reaches the caller.

    Returns
    -------
    DecodedImage
        uint8 pixels, at most `max_side` a side, with the format, original size and notes.

    Raises
    ------
    ImageLoadError
        A refused, unreadable or too heavy file, or a server too busy to queue one more
        upload; the message is meant for a person.

    Examples
    --------
    >>> from PIL import Image
    >>> import io
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (3000, 2000), (200, 30, 10)).save(buffer, "JPEG")
    >>> decoded = decode_upload(buffer.getvalue(), max_side=1024)
    >>> decoded.pixels.shape, decoded.original_size
    ((683, 1024, 3), (3000, 2000))
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be the file's bytes; got {type(data).__name__}")
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)) or not (
            0 < timeout_s <= 600):
        raise ValueError(f"timeout_s must be a number of seconds in (0, 600]; got {timeout_s!r}")
    if isinstance(memory_mb, bool) or not isinstance(memory_mb, int) or memory_mb < 64:
        raise ValueError(f"memory_mb must be a whole number of MB >= 64; got {memory_mb!r}")
    if max_side is not None and (isinstance(max_side, bool) or not isinstance(max_side, int)
                                 or max_side < 1):
        raise ValueError(f"max_side must be None or a positive whole number; got {max_side!r}")
    request = {"max_side": max_side, "memory_mb": memory_mb}
    if max_pixels is not None:
        request["max_pixels"] = int(max_pixels)
    try:
        with QUEUES["upload"].slot(on_wait):
            return _decode_in_worker(bytes(data), request, timeout_s)
    except Busy as busy:
        # Where an upload is refused, the visitor reads why; the message stays the queue's.
        raise ImageLoadError(str(busy)) from None


def start_decode_workers() -> None:
    """Start the workers now (at server start), so the first upload does not wait for them.

    Examples
    --------
    >>> start_decode_workers()
    """
    _POOL.start(DECODE_WORKERS)


_started = threading.Lock()


def start_decode_workers_once() -> None:
    """`start_decode_workers` once per server process, however often it is called.

    The app calls it on every run. A lock taken once and never released, not
    st.cache_resource: two first visitors arriving together on a cold cache would each start
    workers, one more than DECODE_WORKERS; and a second start while a decode holds a worker
    would start one more too.

    Examples
    --------
    >>> start_decode_workers_once()
    """
    if _started.acquire(blocking=False):
        start_decode_workers()


def stop_decode_workers() -> None:
    """Stop every idle worker (they are started again when needed).

    Examples
    --------
    >>> stop_decode_workers()
    """
    _POOL.stop()


def last_decode_figures() -> dict[str, float]:
    """What the last decode cost in its worker: peak resident MB above idle, seconds, CPU seconds.

    Examples
    --------
    >>> sorted(last_decode_figures()) in ([], ["cpu_s", "peak_mb", "seconds"])
    True
    """
    return dict(_last_figures)


def decode_worker_pids() -> list[int]:
    """Process ids of the idle workers, for measuring their memory from outside.

    Examples
    --------
    >>> all(pid > 0 for pid in decode_worker_pids())
    True
    """
    return _POOL.pids()



# ------------------------------------------------------------------------ the parent side

_POOL = WorkerPool("server.decode:decoder")
_last_figures: dict[str, float] = {}


def _decode_in_worker(data: bytes, request: dict, timeout_s: float) -> DecodedImage:
    """One decode in an idle worker (started if need be), answered for a person."""
    global _last_figures
    for attempt in (1, 2):
        worker = _POOL.take()
        try:
            worker.wait_ready()
        except (OSError, TimeoutError, EOFError):
            worker.kill()
            if attempt == 2:
                raise ImageLoadError("The image decoder could not start; try again in a "
                                     "minute.") from None
            continue
        break
    try:
        header, payload = worker.call(request, data, timeout_s)
    except TimeoutError:
        _POOL.replace(worker)
        raise ImageLoadError(_HEAVY.format(
            why=f"it took more than {timeout_s:g} s")) from None
    except (OSError, EOFError, ValueError):
        _POOL.replace(worker)
        raise ImageLoadError(_HEAVY.format(why="the decoder gave up on it")) from None
    status = header.get("status")
    _last_figures = {key: float(header[key]) for key in ("peak_mb", "seconds", "cpu_s")
                     if isinstance(header.get(key), (int, float))}
    if status == "heavy":
        _POOL.replace(worker)
        raise ImageLoadError(_HEAVY.format(
            why=f"it needs more than {request['memory_mb']} MB"))
    _POOL.give_back(worker)
    if status == "refused":
        raise ImageLoadError(str(header.get("message", "This file cannot be used.")))
    if status != "ok":
        raise ImageLoadError(f"This file could not be decoded ({header.get('message')}).")
    return _decoded_from(header, payload)


def _decoded_from(header: dict, payload: bytearray) -> DecodedImage:
    try:
        (pixels,) = unpack_arrays(header.get("arrays"), payload)
    except ValueError:
        pixels = None
    valid = pixels is not None and pixels.dtype == np.uint8 and (
        pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] == 3)) and pixels.size > 0
    if not valid:
        raise ImageLoadError("The image decoder sent back something that is not an image.")
    width, height = (int(n) for n in header["original_size"])
    return DecodedImage(pixels=pixels, format=str(header["format"]),
                        original_size=(width, height),
                        notes=[str(note) for note in header["notes"]])


# ------------------------------------------------------------------------ the worker side


def decoder() -> Handler:
    """The worker's handler: decode each request's bytes under its memory limit.

    Run in the worker only (`server.workers.serve`), where it keeps OpenCV to one thread.
    """
    import resource

    import cv2

    cv2.setNumThreads(1)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)

    def decode(request: dict, data: bytearray) -> Answer:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            # Peak resident size from here on (Linux: "5" resets VmHWM to the current size).
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")
        except OSError:
            pass
        idle_kb = _status_kb("VmRSS")
        limit = _status_kb("VmSize") * 1024 + int(request["memory_mb"]) * 2**20
        header: dict
        pixels = b""
        heavy = False
        limits = {"max_side": request["max_side"]}
        if "max_pixels" in request:
            limits["max_pixels"] = int(request["max_pixels"])
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            decoded = decode_image(data, **limits)
            arrays, pixels = pack_arrays([decoded.pixels])
            header = {"status": "ok", "format": decoded.format,
                      "original_size": list(decoded.original_size),
                      "notes": list(decoded.notes), "arrays": arrays}
        except MemoryError:
            heavy = True
            header = {"status": "heavy"}
        except ImageLoadError as refusal:
            header = {"status": "refused", "message": str(refusal)}
        except Exception as error:  # a decoder's own failure, reported, never a crash
            header = {"status": "error", "message": f"{type(error).__name__}: {error}"}
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        header.update(peak_mb=round((_status_kb("VmHWM") - idle_kb) / 1024, 1),
                      seconds=round(time.perf_counter() - started, 3),
                      cpu_s=round(time.process_time() - cpu, 3))
        # After a MemoryError the heap is in an unknown state: the parent starts a fresh one.
        return Answer(header, pixels, retire=heavy)

    return decode


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0
