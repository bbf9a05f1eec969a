"""pages/ui/render.py: the text and HTML people read, and the inspector's pictures in convkit."""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

import convkit
from pages.ui import render


@pytest.mark.parametrize("value, shown", [
    (4.72e-15, "0"), (-3e-13, "0"), (0.0, "0"), (1 / 9, "0.1111"), (-0.5, "−0.5"),
    (123456.0, "1.235e+05"), (2.0, "2"),
])
def test_number_rounds_for_people(value, shown):
    assert render.number(value) == shown


def test_sum_equation_is_the_weighted_sum_written_out():
    """Each term is weight × value; the bold total is what the caller passes."""
    weights = np.array([[1.0, -1.0, 0.5]])
    roi = np.array([[10, 4, 6]])
    text = render.sum_equation(weights, roi, float((weights * roi).sum()))
    assert text == "1×10 + (−1)×4 + 0.5×6 = **9**"


def test_long_sums_keep_their_first_and_last_terms():
    weights, roi = np.ones((9, 9)), np.arange(81).reshape(9, 9)
    text = render.sum_equation(weights, roi, float(roi.sum()), max_terms=25)
    assert text.startswith("1×0 + 1×1 + ") and "… 58 more terms …" in text
    assert text.endswith("1×79 + 1×80 = **3240**")


def test_number_grid_writes_every_value_and_marks_the_centre():
    values = np.array([[1.0, -2.0, 3.0], [4.0, 5e-14, 6.0], [7.0, 8.0, 9.5]])
    grid = render.number_grid(values, css=False)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", grid)
    assert cells == ["", "1", "−2", "3", "4", "0", "6", "7", "8", "9.5"]  # "" is the corner
    assert grid.count('class="centre"') == 1
    assert "<style>" not in grid and "<style>" in render.number_grid(values)


def test_number_grid_is_a_table_with_a_caption_and_offset_headers():
    """A screen reader reads each number with its caption and its x and y offsets."""
    grid = render.number_grid(np.ones((3, 5)), css=False, caption="2. <Weights>")
    assert "<caption>2. &lt;Weights&gt;</caption>" in grid
    columns = re.findall(r'<th scope="col"><span class="ck-sr">(x offset )</span>([^<]+)</th>',
                         grid)
    rows = re.findall(r'<th scope="row"><span class="ck-sr">(y offset )</span>([^<]+)</th>',
                      grid)
    assert [shown for _, shown in columns] == ["−2", "−1", "0", "+1", "+2"]
    assert [shown for _, shown in rows] == ["−1", "0", "+1"]


def test_a_grid_too_big_for_numbers_has_them_on_demand():
    """A 21 x 21 heat map is colour only, hidden from screen readers, and followed by a table
    of its 441 numbers in a details element; never only in tooltips."""
    values = np.arange(441, dtype=float).reshape(21, 21)
    grid = render.number_grid(values, coloured=True, css=False, caption="big")
    colour_only, numbers = grid.split("<details", 1)
    assert 'aria-hidden="true"' in colour_only and "<summary>The 21 x 21 numbers of big" in numbers
    shown = re.findall(r"<td[^>]*>([^<]*)</td>", numbers)[1:]
    assert [float(v) for v in shown] == values.ravel().tolist()


