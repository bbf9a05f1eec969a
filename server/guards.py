"""Guards of the public server: holes Streamlit 1.67 leaves open, closed once per process.

Installed once by app.py (`guard_public_server`). Each closes a hole a hostile or careless
visitor could use to take memory or caches from everyone else, where Streamlit 1.67 has no
setting for it. Every one patches a private Streamlit attribute, each with why it is needed;
tests/unit/test_streamlit_compat.py fails loudly when an upgrade moves any of them. Streamlit
is imported only when the guards are installed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from .memory import collect_now_and_then, return_large_blocks, trim_heap

_guarded = False


def guard_public_server(*, files_per_session: int, reap_every_s: float,
                        store_sizes: Callable[[], dict[str, int]] = dict,
                        on_idle: Callable[[], object] = lambda: None,
                        idle_after_s: float = 60.0) -> None:
    """Install the server's guards once: uploads, the clear-cache message, session reaping,
    the shared stores' sizes among Streamlit's metrics, and what an idle server lets go.

    `store_sizes()` names the app's shared stores and the bytes each holds; `on_idle()` is
    called once when no visitor has been connected for `idle_after_s` seconds (the app
    empties its stores: the memory the visitors' work held goes back to the system), and
    again after the next visitors have come and gone.
    """
    global _guarded
    from streamlit.runtime import Runtime

    # AppTest runs the script with a mock Runtime and no server: nothing to guard there.
    if _guarded or not Runtime.exists() or type(Runtime.instance()) is not Runtime:
        return
    _guarded = True
    return_large_blocks()
    _refuse_clear_cache()
    _guard_uploads(files_per_session)
    _report_stores(store_sizes)
    _start_reaper(reap_every_s, on_idle, idle_after_s)
    _start_status_writer()
    _reuse_theme_messages()
    _freeze_imports()


def _start_status_writer() -> None:
    """Write the replica's figures for its readiness probe every few seconds (server.readiness).
    """
    import threading

    from streamlit import config

    from .queues import QUEUES
    from .readiness import STATUS_EVERY_S, write_status

    port = int(config.get_option("server.port"))

    def loop() -> None:
        while True:
            with contextlib.suppress(OSError):
                write_status(port, QUEUES["compute"].waiting)
            time.sleep(STATUS_EVERY_S)

    threading.Thread(target=loop, name="convkit-status", daemon=True).start()


def _report_stores(store_sizes: Callable[[], dict[str, int]]) -> None:
    """Show the app's own stores in /_stcore/metrics beside Streamlit's caches.

    The app keeps its shared results in stores of its own, not st.cache_data (which copied
    every result for every visitor), so Streamlit's metrics no longer saw them; a provider
    registered with the runtime's stats manager reports them as ``cache_memory_bytes`` with
    ``cache_type="convkit_store"``.
    """
    from streamlit.runtime import Runtime
    from streamlit.runtime.stats import CACHE_MEMORY_FAMILY, CacheStat

    class StoreStats:
        stats_families = (CACHE_MEMORY_FAMILY,)

        def get_stats(self, family_names=None):
            return {CACHE_MEMORY_FAMILY: [CacheStat("convkit_store", name, nbytes)
                                          for name, nbytes in store_sizes().items()]}

    Runtime.instance()._stats_mgr.register_provider(StoreStats())


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
    .streamlit/config.toml (runner.postScriptGC); docs/performance.md, "Garbage collection",
    has both measured.
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


def _start_reaper(every_s: float, on_idle: Callable[[], object], idle_after_s: float) -> None:
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

    idle_since: list[float | None] = [None]

    def let_go_when_idle(runtime) -> None:
        """on_idle once per quiet spell: nobody connected for idle_after_s seconds."""
        if runtime._session_mgr.num_active_sessions() > 0:
            idle_since[0] = None
        elif idle_since[0] is None:
            idle_since[0] = time.monotonic()
        elif idle_since[0] != -1.0 and time.monotonic() - idle_since[0] >= idle_after_s:
            on_idle()
            collect_now_and_then(every_s=0.0)
            idle_since[0] = -1.0  # done for this spell

    def loop() -> None:
        from streamlit.runtime import Runtime

        while True:
            time.sleep(every_s)
            with contextlib.suppress(Exception):
                if Runtime.exists():
                    let_go_when_idle(Runtime.instance())
            # Off the event loop. The last runs before a quiet spell leave their garbage for
            # the next run to collect (server/memory.py): collect it here instead. glibc
            # keeps the heap pages of freed arrays (a 2048 px colour response is 45 MB) for
            # reuse; trimming costs next to nothing when there is nothing to trim.
            collect_now_and_then()
            trim_heap()
            # The runtime may be starting or stopping: then try again next time.
            with contextlib.suppress(Exception):
                if Runtime.exists():
                    Runtime.instance()._get_async_objs().eventloop.call_soon_threadsafe(reap)

    threading.Thread(target=loop, name="convkit-session-reaper", daemon=True).start()

