"""Tests for lessons.handwriting (and the map-picture units) against Pillow, scipy.ndimage and
by hand."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw
from scipy import ndimage

from convkit import lessons
from convkit.lessons import handwriting

SEVEN = [[[0.28, 0.15], [0.72, 0.15], [0.42, 0.85]]]
ZERO = [[[0.5 + 0.22 * np.cos(t), 0.5 + 0.35 * np.sin(t)] for t in np.linspace(0, 6.3, 40)]]
FOUR = [[[0.6, 0.15], [0.28, 0.62], [0.75, 0.62]], [[0.6, 0.15], [0.6, 0.85]]]


def pillow_redraw(strokes) -> np.ndarray:
    """The strokes fitted by hand (box of the centre lines to 13 - 1.6 pixels high, at most
    as wide, centred) and drawn by Pillow 8 times larger, then averaged 8 x 8 by scipy."""
    points = np.concatenate([np.asarray(s, float) for s in strokes])
    low, high = points.min(axis=0), points.max(axis=0)
    room = handwriting.DRAWN_HEIGHT - handwriting.DRAWN_LINE
    scale = min(room / (high - low)[1], (handwriting.DRAWN_MAX_WIDTH - handwriting.DRAWN_LINE)
                / (high - low)[0])
    big = Image.new("L", (160, 160), 0)
    draw = ImageDraw.Draw(big)
    for stroke in strokes:
        placed = ((np.asarray(stroke, float) - (low + high) / 2) * scale * 8 + 79.5)
        draw.line([tuple(p) for p in placed], fill=255, width=round(1.6 * 8), joint="curve")
        for x, y in placed[[0, -1]]:  # round ends, as a pen's
            draw.ellipse((x - 6.4, y - 6.4, x + 6.4, y + 6.4), fill=255)
    pixels = np.asarray(big, float) / 255 * handwriting.DRAWN_INK
    return pixels.reshape(20, 8, 20, 8).mean(axis=(1, 3))


@pytest.mark.parametrize("strokes", [SEVEN, ZERO, FOUR], ids=["seven", "zero", "four"])
def test_a_drawing_is_redrawn_as_pillow_draws_it_fitted_by_hand(strokes):
    """Cropped, scaled, centred and redrawn: as much ink as Pillow's drawing (within 3 %), in
    the same box (within a pixel), differing by 0.02 on average (the two draw a line's edge
    pixels a little differently)."""
    picture = lessons.digit_from_strokes(strokes)
    want = pillow_redraw(strokes)
    assert picture.shape == (20, 20) and picture.dtype == np.float32
    assert abs(picture.sum() - want.sum()) <= 0.03 * want.sum()
    assert np.abs(picture - want).mean() < 0.02
    got = ndimage.find_objects((picture > 0.05).astype(int))[0]
    expected = ndimage.find_objects((want > 0.05).astype(int))[0]
    for got_span, want_span in zip(got, expected, strict=True):
        assert abs(got_span.start - want_span.start) <= 1
        assert abs(got_span.stop - want_span.stop) <= 1


def test_the_same_digit_drawn_small_in_a_corner_or_large_gives_the_same_picture():
    """Size and place on the drawing area do not matter: the ink's box is 13 pixels high and
    centred in the 20 x 20 square either way."""
    large = lessons.digit_from_strokes(SEVEN)
    small = lessons.digit_from_strokes([[[0.05 + 0.2 * x, 0.7 + 0.2 * y] for x, y in SEVEN[0]]])
    np.testing.assert_allclose(small, large, atol=0.03)
    # Ink rows: DRAWN_HEIGHT, one more where the edges fall between pixels.
    rows, cols = ndimage.find_objects((large > 0.05).astype(int))[0]
    assert rows.stop - rows.start in (handwriting.DRAWN_HEIGHT, handwriting.DRAWN_HEIGHT + 1)
    assert abs((rows.start + rows.stop - 1) / 2 - 9.5) <= 0.5
    assert abs((cols.start + cols.stop - 1) / 2 - 9.5) <= 0.5


def test_a_wide_drawing_is_shrunk_to_the_widest_width_and_a_dot_is_a_dot():
    """A horizontal bar: 13 pixels wide, a line's height; a single point: a small round dot."""
    bar = lessons.digit_from_strokes([[[0.1, 0.5], [0.9, 0.5]]])
    rows, cols = ndimage.find_objects((bar > 0.05).astype(int))[0]
    assert cols.stop - cols.start in (handwriting.DRAWN_MAX_WIDTH,
                                      handwriting.DRAWN_MAX_WIDTH + 1)
    assert rows.stop - rows.start <= 3
    dot = lessons.digit_from_strokes([[[0.3, 0.3]]])
    assert 0 < (dot > 0.1).sum() <= 9 and dot[9:11, 9:11].max() > 0.3


