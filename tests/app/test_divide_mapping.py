"""AppTest: the divide mapping (sum / divisor + offset) worked out on the pixel inspector."""

from __future__ import annotations

import numpy as np
import scipy.ndimage as ndi
from apptest_helpers import APP, assert_healthy, home_pixel, open_page
from skimage import data
from streamlit.testing.v1 import AppTest

import convkit


def test_inspector_shows_the_divide_and_offset_steps_by_hand():
    """Sobel x at (300, 200), divisor 4, offset 128: the steps show scipy's sum, the sum / 4,
    that + 128 and the byte, each worked out here."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"image": "camera", "kernel": "sobel_x", "border": "replicate",
                       "mapping": "divide", "divisor": "4", "offset": "128", "x": "300",
                       "y": "200"}.items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    open_page(at, "pixel_inspector")
    weights = convkit.BANK["sobel_x"].weights
    total = ndi.correlate(data.camera().astype(np.float64), weights, mode="nearest")[200, 300]
    shifted = total / 4 + 128
    byte = int(np.clip(np.rint(shifted), 0, 255))
    text = " ".join(str(e.value) for e in [*at.main.markdown, *at.main.html])
    assert "divide" in text and "add offset" in text
    for shown in (f"{total:.6g} / 4", f"{total / 4:.6g} + 128", f"{shifted:.6g}"):
        assert shown in text or shown.replace("-", "−") in text, shown
    assert f"Output byte: <b>{byte}</b>" in text


def test_home_page_maps_the_worked_pixel_with_divisor_and_offset():
    """Home's worked pixel under divide (divisor 2, offset 128): scipy's sum / 2 + 128."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"image": "camera", "kernel": "sobel_x", "border": "replicate",
                       "mapping": "divide", "divisor": "2", "offset": "128"}.items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    camera = data.camera().astype(np.float64)
    x, y = home_pixel(at)
    total = ndi.correlate(camera, convkit.BANK["sobel_x"].weights, mode="nearest")[y, x]
    byte = int(np.clip(np.rint(total / 2 + 128), 0, 255))
    # Beside the mapping's steps, in the worked-out block.
    shown = " ".join(h.proto.body for h in at.get("html"))
    assert f"Output byte: <b>{byte}</b>" in shown
