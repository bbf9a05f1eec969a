"""Kernel bank: the tutorial's kernels side by side, its pixel loop checked against cv2.filter2D."""

import threading
import time
from collections import OrderedDict

import numpy as np
import streamlit as st

import convkit
from pages import ui

#: Longer side, in pixels, of the copy the tutorial's (slow) loop runs on.
LOOP_RESOLUTIONS = (64, 128, 192, 256)
DEFAULT_LOOP_RESOLUTION = 128
#: The pure-Python loop's rough cost, measured on a laptop: seconds per pixel per channel.
LOOP_SECONDS_PER_PIXEL = 4e-6
#: Each picture fills a quarter of the page; the browser gets no more pixels than that.
PICTURE_WIDTH = 360
#: Loop results kept for all sessions (each at most 256 x 256 x 3 float32, 0.8 MB).
LOOP_STORE_ENTRIES = 48


class _LoopStore:
    """A small least-recently-used store of finished loop results, shared by all sessions.

    st.cache_data cannot hold them: its replay refuses a cached function that updates a progress
    bar created outside it, and the loop must report progress while it runs.
    """

    def __init__(self, entries: int):
        self._entries = entries
        self._results: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> np.ndarray | None:
        with self._lock:
            if key not in self._results:
                return None
            self._results.move_to_end(key)
            return self._results[key]

    def put(self, key: tuple, raw: np.ndarray) -> None:
        with self._lock:
            self._results[key] = raw
            self._results.move_to_end(key)
            while len(self._results) > self._entries:
                self._results.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _loop_store() -> _LoopStore:
    return _LoopStore(LOOP_STORE_ENTRIES)


@st.cache_data(max_entries=8, show_spinner=False)
def _loop_pixels(image_key: str, resolution: int, _pixels: np.ndarray) -> np.ndarray:
    return convkit.fit_to_pixels(_pixels, resolution)


@st.cache_data(max_entries=64, show_spinner=False)
def _filter2d(image_key: str, weights_key: str, _pixels: np.ndarray,
              _weights: np.ndarray) -> np.ndarray:
    return convkit.opencv_reference(_pixels, _weights)


@st.cache_data(max_entries=128, show_spinner=False)
def _agreement(image_key: str, weights_key: str, border: str, flip: bool, value: float,
               mapping: str, engine: str, _pixels: np.ndarray, _weights: np.ndarray,
               _raw: np.ndarray) -> convkit.Agreement:
    return convkit.compare_with_opencv(_pixels, _weights, _raw, border, mapping, flip=flip,
                                       value=value)


def loop_key(image: ui.WorkingImage, kernel: convkit.Kernel, current: ui.Settings) -> tuple:
    """Everything a loop result depends on (the mapping comes after, so it is not part of it)."""
    return (image.key, ui.kernel_key(kernel.weights), current.border, current.flip,
            current.value)


def run_loops(small: ui.WorkingImage, kernels: list[convkit.Kernel], current: ui.Settings):
    """Run the tutorial's loop for each kernel on the small image, with one progress bar."""
    store = _loop_store()
    bar = st.progress(0.0, text="Starting the tutorial's loop…")
    started = time.perf_counter()
    for done, kernel in enumerate(kernels):
        label = f"Tutorial loop: {kernel.name} ({done + 1} of {len(kernels)})"

        def report(fraction: float, done=done, label=label) -> None:
            bar.progress(min(1.0, (done + fraction) / len(kernels)), text=label)

        raw = convkit.convolve_loop(small.pixels, kernel.weights, current.border,
                                    flip=current.flip, value=current.value, progress=report)
        store.put(loop_key(small, kernel, current), raw)
    seconds = time.perf_counter() - started
    bar.progress(1.0, text=f"The loop ran {len(kernels)} kernel(s) in {seconds:.1f} s.")


def show_badge(agreement: convkit.Agreement, engine: str, size: str) -> None:
    """Green when every byte matches cv2.filter2D, amber with the reasons when not."""
    if agreement.identical:
        st.success(f"**Identical**: {engine} and cv2.filter2D give the same byte at all "
                   f"{agreement.total_pixels:,} pixel values of the {size} image.", icon="✅")
        return
    lines = [f"**{engine} vs cv2.filter2D** on the {size} image: max difference "
             f"**{agreement.max_abs_diff}** grey levels; **{agreement.percent_differ:.2f}%** of "
             f"the pixel values differ ({agreement.differing_pixels:,} of "
             f"{agreement.total_pixels:,}). Why:"]
    lines += [f"- **{cause.name}** ({cause.pixels:,} values): {cause.explanation}"
              for cause in agreement.causes]
    st.warning("\n".join(lines), icon="⚠️")


def size_text(pixels: np.ndarray) -> str:
    """'W x H px' of a picture."""
    return f"{pixels.shape[1]} x {pixels.shape[0]} px"


