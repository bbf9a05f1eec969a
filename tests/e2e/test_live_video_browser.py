"""The live video page in Chromium with a fake camera: the GPU's bytes are convkit's.

Chromium plays a picture the test writes (a .y4m file) as its camera. The browser filters each
frame in WebGL2; the test reads the filtered canvas back and compares it with
``convkit.to_uint8(convkit.convolve(frame, ...))`` of the frame the GPU received, which is also
the frame Freeze sends (the y4m's colours pass through I420 on the way, so the frame, not the
file, is the reference). A refused permission, no camera and no WebGL2 each get their message.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import numpy as np
import pytest
from e2e_helpers import CHROMIUM_ARGS, VIEWPORT, find_chromium, save_screenshot, wait_for_app_idle
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from test_accessibility import axe_violations
from test_phone_layouts import LAYOUT_PROBLEMS_JS, SLACK_PX

import convkit
from harness import write_still_y4m

WIDTH, HEIGHT = 160, 120
#: Settings of each case beyond the kernel: every border, both flips, every mapping, in gray
#: and in colour, for each kernel (a constant border's fill of 7, so the fill is seen).
BORDERS = convkit.BORDER_MODES
MAPPINGS = tuple(convkit.MAPPINGS)
STATUS = ".cklv-status"


def launch(browser: Browser, *flags: str) -> Browser:
    """Another Chromium from the session's Playwright, with `flags` added."""
    return browser.browser_type.launch(executable_path=find_chromium(), headless=True,
                                       timeout=60_000, args=[*CHROMIUM_ARGS, *flags])


@pytest.fixture(scope="module")
def camera_browser(browser: Browser, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[Browser]:
    """Chromium whose camera plays the test's picture."""
    video = write_still_y4m(tmp_path_factory.mktemp("camera") / "still.y4m", WIDTH, HEIGHT)
    faked = launch(browser, "--use-fake-device-for-media-stream",
                   f"--use-file-for-fake-video-capture={video}")
    try:
        yield faked
    finally:
        faked.close()


def open_live_page(browser: Browser, url: str, *, camera: bool) -> Page:
    context = browser.new_context(viewport=VIEWPORT, permissions=["camera"] if camera else [])
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(url)
    wait_for_app_idle(page)
    return page


def rgba(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), np.uint8).reshape(HEIGHT, WIDTH, 4)


