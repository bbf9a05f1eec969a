"""The challenges page's panels: the picker, the pictures, the score against the target, the
hints and the solution, and the link a teacher sends.

What a student has done lives in this session only: the challenges solved, how many hints
each has shown, the solutions asked for. The hidden kernel reaches the page only with the
solution, asked for after the last hint.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import convkit
from convkit.lessons import CHALLENGES, LEVELS, Attempt, Challenge
from pages import ui
from pages.ui import score
from pages.views.challenges.editor import START, load_kernel

PICK = "challenge_pick"  # the picker's key; "challenge" (a shared setting) follows it for links
SOLVED = "challenge_solved"  # ids solved in this session
HINTS = "challenge_hints_shown"  # id -> how many hints are shown
REVEALED = "challenge_revealed"  # ids whose solution was asked for
LINK_SHOWN = "challenge_link_for"  # the id whose link is on screen, or None
TOPIC = "challenges"  # the score's topic (pages/ui/score.py)


def _label(challenge_id: str) -> str:
    # Fixed for good: Streamlit keeps a select box's choice as its label, so a label that
    # changed (a tick added) would lose the choice; the ticks are written below it instead.
    challenge = CHALLENGES[challenge_id]
    return f"Level {challenge.level}, {LEVELS[challenge.level].lower()}: {challenge.title}"


def _progress() -> str:
    """Which challenges this visit has solved, ticked, in the picker's order."""
    state = st.session_state
    solved = [f"✓ {CHALLENGES[i].title}" + (" (after the solution)" if i in state[REVEALED]
                                           else "")
              for i in CHALLENGES if i in state[SOLVED]]
    if not solved:
        return f"Solved in this visit: none of the {len(CHALLENGES)} yet."
    return (f"Solved in this visit, {len(solved)} of {len(CHALLENGES)}: " + ", ".join(solved)
            + ".")


def _new_challenge() -> None:
    st.session_state[LINK_SHOWN] = None
    load_kernel(START)


def current_challenge() -> Challenge:
    """The challenge picked (a link's ``?challenge=`` chooses the first one shown)."""
    state = st.session_state
    state.setdefault(SOLVED, set())
    state.setdefault(HINTS, {})
    state.setdefault(REVEALED, set())
    state.setdefault(LINK_SHOWN, None)
    if state.get(PICK) not in CHALLENGES:
        linked = state.get("challenge")
        state[PICK] = linked if linked in CHALLENGES else next(iter(CHALLENGES))
    state["challenge"] = state[PICK]
    return CHALLENGES[state[PICK]]


def pick_challenge() -> None:
    """The picker and the challenges solved, drawn into a place kept near the top once this
    run's score is known, so that a challenge solved in this run is ticked at once."""
    st.selectbox("Challenge", list(CHALLENGES), key=PICK, format_func=_label,
                 on_change=_new_challenge,
                 help=f"{len(CHALLENGES)} challenges in {len(LEVELS)} levels, easiest first. "
                      "Solved ones are ticked below, for this visit only.")
    st.caption(_progress())
    score.show(TOPIC)


def task(challenge: Challenge) -> None:
    """What to do, and the rules the target was made with."""
    st.markdown(f"**{challenge.title}.** {challenge.task}")
    st.caption(f"Border: {challenge.border} (`{convkit.BORDER_DRAWINGS[challenge.border]}`). "
               f"Output mapping: {challenge.mapping}, {convkit.MAPPINGS[challenge.mapping]}. "
               f"It passes when {challenge.threshold}.")


def pictures(challenge: Challenge, source: np.ndarray, target: np.ndarray) -> None:
    """The input and the target, side by side (stacked on a phone)."""
    side = convkit.lessons.INPUT_SIDE
    given, wanted = st.columns(2)
    with given:
        ui.show_image(source, "Input", exact=True,
                      alt=f"The input: a {side} x {side} gray crop of the {challenge.sample} "
                          "sample")
    with wanted:
        ui.show_image(target, "Target: make this", exact=True,
                      alt=f"The target: the input filtered by the hidden kernel, "
                          f"{challenge.border} border, {challenge.mapping} mapping")


