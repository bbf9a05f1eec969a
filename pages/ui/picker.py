"""Picking one pixel: clicks on pictures, typed coordinates, arrow buttons, kept in the session.

The picked pixel lives in session state (``pixel_x``, ``pixel_y``), so it survives page
changes and goes into the URL; the number inputs ``<prefix>_x`` / ``<prefix>_y`` follow it.
"""

from __future__ import annotations

import streamlit as st

import convkit


class PixelPicker:
    """The picked pixel of an image `width` x `height`, and the widgets that move it."""

    def __init__(self, prefix: str, width: int, height: int):
        self.prefix, self.width, self.height = prefix, width, height

    def _clamped(self, key: str, limit: int) -> int:
        value = st.session_state.get(key)
        return limit // 2 if value is None else min(max(int(value), 0), limit - 1)

    @property
    def xy(self) -> tuple[int, int]:
        """The picked pixel, clamped to the image (the centre if none was picked yet)."""
        return (self._clamped("pixel_x", self.width), self._clamped("pixel_y", self.height))

    def select(self, x: int, y: int) -> None:
        """Make (x, y) the picked pixel (clamped to the image); the number inputs follow."""
        x, y = min(max(x, 0), self.width - 1), min(max(y, 0), self.height - 1)
        st.session_state["pixel_x"], st.session_state["pixel_y"] = x, y
        st.session_state[f"{self.prefix}_x"], st.session_state[f"{self.prefix}_y"] = x, y

    def settle(self) -> tuple[int, int]:
        """Clamp the picked pixel to this image and return it (call before drawing widgets)."""
        self.select(*self.xy)
        return self.xy

    def take_click(self, key: str, window: convkit.Window) -> None:
        """Act on a click on picture `key`, which shows `window` of the image, once per click."""
        click = st.session_state.get(key)
        if not click or click.get("unix_time") == st.session_state.get(f"{key}_seen"):
            return
        st.session_state[f"{key}_seen"] = click.get("unix_time")
        try:
            x, y = convkit.shown_to_pixel(click["x"], click["y"], click["width"],
                                          click["height"], window.width, window.height)
        except (KeyError, TypeError, ValueError):
            return  # a malformed event from the browser: ignore it
        self.select(window.left + x, window.top + y)

    def _step(self, dx: int, dy: int) -> None:
        x, y = self.xy
        self.select(x + dx, y + dy)

    def _typed(self) -> None:
        self.select(st.session_state[f"{self.prefix}_x"], st.session_state[f"{self.prefix}_y"])

    def controls(self) -> None:
        """Number inputs for x and y, and arrow buttons to step to a neighbour.

        One horizontal container holds the four arrows: every column is a block the page
        sends on each click, and seven of them cost 5 % of a busy server's CPU.
        """
        pick = st.columns([1, 1, 2.6], vertical_alignment="bottom")
        pick[0].number_input("x (column)", min_value=0, max_value=self.width - 1, step=1,
                             key=f"{self.prefix}_x", on_change=self._typed)
        pick[1].number_input("y (row)", min_value=0, max_value=self.height - 1, step=1,
                             key=f"{self.prefix}_y", on_change=self._typed)
        arrows = (("←", "left", -1, 0), ("→", "right", 1, 0), ("↑", "up", 0, -1),
                  ("↓", "down", 0, 1))
        with pick[2].container(horizontal=True):
            for label, name, dx, dy in arrows:
                st.button(label, key=f"{self.prefix}_{name}", on_click=self._step,
                          args=(dx, dy), help="Step to the neighbouring pixel")
