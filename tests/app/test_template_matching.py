"""The template matching page, driven through its widgets; matches checked against OpenCV."""

from __future__ import annotations

import base64
import io
import json
import re

import cv2
import numpy as np
import pytest
import scipy.ndimage as ndi
from apptest_helpers import APP, assert_healthy, open_page
from image_files import png
from PIL import Image
from skimage import data
from streamlit.testing.v1 import AppTest

BEST = re.compile(r"Normalized best match \(green\) at \*\*x=(\d+), y=(\d+)\*\*")


def matching(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    return open_page(at, "template_matching")


def best(at: AppTest) -> tuple[int, int]:
    text = next(m.value for m in at.markdown if BEST.search(m.value))
    found = BEST.search(text)
    return int(found.group(1)), int(found.group(2))


def set_patch(at: AppTest, x: int, y: int, width: int, height: int) -> AppTest:
    for key, value in (("match_w", width), ("match_h", height), ("match_x", x), ("match_y", y)):
        at.number_input(key=key).set_value(value).run()
        assert_healthy(at)
    return at


def opencv_best(image: np.ndarray, patch: np.ndarray) -> tuple[int, int]:
    """Centre of cv2.matchTemplate's best TM_CCOEFF_NORMED match."""
    scores = cv2.matchTemplate(image.astype(np.float32), patch.astype(np.float32),
                               cv2.TM_CCOEFF_NORMED)
    top, left = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return int(left + patch.shape[1] // 2), int(top + patch.shape[0] // 2)


def test_typed_patch_is_found_where_opencv_finds_it() -> None:
    """A typed patch on the face: the page's best match is OpenCV's, and plain correlation's
    best lies elsewhere, on a brighter region."""
    at = set_patch(matching({"image": "camera"}), 222, 150, 41, 51)
    camera = data.camera()
    patch = camera[125:176, 202:243]
    assert best(at) == opencv_best(camera, patch) == (222, 150)
    text = next(m.value for m in at.markdown if BEST.search(m.value))
    means = re.search(r"region's mean is (\S+) against (\S+) at", text)
    assert float(means.group(1)) > float(means.group(2)) + 50


def test_stored_example_switches_the_image_and_sets_the_patch() -> None:
    """'one coin' opens the coins sample with the coin's patch, found at its own place."""
    at = matching({"image": "camera"})
    at.selectbox(key="match_example").set_value("one coin").run()
    at.button(key="match_use_example").click().run()
    assert_healthy(at)
    assert at.session_state["source"] == "coins"
    x, y = at.number_input(key="match_x").value, at.number_input(key="match_y").value
    assert (x, y) == (101, 56)
    assert best(at) == (101, 56)


@pytest.mark.parametrize("dx, dy", [(40, 25), (-30, 60)])
def test_shifted_noisy_copy_moves_the_match(dx: int, dy: int) -> None:
    """Searching the image moved by (dx, dy) with noise finds the patch moved by (dx, dy)."""
    at = set_patch(matching({"image": "camera"}), 290, 162, 51, 41)
    at.radio(key="match_target").set_value("the same image, shifted and noised").run()
    at.slider(key="match_dx").set_value(dx).run()
    at.slider(key="match_dy").set_value(dy).run()
    assert_healthy(at)
    assert best(at) == (290 + dx, 162 + dy)


def test_small_patch_shows_every_number_and_the_sums_are_scipys() -> None:
    """An 11 x 11 patch: numbered grids; the plain sum at the best match is scipy's correlate."""
    at = set_patch(matching({"image": "coins"}), 60, 60, 11, 11)
    grids = [h.proto.body for h in at.get("html") if "ck-grid" in h.proto.body]
    assert len(grids) == 6 and not any('class="ck-grid tiny"' in g for g in grids)
    x, y = best(at)
    coins = data.coins().astype(float)
    patch = coins[55:66, 55:66]
    expected = ndi.correlate(coins, patch, mode="nearest")[y, x]
    line = next(m.value for m in at.markdown if m.value.startswith("**4. Sum of the products**"))
    shown = float(re.search(r"= \*\*(\S+)\*\*", line).group(1).replace("−", "-"))
    assert shown == pytest.approx(expected, rel=1e-5)
    ncc = next(m.value for m in at.markdown if "**NCC** =" in m.value)
    assert re.search(r"= \*\*(0\.99\d*|1)\*\*$", ncc)


def test_another_sample_and_a_patch_too_big_for_it() -> None:
    """Searching another sample works; one smaller than the patch gets a clear message."""
    at = set_patch(matching({"image": "camera", "res": "128"}), 64, 64, 61, 61)
    at.radio(key="match_target").set_value("another sample").run()
    at.selectbox(key="match_other").set_value("coins").run()
    assert_healthy(at)
    assert any(s.value == "Matching in coins" for s in at.header)
    at.selectbox(key="match_other").set_value("text").run()
    assert_healthy(at)
    assert any("Cannot match in text: patch (61 x 61) must be no larger than the image (128 x 49)"
               in e.value for e in at.error)


def test_even_side_is_refused_with_a_message() -> None:
    """A typed even width gets a message naming patch_width, not a traceback."""
    at = matching({"image": "camera"})
    at.number_input(key="match_w").set_value(30).run()
    assert_healthy(at)
    assert any("Cannot use this patch: patch_width must be odd" in e.value for e in at.error)


TINY = [np.full((1, 1), 200, np.uint8), np.tile((np.arange(10_000) % 256).astype(np.uint8), (3, 1)),
        np.dstack([np.full((2, 3), c, np.uint8) for c in (255, 0, 90)])]


@pytest.mark.parametrize("pixels", TINY, ids=["1x1", "10000x3", "2x3-colour"])
def test_tiny_uploads_get_a_message(pixels: np.ndarray) -> None:
    """An image too small to cut a patch from: a warning saying so, no error, no traceback."""
    at = matching()
    at.file_uploader(key="upload").set_value(("tiny.png", png(pixels), "image/png")).run()
    assert_healthy(at)
    assert at.session_state["source"] == "upload"
    assert not at.error
    assert any("too small for template matching: image must be at least 3 x 3" in w.value
               for w in at.warning)


def test_a_small_upload_is_matched() -> None:
    """A 40 x 30 upload: the patch starts at its centre, shrinks to fit, and is found there."""
    rng = np.random.default_rng(2)
    pixels = rng.integers(0, 256, (30, 40)).astype(np.uint8)
    at = matching()
    at.file_uploader(key="upload").set_value(("small.png", png(pixels), "image/png")).run()
    assert_healthy(at)
    assert at.number_input(key="match_h").value == 29
    assert best(at) == opencv_best(pixels, pixels[1:30, 5:36]) == (20, 15)



def clickable_pictures(at: AppTest) -> list[dict]:
    """The data of every clickable picture on the page, in page order."""
    return [json.loads(e.proto.json) for e in at.get("bidi_component")
            if e.proto.component_name == "convkit_clickable"]


def picture_of(view: dict) -> np.ndarray:
    """The picture a clickable picture was sent (a PNG data URL), as an array."""
    png = base64.b64decode(view["src"].removeprefix("data:image/png;base64,"))
    return np.asarray(Image.open(io.BytesIO(png)))


def test_clickable_pictures_say_what_they_show_and_where_the_marker_is() -> None:
    """The patch picture and both maps: an alt text naming what they show and where, the
    marker on the point, and only the best match burnt in (the browser draws the marker)."""
    at = set_patch(matching({"image": "camera"}), 222, 150, 41, 51)
    pick, plain, ncc = clickable_pictures(at)
    assert pick["drag"] and pick["point"] == [222, 150] and pick["size"] == [512, 512]
    assert pick["marker"]["shape"] == [51, 41]
    assert pick["alt"].endswith("the patch outlined in yellow: 41 x 51 px centred on x=222, "
                                "y=150")
    np.testing.assert_array_equal(picture_of(pick), data.camera())  # gray, as matched
    assert ncc["point"] == plain["point"] == [222, 150] and ncc["stretch"] and plain["stretch"]
    assert ncc["marker"] == plain["marker"] == {"shape": [15, 15], "colour": [60, 140, 255],
                                                "line": 4}
    assert "the green box marks the best match, x=222, y=150, score 1;" in ncc["alt"]
    assert ncc["alt"].endswith("the blue box marks the point broken down, x=222, y=150")
    camera = data.camera()
    best = opencv_best(camera, camera[125:176, 202:243])
    found = re.search(r"the red dashed box marks its largest, at x=(\d+), y=(\d+);", plain["alt"])
    assert found and best == (222, 150)
    # Plain correlation's box is dashed (not told from the green one by colour alone): along
    # its top line, red runs and gaps alternate; the green box's top line has no gap.
    px, py = int(found.group(1)), int(found.group(2))
    top = picture_of(plain)[max(py - 25, 0), max(px - 20, 0):px + 21]
    red = (top == (255, 40, 40)).all(axis=1)
    assert red.any() and not red.all()
    assert "Enter picks it" in ncc["hint"] and "drag a box" in pick["hint"]
    shown = picture_of(ncc)
    assert tuple(shown[150 - 25, 222]) == (40, 200, 60)  # the green box's top line
    assert not (shown == (60, 140, 255)).all(axis=2).any()  # no blue: the browser draws it
