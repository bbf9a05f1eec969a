"""What the poll says when its store refuses or cannot be reached: a message, never a crash."""

from __future__ import annotations

import contextlib
import logging

import streamlit as st

from server import rooms

#: What every page of the poll says when the room store is down.
UNAVAILABLE = ("The class poll is unavailable right now; the rest of convkit works. Try again "
               "in a minute.")


@contextlib.contextmanager
def poll_guard():
    """Run a block of the poll: a refusal is said in its own words, an unreachable store as
    UNAVAILABLE (and logged for whoever runs the server)."""
    try:
        yield
    except rooms.RoomsUnavailable as why:
        logging.getLogger("convkit").warning("class poll: %s", why)
        st.warning(UNAVAILABLE, icon=":material/cloud_off:")
    except rooms.RoomRefused as why:
        st.warning(str(why))
