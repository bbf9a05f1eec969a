"""The colour layer drawn as volumes: the input block, the K filters and the output maps as
stacks of slabs (geometry from ``convkit.lessons.stack``), the chosen output and what made it
outlined; a click (or the arrow keys and Enter) on an output cell chooses it.

The drawing is a browser component because it takes clicks: the page writes the SVG (pure
functions here, unit-tested), the browser shows it and sends the cell picked as
``{"kind": "cell", "filter", "x", "y"}``; `picked_cell` refuses anything else.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import numpy as np
import streamlit as st

from convkit import lessons
from pages.ui import render

#: A cell's width in the drawing (CSS pixels at its natural size); a 6 x 6 x 3 block is then
#: 200 px wide, so each stack fits a 320 px phone on its own line.
CELL = 16.0
#: How far each row back moves a slab right and up, in cells: enough to read the rows apart.
SLANT = 0.6
#: Room on the left of a stack for its slabs' names.
LABEL_ROOM = 46.0
#: Room above a stack (a filter's name).
TITLE_ROOM = 16.0
#: The drawn ink of each input channel at full value (a cell is white at 0).
CHANNEL_INK = {"red": (200, 30, 30), "green": (30, 140, 50), "blue": (40, 80, 200)}
#: The outline of the chosen output and of what made it: the grids' "now" orange, on a
#: white halo so that it shows on dark cells too.
FOCUS = "#e8590c"
#: The thin line round every cell.
GRID_LINE = "#9e9e9e"
#: Filter blocks per row in the filters' drawing.
FILTERS_PER_ROW = 2

_CSS = """
.ckv { font-family: var(--st-font, sans-serif); }
.ckv-figures { display: flex; flex-wrap: wrap; gap: 0.6rem 1.4rem; align-items: flex-start;
               padding: 0.3rem; border-radius: 0.3rem; }
.ckv-figures:focus { outline: none; }
.ckv-figures:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
.ckv figure { margin: 0; background: #fff; color: #212121; padding: 0.25rem 0.4rem;
              border-radius: 0.25rem; max-width: 100%; }
.ckv figcaption { font-size: 0.85rem; line-height: 1.3; max-width: 16rem; }
.ckv svg { display: block; max-width: 100%; height: auto; }
.ckv-cell { cursor: pointer; }
.ckv-cursor { visibility: hidden; pointer-events: none; }
.ckv-figures:focus-visible .ckv-cursor { visibility: visible; }
.ckv-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0;
              overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
"""

_COMPONENT = st.components.v2.component(
    "convkit_volumes", css=_CSS,
    js=Path(__file__).with_name("volumes.js").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------ the SVG text


def _points(corners: np.ndarray, left: float, top: float) -> str:
    return " ".join(f"{x + left:.1f},{y + top:.1f}".replace(".0,", ",").removesuffix(".0")
                    for x, y in corners)


def _polygon(corners, left: float, top: float, fill: str = "none", stroke: str = "#9e9e9e",
             width: float = 0.6, extra: str = "") -> str:
    return (f'<polygon points="{_points(corners, left, top)}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{width}"{extra}/>')


def _cells(corners: np.ndarray, fills: list[str], left: float, top: float,
           extras: list[str] | None = None) -> str:
    """Grid cells, one polygon each, their thin grey line set once on the group (a run sends
    hundreds of them)."""
    extras = extras or [""] * len(fills)
    body = "".join(f'<polygon points="{_points(c, left, top)}" fill="{fill}"{extra}/>'
                   for c, fill, extra in zip(corners, fills, extras, strict=True))
    return f'<g stroke="{GRID_LINE}" stroke-width="0.6">{body}</g>'


def _halo(corners, left: float, top: float, width: float = 2.5) -> str:
    """An outline that shows on any cell: orange on a white band."""
    return (_polygon(corners, left, top, stroke="#fff", width=width + 2.5)
            + _polygon(corners, left, top, stroke=FOCUS, width=width))


def _slab_outline(drawing: lessons.Stack, slab: int) -> np.ndarray:
    return np.array([drawing.point(slab, 0, 0), drawing.point(slab, drawing.cols, 0),
                     drawing.point(slab, drawing.cols, drawing.rows),
                     drawing.point(slab, 0, drawing.rows)])


def _edges(drawing: lessons.Stack, left: float, top: float) -> str:
    """Dashed lines joining the slabs' corners, so that the slabs read as one block."""
    lines = []
    for slab in range(drawing.slabs - 1):
        upper, lower = _slab_outline(drawing, slab), _slab_outline(drawing, slab + 1)
        for (x1, y1), (x2, y2) in zip(upper, lower, strict=True):
            lines.append(f'<line x1="{x1 + left:.1f}" y1="{y1 + top:.1f}" x2="{x2 + left:.1f}" '
                         f'y2="{y2 + top:.1f}" stroke="#9e9e9e" stroke-dasharray="2 2"/>')
    return "".join(lines)


