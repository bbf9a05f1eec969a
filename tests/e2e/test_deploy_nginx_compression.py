"""deploy/nginx.conf compresses what a browser downloads, and changes none of it.

The session's app server behind the project's nginx.conf on loopback. Chromium loads a page
through it and lists the HTML, scripts and style sheets it fetched; each is then fetched again
without and with ``Accept-Encoding: gzip``: the gzipped body must decompress to exactly the
plain one. Files under gzip_min_length, fonts and pictures (compressed already) go as they are.
"""

from __future__ import annotations

import gzip
import http.client
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from e2e_helpers import VIEWPORT, run_nginx, wait_for_app_idle
from playwright.sync_api import Browser

#: Streamlit's own JavaScript on the inspector is over a hundred files; fewer means the list
#: came from a load that did not happen.
FEWEST_SCRIPTS = 50
#: deploy/nginx.conf's gzip_min_length (tests/unit/test_deploy_files.py ties it to the Ingress).
GZIP_MIN_LENGTH = 1024


@pytest.fixture(scope="module")
def proxy(app_server: str) -> Iterator[str]:
    with run_nginx([urlparse(app_server).port]) as (url, _access_log):
        yield url


def fetch(url: str, accept_encoding: str) -> tuple[dict[str, str], bytes]:
    """(lower-cased headers, body as sent) of a GET: http.client never decodes a body."""
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    try:
        target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        connection.request("GET", target, headers={"Accept-Encoding": accept_encoding})
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, (url, response.status)
        return {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def test_a_pages_html_scripts_and_styles_arrive_gzipped_and_decompress_to_the_same_bytes(
        proxy: str, browser: Browser) -> None:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        responses = []
        page.on("response", lambda response: responses.append(response))
        page.goto(f"{proxy}/pixel_inspector")
        wait_for_app_idle(page)
        texts = {r.url: r.headers.get("content-encoding") for r in responses
                 if r.request.resource_type in ("document", "script", "stylesheet")
                 and r.url.startswith(proxy)}
        fonts = [r.url for r in responses if r.request.resource_type == "font"]
    finally:
        context.close()
    assert len(texts) >= FEWEST_SCRIPTS, sorted(texts)

    plain_total = packed_total = 0
    for url, sent_to_chromium in sorted(texts.items()):
        plain_headers, plain = fetch(url, "identity")
        packed_headers, packed = fetch(url, "gzip")
        assert "content-encoding" not in plain_headers, url
        if len(plain) < GZIP_MIN_LENGTH:  # not worth a gzip header and trailer
            assert (sent_to_chromium, packed) == (None, plain), url
            continue
        # Chromium asks for gzip, deflate, br and zstd; nginx has gzip.
        assert (sent_to_chromium, packed_headers.get("content-encoding")) == ("gzip", "gzip"), url
        assert "Accept-Encoding" in packed_headers.get("vary", ""), url
        assert gzip.decompress(packed) == plain, url
        plain_total += len(plain)
        packed_total += len(packed)
    assert packed_total < plain_total / 3, (packed_total, plain_total)

    for url in fonts:
        font_headers, font = fetch(url, "gzip")
        assert "content-encoding" not in font_headers, url
        assert font[:4] == b"wOF2", url
