"""Bad input through the app: junk links and bad uploads give a clear message, never a crash.

The session stays usable afterwards: a good image or a valid setting then gives the numbers an
independent computation (cv2.filter2D) gives.
"""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest
from apptest_helpers import APP, assert_healthy, open_page
from image_files import bomb_png, png
from streamlit.testing.v1 import AppTest

import convkit
from pages import ui

PAGES = ("home", "kernel_bank", "pixel_inspector", "kernel_lab", "challenges", "padding_modes",
         "deep_learning", "deconvolution", "template_matching")


def fresh(query: dict[str, str | list[str]]) -> AppTest:
    """The app opened from a link carrying `query`."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    return at


def notice(at: AppTest) -> str:
    texts = [w.value for w in at.warning if "link were ignored" in w.value]
    assert len(texts) == 1, [w.value for w in at.warning]
    return texts[0]


def code_spans(markdown: str) -> list[str]:
    """The inline code spans of a one-line Markdown text (backtick-delimited)."""
    assert markdown.count("`") % 2 == 0, markdown
    return markdown.split("`")[1::2]





def centre_sum_shown(at: AppTest) -> float:
    """The Home page's 'OpenCV computes the same sum: **v**' number."""
    for markdown in at.markdown:
        found = re.search(r"OpenCV computes the same sum: \*\*([−0-9.e+]+)\*\*", markdown.value)
        if found:
            return float(found.group(1).replace("−", "-"))
    raise AssertionError("no centre sum on the page")


def filter2d_centre(pixels: np.ndarray, weights: np.ndarray, at: AppTest) -> float:
    """Independent reference: cv2.filter2D (correlation, replicate border) at the pixel the
    Home page works out ('Pixel x=3, y=0, ...')."""
    out = cv2.filter2D(pixels.astype(np.float64), -1, weights, borderType=cv2.BORDER_REPLICATE)
    heading = next(h.value for h in at.subheader if re.match(r"Pixel x=\d+, y=\d+, ", h.value))
    x, y = map(int, re.match(r"Pixel x=(\d+), y=(\d+)", heading).groups())
    return float(out[y, x])


# ------------------------------------------------------------------------------ links


@pytest.mark.parametrize(
    "query, shown, kernel",
    [
        ({"kernel": "no_such_kernel"}, "kernel=no_such_kernel", "sharpen"),
        ({"kernel": "<script>alert(1)</script>"}, "kernel=<script>alert(1)</script>", "sharpen"),
        ({"res": "99999999999999999999"}, "res=99999999999999999999", "sharpen"),
        ({"value": "1e400", "border": "constant"}, "value=1e400", "sharpen"),
        ({"x": "-5", "kernel": "emboss"}, "x=-5", "emboss"),
        ({"y": "²"}, "y=²", "sharpen"),
        ({"flip": "yes", "kernel": "sobel_x"}, "flip=yes", "sobel_x"),
        ({"image": "../../etc/passwd"}, "image=../../etc/passwd", "sharpen"),
        ({"utm_source": "mail"}, "utm_source", "sharpen"),
    ],
)
def test_bad_query_parameters_are_ignored_with_a_notice(query, shown, kernel):
    at = fresh(query)
    text = notice(at)
    assert shown in code_spans(text), text
    assert at.session_state["kernel_name"] == kernel
    assert at.session_state["source"] == ui.DEFAULT_SAMPLE or "image" not in query
    # The notice is said once: the next run of the same session no longer shows it.
    at.sidebar.selectbox(key="mapping").set_value("abs").run()
    assert_healthy(at)
    assert not [w for w in at.warning if "link were ignored" in w.value]


@pytest.mark.parametrize(
    "value",
    [
        "x\n\n![pixel](http://127.0.0.1:9/track.png)",
        "x\r\n\r\n[click me](javascript:alert(1))",
        "x`<img src=x onerror=alert(1)>`[a](http://e.example)",
        "x\u2028\u2029**bold**\x00\x1b[31m",
    ],
)
def test_injected_markup_stays_inside_one_code_span(value):
    """Line breaks or backticks in a value must not end the code span and render Markdown."""
    at = fresh({"kernel": value})
    text = notice(at)
    spans = code_spans(text)
    assert len(spans) == 1 and spans[0].startswith("kernel=x"), text
    outside = text.replace(f"`{spans[0]}`", "")
    assert not re.search(r"[\[\]()!<>*\n\r]", outside), outside
    assert all(c.isprintable() for c in text)


def test_repeated_keys_take_one_value_without_crashing():
    at = fresh({"kernel": ["sobel_x", "emboss"], "image": ["coins", "moon"]})
    assert at.session_state["kernel_name"] in ("sobel_x", "emboss")
    assert at.session_state["source"] in ("coins", "moon")


def test_a_flood_of_unknown_parameters_gives_a_short_notice():
    at = fresh({f"junk{i}": "1" for i in range(40)})
    text = notice(at)
    assert len(code_spans(text)) == 8 and "32 more unknown parameters" in text


