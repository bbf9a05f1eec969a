"""A light first load: deploy/nginx.conf compresses what a browser downloads and changes none
of it, serves it over HTTP/2 on its HTTPS port, and the heavy parts of a page are fetched only
when the visitor opens them.

The session's app server behind the project's nginx.conf on loopback; one Chromium page on the
pixel inspector through it, for the module. Every HTML, script and style sheet it fetched is
fetched again without and with ``Accept-Encoding: gzip``: the gzipped body must decompress to
exactly the plain one. Files under gzip_min_length, fonts and pictures (compressed already) go
as they are. Streamlit's code highlighter (its largest chunk on this page, 1.5 MB) must not be
among the scripts until "Reproduce in code" is opened.
"""

from __future__ import annotations

import gzip
import http.client
import re
import subprocess
from collections.abc import Iterator
from urllib.parse import urlparse

import numpy as np
import pytest
import scipy.ndimage as ndi
from e2e_helpers import (
    VIEWPORT,
    centre_sum,
    home_pixel,
    run_nginx_proxy,
    save_screenshot,
    wait_for_app_idle,
)
from playwright.sync_api import Browser, Page, Response, expect
from skimage import data

import convkit
from harness import Proxy

#: Streamlit's own JavaScript on the inspector is over a hundred files; fewer means the list
#: came from a load that did not happen.
FEWEST_SCRIPTS = 50
#: deploy/nginx.conf's gzip_min_length (tests/unit/test_deploy_files.py ties it to the Ingress).
GZIP_MIN_LENGTH = 1024
#: The file name's start of Streamlit 1.67's code highlighter chunk (the rest is a hash).
HIGHLIGHTER = "StreamlitSyntaxHighlighter."


@pytest.fixture(scope="module")
def nginx(app_server: str) -> Iterator[Proxy]:
    with run_nginx_proxy([urlparse(app_server).port]) as running:
        yield running


@pytest.fixture(scope="module")
def proxy(nginx: Proxy) -> str:
    """nginx's plain HTTP address."""
    return nginx.url


