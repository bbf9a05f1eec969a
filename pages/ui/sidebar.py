"""The shared controls in the sidebar of every page."""

from __future__ import annotations

import streamlit as st

import convkit
from convkit.core import UPLOAD_EXTENSIONS
from pages.ui.copy_link import copy_link_button
from pages.ui.images import safe_filename
from pages.ui.render import border_label, kernel_labels
from pages.ui.state import (
    CAMERA,
    LIVE,
    RESOLUTIONS,
    UPLOAD,
    Settings,
    available_kernels,
    init_state,
    settings,
    shared_keys,
    weights_link,
    write_url,
)
from pages.ui.widgets import number_box

#: Largest magnitude of the constant value, divisor and offset (as a link may carry them):
#: beyond it every byte is 0 or 255 anyway.
LIMIT = 1e6


def _use_upload() -> None:
    if st.session_state.get("upload") is not None:
        st.session_state["source"] = UPLOAD


def sidebar() -> Settings:
    """The shared controls, in the sidebar of every page; returns the settings they set."""
    init_state()
    # Re-assigning keeps a widget's value while the widget is hidden (the constant value).
    for key in shared_keys():
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    with st.sidebar:
        _image_controls()
        _kernel_controls()
        # The address bar holds every setting (and the picked pixel, which the inspector writes
        # after the sidebar has run), so the button copies the browser's own URL.
        copy_link_button()
        st.caption("The link reproduces this view: image sample, kernel (your own kernel's "
                   "weights travel in it if they fit), border, mapping, colour, resolution "
                   "and pixel.")
        current = settings()
        _kernel_link_notice(current.kernel)
    write_url(current)
    return current


def _image_controls() -> None:
    """The image, its colour and its working resolution."""
    st.header("Image", anchor=False)
    sources = [*convkit.SAMPLES, UPLOAD, CAMERA, LIVE]
    names = {UPLOAD: "Your upload", CAMERA: "Your camera", LIVE: "Your live video frame"}
    st.selectbox("Image", sources, key="source",
                 format_func=lambda s: names.get(s, s),
                 help="scikit-image's bundled samples, a file of your own (below), a "
                      "photo from your camera, or a frame frozen on the Live video page")
    if st.session_state["source"] == CAMERA:
        st.camera_input("Take a photo", key="camera_shot",
                        help="The photo goes through the same checks as an upload and "
                             "stays in your session only.")
    st.file_uploader("Upload an image", type=list(UPLOAD_EXTENSIONS), key="upload",
                     on_change=_use_upload,
                     help="PNG, JPEG, BMP, TIFF, WebP or GIF, up to 10 MB. "
                          "It stays in your session and is never stored.")
    st.toggle("Colour (each channel on its own)", key="color",
              help="Off: convert to gray first, as the tutorial does.")
    st.select_slider("Working resolution (longer side, px)", RESOLUTIONS, key="resolution",
                     help="Larger images are downscaled to this before filtering.")


def _kernel_controls() -> None:
    """The kernel, the border, flip and the output mapping."""
    st.header("Kernel", anchor=False)
    kernels = available_kernels()
    st.selectbox("Kernel", list(kernels), key="kernel_name",
                 format_func=kernel_labels(kernels),
                 help="The tutorial's six come first; your own from the kernel lab last.")
    st.caption(kernels[st.session_state["kernel_name"]].description)
    st.selectbox("Border (padding)", convkit.BORDER_MODES, key="border",
                 format_func=border_label,
                 help="What lies beyond the edge: "
                      + "; ".join(f"{m}: {d}" for m, d in
                                  convkit.BORDER_DESCRIPTIONS.items())
                      + ". The same modes by other libraries' names: "
                      + convkit.core.border_names_help())
    if st.session_state["border"] == "constant":
        number_box("Constant value v", -LIMIT, LIMIT, step=1.0, key="value")
    st.toggle("Flip kernel (true convolution)", key="flip",
              help="Off: correlation, what the tutorial and cv2.filter2D compute. On: the "
                   "kernel is rotated 180° first, which is convolution as maths defines "
                   "it. Symmetric kernels give the same result either way.")
    st.selectbox("Output mapping", list(convkit.MAPPINGS), key="mapping",
                 help="How raw sums become bytes 0..255: " + "; ".join(
                     f"{m}: {d}" for m, d in convkit.MAPPINGS.items()))
    if st.session_state["mapping"] == "divide":
        # GIMP's and Photoshop's custom filter: sum / divisor + offset, then clip.
        left, right = st.columns(2)
        number_box("Divisor", -LIMIT, LIMIT, where=left, notices=st, step=1.0, key="divisor",
                   help="The sum is divided by this (not 0).")
        number_box("Offset", -LIMIT, LIMIT, where=right, notices=st, step=1.0, key="offset",
                   help="Added after dividing: 128 shows a zero-sum edge kernel's flat areas "
                        "as grey, its edges lighter and darker.")
        if st.session_state["divisor"] == 0:
            st.warning("The divisor cannot be 0: using 1.")


def _kernel_link_notice(kernel: convkit.Kernel) -> None:
    """If the link cannot carry this own kernel, say so and offer it as a file instead."""
    if kernel.name in convkit.BANK:
        return
    problem = weights_link(kernel.weights).problem
    if problem is None:
        return
    st.warning(f"**The link cannot carry this kernel**: {problem}. The link keeps your other "
               "settings and opens with the default kernel. To share this kernel, download it "
               "and load the file in the kernel lab.")
    st.download_button("Download the kernel (CSV)", convkit.core.to_csv(kernel.weights),
                       file_name=f"{safe_filename(kernel.name)}.csv", mime="text/csv",
                       key="sidebar_kernel_csv")
