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




def send_component_event(at, key: str, event: str, value) -> None:
    """Run `at` again as after the browser component mounted with `key` sent `event` with
    `value` (``setTriggerValue(event, value)`` in its JavaScript): its ``on_<event>_change``
    callback runs before the script, as on a real server.

    AppTest cannot click inside a component and has no public way to send one's trigger, so
    this adds the trigger widget's state (named by Streamlit's private ``_make_trigger_id``)
    to the widget states of the next run, through the private ``AppTest._run``.
    """
    import json

    from streamlit.components.v2.bidi_component.main import _make_trigger_id
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    (element,) = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{key}")]
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(
        id=_make_trigger_id(element.proto.id, "events"),
        json_trigger_value=json.dumps([{"event": event, "value": value}])))
    at._run(states)


def send_component_state(at, key: str, **values) -> None:
    """Run `at` again as after the browser component mounted with `key` called
    ``setStateValue(name, value)`` for each of `values` in its JavaScript: its
    ``on_<name>_change`` callbacks run before the script, as on a real server.

    As for `send_component_event`: the component's state is a widget of its own, named by the
    component's id, whose value is a JSON object; it is added to the next run's widget states.
    """
    import json

    from streamlit.proto.WidgetStates_pb2 import WidgetState

    (element,) = [e for e in at.get("bidi_component") if e.proto.id.endswith(f"-{key}")]
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=element.proto.id, json_value=json.dumps(values)))
    at._run(states)
