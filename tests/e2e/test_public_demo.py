"""The public demo in a real browser: bad uploads through the real file input, and isolation.

Bad files give the reason in an error box and the session stays usable; two visitors with
different images and kernels never see each other's state. Numbers on the page are checked
against cv2.filter2D computed here.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import cv2
import numpy as np
import pytest
from e2e_helpers import (
    VIEWPORT,
    assert_no_exception,
    centre_sum,
    home_pixel,
    inspect_column,
    pick_kernel,
    run_streamlit,
    save_screenshot,
    wait_for_app_idle,
)
from image_files import bomb_png, png
from playwright.sync_api import Browser, Page, expect

import convkit
from server import readiness

CRASH = "Something went wrong on this page"
ERROR_BOX = '[data-testid="stAlertContentError"]'





def gradient(height: int = 48, width: int = 64) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return ((x * 7 + y * y) % 256).astype(np.uint8)


def centre_reference(pixels: np.ndarray, kernel: str, page) -> float:
    """cv2.filter2D (correlation, replicate border) at the pixel the Home page on `page`
    explains first."""
    out = cv2.filter2D(pixels.astype(np.float64), -1, convkit.BANK[kernel].weights,
                       borderType=cv2.BORDER_REPLICATE)
    x, y = home_pixel(page)
    return float(out[y, x])


def sample_pixels(name: str) -> np.ndarray:
    return convkit.fit_to_pixels(convkit.to_gray(convkit.load_sample(name)), 1024)


def query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def upload(page: Page, name: str, data: bytes, mime: str = "image/png") -> None:
    page.locator('.st-key-upload input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}])


def assert_healthy(page: Page) -> None:
    assert_no_exception(page)
    expect(page.get_by_text(CRASH)).to_have_count(0)


BAD_FILES = [
    ("notes.png", b"shopping list: eggs, milk\n" * 12, "not an image"),
    ("cut.png", png(np.random.default_rng(0).integers(0, 256, (80, 80), np.uint8))[:700],
     "truncated or damaged"),
    ("zero.png", b"", "empty"),
    ("bomb.png", bomb_png(), "40,000,000"),
    ("drawing.png", b'<svg xmlns="http://www.w3.org/2000/svg" width="5" height="5"/>', "SVG"),
]


def test_bad_uploads_show_the_reason_and_the_session_stays_usable(page: Page,
                                                                   app_server: str) -> None:
    page.goto(app_server + "/?image=coins&kernel=sobel_x")
    wait_for_app_idle(page)
    for name, data, reason in BAD_FILES:
        upload(page, name, data)
        box = page.locator(ERROR_BOX).filter(has_text=f"Cannot use {name}")
        expect(box).to_be_visible()
        expect(box).to_contain_text(reason)
        wait_for_app_idle(page)
        assert_healthy(page)
        expect(page.locator('[data-testid="stImage"]')).to_have_count(0)
    save_screenshot(page, "public-demo-bad-upload")

    # A type the uploader does not offer is stopped by the browser, with a message there.
    upload(page, "drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    expect(page.locator(".st-key-upload")).to_contain_text("not allowed")

    good = gradient()
    upload(page, "good.png", png(good))
    expect(page.locator(ERROR_BOX)).to_have_count(0)
    wait_for_app_idle(page)
    expect(page.locator('[data-testid="stImage"]')).to_have_count(2)
    assert centre_sum(page) == pytest.approx(centre_reference(good, "sobel_x", page), abs=1e-3)
    assert_healthy(page)

    # ...and switching back to a sample works as before.
    page.locator(".st-key-source input").click()
    page.keyboard.type("moon")
    page.locator('[role="option"]').filter(has_text=re.compile(r"^moon$")).first.click()
    expect(page).to_have_url(re.compile(r"image=moon"))
    wait_for_app_idle(page)
    assert centre_sum(page) == pytest.approx(
        centre_reference(sample_pixels("moon"), "sobel_x", page), abs=1e-3)
    save_screenshot(page, "public-demo-after-bad-uploads")


def test_two_visitors_never_see_each_others_state(browser: Browser, app_server: str) -> None:
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(2)]
    try:
        alice, bob = (context.new_page() for context in contexts)
        alice.goto(app_server + "/?image=coins&kernel=sobel_x")
        bob.goto(app_server + "/?image=moon&kernel=emboss")
        for page in (alice, bob):
            wait_for_app_idle(page)

        mine = gradient(36, 52)
        upload(alice, "alice-private.png", png(mine))
        expect(alice.locator('[data-testid="stImage"]').first).to_contain_text(
            "alice-private.png")
        wait_for_app_idle(alice)
        pick_kernel(bob, "laplacian")

        # Each sees its own image and kernel, computed from its own pixels.
        assert centre_sum(alice) == pytest.approx(centre_reference(mine, "sobel_x", alice),
                                                  abs=1e-3)
        assert centre_sum(bob) == pytest.approx(
            centre_reference(sample_pixels("moon"), "laplacian", bob), abs=1e-3)
        assert query(alice)["kernel"] == "sobel_x" and "image" not in query(alice)
        assert query(bob)["kernel"] == "laplacian" and query(bob)["image"] == "moon"
        expect(bob.get_by_text("alice-private")).to_have_count(0)
        expect(bob.locator(".st-key-upload")).not_to_contain_text("alice-private")

        # Alice opens the inspector (same session: through the menu, not a new page load)
        # and picks a pixel; Bob reloads (a new session from his link) and keeps his settings.
        inspect_column(alice, 5)
        expect(alice.get_by_text("alice-private.png").first).to_be_visible()

        bob.reload()
        wait_for_app_idle(bob)
        assert query(bob)["kernel"] == "laplacian" and "x" not in query(bob)
        assert centre_sum(bob) == pytest.approx(
            centre_reference(sample_pixels("moon"), "laplacian", bob), abs=1e-3)
        expect(bob.get_by_text("alice-private")).to_have_count(0)
        for page in (alice, bob):
            assert_healthy(page)
        save_screenshot(alice, "public-demo-isolation-alice")
        save_screenshot(bob, "public-demo-isolation-bob")
    finally:
        for context in contexts:
            context.close()


def open_files_under(pid: int, folder: Path) -> list[str]:
    """Files process `pid` has open inside `folder` (deleted ones included)."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


