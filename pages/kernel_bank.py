"""Kernel bank: the tutorial's kernels side by side, its pixel loop checked against cv2.filter2D."""

import time
from dataclasses import dataclass

import streamlit as st

import convkit
from pages import ui
from pages.ui import code
from pages.views import kernel_bank as views
from server import loops

#: Longer side, in pixels, of the copy the tutorial's (slow) loop runs on.
LOOP_RESOLUTIONS = (64, 128, 192, 256)
DEFAULT_LOOP_RESOLUTION = 128
#: Longer side, in pixels, of the pictures the bank shows. Each fills a quarter of a wide
#: page, at most about 400 CSS px on a laptop: 512 stays sharp there and on a phone's 2x
#: screen. The rows are computed on a copy this size (a 2048 px colour image's float32
#: response is 50 MB, its copy's 3 MB); a download is made at full resolution on click.
PICTURE_SIDE = 512
#: Copies of its image a full-resolution download holds while it is made: the float32
#: image, its response and the padded copy (convkit.convolve), as cache.response declares.
DOWNLOAD_COPIES = 3


#: The loop runs (or replays) this visitor has seen: loop keys, the oldest dropped past this.
SEEN = "bank_loops_seen"
MAX_SEEN = 256


@dataclass(frozen=True)
class LoopRun:
    """A loop result kept on the server for every visitor, with how long it took to make."""

    raw: ui.cache.Pixels
    timing: loops.LoopTiming
    at: str  # when it ran, server time HH:MM


def loop_key(small: ui.WorkingImage, kernel: convkit.Kernel, current: ui.Settings) -> tuple:
    """Everything a loop result depends on (the mapping comes after, so it is not part of it)."""
    return (small.key, ui.kernel_key(kernel.weights), current.border, current.flip,
            current.value)


def size_text(pixels) -> str:
    """'W x H px' of a picture."""
    return f"{pixels.shape[1]} x {pixels.shape[0]} px"


def full_resolution_fast(image: ui.WorkingImage, weights, current: ui.Settings):
    """What the fast engine's download holds: the whole working image filtered and mapped."""
    return lambda: ui.cache.filtered_bytes(image.content, weights, current.border,
                                           current.flip, current.value, current.mapping,
                                           current.divisor, current.offset)


def full_resolution_filter2d(image: ui.WorkingImage, weights):
    """What cv2.filter2D's download holds: its own bytes for the whole working image."""
    return lambda: convkit.explain.opencv_reference(image.pixels, weights)


def timing_text(run: LoopRun, how: str) -> str:
    """The loop's time beside cv2.filter2D's, for one kernel."""
    loop_s, fast_s = run.timing.loop_seconds, run.timing.filter2d_seconds
    # A whole number: "2.36e+03 times" reads badly to a class.
    ratio = ui.number(round(loop_s / fast_s), 9) if fast_s > 0 else "many"
    what = ("your run" if how == "ran" else
            f"a replay of the run measured on this server at {run.at}, played at its speed")
    return (f"**Time** ({what}): the tutorial's loop took **{ui.number(loop_s, 3)} s**, "
            f"`cv2.filter2D` on the same pixels **{ui.number(1000 * fast_s, 3)} ms**: "
            f"about {ratio} times faster.")


def show_weights(kernel: convkit.Kernel) -> None:
    """The kernel's weights as an HTML heat map: the browser draws six of these far faster
    than six Plotly charts."""
    st.html(ui.number_grid(kernel.weights, coloured=True, digits=2,
                           caption=f"Weights of {kernel.name}"))


