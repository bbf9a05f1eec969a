"""server.workers: one worker-process class, its frames (JSON and raw arrays, never pickles),
errors answered rather than crashing, and what a decode worker loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from server import workers
from server.workers import WorkerPool, WorkerProcess, pack_arrays, unpack_arrays

ROOT = Path(__file__).resolve().parents[2]


def test_arrays_cross_the_frame_exactly():
    """uint8 pixels and float64 weights come back with their dtype, shape and every value."""
    pixels = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    weights = np.array([[0.1, -1 / 3], [1e-300, 7.0]])
    specs, payload = pack_arrays([pixels, weights])
    assert json.loads(json.dumps(specs)) == specs  # plain JSON
    back = unpack_arrays(specs, bytearray(payload))
    for sent, got in zip([pixels, weights], back, strict=True):
        assert got.dtype == sent.dtype and got.shape == sent.shape
        np.testing.assert_array_equal(got, sent)


@pytest.mark.parametrize("specs, payload, word", [
    ([{"dtype": "|O", "shape": [1]}], b"\0" * 8, "numbers"),
    ([{"dtype": "<f8", "shape": [-1]}], b"", "numbers"),
    ([{"dtype": "<f8", "shape": [2]}], b"\0" * 8, "shorter"),
    ([{"dtype": "|u1", "shape": [2]}], b"\0" * 3, "longer"),
    ([{"shape": [2]}], b"\0" * 2, "not an array description"),
    ({"dtype": "|u1"}, b"", "must be a list"),
])
def test_what_does_not_describe_number_arrays_is_refused(specs, payload, word):
    """Objects, negative sizes and sizes that do not add up to the payload: ValueError."""
    with pytest.raises(ValueError, match=word):
        unpack_arrays(specs, bytearray(payload))


def test_a_worker_answers_in_frames_and_survives_a_handler_s_error():
    """The echo worker returns header and bytes; a request the loop worker cannot read is
    answered as an error, and the same worker then runs the loop."""
    echo = WorkerProcess("server.workers:echo")
    try:
        assert echo.call({"n": 1}, bytes(range(256)) * 4, timeout_s=30) == (
            {"status": "ok", "n": 1}, bytearray(bytes(range(256)) * 4))
    finally:
        echo.kill()
    assert not echo.alive()
    loop = WorkerProcess("server.loops:loop_runner")
    try:
        header, payload = loop.call({"arrays": []}, b"", timeout_s=30)
        assert header["status"] == "error" and "ValueError" in header["message"]
        assert payload == b"" and loop.alive()
        import convkit

        pixels, weights = np.arange(20, dtype=np.uint8).reshape(4, 5), np.full((3, 3), 1 / 9)
        specs, data = pack_arrays([pixels, weights])
        header, payload = loop.call({"arrays": specs, "border": "wrap", "flip": False,
                                     "value": 0.0}, data, timeout_s=60)
        (result,) = unpack_arrays(header["arrays"], payload)
        np.testing.assert_array_equal(result, convkit.convolve_loop(pixels, weights, "wrap"))
    finally:
        loop.kill()


def test_a_pool_replaces_a_worker_in_an_unknown_state():
    """replace() kills the worker and leaves a fresh one idle; stop() ends them all."""
    pool = WorkerPool("server.workers:echo")
    worker = pool.take()
    pool.replace(worker)
    assert not worker.alive()
    [successor] = pool.pids()
    assert successor != worker.pid
    pool.stop()
    assert pool.pids() == [] and not Path(f"/proc/{successor}").exists()


# The decode worker built the way the pool builds it (server.workers.load_handler, the same
# environment and folder), then made to decode a PNG; it reports what it has loaded.
DECODE_WORKER_MODULES = """
import io, json, sys
from PIL import Image
from server import workers
handler = workers.load_handler("server.decode:decoder")
buffer = io.BytesIO()
Image.new("RGB", (40, 30), (9, 8, 7)).save(buffer, "PNG")
answer = handler({"max_side": 2048, "memory_mb": 400}, bytearray(buffer.getvalue()))
print(json.dumps({"status": answer.header["status"], "modules": sorted(sys.modules)}))
"""


def test_the_decode_worker_loads_no_streamlit_and_no_restoration():
    """A decode worker's sys.modules, after a decode: no Streamlit, no skimage.restoration,
    no skimage.metrics (it decodes; nothing else should cost it memory or start-up time)."""
    done = subprocess.run([sys.executable, "-c", DECODE_WORKER_MODULES], cwd=workers.ROOT,
                          env=_worker_environment(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == "ok"
    unwanted = [name for name in report["modules"] if name.split(".")[0] == "streamlit"
                or name.startswith(("skimage.restoration", "skimage.metrics"))]
    assert unwanted == []


def _worker_environment() -> dict[str, str]:
    """The environment WorkerProcess starts a worker with, read from a live one."""
    process = WorkerProcess("server.workers:echo")
    try:
        process.wait_ready()
        text = Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
    finally:
        process.kill()
    return dict(entry.decode().split("=", 1) for entry in text if b"=" in entry)
