"""The kernel lab's table of weights, a browser component: one text box per weight.

Streamlit's own table (``st.data_editor``, 1.67) lost edits: a double-click edit after one
committed with Enter opened and closed its cell editor at once, the typed value never reached
the server and the table then redrew without the earlier edits; quick typing after a click
lost characters. Here each box is a plain text field and every change sends the whole table,
so the last table the server gets is every box as the visitor left it.

The component sends ``{"cells": [[text, ...], ...]}`` (the boxes row by row) as its state;
`sent_cells` refuses anything but a table of short strings of the kernel's shape.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

#: Longer than any number or fraction a visitor types into one weight.
MAX_CELL_CHARS = 64

_CSS = """
.ckg { overflow: auto; max-width: 100%; max-height: 30rem; font-family: var(--st-font, inherit);
       color: var(--st-text-color, #31333f); }
.ckg table { border-collapse: collapse; }
.ckg caption { text-align: left; font-size: 0.875rem; padding-bottom: 0.3rem; }
.ckg th { font-weight: normal; font-size: 0.8rem; padding: 0 0.3rem;
          color: var(--st-text-color, #31333f); }
.ckg td { padding: 1px; }
.ckg input { box-sizing: border-box; width: 4.6rem; min-height: 2.2rem; padding: 0.2rem 0.35rem;
  font: inherit; font-size: 0.9rem; color: inherit; background: var(--st-background-color, #fff);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.3)); border-radius: 0.25rem; }
.ckg input:focus { outline: 3px solid #0b57d0; outline-offset: 0; }
"""

_COMPONENT = st.components.v2.component(
    "convkit_kernel_grid", css=_CSS,
    js=Path(__file__).with_name("kernel_grid.js").read_text(encoding="utf-8"))


def show(key: str, cells: list[list[str]], *, version: int, caption: str, on_change) -> None:
    """Mount the table `key` showing `cells` (text, row by row); `on_change` runs (before the
    rerun) when the visitor changes a box. A new `version` refills the boxes from `cells`."""
    _COMPONENT(key=key, data={"cells": cells, "version": version, "caption": caption},
               on_cells_change=on_change, height="content")


def sent_cells(key: str, shape: tuple[int, int]) -> list[list[str]] | None:
    """The table the browser sent for `key` (read it in `on_change`), or None if it is not a
    table of `shape` of strings of at most MAX_CELL_CHARS characters."""
    result = st.session_state.get(key)
    cells = result.get("cells") if hasattr(result, "get") else None
    return cells if is_table_of_text(cells, shape) else None


def is_table_of_text(cells, shape: tuple[int, int]) -> bool:
    """Whether `cells` is a list of `shape[0]` lists of `shape[1]` short strings.

    >>> is_table_of_text([["1", "1/9"]], (1, 2)), is_table_of_text([["1", 2]], (1, 2))
    (True, False)
    >>> is_table_of_text([["1"]], (1, 2)), is_table_of_text([["x" * 65]], (1, 1))
    (False, False)
    """
    return (isinstance(cells, list) and len(cells) == shape[0]
            and all(isinstance(row, list) and len(row) == shape[1] for row in cells)
            and all(isinstance(text, str) and len(text) <= MAX_CELL_CHARS
                    for row in cells for text in row))
