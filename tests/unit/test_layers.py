"""Tests for convkit.layers against scipy.signal.correlate2d, np.pad and direct NumPy."""

from __future__ import annotations

import doctest
import math
import time

import numpy as np
import pytest
from scipy import ndimage, signal

import convkit
from convkit import layers

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
    ours = layers.conv2d(image, weights, output=output)
    np.testing.assert_allclose(ours, signal.correlate2d(image, weights, output), atol=1e-9)


@pytest.mark.parametrize("boundary", ["symm", "wrap"])
def test_border_modes_match_correlate2d_boundaries(boundary):
    image = RNG.uniform(0, 255, (8, 7))
    weights = RNG.normal(size=(3, 3))
    border = {"symm": "reflect", "wrap": "wrap"}[boundary]
    ours = layers.conv2d(image, weights, output="same", border=border)
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
    geometry = layers.layer_geometry(image.shape, weights.shape, stride, dilation, output)
    if geometry.output_shape[0] == 0:
        assert k * dilation > n  # only when the window cannot fit at all
        return
    expected = reference(image, weights, stride, dilation, output, border, value=0.0)
    assert geometry.output_shape == expected.shape
    np.testing.assert_allclose(layers.conv2d(image, weights, stride, dilation, output, border),
                               expected, atol=1e-9)
    if output == "same":
        assert geometry.output_shape == (math.ceil(n / stride), math.ceil((n + 1) / stride))


def test_constant_value_and_bias():
    image = RNG.uniform(0, 9, (5, 5))
    weights = RNG.normal(size=(3, 3))
    ours = layers.conv2d(image, weights, output="same", border="constant", value=7.0, bias=-2.5)
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
        s = layers.window_step(image, weights, step, stride, dilation, output, border)
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
    geometry = layers.layer_geometry(image.shape, (3, 2), stride, dilation, output)
    pads = [tf_padding(7, 3, stride, dilation, output), tf_padding(8, 2, stride, dilation,
                                                                   output)]
    padded = np.pad(image, pads)
    out_w = geometry.output_shape[1]
    for step in range(geometry.steps):
        r, c = divmod(step, out_w)
        expected = np.zeros(padded.shape, dtype=bool)
        expected[r * stride : r * stride + 2 * dilation + 1 : dilation,
                 c * stride : c * stride + dilation + 1 : dilation] = True
        np.testing.assert_array_equal(layers.window_mask(geometry, step), expected)


def test_filled_so_far_reveals_cells_in_reading_order():
    values = np.arange(6.0).reshape(2, 3)
    shown = layers.filled_so_far(values, 3)
    np.testing.assert_array_equal(shown[0], [0, 1, 2])
    assert shown[1, 0] == 3 and np.isnan(shown[1, 1:]).all()


def test_step_and_cell_are_inverse():
    geometry = layers.layer_geometry((5, 7), (3, 3), stride=2, output="same")
    assert geometry.output_shape == (3, 4)
    cells = [geometry.cell(step) for step in range(geometry.steps)]
    assert cells == [(r, c) for r in range(3) for c in range(4)]  # row by row
    assert [geometry.step_at(r, c) for r, c in cells] == list(range(geometry.steps))
    with pytest.raises(ValueError, match="inside the 3 x 4 output"):
        geometry.step_at(3, 0)


def test_step_out_of_range_is_refused():
    with pytest.raises(ValueError, match="step must be in 0..3"):
        layers.window_step(np.ones((3, 3)), np.ones((2, 2)), 4)


# --------------------------------------------------------------------------- channels


def test_multichannel_is_the_sum_of_per_channel_correlations():
    image = RNG.uniform(0, 255, (8, 9, 3))
    weights = RNG.normal(size=(3, 3, 3))
    expected = sum(signal.correlate2d(image[..., ch], weights[ch], "same") for ch in range(3))
    np.testing.assert_allclose(layers.conv2d(image, weights, output="same"), expected,
                               atol=1e-9)
    step = layers.window_step(image, weights, 20, output="same")
    per_channel = [signal.correlate2d(image[..., ch], weights[ch], "same")[2, 2]
                   for ch in range(3)]
    assert (step.out_row, step.out_col) == (2, 2)
    np.testing.assert_allclose(step.channel_sums, per_channel, atol=1e-9)
    assert step.total == pytest.approx(sum(per_channel))


