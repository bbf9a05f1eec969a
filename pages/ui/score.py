"""A visitor's score on the questions the pages ask before they reveal: this session only.

No account and nothing stored beyond the session: a score is two counts per topic (a page's
kind of question, for example ``"inspector"`` or ``"bank"``) in session state.
"""

from __future__ import annotations

import streamlit as st

#: Session-state key of the scores: topic -> [right answers, answers].
SCORES = "prediction_scores"


def record(topic: str, right: bool) -> None:
    """Count one answer to a question of ``topic``."""
    counts = st.session_state.setdefault(SCORES, {}).setdefault(topic, [0, 0])
    counts[0] += int(right)
    counts[1] += 1


def tally(topic: str) -> tuple[int, int]:
    """(right answers, answers) to the questions of ``topic`` in this session."""
    right, answered = st.session_state.get(SCORES, {}).get(topic, (0, 0))
    return right, answered


def show(topic: str) -> None:
    """One line with the visitor's score on ``topic``, once they have answered something."""
    right, answered = tally(topic)
    if answered:
        st.caption(f"Your score on this page: {right} of {answered} right "
                   "(kept for this visit only, seen by nobody else).")
