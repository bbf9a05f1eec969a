"""Own kernels a link cannot carry (31 x 31 long decimals) and ones it can (1/3, 1/7, ±1e12).

Every page is opened with each kernel: none may crash, each shows its own title, and the
sidebar either says the link cannot carry the kernel (and offers it as a CSV that reads back
to the very weights put in) or the address bar carries the weights exactly.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from apptest_helpers import APP, assert_healthy
from streamlit.testing.v1 import AppTest

import convkit
from pages import ui

#: Each page of app.py and the title it shows.
TITLES = {
    "home": "convkit: see what a convolution kernel does",
    "kernel_bank": "Kernel bank",
    "pixel_inspector": "Pixel inspector",
    "kernel_lab": "Kernel lab",
    "challenges": "Challenges",
    "padding_modes": "Padding: what lies beyond the edge",
    "deep_learning": "Convolutions in deep learning",
    "deconvolution": "Deconvolution: undoing a blur",
    "template_matching": "Template matching",
}
NOTICE = "The link cannot carry this kernel"
SIDE = 31
#: +1e12 and -1e12 in a checkerboard, the extreme weights a typed table accepts. Written
#: ``1e12`` (not ``1000000000000``), its 31 x 31 text is 5.3 kB, so a link carries it.
EXTREMES = np.where(np.add.outer(np.arange(SIDE), np.arange(SIDE)) % 2 == 0, 1e12, -1e12)
#: The same, typed by hand as a link would carry it (5 or 6 characters a cell).
EXTREMES_TEXT = ";".join(",".join("1e12" if (r + c) % 2 == 0 else "-1e12" for c in range(SIDE))
                         for r in range(SIDE))


def session(params: dict[str, str] | None = None) -> AppTest:
    """A fresh session at a small working resolution, opened through a link with `params`."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["res"] = "128"
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert_healthy(at)
    return at


def saved(name: str, weights: np.ndarray) -> AppTest:
    """A session in which `weights` were saved under `name`, then picked in the sidebar."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["res"] = "128"
    at.session_state["user_kernels"] = {name: convkit.Kernel(name, weights.copy(), "saved")}
    at.run()
    at.sidebar.selectbox(key="kernel_name").set_value(name).run()
    assert_healthy(at)
    return at


def gaussian_saved_in_the_lab() -> AppTest:
    """The issue's path: the lab's Gaussian generator at 31 x 31, sigma 5, saved and picked."""
    at = session()
    at.switch_page("pages/kernel_lab.py").run()
    at.slider(key="lab_gauss_size").set_value(SIDE).run()
    at.slider(key="lab_gauss_sigma").set_value(5.0).run()
    at.button(key="lab_load_gaussian").click().run()
    at.text_input(key="lab_name").input("gauss31").run()
    at.button(key="lab_save").click().run()
    at.sidebar.selectbox(key="kernel_name").set_value("gauss31").run()
    assert_healthy(at)
    return at


def param(at: AppTest, key: str) -> str | None:
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def download_bytes(at: AppTest, media: dict[str, bytes]) -> bytes:
    (button,) = [b for b in at.get("download_button")
                 if b.proto.id.endswith("sidebar_kernel_csv")]
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    return media[file_id]


def sweep(at: AppTest, check) -> None:
    """Open every page in this session; each must render its title, then pass `check`."""
    for page, title in TITLES.items():
        at.switch_page(f"pages/{page}.py").run()
        assert_healthy(at)
        assert [t.value for t in at.title] == [title], page
        check(at, page)


def too_big(weights: np.ndarray, media: dict[str, bytes]):
    """The check for a kernel a link cannot carry."""
    def check(at: AppTest, page: str) -> None:
        notices = [w.value for w in at.sidebar.warning if NOTICE in w.value]
        assert len(notices) == 1, (page, [w.value for w in at.sidebar.warning])
        data = download_bytes(at, media)
        np.testing.assert_array_equal(convkit.read_kernel_file(data, "kernel.csv"), weights)
        # The link names no kernel a fresh browser could not resolve, and carries no weights.
        assert param(at, "weights") is None and param(at, "kernel") is None, page
        assert param(at, "res") == "128"  # the rest of the view still travels
    return check


def carried(weights: np.ndarray):
    """The check for a kernel the link carries: its weights read back exactly."""
    def check(at: AppTest, page: str) -> None:
        assert not [w for w in at.sidebar.warning if NOTICE in w.value], page
        assert not [b for b in at.get("download_button")
                    if b.proto.id.endswith("sidebar_kernel_csv")], page
        np.testing.assert_array_equal(convkit.parse_weights_text(param(at, "weights")), weights)
    return check


@pytest.mark.slow
def test_a_31x31_gaussian_from_the_lab_works_on_every_page_and_is_offered_as_a_file(media):
    at = gaussian_saved_in_the_lab()
    expected = np.exp(-(np.arange(SIDE) - 15) ** 2 / (2 * 5.0 ** 2))
    expected = np.outer(expected, expected) / np.outer(expected, expected).sum()
    kernel = at.session_state["user_kernels"]["gauss31"].weights
    np.testing.assert_allclose(kernel, expected, rtol=1e-12)
    sweep(at, too_big(kernel, media))


@pytest.mark.slow
def test_a_saved_kernel_of_plus_minus_1e12_travels_exactly_on_every_page():
    sweep(saved("extremes", EXTREMES), carried(EXTREMES))


@pytest.mark.slow
def test_a_linked_kernel_of_plus_minus_1e12_travels_exactly_on_every_page():
    at = session({"weights": EXTREMES_TEXT, "kernel": "extremes"})
    np.testing.assert_array_equal(at.session_state["user_kernels"]["extremes"].weights,
                                  EXTREMES)
    sweep(at, carried(EXTREMES))


@pytest.mark.slow
def test_a_linked_31x31_kernel_of_thirds_travels_exactly_on_every_page():
    text = ";".join([",".join(["1/3"] * SIDE)] * SIDE)
    sweep(session({"weights": text}), carried(np.full((SIDE, SIDE), 1 / 3)))


@pytest.mark.slow
def test_a_saved_31x31_kernel_of_sevenths_travels_exactly_on_every_page():
    sevenths = np.full((SIDE, SIDE), 1 / 7)
    sweep(saved("sevenths", sevenths), carried(sevenths))


def test_a_failing_sidebar_shows_the_crash_message_and_the_page_still_runs(monkeypatch):
    """The sidebar runs inside the crash guard: no traceback, and the page below it renders."""
    def broken(current):
        raise RuntimeError("the URL writer broke")

    # pages.ui re-exports the function `sidebar` under its module's name: fetch the module.
    monkeypatch.setattr(importlib.import_module("pages.ui.sidebar"), "write_url", broken)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["res"] = "128"
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [ui.CRASH_MESSAGE]
    assert [t.value for t in at.title] == [TITLES["home"]]
