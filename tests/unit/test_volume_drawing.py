"""The deep-learning page's layer drawn as volumes (pages/views/deep_learning/volumes.py): what
the SVG outlines, the click targets, the words, and the events the browser may send."""

from __future__ import annotations

import re

import numpy as np
import pytest

from convkit import lessons
from pages.views.deep_learning import volumes

CROP = np.random.default_rng(3).integers(0, 256, (6, 6, 3)).astype(float)
NAMES, FILTERS = lessons.rgb_filters()
GEOMETRY = lessons.layer_geometry((6, 6), (3, 3), output="same")
MAPS = lessons.conv_layer(CROP, FILTERS, output="same")


def polygons(svg: str) -> list[dict[str, str]]:
    """Every polygon's attributes."""
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', attributes))
            for attributes in re.findall(r"<polygon ([^>]*)/>", svg)]


def outlined(svg: str) -> set[str]:
    """The points of every polygon outlined in the focus colour."""
    return {p["points"] for p in polygons(svg) if p.get("stroke") == volumes.FOCUS}


def near(row: int, col: int) -> set[tuple[int, int]]:
    """The cells of a 3 x 3 window centred on (row, col) inside the 6 x 6 input, by hand."""
    return {(r, c) for r in range(row - 1, row + 2) for c in range(col - 1, col + 2)
            if 0 <= r < 6 and 0 <= c < 6}


@pytest.mark.parametrize(("row", "col"), [(0, 0), (2, 3), (5, 4)])
def test_the_input_slabs_outline_the_window_of_the_chosen_output(row, col):
    focus = lessons.volume_focus(GEOMETRY, 4, 1, row, col)
    svg = volumes.input_svg(CROP, focus, "input")
    cells = {p["points"]: p for p in polygons(svg) if "stroke" not in p}
    assert len(cells) == 6 * 6 * 3  # every cell of every channel drawn
    # The outlined cells are drawn cells, and in each slab exactly the window's.
    drawing = lessons.stack(6, 6, 3, volumes.CELL, slant=volumes.SLANT * volumes.CELL, margin=1)
    by_points = {volumes._points(drawing.cell_corners(s, x, y), volumes.LABEL_ROOM, 2.0):
                 (s, x, y) for s in range(3) for y in range(6) for x in range(6)}
    assert set(cells) == set(by_points)
    marked = {by_points[p] for p in outlined(svg) if p in by_points}
    assert marked == {(s, c, r) for s in range(3) for r, c in near(row, col)}
    dashed = [p for p in polygons(svg) if "stroke-dasharray" in p]
    assert len(dashed) == 3 * (9 - len(near(row, col)))  # the taps on the zero padding


@pytest.mark.parametrize(("count", "chosen", "row", "col"), [(4, 2, 1, 5), (1, 0, 3, 0)])
def test_every_output_cell_is_a_click_target_and_the_chosen_one_is_outlined(count, chosen, row,
                                                                            col):
    focus = lessons.volume_focus(GEOMETRY, count, chosen, row, col)
    svg = volumes.output_svg(MAPS[:count], focus, "output")
    targets = {(int(p["data-f"]), int(p["data-x"]), int(p["data-y"])): p["points"]
               for p in polygons(svg) if p.get("class") == "ckv-cell"}
    assert set(targets) == {(f, x, y) for f in range(count) for x in range(6) for y in range(6)}
    assert outlined(svg) == {targets[chosen, col, row]}
    cursor = next(p for p in polygons(svg) if p.get("class") == "ckv-cursor")
    assert cursor["points"] == targets[chosen, col, row]


def test_only_the_chosen_filter_is_outlined_and_named():
    svg = volumes.filters_svg(FILTERS[:3], NAMES[:3], 1, "filters")
    assert len(outlined(svg)) == 3  # its three slabs
    assert re.findall(r">(filter \d[^<]*)</text>", svg) == ["filter 1", "filter 2: made it",
                                                             "filter 3"]
    assert len([p for p in polygons(svg) if "stroke" not in p]) == 3 * 27


def test_the_words_say_sizes_and_cells_as_x_and_y():
    focus = lessons.volume_focus(GEOMETRY, 2, 1, 0, 5)
    taken, bank, output = volumes.describe((6, 6, 3), (2, 3, 3, 3), (2, 6, 6), NAMES, focus)
    assert "6 x 6 x 3 (height x width x channels)" in taken
    assert "output x=5, y=0, input x=4..6, y=-1..1; 5 of its 9 taps" in taken
    assert "2 filters, each 3 x 3 x 3" in bank and "filter 2, 'red minus green'" in bank
    assert "Output: 6 x 6 x 2" in output and "map 2, x=5, y=0" in output


@pytest.mark.parametrize("event", [
    None, "cell", {"kind": "click", "filter": 0, "x": 1, "y": 1},
    {"kind": "cell", "filter": 4, "x": 0, "y": 0}, {"kind": "cell", "filter": 0, "x": 6, "y": 0},
    {"kind": "cell", "filter": 0, "x": 0, "y": -1}, {"kind": "cell", "filter": True, "x": 0,
                                                     "y": 0},
    {"kind": "cell", "filter": 0, "x": "1", "y": 0}, {"kind": "cell", "filter": 0, "x": 1.0,
                                                      "y": 0},
    {"kind": "cell", "x": 1, "y": 1},
])
def test_anything_but_a_cell_of_the_output_is_refused(event):
    assert volumes.picked_cell(event, 4, 6, 6) is None


def test_a_cell_of_the_output_is_taken():
    assert volumes.picked_cell({"kind": "cell", "filter": 3, "x": 5, "y": 2}, 4, 6, 6) == (3, 5, 2)
