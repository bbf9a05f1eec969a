"""The kernel lab's editor widgets: the table with its controls, the generators, and keeping
the kernel (save, download, upload).

They act through the callbacks of ``editing``, which hold the kernel being edited in session
state (why: see that module).
"""

from __future__ import annotations

import html
import re

import numpy as np
import streamlit as st

import convkit
from pages import ui
from pages.views.kernel_lab import kernel_grid
from pages.views.kernel_lab.editing import (
    BASE,
    CELLS,
    TABLE_ERROR,
    VERSION,
    WEIGHTS,
    cell_text,
    editor_key,
    generate,
    load_start,
    normalise,
    resize,
    save,
    show_notice,
    size_problem,
    take_cells,
    typed_table,
    upload,
)


def editor_and_generators() -> np.ndarray:
    """The table with its controls beside the generators; returns the kernel in use."""
    edit_column, generator_column = st.columns([3, 2], gap="large")
    with edit_column:
        _table()
    with generator_column:
        _generators()
    return st.session_state[WEIGHTS]


def _table() -> None:
    """The kernel's source, size and normalise controls, then the table itself, read back."""
    state = st.session_state
    kernels = ui.available_kernels()
    st.header("Your kernel", anchor=False)
    pick, button = st.columns([3, 1], vertical_alignment="bottom")
    pick.selectbox("Start from", list(kernels), key="lab_start",
                   format_func=lambda n: ui.kernel_label(n, kernels[n]),
                   help="Any kernel of the bank or one you saved; the sidebar's is chosen "
                        "first.")
    button.button("Load", key="lab_load_start", on_click=load_start, width="stretch")
    rows_box, cols_box, normalise_box = st.columns([1, 1, 2], vertical_alignment="bottom")
    # No min_value or max_value: Streamlit would refuse a typed 40 with only a red mark
    # explained on hover (phones have none); the page says why in words instead.
    side = dict(step=2, on_change=resize,
                help=f"Odd, so the kernel has a centre; 1 to {convkit.MAX_KERNEL_SIDE}. "
                     "Resizing keeps the centre: rows and columns are added or cut at both "
                     "ends.")
    rows_box.number_input("Rows", key="lab_rows", **side)
    cols_box.number_input("Columns", key="lab_cols", **side)
    normalise_box.button("Normalise to sum 1", key="lab_normalise", on_click=normalise,
                         width="stretch", help="Divide every weight by the sum.")
    st.caption(f"Rows and columns: odd numbers from 1 to {convkit.MAX_KERNEL_SIDE}.")
    problem = size_problem(state["lab_rows"], state["lab_cols"])
    if problem:
        st.error(f"{problem} The kernel stays {state[WEIGHTS].shape[0]} x "
                 f"{state[WEIGHTS].shape[1]}.")
    show_notice("editor")

    base = state[BASE]
    typed = state[CELLS] or [[cell_text(v) for v in row] for row in base]
    kernel_grid.show(editor_key(), typed, version=state[VERSION], on_change=take_cells,
                     caption=f"Your kernel's weights, {base.shape[0]} rows (y) by "
                             f"{base.shape[1]} columns (x)")
    cells = typed_table(base, typed)
    try:
        state[WEIGHTS] = convkit.parse_cells(cells)
        state[TABLE_ERROR] = None
    except ValueError as error:
        state[TABLE_ERROR] = str(error)
        st.error(f"The table cannot be used: {html.escape(str(error))}. Everything below still "
                 "shows the last kernel that could be read.")
    st.caption("Cells hold numbers, decimals or fractions (`-2`, `0.25`, `1/9`): click one and "
               "type, Enter goes down, Tab right. The lab correlates, like the tutorial: the "
               "weight at x=0, y=0 multiplies the top-left pixel.")


def _generators() -> None:
    """One tab per generator, each with its knobs and a button loading it into the editor."""
    st.header("Generators", anchor=False)
    tabs = st.tabs(["Gaussian", "Motion blur", "LoG", "Unsharp mask", "Box"])
    odd_size = dict(min_value=1, max_value=convkit.MAX_KERNEL_SIDE, step=2)
    with tabs[0]:
        st.caption("A smooth blur: weights fall off like a bell curve.")
        st.slider("Size", key="lab_gauss_size", value=5, **odd_size)
        st.slider("Sigma (px)", 0.3, 10.0, 1.0, 0.1, key="lab_gauss_sigma")
        st.button("Load into editor", key="lab_load_gaussian", on_click=generate,
                  args=("gaussian",))
    with tabs[1]:
        st.caption("An average along a line, like a camera moving while the shutter is open.")
        st.slider("Length (px)", key="lab_motion_length", value=9, **odd_size)
        st.slider("Angle (degrees, counter-clockwise)", 0, 180, 45, 5, key="lab_motion_angle")
        st.button("Load into editor", key="lab_load_motion", on_click=generate,
                  args=("motion",))
    with tabs[2]:
        st.caption("Laplacian of Gaussian: blur, then second derivative. Finds blobs and edges "
                   "at the scale sigma.")
        st.slider("Size", key="lab_log_size", value=9, **{**odd_size, "min_value": 3})
        st.slider("Sigma (px)", 0.5, 6.0, 1.4, 0.1, key="lab_log_sigma")
        st.button("Load into editor", key="lab_load_log", on_click=generate, args=("log",))
    with tabs[3]:
        st.caption("Sharpen: the image plus `amount` times what a Gaussian blur removes.")
        st.slider("Size", key="lab_unsharp_size", value=5, **{**odd_size, "min_value": 3})
        st.slider("Sigma (px)", 0.3, 6.0, 1.0, 0.1, key="lab_unsharp_sigma")
        st.slider("Amount", 0.0, 5.0, 1.0, 0.1, key="lab_unsharp_amount")
        st.button("Load into editor", key="lab_load_unsharp", on_click=generate,
                  args=("unsharp",))
    with tabs[4]:
        st.caption("The mean of an h x w rectangle; 1 x w blurs along rows only.")
        st.slider("Height h", key="lab_box_h", value=5, **odd_size)
        st.slider("Width w", key="lab_box_w", value=5, **odd_size)
        st.button("Load into editor", key="lab_load_box", on_click=generate, args=("box",))
    show_notice("generators")


def keep_it(weights: np.ndarray) -> None:
    """Save to this session's bank, download as CSV or .npy, upload a file."""
    state = st.session_state
    save_box, download_box, upload_box = st.columns(3, gap="large")
    with save_box:
        st.text_input("Name", key="lab_name", max_chars=40, placeholder="my_kernel",
                      help="Not a bank kernel's name. Saving under a name you used replaces it.")
        st.text_input("Description (optional)", key="lab_description", max_chars=120)
        st.button("Save to my bank", key="lab_save", on_click=save, type="primary")
        show_notice("save")
    with download_box:
        st.markdown("**Download**")
        stem = state.get("lab_name", "").strip() or "kernel"
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)
        st.download_button("Kernel as CSV", convkit.core.to_csv(weights), file_name=f"{stem}.csv",
                           mime="text/csv", key="lab_download_csv")
        st.download_button("Kernel as .npy (NumPy)", convkit.core.to_npy(weights),
                           file_name=f"{stem}.npy", mime="application/octet-stream",
                           key="lab_download_npy")
    with upload_box:
        st.file_uploader("Upload a kernel (CSV, TXT or .npy)", type=["csv", "txt", "npy"],
                         key="lab_upload", on_change=upload, max_upload_size=1,
                         help="Text: one kernel row per line, cells separated by commas, "
                              "semicolons, tabs or spaces; fractions like 1/9 are fine.")
        show_notice("files")
