"""Fixtures for AppTest tests of the pages; shared helpers live in apptest_helpers.py."""

from __future__ import annotations

import pytest
from apptest_helpers import APP, assert_healthy
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest


@pytest.fixture(autouse=True)
def _navigation_not_pages_directory(monkeypatch):
    """Keep AppTest on st.navigation across reruns.

    AppTest resets PagesManager.uses_pages_directory before every run, and our `pages/`
    folder then makes it run the legacy pages-directory mode, which ignores the rerun's page.
    The real server clears the flag for good on first import of `pages` (pages/__init__.py).
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def app() -> AppTest:
    """The whole app, run once on its default page."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert_healthy(at)
    return at


@pytest.fixture
def media(monkeypatch) -> dict[str, bytes]:
    """The bytes of every file the app hands to the browser (pictures, downloads), by file id."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, *args, **kwargs):
        file_id = original(self, path_or_data, *args, **kwargs)
        files[file_id] = self.get_file(file_id).content
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return files
