"""The deep-learning page's trained network: a digit drawn by the visitor or a held-back test
digit through every layer, the probabilities, one unit (picked by clicking a map or by number)
worked out, and the first layer's learnt filters beside the bank's edge kernels.

The section is a fragment: a stroke, a click on a map or a new number reruns it alone, not
the long page above it.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd
import streamlit as st

import convkit
from convkit import lessons
from pages.ui import cache, clickable, render, sketchpad
from pages.ui.render import marked_grid as grid
from pages.ui.render import number
from pages.ui.widgets import crash_guard, number_box, show_image
from pages.views.deep_learning.common import show_grids

#: The bank's hand-made kernels shown beside the learnt filters.
BANK_EDGES = ("sobel_x", "sobel_y", "laplacian")
#: Enlargement of the maps: a 16 x 16 map becomes 64 x 64 pixels.
MAP_SCALE = 4
#: Maps to a row: layer 2's twelve in two rows, so that on a phone its units are twice as
#: wide as in one row (about 9 px at 390 px), and each map sits under layer 1's of the same
#: width.
MAPS_PER_ROW = 6
#: Enlargement of the drawn digit shown beside the drawing area.
DRAWN_SCALE = 8
#: The maps a click opens a unit of: layer name, the activations shown, their caption.
CLICKABLE_MAPS = {"conv1": ("relu1", "Layer 1 after ReLU: 6 maps 16 x 16",
                            "the six maps of the first convolution layer after ReLU"),
                  "conv2": ("relu2", "Layer 2 after ReLU: 12 maps 6 x 6",
                            "the twelve maps of the second convolution layer after ReLU")}
#: The pooled maps, by the layer they pool: the activations shown, their caption.
POOLED_MAPS = {"conv1": ("pool1", "Layer 1 pooled: 6 maps 8 x 8",
                         "the six first-layer maps after 2 x 2 max pooling"),
               "conv2": ("pool2", "Layer 2 pooled: 12 maps 3 x 3",
                         "the twelve second-layer maps after pooling: the 108 numbers the "
                         "dense layer reads")}
#: The box round the picked unit: a unit's block and a one-pixel line round it (each picture
#: sets the shape for its own scale).
UNIT_MARKER = clickable.Marker((MAP_SCALE + 2, MAP_SCALE + 2), (255, 40, 40), 1.0,
                               "red box (the unit)")
#: The section's pictures are pixels to read: enlarged as squares, never smoothed.
SQUARE_PIXELS_CSS = "<style>.st-key-dl_net_section img { image-rendering: pixelated; }</style>"
SOURCES = {"draw": "Draw a digit", "test": "A held-back test picture"}
DRAWING_KEY = "dl_net_drawing"


def digit_network() -> None:
    """The trained network's section: a digit through every layer, one unit, the filters."""
    network = lessons.load_network()
    st.markdown(
        "A small network trained on printed digits (drawn in this repository from a seed, "
        f"nothing downloaded) reads **{number(network.test_accuracy * 100, 4)} %** of the "
        "held-back test digits right. Its layers: 6 filters 5 x 5 → ReLU → 2 x 2 max pooling "
        "→ 12 filters 3 x 3 x 6 → ReLU → pooling → 108 numbers → a dense layer → softmax. "
        "Brighter is larger in every map; 0 and below are black.")
    _network_run(network)
    _filters(network)


@st.fragment
def _network_run(network: lessons.DigitNetwork) -> None:
    # One container round the section: the browser tests check its accessibility alone.
    with crash_guard("the trained network"), st.container(key="dl_net_section"):
        st.html(SQUARE_PIXELS_CSS)
        source = st.radio("The network reads", tuple(SOURCES), format_func=SOURCES.get,
                          index=1, horizontal=True, key="dl_net_source")
        found = _drawn_digit(network) if source == "draw" else _test_digit(network)
        if found is None:
            return
        picture, described, activations = found
        _layer_pictures(activations, described)
        _probabilities(activations)
        _unit(network, picture, activations)


