"""The deconvolution page, driven through its widgets; scores checked against scikit-image."""

from __future__ import annotations

import contextlib
import math
import re
import threading

import numpy as np
import pytest
from apptest_helpers import APP, assert_healthy, open_page
from image_files import png
from scipy import ndimage
from skimage import data, metrics, restoration
from streamlit.testing.v1 import AppTest
from thread_helpers import join_all, start, wait_until

import convkit
from pages import ui
from server.queues import QUEUES, WorkQueue


def deconvolution(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    return open_page(at, "deconvolution")


def scores(at: AppTest) -> dict[str, float]:
    """PSNR by picture, from the captions ('Inverse filter ...: PSNR 9.1 dB, SSIM 0.05')."""
    found = {}
    for image in at.image:
        for caption in image.captions:
            match = re.match(r"^(.*?)[:,].*PSNR (\S+) dB", caption)
            if match:
                value = match.group(2).replace("−", "-")
                found[match.group(1)] = math.inf if value == "∞" else float(value)
    return found


def test_default_page_shows_every_restoration_with_scores() -> None:
    """Motion blur, noise 2: four restorations; the blurred score is scikit-image's PSNR."""
    at = deconvolution({"image": "camera"})
    found = scores(at)
    assert {"Blurred with motion_blur + noise 2", "Inverse filter (divide by H)", "Wiener",
            "Richardson-Lucy", "Unsupervised Wiener"} <= set(found)
    camera = data.camera()
    blurred = convkit.lessons.degrade(camera, convkit.BANK["motion_blur"], 2.0)
    expected = metrics.peak_signal_noise_ratio(camera / 255.0, blurred.clip(0, 1), data_range=1)
    assert found["Blurred with motion_blur + noise 2"] == pytest.approx(expected, abs=0.05)
    assert any("Working in gray at 512 x 512" in c.value for c in at.caption)


def test_noise_slider_breaks_the_inverse_filter_but_not_wiener() -> None:
    """Noise 0: the inverse filter restores. Noise 10: it is far below the blurred picture while
    the unsupervised Wiener, and Wiener with a larger balance, stay above it."""
    at = deconvolution({"image": "camera"})
    at.slider(key="deconv_noise").set_value(0.0).run()
    assert_healthy(at)
    assert scores(at)["Inverse filter (divide by H)"] > 40
    at.slider(key="deconv_noise").set_value(10.0).run()
    found = scores(at)
    blurred = found["Blurred with motion_blur + noise 10"]
    assert found["Inverse filter (divide by H)"] < blurred - 10
    assert found["Unsupervised Wiener"] > blurred
    text = " ".join(m.value for m in at.markdown)
    assert re.search(r"noise of 10 gray levels comes out at \*\*\d{3,}", text)
    assert re.search(r"multiplies white noise by \*\*[1-9]\d+(\.\d+)?\*\*", text)
    at.select_slider(key="deconv_balance").set_value(0.1).run()
    assert scores(at)["Wiener"] > blurred


def test_wrong_border_makes_the_inverse_ring_without_noise() -> None:
    """Blurred with replicate instead of wrap, the noise-free inverse filter is far worse."""
    at = deconvolution({"image": "camera"})
    at.slider(key="deconv_noise").set_value(0.0).run()
    wrapped = scores(at)["Inverse filter (divide by H)"]
    at.selectbox(key="deconv_border").set_value("replicate").run()
    assert_healthy(at)
    assert scores(at)["Inverse filter (divide by H)"] < wrapped - 20


def test_zero_sum_blur_gets_a_clear_message() -> None:
    """Sobel sums to 0: the page says why it cannot be undone, no traceback."""
    at = deconvolution({"image": "camera"})
    at.selectbox(key="deconv_kernel").set_value("sobel_x").run()
    assert_healthy(at)
    assert any("Cannot blur with sobel_x: kernel must have a non-zero sum" in w.value
               for w in at.warning)


def test_assumed_kernel_with_negative_weights_skips_richardson_lucy_only() -> None:
    """Restoring with sharpen: Richardson-Lucy explains why not; the others still run."""
    at = deconvolution({"image": "camera"})
    at.selectbox(key="deconv_assumed").set_value("sharpen").run()
    assert_healthy(at)
    assert any("no negative weights" in w.value for w in at.warning)
    assert "Wiener" in scores(at) and "Richardson-Lucy" not in scores(at)
    assert any("assuming sharpen" in s.value for s in at.header)


def test_iterations_balance_and_toggle() -> None:
    """The iteration count and balance show in the captions; the toggle drops the sampler."""
    at = deconvolution({"image": "coins", "res": "128"})
    at.slider(key="deconv_iterations").set_value(50).run()
    at.select_slider(key="deconv_balance").set_value(0.1).run()
    at.toggle(key="deconv_unsupervised").set_value(False).run()
    assert_healthy(at)
    captions = [c for image in at.image for c in image.captions]
    assert any(c.startswith("Richardson-Lucy, 50 iterations") for c in captions)
    assert any(c.startswith("Wiener, balance 0.1:") for c in captions)
    assert not any(c.startswith("Unsupervised") for c in captions)
    assert any("Working in gray at 128 x 101" in c.value for c in at.caption)


def test_a_full_restoration_line_is_refused_and_the_fast_methods_still_show() -> None:
    """One restoration running and the line full (real threads hold the server's queue): the
    two heavy methods say the server is busy (the page catches bad input, ValueError, first:
    a busy server is not taken for it), the inverse filter and Wiener are still shown, and the
    page does not wait (the holders, who leave only when told, still fill the queue after)."""
    queue = QUEUES["restoration"]
    ui.cache.restorations().clear()
    release = threading.Event()

    def hold() -> None:
        with queue.slot():
            release.wait(120)  # longer than the page's run may take (90 s)

    holders = [start(hold) for _ in range(1 + queue.max_waiting)]
    wait_until(lambda: (queue.busy, queue.waiting) == (1, queue.max_waiting))
    try:
        at = deconvolution({"image": "coins", "res": "128"})
        assert (queue.busy, queue.waiting) == (1, queue.max_waiting)
        busy = [w.value for w in at.warning if w.value.startswith("Cannot start now:")]
        assert busy == [f"Cannot start now: The server is busy: {queue.max_waiting} "
                        "restorations are already waiting. Try again in a minute."] * 2
        assert not [w.value for w in at.warning if w.value.startswith("Not possible with")]
        assert {"Inverse filter (divide by H)", "Wiener"} <= set(scores(at))
        assert not {"Richardson-Lucy", "Unsupervised Wiener"} & set(scores(at))
    finally:
        release.set()
        for holder in holders:
            holder.join(10)
    assert (queue.busy, queue.waiting) == (0, 0)


TINY = [np.full((1, 1), 200, np.uint8), np.tile((np.arange(10_000) % 256).astype(np.uint8), (3, 1)),
        np.dstack([np.full((2, 3), c, np.uint8) for c in (255, 0, 90)])]


@pytest.mark.parametrize("pixels", TINY, ids=["1x1", "10000x3", "2x3-colour"])
def test_tiny_uploads_get_a_message(pixels: np.ndarray) -> None:
    """An image smaller than the kernel: a warning naming the kernel, no error, no traceback."""
    at = deconvolution()
    at.file_uploader(key="upload").set_value(("tiny.png", png(pixels), "image/png")).run()
    assert_healthy(at)
    assert at.session_state["source"] == "upload"
    assert not at.error
    assert any("must be no larger than the image" in w.value for w in at.warning)


@contextlib.contextmanager
def long_line(waiting: int):
    """For the block, every page-run slot held and `waiting` runs in line, all a class's
    (one owner, server.queues); when the page's run (a newcomer, served before the class by
    round-robin) joins the line, one slot is freed for it and the class still waits."""
    queue = QUEUES["run"]
    free_one, release = threading.Event(), threading.Event()

    def hold(until: threading.Event) -> None:
        with queue.slot(owner="class"):
            until.wait(120)

    def wait_in_line() -> None:
        with queue.slot(owner="class"):
            pass

    threads = [start(hold, free_one), *(start(hold, release) for _ in range(queue.slots - 1))]
    wait_until(lambda: queue.busy == queue.slots)
    for number in range(waiting):
        threads.append(start(wait_in_line))
        wait_until(lambda number=number: queue.waiting == number + 1)

    def free_when_the_page_waits() -> None:
        wait_until(lambda: queue.waiting == waiting + 1, bound=60)
        free_one.set()

    threads.append(start(free_when_the_page_waits))
    try:
        yield
    finally:
        free_one.set()
        release.set()
        join_all(threads)
    assert (queue.busy, queue.waiting) == (0, 0)


def test_a_long_line_works_smaller_says_so_and_full_size_comes_back(monkeypatch) -> None:
    """On a server of two page-run slots, with runs measured at 2 s at 512 px and 20 visitors
    waiting behind, the page works at
    256 px (the 20th waiter's result at 20 x 0.5 s / 2 slots + 0.5 s = 5.5 s, within the 6 s
    budget; at 384 px 12.4 s) and says why
    and at which size; its Wiener and unsupervised Wiener scores are scikit-image's on the
    same 256 px image, blurred by scipy. "Full size now" works at 512 px in the same line;
    with a short line the page is at 512 px with no notice."""
    monkeypatch.setitem(QUEUES, "run", WorkQueue(2, 500, name="page runs"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["image"] = "camera"
    at.run()
    pace = ui.work.PACES["deconvolution"]
    pace.clear()
    pace.record(512, 2.0)
    with long_line(20):
        open_page(at, "deconvolution")
    assert any("Working in gray at 256 x 256" in c.value for c in at.caption)
    (notice,) = [i.value for i in at.info if "server is busy" in i.value]
    assert "20 visitors' pages waiting" in notice
    assert "**256 x 256 px** instead of 512 x 512" in notice

    small = convkit.fit_to_pixels(data.camera(), 256) / 255.0
    weights = convkit.BANK["motion_blur"].weights
    blurred = ndimage.convolve(small, weights, mode="wrap")
    blurred += np.random.default_rng(0).normal(0.0, 2.0 / 255, blurred.shape)
    found = scores(at)
    for name, restored in (
            ("Wiener", restoration.wiener(blurred, weights, 0.01, clip=False)),
            ("Unsupervised Wiener", restoration.unsupervised_wiener(
                blurred, weights, clip=False, rng=0,
                user_params={"max_num_iter": 100, "min_num_iter": 30})[0])):
        expected = metrics.peak_signal_noise_ratio(small, restored.clip(0, 1), data_range=1)
        assert found[name] == pytest.approx(expected, abs=0.05), name

    with long_line(20):
        at.button(key="deconv_full_size").click().run()
    assert_healthy(at)
    assert any("Working in gray at 512 x 512" in c.value for c in at.caption)
    assert not [i.value for i in at.info if "server is busy" in i.value]

    at.slider(key="deconv_noise").set_value(3.0).run()  # a short line: full size by itself
    assert any("Working in gray at 512 x 512" in c.value for c in at.caption)
    assert not [i.value for i in at.info if "server is busy" in i.value]