def plan_for(weights: np.ndarray, case: int) -> tuple[dict, dict]:
    """The plan of case number `case` (its border, flip and mapping), and its settings."""
    settings = {"border": BORDERS[case % 5], "flip": bool(case // 5 % 2),
                "mapping": MAPPINGS[(case + case // 5) % 5], "value": 7.0,
                "divisor": -3.0, "offset": 128.0}
    return convkit.explain.live_plan(weights, **settings).to_json(), settings


def test_gpu_bytes_are_convkits_for_every_border_flip_mapping(camera_browser: Browser,
                                                             app_server: str) -> None:
    """Freeze sends the GPU's frame; every border, flip and mapping on a separable and a
    non-separable bank kernel and a 31 x 31 kernel, in gray and colour, gives convkit's bytes
    (at most 1 apart where float rounding differs; the share is printed). Then hiding the
    page, Stop and opening another page each turn the camera off."""
    page = open_live_page(camera_browser, f"{app_server}/live_video?kernel=sobel_x",
                          camera=True)
    page.get_by_role("button", name="Start the live view").click()
    expect(page.locator(".cklv-fps")).to_contain_text(f"{WIDTH} x {HEIGHT} px")
    page.get_by_role("button", name="Freeze this frame").click()
    expect(page.locator(STATUS)).to_contain_text("Frozen: the frame went to the app")
    expect(page.get_by_text("The frozen frame, now the working image")).to_be_visible()
    wait_for_app_idle(page)
    expect(page.locator(".cklv-fps")).to_contain_text("frames per second")
    save_screenshot(page, "live-video-frozen")
    # Live, frozen and all: no WCAG violation at desktop and phone width, and it fits 320 px.
    assert not axe_violations(page)
    page.set_viewport_size({"width": 320, "height": 640})
    wait_for_app_idle(page)
    save_screenshot(page, "live-video-320")
    assert not page.evaluate(LAYOUT_PROBLEMS_JS, SLACK_PX)
    assert not axe_violations(page)

    view = page.locator(".cklv")
    shot = view.evaluate("root => root.cklvSnapshot()")
    frame = rgba(shot["frame"])[..., :3]
    png = base64.b64decode(shot["frozen"].split(",", 1)[1])
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png)).convert("RGB")), frame)
    # The page's own plan (the link's sobel_x, replicate, clip, gray) is convkit's too.
    page_bytes = rgba(shot["filtered"])[..., 0]
    gray = convkit.to_gray(frame)
    expected = convkit.to_uint8(convkit.convolve(gray, convkit.BANK["sobel_x"]), "clip")
    assert np.array_equal(page_bytes, expected)

    rng = np.random.default_rng(26)
    own = rng.normal(0.0, 0.05, (31, 31))  # 31 x 31 of full rank: one 2-D pass
    kernels = {"gaussian_5": convkit.BANK["gaussian_5"].weights,  # separable: two passes
               "sharpen": convkit.BANK["sharpen"].weights, "own_31x31": own}
    off_by_one = compared = 0
    for name, weights in kernels.items():
        for case in range(10):
            plan, settings = plan_for(weights, case)
            colour = case % 2 == 1
            shot = view.evaluate("(root, args) => root.cklvSnapshot(args[0], args[1])",
                                 [plan, colour])
            image = frame if colour else gray
            raw = convkit.convolve(image, weights, settings["border"], flip=settings["flip"],
                                   value=settings["value"])
            expected = convkit.to_uint8(raw, settings["mapping"], divisor=settings["divisor"],
                                        offset=settings["offset"])
            got = rgba(shot["filtered"])[..., :3] if colour else rgba(shot["filtered"])[..., 0]
            difference = np.abs(got.astype(int) - expected)
            assert difference.max() <= 1, (name, settings, colour, int(difference.max()))
            off_by_one += int(np.count_nonzero(difference))
            compared += difference.size
    share = off_by_one / compared
    print(f"live video: {compared:,} bytes compared, {share:.4%} off by one")
    assert share < 0.01

    # Hiding the page (another tab, a locked phone) and Stop each turn the camera off.
    held = view.element_handle()
    page.set_viewport_size(VIEWPORT)
    page.evaluate("""() => { Object.defineProperty(document, 'hidden', {value: true,
                                                                    configurable: true});
                            document.dispatchEvent(new Event('visibilitychange')); }""")
    expect(page.locator(STATUS)).to_contain_text("Stopped because the page was hidden")
    assert held.evaluate("root => !root.cklvRunning && !root.cklvStream")
    page.evaluate("() => { delete document.hidden; }")
    start = page.get_by_role("button", name="Start the live view")
    start.click()
    expect(page.locator(STATUS)).to_contain_text("Live:")
    page.get_by_role("button", name="Stop").click()
    expect(page.locator(STATUS)).to_contain_text("Stopped: the camera is off.")
    expect(page.get_by_role("button", name="Freeze this frame")).to_be_disabled()
    assert held.evaluate("root => !root.cklvRunning && !root.cklvStream")
    # Opening another page turns it off too.
    start.click()
    expect(page.locator(STATUS)).to_contain_text("Live:")
    page.locator('[data-testid="stSidebarNavLink"]', has_text="Padding").click()
    page.wait_for_function("root => !root.cklvRunning && !root.cklvStream", arg=held)


def test_refused_permission_says_so(camera_browser: Browser, app_server: str) -> None:
    """A visitor who refuses the camera reads why the view did not start, and the app works."""
    page = open_live_page(camera_browser, f"{app_server}/live_video", camera=False)
    page.get_by_role("button", name="Start the live view").click()
    expect(page.locator(STATUS)).to_contain_text("Camera permission was refused")
    expect(page.get_by_role("button", name="Freeze this frame")).to_be_disabled()


def test_no_camera_says_so(browser: Browser, app_server: str) -> None:
    """A browser with no camera at all (the session's own) says there is none."""
    page = open_live_page(browser, f"{app_server}/live_video", camera=True)
    page.get_by_role("button", name="Start the live view").click()
    expect(page.locator(STATUS)).to_contain_text("No camera could be used")


def test_no_webgl2_says_so(browser: Browser, app_server: str) -> None:
    """With WebGL switched off, Start says the browser cannot run the live view."""
    no_webgl = launch(browser, "--disable-3d-apis")
    try:
        page = open_live_page(no_webgl, f"{app_server}/live_video", camera=True)
        page.get_by_role("button", name="Start the live view").click()
        expect(page.locator(STATUS)).to_contain_text("it has no WebGL2")
    finally:
        no_webgl.close()
