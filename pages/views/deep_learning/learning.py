"""The deep-learning page's last section: a hidden kernel learnt again by gradient descent,
and in one go by least squares."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import convkit
from convkit import lessons
from pages.ui import cache
from pages.ui.render import marked_grid as grid
from pages.ui.render import number
from pages.ui.widgets import CHART_CONFIG, download_png, expander_filled_when_open, show_image
from pages.views.deep_learning.common import (
    kernel_box,
    show_grids,
)

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 1.5)
#: Colours of the weights' paths during training (one per weight, repeating).
PALETTE = ("#1c7ed6", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#e03131")


# ---------------------------------------------------------------------- learning a kernel


def descent_settings(kernels: dict) -> tuple[str, bool, float, int]:
    """The hidden kernel's name, training on the image (or noise), learning rate and steps."""
    st.markdown(
        "Hide a kernel, filter an image with it: can the kernel be found again from the input "
        "and the output alone? Every output pixel gives one equation, Σ w[i, j] · patch[i, j] "
        "= output, in the unknown weights. A layer finds them by **gradient descent**: start "
        "from random weights, and step after step move every weight a little against the "
        "gradient of the squared error.")
    name = kernel_box(st.columns(2)[0], "Hidden kernel", "dl_hidden", kernels, "sobel_x")
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
    flat_history = run.history.reshape(len(run.history), -1)
    traces, hidden_lines = [], []
    for cell, true_value in enumerate(hidden.ravel()):
        colour = PALETTE[cell % len(PALETTE)]
        i, j = divmod(cell, hidden.shape[1])
        traces.append(go.Scatter(y=flat_history[:, cell], mode="lines",
                                 line=dict(color=colour, width=1.5), name=f"w at x={j}, y={i}",
                                 showlegend=False,
                                 hovertemplate=f"w at x={j}, y={i}, step %{{x}}: %{{y:.4g}}"
                                               "<extra></extra>"))
        # What Figure.add_hline draws, given in one go: add_hline checks every shape already
        # there each time, and 25 of them held the interpreter lock for a second.
        hidden_lines.append(dict(type="line", xref="x domain", x0=0, x1=1, yref="y",
                                 y0=float(true_value), y1=float(true_value),
                                 line=dict(color=colour, dash="dot", width=1)))
    paths = go.Figure(traces, layout=dict(
        shapes=hidden_lines, title="Each weight (line) and its hidden value (dotted)",
        height=330, margin=dict(l=10, r=10, t=40, b=10), xaxis=dict(title="step"),
        yaxis=dict(title="weight")))
    return loss, paths


def _training_curves(run: lessons.DescentRun, hidden: np.ndarray) -> None:
    figures = st.columns(2)
    loss, paths = _training_figures(run, hidden)
    figures[0].plotly_chart(loss, width="stretch", key="dl_loss_plot", config=CHART_CONFIG)
    figures[1].plotly_chart(paths, width="stretch", key="dl_paths_plot", config=CHART_CONFIG)


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
    # Behind a click: the charts are the page's only Plotly, 1.4 MB of JavaScript gzipped.
    expander_filled_when_open("Training curves: the loss and every weight, step by step",
                              functools.partial(_training_curves, run, hidden),
                              key="dl_curves_expander")
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
            show_image(gray, f"Input, gray, {width} x {height} px",
                       alt=f"The training input: the image in gray, {width} x {height} px")
        with pictures[1]:
            show_image(target, f"Target: filtered + noise ({mapping} mapping)",
                       alt=f"The training target: the input filtered by the hidden kernel, "
                           f"plus noise, {mapping} mapping")
            download_png(target, "training_target.png", key="dl_download_target")
