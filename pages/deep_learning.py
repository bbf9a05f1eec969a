"""Convolutions in deep learning: from one kernel sliding over numbers to a layer that learns."""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import convkit
from convkit import layers
from pages import ui

#: Gray working image for the least-squares solve: small, so it answers at once.
LEARN_SIDE = 256
#: Seconds between two steps of the animation (the fragment's run_every): at most two
#: reruns a second per playing visitor, each a few small grids.
SPEEDS = {"slow (2 s)": 2.0, "normal (1 s)": 1.0, "fast (0.5 s)": 0.5}
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.5)
DEFAULT_GRID = "0 0 0 0 0 0\n0 0 9 9 0 0\n0 0 9 9 0 0\n0 0 9 9 0 0\n0 0 9 9 0 0\n0 0 0 0 0 0"
PADDING_LABELS = {"constant": "zeros (what layers use)", "replicate": "replicate",
                  "reflect": "reflect", "reflect_101": "reflect_101", "wrap": "wrap"}

# Cell grids with highlighted cells. ui.number_grid outlines the centre cell, which means
# nothing on a layer's input or output, so this page draws its own (a candidate for ui.render).
CELLS_CSS = """<style>
.dl-grid {border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 0.78rem;}
.dl-grid td {border: 1px solid #c8c8c8; padding: 2px 4px; text-align: right; min-width: 2.6em;
  height: 1.6em;}
.dl-grid td.pad {background: #e9ecef; color: #868e96; font-style: italic;}
.dl-grid td.tap {background: #ffc078; font-weight: bold;}
.dl-grid td.pad.tap {background: repeating-linear-gradient(45deg, #ffc078, #ffc078 4px,
  #ffe8cc 4px, #ffe8cc 8px); color: #7a4a00;}
.dl-grid td.now {outline: 3px solid #e8590c; outline-offset: -3px; font-weight: bold;}
.dl-grid td.fed {background: #d0ebff;}
.dl-grid td.pick {outline: 3px solid #1c7ed6; outline-offset: -3px; font-weight: bold;}
.dl-grid td.empty {background: #fafafa; color: #bbb;}
.dl-grid small {display: block; font-size: 0.62rem; color: #1864ab;}
.dl-grid caption {caption-side: top; text-align: left; font-size: 0.8rem; color: #444;
  padding-bottom: 2px; font-family: sans-serif;}
.dl-wrap {overflow-x: auto; max-width: 100%;}
</style>"""


def cells(values: np.ndarray, title: str, classes: dict[str, np.ndarray] | None = None,
          notes: np.ndarray | None = None, first_row: int = 0, first_col: int = 0) -> str:
    """An HTML grid of numbers, cells marked by boolean masks (class name -> mask)."""
    values = np.asarray(values, dtype=np.float64)
    rows = []
    for r in range(values.shape[0]):
        tds = []
        for c in range(values.shape[1]):
            marks = [name for name, mask in (classes or {}).items() if mask[r, c]]
            value = values[r, c]
            text = "·" if np.isnan(value) else ui.number(value, 4)
            if np.isnan(value):
                marks.append("empty")
            note = f"<small>{escape(notes[r][c])}</small>" if notes is not None and notes[r][
                c] else ""
            where = f"row {r + first_row}, column {c + first_col}"
            tds.append(f'<td class="{" ".join(marks)}" title="{where}">{text}{note}</td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return (f'<div class="dl-wrap"><table class="dl-grid"><caption>{escape(title)}</caption>'
            + "".join(rows) + "</table></div>")


def one_cell(shape: tuple[int, ...], row: int, col: int) -> np.ndarray:
    """A mask with one cell set, to outline it in a grid."""
    mask = np.zeros(shape, dtype=bool)
    mask[row, col] = True
    return mask


def show_cells(*grids: str) -> None:
    st.html(CELLS_CSS + '<div style="display:flex;gap:18px;flex-wrap:wrap;align-items:flex-start">'
            + "".join(grids) + "</div>")


