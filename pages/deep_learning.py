"""Convolutions in deep learning: output sizes with stride and dilation, and learning a kernel."""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

import convkit
from convkit.learning import effective_size
from pages import ui

#: Gray working image for learning: small, so least squares answers at once.
LEARN_SIDE = 256
#: Cell kinds in the stepper drawing, and their colours.
KINDS = {0: ("zero padding", "#d4d4d4"), 1: ("input", "#e7f0fa"),
         2: ("tap on padding (reads 0)", "#f6c28b"), 3: ("tap on input", "#e8590c")}


@st.cache_data(max_entries=16, show_spinner=False)
def _learn(image_key: str, weights_key: str, noise: float, _gray: np.ndarray,
           _weights: np.ndarray) -> tuple[convkit.LearnedKernel, np.ndarray]:
    inputs, target = convkit.make_training_pair(_gray, _weights, noise, seed=0)
    return convkit.learn_kernel(inputs, target, _weights.shape), target


def step_by(delta: int, last: int) -> None:
    st.session_state["dl_step"] = min(max(st.session_state["dl_step"] + delta, 1), last)


def stepper_figure(n: int, taps: np.ndarray, before: int, after: int, out_row: int,
                   out_col: int) -> go.Figure:
    """The zero-padded input with the taps of one output cell marked, beside the output grid."""
    positions = np.arange(-before, n + after)
    inside = (positions >= 0) & (positions < n)
    kinds = np.where(inside[:, None] & inside[None, :], 1, 0)
    rows, cols = taps[out_row], taps[out_col]
    labels = np.full(kinds.shape, "", dtype=object)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            kinds[r + before, c + before] += 2
            labels[r + before, c + before] = f"w{i}{j}"
    outputs = len(taps)
    current = np.zeros((outputs, outputs))
    current[out_row, out_col] = 1

    colours = [colour for _, colour in KINDS.values()]
    scale = [[k / 3, colours[k]] for k in range(4)]
    figure = make_subplots(1, 2, column_widths=[len(positions), max(outputs, 2)],
                           subplot_titles=("Zero-padded input (taps in orange)",
                                           "Output (current cell in orange)"),
                           horizontal_spacing=0.08)
    figure.add_trace(go.Heatmap(
        z=kinds, x=positions, y=positions, zmin=0, zmax=3, colorscale=scale, showscale=False,
        text=labels, texttemplate="%{text}", xgap=1, ygap=1,
        customdata=np.vectorize(lambda k: KINDS[k][0])(kinds),
        hovertemplate="input row %{y}, column %{x}: %{customdata}<extra></extra>"), 1, 1)
    figure.add_trace(go.Heatmap(
        z=current, zmin=0, zmax=1, colorscale=[[0, "#e7f0fa"], [1, "#e8590c"]], showscale=False,
        xgap=1, ygap=1, hovertemplate="output row %{y}, column %{x}<extra></extra>"), 1, 2)
    # A box around the real input, so the padding reads as outside the image.
    figure.add_shape(type="rect", x0=-0.5, y0=-0.5, x1=n - 0.5, y1=n - 0.5,
                     line=dict(color="#1c7ed6", width=3), row=1, col=1)
    for col, cells in ((1, len(positions)), (2, outputs)):
        tick = 1 if cells <= 24 else None  # every index while they fit
        figure.update_yaxes(autorange="reversed", scaleanchor=f"x{'' if col == 1 else 2}",
                            showgrid=False, zeroline=False, dtick=tick, constrain="domain",
                            row=1, col=col)
        figure.update_xaxes(showgrid=False, zeroline=False, dtick=tick, constrain="domain",
                            row=1, col=col)
    figure.update_layout(height=430, margin=dict(l=10, r=10, t=40, b=10),
                         plot_bgcolor="#ffffff")
    return figure


