"""The deep-learning page's trained network: a held-back digit through every layer, the
probabilities, and the first layer's learnt filters beside the bank's edge kernels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import convkit
from convkit import lessons
from pages.ui import render
from pages.ui.render import marked_grid as grid
from pages.ui.render import number
from pages.ui.widgets import number_box, show_image
from pages.views.deep_learning.common import show_grids

#: The bank's hand-made kernels shown beside the learnt filters.
BANK_EDGES = ("sobel_x", "sobel_y", "laplacian")
#: Enlargement of the maps: a 16 x 16 map becomes 64 x 64 pixels.
MAP_SCALE = 4


def digit_network() -> None:
    """Pick a held-back test digit; show every layer's maps, the probabilities and the filters."""
    network = lessons.load_network()
    st.markdown(
        "A small network trained on printed digits (drawn in this repository from a seed, "
        f"nothing downloaded) reads **{number(network.test_accuracy * 100, 4)} %** of the "
        "held-back test digits right. Its layers: 6 filters 5 x 5 → ReLU → 2 x 2 max pooling "
        "→ 12 filters 3 x 3 x 6 → ReLU → pooling → 108 numbers → a dense layer → softmax. "
        "Brighter is larger in every map; 0 and below are black.")
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
    _layer_pictures(activations, label)
    _probabilities(activations)
    _unit(network, picture)
    _filters(network)


def _layer_pictures(activations: lessons.Activations, label: int) -> None:
    """The input and each layer's maps after ReLU and after pooling, as pictures."""
    stages = (("Input, 20 x 20", activations.image[None], f"the input picture, a printed {label}"),
              ("Layer 1 after ReLU: 6 maps 16 x 16", activations.relu1,
               "the six maps of the first convolution layer after ReLU"),
              ("Layer 1 pooled: 6 maps 8 x 8", activations.pool1,
               "the six first-layer maps after 2 x 2 max pooling"),
              ("Layer 2 after ReLU: 12 maps 6 x 6", activations.relu2,
               "the twelve maps of the second convolution layer after ReLU"),
              ("Layer 2 pooled: 12 maps 3 x 3", activations.pool2,
               "the twelve second-layer maps after pooling: the 108 numbers the dense layer "
               "reads"))
    for caption, maps, what in stages:
        brightest = int(maps.reshape(len(maps), -1).max(axis=1).argmax())
        show_image(lessons.maps_picture(maps, MAP_SCALE), caption, exact=True,
                   alt=f"{caption}: {what}, left to right, brighter for larger values; map "
                       f"{brightest + 1} holds the largest value, "
                       f"{number(float(maps.max()), 4)}")


def _probabilities(activations: lessons.Activations) -> None:
    """The ten scores and probabilities as a table."""
    frame = pd.DataFrame(
        {"score": [number(v, 4) for v in activations.scores],
         "probability": [number(v, 4) for v in activations.probabilities]},
        index=[str(d) for d in range(10)])
    st.html(render.text_table(frame, "Scores of the dense layer and their softmax "
                              "probabilities, one row per digit", corner="digit"))


def _unit(network: lessons.DigitNetwork, picture) -> None:
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
