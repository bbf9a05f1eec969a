"""The sidebar's "Copy a link to this view" button, a browser component.

The address bar holds every setting of the view (written after each run, the picked pixel
included), so the browser copies its own address at the click: nothing travels to the
server. ``st.html`` strips inline event handlers, so a plain button there never ran; a
component runs its script. It confirms in words ("Link copied") and, where the clipboard is
refused, shows the link selected in a text field and says how to copy it by hand.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_CSS = """
.ckl { font-family: var(--st-font, inherit); color: var(--st-text-color, #31333f); }
.ckl-button { width: 100%; min-height: 2.5rem; padding: 0.4rem 0.75rem; font: inherit;
  color: inherit; background: var(--st-background-color, #fff); cursor: pointer;
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2)); border-radius: 0.5rem; }
.ckl-button:hover { border-color: var(--st-primary-color, #ff4b4b);
                    color: var(--st-primary-color, #ff4b4b); }
.ckl-button:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
.ckl-status { margin: 0.4rem 0 0; font-size: 0.875rem; overflow-wrap: anywhere; }
.ckl-status:empty { display: none; }
.ckl-fallback label { display: block; font-size: 0.875rem; margin: 0.4rem 0 0.2rem; }
.ckl-field { box-sizing: border-box; width: 100%; padding: 0.3rem; font: inherit;
             font-size: 0.8rem; }
"""

_COMPONENT = st.components.v2.component(
    "convkit_copy_link", css=_CSS,
    js=Path(__file__).with_name("copy_link.js").read_text(encoding="utf-8"))


def copy_link_button(key: str = "copy_link", label: str = "Copy a link to this view") -> None:
    """Mount the button, named `label`; it copies the browser's address, this view's link."""
    _COMPONENT(key=key, data={"label": label}, height="content")
