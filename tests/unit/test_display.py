"""Tests for to_uint8 and MAPPINGS against skimage, numpy and cv2.filter2D references."""


import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from skimage.exposure import rescale_intensity

from convkit import BANK, MAPPINGS, convolve, explain_mapping, to_uint8
from convkit.explain import stretch_range

from .references import HYPO, random_image, seeds

MAPPING_NAMES = ("tutorial", "clip", "abs", "minmax", "divide")


def tutorial_mapping(raw):
    """The tutorial's two output lines, verbatim."""
    output = rescale_intensity(raw, in_range=(0, 255))
    return (output * 255).astype("uint8")


def test_mappings_describe_each_mapping():
    """MAPPINGS has exactly the five mappings, each with a one-line description."""
    assert set(MAPPINGS) == set(MAPPING_NAMES)
    for text in MAPPINGS.values():
        assert isinstance(text, str) and text.strip()
        assert "\n" not in text.strip()


def test_unknown_mapping_raises_naming_it():
    """An unknown mapping raises ValueError naming the parameter, the value and the choices."""
    with pytest.raises(ValueError, match=r"mapping must be one of .*'divide'.*got 'sepia'"):
        to_uint8(np.zeros((2, 2), np.float32), "sepia")
    with pytest.raises(ValueError, match=r"mapping must be one of .*got 'sepia'"):
        explain_mapping(1.0, "sepia")


@pytest.mark.parametrize("method", MAPPING_NAMES)
def test_output_is_uint8_same_shape_and_input_untouched(method):
    """Every mapping returns uint8 of the input shape (gray or colour), leaving the input alone."""
    for shape in ((5, 7), (5, 7, 3)):
        raw = np.random.default_rng(0).uniform(-400, 600, shape).astype(np.float32)
        before = raw.copy()
        out = to_uint8(raw, method)
        assert out.dtype == np.uint8 and out.shape == shape
        np.testing.assert_array_equal(raw, before)


# ------------------------------------------------------------------- tutorial


def test_tutorial_hand_table():
    """'tutorial' clips to 0..255 then truncates: 127.9 -> 127, 128.5 -> 128."""
    raw = np.array([[-5, 0, 127.9, 128.5, 254.99, 255, 300]], dtype=np.float32)
    assert to_uint8(raw, "tutorial").tolist() == [[0, 0, 127, 128, 254, 255, 255]]


@given(
    seed=seeds,
    h=st.integers(1, 20),
    w=st.integers(1, 20),
    scale=st.sampled_from([1.0, 255.0, 2000.0]),
)
@HYPO
def test_tutorial_equals_skimage_rescale(seed, h, w, scale):
    """'tutorial' equals rescale_intensity(in_range=(0, 255)), *255, astype(uint8) exactly."""
    rng = np.random.default_rng(seed)
    raw = (rng.uniform(-0.5, 1.5, (h, w)) * scale).astype(np.float32)
    # Also hit exact integers, where truncation is most fragile.
    chosen = rng.random((h, w)) < 0.3
    raw[chosen] = rng.integers(0, 256, size=int(chosen.sum()))
    np.testing.assert_array_equal(to_uint8(raw, "tutorial"), tutorial_mapping(raw))


# ----------------------------------------------------------------------- clip


def test_clip_hand_table_rounds_half_to_even():
    """'clip' clips to 0..255 and rounds half to even."""
    raw = np.array([[-3, 0.5, 1.5, 2.5, 3.4, 3.6, 254.5, 255.4, 300]], dtype=np.float32)
    assert to_uint8(raw, "clip").tolist() == [[0, 0, 2, 2, 3, 4, 254, 255, 255]]


@given(seed=seeds)
@HYPO
def test_clip_equals_numpy_rint_clip(seed):
    """'clip' equals numpy.clip(numpy.rint(x), 0, 255)."""
    raw = np.random.default_rng(seed).uniform(-300, 600, (9, 11)).astype(np.float32)
    np.testing.assert_array_equal(
        to_uint8(raw, "clip"), np.clip(np.rint(raw), 0, 255).astype(np.uint8)
    )


@pytest.mark.parametrize(
    "name", ["sharpen", "laplacian", "sobel_x", "sobel_y", "outline", "emboss", "identity"]
)
def test_clip_integer_kernels_match_filter2d_exactly(name):
    """Integer kernels: clip(convolve(reflect_101)) equals cv2.filter2D(gray, -1, k) exactly."""
    weights = BANK[name].weights
    assert np.array_equal(weights, np.round(weights)), "test expects an integer kernel"
    gray = random_image(np.random.default_rng(1), (31, 40), np.uint8)
    expected = cv2.filter2D(gray, -1, weights)
    got = to_uint8(convolve(gray, weights, "reflect_101"), "clip")
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(
    "name",
    [
        "small_blur",
        "large_blur",
        "gaussian_5",
        "gaussian_15",
        "log_9",
        "unsharp_mask",
        "motion_blur",
    ],
)
def test_clip_fractional_kernels_match_filter2d_within_one(name):
    """Fractional kernels: the clip mapping agrees with cv2.filter2D within 1, mostly exactly."""
    weights = BANK[name].weights
    gray = random_image(np.random.default_rng(2), (31, 40), np.uint8)
    expected = cv2.filter2D(gray, -1, weights).astype(int)
    got = to_uint8(convolve(gray, weights, "reflect_101"), "clip").astype(int)
    assert np.abs(got - expected).max() <= 1
    assert np.mean(got == expected) > 0.95


