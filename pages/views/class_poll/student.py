"""The student's side of a room: join by code or link, the question without its answer, one
answer, "answer received", and after the reveal the right answer and the class's answers.

Before the reveal a student's page holds nothing of the others' answers: the store gives a
student's session the question without its truth or labels and no tally (server.rooms).
"""

from __future__ import annotations

import streamlit as st

from pages.ui.state import LINKED_ROOM
from pages.views.class_poll import distribution, questions
from pages.views.class_poll.guard import UNAVAILABLE, poll_guard
from server import rooms

#: Session-state key of the room this session has joined (its code).
STUDENT = "poll_student"
#: Session-state key of the question number the student's page shows.
SEEN = "poll_seen"
#: Session-state key of why the last answer was refused, said once under the form.
REFUSAL = "poll_refusal"
#: Seconds between two looks at the room for the teacher's next step.
REFRESH_S = 5.0


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
    """The room `code` as this student sees it now; the page follows the teacher by itself.

    The question is drawn once per question; the answer, "answer received" and the reveal
    are a fragment that looks at the room every REFRESH_S, so answering and the reveal cost
    the server a fragment's run, not the whole page's (a class answers within seconds).
    """
    view = store.view(code, voter)
    st.session_state[SEEN] = view.number
    st.caption(f"Room {rooms.format_code(code)}: this page follows the teacher by itself. "
               "Anonymous: no name is asked, and nothing of you is kept.")
    if view.question is not None:
        questions.show(view.question, view.number)
    room(store, code, voter)
    if st.button("Leave the room", key="poll_leave"):
        st.session_state.pop(STUDENT, None)
        st.rerun()


@st.fragment(run_every=REFRESH_S)
def room(store: rooms.RoomStore, code: str, voter: str) -> None:
    """The student's part of the current question: the answer, then "received", then the
    reveal; the whole page reruns only when the teacher poses another question."""
    with poll_guard():
        view = store.view(code, voter)
        if view.number != st.session_state.get(SEEN):
            st.rerun(scope="app")
        if view.question is None:
            st.info("You have joined. Wait for your teacher's first question.")
        elif view.revealed:
            revealed(view)
        elif view.mine is None:
            answer_form(store, code, voter, view)
        else:
            st.info(f"Answer received: {view.mine}. The class's answers and the right one "
                    "appear when your teacher reveals them.")


def answer_form(store: rooms.RoomStore, code: str, voter: str, view: rooms.RoomView) -> None:
    """One answer to the current question, sent with a button (before the fragment redraws,
    so the same run shows "answer received")."""
    question = view.question
    key = f"poll_{'byte' if question.kind == 'byte' else 'choice'}_{view.number}"
    if question.kind == "byte":
        st.number_input("Your answer: the output byte (0 to 255)", 0, 255, value=None, step=1,
                        key=key, width=260)
    else:
        st.radio("Your answer: the picture", question.choices, index=None, key=key,
                 horizontal=True)
    st.button("Send my answer", key="poll_send", type="primary", on_click=_send,
              args=(store, code, voter, view.number, question.kind, key))
    refusal = st.session_state.pop(REFUSAL, None)
    if refusal:
        st.warning(refusal)


def _send(store: rooms.RoomStore, code: str, voter: str, number: int, kind: str,
          key: str) -> None:
    value = st.session_state.get(key)
    if value is None:
        st.session_state[REFUSAL] = "Type or pick an answer first."
        return
    try:
        store.answer(code, voter, number, str(value), kind)
    except rooms.RoomsUnavailable:
        st.session_state[REFUSAL] = UNAVAILABLE
    except rooms.RoomRefused as why:
        st.session_state[REFUSAL] = str(why)


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
