"""AppTest tests of the kernel bank page: rows, the on-demand loop, and its agreement badges."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi
from apptest_helpers import assert_healthy, open_page
from skimage import data

import convkit
from convkit import BANK, TUTORIAL_KERNELS
from pages import ui
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
