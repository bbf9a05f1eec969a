"""pages/ui/render.py for the deep-learning page: marked grids, reach notes, the size formula."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pytest

import convkit
from pages.ui import render


def parsed(table: str) -> tuple[str, list[list[str]], list[list[str]], list[list[str]]]:
    """(caption, cell classes, cell texts, cell tooltips) of one marked_grid table."""
    caption = html.unescape(re.search(r"<caption>(.*?)</caption>", table, re.S).group(1))
    classes, texts, tips = [], [], []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = re.findall(r'<td class="([^"]*)" title="([^"]*)">(.*?)</td>', row, re.S)
        classes.append([c.split() for c, _, _ in cells])
        tips.append([t for _, t, _ in cells])
        texts.append([html.unescape(x) for _, _, x in cells])
    return caption, classes, texts, tips


def test_marked_grid_writes_every_number_rounded_and_nan_as_not_yet():
    values = np.array([[1.0, -2.5, 4.72e-15], [1 / 3, np.nan, 123456.0]])
    caption, classes, texts, _ = parsed(render.marked_grid(values, "Output so far"))
    assert caption == "Output so far"
    assert texts == [["1", "−2.5", "0"], ["0.3333", "·", "1.235e+05"]]
    assert classes == [[[], [], []], [[], ["empty"], []]]


def test_marks_by_mask_and_by_one_cell_and_no_centre_outline():
    values = np.arange(12.0).reshape(3, 4)
    pad = np.zeros((3, 4), dtype=bool)
    pad[0, :] = True
    taps = np.eye(3, 4, dtype=bool)
    html_text = render.marked_grid(values, "x", {"pad": pad, "tap": taps, "now": (2, 3)})
    _, classes, _, _ = parsed(html_text)
    assert classes[0][0] == ["pad", "tap"] and classes[0][1] == ["pad"]
    assert classes[1][1] == ["tap"] and classes[2][2] == ["tap"]
    assert classes[2][3] == ["now"]
    assert classes[1][2] == []  # the middle cell is not outlined: a layer has no centre
    assert "centre" not in html_text


def test_tooltips_count_from_the_first_row_and_column():
    """A padded input's first cells are padding: its tooltips start at -pad."""
    _, _, _, tips = parsed(render.marked_grid(np.zeros((2, 3)), "padded", first_row=-1,
                                              first_col=-2))
    assert tips == [["x=-2, y=-1", "x=-1, y=-1", "x=0, y=-1"],
                    ["x=-2, y=0", "x=-1, y=0", "x=0, y=0"]]


def test_text_is_escaped():
    notes = np.array([["<b>x</b>", ""]], dtype=object)
    table = render.marked_grid(np.array([[1.0, 2.0]]), "a <script>", notes=notes)
    assert "<script>" not in table and "<b>" not in table
    assert "&lt;b&gt;x&lt;/b&gt;" in table
    assert table.count("<small>") == 1  # an empty note adds nothing


def test_marked_grids_bring_their_style_once():
    joined = render.marked_grids(render.marked_grid(np.ones((1, 1)), "a"),
                                 render.marked_grid(np.ones((1, 1)), "b"))
    assert joined.count("<style>") == 1 and joined.count('class="dl-grid"') == 2
    for mark in render.MARKS:
        assert f"td.{mark}" in render.MARKED_GRID_CSS


@pytest.mark.parametrize(("marks", "match"), [
    ({"centre": (0, 0)}, r"marks must be among .*; got \['centre'\]"),
    ({"now": (2, 0)}, r"marks\['now'\] must be a cell of the 2 x 2 grid; got \(2, 0\)"),
    ({"pad": np.zeros((3, 3), bool)}, r"marks\['pad'\] must be a mask of shape \(2, 2\)"),
])
def test_bad_marks_are_refused(marks, match):
    with pytest.raises(ValueError, match=match):
        render.marked_grid(np.zeros((2, 2)), "x", marks)


def test_values_must_be_a_grid():
    with pytest.raises(ValueError, match=r"values must be a 2-D grid; got shape \(3,\)"):
        render.marked_grid(np.zeros(3), "x")


def test_reach_notes_name_the_weights_each_output_meets():
    """A 3 x 3 input, 2 x 2 kernel, valid: the centre cell meets w(x=1,y=1) at output x=0,
    y=0, ..."""
    geometry = convkit.lessons.layer_geometry((3, 3), (2, 2))
    weights = np.array([[1.0, 2.0], [3.0, -4.5]])
    notes = render.reach_notes(convkit.lessons.input_reach(geometry, weights, 1, 1))
    assert notes.tolist() == [["w(x=1,y=1) = −4.5", "w(x=0,y=1) = 3"],
                              ["w(x=1,y=0) = 2", "w(x=0,y=0) = 1"]]
    corner = render.reach_notes(convkit.lessons.input_reach(geometry, weights, 0, 0))
    assert corner.tolist() == [["w(x=0,y=0) = 1", ""], ["", ""]]


def test_reach_notes_sum_two_taps_on_copies_of_one_cell():
    """replicate, 'same', 1 x 3 kernel on a 1 x 2 input: output 0 reads x[0] twice."""
    geometry = convkit.lessons.layer_geometry((1, 2), (1, 3), output="same")
    notes = render.reach_notes(convkit.lessons.input_reach(geometry, [[1.0, 2.0, 4.0]], 0, 0,
                                                           "replicate"))
    # Output 0 reads (x0, x0, x1): x0 meets w0 and w1 (1 + 2); output 1 reads (x0, x1, x1).
    assert notes.tolist() == [["w(x=0,y=0) + w(x=1,y=0) = 3", "w(x=0,y=0) = 1"]]


def test_signed_sum_brackets_negatives():
    assert render.signed_sum([3.0, -1.25, 0.5]) == "3 + (−1.25) + 0.5"
    assert render.signed_sum(np.array([1 / 3]), digits=2) == "0.33"


@pytest.mark.parametrize(("n", "k", "stride", "dilation", "output"), [
    (6, 3, 1, 1, "valid"), (6, 3, 2, 1, "same"), (7, 5, 3, 2, "full"), (2, 3, 1, 3, "valid"),
    (10, 3, 3, 1, "same"),
])
def test_output_size_formula_adds_up(n, k, stride, dilation, output):
    """The numbers put in are the layer's, and the fraction evaluates to the size shown."""
    geometry = convkit.lessons.layer_geometry((n, 4), (k, 3), stride, dilation, output)
    latex = render.output_size_latex(geometry).removesuffix(r"\end{aligned}")
    top, bottom = re.findall(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", latex)[-1]
    terms = re.fullmatch(r"(\d+) \+ (\d+) \+ (\d+) - (\d+)\\cdot(\d+) - 1", top)
    assert terms, top
    assert [int(t) for t in terms.groups()] == [n, geometry.pad_top, geometry.pad_bottom,
                                                dilation, k - 1]
    assert int(bottom) == stride
    size = math.floor((n + geometry.pad_top + geometry.pad_bottom - dilation * (k - 1) - 1)
                      / stride) + 1
    if size > 0:
        assert latex.endswith(f"= {size}")
        assert size == geometry.output_shape[0]
    else:
        assert latex.endswith(r"\text{no output}") and geometry.output_shape[0] == 0
