"""Padding: the five border modes side by side, on the image's corner and on the filtered output."""

import numpy as np
import pandas as pd
import streamlit as st

import convkit
from pages import ui
from pages.ui import code
from pages.views import padding_modes as views

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
REFERENCE = convkit.core.OPENCV_DEFAULT_BORDER


def cells(values) -> str:
    """Numbers as a spaced row: 1 2 3."""
    return " ".join(ui.number(v, 6) for v in values)


st.title("Padding: what lies beyond the edge", anchor=False)
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
amount = controls[0].slider(
    "Padding shown (pixels on each side)", 1, 32, 12, key="padding_amount",
    help=f"The {kernel.name} kernel ({kernel.shape[0]}x{kernel.shape[1]}) needs {reach_y} "
         f"row(s) and {reach_x} column(s); more is shown here so the pattern is easy to see.")
choice = controls[1].selectbox(
    "Corner", [AUTO_CORNER, *convkit.core.CORNERS], key="padding_corner",
    help="Padding a flat sky looks the same in every mode; by default the corner with the most "
         "detail is shown.")
corner = convkit.core.busiest_corner(image.pixels, CORNER) if choice == AUTO_CORNER else choice

st.header(f"The {corner} {CORNER} x {CORNER} px corner, padded by {amount} px", anchor=False)
st.caption(f"The red line is the image's real edge; beyond it, invented pixels. Constant mode "
           f"fills with v = {ui.number(current.value, 6)} (set it in the sidebar by choosing the "
           "constant border). Wrap brings in the opposite edges of the image.")
for column, mode in zip(st.columns(len(convkit.BORDER_MODES)), convkit.BORDER_MODES,
                        strict=True):
    padded = convkit.core.padded_corner(image.pixels, amount, mode, current.value, size=CORNER,
                                        corner=corner)
    big, factor = convkit.explain.magnify_to(padded, SHOWN_SIDE)
    picture = convkit.explain.edge_lines(big, factor, amount, amount, corner, EDGE_COLOUR)
    with column:
        st.markdown(f"**{mode}**")
        st.image(picture, width="stretch",
                 alt=f"The {corner} corner padded by {amount} px with {mode} "
                     f"({convkit.BORDER_DRAWINGS[mode]}); a red line marks the real edge")
        st.caption(f"`{convkit.BORDER_DRAWINGS[mode]}`  \n{convkit.BORDER_DESCRIPTIONS[mode]}")
        ui.download_png(picture, f"{corner}_corner_padded_{mode}_{amount}px.png",
                        key=f"padding_download_corner_{mode}")

st.header(f"The same rule on one row: {cells(ROW)} padded by {ROW_PAD}", anchor=False)
table_rows = {}
for mode in convkit.BORDER_MODES:
    padded = convkit.pad(np.array([ROW], dtype=float), 0, ROW_PAD, mode, current.value)[0]
    table_rows[mode] = {"padding on the left": cells(padded[:ROW_PAD]),
                        "the row": cells(padded[ROW_PAD:-ROW_PAD]),
                        "padding on the right": cells(padded[-ROW_PAD:]),
                        "pattern for abc": convkit.BORDER_DRAWINGS[mode]}
row_table = pd.DataFrame.from_dict(table_rows, orient="index").rename_axis("mode")
st.table(row_table)
st.html(ui.render.scroll_hint(len(row_table.columns) + 1))
st.download_button("Download the table (CSV)", row_table.to_csv(), "padding_row.csv",
                   mime="text/csv", key="padding_download_row_table")

st.header("The same modes by every library's name", anchor=False)
st.markdown("One mode, many names: what OpenCV calls `BORDER_REFLECT_101`, scipy.ndimage calls "
            "`mirror` and NumPy's `pad` calls `reflect`, while scipy's `reflect` is OpenCV's "
            "plain `BORDER_REFLECT`. *none*: the library has no such mode.")