def test_a_layer_of_filters_gives_one_map_per_filter():
    image = RNG.uniform(0, 255, (6, 6, 3))
    names, filters = layers.rgb_filters()
    biases = RNG.normal(size=len(names))
    maps = layers.conv_layer(image, filters, biases, stride=2, output="same")
    assert maps.shape == (len(names), 3, 3)
    for f in range(len(names)):
        expected = reference(image[..., 0], filters[f, 0], 2, 1, "same") + sum(
            reference(image[..., ch], filters[f, ch], 2, 1, "same") for ch in (1, 2))
        np.testing.assert_allclose(maps[f], expected + biases[f], atol=1e-9)


def test_the_filter_bank_cannot_be_changed_from_outside():
    _, filters = layers.rgb_filters()
    filters[:] = 0
    assert np.abs(layers.rgb_filters()[1]).sum() > 0


def test_channel_mismatch_is_refused():
    with pytest.raises(ValueError, match="1 channel slice.*3 channel"):
        layers.conv2d(np.zeros((4, 4, 3)), np.ones((3, 3)))


# ---------------------------------------------------------------- which outputs it feeds


@pytest.mark.parametrize(("stride", "dilation", "output", "border"), [
    (1, 1, "valid", "constant"), (2, 1, "same", "constant"), (1, 2, "full", "constant"),
    (1, 1, "same", "replicate"), (2, 1, "same", "reflect"), (1, 1, "full", "wrap"),
])
def test_reach_is_the_gradient_of_the_outputs(stride, dilation, output, border):
    """The weight an input cell meets in each output is d output / d input (a unit poke)."""
    image = RNG.uniform(0, 255, (6, 5))
    weights = RNG.integers(-4, 5, (3, 3)).astype(float)
    geometry = layers.layer_geometry(image.shape, weights.shape, stride, dilation, output)
    base = reference(image, weights, stride, dilation, output, border)
    for row in range(6):
        for col in range(5):
            poked = image.copy()
            poked[row, col] += 1.0
            gradient = reference(poked, weights, stride, dilation, output, border) - base
            reach = layers.input_reach(geometry, weights, row, col, border)
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
    reach = layers.input_reach(layers.layer_geometry((5, 5), (3, 3)), weights, 2, 2)
    assert reach.covered.all()
    # Output (0, 0)'s window has the centre at its bottom-right tap, weight 9.
    np.testing.assert_array_equal(reach.weight, weights[::-1, ::-1])


def test_bad_reach_cell_is_refused():
    geometry = layers.layer_geometry((4, 4), (3, 3))
    with pytest.raises(ValueError, match="row must be a whole number in 0..3"):
        layers.input_reach(geometry, np.ones((3, 3)), 4, 0)


# -------------------------------------------------------------------- ReLU and pooling


def test_relu():
    np.testing.assert_array_equal(layers.relu([[-1.5, 0.0], [2.0, -0.0]]), [[0, 0], [2, 0]])


@pytest.mark.parametrize("kind", layers.POOLS)
@pytest.mark.parametrize(("shape", "size", "stride"), [((6, 6), 2, None), ((7, 5), 2, None),
                                                       ((7, 7), 3, None), ((6, 7), 3, 2)])
def test_pooling_matches_numpy(kind, shape, size, stride):
    values = RNG.normal(size=shape)
    step = stride or size
    windows = np.lib.stride_tricks.sliding_window_view(values, (size, size))[::step, ::step]
    expected = windows.max(axis=(2, 3)) if kind == "max" else windows.mean(axis=(2, 3))
    pooled = layers.pool2d(values, size, kind, stride)
    np.testing.assert_allclose(pooled, expected, atol=1e-12)
    assert pooled.shape == tuple(layers.pool_length(n, size, stride) for n in shape)
    cell = layers.pool_cell(values, pooled.shape[0] - 1, 0, size, kind, stride)
    np.testing.assert_array_equal(cell.values, windows[-1, 0])
    assert cell.result == pytest.approx(expected[-1, 0])


def test_max_pooling_by_reshape():
    """Non-overlapping 2 x 2 max pooling is a reshape and a max."""
    values = RNG.normal(size=(8, 6))
    np.testing.assert_array_equal(layers.pool2d(values, 2, "max"),
                                  values.reshape(4, 2, 3, 2).max(axis=(1, 3)))


