"""Tests for picking: from a click on a scaled picture to the pixel, and the window around it."""


import numpy as np
import pytest

from convkit import explain
from convkit.explain import shown_to_pixel, window_around


@pytest.mark.parametrize("factor", [0.25, 0.5, 1.0, 3.0, 7.5])
def test_every_pixel_centre_maps_back_to_its_pixel(factor):
    """At any scale, a click on the centre of a shown pixel gives that pixel."""
    width, height = 13, 9
    for x in range(width):
        for y in range(height):
            click = ((x + 0.5) * factor, (y + 0.5) * factor)
            assert shown_to_pixel(*click, width * factor, height * factor, width,
                                  height) == (x, y)


def test_clicks_past_the_edges_clamp():
    """A hair outside the picture, on either side, is the edge pixel."""
    assert shown_to_pixel(-0.3, 300.2, 400, 300, 1000, 750) == (0, 749)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_clicks_are_refused(bad):
    """A malformed event from the browser raises ValueError, which the page ignores."""
    with pytest.raises(ValueError, match="must be finite"):
        shown_to_pixel(bad, 0, 400, 300, 1000, 750)
    with pytest.raises(ValueError, match="size positive"):
        shown_to_pixel(1, 1, 0, 300, 1000, 750)


def test_window_stays_within_the_margin():
    """Centred where it can be; at the edges shifted to reach at most `margin` past them."""
    assert window_around(50, 40, 100, 80, 9) == explain.Window(36, 46, 9, 9)
    assert window_around(99, 79, 100, 80, 9, margin=3) == explain.Window(74, 94, 9, 9)
    small = window_around(1, 1, 4, 3, 25, margin=2)
    assert (small.height, small.width) == (7, 8)
    window = window_around(0, 0, 10, 10, 5)
    assert all(window.contains(x, y) for x in range(3) for y in range(3))
    assert not window.contains(5, 0)
    assert np.array([window.top, window.left]).min() >= 0
