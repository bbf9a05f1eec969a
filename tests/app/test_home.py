"""The home page and the shared sidebar."""

from __future__ import annotations

import re

import pytest
import scipy.ndimage as ndi
from apptest_helpers import APP, assert_healthy
from skimage import data
from streamlit.testing.v1 import AppTest

import convkit


def test_home_works_one_pixel_out_like_scipy(app: AppTest):
    """The live example's sum at the image centre is scipy's correlation there."""
    line = next(m.value for m in app.markdown if m.value.startswith("Σ weight × pixel"))
    total = float(re.search(r"= \*\*([^*]+)\*\*$", line).group(1).replace("−", "-"))
    expected = ndi.correlate(data.camera().astype(float), convkit.BANK["sharpen"].weights,
                             mode="nearest")[256, 256]
    assert total == pytest.approx(expected)
    assert len(app.get("image")) == 2


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