def test_bad_pooling_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        layers.pool2d(np.ones((4, 4)), 2, "median")
    with pytest.raises(ValueError, match="inside the 2 x 2 pooled map"):
        layers.pool_cell(np.ones((4, 4)), 2, 0)


@pytest.mark.parametrize(("bias", "use_relu", "pool", "size"), [
    (0.0, True, "max", 2), (3.0, False, "average", 2), (-1.0, True, "average", 3),
    (0.5, True, None, 2),
])
def test_layer_stages_against_numpy(bias, use_relu, pool, size):
    conv = RNG.normal(size=(7, 6))
    biased = conv + bias
    activated = np.maximum(biased, 0) if use_relu else biased
    for row, col in ((0, 0), (3, 5), (6, 2)):
        stages = layers.layer_stages(conv, row, col, bias, use_relu, pool, size)
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
        layers.layer_stages(np.zeros((3, 3)), 0, 3)


# -------------------------------------------------------------------- gradient descent


@pytest.mark.parametrize("name", ["sobel_x", "sharpen", "gaussian_5", "emboss"])
def test_gradient_descent_reaches_the_hidden_kernel_on_a_clean_pair(name):
    hidden = convkit.BANK[name].weights
    inputs, target = convkit.make_training_pair(layers.noise_image(48, seed=4), hidden)
    run = layers.train_kernel(inputs, target, hidden.shape, learning_rate=0.1, steps=300)
    assert run.status == "converged"
    assert np.abs(run.weights - hidden).max() < 1e-6
    assert abs(run.bias) < 1e-6
    assert run.loss[0] > 1e3 * run.loss[-1]  # the loss curve really fell
    assert run.rms == pytest.approx(np.sqrt(run.loss[-1]))
    assert run.steps <= 300  # it may stop early, once nothing is left to learn
    assert run.history.shape == (run.steps + 1, *hidden.shape)
    assert run.loss.shape == (run.steps + 1,)
    np.testing.assert_array_equal(run.history[-1], run.weights)


def test_gradient_descent_learns_a_bias_too():
    hidden = convkit.BANK["box_5"].weights
    inputs, target = convkit.make_training_pair(layers.noise_image(32, seed=1), hidden)
    run = layers.train_kernel(inputs, target + 12.0, hidden.shape, learning_rate=0.2,
                              steps=400)
    assert np.abs(run.weights - hidden).max() < 1e-6
    assert run.bias == pytest.approx(12.0, abs=1e-5)


def test_each_step_follows_the_gradient_of_the_squared_error():
    """One step by hand: w1 = w0 - lr * dL/dw with L the mean squared error (finite diff)."""
    hidden = convkit.BANK["sharpen"].weights
    inputs, target = convkit.make_training_pair(layers.noise_image(16, seed=2), hidden)
    run = layers.train_kernel(inputs, target, (3, 3), learning_rate=0.01, steps=1)

    def loss(kernel: np.ndarray, bias: float) -> float:
        out = ndimage.correlate(inputs, kernel, mode="nearest") + bias
        return float(np.mean((out - target) ** 2))

    start, bias0 = run.history[0], 0.0 - run.history[0].sum() * inputs.mean()
    assert run.loss[0] == pytest.approx(loss(start, bias0), rel=1e-9)
    assert run.loss[1] == pytest.approx(loss(run.history[1], run.bias), rel=1e-9)
    assert run.loss[1] < run.loss[0]


def test_too_large_a_learning_rate_is_reported_as_divergence():
    hidden = convkit.BANK["sobel_x"].weights
    inputs, target = convkit.make_training_pair(layers.noise_image(32), hidden)
    limit = layers.train_kernel(inputs, target, (3, 3), steps=1).stable_below
    below = layers.train_kernel(inputs, target, (3, 3), learning_rate=0.95 * limit, steps=400)
    above = layers.train_kernel(inputs, target, (3, 3), learning_rate=1.3 * limit, steps=400)
    assert below.status == "converged" and below.diverged_at is None
    assert above.status == "diverged" and above.diverged_at is not None
    assert above.loss.shape == (above.diverged_at + 1,)
    assert above.loss[-1] > 100 * above.loss[0]
    huge = layers.train_kernel(inputs, target, (3, 3), learning_rate=1e6, steps=50)
    assert huge.status == "diverged" and huge.diverged_at <= 3


