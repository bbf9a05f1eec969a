"""What the deconvolution and template matching pages show: scores, spectra, maps, breakdowns.

Render only: the numbers come from convkit (through ``pages.ui.cache``); the text builders
are pure and return Markdown.
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

import convkit
from pages.ui import widgets
from pages.ui.render import GRID_MAX_NUMBERED_CELLS, number, number_grid

#: |H| is drawn from 10**-3 (black) to 1 (white); gains from 10**-1 to 10**3.
H_RANGE, GAIN_RANGE = (-3.0, 0.0), (-1.0, 3.0)

NCC_BEST = (40, 200, 60)    # best normalized match
PLAIN_BEST = (255, 40, 40)  # best plain correlation
POINT = (60, 140, 255)      # the position broken down
#: Lines on the three small pictures: they are shown at about a third of their size.
MAP_LINE = 4
#: Breakdown pictures of big patches are magnified to about this many pixels.
MAGNIFIED = 240


# ------------------------------------------------------------------------ deconvolution


def score_text(quality: convkit.lessons.Quality) -> str:
    """'PSNR 23.5 dB, SSIM 0.553' (∞ for a picture equal to the original)."""
    psnr = "∞" if math.isinf(quality.psnr) else number(quality.psnr, 3)
    return f"PSNR {psnr} dB, SSIM {number(quality.ssim, 3)}"


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
                           "0.001, white 1)")
    with pictures[1]:
        widgets.show_image(convkit.lessons.log_picture(spectrum.inverse_gain, *GAIN_RANGE),
                           "Inverse filter's gain 1/|H| (log: black 0.1, white 1000 or more)")
    with pictures[2]:
        widgets.show_image(convkit.lessons.log_picture(spectrum.wiener_gain, *GAIN_RANGE),
                           "Wiener's gain, same scale: it never gets large")


# -------------------------------------------------------------------- template matching


def match_summary(maps: convkit.lessons.MatchMaps, fooled: convkit.lessons.MatchBreakdown,
                  found: convkit.lessons.MatchBreakdown, expected: tuple[int, int] | None) -> str:
    """Where each map's best match is, and why plain correlation's lies elsewhere (Markdown).

    `fooled` and `found` are the breakdowns at the plain and the normalized best matches;
    `expected` is where the patch really is in the searched image, when known.
    """
    return (
        f"Normalized best match (green) at **x={maps.ncc_best[0]}, y={maps.ncc_best[1]}**, "
        f"score **{number(maps.ncc_score, 3)}**"
        + ("" if expected is None else
           f"; the patch is really at x={expected[0]}, y={expected[1]}")
        + f". Plain correlation's best (red) at **x={maps.plain_best[0]}, "
        f"y={maps.plain_best[1]}**, where the region's mean is {number(fooled.region_mean, 3)} "
        f"against {number(found.region_mean, 3)} at the normalized match: a brighter region "
        f"gives a larger sum whatever it shows (normalized score there: "
        f"{number(fooled.ncc, 3)})."
    )


def match_pictures(target: np.ndarray, label: str, maps: convkit.lessons.MatchMaps,
                   shape: tuple[int, int], point: tuple[int, int]) -> None:
    """The searched image with both best matches, and the two maps (clickable), in a row.

    The maps are ``match_map_plain`` and ``match_map_ncc``: read their clicks with
    ``clicks.new_click`` before this draws them.
    """
    row = st.columns(3)
    with row[0]:
        widgets.show_image(convkit.lessons.mark_patches(target,
                                                        [(maps.plain_best, shape, PLAIN_BEST),
                                                         (maps.ncc_best, shape, NCC_BEST)],
                                                        MAP_LINE),
                           f"{label}: green the normalized match, red plain correlation's")
    for column, values, best, colour, key, caption in (
            (row[1], maps.plain, maps.plain_best, PLAIN_BEST, "match_map_plain",
             "Plain correlation map, sum(region × patch): click a point"),
            (row[2], maps.ncc, maps.ncc_best, NCC_BEST, "match_map_ncc",
             "Normalized map, -1..1 (gray where the patch sticks out): click a point")):
        with column:
            st.caption(caption)
            streamlit_image_coordinates(
                convkit.lessons.mark_patches(convkit.lessons.map_picture(values),
                                             [(best, shape, colour), (point, (15, 15), POINT)],
                                             MAP_LINE),
                key=key, cursor="crosshair", width="stretch")


def _cells(title: str, values: np.ndarray, numbered: bool, *, picture: bool = False) -> None:
    """A titled grid of numbers; a big region or patch as a magnified picture instead."""
    st.markdown(f"**{title}**")
    if picture and not numbered:
        factor = max(1, MAGNIFIED // max(values.shape))
        st.image(convkit.explain.magnify(np.clip(values, 0, 255).astype(np.uint8), factor,
                                         grid=False), width="stretch")
    else:
        st.html(number_grid(values, coloured=not picture, numbered=numbered))


def ncc_text(b: convkit.lessons.MatchBreakdown) -> str:
    """The normalized cross-correlation at one point, worked out (Markdown)."""
    return (
        f"**4.** Σ (r − r̄)(t − t̄) = {number(b.numerator, 4)}; "
        f"‖r − r̄‖ = {number(b.region_norm, 4)}, ‖t − t̄‖ = {number(b.patch_norm, 4)}\n\n"
        f"**NCC** = {number(b.numerator, 4)} / ({number(b.region_norm, 4)} × "
        f"{number(b.patch_norm, 4)}) = **{number(b.ncc, 4)}**"
        + (" (a flat region: OpenCV gives 0)" if b.region_norm == 0 else "")
    )


def match_breakdown(b: convkit.lessons.MatchBreakdown, maps: convkit.lessons.MatchMaps) -> None:
    """Both correlations at one point, step by step, in two tabs."""
    st.subheader(f"At x={b.x}, y={b.y} (blue)")
    numbered = b.region.size <= GRID_MAX_NUMBERED_CELLS
    if not numbered:
        st.caption(f"{b.patch.shape[1]} x {b.patch.shape[0]} cells: region and patch as "
                   "pictures, products as colours (hover a cell for its value); a patch of at "
                   "most 11 x 11 shows every number.")
    plain_tab, ncc_tab = st.tabs(["Plain correlation", "Normalized cross-correlation"])
    with plain_tab:
        cells = st.columns(3)
        with cells[0]:
            _cells("1. Region under the patch", b.region, numbered, picture=True)
        with cells[1]:
            _cells("2. The patch (the kernel's weights)", b.patch, numbered, picture=True)
        with cells[2]:
            _cells("3. Products region × patch", b.products, numbered)
        st.markdown(f"**4. Sum of the products** = **{number(b.total, 6)}** (the plain map's "
                    f"value here; its largest is {number(maps.plain_score, 6)}).")
    with ncc_tab:
        cells = st.columns(3)
        with cells[0]:
            _cells(f"1. Region − its mean {number(b.region_mean, 4)}", b.region_centred,
                   numbered)
        with cells[1]:
            _cells(f"2. Patch − its mean {number(b.patch_mean, 4)}", b.patch_centred, numbered)
        with cells[2]:
            _cells("3. Products of the two", b.centred_products, numbered)
        st.markdown(ncc_text(b))
        st.caption(f"cv2.matchTemplate gives {number(float(maps.ncc[b.y, b.x]), 4)} here.")
