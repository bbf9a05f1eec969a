"""Uploads as the browser makes them, over a ProtocolSession: ask for URLs, PUT, rerun.

The browser's file uploader asks its session for upload URLs (a ``file_urls_request`` on the
WebSocket), PUTs each file there with the XSRF token from the ``_streamlit_xsrf`` cookie, then
reruns the script with the uploader's new state. These helpers do the same, and can also PUT
to made-up URLs, as a hostile client would.
"""

from __future__ import annotations

import asyncio
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

from .protocol import ProtocolSession
from .server import check_loopback, http_get

XSRF_COOKIE = "_streamlit_xsrf"


@dataclass(frozen=True)
class UploadUrl:
    """Where one file may be uploaded: its id and the URL path (…/upload_file/<session>/<id>)."""

    file_id: str
    upload_url: str
    delete_url: str

    @property
    def session_id(self) -> str:
        return self.upload_url.rstrip("/").split("/")[-2]


def xsrf_token(base_url: str) -> str:
    """The XSRF cookie's value a first request to the server hands out."""
    _, headers, _ = http_get(f"{check_loopback(base_url)}/_stcore/health")
    for name, value in headers.items():
        if name.lower() == "set-cookie" and value.startswith(f"{XSRF_COOKIE}="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise ValueError(f"{base_url} set no {XSRF_COOKIE} cookie")


async def request_upload_urls(session: ProtocolSession, count: int,
                              timeout_s: float = 30) -> list[UploadUrl]:
    """Ask the session for `count` upload URLs, as the uploader does before each upload."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = BackMsg()
    request_id = secrets.token_hex(8)
    message.file_urls_request.request_id = request_id
    message.file_urls_request.file_names.extend(f"file{i}.png" for i in range(count))
    await session.socket.send(message.SerializeToString())

    async def answer() -> list[UploadUrl]:
        while True:
            reply = ForwardMsg()
            reply.ParseFromString(await session.socket.recv())
            if (reply.WhichOneof("type") == "file_urls_response"
                    and reply.file_urls_response.response_id == request_id):
                return [UploadUrl(u.file_id, u.upload_url, u.delete_url)
                        for u in reply.file_urls_response.file_urls]

    return await asyncio.wait_for(answer(), timeout_s)


def put_file(base_url: str, upload_url: str, name: str, data: bytes, token: str,
             cookie: str | None = None, timeout_s: float = 60) -> int:
    """PUT one file as multipart form data, as the browser does; returns the HTTP status.

    -1: the server closed the connection before taking the whole body (it refuses a body
    whose Content-Length is over server.maxUploadSize without reading it).
    """
    base_url = check_loopback(base_url)
    boundary = "convkit" + secrets.token_hex(12)
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").encode() + data + (
        f"\r\n--{boundary}--\r\n").encode()
    cookies = f"{XSRF_COOKIE}={token}" + (f"; {cookie}" if cookie else "")
    url = upload_url if upload_url.startswith("http") else base_url + upload_url
    check_loopback(url)
    request = urllib.request.Request(url, data=body, method="PUT", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "X-Xsrftoken": token, "Cookie": cookies})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError) as error:
        if isinstance(getattr(error, "reason", error), ConnectionError):
            return -1
        raise


def uploader_state(url: UploadUrl, name: str, size: int):
    """The file uploader's widget value after `name` was uploaded to `url`."""
    from streamlit.proto.Common_pb2 import FileUploaderState, FileURLs, UploadedFileInfo

    return FileUploaderState(uploaded_file_info=[UploadedFileInfo(
        name=name, size=size, file_id=url.file_id,
        file_urls=FileURLs(file_id=url.file_id, upload_url=url.upload_url,
                           delete_url=url.delete_url))])


async def upload(session: ProtocolSession, base_url: str, key: str, name: str, data: bytes, *,
                 token: str | None = None, cookie: str | None = None,
                 timeout_s: float = 120) -> tuple[int, tuple | None]:
    """Upload `data` through the file uploader `key` and rerun, as a visitor's browser does.

    Returns the PUT's status and, on 204, the uploader's widget state ``(key, field, value)``,
    which later reruns must send again (``run(..., also=...)``) to keep the file, as the
    browser does; the session has then rerun with the file (its texts and problems say what
    the page made of it).
    """
    token = token or xsrf_token(base_url)
    (url,) = await request_upload_urls(session, 1)
    status = await asyncio.to_thread(put_file, base_url, url.upload_url, name, data, token,
                                     cookie)
    if status != 204:
        return status, None
    state = (key, "file_uploader_state_value", uploader_state(url, name, len(data)))
    await session.run(state, timeout_s)
    return status, state
