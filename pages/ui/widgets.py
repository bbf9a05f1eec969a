"""Widgets every page uses: pictures, downloads, heat maps, the code expander, the crash guard."""

from __future__ import annotations

import contextlib
import inspect
import logging

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import convkit
from pages.ui import cache, render
from pages.ui.render import number

#: Widest picture sent to the browser; bigger images are downscaled for display only.
DISPLAY_WIDTH = 720
#: Shown instead of a traceback when a page fails; tests look for it.
CRASH_MESSAGE = "Something went wrong on this page. Try other settings; the error has been logged."


@contextlib.contextmanager
def crash_guard(where: str):
    """Show CRASH_MESSAGE instead of a traceback if the block fails; log the traceback.

    app.py guards every page run; fragments rerun on their own, so they guard themselves.
    """
    try:
        yield
    except Exception:
        logging.getLogger("convkit").exception("%s failed", where)
        st.error(CRASH_MESSAGE)


def _content(pixels) -> cache.Pixels:
    return pixels if isinstance(pixels, cache.Pixels) else cache.Pixels.of(pixels)


def show_image(pixels, caption: str, width: int = DISPLAY_WIDTH, *, alt: str,
               exact: bool = False) -> None:
    """Show a uint8 picture (an array, cache.Pixels, or one already encoded: cache.Encoded) at
    most `width` wide; `alt` says what it shows (which image, kernel, border, mapping) to
    whoever cannot see it.

    The encoded bytes are cached by content, so a rerun that did not change the picture does
    not encode it again. `exact`: PNG rather than JPEG, for pictures whose pixels are read.
    """
    encoded = pixels if isinstance(pixels, cache.Encoded) else cache.picture(
        _content(pixels), width, "PNG" if exact else "JPEG")
    st.image(encoded.data, caption=caption, alt=alt, width="stretch")


def download_png(pixels, filename: str, key: str, label: str = "Download PNG") -> None:
    """A download button for a uint8 picture at full working resolution, encoded on click.

    `pixels`: an array, a cache.Pixels, or a function returning one. Streamlit keeps a
    download button's data for the life of the session, so a page with many large pictures
    passes a function that recomputes the picture through the cache on click: the session then
    holds the function, not the 11 MB picture (a bank of twenty kernels at 2048 px in colour
    kept 440 MB per visitor before).
    """
    if callable(pixels):
        make = pixels
    else:
        content = _content(pixels)

        def make():
            return content

    st.download_button(label, data=lambda: cache.png_file(_content(make())),
                       file_name=filename, mime="image/png", key=key)


def kernel_heatmap(weights: np.ndarray, title: str = "", *, height: int = 320) -> go.Figure:
    """A diverging heat map of kernel weights, values written in the cells when they fit."""
    weights = np.asarray(weights)
    limit = float(np.abs(weights).max()) or 1.0
    rows, cols = weights.shape
    show_text = rows * cols <= 121
    figure = go.Figure(go.Heatmap(
        z=weights, zmin=-limit, zmax=limit, colorscale="RdBu", reversescale=True,
        text=np.vectorize(lambda v: number(v, 3, scale=limit))(weights) if show_text else None,
        texttemplate="%{text}" if show_text else None,
        # The hover text is written here, not by plotly's %{z:.6g}: one rule for every number.
        customdata=np.vectorize(lambda v: number(v, 6, scale=limit))(weights),
        hovertemplate="row %{y}, col %{x}: %{customdata}<extra></extra>",
        showscale=not show_text,
    ))
    # constrain="domain": square cells shrink the plot, not widen the axes past the kernel.
    figure.update_yaxes(autorange="reversed", scaleanchor="x", showgrid=False, dtick=1,
                        constrain="domain")
    figure.update_xaxes(showgrid=False, dtick=1, side="top", constrain="domain")
    figure.update_layout(title=title or None, height=height, margin=dict(l=10, r=10, t=40, b=10))
    return figure


def show_code(*functions) -> None:
    """An expander with the source of the convkit functions a page calls."""
    with st.expander("Show the code"):
        for function in functions:
            st.code(inspect.getsource(function), language="python")


def how_computed(kernels, image, current) -> None:
    """An expander saying how cv2.filter2D and convkit's engine compute each of `kernels`."""
    title = "this kernel" if len(kernels) == 1 else "these kernels"
    with st.expander(f"How OpenCV and convkit's engine compute {title}"):
        st.markdown("\n\n".join(render.how_computed(kernel.name, convkit.core.describe_route(
            kernel.weights, image.pixels.dtype, current.border, flip=current.flip,
            value=current.value, image_shape=image.pixels.shape)) for kernel in kernels))


def agreement_badge(agreement, engine: str, size: str) -> None:
    """Green when every byte matches cv2.filter2D, amber with the reasons when not."""
    identical, text = render.agreement_message(agreement, engine, size)
    (st.success if identical else st.warning)(text, icon="✅" if identical else "⚠️")

