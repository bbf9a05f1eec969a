"""The "Reproduce in code" expander: the current settings as convkit, OpenCV, SciPy and PyTorch.

Pages call ``code.reproduce_expander(current, key="...")`` at their end; the code itself comes
from ``convkit.explain.codegen`` (``convkit.reproduce``), whose tests run it.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

import convkit
from pages.ui import widgets
from pages.ui.state import OWN_SOURCES, Settings

#: What each tab says under its code.
NOTES = {
    "convkit": "What this page computes, in two calls.",
    "OpenCV": "cv2.filter2D correlates; its BORDER_* flags are convkit's border modes.",
    "SciPy": "scipy.ndimage names the borders its own way (see the padding page's table).",
    "PyTorch": "Text only: not run by convkit's tests. F.conv2d correlates, like filter2D.",
}


def reproduce_expander(current: Settings, weights: np.ndarray | None = None, *,
                       key: str, label: str = "Reproduce in code") -> None:
    """An expander with code that computes this page's picture for the current settings.

    `weights` defaults to the sidebar's kernel (the kernel lab passes the one being edited).
    For a sample image the code loads the page's own working image; for an upload or a camera
    photo it expects the picture as ``image``.
    """
    weights = current.kernel.weights if weights is None else weights
    sample = None if current.source in OWN_SOURCES else current.source
    try:
        reproduction = convkit.reproduce(
            weights, current.border, flip=current.flip, value=current.value,
            mapping=current.mapping, divisor=current.divisor, offset=current.offset,
            color=current.color, sample=sample, resolution=current.resolution)
    except ValueError as error:
        st.warning(f"No code for these settings: {error}")
        return
    widgets.expander_filled_when_open(label, functools.partial(_snippets, reproduction, key),
                                      key=f"{key}_expander")


def _snippets(reproduction: convkit.explain.Reproduction, key: str) -> None:
    st.caption("Each snippet leaves the float response in `raw` and the shown bytes in "
               "`output`; convkit's tests run the convkit, OpenCV and SciPy ones for every "
               "border, flip and mapping and compare them with what the page shows.")
    tabs = st.tabs([snippet.library for snippet in reproduction.snippets], key=f"{key}_tabs")
    for tab, snippet in zip(tabs, reproduction.snippets, strict=True):
        with tab:
            st.code(snippet.code, language="python")
            st.caption(NOTES.get(snippet.library, ""))