@pytest.mark.parametrize(("strokes", "match"), [
    ([], "non-empty list of strokes"),
    ("0.5,0.5", "non-empty list of strokes"),
    ({"strokes": 1}, "non-empty list of strokes"),
    ([[]], "stroke 0 must be a non-empty list"),
    ([[[0.5, 0.5]], 3], "stroke 1 must be a non-empty list"),
    ([[[0.5]]], "every point must be two numbers"),
    ([[["0.5", 0.5]]], "every point must be two numbers"),
    ([[[True, 0.5]]], "every point must be two numbers"),
    ([[[0.5, 1.5]]], "from 0 to 1"),
    ([[[0.5, float("nan")]]], "from 0 to 1"),
    ([[[0.5, 0.5]]] * (handwriting.MAX_STROKES + 1), "at most 40 strokes"),
    ([[[0.5, 0.5]] * 2001, [[0.5, 0.5]] * 2000], "at most 4000 points"),
])
def test_a_bad_or_hostile_drawing_is_refused_by_name(strokes, match):
    with pytest.raises(ValueError, match=match):
        lessons.digit_from_strokes(strokes)


@pytest.mark.parametrize("per_row", [None, 1, 2, 3, 5])
def test_every_pixel_of_a_maps_picture_names_its_unit_or_the_gap(per_row):
    """unit_at_picture_pixel over a whole maps_picture of distinct values, in one row or in
    rows of `per_row` maps: each pixel's level is its unit's, the MAP_GAP bands between maps
    and the empty end of a last row are None; unit_picture_centre goes back."""
    values = np.arange(1.0, 61.0).reshape(3, 4, 5)
    scale = 3
    picture = lessons.maps_picture(values, scale, per_row)
    levels = np.rint(values / values.max() * 255)
    across = 3 if per_row is None else min(per_row, 3)
    # Independently: where each map's top-left corner is, from the layout's arithmetic.
    corners = {(c // across * (4 * scale + 2), c % across * (5 * scale + 2)): c for c in range(3)}
    assert picture.shape == (max(t for t, _ in corners) + 4 * scale,
                             max(left for _, left in corners) + 5 * scale)
    for row in range(picture.shape[0]):
        for column in range(picture.shape[1]):
            unit = lessons.unit_at_picture_pixel(column, row, values.shape, scale, per_row)
            inside = [(c, (column - left) // scale, (row - top) // scale)
                      for (top, left), c in corners.items()
                      if 0 <= row - top < 4 * scale and 0 <= column - left < 5 * scale]
            assert unit == (inside[0] if inside else None)
            if unit is not None:
                channel, x, y = unit
                assert picture[row, column] == levels[channel, y, x]
                centre = lessons.unit_picture_centre(channel, x, y, values.shape, scale, per_row)
                assert lessons.unit_at_picture_pixel(*centre, values.shape, scale,
                                                     per_row) == unit
            else:
                assert picture[row, column] == 128
    with pytest.raises(ValueError, match="outside"):
        lessons.unit_at_picture_pixel(picture.shape[1], 0, values.shape, scale, per_row)


def test_maps_per_row_must_be_a_whole_number_from_1():
    for bad in (0, -2, 1.5, True, "6"):
        with pytest.raises(ValueError, match="per_row"):
            lessons.maps_picture(np.ones((2, 3, 3)), 2, bad)
