"""The deep-learning page's layer sections: one kernel slice per colour channel, the layer
drawn as volumes, then bias, ReLU and pooling after the convolution."""

from __future__ import annotations

import numpy as np
import streamlit as st

from convkit import lessons
from pages.ui import render
from pages.ui.render import marked_grid as grid
from pages.ui.render import number
from pages.ui.widgets import number_box
from pages.views.deep_learning import volumes
from pages.views.deep_learning.common import (
    clamp_state,
    keyboard_grid,
    show_grids,
)

# ------------------------------------------------------------------------ colour channels


def channel_choice(names: list[str], output_shape: tuple[int, int],
                   own_colour: bool) -> tuple[int, int, int, int]:
    """How many filters the layer has (K), the chosen filter (its index) and the output cell
    (row, col) to break down."""
    if not own_colour:
        st.caption("The working image is gray (one channel), so this part uses the colour "
                   "sample 'astronaut'; switch Colour on in the sidebar to use yours.")
    st.markdown(
        "A colour image has three numbers per pixel, so a layer's kernel has a 3 x 3 slice "
        "for each of red, green and blue: a 3 x 3 x 3 block. Each slice meets its own "
        "channel, and the three sums add up to **one** output number: a colour input gives "
        "one output map per filter, not three. A layer has several filters, so it gives "
        "several maps (its output channels).")
    count = st.slider("Filters in the layer (K)", 1, lessons.MAX_VOLUME_FILTERS,
                      lessons.MAX_VOLUME_FILTERS, key="dl_filter_count",
                      help="Each filter is 3 x 3 x 3 and gives one output map.")
    names = names[:count]
    if st.session_state.get("dl_filter") not in names:
        st.session_state["dl_filter"] = names[0]
    choice = st.columns([1.2, 1, 1])
    name = choice[0].selectbox("Filter of the layer", names, key="dl_filter",
                               format_func=filter_label,
                               help="The layer's filters, each 3 x 3 x 3.")
    st.caption(lessons.RGB_FILTERS[name][0])
    height, width = output_shape
    clamp_state("dl_rgb_row", 0, height - 1, min(2, height - 1))
    clamp_state("dl_rgb_col", 0, width - 1, min(3, width - 1))
    row = number_box("Output row (y)", 0, height - 1, where=choice[1], notices=st, step=1,
                     key="dl_rgb_row")
    col = number_box("Output column (x)", 0, width - 1, where=choice[2], notices=st, step=1,
                     key="dl_rgb_col")
    return count, names.index(name), int(row), int(col)


def filter_label(name: str) -> str:
    """A filter as the drawing numbers it: ``filter 2: red minus green``."""
    return f"filter {list(lessons.RGB_FILTERS).index(name) + 1}: {name}"


def bias_and_relu() -> tuple[float, bool]:
    """The chosen filter's bias and whether ReLU follows (both used again after pooling)."""
    rest = st.columns(2)
    st.session_state.setdefault("dl_bias", 0.0)
    bias = number_box("Bias b", -200.0, 200.0, where=rest[0], notices=st, step=10.0,
                      key="dl_bias", help="Added to every output of the chosen filter.")
    use_relu = rest[1].toggle("ReLU: max(0, x)", True, key="dl_relu")
    return float(bias), bool(use_relu)


def layer_volumes(crop: np.ndarray, filters: np.ndarray, maps: np.ndarray, names: list[str],
                  focus: lessons.VolumeFocus) -> None:
    """The layer drawn as volumes; a click on an output cell chooses its filter and cell."""
    count, height, width = maps.shape

    def take_pick() -> None:
        picked = volumes.picked_cell(volumes.event("dl_volumes"), count, height, width)
        if picked is not None:
            f, x, y = picked
            st.session_state.update(dl_filter=names[f], dl_rgb_row=y, dl_rgb_col=x)

    volumes.show("dl_volumes", volumes.volumes_html(crop, filters, maps, names, focus),
                 point=(focus.filter, focus.out_col, focus.out_row), on_pick=take_pick,
                 label="The layer as volumes: input, filters and output maps")


