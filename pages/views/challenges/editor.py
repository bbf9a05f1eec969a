"""The kernel a student builds on the challenges page, in the kernel lab's table.

The same table component as the lab (``kernel_lab.kernel_grid``: one text box per weight,
the whole table sent on every change), with its own state, so that building a challenge's
kernel never replaces the kernel being edited in the lab. Every challenge starts from a
3 x 3 table of zeros: nothing of the hidden kernel is in the table until the student asks
for the solution and loads it.
"""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

import convkit
from pages.views.kernel_lab import kernel_grid
from pages.views.kernel_lab.editing import cell_text, size_problem, typed_table

WEIGHTS = "challenge_weights"  # the kernel in use: the table's last valid content
BASE = "challenge_base"  # the kernel the current table was built from
CELLS = "challenge_cells"  # the table's text as the student left it; None: BASE's text
VERSION = "challenge_editor_version"  # bumped on every replacement; part of the table's key
ROWS, COLS = "challenge_rows", "challenge_cols"
START = np.zeros((3, 3))


def _table_key() -> str:
    return f"challenge_editor_{st.session_state[VERSION]}"


def load_kernel(weights: np.ndarray) -> None:
    """Replace the kernel being built and rebuild the table from it."""
    state = st.session_state
    weights = np.array(weights, dtype=np.float64)
    state[WEIGHTS] = state[BASE] = weights
    state[CELLS] = None
    state[VERSION] = state.get(VERSION, 0) + 1
    state[ROWS], state[COLS] = weights.shape


def _take_cells() -> None:
    cells = kernel_grid.sent_cells(_table_key(), st.session_state[BASE].shape)
    if cells is not None:
        st.session_state[CELLS] = cells


def _resize() -> None:
    rows, cols = st.session_state[ROWS], st.session_state[COLS]
    if size_problem(rows, cols) or (rows, cols) == st.session_state[WEIGHTS].shape:
        return  # the page says why; the kernel keeps its size
    load_kernel(convkit.lessons.resize_kernel(st.session_state[WEIGHTS], rows, cols))


def kernel_editor() -> np.ndarray:
    """Size boxes, a "Start again" button and the table; returns the kernel in use."""
    state = st.session_state
    if WEIGHTS not in state:
        load_kernel(START)
    if ROWS not in state:
        # Back from another page: Streamlit dropped the size boxes; rebuild them and the table.
        load_kernel(state[WEIGHTS])
    rows_box, cols_box, reset_box = st.columns([1, 1, 2], vertical_alignment="bottom")
    side = dict(step=2, on_change=_resize,
                help=f"Odd, so the kernel has a centre; 1 to {convkit.MAX_KERNEL_SIDE}. "
                     "Resizing keeps the centre.")
    rows_box.number_input("Rows", key=ROWS, **side)
    cols_box.number_input("Columns", key=COLS, **side)
    reset_box.button("Start again (3 x 3 zeros)", key="challenge_reset", on_click=load_kernel,
                     args=(START,), width="stretch")
    problem = size_problem(state[ROWS], state[COLS])
    if problem:
        st.error(f"{problem} The kernel stays {state[WEIGHTS].shape[0]} x "
                 f"{state[WEIGHTS].shape[1]}.")
    base = state[BASE]
    typed = state[CELLS] or [[cell_text(v) for v in row] for row in base]
    kernel_grid.show(_table_key(), typed, version=state[VERSION], on_change=_take_cells,
                     caption=f"Your kernel's weights, {base.shape[0]} rows (y) by "
                             f"{base.shape[1]} columns (x)")
    cells = typed_table(base, typed)
    try:
        state[WEIGHTS] = convkit.parse_cells(cells)
    except ValueError as error:
        st.error(f"The table cannot be used: {html.escape(str(error))}. The score below is "
                 "for the last kernel that could be read.")
    st.caption("Cells take numbers, decimals or fractions (`-2`, `0.25`, `1/9`): click one and "
               "type, Enter goes down, Tab right. The kernel correlates, like the kernel lab: "
               "the weight at x=0, y=0 multiplies the top-left pixel of the region under the "
               "kernel.")
    return state[WEIGHTS]
