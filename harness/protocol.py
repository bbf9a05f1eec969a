"""A Streamlit session over its WebSocket, as the browser's own client holds one.

Cheap on the client (no rendering), so a load made of these measures the server. It sends
what the browser sends, a rerun with one widget's new value (a fragment rerun for a widget
inside ``st.fragment``), and reads the streamed page until the run has finished. A download
button made on click (``data=`` a function) is clicked as the browser clicks it: a backend
operation asks the server to make the file, then the file is fetched from the URL it answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator

from .server import check_loopback, http_get

ROUTE_COOKIE = "convkit_route"


def route_cookie(base_url: str) -> str | None:
    """The sticky-route cookie ("convkit_route=...") a proxy hands a first visit, if any.

    deploy/nginx.conf pins a visitor to a replica by this cookie; without it every loopback
    client would hash to one replica by its address.
    """
    _, headers, _ = http_get(f"{base_url}/")
    for name, value in headers.items():
        if name.lower() == "set-cookie" and value.startswith(f"{ROUTE_COOKIE}="):
            return value.split(";", 1)[0]
    return None


class ProtocolSession:
    """One session: `run` reruns the page (optionally with one widget changed) and records the
    widgets it saw (key -> (id, fragment id)), the headings, and any exception or st.error."""

    def __init__(self, socket, page: str, query: str, base_url: str = ""):
        self.socket, self.query, self.base_url = socket, query, base_url
        #: The server's id of this session (its new_session message), for backend operations.
        self.session_id = ""
        #: The hash of the page the server ran last (its navigation message): sent back with
        #: each rerun, as the browser does, so a rerun the page asks for (st.rerun in a
        #: fragment) runs this page again rather than the default one.
        self.page_hash = ""
        self.page = page
        #: The file ids of the download buttons made on click seen so far, by key.
        self.deferred_files: dict[str, str] = {}
        self.widgets: dict[str, tuple[str, str]] = {}
        self.texts: list[str] = []
        self.problems: list[str] = []
        #: Bodies of every st.info / st.warning / st.error of the last run (placeholders too).
        self.alerts: list[str] = []
        #: Bodies of the markdown and captions of the last run, and progress bars' texts.
        self.markdown: list[str] = []
        #: Bodies of the st.html elements of the last run.
        self.html: list[str] = []
        #: Fragments the page asked to rerun by themselves (st.fragment(run_every=...)):
        #: fragment id -> seconds. The browser reruns them; `run_fragment` does it here.
        self.auto_reruns: dict[str, float] = {}
        self.progress: list[str] = []
        #: The data of every browser component (st.components.v2) drawn so far, by key.
        self.components: dict[str, object] = {}

    @property
    def page(self) -> str:
        """The page (URL path) the next run asks for; setting it forgets the last page's hash."""
        return self._page

    @page.setter
    def page(self, name: str) -> None:
        self._page, self.page_hash = name, ""

    async def run(self, widget: tuple[str, str, object] | None, timeout_s: float, *,
                  also: tuple[tuple[str, str, object], ...] = ()) -> None:
        """Rerun with `widget` = (key, proto field, value) changed, or None for a plain run.

        `also`: more widget states to send with it. The browser sends every widget's state
        with each rerun and a widget it leaves out is back at its default, so a click that
        depends on an earlier choice (the loop's button after picking kernels) sends both.
        """
        await self.send(widget, also=also)
        await asyncio.wait_for(self._read_until_finished(), timeout_s)

    async def send(self, widget: tuple[str, str, object] | None, *,
                   also: tuple[tuple[str, str, object], ...] = ()) -> None:
        """Send the rerun `run` sends, without waiting for it (a hostile client's pace)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        state.page_script_hash = self.page_hash
        for number, (key, field_name, value) in enumerate(
                (*(() if widget is None else (widget,)), *also)):
            widget_id, fragment_id = self.widgets[key]
            entry = state.widget_states.widgets.add()
            entry.id = widget_id
            if hasattr(value, "SerializeToString"):  # a message, e.g. the uploader's state
                getattr(entry, field_name).CopyFrom(value)
            else:
                setattr(entry, field_name, value)
            if fragment_id and number == 0 and widget is not None:
                state.fragment_id = fragment_id  # the browser reruns only the fragment
        if not state.fragment_id:
            self.auto_reruns = {}  # a full run registers its fragments' refreshes anew
        self.texts, self.problems, self.alerts = [], [], []
        self.markdown, self.progress, self.html = [], [], []
        await self.socket.send(message.SerializeToString())

    async def drain(self, quiet_s: float, longest_s: float) -> int:
        """Read (and drop) what the server sends until it has been quiet for `quiet_s`, or
        for at most `longest_s`; returns how many messages came."""
        count, deadline = 0, asyncio.get_running_loop().time() + longest_s
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:
                await asyncio.wait_for(self.socket.recv(), min(quiet_s, left))
            except TimeoutError:
                break
            count += 1
        return count

    async def run_fragment(self, fragment_id: str, timeout_s: float) -> None:
        """Rerun one fragment, as the browser does every `auto_reruns[fragment_id]` seconds."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        message.rerun_script.query_string = self.query
        message.rerun_script.page_name = self.page
        message.rerun_script.page_script_hash = self.page_hash
        message.rerun_script.fragment_id = fragment_id
        message.rerun_script.is_auto_rerun = True
        self.texts, self.problems, self.alerts = [], [], []
        self.markdown, self.progress, self.html = [], [], []
        await self.socket.send(message.SerializeToString())
        await asyncio.wait_for(self._read_until_finished(), timeout_s)

    async def download(self, key: str, timeout_s: float) -> bytes:
        """Click the download button `key` whose file is made on click, as the browser does:
        ask the server to make it (a backend operation on the WebSocket), then GET the file.

        Raises RuntimeError with the server's message when it could not make the file.
        """
        request_id = await self.ask_for_download(key)
        url = await asyncio.wait_for(self.download_answer(request_id), timeout_s)
        status, _, body = await asyncio.to_thread(
            http_get, url if url.startswith("http") else self.base_url + url,
            timeout_s=timeout_s)
        if status != 200:
            raise RuntimeError(f"download {key}: GET answered {status}")
        return body

    async def ask_for_download(self, key: str) -> str:
        """Send the click of download button `key` (no waiting); returns the request's id."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        request = message.backend_operation_request
        request.request_id = secrets.token_hex(8)
        request.session_id = self.session_id
        request.deferred_file.file_id = self.deferred_files[key]
        await self.socket.send(message.SerializeToString())
        return request.request_id

    async def download_answer(self, request_id: str | None = None) -> str:
        """The URL of the file the server made for request `request_id` (None: for any
        request); raises RuntimeError with the server's message when it could not."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await self.socket.recv())
            if reply.WhichOneof("type") != "backend_operation_response":
                continue
            response = reply.backend_operation_response
            if request_id is None or response.request_id == request_id:
                if response.error_msg:
                    raise RuntimeError(f"download: {response.error_msg}")
                return response.deferred_file.url

    def component_state(self, key: str, **values) -> tuple[str, str, object]:
        """The widget state a browser component `key` sends when its script has called
        ``setStateValue(name, value)`` for each of `values`, for `run`."""
        return key, "json_value", json.dumps(values)

    def component_event(self, key: str, event: str, value) -> tuple[str, str, object]:
        """The widget state a browser component `key` (st.components.v2) sends when its script
        calls ``setTriggerValue(event, value)``, for `run`.

        Streamlit 1.67 keeps a component's trigger values in a widget of their own, named
        after the component's id (``$$STREAMLIT_INTERNAL_KEY_<id>__events``), whose value is
        a JSON list of ``{"event", "value"}``: it is sent as the browser sends it.
        """
        widget_id, fragment_id = self.widgets[key]
        trigger_key = f"{key}__events"
        self.widgets[trigger_key] = (f"$$STREAMLIT_INTERNAL_KEY_{widget_id}__events",
                                     fragment_id)
        return trigger_key, "json_trigger_value", json.dumps([{"event": event, "value": value}])

    async def _read_until_finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        done = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.socket.recv())
            kind = message.WhichOneof("type")
            if kind == "new_session" and message.new_session.initialize.session_id:
                self.session_id = message.new_session.initialize.session_id
            if kind == "navigation" and message.navigation.page_script_hash:
                self.page_hash = message.navigation.page_script_hash
            if kind == "auto_rerun":
                self.auto_reruns[message.auto_rerun.fragment_id] = message.auto_rerun.interval
            if kind == "page_info_changed":
                self.query = message.page_info_changed.query_string
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                self._read_element(message.delta.new_element, message.delta.fragment_id)
            elif kind == "script_finished":
                status = message.script_finished
                if status in done:
                    return
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.problems.append("script compile error")
                    return
                # FINISHED_EARLY_FOR_RERUN: the script asked for another run; keep reading.

    def _read_element(self, element, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        inner = getattr(element, kind) if kind else None
        widget_id = getattr(inner, "id", "")
        if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
            self.widgets[widget_id.rsplit("-", 1)[-1]] = (widget_id, fragment_id)
        if kind == "bidi_component" and isinstance(widget_id, str) and "-" in widget_id:
            proto = element.bidi_component
            body = proto.mixed.json if proto.WhichOneof("data") == "mixed" else proto.json
            self.components[widget_id.rsplit("-", 1)[-1]] = json.loads(body) if body else None
        if kind == "download_button" and element.download_button.deferred_file_id:
            self.deferred_files[widget_id.rsplit("-", 1)[-1]] = (
                element.download_button.deferred_file_id)
        if kind == "heading":
            self.texts.append(element.heading.body)
        elif kind == "exception":
            self.problems.append(f"exception: {element.exception.message[:120]}")
        elif kind == "markdown":
            self.markdown.append(element.markdown.body)
        elif kind == "html":
            self.html.append(element.html.body)
        elif kind == "progress":
            self.progress.append(element.progress.text)
        elif kind == "alert":
            self.alerts.append(element.alert.body)
            if element.alert.format == 1:  # ERROR
                self.problems.append(f"st.error: {element.alert.body[:120]}")


@contextlib.asynccontextmanager
async def open_session(base_url: str, page: str, query: str, *, timeout_s: float = 60,
                       cookie: str | None = None) -> AsyncIterator[ProtocolSession]:
    """Connect to `base_url`'s /_stcore/stream (loopback only) as a browser on `page`?`query`.

    `cookie` (a "name=value" pair) is sent with the handshake, as the browser sends its
    proxy's route cookie. The page is not run yet: call ``run(None, ...)`` first.
    """
    from websockets.asyncio.client import connect

    base_url = check_loopback(base_url)
    ws_url = "ws" + base_url[len("http"):] + "/_stcore/stream"
    headers = {"Cookie": cookie} if cookie else None
    async with connect(ws_url, subprotocols=["streamlit"], origin=base_url,
                       additional_headers=headers, max_size=None,
                       open_timeout=timeout_s) as socket:
        yield ProtocolSession(socket, page, query, base_url)
