"""Heavy work through server-wide queues: a visitor waits their turn and sees where they stand.

One Streamlit server runs every visitor's script in its own thread of one process. Left alone,
twenty simultaneous uploads decode at once (memory) and three tutorial loops share the GIL with
every click (latency). Here each kind of heavy work has a fixed number of slots for the whole
server and a bounded waiting line; waiting visitors are told how many are ahead of them, and a
visitor who leaves or changes a setting leaves the line (Streamlit raises in the waiting
callback, which frees the place).
"""

from __future__ import annotations

import streamlit as st

import convkit

#: Decodes at a time for the whole server (each runs in a worker process, memory-limited).
DECODE_SLOTS = 1
#: Visitors who may wait for a decode; one more is told to try again shortly.
DECODE_WAITING = 40
#: Tutorial-loop runs at a time, and visitors who may wait for one.
LOOP_SLOTS = 1
LOOP_WAITING = 20


class Busy(ValueError):
    """Too many visitors are already waiting for this kind of work."""


@st.cache_resource(show_spinner=False)
def queues() -> dict[str, convkit.WorkQueue]:
    """The server's queues, created once per process and shared by every session."""
    return {"decode": convkit.WorkQueue(DECODE_SLOTS, DECODE_WAITING),
            "loop": convkit.WorkQueue(LOOP_SLOTS, LOOP_WAITING)}


def _waiting(what: str):
    placeholder = st.empty()

    def on_wait(ahead: int) -> None:
        placeholder.info(f"Queued: {ahead} {what}{'s' if ahead != 1 else ''} ahead of yours. "
                         "It starts by itself; keep this page open.", icon="⏳")

    return placeholder, on_wait


def decode(data: bytes, max_side: int) -> convkit.DecodedImage:
    """Decode an upload in the server's decode queue (in a memory-limited worker process)."""
    placeholder, on_wait = _waiting("upload")
    try:
        with queues()["decode"].turn(on_wait=on_wait):
            placeholder.info("Decoding your upload…", icon="⏳")
            return convkit.decode_upload(data, max_side=max_side)
    except Busy:
        raise Busy("the server is decoding many uploads right now; "
                   "try again in a minute.") from None
    finally:
        placeholder.empty()


def loop_turn():
    """A context manager: wait for the server's tutorial-loop slot, showing the line."""
    _placeholder, on_wait = _waiting("loop run")
    return queues()["loop"].turn(on_wait=on_wait)