# ------------------------------------------------------------------------ abs


def test_abs_hand_table():
    """'abs' takes the absolute value, rounds and clips: -300 -> 255, -2.6 -> 3, -1.4 -> 1."""
    raw = np.array([[-300, -2.6, -1.4, 0, 3.6, 254.2, 400]], dtype=np.float32)
    assert to_uint8(raw, "abs").tolist() == [[255, 3, 1, 0, 4, 254, 255]]


@given(seed=seeds)
@HYPO
def test_abs_equals_numpy_reference(seed):
    """'abs' equals clip(rint(|x|)) up to the tie-breaking of exact halves."""
    raw = np.random.default_rng(seed).uniform(-400, 400, (9, 11)).astype(np.float32)
    expected = np.clip(np.rint(np.abs(raw)), 0, 255).astype(int)
    got = to_uint8(raw, "abs").astype(int)
    assert np.abs(got - expected).max() <= 1
    ties = np.abs(np.abs(raw) - np.floor(np.abs(raw)) - 0.5) < 1e-6
    np.testing.assert_array_equal(got[~ties], expected[~ties])


def test_abs_makes_opposite_edges_equally_bright():
    """Negative and positive responses of equal size map to the same grey under 'abs'."""
    raw = np.array([[-120.0, 120.0]], dtype=np.float32)
    out = to_uint8(raw, "abs")
    assert out[0, 0] == out[0, 1] == 120


# --------------------------------------------------------------------- minmax


def test_minmax_hand_table():
    """'minmax' stretches min..max to 0..255."""
    out = to_uint8(np.array([[10.0, 20.0, 30.0, -10.0]], dtype=np.float32), "minmax")
    assert out[0, 3] == 0 and out[0, 2] == 255
    # (10 + 10) * 255 / 40 = 127.5 rounds to even, 128; (20 + 10) * 255 / 40 = 191.25 -> 191.
    assert out[0, 0] == 128
    assert out[0, 1] == 191


@pytest.mark.parametrize("flat", [0.0, -7.0, 300.0])
def test_minmax_flat_input_gives_zeros(flat):
    """A flat input has no range to stretch and maps to zeros (no division by zero)."""
    with np.errstate(all="raise"):
        out = to_uint8(np.full((4, 5), flat, dtype=np.float32), "minmax")
    np.testing.assert_array_equal(out, np.zeros((4, 5), np.uint8))


@given(seed=seeds, lo=st.floats(-1000, 1000), span=st.floats(1e-3, 5000))
@HYPO
def test_minmax_equals_linear_stretch(seed, lo, span):
    """'minmax' is (x - min) / (max - min) * 255 within one level; min -> 0, max -> 255."""
    raw = (lo + span * np.random.default_rng(seed).random((7, 9))).astype(np.float32)
    raw.flat[0], raw.flat[1] = np.float32(lo), np.float32(lo + span)
    r64 = raw.astype(np.float64)
    expected = (r64 - r64.min()) / (r64.max() - r64.min()) * 255
    got = to_uint8(raw, "minmax").astype(float)
    assert np.abs(got - expected).max() <= 1.0
    assert got.flat[np.argmin(raw)] == 0 and got.flat[np.argmax(raw)] == 255


# --------------------------------------------------------------------- divide


def test_divide_hand_table():
    """'divide' is sum / divisor + offset, rounded half to even and clipped, worked by hand.

    -40 / 4 + 128 = 118; 0 -> 128; 1 / 4 + 128 = 128.25 -> 128; 2 / 4 + 128 = 128.5 -> 128
    (even); 6 / 4 + 128 = 129.5 -> 130 (even); -600 / 4 + 128 = -22 -> 0; 600 / 4 + 128 = 278
    -> 255.
    """
    raw = np.array([[-40, 0, 1, 2, 6, -600, 600]], dtype=np.float32)
    got = to_uint8(raw, "divide", divisor=4, offset=128)
    assert got.tolist() == [[118, 128, 128, 128, 130, 0, 255]]


def test_divide_box_sum_by_nine_is_the_mean():
    """A box sum divided by 9 is the mean: 900 / 9 = 100, 257 / 9 = 28.6 rounds to 29."""
    raw = np.array([900.0, 257.0])
    assert to_uint8(raw, "divide", divisor=9).tolist() == [100, 29]


def test_divide_negative_divisor_inverts():
    """A divisor of -1 with offset 255 inverts: 0 -> 255, 55 -> 200, 255 -> 0."""
    raw = np.array([0.0, 55.0, 255.0])
    assert to_uint8(raw, "divide", divisor=-1, offset=255).tolist() == [255, 200, 0]


