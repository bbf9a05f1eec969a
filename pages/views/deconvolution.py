"""What the deconvolution page shows beside its pictures: scores, and why the inverse filter
explodes, with |H| and the two filters' gains.

Render only: the numbers come from convkit (through ``pages.ui.cache``); the text builders
are pure and return Markdown.
"""

from __future__ import annotations

import math

import streamlit as st

import convkit
from pages.ui import widgets
from pages.ui.render import number

#: |H| is drawn from 10**-3 (black) to 1 (white); gains from 10**-1 to 10**3.
H_RANGE, GAIN_RANGE = (-3.0, 0.0), (-1.0, 3.0)


def score_text(quality: convkit.lessons.Quality) -> str:
    """'PSNR 23.5 dB, SSIM 0.553' (∞ for a picture equal to the original)."""
    psnr = "∞" if math.isinf(quality.psnr) else number(quality.psnr, 3)
    return f"PSNR {psnr} dB, SSIM {number(quality.ssim, 3)}"


def smaller_text(waiting: int, size: tuple[int, int], full_size: tuple[int, int]) -> str:
    """Why this run works smaller, at which size, and how the full size comes back."""
    runs = "1 visitor's page" if waiting == 1 else f"{waiting} visitors' pages"
    return (f"The server is busy ({runs} waiting behind yours), so this run works at "
            f"**{size[0]} x {size[1]} px** instead of {full_size[0]} x {full_size[1]}: "
            "everyone's result comes within seconds. Full size comes back by itself with "
            "your next change once the line is short, or now with *Full size now* (it waits "
            "its turn).")


def noise_text(spectrum: convkit.lessons.NoisePicture) -> str:
    """Why the inverse filter explodes, in the spectrum's own numbers (Markdown)."""
    noise = spectrum.noise
    after = (f"so noise of {number(noise, 3)} gray levels comes out at "
             f"**{number(spectrum.inverse_noise, 3)}** and "
             f"**{number(spectrum.wiener_noise, 3)}**."
             if noise else "there is no noise now: move the slider.")
    return (
        f"The kernel's response |H| is below {number(convkit.lessons.NEAR_ZERO)} on "
        f"**{number(100 * spectrum.near_zero, 3)} %** of the frequencies. The inverse filter "
        f"multiplies each frequency by 1/|H|, which multiplies white noise by "
        f"**{number(spectrum.inverse_factor, 3)}**; Wiener's gain stays small where |H| is, and "
        f"multiplies it by **{number(spectrum.wiener_factor, 3)}**: " + after
    )


def noise_explained(spectrum: convkit.lessons.NoisePicture) -> None:
    """The text, then |H| and the two filters' gains side by side on log scales."""
    st.markdown(noise_text(spectrum))
    pictures = st.columns(3)
    with pictures[0]:
        widgets.show_image(convkit.lessons.log_picture(spectrum.magnitude, *H_RANGE),
                           "|H| of the kernel, zero frequency in the middle (log scale: black "
                           "0.001, white 1)",
                           alt="The magnitude |H| of the assumed kernel's spectrum, zero "
                               "frequency in the middle, log scale from black 0.001 to white 1")
    with pictures[1]:
        widgets.show_image(convkit.lessons.log_picture(spectrum.inverse_gain, *GAIN_RANGE),
                           "Inverse filter's gain 1/|H| (log: black 0.1, white 1000 or more)",
                           alt="The inverse filter's gain 1/|H| over the frequencies, log "
                               "scale from black 0.1 to white 1000 or more")
    with pictures[2]:
        widgets.show_image(convkit.lessons.log_picture(spectrum.wiener_gain, *GAIN_RANGE),
                           "Wiener's gain, same scale: it never gets large",
                           alt="Wiener's gain over the frequencies, on the same log scale; it "
                               "stays small where the inverse filter's explodes")
