"""Tests for lessons.network, .digits and .network_training against scipy.signal and plain NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage, signal

import convkit
from convkit import lessons
from convkit.lessons import digits, network
from convkit.lessons import network_training as training

#: The shipped weights' test accuracy as the README states it (at least 99.0 %).
STATED_ACCURACY = 0.99
#: How far a retraining on another machine may land from the shipped accuracy.
RETRAIN_MARGIN = 0.005


def reference_forward(net: network.DigitNetwork, image: np.ndarray) -> dict[str, np.ndarray]:
    """Every stage in float64: correlate2d per channel, pooling, dense and softmax by hand."""
    def conv(inputs, weights, bias):
        return np.stack([
            sum(signal.correlate2d(inputs[c], weights[k, c].astype(np.float64), mode="valid")
                for c in range(inputs.shape[0])) + float(bias[k])
            for k in range(weights.shape[0])])

    def pool(maps):
        channels, height, width = maps.shape
        out = np.empty((channels, height // 2, width // 2))
        for c in range(channels):
            for y in range(height // 2):
                for x in range(width // 2):
                    out[c, y, x] = maps[c, 2 * y:2 * y + 2, 2 * x:2 * x + 2].max()
        return out

    stages = {"conv1": conv(image[None].astype(np.float64), net.conv1_weights, net.conv1_bias)}
    stages["pool1"] = pool(np.maximum(stages["conv1"], 0))
    stages["conv2"] = conv(stages["pool1"], net.conv2_weights, net.conv2_bias)
    stages["pool2"] = pool(np.maximum(stages["conv2"], 0))
    flat = stages["pool2"].ravel()
    stages["scores"] = np.array([sum(float(w) * v for w, v in zip(row, flat, strict=True))
                                 for row in net.dense_weights]) + net.dense_bias
    exps = np.exp(stages["scores"] - stages["scores"].max())
    stages["probabilities"] = exps / exps.sum()
    return stages


@pytest.fixture(scope="module")
def test_set() -> tuple[np.ndarray, np.ndarray]:
    """The held-back test pictures of the shipped schedule."""
    return digits.digit_images(training.TEST_COUNT, digits.split_seeds(training.SEED)[1])


def test_forward_equals_reference_on_sampled_test_images(test_set):
    """Every stage equals correlate2d + NumPy pooling/dense/softmax, to float32 rounding."""
    net = network.load_network()
    images, _ = test_set
    for index in range(0, len(images), 40):
        got = network.forward(net, images[index])
        want = reference_forward(net, images[index])
        for stage, expected in want.items():
            np.testing.assert_allclose(getattr(got, stage), expected, rtol=1e-4, atol=2e-5,
                                       err_msg=f"{stage} of test picture {index}")
        np.testing.assert_array_equal(got.relu1, np.maximum(got.conv1, 0))
        np.testing.assert_array_equal(got.flat, got.pool2.ravel())


def test_forward_on_every_test_image_and_shipped_accuracy(test_set):
    """On every held-back picture the probabilities equal the reference's; the accuracy is as
    stated (and as stored with the weights)."""
    net = network.load_network()
    images, labels = test_set
    predicted = []
    for image in images:
        got = network.forward(net, image)
        want = reference_forward(net, image)
        np.testing.assert_allclose(got.probabilities, want["probabilities"], atol=1e-5)
        predicted.append(got.predicted)
    accuracy = float(np.mean(np.array(predicted) == labels))
    assert accuracy >= STATED_ACCURACY
    assert accuracy == pytest.approx(net.test_accuracy, abs=1 / len(labels))


@pytest.mark.slow
def test_retraining_from_the_seed_reaches_the_shipped_accuracy():
    """The training script's schedule, rerun from the seed, lands on the shipped accuracy."""
    run = training.train_network()
    shipped = network.load_network()
    assert run.test_accuracy >= STATED_ACCURACY
    assert abs(run.test_accuracy - shipped.test_accuracy) <= RETRAIN_MARGIN
    assert run.losses[-1] < run.losses[0] / 10