def _drawn_digit(
        network: lessons.DigitNetwork) -> tuple[np.ndarray, str, lessons.Activations] | None:
    """The drawing area and what the network reads in it; None until a digit is drawn."""
    drawing, reading = st.columns([1, 1], gap="medium")
    with drawing:
        sketchpad.show(DRAWING_KEY, label="Drawing area: draw one digit, 0 to 9")
    strokes = sketchpad.strokes(DRAWING_KEY)
    with reading:
        if not strokes:
            st.info("Draw a digit in the black square, as large as you like: it is cropped to "
                    "its ink, scaled to the training digits' height "
                    f"({lessons.DRAWN_HEIGHT} pixels), centred and redrawn with "
                    "their line width, then read. No mouse? Tab to the square and draw "
                    "with the arrow keys and Space, or read a held-back test picture instead.")
            return None
        try:
            picture = lessons.digit_from_strokes(strokes)
        except ValueError as error:
            st.warning(f"This drawing cannot be read ({error}). Clear it and draw again.")
            return None
        activations = lessons.forward(network, picture)
        predicted = activations.predicted
        st.markdown(f"You drew a digit. The network reads **{predicted}** (probability "
                    f"{number(activations.probabilities[predicted], 4)}).")
        # Small beside the drawing area: the same picture is shown large among the layers.
        st.image(lessons.maps_picture(picture[None], DRAWN_SCALE), width=DRAWN_SCALE * 20,
                 output_format="PNG", caption="Your drawing as the network sees it, 20 x 20",
                 alt="Your drawing, cropped to its ink, scaled, centred and redrawn on 20 x 20 "
                     f"pixels as the training digits are; the network reads it as {predicted}")
    return picture, "your drawing, cropped, scaled and centred", activations


def _test_digit(network: lessons.DigitNetwork) -> tuple[np.ndarray, str, lessons.Activations]:
    """A held-back test picture, chosen by number, and the network's verdict on it."""
    st.session_state.setdefault("dl_net_picture", 0)
    index = number_box("Test picture", 0, lessons.TEST_PICTURES - 1, where=st,
                       notices=st, step=1, key="dl_net_picture",
                       help="One of the held-back pictures the network never saw in training.")
    picture, label = lessons.held_back_digit(int(index))
    activations = lessons.forward(network, picture)
    predicted = activations.predicted
    verdict = "right" if predicted == label else "wrong"
    st.markdown(f"Drawn digit: **{label}**. The network reads **{predicted}** "
                f"(probability {number(activations.probabilities[predicted], 4)}): {verdict}.")
    return picture, f"a printed {label}", activations


def _layer_pictures(activations: lessons.Activations, described: str) -> None:
    """The input and each layer's maps after ReLU and after pooling, as pictures; a click on
    a map after ReLU picks the unit worked out below, a click on a pooled map the unit it
    kept."""
    # The input at a fixed size: stretched to the column, a 20 x 20 picture fills a screen.
    st.image(lessons.maps_picture(activations.image[None], MAP_SCALE), width=DRAWN_SCALE * 20,
             output_format="PNG", caption="Input, 20 x 20",
             alt=_maps_alt("Input, 20 x 20", f"the input picture, {described}",
                           activations.image[None]))
    for layer in CLICKABLE_MAPS:
        _clickable_maps(layer, activations)
        _clickable_maps(layer, activations, pooled=True)


def _maps_alt(caption: str, what: str, maps: np.ndarray) -> str:
    brightest = int(maps.reshape(len(maps), -1).max(axis=1).argmax())
    order = "left to right" if len(maps) <= MAPS_PER_ROW else (
        f"left to right, {MAPS_PER_ROW} to a row")
    return (f"{caption}: {what}, {order}, brighter for larger values; map "
            f"{brightest + 1} holds the largest value, {number(float(maps.max()), 4)}")


def _chosen_unit(layer: str) -> tuple[int, int, int]:
    """The unit (filter, x, y; filter from 1) of `layer` last picked: the number boxes' while
    they show this layer, else the last one picked there."""
    state = st.session_state
    if state.get("dl_net_layer", "conv2") == layer:
        return (int(state.get("dl_net_filter", 1)), int(state.get("dl_net_x", 2)),
                int(state.get("dl_net_y", 2)))
    return state.get(f"dl_net_last_{layer}", (1, 2, 2))


