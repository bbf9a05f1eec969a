"""The kernel lab's sections that only render: properties, composition, repetition figures.

Computations come from convkit; those that filter the whole image are cached by content in
``pages.ui.cache``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import convkit
from pages import ui
from pages.ui import cache
from pages.views.kernel_lab import editing
from pages.views.kernel_lab.editing import PRESETS, YOURS

#: The gains the frequency response's colours span, as powers of two either side of 1: a
#: gain of 1/16 or less is as good as removed, 16 or more as amplified as it gets.
GAIN_OCTAVES = 4
GAIN_TICKS = {-4: "1/16 or less: removed", -2: "1/4", -1: "1/2", 0: "1: passes unchanged",
              1: "2", 2: "4", 4: "16 or more: amplified"}


def frequency_figure(response: convkit.lessons.FrequencyResponse) -> go.Figure:
    """The gain over the frequency plane, zero frequency in the middle, on one fixed scale for
    every kernel: white where a frequency passes unchanged (gain 1), blue where it is weakened,
    red where it is amplified, each power of two one step (log2 of the gain)."""
    floor = 2.0 ** -GAIN_OCTAVES
    octaves = np.clip(np.log2(np.maximum(response.gain, floor)), -GAIN_OCTAVES, GAIN_OCTAVES)
    figure = go.Figure(go.Heatmap(
        z=octaves, customdata=response.gain, x=response.frequencies, y=response.frequencies,
        colorscale="RdBu_r", zmin=-GAIN_OCTAVES, zmax=GAIN_OCTAVES, zmid=0,
        hovertemplate="fx %{x:.3f}, fy %{y:.3f} cycles/px: gain %{customdata:.3g}<extra></extra>",
        colorbar=dict(title="gain", tickvals=list(GAIN_TICKS), ticktext=list(GAIN_TICKS.values())),
    ))
    figure.update_yaxes(autorange="reversed", scaleanchor="x", title="vertical frequency")
    figure.update_xaxes(title="horizontal frequency (cycles per pixel)")
    figure.update_layout(title="Frequency response: gain at each frequency", height=340,
                         margin=dict(l=10, r=10, t=40, b=10))
    return figure


def profile_figure(repetition: convkit.lessons.Repetition) -> go.Figure:
    """The composed kernel's profile as bars, the fitted Gaussian as a line over them."""
    figure = go.Figure(go.Bar(x=repetition.offsets, y=repetition.profile,
                              name=f"kernel applied {repetition.times}x", marker_color="#4477aa",
                              hovertemplate="offset %{x}: %{y:.4g}<extra></extra>"))
    if repetition.gaussian is not None:
        figure.add_trace(go.Scatter(
            x=repetition.offsets, y=repetition.gaussian, mode="lines+markers",
            name=f"Gaussian, sigma {ui.number(repetition.sigma, 3)} px", line=dict(color="#cc3311"),
            hovertemplate="offset %{x}: %{y:.4g}<extra></extra>"))
    what = "column" if repetition.axis == "horizontal" else "row"
    figure.update_layout(height=320, margin=dict(l=10, r=10, t=30, b=10), bargap=0.05,
                         legend=dict(orientation="h", y=1.12, x=0),
                         xaxis_title=f"{what} offset from the centre (px)",
                         yaxis_title=f"weight (each {what} summed)")
    return figure


def properties(weights: np.ndarray) -> None:
    """Sum, size, symmetries, separability (with the factors) and the frequency response."""
    height, width = weights.shape
    facts = convkit.lessons.kernel_properties(weights)
    sums, shape_box, symmetry_box = st.columns([1, 1, 2])
    sums.metric("Sum of the weights", ui.number(facts.total, 6, scale=weights))
    shape_box.metric("Size", f"{height} x {width}")
    with symmetry_box:
        st.markdown(f"**What the sum means:** it {facts.sum_meaning}.")
        st.markdown("**Symmetries:** " + (", ".join(facts.symmetries) if facts.symmetries else
                                          "none: flipping the kernel changes the result"))

    separable_box, frequency_box = st.columns(2, gap="large")
    with separable_box:
        st.markdown(f"**Separability.** The SVD of the weights has rank **{facts.rank}**.")
        if facts.separable:
            column, row = facts.factors
            st.markdown(f"Rank 1: the kernel is a column times a row, so it runs as two 1-D "
                        f"passes, {height} + {width} = {height + width} multiplications per "
                        f"pixel instead of {height * width}.")
            left, right = st.columns([1, 3])
            left.caption("Column factor")
            left.plotly_chart(ui.kernel_heatmap(column[:, None], height=260),
                              width="stretch", key="lab_factor_column", config=ui.CHART_CONFIG)
            right.caption("Row factor (column × row = the kernel)")
            right.plotly_chart(ui.kernel_heatmap(row[None, :], height=140),
                               width="stretch", key="lab_factor_row", config=ui.CHART_CONFIG)
        elif facts.rank == 0:
            st.markdown("All weights are 0: the kernel turns every image black.")
        else:
            st.markdown(f"Not separable: it is a sum of {facts.rank} column-times-row pieces, "
                        f"so it needs all {height * width} multiplications per pixel.")
    with frequency_box:
        st.plotly_chart(frequency_figure(convkit.lessons.frequency_response(weights, 64)),
                        width="stretch", key="lab_frequency", config=ui.CHART_CONFIG)
        st.caption("Centre = low frequencies (smooth areas), rim = high frequencies (fine detail, "
                   "noise). White passes unchanged (gain 1), blue weakens, red amplifies, on the "
                   "same scale for every kernel: a blur is white in the middle and blue at the "
                   "rim, an edge detector blue in the middle, sharpen white in the middle (flat "
                   "areas stay as they are) and red at the rim.")


