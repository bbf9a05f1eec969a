"""AppTest tests of asking first: "which picture is the output?" on the kernel bank and the
padding page, the output size and a window's sum on the deep-learning page; every answer
decided from an independent reference (scipy.ndimage, cv2, a brute-force window count)."""

from __future__ import annotations

import base64
import io
import re

import cv2
import numpy as np
import pytest
from apptest_helpers import APP, assert_healthy, open_page
from PIL import Image
from skimage import data
from streamlit.testing.v1 import AppTest

import convkit
from pages import ui
from tests.unit.references import scipy_filter

SETTINGS = {"image": "camera", "res": "512", "kernel": "sobel_x", "border": "replicate"}


@pytest.fixture(autouse=True)
def _fresh_caches():
    ui.cache.clear()


def opened(page: str, params: dict[str, str]) -> AppTest:
    """A fresh session opening `page` through a link with `params`."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    return open_page(at, page)


def asked(at: AppTest, topic: str) -> AppTest:
    at.toggle(key=f"{topic}_quiz_on").set_value(True).run()
    assert_healthy(at)
    return at


def choices(at: AppTest) -> dict[str, np.ndarray]:
    """The pictures of the question by letter, decoded from the page's grid."""
    body = next(h.proto.body for h in at.get("html") if "ckq-grid" in h.proto.body)
    found = re.findall(r'<img src="data:image/\w+;base64,([^"]+)" alt="Picture ([A-D]): ([^"]*)"',
                       body)
    assert 3 <= len(found) <= 4 or "padding" in body, body[:200]
    for _, _, alt in found:
        assert not re.search(r"right|correct|truth|flip|confus", alt, re.I), alt
    return {letter: np.asarray(Image.open(io.BytesIO(base64.b64decode(payload))).convert("L"))
            for payload, letter, _ in found}


def closest(pictures: dict[str, np.ndarray], expected: np.ndarray) -> str:
    """The letter whose picture is nearest the reference; it must be near, the rest far."""
    gaps = {letter: float(np.mean(np.abs(picture.astype(float) - expected)))
            for letter, picture in pictures.items()}
    best = min(gaps, key=gaps.get)
    assert gaps[best] < 3.0, gaps
    if len(gaps) > 1:
        assert sorted(gaps.values())[1] > 2 * gaps[best] + 1, gaps
    return best


def to_bytes(raw, mapping="clip"):
    if mapping == "abs":
        raw = np.abs(raw)
    elif mapping == "minmax":
        raw = (raw - raw.min()) * (255.0 / (raw.max() - raw.min()))
    return np.clip(np.rint(raw), 0, 255).astype(np.uint8)


def bank_image() -> np.ndarray:
    """The bank's question copy: the 512 px camera brought to 320 px by area averaging."""
    return cv2.resize(data.camera(), (320, 320), interpolation=cv2.INTER_AREA)


def confusion_picture(image, line: str, weights, border: str) -> np.ndarray:
    """What a choice's explanation says it is, recomputed with scipy.ndimage."""
    if "what the page computes" in line:
        return to_bytes(scipy_filter(image, weights, border))
    if "rotated 180 degrees" in line:
        return to_bytes(scipy_filter(image, weights, border, flip=True))
    if match := re.search(r"Another kernel: (\w+),", line):
        return to_bytes(scipy_filter(image, convkit.BANK[match.group(1)].weights, border))
    if "x and y swapped" in line:
        return to_bytes(scipy_filter(image, np.asarray(weights).T, border))
    if match := re.search(r"with the (\w+) mapping instead", line):
        return to_bytes(scipy_filter(image, weights, border), match.group(1))
    match = re.search(r"The (\w+) border", line)
    return to_bytes(scipy_filter(image, weights, match.group(1)))


