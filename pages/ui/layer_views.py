"""The deep-learning page's widget groups and sections: the sliding window, the outputs an input
cell feeds, colour channels, the rest of a layer, and learning a kernel.

A widget group reads its settings and returns them; a section renders values convkit computed,
as grids from ``render.marked_grid`` (pure, unit-tested). Two call convkit themselves: the
input group reads its grid (the image's busiest crop, or the numbers typed) beside the widgets
that choose it, and the stepper is a fragment whose timer moves the window between full runs,
so it works out each step as it draws it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import convkit
from convkit import lessons
from pages.ui import cache, render
from pages.ui.render import marked_grid as grid
from pages.ui.render import number
from pages.ui.widgets import crash_guard, download_png, show_image

#: Seconds between two steps of the animation (the fragment's run_every): at most two
#: reruns a second per playing visitor, each a few small grids.
SPEEDS = {"slow (2 s)": 2.0, "normal (1 s)": 1.0, "fast (0.5 s)": 0.5}
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.5)
DEFAULT_GRID = "0 0 0 0 0 0\n0 0 9 9 0 0\n0 0 9 9 0 0\n0 0 9 9 0 0\n0 0 9 9 0 0\n0 0 0 0 0 0"
PADDING_LABELS = {"constant": "zeros (what layers use)", "replicate": "replicate",
                  "reflect": "reflect", "reflect_101": "reflect_101", "wrap": "wrap"}
#: Colours of the weights' paths during training (one per weight, repeating).
PALETTE = ("#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#e03131")


def show_grids(*grids: str) -> None:
    """marked_grid tables side by side."""
    st.html(render.marked_grids(*grids))


def _clamp_state(key: str, low: int, high: int, default: int) -> None:
    st.session_state[key] = min(max(int(st.session_state.get(key, default)), low), high)


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


def _kernel_box(where, label: str, key: str, kernels: dict, default: str) -> str:
    """A choice among the small kernels (`default` unless the visitor chose another)."""
    if st.session_state.get(key) not in kernels:
        st.session_state[key] = default if default in kernels else "sobel_x"
    name = where.selectbox(
        label, list(kernels), key=key,
        format_func=lambda n: render.kernel_label(n, kernels[n]),
        help="The bank's kernels up to 5x5 (and yours of that size).")
    return name


# ----------------------------------------------------------------- the sliding window


def window_input(pixels: np.ndarray, kernels: dict,
                 default_kernel: str) -> tuple[np.ndarray, np.ndarray]:
    """The input grid (the image's busiest crop, or numbers typed) and the kernel's weights.

    A grid that cannot be read stops the page with an error saying which cell.
    """
    top = st.columns([1.3, 1, 1.3])
    source = top[0].radio("Input", ["crop of the image", "numbers I type"], key="dl_source",
                          horizontal=True)
    name = _kernel_box(top[1], "Kernel", "dl_kernel", kernels, default_kernel)
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
        f"**Step {step.step + 1} of {geometry.steps}**: output row {step.out_row}, column "
        f"{step.out_col} reads input rows {', '.join(map(str, step.rows))} and columns "
        f"{', '.join(map(str, step.cols))} ({int(step.padded.sum())} of the {kh * kw} taps "
        f"on padding). The next window along the row starts {stride} column"
        f"{'s' if stride > 1 else ''} further.")
    show_grids(
        grid(padded, "Input with its padding (gray, italic); the window in orange",
             {"pad": outside, "tap": lessons.window_mask(geometry, step.step)},
             first_row=-geometry.pad_top, first_col=-geometry.pad_left),
        grid(step.region[0], "Region under the window", {"pad": step.padded[0]}),
        grid(weights, "× kernel weights"),
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
    _clamp_state("dl_step", 1, steps, 1)
    playing = bool(state.get("dl_playing", False)) and steps > 1
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
    _clamp_state("dl_pick_row", 0, height - 1, height // 2)
    _clamp_state("dl_pick_col", 0, width - 1, width // 2)
    pick = st.columns([3, 1, 1])
    with pick[0]:
        table = pd.DataFrame(convkit.core.round_significant(values),
                             columns=[str(c) for c in range(width)])
        st.dataframe(table, key="dl_pick_table", on_select=_picked_in_table,
                     selection_mode="single-cell", hide_index=False)
    row = pick[1].number_input("Input row", 0, height - 1, step=1, key="dl_pick_row")
    col = pick[2].number_input("Input column", 0, width - 1, step=1, key="dl_pick_col")
    return int(row), int(col)


def reach(values: np.ndarray, layer_map: np.ndarray, where: lessons.Reach, steps: int,
          border: str) -> None:
    """The picked input cell, the outputs it feeds with the weights met, and the gradient."""
    row, col, fed = where.row, where.col, len(where.taps)
    show_grids(grid(values, f"Input: cell ({row}, {col}) chosen", {"pick": (row, col)}),
               grid(layer_map, f"Output: the {fed} cells it feeds (blue), with the weight met",
                    {"fed": where.covered}, render.reach_notes(where)))
    st.markdown(
        f"Input cell ({row}, {col}) is read by **{fed}** of the {steps} windows"
        + (" (also through its copies in the padding)" if border != "constant" else "")
        + ". Those are exactly the outputs backpropagation sends its gradient back from: "
        "∂loss/∂x[r, c] = Σ ∂loss/∂out[i, j] × (the weight the cell meets in out[i, j]), "
        "summed over the blue cells; the same pairs, read the other way, give each weight's "
        "gradient.")


# ------------------------------------------------------------------------ colour channels


def channel_choice(names: list[str], output_shape: tuple[int, int],
                   own_colour: bool) -> tuple[int, int, int]:
    """The filter of the layer (its index) and the output cell to break down."""
    if not own_colour:
        st.caption("The working image is gray (one channel), so this part uses the colour "
                   "sample 'astronaut'; switch Colour on in the sidebar to use yours.")
    st.markdown(
        "A colour image has three numbers per pixel, so a layer's kernel has a 3 x 3 slice "
        "for each of red, green and blue: a 3 x 3 x 3 block. Each slice meets its own "
        "channel, and the three sums add up to **one** output number: a colour input gives "
        "one output map per filter, not three. A layer has several filters, so it gives "
        "several maps (its output channels).")
    choice = st.columns([1.2, 1, 1])
    name = choice[0].selectbox("Filter of the layer", names, key="dl_filter",
                               help="A small layer of four filters, each 3 x 3 x 3.")
    st.caption(lessons.RGB_FILTERS[name][0])
    height, width = output_shape
    _clamp_state("dl_rgb_row", 0, height - 1, min(2, height - 1))
    _clamp_state("dl_rgb_col", 0, width - 1, min(3, width - 1))
    row = choice[1].number_input("Output row", 0, height - 1, step=1, key="dl_rgb_row")
    col = choice[2].number_input("Output column", 0, width - 1, step=1, key="dl_rgb_col")
    return names.index(name), int(row), int(col)


def channels(breakdown: lessons.WindowStep, maps: np.ndarray, names: list[str], index: int,
             corner: tuple[int, int]) -> None:
    """Each channel's values, slice and products at one output, their sum, and every map."""
    for channel, (label, column) in enumerate(zip(("red", "green", "blue"), st.columns(3),
                                                 strict=True)):
        with column:
            show_grids(grid(breakdown.region[channel], f"{label} values",
                            {"pad": breakdown.padded[channel]}),
                       grid(breakdown.weights[channel], f"× {label} slice"),
                       grid(breakdown.products[channel], f"= {label} products"))
            st.markdown(f"{label} sum: **{number(breakdown.channel_sums[channel])}**")
    row, col = breakdown.out_row, breakdown.out_col
    st.markdown(f"Output ({row}, {col}) = red + green + blue = "
                f"{render.signed_sum(breakdown.channel_sums)} = "
                f"**{number(breakdown.total, 6)}** (zero padding, 'same' size, no bias yet).")
    st.markdown(f"**The layer's four output channels** on this {maps.shape[1]} x "
                f"{maps.shape[2]} crop (from x = {corner[1]}, y = {corner[0]}, where the "
                f"picture varies most); the chosen filter's map has output ({row}, {col}) "
                "outlined:")
    show_grids(*(grid(maps[f], names[f], {"now": (row, col)} if f == index else None)
                 for f in range(len(names))))


# ------------------------------------------------------------------- the rest of a layer


def layer_settings() -> tuple[float, bool, str | None, int]:
    """Bias, ReLU on or off, the pooling kind (None: no pooling) and its window."""
    rest = st.columns(4)
    bias = rest[0].number_input("Bias b", -200.0, 200.0, 0.0, step=10.0, key="dl_bias",
                                help="Added to every output of the filter.")
    use_relu = rest[1].toggle("ReLU: max(0, x)", True, key="dl_relu")
    pool = rest[2].selectbox("Pooling", ["none", *lessons.POOLS], index=1, key="dl_pool")
    size = rest[3].selectbox("Pool window (and stride)", [2, 3], key="dl_pool_size")
    return float(bias), bool(use_relu), None if pool == "none" else pool, int(size)


def layer_rest(stages: lessons.LayerStages, conv_total: float, bias: float, use_relu: bool,
               pool: str | None, size: int) -> None:
    """One output through bias, ReLU and pooling, with the maps after each stage."""
    row, col = stages.row, stages.col
    value = float(stages.biased[row, col])
    steps = [f"convolution {number(conv_total, 6)}",
             f"+ bias {number(bias)} = **{number(value, 6)}**"]
    if use_relu:
        steps.append(f"ReLU: max(0, {number(value, 6)}) = "
                     f"**{number(stages.activated[row, col], 6)}**")
    st.markdown(f"At output ({row}, {col}): " + ", ".join(steps) + ".")
    last = "after ReLU (negatives become 0)" if use_relu else "conv + bias"
    grids = [grid(stages.biased, "conv + bias", {"now": (row, col)})] if use_relu else []
    if stages.pooled is None:
        grids.append(grid(stages.activated, last, {"now": (row, col)}))
    elif stages.pool is None:
        st.info(f"Output ({row}, {col}) falls in the leftover rows or columns that "
                f"{size} x {size} pooling drops.")
        grids += [grid(stages.activated, last, {"now": (row, col)}),
                  grid(stages.pooled, f"{pool} pooled")]
    else:
        cell = stages.pool
        grids += [grid(stages.activated, f"{last}: pooling window in orange",
                       {"tap": stages.pool_window, "now": (row, col)}),
                  grid(stages.pooled, f"{pool} pooled", {"now": (cell.row, cell.col)})]
        listed = ", ".join(number(v, 4) for v in cell.values.ravel())
        st.markdown(f"Pooling: {'max' if pool == 'max' else 'mean'}({listed}) = "
                    f"**{number(cell.result, 6)}** → pooled cell ({cell.row}, {cell.col}).")
    if stages.pooled is not None:
        st.metric("Output size after pooling",
                  f"{stages.activated.shape[0]} x {stages.activated.shape[1]} → "
                  f"{stages.pooled.shape[0]} x {stages.pooled.shape[1]}",
                  help="floor((n − window) / stride) + 1 per side; leftover cells are dropped.")
    show_grids(*grids)


# ---------------------------------------------------------------------- learning a kernel


def descent_settings(kernels: dict) -> tuple[str, bool, float, int]:
    """The hidden kernel's name, training on the image (or noise), learning rate and steps."""
    st.markdown(
        "Hide a kernel, filter an image with it: can the kernel be found again from the input "
        "and the output alone? Every output pixel gives one equation, Σ w[i, j] · patch[i, j] "
        "= output, in the unknown weights. A layer finds them by **gradient descent**: start "
        "from random weights, and step after step move every weight a little against the "
        "gradient of the squared error.")
    name = _kernel_box(st.columns(2)[0], "Hidden kernel", "dl_hidden", kernels, "sobel_x")
    descent = st.columns(3)
    source = descent[0].radio("Training image (64 x 64)", ["random noise", "crop of the image"],
                              key="dl_train_on", horizontal=True,
                              help="Noise: every pixel independent, every weight equally easy "
                                   "to learn. A photo: neighbouring pixels alike, so some "
                                   "combinations of weights are learnt slowly.")
    rate = descent[1].select_slider("Learning rate", LEARNING_RATES, 0.1, key="dl_lr")
    steps = descent[2].slider("Steps", 10, lessons.MAX_TRAIN_STEPS, 300, 10, key="dl_steps")
    return name, source == "crop of the image", float(rate), int(steps)


def _training_figures(run: lessons.DescentRun, hidden: np.ndarray) -> tuple[go.Figure, ...]:
    """The loss curve, and every weight's path with its hidden value dotted."""
    loss = go.Figure(go.Scatter(y=run.loss, mode="lines", name="loss",
                                hovertemplate="step %{x}: %{y:.4g}<extra></extra>"))
    loss.update_yaxes(type="log", title="mean squared error (gray levels²)",
                      exponentformat="power")
    loss.update_xaxes(title="step")
    loss.update_layout(title="Loss", height=330, margin=dict(l=10, r=10, t=40, b=10))
    paths = go.Figure()
    flat_history = run.history.reshape(len(run.history), -1)
    for cell, true_value in enumerate(hidden.ravel()):
        colour = PALETTE[cell % len(PALETTE)]
        i, j = divmod(cell, hidden.shape[1])
        paths.add_trace(go.Scatter(y=flat_history[:, cell], mode="lines",
                                   line=dict(color=colour, width=1.5), name=f"w[{i},{j}]",
                                   showlegend=False,
                                   hovertemplate=f"w[{i},{j}] step %{{x}}: %{{y:.4g}}"
                                                 "<extra></extra>"))
        paths.add_hline(y=float(true_value), line=dict(color=colour, dash="dot", width=1))
    paths.update_xaxes(title="step")
    paths.update_yaxes(title="weight")
    paths.update_layout(title="Each weight (line) and its hidden value (dotted)", height=330,
                        margin=dict(l=10, r=10, t=40, b=10))
    return loss, paths


def descent(run: lessons.DescentRun, hidden: np.ndarray, hidden_name: str,
            outcome: str) -> None:
    """The run's loss and weights, how close they came, and what to change if they did not."""
    rate, limit = run.learning_rate, number(run.stable_below, 3)
    if outcome == "diverged":
        st.error(
            f"Diverged: with learning rate {number(rate, 4)} the loss grew from "
            f"{number(run.loss[0], 3)} to {number(run.loss[-1], 3)} in {run.diverged_at} "
            "steps, so training stopped. Each step overshoots the valley's bottom by more "
            f"than it gains. On this image steps are stable only below a learning rate of "
            f"{limit} (2 / the loss's largest curvature): pick a smaller one.")
        return
    error = lessons.largest_error(run.weights, hidden)
    figures = st.columns(2)
    loss, paths = _training_figures(run, hidden)
    figures[0].plotly_chart(loss, width="stretch", key="dl_loss_plot")
    figures[1].plotly_chart(paths, width="stretch", key="dl_paths_plot")
    verdict = st.columns(3)
    # A fit's errors are known to FIT_PRECISION of the weights (of 255 for gray levels) only.
    error_text = number(error, 3, scale=hidden, tolerance=lessons.FIT_PRECISION)
    rms_text = number(run.rms, 3, scale=255, tolerance=lessons.FIT_PRECISION)
    verdict[0].metric("Largest weight error |learned − hidden|", error_text)
    verdict[1].metric("RMS error after training (gray levels)", rms_text)
    verdict[2].metric("Stable learning rates", f"below {limit}")
    if outcome == "found":
        st.success(f"After {run.steps} steps the weights are the hidden kernel's (largest "
                   f"error {error_text}).")
    elif outcome == "flat":
        st.info(f"The loss is at its minimum, but the weights are still up to "
                f"{number(error, 2)} off: neighbouring pixels are so alike that some weight "
                "combinations barely change the output, and gradient descent moves them "
                "slowly. More steps, or a training image with more variety, help.")
    else:
        st.info(f"Still descending after {run.steps} steps (largest weight error "
                f"{number(error, 2)}): more steps or a larger learning rate (below "
                f"{limit}) get closer.")
    show_grids(grid(hidden, f"Hidden: {hidden_name}"),
               grid(convkit.core.round_significant(run.weights, scale=hidden,
                                                   tolerance=lessons.FIT_PRECISION),
                    "Learnt by gradient descent"))


def least_squares(learned: lessons.LearnedKernel, hidden: np.ndarray, gray: cache.Pixels,
                  target: cache.Pixels, mapping: str) -> None:
    """The least-squares kernel against the hidden one, and the training pair as pictures.

    `gray` is the input, `target` the filtered one already mapped to bytes by `mapping`.
    """
    numbers = st.columns(3)
    numbers[0].metric("Largest weight error |learned − true|",
                      number(lessons.largest_error(learned.weights, hidden), 3, scale=hidden,
                             tolerance=lessons.FIT_PRECISION))
    numbers[1].metric("RMS residual (gray levels)",
                      number(learned.rms_residual, 3, scale=255, tolerance=lessons.FIT_PRECISION))
    numbers[2].metric("Equations (sampled pixels)", f"{learned.samples:,}")
    st.markdown(
        "With one linear layer the squared error is a least-squares problem, which "
        "`numpy.linalg.lstsq` solves here in one go, on the whole 256 px image; with no noise "
        "it finds the kernel exactly, with noise the RMS residual settles near the noise "
        "level. Deep networks have no such shortcut, which is why they descend.")
    with st.expander("The numbers, and the training pair"):
        tables = st.columns(2)
        with tables[0]:
            st.markdown("**Hidden**")
            st.dataframe(pd.DataFrame(hidden), key="dl_true_table")
        with tables[1]:
            st.markdown("**Learned by least squares**")
            st.dataframe(pd.DataFrame(convkit.core.round_significant(
                learned.weights, 8, scale=hidden, tolerance=lessons.FIT_PRECISION)),
                         key="dl_learned_table")
            st.download_button("Download the learned kernel (CSV)",
                               convkit.core.to_csv(learned.weights), file_name="learned_kernel.csv",
                               mime="text/csv", key="dl_download_csv")
        pictures = st.columns(2)
        height, width = gray.array.shape[:2]
        with pictures[0]:
            show_image(gray, f"Input, gray, {width} x {height} px")
        with pictures[1]:
            show_image(target, f"Target: filtered + noise ({mapping} mapping)")
            download_png(target, "training_target.png", key="dl_download_target")
