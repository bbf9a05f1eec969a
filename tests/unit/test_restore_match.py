"""The text the deconvolution and template matching pages show, from numbers worked by hand."""

from __future__ import annotations

import math

import numpy as np

import convkit
from pages.ui import restore_match as show


def test_score_text_rounds_and_shows_infinity() -> None:
    """Three significant digits; an exact copy of the original scores ∞ dB."""
    assert show.score_text(convkit.lessons.Quality(23.4567, 0.55312)) == "PSNR 23.5 dB, SSIM 0.553"
    assert show.score_text(convkit.lessons.Quality(math.inf, 1.0)) == "PSNR ∞ dB, SSIM 1"


def test_noise_text_multiplies_the_noise_by_each_gain() -> None:
    """Noise 4 through gains of 50 and 1.5 comes out at 200 and 6 gray levels; none: a hint."""
    spectrum = convkit.lessons.NoisePicture(magnitude=np.ones((2, 2)), inverse_gain=np.ones((2, 2)),
                                            wiener_gain=np.ones((2, 2)), near_zero=0.125, noise=4.0,
                                            inverse_factor=50.0, wiener_factor=1.5)
    text = show.noise_text(spectrum)
    assert "**12.5 %** of the frequencies" in text
    assert "multiplies white noise by **50**" in text and "multiplies it by **1.5**" in text
    assert text.endswith("noise of 4 gray levels comes out at **200** and **6**.")
    quiet = convkit.lessons.NoisePicture(spectrum.magnitude, spectrum.inverse_gain,
                                         spectrum.wiener_gain, 0.125, 0.0, 50.0, 1.5)
    assert show.noise_text(quiet).endswith("there is no noise now: move the slider.")


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
