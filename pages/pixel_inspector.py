"""Pixel inspector: click any pixel and see every number behind its output value."""

import html

import numpy as np
import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

import convkit
from pages import ui
from pages.ui import code

OVERVIEW_WIDTH = 420
ZOOM_WIDTH = 420
SELECTED = (255, 40, 40)
FOOTPRINT = (255, 200, 0)
PADDING_TINT = (90, 140, 255)

st.title("Pixel inspector")
st.markdown(
    "Click the picture to pick a pixel, then refine it in the magnified view, with the arrow "
    "buttons, or by typing its coordinates. Below: the region under the kernel, the weights as "
    "applied, their products, the sum, and how the sum becomes the output byte."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
ui.describe_image(image)
height, width = image.pixels.shape[:2]


def _clamped(key: str, limit: int) -> int:
    value = st.session_state.get(key)
    default = limit // 2
    return default if value is None else min(max(int(value), 0), limit - 1)


def _select(x: int, y: int) -> None:
    """Make (x, y) the picked pixel; the number inputs follow."""
    x, y = min(max(x, 0), width - 1), min(max(y, 0), height - 1)
    st.session_state["pixel_x"], st.session_state["pixel_y"] = x, y
    st.session_state["inspector_x"], st.session_state["inspector_y"] = x, y


def _step(dx: int, dy: int) -> None:
    _select(st.session_state["pixel_x"] + dx, st.session_state["pixel_y"] + dy)


def _typed() -> None:
    _select(st.session_state["inspector_x"], st.session_state["inspector_y"])


def _take_click(key: str, window: convkit.Window) -> None:
    """Act on a click on picture `key` showing `window` of the image, once per click."""
    click = st.session_state.get(key)
    if not click or click.get("unix_time") == st.session_state.get(f"{key}_seen"):
        return
    st.session_state[f"{key}_seen"] = click.get("unix_time")
    try:
        x, y = convkit.shown_to_pixel(click["x"], click["y"], click["width"], click["height"],
                                      window.width, window.height)
    except (KeyError, TypeError, ValueError):
        return  # a malformed event from the browser: ignore it
    _select(window.left + x, window.top + y)


def _overview(picture: ui.cache.Pixels) -> np.ndarray:
    """The whole picture at the overview's width; a small one enlarged pixel by pixel."""
    shown = ui.cache.resized(picture, OVERVIEW_WIDTH).array
    # A small image is enlarged here, pixel by pixel, rather than blurred by the browser.
    factor = OVERVIEW_WIDTH // shown.shape[1]
    if factor > 1:
        shown = convkit.magnify(shown, factor, grid=False)
    return convkit.to_rgb(shown)


@st.fragment
def inspector() -> None:
    """The picture, the picking controls and the breakdown; a click reruns only this part."""
    with ui.crash_guard("pixel inspector"):
        kernel = current.kernel
        raw = ui.raw_response(image, current)
        output = ui.output(image, current)
        full = convkit.Window(0, 0, height, width)
        zoom_side = min(max(25, max(kernel.shape) + 6), 64)
        margin = max(kernel.shape) // 2 + 2

        def zoom_window(x: int, y: int) -> convkit.Window:
            # The magnified view reaches past the edges, so the padding the kernel reads is visible.
            return convkit.window_around(x, y, width, height, zoom_side, margin)

        # Clicks are read before any widget showing the pixel is drawn, so they can move it.
        previous = zoom_window(_clamped("pixel_x", width), _clamped("pixel_y", height))
        _take_click("inspector_overview", full)
        _take_click("inspector_zoom", previous)
        x, y = _clamped("pixel_x", width), _clamped("pixel_y", height)
        _select(x, y)
        ui.write_url(current)
        zoom = zoom_window(x, y)

        show_output = st.segmented_control(
            "Picture", ["input", "output"], default="input", key="inspector_view",
            help="Pick on the input image or on the filtered output; the pixel is the same.",
        ) == "output"
        picture = output if show_output else image.content
        left, middle = st.columns(2)
        with left:
            overview = _overview(picture)
            scale = overview.shape[1] / width
            marked = convkit.outline(
                overview, int(max(zoom.top, 0) * scale), int(max(zoom.left, 0) * scale),
                max(3, round(zoom.height * scale)), max(3, round(zoom.width * scale)), SELECTED, 2)
            st.caption("Whole image: click to jump (the red box is the magnified area)")
            streamlit_image_coordinates(marked, key="inspector_overview", width=OVERVIEW_WIDTH,
                                        image_format="JPEG", jpeg_quality=90, cursor="crosshair")
            ui.download_png(output, f"{kernel.name}_{current.border}_{current.mapping}.png",
                            key="inspector_png", label="Download the output (PNG)")
        with middle:
            factor = max(1, ZOOM_WIDTH // max(zoom.width, zoom.height))
            if show_output:
                # The output has no padding: cells past the edge are shown as a neutral grey.
                crop, outside = convkit.padded_crop(picture.array, zoom.top, zoom.left,
                                                    zoom.height, zoom.width, "constant", 128)
            else:
                crop, outside = convkit.padded_crop(picture.array, zoom.top, zoom.left,
                                                    zoom.height, zoom.width, current.border,
                                                    min(max(current.value, 0), 255))
            big = convkit.magnify(convkit.tint(crop, outside, PADDING_TINT), factor)
            kh, kw = kernel.shape
            big = convkit.outline(big, (y - zoom.top - kh // 2) * factor,
                                  (x - zoom.left - kw // 2) * factor, kh * factor, kw * factor,
                                  FOOTPRINT, 2)
            big = convkit.outline(big, (y - zoom.top) * factor, (x - zoom.left) * factor, factor,
                                  factor, SELECTED, 2)
            st.caption(f"Magnified {zoom.width}x{zoom.height} px: click a pixel. Yellow: the "
                       "kernel's footprint; blue tint: padding beyond the edge")
            streamlit_image_coordinates(big, key="inspector_zoom", image_format="PNG",
                                        png_compression_level=1, cursor="crosshair")

        pick = st.columns([1, 1, 0.6, 0.6, 0.6, 0.6, 2], vertical_alignment="bottom")
        pick[0].number_input("x (column)", min_value=0, max_value=width - 1, step=1,
                             key="inspector_x", on_change=_typed)
        pick[1].number_input("y (row)", min_value=0, max_value=height - 1, step=1,
                             key="inspector_y", on_change=_typed)
        for column, (label, key, dx, dy) in zip(pick[2:6], (
                ("←", "inspector_left", -1, 0), ("→", "inspector_right", 1, 0),
                ("↑", "inspector_up", 0, -1), ("↓", "inspector_down", 0, 1)), strict=True):
            column.button(label, key=key, on_click=_step, args=(dx, dy), width="stretch",
                          help="Step to the neighbouring pixel")

        breakdown = convkit.explain_pixel(image.pixels, kernel, x, y, current.border,
                                          flip=current.flip, value=current.value)
        render_breakdown(breakdown, raw, output)


def _source_notes(breakdown: convkit.PixelBreakdown) -> list[list[str]]:
    """Under each padded cell: where its value came from ("= v" for the constant)."""
    return [[("= v" if sy < 0 else f"from ({sy},{sx})") if outside else ""
             for (sy, sx), outside in zip(row, padded, strict=True)]
            for row, padded in zip(breakdown.source_yx, breakdown.padded, strict=True)]


def render_breakdown(breakdown: convkit.PixelBreakdown, raw: ui.cache.Pixels,
                     output: ui.cache.Pixels) -> None:
    """The step-by-step computation of one output pixel, in a few elements per channel."""
    x, y = breakdown.x, breakdown.y
    kernel = current.kernel
    what = "convolution (kernel rotated 180°)" if current.flip else "correlation"
    st.subheader(f"Output pixel x={x}, y={y}")
    st.caption(f"{kernel.name} ({kernel.shape[0]}x{kernel.shape[1]}), {what}, "
               f"{current.border} border {convkit.BORDER_DRAWINGS[current.border]}, "
               f"{current.mapping} mapping")
    channels = ["R", "G", "B", "A"][: breakdown.roi.shape[2]] if breakdown.is_colour else [None]
    tabs = st.tabs([f"Channel {c}" for c in channels]) if breakdown.is_colour else [st.container()]
    notes = _source_notes(breakdown)
    weights_grid = ui.number_grid(breakdown.weights, coloured=True, shaded=breakdown.padded,
                                  numbered=True, css=False)
    for index, (tab, channel) in enumerate(zip(tabs, channels, strict=True)):
        with tab:
            roi = breakdown.roi[..., index] if channel else breakdown.roi
            products = breakdown.products[..., index] if channel else breakdown.products
            total = float(breakdown.total[index]) if channel else float(breakdown.total)
            plane = raw.array[..., index] if channel else raw.array
            fast = float(plane[y, x])
            steps = convkit.explain_mapping(total, current.mapping, float(plane.min()),
                                            float(plane.max()), divisor=current.divisor,
                                            offset=current.offset)
            grids = [
                ("1. Region under the kernel",
                 ui.number_grid(roi, shaded=breakdown.padded, notes=notes, numbered=True,
                                css=False)),
                ("2. Weights as applied" + (" (flipped)" if current.flip else ""),
                 weights_grid),
                ("3. Products (region × weight)",
                 ui.number_grid(products, coloured=True, shaded=breakdown.padded,
                                numbered=True, css=False)),
            ]
            st.html(ui.render.breakdown_html(grids, []))
            st.markdown("**4. Sum of the products**  \n"
                        + ui.sum_equation(breakdown.weights, roi, total))
            st.html(ui.render.breakdown_html(
                [], [(s.label, s.formula, ui.number(s.value, 6)) for s in steps],
                note=f"OpenCV's fast engine gives {ui.number(fast, 6)} for this pixel "
                     f"(difference {ui.number(abs(fast - total), 2)}, float32 rounding)."))
            byte = int(output.array[y, x, index]) if channel else int(output.array[y, x])
            st.markdown(f"Output byte: **{byte}**")
    _padding_notes(breakdown)
    st.download_button("Download the breakdown (CSV)", data=convkit.breakdown_csv(breakdown),
                       file_name=f"breakdown_{kernel.name}_x{x}_y{y}.csv", mime="text/csv",
                       key="inspector_csv")


def _padding_notes(breakdown: convkit.PixelBreakdown) -> None:
    """Which cells came from padding, and from where."""
    count = int(breakdown.padded.sum())
    if not count:
        st.info("The kernel lies wholly inside the image here: no padding was used.")
        return
    kh, kw = breakdown.weights.shape
    lines = []
    for r, c in zip(*np.nonzero(breakdown.padded), strict=True):
        at_y, at_x = breakdown.y + r - kh // 2, breakdown.x + c - kw // 2
        sy, sx = breakdown.source_yx[r, c]
        origin = (f"filled with the constant {breakdown.value:g}" if sy < 0
                  else f"copied from pixel ({sy}, {sx})")
        lines.append(f"- cell ({r}, {c}) lies outside the image at (y={at_y}, x={at_x}): "
                     f"{origin}")
    shown = lines[:12] + ([f"- … and {len(lines) - 12} more"] if len(lines) > 12 else [])
    st.warning(f"Near the border: {count} of the {kh * kw} cells come from "
               f"{html.escape(current.border)} padding "
               f"({convkit.BORDER_DESCRIPTIONS[current.border]}).\n\n" + "\n".join(shown))


inspector()
code.reproduce_expander(current, key="inspector_code")