@dataclass(frozen=True)
class Row:
    """One kernel's pictures: the original, the middle result (loop or fast engine),
    cv2.filter2D's, and where the middle one differs from cv2.filter2D's."""

    kernel: convkit.Kernel
    shown: ui.WorkingImage
    middle: object
    middle_caption: str
    middle_name: str
    middle_download: object
    middle_bytes: int
    reference: object
    current: ui.Settings
    image: ui.WorkingImage  # the whole working image, that cv2.filter2D's download is made of
    download_bytes: int

    def original(self) -> None:
        ui.show_image(self.shown.content, f"original, {size_text(self.shown.pixels)}",
                      PICTURE_SIDE, alt=f"The original image, beside the {self.kernel.name} "
                                        "kernel")

    def result(self) -> None:
        kernel, current, name = self.kernel, self.current, self.middle_name
        ui.show_image(self.middle, f"{self.middle_caption}; {current.border} border, "
                                   f"{current.mapping} mapping", PICTURE_SIDE,
                      alt=f"The image filtered with the {kernel.name} kernel ({name} "
                          f"engine), {current.border} border, {current.mapping} mapping")
        ui.download_png(self.middle_download, f"{kernel.name}_{name}_{current.border}_"
                                              f"{current.mapping}.png",
                        key=f"bank_download_{kernel.name}_{name}", nbytes=self.middle_bytes)

    def filter2d(self) -> None:
        kernel = self.kernel
        ui.show_image(self.reference, f"cv2.filter2D (reflect_101 border, rounded), "
                                      f"{size_text(self.shown.pixels)}", PICTURE_SIDE,
                      alt=f"The image filtered with the {kernel.name} kernel by cv2.filter2D, "
                          "reflect_101 border, rounded")
        ui.download_png(full_resolution_filter2d(self.image, kernel.weights),
                        f"{kernel.name}_filter2D.png", key=f"bank_download_{kernel.name}_filter2d",
                        nbytes=self.download_bytes)

    def difference(self) -> None:
        kernel, current, name = self.kernel, self.current, self.middle_name
        # The middle result's own bytes at the size shown (the loop's, or the fast engine's).
        ours = (self.middle if isinstance(self.middle, ui.cache.Pixels)
                else ui.output(self.shown, current, kernel))
        theirs = ui.cache.opencv_reference(self.shown.content, kernel.weights)
        picture, differing, total = ui.cache.difference_picture(ours, theirs)
        engine = "the tutorial's loop" if name == "loop" else "the fast engine"
        counted = (f"{differing:,} of {total:,} pixels differ" if differing
                   else f"all {total:,} pixels are equal")
        st.image(picture.data, width="stretch", output_format="PNG",
                 caption=f"difference: {counted} between {engine} and cv2.filter2D, "
                         f"{size_text(self.shown.pixels)}; differing pixels bright yellow on a "
                         "dimmed copy",
                 alt=f"Where {engine} ({current.border} border, {current.mapping} mapping) "
                     f"differs from cv2.filter2D for the {kernel.name} kernel: {counted}, each "
                     "marked as a bright yellow dot on a dimmed copy of cv2.filter2D's picture")


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
hidden = views.question(image, current)

