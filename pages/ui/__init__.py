"""Shared widgets, session state, URL state and caching for every page. Computes nothing itself."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import re
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

import convkit
from convkit.images import UPLOAD_EXTENSIONS
from pages.ui import compat

UPLOAD = "upload"
RESOLUTIONS = (128, 256, 512, 768, 1024, 1536, 2048)
DEFAULT_RESOLUTION = 1024
DEFAULT_SAMPLE = "camera"
DEFAULT_KERNEL = "sharpen"
#: Widest picture sent to the browser; bigger images are downscaled for display only.
DISPLAY_WIDTH = 720
#: Session-state key of the kernels a person saved in the kernel lab (name -> Kernel).
USER_KERNELS = "user_kernels"
#: Shown instead of a traceback when a page fails; tests look for it.
CRASH_MESSAGE = "Something went wrong on this page. Try other settings; the error has been logged."


@dataclass(frozen=True)
class Settings:
    """The choices every page shares; they live in session state and in the URL."""

    source: str
    color: bool
    resolution: int
    kernel_name: str
    border: str
    value: float
    flip: bool
    mapping: str

    @property
    def kernel(self) -> convkit.Kernel:
        """The chosen kernel, from the bank or from this session's own kernels."""
        return available_kernels()[self.kernel_name]


# ------------------------------------------------------------------------------------ state


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


def available_kernels() -> dict[str, convkit.Kernel]:
    """The bank followed by the kernels saved in this session (never shared between sessions)."""
    return {**convkit.BANK, **st.session_state.get(USER_KERNELS, {})}


def save_user_kernel(kernel: convkit.Kernel) -> None:
    """Add a kernel to this session's bank, replacing one of the same name (bank names refused)."""
    if kernel.name in convkit.BANK:
        raise ValueError(f"{kernel.name!r} is a bank kernel's name; choose another")
    kernels = dict(st.session_state.get(USER_KERNELS, {}))
    kernels[kernel.name] = kernel
    st.session_state[USER_KERNELS] = kernels


_URL_KEYS = ("image", "color", "res", "kernel", "border", "value", "flip", "mapping", "x", "y")


#: At most this many ignored query parameters are listed, so a junk link cannot flood the page.
_MAX_URL_NOTICES = 8


def _code_span(text: str, limit: int) -> str:
    """Untrusted text as a Markdown inline code span: no backticks or line breaks can end it."""
    # A blank line would close the span and let the rest render as Markdown (links, images).
    flat = " ".join("".join(c if c.isprintable() else " " for c in text[:limit]).split())
    return "`" + (flat.replace("`", "'") or " ") + "`"


def _parse_url(params: dict[str, str]) -> tuple[dict, list[str]]:
    """Validate query parameters into session-state values; list what was ignored and why."""
    state, ignored = {}, []

    def reject(key: str, why: str) -> None:
        ignored.append(f"{_code_span(f'{key}={params[key]}', 48)}: {why}")

    unknown = [key for key in params if key not in _URL_KEYS]
    for key in unknown[:_MAX_URL_NOTICES]:
        ignored.append(f"{_code_span(key, 20)}: not a convkit setting")
    if len(unknown) > _MAX_URL_NOTICES:
        ignored.append(f"{len(unknown) - _MAX_URL_NOTICES} more unknown parameters")
    if "image" in params:
        if params["image"] in convkit.SAMPLES:
            state["source"] = params["image"]
        else:
            reject("image", f"not a sample (one of {', '.join(convkit.SAMPLES)})")
    if "kernel" in params:
        if params["kernel"] in available_kernels():
            state["kernel_name"] = params["kernel"]
        else:
            reject("kernel", "no kernel of that name")
    for key, choices, target in (("border", convkit.BORDER_MODES, "border"),
                                 ("mapping", tuple(convkit.MAPPINGS), "mapping")):
        if key in params:
            if params[key] in choices:
                state[target] = params[key]
            else:
                reject(key, f"must be one of {', '.join(choices)}")
    for key, target in (("flip", "flip"), ("color", "color")):
        if key in params:
            if params[key] in ("0", "1"):
                state[target] = params[key] == "1"
            else:
                reject(key, "must be 0 or 1")
    if "res" in params:
        number = _parse_int(params["res"])
        if number in RESOLUTIONS:
            state["resolution"] = number
        else:
            reject("res", f"must be one of {', '.join(map(str, RESOLUTIONS))}")
    if "value" in params:
        number = _parse_float(params["value"])
        if number is not None and -1e6 <= number <= 1e6:
            state["value"] = number
        else:
            reject("value", "must be a number between -1e6 and 1e6")
    for key in ("x", "y"):
        if key in params:
            number = _parse_int(params[key])
            if number is not None and 0 <= number < 100_000:
                state[f"pixel_{key}"] = number
            else:
                reject(key, "must be a pixel index, 0 or more")
    return state, ignored