def _passed(challenge_id: str) -> None:
    state = st.session_state
    if challenge_id in state[SOLVED]:
        return
    state[SOLVED].add(challenge_id)
    if challenge_id not in state[REVEALED]:
        score.record(TOPIC, True)


def result(challenge: Challenge, attempt: Attempt, shape: tuple[int, int]) -> None:
    """Your output, the difference picture, the two numbers and the verdict in words."""
    gain = convkit.lessons.DIFFERENCE_GAIN
    yours, gap = st.columns(2)
    with yours:
        ui.show_image(attempt.output, f"Your {shape[0]} x {shape[1]} kernel's output",
                      exact=True,
                      alt=f"Your output: the input filtered by your {shape[0]} x {shape[1]} "
                          f"kernel, {challenge.border} border, {challenge.mapping} mapping")
    with gap:
        ui.show_image(attempt.difference, f"Difference, brightened {gain} times", exact=True,
                      alt=f"The difference between the target and your output, brightened "
                          f"{gain} times: black where they agree; the largest difference is "
                          f"{attempt.max_difference}")
    largest, ratio = st.columns(2)
    largest.metric("Largest byte difference", ui.number(attempt.max_difference))
    ratio.metric("PSNR against the target", attempt.psnr_text,
                 help="Peak signal-to-noise ratio, 10 log10(255² / mean squared difference): "
                      "higher is closer; identical pictures have no noise at all.")
    if attempt.passed:
        _passed(challenge.id)
        st.success(f"Passed: {challenge.threshold}. Your kernel's output matches the target.",
                   icon=":material/check_circle:")
    else:
        st.warning(f"Not yet: it passes when {challenge.threshold}.",
                   icon=":material/pending:")


def _more_hint(challenge_id: str) -> None:
    shown = st.session_state[HINTS]
    shown[challenge_id] = shown.get(challenge_id, 0) + 1


def _reveal(challenge_id: str) -> None:
    state = st.session_state
    if challenge_id not in state[REVEALED] and challenge_id not in state[SOLVED]:
        score.record(TOPIC, False)
    state[REVEALED].add(challenge_id)


def hints_and_solution(challenge: Challenge) -> None:
    """Hints one at a time ("Hint 1 of 4"), then the solution on request."""
    state = st.session_state
    texts = convkit.lessons.hints(challenge)
    shown = min(state[HINTS].get(challenge.id, 0), len(texts))
    for number, text in enumerate(texts[:shown], start=1):
        st.markdown(f"**Hint {number} of {len(texts)}.** {text}")
    if shown < len(texts):
        st.button(f"Show hint {shown + 1} of {len(texts)}", key="challenge_hint",
                  on_click=_more_hint, args=(challenge.id,))
        return
    if challenge.id not in state[REVEALED]:
        st.button("Show the solution", key="challenge_show_solution", on_click=_reveal,
                  args=(challenge.id,))
        return
    st.subheader("The solution", anchor=False)
    height, width = challenge.kernel.shape
    st.html(ui.number_grid(challenge.kernel, caption=f"The hidden {height} x {width} kernel"))
    st.markdown("Row by row, from x=0 on the left: " + "; ".join(
        convkit.lessons.solution_rows(challenge)) + ".")
    st.markdown(challenge.why)
    st.button("Load the solution into your table", key="challenge_load_solution",
              on_click=load_kernel, args=(challenge.kernel,))


def challenge_link(challenge: Challenge) -> str:
    """The link that opens this challenge: the page's address and the challenge's id only."""
    base = st.context.url or "challenges"
    return f"{base}?challenge={challenge.id}"


def _show_link(challenge_id: str) -> None:
    st.session_state[LINK_SHOWN] = challenge_id


def send_link(challenge: Challenge) -> None:
    """"Send this challenge": a link naming the challenge only, never its kernel."""
    st.button("Send this challenge", key="challenge_send", on_click=_show_link,
              args=(challenge.id,),
              help="A link for a student or a class: it opens this challenge with an empty "
                   "table.")
    if st.session_state[LINK_SHOWN] == challenge.id:
        st.code(challenge_link(challenge), language=None, wrap_lines=True)
        st.caption("Copy it with the button at the code's right. The link names the challenge "
                   "only: the kernel stays on the server, and whoever opens the link starts "
                   "from a table of zeros.")