kernels = ui.available_kernels()
controls = st.columns([2, 1])
with controls[0]:
    names = st.multiselect(
        "Kernels", list(kernels), default=list(convkit.TUTORIAL_KERNELS), key="bank_kernels",
        format_func=ui.render.kernel_labels(kernels),
        help="The tutorial's six are chosen to start with. The sidebar's kernel is the one "
             "the question above asks about; its border, flip and mapping are used by every "
             "row.",
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
# The rows the fast engine fills are computed on this copy, the size they are shown at.
shown_copy = ui.smaller(image, PICTURE_SIDE)
reduced = shown_copy.pixels.shape != image.pixels.shape
download_bytes = ui.cache.work_bytes((image.content,), DOWNLOAD_COPIES)
store = ui.cache.stores()["loops"]
keys = {kernel.name: loop_key(small, kernel, current) for kernel in chosen}
# Each visitor runs the loop, or watches a replay of a run the server measured (the result
# is kept once for everyone), so every student sees how slow it is next to cv2.filter2D.
seen = st.session_state.setdefault(SEEN, {})
mine = [kernel for kernel in chosen if keys[kernel.name] not in seen]
batch = loops.loop_batch(mine, small.pixels.size)
kept = {kernel.name: store.get(keys[kernel.name]) for kernel in batch}
replays = [kernel for kernel in batch if kept[kernel.name] is not None]

done_text = (f"The loop has run for every chosen kernel at {size_text(small.pixels)} with these "
             "settings, for you (your run or a replay of a measured one); its results are "
             "kept, so nothing runs again.")
estimate = st.empty()
if mine:
    text = ui.render.loop_estimate(
        small.pixels.shape, len(batch), len(mine) - len(batch), loops.SECONDS_PER_WINDOW,
        loops.WINDOWS_PER_RUN, current.border, current.flip)
    if replays:
        text += (f" {len(replays)} of them already ran on this server for another visitor: "
                 "you will watch a replay of that measured run, at its real speed (nothing is "
                 "computed again).")
    estimate.caption(text)
else:
    estimate.caption(done_text)


def _keep(kernel, raw) -> None:
    kept[kernel.name] = raw


def _note(kernel, timing) -> None:
    run = LoopRun(ui.cache.Pixels.of(kept[kernel.name]), timing, time.strftime("%H:%M"))
    store.put(keys[kernel.name], run, run.raw.nbytes)
    kept[kernel.name] = run
    _saw(kernel, "ran")


def _saw(kernel, how: str) -> None:
    seen[keys[kernel.name]] = how
    while len(seen) > MAX_SEEN:
        seen.pop(next(iter(seen)))


if st.button("Run the tutorial's loop", key="bank_run_loop", type="primary",
             help="Runs convkit.convolve_loop, the tutorial's loop, for the chosen kernels "
                  "you have not run yet with these settings; a kernel another visitor already "
                  "ran is replayed at its measured speed instead of computed again."):
    if batch:
        try:
            fresh = [kernel for kernel in batch if kept[kernel.name] is None]
            if fresh:
                ui.work.run_loops(small.pixels, fresh, current, _keep, _note,
                                  known=lambda kernel: store.get(keys[kernel.name]) is not None)
                # Made by the visitor ahead while this one waited: replayed, not run again.
                for kernel in fresh:
                    if kept[kernel.name] is None:
                        kept[kernel.name] = store.get(keys[kernel.name])
                        if kept[kernel.name] is not None:
                            replays.append(kernel)
            if replays:
                ui.work.replay_loops([(kernel, kept[kernel.name].timing) for kernel in replays])
                for kernel in replays:
                    _saw(kernel, "replayed")
        except ui.work.Busy as error:
            st.warning(f"The loop cannot start now: {error}")
        if len(batch) == len(mine):
            estimate.caption(done_text)
    else:
        st.toast("Nothing to run: you have run or watched every chosen kernel's loop.")

for kernel in chosen:
    st.divider()
    st.header(kernel.name, anchor=False)
    st.caption(ui.render.kernel_summary(kernel, convkit.lessons.kernel_properties(kernel.weights)))
    if views.kept_back(kernel.name, hidden):
        continue

    how = seen.get(keys[kernel.name])
    run = store.get(keys[kernel.name]) if how else None
    loop_raw = run.raw if run is not None else None
    if loop_raw is not None:
        # The whole row at the loop's resolution, so the three pictures compare like for like.
        shown = small
        middle_raw = ui.cache.mapped(loop_raw, current.mapping, current.divisor,
                                     current.offset)
        middle = middle_raw
        middle_caption = f"tutorial loop (convolve_loop), {size_text(small.pixels)}"
        middle_name = "loop"
        # The loop's result exists at its own size only: that is what it downloads.
        middle_download, middle_bytes = (lambda raw=middle_raw: raw), 0
    else:
        shown = shown_copy
        middle = ui.cache.filtered_picture(shown.content, kernel.weights, current.border,
                                           current.flip, current.value, current.mapping,
                                           current.divisor, current.offset, PICTURE_SIDE)
        middle_caption = (f"fast engine (convkit.convolve), {size_text(shown.pixels)}: the "
                          "loop has not run yet")
        middle_name = "fast"
        middle_download = full_resolution_fast(image, kernel.weights, current)
        middle_bytes = download_bytes

    reference = ui.cache.opencv_picture(shown.content, kernel.weights, PICTURE_SIDE)

    shows = {"side by side": "side by side", "original": "original",
             "result": "loop" if middle_name == "loop" else "fast engine",
             "filter2D": "cv2.filter2D", "difference": "difference"}
    view = st.segmented_control(
        f"Show ({kernel.name})", list(shows), format_func=shows.get, required=True,
        default="result" if ui.is_phone() else "side by side", key=f"bank_show_{kernel.name}",
        help="One picture at a time, in the same place, so that a switch shows what changes "
             "(on a phone the pictures would otherwise stack a screen apart); 'difference' "
             "marks every pixel where the middle result differs from cv2.filter2D's.")
    row = Row(kernel, shown, middle, middle_caption, middle_name, middle_download, middle_bytes,
              reference, current, image, download_bytes)
    if view == "side by side":
        columns = st.columns([1.1, 1, 1, 1])
        with columns[0]:
            show_weights(kernel)
        for column, draw in zip(columns[1:], (row.original, row.result, row.filter2d),
                                strict=True):
            with column:
                draw()
    else:
        grid_column, picture_column = st.columns([1.1, 3])
        with grid_column:
            show_weights(kernel)
        with picture_column:
            {"original": row.original, "result": row.result, "filter2D": row.filter2d,
             "difference": row.difference}[view]()
    if shown is shown_copy and reduced:
        st.caption(f"Shown at {size_text(shown.pixels)}: the image is downscaled, then "
                   f"filtered. The downloads are at full resolution, {size_text(image.pixels)}, "
                   "made when you click (they may wait for their turn).")
    elif shown is small:
        st.caption(f"The loop's row is at {size_text(small.pixels)}; its download too. "
                   f"cv2.filter2D's download is at full resolution, {size_text(image.pixels)}.")

    if loop_raw is not None:
        agreement = ui.cache.agreement(small.content, kernel.weights, loop_raw, current.border,
                                       current.flip, current.value, current.mapping,
                                       current.divisor, current.offset)
        ui.agreement_badge(agreement, "The tutorial's loop", size_text(small.pixels))
        st.markdown(timing_text(run, how))
    else:
        agreement = ui.cache.agreement(small.content, kernel.weights,
                                       ui.raw_response(small, current, kernel), current.border,
                                       current.flip, current.value, current.mapping,
                                       current.divisor, current.offset)
        ui.agreement_badge(agreement, "The fast engine", f"loop-sized {size_text(small.pixels)}")
        st.caption("Run the tutorial's loop to check the loop itself and time it against "
                   "cv2.filter2D: it adds up the same products, so expect the same badge (a "
                   "rare sum may round the other way).")

st.divider()
ui.how_computed(chosen, image, current)
code.reproduce_expander(current, key="bank_code")
ui.show_code(convkit.convolve_loop, convkit.explain.opencv_reference, convkit.compare_with_opencv)
