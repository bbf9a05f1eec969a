"""Padding: the five border modes side by side, on the image's corner and on the filtered output."""

import numpy as np
import pandas as pd
import streamlit as st

import convkit
from pages import ui

#: Side of the image corner shown, in image pixels.
CORNER = 48
#: The corner choice that picks the corner with the most detail.
AUTO_CORNER = "most detail"
#: Magnified corners are about this many screen pixels wide (five share the page's width).
SHOWN_SIDE = 240
#: Red marks the image's own edge; orange the line beyond which the kernel never reads padding.
EDGE_COLOUR = (230, 30, 30)
REACH_COLOUR = (255, 160, 0)
#: The 1-D example: this row, padded by this much on each side.
ROW = (1, 2, 3, 4, 5)
ROW_PAD = 3
#: Mean differences (grey levels) past which a mode's border band counts as darker or brighter.
TINT_THRESHOLD = 1.0


@st.cache_data(max_entries=16, show_spinner=False)
def _band_table(image_key: str, weights_key: str, flip: bool, value: float, mapping: str,
                band_y: int, band_x: int, _outputs: dict) -> pd.DataFrame:
    reference = _outputs["reflect_101"]
    rows = []
    for mode, output in _outputs.items():
        absolute = convkit.border_band_difference(output, reference, band_y, band_x)
        signed = convkit.border_band_difference(output, reference, band_y, band_x, signed=True)
        rows.append({"mode": mode, "mean |difference| (grey levels)": round(absolute, 2),
                     "mean difference (signed)": round(signed, 2),
                     "at the edge": tint(absolute, signed)})
    return pd.DataFrame(rows)


def tint(absolute: float, signed: float) -> str:
    """A few words on how a mode's border band looks next to reflect_101's."""
    if absolute == 0:
        return "same as reflect_101"
    if signed <= -TINT_THRESHOLD:
        return "darker frame"
    if signed >= TINT_THRESHOLD:
        return "brighter frame"
    return "differs, but no overall tint"


def magnified(picture: np.ndarray) -> tuple[np.ndarray, int]:
    """The picture enlarged so that its pixels show, and the factor used."""
    factor = max(1, round(SHOWN_SIDE / max(picture.shape[:2])))
    return convkit.magnify(picture, factor, grid=False), factor