st.title("Convolutions in deep learning")
st.markdown(
    "A convolutional layer slides small kernels over its input exactly as this app does, with "
    "three extra knobs: **stride** (how far the window jumps), **dilation** (gaps between the "
    "taps) and **padding** (which fixes the output size). One thing to know first: what "
    "PyTorch's `Conv2d` and TensorFlow's `Conv2D` call convolution is **correlation**: the "
    "kernel is not flipped, like the tutorial and `cv2.filter2D`. Since the weights are "
    "learned, a flip would make no difference."
)

current = ui.settings()
image = ui.working_image_or_stop(current)

# ------------------------------------------------------------------------- output sizes
st.header("Output size: stride, dilation, padding")
boxes = st.columns([1, 1, 1, 1, 1.4])
n = boxes[0].slider("Input size n", 1, 16, 7, key="dl_n")
k = boxes[1].slider("Kernel size k", 1, 7, 3, key="dl_k")
stride = boxes[2].slider("Stride s", 1, 4, 1, key="dl_stride")
dilation = boxes[3].slider("Dilation d", 1, 4, 1, key="dl_dilation")
output = boxes[4].radio("Output size", convkit.OUTPUT_SIZES, key="dl_output", horizontal=True,
                        help="valid: no padding. same: pad so that out = ceil(n / s) "
                             "(TensorFlow's rule). full: every position where the kernel "
                             "overlaps the input at all.")

span = effective_size(k, dilation)
before, after = convkit.padding_before_after(n, k, stride, dilation, output)
length = convkit.output_length(n, k, stride, dilation, output)
st.latex(
    r"\text{out} = \left\lfloor \frac{n + p_\text{before} + p_\text{after} - d\,(k-1) - 1}{s}"
    r"\right\rfloor + 1 = \left\lfloor \frac{" + f"{n} + {before} + {after} - {dilation}"
    r"\cdot" + f"{k - 1} - 1" + "}{" + f"{stride}" + r"}\right\rfloor + 1 "
    + (f"= {length}" if length else r"\le 0 \;\Rightarrow\; \text{no output}")
)
facts = st.columns(4)
facts[0].metric("Output size (per side)", length)
facts[1].metric("Padding before / after", f"{before} / {after}")
facts[2].metric("Kernel span d(k−1)+1", span)
facts[3].metric("Output grid", f"{length} x {length}")
st.caption("The same rule holds along rows and columns; here the input is square. With "
           f"dilation {dilation}, the {k} taps spread over {span} cells.")

if length == 0:
    st.warning(f"No output at all: the kernel spans {span} cells, more than the {n} + {before} "
               f"+ {after} cells of the padded input. Make the kernel or dilation smaller, "
               "or pick 'same' or 'full'.")
else:
    taps = convkit.window_taps(n, k, stride, dilation, output)
    steps = length * length
    state = st.session_state
    state["dl_step"] = min(max(state.get("dl_step", 1), 1), steps)
    if steps > 1:
        back, slider, forward = st.columns([1, 8, 1], vertical_alignment="bottom")
        back.button("◀ Back", key="dl_prev", on_click=step_by, args=(-1, steps), width="stretch")
        slider.slider("Output cell (step)", 1, steps, key="dl_step",
                      help="Move the window over the padded input, one output cell at a time.")
        forward.button("Next ▶", key="dl_next", on_click=step_by, args=(1, steps),
                       width="stretch")
    out_row, out_col = divmod(state["dl_step"] - 1, length)
    rows, cols = taps[out_row], taps[out_col]
    outside = sum((r < 0 or r >= n or c < 0 or c >= n) for r in rows for c in cols)
    st.plotly_chart(stepper_figure(n, taps, before, after, out_row, out_col), width="stretch",
                    key="dl_stepper")
    st.markdown(
        f"Output cell (row {out_row}, column {out_col}) = Σ w[i, j] · x[row, column] over input "
        f"rows **{', '.join(map(str, rows))}** and columns **{', '.join(map(str, cols))}**: "
        f"{k * k} taps, {outside} of them on zero padding. The next cell along a row starts "
        f"{stride} column{'s' if stride > 1 else ''} further."
    )

