"""The deep-learning page's transposed convolution: each input cell stamps a scaled kernel,
the same sum as a stride-1 convolution of the zero-inserted input, and the output size worked
out with the chosen numbers."""

from __future__ import annotations

import numpy as np
import streamlit as st

from convkit import lessons
from pages.ui.render import marked_grid as grid
from pages.ui.render import number
from pages.ui.widgets import number_box
from pages.views.deep_learning.common import clamp_state, keyboard_grid, show_grids

DEFAULT_INPUT = "1 2\n3 −1"
DEFAULT_KERNEL = "1 0 −1\n2 1 0\n0 1 1"


def _grid_or_none(label: str, text: str, limit: int) -> np.ndarray | None:
    try:
        # People type the minus sign the page shows them; read it as the ASCII one.
        return lessons.parse_grid(text.replace("−", "-"), limit)
    except ValueError as error:
        st.warning(f"Cannot read the {label}: {error}")
        return None


def _size_latex(n: int, k: int, s: int, p: int, op: int, d: int, axis: str) -> str:
    out = lessons.transposed_length(n, k, s, p, op, d)
    # o for the output padding: the formula then fits a 320 px phone without scrolling.
    return (r"\begin{aligned}" rf"{axis}_\text{{out}} &= ({axis}_\text{{in}} - 1)\,s - 2p + "
            r"d\,(k - 1) + o + 1 \\ " rf"&= ({n} - 1)\cdot {s} - 2\cdot {p}"
            rf" + {d}\cdot({k} - 1) + {op} + 1 \\ &= {out}" r"\end{aligned}")


def _knobs() -> tuple[int, int, int, int]:
    knobs = st.columns(4)
    stride = knobs[0].selectbox("Stride s", (1, 2, 3), index=1, key="dl_tr_stride")
    padding = knobs[1].selectbox("Padding p", (0, 1, 2), key="dl_tr_padding",
                                 help="Cells cut from every side of the stamped sum.")
    dilation = knobs[2].selectbox("Dilation d", (1, 2), key="dl_tr_dilation")
    allowed = tuple(range(max(stride, dilation)))
    if st.session_state.get("dl_tr_output_padding") not in allowed:
        st.session_state["dl_tr_output_padding"] = 0
    output_padding = knobs[3].selectbox(
        "Output padding", allowed, key="dl_tr_output_padding",
        help="Extra cells at the bottom and right only; below the stride or the dilation.")
    return stride, padding, output_padding, dilation


def transposed_section() -> None:
    """The whole section: inputs and knobs, the formula, the stamps and the stride-1 route."""
    st.header("Transposed convolution: a kernel stamped by each input", anchor=False)
    st.markdown(
        "A decoder or a segmentation network makes a small map **larger** with a transposed "
        "convolution. Each input cell stamps the kernel, multiplied by its value, into the "
        "output; stamps of neighbouring cells land **stride** cells apart and add where they "
        "overlap; then **padding** cuts cells from every side. Sizes and names follow PyTorch's "
        "`ConvTranspose2d` (the kernel is not flipped in the stamps).")
    typed = st.columns(2)
    x = _grid_or_none("input", typed[0].text_area(
        f"Input (one row a line, up to {lessons.MAX_TRANSPOSED_INPUT} x "
        f"{lessons.MAX_TRANSPOSED_INPUT})", DEFAULT_INPUT, key="dl_tr_input", height=110),
        lessons.MAX_TRANSPOSED_INPUT)
    kernel = _grid_or_none("kernel", typed[1].text_area(
        f"Kernel (up to {lessons.MAX_TRANSPOSED_KERNEL} x {lessons.MAX_TRANSPOSED_KERNEL})",
        DEFAULT_KERNEL, key="dl_tr_kernel", height=110), lessons.MAX_TRANSPOSED_KERNEL)
    stride, padding, output_padding, dilation = _knobs()
    if x is None or kernel is None:
        return
    try:
        result = lessons.conv_transpose2d(x, kernel, stride, padding, output_padding, dilation)
    except ValueError as error:
        st.warning(f"No output: {error}")
        return
    route = lessons.zero_insertion(x, kernel, stride, padding, output_padding, dilation)
    st.latex(_size_latex(x.shape[0], kernel.shape[0], stride, padding, output_padding,
                         dilation, "H"))
    if (x.shape[1], kernel.shape[1]) != (x.shape[0], kernel.shape[0]):
        st.latex(_size_latex(x.shape[1], kernel.shape[1], stride, padding, output_padding,
                             dilation, "W"))
    st.caption("PyTorch's ConvTranspose2d output size: s stride, p padding, d dilation, k "
               "kernel side, o output padding"
               + ("; the columns follow the same rule." if x.shape[1] == x.shape[0]
                  and kernel.shape[1] == kernel.shape[0] else "; rows (H) then columns (W)."))
    out_h, out_w = result.output.shape

    st.subheader("The scatter view", anchor=False)
    pick = st.columns(2)
    clamp_state("dl_tr_x", 0, x.shape[1] - 1, 0)
    clamp_state("dl_tr_y", 0, x.shape[0] - 1, 0)
    col = int(number_box("Input x", 0, x.shape[1] - 1, where=pick[0], notices=st, step=1,
                         key="dl_tr_x"))
    row = int(number_box("Input y", 0, x.shape[0] - 1, where=pick[1], notices=st, step=1,
                         key="dl_tr_y"))
    stamp = result.stamps[row * x.shape[1] + col]
    placed = result.placed(stamp)
    landed = ~np.isnan(placed)
    where = (f"its first weight (x=0, y=0) lands at output x={stamp.left - padding}, "
             f"y={stamp.top - padding}")
    st.markdown(
        f"Input x={col}, y={row} holds **{number(stamp.value)}**: it adds "
        f"{number(stamp.value)} × kernel to the output, {where} (x × s − p, y × s − p); "
        f"{int(landed.sum())} of its {kernel.size} weighted cells stay inside the "
        f"{out_h} x {out_w} output (the rest fall in the cut padding).")
    show_grids(grid(x, "Input: picked cell outlined", {"pick": (row, col)}),
               grid(kernel, "Kernel"),
               keyboard_grid(placed, f"Stamp of input x={col}, y={row} (· nothing)"),
               keyboard_grid(result.output, f"Transposed output {out_h} x {out_w}: this stamp's "
                                   "cells shaded, sum of all stamps", {"fed": landed}))

    st.subheader("The same as a stride-1 convolution of the zero-inserted input", anchor=False)
    top, left = route.border
    st.markdown(
        f"Put s − 1 = {stride - 1} zero(s) between neighbouring inputs, then d(k − 1) − p "
        f"zeros around (here {top} above and {left} left, {output_padding} more below and "
        "right for the output padding"
        + (f"; a negative amount cuts {route.cut[0]} row(s) and {route.cut[1]} column(s) "
           "instead" if max(route.cut) else "")
        + "), and slide the kernel **rotated 180°** over it with stride 1: every output "
        "is the same number as in the scatter view.")
    notes = np.where(route.kind == "input", "", route.kind)
    show_grids(keyboard_grid(route.grid, "Zero-inserted input (inserted and pad zeros labelled)",
                    {"pad": route.kind == "pad"}, notes=notes.tolist()),
               grid(route.rotated, "Kernel rotated 180°"),
               keyboard_grid(route.output, f"Stride-1 result {out_h} x {out_w}"))
