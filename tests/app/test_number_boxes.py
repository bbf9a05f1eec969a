"""Number boxes out of range: a message in words under the box and the nearest allowed value
used, on every page that has one (pages.ui.number_box)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from apptest_helpers import APP, assert_healthy, open_page
from skimage import data
from streamlit.testing.v1 import AppTest

import convkit


def opened(page: str, params: dict[str, str]) -> AppTest:
    """The app opened on `page` with a link's query parameters."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    return open_page(at, page)


def warnings(at: AppTest) -> str:
    return " ".join(w.value for w in [*at.warning, *at.sidebar.warning])


def shown_sum(at: AppTest) -> float:
    """The total the inspector writes at the end of the sum."""
    body = next(h.proto.body for h in at.get("html") if "4. Sum of the products" in h.proto.body)
    return float(body.rsplit(" = <b>", 1)[1].split("</b>", 1)[0].replace("−", "-"))


def test_constant_value_past_the_limit_says_so_and_the_limit_is_used():
    """A constant value of 5,000,000 is refused in words; 1,000,000 fills the border, as
    scipy's correlation with cval=1e6 confirms at the corner pixel."""
    at = opened("pixel_inspector", {"image": "coins", "kernel": "sobel_y", "border": "constant",
                                    "x": "0", "y": "0"})
    at.sidebar.number_input(key="value").set_value(5e6).run()
    assert_healthy(at)
    assert ("**Constant value v**: 5000000 is outside the allowed range, −1000000 to 1000000; "
            "1000000 is used instead.") in warnings(at)
    assert at.sidebar.number_input(key="value").value == 1e6
    expected = ndi.correlate(data.coins().astype(np.float64), convkit.BANK["sobel_y"].weights,
                             mode="constant", cval=1e6)[0, 0]
    assert shown_sum(at) == pytest.approx(expected, rel=1e-6)
    # A value in range clears the message.
    at.sidebar.number_input(key="value").set_value(7.0).run()
    assert "Constant value v" not in warnings(at)


def test_divisor_past_the_limit_says_so_and_the_link_carries_the_value_used():
    """A divisor of -2,000,000 becomes -1,000,000, said in words, and that is what the link
    (the settings in use) carries."""
    at = opened("pixel_inspector", {"image": "camera", "mapping": "divide"})
    at.sidebar.number_input(key="divisor").set_value(-2e6).run()
    assert_healthy(at)
    assert ("**Divisor**: −2000000 is outside the allowed range, −1000000 to 1000000; −1000000 "
            "is used instead.") in warnings(at)
    assert at.query_params["divisor"] in (["-1000000"], "-1000000")


def test_inspector_x_past_the_edge_picks_the_last_column_and_says_so():
    """x=600 on the 512-wide camera: a message, and pixel x=511 is the one explained."""
    at = opened("pixel_inspector", {"image": "camera", "y": "10"})
    width = data.camera().shape[1]
    at.number_input(key="inspector_x").set_value(600).run()
    assert_healthy(at)
    assert (f"**x (column)**: 600 is outside the allowed range, 0 to {width - 1}; {width - 1} "
            "is used instead.") in warnings(at)
    assert any(h.value == f"Output pixel x={width - 1}, y=10" for h in at.header)


def test_template_width_past_its_limit_uses_the_largest_and_says_so():
    """A patch 999 wide on the camera becomes the widest patch allowed, said in words."""
    at = opened("template_matching", {"image": "camera"})
    limit_w, _ = convkit.lessons.patch_side_limits(data.camera().shape)
    at.number_input(key="match_w").set_value(999).run()
    assert_healthy(at)
    assert (f"**width**: 999 is outside the allowed range, {convkit.lessons.MIN_PATCH_SIDE} to "
            f"{limit_w}; {limit_w} is used instead.") in warnings(at)
    assert at.number_input(key="match_w").value == limit_w


def test_deep_learning_input_row_past_the_grid_uses_the_last_row_and_says_so(app):
    """Input row 10,000 on a typed 4 x 5 grid: its last row, y=3, is picked, said in words."""
    open_page(app, "deep_learning")
    app.radio(key="dl_source").set_value("numbers I type").run()
    app.text_area(key="dl_grid").set_value("\n".join(["1 2 3 4 5"] * 4)).run()
    app.number_input(key="dl_pick_row").set_value(10_000).run()
    assert_healthy(app)
    assert ("**Input row**: 10000 is outside the allowed range, 0 to 3; 3 is used instead."
            in warnings(app))
    assert app.number_input(key="dl_pick_row").value == 3
    assert any("Input cell x=" in m.value and ", y=3 is read by" in m.value for m in app.markdown)
