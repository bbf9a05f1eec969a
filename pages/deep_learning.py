"""Convolutions in deep learning: from one kernel sliding over numbers to a layer that learns."""

from __future__ import annotations

import streamlit as st

from convkit import lessons
from pages import ui
from pages.ui import cache
from pages.views import deep_learning as views

#: Gray working image for the least-squares solve: small, so it answers at once.
LEARN_SIDE = 256
#: The colour sample (and its size) the channels use when the working image is gray.
COLOUR_SAMPLE, COLOUR_SIDE = "astronaut", 256

st.title("Convolutions in deep learning", anchor=False)
st.markdown(
    "A convolutional layer slides small kernels over its input exactly as this app does. Below, "
    "one kernel moves over a few real numbers, cell by cell, with a layer's three extra knobs: "
    "**stride** (how far the window jumps), **dilation** (gaps between the taps) and "
    "**padding** (which fixes the output size). Then the same sum grows into a layer: colour "
    "channels, several filters, bias, ReLU, pooling, and weights learnt by gradient descent. "
    "What PyTorch and TensorFlow call convolution is **correlation**: the kernel is not "
    "flipped, as in the tutorial and `cv2.filter2D` (the tests check every number on this "
    "page against `scipy.signal.correlate2d`). Since the weights are learnt, a flip would make "
    "no difference."
)

current = ui.settings()
image = ui.working_image_or_stop(current)
small = lessons.small_kernels(ui.available_kernels())

st.header("The window slides, with numbers", anchor=False)
grid, weights = views.window_input(image.pixels, small, current.kernel_name)
stride, dilation, output, border = views.layer_knobs()
geometry = lessons.layer_geometry(grid.shape, weights.shape, stride, dilation, output)
# With "Predict first" on, the size and everything showing it wait for the visitor's answer.
shown = views.size_question(geometry)
if shown:
    views.geometry_facts(geometry)
if geometry.steps and shown:
    layer_map = lessons.conv2d(grid, weights, stride, dilation, output, border)
    views.stepper(grid, weights, geometry, layer_map, border)

st.header("Which outputs does this input cell feed?", anchor=False)
if geometry.steps and shown:
    row, col = views.input_cell(grid)
    reach = lessons.input_reach(geometry, weights, row, col, border)
    views.reach(grid, layer_map, reach, geometry.steps, border)

st.header("Colour: one kernel slice per channel", anchor=False)
own_colour = image.pixels.ndim == 3
colour = (image.pixels if own_colour
          else cache.sample(COLOUR_SAMPLE, True, COLOUR_SIDE).array)
names, filters = lessons.rgb_filters()
rgb, rgb_top, rgb_left = lessons.busiest_crop(colour[..., :3], 6, channels=True)
rgb_geometry = lessons.layer_geometry(rgb.shape[:2], (3, 3), 1, 1, "same")
count, index, out_row, out_col = views.channel_choice(names, rgb_geometry.output_shape,
                                                      own_colour)
names, filters = names[:count], filters[:count]
bias, use_relu = views.bias_and_relu()
breakdown = lessons.window_step(rgb, filters[index], rgb_geometry.step_at(out_row, out_col),
                                output="same", bias=bias)
maps = lessons.conv_layer(rgb, filters, output="same")
views.layer_volumes(rgb, filters, maps, names,
                    lessons.volume_focus(rgb_geometry, count, index, out_row, out_col))
views.channels(breakdown, maps, names, index, (rgb_top, rgb_left), use_relu)

st.header("The rest of the layer: bias, ReLU, pooling", anchor=False)
pool, pool_size = views.pool_settings()
stages = lessons.layer_stages(maps[index], out_row, out_col, bias, use_relu, pool, pool_size)
views.layer_rest(stages, float(breakdown.channel_sums.sum()), bias, use_relu, pool, pool_size)

views.layer_forms(colour)
views.receptive_fields(image.content)

st.header("Learning a kernel", anchor=False)
hidden_name, on_image, rate, steps = views.descent_settings(small)
hidden = small[hidden_name].weights
train = (lessons.centre_crop(image.pixels, lessons.MAX_TRAIN_SIDE) if on_image
         else lessons.noise_image(lessons.MAX_TRAIN_SIDE))
try:
    # A full compute line is a busy server, not bad input: say so and draw the rest.
    with ui.work.told_if_busy("training"):
        run = cache.descent(cache.Pixels.of(train), hidden, rate, steps)
except ui.work.Busy as error:
    st.warning(f"The training cannot start now: {error}")
else:
    views.descent(run, hidden, hidden_name, lessons.descent_outcome(run, hidden))

st.subheader("The same in one go: least squares", anchor=False)
noise = st.slider("Noise added to the output (standard deviation, gray levels)", 0.0, 20.0,
                  0.0, 0.5, key="dl_noise")
gray = cache.gray_within(image.content, LEARN_SIDE)
with st.spinner("Solving for the weights…"):
    learned, target = cache.least_squares(gray, hidden, noise)
shown = cache.mapped(target, current.mapping, current.divisor, current.offset)
views.least_squares(learned, hidden, gray, shown, current.mapping)

views.transposed_section()
views.signal_section(image.pixels)

st.header("A small trained network, layer by layer", anchor=False)
views.digit_network()

ui.show_code(lessons.conv2d, lessons.window_step, lessons.input_reach, lessons.pool2d,
             lessons.train_kernel, lessons.learn_kernel)
