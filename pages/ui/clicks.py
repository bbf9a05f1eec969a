"""Clicks and drags on pictures shown with streamlit_image_coordinates, as image pixels.

The component keeps its last event in session state under its key, and it is still there on
every later run of the script: a click must be acted on once, not on every rerun. A picture
shows a `Window` of an image (the whole image, or the magnified part round a pixel) at some
size on screen; the event's coordinates are on screen and are turned into that image's pixels.
"""

from __future__ import annotations

import streamlit as st

import convkit


def new_click(key: str, window: convkit.explain.Window) -> tuple[int, int] | None:
    """The image pixel (x, y) under a click on picture `key` showing `window`, once per click.

    None when there is no click, it was already taken on an earlier run, or the browser sent
    a malformed event.
    """
    click = st.session_state.get(key)
    if not click or click.get("unix_time") == st.session_state.get(f"{key}_seen"):
        return None
    st.session_state[f"{key}_seen"] = click.get("unix_time")
    try:
        x, y = convkit.explain.shown_to_pixel(click["x"], click["y"], click["width"],
                                              click["height"], window.width, window.height)
    except (KeyError, TypeError, ValueError):
        return None  # a malformed event from the browser: ignore it
    return window.left + x, window.top + y


def drag(key: str, window: convkit.explain.Window) -> tuple[int, int, int, int] | None:
    """The image pixels (x1, y1, x2, y2) where a drag on picture `key` started and ended.

    For a ``click_and_drag`` picture's ``on_click`` callback, which runs once per drag. None
    for a malformed event.
    """
    event = st.session_state.get(key)
    try:
        corners = [convkit.explain.shown_to_pixel(event[f"x{i}"], event[f"y{i}"], event["width"],
                                                  event["height"], window.width, window.height)
                   for i in (1, 2)]
    except (KeyError, TypeError, ValueError):
        return None
    (x1, y1), (x2, y2) = corners
    return window.left + x1, window.top + y1, window.left + x2, window.top + y2
