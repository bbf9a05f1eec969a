"""Home: what convkit does, one pixel worked out at a click, and where to go next."""

import streamlit as st

import convkit
from pages import ui
from pages.ui import clickable

#: Pixels per side of the piece of the image the first screen magnifies: few enough that
#: each pixel is a target a finger can hit on a phone.
PIECE_SIDE = 24
#: Longest side, in pixels, of the copy the piece is looked for on.
SEARCH_SIDE = 512
#: Session state: the pixel picked on Home, with the image it was picked on.
PICKED = "home_pixel"
#: Width of the whole input and output pictures further down (small: Home loads light).
PICTURE_WIDTH = 360
#: The pages, for the Explore links: (file, name, icon, what it shows).
EXPLORE = (
    ("pages/kernel_bank.py", "Kernel bank", ":material/grid_view:",
     "The tutorial's six kernels, its loop against cv2.filter2D."),
    ("pages/pixel_inspector.py", "Pixel inspector", ":material/point_scan:",
     "Click a pixel, see every number behind it."),
    ("pages/kernel_lab.py", "Kernel lab", ":material/science:",
     "Write your own kernel, see its properties."),
    ("pages/padding_modes.py", "Padding", ":material/border_outer:",
     "The five border modes side by side."),
    ("pages/deep_learning.py", "Convolutions in deep learning", ":material/neurology:",
     "Stride, dilation, channels, and a kernel learnt back."),
    ("pages/deconvolution.py", "Deconvolution", ":material/deblur:",
     "Undo a blur four ways, and see why noise breaks the inverse filter."),
    ("pages/template_matching.py", "Template matching", ":material/frame_inspect:",
     "A patch as the kernel: plain correlation against normalized."),
)
#: The box round the kernel's footprint on the piece: its colour, and a line a fifth of a
#: pixel wide, so the pixels under it stay visible.
MARKER_COLOUR, MARKER_LINE = (230, 0, 0), 0.2

st.title("convkit: see what a convolution kernel does", anchor=False)
st.markdown(
    "convkit shows, number by number, how a **kernel** (a small grid of weights) filters an "
    "image: each output pixel is the sum of the pixels around it, each multiplied by the "
    "weight over it. **Click a pixel** of the magnified piece below to see its numbers."
)

current = ui.settings()
image = ui.working_image(current)