def test_valid_settings_in_a_junk_link_still_apply_and_compute_correctly():
    at = fresh({"image": "coins", "kernel": "sobel_x", "border": "bogus", "zzz": "<b>"})
    text = notice(at)
    assert "border=bogus" in code_spans(text) and "zzz" in code_spans(text)
    assert at.session_state["source"] == "coins" and at.session_state["border"] == "replicate"
    pixels = convkit.fit_to_pixels(convkit.load_sample("coins"), ui.DEFAULT_RESOLUTION)
    expected = filter2d_centre(pixels, convkit.BANK["sobel_x"].weights, at)
    assert centre_sum_shown(at) == pytest.approx(expected, abs=1e-3)


# ---------------------------------------------------------------------------- uploads


def _good_image() -> np.ndarray:
    y, x = np.mgrid[0:40, 0:50]
    return ((x * 5 + y * 3) % 256).astype(np.uint8)


BAD_UPLOADS = {
    "text.png": (b"this is not a picture\n" * 30, "not an image"),
    "truncated.png": (png(np.random.default_rng(1).integers(0, 256, (64, 64), np.uint8))[:900],
                      "truncated or damaged"),
    "empty.png": (b"", "empty"),
    "bomb.png": (bomb_png(), "40,000,000"),
    "drawing.png": (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
}


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload").set_value((name, data, "image/png")).run()
    assert_healthy(at)
    return at


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_bad_upload_shows_the_reason_then_a_good_upload_works(app, name):
    data, reason = BAD_UPLOADS[name]
    upload(app, name, data)
    errors = [e.value for e in app.error]
    assert any(e.startswith(f"Cannot use {name}") and reason in e for e in errors), errors
    assert not app.image  # nothing is drawn from a refused file

    good = _good_image()
    upload(app, "good.png", png(good))
    assert not app.error
    assert len(app.image) == 2  # input and filtered output
    expected = filter2d_centre(good, convkit.BANK["sharpen"].weights, app)
    assert centre_sum_shown(app) == pytest.approx(expected, abs=1e-3)


def test_markup_in_a_file_name_is_neutralised(app):
    upload(app, "[see](javascript:alert(1))<img src=x>.png", b"nope")
    message = [e.value for e in app.error if e.value.startswith("Cannot use")][0]
    name = message.split(":", 1)[0]
    assert not re.search(r"[\[\]<>!`*]", name), message  # no link, image or HTML can form
    upload(app, "holiday photo (1).png", b"nope")
    assert any(e.value.startswith("Cannot use holiday photo (1).png:") for e in app.error)


def test_a_refused_upload_does_not_reach_another_session(app):
    upload(app, "bomb.png", bomb_png())
    other = AppTest.from_file(APP, default_timeout=60)
    other.run()
    assert_healthy(other)
    assert not other.error and other.session_state["source"] == ui.DEFAULT_SAMPLE
    expected = filter2d_centre(
        convkit.fit_to_pixels(convkit.load_sample(ui.DEFAULT_SAMPLE), ui.DEFAULT_RESOLUTION),
        convkit.BANK["sharpen"].weights, other)
    assert centre_sum_shown(other) == pytest.approx(expected, abs=1e-3)
    # ...and the first session can go back to a sample straight away.
    app.sidebar.selectbox(key="source").set_value("moon").run()
    assert_healthy(app)
    assert not app.error and len(app.image) == 2


@pytest.mark.parametrize(
    "pixels",
    [np.full((1, 1), 200, np.uint8),
     np.tile((np.arange(10_000) % 256).astype(np.uint8), (3, 1)),
     np.dstack([np.full((2, 3), c, np.uint8) for c in (255, 0, 90)])],
    ids=["1x1", "10000x3", "2x3-colour"],
)
def test_tiny_and_extreme_images_work_on_every_page(app, pixels):
    upload(app, "odd.png", png(pixels))
    app.sidebar.toggle(key="color").set_value(True).run()
    for page in PAGES:
        open_page(app, page)
        assert app.session_state["source"] == "upload"
        assert not [e.value for e in app.error], (page, [e.value for e in app.error])
        if page == "home":
            assert len(app.image) == 2  # the upload and its filtered copy


def test_pixels_outside_the_image_are_clamped_to_its_edge():
    """x/y past the image (but plausible numbers) land on the last pixel, with no crash."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["image"] = "coins"
    at.query_params["x"] = "99999"
    at.query_params["y"] = "400"
    at.run()
    assert_healthy(at)
    open_page(at, "pixel_inspector")
    height, width = convkit.load_sample("coins").shape[:2]
    headings = [h.value for h in at.subheader] + [h.value for h in at.header]
    assert f"Output pixel x={width - 1}, y={height - 1}" in headings, headings
    assert at.number_input(key="inspector_x").value == width - 1