def test_an_upload_leaves_no_file_behind(page: Page) -> None:
    """A 3 MB upload (over the web server's 1 MB in-memory spool) is decoded from memory, and
    the server keeps no file of it, named or unnamed, in its temporary directory (where it
    writes only its readiness status, server/readiness.py)."""
    scratch = Path(tempfile.mkdtemp(prefix="convkit-tmpdir-"))
    noise = np.random.default_rng(9).integers(0, 256, (1000, 1000, 3), np.uint8)
    data = png(noise)
    assert len(data) > 2_000_000
    with run_streamlit("app.py", log_name="streamlit-tmpdir",
                       env={"TMPDIR": str(scratch)}) as server:
        page.goto(server.url + "/?kernel=identity")
        wait_for_app_idle(page)
        upload(page, "noise.png", data)
        expect(page.locator('[data-testid="stImage"]')).to_have_count(2)
        wait_for_app_idle(page)
        expect(page.locator(ERROR_BOX)).to_have_count(0)
        assert_healthy(page)
        status = readiness.status_path(server.port)
        assert [p for p in scratch.rglob("*") if p.stem != status.stem] == []
        assert open_files_under(server.proc.pid, scratch) == []
    for written in scratch.glob(status.stem + ".*"):
        written.unlink()
    scratch.rmdir()  # empty, as asserted


def test_a_booby_trapped_link_shows_a_plain_notice(page: Page, app_server: str) -> None:
    """Markdown or HTML in query parameters is shown as code: no link, image or markup."""
    from urllib.parse import quote

    kernel = "x\n\n![p](http://127.0.0.1:9/pixel.png) [click](javascript:alert(1)) <b>bold</b>"
    page.goto(f"{app_server}/?kernel={quote(kernel)}&{quote('<img src=x>')}=1&image=coins")
    wait_for_app_idle(page)
    notice = page.locator('[data-testid="stAlertContentWarning"]')
    expect(notice).to_contain_text("Some settings in the link were ignored")
    expect(notice.locator("code")).to_have_count(2)
    for tag in ("a", "img", "b"):
        expect(notice.locator(tag)).to_have_count(0)
    expect(notice.locator("code").nth(1)).to_contain_text("![p](http://127.0.0.1:9/pixel.png)")
    assert query(page)["image"] == "coins"  # the valid part of the link still applies
    assert_healthy(page)
    save_screenshot(page, "public-demo-junk-link")
