"""The kernel lab's table accepts from the browser only a table of short strings of its shape."""

from __future__ import annotations

import pytest

from pages.views.kernel_lab.kernel_grid import MAX_CELL_CHARS, is_table_of_text


def test_a_table_of_the_kernels_shape_is_taken():
    """Numbers, fractions and empty boxes are text for the parser to judge."""
    assert is_table_of_text([["1", "1/9", ""], ["-2", " 0.5 ", "x"]], (2, 3))


@pytest.mark.parametrize("cells", [
    None, "1,2;3,4", [["1", "2"]], [["1", "2"], ["3"]], [["1", "2"], ["3", 4]],
    [["1", "2"], ["3", None]], [["1", "2"], ("3", "4")],
    [["1", "2"], ["3", "9" * (MAX_CELL_CHARS + 1)]],
    [["1", "2"], ["3", "4"], ["5", "6"]], {"cells": [["1", "2"], ["3", "4"]]},
])
def test_anything_else_is_refused(cells):
    """Wrong shape, non-strings, over-long text or another type altogether."""
    assert not is_table_of_text(cells, (2, 2))
