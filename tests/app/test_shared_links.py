"""Links that carry a kernel's weights, the divide mapping, and the camera as an image source."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
import scipy.ndimage as ndi
from apptest_helpers import APP, assert_healthy, open_page
from PIL import Image
from skimage import data
from streamlit.testing.v1 import AppTest

import convkit
from pages.ui import state

#: An asymmetric kernel, so a lost flip or a transposed row would change the numbers.
WEIGHTS_TEXT = "1,2,0; 0,-1,0; 0,0,1/2"
WEIGHTS = np.array([[1, 2, 0], [0, -1, 0], [0, 0, 0.5]])


def opened(page: str, params: dict[str, str]) -> AppTest:
    """A fresh session opening `page` through a link with `params`."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    return at if page == "home" else open_page(at, page)


def breakdown(at: AppTest) -> str:
    """The HTML of the (gray) breakdown."""
    return next(h.proto.body for h in at.get("html") if "4. Sum of the products" in h.proto.body)


def shown_sum(at: AppTest) -> float:
    total = re.search(r" = <b>([^<]+)</b></p>", breakdown(at)).group(1)
    return float(total.replace("−", "-"))


def param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[-1] if isinstance(value, list) else value


def test_a_link_with_weights_reproduces_the_kernel_in_a_fresh_session():
    """The weights in the link become the session's kernel; the sum at the pixel is scipy's."""
    at = opened("pixel_inspector", {"image": "camera", "weights": WEIGHTS_TEXT,
                                    "kernel": "edge<script>", "border": "reflect_101",
                                    "x": "10", "y": "20"})
    assert at.session_state["kernel_name"] == "edgescript"  # only safe characters kept
    expected = ndi.correlate(data.camera().astype(np.float64), WEIGHTS, mode="mirror")[20, 10]
    assert shown_sum(at) == pytest.approx(expected, abs=1e-3)
    assert not at.warning or all("ignored" not in w.value for w in at.warning)


def test_the_url_of_an_own_kernel_carries_its_weights():
    """Opening an own kernel writes its weights back into the URL, exactly."""
    at = opened("pixel_inspector", {"weights": WEIGHTS_TEXT, "x": "3", "y": "4"})
    assert at.session_state["kernel_name"] == "from_link"
    written = convkit.parse_weights_text(param(at, "weights"))
    np.testing.assert_array_equal(written, WEIGHTS)
    assert param(at, "kernel") == "from_link"


def test_a_bank_kernel_name_in_a_weights_link_does_not_replace_the_bank_kernel():
    """A link may not redefine `sharpen`: its weights get the neutral name instead."""
    at = opened("pixel_inspector", {"weights": WEIGHTS_TEXT, "kernel": "sharpen"})
    assert at.session_state["kernel_name"] == "from_link"
    np.testing.assert_array_equal(convkit.BANK["sharpen"].weights,
                                  [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])


@pytest.mark.parametrize("text, culprit", [
    ("1,2; 3", "row"),
    ("1,2,3,4; 1,2,3,4; 1,2,3,4", "odd"),
    ("1,x,1", "x"),
    ("1," * 5000, "characters"),
])
def test_a_bad_weights_link_is_ignored_with_a_notice(text, culprit):
    """Broken weights: the default kernel stays, and the notice says what was wrong."""
    at = opened("home", {"weights": text})
    assert at.session_state["kernel_name"] == "sharpen"
    notice = " ".join(w.value for w in at.warning)
    assert "weights" in notice and culprit in notice.lower()


def test_the_divide_mapping_gives_hand_computed_bytes():
    """sum / divisor + offset, rounded and clipped: a zero-sum edge kernel's flat areas are grey."""
    at = opened("pixel_inspector", {"image": "camera", "kernel": "laplacian", "mapping": "divide",
                                    "divisor": "4", "offset": "128", "x": "100", "y": "50"})
    total = ndi.correlate(data.camera().astype(np.float64), convkit.BANK["laplacian"].weights,
                          mode="nearest")[50, 100]
    byte = int(min(255, max(0, np.floor(total / 4 + 128 + 0.5))))
    assert shown_sum(at) == pytest.approx(total, abs=1e-3)
    assert f"Output byte: <b>{byte}</b>" in breakdown(at)
    assert param(at, "divisor") == "4" and param(at, "offset") == "128"


def test_a_zero_divisor_in_a_link_is_refused():
    at = opened("home", {"mapping": "divide", "divisor": "0"})
    assert "divisor" in " ".join(w.value for w in at.warning)
    assert at.session_state["divisor"] == 1.0


def jpeg(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def test_the_camera_is_an_image_source_through_the_same_decoder():
    """A camera photo becomes the working image, decoded like an upload."""
    rows = np.linspace(0, 255, 60)[:, None].repeat(80, axis=1).astype(np.uint8)
    photo = np.dstack([rows, rows[::-1], np.full_like(rows, 90)])
    at = opened("pixel_inspector", {"kernel": "sharpen"})
    at.selectbox(key="source").set_value("camera_input").run()
    assert any("camera" in i.value for i in at.info)
    at.camera_input(key="camera_shot").set_value(("shot.jpg", jpeg(photo), "image/jpeg")).run()
    assert_healthy(at)
    assert any("80 x 60 px" in c.value for c in at.caption)
    gray = convkit.to_gray(convkit.decode_image(jpeg(photo)).pixels).astype(np.float64)
    heading = next(h.value for h in at.header if h.value.startswith("Output pixel"))
    x, y = map(int, re.findall(r"\d+", heading))
    expected = ndi.correlate(gray, convkit.BANK["sharpen"].weights, mode="nearest")[y, x]
    assert shown_sum(at) == pytest.approx(expected, abs=1e-3)


def _level(text: str) -> int:
    if text in ("1", "2", "3", "4"):
        return int(text)
    raise ValueError("must be 1, 2, 3 or 4")


@pytest.fixture
def with_level(monkeypatch):
    """One more row in the settings table (no widget), and Settings rebuilt as import does."""
    fields = (*state.FIELDS, state.Field("detail_level", "level", int, 2, _level, widget=False))
    monkeypatch.setattr(state, "FIELDS", fields)
    monkeypatch.setattr(state, "Settings", state.settings_class(fields))


@pytest.mark.parametrize("given, kept, notice", [
    ({}, 2, False), ({"level": "4"}, 4, False), ({"level": "9"}, 2, True),
])
def test_a_setting_added_as_one_row_is_read_defaulted_and_written_back(with_level, given, kept,
                                                                        notice):
    """The app reads the new row from a link (or its default), and writes it into the URL."""
    at = opened("home", given)
    assert at.session_state["detail_level"] == kept
    assert param(at, "level") == str(kept)
    warnings = " ".join(w.value for w in at.warning)
    assert ("`level=9`: must be 1, 2, 3 or 4" in warnings) == notice