def test_bank_wrong_then_right_scores_and_explains_every_picture():
    """A wrong letter is told wrong with its confusion, every revealed picture is what its
    line says (scipy), the row comes back; the next question answered right scores 1 of 2."""
    at = asked(opened("kernel_bank", SETTINGS), "bank")
    weights, image = convkit.BANK["sobel_x"].weights, bank_image()
    assert any("sobel_x row's outputs are hidden" in i.value for i in at.info)
    pictures_before = len(at.get("image"))
    pictures = choices(at)
    right = closest(pictures, to_bytes(scipy_filter(image, weights, "replicate")))
    wrong = next(letter for letter in pictures if letter != right)

    at.radio(key="bank_quiz_pick").set_value(wrong)
    at.button(key="bank_quiz_check").click().run()
    assert_healthy(at)
    assert any(w.value.startswith(f"Not this time: you chose **{wrong}**; the output is "
                                  f"picture **{right}**") for w in at.warning)
    reveal = next(m.value for m in at.markdown if "(✓ the output" in m.value)
    for line in reveal.splitlines():
        letter = re.match(r"- \*\*([A-D])\*\*", line).group(1)
        assert ("✓" in line) == (letter == right)
        assert closest({letter: pictures[letter]},
                       confusion_picture(image, line, weights, "replicate")) == letter
    assert f"**{wrong}** (✗ a confusion, your answer)" in reveal
    assert any("0 of 1 right" in c.value for c in at.caption)
    assert not any("row's outputs are hidden" in i.value for i in at.info)
    assert len(at.get("image")) > pictures_before

    seed = at.query_params["quiz"]
    at.button(key="bank_quiz_next").click().run()
    assert_healthy(at)
    assert at.query_params["quiz"] != seed
    pictures = choices(at)
    right = closest(pictures, to_bytes(scipy_filter(image, weights, "replicate")))
    at.radio(key="bank_quiz_pick").set_value(right)
    at.button(key="bank_quiz_check").click().run()
    assert any(s.value == f"Right: picture **{right}** is the output." for s in at.success)
    assert any("1 of 2 right" in c.value for c in at.caption)


def test_bank_link_poses_the_same_question_without_its_answer():
    """The page's link holds settings and the question's number only; opened in a fresh
    session it shows the same pictures in the same order, the question open."""
    first = asked(opened("kernel_bank", SETTINGS), "bank")
    link = {key: (value[-1] if isinstance(value, list) else value)
            for key, value in first.query_params.items()}
    assert set(link) <= {"image", "color", "res", "kernel", "border", "flip", "mapping", "quiz"}
    pictures = choices(first)
    second = opened("kernel_bank", link)
    assert second.toggle(key="bank_quiz_on").value  # a link with a question asks it
    again = choices(second)
    assert list(again) == list(pictures)
    for letter in pictures:
        assert np.array_equal(again[letter], pictures[letter])
    assert second.radio(key="bank_quiz_pick").value is None


def test_padding_question_hides_the_outputs_until_answered():
    """The labelled outputs wait behind the question; the letter scipy picks is right."""
    at = asked(opened("padding_modes", {**SETTINGS, "kernel": "sharpen",
                                        "border": "constant"}), "padding")
    headers = [h.value for h in at.header]
    assert not any(h.startswith("What each mode does") for h in headers)
    prompt = next(m.value for m in at.markdown if m.value.startswith("Which picture is the"))
    corner, side = re.search(r"the ([a-z-]+) corner \((\d+) x", prompt).groups()
    side = int(side)
    whole = to_bytes(scipy_filter(data.camera(), convkit.BANK["sharpen"].weights, "constant"))
    rows = slice(0, side) if corner.startswith("top") else slice(-side, None)
    cols = slice(0, side) if corner.endswith("left") else slice(-side, None)
    crop = whole[rows, cols]
    pictures = choices(at)
    # The choices are magnified: bring each back to the crop's size, pixel for pixel.
    small = {letter: cv2.resize(picture, (side, side), interpolation=cv2.INTER_NEAREST)
             for letter, picture in pictures.items()}
    right = closest(small, crop)
    at.radio(key="padding_quiz_pick").set_value(right)
    at.button(key="padding_quiz_check").click().run()
    assert_healthy(at)
    assert any(s.value == f"Right: picture **{right}** is the output." for s in at.success)
    assert any("1 of 1 right" in c.value for c in at.caption)
    assert any(h.value.startswith("What each mode does") for h in at.header)