def mark_edge(picture: np.ndarray, factor: int, inset_y: int, inset_x: int, corner: str,
              colour: tuple[int, int, int]) -> np.ndarray:
    """Draw lines `inset_y` rows and `inset_x` columns in from a magnified crop's outer sides.

    The rectangle reaches past the picture on the inner sides, so only the lines that matter
    (parallel to the image's real edges) are drawn.
    """
    height, width = picture.shape[:2]
    thickness = max(1, factor // 2)
    # A zero inset puts the line outside the picture, where outline() clips it away.
    inset_y = inset_y * factor if inset_y else -thickness
    inset_x = inset_x * factor if inset_x else -thickness
    top = inset_y if corner.startswith("top") else -thickness
    bottom = height + thickness if corner.startswith("top") else height - inset_y
    left = inset_x if corner.endswith("left") else -thickness
    right = width + thickness if corner.endswith("left") else width - inset_x
    return convkit.outline(picture, top, left, bottom - top, right - left, colour, thickness)


def cells(values) -> str:
    """Numbers as a spaced row: 1 2 3."""
    return " ".join(f"{v:g}" for v in values)


st.title("Padding: what lies beyond the edge")
st.markdown(
    "Near the edge part of the kernel hangs outside the image, so the image is first *padded*: "
    "extended by as many rows and columns as the kernel reaches. There are five common ways to "
    "invent those pixels. Below, a corner of the image is padded in each mode (the red line "
    "is the image's real edge), then filtered with the sidebar's kernel to show what each "
    "mode does to the output's border."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
ui.describe_image(image)
kernel = current.kernel
reach_y, reach_x = kernel.shape[0] // 2, kernel.shape[1] // 2

controls = st.columns(2)
with controls[0]:
    amount = st.slider("Padding shown (pixels on each side)", 1, 32, 12, key="padding_amount",
                       help=f"The {kernel.name} kernel ({kernel.shape[0]}x{kernel.shape[1]}) "
                            f"needs {reach_y} row(s) and {reach_x} column(s); more is shown "
                            "here so the pattern is easy to see.")
with controls[1]:
    choice = st.selectbox("Corner", [AUTO_CORNER, *convkit.CORNERS], key="padding_corner",
                          help="Padding a flat sky looks the same in every mode; by default "
                               "the corner with the most detail is shown.")
corner = convkit.busiest_corner(image.pixels, CORNER) if choice == AUTO_CORNER else choice

st.subheader(f"The {corner} {CORNER} x {CORNER} px corner, padded by {amount} px")
st.caption(f"The red line is the image's real edge; beyond it, invented pixels. Constant mode "
           f"fills with v = {current.value:g} (set it in the sidebar by choosing the constant "
           "border). Wrap brings in the opposite edges of the image.")
columns = st.columns(len(convkit.BORDER_MODES))
for column, mode in zip(columns, convkit.BORDER_MODES, strict=True):
    padded = convkit.padded_corner(image.pixels, amount, mode, current.value, size=CORNER,
                                   corner=corner)
    big, factor = magnified(padded)
    picture = mark_edge(big, factor, amount, amount, corner, EDGE_COLOUR)
    with column:
        st.markdown(f"**{mode}**")
        st.image(picture, width="stretch")
        st.caption(f"`{convkit.BORDER_DRAWINGS[mode]}`  \n{convkit.BORDER_DESCRIPTIONS[mode]}")
        ui.download_png(picture, f"{corner}_corner_padded_{mode}_{amount}px.png",
                        key=f"padding_download_corner_{mode}")

st.subheader(f"The same rule on one row: {cells(ROW)} padded by {ROW_PAD}")
table_rows = {}
for mode in convkit.BORDER_MODES:
    padded = convkit.pad(np.array([ROW], dtype=float), 0, ROW_PAD, mode, current.value)[0]
    table_rows[mode] = {"padding on the left": cells(padded[:ROW_PAD]),
                        "the row": cells(padded[ROW_PAD:-ROW_PAD]),
                        "padding on the right": cells(padded[-ROW_PAD:]),
                        "pattern for abc": convkit.BORDER_DRAWINGS[mode]}
row_table = pd.DataFrame.from_dict(table_rows, orient="index")
row_table.index.name = "mode"
st.table(row_table)
st.download_button("Download the table (CSV)", row_table.to_csv(), "padding_row.csv",
                   mime="text/csv", key="padding_download_row_table")

st.subheader(f"What each mode does to the output: {kernel.name}, {corner} corner")
st.markdown(
    f"The {kernel.name} kernel reaches {reach_y} px up and down and {reach_x} px sideways, so "
    "only output pixels between the image's edge and the orange line read padding; everything "
    "else is the same in every mode. Blurs average the padding into that band: constant with "
    "v = 0 mixes in black and leaves a dark frame, while sharpeners and edge kernels subtract "
    "the missing neighbours and leave a bright one. Replicate and the reflections mix in real "
    "pixels and barely show; wrap mixes in the opposite edge. Choose large_blur in the sidebar "
    "to see it clearly."
)
outputs = {}
for mode in convkit.BORDER_MODES:
    raw = ui.response(image, current, border=mode)
    outputs[mode] = ui.mapped(image.key, ui.kernel_key(kernel.weights), mode, current.flip,
                            current.value, current.mapping, raw)
columns = st.columns(len(convkit.BORDER_MODES))
for column, mode in zip(columns, convkit.BORDER_MODES, strict=True):
    crop = convkit.padded_corner(outputs[mode], 0, mode, size=CORNER, corner=corner)
    big, factor = magnified(crop)
    picture = big
    if reach_y or reach_x:
        picture = mark_edge(big, factor, reach_y, reach_x, corner, REACH_COLOUR)
    with column:
        st.image(picture, caption=f"{mode}, {current.mapping} mapping", width="stretch")
        ui.download_png(outputs[mode], f"{kernel.name}_{mode}_{current.mapping}.png",
                        key=f"padding_download_output_{mode}", label="Download output PNG")

st.markdown(f"**Mean difference from reflect_101 (cv2.filter2D's default) in the border band** "
            f"({reach_y} rows at the top and bottom, {reach_x} columns at the left and right, "
            "the whole output; grey levels of the mapped output)")
band_table = _band_table(image.key, ui.kernel_key(kernel.weights), current.flip, current.value,
                         current.mapping, reach_y, reach_x, outputs)
st.dataframe(band_table, hide_index=True, width="stretch")
st.download_button("Download the table (CSV)", band_table.to_csv(index=False),
                   f"border_band_{kernel.name}.csv", mime="text/csv",
                   key="padding_download_band_table")
if not (reach_y or reach_x):
    st.info(f"The {kernel.name} kernel is 1 x 1: it reads no neighbours, so padding never "
            "matters.")

ui.show_code(convkit.pad, convkit.padded_corner, convkit.border_band_difference)