def _parse_int(text: str) -> int | None:
    text = text.strip()
    # isascii: str.isdigit() accepts digits like "²" that int() refuses.
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 7 else None


def _parse_float(text: str) -> float | None:
    try:
        number = float(text[:32])
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def init_state() -> None:
    """Set defaults once per session, overridden by a shared link's query parameters."""
    if st.session_state.get("_initialised"):
        return
    defaults = dict(source=DEFAULT_SAMPLE, color=False, resolution=DEFAULT_RESOLUTION,
                    kernel_name=DEFAULT_KERNEL, border="replicate", value=0.0, flip=False,
                    mapping="clip", pixel_x=None, pixel_y=None)
    from_url, ignored = _parse_url(dict(st.query_params))
    sent = compat.keys_sent_by_browser()
    for key, value in {**defaults, **from_url}.items():
        if key not in sent:
            st.session_state[key] = value
    st.session_state["_url_notices"] = ignored
    st.session_state["_initialised"] = True


def url_notices() -> None:
    """Say, once, which query parameters of the link were ignored."""
    ignored = st.session_state.pop("_url_notices", [])
    if ignored:
        st.warning("Some settings in the link were ignored: " + "; ".join(ignored))


def settings() -> Settings:
    """The current shared settings, read from session state."""
    state = st.session_state
    if not state.get("_initialised"):
        # Only in the legacy pages-directory run of a fresh server (see pages/__init__.py):
        # run again, this time through app.py's navigation.
        st.rerun()
    if state["kernel_name"] not in available_kernels():
        state["kernel_name"] = DEFAULT_KERNEL
    return Settings(source=state["source"], color=state["color"], resolution=state["resolution"],
                    kernel_name=state["kernel_name"], border=state["border"],
                    value=float(state.get("value", 0.0)), flip=state["flip"],
                    mapping=state["mapping"])


def write_url(current: Settings) -> None:
    """Mirror the settings and the picked pixel into the query string: a link reproduces them."""
    params = {
        "kernel": current.kernel_name,
        "border": current.border,
        "flip": "1" if current.flip else "0",
        "mapping": current.mapping,
        "color": "1" if current.color else "0",
        "res": str(current.resolution),
    }
    if current.source != UPLOAD:
        params["image"] = current.source
    if current.border == "constant":
        params["value"] = f"{current.value:g}"
    for key in ("x", "y"):
        if st.session_state.get(f"pixel_{key}") is not None:
            params[key] = str(st.session_state[f"pixel_{key}"])
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


# --------------------------------------------------------------------------------- sidebar


_SHARED_KEYS = ("source", "color", "resolution", "kernel_name", "border", "value", "flip",
                "mapping")


def _use_upload() -> None:
    if st.session_state.get("upload") is not None:
        st.session_state["source"] = UPLOAD