def composition(weights: np.ndarray, image: ui.WorkingImage) -> None:
    """Two kernels as one: choose A and B, see A * B and check it on the image."""
    state = st.session_state
    kernels = ui.available_kernels()
    st.header("Two kernels in one", anchor=False)
    st.markdown(
        "Filtering with kernel A and then with kernel B is the same as filtering once with a "
        "single bigger kernel, A \\* B: the full 2-D convolution of the two, of size "
        "(h₁ + h₂ − 1) x (w₁ + w₂ − 1). That is why stacked 3x3 layers in a network see a wider "
        "area than one."
    )
    choices = [YOURS, *kernels]
    for key, default in (("lab_comp_a", YOURS), ("lab_comp_b", "gaussian_5")):
        if state.get(key) not in choices:
            state[key] = default

    def choice_label(name: str) -> str:
        if name == YOURS:
            return ui.kernel_label("your kernel", weights)
        return ui.kernel_label(name, kernels[name])

    preset_box, a_box, b_box = st.columns([2, 1, 1], vertical_alignment="bottom")
    preset_box.selectbox("Preset", list(PRESETS), key="lab_preset",
                         on_change=editing.apply_preset)
    a_box.selectbox("Kernel A (first)", choices, key="lab_comp_a", format_func=choice_label)
    b_box.selectbox("Kernel B (second)", choices, key="lab_comp_b", format_func=choice_label)
    first = weights if state["lab_comp_a"] == YOURS else kernels[state["lab_comp_a"]].weights
    second = weights if state["lab_comp_b"] == YOURS else kernels[state["lab_comp_b"]].weights
    composed = convkit.lessons.compose(first, second)
    a_plot, b_plot, ab_plot = st.columns([1, 1, 2])
    # Titles go in captions: a heat map's own title would sit on its column numbers.
    a_plot.caption(f"A: {choice_label(state['lab_comp_a'])}")
    a_plot.plotly_chart(ui.kernel_heatmap(first, height=280), width="stretch", key="lab_comp_fa",
                        config=ui.CHART_CONFIG)
    b_plot.caption(f"B: {choice_label(state['lab_comp_b'])}")
    b_plot.plotly_chart(ui.kernel_heatmap(second, height=280), width="stretch", key="lab_comp_fb",
                        config=ui.CHART_CONFIG)
    ab_plot.caption(f"A * B: one {composed.shape[0]} x {composed.shape[1]} kernel")
    ab_plot.plotly_chart(ui.kernel_heatmap(composed, height=460), width="stretch",
                         key="lab_comp_fab", config=ui.CHART_CONFIG)
    with st.expander(f"The values of A * B ({composed.shape[0]} x {composed.shape[1]})"):
        st.dataframe(pd.DataFrame(composed), key="lab_comp_table")
        st.download_button("Download A * B as CSV", convkit.core.to_csv(composed),
                           file_name="composed_kernel.csv", mime="text/csv", key="lab_comp_csv")
    try:
        with st.spinner("Filtering twice and once…"):
            error = cache.composition_error(image.content, first, second)
    except ValueError as problem:
        st.warning(f"Cannot check this on the image: {problem}")
    else:
        band_y, band_x = composed.shape[0] // 2, composed.shape[1] // 2
        st.metric("Largest difference between A then B and A * B, interior of the image",
                  ui.number(error, 3))
        st.caption(
            f"Both routes filter the working image with a zero border; the {band_y}-row and "
            f"{band_x}-column band along the edges is left out, because there the first pass's "
            "output beyond the image is missing (it is padded with zeros instead). What remains is "
            "float32 rounding, about a ten-millionth of the size of the responses: the two are the "
            "same filter."
        )
    if max(composed.shape) <= convkit.MAX_KERNEL_SIDE:
        st.button("Load A * B into the editor", key="lab_load_composed",
                  on_click=editing.load, args=(composed, "A * B"))
