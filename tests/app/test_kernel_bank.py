"""AppTest tests of the kernel bank page: rows, the on-demand loop, its agreement badges, the
pictures at display size and the full-resolution downloads."""

from __future__ import annotations

import io
import re
import threading
import time

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi
import streamlit as st
from apptest_helpers import APP, assert_healthy, open_page
from PIL import Image
from skimage import data
from streamlit.testing.v1 import AppTest
from thread_helpers import BOUND_S, join_all, start, wait_until

import convkit
from convkit import BANK, TUTORIAL_KERNELS
from pages import ui
from server import queues
from tests.unit.references import BORDER_NAMES
from tests.unit.tutorial_reference import TUTORIAL_KERNELS as TUTORIAL_ARRAYS
from tests.unit.tutorial_reference import tutorial_convolve


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Loop results live in a process-wide store; start every test without them."""
    ui.cache.clear()


def downscale(image: np.ndarray, side: int) -> np.ndarray:
    """The image with its longer side at `side`, averaging pixels (the page's loop copy)."""
    height, width = image.shape[:2]
    scale = side / max(height, width)
    return cv2.resize(image, (round(width * scale), round(height * scale)),
                      interpolation=cv2.INTER_AREA)


def clip_round(raw: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(raw), 0, 255).astype(np.uint8)


def scipy_bytes(image: np.ndarray, weights: np.ndarray, border: str) -> np.ndarray:
    """scipy.ndimage's correlation, channel by channel, clipped and rounded to bytes."""
    image = image.astype(np.float64)
    if image.ndim == 3:
        planes = [ndi.correlate(image[:, :, c], weights, mode=BORDER_NAMES[border].scipy, cval=0.0)
                  for c in range(image.shape[2])]
        return clip_round(np.stack(planes, axis=2))
    return clip_round(ndi.correlate(image, weights, mode=BORDER_NAMES[border].scipy, cval=0.0))


def expected_numbers(ours: np.ndarray, image: np.ndarray, weights: np.ndarray):
    """(max abs difference, percent differing) of `ours` against cv2.filter2D's defaults."""
    reference = cv2.filter2D(image, -1, np.asarray(weights, dtype=np.float64))
    diff = np.abs(ours.astype(int) - reference.astype(int))
    return int(diff.max()), 100.0 * (diff > 0).sum() / diff.size


def badges(at) -> list[str]:
    return [b.value for b in at.success] + [b.value for b in at.warning]


def numbers(badge: str) -> tuple[int, float]:
    """(max difference, percent) written in a badge; (0, 0.0) for an 'identical' badge."""
    if badge.startswith("**Identical**"):
        return 0, 0.0
    max_diff = int(re.search(r"max difference \*\*(\d+)\*\*", badge).group(1))
    percent = float(re.search(r"\*\*([\d.]+)%\*\*", badge).group(1))
    return max_diff, percent


def row_badges(at, names) -> dict[str, str]:
    """Each row's badge, keyed by kernel name, matched by the order of the subheaders."""
    subheaders = [s.value for s in at.main.header]
    assert subheaders == list(names)
    ordered = _alerts_in_order(at)
    assert len(ordered) == len(names), ordered
    return dict(zip(names, ordered, strict=True))


def _alerts_in_order(at) -> list[str]:
    """Success and warning texts in the order they appear on the page."""
    texts = []

    def walk(node):
        kind = getattr(node, "type", None)
        if kind in ("success", "warning"):
            texts.append(node.value)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return texts


def test_defaults_show_the_six_tutorial_kernels(app):
    """Six rows, each with a heat map, the original, the fast engine's output and filter2D's."""
    open_page(app, "kernel_bank")
    assert [s.value for s in app.main.header] == list(TUTORIAL_KERNELS)
    grids = [g.proto.body for g in app.get("html") if "ck-grid" in g.proto.body]
    assert len(grids) == 6
    # The sharpen heat map writes the tutorial's own weights, row by row (after the empty
    # corner cell of the offset headers).
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", grids[TUTORIAL_KERNELS.index("sharpen")])
    assert cells[0] == ""
    shown = [float(c.replace("−", "-")) for c in cells[1:]]
    assert shown == TUTORIAL_ARRAYS["sharpen"].ravel().tolist()
    assert len(app.image) == 18
    captions = [c for image in app.image for c in image.captions]
    assert sum("fast engine" in c for c in captions) == 6
    assert sum("cv2.filter2D" in c for c in captions) == 6
    assert any("will visit 128 x 128" in c.value for c in app.caption)


def test_badges_before_the_loop_match_scipy_and_filter2d(app):
    """Default replicate border, clip mapping: each badge's numbers equal an independent count."""
    open_page(app, "kernel_bank")
    small = downscale(data.camera(), 128)
    rows = row_badges(app, TUTORIAL_KERNELS)
    for name, badge in rows.items():
        weights = BANK[name].weights
        expected = expected_numbers(scipy_bytes(small, weights, "replicate"), small, weights)
        assert "The fast engine" in badge
        got = numbers(badge)
        assert got[0] == expected[0], (name, badge)
        assert got[1] == pytest.approx(expected[1], abs=0.006), (name, badge)
        if expected[0]:
            assert "**border**" in badge  # replicate vs reflect_101 is the cause
    assert any(numbers(badge)[0] > 0 for badge in rows.values())


def test_running_the_loop_reproduces_the_tutorial(app):
    """With the tutorial's mapping, the loop's badge equals the tutorial's own loop vs filter2D."""
    app.sidebar.selectbox(key="mapping").set_value("tutorial").run()
    open_page(app, "kernel_bank")
    app.select_slider(key="bank_loop_resolution").set_value(64).run()
    app.button(key="bank_run_loop").click().run()
    assert_healthy(app)
    small = downscale(data.camera(), 64)
    rows = row_badges(app, TUTORIAL_KERNELS)
    for name, badge in rows.items():
        ours = tutorial_convolve(small, TUTORIAL_ARRAYS[name])
        expected = expected_numbers(ours, small, TUTORIAL_ARRAYS[name])
        assert "The tutorial's loop" in badge, badge
        assert "64 x 64 px" in badge
        got = numbers(badge)
        assert got[0] == expected[0], (name, badge, expected)
        assert got[1] == pytest.approx(expected[1], abs=0.006), (name, badge, expected)
    # The tutorial truncates where filter2D rounds: the mapping is named as a cause somewhere.
    assert any("**mapping**" in badge for badge in rows.values())
    assert any("the tutorial truncates (rescale then astype('uint8')), filter2D rounds" in badge
               for badge in rows.values())
    for badge in rows.values():
        if not badge.startswith("**Identical**"):
            # Each differing value is in one group: the groups' counts add up to the total.
            total = int(re.search(r"\(([\d,]+) of [\d,]+\)", badge).group(1).replace(",", ""))
            groups = re.findall(r"^- \*\*because of [^*]+\*\*: ([\d,]+) values$", badge, re.M)
            assert sum(int(g.replace(",", "")) for g in groups) == total, badge
    captions = [c for image in app.image for c in image.captions]
    assert sum("tutorial loop" in c and "64 x 64" in c for c in captions) == 6

    # A rerun keeps the results without running the loop again.
    app.run()
    assert all("The tutorial's loop" in b for b in _alerts_in_order(app))
    assert any("has run for every chosen kernel" in c.value for c in app.caption)


def test_choosing_kernels_and_border_updates_rows(app):
    """Two other kernels, constant border: two rows whose badges match scipy's constant padding."""
    open_page(app, "kernel_bank")
    app.multiselect(key="bank_kernels").set_value(["emboss", "gaussian_5"]).run()
    app.sidebar.selectbox(key="border").set_value("constant").run()
    assert_healthy(app)
    small = downscale(data.camera(), 128)
    rows = row_badges(app, ["emboss", "gaussian_5"])
    for name, badge in rows.items():
        weights = BANK[name].weights
        expected = expected_numbers(scipy_bytes(small, weights, "constant"), small, weights)
        assert numbers(badge)[0] == expected[0], (name, badge)
        assert "constant" in badge
    assert sum("ck-grid" in g.proto.body for g in app.get("html")) == 2


def test_colour_image_loop(app):
    """A colour image runs through the loop; the badge counts every channel value."""
    app.sidebar.toggle(key="color").set_value(True).run()
    app.sidebar.selectbox(key="source").set_value("astronaut").run()
    open_page(app, "kernel_bank")
    app.multiselect(key="bank_kernels").set_value(["sharpen"]).run()
    app.select_slider(key="bank_loop_resolution").set_value(64).run()
    app.button(key="bank_run_loop").click().run()
    assert_healthy(app)
    small = downscale(data.astronaut(), 64)
    (badge,) = row_badges(app, ["sharpen"]).values()
    weights = BANK["sharpen"].weights
    expected = expected_numbers(scipy_bytes(small, weights, "replicate"), small, weights)
    assert "The tutorial's loop" in badge
    assert numbers(badge)[0] == expected[0]
    assert f"of {64 * 64 * 3:,})" in badge


def test_no_kernel_chosen_says_so(app):
    """An empty selection shows a clear message and no rows."""
    open_page(app, "kernel_bank")
    app.multiselect(key="bank_kernels").set_value([]).run()
    assert_healthy(app)
    assert any("Choose at least one kernel" in i.value for i in app.info)
    assert not app.main.header
    assert not app.image


def test_upload_source_without_a_file(app):
    """Choosing 'upload' with nothing uploaded asks for a file instead of failing."""
    open_page(app, "kernel_bank")
    app.sidebar.selectbox(key="source").set_value("upload").run()
    assert_healthy(app)
    assert any("Upload an image" in i.value for i in app.info)


@pytest.mark.parametrize("name", TUTORIAL_KERNELS)
def test_the_badges_agreement_matches_an_independent_count(name):
    """The data behind a badge: compare_with_opencv's Agreement for the fast engine equals
    scipy.ndimage's bytes counted against cv2.filter2D by hand (the badge tests above check
    the page shows these figures)."""
    small = downscale(data.camera(), 128)
    weights = BANK[name].weights
    raw = convkit.convolve(small, weights, "replicate")
    agreement = convkit.compare_with_opencv(small, weights, raw, "replicate", "clip")
    reference = cv2.filter2D(small, -1, np.asarray(weights, dtype=np.float64))
    diff = np.abs(scipy_bytes(small, weights, "replicate").astype(int) - reference.astype(int))
    assert (agreement.max_abs_diff, agreement.differing_pixels, agreement.total_pixels) == (
        int(diff.max()), int((diff > 0).sum()), diff.size)
    assert agreement.percent_differ == pytest.approx(expected_numbers(
        scipy_bytes(small, weights, "replicate"), small, weights)[1])


# ------------------------------------------------ pictures at display size, downloads


@pytest.fixture
def downloads(monkeypatch) -> dict[str, object]:
    """Every download button's data function of the last run, by key (Streamlit's own
    registration is not run: the test calls them as the server's thread pool would)."""
    made: dict[str, object] = {}

    def download_button(label, data, *, key, **_options):
        made[key] = data
        return False

    monkeypatch.setattr(st, "download_button", download_button)
    return made


def coffee_bank(app, kernels: list[str]):
    """The bank on the colour coffee sample (600 x 400 px, wider than the pictures shown)."""
    app.sidebar.toggle(key="color").set_value(True).run()
    app.sidebar.selectbox(key="source").set_value("coffee").run()
    open_page(app, "kernel_bank")
    app.multiselect(key="bank_kernels").set_value(kernels).run()
    assert_healthy(app)
    return app


def decoded(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def test_rows_are_computed_and_shown_at_display_size_and_say_so(app, media):
    """Coffee (600 x 400) is shown at 512 x 341: the picture is the downscaled image filtered
    (scipy on cv2's area downscale), not the full result downscaled, and the caption says so."""
    coffee_bank(app, ["large_blur"])
    captions = [c.value for c in app.caption]
    assert any("Shown at 512 x 341 px" in c and "full resolution, 600 x 400 px" in c
               for c in captions), captions
    pictures = {c: image.proto.imgs[0].url for image in app.image
                for c in image.captions}
    (fast_caption,) = [c for c in pictures if "fast engine" in c]
    assert "512 x 341 px" in fast_caption
    file_id = pictures[fast_caption].rsplit("/", 1)[-1].split(".")[0]
    shown = decoded(media[file_id]).astype(int)
    weights = BANK["large_blur"].weights
    full = data.coffee()
    expected = scipy_bytes(downscale(full, 512), weights, "replicate").astype(int)
    downscaled_result = downscale(scipy_bytes(full, weights, "replicate"), 512).astype(int)
    assert shown.shape == expected.shape == (341, 512, 3)
    # JPEG (quality 90) moves a value by a level or so; the other order differs by more.
    assert np.abs(shown - expected).mean() < 1.0
    assert np.abs(shown - downscaled_result).mean() > 2 * np.abs(shown - expected).mean()


def assert_rounds_like_scipy(ours: np.ndarray, image: np.ndarray, weights: np.ndarray) -> None:
    """`ours` equals scipy.ndimage's correlation (replicate border) clipped and rounded, but
    where the float64 sum lies within 1e-3 of a half (float32 sums may round the other way)."""
    raw = np.stack([ndi.correlate(image[..., c].astype(np.float64), weights, mode="nearest")
                    for c in range(image.shape[2])], axis=2)
    expected = clip_round(raw)
    assert ours.shape == expected.shape
    differ = ours != expected
    assert (np.abs(ours.astype(int) - expected)[differ] == 1).all()
    assert (np.abs(raw[differ] % 1 - 0.5) < 1e-3).all()


def test_downloads_hold_the_full_resolution_results(app, downloads):
    """Clicked, each download's PNG is the whole 600 x 400 image: the fast engine's equals
    scipy.ndimage's correlation, filter2D's equals cv2.filter2D (the reference, called here)."""
    coffee_bank(app, ["sharpen", "gaussian_5"])
    full = data.coffee()
    for name in ("sharpen", "gaussian_5"):
        weights = BANK[name].weights
        fast = decoded(downloads[f"bank_download_{name}_fast"]())
        assert_rounds_like_scipy(fast, full, weights)
        reference = decoded(downloads[f"bank_download_{name}_filter2d"]())
        np.testing.assert_array_equal(reference, cv2.filter2D(full, -1, weights.astype(float)))


@pytest.fixture
def gate(monkeypatch):
    """A fresh compute queue of one slot for the test."""
    fresh = queues.WorkQueue(1, 10, name="computations", max_bytes=2**30, reentrant=True)
    monkeypatch.setitem(queues.QUEUES, "compute", fresh)
    return fresh


def test_a_download_waits_for_its_turn_declaring_its_bytes(app, downloads, gate):
    """With the compute queue's one place held, a clicked download waits in line; once the
    place is free it runs, declaring three float32 copies of the 600 x 400 x 3 image."""
    coffee_bank(app, ["sharpen"])
    release, results = threading.Event(), []

    def hold():
        with gate.slot(nbytes=1):
            release.wait(BOUND_S)

    holder = start(hold)
    wait_until(lambda: gate.busy == 1)
    clicked = start(lambda: results.append(downloads["bank_download_sharpen_fast"]()))
    wait_until(lambda: gate.waiting == 1)
    assert not results
    release.set()
    join_all([holder, clicked])
    assert gate.peak_bytes_held == 3 * 4 * 600 * 400 * 3
    assert_rounds_like_scipy(decoded(results[0]), data.coffee(), BANK["sharpen"].weights)


def test_a_download_whose_visitor_left_leaves_the_line(app, downloads, gate, monkeypatch):
    """The visitor closes the page while their download waits: it leaves the line within a
    poll, nothing of it runs, and the file it gives (to nobody) is empty."""
    here = threading.Event()
    here.set()
    monkeypatch.setattr(ui.compat, "visitor_still_here", lambda: here.is_set)
    coffee_bank(app, ["sharpen"])
    made = []
    monkeypatch.setattr(ui.cache, "filtered_bytes", lambda *a: made.append(a))
    release, outcome = threading.Event(), []

    def hold():
        with gate.slot(nbytes=1):
            release.wait(BOUND_S)

    def click():
        outcome.append(downloads["bank_download_sharpen_fast"]())

    holder = start(hold)
    wait_until(lambda: gate.busy == 1)
    clicked = start(click)
    wait_until(lambda: gate.waiting == 1)
    here.clear()
    join_all([clicked])
    assert outcome == [b""] and gate.waiting == 0 and not made
    release.set()
    join_all([holder])


def _timing_lines(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**Time**")]


def _loop_seconds(line: str) -> float:
    return float(re.search(r"loop took \*\*([0-9.]+) s\*\*", line).group(1))


def test_two_visitors_each_run_the_loop_and_the_second_watches_a_measured_replay(
        app, monkeypatch):
    """Visitor A presses Run: the loop runs in its worker, A reads its time beside
    cv2.filter2D's. Visitor B, in a session of its own, first sees the loop as not run for
    them; B's Run computes nothing again (the worker is not called) but replays A's measured
    run at its speed (it lasts at least as long) and shows the same measured time, said to be
    a replay. Both end with the loop's pictures and badges."""
    computed = []
    real = ui.work.timed_loop_in_worker

    def counting(pixels, weights, *args, **kwargs):
        computed.append(np.asarray(weights).copy())
        return real(pixels, weights, *args, **kwargs)

    monkeypatch.setattr(ui.work, "timed_loop_in_worker", counting)
    names = ["sharpen", "box_5"]
    visitors = []
    for at in (app, AppTest.from_file(APP, default_timeout=60).run()):
        open_page(at, "kernel_bank")
        at.multiselect(key="bank_kernels").set_value(names).run()
        at.select_slider(key="bank_loop_resolution").set_value(64).run()
        visitors.append(at)
    first, second = visitors

    first.button(key="bank_run_loop").click().run()
    assert_healthy(first)
    assert len(computed) == 2
    mine = _timing_lines(first)
    assert len(mine) == 2 and all("(your run)" in line and "cv2.filter2D" in line
                                  for line in mine), mine
    assert all(_loop_seconds(line) > 0 for line in mine)

    second.run()
    assert not _timing_lines(second)  # not run for this visitor yet: the fast engine shows
    assert any("already ran on this server for another visitor" in c.value
               for c in second.caption)
    started = time.perf_counter()
    second.button(key="bank_run_loop").click().run()
    took = time.perf_counter() - started
    assert_healthy(second)
    assert len(computed) == 2  # nothing computed again
    replayed = _timing_lines(second)
    assert len(replayed) == 2 and all("a replay of the run measured on this server" in line
                                      for line in replayed), replayed
    assert [_loop_seconds(line) for line in replayed] == [_loop_seconds(line) for line in mine]
    assert took >= sum(_loop_seconds(line) for line in mine) * 0.99
    for at in visitors:
        assert all("The tutorial's loop" in b for b in row_badges(at, names).values())
        assert any("has run for every chosen kernel" in c.value for c in at.caption)


def test_one_picture_at_a_time_and_the_difference_marks_what_differs(app, media):
    """The row's switch shows one picture; 'difference' marks exactly the pixels where the
    fast engine (replicate border) and cv2.filter2D (reflect_101) differ, counted in words."""
    open_page(app, "kernel_bank")
    app.multiselect(key="bank_kernels").set_value(["sharpen"]).run()
    switch = app.button_group(key="bank_show_sharpen")
    assert switch.value == "side by side"
    assert len(app.image) == 3
    switch.set_value("filter2D").run()
    assert_healthy(app)
    assert [c for image in app.image for c in image.captions][0].startswith("cv2.filter2D")
    app.button_group(key="bank_show_sharpen").set_value("difference").run()
    assert_healthy(app)
    (image,) = app.image
    (caption,) = image.captions
    side = int(re.search(r"(\d+) x \d+ px", caption).group(1))
    shown = downscale(data.camera(), side)
    weights = BANK["sharpen"].weights
    differs = scipy_bytes(shown, weights, "replicate") != cv2.filter2D(shown, -1, weights)
    assert 0 < differs.sum() < differs.size // 10  # a few, along the edges
    assert f"{differs.sum():,} of {differs.size:,} pixels differ" in caption
    marked = decoded(media[image.proto.imgs[0].url.rsplit("/", 1)[-1].split(".")[0]])
    yellow = (marked[..., :3] == convkit.explain.DIFFERENT).all(axis=2)
    assert np.array_equal(yellow, differs)
