"""The live view as one browser component: the camera, filtered on the visitor's GPU.

The server sends the filter only (`convkit.explain.live_plan`: the weights as applied, the
separable factors, the border, the mapping) and whether to work in gray; the browser does the
rest on every frame and sends nothing, until the visitor presses Freeze. Then one trigger
value comes: ``{"freeze": {"png": "data:image/png;base64,...", "width", "height"}}``, the frame
as the GPU received it. `take_frozen_frame` checks it (a PNG data URL, at most the upload limit)
and keeps it as the image source "Your live video frame"; the working image then decodes it
through the same queue and checks as an upload (`pages.ui.images.decoded_upload`).
"""

from __future__ import annotations

import base64
import binascii
import time
from pathlib import Path

import streamlit as st

import convkit
from pages.ui import images
from pages.ui.state import LIVE, LIVE_FRAME, Settings

#: The component's key, and the session-state key of its trigger values.
FREEZE_KEY = "live_view"
#: A frozen frame may be as large as an upload (.streamlit/config.toml maxUploadSize, 10 MB).
MAX_FROZEN_BYTES = 10 * 1024 * 1024
_PNG_PREFIX = "data:image/png;base64,"
#: Session state: what became of the last frozen frame, said once on the live page.
FROZEN_NOTICE = "_live_frozen_notice"

_CSS = """
.cklv { font-family: var(--st-font, inherit); color: var(--st-text-color, #111111); }
.cklv-controls, .cklv-split-row { display: flex; flex-wrap: wrap; gap: 0.5rem;
  align-items: center; margin-bottom: 0.5rem; }
.cklv button, .cklv select { font: inherit; min-height: 2.5rem; padding: 0.25rem 0.75rem;
  color: inherit; background: var(--st-background-color, white);
  border: 1px solid #6b6b6b; border-radius: 0.5rem; cursor: pointer; }
.cklv button:disabled { color: #595959; border-color: #8a8a8a; cursor: not-allowed; }
.cklv button:focus-visible, .cklv select:focus-visible, .cklv input:focus-visible {
  outline: 3px solid #0b57d0; outline-offset: 2px; }
.cklv-split { flex: 1 1 8rem; min-width: 6rem; max-width: 20rem; }
.cklv-canvas { display: block; width: 100%; max-width: 640px; height: auto;
  border-radius: 0.25rem; background: #000; }
.cklv-status { margin: 0.5rem 0 0; line-height: 1.4; }
.cklv-fps { margin: 0.25rem 0 0; font-size: 0.875rem; font-variant-numeric: tabular-nums; }
"""

_COMPONENT = st.components.v2.component(
    "convkit_live_video", css=_CSS,
    js=Path(__file__).with_name("live_video.js").read_text(encoding="utf-8"))


def show(current: Settings) -> None:
    """Mount the live view with the sidebar's kernel, border, flip, mapping and colour."""
    kernel = current.kernel
    try:
        plan = convkit.explain.live_plan(
            kernel.weights, current.border, flip=current.flip, value=current.value,
            mapping=current.mapping, divisor=current.divisor, offset=current.offset)
    except ValueError as error:
        st.warning(f"The live view cannot run this kernel: {error}. Pick another in the "
                   "sidebar.")
        return
    height, width = kernel.shape
    passes = "two passes (it is separable)" if plan.column is not None else "one pass"
    alt = (f"The camera, live: left of the divider as the filter sees it "
           f"({'colour' if current.color else 'gray'}), right of it filtered with the "
           f"{kernel.name} kernel ({height} x {width}, {passes}), {current.border} border, "
           f"{current.mapping} mapping.")
    _COMPONENT(key=FREEZE_KEY, on_freeze_change=take_frozen_frame, height="content", data={
        "plan": plan.to_json(), "colour": bool(current.color), "alt": alt,
        "frozen": st.session_state.pop(FROZEN_NOTICE, None)})


def frame_from_data_url(text, max_bytes: int = MAX_FROZEN_BYTES) -> bytes:
    """The PNG bytes of a ``data:image/png;base64,`` URL, refusing anything else.

    Raises ValueError saying why: not a PNG data URL, bad base64, or more than `max_bytes`
    (checked on the text's length before decoding anything).

    >>> frame_from_data_url("data:image/png;base64,iVBORw0KGgo=")[:4]
    b'\\x89PNG'
    >>> frame_from_data_url("data:image/png;base64," + "A" * 100, max_bytes=50)
    Traceback (most recent call last):
    ...
    ValueError: the frame is larger than the 50 bytes an upload may have
    """
    if not isinstance(text, str) or not text.startswith(_PNG_PREFIX):
        raise ValueError("the frame is not a PNG data URL")
    encoded = text[len(_PNG_PREFIX):]
    if len(encoded) // 4 * 3 > max_bytes + 3:
        raise ValueError(f"the frame is larger than the {max_bytes:,} bytes an upload may have")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValueError("the frame's base64 text is damaged") from error
    if len(data) > max_bytes:
        raise ValueError(f"the frame is larger than the {max_bytes:,} bytes an upload may have")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("the frame is not a PNG")
    return data


def take_frozen_frame() -> None:
    """The Freeze button's callback: keep the frame as the image source, or say why not."""
    result = st.session_state.get(FREEZE_KEY)
    sent = result.get("freeze") if hasattr(result, "get") else None
    try:
        data = frame_from_data_url(sent.get("png") if isinstance(sent, dict) else None)
    except ValueError as error:
        st.session_state[FROZEN_NOTICE] = f"The frame was not taken: {error}."
        return
    name = f"live frame {time.strftime('%H:%M:%S')}.png"
    st.session_state[LIVE_FRAME] = images.FrozenFrame(name, data, convkit.image_digest(data))
    st.session_state["source"] = LIVE
    st.session_state[FROZEN_NOTICE] = ("Frozen: the frame went to the app, which checks it as "
                                       "an upload; below the live view, what became of it.")
