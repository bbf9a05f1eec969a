"""Tests for lessons.layers and .geometry against scipy.signal.correlate2d, np.pad and NumPy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import ndimage, signal

import convkit
from convkit import lessons

from .references import BORDER_NAMES, BORDERS

RNG = np.random.default_rng(11)


def tf_padding(n: int, k: int, stride: int, dilation: int, output: str) -> tuple[int, int]:
    """Padding before/after as TensorFlow documents it ('same': out = ceil(n / stride))."""
    span = dilation * (k - 1) + 1
    if output == "valid":
        return 0, 0
    if output == "full":
        return span - 1, span - 1
    total = max((math.ceil(n / stride) - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


def dilate(weights: np.ndarray, dilation: int) -> np.ndarray:
    """The kernel with dilation - 1 zeros between its taps."""
    kh, kw = weights.shape
    big = np.zeros(((kh - 1) * dilation + 1, (kw - 1) * dilation + 1))
    big[::dilation, ::dilation] = weights
    return big


def reference(image, weights, stride=1, dilation=1, output="valid", border="constant",
              value=0.0):
    """np.pad by TensorFlow's rule, scipy's correlate2d on the dilated kernel, then subsample."""
    pads = [tf_padding(image.shape[0], weights.shape[0], stride, dilation, output),
            tf_padding(image.shape[1], weights.shape[1], stride, dilation, output)]
    extra = {"constant_values": value} if border == "constant" else {}
    padded = np.pad(image.astype(float), pads, mode=BORDER_NAMES[border].numpy, **extra)
    full = signal.correlate2d(padded, dilate(np.asarray(weights, float), dilation), "valid")
    return full[::stride, ::stride]


# ----------------------------------------------------------------------------- sizes


@pytest.mark.parametrize("output", ["valid", "same", "full"])
def test_stride_one_matches_correlate2d_directly(output):
    """With no stride or dilation the three output sizes are scipy's own modes."""
    image = RNG.integers(0, 256, (9, 11)).astype(float)
    weights = RNG.normal(size=(3, 5))
    ours = lessons.conv2d(image, weights, output=output)
    np.testing.assert_allclose(ours, signal.correlate2d(image, weights, output), atol=1e-9)


@pytest.mark.parametrize("boundary", ["symm", "wrap"])
def test_border_modes_match_correlate2d_boundaries(boundary):
    image = RNG.uniform(0, 255, (8, 7))
    weights = RNG.normal(size=(3, 3))
    border = {"symm": "reflect", "wrap": "wrap"}[boundary]
    ours = lessons.conv2d(image, weights, output="same", border=border)
    np.testing.assert_allclose(ours, signal.correlate2d(image, weights, "same", boundary),
                               atol=1e-9)


@pytest.mark.parametrize(("n", "k", "stride", "dilation", "output"), [
    (7, 3, 1, 1, "valid"), (7, 3, 2, 1, "same"), (8, 3, 3, 2, "same"), (9, 2, 2, 3, "full"),
    (16, 7, 4, 2, "valid"), (5, 4, 1, 1, "same"), (10, 5, 3, 1, "full"), (6, 3, 2, 2, "valid"),
    (4, 5, 1, 1, "valid"),
])
@pytest.mark.parametrize("border", BORDERS)
def test_output_sizes_and_every_sum_match_the_reference(n, k, stride, dilation, output, border):
    """Output size and every value, for stride, dilation, each output size and border."""
    image = RNG.uniform(0, 255, (n, n + 1))
    weights = RNG.normal(size=(k, k))
    geometry = lessons.layer_geometry(image.shape, weights.shape, stride, dilation, output)
    if geometry.output_shape[0] == 0:
        assert k * dilation > n  # only when the window cannot fit at all
        return
    expected = reference(image, weights, stride, dilation, output, border, value=0.0)
    assert geometry.output_shape == expected.shape
    np.testing.assert_allclose(lessons.conv2d(image, weights, stride, dilation, output, border),
                               expected, atol=1e-9)
    if output == "same":
        assert geometry.output_shape == (math.ceil(n / stride), math.ceil((n + 1) / stride))


def test_constant_value_and_bias():
    image = RNG.uniform(0, 9, (5, 5))
    weights = RNG.normal(size=(3, 3))
    ours = lessons.conv2d(image, weights, output="same", border="constant", value=7.0, bias=-2.5)
    expected = ndimage.correlate(image, weights, mode="constant", cval=7.0) - 2.5
    np.testing.assert_allclose(ours, expected, atol=1e-9)


