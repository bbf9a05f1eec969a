"""The inspector's browser view: the data it is sent and the events it may send back.

The events are whatever a browser (or someone imitating one over the WebSocket) sends, so
every malformed one must be refused, never raise. Where an event lands is worked out by hand.
"""

from __future__ import annotations

import base64
import math

import numpy as np
import pytest

import convkit
from convkit.explain import FOOTPRINT, PADDING_TINT, SELECTED
from pages.views.pixel_inspector import pixel_view
from pages.views.pixel_inspector.pixel_view import overview_data, pixel_from_event, zoom_data


@pytest.mark.parametrize(("step", "start", "expected"), [
    ([1, 0], (446, 3), (447, 3)),
    ([1, 0], (447, 3), (447, 3)),    # the right edge of a 448-wide image: stays put
    ([0, -1], (447, 0), (447, 0)),   # the top edge
    ([-1, 1], (0, 5), (0, 6)),
    ([1.0, 0.0], (10, 10), (11, 10)),  # JSON numbers may arrive as floats
])
def test_steps_move_one_pixel_and_stop_at_the_edge(step, start, expected):
    assert pixel_from_event({"step": step}, start, 448, 512) == expected


def test_an_overview_click_lands_on_the_pixel_under_it():
    """A 512 x 512 image shown 420 px wide: the click at (126.5, 300) is on pixel
    (floor(126.5 * 512 / 420), floor(300 * 512 / 420)) = (154, 365)."""
    event = {"picture": "overview", "x": 126.5, "y": 300, "width": 420, "height": 420}
    assert pixel_from_event(event, (0, 0), 512, 512) == (154, 365)


def test_a_zoom_click_is_read_against_the_window_as_drawn():
    """A 25-cell window from (-3, -3), shown 400 px: the click at (24, 24) is on cell (1, 1),
    the padding cell (-2, -2), clamped to the corner pixel; at (200, 104) on cell (12, 6)."""
    window = [-3, -3, 25, 25]
    corner = {"picture": "zoom", "x": 24, "y": 24, "width": 400, "height": 400,
              "window": window}
    assert pixel_from_event(corner, (2, 2), 384, 303) == (0, 0)
    inside = {**corner, "x": 200, "y": 104}
    assert pixel_from_event(inside, (2, 2), 384, 303) == (-3 + 12, -3 + 6)


@pytest.mark.parametrize("event", [
    None, "left", 7, [], {}, {"step": None}, {"step": [1]}, {"step": [1, 0, 0]},
    {"step": [2, 0]}, {"step": [0.5, 0]}, {"step": [True, 0]}, {"step": ["1", "0"]},
    {"step": [math.nan, 0]}, {"step": [math.inf, 0]}, {"step": {"x": 1}},
    {"picture": "overview"}, {"picture": "overview", "x": 1, "y": 1, "width": 0, "height": 9},
    {"picture": "overview", "x": math.nan, "y": 1, "width": 9, "height": 9},
    {"picture": "overview", "x": "1", "y": 1, "width": 9, "height": 9},
    {"picture": "overview", "x": 1e308, "y": 1, "width": 1e-308, "height": 9},
    {"picture": "zoom", "x": 1, "y": 1, "width": 9, "height": 9},
    {"picture": "zoom", "x": 1, "y": 1, "width": 9, "height": 9, "window": [0, 0, 0, 5]},
    {"picture": "zoom", "x": 1, "y": 1, "width": 9, "height": 9, "window": [0, 0, 65, 5]},
    {"picture": "zoom", "x": 1, "y": 1, "width": 9, "height": 9, "window": [10**9, 0, 5, 5]},
    {"picture": "zoom", "x": 1, "y": 1, "width": 9, "height": 9, "window": "0,0,5,5"},
    {"picture": "elsewhere", "x": 1, "y": 1, "width": 9, "height": 9},
])
def test_malformed_events_are_refused(event):
    assert pixel_from_event(event, (4, 4), 10, 10) is None


def test_overview_box_is_the_window_clipped_to_the_image_as_fractions():
    """A window from (-3, 100) 25 cells a side, in a 200 x 400 image: rows 0..21, columns
    100..124."""
    data = overview_data("data:,", "d", 200, 400, convkit.explain.Window(-3, 100, 25, 25), 420, "c",
                         alt="a")
    assert data["box"] == pytest.approx([100 / 200, 0.0, 25 / 200, 22 / 400])
    assert data["colour"] == list(SELECTED) and data["width"] == 420


def test_zoom_data_is_the_windows_own_pixels_with_the_padding_tinted():
    """The bytes sent are the window cut from np.pad's constant padding, padded cells moved
    half-way to the tint; the marks are the footprint and the pixel, in cells."""
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (30, 40), dtype=np.uint8)
    window = convkit.explain.Window(-3, -3, 25, 25)
    padded = np.pad(image, 3, constant_values=9)[:25, :25]
    outside = np.zeros((25, 25), bool)
    outside[:3, :] = outside[:, :3] = True
    data = zoom_data(padded, outside, window, 1, 2, (3, 5), 420, "c", label="l")

    sent = np.frombuffer(base64.b64decode(data["rgb"]), np.uint8).reshape(25, 25, 3)
    rgb = np.repeat(padded[..., None], 3, axis=2).astype(float)
    rgb[outside] = np.rint(rgb[outside] + 0.5 * (np.array(PADDING_TINT) - rgb[outside]))
    np.testing.assert_array_equal(sent, rgb.astype(np.uint8))
    assert (data["rows"], data["cols"], data["factor"]) == (25, 25, 16)  # 420 // 25
    assert data["window"] == [-3, -3, 25, 25] and data["grid"] == list(pixel_view.GRID)
    # Pixel (1, 2) is cell (row 5, column 4); the 3 x 5 footprint starts 1 row, 2 columns up.
    assert data["marks"] == [{"cells": [4, 2, 3, 5], "colour": list(FOOTPRINT), "lining": True},
                             {"cells": [5, 4, 1, 1], "colour": list(SELECTED), "lining": False}]


def test_a_coarse_zoom_has_no_grid():
    """Cells under 6 screen pixels get no grid (as convkit.explain.magnify draws them)."""
    crop = np.zeros((64, 64), np.uint8)
    data = zoom_data(crop, np.zeros((64, 64), bool), convkit.explain.Window(0, 0, 64, 64), 30, 30,
                     (31, 31), 320, "c", label="l")
    assert data["factor"] == 5 and data["grid"] is None


@pytest.mark.parametrize("state", [None, "held", 7, [], {}, {"held": None}, {"held": 5},
                                   {"held": ["a"]}, {"held": {"a": 1}}, {"held": "x" * 65}])
def test_a_held_digest_is_a_short_string_or_nothing(state):
    """Whatever a page (or an imitation) says it holds, only a short string is believed."""
    assert pixel_view.held_digest(state) is None


def test_a_held_digest_is_believed():
    digest = "0123456789abcdef" * 2
    assert pixel_view.held_digest({"held": digest}) == digest