def channels(breakdown: lessons.WindowStep, maps: np.ndarray, names: list[str], index: int,
             corner: tuple[int, int], use_relu: bool) -> None:
    """Each channel's values, slice and products at one output, their sum, the bias and
    ReLU, and every map."""
    for channel, (label, column) in enumerate(zip(("red", "green", "blue"), st.columns(3),
                                                 strict=True)):
        with column:
            show_grids(grid(breakdown.region[channel], f"{label} values",
                            {"pad": breakdown.padded[channel]}),
                       grid(breakdown.weights[channel], f"× {label} slice"),
                       grid(breakdown.products[channel], f"= {label} products"))
            st.markdown(f"{label} sum: **{number(breakdown.channel_sums[channel])}**")
    row, col = breakdown.out_row, breakdown.out_col
    conv = float(breakdown.channel_sums.sum())
    st.markdown(f"Output x={col}, y={row} of filter {index + 1} = red + green + blue = "
                f"{render.signed_sum(breakdown.channel_sums)} = **{number(conv, 6)}** "
                "(zero padding, 'same' size).")
    steps = f"Then + bias {number(breakdown.bias)} = **{number(breakdown.total, 6)}**"
    if use_relu:
        steps += (f", and ReLU: max(0, {number(breakdown.total, 6)}) = "
                  f"**{number(max(breakdown.total, 0.0), 6)}**")
    st.markdown(steps + ".")
    st.markdown(f"**The layer's {len(names)} output channel{'s' if len(names) > 1 else ''}** "
                f"(before bias) on this {maps.shape[1]} x {maps.shape[2]} crop (from "
                f"x = {corner[1]}, y = {corner[0]}, where the picture varies most); the chosen "
                f"filter's map has output x={col}, y={row} outlined:")
    show_grids(*(keyboard_grid(maps[f], names[f], {"now": (row, col)} if f == index else None)
                 for f in range(len(names))))


# ------------------------------------------------------------------- the rest of a layer


def pool_settings() -> tuple[str | None, int]:
    """The pooling kind (None: no pooling) and its window."""
    rest = st.columns(2)
    pool = rest[0].selectbox("Pooling", ["none", *lessons.POOLS], index=1, key="dl_pool")
    size = rest[1].selectbox("Pool window (and stride)", [2, 3], key="dl_pool_size")
    return None if pool == "none" else pool, int(size)


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
    st.markdown(f"At output x={col}, y={row}: " + ", ".join(steps) + ".")
    last = "after ReLU (negatives become 0)" if use_relu else "conv + bias"
    grids = ([keyboard_grid(stages.biased, "conv + bias", {"now": (row, col)})] if use_relu
             else [])
    if stages.pooled is None:
        grids.append(keyboard_grid(stages.activated, last, {"now": (row, col)}))
    elif stages.pool is None:
        st.info(f"Output ({row}, {col}) falls in the leftover rows or columns that "
                f"{size} x {size} pooling drops.")
        grids += [keyboard_grid(stages.activated, last, {"now": (row, col)}),
                  keyboard_grid(stages.pooled, f"{pool} pooled")]
    else:
        cell = stages.pool
        grids += [keyboard_grid(stages.activated, f"{last}: pooling window in orange",
                       {"tap": stages.pool_window, "now": (row, col)}),
                  keyboard_grid(stages.pooled, f"{pool} pooled",
                                {"now": (cell.row, cell.col)})]
        listed = ", ".join(number(v, 4) for v in cell.values.ravel())
        st.markdown(f"Pooling: {'max' if pool == 'max' else 'mean'}({listed}) = "
                    f"**{number(cell.result, 6)}** → pooled cell x={cell.col}, y={cell.row}.")
    if stages.pooled is not None:
        st.metric("Output size after pooling",
                  f"{stages.activated.shape[0]} x {stages.activated.shape[1]} → "
                  f"{stages.pooled.shape[0]} x {stages.pooled.shape[1]}",
                  help="floor((n − window) / stride) + 1 per side; leftover cells are dropped.")
    show_grids(*grids)


