"""Fixtures for AppTest tests of the pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from pages import ui

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def _navigation_not_pages_directory(monkeypatch):
    """Keep AppTest on st.navigation across reruns.

    AppTest resets PagesManager.uses_pages_directory before every run, and our `pages/`
    folder then makes it run the legacy pages-directory mode, which ignores the rerun's page.
    The real server sets the flag once, and st.navigation clears it for good.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def assert_healthy(at: AppTest) -> None:
    """No exception and no crash message on the page."""
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert ui.CRASH_MESSAGE not in errors, errors


@pytest.fixture
def app() -> AppTest:
    """The whole app, run once on its default page."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert_healthy(at)
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    """Switch to pages/<page>.py and run it."""
    at.switch_page(f"pages/{page}.py").run()
    assert_healthy(at)
    return at