def test_first_filters_are_kernels_for_convolve(test_set):
    """The first layer's filters, given to convkit.convolve (no flip), make conv1's maps."""
    net = network.load_network()
    image = test_set[0][7]
    maps = network.forward(net, image).conv1
    for k, kernel in enumerate(net.first_filters):
        assert kernel.shape == (5, 5) and np.abs(kernel).max() > 0.1
        same = convkit.convolve(image, kernel, border="constant")
        np.testing.assert_allclose(same[2:-2, 2:-2] + net.conv1_bias[k], maps[k], atol=1e-5)


@pytest.mark.parametrize("layer", network.CONV_LAYERS)
def test_explain_unit_sums_block_times_weights(test_set, layer):
    """Block, weights, per-channel sums, bias and ReLU rebuild the unit, and its box on the input
    is the closed form (5 + 2 * 4 + ... pixels)."""
    net = network.load_network()
    image = test_set[0][3]
    want = reference_forward(net, image)
    inputs = image[None] if layer == "conv1" else want["pool1"]
    weights, biases = ((net.conv1_weights, net.conv1_bias) if layer == "conv1"
                       else (net.conv2_weights, net.conv2_bias))
    side, kernel = (16, 5) if layer == "conv1" else (6, 3)
    rng = np.random.default_rng(4)
    for channel, x, y in zip(rng.integers(0, len(biases), 6), rng.integers(0, side, 6),
                             rng.integers(0, side, 6), strict=True):
        unit = network.explain_unit(net, image, layer, int(channel), int(x), int(y))
        block = inputs[:, y:y + kernel, x:x + kernel]
        np.testing.assert_allclose(unit.block, block, atol=1e-5)
        np.testing.assert_array_equal(unit.weights, weights[channel])
        np.testing.assert_allclose(unit.channel_sums, (block * weights[channel]).sum(axis=(1, 2)),
                                   atol=1e-5)
        assert unit.total == pytest.approx(want[layer][channel, y, x], abs=2e-5)
        assert unit.activated == max(unit.total, 0.0)
        assert unit.bias == biases[channel]
        # Closed form: conv1 reaches 5 pixels from x; conv2 reaches pool1 cells x..x+2, i.e.
        # conv1 units 2x..2x+5, i.e. pixels 2x..2x+9.
        first_x, first_y = (x, y) if layer == "conv1" else (2 * x, 2 * y)
        reach = 5 if layer == "conv1" else 10
        assert unit.receptive_field == (first_x, first_y, first_x + reach - 1,
                                        first_y + reach - 1)
        np.testing.assert_array_equal(
            unit.input_pixels, image[first_y:first_y + reach, first_x:first_x + reach])


def test_pixels_outside_the_receptive_field_change_nothing(test_set):
    """Rewriting every input pixel outside a unit's box leaves the unit as it was."""
    net = network.load_network()
    image = test_set[0][11]
    rng = np.random.default_rng(9)
    for layer in ("conv1", "pool1", "conv2", "pool2"):
        before = getattr(network.forward(net, image), layer)
        side = before.shape[1]
        x, y = int(rng.integers(0, side)), int(rng.integers(0, side))
        x_first, y_first, x_last, y_last = network.digit_receptive_field(layer, x, y)
        inside = np.zeros(image.shape, bool)
        inside[y_first:y_last + 1, x_first:x_last + 1] = True
        changed = np.where(inside, image, rng.random(image.shape, dtype=np.float32))
        after = getattr(network.forward(net, changed), layer)
        np.testing.assert_array_equal(after[:, y, x], before[:, y, x])


