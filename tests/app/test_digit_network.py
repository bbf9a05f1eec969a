"""AppTest tests of the deep-learning page's trained network, against scipy and hand references."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pytest
from apptest_helpers import assert_healthy, open_page
from PIL import Image
from streamlit.testing.v1 import AppTest

import convkit
from convkit import lessons
from convkit.lessons import digits, network
from harness.apptest_hooks import send_component_event, send_component_state
from tests.unit.test_network import reference_forward

KEY = "dl_net_picture"


@pytest.fixture
def dl(app: AppTest) -> AppTest:
    return open_page(app, "deep_learning")


def held_back(index: int) -> tuple[np.ndarray, int]:
    """The shipped schedule's test picture `index`, drawn afresh from the seed."""
    images, labels = digits.digit_images(index + 1, digits.split_seeds(digits.SHIPPED_SEED)[1])
    return images[index], int(labels[index])


def shown_picture(at: AppTest, media: dict[str, bytes], caption_start: str) -> np.ndarray:
    (url,) = [image.url for element in at.get("image") for image in element.proto.imgs
              if image.caption.startswith(caption_start)]
    return np.asarray(Image.open(io.BytesIO(media[url.rsplit("/", 1)[-1].split(".")[0]])))


def clickable_picture(at: AppTest, key: str) -> np.ndarray:
    """The picture the clickable picture `key` was sent (a PNG data URL), as an array."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{key}")]
    src = json.loads(element.proto.json)["src"]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))))


def verdict(at: AppTest) -> str:
    (text,) = [m.value for m in at.markdown if m.value.startswith("Drawn digit:")]
    return text


@pytest.mark.parametrize("index", [0, 37])
def test_a_test_picture_goes_through_every_layer(dl, media, index):
    """Choosing a picture shows its digit, the network's reading (the reference's argmax), the
    input and layer-1 maps as pictures, and the probabilities of the reference forward pass."""
    dl.number_input(key=KEY).set_value(index).run()
    assert_healthy(dl)
    picture, label = held_back(index)
    want = reference_forward(network.load_network(), picture)
    predicted = int(np.argmax(want["probabilities"]))
    assert re.match(rf"Drawn digit: \*\*{label}\*\*\. The network reads \*\*{predicted}\*\*",
                    verdict(dl))
    shown_input = shown_picture(dl, media, "Input, 20 x 20")
    assert shown_input.shape == (80, 80)
    np.testing.assert_allclose(shown_input[::4, ::4], np.rint(picture / picture.max() * 255),
                               atol=1)
    relu1 = np.maximum(want["conv1"], 0)
    shown_maps = clickable_picture(dl, "dl_net_pick_conv1")
    first_map = shown_maps[:, :64][::4, ::4].astype(float)
    np.testing.assert_allclose(first_map, np.rint(relu1[0] / relu1.max() * 255), atol=1)
    # Every digit's probability, rounded by the one formatter, is in the table.
    (table,) = [h.proto.body for h in dl.get("html") if "softmax probabilities" in h.proto.body]
    for probability in want["probabilities"]:
        assert f"<td>{convkit.format_number(probability, 4)}</td>" in table
    alts = [image.alt for element in dl.get("image") for image in element.proto.imgs]
    assert any(f"a printed {label}" in alt for alt in alts)


def test_the_filters_stand_beside_the_bank_kernels(dl):
    """Six learnt 5 x 5 filters and the bank's edge kernels, as captioned number tables."""
    bodies = " ".join(h.proto.body for h in dl.get("html"))
    for k in range(1, 7):
        assert f"learnt filter {k}" in bodies
    for name in ("sobel_x", "sobel_y", "laplacian"):
        assert f"bank: {name}" in bodies
    weight = network.load_network().first_filters[0, 0, 0]
    assert f">{convkit.format_number(weight, 2)}<" in bodies