def _slab_label(drawing: lessons.Stack, slab: int, text: str, top: float) -> str:
    y = top + drawing.point(slab, 0, drawing.rows / 2)[1] + 4
    return f'<text x="2" y="{y:.1f}" font-size="11" fill="#212121">{escape(text)}</text>'


def _hex(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in rgb))


def _channel_fills(values: np.ndarray, ink) -> list[str]:
    """Cells of one channel: white at 0, the channel's ink at 255."""
    share = np.clip(np.asarray(values, dtype=float).ravel() / 255, 0.0, 1.0)[:, None]
    return [_hex(rgb) for rgb in np.rint(255 + (np.asarray(ink) - 255) * share).astype(int)]


def _heat_fills(values: np.ndarray) -> list[str]:
    """Diverging heat colours of `values` on the scale of their largest size."""
    values = np.asarray(values, dtype=float).ravel()
    limit = float(np.abs(values).max())
    return [_hex(render.heat_colour(v, limit)) for v in values]


def _svg(width: float, height: float, label: str, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(label)}">'
            f"{body}</svg>")


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{caption}</figcaption></figure>"


def input_svg(crop: np.ndarray, focus: lessons.VolumeFocus, label: str) -> str:
    """The input block (H x W x 3) as three slabs, red, green, blue, each cell's colour its
    value; the cells the chosen window reads outlined in every slab, and its taps on the zero
    padding dashed in the margin."""
    height, width, channels = crop.shape
    drawing = lessons.stack(height, width, channels, CELL, slant=SLANT * CELL, margin=1)
    left, top = LABEL_ROOM, 2.0
    parts = [_edges(drawing, left, top)]
    corners = drawing.corners()
    for slab, (name, ink) in enumerate(CHANNEL_INK.items()):
        parts.append(_slab_label(drawing, slab, name, top))
        parts.append(_cells(corners[slab].reshape(-1, 4, 2), _channel_fills(crop[..., slab], ink),
                            left, top))
        for row, col in focus.taps.reshape(-1, 2):
            if not (0 <= row < height and 0 <= col < width):
                parts.append(_polygon(drawing.cell_corners(slab, col, row), left, top,
                                      "#e9ecef", "#495057", 1.2, ' stroke-dasharray="3 2"'))
        for row, col in np.argwhere(focus.read):
            parts.append(_halo(corners[slab, row, col], left, top, 2.0))
    return _svg(left + drawing.width + 2, top + drawing.height + 2, label, "".join(parts))


