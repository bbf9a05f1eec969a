"""Predict first on the deep-learning page: the output size before it is shown, and the sum of
the window's cell before its products.

With the "Predict first" switch on, the page keeps the output size, the formula and the
window back until the visitor types the rows and columns and checks them (or asks to just be
shown); then the formula is worked with the numbers, and a wrong answer is matched against
the mistakes that give it (convkit.lessons.size_mistakes). The window's sum waits in the same
way for each cell (convkit.lessons.cell_mistakes). Scores count in pages.ui.score, topic
"deep_learning".
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import streamlit as st

from convkit import lessons
from pages.ui import render, score

TOPIC = "deep_learning"
#: Session-state key of the switch, and of the answers given (question -> answer, or SKIPPED).
SWITCH = "dl_predict"
ANSWERS = "dl_predictions"
SKIPPED = "skipped"
#: Answers remembered per session, the oldest forgotten past this.
MAX_ANSWERS = 256
#: A predicted sum counts as right within this much of the true sum, or this fraction of it:
#: room for a sum of fractional weights rounded to two decimals, not for a slip.
CELL_TOLERANCE, CELL_RELATIVE = 0.01, 0.005


def predicting() -> bool:
    """Whether the visitor's "Predict first" switch is on."""
    return bool(st.session_state.get(SWITCH, False))


def _remember(key: tuple, answer) -> None:
    answers = st.session_state.setdefault(ANSWERS, {})
    answers[key] = answer
    while len(answers) > MAX_ANSWERS:
        answers.pop(next(iter(answers)))


def _given(key: tuple):
    return st.session_state.get(ANSWERS, {}).get(key)


def _skip(key: tuple) -> None:
    _remember(key, SKIPPED)


# ---------------------------------------------------------------------- the output size


def _size_key(geometry: lessons.LayerGeometry) -> tuple:
    return ("size", geometry.input_shape, geometry.kernel_shape, geometry.stride,
            geometry.dilation, geometry.output)


def _check_size(key: tuple, true: tuple[int, int]) -> None:
    rows, cols = st.session_state.get("dl_predict_rows"), st.session_state.get("dl_predict_cols")
    if rows is None or cols is None:
        st.session_state["dl_predict_unfilled"] = True
        return
    answer = (int(rows), int(cols))
    _remember(key, answer)
    score.record(TOPIC, answer == true)


def worked_formula(n: int, k: int, before: int, after: int, stride: int, dilation: int,
                   out: int) -> str:
    """The output-size formula with one axis's numbers put in, in words a phone fits."""
    reach = n + before + after - dilation * (k - 1) - 1
    if reach < 0:
        return (f"⌊({n} + {before} + {after} − {dilation}·{k - 1} − 1) / {stride}⌋ + 1: "
                f"{reach} is below 0, so no output")
    return (f"⌊({n} + {before} + {after} − {dilation}·{k - 1} − 1) / {stride}⌋ + 1 = "
            f"⌊{reach} / {stride}⌋ + 1 = {reach // stride} + 1 = {out}")


def size_question(geometry: lessons.LayerGeometry) -> bool:
    """The "Predict first" switch and, when on, the output-size question; return whether the
    page may show the size (switch off, or the question answered or skipped)."""
    st.toggle("Predict first", key=SWITCH,
              help="Type the output size before the page shows it, then each cell's sum "
                   "before its products: predicting first is what makes a demonstration "
                   "teach.")
    if not predicting():
        return True
    (height, width), (kh, kw) = geometry.input_shape, geometry.kernel_shape
    true = tuple(int(size) for size in geometry.output_shape)
    key = _size_key(geometry)
    given = _given(key)
    st.markdown(f"**Predict the output size**: input {height} x {width}, kernel {kh} x {kw}, "
                f"stride {geometry.stride}, dilation {geometry.dilation}, output "
                f"'{geometry.output}'. How many rows and columns does the output have?")
    if given is None:
        boxes = st.columns(2)
        # No limits: any whole number is an answer to judge (a negative one is simply wrong),
        # and Streamlit's limits refuse an entry with a mark phones cannot explain.
        boxes[0].number_input("Output rows", value=None, step=1, key="dl_predict_rows")
        boxes[1].number_input("Output columns", value=None, step=1, key="dl_predict_cols")
        if st.session_state.pop("dl_predict_unfilled", False):
            st.warning("Type both the rows and the columns, then check.")
        with st.container(horizontal=True):
            st.button("Check", key="dl_predict_check", type="primary", on_click=_check_size,
                      args=(key, true))
            st.button("Just show me", key="dl_predict_skip", on_click=_skip, args=(key,),
                      help="Show the size without answering (not counted in your score).")
        score.show(TOPIC)
        st.caption("The output size, the formula and the sliding window appear once you "
                   "check or choose Just show me.")
        return False
    _size_reveal(geometry, given, true)
    score.show(TOPIC)
    return True