def sidebar() -> Settings:
    """The shared controls, in the sidebar of every page; returns the settings they set."""
    init_state()
    # Re-assigning keeps a widget's value while the widget is hidden (the constant value).
    for key in _SHARED_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    with st.sidebar:
        st.subheader("Image")
        sources = [*convkit.SAMPLES, UPLOAD]
        st.selectbox("Image", sources, key="source",
                     format_func=lambda s: "Your upload" if s == UPLOAD else s,
                     help="scikit-image's bundled samples, or a file of your own (below)")
        st.file_uploader("Upload an image", type=list(UPLOAD_EXTENSIONS), key="upload",
                         on_change=_use_upload,
                         help="PNG, JPEG, BMP, TIFF, WebP or GIF, up to 25 MB. "
                              "It stays in your session and is never stored.")
        st.toggle("Colour (each channel on its own)", key="color",
                  help="Off: convert to gray first, as the tutorial does.")
        st.select_slider("Working resolution (longer side, px)", RESOLUTIONS, key="resolution",
                         help="Larger images are downscaled to this before filtering.")
        st.subheader("Kernel")
        kernels = available_kernels()
        st.selectbox("Kernel", list(kernels), key="kernel_name",
                      format_func=lambda name: f"{name} ({kernels[name].shape[0]}x"
                                               f"{kernels[name].shape[1]})",
                      help="The tutorial's six come first; your own from the kernel lab last.")
        st.caption(kernels[st.session_state["kernel_name"]].description)
        st.selectbox("Border (padding)", convkit.BORDER_MODES, key="border",
                     format_func=lambda m: f"{m}  {convkit.BORDER_DRAWINGS[m]}",
                     help="What lies beyond the edge: "
                          + "; ".join(f"{m}: {d}" for m, d in
                                      convkit.BORDER_DESCRIPTIONS.items()))
        if st.session_state["border"] == "constant":
            st.number_input("Constant value v", min_value=-1e6, max_value=1e6, step=1.0,
                            key="value")
        st.toggle("Flip kernel (true convolution)", key="flip",
                  help="Off: correlation, what the tutorial and cv2.filter2D compute. On: the "
                       "kernel is rotated 180° first, which is convolution as maths defines "
                       "it. Symmetric kernels give the same result either way.")
        st.selectbox("Output mapping", list(convkit.MAPPINGS), key="mapping",
                     help="How raw sums become bytes 0..255: " + "; ".join(
                         f"{m}: {d}" for m, d in convkit.MAPPINGS.items()))
    current = settings()
    write_url(current)
    return current


# ------------------------------------------------------------------------------- images


@dataclass(frozen=True)
class WorkingImage:
    """The image the pages work on, at the working resolution, and where it came from."""

    pixels: np.ndarray
    key: str  # identifies content, colour and resolution: the cache key of everything after
    label: str
    notes: tuple[str, ...]
    original_size: tuple[int, int]


@st.cache_data(max_entries=8, show_spinner=False)
def _sample(name: str, color: bool, resolution: int) -> np.ndarray:
    pixels = convkit.load_sample(name)
    pixels = pixels if color else convkit.to_gray(pixels)
    return convkit.fit_to_pixels(pixels, resolution)


@st.cache_data(max_entries=8, show_spinner=False)
def _upload(digest: str, color: bool, resolution: int, _data: bytes):
    # Keyed by the bytes' digest alone: Streamlit's own hash of big arrays samples them.
    decoded = convkit.decode_image(_data)
    pixels = decoded.pixels if color else convkit.to_gray(decoded.pixels)
    return convkit.fit_to_pixels(pixels, resolution), tuple(decoded.notes), decoded.original_size


def safe_filename(name: str, limit: int = 60) -> str:
    """An uploaded file's name keeping letters, digits, spaces and ``. , ( ) + & ' -`` only.

    Pages show it in Markdown (captions, messages): brackets, angle brackets, ``!``, ``*``,
    backticks or HTML in a name must not become a link, an image or markup.
    """
    return re.sub(r"[^\w .,()+&'-]", "_", name[:limit]).strip() or "upload"


def working_image(current: Settings) -> WorkingImage | None:
    """The chosen image at the working resolution; None (with a message shown) if there is none."""
    if current.source != UPLOAD:
        pixels = _sample(current.source, current.color, current.resolution)
        height, width = convkit.load_sample(current.source).shape[:2]
        return WorkingImage(pixels, f"sample:{current.source}:{current.color}:"
                            f"{current.resolution}", current.source, (), (width, height))
    uploaded = st.session_state.get("upload")
    if uploaded is None:
        st.info("Upload an image in the sidebar, or pick one of the samples.")
        return None
    data = uploaded.getvalue()
    digest = convkit.image_digest(data)
    label = safe_filename(uploaded.name)
    try:
        with st.spinner("Decoding the upload…"):
            pixels, notes, size = _upload(digest, current.color, current.resolution, data)
    except convkit.ImageLoadError as error:
        st.error(f"Cannot use {label}: {error}")
        return None
    return WorkingImage(pixels, f"upload:{digest}:{current.color}:{current.resolution}", label,
                        notes, size)


def working_image_or_stop(current: Settings) -> WorkingImage:
    """The working image; without one (no upload yet, or a bad one) the page stops here."""
    image = working_image(current)
    if image is None:
        st.stop()
    return image