def test_receptive_field_sizes_grow_as_the_closed_form():
    """Size r_l = r_(l-1) + (k_l - 1) * j_(l-1), jump j_l = j_(l-1) * s_l (Araujo et al.)."""
    size, jump = 1, 1
    for layer, kernel, stride in (("conv1", 5, 1), ("pool1", 2, 2), ("conv2", 3, 1),
                                  ("pool2", 2, 2)):
        size, jump = size + (kernel - 1) * jump, jump * stride
        x_first, y_first, x_last, y_last = network.digit_receptive_field(layer, 1, 2)
        assert x_last - x_first + 1 == size and y_last - y_first + 1 == size
        # Neighbouring units' boxes are one jump apart.
        assert network.digit_receptive_field(layer, 2, 2)[0] - x_first == jump


def test_receptive_fields_agree_with_the_stack_lesson():
    """The network's boxes are those of the receptive-field lesson's stack of the same layers
    (conv 5, pool 2 stride 2, conv 3, pool 2 stride 2) for every unit."""
    stacks = {"conv1": [(5, 1, 1)], "pool1": [(5, 1, 1), (2, 2, 1)],
              "conv2": [(5, 1, 1), (2, 2, 1), (3, 1, 1)],
              "pool2": [(5, 1, 1), (2, 2, 1), (3, 1, 1), (2, 2, 1)]}
    for layer, stack in stacks.items():
        side = {"conv1": 16, "pool1": 8, "conv2": 6, "pool2": 3}[layer]
        for x in range(side):
            for y in (0, side - 1):
                assert network.digit_receptive_field(layer, x, y) == lessons.receptive_field(
                    stack, (20, 20), unit=(x, y)).box


def test_digit_pictures_repeat_from_the_seed():
    """Same seed, same pictures; another seed, other pictures; balanced labels in [0, 1]."""
    first, labels = digits.digit_images(30, seed=2)
    again, labels_again = digits.digit_images(30, seed=2)
    other, _ = digits.digit_images(30, seed=3)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(labels, labels_again)
    shorter, shorter_labels = digits.digit_images(13, seed=2)
    np.testing.assert_array_equal(shorter, first[:13])
    np.testing.assert_array_equal(shorter_labels, labels[:13])
    assert not np.array_equal(first, other)
    assert np.bincount(labels, minlength=10).tolist() == [3] * 10
    assert first.dtype == np.float32 and first.min() >= 0 and first.max() <= 1
    # Ink is there and centred: the brightest pixels' centre is within a few pixels of the middle.
    for picture in first:
        ys, xs = np.nonzero(picture > 0.5)
        assert len(ys) > 10
        assert abs(ndimage.center_of_mass(picture > 0.5)[1] - 9.5) < 5


def test_test_digit_is_the_test_set_s_first_pictures(test_set):
    """The page's test pictures are the held-back ones the accuracy was measured on."""
    for index in (0, 57, digits.TEST_PICTURES - 1):
        picture, label = digits.held_back_digit(index)
        np.testing.assert_array_equal(picture, test_set[0][index])
        assert label == test_set[1][index]


def test_train_and_test_pictures_come_from_separate_generators():
    """The three seeds a schedule splits into differ, so no test picture is a training one."""
    train_seed, test_seed, weight_seed = digits.split_seeds(training.SEED)
    assert len({train_seed, test_seed, weight_seed}) == 3
    train, _ = digits.digit_images(50, train_seed)
    test, _ = digits.digit_images(50, test_seed)
    flat_train = {picture.tobytes() for picture in train}
    assert not any(picture.tobytes() in flat_train for picture in test)


