"""The deep-learning page's first two sections: the window sliding over numbers (stride,
dilation, padding, played step by step) and the outputs one input cell feeds.

The input group reads its grid (the image's busiest crop, or the numbers typed) beside the
widgets that choose it, and the stepper is a fragment whose timer moves the window between
full runs, so it works out each step as it draws it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import convkit
from convkit import lessons
from pages.ui import render
from pages.ui.render import marked_grid as grid
from pages.ui.widgets import crash_guard, number_box
from pages.views.deep_learning import predict
from pages.views.deep_learning.common import (
    clamp_state,
    kernel_box,
    show_grids,
)

#: For visitors who ask their system for less motion: no fades or transitions while the window
#: moves (each step is drawn at once, never tweened). The animation starts paused for everyone.
#: On a phone the output-size formula is set a little smaller, so that it fits instead of
#: scrolling in a box a keyboard cannot reach.
PAGE_CSS = """<style>@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { transition: none !important; animation: none !important;
                           scroll-behavior: auto !important; }
}
@media (max-width: 640px) { .katex-display > .katex { font-size: 1em; } }</style>"""
#: Seconds between two steps of the animation (the fragment's run_every): at most two
#: reruns a second per playing visitor, each a few small grids.
SPEEDS = {"slow (2 s)": 2.0, "normal (1 s)": 1.0, "fast (0.5 s)": 0.5}
DEFAULT_GRID = "0 0 0 0 0 0\n0 0 9 9 0 0\n0 0 9 9 0 0\n0 0 9 9 0 0\n0 0 9 9 0 0\n0 0 0 0 0 0"
PADDING_LABELS = {"constant": "zeros (what layers use)", "replicate": "replicate",
                  "reflect": "reflect", "reflect_101": "reflect_101", "wrap": "wrap"}


def _step_by(delta: int, last: int) -> None:
    st.session_state["dl_playing"] = False
    st.session_state["dl_step"] = min(max(st.session_state["dl_step"] + delta, 1), last)


def _toggle_play(last: int) -> None:
    playing = not st.session_state.get("dl_playing", False)
    if playing and st.session_state.get("dl_step", 1) >= last:
        st.session_state["dl_step"] = 1  # play again from the start
    st.session_state["dl_playing"] = playing


def _picked_in_table() -> None:
    picked = st.session_state["dl_pick_table"].selection.cells
    if picked:
        row, column = picked[0]
        st.session_state["dl_pick_row"], st.session_state["dl_pick_col"] = int(row), int(column)




# ----------------------------------------------------------------- the sliding window


def window_input(pixels: np.ndarray, kernels: dict,
                 default_kernel: str) -> tuple[np.ndarray, np.ndarray]:
    """The input grid (the image's busiest crop, or numbers typed) and the kernel's weights.

    A grid that cannot be read stops the page with an error saying which cell.
    """
    top = st.columns([1.3, 1, 1.3])
    source = top[0].radio("Input", ["crop of the image", "numbers I type"], key="dl_source",
                          horizontal=True)
    name = kernel_box(top[1], "Kernel", "dl_kernel", kernels, default_kernel)
    if source == "crop of the image":
        side = top[2].slider("Crop size (cells per side)", 3, 10, 6, key="dl_side",
                             help="Gray levels of the spot where the working image varies most.")
        values, crop_top, crop_left = lessons.busiest_crop(pixels, side)
        top[2].caption(f"The {side} x {side} px where the image varies most, from "
                       f"x = {crop_left}, y = {crop_top}.")
    else:
        typed = top[2].text_area("Your numbers (one row a line, up to 16 x 16)", DEFAULT_GRID,
                                 key="dl_grid", height=180)
        try:
            values = lessons.parse_grid(typed)
        except ValueError as error:
            st.error(f"Cannot read the grid: {error}")
            st.stop()
    return values, kernels[name].weights


def layer_knobs() -> tuple[int, int, str, str]:
    """Stride, dilation, output size and what the padding holds."""
    knobs = st.columns([1, 1, 1.6, 1.4])
    stride = knobs[0].slider("Stride s", 1, 3, 1, key="dl_stride")
    dilation = knobs[1].slider("Dilation d", 1, 3, 1, key="dl_dilation")
    output = knobs[2].radio("Output size", lessons.OUTPUT_SIZES, key="dl_output",
                            horizontal=True,
                            help="valid: no padding. same: pad so that out = ceil(n / s) "
                                 "(TensorFlow's rule, the odd cell after). full: every "
                                 "position where the kernel overlaps the input at all.")
    border = knobs[3].selectbox("Padding holds", convkit.BORDER_MODES, key="dl_border",
                                index=convkit.BORDER_MODES.index("constant"),
                                format_func=PADDING_LABELS.get,
                                help="; ".join(f"{m}: {convkit.BORDER_DRAWINGS[m]}"
                                               for m in convkit.BORDER_MODES))
    return stride, dilation, output, border


def geometry_facts(geometry: lessons.LayerGeometry) -> None:
    """The output-size formula with its numbers, the sizes and paddings, or why none."""
    (height, width), (kh, kw) = geometry.input_shape, geometry.kernel_shape
    out_h, out_w = geometry.output_shape
    st.latex(render.output_size_latex(geometry))
    facts = st.columns(4)
    facts[0].metric("Output size", f"{out_h} x {out_w}")
    facts[1].metric("Padding top/bottom, left/right",
                    f"{geometry.pad_top}/{geometry.pad_bottom}, "
                    f"{geometry.pad_left}/{geometry.pad_right}",
                    help="Cells added above and below, then left and right ('same' puts the "
                         "odd one after).")
    facts[2].metric("Kernel span d(k−1)+1",
                    lessons.effective_size(kh, geometry.dilation))
    facts[3].metric("Window positions", geometry.steps)
    st.caption(f"The formula is for the {height} rows; the {width} columns follow the same "
               "rule.")
    if geometry.steps == 0:
        span = lessons.effective_size(max(kh, kw), geometry.dilation)
        st.warning(f"No output at all: with dilation {geometry.dilation} the kernel spans "
                   f"{span} cells, more than the padded input. Make the dilation smaller, or "
                   "pick 'same' or 'full'.")


def _window_at(values: np.ndarray, weights: np.ndarray, geometry: lessons.LayerGeometry,
               layer_map: np.ndarray, border: str, index: int) -> None:
    """The window at step `index` (1-based): where it reads, the products, the map so far."""
    kh, kw = geometry.kernel_shape
    step = lessons.window_step(values, weights, index - 1, geometry.stride, geometry.dilation,
                               geometry.output, border)
    padded, outside = lessons.padded_input(values, geometry, border)
    stride = geometry.stride
    st.markdown(
        f"**Step {step.step + 1} of {geometry.steps}**: output x={step.out_col}, "
        f"y={step.out_row} reads input columns x = {', '.join(map(str, step.cols))} and rows "
        f"y = {', '.join(map(str, step.rows))} ({int(step.padded.sum())} of the {kh * kw} taps "
        f"on padding). The next window along the row starts {stride} column"
        f"{'s' if stride > 1 else ''} further.")
    shown = [
        grid(padded, "Input with its padding (gray, italic); the window in orange",
             {"pad": outside, "tap": lessons.window_mask(geometry, step.step)},
             first_row=-geometry.pad_top, first_col=-geometry.pad_left),
        grid(step.region[0], "Region under the window", {"pad": step.padded[0]}),
        grid(weights, "× kernel weights")]
    # With "Predict first" on, the products and the sum wait for the visitor's own sum.
    if not predict.cell_question(step, weights, predict.cell_key(values, weights, geometry,
                                                                 border, index)):
        show_grids(*shown)
        return
    show_grids(
        *shown,
        grid(step.products[0], "= products"),
        grid(lessons.filled_so_far(layer_map, step.step),
             "Output map so far (current cell outlined)", {"now": (step.out_row, step.out_col)}))
    st.markdown("Sum of the products: " + render.sum_equation(weights, step.region[0],
                                                              step.total)
                + f" → output[{step.out_row}, {step.out_col}]")


def stepper(values: np.ndarray, weights: np.ndarray, geometry: lessons.LayerGeometry,
            layer_map: np.ndarray, border: str) -> None:
    """Play / pause, speed, and the window in a fragment that moves it on at every tick.

    Bounded: one tick per 0.5 s at most, and playing stops at the last cell.
    """
    state, steps = st.session_state, geometry.steps
    st.html(PAGE_CSS)
    clamp_state("dl_step", 1, steps, 1)
    # Predicting each sum first, the window waits for the visitor: no timer moves it on.
    playing = bool(state.get("dl_playing", False)) and steps > 1 and not predict.predicting()
    player = st.columns([1, 2, 3], vertical_alignment="bottom")
    player[0].button("Pause" if playing else "Play", key="dl_play", on_click=_toggle_play,
                     icon=":material/pause:" if playing else ":material/play_arrow:",
                     args=(steps,), width="stretch", disabled=steps == 1)
    speed = player[1].selectbox("Speed", list(SPEEDS), index=1, key="dl_speed")
    player[2].caption("Play moves the window one cell per tick; it stops at the last cell. "
                      "Step with the buttons or the slider below.")

    def window() -> None:
        """The window at the current step; while playing, each tick moves it on by one."""
        with crash_guard("sliding window"):
            if state.get("dl_playing") and playing:
                if state["dl_step"] >= steps:
                    state["dl_playing"] = False
                    st.rerun()  # a full run, which stops this fragment's timer
                state["dl_step"] += 1
            elif playing:
                st.rerun()  # paused by a step button: drop the timer
            back, slider, forward = st.columns([1, 8, 1], vertical_alignment="bottom")
            back.button("◀ Back", key="dl_prev", on_click=_step_by, args=(-1, steps),
                        width="stretch")
            slider.slider("Window position (output cell, row by row)", 1, max(steps, 2),
                          key="dl_step", disabled=steps == 1)
            forward.button("Next ▶", key="dl_next", on_click=_step_by, args=(1, steps),
                           width="stretch")
            _window_at(values, weights, geometry, layer_map, border, state["dl_step"])

    st.fragment(window, run_every=SPEEDS[speed] if playing else None)()


# --------------------------------------------------------- which outputs an input feeds


def input_cell(values: np.ndarray) -> tuple[int, int]:
    """The input cell picked in the table (a click) or typed as row and column."""
    height, width = values.shape
    st.markdown("Click a cell of the input (or type its row and column): the outputs whose "
                "windows read it light up, each with the weight the cell meets there.")
    clamp_state("dl_pick_row", 0, height - 1, height // 2)
    clamp_state("dl_pick_col", 0, width - 1, width // 2)
    pick = st.columns([3, 1, 1])
    with pick[0]:
        table = pd.DataFrame(convkit.core.round_significant(values),
                             columns=[str(c) for c in range(width)])
        st.dataframe(table, key="dl_pick_table", on_select=_picked_in_table,
                     selection_mode="single-cell", hide_index=False)
        st.html(render.scroll_hint(width + 1))
    row = number_box("Input row", 0, height - 1, where=pick[1], notices=st, step=1,
                     key="dl_pick_row")
    col = number_box("Input column", 0, width - 1, where=pick[2], notices=st, step=1,
                     key="dl_pick_col")
    return int(row), int(col)


def reach(values: np.ndarray, layer_map: np.ndarray, where: lessons.Reach, steps: int,
          border: str) -> None:
    """The picked input cell, the outputs it feeds with the weights met, and the gradient."""
    row, col, fed = where.row, where.col, len(where.taps)
    show_grids(grid(values, f"Input: cell x={col}, y={row} chosen", {"pick": (row, col)}),
               grid(layer_map, f"Output: the {fed} cells it feeds (blue), with the weight met",
                    {"fed": where.covered}, render.reach_notes(where)))
    st.markdown(
        f"Input cell x={col}, y={row} is read by **{fed}** of the {steps} windows"
        + (" (also through its copies in the padding)" if border != "constant" else "")
        + ". Those are exactly the outputs backpropagation sends its gradient back from: "
        "∂loss/∂x[r, c] = Σ ∂loss/∂out[i, j] × (the weight the cell meets in out[i, j]), "
        "summed over the blue cells; the same pairs, read the other way, give each weight's "
        "gradient.")