def _size_reveal(geometry: lessons.LayerGeometry, given, true: tuple[int, int]) -> None:
    """Right or not, the formula worked for each axis, and the mistake a wrong number fits."""
    if given == SKIPPED:
        st.info(f"The output is {true[0]} x {true[1]}.")
    elif tuple(given) == true:
        st.success(f"Right: the output is {true[0]} x {true[1]}.")
    else:
        st.warning(f"Not this time: you said {given[0]} x {given[1]}; the output is "
                   f"{true[0]} x {true[1]}.")
    axes = (("rows", 0, geometry.pad_top, geometry.pad_bottom),
            ("columns", 1, geometry.pad_left, geometry.pad_right))
    lines = []
    for name, axis, before, after in axes:
        n, k = geometry.input_shape[axis], geometry.kernel_shape[axis]
        line = (f"- **{name}**: " + worked_formula(n, k, before, after, geometry.stride,
                                                   geometry.dilation, true[axis]))
        if given != SKIPPED and given[axis] != true[axis]:
            fits = [m for m in lessons.size_mistakes(n, k, geometry.stride, geometry.dilation,
                                                     geometry.output)
                    if m.value == given[axis]]
            line += (f". Your {given[axis]} is what a known mistake gives: "
                     + "; or ".join(f"**{m.kind}** ({m.words})" for m in fits)
                     if fits else f". Your {given[axis]} fits none of the usual mistakes: "
                                  "work the formula through once more")
        lines.append(line)
    st.markdown("\n".join(lines))


# ------------------------------------------------------------------- one cell's sum


def cell_key(values: np.ndarray, weights: np.ndarray, geometry: lessons.LayerGeometry,
             border: str, step: int) -> tuple:
    """Everything the sum of the window at `step` depends on."""
    digest = hashlib.blake2b(np.ascontiguousarray(values, dtype=np.float64).tobytes()
                             + np.ascontiguousarray(weights, dtype=np.float64).tobytes()
                             + repr((values.shape, weights.shape)).encode(),
                             digest_size=12).hexdigest()
    return ("cell", digest, geometry.stride, geometry.dilation, geometry.output, border, step)


def close_enough(guess: float, total: float) -> bool:
    """Whether a predicted sum counts as right (CELL_TOLERANCE, CELL_RELATIVE)."""
    return math.isclose(guess, total, rel_tol=CELL_RELATIVE, abs_tol=CELL_TOLERANCE)


def _check_cell(key: tuple, total: float) -> None:
    guess = st.session_state.get("dl_cell_guess")
    if guess is None:
        st.session_state["dl_cell_unfilled"] = True
        return
    _remember(key, float(guess))
    st.session_state["dl_cell_guess"] = None
    score.record(TOPIC, close_enough(float(guess), total))


def cell_question(step: lessons.WindowStep, weights: np.ndarray, key: tuple) -> bool:
    """With "Predict first" on, ask for the sum of the window's cell before its products;
    return whether the page may show them (switch off, answered or skipped)."""
    if not predicting():
        return True
    given = _given(key)
    where = f"output x={step.out_col}, y={step.out_row}"
    if given is None:
        st.markdown(f"**Predict the sum** for {where}: multiply each value under the window "
                    "by the weight over it, and add.")
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.number_input(f"Your sum for {where}", value=None, step=1.0, format="%.2f",
                            key="dl_cell_guess")
            st.button("Check", key="dl_cell_check", type="primary", on_click=_check_cell,
                      args=(key, float(step.total)))
            st.button("Just show me", key="dl_cell_skip", on_click=_skip, args=(key,))
        if st.session_state.pop("dl_cell_unfilled", False):
            st.warning("Type your sum first, then check.")
        return False
    _cell_reveal(step, weights, given, where)
    # The window redraws alone (a fragment): the score line at the top waits for a full run.
    score.show(TOPIC)
    return True


def _cell_reveal(step: lessons.WindowStep, weights: np.ndarray, given, where: str) -> None:
    total = float(step.total)
    shown = render.number(total)
    if given == SKIPPED:
        return
    if close_enough(given, total):
        st.success(f"Right: the sum for {where} is {shown}.")
        return
    fits = [m for m in lessons.cell_mistakes(step.region[0], weights)
            if close_enough(given, m.value)]
    why = ("; or ".join(f"**{m.kind}** ({m.words})" for m in fits) if fits else
           "none of the usual mistakes (kernel flipped, inputs added without their weights, "
           "one product left out): work each product out again")
    st.warning(f"Not this time: you said {render.number(given)}; the sum for {where} is "
               f"{shown}. Your number fits {why}.")
