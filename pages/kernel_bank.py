"""Kernel bank: the tutorial's kernels side by side, its pixel loop checked against cv2.filter2D."""

import streamlit as st

import convkit
from pages import ui
from pages.ui import code
from server import loops

#: Longer side, in pixels, of the copy the tutorial's (slow) loop runs on.
LOOP_RESOLUTIONS = (64, 128, 192, 256)
DEFAULT_LOOP_RESOLUTION = 128
#: Each picture fills a quarter of the page; the browser gets no more pixels than that.
PICTURE_WIDTH = 360


def loop_key(small: ui.WorkingImage, kernel: convkit.Kernel, current: ui.Settings) -> tuple:
    """Everything a loop result depends on (the mapping comes after, so it is not part of it)."""
    return (small.key, ui.kernel_key(kernel.weights), current.border, current.flip,
            current.value)


def size_text(pixels) -> str:
    """'W x H px' of a picture."""
    return f"{pixels.shape[1]} x {pixels.shape[0]} px"


st.title("Kernel bank", anchor=False)
st.markdown(
    "The tutorial filters one image with six kernels, each twice: with its own Python loop "
    "(pad the image, slide a window, multiply and add) and with OpenCV's `cv2.filter2D`. Here "
    "you can do the same with any image and any kernels. The loop is slow, so it runs only when "
    "you ask, on a small copy of the image; until then the middle picture comes from convkit's "
    "fast engine, which computes the same sums. The badge under each row says whether the "
    "result matches `cv2.filter2D` byte for byte, and if not, why. To reproduce the tutorial "
    "exactly choose border **replicate** and mapping **tutorial** in the sidebar."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
ui.describe_image(image)

kernels = ui.available_kernels()
controls = st.columns([2, 1])
with controls[0]:
    names = st.multiselect(
        "Kernels", list(kernels), default=list(convkit.TUTORIAL_KERNELS), key="bank_kernels",
        format_func=ui.render.kernel_labels(kernels),
        help="The tutorial's six are chosen to start with. The sidebar's kernel is not used "
             "on this page; its border, flip and mapping are.",
    )
with controls[1]:
    resolution = st.select_slider(
        "Loop resolution (longer side, px)", LOOP_RESOLUTIONS, value=DEFAULT_LOOP_RESOLUTION,
        key="bank_loop_resolution",
        help="The loop runs on a copy downscaled to this size: pure Python visits every pixel "
             "(about 4 µs each), where OpenCV takes milliseconds for the whole image.",
    )

if not names:
    st.info("Choose at least one kernel above to see what it does.")
    st.stop()

chosen = [kernels[name] for name in names]
small = ui.smaller(image, resolution)
store = ui.cache.stores()["loops"]
pending = [kernel for kernel in chosen if store.get(loop_key(small, kernel, current)) is None]
batch = loops.loop_batch(pending, small.pixels.size)

done_text = (f"The loop has run for every chosen kernel at {size_text(small.pixels)} with these "
             "settings; its results are kept, so nothing runs again.")
estimate = st.empty()
estimate.caption(ui.render.loop_estimate(
    small.pixels.shape, len(batch), len(pending) - len(batch), loops.SECONDS_PER_WINDOW,
    loops.WINDOWS_PER_RUN, current.border, current.flip) if pending else done_text)

if st.button("Run the tutorial's loop", key="bank_run_loop", type="primary",
             help="Runs convkit.convolve_loop, the tutorial's loop, for the chosen kernels "
                  "that have not run yet with these settings."):
    if batch:
        try:
            ui.work.run_loops(small.pixels, batch, current, lambda kernel, raw: store.put(
                loop_key(small, kernel, current), ui.cache.Pixels.of(raw), raw.nbytes))
        except ui.work.Busy as error:
            st.warning(f"The loop cannot start now: {error}")
        if len(batch) == len(pending):
            estimate.caption(done_text)
    else:
        st.toast("Nothing to run: every chosen kernel's loop result is already here.")

for kernel in chosen:
    st.divider()
    st.header(kernel.name, anchor=False)
    st.caption(ui.render.kernel_summary(kernel, convkit.lessons.kernel_properties(kernel.weights)))

    loop_raw = store.get(loop_key(small, kernel, current))
    if loop_raw is not None:
        # The whole row at the loop's resolution, so the three pictures compare like for like.
        shown = small

        def make_middle(raw=loop_raw):
            return ui.cache.mapped(raw, current.mapping, current.divisor, current.offset)

        middle = make_middle()
        middle_caption = f"tutorial loop (convolve_loop), {size_text(small.pixels)}"
        middle_name = "loop"
    else:
        shown = image

        def make_middle(weights=kernel.weights):
            return ui.cache.filtered(image.content, weights, current.border, current.flip,
                                     current.value, current.mapping, current.divisor,
                                     current.offset)

        # Only the picture on screen is kept; the full-resolution bytes are made for a download.
        middle = ui.cache.filtered_picture(image.content, kernel.weights, current.border,
                                           current.flip, current.value, current.mapping,
                                           current.divisor, current.offset, PICTURE_WIDTH)
        middle_caption = (f"fast engine (convkit.convolve), {size_text(image.pixels)}: the "
                          "loop has not run yet")
        middle_name = "fast"

    def make_reference(content=shown.content, weights=kernel.weights):
        return ui.cache.opencv_reference(content, weights)

    reference = ui.cache.opencv_picture(shown.content, kernel.weights, PICTURE_WIDTH)

    columns = st.columns([1.1, 1, 1, 1])
    with columns[0]:
        # An HTML heat map: the browser draws six of these far faster than six Plotly charts.
        st.html(ui.number_grid(kernel.weights, coloured=True, digits=2,
                               caption=f"Weights of {kernel.name}"))
    with columns[1]:
        ui.show_image(shown.content, f"original, {size_text(shown.pixels)}", PICTURE_WIDTH,
                      alt=f"The original image, beside the {kernel.name} kernel")
    with columns[2]:
        ui.show_image(middle, f"{middle_caption}; {current.border} border, "
                              f"{current.mapping} mapping", PICTURE_WIDTH,
                      alt=f"The image filtered with the {kernel.name} kernel ({middle_name} "
                          f"engine), {current.border} border, {current.mapping} mapping")
        ui.download_png(make_middle, f"{kernel.name}_{middle_name}_{current.border}_"
                                f"{current.mapping}.png",
                        key=f"bank_download_{kernel.name}_{middle_name}")
    with columns[3]:
        ui.show_image(reference, f"cv2.filter2D (reflect_101 border, rounded), "
                                 f"{size_text(shown.pixels)}", PICTURE_WIDTH,
                      alt=f"The image filtered with the {kernel.name} kernel by cv2.filter2D, "
                          "reflect_101 border, rounded")
        ui.download_png(make_reference, f"{kernel.name}_filter2D.png",
                        key=f"bank_download_{kernel.name}_filter2d")

    if loop_raw is not None:
        agreement = ui.cache.agreement(small.content, kernel.weights, loop_raw, current.border,
                                       current.flip, current.value, current.mapping,
                                       current.divisor, current.offset)
        ui.agreement_badge(agreement, "The tutorial's loop", size_text(small.pixels))
    else:
        agreement = ui.cache.agreement(small.content, kernel.weights,
                                       ui.raw_response(small, current, kernel), current.border,
                                       current.flip, current.value, current.mapping,
                                       current.divisor, current.offset)
        ui.agreement_badge(agreement, "The fast engine", f"loop-sized {size_text(small.pixels)}")
        st.caption("Run the tutorial's loop to check the loop itself: it adds up the same "
                   "products, so expect the same badge (a rare sum may round the other way).")

st.divider()
ui.how_computed(chosen, image, current)
code.reproduce_expander(current, key="bank_code")
ui.show_code(convkit.convolve_loop, convkit.explain.opencv_reference, convkit.compare_with_opencv)
