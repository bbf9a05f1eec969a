"""Template matching: a patch of the image as the kernel, plain correlation against normalized."""

import streamlit as st

import convkit
from pages import ui
from pages.views import template_matching as views

SAME, SHIFTED, OTHER = "the same image", "the same image, shifted and noised", "another sample"
MAX_SHIFT = 100

st.title("Template matching", anchor=False)
st.markdown(
    "Use a patch of the image as the kernel and slide it over an image: where the patch lies "
    "on itself, the response should peak. **Plain correlation**, the tutorial's operation with "
    "the patch as the kernel, sums region × patch, and that sum is largest where the region is "
    "simply *bright*, so it is fooled by a white sky. **Normalized cross-correlation** "
    "(`cv2.matchTemplate`, `TM_CCOEFF_NORMED`) subtracts both means and divides by both "
    "spreads first, so only the pattern counts: 1 is a perfect match. Drag a box on the "
    "picture (or click to centre the patch there), type its place and size, or take a stored "
    "example; then click either map to see its numbers at that point (or focus a map, move its "
    "blue box with the arrow keys and press Enter)."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
gray = ui.cache.gray_within(image.content, convkit.lessons.MAX_MATCH_SIDE)
height, width = gray.array.shape
st.caption(f"Working in gray at {width} x {height} px (at most {convkit.lessons.MAX_MATCH_SIDE} px "
           f"here; patches up to {convkit.lessons.MAX_PATCH_SIDE} px a side)."
           + (" The colour toggle does not apply here." if current.color else ""))

try:
    picker = views.PatchPicker(image.key, gray.array.shape, current.source)
except ValueError as error:
    st.warning(f"This image is too small for template matching: {error}")
    st.stop()

pick, controls = st.columns([3, 2])
with controls:
    picker.controls()
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
    window = picker.window()
    patch = convkit.lessons.cut_patch(gray.array, window)
except ValueError as error:
    st.error(f"Cannot use this patch: {error}")
    st.stop()
centre = convkit.lessons.patch_centre(window)
with pick:
    picker.picture(gray, window)

if target_kind == SAME:
    target, target_label, expected = gray, "the same image", centre
elif target_kind == SHIFTED:
    target = ui.cache.shifted(gray, dx, dy, noise)
    target_label = f"the image moved {dx} right, {dy} down, noise {ui.number(noise, 3)}"
    expected = convkit.lessons.shifted_point(*centre, dx, dy, gray.array.shape)
else:
    target = ui.cache.sample(other_name, False,
                             min(current.resolution, convkit.lessons.MAX_MATCH_SIDE))
    target_label, expected = other_name, None
try:
    maps = ui.cache.match_maps(target, ui.cache.Pixels.of(patch), current.border)
except ValueError as error:
    st.error(f"Cannot match in {target_label}: {error}")
    st.stop()

# A pick on either map (pointer or keyboard) has set match_point before this run.
point = convkit.lessons.clamp_centre(*(st.session_state.get("match_point") or maps.ncc_best),
                                     maps.valid)

st.header(f"Matching in {target_label}", anchor=False)
st.markdown(views.match_summary(
    maps, convkit.lessons.explain_match(target.array, patch, *maps.plain_best),
    convkit.lessons.explain_match(target.array, patch, *maps.ncc_best), expected))
views.match_pictures(target.array, target_label, maps, patch.shape, point)
views.match_breakdown(convkit.lessons.explain_match(target.array, patch, *point), maps)
ui.show_code(convkit.lessons.match_maps, convkit.lessons.explain_match)