def describe_image(image: WorkingImage) -> None:
    """A caption with the image's sizes, and any notes from decoding."""
    height, width = image.pixels.shape[:2]
    original = f"{image.original_size[0]} x {image.original_size[1]}"
    shown = f"{width} x {height}"
    text = f"**{image.label}**: {shown} px" + ("" if original == shown else
                                               f" (downscaled from {original})")
    st.caption(text)
    for note in image.notes:
        st.info(note)


# ------------------------------------------------------------------------- computations


def kernel_key(weights: np.ndarray) -> str:
    """A digest of kernel weights, so user kernels edited under one name never share a cache."""
    return hashlib.blake2b(np.ascontiguousarray(weights).tobytes() + str(weights.shape).encode(),
                           digest_size=12).hexdigest()


@st.cache_data(max_entries=32, show_spinner=False)
def _response(image_key: str, weights_key: str, border: str, flip: bool, value: float,
              _image: np.ndarray, _weights: np.ndarray) -> np.ndarray:
    return convkit.convolve(_image, _weights, border, flip=flip, value=value)


def response(image: WorkingImage, current: Settings, kernel: convkit.Kernel | None = None,
             border: str | None = None) -> np.ndarray:
    """The raw float32 response of the image to a kernel (default: the chosen one), cached."""
    kernel = kernel or current.kernel
    border = border or current.border
    return _response(image.key, kernel_key(kernel.weights), border, current.flip,
                     current.value, image.pixels, kernel.weights)


@st.cache_data(max_entries=64, show_spinner=False)
def mapped(image_key: str, weights_key: str, border: str, flip: bool, value: float,
           mapping: str, _raw: np.ndarray) -> np.ndarray:
    """A raw response mapped to bytes, cached under what the response was computed from."""
    return convkit.to_uint8(_raw, mapping)


# ------------------------------------------------------------------------------ showing


def for_display(pixels: np.ndarray, width: int = DISPLAY_WIDTH) -> np.ndarray:
    """The picture downscaled to the width it is shown at, so the browser gets no more."""
    return convkit.fit_to_pixels(pixels, width) if pixels.shape[1] > width else pixels


def show_image(pixels: np.ndarray, caption: str, width: int = DISPLAY_WIDTH) -> None:
    """Show a uint8 picture at most `width` wide."""
    st.image(for_display(pixels, width), caption=caption, width="stretch", clamp=True)


def png_bytes(pixels: np.ndarray) -> bytes:
    """A uint8 array as PNG file bytes."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def download_png(pixels: np.ndarray, filename: str, key: str, label: str = "Download PNG") -> None:
    """A download button for a uint8 picture at full working resolution."""
    st.download_button(label, data=lambda: png_bytes(pixels), file_name=filename,
                       mime="image/png", key=key)


def kernel_heatmap(weights: np.ndarray, title: str = "", *, height: int = 320) -> go.Figure:
    """A diverging heat map of kernel weights, values written in the cells when they fit."""
    weights = np.asarray(weights)
    limit = float(np.abs(weights).max()) or 1.0
    rows, cols = weights.shape
    show_text = rows * cols <= 121
    figure = go.Figure(go.Heatmap(
        z=weights, zmin=-limit, zmax=limit, colorscale="RdBu", reversescale=True,
        text=np.vectorize(lambda v: f"{v:.3g}")(weights) if show_text else None,
        texttemplate="%{text}" if show_text else None,
        hovertemplate="row %{y}, col %{x}: %{z:.6g}<extra></extra>", showscale=not show_text,
    ))
    # constrain="domain": square cells shrink the plot, not widen the axes past the kernel.
    figure.update_yaxes(autorange="reversed", scaleanchor="x", showgrid=False, dtick=1,
                        constrain="domain")
    figure.update_xaxes(showgrid=False, dtick=1, side="top", constrain="domain")
    figure.update_layout(title=title or None, height=height, margin=dict(l=10, r=10, t=40, b=10))
    return figure


def show_code(*functions) -> None:
    """An expander with the source of the convkit functions a page calls."""
    import inspect

    with st.expander("Show the code"):
        for function in functions:
            st.code(inspect.getsource(function), language="python")


def format_total(total) -> str:
    """A breakdown's sum: one number for gray, one per channel for colour."""
    if np.ndim(total) == 0:
        return f"{float(total):.6g}"
    return ", ".join(f"{name} {float(v):.6g}" for name, v in zip("RGBA", total, strict=False))


