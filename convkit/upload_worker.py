"""Decoding uploads in a worker process, with a memory limit, a timeout and a server-wide queue.

`decode_image` refuses from the header what it knows to be too heavy; this module is the
backstop for what a header cannot tell (a codec's own buffers, a file built against a decoder).
Each decode runs in a persistent worker process (a fresh interpreter running `_serve`, never
a fork of the threaded server) whose address space
is capped with ``RLIMIT_AS`` for the length of the decode. A decode that runs out of memory,
crashes the worker or outlasts its timeout is answered with an `ImageLoadError`; the worker is
killed and replaced. At most `DECODE_WORKERS` decodes run at a time per server process; the
others wait in `DECODE_QUEUE`.

The pipe carries a JSON header and raw pixel bytes, never pickles: what comes back from a
process that has just decoded a hostile file is checked, not executed.
"""

from __future__ import annotations

import json
import os
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import numpy as np

from .images import DEFAULT_MAX_PIXELS, DecodedImage, ImageLoadError
from .queueing import QueueFull, WorkQueue

#: Longest decode, from the request to the answer (seconds); the worker is killed after it.
DEFAULT_TIMEOUT_S = 3.0
#: Address space a decode may add to the worker's idle size (MB). Virtual, not resident: the
#: decodes the header allows peak well under this (see tests/unit/test_decode_budget.py).
DEFAULT_MEMORY_MB = 400


def _setting(name: str, default: int, low: int, high: int) -> int:
    """A whole number from the environment, kept within [low, high]; the default if unreadable."""
    try:
        return min(high, max(low, int(os.environ.get(name, default))))
    except ValueError:
        return default


#: Decodes at a time per server (1 or 2; CONVKIT_DECODE_WORKERS), and uploads that may wait
#: for one (CONVKIT_DECODE_QUEUE).
DECODE_WORKERS = _setting("CONVKIT_DECODE_WORKERS", 1, 1, 2)
MAX_WAITING = _setting("CONVKIT_DECODE_QUEUE", 30, 0, 1000)
#: The server-wide line of uploads waiting for a worker.
DECODE_QUEUE = WorkQueue(slots=DECODE_WORKERS, max_waiting=MAX_WAITING, name="uploads")
#: How long a fresh worker may take to import its libraries (seconds).
_START_TIMEOUT_S = 30.0
_FRAME = struct.Struct(">IQ")  # JSON header length, payload length
_HEAVY = ("This file is too heavy to decode here: {why}. Save it smaller (for example as a "
          "JPEG of at most 4000 pixels a side) and upload it again.")


def decode_upload(data: bytes, *, max_side: int | None = 2048,
                  max_pixels: int = DEFAULT_MAX_PIXELS, timeout_s: float = DEFAULT_TIMEOUT_S,
                  memory_mb: int = DEFAULT_MEMORY_MB,
                  on_wait: Callable[[int], object] | None = None) -> DecodedImage:
    """Decode an upload in a worker process, in turn with the server's other uploads.

    The same result as ``decode_image(data, max_pixels=..., max_side=...)``, computed in a
    separate process that may add at most `memory_mb` MB of address space and must answer
    within `timeout_s` seconds; otherwise it is killed (and replaced) and the caller gets an
    `ImageLoadError` saying the file was too heavy. Uploads take turns through
    `DECODE_QUEUE` (`DECODE_WORKERS` at a time).

    Parameters
    ----------
    data : bytes
        The file's bytes.
    max_side : int or None
        Longest side of the result (the largest working resolution); None for full size.
    max_pixels : int
        Most pixels decoded at full resolution (see `decode_image`).
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
    request = {"max_side": max_side, "max_pixels": int(max_pixels), "memory_mb": memory_mb}
    try:
        with DECODE_QUEUE.slot(on_wait):
            return _POOL.decode(bytes(data), request, timeout_s)
    except QueueFull as busy:
        raise ImageLoadError(str(busy)) from None


def start_decode_workers() -> None:
    """Start the workers now (at server start), so the first upload does not wait for them.

    Examples
    --------
    >>> start_decode_workers()
    """
    _POOL.start()


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
    return dict(_POOL.last_figures)


def decode_worker_pids() -> list[int]:
    """Process ids of the idle workers, for measuring their memory from outside.

    Examples
    --------
    >>> all(pid > 0 for pid in decode_worker_pids())
    True
    """
    return _POOL.pids()


# ------------------------------------------------------------------------ the parent side


class _Worker:
    """One worker process and its pipes; used by one slot holder at a time."""

    def __init__(self) -> None:
        package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [package_root] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        # One thread and two malloc arenas: the address space stays what the decodes need
        # (a fixed MALLOC_MMAP_THRESHOLD_ kept it lower still, but decoded up to 2x slower;
        # malloc_trim after each decode gives the memory back as well).
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   MALLOC_ARENA_MAX="2", PYTHONDONTWRITEBYTECODE="1")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from convkit.upload_worker import _serve; _serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, env=env, cwd=package_root, close_fds=True)
        self.ready = False

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()

    def wait_ready(self) -> None:
        if not self.ready:
            header, _ = _read_frame(self.process.stdout, time.monotonic() + _START_TIMEOUT_S)
            if header.get("status") != "ready":
                raise OSError(f"the decode worker did not start: {header}")
            self.ready = True

    def decode(self, data: bytes, request: dict, timeout_s: float) -> tuple[dict, bytearray]:
        deadline = time.monotonic() + timeout_s
        _write_frame(self.process.stdin, request, data)
        return _read_frame(self.process.stdout, deadline)


class _Pool:
    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self.last_figures: dict[str, float] = {}

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.kill()
        return _Worker()

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def start(self) -> None:
        with self._lock:
            missing = DECODE_WORKERS - len(self._idle)
        for _ in range(missing):
            self._give_back(_Worker())

    def stop(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.kill()

    def pids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._idle if worker.alive()]

    def decode(self, data: bytes, request: dict, timeout_s: float) -> DecodedImage:
        for attempt in (1, 2):
            worker = self._take()
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
            header, payload = worker.decode(data, request, timeout_s)
        except TimeoutError:
            self._replace(worker)
            raise ImageLoadError(_HEAVY.format(
                why=f"it took more than {timeout_s:g} s")) from None
        except (OSError, EOFError, ValueError):
            self._replace(worker)
            raise ImageLoadError(_HEAVY.format(why="the decoder gave up on it")) from None
        status = header.get("status")
        self.last_figures = {key: float(header[key]) for key in ("peak_mb", "seconds", "cpu_s")
                             if isinstance(header.get(key), (int, float))}
        if status == "heavy":
            self._replace(worker)
            raise ImageLoadError(_HEAVY.format(
                why=f"it needs more than {request['memory_mb']} MB"))
        self._give_back(worker)
        if status == "refused":
            raise ImageLoadError(str(header.get("message", "This file cannot be used.")))
        if status != "ok":
            raise ImageLoadError(f"This file could not be decoded ({header.get('message')}).")
        return _decoded_from(header, payload)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker in an unknown state; start its successor now, so it is warm by the
        next upload."""
        worker.kill()
        self._give_back(_Worker())