def test_stable_limit_is_two_over_the_largest_curvature():
    """2 / largest eigenvalue of the Hessian of the loss, built here from the patches."""
    inputs = layers.noise_image(20, seed=5)
    target = ndimage.correlate(inputs, np.ones((3, 3)), mode="nearest")
    run = layers.train_kernel(inputs, target, (3, 3), steps=1)
    x = (inputs - inputs.mean()) / inputs.std()
    patches = np.lib.stride_tricks.sliding_window_view(np.pad(x, 1, mode="edge"), (3, 3))
    design = np.hstack([patches.reshape(-1, 9), np.ones((400, 1))])
    curvature = np.linalg.eigvalsh(2 / 400 * design.T @ design)[-1]
    assert run.stable_below == pytest.approx(2 / curvature, rel=1e-9)


def test_a_photo_is_harder_than_noise():
    """Neighbouring pixels alike: after the same steps the weights are further off."""
    photo = convkit.fit_to_pixels(convkit.load_sample("camera"), 256)[96:160, 96:160]
    hidden = convkit.BANK["sobel_x"].weights
    errors = []
    for source in (layers.noise_image(64), photo):
        inputs, target = convkit.make_training_pair(source, hidden)
        run = layers.train_kernel(inputs, target, (3, 3), learning_rate=0.1, steps=300)
        errors.append(np.abs(run.weights - hidden).max())
    assert errors[0] < 1e-6 < 1e-3 < errors[1]


def test_the_largest_run_is_well_under_a_second():
    """The biggest crop, kernel and step count, on a photo (which never stops early)."""
    side, steps = layers.MAX_TRAIN_SIDE, layers.MAX_TRAIN_STEPS
    photo = convkit.fit_to_pixels(convkit.load_sample("camera"), 256)[:side, :side]
    hidden = convkit.BANK["gaussian_5"].weights
    inputs, target = convkit.make_training_pair(photo, hidden)
    start = time.process_time()
    run = layers.train_kernel(inputs, target, (5, 5), learning_rate=0.01, steps=steps)
    assert run.steps == steps
    assert time.process_time() - start < 0.5


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(learning_rate=0.0), "learning_rate must be > 0"),
    (dict(learning_rate=float("nan")), "learning_rate must be a finite number"),
    (dict(steps=layers.MAX_TRAIN_STEPS + 1), "steps must be at most"),
    (dict(steps=0), "steps"),
])
def test_bad_training_settings_are_refused(kwargs, match):
    inputs = layers.noise_image(8)
    with pytest.raises(ValueError, match=match):
        layers.train_kernel(inputs, inputs, (3, 3), **kwargs)


def test_training_sizes_are_bounded():
    with pytest.raises(ValueError, match="at most 64 x 64"):
        layers.train_kernel(np.zeros((65, 10)), np.zeros((65, 10)), (3, 3))
    with pytest.raises(ValueError, match="at most 5"):
        layers.train_kernel(np.zeros((9, 9)), np.zeros((9, 9)), (7, 7))


# -------------------------------------------------------------------- numbers and grids


def test_rounded_tables():
    np.testing.assert_array_equal(layers.rounded([4.72e-15, 1 / 3, -2 / 3, 1234.56, 0.0]),
                                  [0.0, 0.3333, -0.6667, 1235.0, 0.0])


def test_parse_grid_and_its_errors():
    np.testing.assert_array_equal(layers.parse_grid(" 1, 2\n\n -3.5 4 \n"), [[1, 2], [-3.5, 4]])
    for text, match in (("", "empty"), ("1 2\n3", "row 2 has 1 numbers"),
                        ("1 x", r"cell \(row 1, column 2\)"), ("1 nan", "column 2"),
                        ("\n".join(["1"] * 17), "at most 16 x 16")):
        with pytest.raises(ValueError, match=match):
            layers.parse_grid(text)


