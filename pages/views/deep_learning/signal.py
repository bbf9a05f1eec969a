"""The deep-learning page's 1-D convolution: a window sliding over a short signal, centred or
causal (the output at t reads nothing after t), with dilation."""

from __future__ import annotations

import functools

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from convkit import lessons
from pages.ui import render
from pages.ui.render import marked_grid as grid
from pages.ui.render import number
from pages.ui.widgets import CHART_CONFIG, expander_filled_when_open, number_box
from pages.views.deep_learning.common import clamp_state, keyboard_grid, show_grids

SIGNAL_LENGTH = 24
DEFAULT_KERNEL = "1 2 1"
SOURCES = ("a sound-like wave", "one row of the image")


def _signal(pixels: np.ndarray, source: str) -> tuple[np.ndarray, str]:
    if source == SOURCES[0]:
        return lessons.wave_signal(SIGNAL_LENGTH), (f"two tones, a click at "
                                                    f"t={SIGNAL_LENGTH // 2} and a little noise")
    gray = pixels[..., :3].mean(axis=-1) if pixels.ndim == 3 else pixels
    crop = lessons.centre_crop(gray, SIGNAL_LENGTH)
    middle = crop.shape[0] // 2
    top = (gray.shape[0] - crop.shape[0]) // 2 + middle
    left = (gray.shape[1] - crop.shape[1]) // 2
    return np.round(crop[middle], 1), (f"gray levels of row y={top} of the working image, "
                                       f"from x={left}")


def _chart(signal: np.ndarray, output: np.ndarray, t: int, causal: bool) -> go.Figure:
    steps = np.arange(signal.size)
    figure = go.Figure([
        go.Scatter(x=steps, y=signal, name="input", mode="lines+markers",
                   line={"color": "#1c7ed6"}, marker={"symbol": "circle"}),
        go.Scatter(x=steps, y=output, name="output (" + ("causal" if causal else "centred")
                   + ")", mode="lines+markers", line={"color": "#c92a2a", "dash": "dash"},
                   marker={"symbol": "square"}),
    ])
    figure.add_vline(x=t, line_dash="dot", line_color="#495057")
    figure.update_layout(height=260, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                         title="Input and output by t",
                         legend={"orientation": "h", "y": -0.25}, xaxis_title="t")
    return figure


def _chart_and_words(signal: np.ndarray, output: np.ndarray, t: int, causal: bool) -> None:
    st.plotly_chart(_chart(signal, output, t, causal), width="stretch", config=CHART_CONFIG,
                    key="dl_sig_chart")
    st.caption("The chart draws the input as a solid line with circles and the output as a "
               "dashed line with squares; the dotted vertical line marks t. With Causal on, "
               "the output lags the input: every change shows up only at or after its t.")


def signal_section(pixels: np.ndarray) -> None:
    """The whole section: signal and kernel, the causal switch, one window, both series."""
    st.header("1-D and causal convolution", anchor=False)
    st.markdown(
        "Sound, text and time series are 1-D: the kernel slides along one axis. A **centred** "
        "window ('same') reads inputs on both sides of t; a **causal** one (WaveNet, "
        "forecasting) reads only t and earlier, so all the padding goes on the left and no "
        "output knows the future. Dilation spaces the taps, so a few weights reach far back.")
    knobs = st.columns([1.4, 1.2, 0.8, 0.8])
    source = knobs[0].radio("Signal", SOURCES, key="dl_sig_source")
    typed = knobs[1].text_input(f"Kernel weights (up to {lessons.MAX_SIGNAL_KERNEL})",
                                DEFAULT_KERNEL, key="dl_sig_kernel")
    dilation = knobs[2].selectbox("Dilation d", range(1, lessons.MAX_SIGNAL_DILATION + 1),
                                  key="dl_sig_dilation")
    causal = knobs[3].toggle("Causal", False, key="dl_sig_causal",
                             help="Output at t reads inputs t − d(k − 1) … t only.")
    try:
        # People type the minus sign the page shows them; read it as the ASCII one.
        kernel = lessons.parse_grid(typed.replace("−", "-"), lessons.MAX_SIGNAL_KERNEL)
        if kernel.shape[0] != 1:
            raise ValueError("type the weights on one line")
    except ValueError as error:
        st.warning(f"Cannot read the kernel: {error}")
        return
    weights = kernel[0]
    signal, what = _signal(pixels, source)
    windows = lessons.sliding_windows(signal, weights, dilation, causal)
    output = np.array([window.total for window in windows])
    before, after = lessons.signal_padding(weights.size, dilation, causal)

    clamp_state("dl_sig_t", 0, signal.size - 1, signal.size // 2)
    t = int(number_box("Output t", 0, signal.size - 1, notices=st, step=1, key="dl_sig_t"))
    window = windows[t]
    padded = np.concatenate([np.zeros(before), signal, np.zeros(after)])
    taps = np.zeros(padded.size, dtype=bool)
    taps[window.positions + before] = True
    pad = np.zeros(padded.size, dtype=bool)
    pad[:before] = True
    pad[padded.size - after:] = True
    reads = ", ".join(f"x[{p}]" for p in window.positions)
    st.markdown(
        f"Signal: {what}; {before} zero(s) of padding on the left and {after} on the right. "
        f"Output t={t} reads {reads} (a negative index or one past {signal.size - 1} is a "
        f"padding zero):")
    show_grids(keyboard_grid(padded[None, :], "Padded input: taps shaded, pad italic",
                    {"tap": taps[None, :], "pad": pad[None, :]}, first_col=-before),
               grid(weights[None, :], "Weights"),
               grid(window.products[None, :], "Products"))
    st.markdown(f"Output t={t} = {render.signed_sum(window.products)} = "
                f"**{number(window.total, 6)}**")
    show_grids(keyboard_grid(output[None, :], f"Output, t=0..{signal.size - 1}: t={t} outlined",
                    {"now": (0, t)}))
    # Behind a click: Plotly's 1.4 MB of JavaScript loads only when a visitor asks for it.
    expander_filled_when_open("Chart: the input and the output by t",
                              functools.partial(_chart_and_words, signal, output, t, causal),
                              key="dl_sig_chart_expander")
