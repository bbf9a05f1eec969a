"""The settings every page shares: defaults, session state, and the URL that reproduces them.

Streamlit 1.67 can bind a widget to a query parameter (``bind="query-params"``), but it drops
an invalid value silently and names the parameter after the widget's key. The links here keep
their short, stable names (``image``, ``res``, ``kernel``, ``weights`` ...), carry values no
widget holds (an own kernel's weights, the picked pixel), and say which part of a link was
ignored and why; so the URL is read and written here, once per session and after each run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import convkit
from pages.ui import compat
from pages.ui.render import code_span

UPLOAD = "upload"
#: The image source that is a photo from the visitor's camera (st.camera_input).
CAMERA = "camera_input"
RESOLUTIONS = (128, 256, 512, 768, 1024, 1536, 2048)
DEFAULT_RESOLUTION = 1024
DEFAULT_SAMPLE = "camera"
DEFAULT_KERNEL = "sharpen"
#: Session-state key of the kernels a person saved in the kernel lab (name -> Kernel).
USER_KERNELS = "user_kernels"


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
    divisor: float = 1.0
    offset: float = 0.0

    @property
    def kernel(self) -> convkit.Kernel:
        """The chosen kernel, from the bank or from this session's own kernels."""
        return available_kernels()[self.kernel_name]


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


_URL_KEYS = ("image", "color", "res", "kernel", "weights", "border", "value", "flip", "mapping",
             "divisor", "offset", "x", "y")
#: The name a kernel that came with a link's weights gets when the link names none (or a
#: bank kernel's name).
LINKED_KERNEL = "from_link"
#: Longest kernel name a link may give (the rest is cut).
_MAX_LINKED_NAME = 40


#: At most this many ignored query parameters are listed, so a junk link cannot flood the page.
_MAX_URL_NOTICES = 8


def _parse_url(params: dict[str, str]) -> tuple[dict, list[str]]:
    """Validate query parameters into session-state values; list what was ignored and why."""
    state, ignored = {}, []

    def reject(key: str, why: str) -> None:
        ignored.append(f"{code_span(f'{key}={params[key]}', 48)}: {why}")

    unknown = [key for key in params if key not in _URL_KEYS]
    for key in unknown[:_MAX_URL_NOTICES]:
        ignored.append(f"{code_span(key, 20)}: not a convkit setting")
    if len(unknown) > _MAX_URL_NOTICES:
        ignored.append(f"{len(unknown) - _MAX_URL_NOTICES} more unknown parameters")
    if "image" in params:
        if params["image"] in convkit.SAMPLES:
            state["source"] = params["image"]
        else:
            reject("image", f"not a sample (one of {', '.join(convkit.SAMPLES)})")
    if "weights" in params:
        try:
            weights = convkit.parse_weights_text(params["weights"])
        except ValueError as error:
            reject("weights", code_span(str(error), 120))
        else:
            name = _linked_name(params.get("kernel", ""))
            state["_linked_kernel"] = convkit.Kernel(name, weights, "Weights from the link")
            state["kernel_name"] = name
    elif "kernel" in params:
        if params["kernel"] in available_kernels():
            state["kernel_name"] = params["kernel"]
        else:
            reject("kernel", "no kernel of that name; a link to your own kernel carries its "
                             "weights")
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
    if "divisor" in params:
        number = _parse_float(params["divisor"])
        if number is not None and number != 0 and abs(number) <= 1e6:
            state["divisor"] = number
        else:
            reject("divisor", "must be a number other than 0, between -1e6 and 1e6")
    if "offset" in params:
        number = _parse_float(params["offset"])
        if number is not None and -1e6 <= number <= 1e6:
            state["offset"] = number
        else:
            reject("offset", "must be a number between -1e6 and 1e6")
    for key in ("x", "y"):
        if key in params:
            number = _parse_int(params[key])
            if number is not None and 0 <= number < 100_000:
                state[f"pixel_{key}"] = number
            else:
                reject(key, "must be a pixel index, 0 or more")
    return state, ignored


def _linked_name(text: str) -> str:
    """A safe name for a kernel that came with a link: letters, digits, ``_`` and ``-``."""
    name = "".join(c for c in text[:_MAX_LINKED_NAME] if c.isascii() and (c.isalnum()
                                                                          or c in "_-"))
    return name if name and name not in convkit.BANK else LINKED_KERNEL


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
                    mapping="clip", divisor=1.0, offset=0.0, pixel_x=None, pixel_y=None)
    from_url, ignored = _parse_url(dict(st.query_params))
    linked = from_url.pop("_linked_kernel", None)
    if linked is not None:
        save_user_kernel(linked)
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
                    mapping=state["mapping"], divisor=float(state.get("divisor", 1.0)) or 1.0,
                    offset=float(state.get("offset", 0.0)))


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
    if current.kernel_name not in convkit.BANK:
        # A kernel of this session only: the link carries its weights, so it opens anywhere.
        params["weights"] = convkit.format_weights_text(current.kernel.weights)
    if current.source not in (UPLOAD, CAMERA):
        params["image"] = current.source
    if current.border == "constant":
        params["value"] = f"{current.value:g}"
    if current.mapping == "divide":
        params["divisor"] = f"{current.divisor:g}"
        params["offset"] = f"{current.offset:g}"
    for key in ("x", "y"):
        if st.session_state.get(f"pixel_{key}") is not None:
            params[key] = str(st.session_state[f"pixel_{key}"])
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
