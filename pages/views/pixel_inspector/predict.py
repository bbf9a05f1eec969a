"""Predict first: the inspector asks for a pixel's byte (or sum) before it shows the breakdown.

With the switch on, a picked pixel shows the region under the kernel and the weights, and
nothing of the answer: no products, no sum, no byte, no output picture, and the magnified
view's live region only names the pixel. The student types a number and presses Check; the
answer is held against the pixel's computation (``convkit.diagnose_answer``), counted in the
visit's score, and only then the breakdown is shown, with the verdict: right, or the
mistakes that give their number.

The switch lives in the settings table (``predict`` in session state and in the link), so a
link copied with it on poses the same question to someone else; the answer is not in the
link: it is computed when the link is opened. The answer given lives in session state
(`ANSWERED`) with the question it answers, so a new pixel, kernel or setting asks anew.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

import convkit
from pages import ui
from pages.ui import copy_link, score
from pages.ui.state import DEFAULT_SAMPLE, OWN_SOURCES

#: Session-state key of the switch's value (a row of the settings table, carried by links).
PREDICT = "predict"
#: The toggle's own key: a widget's state is dropped on pages that do not draw it.
SWITCH = "inspector_predict"
#: Session-state key of the last answer: {"question": Question, "diagnosis": Diagnosis}.
ANSWERED = "inspector_prediction"
FORM = "inspector_predict_form"
ASKED = "inspector_predict_asked"
ANSWER = "inspector_predict_answer"
CHANNEL = "inspector_predict_channel"
#: The score's topic (pages/ui/score.py).
TOPIC = "inspector"
#: What a student may give, as the radio shows it, and the word diagnose_answer takes.
CHOICES = {"the output byte": "byte", "the sum of the products": "sum"}
CHANNELS = ("R", "G", "B", "A")
#: At most this many mistakes are written out; the rest are counted.
SHOWN_MISTAKES = 4
#: Largest answer the field takes (a sum of 961 products of 255 and big weights fits).
LARGEST_ANSWER = 1e9


@dataclasses.dataclass(frozen=True)
class Question:
    """Everything that decides a pixel's answer: an answer is revealed for this question only."""

    image: str
    kernel: str
    border: str
    value: float
    flip: bool
    mapping: str
    divisor: float
    offset: float
    x: int
    y: int


def question(image: ui.WorkingImage, current: ui.Settings, x: int, y: int) -> Question:
    """The question the page asks now: this image, kernel, settings and pixel."""
    return Question(image.key, ui.kernel_key(current.kernel.weights), current.border,
                    current.value, current.flip, current.mapping, current.divisor,
                    current.offset, x, y)


def is_on() -> bool:
    """Whether the visitor has asked to predict first."""
    return bool(st.session_state.get(PREDICT))


def _switched() -> None:
    st.session_state[PREDICT] = bool(st.session_state[SWITCH])
    st.session_state.pop(ANSWERED, None)


def switch() -> bool:
    """The "Predict first" toggle; returns whether it is on."""
    # Re-assigned each run from the setting, so it survives a visit to another page and a
    # link's predict=1 turns it on.
    st.session_state[SWITCH] = is_on()
    st.toggle("Predict first", key=SWITCH, on_change=_switched,
              help="Pick a pixel, work out its output byte (or the sum of the products) from "
                   "the region and the weights, then press Check: the breakdown is shown after "
                   "you answer, with the mistake that explains a wrong number.")
    return is_on()


def revealed(asked: Question) -> bool:
    """Whether the visitor has answered `asked` (so its breakdown may be shown)."""
    answered = st.session_state.get(ANSWERED)
    return (bool(answered) and answered["question"] == asked
            and answered["diagnosis"] is not None)


def announcement(x: int, y: int) -> str:
    """The magnified view's live region while predicting: the pixel, none of its numbers.

    >>> announcement(3, 0)
    'pixel 3, 0: predict its output, then press Check'
    """
    return f"pixel {x}, {y}: predict its output, then press Check"


def _settings_caption(current: ui.Settings) -> str:
    what = "convolution (kernel rotated 180°)" if current.flip else "correlation"
    mapping = (f"divide mapping (÷ {ui.number(current.divisor)}, + {ui.number(current.offset)})"
               if current.mapping == "divide" else f"{current.mapping} mapping")
    return (f"{ui.kernel_label(current.kernel.name, current.kernel)}, {what}, "
            f"{current.border} border {convkit.BORDER_DRAWINGS[current.border]}, {mapping}")


def _check(image: ui.WorkingImage, current: ui.Settings, asked: Question,
           stretch: tuple[float, float]) -> None:
    """The Check button's callback: diagnose the typed answer, count it, keep it."""
    answer = st.session_state.get(ANSWER)
    if answer is None:
        st.session_state[ANSWERED] = {"question": asked, "diagnosis": None}
        return
    colour = image.pixels.ndim == 3
    channel = CHANNELS.index(st.session_state.get(CHANNEL) or "R") if colour else None
    try:
        diagnosis = convkit.diagnose_answer(
            image.pixels, current.kernel, asked.x, asked.y, float(answer), current.border,
            flip=current.flip, value=current.value, mapping=current.mapping,
            divisor=current.divisor, offset=current.offset, stretch=stretch,
            asked=CHOICES[st.session_state.get(ASKED) or "the output byte"], channel=channel)
    except ValueError as error:
        st.session_state[ANSWERED] = {"question": asked, "diagnosis": None, "problem": str(error)}
        return
    score.record(TOPIC, diagnosis.right)
    st.session_state[ANSWERED] = {"question": asked, "diagnosis": diagnosis,
                                  "channel": None if channel is None else CHANNELS[channel]}


