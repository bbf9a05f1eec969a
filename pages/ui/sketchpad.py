"""A drawing area for a digit: a mouse, a pen, a finger or the keyboard draws strokes.

Each finished stroke sends the drawing (every stroke so far, points as fractions 0-1 of the
area, at most ``convkit.lessons.MAX_STROKES`` strokes and ``MAX_POINTS`` points) as the
component's state ``strokes``; Clear sends none. The server keeps it in the session, so a
remounted area draws it again. The keyboard route: the area takes focus (a visible ring),
arrow keys move a pen on a GRID x GRID grid, Space (or Enter) puts it down and lifts it;
a live region says where the pen is and when a stroke was sent.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from convkit import lessons

#: Side of the drawing area, CSS pixels (narrower on a narrow screen: it fits its column).
SIDE = 280
#: The keyboard pen's grid: GRID x GRID cells.
GRID = 14

_CSS = """
.cks { font-family: var(--st-font, inherit); color: inherit; max-width: 280px; }
.cks canvas { display: block; width: 100%; height: auto; aspect-ratio: 1; touch-action: none;
              border-radius: 0.25rem; cursor: crosshair; background: #000; }
.cks canvas:focus { outline: none; }
.cks canvas:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
.cks-row { display: flex; gap: 0.75rem; align-items: center; margin-top: 0.4rem; }
.cks-clear { font: inherit; color: inherit; background: transparent; cursor: pointer;
             border: 1px solid currentColor; border-radius: 0.4rem; padding: 0.2rem 0.9rem; }
.cks-clear:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
.cks-status { font-size: 0.875rem; }
.cks-hint { font-size: 0.875rem; margin: 0.3rem 0 0; }
"""

_COMPONENT = st.components.v2.component(
    "convkit_sketchpad", css=_CSS,
    js=Path(__file__).with_name("sketchpad.js").read_text(encoding="utf-8"))


def strokes(key: str):
    """The strokes the area `key` last sent (as the browser sent them, unchecked), or None."""
    result = st.session_state.get(key)
    return result.get("strokes") if hasattr(result, "get") else None


def _nothing() -> None:
    pass


def show(key: str, *, label: str) -> None:
    """Mount the drawing area `key`; a stroke's end reruns the fragment or page it is in.

    `label` names the area for a screen reader (what to draw there).
    """
    drawn = strokes(key)
    try:
        # Only a checked drawing goes back to the browser (to draw again on a remount).
        kept = [points.tolist() for points in lessons.check_strokes(drawn)] if drawn else []
    except ValueError:
        kept = []
    # Streamlit keeps a component's state under the names it has a callback for, so `strokes`
    # has one, with nothing left to do before the rerun.
    _COMPONENT(key=key, on_strokes_change=_nothing, height="content", data={
        "side": SIDE, "grid": GRID, "strokes": kept, "label": label,
        "max_strokes": lessons.MAX_STROKES, "max_points": lessons.MAX_POINTS,
        "hint": "Draw with the mouse, a pen or a finger. Keyboard: arrow keys move the pen on "
                f"a {GRID} x {GRID} grid, Space puts it down and lifts it."})
