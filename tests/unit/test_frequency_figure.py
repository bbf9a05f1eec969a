"""The kernel lab's frequency response picture: one fixed scale where 1 means "passes
unchanged", checked against gains worked out from the weights by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import convkit
from pages.views.kernel_lab.properties import GAIN_OCTAVES, frequency_figure


def heatmap(weights):
    return frequency_figure(convkit.lessons.frequency_response(weights, 64)).data[0]


def checkerboard_gain(weights: np.ndarray) -> float:
    """The gain at frequency (-1/2, -1/2) cycles per pixel: the weights summed with
    alternating signs, sum of w[y, x] * (-1)**(x + y)."""
    signs = (-1.0) ** np.add.outer(np.arange(weights.shape[0]), np.arange(weights.shape[1]))
    return abs(float(np.sum(weights * signs)))


@pytest.mark.parametrize("name", ["sharpen", "small_blur", "laplacian", "emboss", "sobel_x"])
def test_every_kernel_is_drawn_on_the_same_scale_centred_on_a_gain_of_one(name):
    trace = heatmap(convkit.BANK[name].weights)
    assert (trace.zmin, trace.zmid, trace.zmax) == (-GAIN_OCTAVES, 0, GAIN_OCTAVES)
    ticks = dict(zip(trace.colorbar.tickvals, trace.colorbar.ticktext, strict=True))
    assert "unchanged" in ticks[0] and "removed" in ticks[-GAIN_OCTAVES]


@pytest.mark.parametrize("name", ["sharpen", "small_blur", "laplacian", "emboss", "sobel_x"])
def test_the_centre_is_the_sum_and_the_corner_the_alternating_sum(name):
    """Zero frequency passes the weights' sum; the finest checkerboard their alternating sum.
    The colour is log2 of the gain within +-4 octaves; the hover keeps the gain itself."""
    weights = convkit.BANK[name].weights
    trace = heatmap(weights)
    z, gain = np.asarray(trace.z), np.asarray(trace.customdata)
    centre, corner = abs(float(weights.sum())), checkerboard_gain(weights)
    assert gain[32, 32] == pytest.approx(centre, abs=1e-12)
    assert gain[0, 0] == pytest.approx(corner, abs=1e-12)
    for value, cell in ((centre, z[32, 32]), (corner, z[0, 0])):
        expected = GAIN_OCTAVES * -1.0 if value < 2.0 ** -GAIN_OCTAVES else min(
            GAIN_OCTAVES, max(-GAIN_OCTAVES, math.log2(value)))
        assert cell == pytest.approx(expected, abs=1e-9)


def test_sharpen_passes_flat_areas_unchanged_and_amplifies_fine_detail():
    """The case the old picture got wrong: sharpen's centre gain is exactly 1 (white, the
    middle of the scale), its finest checkerboard 9 (more than 8: red, three octaves up)."""
    z = np.asarray(heatmap(convkit.BANK["sharpen"].weights).z)
    assert z[32, 32] == pytest.approx(0.0, abs=1e-12)
    assert z[0, 0] == pytest.approx(math.log2(9.0))
