"""The settings table: what the URL writer produces, the reader gives back exactly; one row adds
a setting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import convkit
from pages.ui import state

SAMPLES = list(convkit.SAMPLES)
BORDERS = ["constant", "replicate", "reflect", "reflect_101", "wrap"]
MAPPINGS = ["clip", "abs", "minmax", "divide", "tutorial"]


def within(limit: float, *, zero: bool = True):
    numbers = st.floats(-limit, limit, allow_nan=False, allow_infinity=False)
    return numbers if zero else numbers.filter(lambda x: x != 0)


shared_values = st.fixed_dictionaries({
    "source": st.sampled_from(SAMPLES + ["upload", "camera_input"]),
    "color": st.booleans(),
    "resolution": st.sampled_from([128, 256, 512, 768, 1024, 1536, 2048]),
    "kernel_name": st.sampled_from(sorted(convkit.BANK)),
    "border": st.sampled_from(BORDERS),
    "value": within(1e6),
    "flip": st.booleans(),
    "mapping": st.sampled_from(MAPPINGS),
    "divisor": within(1e6, zero=False),
    "offset": within(1e6),
    "pixel_x": st.none() | st.integers(0, 99_999),
    "pixel_y": st.none() | st.integers(0, 99_999),
    "quiz_seed": st.none() | st.integers(0, 9_999_999),
    "predict": st.booleans(),
    "challenge": st.none() | st.sampled_from(list(convkit.lessons.CHALLENGES)),
})


def test_the_lists_above_are_the_apps_own():
    """The strategies draw from the app's real choices (so a new mode cannot go untested)."""
    assert sorted(BORDERS) == sorted(convkit.BORDER_MODES)
    assert sorted(MAPPINGS) == sorted(convkit.MAPPINGS)


@settings(max_examples=300, deadline=None)
@given(shared_values)
def test_what_the_writer_puts_in_a_link_reads_back_identically(values):
    """Every value the URL carries parses back to the same value, with nothing ignored."""
    params = state.url_params(values)
    link = state.parse_url(params)
    assert link.ignored == [] and link.kernel is None
    expected = {"color": values["color"], "resolution": values["resolution"],
                "kernel_name": values["kernel_name"], "border": values["border"],
                "flip": values["flip"], "mapping": values["mapping"]}
    # Only what is relevant travels: a sample (not an upload), the constant with its border,
    # divisor and offset with the divide mapping, a pixel once picked, a question once posed.
    if values["source"] in SAMPLES:
        expected["source"] = values["source"]
    if values["border"] == "constant":
        expected["value"] = values["value"]
    if values["mapping"] == "divide":
        expected["divisor"], expected["offset"] = values["divisor"], values["offset"]
    for key in ("pixel_x", "pixel_y", "quiz_seed", "challenge"):
        if values[key] is not None:
            expected[key] = values[key]
    if values["predict"]:
        expected["predict"] = True
    assert link.values == expected


def odd_shapes(largest: int):
    side = st.integers(0, (largest - 1) // 2).map(lambda k: 2 * k + 1)
    return st.tuples(side, side)


#: Weights a typed table accepts: decimals within ±1e12 (subnormals too) and fractions.
weight = (st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
          | st.builds(lambda n, d: n / d, st.integers(-2000, 2000), st.integers(1, 1024))
          | st.sampled_from([1e12, -1e12, 0.0, -0.0, 1 / 3, 1 / 7, 5e-324]))


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.float64, odd_shapes(31), elements=weight))
def test_weights_a_link_carries_read_back_identically(weights):
    """If the link carries an own kernel's weights, the reader gives back the same floats."""
    text = state.weights_link(weights).text
    if weights.size <= 300:
        # 300 cells of at most 24 characters and a separator fit in the 8192 a link holds.
        assert text is not None
    if text is not None:
        link = state.parse_url({"weights": text, "kernel": "mine"})
        assert link.ignored == []
        np.testing.assert_array_equal(link.kernel.weights, weights)
        assert link.values == {"kernel_name": "mine"}


@pytest.mark.parametrize("fill", [1 / 3, 1 / 7, 1e12, -1e12])
def test_fractions_and_extremes_in_every_cell_travel_exactly(fill):
    weights = np.full((15, 15), fill)
    text = state.weights_link(weights).text
    np.testing.assert_array_equal(convkit.parse_weights_text(text), weights)


def test_a_31x31_gaussian_cannot_travel_and_says_why():
    problem = state.weights_link(convkit.gaussian(31, 5.0)).problem
    assert problem and "8,192 characters" in problem
    assert state.weights_link(np.full((3, 3), 2e12)).text is None  # the reader refuses 2e12


# -------------------------------------------------------------------- adding a setting


def _level(text: str) -> int:
    if text in ("1", "2", "3", "4"):
        return int(text)
    raise ValueError("must be 1, 2, 3 or 4")


LEVEL = state.Field("detail_level", "level", int, 2, _level, widget=False)


@pytest.fixture
def with_level(monkeypatch):
    """The table with one more row, and the Settings class built from it (as import does)."""
    fields = (*state.FIELDS, LEVEL)
    monkeypatch.setattr(state, "FIELDS", fields)
    monkeypatch.setattr(state, "Settings", state.settings_class(fields))


def test_one_row_adds_a_setting_with_its_default(with_level):
    assert state.defaults()["detail_level"] == 2
    assert state.Settings().detail_level == 2
    assert "detail_level" not in state.shared_keys()  # no sidebar widget for it


def test_one_row_adds_a_setting_that_round_trips_through_the_url(with_level):
    values = {**state.defaults(), "detail_level": 4}
    params = state.url_params(values)
    assert params["level"] == "4"
    assert state.parse_url(params).values["detail_level"] == 4
    bad = state.parse_url({"level": "9"})
    assert bad.ignored == ["`level=9`: must be 1, 2, 3 or 4"]