def _decoded_from(header: dict, payload: bytearray) -> DecodedImage:
    shape = tuple(int(n) for n in header["shape"])
    valid = (len(shape) == 2 or (len(shape) == 3 and shape[2] == 3)) and all(
        n > 0 for n in shape)
    if not valid or int(np.prod(shape)) != len(payload):
        raise ImageLoadError("The image decoder sent back something that is not an image.")
    pixels = np.frombuffer(payload, dtype=np.uint8).reshape(shape)
    width, height = (int(n) for n in header["original_size"])
    return DecodedImage(pixels=pixels, format=str(header["format"]),
                        original_size=(width, height),
                        notes=[str(note) for note in header["notes"]])


def _write_frame(pipe, header: dict, payload: bytes) -> None:
    text = json.dumps(header).encode()
    pipe.write(_FRAME.pack(len(text), len(payload)))
    pipe.write(text)
    pipe.write(payload)
    pipe.flush()


def _read_frame(pipe, deadline: float | None) -> tuple[dict, bytearray]:
    """Read one frame, raising TimeoutError past `deadline` (monotonic) and EOFError at EOF."""
    head = _read_exactly(pipe, _FRAME.size, deadline)
    text_length, payload_length = _FRAME.unpack(head)
    if text_length > 1 << 20 or payload_length > 1 << 31:
        raise ValueError("frame too large")
    header = json.loads(bytes(_read_exactly(pipe, text_length, deadline)))
    return header, _read_exactly(pipe, payload_length, deadline)


def _read_exactly(pipe, size: int, deadline: float | None) -> bytearray:
    buffer = bytearray(size)
    view, got, fd = memoryview(buffer), 0, pipe.fileno()
    while got < size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            raise EOFError("the worker closed its pipe")
        view[got:got + len(chunk)] = chunk
        got += len(chunk)
    return buffer


_POOL = _Pool()


# ------------------------------------------------------------------------ the worker side


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _give_memory_back() -> None:
    """Return freed heap pages to the system (glibc keeps them otherwise), so an idle worker
    holds its libraries, not its last decode."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _serve() -> None:
    """The worker's loop: read a request, decode it under a memory limit, answer, repeat."""
    import resource

    import cv2

    from .images import decode_image

    cv2.setNumThreads(1)
    # The protocol owns the real stdout; a stray print goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    source = sys.stdin.buffer
    _write_frame(out, {"status": "ready", "pid": os.getpid()}, b"")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    while True:
        try:
            request, data = _read_frame(source, None)
        except EOFError:
            return
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
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
            decoded = decode_image(data, max_side=request["max_side"],
                                   max_pixels=int(request["max_pixels"]))
            pixels = np.ascontiguousarray(decoded.pixels).tobytes()
            header = {"status": "ok", "format": decoded.format,
                      "original_size": list(decoded.original_size),
                      "notes": list(decoded.notes), "shape": list(decoded.pixels.shape)}
        except MemoryError:
            heavy = True
            header = {"status": "heavy"}
        except ImageLoadError as refusal:
            header = {"status": "refused", "message": str(refusal)}
        except Exception as error:  # a decoder's own failure, reported, never a crash
            header = {"status": "error", "message": f"{type(error).__name__}: {error}"}
        finally:
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
        del data
        header.update(peak_mb=round((_status_kb("VmHWM") - idle_kb) / 1024, 1),
                      seconds=round(time.perf_counter() - started, 3),
                      cpu_s=round(time.process_time() - cpu, 3))
        _give_memory_back()
        _write_frame(out, header, pixels)
        if heavy:
            return  # the parent starts a fresh worker rather than trust this one's heap

