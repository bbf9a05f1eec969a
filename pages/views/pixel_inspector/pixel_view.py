"""The pixel inspector's pictures as one browser component: the overview, the magnified window
and the arrows, drawn in the browser.

A pixel click used to send two freshly encoded pictures (a JPEG overview with the red box
burnt in, a 420 px PNG of the window) and seven more elements (two captions, four arrow
buttons and their container); under twenty busy visitors that was a quarter of the server's
CPU. Now the overview is encoded once per image and view,
the red box is a rectangle the browser places, and the window travels as its raw bytes
(25 x 25 x 3 = 1.9 kB, at most 64 x 64 x 3), which the browser enlarges and marks.

The overview is sent only when the page does not hold it yet (`show`). The component sends
one event per click, as a trigger value (it is gone after one run):
``{"picture": "overview" | "zoom", "x", "y", "width", "height"[, "window"]}`` (where a
picture was clicked and the size it was shown at; "window" the magnified window as drawn) or
``{"step": [dx, dy]}`` from the arrows or the arrow keys. `pixel_from_event` turns an event
into the pixel to pick, and refuses anything else.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import streamlit as st

import convkit

_CSS = """
.ckv { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: flex-start;
       font-family: var(--st-font, inherit); color: var(--st-text-color, #31333f); }
.ckv figure { margin: 0; flex: 1 1 0; min-width: 16rem; }
.ckv figcaption { font-size: 0.875rem; margin-bottom: 0.4rem; }
.ckv-frame { position: relative; display: inline-block; max-width: 100%; line-height: 0; }
.ckv-frame img { max-width: 100%; cursor: crosshair; user-select: none; }
.ckv-box { position: absolute; box-sizing: border-box; border: 2px solid; pointer-events: none; }
.ckv canvas { max-width: 100%; cursor: crosshair; display: block; }
.ckv canvas:focus-visible { outline: 2px solid var(--st-primary-color, #ff4b4b);
                            outline-offset: 2px; }
.ckv-arrows { display: flex; gap: 0.4rem; margin-top: 0.5rem; }
.ckv-arrows button { min-width: 2.6rem; padding: 0.25rem 0.6rem; font-size: 1rem;
  color: inherit; background: var(--st-background-color, white);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2)); border-radius: 0.5rem;
  cursor: pointer; }
.ckv-live { margin: 0.5rem 0 0; font-size: 0.875rem; line-height: 1.4; }
.ckv-arrows button:focus-visible { outline: 2px solid var(--st-primary-color, #b3261e);
                                   outline-offset: 2px; }
.ckv-arrows button:hover { border-color: var(--st-primary-color, #ff4b4b);
                           color: var(--st-primary-color, #ff4b4b); }
"""

_COMPONENT = st.components.v2.component(
    "convkit_pixel_view", css=_CSS,
    js=(Path(__file__).with_name("pixel_view.js")).read_text(encoding="utf-8"))

#: The grid between magnified pixels, as convkit.explain.magnify draws it.
GRID = (convkit.explain.GRID_LINE,) * 3


def show(key: str, *, overview: dict, zoom: dict, announce: str, on_pick,
         aspect: float) -> None:
    """Mount the component; `on_pick` runs (before the rerun) when a visitor picks a pixel.

    `announce` goes into the component's live region, so a screen reader says it after each
    move (``announcement``). `aspect` is the image's height / width, for the place kept for
    the pictures before their script has run (static/first-paint.css).

    The overview picture goes to the browser only when the page does not hold it already:
    the page reports the digest of the one it holds (state "held").
    """
    held = held_digest(st.session_state.get(key))
    if held == overview["digest"]:
        overview = {**overview, "src": None}
    # The place kept for the pictures before their script has run is in static/first-paint.css
    # (it must be there before the page's first paint); the page only says the image's shape.
    with st.container(key=f"{key}_place"):
        st.markdown(f"<style>.st-key-{key}_place {{ --ck-aspect: {aspect:.4f}; }}</style>",
                    unsafe_allow_html=True)
        _COMPONENT(key=key, data={"overview": {**overview, "held": held}, "zoom": zoom,
                                  "announce": announce},
                   on_pick_change=on_pick, on_held_change=_noted, height="content")


def held_digest(result) -> str | None:
    """The digest of the overview a page says it holds, from the component's state; None for
    anything but a short string (it is sent back to the page, so nothing big is echoed).

    >>> held_digest({"held": "ab12"}), held_digest({"held": "x" * 500}), held_digest(None)
    ('ab12', None, None)
    """
    held = result.get("held") if hasattr(result, "get") else None
    return held if isinstance(held, str) and len(held) <= 64 else None


def _noted() -> None:
    """The page's new "held" is read on the run it starts; nothing else to do."""


def announcement(breakdown: convkit.PixelBreakdown, byte) -> str:
    """What the live region says after a move: the pixel, its sum and its output byte(s).

    >>> import numpy as np
    >>> why = convkit.explain_pixel(np.arange(9.0).reshape(3, 3), np.ones((1, 1)), 2, 1,
    ...                             "replicate")
    >>> announcement(why, np.uint8(5))
    'pixel 2, 1: sum 5, output byte 5'
    """
    from pages.ui.render import format_total

    bytes_ = np.ravel(byte)
    shown = (str(int(bytes_[0])) if bytes_.size == 1 else
             ", ".join(f"{name} {int(v)}" for name, v in zip("RGBA", bytes_, strict=False)))
    return (f"pixel {breakdown.x}, {breakdown.y}: sum "
            f"{format_total(breakdown.total, scale=breakdown.products)}, output "
            f"byte{'s' if bytes_.size > 1 else ''} {shown}")


def overview_alt(name: str, full_width: int, full_height: int,
                 box: convkit.explain.Window, kernel: str) -> str:
    """The overview's text alternative: which image, which area is magnified, and for which
    kernel.

    >>> overview_alt("camera (input)", 512, 512, convkit.explain.Window(-3, 10, 25, 25),
    ...              "sharpen (3x3)")[-73:]
    'the magnified area, x 10 to 34, y 0 to 21, round the sharpen (3x3) kernel'
    """
    top, left = max(box.top, 0), max(box.left, 0)
    bottom = min(box.top + box.height, full_height) - 1
    right = min(box.left + box.width, full_width) - 1
    return (f"Whole {name}, {full_width} x {full_height} px; the red box marks the magnified "
            f"area, x {left} to {right}, y {top} to {bottom}, round the {kernel} kernel")


def overview_data(picture, digest: str, full_width: int, full_height: int,
                  box: convkit.explain.Window, shown_width: int, caption: str, *,
                  alt: str) -> dict:
    """The overview part of the component's data: the picture (a data URL), its text
    alternative `alt`, and `box` (the magnified window, clipped to the image) as fractions
    of the image."""
    top, left = max(box.top, 0), max(box.left, 0)
    bottom = min(box.top + box.height, full_height)
    right = min(box.left + box.width, full_width)
    return {"src": picture, "digest": digest, "width": shown_width, "caption": caption,
            "alt": alt,
            "box": [left / full_width, top / full_height, (right - left) / full_width,
                    (bottom - top) / full_height],
            "colour": list(convkit.explain.SELECTED)}


def zoom_data(crop: np.ndarray, outside: np.ndarray, box: convkit.explain.Window, x: int, y: int,
              kernel_shape: tuple[int, int], side: int, caption: str, *, label: str) -> dict:
    """The magnified part of the component's data: the window's pixels (padding tinted), its
    enlargement factor, the cells of the kernel's footprint and of the picked pixel, and
    `label`, the canvas's name (the selected pixel and its value)."""
    tinted = convkit.explain.tint(crop, outside, convkit.explain.PADDING_TINT)
    factor = max(1, side // max(box.width, box.height))
    kh, kw = kernel_shape
    row, column = y - box.top, x - box.left
    return {
        "rgb": base64.b64encode(np.ascontiguousarray(tinted, np.uint8).tobytes()).decode(),
        "rows": int(tinted.shape[0]), "cols": int(tinted.shape[1]), "factor": int(factor),
        "grid": list(GRID) if factor >= 6 else None, "caption": caption, "label": label,
        "window": [box.top, box.left, box.height, box.width],
        "marks": [
            {"cells": [row - kh // 2, column - kw // 2, kh, kw],
             "colour": list(convkit.explain.FOOTPRINT), "lining": True},
            {"cells": [row, column, 1, 1], "colour": list(convkit.explain.SELECTED),
             "lining": False},
        ],
    }


def pixel_from_event(event, current: tuple[int, int], width: int,
                     height: int) -> tuple[int, int] | None:
    """The pixel (x, y) an event of the component picks, clamped to the image; None for an
    event that is malformed (any value a browser, or someone imitating one, might send).

    >>> pixel_from_event({"step": [1, 0]}, (4, 4), 10, 10)
    (5, 4)
    >>> pixel_from_event({"picture": "overview", "x": 99, "y": 0, "width": 100,
    ...                   "height": 100}, (4, 4), 10, 10)
    (9, 0)
    >>> pixel_from_event({"picture": "zoom", "x": 0, "y": 0, "width": 50, "height": 50,
    ...                   "window": [-2, 3, 5, 5]}, (4, 4), 10, 10)
    (3, 0)
    >>> pixel_from_event({"step": "left"}, (4, 4), 10, 10) is None
    True
    """
    if not isinstance(event, dict):
        return None
    x, y = current
    try:
        if "step" in event:
            dx, dy = (_whole(v, 1) for v in event["step"])
            target = (x + dx, y + dy)
        elif event.get("picture") == "overview":
            target = convkit.explain.shown_to_pixel(*_shown(event), width, height)
        elif event.get("picture") == "zoom":
            top, left, rows, cols = (_whole(v, 64 + max(width, height))
                                     for v in event["window"])
            if not 0 < rows <= 64 or not 0 < cols <= 64:
                return None
            column, row = convkit.explain.shown_to_pixel(*_shown(event), cols, rows)
            target = (left + column, top + row)
        else:
            return None
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    return min(max(target[0], 0), width - 1), min(max(target[1], 0), height - 1)


def _whole(value, limit: int) -> int:
    """An integer within ``-limit..limit`` (bools and floats with a fraction refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"not a whole number: {value!r}")
    if abs(value) > limit:
        raise ValueError(f"{value} is out of range")
    return int(value)


def _shown(event: dict) -> tuple[float, float, float, float]:
    values = tuple(event[name] for name in ("x", "y", "width", "height"))
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise ValueError(f"not numbers: {values!r}")
    return tuple(float(v) for v in values)
