"""deploy/nginx.conf's upload limits, for real on loopback: one replica behind nginx.

Uploads are PUTs to /_stcore/upload_file/<session>/<file>. nginx refuses (429) past 20 a
minute per address with a burst of 20 and past 6 a minute per session with a burst of 4, and
refuses (413) bodies over Streamlit's own server.maxUploadSize. The session ids are made up:
nginx only reads them from the path, and what it lets through reaches the replica, which
answers for itself (4xx: no XSRF token, no such session). Each test starts its own nginx, so
the limits start from zero; every loop is bounded in count and time.
"""

from __future__ import annotations

import http.client
import re
import time
import tomllib
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from e2e_helpers import REPO_ROOT, StreamlitServer, run_nginx, run_streamlit

TOO_MANY = 429
PER_ADDRESS_BURST = 20  # deploy/nginx.conf: rate=20r/m, burst=20
PER_SESSION_BURST = 4  # deploy/nginx.conf: rate=6r/m, burst=4
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


def statuses(calls) -> list[int]:
    """Run the calls in turn, within LOOP_DEADLINE_S; their statuses."""
    deadline = time.monotonic() + LOOP_DEADLINE_S
    found = []
    for call in calls:
        assert time.monotonic() < deadline, f"only {len(found)} requests in {LOOP_DEADLINE_S} s"
        found.append(call())
    return found


def test_a_flood_from_one_session_is_refused(proxy: str) -> None:
    """70 PUTs from one session (the flood the issue measured): the burst passes, no more."""
    session = str(uuid.uuid4())
    found = statuses([lambda: upload(proxy, session)] * 70)
    passed = [s for s in found if s != TOO_MANY]
    # At 6 a minute, one more could pass only if the loop took over 10 s.
    assert len(passed) == PER_SESSION_BURST + 1, found
    assert found[: len(passed)] == passed, "the first ones pass, the rest are refused"
    assert TOO_MANY not in passed and all(400 <= s < 500 for s in passed), found
    # Removing files (DELETE, no body) is not counted: the browser sends one per replaced file.
    deletes = statuses([lambda: request(
        proxy, "DELETE", f"/_stcore/upload_file/{session}/{uuid.uuid4()}")[0]] * 10)
    assert TOO_MANY not in deletes, deletes


def test_a_classroom_behind_one_address(proxy: str) -> None:
    """30 visitors at once from one address: 21 at once, then one every 3 s (20 a minute)."""
    found = statuses([lambda: upload(proxy, str(uuid.uuid4()))] * 30)
    passed = [s for s in found if s != TOO_MANY]
    assert len(passed) == PER_ADDRESS_BURST + 1, found
    time.sleep(3.2)
    assert upload(proxy, str(uuid.uuid4())) != TOO_MANY
    assert upload(proxy, str(uuid.uuid4())) == TOO_MANY


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
