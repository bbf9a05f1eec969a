"""One browser component for every clickable picture: a text alternative, a marker round the
chosen point, and a pointer route and a keyboard route to choose a point.

The picture goes to the browser as a PNG data URL, encoded once per picture (``cache.png_url``);
the marker is drawn by the browser (an SVG box of the marker's shape centred on the point, its
line inside it, as ``convkit.lessons.mark_patches`` draws one), so moving the point re-encodes
nothing. The picture takes focus (a visible ring); arrow keys move the marker one pixel, or one
cell of an enlarged picture (ten with Shift), Enter picks it, Escape puts it back, and a live
region says where it is.

The component sends one event per pick, as a trigger value (gone after one run):
``{"kind": "click", "x", "y", "width", "height"}`` (where the picture was clicked, in screen
pixels, and the size it was shown at), ``{"kind": "drag", "x1", "y1", "x2", "y2", "width",
"height"}`` on a picture that takes boxes (a click there is a drag of no length), or
``{"kind": "key", "x", "y"}`` (the image pixel chosen with the keyboard). `picked_pixel` and
`dragged_pixels` turn an event into image pixels and refuse anything else.

The pixel inspector keeps its own component (pages/views/pixel_inspector/pixel_view.py): it
draws a magnified window from raw bytes and sends its overview only when the page lacks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

import convkit
from pages.ui import cache

_CSS = """
.ckc { font-family: var(--st-font, inherit); line-height: 0; }
.ckc-frame { position: relative; display: inline-block; max-width: 100%; }
.ckc.ckc-stretch .ckc-frame, .ckc.ckc-stretch img { width: 100%; }
.ckc img { display: block; max-width: 100%; height: auto; user-select: none;
           touch-action: none; border-radius: 0.25rem; }
.ckc img:focus { outline: none; }
.ckc img:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
.ckc.ckc-pixels img { image-rendering: pixelated; }
.ckc-marks { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
.ckc-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0;
              overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
"""

_COMPONENT = st.components.v2.component(
    "convkit_clickable", css=_CSS,
    js=Path(__file__).with_name("clickable.js").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Marker:
    """The box drawn round the chosen point: (height, width) and line width in image pixels
    (a fraction of one on a magnified picture), its colour, and what it marks (for the keyboard
    hint and the live region)."""

    shape: tuple[int, int]
    colour: tuple[int, int, int]
    line: float
    what: str


@dataclass(frozen=True)
class MapsLayout:
    """A picture of a layer's maps (``convkit.lessons.maps_picture``): `maps` maps of
    `height` x `width` units, `scale` pixels a unit, `gap` pixels apart, `per_row` to a row.
    With it the live region names the unit under the marker ("map 4, unit x=5, y=1"), not
    the picture's pixel."""

    maps: int
    height: int
    width: int
    scale: int
    gap: int
    per_row: int


def show(key: str, picture: cache.Pixels, *, alt: str, point: tuple[int, int], marker: Marker,
         on_pick, drag: bool = False, stretch: bool = False, pixelated: bool = False,
         key_step: tuple[int, str] = (1, "pixel"), layout: MapsLayout | None = None) -> None:
    """Mount the picture `key`; `on_pick` runs (before the rerun) when a visitor picks.

    `alt` says what the picture shows; `point` is the image pixel the marker starts on.
    `drag` makes the picture take boxes; `stretch` fills the column's width (otherwise the
    picture keeps its own size, narrowed to fit); `pixelated` magnifies it as square pixels,
    not smoothed (a small piece shown large, each pixel to be told apart). `key_step`: how
    many image pixels an arrow key moves the marker, and what the hint calls that step (a
    picture of enlarged cells moves a cell at a time). `layout`: the picture is a layer's maps,
    and the live region names their units.
    """
    height, width = picture.array.shape[:2]
    step, step_name = int(key_step[0]), key_step[1]
    hint = (f"Arrow keys move the {marker.what} one {step_name}, Shift and an arrow ten; "
            "Enter picks it" + ("; or drag a box with the mouse." if drag else "."))
    _COMPONENT(key=key, on_pick_change=on_pick, height="content", data={
        "src": cache.png_url(picture), "alt": alt, "size": [width, height],
        "point": [int(point[0]), int(point[1])], "drag": drag, "stretch": stretch,
        "pixelated": pixelated, "step": step,
        "layout": None if layout is None else {
            "maps": layout.maps, "height": layout.height, "width": layout.width,
            "scale": layout.scale, "gap": layout.gap, "perRow": layout.per_row},
        "hint": hint, "what": marker.what,
        "marker": {"shape": [int(v) for v in marker.shape], "colour": list(marker.colour),
                   "line": float(marker.line)}})


def event(key: str):
    """The event the picture `key` sent with this run (read it in `on_pick`), or None."""
    result = st.session_state.get(key)
    return result.get("pick") if hasattr(result, "get") else None


def picked_pixel(event, width: int, height: int) -> tuple[int, int] | None:
    """The image pixel (x, y) a click or a key event picks on a `width` x `height` picture;
    None for a drag or anything malformed (any value a browser, or someone imitating one,
    might send).

    >>> picked_pixel({"kind": "click", "x": 99.5, "y": 0, "width": 100, "height": 50}, 10, 5)
    (9, 0)
    >>> picked_pixel({"kind": "key", "x": 3, "y": 4}, 10, 5), picked_pixel({"kind": "key",
    ...     "x": 30, "y": -4}, 10, 5)
    ((3, 4), (9, 0))
    >>> picked_pixel({"kind": "key", "x": "3", "y": 4}, 10, 5) is None
    True
    """
    if not isinstance(event, dict):
        return None
    try:
        if event.get("kind") == "click":
            return convkit.explain.shown_to_pixel(*_numbers(event, "x", "y", "width", "height"),
                                                  width, height)
        if event.get("kind") == "key":
            x, y = (_whole(event[name]) for name in ("x", "y"))
            return min(max(x, 0), width - 1), min(max(y, 0), height - 1)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    return None


def dragged_pixels(event, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The image pixels (x1, y1, x2, y2) where a drag started and ended (clamped to the
    picture); None for any other event or a malformed one.

    >>> dragged_pixels({"kind": "drag", "x1": 0, "y1": 0, "x2": 60, "y2": 25, "width": 100,
    ...                 "height": 50}, 10, 5)
    (0, 0, 6, 2)
    """
    if not isinstance(event, dict) or event.get("kind") != "drag":
        return None
    try:
        x1, y1, x2, y2, shown_w, shown_h = _numbers(event, "x1", "y1", "x2", "y2", "width",
                                                    "height")
        start = convkit.explain.shown_to_pixel(x1, y1, shown_w, shown_h, width, height)
        end = convkit.explain.shown_to_pixel(x2, y2, shown_w, shown_h, width, height)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    return (*start, *end)


def _numbers(event: dict, *names: str) -> tuple[float, ...]:
    values = tuple(event[name] for name in names)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        raise ValueError(f"not numbers: {values!r}")
    return tuple(float(v) for v in values)


def _whole(value) -> int:
    """An integer (bools, floats with a fraction and huge values refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"not a whole number: {value!r}")
    if abs(value) > 1_000_000:
        raise ValueError(f"{value} is out of range")
    return int(value)
