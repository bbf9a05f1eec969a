"""The deep-learning page's section on the receptive field through a stack of layers: the
theoretical box of a deep unit drawn on the input, and its effective field as a heat picture."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from convkit import lessons
from pages.ui import cache, render
from pages.ui.render import number
from pages.ui.widgets import number_box, show_image
from pages.views.deep_learning.common import clamp_state

#: The input's longer side (the working image is downscaled to it).
FIELD_INPUT_SIDE = 64
#: The stack a visitor starts from: kernel, stride, dilation per layer.
DEFAULT_STACK = ((3, 1, 1), (3, 2, 1), (3, 1, 2), (3, 2, 1), (3, 1, 1), (3, 1, 1))
WEIGHT_LABELS = {"uniform": "uniform (each layer a box blur)", "random": "random (seed 0)"}


def _stack_settings() -> tuple[list[lessons.StackLayer], str]:
    top = st.columns(2)
    st.session_state.setdefault("dl_rf_layers", 3)
    depth = int(number_box("Layers", 1, lessons.MAX_STACK_LAYERS, where=top[0], notices=st,
                           step=1, key="dl_rf_layers"))
    kind = top[1].radio("Weights", lessons.FIELD_WEIGHTS, key="dl_rf_weights",
                        format_func=WEIGHT_LABELS.get, horizontal=True)
    layers = []
    for index in range(depth):
        kernel, stride, dilation = DEFAULT_STACK[index]
        row = st.columns(3)
        kernel = row[0].selectbox(f"Layer {index + 1} kernel", range(1, lessons.MAX_LAYER_KERNEL
                                                                      + 1),
                                  index=kernel - 1, key=f"dl_rf_k{index}")
        stride = row[1].selectbox(f"Layer {index + 1} stride",
                                  range(1, lessons.MAX_STACK_STRIDE + 1), index=stride - 1,
                                  key=f"dl_rf_s{index}")
        dilation = row[2].selectbox(f"Layer {index + 1} dilation",
                                    range(1, lessons.MAX_STACK_DILATION + 1),
                                    index=dilation - 1, key=f"dl_rf_d{index}")
        layers.append(lessons.StackLayer(int(kernel), int(stride), int(dilation)))
    return layers, str(kind)


def field_table(field: lessons.ReceptiveField) -> pd.DataFrame:
    """Per layer: its knobs, the jump before it, what it adds, the field after, its map."""
    jumps_before = (1, *field.jumps[:-1])
    return pd.DataFrame(
        {"kernel k": [str(la.kernel) for la in field.layers],
         "stride s": [str(la.stride) for la in field.layers],
         "dilation d": [str(la.dilation) for la in field.layers],
         "jump before j": [str(j) for j in jumps_before],
         "adds (k − 1) d j": [str((la.kernel - 1) * la.dilation * j)
                              for la, j in zip(field.layers, jumps_before, strict=True)],
         "field after r": [f"{r} x {r}" for r in field.sizes],
         "map (width x height)": [f"{w} x {h}" for h, w in field.output_shapes]},
        index=[f"layer {n}" for n in range(1, len(field.layers) + 1)])


def _unit(shape: tuple[int, int]) -> tuple[int, int]:
    height, width = shape
    row = st.columns(2)
    clamp_state("dl_rf_x", 0, width - 1, (width - 1) // 2)
    clamp_state("dl_rf_y", 0, height - 1, (height - 1) // 2)
    x = number_box("Unit x in the last map", 0, width - 1, where=row[0], notices=st, step=1,
                   key="dl_rf_x")
    y = number_box("Unit y in the last map", 0, height - 1, where=row[1], notices=st, step=1,
                   key="dl_rf_y")
    return int(x), int(y)


def receptive_fields(content: cache.Pixels) -> None:
    """Stack settings, the theoretical field worked out, and both pictures on the input."""
    st.header("How far down a deep unit sees: the receptive field", anchor=False)
    st.markdown(
        "Stack layers and a unit of the last one depends on a growing square of the input, "
        "its **receptive field**. Each layer adds (k − 1) x d steps of its input, and a step "
        "there is the product of the strides below it (the **jump** j): r = 1 + sum of "
        "(k − 1) d j over the layers. That is the theoretical field; the **effective** one "
        "is how much each input pixel actually moves the unit (its gradient, found by "
        "sending a 1 back down through every layer), and it is zero outside the square. "
        "Layers here are one channel, no padding.")
    layers, kind = _stack_settings()
    gray = cache.gray_within(content, FIELD_INPUT_SIDE).array.astype(np.float64)
    try:
        shapes = lessons.stack_output_shapes(layers, gray.shape)
    except ValueError as error:
        st.warning(f"This stack does not fit the {gray.shape[1]} x {gray.shape[0]} input: "
                   f"{error}.")
        return
    unit = _unit(shapes[-1])
    field = lessons.receptive_field(layers, gray.shape, unit)
    st.html(render.text_table(field_table(field),
                              "The receptive field layer by layer (j: input pixels between "
                              "neighbouring units before the layer)", corner="layer"))
    sum_terms = " + ".join(str((la.kernel - 1) * la.dilation * j)
                           for la, j in zip(field.layers, (1, *field.jumps[:-1]), strict=True))
    x0, y0, x1, y1 = field.box
    st.markdown(
        f"r = 1 + {sum_terms} = **{field.size}**, jump {field.jumps[-1]}: unit x={unit[0]}, "
        f"y={unit[1]} of the last map sees input pixels **x={x0} to {x1}, y={y0} to {y1}** "
        f"(from x = {unit[0]} × {field.jumps[-1]} = {x0} on, {field.size} pixels wide).")
    weights = lessons.stack_weights(layers, kind)
    erf = lessons.effective_receptive_field(layers, weights, gray.shape, unit)
    picture, heat = lessons.field_pictures(gray, field, erf)
    strength = np.abs(erf)
    peak_y, peak_x = np.unravel_index(int(np.argmax(strength)), strength.shape)
    touching = int(np.count_nonzero(erf))
    height, width = gray.shape
    columns = st.columns(2)
    with columns[0]:
        show_image(picture, f"Input {width} x {height}, theoretical field outlined", exact=True,
                   alt=f"The gray input, {width} x {height} pixels, with a yellow and black "
                       f"frame around pixels x={x0} to {x1}, y={y0} to {y1}: the "
                       f"{field.size} x {field.size} receptive field of unit x={unit[0]}, "
                       f"y={unit[1]}.")
    with columns[1]:
        show_image(heat, "Effective field: |gradient| (white 0, dark red the largest)",
                   exact=True,
                   alt=f"Heat picture of the unit's gradient with respect to each input pixel: "
                       f"{touching} pixels are nonzero, all inside the frame x={x0} to {x1}, "
                       f"y={y0} to {y1}; the largest, {number(float(erf[peak_y, peak_x]))}, is "
                       f"at pixel x={peak_x}, y={peak_y}.")
    peak = number(float(erf[peak_y, peak_x]))
    st.markdown(
        f"{touching} of the {field.size * field.size} pixels in the square move the unit "
        f"(none outside it); the strongest, with gradient {peak}, is pixel x={peak_x}, "
        f"y={peak_y}. With uniform weights the effective field bunches up in the "
        "middle: many more paths through the stack lead there than to the edges.")
