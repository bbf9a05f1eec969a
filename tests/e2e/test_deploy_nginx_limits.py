"""deploy/nginx.conf's limits, for real on loopback: one replica behind nginx.

Uploads are PUTs to /_stcore/upload_file/<session>/<file>. nginx refuses (429) past 20 a
minute per address with a burst of 20 and past 6 a minute per session with a burst of 4, and
refuses (413) bodies over Streamlit's own server.maxUploadSize. The session ids are made up:
nginx only reads them from the path, and what it lets through reaches the replica, which
answers for itself (4xx: no XSRF token, no such session). Each test starts its own nginx, so
the limits start from zero; every loop is bounded in count and time. The connection limit
(200 per address) is tested against a stand-in upstream that holds requests open until told
to answer.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import re
import threading
import time
import tomllib
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest
from e2e_helpers import REPO_ROOT, StreamlitServer, run_nginx, run_streamlit

TOO_MANY = 429
PER_ADDRESS_BURST = 20  # deploy/nginx.conf: rate=20r/m, burst=20
PER_SESSION_BURST = 4  # deploy/nginx.conf: rate=6r/m, burst=4
CONNECTIONS_PER_ADDRESS = 200  # deploy/nginx.conf: limit_conn convkit_connections 200
MAX_UPLOAD_MB = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text())[
    "server"]["maxUploadSize"]
LOOP_DEADLINE_S = 20.0


@pytest.fixture(scope="module")
def replica() -> Iterator[StreamlitServer]:
    with run_streamlit("app.py", log_name="streamlit-upload-limits") as server:
        yield server


@pytest.fixture
def proxy(replica: StreamlitServer) -> Iterator[str]:
    with run_nginx([replica.port, replica.port]) as (url, _):
        yield url


def request(proxy: str, method: str, path: str, body: bytes = b"",
            content_length: int | None = None) -> tuple[int, bytes]:
    """(status, body) of one request; with content_length, only the headers are sent."""
    where = urlparse(proxy)
    assert where.hostname == "127.0.0.1"
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
    try:
        if content_length is None:
            connection.request(method, path, body=body,
                               headers={"Content-Type": "application/octet-stream"})
        else:
            connection.putrequest(method, path)
            connection.putheader("Content-Type", "application/octet-stream")
            connection.putheader("Content-Length", str(content_length))
            connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def upload(proxy: str, session: str) -> int:
    return request(proxy, "PUT", f"/_stcore/upload_file/{session}/{uuid.uuid4()}", b"x" * 512)[0]


def statuses(calls) -> tuple[list[int], float]:
    """Run the calls in turn, within LOOP_DEADLINE_S; their statuses and the seconds taken."""
    start = time.monotonic()
    found = []
    for call in calls:
        elapsed = time.monotonic() - start
        assert elapsed < LOOP_DEADLINE_S, f"only {len(found)} requests in {LOOP_DEADLINE_S} s"
        found.append(call())
    return found, time.monotonic() - start


def assert_burst_then_refused(found: list[int], burst: int, per_minute: int,
                              seconds: float) -> None:
    """The first burst + 1 pass, then only what the rate refilled while the loop ran."""
    passed = [s for s in found if s != TOO_MANY]
    refilled = int(seconds * per_minute / 60)  # 0 unless the machine is very slow
    assert burst + 1 <= len(passed) <= burst + 1 + refilled, (seconds, found)
    assert found[: burst + 1] == passed[: burst + 1], "the first ones pass"
    assert all(400 <= s < 500 for s in passed), found  # the replica's own refusals


def test_a_flood_from_one_session_is_refused(proxy: str) -> None:
    """70 PUTs from one session (the flood the issue measured): the burst passes, no more."""
    session = str(uuid.uuid4())
    found, seconds = statuses([lambda: upload(proxy, session)] * 70)
    assert_burst_then_refused(found, PER_SESSION_BURST, 6, seconds)
    assert found.count(TOO_MANY) >= 60
    # Removing files (DELETE, no body) is not counted: the browser sends one per replaced file.
    deletes, _ = statuses([lambda: request(
        proxy, "DELETE", f"/_stcore/upload_file/{session}/{uuid.uuid4()}")[0]] * 10)
    assert TOO_MANY not in deletes, deletes


def test_a_classroom_behind_one_address(proxy: str) -> None:
    """30 visitors at once from one address: 21 at once, then one every 3 s (20 a minute)."""
    found, seconds = statuses([lambda: upload(proxy, str(uuid.uuid4()))] * 30)
    assert_burst_then_refused(found, PER_ADDRESS_BURST, 20, seconds)
    # The bucket is full; 3 s later there is room for one more.
    assert upload(proxy, str(uuid.uuid4())) == TOO_MANY
    time.sleep(3.2)
    assert upload(proxy, str(uuid.uuid4())) != TOO_MANY


def test_bodies_over_streamlits_upload_limit_stop_at_nginx(proxy: str) -> None:
    limit = MAX_UPLOAD_MB * 1024 * 1024  # Streamlit and nginx both count MiB
    status, body = request(proxy, "PUT", f"/_stcore/upload_file/{uuid.uuid4()}/f",
                           content_length=limit + 1)
    assert status == 413 and re.search(rb"<center>nginx</center>", body), body[:300]
    # Exactly the limit passes nginx: the replica answers for itself (no XSRF token), before
    # any of the body is sent.
    status, body = request(proxy, "PUT", f"/_stcore/upload_file/{uuid.uuid4()}/f",
                           content_length=limit)
    assert status not in (413, TOO_MANY) and b"nginx" not in body, (status, body[:300])


class _Holding(http.server.ThreadingHTTPServer):
    """Answers /_stcore/health at once, every other GET when `release` is set (10 s at most)."""

    daemon_threads = True
    request_queue_size = 512

    def __init__(self) -> None:
        self.release = threading.Event()
        self.held = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _HoldingHandler)


class _HoldingHandler(http.server.BaseHTTPRequestHandler):
    server: _Holding

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        if self.path != "/_stcore/health":
            with self.server.lock:
                self.server.held += 1
            self.server.release.wait(10)
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # quiet
        pass


@contextlib.contextmanager
def holding_upstream() -> Iterator[_Holding]:
    server = _Holding()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


def test_open_connections_per_address_are_capped() -> None:
    """200 requests held open through nginx from one address: the 201st is refused."""
    with holding_upstream() as upstream, \
            run_nginx([upstream.server_port, upstream.server_port]) as (proxy, _), \
            ThreadPoolExecutor(CONNECTIONS_PER_ADDRESS) as pool:
        held = [pool.submit(request, proxy, "GET", f"/hold/{i}")
                for i in range(CONNECTIONS_PER_ADDRESS)]
        deadline = time.monotonic() + LOOP_DEADLINE_S
        while upstream.held < CONNECTIONS_PER_ADDRESS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert upstream.held == CONNECTIONS_PER_ADDRESS
        assert request(proxy, "GET", "/one-more")[0] == TOO_MANY
        upstream.release.set()
        assert [f.result(timeout=LOOP_DEADLINE_S)[0] for f in held] == [200] * len(held)
        # Once they are answered, connections are free again.
        assert request(proxy, "GET", "/one-more")[0] == 200
