"""The Streamlit internals bench/latency.py leans on (harness/apptest_hooks.py): each one still
does what the benchmark needs on the pinned Streamlit, so an upgrade that moves one fails here."""

from __future__ import annotations

import contextlib
import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from harness import apptest_hooks

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _script(tmp_path, body: str) -> str:
    path = tmp_path / "script.py"
    path.write_text(textwrap.dedent(body))
    return str(path)


def test_fragment_reruns_rerun_only_the_fragment(tmp_path):
    script = _script(tmp_path, """
        import streamlit as st

        st.session_state.setdefault("outer", 0)
        st.session_state.outer += 1

        @st.fragment
        def part():
            st.session_state.setdefault("inner", 0)
            st.session_state.inner += 1
            st.number_input("n", key="n")

        part()
    """)
    with apptest_hooks.fragment_reruns() as rerun_only:
        at = AppTest.from_file(script).run()
        fragments = apptest_hooks.fragment_ids(at)
        assert len(fragments) == 1
        rerun_only(fragments[0])
        at.number_input(key="n").set_value(3).run()
        assert (at.session_state["outer"], at.session_state["inner"]) == (1, 2)
        rerun_only(None)
        at.number_input(key="n").set_value(4).run()
        assert (at.session_state["outer"], at.session_state["inner"]) == (2, 3)
    assert not at.exception


def test_compiles_once_shares_one_script_cache():
    import streamlit.testing.v1.app_test as app_test_module

    original = app_test_module.ScriptCache
    with apptest_hooks.compiles_once():
        assert app_test_module.ScriptCache() is app_test_module.ScriptCache()
    assert app_test_module.ScriptCache is original
    assert original() is not original()


def test_keeps_navigation_lets_apptest_switch_pages():
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__
    with apptest_hooks.keeps_navigation():
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.switch_page("pages/pixel_inspector.py").run()
        # Without the patch this rerun runs the pages folder's legacy mode and fails.
        at.number_input(key="inspector_x").set_value(5).run()
        assert not at.exception, [e.value for e in at.exception]
        assert any(t.value == "Pixel inspector" for t in at.title), [t.value for t in at.title]
        assert any(h.value.startswith("Output pixel x=5,") for h in at.header)
    assert PagesManager.__init__ is original


@pytest.fixture(autouse=True)
def _pages_directory_mode_restored():
    # end_pages_directory_mode sets a class attribute; put it back for other tests.
    from streamlit.runtime.pages_manager import PagesManager

    before = PagesManager.__dict__.get("uses_pages_directory", None)
    yield
    if before is None:
        with contextlib.suppress(AttributeError):
            delattr(PagesManager, "uses_pages_directory")
    else:
        PagesManager.uses_pages_directory = before


def test_send_component_event_runs_the_components_callback_once(tmp_path):
    """The callback gets the value sent; the next plain run sends nothing again."""
    script = _script(tmp_path, """
        import streamlit as st

        component = st.components.v2.component("hook_probe", js="export default function(){}")

        def picked():
            st.session_state["got"] = st.session_state["probe"]["pick"]
            st.session_state["calls"] = st.session_state.get("calls", 0) + 1

        component(key="probe", on_pick_change=picked)
    """)
    at = AppTest.from_file(script).run()
    apptest_hooks.send_component_event(at, "probe", "pick", {"x": 3})
    assert (at.session_state["got"], at.session_state["calls"]) == ({"x": 3}, 1)
    at.run()
    assert at.session_state["calls"] == 1
    assert not at.exception


def test_send_component_state_sets_the_components_state(tmp_path):
    """The state sent is the component's value in the script and stays for the next runs."""
    script = _script(tmp_path, """
        import streamlit as st

        part = st.components.v2.component("state_probe", js="export default function () {}")
        result = part(key="probe", on_value_change=lambda: None, data={})
        st.text(f"value={result.get('value')}")
    """)
    at = AppTest.from_file(script).run()
    assert at.text[0].value == "value=None"
    apptest_hooks.send_component_state(at, "probe", value=[1, 2])
    assert at.text[0].value == "value=[1, 2]"
    at.run()
    assert at.text[0].value == "value=[1, 2]"
    assert not at.exception