def wcag_contrast(first: str, second: tuple[int, int, int]) -> float:
    """WCAG 2.1's contrast ratio, from its definition (not the code's)."""
    def luminance(rgb):
        def linear(c):
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (linear(float(c)) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    text = {"#000": (0, 0, 0), "#fff": (255, 255, 255)}[first]
    high, low = sorted((luminance(text), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_heat_map_numbers_contrast_at_least_4_5_with_their_cell():
    """Every cell colour of the diverging map, from −limit to +limit: its number's colour
    (read from the HTML) contrasts 4.5:1 or more; the lowest is about 4.6:1."""
    values = np.linspace(-1, 1, 401).reshape(1, -1)
    grid = render.number_grid(values, coloured=True, numbered=True, css=False)
    styles = re.findall(r"background:rgb\((\d+),(\d+),(\d+)\);color:(#[0-9a-f]{3})", grid)
    assert len(styles) == 401
    ratios = [wcag_contrast(text, (int(r), int(g), int(b))) for r, g, b, text in styles]
    assert min(ratios) >= 4.5


def test_steps_table_escapes_what_it_is_given():
    table = render.steps_table([("sum", "<b>x</b>", "1")])
    assert html.escape("<b>x</b>") in table and "<b>x</b>" not in table


def test_padding_notes_name_each_padded_cell_and_its_source():
    """At x=4, y=0 of a 5 x 5 image with replicate padding, 5 of 9 cells come from padding:
    the region's top-right cell (x=2, y=0) lies at x=5, y=-1 and copies pixel x=4, y=0, as
    numpy.pad's edge mode says; named (x, y), never (row, column)."""
    image = np.arange(1, 26, dtype=np.float64).reshape(5, 5)
    breakdown = convkit.explain_pixel(image, np.ones((3, 3)), 4, 0, "replicate")
    text = render.padding_notes(breakdown, "repeat the edge")
    assert text.startswith("Near the border: 5 of the 9 cells come from replicate padding")
    rows = np.pad(np.arange(5), 1, mode="edge")  # source of padded row y+1, column x+1
    assert (f"the region's cell x=2, y=0 lies outside the image, at x=5, y=-1: copied from "
            f"pixel x={rows[5 + 1]}, y={rows[-1 + 1]}") in text
    inside = convkit.explain_pixel(image, np.ones((3, 3)), 2, 2, "replicate")
    assert render.padding_notes(inside, "repeat the edge") == ""


def test_image_yx_agrees_with_where_the_loop_reads():
    """The cells' image positions, against a direct offset computation."""
    image = np.zeros((6, 7))
    why = convkit.explain_pixel(image, np.ones((3, 5)), 6, 0, "reflect_101")
    rows, cols = np.mgrid[-1:2, 4:9]
    np.testing.assert_array_equal(why.image_yx[..., 0], rows)
    np.testing.assert_array_equal(why.image_yx[..., 1], cols)


def test_how_computed_says_what_filter2d_and_the_engine_do():
    description = convkit.core.describe_route(convkit.BANK["large_blur"].weights, np.uint8,
                                              "replicate", image_shape=(512, 512))
    text = render.how_computed("large_blur", description)
    assert "**DFT**" in text and "441 cells" in text
    assert f"route **{description.route}**" in text


def test_zoom_picture_marks_the_pixel_the_footprint_and_the_padding():
    """Corners of the red pixel square and the yellow footprint where the geometry puts them;
    padded cells tinted towards blue; the picture enlarged by a whole factor."""
    crop = np.full((25, 25), 100, np.uint8)
    outside = np.zeros_like(crop, dtype=bool)
    outside[:, :3] = True  # the first three columns lie past the image's left edge
    window = convkit.explain.Window(0, -3, 25, 25)
    x, y, factor = 9, 12, 10  # pixel (9, 12) is column 12 of the crop
    big = convkit.explain.zoom_picture(crop, outside, window, x, y, (3, 5), 250)
    assert big.shape == (250, 250, 3)
    col, row = (x - window.left) * factor, (y - window.top) * factor
    assert big[row, col].tolist() == list(convkit.explain.SELECTED)
    top, left = row - 1 * factor, col - 2 * factor
    assert big[top, left].tolist() == list(convkit.explain.FOOTPRINT)
    assert big[top + 3 * factor - 1, left + 5 * factor - 1].tolist() == list(
        convkit.explain.FOOTPRINT)
    padded, inside = big[100 + 5, 5], big[100 + 5, 200 + 5]
    assert padded[2] > padded[0] and inside[0] == inside[2]


def test_zoom_window_reaches_past_the_edge_by_half_the_kernel_plus_two():
    assert convkit.explain.zoom_window((7, 7), 0, 0, 100, 100).top == -(7 // 2 + 2)
    assert convkit.explain.zoom_window((31, 31), 50, 50, 100, 100).height == 37
    assert convkit.explain.zoom_window((3, 3), 50, 50, 100, 100).width == 25


def test_overview_of_a_small_picture_is_enlarged_pixel_by_pixel():
    small = np.arange(12, dtype=np.uint8).reshape(3, 4)
    shown = convkit.explain.overview_picture(small, 16)
    np.testing.assert_array_equal(shown[..., 0], np.kron(small, np.ones((4, 4), np.uint8)))


def test_kernel_label_is_name_and_size():
    """Hand table: a Kernel, an array and a shape give the text widgets and load tests use."""
    assert render.kernel_label("sharpen", convkit.BANK["sharpen"]) == "sharpen (3x3)"
    assert render.kernel_label("my edge", np.zeros((3, 5))) == "my edge (3x5)"
    assert render.kernel_label("gauss31", (31, 31)) == "gauss31 (31x31)"