@st.cache_data(max_entries=16, show_spinner=False)
def _learn(image_key: str, weights_key: str, noise: float, _gray: np.ndarray,
           _weights: np.ndarray) -> tuple[convkit.LearnedKernel, np.ndarray]:
    inputs, target = convkit.make_training_pair(_gray, _weights, noise, seed=0)
    return convkit.learn_kernel(inputs, target, _weights.shape), target


@st.cache_data(max_entries=32, show_spinner=False)
def _descend(inputs_key: str, weights_key: str, rate: float, steps: int, _inputs: np.ndarray,
             _weights: np.ndarray) -> layers.DescentRun:
    inputs, target = convkit.make_training_pair(_inputs, _weights)
    return layers.train_kernel(inputs, target, _weights.shape, learning_rate=rate, steps=steps)


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


st.title("Convolutions in deep learning")
st.markdown(
    "A convolutional layer slides small kernels over its input exactly as this app does. Below, "
    "one kernel moves over a few real numbers, cell by cell, with a layer's three extra knobs: "
    "**stride** (how far the window jumps), **dilation** (gaps between the taps) and "
    "**padding** (which fixes the output size). Then the same sum grows into a layer: colour "
    "channels, several filters, bias, ReLU, pooling, and weights learnt by gradient descent. "
    "What PyTorch and TensorFlow call convolution is **correlation**: the kernel is not "
    "flipped, as in the tutorial and `cv2.filter2D` (the tests check every number on this "
    "page against `scipy.signal.correlate2d`). Since the weights are learnt, a flip would make "
    "no difference."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
state = st.session_state

# ----------------------------------------------------------------- the sliding window
st.header("The window slides, with numbers")
small = {name: kernel for name, kernel in ui.available_kernels().items()
         if max(kernel.shape) <= 5}
if state.get("dl_kernel") not in small:
    state["dl_kernel"] = current.kernel_name if current.kernel_name in small else "sobel_x"
top = st.columns([1.3, 1, 1.3])
source = top[0].radio("Input", ["crop of the image", "numbers I type"], key="dl_source",
                      horizontal=True)
kernel_name = top[1].selectbox(
    "Kernel", list(small), key="dl_kernel",
    format_func=lambda name: f"{name} ({small[name].shape[0]}x{small[name].shape[1]})",
    help="The bank's kernels up to 5x5 (and yours of that size).")
if source == "crop of the image":
    side = top[2].slider("Crop size (cells per side)", 3, 10, 6, key="dl_side",
                         help="Gray levels of the spot where the working image varies most.")
    grid, crop_top, crop_left = layers.busiest_crop(image.pixels, side)
    top[2].caption(f"The {side} x {side} px where the image varies most, from x = {crop_left}, "
                   f"y = {crop_top}.")
else:
    typed = top[2].text_area("Your numbers (one row a line, up to 16 x 16)", DEFAULT_GRID,
                             key="dl_grid", height=180)
    try:
        grid = layers.parse_grid(typed)
    except ValueError as error:
        st.error(f"Cannot read the grid: {error}")
        st.stop()
knobs = st.columns([1, 1, 1.6, 1.4])
stride = knobs[0].slider("Stride s", 1, 3, 1, key="dl_stride")
dilation = knobs[1].slider("Dilation d", 1, 3, 1, key="dl_dilation")
output = knobs[2].radio("Output size", convkit.OUTPUT_SIZES, key="dl_output", horizontal=True,
                        help="valid: no padding. same: pad so that out = ceil(n / s) "
                             "(TensorFlow's rule, the odd cell after). full: every position "
                             "where the kernel overlaps the input at all.")
border = knobs[3].selectbox("Padding holds", convkit.BORDER_MODES, key="dl_border",
                            index=convkit.BORDER_MODES.index("constant"),
                            format_func=PADDING_LABELS.get,
                            help="; ".join(f"{m}: {convkit.BORDER_DRAWINGS[m]}"
                                           for m in convkit.BORDER_MODES))
weights = small[kernel_name].weights
geometry = convkit.layer_geometry(grid.shape, weights.shape, stride, dilation, output)
(height, width), (kh, kw) = grid.shape, weights.shape
out_h, out_w = geometry.output_shape
st.latex(
    r"\text{out} = \left\lfloor \frac{n + p_\text{before} + p_\text{after} - d\,(k-1) - 1}{s}"
    r"\right\rfloor + 1 = \left\lfloor \frac{" + f"{height} + {geometry.pad_top} + "
    f"{geometry.pad_bottom} - {dilation}" r"\cdot" + f"{kh - 1} - 1" + "}{" + f"{stride}"
    + r"}\right\rfloor + 1 " + (f"= {out_h}" if out_h else r"\le 0 \;\Rightarrow\; "
                                r"\text{no output}"))
facts = st.columns(4)
facts[0].metric("Output size", f"{out_h} x {out_w}")
facts[1].metric("Padding top/bottom, left/right",
                f"{geometry.pad_top}/{geometry.pad_bottom}, "
                f"{geometry.pad_left}/{geometry.pad_right}",
                help="Cells added above and below, then left and right ('same' puts the odd "
                     "one after).")
facts[2].metric("Kernel span d(k−1)+1", convkit.learning.effective_size(kh, dilation))
facts[3].metric("Window positions", geometry.steps)
st.caption(f"The formula is for the {height} rows; the {width} columns follow the same rule.")

if geometry.steps == 0:
    st.warning(f"No output at all: with dilation {dilation} the kernel spans "
               f"{convkit.learning.effective_size(max(kh, kw), dilation)} cells, more than the "
               "padded input. Make the dilation smaller, or pick 'same' or 'full'.")
    layer_map = np.zeros((0, 0))
else:
    layer_map = convkit.conv2d(grid, weights, stride, dilation, output, border)
    steps = geometry.steps
    _clamp_state("dl_step", 1, steps, 1)
    playing = bool(state.get("dl_playing", False)) and steps > 1
    player = st.columns([1, 2, 3], vertical_alignment="bottom")
    player[0].button("Pause" if playing else "Play", key="dl_play", on_click=_toggle_play,
                     icon=":material/pause:" if playing else ":material/play_arrow:",
                     args=(steps,), width="stretch", disabled=steps == 1)
    speed = player[1].selectbox("Speed", list(SPEEDS), index=1, key="dl_speed")
    player[2].caption("Play moves the window one cell per tick; it stops at the last cell. "
                      "Step with the buttons or the slider below.")

    def stepper() -> None:
        """The window at the current step; while playing, each tick moves it on by one."""
        with ui.crash_guard("sliding window"):
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
            step = convkit.window_step(grid, weights, state["dl_step"] - 1, stride, dilation,
                                       output, border)
            padded, outside = layers.padded_input(grid, geometry, border)
            taps = layers.window_mask(geometry, step.step)
            current_cell = one_cell(geometry.output_shape, step.out_row, step.out_col)
            on_padding = int(step.padded.sum())
            st.markdown(
                f"**Step {step.step + 1} of {steps}**: output row {step.out_row}, column "
                f"{step.out_col} reads input rows {', '.join(map(str, step.rows))} and columns "
                f"{', '.join(map(str, step.cols))} ({on_padding} of the {kh * kw} taps on "
                f"padding). The next window along the row starts {stride} column"
                f"{'s' if stride > 1 else ''} further.")
            show_cells(
                cells(padded, "Input with its padding (gray, italic); the window in orange",
                      {"pad": outside, "tap": taps}, first_row=-geometry.pad_top,
                      first_col=-geometry.pad_left),
                cells(step.region[0], "Region under the window", {"pad": step.padded[0]}),
                cells(weights, "× kernel weights"),
                cells(step.products[0], "= products"),
                cells(layers.filled_so_far(layer_map, step.step),
                      "Output map so far (current cell outlined)", {"now": current_cell}))
            st.markdown("Sum of the products: " + ui.sum_equation(weights, step.region[0],
                                                                    step.total)
                        + f" → output[{step.out_row}, {step.out_col}]")

    if playing:
        st.fragment(run_every=SPEEDS[speed])(stepper)()
    else:
        st.fragment(stepper)()

# --------------------------------------------------- which outputs an input cell feeds
st.header("Which outputs does this input cell feed?")
if geometry.steps:
    st.markdown("Click a cell of the input (or type its row and column): the outputs whose "
                "windows read it light up, each with the weight the cell meets there.")
    _clamp_state("dl_pick_row", 0, height - 1, height // 2)
    _clamp_state("dl_pick_col", 0, width - 1, width // 2)
    pick = st.columns([3, 1, 1])
    with pick[0]:
        table = pd.DataFrame(layers.rounded(grid), columns=[str(c) for c in range(width)])
        st.dataframe(table, key="dl_pick_table", on_select=_picked_in_table,
                     selection_mode="single-cell", hide_index=False)
    row = pick[1].number_input("Input row", 0, height - 1, step=1, key="dl_pick_row")
    col = pick[2].number_input("Input column", 0, width - 1, step=1, key="dl_pick_col")
    reach = convkit.input_reach(geometry, weights, int(row), int(col), border)
    chosen = one_cell(grid.shape, row, col)
    notes = np.full(geometry.output_shape, "", dtype=object)
    for (a, b), met in reach.taps.items():
        named = " + ".join(f"w[{i},{j}]" for i, j in met)
        notes[a, b] = f"{named} = {ui.number(reach.weight[a, b])}"
    show_cells(cells(grid, f"Input: cell ({row}, {col}) chosen", {"pick": chosen}),
               cells(layer_map, f"Output: the {len(reach.taps)} cells it feeds (blue), with "
                                "the weight met", {"fed": reach.covered}, notes))
    fed = len(reach.taps)
    st.markdown(
        f"Input cell ({row}, {col}) is read by **{fed}** of the {geometry.steps} windows"
        + (" (also through its copies in the padding)" if border != "constant" else "")
        + ". Those are exactly the outputs backpropagation sends its gradient back from: "
        "∂loss/∂x[r, c] = Σ ∂loss/∂out[i, j] × (the weight the cell meets in out[i, j]), "
        "summed over the blue cells; the same pairs, read the other way, give each weight's "
        "gradient.")

# ----------------------------------------------------------------------- colour channels
st.header("Colour: one kernel slice per channel")
colour = image.pixels if image.pixels.ndim == 3 else convkit.fit_to_pixels(
    convkit.load_sample("astronaut"), 256)
if image.pixels.ndim != 3:
    st.caption("The working image is gray (one channel), so this part uses the colour sample "
               "'astronaut'; switch Colour on in the sidebar to use yours.")
names, filters = layers.rgb_filters()
rgb, rgb_top, rgb_left = layers.busiest_crop(colour[..., :3], 6, channels=True)
st.markdown(
    "A colour image has three numbers per pixel, so a layer's kernel has a 3 x 3 slice for "
    "each of red, green and blue: a 3 x 3 x 3 block. Each slice meets its own channel, and "
    "the three sums add up to **one** output number: a colour input gives one output map per "
    "filter, not three. A layer has several filters, so it gives several maps (its output "
    "channels).")
choice = st.columns([1.2, 1, 1])
filter_name = choice[0].selectbox("Filter of the layer", names, key="dl_filter",
                                  help="A small layer of four filters, each 3 x 3 x 3.")
st.caption(layers.RGB_FILTERS[filter_name][0])
rgb_geometry = convkit.layer_geometry(rgb.shape[:2], (3, 3), 1, 1, "same")
rgb_h, rgb_w = rgb_geometry.output_shape
_clamp_state("dl_rgb_row", 0, rgb_h - 1, min(2, rgb_h - 1))
_clamp_state("dl_rgb_col", 0, rgb_w - 1, min(3, rgb_w - 1))
out_row = choice[1].number_input("Output row", 0, rgb_h - 1, step=1, key="dl_rgb_row")
out_col = choice[2].number_input("Output column", 0, rgb_w - 1, step=1, key="dl_rgb_col")
index = names.index(filter_name)
breakdown = convkit.window_step(rgb, filters[index], rgb_geometry.step_at(out_row, out_col),
                                output="same")
for channel, (label, column) in enumerate(zip(("red", "green", "blue"), st.columns(3),
                                             strict=True)):
    channel_sum = ui.number(breakdown.channel_sums[channel])
    with column:
        show_cells(cells(breakdown.region[channel], f"{label} values",
                         {"pad": breakdown.padded[channel]}),
                   cells(filters[index, channel], f"× {label} slice"),
                   cells(breakdown.products[channel], f"= {label} products"))
        st.markdown(f"{label} sum: **{channel_sum}**")
sums = " + ".join(f"({ui.number(v)})" if v < 0 else ui.number(v) for v in breakdown.channel_sums)
st.markdown(f"Output ({out_row}, {out_col}) = red + green + blue = {sums} = "
            f"**{ui.number(breakdown.total, 6)}** (zero padding, 'same' size, no bias yet).")
maps = convkit.conv_layer(rgb, filters, output="same")
st.markdown(f"**The layer's four output channels** on this {rgb_h} x {rgb_w} crop (from "
            f"x = {rgb_left}, y = {rgb_top}, where the picture varies most); the chosen "
            "filter's map has output "
            f"({out_row}, {out_col}) outlined:")
picked = one_cell((rgb_h, rgb_w), out_row, out_col)
show_cells(*(cells(maps[f], names[f], {"now": picked} if f == index else None)
             for f in range(len(names))))

# -------------------------------------------------------------------- the rest of a layer
st.header("The rest of the layer: bias, ReLU, pooling")
rest = st.columns(4)
bias = rest[0].number_input("Bias b", -200.0, 200.0, 0.0, step=10.0, key="dl_bias",
                            help="Added to every output of the filter.")
use_relu = rest[1].toggle("ReLU: max(0, x)", True, key="dl_relu")
pool_kind = rest[2].selectbox("Pooling", ["none", *layers.POOLS], index=1, key="dl_pool")
pool_size = rest[3].selectbox("Pool window (and stride)", [2, 3], key="dl_pool_size")
stages = layers.layer_stages(maps[index], out_row, out_col, bias, use_relu,
                             None if pool_kind == "none" else pool_kind, pool_size)
value = float(stages.biased[out_row, out_col])
steps_text = [f"convolution {ui.number(breakdown.total, 6)}",
              f"+ bias {ui.number(bias)} = **{ui.number(value, 6)}**"]
if use_relu:
    steps_text.append(f"ReLU: max(0, {ui.number(value, 6)}) = "
                      f"**{ui.number(stages.activated[out_row, out_col], 6)}**")
st.markdown(f"At output ({out_row}, {out_col}): " + ", ".join(steps_text) + ".")
last_label = "after ReLU (negatives become 0)" if use_relu else "conv + bias"
grids = [cells(stages.biased, "conv + bias", {"now": picked})] if use_relu else []
if stages.pooled is None:
    grids.append(cells(stages.activated, last_label, {"now": picked}))
else:
    cell = stages.pool
    if cell is None:
        st.info(f"Output ({out_row}, {out_col}) falls in the leftover rows or columns that "
                f"{pool_size} x {pool_size} pooling drops.")
        grids += [cells(stages.activated, last_label, {"now": picked}),
                  cells(stages.pooled, f"{pool_kind} pooled")]
    else:
        grids += [cells(stages.activated, f"{last_label}: pooling window in orange",
                        {"tap": stages.pool_window, "now": picked}),
                  cells(stages.pooled, f"{pool_kind} pooled",
                        {"now": one_cell(stages.pooled.shape, cell.row, cell.col)})]
        listed = ", ".join(ui.number(v, 4) for v in cell.values.ravel())
        verb = "max" if pool_kind == "max" else "mean"
        st.markdown(f"Pooling: {verb}({listed}) = **{ui.number(cell.result, 6)}** "
                    f"→ pooled cell ({cell.row}, {cell.col}).")
    st.metric("Output size after pooling",
              f"{stages.activated.shape[0]} x {stages.activated.shape[1]} → "
              f"{stages.pooled.shape[0]} x {stages.pooled.shape[1]}",
              help="floor((n − window) / stride) + 1 per side; leftover cells are dropped.")
show_cells(*grids)

# -------------------------------------------------------------------- learning a kernel
st.header("Learning a kernel")
st.markdown(
    "Hide a kernel, filter an image with it: can the kernel be found again from the input and "
    "the output alone? Every output pixel gives one equation, Σ w[i, j] · patch[i, j] = "
    "output, in the unknown weights. A layer finds them by **gradient descent**: start from "
    "random weights, and step after step move every weight a little against the gradient of "
    "the squared error.")
if state.get("dl_hidden") not in small:
    state["dl_hidden"] = "sobel_x"
learn = st.columns(2)
hidden_name = learn[0].selectbox(
    "Hidden kernel", list(small), key="dl_hidden",
    format_func=lambda name: f"{name} ({small[name].shape[0]}x{small[name].shape[1]})",
    help="The bank's kernels up to 5x5 (and yours of that size).")
hidden = small[hidden_name].weights
descent = st.columns(3)
train_on = descent[0].radio("Training image (64 x 64)", ["random noise", "crop of the image"],
                            key="dl_train_on", horizontal=True,
                            help="Noise: every pixel independent, every weight equally easy "
                                 "to learn. A photo: neighbouring pixels alike, so some "
                                 "combinations of weights are learnt slowly.")
rate = descent[1].select_slider("Learning rate", LEARNING_RATES, 0.1, key="dl_lr")
steps_wanted = descent[2].slider("Steps", 10, layers.MAX_TRAIN_STEPS, 300, 10, key="dl_steps")
if train_on == "random noise":
    train_image, train_key = layers.noise_image(layers.MAX_TRAIN_SIDE), "noise:64"
else:
    train_image = layers.centre_crop(image.pixels, layers.MAX_TRAIN_SIDE)
    train_key = f"{image.key}:centre64"
run = _descend(train_key, ui.kernel_key(hidden), rate, steps_wanted, train_image, hidden)
if run.status == "diverged":
    st.error(
        f"Diverged: with learning rate {rate} the loss grew from "
        f"{ui.number(run.loss[0], 3)} to {ui.number(run.loss[-1], 3)} in {run.diverged_at} "
        "steps, so "
        "training stopped. Each step overshoots the valley's bottom by more than it gains. On "
        f"this image steps are stable only below a learning rate of "
        f"{ui.number(run.stable_below, 3)} (2 / the loss's largest curvature): pick a smaller "
        "one.")
else:
    error = float(np.abs(run.weights - hidden).max())
    figures = st.columns(2)
    loss_plot = go.Figure(go.Scatter(y=run.loss, mode="lines", name="loss",
                                     hovertemplate="step %{x}: %{y:.4g}<extra></extra>"))
    loss_plot.update_yaxes(type="log", title="mean squared error (gray levels²)",
                           exponentformat="power")
    loss_plot.update_xaxes(title="step")
    loss_plot.update_layout(title="Loss", height=330, margin=dict(l=10, r=10, t=40, b=10))
    figures[0].plotly_chart(loss_plot, width="stretch", key="dl_loss_plot")
    paths = go.Figure()
    palette = ("#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#e03131")
    flat_history = run.history.reshape(len(run.history), -1)
    for cell_index, true_value in enumerate(hidden.ravel()):
        colour_name = palette[cell_index % len(palette)]
        i, j = divmod(cell_index, hidden.shape[1])
        paths.add_trace(go.Scatter(y=flat_history[:, cell_index], mode="lines",
                                   line=dict(color=colour_name, width=1.5), name=f"w[{i},{j}]",
                                   showlegend=False,
                                   hovertemplate=f"w[{i},{j}] step %{{x}}: %{{y:.4g}}"
                                                 "<extra></extra>"))
        paths.add_hline(y=float(true_value), line=dict(color=colour_name, dash="dot", width=1))
    paths.update_xaxes(title="step")
    paths.update_yaxes(title="weight")
    paths.update_layout(title="Each weight (line) and its hidden value (dotted)", height=330,
                        margin=dict(l=10, r=10, t=40, b=10))
    figures[1].plotly_chart(paths, width="stretch", key="dl_paths_plot")
    verdict = st.columns(3)
    verdict[0].metric("Largest weight error |learned − hidden|", ui.number(error, 3))
    verdict[1].metric("RMS error after training (gray levels)",
                      ui.number(run.rms, 3))
    verdict[2].metric("Stable learning rates", f"below {ui.number(run.stable_below, 3)}")
    if error < 1e-3:
        st.success(f"After {run.steps} steps the weights are the hidden kernel's (largest "
                   f"error {ui.number(error, 2)}).")
    elif run.status == "converged":
        st.info(f"The loss is at its minimum, but the weights are still up to "
                f"{ui.number(error, 2)} off: neighbouring pixels are so alike that some weight "
                "combinations barely change the output, and gradient descent moves them "
                "slowly. More steps, or a training image with more variety, help.")
    else:
        st.info(f"Still descending after {run.steps} steps (largest weight error "
                f"{ui.number(error, 2)}): more steps or a larger learning rate (below "
                f"{ui.number(run.stable_below, 3)}) get closer.")
    show_cells(cells(hidden, f"Hidden: {hidden_name}"),
               cells(layers.rounded(run.weights), "Learnt by gradient descent"))

st.subheader("The same in one go: least squares")
noise = st.slider("Noise added to the output (standard deviation, gray levels)", 0.0, 20.0,
                  0.0, 0.5, key="dl_noise")
gray = convkit.fit_to_pixels(convkit.to_gray(image.pixels), LEARN_SIDE)
with st.spinner("Solving for the weights…"):
    learned, target = _learn(f"{image.key}:{LEARN_SIDE}", ui.kernel_key(hidden), noise, gray,
                             hidden)
max_error = float(np.abs(learned.weights - hidden).max())
numbers = st.columns(3)
numbers[0].metric("Largest weight error |learned − true|", ui.number(max_error, 3))
numbers[1].metric("RMS residual (gray levels)", ui.number(learned.rms_residual, 3))
numbers[2].metric("Equations (sampled pixels)", f"{learned.samples:,}")
st.markdown(
    "With one linear layer the squared error is a least-squares problem, which "
    "`numpy.linalg.lstsq` solves here in one go, on the whole 256 px image; with no noise it "
    "finds the kernel exactly, with noise the RMS residual settles near the noise level. Deep "
    "networks have no such shortcut, which is why they descend.")
with st.expander("The numbers, and the training pair"):
    tables = st.columns(2)
    with tables[0]:
        st.markdown("**Hidden**")
        st.dataframe(pd.DataFrame(hidden), key="dl_true_table")
    with tables[1]:
        st.markdown("**Learned by least squares**")
        st.dataframe(pd.DataFrame(layers.rounded(learned.weights, 8)), key="dl_learned_table")
        st.download_button("Download the learned kernel (CSV)", convkit.to_csv(learned.weights),
                           file_name="learned_kernel.csv", mime="text/csv", key="dl_download_csv")
    pictures = st.columns(2)
    with pictures[0]:
        ui.show_image(gray, f"Input, gray, {gray.shape[1]} x {gray.shape[0]} px")
    with pictures[1]:
        shown = convkit.to_uint8(target.astype(np.float32), current.mapping)
        ui.show_image(shown, f"Target: filtered + noise ({current.mapping} mapping)")
        ui.download_png(shown, "training_target.png", key="dl_download_target")

ui.show_code(convkit.conv2d, convkit.window_step, convkit.input_reach, convkit.pool2d,
             convkit.train_kernel, convkit.learn_kernel)
