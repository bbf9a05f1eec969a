"""Kernel lab: write or generate a kernel, read its properties, compose two, apply it again."""

import streamlit as st

import convkit
from pages import ui
from pages.ui import code
from pages.views import kernel_lab as views

st.title("Kernel lab", anchor=False)
st.markdown(
    "Type your own kernel into the table (cells take numbers or fractions like `1/9`), or "
    "make one with a generator. Below it you see what it does to the image and what can be "
    "read off its weights: its sum, its symmetries, whether it splits into two 1-D passes, "
    "which frequencies it lets through, what one kernel does the work of two, and what it "
    "becomes when applied again and again. Save it to use it on every page of the app."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
views.start(current)
weights = views.editor_and_generators()
kernel = convkit.Kernel("your kernel", weights)
height, width = weights.shape

st.header("What it does to the image", anchor=False)
with st.spinner("Filtering…"):
    output = ui.output(image, current, kernel)
before, after = st.columns(2)
with before:
    ui.show_image(image.content, f"{image.label} (input)",
                  alt=f"The input image: {image.label}")
with after:
    ui.show_image(output, f"Your {height}x{width} kernel, {current.border} border, "
                          f"{current.mapping} mapping",
                  alt=f"{image.label} filtered with your {height}x{width} kernel, "
                      f"{current.border} border, {current.mapping} mapping")
    ui.download_png(output, "kernel_lab_result.png", key="lab_download_png")
ui.describe_image(image)

st.header("Properties", anchor=False)
views.properties(weights)
views.composition(weights, image)

st.header("Apply it again", anchor=False)
st.markdown(
    "Filtering the result again with the same kernel, n times over, is one filter with the "
    "kernel composed with itself n times: a kernel n (h − 1) + 1 wide. A blur spreads with "
    "every pass (the variances add up) and, whatever its shape, tends to a Gaussian: the "
    "central limit theorem at work. Three box blurs are a classic cheap Gaussian."
)
times_box, try_box = st.columns([3, 1], vertical_alignment="bottom")
times = times_box.slider(
    "Times applied (n)", 1, convkit.lessons.MAX_TIMES, 3, key="lab_times",
    help=f"At most {convkit.lessons.MAX_TIMES}. Each pass filters the previous pass's float result "
         "with the sidebar's border; nothing is rounded in between.")
try_box.button("Try it with a 5 x 5 box", key="lab_times_box", width="stretch",
               on_click=views.load, args=(convkit.box(5, 5), "a 5 x 5 box blur"))
repetition = convkit.lessons.repeat_kernel(weights, times)
picture_box, profile_box = st.columns(2, gap="large")
with picture_box:
    with st.spinner(f"Filtering {times} times…"), ui.work.told_if_busy("filtering"):
        raw = ui.cache.repeated(image.content, weights, times, current.border, current.flip,
                                current.value)
        passes = ui.cache.mapped(raw, current.mapping, current.divisor, current.offset)
    ui.show_image(passes, f"Your kernel applied {times} times, {current.mapping} mapping",
                  alt=f"{image.label} filtered {times} times with your kernel, "
                      f"{current.border} border, {current.mapping} mapping")
with profile_box:
    st.plotly_chart(views.profile_figure(repetition), width="stretch", key="lab_times_profile",
                    config=ui.CHART_CONFIG)
    composed = repetition.weights.shape
    if repetition.sigma is None:
        st.caption(f"{times} passes = one {composed[0]} x {composed[1]} kernel. No Gaussian "
                   f"to compare: {repetition.fit_note}.")
    else:
        st.caption(f"{times} passes = one {composed[0]} x {composed[1]} kernel, profiled by "
                   f"summing each {'column' if repetition.axis == 'horizontal' else 'row'}. "
                   f"The Gaussian of the same mean and variance has sigma "
                   f"{ui.number(repetition.sigma, 3)} px; the largest gap between the two is "
                   f"{ui.number(100 * repetition.error, 2)} % of the peak.")
        gaps = ui.cache.gaussian_gaps(weights)
        st.caption("The gap after 1, 2, … 10 passes: " + ", ".join(
            f"{ui.number(100 * gap, 2)} %" for gap in gaps) + ".")
if max(repetition.weights.shape) <= convkit.MAX_KERNEL_SIDE and times > 1:
    st.button(f"Load the {composed[0]} x {composed[1]} kernel into the editor",
              key="lab_times_load", on_click=views.load,
              args=(repetition.weights, f"your kernel applied {times} times"))

st.header("Keep it", anchor=False)
views.keep_it(weights)
code.reproduce_expander(current, weights, key="lab_code")
ui.show_code(convkit.lessons.kernel_properties, convkit.lessons.compose,
             convkit.lessons.repeat_kernel, convkit.parse_cells)