# ------------------------------------------------------------------------- the stepper


@pytest.mark.parametrize(("stride", "dilation", "output", "border"), [
    (1, 1, "valid", "constant"), (2, 1, "same", "constant"), (1, 2, "full", "replicate"),
    (3, 2, "same", "reflect_101"), (2, 1, "full", "wrap"),
])
def test_every_window_step_shows_the_reference_sum(stride, dilation, output, border):
    """Each step's region is the padded input under the taps; its sum is the reference cell."""
    image = RNG.integers(0, 256, (7, 6)).astype(float)
    weights = RNG.integers(-3, 4, (3, 3)).astype(float)
    expected = reference(image, weights, stride, dilation, output, border)
    pads = [tf_padding(7, 3, stride, dilation, output), tf_padding(6, 3, stride, dilation,
                                                                   output)]
    padded = np.pad(image, pads, mode=BORDER_NAMES[border].numpy)
    big = dilate(weights, dilation)
    for step in range(expected.size):
        s = lessons.window_step(image, weights, step, stride, dilation, output, border)
        r, c = divmod(step, expected.shape[1])
        assert (s.out_row, s.out_col) == (r, c)
        top, left = r * stride, c * stride
        under = padded[top : top + big.shape[0] : dilation, left : left + big.shape[1] : dilation]
        np.testing.assert_array_equal(s.region[0], under)
        np.testing.assert_array_equal(s.products[0], under * weights)
        assert s.total == pytest.approx(expected[r, c], abs=1e-9)
        # Padded cells are exactly the taps outside the image.
        outside = ((s.rows < 0) | (s.rows >= 7))[:, None] | ((s.cols < 0) | (s.cols >= 6))[None]
        np.testing.assert_array_equal(s.padded[0], outside)


@pytest.mark.parametrize(("stride", "dilation", "output"), [(1, 1, "valid"), (2, 2, "same"),
                                                         (3, 1, "full")])
def test_window_mask_marks_the_taps_on_the_padded_grid(stride, dilation, output):
    """Step by step, the cells read are the strided, dilated window on np.pad's grid."""
    image = RNG.uniform(0, 9, (7, 8))
    geometry = lessons.layer_geometry(image.shape, (3, 2), stride, dilation, output)
    pads = [tf_padding(7, 3, stride, dilation, output), tf_padding(8, 2, stride, dilation,
                                                                   output)]
    padded = np.pad(image, pads)
    out_w = geometry.output_shape[1]
    for step in range(geometry.steps):
        r, c = divmod(step, out_w)
        expected = np.zeros(padded.shape, dtype=bool)
        expected[r * stride : r * stride + 2 * dilation + 1 : dilation,
                 c * stride : c * stride + dilation + 1 : dilation] = True
        np.testing.assert_array_equal(lessons.window_mask(geometry, step), expected)


def test_filled_so_far_reveals_cells_in_reading_order():
    values = np.arange(6.0).reshape(2, 3)
    shown = lessons.filled_so_far(values, 3)
    np.testing.assert_array_equal(shown[0], [0, 1, 2])
    assert shown[1, 0] == 3 and np.isnan(shown[1, 1:]).all()


def test_step_and_cell_are_inverse():
    geometry = lessons.layer_geometry((5, 7), (3, 3), stride=2, output="same")
    assert geometry.output_shape == (3, 4)
    cells = [geometry.cell(step) for step in range(geometry.steps)]
    assert cells == [(r, c) for r in range(3) for c in range(4)]  # row by row
    assert [geometry.step_at(r, c) for r, c in cells] == list(range(geometry.steps))
    with pytest.raises(ValueError, match="inside the 3 x 4 output"):
        geometry.step_at(3, 0)


def test_step_out_of_range_is_refused():
    with pytest.raises(ValueError, match="step must be in 0..3"):
        lessons.window_step(np.ones((3, 3)), np.ones((2, 2)), 4)


# --------------------------------------------------------------------------- channels


