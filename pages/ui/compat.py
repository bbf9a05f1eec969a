"""Every use of Streamlit's private API, in one place, each with why it is needed.

Pinned: streamlit 1.67. tests/unit/test_streamlit_compat.py fails loudly when an upgrade moves
any of these, so a new version is checked here rather than discovered in production.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from streamlit.runtime.pages_manager import PagesManager


def end_pages_directory_mode() -> None:
    """Stop Streamlit from treating our ``pages/`` folder as its legacy page list.

    Streamlit takes a folder named ``pages/`` beside the entry point for its legacy
    pages-directory mode until ``st.navigation`` has run once; a fresh server's first visitor
    arriving on a deep link would get that mode's page list. The folder name is fixed by the
    project's layout, and no public setting turns the mode off.
    """
    PagesManager.uses_pages_directory = False


def keys_sent_by_browser() -> set[str]:
    """Keys of the widgets whose values came with this run from the browser.

    A browser that reconnects (a restarted or failed-over server) starts a fresh session but
    sends its widgets' values, the visitor's latest change among them: those must win over the
    link. No public API tells them apart; if these internals move, the link's settings win, as
    before, and the compat test fails.
    """
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        from streamlit.runtime.state.common import user_key_from_element_id

        states = get_script_run_ctx().session_state._state._new_widget_state.states
        return {user_key_from_element_id(widget_id) for widget_id in states}
    except Exception:
        return set()


# ------------------------------------------------- AppTest runs of the benchmarks (bench/latency)


def clear_data_caches(keep_suffixes: tuple[str, ...] = ()) -> int:
    """Empty every ``st.cache_data`` cache except those of functions whose qualified name ends
    with one of `keep_suffixes`; returns how many caches were emptied.

    bench/latency.py's "cold" figures need the computation caches empty but the decoded image
    kept. ``st.cache_data.clear()`` empties them all, and a cached function's own ``.clear()``
    needs the function object, which the page scripts (run by exec, not imported) do not expose.
    """
    from streamlit.runtime.caching.cache_data_api import _data_caches

    cleared = 0
    for caches in list(_data_caches._function_caches.values()):
        for cache in list(caches.values()):
            if not cache.display_name.endswith(keep_suffixes):
                cache.clear()
                cleared += 1
    return cleared


@contextlib.contextmanager
def apptest_fragment_reruns() -> Iterator[Callable[[str | None], None]]:
    """Let AppTest rerun one fragment only, as the browser asks a real server to.

    Yields ``rerun_only(fragment_id)``: AppTest's next runs rerun that fragment (None: the whole
    script again). AppTest has no public way to send a fragment rerun, and the inspector's pixel
    picks are fragment runs on a real server, so the benchmark wraps the ``RerunData`` that
    AppTest's script runner builds.
    """
    import streamlit.testing.v1.local_script_runner as runner_module
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData

    wanted: list[str | None] = [None]

    def rerun_data(**fields):
        if wanted[0] is not None:
            fields["fragment_id_queue"] = [wanted[0]]
        return RerunData(**fields)

    def rerun_only(fragment_id: str | None) -> None:
        wanted[0] = fragment_id

    runner_module.RerunData = rerun_data
    try:
        yield rerun_only
    finally:
        runner_module.RerunData = RerunData


@contextlib.contextmanager
def apptest_compiles_once() -> Iterator[None]:
    """Keep AppTest's compiled scripts from one run to the next, as a real server does.

    AppTest makes a new ``ScriptCache`` for every run, so it parses and compiles app.py and the
    page again each time (about 40 ms here); timings would include work no real rerun does.
    No public option shares the cache.
    """
    import streamlit.testing.v1.app_test as app_test_module

    original = app_test_module.ScriptCache
    shared = original()
    app_test_module.ScriptCache = lambda: shared
    try:
        yield
    finally:
        app_test_module.ScriptCache = original


@contextlib.contextmanager
def apptest_keeps_navigation() -> Iterator[None]:
    """Keep AppTest on ``st.navigation`` across reruns (see `end_pages_directory_mode`).

    AppTest builds a fresh ``PagesManager`` before every run, which turns the legacy
    pages-directory mode back on for our ``pages/`` folder and ignores the rerun's page.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        end_pages_directory_mode()

    PagesManager.__init__ = init
    try:
        yield
    finally:
        PagesManager.__init__ = original
