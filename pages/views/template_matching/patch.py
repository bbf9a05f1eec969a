"""Choosing the template matching page's patch: a dragged box, a click, typed numbers, or a
stored example, kept in the session.

The patch's centre and sides live in session state under the number inputs' own keys
(``match_x``, ``match_y``, ``match_w``, ``match_h``), so a drag or an example moves the inputs
too. A new patch forgets the point clicked on a map (``match_point``): its best match is broken
down first.
"""

from __future__ import annotations

import streamlit as st

import convkit
from pages.ui import cache, clickable
from pages.ui.widgets import number_box

#: The patch's centre and sides, as the number inputs hold them.
KEYS = ("match_x", "match_y", "match_w", "match_h")
DEFAULT_SIDE = 31
PATCH = (255, 200, 0)  # the chosen patch, outlined on the picture
PATCH_LINE = 2


class PatchPicker:
    """The patch chosen on a gray image of `shape`, and the widgets that choose it.

    Raises ValueError when the image is too small to cut any patch from.
    """

    def __init__(self, image_key: str, shape: tuple[int, int], source: str):
        self.shape, self.source = shape, source
        state = st.session_state
        if state.get("match_image") != image_key:
            # Another picture: the old patch means nothing on it, start from its centre.
            state["match_image"] = image_key
            for key in (*KEYS, "match_point"):
                state.pop(key, None)
        pending = state.pop("match_pending_example", None)
        if pending is not None and source == convkit.lessons.PATCH_EXAMPLES[pending].sample:
            self._set(*convkit.lessons.example_patch(pending, shape))
        height, width = shape
        for key, default in zip(KEYS, (width // 2, height // 2, DEFAULT_SIDE, DEFAULT_SIDE),
                                strict=True):
            state.setdefault(key, default)
        self.limits = convkit.lessons.patch_side_limits(shape)
        # Another image (or resolution) may have made the stored patch too big or off it.
        state.update(zip(KEYS, convkit.lessons.fit_patch(*(state[key] for key in KEYS), shape),
                         strict=True))

    def _set(self, *patch: int) -> None:
        st.session_state.update(zip(KEYS, patch, strict=True))
        self._typed()

    def _typed(self) -> None:
        st.session_state.pop("match_point", None)

    def _use_example(self) -> None:
        example = convkit.lessons.PATCH_EXAMPLES[st.session_state["match_example"]]
        st.session_state["source"] = example.sample
        st.session_state["match_pending_example"] = st.session_state["match_example"]

    def _take_pick(self) -> None:
        """A box dragged (or a click: a drag of no length) makes the patch; a pick with the
        keyboard moves its centre there, sides unchanged."""
        event = clickable.event("match_pick")
        height, width = self.shape
        corners = clickable.dragged_pixels(event, width, height)
        if corners is not None:
            side = int(st.session_state.get("match_w", DEFAULT_SIDE))
            self._set(*convkit.lessons.drag_to_patch(*corners, self.shape, default_side=side))
            return
        picked = clickable.picked_pixel(event, width, height)
        if picked is not None:
            self._set(*picked, *(int(st.session_state[key]) for key in KEYS[2:]))

    def controls(self) -> None:
        """Number inputs for the centre and sides, and the stored examples."""
        st.markdown("**The patch** (its centre and odd sides, in pixels)")
        row = st.columns(2)
        height, width = self.shape
        (limit_w, limit_h), side = self.limits, convkit.lessons.MIN_PATCH_SIDE
        boxes = (("x (centre column)", 0, width - 1, 1, "match_x"),
                 ("y (centre row)", 0, height - 1, 1, "match_y"),
                 ("width", side, limit_w, 2, "match_w"), ("height", side, limit_h, 2, "match_h"))
        for column, (label, low, high, step, key) in zip(row * 2, boxes, strict=True):
            number_box(label, low, high, where=column, notices=st, step=step, key=key,
                       on_change=self._typed,
                       help="Odd, so the patch has a centre pixel, as a kernel must."
                            if step == 2 else None)
        examples = sorted(convkit.lessons.PATCH_EXAMPLES,
                          key=lambda n: convkit.lessons.PATCH_EXAMPLES[n].sample != self.source)
        st.selectbox("Stored example", examples, key="match_example",
                     format_func=lambda n: f"{n} ({convkit.lessons.PATCH_EXAMPLES[n].sample})")
        st.caption(convkit.lessons.PATCH_EXAMPLES[st.session_state["match_example"]].description)
        st.button("Use this example", key="match_use_example", on_click=self._use_example)

    def window(self) -> convkit.explain.Window:
        """The chosen patch on the image; ValueError (naming the side) for an even or bad one."""
        return convkit.lessons.patch_window(*(int(st.session_state[key]) for key in KEYS),
                                            self.shape)

    def picture(self, gray: cache.Pixels, window: convkit.explain.Window) -> None:
        """The image with the patch outlined: drag a box on it, or click to centre the patch;
        or move the outline with the arrow keys and press Enter."""
        st.caption("Drag a box to choose the patch, or click to centre it there (yellow).")
        height, width = self.shape
        x, y = convkit.lessons.patch_centre(window)
        alt = (f"The image ({self.source}) in gray, {width} x {height} px, the patch outlined "
               f"in yellow: {window.width} x {window.height} px centred on x={x}, y={y}")
        clickable.show("match_pick", gray, alt=alt, point=(x, y), drag=True,
                       marker=clickable.Marker((window.height, window.width), PATCH, PATCH_LINE,
                                               "yellow outline"),
                       on_pick=self._take_pick)
