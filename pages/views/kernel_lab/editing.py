"""The kernel lab's editing state and its callbacks: load, resize, normalise, generate, upload,
save and the composition presets.

The kernel being edited lives in session state, not in the table widget: the table
(``kernel_grid``) sends its boxes' text, kept as CELLS; when the kernel is replaced
(generator, resize, normalise, upload) the table is rebuilt under a new key from BASE.
Callbacks report what they did through NOTICES, shown once in their section.
"""

from __future__ import annotations

import html
import re

import numpy as np
import streamlit as st

import convkit
from pages import ui
from pages.views.kernel_lab import kernel_grid

WEIGHTS = "lab_weights"  # the kernel in use: the table's last valid content, float64
BASE = "lab_base"  # the kernel the current editor was built from
CELLS = "lab_cells"  # the table's text as the visitor left it, row by row; None: BASE's text
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


def typed_table(base: np.ndarray, typed: list[list[str]] | None) -> list[list]:
    """The table's cells as the visitor left them: what was typed, and the exact value of
    every cell still showing `base`'s short text (`cell_text`), so 1/3 stays 1/3."""
    if not typed:
        return base.tolist()
    return [[base[r, c] if text == cell_text(base[r, c]) else text
             for c, text in enumerate(row)]
            for r, row in enumerate(typed)]


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
    state[CELLS] = None
    state[VERSION] += 1
    state[TABLE_ERROR] = None
    state["lab_rows"], state["lab_cols"] = weights.shape
    notify(section, "success", f"Loaded {what} ({weights.shape[0]} x {weights.shape[1]}) "
                               "into the editor.")


def take_cells() -> None:
    """Keep the text the table sent (a malformed table is ignored: the boxes stay as sent
    last)."""
    cells = kernel_grid.sent_cells(editor_key(), st.session_state[BASE].shape)
    if cells is not None:
        st.session_state[CELLS] = cells


def load_start() -> None:
    name = st.session_state["lab_start"]
    load(ui.available_kernels()[name].weights, f"**{name}**")


def size_problem(rows: int, cols: int) -> str | None:
    """Why a kernel of `rows` x `cols` cannot be made, in words, or None if it can."""
    if not (1 <= rows <= convkit.MAX_KERNEL_SIDE and 1 <= cols <= convkit.MAX_KERNEL_SIDE):
        return (f"A kernel has 1 to {convkit.MAX_KERNEL_SIDE} rows and columns: {rows} x {cols} "
                "cannot be used.")
    if rows % 2 == 0 or cols % 2 == 0:
        return (f"A kernel needs an odd number of rows and columns, so that it has a centre "
                f"pixel: {rows} x {cols} cannot be used.")
    return None


def resize() -> None:
    rows, cols = st.session_state["lab_rows"], st.session_state["lab_cols"]
    if size_problem(rows, cols) or (rows, cols) == st.session_state[WEIGHTS].shape:
        return  # the page explains a refusal; the kernel keeps its size either way
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
        state[CELLS] = None
        state["lab_rows"], state["lab_cols"] = first.shape
        state["lab_start"] = current.kernel_name
    state.setdefault(NOTICES, {})
    if "lab_rows" not in state:
        # The lab was not on screen in the last run (back from another page): Streamlit has
        # dropped the size boxes, so rebuild them and the table from the kernel in use (a
        # table that could not be read comes back as the last kernel that could).
        state[BASE], state[CELLS], state[TABLE_ERROR] = state[WEIGHTS], None, None
        state[VERSION] += 1
        state["lab_rows"], state["lab_cols"] = state[WEIGHTS].shape
    kernels = ui.available_kernels()
    if state.get("lab_start") not in kernels:
        state["lab_start"] = current.kernel_name