def _clickable_maps(layer: str, activations: lessons.Activations, pooled: bool = False) -> None:
    """One layer's maps after ReLU, or after pooling, as a clickable picture; the red box
    marks the chosen unit (on the pooled maps: the pooled unit that kept it)."""
    stage, caption, what = (POOLED_MAPS if pooled else CLICKABLE_MAPS)[layer]
    maps = getattr(activations, stage)
    channels, height, width = maps.shape
    filter_number, x, y = _chosen_unit(layer)
    filter_number = min(max(filter_number, 1), channels)
    # Twice the scale on a pooled map: as wide as the map it pools, right under it.
    scale = 2 * MAP_SCALE if pooled else MAP_SCALE
    if pooled:
        x, y = x // lessons.POOL, y // lessons.POOL
    x, y = min(max(x, 0), width - 1), min(max(y, 0), height - 1)
    picture = lessons.maps_picture(maps, scale, MAPS_PER_ROW)
    key = _pick_key(layer, pooled)
    clickable.show(key, cache.Pixels.of(picture), stretch=True, pixelated=True,
                   marker=dataclasses.replace(UNIT_MARKER, shape=(scale + 2, scale + 2)),
                   key_step=(scale, "unit"),
                   layout=clickable.MapsLayout(channels, height, width, scale,
                                               lessons.MAP_GAP, MAPS_PER_ROW),
                   point=lessons.unit_picture_centre(filter_number - 1, x, y, maps.shape,
                                                     scale, MAPS_PER_ROW),
                   alt=f"{_maps_alt(caption, what, maps)}; the red box marks unit x={x}, y={y} "
                       f"of map {filter_number}",
                   on_pick=functools.partial(
                       _take_pick, layer, maps.shape, picture.shape, scale,
                       getattr(activations, CLICKABLE_MAPS[layer][0]) if pooled else None))
    then = ("see the unit it kept, worked out below" if pooled else "work it out below")
    st.caption(f"{caption}. Click a unit (or Tab to the picture, arrow keys, Enter) to {then}.")


def _pick_key(layer: str, pooled: bool) -> str:
    return f"dl_net_pick_{layer}" + ("_pooled" if pooled else "")


def _take_pick(layer: str, shape: tuple[int, int, int], size: tuple[int, int], scale: int,
               before_pooling: np.ndarray | None) -> None:
    """A pick on a layer's maps (of `shape`, drawn `size` = (height, width) pixels at `scale`)
    becomes the unit worked out: layer, filter, x and y boxes. On pooled maps
    (`before_pooling` given: the maps they pool) it is the unit the pooled one kept."""
    pooled = before_pooling is not None
    picked = clickable.picked_pixel(clickable.event(_pick_key(layer, pooled)), size[1], size[0])
    if picked is None:
        return
    unit = lessons.unit_at_picture_pixel(*picked, shape, scale, MAPS_PER_ROW)
    if unit is None:
        return  # the gap between two maps: no unit there
    state = st.session_state
    previous = state.get("dl_net_layer", "conv2")
    if previous != layer:
        state[f"dl_net_last_{previous}"] = _chosen_unit(previous)
    channel, x, y = unit
    state["dl_net_pooled"] = None
    if pooled:
        state["dl_net_pooled"] = (layer, channel, x, y)
        _, (x, y) = lessons.pooling_window(before_pooling, channel, x, y)
    state["dl_net_layer"] = layer
    state["dl_net_filter"], state["dl_net_x"], state["dl_net_y"] = channel + 1, x, y
    state[f"dl_net_last_{layer}"] = (channel + 1, x, y)


def _pooled_line(activations: lessons.Activations, layer: str, filter_number: int, x: int,
                 y: int) -> None:
    """When the unit worked out was reached from a pooled map: how the pooled unit kept it."""
    picked = st.session_state.get("dl_net_pooled")
    if not picked or picked[0] != layer or picked[1] != filter_number - 1:
        return
    _, channel, pooled_x, pooled_y = picked
    stage = CLICKABLE_MAPS[layer][0]
    window, winner = lessons.pooling_window(getattr(activations, stage), channel, pooled_x,
                                            pooled_y)
    if winner != (x, y):
        return  # the boxes have moved on since
    values = ", ".join(number(float(v), 4) for v in window.ravel())
    st.markdown(f"Pooled unit x={pooled_x}, y={pooled_y} of map {filter_number} = max({values}) "
                f"= **{number(float(window.max()), 4)}**: the largest of the units x="
                f"{2 * pooled_x} to {2 * pooled_x + 1}, y={2 * pooled_y} to {2 * pooled_y + 1} "
                f"after ReLU, here unit x={x}, y={y}, worked out below.")


