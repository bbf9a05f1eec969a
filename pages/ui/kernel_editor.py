"""The kernel lab's editor: the kernel being edited, its table, generators, files and saving.

The kernel being edited lives in session state, not in the table widget: a data_editor keeps
its cell edits across reruns, so when the kernel is replaced (generator, resize, normalise,
upload) the editor is rebuilt under a new key from BASE. Callbacks report what they did
through NOTICES, shown once in their section.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd
import streamlit as st

import convkit
from pages import ui

WEIGHTS = "lab_weights"  # the kernel in use: the table's last valid content, float64
BASE = "lab_base"  # the kernel the current editor was built from
VERSION = "lab_editor_version"  # bumped on every replacement; part of the editor's key
TABLE_ERROR = "lab_table_error"  # why the table cannot be read, or None
NOTICES = "lab_notices"  # section -> (kind, message) from the last callback
YOURS = "__lab__"  # the edited kernel among the composition choices
MAX_UPLOAD_BYTES = 256 * 1024  # a 31 x 31 kernel in CSV takes a few kB
NAME_PATTERN = re.compile(r"[A-Za-z0-9_\-. ]{1,40}")
PRESETS = {
    "Choose A and B yourself": None,
    "Laplacian of Laplacian (a 5x5 fourth derivative)": ("laplacian", "laplacian"),
    "Gaussian of Gaussian (a wider Gaussian)": ("gaussian_5", "gaussian_5"),
    "Box of box (a 9x9 pyramid)": ("box_5", "box_5"),
    "Sobel x of Sobel y (a diagonal detector)": ("sobel_x", "sobel_y"),
    "Your kernel, then a Gaussian blur": (YOURS, "gaussian_5"),
}


def editor_key() -> str:
    """The key of the current table widget (see VERSION)."""
    return f"lab_editor_{st.session_state[VERSION]}"


def cell_text(value: float) -> str:
    """How a weight is written in the table: short, the exact value is kept aside."""
    return f"{value:.6g}"


def notify(section: str, kind: str, message: str) -> None:
    st.session_state[NOTICES][section] = (kind, message)


def show_notice(section: str) -> None:
    """Show, once, what the last action in this section did."""
    notice = st.session_state[NOTICES].pop(section, None)
    if notice:
        {"error": st.error, "success": st.success, "info": st.info}[notice[0]](notice[1])


# ------------------------------------------------------------------------------ callbacks


def load(weights: np.ndarray, what: str, section: str = "editor") -> None:
    """Replace the kernel being edited and rebuild the table from it."""
    state = st.session_state
    weights = np.array(weights, dtype=np.float64)
    state[WEIGHTS] = weights
    state[BASE] = weights
    state[VERSION] += 1
    state[TABLE_ERROR] = None
    state["lab_rows"], state["lab_cols"] = weights.shape
    notify(section, "success", f"Loaded {what} ({weights.shape[0]} x {weights.shape[1]}) "
                               "into the editor.")


def load_start() -> None:
    name = st.session_state["lab_start"]
    load(ui.available_kernels()[name].weights, f"**{name}**")


def resize() -> None:
    rows, cols = st.session_state["lab_rows"], st.session_state["lab_cols"]
    if rows % 2 == 0 or cols % 2 == 0:
        return  # the page explains why; the kernel keeps its size
    load(convkit.lessons.resize_kernel(st.session_state[WEIGHTS], rows, cols), "the resized kernel")


def normalise() -> None:
    if st.session_state[TABLE_ERROR]:
        notify("editor", "error", "Fix the table first: " + st.session_state[TABLE_ERROR])
        return
    try:
        weights = convkit.lessons.normalise(st.session_state[WEIGHTS])
    except ValueError as error:
        notify("editor", "error", f"Cannot normalise: the {error}. Scaling cannot make 0 into "
                                  "1; edge detectors are meant to sum to 0.")
        return
    load(weights, "the kernel scaled to sum 1")


GENERATORS = {
    "gaussian": ("Gaussian", lambda s: convkit.gaussian(s["lab_gauss_size"],
                                                        s["lab_gauss_sigma"])),
    "motion": ("motion blur", lambda s: convkit.motion_blur(s["lab_motion_length"],
                                                            s["lab_motion_angle"])),
    "log": ("Laplacian of Gaussian", lambda s: convkit.laplacian_of_gaussian(
        s["lab_log_size"], s["lab_log_sigma"])),
    "unsharp": ("unsharp mask", lambda s: convkit.unsharp_mask(
        s["lab_unsharp_size"], s["lab_unsharp_sigma"], s["lab_unsharp_amount"])),
    "box": ("box blur", lambda s: convkit.box(s["lab_box_h"], s["lab_box_w"])),
}


def generate(kind: str) -> None:
    label, make = GENERATORS[kind]
    try:
        weights = make(st.session_state)
    except ValueError as error:
        notify("generators", "error", f"Cannot make that {label}: {error}")
        return
    load(weights, f"a {label}", section="generators")


def upload() -> None:
    file = st.session_state.get("lab_upload")
    if file is None:
        return
    name = html.escape(file.name[:60])
    data = file.getvalue()
    if len(data) > MAX_UPLOAD_BYTES:
        notify("files", "error", f"{name} is {len(data) // 1024} kB: too big for a kernel "
                                 f"(at most {MAX_UPLOAD_BYTES // 1024} kB).")
        return
    try:
        weights = convkit.read_kernel_file(data, file.name)
    except ValueError as error:
        notify("files", "error", f"Cannot read {name}: {html.escape(str(error))}")
        return
    load(weights, f"**{name}**", section="files")


def save() -> None:
    state = st.session_state
    name = state["lab_name"].strip()
    if not name:
        notify("save", "error", "Give the kernel a name first.")
    elif name in convkit.BANK:
        notify("save", "error", f"**{name}** is the name of a bank kernel; choose another one.")
    elif not NAME_PATTERN.fullmatch(name):
        notify("save", "error", "Use at most 40 letters, digits, spaces, '_', '-' or '.'.")
    elif state[TABLE_ERROR]:
        notify("save", "error", "Fix the table first: " + state[TABLE_ERROR])
    else:
        description = state["lab_description"].strip()[:120] or "Made in the kernel lab"
        ui.save_user_kernel(convkit.Kernel(name, state[WEIGHTS], description))
        notify("save", "success", f"Saved **{name}**: pick it in the sidebar's kernel list "
                                  "on any page (for this session only).")


def apply_preset() -> None:
    pair = PRESETS[st.session_state["lab_preset"]]
    if pair:
        st.session_state["lab_comp_a"], st.session_state["lab_comp_b"] = pair


def start(current: ui.Settings) -> None:
    """Set up the lab's state on first visit, and rebuild the table after another page."""
    state = st.session_state
    if WEIGHTS not in state:
        first = current.kernel.weights.copy()
        state[WEIGHTS], state[BASE], state[VERSION], state[TABLE_ERROR] = first, first, 0, None
        state["lab_rows"], state["lab_cols"] = first.shape
        state["lab_start"] = current.kernel_name
    state.setdefault(NOTICES, {})
    if editor_key() not in state:
        # The table was not on screen in the last run (back from another page): Streamlit has
        # dropped its edits and the size boxes, so rebuild them from the kernel in use.
        state[BASE] = state[WEIGHTS]
        state["lab_rows"], state["lab_cols"] = state[WEIGHTS].shape
    kernels = ui.available_kernels()
    if state.get("lab_start") not in kernels:
        state["lab_start"] = current.kernel_name