def test_an_entry_out_of_range_is_brought_within_and_said(dl):
    """A picture number past the last is the last, with a warning, not an error."""
    dl.number_input(key=KEY).set_value(500).run()
    assert_healthy(dl)
    last = digits.TEST_PICTURES - 1
    assert dl.session_state[KEY] == last
    assert any("Test picture" in w.value for w in dl.warning)
    assert f"Drawn digit: **{held_back(last)[1]}**" in verdict(dl)


def test_a_unit_is_worked_out_with_its_receptive_field(dl, media):
    """Layer 2, filter 3, x=1, y=2: the channel sums, bias, total and ReLU of the reference
    conv2 value, and the box x=2..11, y=4..13 framed on the input picture."""
    dl.number_input(key=KEY).set_value(5).run()
    dl.selectbox(key="dl_net_layer").set_value("conv2").run()
    dl.number_input(key="dl_net_filter").set_value(3).run()
    dl.number_input(key="dl_net_x").set_value(1).run()
    dl.number_input(key="dl_net_y").set_value(2).run()
    assert_healthy(dl)
    net = network.load_network()
    picture, _ = held_back(5)
    want = reference_forward(net, picture)
    total = want["conv2"][2, 2, 1]
    sums = [(want["pool1"][c, 2:5, 1:4] * net.conv2_weights[2, c]).sum() for c in range(6)]
    (line,) = [m.value for m in dl.markdown if m.value.startswith("Unit x=1, y=2 of filter 3")]
    assert f"bias {convkit.format_number(net.conv2_bias[2], 4)}" in line
    assert f"= **{convkit.format_number(total, 6)}**" in line
    assert line.endswith(f"= **{convkit.format_number(max(total, 0.0), 6)}**.")
    (table,) = [h.proto.body for h in dl.get("html") if "each input channel" in h.proto.body]
    for channel_sum in sums:
        assert f"<td>{convkit.format_number(channel_sum, 4)}</td>" in table
    framed = shown_picture(dl, media, "Receptive field: input pixels x=2 to 11, y=4 to 13")
    assert framed.shape == (160, 160, 3)
    yellow = np.all(framed == (255, 210, 0), axis=2)
    rows, cols = np.nonzero(yellow)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (4 * 8, 14 * 8 - 1, 2 * 8,
                                                                 12 * 8 - 1)


def test_a_first_layer_unit_shows_its_pixels_weights_and_products(dl):
    """Layer 1, filter 1, x=4, y=6: the 5 x 5 input block, the filter and their products."""
    dl.selectbox(key="dl_net_layer").set_value("conv1").run()
    dl.number_input(key="dl_net_x").set_value(4).run()
    dl.number_input(key="dl_net_y").set_value(6).run()
    assert_healthy(dl)
    net = network.load_network()
    picture, _ = held_back(0)
    want = reference_forward(net, picture)
    (body,) = [h.proto.body for h in dl.get("html") if "input pixels under the filter" in
               h.proto.body]
    assert "× weights of filter 1" in body and "= products" in body
    assert f">{convkit.format_number(picture[6, 4], 3)}<" in body
    (line,) = [m.value for m in dl.markdown if m.value.startswith("Unit x=4, y=6 of filter 1")]
    assert f"= **{convkit.format_number(want['conv1'][0, 6, 4], 6)}**" in line
    assert any(image.caption.startswith("Receptive field: input pixels x=4 to 8, y=6 to 10")
               for element in dl.get("image") for image in element.proto.imgs)


#: A "7" as the drawing area sends it: one stroke, points as fractions of the area's side.
SEVEN = [[[0.28, 0.15], [0.72, 0.15], [0.42, 0.85]]]


def test_a_drawn_digit_reaches_a_prediction(dl, media):
    """Strokes sent by the drawing area: the network's reading is the reference forward
    pass's argmax on the preprocessed drawing, which is shown as the input."""
    dl.radio(key="dl_net_source").set_value("draw").run()
    assert_healthy(dl)
    assert any(i.value.startswith("Draw a digit in the black square") for i in dl.info)
    send_component_state(dl, "dl_net_drawing", strokes=SEVEN)
    assert_healthy(dl)
    picture = lessons.digit_from_strokes(SEVEN)
    want = reference_forward(network.load_network(), picture)
    predicted = int(np.argmax(want["probabilities"]))
    assert predicted == 7
    (line,) = [m.value for m in dl.markdown if m.value.startswith("You drew a digit.")]
    assert f"The network reads **{predicted}** (probability " \
           f"{convkit.format_number(want['probabilities'][predicted], 4)})" in line
    shown = shown_picture(dl, media, "Input, 20 x 20")
    np.testing.assert_allclose(shown[::4, ::4], np.rint(picture / picture.max() * 255), atol=1)


