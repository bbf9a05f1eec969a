"""The class poll over Streamlit's WebSocket: a teacher who opens a room and poses the
pixel's byte, students who join by the link and answer, as the browser's clicks would.

Shared by the browser tests (tests/e2e/test_class_poll_*.py) and ``python -m bench.poll``.
"""

from __future__ import annotations

import re

from .protocol import ProtocolSession, open_session

PAGE = "class_poll"
ROOM_HEADING = re.compile(r"Room (\w{4}-\w{4})")


async def open_room(session: ProtocolSession, timeout_s: float) -> str:
    """Click "Open a room" on the poll page `session` has run; returns the room's code."""
    await session.run(("poll_open", "trigger_value", True), timeout_s)
    codes = [m.group(1) for t in session.texts if (m := ROOM_HEADING.search(t))]
    if not codes:
        raise RuntimeError(f"no room opened: {session.alerts or session.problems}")
    return codes[0]


async def pose(session: ProtocolSession, timeout_s: float) -> None:
    """Click "Pose the question" (the pixel's byte, the teacher's defaults)."""
    await session.run(("poll_pose", "trigger_value", True), timeout_s)
    if not any(t.startswith("Question ") for t in session.texts):
        raise RuntimeError(f"no question posed: {session.alerts or session.problems}")


def everything(session: ProtocolSession) -> str:
    """All the text the last run sent: headings, notices, markdown, captions and HTML."""
    return "\n".join([*session.texts, *session.alerts, *session.markdown, *session.html])


async def join(session: ProtocolSession, timeout_s: float) -> str:
    """Run the join link's page (the session was opened on ``room=<code>``): the question
    field's key, once the question is there; RuntimeError when there is none to answer."""
    await session.run(None, timeout_s)
    fields = [key for key in session.widgets if key.startswith("poll_byte_")]
    if not fields:
        raise RuntimeError(f"no question to answer: {everything(session)[-600:]!r} "
                           f"{session.problems}")
    return fields[-1]


async def send(session: ProtocolSession, field: str, value: int, timeout_s: float) -> None:
    """Type `value` in the question's field and press "Send my answer"."""
    await session.run(("poll_send", "trigger_value", True), timeout_s,
                      also=((field, "double_value", float(value)),))


async def answer(base_url: str, code: str, value: int, *, cookie: str | None = None,
                 timeout_s: float = 60) -> str:
    """A student who opens the join link of room `code` and answers the byte question with
    `value`; returns all the text the page sent before and after the answer (`everything`).

    RuntimeError when the page showed no question to answer.
    """
    async with open_session(base_url, PAGE, f"room={code}", cookie=cookie,
                            timeout_s=timeout_s) as session:
        field = await join(session, timeout_s)
        before = everything(session)
        await send(session, field, value, timeout_s)
        return before + "\n" + everything(session) + "\n" + "\n".join(session.problems)


ANSWERS_CAPTION = re.compile(r"Answers to question (\d+): (\d+) answer")


def answers_shown(session: ProtocolSession) -> int | None:
    """How many answers the teacher's table of the last run counts (None: no table)."""
    found = [m for body in session.html if (m := ANSWERS_CAPTION.search(body))]
    return int(found[-1].group(2)) if found else None


async def reveal(session: ProtocolSession, timeout_s: float) -> None:
    """Click "Reveal the answer" (in the teacher's live part, a fragment run)."""
    await session.run(("poll_reveal", "trigger_value", True), timeout_s)
