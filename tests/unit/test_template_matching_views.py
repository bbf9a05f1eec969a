"""pages/views/template_matching: the text the template matching page shows, from numbers
worked by hand."""

from __future__ import annotations

import numpy as np

import convkit
from pages.views.template_matching import maps as show


def test_match_texts_from_a_hand_checked_breakdown() -> None:
    """The patch eye(3) at 2 x eye(3) + 1: sum 9, numerator 4, NCC 1; a flat region gets the
    note that OpenCV gives 0."""
    image = np.ones((5, 5))
    image[:3, :3] += 2 * np.eye(3)
    b = convkit.lessons.explain_match(image, np.eye(3), x=1, y=1)
    text = show.ncc_text(b)
    assert "Σ (r − r̄)(t − t̄) = 4;" in text and text.endswith("= **1**")
    flat = convkit.lessons.explain_match(np.ones((5, 5)), np.eye(3), x=3, y=3)
    assert show.ncc_text(flat).endswith("= **0** (a flat region: OpenCV gives 0)")
    maps = convkit.lessons.match_maps(image, np.eye(3))
    summary = show.match_summary(maps, b, b, expected=(1, 1))
    assert summary.startswith("Normalized best match (green) at **x=1, y=1**, score **1**; "
                              "the patch is really at x=1, y=1.")
    assert "where the region's mean is 1.67 against 1.67" in summary
    assert "the patch is really" not in show.match_summary(maps, b, b, expected=None)
