"""The pixel inspector page, driven through its widgets and the URL."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest
import scipy.ndimage as ndi
from apptest_helpers import APP, assert_healthy, component_data, open_expander, open_page
from PIL import Image
from skimage import data
from streamlit.testing.v1 import AppTest

import convkit
from tests.unit.references import BORDER_NAMES


def inspector(params: dict[str, str] | None = None) -> AppTest:
    """The app opened on the inspector, with query parameters as a shared link would carry."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    return open_page(at, "pixel_inspector")


def breakdowns(at: AppTest) -> list[str]:
    """The HTML of the breakdown, one block per channel."""
    return [h.proto.body for h in at.get("html") if "4. Sum of the products" in h.proto.body]


def shown_sums(at: AppTest) -> list[float]:
    """The totals at the end of the written-out sums (one per channel)."""
    return [float(re.search(r" = <b>([^<]+)</b></p>", body).group(1).replace("−", "-"))
            for body in breakdowns(at)]


def heading(at: AppTest) -> str:
    return next(h.value for h in at.header if h.value.startswith("Output pixel"))


def reference(image: np.ndarray, weights: np.ndarray, border: str, *, flip=False, cval=0.0):
    """scipy.ndimage's correlation (or convolution) in float64."""
    function = ndi.convolve if flip else ndi.correlate
    return function(image.astype(np.float64), weights, mode=BORDER_NAMES[border].scipy, cval=cval)


def test_default_pixel_is_the_centre_and_its_sum_matches_scipy():
    """With no pixel chosen the centre is explained, and the sum is scipy's."""
    at = inspector({"image": "camera", "kernel": "sharpen", "border": "replicate"})
    assert heading(at) == "Output pixel x=256, y=256"
    expected = reference(data.camera(), convkit.BANK["sharpen"].weights, "replicate")[256, 256]
    assert shown_sums(at) == [pytest.approx(expected, abs=1e-3)]
    assert at.query_params["x"] == ["256"] or at.query_params["x"] == "256"


@pytest.mark.parametrize("border", convkit.BORDER_MODES)
def test_corner_pixel_shows_padding_and_matches_scipy(border):
    """At (0, 0) the sum equals scipy's for every border mode, and the padding is listed."""
    at = inspector({"image": "coins", "kernel": "sobel_y", "border": border, "value": "7"})
    at.number_input(key="inspector_x").set_value(0).run()
    at.number_input(key="inspector_y").set_value(0).run()
    assert_healthy(at)
    assert heading(at) == "Output pixel x=0, y=0"
    expected = reference(data.coins(), convkit.BANK["sobel_y"].weights, border, cval=7.0)[0, 0]
    assert shown_sums(at) == [pytest.approx(expected, abs=1e-3)]
    notes = " ".join(w.value for w in at.warning)
    assert "5 of the 9 cells come from" in notes
    if border == "constant":
        assert ("the region's cell x=0, y=0 lies outside the image, at x=-1, y=-1: filled with "
                "the constant 7") in notes
    else:
        # numpy.pad says which row and column the corner cell (-1, -1) copies.
        mode = BORDER_NAMES[border].numpy
        height, width = data.coins().shape
        source_y = np.pad(np.arange(height), 1, mode=mode)[0]
        source_x = np.pad(np.arange(width), 1, mode=mode)[0]
        assert (f"the region's cell x=0, y=0 lies outside the image, at x=-1, y=-1: copied "
                f"from pixel x={source_x}, y={source_y}") in notes


def pictures_data(at: AppTest) -> dict:
    """The data the inspector's pictures component was mounted with."""
    return component_data(at, "convkit_pixel_view")


def test_the_pictures_get_the_windows_own_pixels_and_the_box():
    """At pixel (2, 2) of coins with a constant 9 border: the magnified window is np.pad's,
    from (-3, -3), 25 cells; the overview marks rows and columns 0..21 of 303 x 384."""
    at = inspector({"image": "coins", "kernel": "sharpen", "border": "constant", "value": "9",
                    "x": "2", "y": "2"})
    view = pictures_data(at)
    zoom = view["zoom"]
    assert zoom["window"] == [-3, -3, 25, 25] and (zoom["rows"], zoom["cols"]) == (25, 25)
    sent = np.frombuffer(base64.b64decode(zoom["rgb"]), np.uint8).reshape(25, 25, 3)
    padded = np.pad(data.coins(), 3, constant_values=9)[:25, :25]
    inside = sent[3:, 3:]
    np.testing.assert_array_equal(inside, np.repeat(padded[3:, 3:, None], 3, axis=2))
    assert (sent[:3] != 9).any()  # the padding is tinted
    assert zoom["marks"][1]["cells"] == [5, 5, 1, 1]
    assert view["overview"]["box"] == pytest.approx([0, 0, 22 / 384, 22 / 303])
    jpeg = base64.b64decode(view["overview"]["src"].split(",", 1)[1])
    assert Image.open(io.BytesIO(jpeg)).size == (384, 303)