@pytest.fixture(scope="module")
def inspector(proxy: str, browser: Browser) -> Iterator[tuple[Page, list[Response]]]:
    """The pixel inspector loaded through nginx, and every response the page has had so far."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        responses: list[Response] = []
        page.on("response", lambda response: responses.append(response))
        page.goto(f"{proxy}/pixel_inspector?image=camera&kernel=emboss&border=wrap")
        wait_for_app_idle(page)
        yield page, responses
    finally:
        context.close()


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
        proxy: str, inspector: tuple[Page, list[Response]]) -> None:
    _, responses = inspector
    texts = {r.url: r.headers.get("content-encoding") for r in responses
             if r.request.resource_type in ("document", "script", "stylesheet")
             and r.url.startswith(proxy)}
    fonts = [r.url for r in responses if r.request.resource_type == "font"]
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


def scripts(responses: list[Response]) -> list[str]:
    return [r.url.rsplit("/", 1)[-1] for r in responses if r.request.resource_type == "script"]


def test_the_code_highlighter_is_fetched_only_when_reproduce_in_code_is_opened(
        inspector: tuple[Page, list[Response]]) -> None:
    page, responses = inspector
    assert not [name for name in scripts(responses) if name.startswith(HIGHLIGHTER)]
    page.get_by_text("Reproduce in code", exact=True).click()
    page.get_by_role("tab", name="OpenCV").click()
    code = page.locator("[role=tabpanel]:visible code").first
    expect(code).to_contain_text("cv2.BORDER_WRAP")
    assert [name for name in scripts(responses) if name.startswith(HIGHLIGHTER)]
    # The code shown computes what the page shows: the inspector's own image and settings.
    namespace: dict = {}
    exec(compile(code.inner_text(), "<shown code>", "exec"), namespace)  # noqa: S102
    raw = ndi.correlate(data.camera().astype(np.float64), convkit.BANK["emboss"].weights,
                        mode="grid-wrap")
    np.testing.assert_array_equal(namespace["output"],
                                  np.clip(np.rint(raw), 0, 255).astype(np.uint8))
    save_screenshot(page, "first-load-reproduce-in-code-opened")


#: Every layout shift Chromium reports while the page loads, summed as Lighthouse's
#: "cumulative layout shift" sums them for a page this short (one session window).
LAYOUT_SHIFTS = """
window.ckShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.ckShifts.push(entry.value);
  }
}).observe({type: "layout-shift", buffered: true});
"""
#: Lighthouse's limit of a "good" cumulative layout shift.
GOOD_LAYOUT_SHIFT = 0.1
#: What shows that a page has drawn what came late: the inspector's magnified view, Home's
#: magnified piece and its grids.
INSPECTOR_DRAWN = ".st-key-inspector_pictures canvas"
HOME_DRAWN = ".st-key-home_numbers table"


def test_the_page_names_itself_before_its_scripts_run_and_links_its_first_paint_styles(
        proxy: str) -> None:
    _, html = fetch(f"{proxy}/pixel_inspector", "identity")
    text = html.decode()
    assert re.search(r'<div id="root"><p role="status" style="[^"]+">convkit: see what a '
                     r'convolution kernel does\. Loading', text)
    stylesheet = 'href="./app/static/first-paint.css"'
    assert stylesheet in text
    headers, css = fetch(f"{proxy}/app/static/first-paint.css", "identity")
    assert headers["content-type"].startswith("text/css")
    assert b".st-key-inspector_pictures" in css and b"stSidebar" in css


@pytest.mark.parametrize("viewport", [{"width": 1350, "height": 940},
                                      {"width": 390, "height": 844}], ids=["desktop", "phone"])
def test_nothing_on_home_and_the_inspector_jumps_as_they_arrive(proxy: str, browser: Browser,
                                                                 viewport: dict) -> None:
    # A square image and a wide one: the pictures' place follows the image's shape.
    for path, ready in (("pixel_inspector?image=camera&x=256&y=256", INSPECTOR_DRAWN),
                        ("pixel_inspector?image=coins&x=5&y=5", INSPECTOR_DRAWN),
                        ("?image=camera", HOME_DRAWN)):
        context = browser.new_context(viewport=viewport, is_mobile=viewport["width"] < 768,
                                      has_touch=viewport["width"] < 768)
        try:
            page = context.new_page()
            page.add_init_script(LAYOUT_SHIFTS)
            page.goto(f"{proxy}/{path}")
            wait_for_app_idle(page)
            expect(page.locator(ready).first).to_be_visible()
            page.wait_for_timeout(500)  # a shift is reported in the frame after it
            shifts = page.evaluate("window.ckShifts")
            assert sum(shifts) < GOOD_LAYOUT_SHIFT, (path, shifts)
        finally:
            context.close()


#: The protocol of the page and of every file it fetched, as the browser saw them.
PROTOCOLS_SEEN = """
[...new Set([...performance.getEntriesByType("navigation"),
             ...performance.getEntriesByType("resource")].map((entry) => entry.nextHopProtocol))]
"""


def test_over_https_the_page_and_its_files_come_over_http2_and_the_app_answers(
        nginx: Proxy, browser: Browser) -> None:
    # What nginx negotiates (ALPN), as curl sees it: HTTP/2, compressed, the page rewritten.
    done = subprocess.run(
        ["curl", "--silent", "--insecure", "--http2", "--max-time", "10",
         "--header", "Accept-Encoding: gzip", "--dump-header", "-", "--output", "-",
         f"{nginx.https_url}/"], capture_output=True, timeout=20, check=True)
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/2 200"), head
    assert b"content-encoding: gzip" in head.lower(), head
    assert b'<div id="root"><p role="status"' in gzip.decompress(body)

    # A browser: every file over HTTP/2; the session's WebSocket (HTTP/1.1 upgraded on a
    # connection of its own through the same TLS port) works: Home's sum is the right one.
    context = browser.new_context(viewport=VIEWPORT, ignore_https_errors=True)
    try:
        page = context.new_page()
        page.goto(f"{nginx.https_url}/?image=coins&kernel=sobel_x&border=wrap")
        wait_for_app_idle(page)
        assert page.evaluate(PROTOCOLS_SEEN) == ["h2"]
        x, y = home_pixel(page)
        pixels = convkit.fit_to_pixels(convkit.load_sample("coins"), 1024).astype(np.float64)
        expected = ndi.correlate(pixels, convkit.BANK["sobel_x"].weights, mode="grid-wrap")
        assert centre_sum(page) == pytest.approx(expected[y, x], abs=1e-3)
    finally:
        context.close()
