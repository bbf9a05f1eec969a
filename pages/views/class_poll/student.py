"""The student's side of a room: join by code or link, the question without its answer, one
answer, "answer received", and after the reveal the right answer and the class's answers.

Before the reveal a student's page holds nothing of the others' answers: the store gives a
student's session the question without its truth or labels and no tally (server.rooms).
"""

from __future__ import annotations

import streamlit as st

from pages.ui.state import LINKED_ROOM
from pages.views.class_poll import distribution, questions
from pages.views.class_poll.guard import poll_guard
from server import rooms

#: Session-state key of the room this session has joined (its code).
STUDENT = "poll_student"
#: Session-state key of (question number, revealed) as last shown to the student.
SEEN = "poll_seen"
#: Seconds between two looks at the room for the teacher's next step.
REFRESH_S = 3.0


def join_by_link(store: rooms.RoomStore, voter: str) -> bool:
    """Join the room of the link's ``?room=`` (once per session); True when joined."""
    linked = st.session_state.pop(LINKED_ROOM, None)
    if not linked:
        return False
    st.session_state["poll_code"] = str(linked)[:12]
    with poll_guard():
        st.session_state[STUDENT] = store.join(linked, voter)
        return True
    return False


def join_form(store: rooms.RoomStore, voter: str) -> None:
    """Join by typing the code."""
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.text_input("Room code (from your teacher's screen)", key="poll_code", max_chars=12,
                      placeholder="K7PM-3QXD", width=260)
        pressed = st.button("Join", key="poll_join")
    if pressed:
        with poll_guard():
            st.session_state[STUDENT] = store.join(st.session_state.get("poll_code", ""), voter)
            st.rerun()


def show(store: rooms.RoomStore, code: str, voter: str) -> None:
    """The room `code` as this student sees it now; the page follows the teacher by itself."""
    view = store.view(code, voter)
    st.session_state[SEEN] = (view.number, view.revealed)
    st.caption(f"Room {rooms.format_code(code)}: this page follows the teacher by itself. "
               "Anonymous: no name is asked, and nothing of you is kept.")
    watch(store, code, voter)
    if view.question is None:
        st.info("You have joined. Wait for your teacher's first question.")
        return
    questions.show(view.question, view.number)
    if view.revealed:
        revealed(view)
    elif view.mine is None:
        answer_form(store, code, voter, view)
    else:
        st.info(f"Answer received: {view.mine}. The class's answers and the right one appear "
                "when your teacher reveals them.")
    if st.button("Leave the room", key="poll_leave"):
        st.session_state.pop(STUDENT, None)
        st.rerun()


def answer_form(store: rooms.RoomStore, code: str, voter: str, view: rooms.RoomView) -> None:
    """One answer to the current question, sent with a button."""
    question = view.question
    if question.kind == "byte":
        value = st.number_input("Your answer: the output byte (0 to 255)", 0, 255, value=None,
                                step=1, key=f"poll_byte_{view.number}", width=260)
    else:
        value = st.radio("Your answer: the picture", question.choices, index=None,
                         key=f"poll_choice_{view.number}", horizontal=True)
    if st.button("Send my answer", key="poll_send", type="primary"):
        if value is None:
            st.warning("Type or pick an answer first.")
            return
        with poll_guard():
            store.answer(code, voter, view.number, str(value), question.kind)
            st.rerun()


def revealed(view: rooms.RoomView) -> None:
    """The reveal: the right answer, the student's own against it, the class's answers."""
    question = view.question
    st.success(f"The right answer: {question.truth}.")
    if view.mine is None:
        st.caption("You did not answer this one.")
    elif view.mine == question.truth:
        st.markdown(f"Your answer, {view.mine}, is right.")
    else:
        st.markdown(f"Your answer, {view.mine}: {distribution.meaning(question, view.mine)}.")
    st.html(distribution.table_html(question, view.tally, view.number))


@st.fragment(run_every=REFRESH_S)
def watch(store: rooms.RoomStore, code: str, voter: str) -> None:
    """Look at the room every REFRESH_S; rerun the page when the teacher poses or reveals.

    Draws nothing while nothing changes: a class of phones costs the server a small read each.
    """
    with poll_guard():
        view = store.view(code, voter)
        if (view.number, view.revealed) != st.session_state.get(SEEN):
            st.rerun(scope="app")
