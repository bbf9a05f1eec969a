"""Pixel inspector: click any pixel and see every number behind its output value."""

import functools

import streamlit as st

import convkit
from pages import ui
from pages.ui import code
from pages.views import pixel_inspector as views

OVERVIEW_WIDTH = 420
ZOOM_WIDTH = 420
PICTURES = "inspector_pictures"

st.title("Pixel inspector", anchor=False)
st.markdown(
    "Click the picture to pick a pixel, then refine it in the magnified view, with the arrow "
    "buttons or keys, or by typing its coordinates. Below: the region under the kernel, the "
    "weights as applied, their products, the sum, and how the sum becomes the output byte. "
    "Switch on Predict first to work the byte out yourself before it is shown."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
ui.describe_image(image)
height, width = image.pixels.shape[:2]
pixel = views.PixelPicker("inspector", width, height)
kernel = current.kernel
# The page's variables live as long as its fragment, that is as long as the session: they
# hold no picture. The response and the output are read from the shared stores where they
# are used (a click's fragment run finds them there), so a visitor who has moved on holds
# none of them: only the stores do, within their bounds.
lowest, highest = ui.cache.stretch_range(ui.raw_response(image, current))
predicting = views.predict.switch()
# Outside the fragment, as they do not change with the pixel: a click does not resend them.
if predicting:
    # The output picture holds every byte: while predicting it never leaves the server.
    show_output = False
    st.caption("While you predict, the pictures show the input only; switch Predict first off "
               "to see and download the output.")
else:
    with st.container(horizontal=True, vertical_alignment="bottom", key="inspector_controls"):
        show_output = st.segmented_control(
            "Picture", ["input", "output"], default="input", key="inspector_view",
            help="Pick on the input image or on the filtered output; the pixel is the same.",
        ) == "output"
        ui.download_png(functools.partial(ui.output, image, current),
                        f"{kernel.name}_{current.border}_{current.mapping}.png",
                        key="inspector_png", label="Download the output (PNG)", nbytes=0)
overview = ui.cache.overview_url(ui.output(image, current) if show_output else image.content,
                                 OVERVIEW_WIDTH)


@st.fragment
def inspector() -> None:
    """The pictures, the picking controls and the breakdown; a click reruns only this part."""
    with ui.crash_guard("pixel inspector"):
        x, y = pixel.settle()
        ui.write_url(current)
        raw, output = ui.raw_response(image, current), ui.output(image, current)
        picture = output if show_output else image.content
        zoom = convkit.explain.zoom_window(kernel.shape, x, y, width, height)
        # The output has no padding: cells past its edge are shown as a neutral grey.
        border, value = (("constant", 128) if show_output else
                         (current.border, min(max(current.value, 0), 255)))
        crop, outside = convkit.core.padded_crop(picture.array, zoom.top, zoom.left, zoom.height,
                                                 zoom.width, border, value)
        breakdown = convkit.explain_pixel(image.pixels, kernel, x, y, current.border,
                                          flip=current.flip, value=current.value)
        asked = views.predict.question(image, current, x, y)
        # Until the visitor has answered, nothing of the answer is drawn or sent.
        hidden = predicting and not views.predict.revealed(asked)
        shown = "output" if show_output else "input"
        views.pixel_view.show(
            PICTURES,
            overview=views.pixel_view.overview_data(
                overview, picture.digest, width, height, zoom, OVERVIEW_WIDTH,
                "Whole image: click to jump (the red box is the magnified area)",
                alt=views.pixel_view.overview_alt(f"{image.label} ({shown})", width, height,
                                                  zoom, ui.kernel_label(kernel.name, kernel))),
            zoom=views.pixel_view.zoom_data(
                crop, outside, zoom, x, y, kernel.shape, ZOOM_WIDTH,
                f"Magnified {zoom.width}x{zoom.height} px: click a pixel, or use the arrows. "
                "Yellow, outlined in black: the kernel's footprint; blue tint: padding "
                "beyond the edge",
                label=f"Magnified {shown} pixels round pixel {x}, {y} (value "
                      f"{ui.render.format_total(picture.array[y, x])}), with the "
                      f"{ui.kernel_label(kernel.name, kernel)} kernel's footprint; arrow keys "
                      "move the pixel"),
            announce=(views.predict.announcement(x, y) if hidden else
                      views.pixel_view.announcement(breakdown, output.array[y, x])),
            on_pick=functools.partial(pixel.take_view_event, PICTURES), aspect=height / width)
        pixel.controls()
        if hidden:
            views.predict.ask(breakdown, image, current, asked, (lowest, highest))
            return
        if predicting:
            views.predict.verdict(current)
        views.show_breakdown(breakdown, raw, output, current, (lowest, highest))
        if predicting:
            views.predict.pose_link(current)


inspector()
# Outside the fragment: they depend on the kernel and the settings, not on the pixel.
ui.how_computed([current.kernel], image, current)
code.reproduce_expander(current, key="inspector_code")
