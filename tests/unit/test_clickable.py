"""pages/ui/clickable.py: the events a clickable picture may send, turned into image pixels.

The events are whatever a browser (or someone imitating one over the WebSocket) sends, so
every malformed one must be refused, never raise. Where an event lands is worked out by hand.
"""

from __future__ import annotations

import doctest
import math

import pytest

from pages.ui import clickable
from pages.ui.clickable import dragged_pixels, picked_pixel


def test_doctests():
    assert doctest.testmod(clickable).failed == 0


def test_a_click_lands_on_the_pixel_under_it():
    """A 512 x 384 map shown 300 px wide: the click at (100.2, 50) is on pixel
    (floor(100.2 * 512 / 300), floor(50 * 384 / 225)) = (171, 85)."""
    event = {"kind": "click", "x": 100.2, "y": 50, "width": 300, "height": 225}
    assert picked_pixel(event, 512, 384) == (171, 85)


def test_a_key_pick_is_the_pixel_itself_clamped_to_the_picture():
    assert picked_pixel({"kind": "key", "x": 12, "y": 7}, 20, 10) == (12, 7)
    assert picked_pixel({"kind": "key", "x": 12.0, "y": 70}, 20, 10) == (12, 9)
    assert picked_pixel({"kind": "key", "x": -3, "y": 0}, 20, 10) == (0, 0)


def test_a_drag_gives_both_ends_and_is_no_pick():
    """A drag on a 100 x 50 picture shown at 200 x 100 px, ending past its right edge."""
    event = {"kind": "drag", "x1": 20, "y1": 10, "x2": 250, "y2": 41, "width": 200,
             "height": 100}
    assert dragged_pixels(event, 100, 50) == (10, 5, 99, 20)
    assert picked_pixel(event, 100, 50) is None
    assert dragged_pixels({"kind": "click", "x": 1, "y": 1, "width": 2, "height": 2}, 9, 9) is None


@pytest.mark.parametrize("event", [
    None, "click", [], {}, {"kind": "teleport", "x": 1, "y": 1},
    {"kind": "key", "x": 1}, {"kind": "key", "x": 1.5, "y": 2}, {"kind": "key", "x": True, "y": 2},
    {"kind": "key", "x": 10**30, "y": 2}, {"kind": "key", "x": math.nan, "y": 2},
    {"kind": "key", "x": math.inf, "y": 2},
    {"kind": "click", "x": 1, "y": 1, "width": 0, "height": 5},
    {"kind": "click", "x": "1", "y": 1, "width": 5, "height": 5},
    {"kind": "click", "x": math.nan, "y": 1, "width": 5, "height": 5},
    {"kind": "drag", "x1": 1, "y1": 1, "x2": 2, "y2": None, "width": 5, "height": 5},
])
def test_malformed_events_are_refused(event):
    assert picked_pixel(event, 10, 10) is None
    assert dragged_pixels(event, 10, 10) is None
