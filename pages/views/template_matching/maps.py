"""What the template matching page shows: the summary, the searched image and both maps, and
the breakdown at one point.

Render only: the numbers come from convkit (through ``pages.ui.cache``); the text builders
are pure and return Markdown.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

import convkit
from pages.ui import cache, clickable, widgets
from pages.ui.render import GRID_MAX_NUMBERED_CELLS, number, number_grid

NCC_BEST = (40, 200, 60)    # best normalized match
PLAIN_BEST = (255, 40, 40)  # best plain correlation
POINT = (60, 140, 255)      # the position broken down
#: Lines on the three small pictures: they are shown at about a third of their size.
MAP_LINE = 4
#: The point broken down, as the maps' marker: the keyboard moves it, Enter picks it.
POINT_MARKER = clickable.Marker((15, 15), POINT, MAP_LINE, "blue box")
#: Breakdown pictures of big patches are magnified to about this many pixels.
MAGNIFIED = 240


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

    The maps are the clickable pictures ``match_map_plain`` and ``match_map_ncc``: a pick on
    either (pointer or keyboard) becomes the point broken down (``match_point``), before the
    rerun that draws it.
    """
    row = st.columns(3)
    with row[0]:
        widgets.show_image(convkit.lessons.mark_patches(target,
                                                        [(maps.plain_best, shape, PLAIN_BEST,
                                                          True),
                                                         (maps.ncc_best, shape, NCC_BEST)],
                                                        MAP_LINE),
                           f"{label}: green solid box the normalized match, red dashed box "
                           "plain correlation's",
                           alt=f"{label} with two boxes: the normalized best match at "
                               f"x={maps.ncc_best[0]}, y={maps.ncc_best[1]} (green, solid line) "
                               f"and plain correlation's best at x={maps.plain_best[0]}, "
                               f"y={maps.plain_best[1]} (red, dashed line)")
    height, width = maps.ncc.shape
    at = f"the blue box marks the point broken down, x={point[0]}, y={point[1]}"
    for column, values, best, colour, key, caption, alt in (
            (row[1], maps.plain, maps.plain_best, PLAIN_BEST, "match_map_plain",
             "Plain correlation map, sum(region × patch): click a point",
             f"Plain correlation map over {label}, {width} x {height} px, brighter where the "
             f"sum region × patch is larger; the red dashed box marks its largest, at "
             f"x={maps.plain_best[0]}, y={maps.plain_best[1]}; {at}"),
            (row[2], maps.ncc, maps.ncc_best, NCC_BEST, "match_map_ncc",
             "Normalized map, -1..1 (gray where the patch sticks out): click a point",
             f"Normalized cross-correlation map over {label}, {width} x {height} px, black -1 "
             f"to white 1, gray where the patch sticks out; the green box marks the best "
             f"match, x={maps.ncc_best[0]}, y={maps.ncc_best[1]}, score "
             f"{number(maps.ncc_score, 3)}; {at}")):
        with column:
            st.caption(caption)
            picture = convkit.lessons.mark_patches(convkit.lessons.map_picture(values),
                                                   [(best, shape, colour,
                                                     colour == PLAIN_BEST)], MAP_LINE)
            clickable.show(key, cache.Pixels.of(picture), alt=alt, point=point,
                           marker=POINT_MARKER, stretch=True,
                           on_pick=functools.partial(_take_pick, key, (height, width)))


def _take_pick(key: str, shape: tuple[int, int]) -> None:
    """A pick on map `key` (of `shape`) becomes the point broken down."""
    picked = clickable.picked_pixel(clickable.event(key), shape[1], shape[0])
    if picked is not None:
        st.session_state["match_point"] = picked


def _cells(title: str, values: np.ndarray, numbered: bool, *, picture: bool = False) -> None:
    """A titled grid of numbers; a big region or patch as a magnified picture instead."""
    if picture and not numbered:
        st.markdown(f"**{title}**")
        factor = max(1, MAGNIFIED // max(values.shape))
        st.image(convkit.explain.magnify(np.clip(values, 0, 255).astype(np.uint8), factor,
                                         grid=False), width="stretch",
                 alt=f"{title}, {values.shape[1]} x {values.shape[0]} px, magnified "
                     f"{factor} times")
    else:
        st.html(number_grid(values, coloured=not picture, numbered=numbered, caption=title))


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
    st.subheader(f"At x={b.x}, y={b.y} (blue)", anchor=False)
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