def ask(breakdown: convkit.PixelBreakdown, image: ui.WorkingImage, current: ui.Settings,
        asked: Question, stretch: tuple[float, float]) -> None:
    """The question: the region and the weights, and a form for the answer.

    Nothing of the answer is drawn: the products, the sum and the byte stay on the server.
    """
    answered = st.session_state.get(ANSWERED)
    if answered and answered["question"] == asked and answered["diagnosis"] is None:
        st.warning(answered.get("problem") or "Type a number first, then press Check.")
        st.session_state.pop(ANSWERED)
    x, y = breakdown.x, breakdown.y
    st.header(f"Output pixel x={x}, y={y}: your prediction", anchor=False)
    st.caption(_settings_caption(current))
    if current.mapping == "minmax":
        st.caption(f"The stretch maps the response's lowest value, {ui.number(stretch[0], 6)}, "
                   f"to 0 and its highest, {ui.number(stretch[1], 6)}, to 255.")
    colour = breakdown.is_colour
    channels = CHANNELS[: breakdown.roi.shape[2]] if colour else ()
    notes = ui.render.source_notes(breakdown)
    grids = []
    for index, name in enumerate(channels or [None]):
        roi = breakdown.roi[..., index] if name else breakdown.roi
        grids.append(ui.number_grid(roi, shaded=breakdown.padded, notes=notes, numbered=True,
                                    css=False, caption="1. Region under the kernel"
                                    + (f" (channel {name})" if name else "")))
    grids.append(ui.number_grid(breakdown.weights, coloured=True, shaded=breakdown.padded,
                                numbered=True, css=False, caption="2. Weights as applied"
                                + (" (flipped)" if current.flip else "")))
    st.html(ui.render.breakdown_html(grids, []))
    notes_text = ui.render.padding_notes(breakdown, convkit.BORDER_DESCRIPTIONS[current.border])
    if notes_text:
        st.warning(notes_text)
    with st.form(FORM, border=True):
        st.markdown("Multiply each cell of the region by its weight, add the products, then "
                    "map the sum to a byte as the mapping says. What do you get?")
        st.radio("I give", list(CHOICES), key=ASKED, horizontal=True)
        if colour:
            st.radio("Channel", channels, key=CHANNEL, horizontal=True)
        st.number_input("Your answer", min_value=-LARGEST_ANSWER, max_value=LARGEST_ANSWER,
                        value=None, step=1.0, format="%g", key=ANSWER,
                        placeholder="a number, for example 127 or -40.5")
        st.form_submit_button("Check", on_click=_check, args=(image, current, asked, stretch))
    score.show(TOPIC)
    pose_link(current)


def verdict(current: ui.Settings) -> None:
    """The visitor's answer placed against the right number, with the mistakes that give it."""
    answered = st.session_state[ANSWERED]
    diagnosis: convkit.Diagnosis = answered["diagnosis"]
    channel = answered.get("channel")
    what = ("output byte" if diagnosis.asked == "byte" else "sum of the products") \
        + (f" of channel {channel}" if channel else "")
    said, truth = ui.number(diagnosis.answer, 6), ui.number(diagnosis.truth, 6)
    if diagnosis.right:
        st.success(f"Right: you said {said}, and the {what} is {truth}.", icon="✅")
    else:
        mistakes = [m for m in diagnosis.mistakes if m.kind != "close"]
        close = [m for m in diagnosis.mistakes if m.kind == "close"]
        lines = [f"Not quite: you said {said}, and the {what} is {truth}."]
        if mistakes:
            lines.append("Your number is what this mistake gives:" if len(mistakes) == 1 else
                         "Your number is what each of these mistakes gives:")
            lines += [f"- {m.words}" for m in mistakes[:SHOWN_MISTAKES]]
            if len(mistakes) > SHOWN_MISTAKES:
                lines.append(f"- … and {len(mistakes) - SHOWN_MISTAKES} more ways to reach it.")
        if close:
            lines.append(close[0].words)
        if not diagnosis.mistakes:
            lines.append("No common mistake gives that number: compare your steps with the "
                         "breakdown below.")
        st.warning("\n\n".join(lines), icon="✏️")
    score.show(TOPIC)
    st.caption("Pick another pixel (or change the kernel or a setting) to predict again.")


def pose_link(current: ui.Settings) -> None:
    """"Pose this question to someone else": the page's link, which carries predict=1 and
    the pixel, never the answer."""
    copy_link.copy_link_button(key="inspector_pose", label="Pose this question to someone else")
    if current.source in OWN_SOURCES:
        st.caption(f"Your own picture does not travel in a link: it opens on the "
                   f"{DEFAULT_SAMPLE} sample with the same kernel, settings and pixel.")

