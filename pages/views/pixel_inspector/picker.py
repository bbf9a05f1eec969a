"""Picking one pixel: clicks on pictures, steps, typed coordinates, kept in the session.

The picked pixel lives in session state (``pixel_x``, ``pixel_y``), so it survives page
changes and goes into the URL; the number inputs ``<prefix>_x`` / ``<prefix>_y`` follow it.
"""

from __future__ import annotations

import streamlit as st

from pages.ui.widgets import number_box
from pages.views.pixel_inspector import pixel_view


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
        """Clamp the picked pixel to this image and return it (call before drawing widgets);
        a pixel outside the image (from a link, or a smaller working resolution) is said so."""
        wanted = (st.session_state.get("pixel_x"), st.session_state.get("pixel_y"))
        self.select(*self.xy)
        x, y = self.xy
        if any(v is not None and int(v) != kept for v, kept in zip(wanted, (x, y), strict=True)):
            st.info(f"Pixel x={wanted[0]}, y={wanted[1]} is outside the image "
                    f"({self.width} x {self.height}): the nearest pixel inside, x={x}, y={y}, "
                    "is shown.")
        return x, y

    def _typed(self) -> None:
        self.select(st.session_state[f"{self.prefix}_x"], st.session_state[f"{self.prefix}_y"])

    def take_view_event(self, key: str) -> None:
        """Act on the pixel view `key`'s event (a click or a step), as its callback."""
        result = st.session_state.get(key)
        event = result.get("pick") if hasattr(result, "get") else None
        target = pixel_view.pixel_from_event(event, self.xy, self.width, self.height)
        if target is not None:
            self.select(*target)

    def controls(self) -> None:
        """Number inputs for x and y, side by side in one horizontal container."""
        boxes = st.container(horizontal=True, vertical_alignment="bottom")
        for label, axis, limit in (("x (column)", "x", self.width), ("y (row)", "y", self.height)):
            number_box(label, 0, limit - 1, where=boxes, notices=st, step=1,
                       key=f"{self.prefix}_{axis}", on_change=self._typed, width=160)
