"""Template matching: a patch of the image as the kernel, plain correlation against normalized."""

import numpy as np
import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

import convkit
from pages import ui

PATCH = (255, 200, 0)      # the chosen patch
NCC_BEST = (40, 200, 60)   # best normalized match
PLAIN_BEST = (255, 40, 40)  # best plain correlation
POINT = (60, 140, 255)     # the position broken down
DEFAULT_SIDE = 31
SAME, SHIFTED, OTHER = "the same image", "the same image, shifted and noised", "another sample"
MAX_SHIFT = 100
#: Breakdown pictures of big patches are magnified to about this many pixels.
MAGNIFIED = 240
#: Lines on the three small pictures: they are shown at about a third of their size.
MAP_LINE = 4

st.title("Template matching")
st.markdown(
    "Use a patch of the image as the kernel and slide it over an image: where the patch lies "
    "on itself, the response should peak. **Plain correlation**, the tutorial's operation with "
    "the patch as the kernel, sums region × patch, and that sum is largest where the region is "
    "simply *bright*, so it is fooled by a white sky. **Normalized cross-correlation** "
    "(`cv2.matchTemplate`, `TM_CCOEFF_NORMED`) subtracts both means and divides by both "
    "spreads first, so only the pattern counts: 1 is a perfect match. Drag a box on the "
    "picture (or click to centre the patch there), type its place and size, or take a stored "
    "example; then click either map to see its numbers at that point."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
gray = convkit.fit_to_pixels(convkit.to_gray(image.pixels), convkit.MAX_MATCH_SIDE)
height, width = gray.shape
st.caption(f"Working in gray at {width} x {height} px (at most {convkit.MAX_MATCH_SIDE} px "
           f"here; patches up to {convkit.MAX_PATCH_SIDE} px a side)."
           + (" The colour toggle does not apply here." if current.color else ""))


def _set_patch(x: int, y: int, w: int, h: int) -> None:
    state = st.session_state
    state["match_x"], state["match_y"], state["match_w"], state["match_h"] = x, y, w, h
    state.pop("match_point", None)  # a new patch: break down its best match first


def _typed_patch() -> None:
    st.session_state.pop("match_point", None)  # a new patch: break down its best match first


def _use_example() -> None:
    example = convkit.PATCH_EXAMPLES[st.session_state["match_example"]]
    st.session_state["source"] = example.sample
    st.session_state["match_pending_example"] = st.session_state["match_example"]


def _take_drag() -> None:
    drag = st.session_state.get("match_pick")
    try:
        x1, y1 = convkit.shown_to_pixel(drag["x1"], drag["y1"], drag["width"], drag["height"],
                                        width, height)
        x2, y2 = convkit.shown_to_pixel(drag["x2"], drag["y2"], drag["width"], drag["height"],
                                        width, height)
        side = int(st.session_state.get("match_w", DEFAULT_SIDE))
        _set_patch(*convkit.drag_to_patch(x1, y1, x2, y2, gray.shape, default_side=side))
    except (KeyError, TypeError, ValueError):
        pass  # a malformed event from the browser: ignore it


def _take_map_click(key: str, shown_width: int, shown_height: int) -> None:
    click = st.session_state.get(key)
    if not click or click.get("unix_time") == st.session_state.get(f"{key}_seen"):
        return
    st.session_state[f"{key}_seen"] = click.get("unix_time")
    try:
        x, y = convkit.shown_to_pixel(click["x"], click["y"], click["width"], click["height"],
                                      shown_width, shown_height)
    except (KeyError, TypeError, ValueError):
        return
    st.session_state["match_point"] = (x, y)


@st.cache_data(max_entries=8, show_spinner=False)
def _other(name: str, resolution: int) -> np.ndarray:
    pixels = convkit.to_gray(convkit.load_sample(name))
    return convkit.fit_to_pixels(pixels, min(resolution, convkit.MAX_MATCH_SIDE))


@st.cache_data(max_entries=16, show_spinner=False)
def _maps(target_key: tuple, patch_key: tuple, border: str, _target: np.ndarray,
          _patch: np.ndarray) -> convkit.MatchMaps:
    return convkit.match_maps(_target, _patch, border)


def _boxes(picture: np.ndarray, marks, thickness: int = 2) -> np.ndarray:
    """The picture in colour with one outlined box per (centre, shape, colour)."""
    marked = convkit.to_rgb(picture)
    for (x, y), (h, w), colour in marks:
        marked = convkit.outline(marked, y - h // 2, x - w // 2, h, w, colour, thickness)
    return marked


def _cells(title: str, values: np.ndarray, numbered: bool, *, picture: bool = False) -> None:
    """A titled grid of numbers; a big region or patch as a magnified picture instead."""
    st.markdown(f"**{title}**")
    if picture and not numbered:
        factor = max(1, MAGNIFIED // max(values.shape))
        st.image(convkit.magnify(np.clip(values, 0, 255).astype(np.uint8), factor, grid=False),
                 width="stretch")
    else:
        st.html(ui.number_grid(values, coloured=not picture, numbered=numbered))


# ---------------------------------------------------------------------- choose the patch

if st.session_state.get("match_image") != image.key:
    # Another picture: the old patch means nothing on it, start from its centre.
    st.session_state["match_image"] = image.key
    for key in ("match_x", "match_y", "match_w", "match_h", "match_point"):
        st.session_state.pop(key, None)
pending = st.session_state.pop("match_pending_example", None)
if pending is not None and current.source == convkit.PATCH_EXAMPLES[pending].sample:
    _set_patch(*convkit.example_patch(pending, gray.shape))
for key, default in (("match_x", width // 2), ("match_y", height // 2), ("match_w", DEFAULT_SIDE),
                     ("match_h", DEFAULT_SIDE)):
    st.session_state.setdefault(key, default)
try:
    limit_w, limit_h = convkit.patch_side_limits(gray.shape)
except ValueError as error:
    st.warning(f"This image is too small for template matching: {error}")
    st.stop()
# Another image (or resolution) may have made the stored patch too big or off the picture.
st.session_state["match_w"] = min(int(st.session_state["match_w"]), limit_w)
st.session_state["match_h"] = min(int(st.session_state["match_h"]), limit_h)
st.session_state["match_x"] = min(int(st.session_state["match_x"]), width - 1)
st.session_state["match_y"] = min(int(st.session_state["match_y"]), height - 1)

pick, controls = st.columns([3, 2])
with controls:
    st.markdown("**The patch** (its centre and odd sides, in pixels)")
    row = st.columns(2)
    side = convkit.matching.MIN_PATCH_SIDE
    row[0].number_input("x (centre column)", 0, width - 1, step=1, key="match_x",
                        on_change=_typed_patch)
    row[1].number_input("y (centre row)", 0, height - 1, step=1, key="match_y",
                        on_change=_typed_patch)
    row[0].number_input("width", side, limit_w, step=2, key="match_w", on_change=_typed_patch,
                        help="Odd, so the patch has a centre pixel, as a kernel must.")
    row[1].number_input("height", side, limit_h, step=2, key="match_h", on_change=_typed_patch)
    examples = sorted(convkit.PATCH_EXAMPLES,
                      key=lambda n: convkit.PATCH_EXAMPLES[n].sample != current.source)
    st.selectbox("Stored example", examples, key="match_example",
                 format_func=lambda n: f"{n} ({convkit.PATCH_EXAMPLES[n].sample})")
    st.caption(convkit.PATCH_EXAMPLES[st.session_state["match_example"]].description)
    st.button("Use this example", key="match_use_example", on_click=_use_example)
    target_kind = st.radio("Search in", [SAME, SHIFTED, OTHER], key="match_target")
    if target_kind == SHIFTED:
        shift = st.columns(3)
        dx = shift[0].slider("move right", -MAX_SHIFT, MAX_SHIFT, 40, key="match_dx")
        dy = shift[1].slider("move down", -MAX_SHIFT, MAX_SHIFT, 25, key="match_dy")
        noise = shift[2].slider("noise (gray levels)", 0.0, 50.0, 10.0, step=1.0,
                                key="match_noise")
    elif target_kind == OTHER:
        others = [n for n in convkit.SAMPLES if n != current.source] or list(convkit.SAMPLES)
        other_name = st.selectbox("Sample", others, key="match_other")

try:
    window = convkit.patch_window(int(st.session_state["match_x"]),
                                  int(st.session_state["match_y"]),
                                  int(st.session_state["match_w"]),
                                  int(st.session_state["match_h"]), gray.shape)
    patch = convkit.cut_patch(gray, window)
except ValueError as error:
    st.error(f"Cannot use this patch: {error}")
    st.stop()
centre = (window.left + window.width // 2, window.top + window.height // 2)
with pick:
    st.caption("Drag a box to choose the patch, or click to centre it there (yellow).")
    streamlit_image_coordinates(
        _boxes(gray, [(centre, patch.shape, PATCH)]), key="match_pick", click_and_drag=True,
        on_click=_take_drag, cursor="crosshair")

# --------------------------------------------------------------------------- match it

if target_kind == SAME:
    target, target_key, target_label = gray, (image.key,), "the same image"
elif target_kind == SHIFTED:
    target = convkit.shifted_copy(gray, dx, dy, noise, seed=0)
    target_key = (image.key, dx, dy, noise)
    target_label = f"the image moved {dx} right, {dy} down, noise {ui.number(noise, 3)}"
else:
    target = _other(other_name, current.resolution)
    target_key, target_label = (other_name, current.resolution), other_name
patch_key = (image.key, window.top, window.left, window.height, window.width)
try:
    maps = _maps(target_key, patch_key, current.border, target, patch)
except ValueError as error:
    st.error(f"Cannot match in {target_label}: {error}")
    st.stop()

th, tw = target.shape
_take_map_click("match_map_plain", tw, th)
_take_map_click("match_map_ncc", tw, th)
point = st.session_state.get("match_point") or maps.ncc_best
point = convkit.clamp_centre(*point, maps.valid)

st.subheader(f"Matching in {target_label}")
expected = None
if target_kind == SAME:
    expected = centre
elif target_kind == SHIFTED:
    expected = convkit.shifted_point(*centre, dx, dy, target.shape)
fooled = convkit.explain_match(target, patch, *maps.plain_best)
found = convkit.explain_match(target, patch, *maps.ncc_best)
st.markdown(
    f"Normalized best match (green) at **x={maps.ncc_best[0]}, y={maps.ncc_best[1]}**, score "
    f"**{ui.number(maps.ncc_score, 3)}**"
    + ("" if expected is None else f"; the patch is really at x={expected[0]}, y={expected[1]}")
    + f". Plain correlation's best (red) at **x={maps.plain_best[0]}, y={maps.plain_best[1]}**, "
    f"where the region's mean is {ui.number(fooled.region_mean, 3)} against "
    f"{ui.number(found.region_mean, 3)} at the normalized match: a brighter region gives a larger "
    f"sum whatever it shows (normalized score there: {ui.number(fooled.ncc, 3)})."
)
shape = patch.shape
maps_row = st.columns(3)
with maps_row[0]:
    ui.show_image(_boxes(target, [(maps.plain_best, shape, PLAIN_BEST),
                                  (maps.ncc_best, shape, NCC_BEST)], MAP_LINE),
                  f"{target_label}: green the normalized match, red plain correlation's")
with maps_row[1]:
    st.caption("Plain correlation map, sum(region × patch): click a point")
    streamlit_image_coordinates(
        _boxes(convkit.map_picture(maps.plain), [(maps.plain_best, shape, PLAIN_BEST),
                                                 (point, (15, 15), POINT)], MAP_LINE),
        key="match_map_plain", cursor="crosshair", width="stretch")
with maps_row[2]:
    st.caption("Normalized map, -1..1 (gray where the patch sticks out): click a point")
    streamlit_image_coordinates(
        _boxes(convkit.map_picture(maps.ncc), [(maps.ncc_best, shape, NCC_BEST),
                                               (point, (15, 15), POINT)], MAP_LINE),
        key="match_map_ncc", cursor="crosshair", width="stretch")

# ---------------------------------------------------------------------- one point by hand

b = convkit.explain_match(target, patch, *point)
st.subheader(f"At x={b.x}, y={b.y} (blue)")
numbered = b.region.size <= ui.GRID_MAX_NUMBERED_CELLS
if not numbered:
    st.caption(f"{shape[1]} x {shape[0]} cells: region and patch as pictures, products as "
               "colours (hover a cell for its value); a patch of at most 11 x 11 shows every "
               "number.")
plain_tab, ncc_tab = st.tabs(["Plain correlation", "Normalized cross-correlation"])
with plain_tab:
    cells = st.columns(3)
    with cells[0]:
        _cells("1. Region under the patch", b.region, numbered, picture=True)
    with cells[1]:
        _cells("2. The patch (the kernel's weights)", b.patch, numbered, picture=True)
    with cells[2]:
        _cells("3. Products region × patch", b.products, numbered)
    st.markdown(f"**4. Sum of the products** = **{ui.number(b.total, 6)}** (the plain map's value "
                f"here; its largest is {ui.number(float(maps.plain[maps.plain_best[::-1]]), 6)}).")
with ncc_tab:
    cells = st.columns(3)
    with cells[0]:
        _cells(f"1. Region − its mean {ui.number(b.region_mean, 4)}", b.region_centred, numbered)
    with cells[1]:
        _cells(f"2. Patch − its mean {ui.number(b.patch_mean, 4)}", b.patch_centred, numbered)
    with cells[2]:
        _cells("3. Products of the two", b.centred_products, numbered)
    st.markdown(
        f"**4.** Σ (r − r̄)(t − t̄) = {ui.number(b.numerator, 4)}; "
        f"‖r − r̄‖ = {ui.number(b.region_norm, 4)}, ‖t − t̄‖ = {ui.number(b.patch_norm, 4)}\n\n"
        f"**NCC** = {ui.number(b.numerator, 4)} / ({ui.number(b.region_norm, 4)} × "
        f"{ui.number(b.patch_norm, 4)}) = **{ui.number(b.ncc, 4)}**"
        + (" (a flat region: OpenCV gives 0)" if b.region_norm == 0 else "")
    )
    st.caption(f"cv2.matchTemplate gives {ui.number(float(maps.ncc[b.y, b.x]), 4)} here.")
ui.show_code(convkit.match_maps, convkit.explain_match)
