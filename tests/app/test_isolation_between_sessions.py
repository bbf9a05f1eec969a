"""Two visitors at once: each sees only their own kernel's output, whatever they named it."""

from __future__ import annotations

import base64
import io

import numpy as np
from apptest_helpers import APP, assert_healthy, component_data, open_page
from PIL import Image
from streamlit.testing.v1 import AppTest

import convkit


def visitor(weights: str, border: str = "replicate") -> AppTest:
    """A session that opened a link to its own kernel, named `my_kernel` by both visitors."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"image": "coins", "kernel": "my_kernel", "weights": weights,
                       "border": border, "x": "0", "y": "0"}.items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    open_page(at, "pixel_inspector")
    at.segmented_control(key="inspector_view").set_value("output").run()
    assert_healthy(at)
    return at


def overview(at: AppTest) -> np.ndarray:
    """The pixels of the inspector's clickable overview picture, as the browser gets them."""
    source = component_data(at, "convkit_pixel_view")["overview"]["src"]
    data = base64.b64decode(source.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.float64)


def expected_overview(weights: np.ndarray, border: str, shape: tuple[int, int]) -> np.ndarray:
    """cv2 reference of the output, downscaled to the overview's size."""
    import cv2

    coins = convkit.load_sample("coins").astype(np.float64)
    modes = {"replicate": cv2.BORDER_REPLICATE, "constant": cv2.BORDER_CONSTANT}
    raw = cv2.filter2D(coins, -1, weights, borderType=modes[border])
    out = np.clip(np.floor(raw + 0.5), 0, 255).astype(np.uint8)
    return cv2.resize(out, (shape[1], shape[0]), interpolation=cv2.INTER_AREA).astype(float)


def test_same_name_kernels_in_two_sessions_never_share_a_picture():
    """Both call their kernel my_kernel: one darkens, one is an edge detector."""
    dark = np.array([[0, 0, 0], [0, 0.5, 0], [0, 0, 0]])
    edges = np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]])
    first = visitor("0,0,0; 0,1/2,0; 0,0,0")
    second = visitor("0,-1,0; -1,4,-1; 0,-1,0")
    for at, weights in ((first, dark), (second, edges), (first, dark)):
        at.run()
        shown = overview(at)
        reference = expected_overview(weights, "replicate", shown.shape)
        # JPEG (quality 90) moves a pixel by a few levels; the other kernel's picture is far.
        assert np.abs(shown - reference).mean() < 3
        other = expected_overview(edges if weights is dark else dark, "replicate", shown.shape)
        assert np.abs(shown - other).mean() > 20


def test_a_border_change_updates_the_picture():
    """The cached picture depends on the border: constant 0 darkens the output's frame."""
    at = visitor("0,0,0; 0,1,0; 1,1,1", border="replicate")
    before = overview(at)
    at.selectbox(key="border").set_value("constant").run()
    assert_healthy(at)
    after = overview(at)
    weights = np.array([[0, 0, 0], [0, 1, 0], [1, 1, 1]])
    reference = expected_overview(weights, "constant", after.shape)
    assert np.abs(after - reference).mean() < 3
    assert np.abs(after[-2:] - before[-2:]).mean() > 20  # the bottom rows read zeros now
