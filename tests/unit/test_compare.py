"""Tests for compare_with_opencv: its counts against cv2.filter2D computed directly."""


import cv2
import numpy as np
import pytest
from skimage import data
from skimage.exposure import rescale_intensity

from convkit import BANK, compare_with_opencv, convolve, convolve_loop, to_uint8

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
    """Replicate border plus a flipped asymmetric kernel: flip alone, border alone, and the
    values both change, adding up to the differing count."""
    weights = BANK["sobel_x"].weights
    raw = convolve(gray, weights, "replicate", flip=True)
    agreement = compare_with_opencv(gray, weights, raw, "replicate", "clip", flip=True)
    reference = cv2.filter2D(gray, -1, weights)
    assert agreement.differing_pixels == int((to_uint8(raw) != reference).sum())
    names = [c.name for c in agreement.causes]
    assert set(names) <= {"flip", "border", "flip and border"} and "flip" in names
    assert sum(c.pixels for c in agreement.causes) == agreement.differing_pixels


def _tutorial_bytes(sums: np.ndarray) -> np.ndarray:
    """The tutorial's own last two lines on its float32 output: rescale, then truncate."""
    return (rescale_intensity(sums.astype(np.float32), in_range=(0, 255)) * 255).astype("uint8")


def test_tutorial_groups_are_what_they_say_and_add_up():
    """Tutorial mapping, replicate border, the tutorial's loop: the values that differ from
    filter2D split into the mapping alone (truncating filter2D's own sums differs, filter2D
    with replicate does not), the border alone (the reverse) and both, counted with
    cv2.filter2D under each border and the tutorial's truncation; the three add up."""
    image = data.camera()[::8, ::8].copy()
    # Weights that are sixteenths: every sum is exact in float32, so truncating it is exact.
    weights = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], np.float64) / 16
    loop = convolve_loop(image, weights, "replicate")
    agreement = compare_with_opencv(image, weights, loop, "replicate", "tutorial")

    reference = cv2.filter2D(image, -1, weights)  # reflect_101, rounded
    sums = {border: cv2.filter2D(image.astype(np.float32), -1, weights, borderType=flag)
            for border, flag in (("reflect_101", cv2.BORDER_REFLECT_101),
                                 ("replicate", cv2.BORDER_REPLICATE))}
    differs = _tutorial_bytes(loop) != reference
    by_mapping = _tutorial_bytes(sums["reflect_101"]) != reference
    by_border = cv2.filter2D(image, -1, weights, borderType=cv2.BORDER_REPLICATE) != reference
    expected = {
        "mapping": int((differs & by_mapping & ~by_border).sum()),
        "border": int((differs & by_border & ~by_mapping).sum()),
        "mapping and border": int((differs & ~(by_mapping ^ by_border)).sum()),
    }
    assert all(expected.values())
    assert {c.name: c.pixels for c in agreement.causes} == expected
    assert sum(expected.values()) == agreement.differing_pixels == int(differs.sum())
    assert [c.factors for c in agreement.causes] == [("mapping",), ("border",),
                                                     ("mapping", "border")]
    assert "truncates (rescale then astype('uint8')), filter2D rounds" in (
        agreement.choices["mapping"])


def test_bad_mapping_is_refused_by_name(gray):
    """An unknown mapping raises ValueError naming the parameter and the value."""
    weights = BANK["sobel_x"].weights
    raw = convolve(gray, weights, "reflect_101")
    with pytest.raises(ValueError, match=r"mapping must be one of .*got 'loud'"):
        compare_with_opencv(gray, weights, raw, "reflect_101", "loud")
