"""Helpers shared by the AppTest tests (imported by name: tests/app is on pytest's pythonpath)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pages import ui

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def assert_healthy(at: AppTest) -> None:
    """No exception and no crash message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert ui.CRASH_MESSAGE not in errors, errors


def open_page(at: AppTest, page: str) -> AppTest:
    """Switch to pages/<page>.py and run it."""
    at.switch_page(f"pages/{page}.py").run()
    assert_healthy(at)
    return at


def open_expander(at: AppTest, key: str) -> AppTest:
    """Open the expander `key` as a visitor's click does (its state turns true, the app reruns)."""
    at.session_state[key] = True
    at.run()
    assert_healthy(at)
    return at


def component_data(at: AppTest, name: str):
    """The data the browser component (st.components.v2) `name` was mounted with."""
    (element,) = [e for e in at.get("bidi_component") if e.proto.component_name == name]
    proto = element.proto
    return json.loads(proto.mixed.json if proto.WhichOneof("data") == "mixed" else proto.json)


def home_pixel(at: AppTest) -> tuple[int, int]:
    """(x, y) of the pixel Home works out, from its heading 'Pixel x=3, y=0, ...'."""
    heading = next(h.value for h in at.subheader if h.value.startswith("Pixel x="))
    return tuple(map(int, re.match(r"Pixel x=(\d+), y=(\d+)", heading).groups()))