# -------------------------------------------------------------------- learning a kernel
st.header("Learning a kernel")
st.markdown(
    "Hide a kernel, filter the image with it, add some noise: can the kernel be found again "
    "from the input and the output alone? Every output pixel gives one equation, "
    "Σ w[i, j] · patch[i, j] = output, in the unknown weights."
)
small = {name: kernel for name, kernel in ui.available_kernels().items()
         if max(kernel.shape) <= 5}
if st.session_state.get("dl_hidden") not in small:
    st.session_state["dl_hidden"] = "sobel_x"
pick, noise_box = st.columns(2)
hidden_name = pick.selectbox(
    "Hidden kernel", list(small), key="dl_hidden",
    format_func=lambda name: f"{name} ({small[name].shape[0]}x{small[name].shape[1]})",
    help="The bank's kernels up to 5x5 (and yours of that size).")
noise = noise_box.slider("Noise added to the output (standard deviation, gray levels)",
                         0.0, 20.0, 0.0, 0.5, key="dl_noise")
hidden = small[hidden_name].weights
gray = convkit.fit_to_pixels(convkit.to_gray(image.pixels), LEARN_SIDE)
with st.spinner("Solving for the weights…"):
    learned, target = _learn(f"{image.key}:{LEARN_SIDE}", ui.kernel_key(hidden), noise, gray,
                             hidden)

true_plot, learned_plot = st.columns(2)
# Titles go in captions: a heat map's own title would sit on its column numbers.
true_plot.caption(f"Hidden kernel: {hidden_name}")
true_plot.plotly_chart(ui.kernel_heatmap(hidden, height=300), width="stretch", key="dl_true")
learned_plot.caption("Learned kernel, from the input and the target alone")
learned_plot.plotly_chart(ui.kernel_heatmap(learned.weights, height=300), width="stretch",
                          key="dl_learned")
max_error = float(np.abs(learned.weights - hidden).max())
numbers = st.columns(3)
numbers[0].metric("Largest weight error |learned − true|", f"{max_error:.3g}")
numbers[1].metric("RMS residual (gray levels)", f"{learned.rms_residual:.3g}")
numbers[2].metric("Equations (sampled pixels)", f"{learned.samples:,}")
st.markdown(
    "A convolutional layer learns its kernels the same way: it starts from random weights and "
    "gradient descent nudges them, batch after batch, to shrink the squared error between its "
    "output and the target. With one linear layer that error is a least-squares problem, which "
    "`numpy.linalg.lstsq` solves here in one go; with no noise it finds the kernel exactly, "
    "with noise the RMS residual settles near the noise level."
)
with st.expander("The numbers, and the training pair"):
    tables = st.columns(2)
    with tables[0]:
        st.markdown("**Hidden**")
        st.dataframe(pd.DataFrame(hidden), key="dl_true_table")
    with tables[1]:
        st.markdown("**Learned**")
        st.dataframe(pd.DataFrame(learned.weights), key="dl_learned_table")
        st.download_button("Download the learned kernel (CSV)", convkit.to_csv(learned.weights),
                           file_name="learned_kernel.csv", mime="text/csv", key="dl_download_csv")
    pictures = st.columns(2)
    with pictures[0]:
        ui.show_image(gray, f"Input, gray, {gray.shape[1]} x {gray.shape[0]} px")
    with pictures[1]:
        shown = convkit.to_uint8(target.astype(np.float32), current.mapping)
        ui.show_image(shown, f"Target: filtered + noise ({current.mapping} mapping)")
        ui.download_png(shown, "training_target.png", key="dl_download_target")

ui.show_code(convkit.output_length, convkit.window_taps, convkit.make_training_pair,
             convkit.learn_kernel)
