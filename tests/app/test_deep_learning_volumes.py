"""AppTest tests of the deep-learning page's layer drawn as volumes: a click on an output cell
breaks that cell down, and its sum, bias and ReLU match scipy and NumPy."""

from __future__ import annotations

import re

import numpy as np
import pytest
from apptest_helpers import assert_healthy, component_data, open_page
from scipy import signal
from streamlit.testing.v1 import AppTest

import convkit
from harness.apptest_hooks import send_component_event


def colour_crop() -> np.ndarray:
    """The page's 6 x 6 colour crop of the sample when the working image is gray."""
    astronaut = convkit.fit_to_pixels(convkit.load_sample("astronaut"), 256)
    return convkit.lessons.busiest_crop(astronaut, 6, channels=True)[0]


def shown(at: AppTest, start: str) -> list[float]:
    """The bold numbers of the one markdown line starting with `start`."""
    (line,) = [m.value for m in at.markdown if m.value.startswith(start)]
    return [float(v.replace("−", "-")) for v in re.findall(r"\*\*(−?[\d.]+)\*\*", line)]


@pytest.mark.parametrize(("count", "bias", "pick"), [(3, -60.0, (2, 1, 4)), (4, 20.0, (3, 5, 0))])
def test_clicking_an_output_cell_breaks_that_cell_down(app, count, bias, pick):
    """The click's cell: per channel correlate2d, their sum, + bias, ReLU, all as scipy says."""
    open_page(app, "deep_learning")
    app.slider(key="dl_filter_count").set_value(count)
    app.number_input(key="dl_bias").set_value(bias).run()
    send_component_event(app, "dl_volumes", "pick",
                         {"kind": "cell", "filter": pick[0], "x": pick[1], "y": pick[2]})
    assert_healthy(app)
    f, x, y = pick
    names, filters = convkit.lessons.rgb_filters()
    assert app.selectbox(key="dl_filter").value == names[f]
    assert (app.number_input(key="dl_rgb_col").value, app.number_input(key="dl_rgb_row").value) \
        == (x, y)
    crop = colour_crop()
    per_channel = [signal.correlate2d(crop[..., ch], filters[f, ch], "same")[y, x]
                   for ch in range(3)]
    for ch, label in enumerate(("red", "green", "blue")):
        assert shown(app, f"{label} sum:")[0] == pytest.approx(per_channel[ch], rel=1e-3,
                                                                abs=1e-3)
    (conv,) = shown(app, f"Output x={x}, y={y} of filter {f + 1} =")
    assert conv == pytest.approx(sum(per_channel), rel=1e-5)
    after = shown(app, "Then + bias")
    assert after == pytest.approx([sum(per_channel) + bias,
                                   np.maximum(sum(per_channel) + bias, 0.0)], rel=1e-5, abs=1e-9)
    data = component_data(app, "convkit_volumes")
    assert data["point"] == [f, x, y]
    assert f"map {f + 1}, x={x}, y={y}" in data["html"]
    assert len(re.findall(r'class="ckv-cell"', data["html"])) == count * 36


def test_fewer_filters_fewer_maps_and_a_bad_event_changes_nothing(app):
    """K = 2: two maps drawn and listed; the chosen third filter falls back to the first; an
    event naming a map the layer lacks is ignored."""
    open_page(app, "deep_learning")
    names, _ = convkit.lessons.rgb_filters()
    app.selectbox(key="dl_filter").set_value(names[2]).run()
    app.slider(key="dl_filter_count").set_value(2).run()
    assert_healthy(app)
    assert app.selectbox(key="dl_filter").options == [f"filter {i + 1}: {n}"
                                                      for i, n in enumerate(names[:2])]
    assert app.selectbox(key="dl_filter").value == names[0]
    html = component_data(app, "convkit_volumes")["html"]
    assert 'data-f="1"' in html and 'data-f="2"' not in html
    send_component_event(app, "dl_volumes", "pick", {"kind": "cell", "filter": 2, "x": 0, "y": 0})
    assert_healthy(app)
    assert app.selectbox(key="dl_filter").value == names[0]
    assert (app.number_input(key="dl_rgb_row").value, app.number_input(key="dl_rgb_col").value) \
        == (2, 3)
