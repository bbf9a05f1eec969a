"""The inspector's Predict first switch: nothing of the answer before Check, then the verdict."""

from __future__ import annotations

import json

import numpy as np
import scipy.ndimage as ndi
from apptest_helpers import APP, assert_healthy, component_data, open_page
from skimage import data
from streamlit.testing.v1 import AppTest

import convkit
from pages.ui import state

EMBOSS = convkit.BANK["emboss"].weights
LINK = {"image": "camera", "kernel": "emboss", "border": "reflect", "mapping": "clip"}


def references(x: int, y: int) -> tuple[int, int, float]:
    """The right byte, the byte of convolving instead, and the sum: by scipy, then np.clip."""
    image = data.camera().astype(np.float64)
    total = ndi.correlate(image, EMBOSS, mode="reflect")[y, x]
    flipped = ndi.convolve(image, EMBOSS, mode="reflect")[y, x]
    return (int(np.clip(np.rint(total), 0, 255)), int(np.clip(np.rint(flipped), 0, 255)),
            float(total))


def predicting(params: dict[str, str], x: int, y: int) -> AppTest:
    """The inspector with Predict first switched on and pixel (x, y) picked."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at = open_page(at, "pixel_inspector")
    at.toggle(key="inspector_predict").set_value(True).run()
    at.number_input(key="inspector_x").set_value(x).run()
    at.number_input(key="inspector_y").set_value(y).run()
    assert_healthy(at)
    return at


def page_text(at: AppTest) -> str:
    """Everything the page sends as text: markdown, captions, HTML and the component's data."""
    parts = [e.value for kind in ("markdown", "caption", "header", "success", "warning", "info")
             for e in at.get(kind)]
    parts += [h.proto.body for h in at.get("html")]
    parts.append(json.dumps(component_data(at, "convkit_pixel_view")))
    return "\n".join(parts)


def check(at: AppTest, answer: float, asked: str = "the output byte") -> AppTest:
    at.radio(key="inspector_predict_asked").set_value(asked)
    at.number_input(key="inspector_predict_answer").set_value(answer)
    next(b for b in at.button if b.label == "Check").click().run()
    assert_healthy(at)
    return at


def test_question_hides_the_answer_then_names_the_flip_and_scores():
    """Before Check: region and weights only; a convolved byte is named; the score counts."""
    x, y = 300, 200
    byte, flipped, total = references(x, y)
    assert byte != flipped and 0 < byte < 255
    at = predicting(LINK, x, y)
    text = page_text(at)
    assert "1. Region under the kernel" in text and "2. Weights as applied" in text
    for hidden in ("3. Products", "4. Sum of the products", "Output byte", "output byte "):
        assert hidden not in text, hidden
    view = component_data(at, "convkit_pixel_view")
    assert view["announce"] == f"pixel {x}, {y}: predict its output, then press Check"
    # The output picture (every byte in it) is neither offered nor sent.
    assert "the pictures show the input only" in text
    assert not [d for d in at.get("download_button") if "output" in str(d.proto.label)]
    assert at.query_params["predict"] in (["1"], "1")

    at = check(at, flipped)
    (warning,) = [w.value for w in at.warning if w.value.startswith("Not quite")]
    assert f"the output byte is {byte}" in warning
    assert "You convolved (rotated the kernel 180°) where the page correlates" in warning
    assert "Your score on this page: 0 of 1 right" in page_text(at)
    # The breakdown is revealed: its sum is scipy's.
    assert any("4. Sum of the products" in h.proto.body for h in at.get("html"))

    # A new pixel asks anew; the right sum is accepted and counted.
    x2, y2 = 301, 200
    _, _, total2 = references(x2, y2)
    at.number_input(key="inspector_x").set_value(x2).run()
    assert not any("4. Sum of the products" in h.proto.body for h in at.get("html"))
    at = check(at, round(total2, 1), "the sum of the products")
    assert any(s.value.startswith("Right: you said") for s in at.success)
    assert "Your score on this page: 1 of 2 right" in page_text(at)


def test_a_link_with_predict_poses_the_question_without_the_answer():
    """Opening predict=1 with a pixel asks it straight away; the link holds no answer."""
    x, y = 0, 0
    byte, _, total = references(x, y)
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {**LINK, "predict": "1", "x": str(x), "y": str(y)}.items():
        at.query_params[key] = value
    at.run()
    at = open_page(at, "pixel_inspector")
    assert at.toggle(key="inspector_predict").value is True
    assert not any("4. Sum of the products" in h.proto.body for h in at.get("html"))
    # The link holds the settings and the pixel: no parameter beyond the settings table's.
    assert set(at.query_params) <= {field.url for field in state.FIELDS}
    # At the corner, reflect padding: a wrong border's byte is named with its mode.
    image = data.camera().astype(np.float64)
    other = int(np.clip(np.rint(ndi.correlate(image, EMBOSS, mode="constant")[y, x]), 0, 255))
    assert other != byte
    at = check(at, other)
    warning = " ".join(w.value for w in at.warning)
    assert "That is the constant border's number (padding with 0)" in warning


def test_check_without_a_number_says_so():
    """Check with the field empty asks for a number; nothing is revealed or counted."""
    at = predicting(LINK, 10, 10)
    next(b for b in at.button if b.label == "Check").click().run()
    assert_healthy(at)
    assert any("Type a number first" in w.value for w in at.warning)
    assert not any("4. Sum of the products" in h.proto.body for h in at.get("html"))
    assert "Your score on this page" not in page_text(at)


def test_colour_asks_for_one_channel_and_judges_that_channel():
    """On a colour image the student picks a channel; its sum (scipy on that plane) is right."""
    x, y = 100, 120
    total = ndi.correlate(data.astronaut()[..., 1].astype(np.float64), EMBOSS,
                          mode="reflect")[y, x]
    at = predicting({**LINK, "image": "astronaut", "color": "1"}, x, y)
    assert not any("4. Sum of the products" in h.proto.body for h in at.get("html"))
    at.radio(key="inspector_predict_channel").set_value("G")
    at = check(at, float(total), "the sum of the products")
    (success,) = [s.value for s in at.success]
    assert "the sum of the products of channel G is" in success
