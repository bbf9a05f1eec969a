"""The live video page: the filter it sends the browser, and a frozen frame as the image."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_helpers import APP, assert_healthy, component_data, open_page
from image_files import bomb_png, png
from streamlit.testing.v1 import AppTest

import convkit
from pages.ui.images import FrozenFrame
from pages.ui.state import LIVE, LIVE_FRAME
from pages.views.live_video import frame_from_data_url


def opened(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    return open_page(at, "live_video")


def test_the_browser_gets_the_sidebars_filter():
    """A link's kernel, flip, border and divide mapping reach the browser as live_plan has it;
    the page says nothing leaves the device."""
    at = opened({"kernel": "sobel_x", "flip": "1", "border": "wrap", "mapping": "divide",
                 "divisor": "4", "offset": "128", "color": "1"})
    sent = component_data(at, "convkit_live_video")
    weights = np.array(sent["plan"]["weights"]).reshape(sent["plan"]["shape"])
    assert np.array_equal(weights, np.rot90(convkit.BANK["sobel_x"].weights, 2))
    assert np.allclose(np.outer(sent["plan"]["column"], sent["plan"]["row"]), weights)
    assert (sent["plan"]["border"], sent["plan"]["mapping"]) == ("wrap", "divide")
    assert (sent["plan"]["divisor"], sent["plan"]["offset"], sent["colour"]) == (4, 128, True)
    assert any("Nothing leaves your device while live" in i.value for i in at.info)


def frozen(at: AppTest, data: bytes) -> AppTest:
    at.session_state[LIVE_FRAME] = FrozenFrame("live frame.png", data,
                                               convkit.image_digest(data))
    at.session_state["source"] = LIVE
    at.run()
    assert_healthy(at)
    return at


def test_a_frozen_frame_is_every_pages_image():
    """The frozen frame is decoded like an upload and Home works on its pixels."""
    pixels = np.zeros((30, 40), np.uint8)
    pixels[:, 20:] = 200
    at = frozen(opened({"kernel": "identity"}), png(pixels))
    assert any("The frozen frame, now the working image" in s.value for s in at.subheader)
    open_page(at, "home")
    assert at.session_state["source"] == LIVE
    assert any("live frame.png" in c.value for c in at.caption)


def test_a_frozen_frame_goes_through_the_uploads_checks():
    """A frame too large to decode is refused with the upload's words, and nothing breaks."""
    at = frozen(opened({}), bomb_png())
    errors = [e.value for e in at.error]
    assert any(e.startswith("Cannot use live frame.png") for e in errors), errors


@pytest.mark.parametrize("text, why", [
    (None, "not a PNG data URL"),
    ("data:image/jpeg;base64,AAAA", "not a PNG data URL"),
    ("data:image/png;base64,@@@@", "damaged"),
    ("data:image/png;base64,R0lGODlh", "not a PNG"),
    ("data:image/png;base64," + "A" * 80, "larger than the 40 bytes"),
])
def test_hostile_frames_are_refused(text, why):
    """Whatever a page (or an imitation of one) sends, only a bounded PNG passes."""
    with pytest.raises(ValueError, match=why):
        frame_from_data_url(text, max_bytes=40)
