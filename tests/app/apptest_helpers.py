"""Helpers shared by the AppTest tests (imported by name: tests/app is on pytest's pythonpath)."""

from __future__ import annotations

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