def test_multichannel_is_the_sum_of_per_channel_correlations():
    image = RNG.uniform(0, 255, (8, 9, 3))
    weights = RNG.normal(size=(3, 3, 3))
    expected = sum(signal.correlate2d(image[..., ch], weights[ch], "same") for ch in range(3))
    np.testing.assert_allclose(lessons.conv2d(image, weights, output="same"), expected,
                               atol=1e-9)
    step = lessons.window_step(image, weights, 20, output="same")
    per_channel = [signal.correlate2d(image[..., ch], weights[ch], "same")[2, 2]
                   for ch in range(3)]
    assert (step.out_row, step.out_col) == (2, 2)
    np.testing.assert_allclose(step.channel_sums, per_channel, atol=1e-9)
    assert step.total == pytest.approx(sum(per_channel))


def test_a_layer_of_filters_gives_one_map_per_filter():
    image = RNG.uniform(0, 255, (6, 6, 3))
    names, filters = lessons.rgb_filters()
    biases = RNG.normal(size=len(names))
    maps = lessons.conv_layer(image, filters, biases, stride=2, output="same")
    assert maps.shape == (len(names), 3, 3)
    for f in range(len(names)):
        expected = reference(image[..., 0], filters[f, 0], 2, 1, "same") + sum(
            reference(image[..., ch], filters[f, ch], 2, 1, "same") for ch in (1, 2))
        np.testing.assert_allclose(maps[f], expected + biases[f], atol=1e-9)


def test_the_filter_bank_cannot_be_changed_from_outside():
    _, filters = lessons.rgb_filters()
    filters[:] = 0
    assert np.abs(lessons.rgb_filters()[1]).sum() > 0


def test_channel_mismatch_is_refused():
    with pytest.raises(ValueError, match="1 channel slice.*3 channel"):
        lessons.conv2d(np.zeros((4, 4, 3)), np.ones((3, 3)))


# ---------------------------------------------------------------- which outputs it feeds


@pytest.mark.parametrize(("stride", "dilation", "output", "border"), [
    (1, 1, "valid", "constant"), (2, 1, "same", "constant"), (1, 2, "full", "constant"),
    (1, 1, "same", "replicate"), (2, 1, "same", "reflect"), (1, 1, "full", "wrap"),
])
def test_reach_is_the_gradient_of_the_outputs(stride, dilation, output, border):
    """The weight an input cell meets in each output is d output / d input (a unit poke)."""
    image = RNG.uniform(0, 255, (6, 5))
    weights = RNG.integers(-4, 5, (3, 3)).astype(float)
    geometry = lessons.layer_geometry(image.shape, weights.shape, stride, dilation, output)
    base = reference(image, weights, stride, dilation, output, border)
    for row in range(6):
        for col in range(5):
            poked = image.copy()
            poked[row, col] += 1.0
            gradient = reference(poked, weights, stride, dilation, output, border) - base
            reach = lessons.input_reach(geometry, weights, row, col, border)
            np.testing.assert_allclose(reach.weight, gradient, atol=1e-7)
            # Covered cells are those whose window reads the cell (even if the weights there
            # happen to cancel); each listed tap's weight adds up to the weight met.
            for (a, b), taps in reach.taps.items():
                assert reach.covered[a, b]
                assert sum(weights[i, j] for i, j in taps) == pytest.approx(reach.weight[a, b])
            assert reach.covered.sum() == len(reach.taps)


def test_reach_of_the_centre_cell_in_a_valid_layer_by_hand():
    """5 x 5 input, 3 x 3 kernel: the centre is under every one of the 9 windows."""
    weights = np.arange(1.0, 10.0).reshape(3, 3)
    reach = lessons.input_reach(lessons.layer_geometry((5, 5), (3, 3)), weights, 2, 2)
    assert reach.covered.all()
    # Output (0, 0)'s window has the centre at its bottom-right tap, weight 9.
    np.testing.assert_array_equal(reach.weight, weights[::-1, ::-1])


def test_bad_reach_cell_is_refused():
    geometry = lessons.layer_geometry((4, 4), (3, 3))
    with pytest.raises(ValueError, match="row must be a whole number in 0..3"):
        lessons.input_reach(geometry, np.ones((3, 3)), 4, 0)


# -------------------------------------------------------------------- ReLU and pooling


def test_relu():
    np.testing.assert_array_equal(lessons.relu([[-1.5, 0.0], [2.0, -0.0]]), [[0, 0], [2, 0]])