def test_divide_defaults_equal_clip():
    """With divisor 1 and offset 0 'divide' is exactly 'clip'."""
    raw = np.random.default_rng(3).uniform(-300, 600, (9, 11)).astype(np.float32)
    np.testing.assert_array_equal(to_uint8(raw, "divide"), to_uint8(raw, "clip"))


def test_divide_zero_sum_edge_kernel_is_grey_on_flat_areas():
    """Sobel x on a flat image sums to 0: offset 128 shows it as grey 128, not black."""
    flat = np.full((6, 7), 90, np.uint8)
    raw = convolve(flat, BANK["sobel_x"].weights, "replicate")
    out = to_uint8(raw, "divide", divisor=1, offset=128)
    np.testing.assert_array_equal(out, np.full((6, 7), 128, np.uint8))


def test_divide_matches_filter2d_with_delta():
    """'divide' equals cv2.filter2D with the kernel / divisor and delta = offset (uint8 out)."""
    gray = random_image(np.random.default_rng(4), (20, 24), np.uint8)
    weights = BANK["sobel_x"].weights
    expected = cv2.filter2D(gray, -1, weights / 2.0, delta=128)
    got = to_uint8(convolve(gray, weights, "reflect_101"), "divide", divisor=2, offset=128)
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("divisor, offset, message", [
    (0, 0, r"divisor must not be 0; got 0"),
    (float("nan"), 0, r"divisor must be a finite number within ±1e\+06; got nan"),
    (1, float("inf"), r"offset must be a finite number within ±1e\+06; got inf"),
    (1, 2e6, r"offset must be a finite number within ±1e\+06; got 2000000.0"),
    ("9", 0, r"divisor must be a number; got '9'"),
])
def test_divide_refuses_bad_divisor_or_offset(divisor, offset, message):
    """A zero, non-finite, huge or non-numeric divisor or offset is refused, by name."""
    with pytest.raises(ValueError, match=message):
        to_uint8(np.zeros(3), "divide", divisor=divisor, offset=offset)


# ------------------------------------------------------------ explain_mapping


def test_explain_divide_shows_both_steps_by_hand():
    """The divide steps for sum -40, divisor 4, offset 128: -10, then 118, then the byte 118."""
    steps = explain_mapping(-40.0, "divide", divisor=4, offset=128)
    assert [s.label for s in steps] == ["sum", "divide", "add offset", "clip", "round"]
    assert [s.value for s in steps] == [-40.0, -10.0, 118.0, 118.0, 118.0]
    assert steps[1].formula == "−40 / 4" and steps[2].formula == "−10 + 128"  # U+2212


def test_explain_divide_clips_before_rounding():
    """Sum 300, divisor 1, offset 128: 428 clips to 255."""
    steps = explain_mapping(300.0, "divide", divisor=1, offset=128)
    assert [s.value for s in steps] == [300.0, 300.0, 428.0, 255.0, 255.0]


@given(seed=seeds, mapping=st.sampled_from(MAPPING_NAMES))
@HYPO
def test_explain_mapping_ends_on_the_byte_to_uint8_gives(seed, mapping):
    """For every mapping the last step's value is the byte to_uint8 gives that pixel."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(-400, 600, (5, 6)).astype(np.float32)
    divisor, offset = float(rng.choice([1, 2, 9, -3])), float(rng.choice([0, 64, 128]))
    out = to_uint8(raw, mapping, divisor=divisor, offset=offset)
    y, x = int(rng.integers(5)), int(rng.integers(6))
    steps = explain_mapping(float(raw[y, x]), mapping, float(raw.min()), float(raw.max()),
                            divisor=divisor, offset=offset)
    assert steps[0].value == float(raw[y, x])
    assert steps[-1].value == out[y, x]


@pytest.mark.parametrize("raw", [
    np.array([[-40.0, 3.0], [7.5, 120.0]]),
    np.array([[2.0, np.inf], [np.nan, 5.0], [-np.inf, 4.0]]),   # NaN counts as 0
    np.array([[[10.0, -5.0, 1.0], [3.0, 2.0, 300.0]]]),            # colour: one range for all
])
def test_stretch_range_is_the_range_minmax_stretches(raw):
    """explain_mapping with stretch_range's range gives each cell the byte to_uint8 gives."""
    finite = np.nan_to_num(raw, nan=0.0, posinf=np.inf, neginf=-np.inf)
    finite = finite[np.isfinite(finite)]
    low, high = stretch_range(raw)
    assert (low, high) == (finite.min(), finite.max())
    bytes_ = to_uint8(raw, "minmax")
    for index in np.ndindex(raw.shape):
        if np.isfinite(raw[index]):
            steps = explain_mapping(raw[index], "minmax", low, high)
            assert steps[-1].value == bytes_[index], index


def test_stretch_range_of_nothing_finite_is_zero():
    assert stretch_range(np.array([np.inf, -np.inf])) == (0.0, 0.0)
