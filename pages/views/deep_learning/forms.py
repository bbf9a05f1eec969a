"""The deep-learning page's section on one layer in four forms: standard, grouped, depthwise
and depthwise-separable, their costs side by side and their outputs on a colour crop."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from convkit import lessons
from pages.ui import render
from pages.ui.render import marked_grid as grid
from pages.ui.render import number
from pages.ui.widgets import number_box
from pages.views.deep_learning.common import show_grids

#: The colour example: a crop of this side (its 4 x 4 maps fit a phone), six output channels
#: in three groups.
CROP_SIDE, EXAMPLE_OUTPUTS, EXAMPLE_GROUPS, EXAMPLE_SEED = 6, 6, 3, 25
COLOUR_NAMES = ("red", "green", "blue")


def _count(value: int) -> str:
    """A whole count written in full (every digit), through the one formatter."""
    return number(value, 17)


def _cost_settings() -> tuple[int, int, int, int, int]:
    row = st.columns(5)
    st.session_state.setdefault("dl_forms_in", 32)
    st.session_state.setdefault("dl_forms_out", 64)
    st.session_state.setdefault("dl_forms_side", 56)
    c_in = int(number_box("Input channels C_in", 1, lessons.MAX_FORM_CHANNELS, where=row[0],
                          notices=st, step=1, key="dl_forms_in"))
    c_out = int(number_box("Output channels C_out", 1, lessons.MAX_FORM_CHANNELS, where=row[1],
                           notices=st, step=1, key="dl_forms_out"))
    kernel = int(row[2].selectbox("Kernel k x k", [1, 3, 5, 7], index=1, key="dl_forms_k"))
    common = [g for g in range(1, math.gcd(c_in, c_out) + 1)
              if c_in % g == 0 and c_out % g == 0]
    if st.session_state.get("dl_forms_groups") not in common:
        st.session_state["dl_forms_groups"] = max(g for g in common if g <= 4)
    groups = int(row[3].selectbox("Groups (grouped form)", common, key="dl_forms_groups",
                                  help="Must divide both C_in and C_out."))
    side = int(number_box("Input side H = W", kernel, lessons.MAX_COST_SIDE, where=row[4],
                          notices=st, step=1, key="dl_forms_side"))
    return c_in, c_out, kernel, groups, side


def cost_table(costs: tuple[lessons.LayerCost, ...], c_in: int, c_out: int, kernel: int,
               groups: int, side: int) -> pd.DataFrame:
    """The four forms' costs as rows of text, with how each count is made."""
    out_side = side - kernel + 1
    how = {
        "standard": f"{c_out} x {c_in} x {kernel} x {kernel}",
        "grouped": f"{c_out} x ({c_in} / {groups}) x {kernel} x {kernel}",
        "depthwise": f"{c_in} x {kernel} x {kernel}",
        "separable": f"{c_in} x {kernel} x {kernel} + {c_out} x {c_in}",
    }
    standard = costs[0].multiply_adds
    return pd.DataFrame(
        {"output maps": [str(c.output_channels) for c in costs],
         "weights": [f"{how[c.form]} = {_count(c.parameters)}" for c in costs],
         "with bias": [_count(c.with_bias) for c in costs],
         f"multiply-adds ({out_side} x {out_side} outputs)": [_count(c.multiply_adds)
                                                              for c in costs],
         "share of standard": [f"{number(100 * c.multiply_adds / standard, 3)} %"
                               for c in costs]},
        index=[c.form for c in costs])


def layer_forms(colour: np.ndarray) -> None:
    """Costs of the four forms for chosen sizes, and their outputs on a colour crop."""
    st.header("One layer, four ways: grouped, depthwise, separable", anchor=False)
    st.markdown(
        "A **standard** layer gives each of its C_out filters a k x k slice for every one of "
        "the C_in input channels. A **grouped** layer splits the channels into groups: each "
        "filter sees only its own group's C_in / groups channels. **Depthwise** is the extreme, "
        "one group per channel: each channel filtered alone, nothing mixed (C_in maps out). "
        "**Depthwise-separable** (MobileNet, Xception) follows it with a 1 x 1 **pointwise** "
        "layer that mixes the channels: far fewer weights and multiply-adds for the same output "
        "size. Counts are for stride 1 and no padding.")
    c_in, c_out, kernel, groups, side = _cost_settings()
    costs = lessons.layer_costs(c_in, c_out, kernel, groups, side, side)
    st.html(render.text_table(
        cost_table(costs, c_in, c_out, kernel, groups, side),
        f"Weights and multiply-adds of one {c_in} to {c_out} channel, {kernel} x {kernel} layer "
        f"on a {side} x {side} input", corner="form"))

    st.subheader("The four forms on a colour crop", anchor=False)
    volume, top, left = lessons.busiest_crop(colour[..., :3], CROP_SIDE, channels=True)
    volume = np.moveaxis(volume, 2, 0)
    small_kernel = min(kernel, 5)
    if min(volume.shape[1:]) < small_kernel:
        st.caption(f"The image ({volume.shape[2]} x {volume.shape[1]} px) is smaller than a "
                   f"{small_kernel} x {small_kernel} kernel: the four forms need a larger one.")
        return
    forms = lessons.example_forms(volume, EXAMPLE_OUTPUTS, small_kernel, EXAMPLE_GROUPS,
                                  EXAMPLE_SEED)
    st.markdown(
        f"The same {CROP_SIDE} x {CROP_SIDE} crop (from pixel x={left}, y={top}, where the "
        f"picture varies most), 3 channels in, through each form with {small_kernel} x "
        f"{small_kernel} kernels, {EXAMPLE_OUTPUTS} output maps and {EXAMPLE_GROUPS} groups, "
        f"random weights (seed {EXAMPLE_SEED}). With 3 groups each grouped filter reads one "
        "colour only; depthwise gives one map per colour.")
    output = int(st.selectbox("Output map", range(EXAMPLE_OUTPUTS), key="dl_forms_map",
                              format_func=lambda o: f"map {o}"))
    per_group = EXAMPLE_OUTPUTS // EXAMPLE_GROUPS
    channel = output // per_group
    show_grids(
        grid(forms["standard"][output], f"standard map {output} (all colours)"),
        grid(forms["grouped"][output],
             f"grouped map {output} ({COLOUR_NAMES[channel]} only)"),
        grid(forms["depthwise"][channel], f"depthwise map {channel} ({COLOUR_NAMES[channel]})"),
        grid(forms["separable"][output], f"separable map {output} (depthwise, then mixed)"),
    )
    mixing = forms["pointwise weights"][output]
    terms = "".join(("" if c == 0 else " − " if w < 0 else " + ")
                    + f"{number(w if c == 0 else abs(w))} × depthwise {COLOUR_NAMES[c]}"
                    for c, w in enumerate(mixing))
    st.markdown(f"Separable map {output} = {terms}, cell by cell.")
