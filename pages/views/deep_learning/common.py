"""What the deep-learning page's view modules share: the grids side by side, clamped state,
and the choice among the small kernels.

Sections render grids from ``render.marked_grid`` (pure, unit-tested).
"""

from __future__ import annotations

import streamlit as st

from pages.ui import render


def show_grids(*grids: str) -> None:
    """marked_grid tables side by side."""
    st.html(render.marked_grids(*grids))


def keyboard_grid(values, title: str, marks: dict | None = None, **options) -> str:
    """A marked_grid whose scrolling box takes keyboard focus, for grids wider than a phone.

    A box that scrolls sideways must be reachable by the keyboard (the arrow keys then scroll
    it); it is named by the grid's caption for screen readers.
    """
    from html import escape

    table = render.marked_grid(values, title, marks, **options)
    return table.replace('<div class="dl-wrap">', f'<div class="dl-wrap" tabindex="0" '
                         f'role="region" aria-label="{escape(title)}">', 1)


def clamp_state(key: str, low: int, high: int, default: int) -> None:
    """Keep session state `key` within low..high (`default` when unset)."""
    st.session_state[key] = min(max(int(st.session_state.get(key, default)), low), high)


def kernel_box(where, label: str, key: str, kernels: dict, default: str) -> str:
    """A choice among the small kernels (`default` unless the visitor chose another)."""
    if st.session_state.get(key) not in kernels:
        st.session_state[key] = default if default in kernels else "sobel_x"
    name = where.selectbox(
        label, list(kernels), key=key,
        format_func=lambda n: render.kernel_label(n, kernels[n]),
        help="The bank's kernels up to 5x5 (and yours of that size).")
    return name
