"""pages/views/deconvolution.py: the text the deconvolution page shows, from numbers worked by
hand."""

from __future__ import annotations

import math

import numpy as np

import convkit
from pages.views import deconvolution as show


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


def test_smaller_text_says_why_at_which_size_and_how_full_size_comes_back():
    """One visitor waiting and twenty, by hand: the sizes as width x height."""
    one = show.smaller_text(1, (256, 192), (512, 384))
    assert one.startswith("The server is busy (1 visitor's page waiting behind yours), so "
                          "this run works at **256 x 192 px** instead of 512 x 384")
    assert "Full size comes back by itself with your next change" in one
    assert "*Full size now*" in one
    assert "(20 visitors' pages waiting" in show.smaller_text(20, (128, 128), (512, 512))
