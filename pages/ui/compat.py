"""Every use of Streamlit's private API, in one place, each with why it is needed.

Pinned: streamlit 1.67. tests/unit/test_streamlit_compat.py fails loudly when an upgrade moves
any of these, so a new version is checked here rather than discovered in production.
"""

from __future__ import annotations

import contextlib
import functools
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


def apptest_fragment_ids(at) -> list[str]:
    """The ids of the fragments AppTest `at` has seen run, for `apptest_fragment_reruns`.

    AppTest keeps them in its fragment storage and offers no public accessor.
    """
    return list(at._fragment_storage._fragments)


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


# ------------------------------------------------------------- guards of the public server
# Installed once per process by app.py (guard_public_server). Each closes a hole a hostile or
# careless visitor could use to take memory or caches from everyone else, where Streamlit 1.67
# has no setting for it.

_guarded = False


def guard_public_server(*, files_per_session: int, reap_every_s: float) -> None:
    """Install the server's guards once: uploads, the clear-cache message, session reaping."""
    global _guarded
    from streamlit.runtime import Runtime

    # AppTest runs the script with a mock Runtime and no server: nothing to guard there.
    if _guarded or not Runtime.exists() or type(Runtime.instance()) is not Runtime:
        return
    _guarded = True
    _refuse_clear_cache()
    _guard_uploads(files_per_session)
    _start_reaper(reap_every_s)
    _reuse_theme_messages()
    _freeze_imports()


def _reuse_theme_messages() -> None:
    """Build the theme part of the new-session message once, not on every full run.

    Streamlit sends a new-session message at the start of every full run, and fills its six
    theme sections by walking all ~250 config options once per section: under 20 busy
    visitors that walk was 4 % of the server's CPU for a theme that never changes. The
    sections are serialized once and copied after; a re-parsed config file starts afresh.
    """
    import threading

    from streamlit import config
    from streamlit.runtime import app_session

    original = app_session._populate_theme_msg
    built: dict[str, bytes] = {}
    lock = threading.Lock()

    def populate(msg, section: str = "theme") -> None:
        data = built.get(section)
        if data is None:
            original(msg, section)
            with lock:
                built[section] = msg.SerializeToString()
        else:
            msg.MergeFromString(data)

    def forget() -> None:
        with lock:
            built.clear()

    config.on_config_parsed(forget, force_connect=True)
    app_session._populate_theme_msg = populate


def _freeze_imports() -> None:
    """Move everything imported so far out of the garbage collector's sight.

    The libraries (Streamlit, NumPy, OpenCV, Plotly, pandas ...) are millions of long-lived
    objects that every full collection would walk again; frozen, a collection scans only what
    the sessions allocated. Streamlit's own full collection after every run is switched off in
    .streamlit/config.toml (runner.postScriptGC); see the README's hosting section for both
    measured.
    """
    import gc

    gc.collect()
    gc.freeze()


def _refuse_clear_cache() -> None:
    """A visitor's "clear cache" message clears nothing shared.

    The caches are the server's, shared by every session; the toolbar that offers "clear cache"
    is hidden (client.toolbarMode = viewer), but the server still obeys the WebSocket message,
    so one visitor could empty everyone's caches twenty times a second.
    """
    import logging

    from streamlit.runtime.app_session import AppSession

    def refuse(self) -> None:
        logging.getLogger("convkit").info("refused a clear-cache request from session %s",
                                          self.id)

    AppSession._handle_clear_cache_request = refuse