def windows(n: int, k: int, stride: int, dilation: int, pad: int) -> int:
    """Brute force: the positions of a dilated k-tap window on an axis padded by `pad`."""
    span = dilation * (k - 1) + 1
    return sum(1 for start in range(0, n + 2 * pad, stride) if start + span <= n + 2 * pad)


def test_deep_learning_size_then_cell_predicted():
    """Forgetting the dilation is diagnosed; the right size reveals the window; a wrong sum
    is told, a right one (numpy's own product sum) scores."""
    at = opened("deep_learning", {"image": "camera", "res": "512"})
    at.radio(key="dl_source").set_value("numbers I type").run()
    grid = np.arange(1, 50).reshape(7, 7) % 10
    at.text_area(key="dl_grid").set_value("\n".join(" ".join(map(str, row))
                                                    for row in grid)).run()
    at.selectbox(key="dl_kernel").set_value("sobel_x").run()
    at.slider(key="dl_dilation").set_value(2).run()
    at.toggle(key="dl_predict").set_value(True).run()
    assert_healthy(at)
    assert not [m for m in at.metric if m.label == "Output size"]  # not shown yet
    true = windows(7, 3, 1, 2, 0)
    forgot_dilation = windows(7, 3, 1, 1, 0)
    at.number_input(key="dl_predict_rows").set_value(forgot_dilation)
    at.number_input(key="dl_predict_cols").set_value(true)
    at.button(key="dl_predict_check").click().run()
    assert_healthy(at)
    assert any(f"you said {forgot_dilation} x {true}; the output is {true} x {true}" in w.value
               for w in at.warning)
    worked = next(m.value for m in at.markdown if m.value.startswith("- **rows**"))
    assert f"Your {forgot_dilation} is what a known mistake gives: **forgot dilation**" in worked
    assert [m.value for m in at.metric if m.label == "Output size"] == [f"{true} x {true}"]

    weights = convkit.BANK["sobel_x"].weights
    region = grid[0:5:2, 0:5:2].astype(float)  # output x=0, y=0 reads every other cell
    expected = float(np.sum(region * weights))
    assert not any("Sum of the products" in m.value for m in at.markdown)
    # Only the weight at x=2, y=1 (2) meets a 9 there: leaving that product out is diagnosed.
    at.number_input(key="dl_cell_guess").set_value(expected - 2 * region[1, 2])
    at.button(key="dl_cell_check").click().run()
    assert any("Not this time" in w.value and "output x=0, y=0" in w.value
               and "the weight at x=2, y=1 times the value under it (= 18)" in w.value
               for w in at.warning)
    assert any("Sum of the products" in m.value for m in at.markdown)
    at.button(key="dl_next").click().run()
    region = grid[0:5:2, 1:6:2].astype(float)
    at.number_input(key="dl_cell_guess").set_value(float(np.sum(region * weights)))
    at.button(key="dl_cell_check").click().run()
    assert_healthy(at)
    assert any(s.value.startswith("Right: the sum for output x=1, y=0") for s in at.success)
    assert any("1 of 3 right" in c.value for c in at.caption)


def test_a_bad_question_number_in_a_link_is_ignored_with_a_notice():
    """A link's question number that is not one is named in the notice; no question opens."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in {**SETTINGS, "quiz": "12345678x"}.items():
        at.query_params[key] = value
    at.run()
    assert any("quiz=12345678x" in w.value and "a question's number" in w.value
               for w in at.warning)
    open_page(at, "kernel_bank")
    assert not at.toggle(key="bank_quiz_on").value
    assert "quiz" not in at.query_params
