"""One way of naming a pixel on every page: (x, y), counted from 0, in words.

Every page is opened as a visitor opens it, at a pixel near the corner (so that padding notes
appear), and everything it writes (text, captions, notices, tables and grids as HTML, their
tooltips included) is read for the wordings the app used before: "(row, column)" pairs, a
cell counted from 1, "row r, column c".
"""

from __future__ import annotations

import re

import pytest
from apptest_helpers import APP, assert_healthy, open_page
from streamlit.testing.v1 import AppTest

PAGES = ["home", "kernel_bank", "pixel_inspector", "kernel_lab", "challenges", "padding_modes",
         "deep_learning", "deconvolution", "template_matching", "class_poll", "live_video"]

#: Wordings that name a place by row and column, or count cells from 1.
OTHER_CONVENTIONS = [
    re.compile(r"\brow \d+, column \d+", re.IGNORECASE),
    re.compile(r"\(row,? col", re.IGNORECASE),
    re.compile(r"\bcell \(\d+, ?\d+\)"),
    re.compile(r"\bpixel \(\d+, ?\d+\)"),
    re.compile(r"\boutput \(\d+, ?\d+\)"),
    re.compile(r"\bw\[\d+, ?\d+\]"),
    re.compile(r"\(y=-?\d+, x=-?\d+\)"),
]


def page_text(at: AppTest) -> str:
    """Everything the page wrote that a visitor reads: text, captions, notices, HTML."""
    parts = [element.value for kind in ("markdown", "caption", "info", "warning", "success",
                                        "error", "title", "header", "subheader")
             for element in getattr(at, kind)]
    parts += [str(element.proto) for element in at.get("html")]
    return "\n".join(str(part) for part in parts)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_names_pixels_by_x_and_y(page: str) -> None:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"image": "camera", "res": "128", "x": "0", "y": "1"})
    at.run()
    open_page(at, page)
    assert_healthy(at)
    text = page_text(at)
    assert text.strip(), page
    found = [match.group(0) for pattern in OTHER_CONVENTIONS for match in pattern.finditer(text)]
    assert not found, (page, found[:5])


@pytest.mark.parametrize("old", [
    "output row 0, column 1 reads", "one (row, col) pair", "cell (0, 0) lies outside",
    "copied from pixel (4, 0)", "At output (3, 2):", "w[2,2] + w[0,2] = 3",
    "outside the image at (y=-1, x=-1)"])
def test_the_sweep_catches_what_the_pages_used_to_say(old: str) -> None:
    assert any(pattern.search(old) for pattern in OTHER_CONVENTIONS), old


def test_a_link_to_a_pixel_outside_the_image_says_so_and_shows_the_nearest() -> None:
    """?x=600&y=3 on the 512 x 512 camera: the inspector says the pixel is outside the image
    (512 x 512) and shows x=511, y=3; its sum is scipy's at that pixel."""
    import numpy as np
    from scipy import ndimage
    from skimage import data

    import convkit

    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"image": "camera", "res": "512", "x": "600", "y": "3",
                            "kernel": "sobel_x", "border": "replicate"})
    at.run()
    open_page(at, "pixel_inspector")
    assert_healthy(at)
    notices = [i.value for i in at.info]
    assert ("Pixel x=600, y=3 is outside the image (512 x 512): the nearest pixel inside, "
            "x=511, y=3, is shown.") in notices, notices
    assert at.number_input(key="inspector_x").value == 511
    assert any(h.value == "Output pixel x=511, y=3" for h in at.header)
    expected = ndimage.correlate(data.camera().astype(np.float64),
                                 convkit.BANK["sobel_x"].weights, mode="nearest")[3, 511]
    sums = [float(match.group(1).replace("−", "-")) for h in at.get("html")
            if "4. Sum of the products" in h.proto.body
            and (match := re.search(r" = <b>([^<]+)</b></p>", h.proto.body))]
    assert sums == [pytest.approx(expected, abs=1e-3)]
