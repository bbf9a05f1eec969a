"""Class poll: a teacher poses the current question, the class answers on their phones, the
distribution shows live, then the reveal (Peer Instruction)."""

import secrets

import streamlit as st

from pages.views.class_poll import student, teacher
from pages.views.class_poll.guard import poll_guard
from server import rooms

st.title("Class poll", anchor=False)
st.markdown(
    "Ask before you tell. A teacher opens a room and poses a question from the current "
    "settings: a pixel's output byte, or which picture is the kernel's output. Students join "
    "with the code, the link or the QR code, answer once, and see nothing of the others' "
    "answers until the reveal; then the class sees the spread and which mistake gives each "
    "wrong answer. No accounts, no names; rooms expire after 2 hours unused."
)

# An anonymous id for this session's answers, held only in its state: one answer per question
# per session, and nothing that says who it is.
voter = st.session_state.setdefault("poll_voter", secrets.token_urlsafe(16))
with poll_guard():
    store = rooms.store()
    if teacher.TEACHER in st.session_state:
        teacher.show(store, st.session_state[teacher.TEACHER], voter)
    elif student.STUDENT in st.session_state or student.join_by_link(store, voter):
        student.show(store, st.session_state[student.STUDENT], voter)
    else:
        st.subheader("Join a room", anchor=False)
        student.join_form(store, voter)
        st.subheader("Teach", anchor=False)
        st.markdown("Open a room for your class: its code, link and QR code appear here, and "
                    "the controls stay in this browser tab only.")
        teacher.open_button(store, voter)
