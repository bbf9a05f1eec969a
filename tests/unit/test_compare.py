"""Tests for compare_with_opencv: its counts against cv2.filter2D computed directly."""


import cv2
import numpy as np
import pytest

from convkit import BANK, compare_with_opencv, convolve, to_uint8

from .references import random_image


@pytest.fixture
def gray():
    return random_image(np.random.default_rng(5), (24, 30), np.uint8)


def test_same_settings_as_filter2d_are_identical(gray):
    """reflect_101, correlation, clip, an integer kernel: every byte matches filter2D's."""
    weights = BANK["sobel_x"].weights
    raw = convolve(gray, weights, "reflect_101")
    agreement = compare_with_opencv(gray, weights, raw, "reflect_101", "clip")
    assert agreement.identical and agreement.causes == ()
    assert agreement.total_pixels == gray.size


def test_divide_mapping_counts_match_a_direct_comparison(gray):
    """With divide (offset 128) the differing count equals a direct count against filter2D."""
    weights = BANK["sobel_x"].weights
    raw = convolve(gray, weights, "reflect_101")
    agreement = compare_with_opencv(gray, weights, raw, "reflect_101", "divide", divisor=2,
                                    offset=128)
    reference = cv2.filter2D(gray, -1, weights).astype(int)
    ours = np.clip(np.rint(raw.astype(np.float64) / 2 + 128), 0, 255).astype(int)
    assert agreement.differing_pixels == int((ours != reference).sum()) > 0
    assert agreement.max_abs_diff == int(np.abs(ours - reference).max())
    assert [c.name for c in agreement.causes] == ["mapping"]
    assert "'divide' mapping" in agreement.causes[0].explanation


def test_border_and_flip_are_named_causes(gray):
    """Replicate border plus a flipped asymmetric kernel: both causes, in that order."""
    weights = BANK["sobel_x"].weights
    raw = convolve(gray, weights, "replicate", flip=True)
    agreement = compare_with_opencv(gray, weights, raw, "replicate", "clip", flip=True)
    reference = cv2.filter2D(gray, -1, weights)
    assert agreement.differing_pixels == int((to_uint8(raw) != reference).sum())
    assert [c.name for c in agreement.causes] == ["flip", "border"]


def test_bad_mapping_is_refused_by_name(gray):
    """An unknown mapping raises ValueError naming the parameter and the value."""
    weights = BANK["sobel_x"].weights
    raw = convolve(gray, weights, "reflect_101")
    with pytest.raises(ValueError, match=r"mapping must be one of .*got 'loud'"):
        compare_with_opencv(gray, weights, raw, "reflect_101", "loud")
