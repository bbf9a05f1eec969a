"""The Streamlit internals the running app relies on are still where it expects them.

Those of pages/ui/compat.py (the UI) and server/guards.py (the public server's guards). When
an upgrade moves one, these fail with its name, instead of the guard silently doing nothing on
the public server. (The AppTest and benchmark hooks: tests/unit/test_apptest_hooks.py.)
"""

from __future__ import annotations

import inspect

import pytest
import streamlit
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.runtime import Runtime
from streamlit.runtime.uploaded_file_manager import UploadedFileRec


def test_the_pinned_streamlit_is_the_one_these_internals_were_read_from():
    assert streamlit.__version__ == "1.67.0"


def test_pages_directory_flag():
    assert isinstance(PagesManager.uses_pages_directory, bool | None)


def test_clear_cache_message_goes_through_one_method():
    """The BackMsg's clear_cache is dispatched to the method the guard replaces."""
    assert callable(AppSession._handle_clear_cache_request)
    assert "_handle_clear_cache_request" in inspect.getsource(AppSession)


def test_upload_manager_keeps_files_as_the_guard_expects():
    """get_upload_urls hands out ids; add_file stores by session and id; the counters exist."""
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    (info,) = manager.get_upload_urls("session", ["a.png"])
    assert info.upload_url.endswith(f"/session/{info.file_id}")
    manager.add_file("session", UploadedFileRec(info.file_id, "a.png", "image/png", b"abc"))
    assert list(manager.file_storage["session"]) == [info.file_id]
    assert manager._total_bytes == 3 and manager._file_count == 1
    assert hasattr(manager, "_lock")
    manager.remove_session_files("session")
    assert manager._total_bytes == 0


def test_session_storage_expires_through_its_ttl_cache():
    """The reaper calls storage._cache.expire() and shuts the returned sessions down."""
    storage = MemorySessionStorage(ttl_seconds=1)
    assert callable(storage._cache.expire)
    assert storage._cache.expire() == []


@pytest.mark.parametrize("name", ["_session_mgr", "_get_async_objs"])
def test_runtime_internals_the_reaper_uses(name):
    source = inspect.getsource(Runtime)
    assert name in source


def test_session_manager_keeps_its_storage_where_the_reaper_reads_it():
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    assert "self._session_storage = session_storage" in inspect.getsource(
        WebsocketSessionManager.__init__)


def test_widget_states_sent_by_the_browser():
    from streamlit.runtime.state.common import user_key_from_element_id
    from streamlit.runtime.state.session_state import SessionState

    assert user_key_from_element_id("$$ID-abc-mykey") == "mykey"
    assert hasattr(SessionState(), "_new_widget_state")


def test_guards_are_not_installed_without_a_real_server():
    """Under AppTest (a mock Runtime) or in plain Python nothing is patched."""
    from server import guards

    before = MemoryUploadedFileManager.add_file
    guards.guard_public_server(files_per_session=2, reap_every_s=60)
    assert MemoryUploadedFileManager.add_file is before


def test_reused_theme_messages_equal_streamlit_s_own(monkeypatch):
    """The memoized theme sections serialize exactly as Streamlit builds them, run after run,
    and a re-parsed config is read afresh."""
    from streamlit import config
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime import app_session

    from server import guards

    def built(populate) -> bytes:
        msg = ForwardMsg()
        populate(msg.new_session.custom_theme)
        populate(msg.new_session.custom_theme.dark, "theme.dark")
        return msg.SerializeToString()

    original = app_session._populate_theme_msg
    monkeypatch.setattr(app_session, "_populate_theme_msg", original)
    config.set_option("theme.primaryColor", "#ff0000")
    config.set_option("theme.dark.textColor", "#00ff00")
    try:
        guards._reuse_theme_messages()
        reused = app_session._populate_theme_msg
        assert reused is not original
        expected = built(original)
        assert b"#ff0000" in expected and b"#00ff00" in expected
        assert built(reused) == expected and built(reused) == expected
        config.set_option("theme.primaryColor", "#0000ff")
        assert built(reused) == expected  # the config file was not re-parsed: kept
        config._on_config_parsed.send()
        assert built(reused) == built(original) != expected
    finally:
        config.set_option("theme.primaryColor", None)
        config.set_option("theme.dark.textColor", None)


def test_the_runtime_keeps_a_stats_manager_that_reports_registered_caches():
    """The store report: a provider registered with the runtime's stats manager shows up in
    the cache-memory family, as /_stcore/metrics serves it."""
    from streamlit.runtime.stats import CACHE_MEMORY_FAMILY, CacheStat, StatsManager

    assert "self._stats_mgr = StatsManager()" in inspect.getsource(Runtime.__init__)

    class Provider:
        stats_families = (CACHE_MEMORY_FAMILY,)

        def get_stats(self, family_names=None):
            return {CACHE_MEMORY_FAMILY: [CacheStat("convkit_store", "results", 123)]}

    manager = StatsManager()
    manager.register_provider(Provider())
    stats = manager.get_stats()[CACHE_MEMORY_FAMILY]
    assert [s.to_metric_str() for s in stats] == [
        'cache_memory_bytes{cache_type="convkit_store",cache="results"} 123']


def test_the_session_manager_counts_connected_sessions():
    """The idle check asks the session manager how many visitors are connected."""
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    assert callable(WebsocketSessionManager.num_active_sessions)


def test_a_waiting_computation_can_ask_for_a_pending_rerun():
    """compat.stop_if_rerun_requested reaches the script runner through the run context's
    enqueue method, and asks the question drawing asks."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    assert "_enqueue" in ScriptRunContext.__dataclass_fields__
    assert callable(ScriptRunner._maybe_handle_execution_control_request)
    assert "self._enqueue_forward_msg" in inspect.getsource(ScriptRunner)


def test_a_script_run_knows_its_session_id():
    """compat.session_id reads the run context's session id (the queues' owner); outside a
    script run there is none."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    from pages.ui import compat

    assert "session_id" in ScriptRunContext.__dataclass_fields__
    assert compat.session_id() is None


def test_a_visitor_still_here_is_asked_of_the_runtime():
    """compat.visitor_still_here reads the runtime and its thread-safe session check; outside
    a server, the visitor counts as here."""
    from streamlit import runtime

    from pages.ui import compat

    assert callable(runtime.exists) and callable(runtime.get_instance)
    assert "session_id" in inspect.signature(Runtime.is_active_session).parameters
    assert compat.visitor_still_here()() is True
