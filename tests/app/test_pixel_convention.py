"""One way of naming a pixel on every page: (x, y), counted from 0, in words.

Every page is opened as a visitor opens it, at a pixel near the corner (so that padding notes
appear), and everything it writes (text, captions, notices, tables and grids as HTML, their
tooltips included) is read for the wordings the app used before: "(row, column)" pairs, a
cell counted from 1, "row r, column c".
"""

from __future__ import annotations

import re

import pytest
from apptest_helpers import APP, assert_healthy, open_page
from streamlit.testing.v1 import AppTest

PAGES = ["home", "kernel_bank", "pixel_inspector", "kernel_lab", "padding_modes",
         "deep_learning", "deconvolution", "template_matching"]

#: Wordings that name a place by row and column, or count cells from 1.
OTHER_CONVENTIONS = [
    re.compile(r"\brow \d+, column \d+", re.IGNORECASE),
    re.compile(r"\(row,? col", re.IGNORECASE),
    re.compile(r"\bcell \(\d+, ?\d+\)"),
    re.compile(r"\bpixel \(\d+, ?\d+\)"),
    re.compile(r"\boutput \(\d+, ?\d+\)"),
    re.compile(r"\bw\[\d+, ?\d+\]"),
    re.compile(r"\(y=-?\d+, x=-?\d+\)"),
]


def page_text(at: AppTest) -> str:
    """Everything the page wrote that a visitor reads: text, captions, notices, HTML."""
    parts = [element.value for kind in ("markdown", "caption", "info", "warning", "success",
                                        "error", "title", "header", "subheader")
             for element in getattr(at, kind)]
    parts += [str(element.proto) for element in at.get("html")]
    return "\n".join(str(part) for part in parts)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_names_pixels_by_x_and_y(page: str) -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"image": "camera", "res": "128", "x": "0", "y": "1"})
    at.run()
    open_page(at, page)
    assert_healthy(at)
    text = page_text(at)
    assert text.strip(), page
    found = [match.group(0) for pattern in OTHER_CONVENTIONS for match in pattern.finditer(text)]
    assert not found, (page, found[:5])


@pytest.mark.parametrize("old", [
    "output row 0, column 1 reads", "one (row, col) pair", "cell (0, 0) lies outside",
    "copied from pixel (4, 0)", "At output (3, 2):", "w[2,2] + w[0,2] = 3",
    "outside the image at (y=-1, x=-1)"])
def test_the_sweep_catches_what_the_pages_used_to_say(old: str) -> None:
    assert any(pattern.search(old) for pattern in OTHER_CONVENTIONS), old
