"""The home page and the shared sidebar."""

from __future__ import annotations

import re

import cv2
import pytest
import scipy.ndimage as ndi
from apptest_helpers import APP, assert_healthy
from skimage import data
from streamlit.testing.v1 import AppTest

import convkit

#: Side, in pixels, of the piece Home magnifies (pages/home.py's PIECE_SIDE).
PIECE = 24


def home_pixel(at: AppTest) -> tuple[int, int]:
    """(x, y) of the pixel Home works out, from its heading 'Pixel x=3, y=0, ...'."""
    heading = next(h.value for h in at.subheader if h.value.startswith("Pixel x="))
    return tuple(map(int, re.match(r"Pixel x=(\d+), y=(\d+)", heading).groups()))


def test_first_screen_works_one_pixel_out_like_scipy_and_filter2d(app: AppTest):
    """The first screen explains a pixel at once: its sum is scipy's correlation there, its
    byte cv2.filter2D's (replicate border, rounded and clipped), and the words it uses
    (kernel, border, mapping) are explained where they appear."""
    x, y = home_pixel(app)
    camera = data.camera()
    weights = convkit.BANK["sharpen"].weights
    html = " ".join(h.proto.body for h in app.get("html"))
    total = float(re.search(r"= <b>([^<]+)</b>", html).group(1).replace("−", "-"))
    assert total == pytest.approx(ndi.correlate(camera.astype(float), weights,
                                                mode="nearest")[y, x])
    byte = int(re.search(r"\*\*5\. Output byte: (\d+)\*\*", " ".join(
        m.value for m in app.markdown)).group(1))
    assert byte == cv2.filter2D(camera, -1, weights, borderType=cv2.BORDER_REPLICATE)[y, x]
    words = " ".join(m.value for m in [*app.markdown, *app.caption])
    assert "**kernel** (a small grid of weights)" in words
    assert "**Border** replicate: beyond the image's edge, repeat the edge pixel" in words
    assert "**Mapping** clip: how the sum becomes a byte, 0 to 255" in words
    # The picked pixel lies in the magnified piece the caption places.
    left, top = map(int, re.search(r"from x=(\d+), y=(\d+)", words).groups())
    assert left <= x < left + PIECE and top <= y < top + PIECE
    assert len(app.get("image")) == 2


def test_open_in_the_inspector_opens_that_pixel(app: AppTest):
    """The button beside the numbers opens the Pixel inspector on the same pixel."""
    x, y = home_pixel(app)
    app.button(key="home_open_inspector").click().run()
    assert_healthy(app)
    assert any(h.value == f"Output pixel x={x}, y={y}" for h in app.header)
    assert app.query_params["x"] in ([str(x)], str(x))


def test_sidebar_choices_go_into_the_url(app: AppTest):
    """Every shared choice lands in the query string, so a link reproduces it."""
    app.sidebar.selectbox(key="kernel_name").set_value("emboss").run()
    app.sidebar.selectbox(key="border").set_value("wrap").run()
    app.sidebar.toggle(key="flip").set_value(True).run()
    app.sidebar.selectbox(key="source").set_value("moon").run()
    assert_healthy(app)
    params = {k: (v[0] if isinstance(v, list) else v) for k, v in app.query_params.items()}
    assert params["kernel"] == "emboss" and params["border"] == "wrap"
    assert params["flip"] == "1" and params["image"] == "moon"


def test_a_link_restores_the_settings():
    """Opening a link with settings in it selects them in the sidebar."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(image="coins", kernel="sobel_y", border="constant", value="12",
                           mapping="abs", color="0", res="512")
    at.run()
    assert_healthy(at)
    assert at.sidebar.selectbox(key="kernel_name").value == "sobel_y"
    assert at.sidebar.selectbox(key="border").value == "constant"
    assert at.sidebar.number_input(key="value").value == 12
    assert at.sidebar.selectbox(key="mapping").value == "abs"
    assert at.sidebar.selectbox(key="source").value == "coins"
    assert not at.warning


def test_constant_value_survives_hiding_its_widget(app: AppTest):
    """Switching away from constant padding and back keeps the value typed."""
    app.sidebar.selectbox(key="border").set_value("constant").run()
    app.sidebar.number_input(key="value").set_value(42).run()
    app.sidebar.selectbox(key="border").set_value("reflect").run()
    app.sidebar.selectbox(key="border").set_value("constant").run()
    assert_healthy(app)
    assert app.sidebar.number_input(key="value").value == 42


@pytest.mark.parametrize("page", ["kernel_bank", "pixel_inspector", "kernel_lab",
                                  "padding_modes", "deep_learning"])
def test_every_page_renders_with_a_colour_image(page):
    """Each page renders on a colour sample without an exception."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(image="coffee", color="1", kernel="gaussian_5")
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert_healthy(at)
    assert at.title