def _guard_uploads(files_per_session: int) -> None:
    """Accept only uploads the session's own file uploader asked for; keep its newest few.

    Streamlit stores any PUT to /_stcore/upload_file/<session>/<id>, with any made-up id, for
    as long as the session lives: one session could park gigabytes. The uploader asks the
    server for upload URLs first (get_upload_urls), so ids it did not hand out are refused, each
    id takes one file, and a session keeps at most `files_per_session` files (oldest go first;
    the app only ever uses the newest).
    """
    import collections
    import threading

    from starlette.exceptions import HTTPException
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    issued: dict[str, collections.deque] = collections.defaultdict(
        lambda: collections.deque(maxlen=2 * files_per_session))
    lock = threading.Lock()
    original_urls = MemoryUploadedFileManager.get_upload_urls
    original_add = MemoryUploadedFileManager.add_file
    original_remove_session = MemoryUploadedFileManager.remove_session_files

    def get_upload_urls(self, session_id, file_names):
        infos = original_urls(self, session_id, file_names)
        with lock:
            issued[session_id].extend(info.file_id for info in infos)
        return infos

    def add_file(self, session_id, file):
        with lock:
            ids = issued.get(session_id)
            if ids is None or file.file_id not in ids:
                raise HTTPException(status_code=403, detail="Unknown upload id")
            ids.remove(file.file_id)
        original_add(self, session_id, file)
        with self._lock:
            storage = self.file_storage.get(session_id, {})
            while len(storage) > files_per_session:
                old_id = next(iter(storage))
                old = storage.pop(old_id)
                self._total_bytes -= len(old.data)
                self._file_count -= 1

    def remove_session_files(self, session_id):
        with lock:
            issued.pop(session_id, None)
        original_remove_session(self, session_id)

    MemoryUploadedFileManager.get_upload_urls = get_upload_urls
    MemoryUploadedFileManager.add_file = add_file
    MemoryUploadedFileManager.remove_session_files = remove_session_files


def _start_reaper(every_s: float) -> None:
    """End disconnected sessions when their TTL runs out, and give their memory back.

    Streamlit keeps a disconnected session (for a reconnect) for server.disconnectedSessionTTL,
    but only notices that the time is up when another session is stored or looked up, and the
    session's uploads go only when the session object is garbage collected: with nobody
    arriving, a departed visitor's uploads stayed in memory indefinitely. A daemon thread asks
    the runtime's event loop, every `every_s` seconds, to expire stale entries and shut those
    sessions down; and it returns freed heap pages to the system (glibc's malloc_trim).
    """
    import threading
    import time

    def reap() -> None:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return
        runtime = Runtime.instance()
        storage = getattr(runtime._session_mgr, "_session_storage", None)
        cache = getattr(storage, "_cache", None)
        if cache is None or not hasattr(cache, "expire"):
            return
        for _session_id, info in cache.expire():
            info.session.shutdown()

    def loop() -> None:
        from streamlit.runtime import Runtime

        while True:
            time.sleep(every_s)
            # Off the event loop. The last runs before a quiet spell leave their garbage for
            # the next run to collect (pages/ui/memory.py): collect it here instead. glibc
            # keeps the heap pages of freed arrays (a 2048 px colour response is 45 MB) for
            # reuse; trimming costs next to nothing when there is nothing to trim.
            from pages.ui import memory

            memory.collect_now_and_then()
            _trim_heap()
            # The runtime may be starting or stopping: then try again next time.
            with contextlib.suppress(Exception):
                if Runtime.exists():
                    Runtime.instance()._get_async_objs().eventloop.call_soon_threadsafe(reap)

    threading.Thread(target=loop, name="convkit-session-reaper", daemon=True).start()


def _trim_heap() -> None:
    """Return free heap memory to the operating system (glibc only; elsewhere nothing)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@functools.cache
def _libc():
    """glibc, loaded once (ctypes.util.find_library runs ldconfig each time), or None."""
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - musl and others have no malloc_trim
    except (OSError, AttributeError):
        return None
    return libc


# ------------------------------------------------------------ waiting inside a computation


def stop_if_rerun_requested(_ahead: int = 0) -> None:
    """Raise Streamlit's rerun or stop if the visitor changed a setting or left.

    A computation waiting for the server's compute gate (server.compute) inside a cached
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
