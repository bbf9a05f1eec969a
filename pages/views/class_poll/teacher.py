"""The teacher's side of a room: its code, join link and QR code, posing the question from the
sidebar's settings, the class's answers live, the reveal and the next question.

Shown only to the session that holds the room's token (session state ``poll_teacher``).
"""

from __future__ import annotations

import io
from urllib.parse import quote

import streamlit as st

from pages import ui
from pages.views.class_poll import distribution, questions
from pages.views.class_poll.guard import poll_guard
from server import rooms

#: Session-state key of the room this session teaches: {"code", "token"}.
TEACHER = "poll_teacher"
#: Seconds between two refreshes of the teacher's live answers.
REFRESH_S = 2.0
#: What a page's URL path for the poll is (app.py registers pages/class_poll.py).
PAGE_PATH = "class_poll"
KINDS = {"byte": "A pixel's output byte", "choice": "Which picture is the output"}


def join_link(code: str) -> str:
    """The link students open: the app's own address (as the teacher's browser sees it) with
    the poll page and the room's code."""
    base = (st.context.url or "").rstrip("/")
    # Streamlit 1.67 leaves the page's own path on the URL when the page is not the default.
    base = base.removesuffix(f"/{PAGE_PATH}")
    return f"{base}/{PAGE_PATH}?room={quote(rooms.format_code(code))}"


def qr_png(link: str) -> bytes:
    """The join link as a QR code (PNG), for phones' cameras."""
    import segno

    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def open_button(store: rooms.RoomStore, voter: str) -> None:
    """The "Open a room" button: a new room, its token kept in this session only."""
    if st.button("Open a room (teacher)", key="poll_open"):
        opened = store.open_room(voter)
        st.session_state[TEACHER] = {"code": opened.code, "token": opened.token}
        st.rerun()


def show(store: rooms.RoomStore, room: dict, voter: str) -> None:
    """The whole teacher's side for `room` ({"code", "token"})."""
    code, token = room["code"], room["token"]
    view = store.view(code, voter, token)
    link = join_link(code)
    st.subheader(f"Room {rooms.format_code(code)}", anchor=False)
    left, right = st.columns([1, 2], gap="large")
    with left:
        st.markdown(f"Students join with the code **{rooms.format_code(code)}** on this page, "
                    f"or at this link:")
        st.code(link, language=None, wrap_lines=True)
        st.image(qr_png(link), width=200,
                 alt=f"QR code: a phone's camera opens the join link, {link}")
    with right:
        pose(store, code, token, view.number)
        if st.button("Close the room", key="poll_close",
                     help="Forget this room here; it expires after 2 hours unused."):
            st.session_state.pop(TEACHER, None)
            st.rerun()
    if view.question is not None:
        questions.show(view.question, view.number)
    live(store, code, token, voter)


def pose(store: rooms.RoomStore, code: str, token: str, number: int) -> None:
    """Pose the question built from the sidebar's image and settings (and the pixel below)."""
    kind = st.radio("Question to pose", list(KINDS), format_func=KINDS.get, key="poll_kind",
                    horizontal=True)
    current = ui.settings()
    image = ui.working_image_or_stop(current)
    height, width = image.pixels.shape[:2]
    if kind == "byte":
        # The inspector's picked pixel, clamped to this image (the centre if none was picked).
        for key, state, limit in (("poll_x", "pixel_x", width), ("poll_y", "pixel_y", height)):
            picked = st.session_state.get(state)
            wanted = st.session_state.get(key, limit // 2 if picked is None else int(picked))
            st.session_state[key] = min(max(int(wanted), 0), limit - 1)
        with st.container(horizontal=True):
            st.number_input("Pixel x (column)", 0, width - 1, step=1, key="poll_x", width=160)
            st.number_input("Pixel y (row)", 0, height - 1, step=1, key="poll_y", width=160)
    kernel = ui.kernel_label(current.kernel.name, current.kernel)
    st.caption(f"From the sidebar: {image.label}, {kernel}, {current.border} border, "
               f"{current.mapping} mapping.")
    if not st.button("Pose the next question" if number else "Pose the question",
                     key="poll_pose", type="primary"):
        return
    try:
        question = (questions.byte_question(image, current, st.session_state["poll_x"],
                                            st.session_state["poll_y"]) if kind == "byte"
                    else questions.picture_question(image, current))
    except ValueError as why:
        st.warning(f"This question cannot be posed with these settings: {why}")
        return
    store.pose(code, token, question)
    st.rerun()


@st.fragment(run_every=REFRESH_S)
def live(store: rooms.RoomStore, code: str, token: str, voter: str) -> None:
    """The answers as they come (refreshed every REFRESH_S), and the reveal."""
    with poll_guard():
        view = store.view(code, voter, token)
        if view.question is None:
            st.info("Pose a question: the students' phones show it at once.")
            return
        if not view.revealed and st.button("Reveal the answer", key="poll_reveal",
                                           type="primary"):
            store.reveal(code, token)
            view = store.view(code, voter, token)
        if view.revealed:
            st.success(f"Revealed: the right answer is {view.question.truth}. The students "
                       "see it, their own answer and this table.")
        else:
            st.caption(f"{view.answers} answer{'s' if view.answers != 1 else ''} so far; the "
                       "students see none of them until you reveal.")
        st.html(distribution.table_html(view.question, view.tally, view.number))