def filters_svg(filters: np.ndarray, names: list[str], chosen: int, label: str) -> str:
    """The K filters (each C x kh x kw) as small blocks, a heat colour per weight, two to a
    row; the chosen filter's slabs outlined and its name marked "made it"."""
    count, channels, kh, kw = filters.shape
    drawing = lessons.stack(kh, kw, channels, CELL, slant=SLANT * CELL)
    block_w, block_h = drawing.width + 36, TITLE_ROOM + drawing.height + 10
    corners = drawing.corners()
    parts = []
    for f in range(count):
        left = 2 + (f % FILTERS_PER_ROW) * block_w
        top = TITLE_ROOM + (f // FILTERS_PER_ROW) * block_h
        title = f"filter {f + 1}" + (": made it" if f == chosen else "")
        weight = ' font-weight="bold"' if f == chosen else ""
        parts.append(f'<text x="{left:.1f}" y="{top - 4:.1f}" font-size="11" fill="#212121"'
                     f"{weight}>{escape(title)}</text>")
        parts.append(_edges(drawing, left, top))
        parts.append(_cells(corners.reshape(-1, 4, 2), _heat_fills(filters[f]), left, top))
        if f == chosen:
            parts.extend(_halo(_slab_outline(drawing, slab), left, top, 2.0)
                         for slab in range(channels))
    rows = -(-count // FILTERS_PER_ROW)
    width = 4 + min(count, FILTERS_PER_ROW) * block_w
    return _svg(width, rows * block_h + 4, label, "".join(parts))


def output_svg(maps: np.ndarray, focus: lessons.VolumeFocus, label: str) -> str:
    """The output volume (one slab per filter), a heat colour per value; every cell a
    click target carrying its filter and (x, y); the chosen output outlined, and a hidden
    keyboard cursor the browser moves."""
    count, height, width = maps.shape
    drawing = lessons.stack(height, width, count, CELL, slant=SLANT * CELL)
    left, top = LABEL_ROOM, 2.0
    parts = [_edges(drawing, left, top)]
    corners = drawing.corners()
    for f in range(count):
        parts.append(_slab_label(drawing, f, f"map {f + 1}", top))
        targets = [f' class="ckv-cell" data-f="{f}" data-x="{x}" data-y="{y}"'
                   for y in range(height) for x in range(width)]
        parts.append(_cells(corners[f].reshape(-1, 4, 2), _heat_fills(maps[f]), left, top,
                            targets))
    chosen = drawing.cell_corners(focus.filter, focus.out_col, focus.out_row)
    parts.append(_halo(chosen, left, top, 3.0))
    parts.append(_polygon(chosen, left, top, stroke="#0b57d0", width=2.0,
                          extra=' class="ckv-cursor" stroke-dasharray="3 2"'))
    return _svg(left + drawing.width + 2, top + drawing.height + 2, label, "".join(parts))


def _span(taps: np.ndarray) -> str:
    low, high = int(taps.min()), int(taps.max())
    return f"{low}..{high}" if low != high else str(low)


def describe(crop_shape: tuple[int, int, int], filters_shape: tuple[int, int, int, int],
             maps_shape: tuple[int, int, int], names: list[str],
             focus: lessons.VolumeFocus) -> tuple[str, str, str]:
    """What the input, filters and output drawings show, in words (their captions and text
    alternatives): sizes as height x width x channels, the chosen output by x and y, the
    window's input cells, and which filter made it."""
    height, width, channels = crop_shape
    count, _, kh, kw = filters_shape
    _, out_h, out_w = maps_shape
    x, y, f = focus.out_col, focus.out_row, focus.filter
    padding = (f"; {focus.outside} of its {kh * kw} taps per slab fall on the zero padding, "
               "dashed" if focus.outside else "")
    taken = (f"Input: {height} x {width} x {channels} (height x width x channels), one slab "
             f"each for red, green and blue, darker where the value is larger. Outlined in "
             f"orange in every slab: the {kh} x {kw} window of output x={x}, y={y}, input "
             f"x={_span(focus.taps[..., 1])}, y={_span(focus.taps[..., 0])}{padding}.")
    bank = (f"{count} filter{'s' if count > 1 else ''}, each {kh} x {kw} x {channels}: a "
            f"{kh} x {kw} slice per channel (red on top), each weight red if positive, blue "
            f"if negative, white if 0. Outlined: filter {f + 1}, '{names[f]}', which made the "
            "chosen output.")
    output = (f"Output: {out_h} x {out_w} x {count}, one map per filter. Outlined: map "
              f"{f + 1}, x={x}, y={y}. Click a cell (or focus the drawing, move with the "
              "arrow keys, Page Up and Page Down between maps, Enter) to break it down.")
    return taken, bank, output


def volumes_html(crop: np.ndarray, filters: np.ndarray, maps: np.ndarray, names: list[str],
                 focus: lessons.VolumeFocus) -> str:
    """The three drawings with their captions, side by side (one below another on a phone)."""
    taken, bank, output = describe(crop.shape, filters.shape, maps.shape, names, focus)
    # Each picture's name points to its caption, which says what it shows in full.
    return (_figure(input_svg(crop, focus, "The input block, described below"), escape(taken))
            + _figure(filters_svg(filters, names, focus.filter, "The filters, described below"),
                      escape(bank))
            + _figure(output_svg(maps, focus, "The output volume, described below"),
                      escape(output)))


# ------------------------------------------------------------------------ the component


def picked_cell(event, count: int, height: int, width: int) -> tuple[int, int, int] | None:
    """The (filter, x, y) an event from the drawing picks, or None for anything that is not a
    cell of a `count`-map `height` x `width` output (anything a browser, or someone imitating
    one, might send).

    >>> picked_cell({"kind": "cell", "filter": 1, "x": 5, "y": 0}, 2, 6, 6)
    (1, 5, 0)
    >>> picked_cell({"kind": "cell", "filter": 2, "x": 5, "y": 0}, 2, 6, 6) is None
    True
    """
    if not isinstance(event, dict) or event.get("kind") != "cell":
        return None
    values = [event.get(name) for name in ("filter", "x", "y")]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    f, x, y = values
    if 0 <= f < count and 0 <= x < width and 0 <= y < height:
        return f, x, y
    return None


def show(key: str, html: str, *, point: tuple[int, int, int], label: str, on_pick) -> None:
    """Mount the drawing `key`; `on_pick` runs (before the rerun) when a visitor picks a cell.

    `point` is the chosen (filter, x, y), where the keyboard cursor starts; `label` names the
    drawing for screen readers.
    """
    hint = ("Arrow keys move the cursor over the output map, Page Up and Page Down go to the "
            "map above or below, Enter breaks the cell down.")
    _COMPONENT(key=key, on_pick_change=on_pick, height="content",
               data={"html": html, "point": [int(v) for v in point], "label": label,
                     "hint": hint})


def event(key: str):
    """The event the drawing `key` sent with this run (read it in `on_pick`), or None."""
    result = st.session_state.get(key)
    return result.get("pick") if hasattr(result, "get") else None