st.title("Kernel bank")
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
        format_func=lambda name: f"{name} ({kernels[name].shape[0]}x{kernels[name].shape[1]})",
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
small_pixels = _loop_pixels(image.key, resolution, image.pixels)
small = ui.WorkingImage(small_pixels, f"{image.key}:loop{resolution}", image.label, (),
                        image.original_size)
store = _loop_store()
pending = [kernel for kernel in chosen if store.get(loop_key(small, kernel, current)) is None]

height, width = small_pixels.shape[:2]
channels = small_pixels.shape[2] if small_pixels.ndim == 3 else 1
done_text = (f"The loop has run for every chosen kernel at {size_text(small_pixels)} with these "
             "settings; its results are kept, so nothing runs again.")
estimate = st.empty()
if pending:
    visits = height * width * channels * len(pending)
    estimate.caption(
        f"The loop will visit {width} x {height} = {width * height:,} pixels"
        f"{f' x {channels} channels' if channels > 1 else ''} for {len(pending)} kernel(s): "
        f"{visits:,} windows, about {visits * LOOP_SECONDS_PER_PIXEL:.1f} s "
        f"(border {current.border}, flip {'on' if current.flip else 'off'})."
    )
else:
    estimate.caption(done_text)

if st.button("Run the tutorial's loop", key="bank_run_loop", type="primary",
             help="Runs convkit.convolve_loop, the tutorial's loop, for the chosen kernels "
                  "that have not run yet with these settings."):
    if pending:
        run_loops(small, pending, current)
        estimate.caption(done_text)
    else:
        st.toast("Nothing to run: every chosen kernel's loop result is already here.")

for kernel in chosen:
    weights_key = ui.kernel_key(kernel.weights)
    st.divider()
    st.subheader(kernel.name)
    facts = convkit.kernel_properties(kernel.weights)
    low, high = kernel.weights.min(), kernel.weights.max()
    weights_text = f"all weights {low:.3g}" if low == high else f"weights {low:.3g} to {high:.3g}"
    st.caption(f"{kernel.description}. {kernel.shape[0]}x{kernel.shape[1]}, {weights_text}; "
               f"{facts.sum_meaning}.")

    loop_raw = store.get(loop_key(small, kernel, current))
    if loop_raw is not None:
        # The whole row at the loop's resolution, so the three pictures compare like for like.
        shown = small
        middle = ui.mapped(f"loop:{small.key}", weights_key, current.border, current.flip,
                         current.value, current.mapping, loop_raw)
        middle_caption = f"tutorial loop (convolve_loop), {size_text(middle)}"
        middle_name = "loop"
    else:
        shown = image
        raw = ui.response(image, current, kernel)
        middle = ui.mapped(image.key, weights_key, current.border, current.flip, current.value,
                         current.mapping, raw)
        middle_caption = (f"fast engine (convkit.convolve), {size_text(middle)}: the loop "
                          "has not run yet")
        middle_name = "fast"
    reference = _filter2d(shown.key, weights_key, shown.pixels, kernel.weights)

    columns = st.columns([1.1, 1, 1, 1])
    with columns[0]:
        # An HTML heat map: the browser draws six of these far faster than six Plotly charts.
        st.html(ui.number_grid(kernel.weights, coloured=True, digits=2))
    with columns[1]:
        ui.show_image(shown.pixels, f"original, {size_text(shown.pixels)}", PICTURE_WIDTH)
    with columns[2]:
        ui.show_image(middle, f"{middle_caption}; {current.border} border, "
                              f"{current.mapping} mapping", PICTURE_WIDTH)
        ui.download_png(middle, f"{kernel.name}_{middle_name}_{current.border}_"
                                f"{current.mapping}.png",
                        key=f"bank_download_{kernel.name}_{middle_name}")
    with columns[3]:
        ui.show_image(reference, f"cv2.filter2D (reflect_101 border, rounded), "
                                 f"{size_text(reference)}", PICTURE_WIDTH)
        ui.download_png(reference, f"{kernel.name}_filter2D.png",
                        key=f"bank_download_{kernel.name}_filter2d")

    if loop_raw is not None:
        agreement = _agreement(small.key, weights_key, current.border, current.flip,
                               current.value, current.mapping, "loop", small_pixels,
                               kernel.weights, loop_raw)
        show_badge(agreement, "The tutorial's loop", size_text(small_pixels))
    else:
        agreement = _agreement(small.key, weights_key, current.border, current.flip,
                               current.value, current.mapping, "fast", small_pixels,
                               kernel.weights, ui.response(small, current, kernel))
        show_badge(agreement, "The fast engine", f"loop-sized {size_text(small_pixels)}")
        st.caption("Run the tutorial's loop to check the loop itself: it adds up the same "
                   "products, so expect the same badge (a rare sum may round the other way).")

st.divider()
ui.show_code(convkit.convolve_loop, convkit.opencv_reference, convkit.compare_with_opencv)
