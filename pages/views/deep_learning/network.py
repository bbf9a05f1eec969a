"""The deep-learning page's trained network: a held-back digit through every layer, the
probabilities, and the first layer's learnt filters beside the bank's edge kernels."""

from __future__ import annotations

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