def _piece(image: ui.WorkingImage) -> tuple[int, int, int, int]:
    """(top, left, height, width) of the piece magnified: the PIECE_SIDE square where the
    image varies most (an edge, rather than a flat patch whose numbers all look alike).

    Looked for on a copy at most SEARCH_SIDE px long (cached): on a 2048 px colour image the
    search itself takes 2.5 s and 100 MB; on the copy, milliseconds."""
    height, width = image.pixels.shape[:2]
    side_y, side_x = min(PIECE_SIDE, height), min(PIECE_SIDE, width)
    small = ui.smaller(image, SEARCH_SIDE).pixels
    scale = max(height, width) / max(small.shape[:2])
    _, top, left = convkit.lessons.busiest_crop(small, max(round(PIECE_SIDE / scale), 3))
    # The centre of the busiest square on the copy, back on the image.
    centre_y = int((top + PIECE_SIDE / scale / 2) * scale)
    centre_x = int((left + PIECE_SIDE / scale / 2) * scale)
    top = min(max(centre_y - side_y // 2, 0), height - side_y)
    left = min(max(centre_x - side_x // 2, 0), width - side_x)
    return top, left, side_y, side_x


def _picked_pixel(piece_key: str, top: int, left: int, height: int, width: int
                  ) -> tuple[int, int]:
    """The pixel picked on this piece (image coordinates); the piece's centre until then."""
    kept = st.session_state.get(PICKED)
    if kept is not None and kept[0] == piece_key:
        return kept[1], kept[2]
    return left + width // 2, top + height // 2


def _take_pick(piece_key: str, top: int, left: int, width: int, height: int) -> None:
    picked = clickable.picked_pixel(clickable.event("home_pick"), width, height)
    if picked is not None:
        x, y = left + picked[0], top + picked[1]
        st.session_state[PICKED] = (piece_key, x, y)
        # The shared picked pixel: the inspector opens on it, and the link carries it.
        st.session_state["pixel_x"], st.session_state["pixel_y"] = x, y


@st.fragment
def first_pixel(image: ui.WorkingImage, current: ui.Settings,
                piece_box: tuple[int, int, int, int]) -> None:
    """The magnified piece (`piece_box`: top, left, height, width) to click, and beside it one
    pixel worked out; a click reruns this part only."""
    with ui.crash_guard("home's first pixel"):
        kernel = current.kernel
        top, left, height, width = piece_box
        piece = image.pixels[top:top + height, left:left + width]
        piece_key = f"{image.key}:{top}:{left}"
        x, y = _picked_pixel(piece_key, top, left, height, width)
        breakdown = convkit.explain_pixel(image.pixels, kernel, x, y, current.border,
                                          flip=current.flip, value=current.value)
        raw, output = ui.raw_response(image, current), ui.output(image, current)
        picture, numbers = st.columns([1, 2], gap="medium")
        with picture:
            marker = clickable.Marker(kernel.shape, MARKER_COLOUR, MARKER_LINE, "red box")
            clickable.show(
                "home_pick", ui.cache.Pixels.of(piece), stretch=True, pixelated=True,
                point=(x - left, y - top), marker=marker,
                alt=(f"A {width} x {height} px piece of {image.label}, magnified, from x={left}, "
                     f"y={top}; the red box is the kernel over pixel x={x}, y={y}"),
                on_pick=lambda: _take_pick(piece_key, top, left, width, height))
            st.caption(f"A {width} x {height} px piece of {image.label} (from x={left}, "
                       f"y={top}: where it varies most), magnified. The red box: the kernel "
                       "over the picked pixel. Arrow keys and Enter pick too.")
        with numbers:
            _worked_out(breakdown, raw, output, current)
            ui.write_url(current)
            if st.button(f"Open pixel x={x}, y={y} in the Pixel inspector",
                         key="home_open_inspector", icon=":material/point_scan:"):
                # The inspector opens on the session's picked pixel: make it this one.
                st.session_state["pixel_x"], st.session_state["pixel_y"] = x, y
                st.switch_page("pages/pixel_inspector.py")


def _worked_out(breakdown: convkit.PixelBreakdown, raw: ui.cache.Pixels,
                output: ui.cache.Pixels, current: ui.Settings) -> None:
    """The region, weights, products, sum and byte of the picked pixel, with the words
    'border' and 'mapping' explained where they appear."""
    kernel, x, y = current.kernel, breakdown.x, breakdown.y
    st.subheader(f"Pixel x={x}, y={y}, {kernel.name} kernel", anchor=False)
    st.caption(
        f"**Border** {current.border}: beyond the image's edge, "
        f"{convkit.BORDER_DESCRIPTIONS[current.border]}. **Mapping** {current.mapping}: how "
        f"the sum becomes a byte, 0 to 255 ({convkit.MAPPINGS[current.mapping]}).")
    if breakdown.is_colour or kernel.shape[0] * kernel.shape[1] > 25:
        st.markdown(
            f"The {kernel.shape[0]}x{kernel.shape[1]} kernel's weighted sum here is "
            f"**{ui.format_total(breakdown.total)}**: a gray image and a kernel up to 5x5 "
            "show it written out here; the Pixel inspector writes out any.")
        return
    lowest, highest = ui.cache.stretch_range(raw)
    steps = convkit.explain_mapping(breakdown.total, current.mapping, lowest, highest,
                                    divisor=current.divisor, offset=current.offset)
    shaded = breakdown.padded
    # In a keyed container: static/first-paint.css keeps its place, as st.html draws only
    # once its sanitizer's script has come, after the text round it.
    with st.container(key="home_numbers"):
        st.html(ui.render.breakdown_html(
            [ui.number_grid(breakdown.roi, shaded=shaded, css=False,
                            caption="1. Pixels under the kernel"),
             ui.number_grid(breakdown.weights, coloured=True, shaded=shaded, css=False,
                            caption="2. Weights"),
             ui.number_grid(breakdown.products, coloured=True, shaded=shaded, css=False,
                            caption="3. Products (pixel × weight)")],
            # The clip mapping is said in full above; the others' steps are worth a table.
            [] if current.mapping == "clip" else
            [(s.label, s.formula, ui.number(s.value, 6)) for s in steps],
            equation=ui.render.sum_equation_html(breakdown.weights, breakdown.roi,
                                                 breakdown.total),
            byte=None if current.mapping == "clip" else int(output.array[y, x])))
    if current.mapping == "clip":
        st.markdown(f"**5. Output byte: {int(output.array[y, x])}** (the sum "
                    f"{ui.format_total(breakdown.total)}, rounded and clipped to 0..255)")
    st.markdown(f"OpenCV computes the same sum: **{ui.number(raw.array[y, x], 6)}**.")


if image is not None:
    first_pixel(image, current, _piece(image))

    st.header("The whole image", anchor=False)
    st.markdown(
        "The same sum at every pixel gives the filtered image. Blurs average their "
        "neighbours, sharpeners push the centre away from them, edge detectors weigh one side "
        "against the other. Near the edge part of the kernel hangs outside the image, so the "
        "image is first **padded** (the border above); how it is padded changes the border of "
        "the result. The sidebar changes the image, the kernel, the border and the mapping.")
    kernel = current.kernel
    left, right = st.columns(2)
    with left:
        ui.show_image(image.content, f"{image.label} (input)", PICTURE_WIDTH,
                      alt=f"The input image: {image.label}")
    with right:
        ui.show_image(ui.output(image, current),
                      f"{kernel.name}, {current.border} border, {current.mapping} mapping",
                      PICTURE_WIDTH,
                      alt=f"{image.label} filtered with the {kernel.name} kernel, "
                          f"{current.border} border, {current.mapping} mapping")

st.header("Explore", anchor=False)
# Each link's label is the page's short name and its description a caption that wraps: a
# page link's label stays on one line, cut short on a phone ("why noi", "correla").
explore = st.columns(2)
for index, (path, name, icon, description) in enumerate(EXPLORE):
    with explore[0 if index < 4 else 1]:
        st.page_link(path, label=name, icon=icon)
        st.caption(description)