def test_centre_crop():
    image = np.arange(100).reshape(10, 10)
    np.testing.assert_array_equal(layers.centre_crop(image, 2), [[44, 45], [54, 55]])
    assert layers.centre_crop(image, 20).shape == (10, 10)
    colour = RNG.integers(0, 256, (6, 6, 3)).astype(np.uint8)
    assert layers.centre_crop(colour, 4, channels=True).shape == (4, 4, 3)
    np.testing.assert_array_equal(layers.centre_crop(colour, 4),
                                  convkit.to_gray(colour)[1:5, 1:5])


def test_doctests():
    """The worked examples in the docstrings hold."""
    assert doctest.testmod(layers).failed == 0


# ----------------------------------------------------- what the page reads off a run


def _run(weights: np.ndarray, status: str) -> layers.DescentRun:
    """A DescentRun ending on `weights` with `status`, the rest of its fields placeholders."""
    return layers.DescentRun(weights=weights, bias=0.0, history=weights[None], loss=np.ones(1),
                             best_loss=0.0, learning_rate=0.1, steps=0, status=status,
                             diverged_at=None, stable_below=1.0)


def test_largest_error_by_hand_and_its_errors():
    assert layers.largest_error([[1.0, 2.0], [0.0, -4.0]], [[1.0, 2.5], [0.25, 3.0]]) == 7.0
    assert layers.largest_error(np.eye(3), np.eye(3)) == 0.0
    with pytest.raises(ValueError, match=r"one shape; got \(3, 3\) and \(5, 5\)"):
        layers.largest_error(np.eye(3), np.eye(5))


def test_descent_outcome_of_real_runs():
    """A clean pair is found, too large a rate diverges, a photo in 100 steps is not found."""
    hidden = convkit.BANK["sobel_x"].weights
    inputs, target = convkit.make_training_pair(layers.noise_image(32), hidden)
    found = layers.train_kernel(inputs, target, (3, 3), learning_rate=0.1, steps=300)
    assert layers.descent_outcome(found, hidden) == "found"
    wild = layers.train_kernel(inputs, target, (3, 3), learning_rate=1e6, steps=50)
    assert layers.descent_outcome(wild, hidden) == "diverged"
    photo = convkit.fit_to_pixels(convkit.load_sample("camera"), 256)[96:160, 96:160]
    inputs, target = convkit.make_training_pair(photo, hidden)
    slow = layers.train_kernel(inputs, target, (3, 3), learning_rate=0.1, steps=100)
    assert layers.descent_outcome(slow, hidden) in ("flat", "descending")
    assert np.abs(slow.weights - hidden).max() >= 1e-3


@pytest.mark.parametrize(("status", "off", "outcome"), [
    ("converged", 0.0, "found"), ("still descending", 5e-4, "found"),
    ("converged", 0.01, "flat"), ("still descending", 0.01, "descending"),
    ("diverged", 0.0, "diverged"),
])
def test_descent_outcome_by_status_and_error(status, off, outcome):
    hidden = np.arange(9.0).reshape(3, 3)
    learnt = hidden.copy()
    learnt[2, 1] += off
    assert layers.descent_outcome(_run(learnt, status), hidden) == outcome
    assert outcome in layers.OUTCOMES


def test_descent_outcome_refuses_a_bad_tolerance():
    run = _run(np.eye(3), "converged")
    with pytest.raises(ValueError, match=r"tolerance must be > 0; got -1"):
        layers.descent_outcome(run, np.eye(3), tolerance=-1)
    with pytest.raises(ValueError, match=r"tolerance must be a finite number; got nan"):
        layers.descent_outcome(run, np.eye(3), tolerance=float("nan"))


def test_small_kernels_keep_those_a_page_shows_whole():
    small = layers.small_kernels(convkit.BANK)
    assert {"sobel_x", "sharpen", "gaussian_5", "box_5", "emboss"} <= set(small)
    assert not {"small_blur", "large_blur"} & set(small)  # 7 x 7 and 21 x 21
    assert list(small) == [name for name in convkit.BANK if name in small]  # the bank's order
    own = {"tall": convkit.Kernel("tall", np.ones((7, 3))),
           "wide": convkit.Kernel("wide", np.ones((1, 5))),
           "dot": convkit.Kernel("dot", np.ones((1, 1)))}
    assert list(layers.small_kernels(own)) == ["wide", "dot"]
    assert list(layers.small_kernels(own, max_side=1)) == ["dot"]
    with pytest.raises(ValueError, match="max_side"):
        layers.small_kernels(own, max_side=0)