names = pd.DataFrame.from_dict(convkit.BORDER_NAMES, orient="index").rename_axis("convkit")
# Wider than a phone: a table in a box that scrolls and takes focus, so a keyboard can scroll it.
st.html(ui.render.text_table(names, "Border modes by library", corner="convkit"))
st.download_button("Download the names (CSV)", names.to_csv(), "border_names.csv",
                   mime="text/csv", key="padding_download_names")

views.question(image, current)
st.header(f"What each mode does to the output: {kernel.name}, {corner} corner", anchor=False)
st.markdown(
    f"The {kernel.name} kernel reaches {reach_y} px up and down and {reach_x} px sideways, so "
    "only output pixels between the image's edge and the orange line read padding; everything "
    "else is the same in every mode. Under each output, its difference from "
    f"{REFERENCE} (cv2.filter2D's default): **red** where it is brighter, **blue** where "
    "darker, grey where equal, all on one scale (the colour grows with the square root of the "
    "difference, so a few grey levels still show beside a hundred). Blurs average the padding "
    "in: constant with v = 0 mixes in black (a blue frame); sharpeners and edge kernels "
    "subtract the missing neighbours (red). Choose large_blur in the sidebar to see it clearly."
)
outputs = {mode: ui.output(image, current, border=mode).array for mode in convkit.BORDER_MODES}
crops = {mode: convkit.core.padded_corner(output, 0, mode, size=CORNER, corner=corner)
         for mode, output in outputs.items()}
differences = convkit.explain.difference_pictures(crops, REFERENCE)
for column, mode in zip(st.columns(len(convkit.BORDER_MODES)), convkit.BORDER_MODES,
                        strict=True):
    big, factor = convkit.explain.magnify_to(crops[mode], SHOWN_SIDE)
    picture = convkit.explain.edge_lines(big, factor, reach_y, reach_x, corner, REACH_COLOUR)
    difference, _ = convkit.explain.magnify_to(differences[mode], SHOWN_SIDE)
    with column:
        st.image(picture, caption=f"{mode}, {current.mapping} mapping", width="stretch",
                 alt=f"The {corner} corner of the output of {kernel.name} with the {mode} "
                     f"border, {current.mapping} mapping; an orange line marks how far the "
                     "padding reaches")
        st.image(difference, caption=f"{mode} − {REFERENCE}", width="stretch",
                 alt=f"Difference of the {mode} output from {REFERENCE} in the {corner} "
                     "corner: red brighter, blue darker, grey equal")
        ui.download_png(lambda mode=mode: ui.output(image, current, border=mode),
                        f"{kernel.name}_{mode}_{current.mapping}.png",
                        key=f"padding_download_output_{mode}", label="Download output PNG")

st.markdown(f"**Mean difference from {REFERENCE} in the border band** ({reach_y} row(s) at "
            f"the top and bottom, {reach_x} column(s) at the left and right, the whole output; "
            "grey levels of the mapped output)")
report = convkit.core.border_band_report(outputs, reach_y, reach_x, REFERENCE)
band_table = pd.DataFrame([{"mode": r.border,
                            "mean |difference| (grey levels)": round(r.mean_abs, 2) + 0.0,
                            "mean difference (signed)": round(r.mean_signed, 2) + 0.0,
                            "at the edge": convkit.core.BAND_LOOKS[r.look]} for r in report])
st.dataframe(band_table, hide_index=True, width="stretch", key="padding_band_table")
st.html(ui.render.scroll_hint(len(band_table.columns)))
st.download_button("Download the table (CSV)", band_table.to_csv(index=False),
                   f"border_band_{kernel.name}.csv", mime="text/csv",
                   key="padding_download_band_table")
if not (reach_y or reach_x):
    st.info(f"The {kernel.name} kernel is 1 x 1: it reads no neighbours, so padding never "
            "matters.")

code.reproduce_expander(current, key="padding_code")
ui.show_code(convkit.pad, convkit.core.padded_corner, convkit.core.border_band_report)
