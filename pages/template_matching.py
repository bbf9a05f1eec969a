"""Template matching: a patch of the image as the kernel, plain correlation against normalized."""

import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

import convkit
from pages import ui
from pages.ui import clicks
from pages.ui import restore_match as show

DEFAULT_SIDE = 31
SAME, SHIFTED, OTHER = "the same image", "the same image, shifted and noised", "another sample"
MAX_SHIFT = 100
#: The patch's centre and sides, as the number inputs hold them.
PATCH_KEYS = ("match_x", "match_y", "match_w", "match_h")

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
gray = ui.cache.gray_within(image.content, convkit.MAX_MATCH_SIDE)
height, width = gray.array.shape
st.caption(f"Working in gray at {width} x {height} px (at most {convkit.MAX_MATCH_SIDE} px "
           f"here; patches up to {convkit.MAX_PATCH_SIDE} px a side)."
           + (" The colour toggle does not apply here." if current.color else ""))


def _set_patch(*patch: int) -> None:
    st.session_state.update(zip(PATCH_KEYS, patch, strict=True))
    st.session_state.pop("match_point", None)  # a new patch: break down its best match first


def _typed_patch() -> None:
    st.session_state.pop("match_point", None)  # a new patch: break down its best match first


def _use_example() -> None:
    example = convkit.PATCH_EXAMPLES[st.session_state["match_example"]]
    st.session_state["source"] = example.sample
    st.session_state["match_pending_example"] = st.session_state["match_example"]


def _take_drag() -> None:
    corners = clicks.drag("match_pick", convkit.Window(0, 0, height, width))
    if corners is not None:
        side = int(st.session_state.get("match_w", DEFAULT_SIDE))
        _set_patch(*convkit.drag_to_patch(*corners, gray.array.shape, default_side=side))


# ---------------------------------------------------------------------- choose the patch

if st.session_state.get("match_image") != image.key:
    # Another picture: the old patch means nothing on it, start from its centre.
    st.session_state["match_image"] = image.key
    for key in (*PATCH_KEYS, "match_point"):
        st.session_state.pop(key, None)
pending = st.session_state.pop("match_pending_example", None)
if pending is not None and current.source == convkit.PATCH_EXAMPLES[pending].sample:
    _set_patch(*convkit.example_patch(pending, gray.array.shape))
for key, default in zip(PATCH_KEYS, (width // 2, height // 2, DEFAULT_SIDE, DEFAULT_SIDE),
                        strict=True):
    st.session_state.setdefault(key, default)
try:
    limit_w, limit_h = convkit.patch_side_limits(gray.array.shape)
except ValueError as error:
    st.warning(f"This image is too small for template matching: {error}")
    st.stop()
# Another image (or resolution) may have made the stored patch too big or off the picture.
st.session_state.update(zip(PATCH_KEYS, convkit.fit_patch(
    *(st.session_state[key] for key in PATCH_KEYS), gray.array.shape), strict=True))

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
    window = convkit.patch_window(*(int(st.session_state[key]) for key in PATCH_KEYS),
                                  gray.array.shape)
    patch = convkit.cut_patch(gray.array, window)
except ValueError as error:
    st.error(f"Cannot use this patch: {error}")
    st.stop()
centre = convkit.patch_centre(window)
with pick:
    st.caption("Drag a box to choose the patch, or click to centre it there (yellow).")
    streamlit_image_coordinates(
        convkit.mark_patches(gray.array, [(centre, patch.shape, show.PATCH)]), key="match_pick",
        click_and_drag=True, on_click=_take_drag, cursor="crosshair")

# --------------------------------------------------------------------------- match it

if target_kind == SAME:
    target, target_label, expected = gray, "the same image", centre
elif target_kind == SHIFTED:
    target = ui.cache.shifted(gray, dx, dy, noise)
    target_label = f"the image moved {dx} right, {dy} down, noise {ui.number(noise, 3)}"
    expected = convkit.shifted_point(*centre, dx, dy, gray.array.shape)
else:
    target = ui.cache.sample(other_name, False, min(current.resolution, convkit.MAX_MATCH_SIDE))
    target_label, expected = other_name, None
try:
    maps = ui.cache.match_maps(target, ui.cache.Pixels.of(patch), current.border)
except ValueError as error:
    st.error(f"Cannot match in {target_label}: {error}")
    st.stop()

# Clicks on the maps are read before the maps are drawn, so they move the blue point.
shown = convkit.Window(0, 0, *target.array.shape)
for key in ("match_map_plain", "match_map_ncc"):
    clicked = clicks.new_click(key, shown)
    if clicked is not None:
        st.session_state["match_point"] = clicked
point = convkit.clamp_centre(*(st.session_state.get("match_point") or maps.ncc_best), maps.valid)

st.subheader(f"Matching in {target_label}")
st.markdown(show.match_summary(maps, convkit.explain_match(target.array, patch, *maps.plain_best),
                               convkit.explain_match(target.array, patch, *maps.ncc_best),
                               expected))
show.match_pictures(target.array, target_label, maps, patch.shape, point)
show.match_breakdown(convkit.explain_match(target.array, patch, *point), maps)
ui.show_code(convkit.match_maps, convkit.explain_match)
