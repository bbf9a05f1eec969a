"""Worker processes: heavy or risky work in a fresh interpreter, one request at a time.

Decoding a visitor's file and the tutorial's pure-Python loop run outside the server's process:
a decode may need more memory than a shared server can give one upload (the worker's address
space is capped; a crash takes only the worker), and the loop would hold the interpreter lock
from every other visitor's clicks. Each worker is a fresh interpreter (``python -c``), never a
fork of the threaded server, nor multiprocessing, whose start-up would run the page script
again. It runs `serve`, which builds its handler once and answers requests until its pipe
closes.

The pipe carries frames: a JSON header, then raw bytes (a file, or arrays the header describes
by dtype and shape), never pickles: what comes back from a process that has just decoded a
hostile file is checked, not executed.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np

from .memory import trim_heap

#: How long a fresh worker may take to import its libraries (seconds).
START_TIMEOUT_S = 30.0
#: The largest header and payload a frame may announce: a garbled pipe is refused, not read.
MAX_HEADER_BYTES = 1 << 20
MAX_PAYLOAD_BYTES = 1 << 31
#: Kinds of array element that may cross the pipe (bool, integers, floats): numbers only.
ARRAY_KINDS = "biuf"
#: The folder holding the server and convkit packages, where a worker finds them.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_FRAME = struct.Struct(">IQ")  # JSON header length, payload length


class Answer(NamedTuple):
    """What a worker's handler returns for one request."""

    #: Sent as JSON; "status" says how it went ("ok", or what the caller should hear).
    header: dict
    #: Raw bytes after the header (arrays described in it, see `pack_arrays`).
    payload: bytes = b""
    #: True: the worker exits after sending it (its state can no longer be trusted).
    retire: bool = False


Handler = Callable[[dict, bytearray], Answer]


class WorkerProcess:
    """One worker process running ``serve(factory)``, and its pipes; one caller at a time.

    Parameters
    ----------
    factory : str
        ``"module:function"``; run once in the worker at start, the function returns the
        handler, called as ``handler(header, payload) -> Answer`` for every request.

    Examples
    --------
    >>> worker = WorkerProcess("server.workers:echo")
    >>> worker.call({"say": "hi"}, b"abc", timeout_s=30)
    ({'status': 'ok', 'say': 'hi'}, bytearray(b'abc'))
    >>> worker.kill()
    """

    def __init__(self, factory: str) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [ROOT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        # One thread and two malloc arenas: the address space stays what the work needs
        # (a fixed MALLOC_MMAP_THRESHOLD_ kept it lower still, but decoded up to 2x slower;
        # malloc_trim after each request gives the memory back as well).
        env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   MALLOC_ARENA_MAX="2", PYTHONDONTWRITEBYTECODE="1")
        self.factory = factory
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"from server.workers import serve; serve({factory!r})"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=ROOT, close_fds=True)
        self.ready = False

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.process.pid

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None

    def kill(self) -> None:
        """Kill the process (if it runs), reap it and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Wait for the worker's "ready" (its libraries imported); OSError if it says else.

        Raises TimeoutError after `timeout_s` seconds and EOFError if the worker died.
        """
        if not self.ready:
            header, _ = read_frame(self.process.stdout, time.monotonic() + timeout_s)
            if header.get("status") != "ready":
                raise OSError(f"the worker {self.factory} did not start: {header}")
            self.ready = True

    def wait_ready_polling(self, on_wait: Callable[[], object] | None, poll_s: float) -> None:
        """`wait_ready`, calling `on_wait()` every `poll_s` seconds while the worker still
        imports (whatever it raises, a visitor leaving, reaches the caller)."""
        while not self.ready:
            if self.answered(poll_s):
                self.wait_ready()
            elif on_wait is not None:
                on_wait()

    def send(self, header: dict, payload: bytes = b"") -> None:
        """Send one request."""
        write_frame(self.process.stdin, header, payload)

    def answered(self, timeout_s: float) -> bool:
        """Whether an answer has started to arrive within `timeout_s` seconds."""
        return bool(select.select([self.process.stdout], [], [], timeout_s)[0])

    def receive(self, deadline: float | None = None) -> tuple[dict, bytearray]:
        """The next answer; TimeoutError past `deadline` (time.monotonic), EOFError if it died."""
        return read_frame(self.process.stdout, deadline)

    def call(self, header: dict, payload: bytes, timeout_s: float) -> tuple[dict, bytearray]:
        """Send a request and wait at most `timeout_s` seconds for its answer, once ready."""
        self.wait_ready()
        deadline = time.monotonic() + timeout_s
        self.send(header, payload)
        return self.receive(deadline)