def sum_equation(weights: np.ndarray, roi: np.ndarray, total: float, max_terms: int = 25) -> str:
    """The weighted sum written out, ``w×v + …  = **total**``, long ones shortened in the middle."""

    def number(value: float) -> str:
        return f"{value:.4g}".replace("-", "−")

    terms = [f"({number(w)})×{number(v)}" if w < 0 else f"{number(w)}×{number(v)}"
             for w, v in zip(np.ravel(weights), np.ravel(roi), strict=True)]
    if len(terms) > max_terms:
        hidden = len(terms) - max_terms + 2
        terms = terms[: max_terms - 2] + [f"… {hidden} more terms …"] + terms[-2:]
    return " + ".join(terms) + f" = **{total:.6g}**".replace("-", "−")


GRID_CSS = """
<style>
.ck-grid {border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 0.8rem;}
.ck-grid td {border: 1px solid #bbb; padding: 2px 5px; text-align: right; min-width: 3.2em;}
.ck-grid.tiny td {padding: 0; min-width: 0.6rem; height: 0.6rem; border-color: #eee;}
.ck-grid.compact td {font-size: 0.62rem; padding: 1px 2px; min-width: 0;}
.ck-grid td.pad {background: repeating-linear-gradient(45deg, #eef, #eef 4px, #dde 4px, #dde 8px);
  color: #335; font-style: italic;}
.ck-grid td.centre {outline: 2px solid #e02828; outline-offset: -2px; font-weight: bold;}
.ck-grid small {display: block; font-size: 0.65rem; color: #667;}
.ck-wrap {overflow-x: auto; max-width: 100%;}
</style>
"""
#: Diverging colours of the heat maps: negative weights blue, positive red, zero near white.
_NEGATIVE, _ZERO, _POSITIVE = np.array([33, 102, 172]), np.array([247, 247, 247]), np.array(
    [178, 24, 43])
#: Grids with more cells than this are drawn as colour only: their numbers would not fit.
GRID_MAX_NUMBERED_CELLS = 121


def _cell_colour(value: float, limit: float) -> str:
    share = 0.0 if limit == 0 else max(-1.0, min(1.0, value / limit))
    end = _POSITIVE if share > 0 else _NEGATIVE
    rgb = np.rint(_ZERO + (end - _ZERO) * abs(share)).astype(int)
    text = "#fff" if abs(share) > 0.55 else "#222"
    return f"background:rgb({rgb[0]},{rgb[1]},{rgb[2]});color:{text}"


def number_grid(values: np.ndarray, *, coloured: bool = False, shaded=None, notes=None,
                numbered: bool | None = None, digits: int = 4) -> str:
    """An HTML table of a 2-D array: the centre cell outlined, optionally a diverging heat map.

    `shaded` marks cells (a bool array, e.g. padding) with a hatch; `notes` (an array of
    strings, or None) adds a small line under a cell's number; `numbered` None writes the
    numbers when there are at most GRID_MAX_NUMBERED_CELLS. Only numbers we computed go in.
    """
    values = np.asarray(values, dtype=np.float64)
    rows, cols = values.shape
    if numbered is None:
        numbered = values.size <= GRID_MAX_NUMBERED_CELLS
    limit = float(np.abs(values).max()) if coloured else 0.0
    lines = []
    for r in range(rows):
        cells = []
        for c in range(cols):
            classes = ["pad"] if shaded is not None and shaded[r, c] else []
            if r == rows // 2 and c == cols // 2:
                classes.append("centre")
            style = f' style="{_cell_colour(values[r, c], limit)}"' if coloured else ""
            text = f"{values[r, c]:.{digits}g}".replace("-", "−") if numbered else ""
            note = f"<small>{notes[r][c]}</small>" if notes is not None and notes[r][c] else ""
            title = f' title="row {r}, column {c}: {values[r, c]:.6g}"'
            cells.append(f'<td class="{" ".join(classes)}"{style}{title}>{text}{note}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    size = " compact" if numbered and cols > 5 else "" if numbered else " tiny"
    return (GRID_CSS + f'<div class="ck-wrap"><table class="ck-grid{size}">'
            + "".join(lines) + "</table></div>")
