"""The app's heavy cached computations take their turn in the server's compute queue."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from scipy import ndimage
from thread_helpers import join_all, start, wait_until

from pages.ui import cache
from server import queues


@pytest.fixture
def gate(monkeypatch):
    """A fresh compute queue of one slot for the test, and empty caches before and after."""
    fresh = queues.WorkQueue(1, 10, name="computations", max_bytes=2**30, reentrant=True)
    monkeypatch.setitem(queues.QUEUES, "compute", fresh)
    monkeypatch.setattr(cache, "LINE_BYTES", 0)  # every computation takes its turn
    cache.clear()
    yield fresh
    cache.clear()


def test_a_response_on_a_miss_declares_three_float32_copies_of_the_image(gate):
    """A 40 x 30 x 3 image: the response declares 3 * 4 * 3600 bytes, and its values are
    scipy.ndimage's correlation with the same border."""
    image = np.random.default_rng(1).integers(0, 256, (40, 30, 3), dtype=np.uint8)
    weights = np.arange(1.0, 10.0).reshape(3, 3) / 45
    raw = cache.response(cache.Pixels.of(image), weights, "replicate", False, 0.0)
    assert gate.peak_bytes_held == 3 * 4 * 40 * 30 * 3
    expected = np.stack([ndimage.correlate(image[..., c].astype(np.float64), weights,
                                           mode="nearest") for c in range(3)], axis=-1)
    np.testing.assert_allclose(raw.array, expected, atol=1e-3)


def test_a_hit_does_not_wait_and_a_miss_waits_for_the_place(gate, monkeypatch):
    """With the one place held elsewhere, a cached result still comes at once, and so does a
    small new computation (under LINE_BYTES), while a big one waits until the place is given
    back."""
    monkeypatch.setattr(cache, "LINE_BYTES", 3 * 4 * 300)  # 300 values: 20 x 20 waits
    image = cache.Pixels.of(np.full((20, 20), 7, np.uint8))
    weights = np.ones((3, 3)) / 9
    cache.response(image, weights, "replicate", False, 0.0)  # now cached
    release, finished = threading.Event(), []

    def hold():
        with gate.slot(nbytes=1):
            release.wait(10)

    holder = start(hold)
    wait_until(lambda: gate.busy == 1)
    cached = cache.response(image, weights, "replicate", False, 0.0)
    np.testing.assert_allclose(cached.array, 7, rtol=1e-6)
    small = cache.response(cache.Pixels.of(np.full((10, 10), 7, np.uint8)), weights, "wrap",
                           False, 0.0)
    np.testing.assert_allclose(small.array, 7, rtol=1e-6)
    assert gate.busy == 1 and gate.waiting == 0

    def miss():
        finished.append(cache.response(image, weights, "reflect_101", True, 0.0))

    worker = start(miss)
    wait_until(lambda: gate.waiting == 1)
    assert finished == []
    release.set()
    join_all([worker, holder])
    assert len(finished) == 1
    np.testing.assert_allclose(finished[0].array, 7, rtol=1e-6)


def test_the_bank_keeps_only_the_picture_on_screen(gate):
    """filtered_picture: the 512 x 512 astronaut filtered at full resolution, mapped, and
    shown 256 px wide as a JPEG. Decoded, it is scipy.ndimage's correlation of the full image,
    its absolute value clipped, then averaged down 2 x 2 (JPEG's loss aside: far nearer to it
    than to the unfiltered picture); the cache holds only the encoded bytes."""
    import io

    from PIL import Image
    from skimage import data

    image = data.astronaut()
    weights = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)
    encoded = cache.filtered_picture(cache.Pixels.of(image), weights, "reflect_101", False, 0.0,
                                     "abs", 1.0, 0.0, 256)
    assert (encoded.width, encoded.height) == (256, 256) and encoded.mimetype == "image/jpeg"
    assert len(encoded.data) < image.nbytes / 10
    full = np.stack([ndimage.correlate(image[..., c].astype(np.float64), weights,
                                       mode="mirror") for c in range(3)], axis=-1)

    def halved(array):
        return array.reshape(256, 2, 256, 2, 3).mean(axis=(1, 3))

    shown = np.asarray(Image.open(io.BytesIO(encoded.data)), dtype=np.float64)
    error = np.abs(shown - halved(np.clip(np.rint(np.abs(full)), 0, 255))).mean()
    unfiltered = np.abs(shown - halved(image.astype(np.float64))).mean()
    assert error < 8.0 and unfiltered > 10 * error, (error, unfiltered)


def test_a_slow_computation_waits_for_its_turn_however_small(gate, monkeypatch):
    """Training a 3 x 3 kernel on 12 x 12 pixels declares little, but is marked slow: with the
    place held elsewhere it waits, and runs once the place is free."""
    monkeypatch.setattr(cache, "LINE_BYTES", 2**40)
    inputs = cache.Pixels.of(np.random.default_rng(2).random((12, 12)) * 255)
    release, finished = threading.Event(), []

    def hold():
        with gate.slot(nbytes=1):
            release.wait(10)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    wait_until(lambda: gate.busy == 1)
    worker = threading.Thread(target=lambda: finished.append(
        cache.descent(inputs, np.eye(3) / 3, 0.01, 20)), daemon=True)
    worker.start()
    wait_until(lambda: gate.waiting == 1)
    assert finished == []
    release.set()
    join_all([worker, holder])
    assert len(finished) == 1 and finished[0].steps == 20


def test_keying_an_argument_by_content_leaves_it_as_it_was(gate):
    """A kernel's weights passed to a cached function stay writable (the key is a digest of
    them, not a frozen copy), and changed weights find another entry."""
    image = cache.Pixels.of(np.arange(64, dtype=np.uint8).reshape(8, 8))
    weights = np.ones((3, 3)) / 9
    first = cache.response(image, weights, "replicate", False, 0.0)
    assert weights.flags.writeable
    weights[1, 1] = 2.0
    second = cache.response(image, weights, "replicate", False, 0.0)
    expected = ndimage.correlate(image.array.astype(np.float64), weights, mode="nearest")
    np.testing.assert_allclose(second.array, expected, atol=1e-4)
    assert not np.allclose(first.array, second.array)