class WorkerPool:
    """Idle workers running one factory: taken by one caller at a time, then given back.

    Parameters
    ----------
    factory : str
        What each worker runs (see `WorkerProcess`).

    Examples
    --------
    >>> pool = WorkerPool("server.workers:echo")
    >>> pool.start(1)
    >>> len(pool.pids())
    1
    >>> pool.stop()
    >>> pool.pids()
    []
    """

    def __init__(self, factory: str) -> None:
        self.factory = factory
        self._idle: list[WorkerProcess] = []
        self._lock = threading.Lock()

    def take(self) -> WorkerProcess:
        """An idle live worker, or a new one (still starting) if there is none."""
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.kill()
        return WorkerProcess(self.factory)

    def give_back(self, worker: WorkerProcess) -> None:
        """Keep a worker that answered properly for the next caller."""
        with self._lock:
            self._idle.append(worker)

    def replace(self, worker: WorkerProcess) -> None:
        """Kill a worker in an unknown state; start its successor now, so it is warm by the
        next request."""
        worker.kill()
        self.give_back(WorkerProcess(self.factory))

    def start(self, count: int) -> None:
        """Start idle workers until `count` are there."""
        with self._lock:
            missing = count - len(self._idle)
        for _ in range(missing):
            self.give_back(WorkerProcess(self.factory))

    def stop(self) -> None:
        """Stop every idle worker (new ones start when needed)."""
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.kill()

    def pids(self) -> list[int]:
        """Process ids of the idle live workers, for measuring them from outside."""
        with self._lock:
            return [worker.pid for worker in self._idle if worker.alive()]


# ------------------------------------------------------------------------------ frames


def pack_arrays(arrays: Sequence[np.ndarray]) -> tuple[list[dict], bytes]:
    """Arrays as header entries (dtype, shape) and one payload of their bytes, in order.

    Examples
    --------
    >>> specs, payload = pack_arrays([np.arange(3, dtype=np.uint8)])
    >>> specs, payload
    ([{'dtype': '|u1', 'shape': [3]}], b'\\x00\\x01\\x02')
    >>> unpack_arrays(specs, bytearray(payload))[0].tolist()
    [0, 1, 2]
    """
    specs = [{"dtype": array.dtype.str, "shape": list(array.shape)} for array in arrays]
    return specs, b"".join(np.ascontiguousarray(array).tobytes() for array in arrays)


def unpack_arrays(specs: object, payload: bytearray) -> list[np.ndarray]:
    """The arrays `pack_arrays` described, read from `payload` without a copy.

    Raises ValueError unless `specs` describe number arrays whose sizes add up exactly to the
    payload's: what a worker sends back is checked, never trusted.
    """
    if not isinstance(specs, list):
        raise ValueError(f"arrays must be a list of dtype and shape; got {specs!r:.80}")
    arrays, offset = [], 0
    for spec in specs:
        try:
            dtype = np.dtype(str(spec["dtype"]))
            shape = tuple(int(n) for n in spec["shape"])
        except (TypeError, KeyError, ValueError) as error:
            raise ValueError(f"not an array description: {spec!r:.80}") from error
        if dtype.kind not in ARRAY_KINDS or any(n < 0 for n in shape):
            raise ValueError(f"arrays must hold numbers and have sizes >= 0; got {spec!r:.80}")
        count = math.prod(shape)
        if offset + count * dtype.itemsize > len(payload):
            raise ValueError("the payload is shorter than the arrays it should hold")
        arrays.append(np.frombuffer(payload, dtype, count, offset).reshape(shape))
        offset += count * dtype.itemsize
    if offset != len(payload):
        raise ValueError("the payload is longer than the arrays it should hold")
    return arrays


def write_frame(pipe, header: dict, payload: bytes) -> None:
    """Write one frame: lengths, the JSON header, the payload."""
    text = json.dumps(header).encode()
    pipe.write(_FRAME.pack(len(text), len(payload)))
    pipe.write(text)
    pipe.write(payload)
    pipe.flush()


def read_frame(pipe, deadline: float | None) -> tuple[dict, bytearray]:
    """Read one frame, raising TimeoutError past `deadline` (monotonic) and EOFError at EOF."""
    head = _read_exactly(pipe, _FRAME.size, deadline)
    text_length, payload_length = _FRAME.unpack(head)
    if text_length > MAX_HEADER_BYTES or payload_length > MAX_PAYLOAD_BYTES:
        raise ValueError("frame too large")
    header = json.loads(bytes(_read_exactly(pipe, text_length, deadline)))
    if not isinstance(header, dict):
        raise ValueError("a frame's header must be a JSON object")
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


# ------------------------------------------------------------------------ the worker side


def serve(factory: str) -> None:
    """The worker's loop: build the handler, say ready, answer each request in turn.

    Whatever the handler raises is answered as ``{"status": "error", "message": ...}``, never
    a crash. Freed heap pages go back to the system after every request, so an idle worker
    holds its libraries, not its last request.
    """
    # The protocol owns the real stdout; a stray print (an import's too) goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    handler = load_handler(factory)
    source = sys.stdin.buffer
    write_frame(out, {"status": "ready", "pid": os.getpid()}, b"")
    while True:
        try:
            header, payload = read_frame(source, None)
        except EOFError:
            return
        try:
            answer = handler(header, payload)
        except Exception as error:  # reported to the caller, never a crash
            answer = Answer({"status": "error", "message": f"{type(error).__name__}: {error}"})
        del payload
        trim_heap()
        write_frame(out, answer.header, answer.payload)
        if answer.retire:
            return  # the caller starts a fresh worker rather than trust this one


def load_handler(factory: str) -> Handler:
    """Import ``"module:function"`` and call the function: the handler a worker serves with."""
    module, _, function = factory.partition(":")
    return getattr(importlib.import_module(module), function)()


def echo() -> Handler:
    """A handler that answers each request with its own header and payload (for tests)."""
    return lambda header, payload: Answer({"status": "ok", **header}, bytes(payload))
