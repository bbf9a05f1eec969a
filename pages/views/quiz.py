"""The "which picture is it?" block the kernel bank and the padding page ask before they show.

The question comes from convkit.lessons (every wrong picture a real output of a named
confusion); this block shows the pictures lettered A to D in a 2 x 2 grid that fits a phone,
takes the answer, scores it (pages.ui.score), then reveals what each picture is. The page's
own answer stays hidden until the visitor answers or asks to just be shown. The question's
number (its seed) lives in the URL with the page's settings, so a copied link poses the same
question elsewhere; the answer is never in it, it is computed when the question opens.
"""

from __future__ import annotations

import base64
import html
import secrets
from collections.abc import Hashable

import streamlit as st

from convkit.lessons import PictureQuestion
from pages.ui import score
from pages.ui.copy_link import copy_link_button
from pages.ui.state import QUESTION_SEEDS

#: Session-state key of the answers given: (topic, question) -> the letter, or SKIPPED.
ANSWERS = "picture_answers"
SKIPPED = ""
#: Answers remembered per session, the oldest forgotten past this.
MAX_ANSWERS = 64
#: Session-state key of the question's number (a row of pages.ui.state.FIELDS: in the URL).
SEED = "quiz_seed"
#: Whether a page asks before it shows when the visitor has not said: off, so a page opens
#: as it always has; a link that carries a question's number turns it on, and so does the
#: visitor's switch.
ASK_FIRST_DEFAULT = False

#: Two columns at every width, so four choices make a 2 x 2 grid on a 320 px phone; no wider
#: than two 320 px pictures side by side on a laptop.
GRID_CSS = """<style>
.ckq-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5rem;
            max-width: 660px; margin: 0; padding: 0; }
.ckq-grid figure { margin: 0; min-width: 0; }
.ckq-grid img { display: block; width: 100%; height: auto;
                border: 1px solid #6b6b6b; }
.ckq-grid figcaption { font-weight: 700; font-size: 1.1rem; text-align: center;
                       color: #1f1f1f; }
</style>"""


def asking(topic: str, label: str) -> bool:
    """The switch that poses the page's question before its answer; whether it is on.

    On to start with when the link carried a question's number (someone sent this question).
    """
    key = f"{topic}_quiz_on"
    if key not in st.session_state:
        st.session_state[key] = ASK_FIRST_DEFAULT or st.session_state.get(SEED) is not None
    return st.toggle(label, key=key,
                     help="Predict first: the page hides its answer until you choose among "
                          "real outputs, then explains each one. Research on teaching with "
                          "demonstrations finds that predicting first is what makes them "
                          "teach.")


def question_seed() -> int:
    """This visitor's question number: from the link, or a new one on the first question."""
    if st.session_state.get(SEED) is None:
        st.session_state[SEED] = secrets.randbelow(QUESTION_SEEDS)
    return int(st.session_state[SEED])


def _next_question(pick_key: str) -> None:
    st.session_state[SEED] = secrets.randbelow(QUESTION_SEEDS)
    st.session_state[pick_key] = None


def choice_grid(question: PictureQuestion, urls: list[str], alt: str) -> str:
    """The choices as a 2 x 2 grid of lettered figures; `alt` (the same for every picture, so
    it gives nothing away) says what each one is a candidate for."""
    figures = "".join(
        f'<figure><img src="{url}" alt="Picture {choice.letter}: {html.escape(alt)}">'
        f"<figcaption>{choice.letter}</figcaption></figure>"
        for choice, url in zip(question.choices, urls, strict=True))
    return (f'{GRID_CSS}<div class="ckq-grid" role="group" aria-label="The '
            f'{len(question.choices)} pictures to choose from">{figures}</div>')


def data_url(encoded) -> str:
    """An encoded picture (pages.ui.cache.Encoded) as a data URL for the grid."""
    return f"data:{encoded.mimetype};base64,{base64.b64encode(encoded.data).decode()}"


def _remember(key: tuple, letter: str) -> None:
    answers = st.session_state.setdefault(ANSWERS, {})
    answers[key] = letter
    while len(answers) > MAX_ANSWERS:
        answers.pop(next(iter(answers)))


def _check(topic: str, key: tuple, pick_key: str, answer: str) -> None:
    picked = st.session_state.get(pick_key)
    if picked is None:
        st.session_state[f"{topic}_quiz_unpicked"] = True
        return
    _remember(key, picked)
    score.record(topic, picked == answer)


def ask(topic: str, identity: tuple[Hashable, ...], question: PictureQuestion | str,
        urls: list[str], *, heading: str, alt: str, hidden: str) -> bool:
    """Pose `question` (or say why there is none: a string) and return whether the page may
    show its answer: once answered or skipped, or when there is no question.

    `topic`: the score's topic and the widgets' key prefix; `identity`: everything the
    question depends on (image, weights, settings, seed), so a changed setting asks anew;
    `urls`: the choices' pictures; `alt`: what every picture is a candidate for; `hidden`:
    what the page keeps back until then.
    """
    st.subheader(heading, anchor=False)
    if isinstance(question, str):
        st.info(f"No question for these settings: {question}.")
        return True
    key = (topic, identity)
    pick_key = f"{topic}_quiz_pick"
    given = st.session_state.get(ANSWERS, {}).get(key)
    st.markdown(f"{question.prompt} Predict first, then check: {hidden} stays hidden until "
                "you answer.")
    st.html(choice_grid(question, urls, alt))
    letters = [choice.letter for choice in question.choices]
    if given is None:
        st.radio("Your answer", letters, index=None, key=pick_key, horizontal=True)
        if st.session_state.pop(f"{topic}_quiz_unpicked", False):
            st.warning("Choose a letter first, then check.")
        with st.container(horizontal=True):
            st.button("Check", key=f"{topic}_quiz_check", type="primary",
                      on_click=_check, args=(topic, key, pick_key, question.answer))
            st.button("Just show me", key=f"{topic}_quiz_skip", on_click=_remember,
                      args=(key, SKIPPED),
                      help="Reveal the answer without answering (not counted in your score).")
    else:
        _reveal(question, given)
        st.button("Another question", key=f"{topic}_quiz_next", on_click=_next_question,
                  args=(pick_key,),
                  help="The same settings, other confusions and another order.")
    score.show(topic)
    st.caption("The button below copies this page's link: it poses the same question in "
               "another browser with the image, the kernel, the border and the question's "
               "number, never the answer.")
    copy_link_button(key=f"{topic}_quiz_link", label="Pose this question to someone else")
    return given is not None


def _reveal(question: PictureQuestion, given: str) -> None:
    """Right or not, in words, then what every picture is."""
    answer = question.answer
    if given == SKIPPED:
        st.info(f"The output is picture **{answer}**.")
    elif given == answer:
        st.success(f"Right: picture **{answer}** is the output.")
    else:
        st.warning(f"Not this time: you chose **{given}**; the output is picture **{answer}**. "
                   f"{question.choice(given).explanation}")
    lines = []
    for choice in question.choices:
        mark = "✓ the output" if choice.correct else "✗ a confusion"
        yours = ", your answer" if choice.letter == given else ""
        lines.append(f"- **{choice.letter}** ({mark}{yours}): {choice.explanation}")
    st.markdown("\n".join(lines))