def test_the_output_view_shows_the_outputs_pixels():
    """Picking on the output: the window holds the output bytes, grey (128) past the edge."""
    at = inspector({"image": "camera", "kernel": "box_5", "mapping": "clip", "x": "0",
                    "y": "100"})
    at.segmented_control(key="inspector_view").set_value("output").run()
    zoom = pictures_data(at)["zoom"]
    top, left, rows, cols = zoom["window"]
    sent = np.frombuffer(base64.b64decode(zoom["rgb"]), np.uint8).reshape(rows, cols, 3)
    expected = ndi.uniform_filter(data.camera().astype(float), 5, mode="nearest")
    inside = np.rint(expected[top:top + rows, 0:left + cols]).astype(np.uint8)
    np.testing.assert_array_equal(sent[:, -left:, 0], inside)
    grey = np.rint(0.5 * 128 + 0.5 * np.array(convkit.explain.PADDING_TINT))
    assert left < 0 and (sent[:, :-left] == grey).all()  # neutral grey, tinted as padding


def test_pixel_outside_the_image_in_the_link_is_clamped():
    """A link's pixel beyond the image is moved to the nearest edge pixel, not an error."""
    at = inspector({"image": "coins", "x": "5000", "y": "10"})
    height, width = data.coins().shape
    assert heading(at) == f"Output pixel x={width - 1}, y=10"


def test_colour_image_is_explained_per_channel():
    """A colour image gets one sum per channel, each scipy's on that channel."""
    at = inspector({"image": "astronaut", "color": "1", "kernel": "emboss", "x": "100",
                    "y": "40"})
    assert [t.label for t in at.tabs if t.label.startswith("Channel")] == [
        "Channel R", "Channel G", "Channel B"]
    image = data.astronaut()
    weights = convkit.BANK["emboss"].weights
    expected = [reference(image[..., c], weights, "replicate")[40, 100] for c in range(3)]
    assert shown_sums(at) == [pytest.approx(v, abs=1e-3) for v in expected]


def test_flip_shows_true_convolution():
    """With flip on, the sum is scipy's convolution, not its correlation."""
    at = inspector({"image": "camera", "kernel": "sobel_x", "flip": "1", "x": "300", "y": "200"})
    weights = convkit.BANK["sobel_x"].weights
    convolution = reference(data.camera(), weights, "replicate", flip=True)[200, 300]
    correlation = reference(data.camera(), weights, "replicate")[200, 300]
    assert convolution != correlation
    assert shown_sums(at) == [pytest.approx(convolution, abs=1e-3)]


def test_output_byte_follows_the_mapping():
    """The byte shown is the sum mapped by the chosen method (clip rounds, abs folds)."""
    at = inspector({"image": "camera", "kernel": "sobel_x", "mapping": "abs", "x": "300",
                    "y": "200"})
    total = reference(data.camera(), convkit.BANK["sobel_x"].weights, "replicate")[200, 300]
    byte = min(round(abs(total)), 255)
    assert [f"Output byte: <b>{byte}</b>" in body for body in breakdowns(at)] == [True]


def test_minmax_stretches_colour_by_the_whole_responses_range():
    """Under minmax each channel's byte is scipy's sum stretched by the lowest and highest
    response over the whole colour image (all channels), and the steps say so."""
    at = inspector({"image": "astronaut", "color": "1", "kernel": "laplacian",
                    "mapping": "minmax", "x": "120", "y": "200"})
    image = data.astronaut()
    responses = [reference(image[..., c], convkit.BANK["laplacian"].weights, "replicate")
                 for c in range(3)]
    low, high = min(r.min() for r in responses), max(r.max() for r in responses)
    bodies = breakdowns(at)
    assert len(bodies) == 3 and low < -600 and high > 400  # the channels' ranges differ
    for response, body in zip(responses, bodies, strict=True):
        total = response[200, 120]
        byte = int(np.clip(np.rint((total - low) * 255 / (high - low)), 0, 255))
        assert f"Output byte: <b>{byte}</b>" in body
        assert f"({total:g} - {low:g}) * 255 / ({high:g} - {low:g})" in body.replace("−", "-")


def test_breakdown_csv_is_offered():
    """The breakdown can be downloaded as CSV."""
    at = inspector({"image": "moon"})
    assert any(b.label == "Download the breakdown (CSV)" for b in at.get("download_button"))


def test_large_kernel_sum_is_abbreviated_but_exact():
    """A 21x21 kernel's 441 terms are shortened in the text; the total is still exact."""
    at = inspector({"image": "camera", "kernel": "large_blur", "x": "3", "y": "500"})
    assert "… 418 more terms …" in breakdowns(at)[0]
    expected = reference(data.camera(), convkit.BANK["large_blur"].weights, "replicate")[500, 3]
    assert shown_sums(at) == [pytest.approx(expected, abs=1e-3)]


def test_the_code_is_sent_only_while_reproduce_in_code_is_open():
    """Closed, "Reproduce in code" sends no code (a code block makes the browser fetch the
    1.5 MB highlighter); opened, the four snippets for the page's settings; closed, none."""
    at = inspector({"image": "camera", "kernel": "emboss", "border": "wrap"})
    assert [e.label for e in at.expander if e.label == "Reproduce in code"] == [
        "Reproduce in code"]
    assert list(at.code) == []
    open_expander(at, "inspector_code_expander")
    assert [t.label for t in at.tabs] == ["convkit", "OpenCV", "SciPy", "PyTorch"]
    namespace: dict = {}
    exec(compile(at.code[1].value, "<OpenCV snippet>", "exec"), namespace)  # noqa: S102
    raw = reference(data.camera(), convkit.BANK["emboss"].weights, "wrap")
    expected = np.clip(np.rint(raw), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(namespace["output"], expected)
    at.session_state["inspector_code_expander"] = False
    at.run()
    assert_healthy(at)
    assert list(at.code) == []
