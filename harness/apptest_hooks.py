"""AppTest and benchmark hooks into Streamlit's internals: tests and bench/ only, never the app.

Pinned: streamlit 1.67. Each reaches a private attribute, with why it is needed;
tests/unit/test_apptest_hooks.py fails loudly when an upgrade moves any of them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from streamlit.runtime.pages_manager import PagesManager

from pages.ui.compat import end_pages_directory_mode


@contextlib.contextmanager
def fragment_reruns() -> Iterator[Callable[[str | None], None]]:
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


def fragment_ids(at) -> list[str]:
    """The ids of the fragments AppTest `at` has seen run, for `fragment_reruns`.

    AppTest keeps them in its fragment storage and offers no public accessor.
    """
    return list(at._fragment_storage._fragments)


@contextlib.contextmanager
def compiles_once() -> Iterator[None]:
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
def keeps_navigation() -> Iterator[None]:
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




def send_from_component(at, key: str, *, state: dict | None = None,
                        event: tuple[str, object] | None = None):
    """Run AppTest `at` as the browser does when component `key` (st.components.v2) has
    called ``setStateValue(name, value)`` for each item of `state`, or
    ``setTriggerValue(*event)``; the other widgets keep their values.

    AppTest shows a component as an element it cannot set: this adds the component's widget
    state to those AppTest sends, with the ids and value types Streamlit 1.67 gives them (the
    state a JSON object under the component's id, the events a JSON list of ``{"event",
    "value"}`` under ``$$STREAMLIT_INTERNAL_KEY_<id>__events``).
    """
    import json

    from streamlit.proto.WidgetStates_pb2 import WidgetState

    (component_id,) = [element.proto.id for element in at.get("bidi_component")
                       if element.proto.id.endswith(f"-{key}")]
    states = at._tree.get_widget_states()
    if state is not None:
        widget = WidgetState(id=component_id)
        widget.json_value = json.dumps(state)
        states.widgets.append(widget)
    if event is not None:
        widget = WidgetState(id=f"$$STREAMLIT_INTERNAL_KEY_{component_id}__events")
        widget.json_trigger_value = json.dumps([{"event": event[0], "value": event[1]}])
        states.widgets.append(widget)
    return at._run(states)