def _probabilities(activations: lessons.Activations) -> None:
    """The ten scores and probabilities as a table."""
    frame = pd.DataFrame(
        {"score": [number(v, 4) for v in activations.scores],
         "probability": [number(v, 4) for v in activations.probabilities]},
        index=[str(d) for d in range(10)])
    st.html(render.text_table(frame, "Scores of the dense layer and their softmax "
                              "probabilities, one row per digit", corner="digit"))


def _unit(network: lessons.DigitNetwork, picture, activations: lessons.Activations) -> None:
    """One unit of a convolution layer worked out, and its receptive field on the input."""
    st.markdown("**One unit, down to the pixels.** Pick a layer, a filter and a place in its "
                "map: its value is the filter's weights times the block under it, summed over "
                "every channel, plus the bias, then ReLU.")
    boxes = st.columns(4)
    layer = boxes[0].selectbox("Layer", ("conv1", "conv2"), index=1, key="dl_net_layer",
                               format_func=lambda name: {"conv1": "layer 1 (conv1)",
                                                         "conv2": "layer 2 (conv2)"}[name])
    filters, side = (6, 16) if layer == "conv1" else (12, 6)
    for key, default in (("dl_net_filter", 1), ("dl_net_x", 2), ("dl_net_y", 2)):
        st.session_state.setdefault(key, default)
    filter_number = number_box("Filter", 1, filters, where=boxes[1], notices=st, step=1,
                               key="dl_net_filter")
    x = number_box("x", 0, side - 1, where=boxes[2], notices=st, step=1, key="dl_net_x")
    y = number_box("y", 0, side - 1, where=boxes[3], notices=st, step=1, key="dl_net_y")
    _pooled_line(activations, layer, int(filter_number), int(x), int(y))
    unit = lessons.explain_unit(network, picture, layer, int(filter_number) - 1, int(x), int(y))
    if layer == "conv1":
        show_grids(grid(unit.block[0], "input pixels under the filter", digits=3),
                   grid(unit.weights[0], f"× weights of filter {filter_number}", digits=3),
                   grid(unit.products[0], "= products", digits=3))
    else:
        frame = pd.DataFrame({"sum of block × weights": [number(v, 4)
                                                         for v in unit.channel_sums]},
                             index=[f"pooled map {c + 1}" for c in range(len(unit.channel_sums))])
        st.html(render.text_table(frame, f"Filter {filter_number} of layer 2 at x={x}, y={y}: "
                                  "each input channel's 3 x 3 block times its weights, summed",
                                  corner="input channel"))
    st.markdown(f"Unit x={x}, y={y} of filter {filter_number}: "
                f"{render.signed_sum(unit.channel_sums)} + bias {number(unit.bias, 4)} = "
                f"**{number(unit.total, 6)}**; ReLU: max(0, {number(unit.total, 6)}) = "
                f"**{number(unit.activated, 6)}**.")
    x_first, y_first, x_last, y_last = unit.receptive_field
    scale = 8
    levels = np.rint(np.clip(picture, 0, 1) * 255).astype(np.uint8)
    big = convkit.explain.magnify(levels, scale, grid=False)
    top, left = y_first * scale, x_first * scale
    height, width = (y_last - y_first + 1) * scale, (x_last - x_first + 1) * scale
    # A black line inside a yellow one: visible on dark and light pixels alike.
    framed = convkit.explain.outline(big, top, left, height, width, (255, 210, 0), 2)
    framed = convkit.explain.outline(framed, top + 2, left + 2, height - 4, width - 4,
                                     (0, 0, 0), 1)
    show_image(framed, f"Receptive field: input pixels x={x_first} to {x_last}, "
                       f"y={y_first} to {y_last}", exact=True,
               alt=f"The input picture with a framed box from pixel x={x_first}, y={y_first} to "
                   f"x={x_last}, y={y_last}: the only pixels that can change this unit")


def _filters(network: lessons.DigitNetwork) -> None:
    """The six learnt 5 x 5 filters beside hand-made edge kernels of the bank."""
    st.markdown("**The first layer's learnt filters** (weights, correlation: not flipped) "
                "beside the bank's hand-made ones. Nobody wrote the learnt ones: training "
                "found weights that, like the bank's edge kernels, respond to strokes of "
                "some direction.")
    show_grids(*(grid(kernel, f"learnt filter {k + 1}", digits=2)
                 for k, kernel in enumerate(network.first_filters)))
    show_grids(*(grid(convkit.BANK[name].weights, f"bank: {name}", digits=2)
                 for name in BANK_EDGES))