def editor_and_generators() -> np.ndarray:
    """The table with its controls beside the generators; returns the kernel in use."""
    state = st.session_state
    kernels = ui.available_kernels()
    edit_column, generator_column = st.columns([3, 2], gap="large")
    with edit_column:
        st.subheader("Your kernel")
        pick, button = st.columns([3, 1], vertical_alignment="bottom")
        pick.selectbox("Start from", list(kernels), key="lab_start",
                       format_func=lambda n: ui.kernel_label(n, kernels[n]),
                       help="Any kernel of the bank or one you saved; the sidebar's is chosen "
                            "first.")
        button.button("Load", key="lab_load_start", on_click=load_start, width="stretch")
        rows_box, cols_box, normalise_box = st.columns([1, 1, 2], vertical_alignment="bottom")
        side = dict(min_value=1, max_value=convkit.MAX_KERNEL_SIDE, step=2, on_change=resize,
                    help=f"Odd, so the kernel has a centre; at most {convkit.MAX_KERNEL_SIDE}. "
                         "Resizing keeps the centre: rows and columns are added or cut at both "
                         "ends.")
        rows_box.number_input("Rows", key="lab_rows", **side)
        cols_box.number_input("Columns", key="lab_cols", **side)
        normalise_box.button("Normalise to sum 1", key="lab_normalise", on_click=normalise,
                             width="stretch", help="Divide every weight by the sum.")
        if state["lab_rows"] % 2 == 0 or state["lab_cols"] % 2 == 0:
            st.error(f"A kernel needs an odd number of rows and columns, so that it has a centre "
                     f"pixel: {state['lab_rows']} x {state['lab_cols']} cannot be used. The kernel "
                     f"stays {state[WEIGHTS].shape[0]} x {state[WEIGHTS].shape[1]}.")
        show_notice("editor")

        base = state[BASE]
        table = pd.DataFrame([[cell_text(v) for v in row] for row in base],
                             columns=[str(c) for c in range(1, base.shape[1] + 1)],
                             index=range(1, base.shape[0] + 1))
        edited = st.data_editor(
            table, key=editor_key(), num_rows="fixed",
            column_config={c: st.column_config.TextColumn(c, width="small") for c in table.columns},
            height=min(38 + 35 * base.shape[0], 420),
        )
        # Unchanged cells keep their exact value; only what was typed is parsed.
        cells = [[base[r, c] if text == cell_text(base[r, c]) else (None if pd.isna(text) else text)
                  for c, text in enumerate(row)]
                 for r, row in enumerate(edited.itertuples(index=False))]
        try:
            state[WEIGHTS] = convkit.parse_cells(cells)
            state[TABLE_ERROR] = None
        except ValueError as error:
            state[TABLE_ERROR] = str(error)
            st.error(f"The table cannot be used: {html.escape(str(error))}. Everything below still "
                     "shows the last kernel that could be read.")
        st.caption("Cells hold numbers, decimals or fractions (`-2`, `0.25`, `1/9`). The lab "
                   "correlates, like the tutorial: weight (1, 1) multiplies the top-left pixel.")

    with generator_column:
        st.subheader("Generators")
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
    return state[WEIGHTS]


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