@pytest.mark.parametrize(("call", "message"), [
    (lambda net: network.forward(net, np.zeros((28, 28))), "20 x 20"),
    (lambda net: network.forward(net, np.full((20, 20), np.nan)), "finite numbers from 0 to 1"),
    (lambda net: network.forward(net, np.full((20, 20), 2.0)), "from 0 to 1"),
    (lambda net: network.forward(net, np.full((20, 20), "a")), "must hold numbers"),
    (lambda net: network.explain_unit(net, np.zeros((20, 20)), "dense", 0, 0, 0), "layer"),
    (lambda net: network.explain_unit(net, np.zeros((20, 20)), "conv1", 6, 0, 0), "channel"),
    (lambda net: network.explain_unit(net, np.zeros((20, 20)), "conv2", 0, 6, 0), "x must"),
    (lambda net: network.explain_unit(net, np.zeros((20, 20)), "conv2", 0, 0, -1), "y must"),
    (lambda net: network.digit_receptive_field("pool3", 0, 0), "layer"),
    (lambda net: network.network_from_arrays({"conv1_weights": np.zeros(3)}), "shape"),
    (lambda net: digits.digit_images(digits.MAX_DIGITS + 1, 0), "at most"),
    (lambda net: digits.digit_images(5, -1), "seed"),
    (lambda net: digits.draw_digit(10, np.random.default_rng(0)), "0 to 9"),
    (lambda net: digits.held_back_digit(digits.TEST_PICTURES), "index"),
])
def test_bad_input_is_a_clear_value_error(call, message):
    """Wrong shapes, NaN, out-of-range units and counts: ValueError naming the culprit."""
    with pytest.raises(ValueError, match=message):
        call(network.load_network())


def test_maps_picture_places_each_map_enlarged():
    """Each map is a block of the montage, value v at v / max * 255, scale x scale per value."""
    maps = np.random.default_rng(2).normal(size=(3, 4, 5))
    picture = network.maps_picture(maps, scale=3)
    gap = network.MAP_GAP
    assert picture.shape == (12, 3 * 15 + 2 * gap)
    levels = np.rint(np.clip(maps / maps.max(), 0, 1) * 255)
    for channel in range(3):
        block = picture[:, channel * (15 + gap):channel * (15 + gap) + 15]
        np.testing.assert_array_equal(block[1::3, 1::3], levels[channel])
        np.testing.assert_array_equal(block[::3, ::3], levels[channel])
    assert (picture[:, 15:15 + gap] == 128).all()
    with pytest.raises(ValueError, match="scale"):
        network.maps_picture(maps, scale=17)


def test_uint8_picture_is_read_as_bytes():
    """A uint8 picture is the float one times 255: the same activations."""
    net = network.load_network()
    picture = np.zeros((20, 20), np.uint8)
    picture[4:16, 9:11] = 255
    as_bytes = network.forward(net, picture)
    as_floats = network.forward(net, picture / 255.0)
    np.testing.assert_allclose(as_bytes.probabilities, as_floats.probabilities, atol=1e-6)
    assert as_bytes.predicted == as_floats.predicted


def test_pooling_window_is_the_window_whose_largest_the_pooled_unit_kept():
    """For every pooled unit of random maps with ties: the window is the 2 x 2 block at
    (2x, 2y), its largest is the reference pooled value, and the winner is the first cell
    holding it, row by row."""
    rng = np.random.default_rng(7)
    maps = rng.integers(0, 4, size=(3, 6, 7)).astype(np.float32)  # few values: many ties
    for channel in range(3):
        for y in range(3):
            for x in range(3):
                window, (wx, wy) = network.pooling_window(maps, channel, x, y)
                block = maps[channel, 2 * y:2 * y + 2, 2 * x:2 * x + 2]
                np.testing.assert_array_equal(window, block)
                first = next((i, j) for j in range(2) for i in range(2)
                             if block[j, i] == block.max())
                assert (wx, wy) == (2 * x + first[0], 2 * y + first[1])
                assert maps[channel, wy, wx] == network.max_pool(maps)[channel, y, x]
    for call, message in (((maps, 3, 0, 0), "channel"), ((maps, 0, 3, 0), "x"),
                          ((maps, 0, 0, -1), "y"), ((maps[0], 0, 0, 0), "shape")):
        with pytest.raises(ValueError, match=message):
            network.pooling_window(*call)
