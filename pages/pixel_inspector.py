"""Pixel inspector: click any pixel and see every number behind its output value."""

import functools

import streamlit as st

import convkit
from pages import ui
from pages.ui import code, pixel_view

OVERVIEW_WIDTH = 420
ZOOM_WIDTH = 420
PICTURES = "inspector_pictures"

st.title("Pixel inspector")
st.markdown(
    "Click the picture to pick a pixel, then refine it in the magnified view, with the arrow "
    "buttons or keys, or by typing its coordinates. Below: the region under the kernel, the "
    "weights as applied, their products, the sum, and how the sum becomes the output byte."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
ui.describe_image(image)
height, width = image.pixels.shape[:2]
pixel = ui.PixelPicker("inspector", width, height)
# Computed on full runs only: a click reruns just the fragment below, which reuses them.
kernel = current.kernel
raw, output = ui.raw_response(image, current), ui.output(image, current)
lowest, highest = ui.cache.stretch_range(raw)
# Outside the fragment, as they do not change with the pixel: a click does not resend them.
with st.container(horizontal=True, vertical_alignment="bottom"):
    show_output = st.segmented_control(
        "Picture", ["input", "output"], default="input", key="inspector_view",
        help="Pick on the input image or on the filtered output; the pixel is the same.",
    ) == "output"
    ui.download_png(output, f"{kernel.name}_{current.border}_{current.mapping}.png",
                    key="inspector_png", label="Download the output (PNG)")
picture = output if show_output else image.content
overview = ui.cache.overview_url(picture, OVERVIEW_WIDTH)


@st.fragment
def inspector() -> None:
    """The pictures, the picking controls and the breakdown; a click reruns only this part."""
    with ui.crash_guard("pixel inspector"):
        x, y = pixel.settle()
        ui.write_url(current)
        zoom = convkit.explain.zoom_window(kernel.shape, x, y, width, height)
        # The output has no padding: cells past its edge are shown as a neutral grey.
        border, value = (("constant", 128) if show_output else
                         (current.border, min(max(current.value, 0), 255)))
        crop, outside = convkit.core.padded_crop(picture.array, zoom.top, zoom.left, zoom.height,
                                                 zoom.width, border, value)
        pixel_view.show(
            PICTURES,
            overview=pixel_view.overview_data(
                overview, picture.digest, width, height, zoom, OVERVIEW_WIDTH,
                "Whole image: click to jump (the red box is the magnified area)"),
            zoom=pixel_view.zoom_data(
                crop, outside, zoom, x, y, kernel.shape, ZOOM_WIDTH,
                f"Magnified {zoom.width}x{zoom.height} px: click a pixel, or use the arrows. "
                "Yellow: the kernel's footprint; blue tint: padding beyond the edge"),
            on_pick=functools.partial(pixel.take_view_event, PICTURES))
        pixel.controls()
        breakdown = convkit.explain_pixel(image.pixels, kernel, x, y, current.border,
                                          flip=current.flip, value=current.value)
        render_breakdown(breakdown, raw, output)


def render_breakdown(breakdown: convkit.PixelBreakdown, raw: ui.cache.Pixels,
                     output: ui.cache.Pixels) -> None:
    """The step-by-step computation of one output pixel, in a few elements per channel."""
    x, y = breakdown.x, breakdown.y
    what = "convolution (kernel rotated 180°)" if current.flip else "correlation"
    mapping = (f"divide mapping (÷ {ui.number(current.divisor)}, + {ui.number(current.offset)})"
               if current.mapping == "divide" else f"{current.mapping} mapping")
    st.subheader(f"Output pixel x={x}, y={y}")
    st.caption(f"{ui.kernel_label(kernel.name, kernel)}, {what}, "
               f"{current.border} border {convkit.BORDER_DRAWINGS[current.border]}, {mapping}")
    channels = ["R", "G", "B", "A"][: breakdown.roi.shape[2]] if breakdown.is_colour else [None]
    tabs = st.tabs([f"Channel {c}" for c in channels]) if breakdown.is_colour else [st.container()]
    notes = ui.render.source_notes(breakdown)
    shaded = breakdown.padded
    weights_grid = ui.number_grid(breakdown.weights, coloured=True, shaded=shaded,
                                  numbered=True, css=False)
    for index, (tab, channel) in enumerate(zip(tabs, channels, strict=True)):
        pick = (..., index) if channel else (...,)
        roi, products = breakdown.roi[pick], breakdown.products[pick]
        total = float(breakdown.total[index] if channel else breakdown.total)
        plane = raw.array[pick]
        fast = float(plane[y, x])
        steps = convkit.explain_mapping(total, current.mapping, lowest, highest,
                                        divisor=current.divisor, offset=current.offset)
        with tab:
            st.html(ui.render.breakdown_html(
                [("1. Region under the kernel",
                  ui.number_grid(roi, shaded=shaded, notes=notes, numbered=True, css=False)),
                 ("2. Weights as applied" + (" (flipped)" if current.flip else ""),
                  weights_grid),
                 ("3. Products (region × weight)",
                  ui.number_grid(products, coloured=True, shaded=shaded, numbered=True,
                                 css=False))],
                [(s.label, s.formula, ui.number(s.value, 6)) for s in steps],
                note=f"OpenCV's fast engine gives {ui.number(fast, 6)} for this pixel "
                     f"(difference {ui.number(abs(fast - total), 2)}, float32 rounding).",
                equation=ui.render.sum_equation_html(breakdown.weights, roi, total),
                byte=int(output.array[y, x, *pick[1:]])))
    notes_text = ui.render.padding_notes(breakdown,
                                         convkit.BORDER_DESCRIPTIONS[current.border])
    if notes_text:
        st.warning(notes_text)
    else:
        st.info("The kernel lies wholly inside the image here: no padding was used.")
    # Written only when the visitor clicks: a pixel click does not build the file.
    st.download_button("Download the breakdown (CSV)",
                       data=lambda: convkit.explain.breakdown_csv(breakdown),
                       file_name=f"breakdown_{kernel.name}_x{x}_y{y}.csv", mime="text/csv",
                       key="inspector_csv")


inspector()
# Outside the fragment: they depend on the kernel and the settings, not on the pixel.
ui.how_computed([current.kernel], image, current)
code.reproduce_expander(current, key="inspector_code")