@pytest.mark.parametrize("kind", lessons.POOLS)
@pytest.mark.parametrize(("shape", "size", "stride"), [((6, 6), 2, None), ((7, 5), 2, None),
                                                       ((7, 7), 3, None), ((6, 7), 3, 2)])
def test_pooling_matches_numpy(kind, shape, size, stride):
    values = RNG.normal(size=shape)
    step = stride or size
    windows = np.lib.stride_tricks.sliding_window_view(values, (size, size))[::step, ::step]
    expected = windows.max(axis=(2, 3)) if kind == "max" else windows.mean(axis=(2, 3))
    pooled = lessons.pool2d(values, size, kind, stride)
    np.testing.assert_allclose(pooled, expected, atol=1e-12)
    assert pooled.shape == tuple(lessons.pool_length(n, size, stride) for n in shape)
    cell = lessons.pool_cell(values, pooled.shape[0] - 1, 0, size, kind, stride)
    np.testing.assert_array_equal(cell.values, windows[-1, 0])
    assert cell.result == pytest.approx(expected[-1, 0])


def test_max_pooling_by_reshape():
    """Non-overlapping 2 x 2 max pooling is a reshape and a max."""
    values = RNG.normal(size=(8, 6))
    np.testing.assert_array_equal(lessons.pool2d(values, 2, "max"),
                                  values.reshape(4, 2, 3, 2).max(axis=(1, 3)))


def test_bad_pooling_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        lessons.pool2d(np.ones((4, 4)), 2, "median")
    with pytest.raises(ValueError, match="inside the 2 x 2 pooled map"):
        lessons.pool_cell(np.ones((4, 4)), 2, 0)


@pytest.mark.parametrize(("bias", "use_relu", "pool", "size"), [
    (0.0, True, "max", 2), (3.0, False, "average", 2), (-1.0, True, "average", 3),
    (0.5, True, None, 2),
])
def test_layer_stages_against_numpy(bias, use_relu, pool, size):
    conv = RNG.normal(size=(7, 6))
    biased = conv + bias
    activated = np.maximum(biased, 0) if use_relu else biased
    for row, col in ((0, 0), (3, 5), (6, 2)):
        stages = lessons.layer_stages(conv, row, col, bias, use_relu, pool, size)
        np.testing.assert_array_equal(stages.biased, biased)
        np.testing.assert_array_equal(stages.activated, activated)
        if pool is None:
            assert stages.pooled is None and stages.pool is None
            continue
        h, w = 7 // size, 6 // size
        blocks = activated[: h * size, : w * size].reshape(h, size, w, size)
        expected = blocks.max(axis=(1, 3)) if pool == "max" else blocks.mean(axis=(1, 3))
        np.testing.assert_allclose(stages.pooled, expected, atol=1e-12)
        if row // size < h and col // size < w:
            assert stages.pool.result == pytest.approx(expected[row // size, col // size])
            assert stages.pool_window[row, col] and stages.pool_window.sum() == size * size
        else:  # the leftover row that pooling drops
            assert stages.pool is None and not stages.pool_window.any()


def test_layer_stages_refuses_a_cell_outside_the_map():
    with pytest.raises(ValueError, match="col must be a whole number in 0..2"):
        lessons.layer_stages(np.zeros((3, 3)), 0, 3)


# -------------------------------------------------------------------- numbers and grids


def test_parse_grid_and_its_errors():
    np.testing.assert_array_equal(lessons.parse_grid(" 1, 2\n\n -3.5 4 \n"), [[1, 2], [-3.5, 4]])
    for text, match in (("", "empty"), ("1 2\n3", "row y=1 has 1 numbers"),
                        ("1 x", "the cell at x=1, y=0"), ("1 nan", "x=1, y=0"),
                        ("\n".join(["1"] * 17), "at most 16 x 16")):
        with pytest.raises(ValueError, match=match):
            lessons.parse_grid(text)


def test_centre_crop():
    image = np.arange(100).reshape(10, 10)
    np.testing.assert_array_equal(lessons.centre_crop(image, 2), [[44, 45], [54, 55]])
    assert lessons.centre_crop(image, 20).shape == (10, 10)
    colour = RNG.integers(0, 256, (6, 6, 3)).astype(np.uint8)
    assert lessons.centre_crop(colour, 4, channels=True).shape == (4, 4, 3)
    np.testing.assert_array_equal(lessons.centre_crop(colour, 4),
                                  convkit.to_gray(colour)[1:5, 1:5])