@pytest.mark.parametrize("strokes", [[[["a", 0.5]]], {"x": 1}])
def test_a_hostile_drawing_is_refused_in_words(dl, strokes):
    """Text for a number, a dict for the strokes: a warning, no error, no layers (every
    refusal: tests/unit/test_handwriting.py)."""
    dl.radio(key="dl_net_source").set_value("draw").run()
    send_component_state(dl, "dl_net_drawing", strokes=strokes)
    assert_healthy(dl)
    assert any(w.value.startswith("This drawing cannot be read") for w in dl.warning)
    assert not [m for m in dl.markdown if m.value.startswith("You drew a digit.")]


def test_a_click_on_a_layer_2_map_opens_that_unit(dl):
    """A click on the 4th map of layer 2, unit x=5, y=1 (shown at half size): the boxes move
    there and the unit's value is the reference conv2 value."""
    # Map 3 (0-based) of 6 x 6 units at scale 4, six maps to a row (154 x 50 pixels):
    # columns 3 * 26 onwards; unit x=5 is 20-23.
    column, row = 3 * (6 * 4 + 2) + 5 * 4 + 1, 1 * 4 + 2
    send_component_event(dl, "dl_net_pick_conv2", "pick", {
        "kind": "click", "x": column / 2, "y": row / 2, "width": 154 / 2, "height": 50 / 2})
    assert_healthy(dl)
    state = dl.session_state
    assert (state["dl_net_layer"], state["dl_net_filter"], state["dl_net_x"],
            state["dl_net_y"]) == ("conv2", 4, 5, 1)
    picture, _ = held_back(0)
    total = reference_forward(network.load_network(), picture)["conv2"][3, 1, 5]
    (line,) = [m.value for m in dl.markdown if m.value.startswith("Unit x=5, y=1 of filter 4")]
    assert f"= **{convkit.format_number(total, 6)}**" in line


def test_a_click_on_a_pooled_map_opens_the_unit_it_kept(dl):
    """A click on layer 2's pooled map 8, unit x=1, y=0: the boxes move to the unit after
    ReLU of its 2 x 2 window that holds the largest value (the reference's), and the line
    names the four values and their max."""
    # Pooled 3 x 3 maps at scale 8 are 24 pixels wide, 2 apart: 6 * 26 - 2 = 154 across,
    # 2 * 26 - 2 = 50 down. Map 7 (0-based) is the second row's second.
    column, row = 1 * 26 + 1 * 8 + 3, 26 + 0 * 8 + 3
    send_component_event(dl, "dl_net_pick_conv2_pooled", "pick", {
        "kind": "click", "x": column, "y": row, "width": 154, "height": 50})
    assert_healthy(dl)
    picture, _ = held_back(0)
    want = reference_forward(network.load_network(), picture)
    relu = np.maximum(want["conv2"][7], 0)
    window = relu[0:2, 2:4]
    j, i = np.unravel_index(np.argmax(window), window.shape)
    state = dl.session_state
    assert (state["dl_net_layer"], state["dl_net_filter"], state["dl_net_x"],
            state["dl_net_y"]) == ("conv2", 8, 2 + i, j)
    (line,) = [m.value for m in dl.markdown if m.value.startswith("Pooled unit x=1, y=0 of map 8")]
    values = ", ".join(convkit.format_number(v, 4) for v in window.ravel())
    assert f"max({values}) = **{convkit.format_number(want['pool2'][7, 0, 1], 4)}**" in line
    assert f"here unit x={2 + i}, y={j}" in line
