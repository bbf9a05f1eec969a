"""The running UI's uses of Streamlit's private API, in one place, each with why it is needed.

Pinned: streamlit 1.67. tests/unit/test_streamlit_compat.py fails loudly when an upgrade moves
any of these, so a new version is checked here rather than discovered in production. The
public server's guards live in server/guards.py; the AppTest and benchmark hooks in
harness/apptest_hooks.py.
"""

from __future__ import annotations

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


def stop_if_rerun_requested(_ahead: int = 0) -> None:
    """Raise Streamlit's rerun or stop if the visitor changed a setting or left.

    A computation waiting for its turn in the server's compute queue (server.queues) inside a cached
    function may not draw (st.cache_data replays what a cached function draws), and only
    drawing makes Streamlit look for a newer request; without this check a visitor's stale
    settings stayed in line behind everyone else. This asks the script runner the same
    question drawing would. Outside a script run (a download built on click) it does nothing.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    runner = getattr(getattr(ctx, "_enqueue", None), "__self__", None)
    check = getattr(runner, "_maybe_handle_execution_control_request", None)
    if check is not None:
        check()


def session_id() -> str | None:
    """The id of the visitor's session running this script, or None outside a script run.

    The server's queues serve visitors in turn (server.queues, `owner`) and need to know which
    visitor a caller is; st.context offers no session id in the pinned version.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return getattr(ctx, "session_id", None)


def visitor_still_here():
    """A check, callable from any thread, of whether this run's visitor still has the page
    open (its WebSocket connected).

    A download made on click runs in Streamlit's thread pool, outside any script run, so no
    rerun or stop reaches it when its visitor leaves; work waiting for its turn asks this
    instead, and is dropped. Outside a server (AppTest, raw mode) the visitor counts as here.
    ``Runtime.is_active_session`` is thread-safe, but the runtime itself is not public API.
    """
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not runtime.exists():
        return lambda: True
    server, session_id = runtime.get_instance(), ctx.session_id
    return lambda: server.is_active_session(session_id)
