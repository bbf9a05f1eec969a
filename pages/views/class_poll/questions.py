"""The questions a teacher poses, made from the sidebar's image, kernel and settings: a pixel's
byte (its mistaken values labelled by convkit.explain.mistaken_values) or "which picture is
the output" (convkit's picture questions), and how a question is shown to the class.

A question carries what the students need to work it out (the region and weights, or the
pictures), never the answer: the truth and the labels travel apart (server.rooms.Question).
"""

from __future__ import annotations

import base64
import secrets

import numpy as np
import streamlit as st

import convkit
from pages import ui
from pages.ui.state import QUESTION_SEEDS
from server.rooms import Question

#: Longer side of the pictures of a "which picture" question: small enough for a phone, and
#: for four of them to travel with the question (server.rooms.MAX_QUESTION_BYTES).
PICTURE_SIDE = 160


def _operation(flip: bool) -> str:
    return "convolution (kernel rotated 180°)" if flip else "correlation"


def _mapping_words(current: ui.Settings) -> str:
    if current.mapping == "divide":
        return (f"divide mapping (÷ {ui.number(current.divisor)}, + {ui.number(current.offset)},"
                " then round and clip)")
    return f"{current.mapping} mapping: {convkit.MAPPINGS[current.mapping]}"


def byte_question(image: ui.WorkingImage, current: ui.Settings, x: int, y: int) -> Question:
    """"Which byte does pixel (x, y) give?", for the sidebar's kernel, border and mapping.

    Colour images ask for the red channel's byte. The wrong bytes that a mistake gives are
    labelled with the first such mistake's words, and how many others give the same byte.
    """
    kernel = current.kernel
    breakdown = convkit.explain_pixel(image.pixels, kernel, x, y, current.border,
                                      flip=current.flip, value=current.value)
    channel = 0 if breakdown.is_colour else None
    pick = (..., 0) if channel is not None else (...,)
    stretch = ui.cache.stretch_range(ui.raw_response(image, current))
    truth = int(np.ravel(ui.output(image, current).array[y, x])[0])
    found: dict[str, list[str]] = {}
    for mistake in convkit.explain.mistaken_values(
            image.pixels, kernel, x, y, current.border, flip=current.flip, value=current.value,
            mapping=current.mapping, divisor=current.divisor, offset=current.offset,
            stretch=stretch, channel=channel):
        value = float(mistake.value)
        if value.is_integer() and 0 <= value <= 255 and int(value) != truth:
            found.setdefault(str(int(value)), []).append(mistake.words.rstrip("."))
    # The first mistake in convkit's order (the likeliest kinds first) names a byte; a table
    # row stays readable when many product slips give one byte (0, say, once clipped).
    labels = {value: words[0] + (f" (or {len(words) - 1} other mistake"
                                 f"{'s' if len(words) > 2 else ''})" if len(words) > 1 else "")
              for value, words in found.items()}
    labels[str(truth)] = "right"
    which = " (red channel)" if channel is not None else ""
    material = {
        "roi": np.asarray(breakdown.roi[pick], float).tolist(),
        "weights": np.asarray(breakdown.weights, float).tolist(),
        "padded": np.asarray(breakdown.padded, bool).tolist(),
        "settings": (f"{ui.kernel_label(kernel.name, kernel)}, {_operation(current.flip)}, "
                     f"{current.border} border {convkit.BORDER_DRAWINGS[current.border]}"
                     + (f" (value {ui.number(current.value)})" if current.border == "constant"
                        else "") + f", {_mapping_words(current)}"),
        "image": f"{image.label}, {image.pixels.shape[1]} x {image.pixels.shape[0]} px",
    }
    if current.mapping == "minmax":
        material["stretch"] = [float(stretch[0]), float(stretch[1])]
    return Question("byte", f"Which output byte does pixel x={x}, y={y}{which} give?",
                    material, str(truth), labels)


def _data_url(array: np.ndarray) -> str:
    encoded = ui.cache.picture(ui.cache.Pixels.of(array), PICTURE_SIDE, "JPEG")
    return f"data:{encoded.mimetype};base64," + base64.b64encode(encoded.data).decode()


def picture_question(image: ui.WorkingImage, current: ui.Settings,
                     seed: int | None = None) -> Question:
    """"Which picture is this kernel's output?": the true output among outputs of confusions
    (convkit.lessons.kernel_question, cached by content), at PICTURE_SIDE px.

    ValueError, saying why, when the kernel's confusions do not look different enough on
    this image.
    """
    small = ui.smaller(image, PICTURE_SIDE)
    kernel = current.kernel
    posed = ui.cache.kernel_question(
        small.content, kernel.weights, kernel.name,
        secrets.randbelow(QUESTION_SEEDS) if seed is None else seed,
        current.border, current.flip, current.value, current.mapping, current.divisor,
        current.offset)
    if isinstance(posed, str):
        raise ValueError(posed)
    small = small.pixels
    label = ui.kernel_label(kernel.name, kernel)
    material = {
        "input": {"src": _data_url(small),
                  "alt": f"The input: {image.label}, {small.shape[1]} x {small.shape[0]} px"},
        "pictures": [{"letter": c.letter, "src": _data_url(c.picture),
                      "alt": f"Picture {c.letter}: one of the {len(posed.choices)} candidate "
                             f"outputs"} for c in posed.choices],
        "settings": f"{label}, {_operation(current.flip)}, {current.border} border, "
                    f"{current.mapping} mapping",
    }
    labels = {c.letter: ("right" if c.correct else c.explanation) for c in posed.choices}
    return Question("choice", f"Which picture is the output of the {label} kernel?", material,
                    posed.answer, labels, tuple(c.letter for c in posed.choices))


def show(question: Question, number: int) -> None:
    """The question as the class sees it: the prompt and what to work it out from; never the
    answer (a student's question has none to show)."""
    st.subheader(f"Question {number}: {question.prompt}", anchor=False)
    material = question.material
    st.caption(f"{material.get('settings', '')}. Image: {material.get('image', 'as shown')}.")
    if question.kind == "byte":
        roi, weights = np.asarray(material["roi"]), np.asarray(material["weights"])
        padded = np.asarray(material["padded"], bool)
        st.html('<div style="display: flex; gap: 1.5rem; flex-wrap: wrap">'
                + ui.number_grid(roi, shaded=padded, numbered=True,
                                 caption="1. Region under the kernel (hatched: padding)")
                + ui.number_grid(weights, coloured=True, numbered=True, css=False,
                                 caption="2. Weights as applied") + "</div>")
        if "stretch" in material:
            low, high = material["stretch"]
            st.caption(f"The whole response runs from {ui.number(low)} (byte 0) to "
                       f"{ui.number(high)} (byte 255).")
        return
    figures = "".join(
        f'<figure style="margin: 0"><img src="{p["src"]}" alt="{p["alt"]}" '
        f'style="width: 9rem; max-width: 40vw"><figcaption>Picture {p["letter"]}'
        "</figcaption></figure>" for p in material["pictures"])
    source = material["input"]
    st.html('<div style="display: flex; gap: 0.8rem; flex-wrap: wrap; align-items: flex-end">'
            f'<figure style="margin: 0"><img src="{source["src"]}" alt="{source["alt"]}" '
            'style="width: 9rem; max-width: 40vw"><figcaption>The input</figcaption></figure>'
            f"{figures}</div>")
