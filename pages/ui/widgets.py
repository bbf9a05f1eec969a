"""Widgets every page uses: pictures, downloads, heat maps, the code expander, the crash guard."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import logging
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import convkit
from pages.ui import cache, render, work
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
    # Streamlit's "auto" format re-encodes a PNG without alpha as JPEG, which blurs exact pixels.
    st.image(encoded.data, caption=caption, alt=alt, width="stretch",
             output_format="PNG" if encoded.mimetype == "image/png" else "JPEG")


def download_png(pixels, filename: str, key: str, label: str = "Download PNG", *,
                 nbytes: int | None = None) -> None:
    """A download button for a uint8 picture, made and encoded on click (pages.ui.work.download:
    in the server's compute queue, dropped if the visitor leaves).

    `pixels`: an array, a cache.Pixels, or a function returning one. Streamlit keeps a
    download button's data for the life of the session, so a page with many large pictures
    passes a function that makes the picture on click: the session then holds the function,
    not the 11 MB picture (a bank of twenty kernels at 2048 px in colour kept 440 MB per
    visitor before). `nbytes`: what that function holds at its peak (0 when it only reads
    cached results, which take their own turns); for a picture given as it is, the encoding's
    (one float32-sized copy, as cache.work_bytes counts it).
    """
    if callable(pixels):
        make, needed = pixels, nbytes or 0
    else:
        content = _content(pixels)

        def make():
            return content

        needed = cache.work_bytes((content,), 1) if nbytes is None else nbytes
    st.download_button(label, data=work.download(make, needed), file_name=filename,
                       mime="image/png", key=key, on_click="ignore")


#: Session state: per number box (by key), the entry last brought within its range there and
#: the value used instead, ``{key: (entered, used)}``.
NUMBER_CORRECTIONS = "number_box_corrections"


def number_box(label: str, low: float, high: float, *, key: str, where=None, notices=None,
               on_change: Callable[[], None] | None = None, **options) -> float:
    """A number input that accepts `low` to `high` and says so in words when an entry is not.

    Streamlit's own ``min_value`` and ``max_value`` refuse an entry out of range with a small
    red mark explained only on hover, which phones do not have, and keep the old value without
    a word. This box has no limits in the browser: an entry out of range (typed, stepped, or
    left from a larger image or a link) is brought to the nearest limit, and a warning under
    the box names the box, the entry, the range and the value used, until the box changes;
    the box's help says the range beforehand.
    Integer limits make an integer box. The value lives in session state under `key` (a
    default goes there before the first call); `where` is the container (default: here),
    `notices` where the warning goes (default: `where`); `options` go to ``number_input``.
    Returns the value in use.
    """
    where = where or st
    state = st.session_state
    _bring_within(key, low, high)

    def changed() -> None:
        state.setdefault(NUMBER_CORRECTIONS, {}).pop(key, None)
        _bring_within(key, low, high)
        if on_change is not None:
            on_change()

    allowed = f"Allowed: {number(low, 7)} to {number(high, 7)}."
    options["help"] = f"{options['help']} {allowed}" if options.get("help") else allowed
    where.number_input(label, key=key, on_change=changed, **options)
    correction = state.get(NUMBER_CORRECTIONS, {}).get(key)
    if correction is not None and correction[1] == state[key]:
        entered, used = correction
        (notices or where).warning(
            f"**{label}**: {number(entered, 7)} is outside the allowed range, {number(low, 7)} "
            f"to {number(high, 7)}; {number(used, 7)} is used instead.", icon="⚠️")
    return state[key]


def _bring_within(key: str, low: float, high: float) -> None:
    """Bring session state `key` within low..high, remembering what it held and what it got."""
    state = st.session_state
    entered = state.get(key)
    if entered is None or low <= entered <= high:
        return
    used = min(max(entered, low), high)
    state[key] = used
    state.setdefault(NUMBER_CORRECTIONS, {})[key] = (entered, used)


#: Plotly's options for every chart: no floating toolbar (on a phone it sat over the chart's
#: title and took the first taps; zoom and pan mean little on a kernel's few cells).
CHART_CONFIG = {"displayModeBar": False}
#: Numbers are written in a heat map's cells up to this many columns: at 10 px (the least
#: that reads on a phone) wider grids' numbers overlap at 320 px; their numbers are in a table.
HEATMAP_MAX_NUMBERED_COLUMNS = 5
HEATMAP_TEXT_PX = 10


def kernel_heatmap(weights: np.ndarray, title: str = "", *, height: int = 320) -> go.Figure:
    """A diverging heat map of kernel weights, values written in the cells when they fit."""
    weights = np.asarray(weights)
    limit = float(np.abs(weights).max()) or 1.0
    rows, cols = weights.shape
    show_text = rows * cols <= 121 and cols <= HEATMAP_MAX_NUMBERED_COLUMNS
    figure = go.Figure(go.Heatmap(
        z=weights, zmin=-limit, zmax=limit, colorscale="RdBu", reversescale=True,
        text=np.vectorize(lambda v: number(v, 3, scale=limit))(weights) if show_text else None,
        texttemplate="%{text}" if show_text else None,
        # Plotly shrinks cell text to fit (5-6 px on a phone): a fixed size that reads.
        textfont={"size": HEATMAP_TEXT_PX},
        # The hover text is written here, not by plotly's %{z:.6g}: one rule for every number.
        customdata=np.vectorize(lambda v: number(v, 6, scale=limit))(weights),
        hovertemplate="x=%{x}, y=%{y}: %{customdata}<extra></extra>",
        showscale=not show_text,
    ))
    # constrain="domain": square cells shrink the plot, not widen the axes past the kernel.
    figure.update_yaxes(autorange="reversed", scaleanchor="x", showgrid=False, dtick=1,
                        constrain="domain")
    figure.update_xaxes(showgrid=False, dtick=1, side="top", constrain="domain")
    figure.update_layout(title=title or None, height=height, margin=dict(l=10, r=10, t=40, b=10))
    return figure


def expander_filled_when_open(label: str, fill: Callable[[], None], *, key: str) -> None:
    """An expander whose contents, drawn by `fill`, are sent only while the visitor has it open.

    Streamlit sends a closed expander's contents too, and a single ``st.code`` among them makes
    the browser download Streamlit's code highlighter (1.5 MB of JavaScript, 0.5 MB gzipped)
    with the page. Opening or closing reruns only this expander (a fragment), not the page.
    """
    _expander_fragment(label, fill, key)


@st.fragment
def _expander_fragment(label: str, fill: Callable[[], None], key: str) -> None:
    with crash_guard(label):
        expander = st.expander(label, key=key, on_change="rerun")
        if expander.open:
            with expander:
                fill()


def show_code(*functions) -> None:
    """An expander with the source of the convkit functions a page calls."""
    names = ",".join(f"{f.__module__}.{f.__qualname__}" for f in functions)
    key = "show_code_" + hashlib.blake2b(names.encode(), digest_size=6).hexdigest()
    expander_filled_when_open("Show the code", functools.partial(_sources, functions), key=key)


def _sources(functions) -> None:
    for function in functions:
        st.code(_source(function), language="python")


@functools.cache
def _source(function) -> str:
    """A function's source, read once per server: the source does not change under a running
    server (no file watcher), and reading it tokenizes the module's lines, a few
    milliseconds of the interpreter lock on every run of every page."""
    return inspect.getsource(function)


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

