"""A small trained convolutional network that reads printed digits, every layer open to view.

The layers, on a 20 x 20 gray picture (0 black background, 1 white ink):

====== ============================================== ==============
layer  what it does                                   output
====== ============================================== ==============
conv1  6 filters 5 x 5, valid, + bias                 6 x 16 x 16
relu1  max(0, value)                                  6 x 16 x 16
pool1  2 x 2 max pooling, stride 2                    6 x 8 x 8
conv2  12 filters 3 x 3 x 6 (across channels), valid  12 x 6 x 6
relu2  max(0, value)                                  12 x 6 x 6
pool2  2 x 2 max pooling, stride 2                    12 x 3 x 3
flat   the 108 numbers in (channel, y, x) order       108
dense  10 x 108 weights + bias: one score per digit   10
soft   softmax: the scores as probabilities           10
====== ============================================== ==============

The convolutions are correlations (the filters are not flipped), as in deep-learning
frameworks. Everything is float32. The weights ship with the package
(``data/digit_network.npz``), made by ``scripts/train_network.py`` from a fixed seed
(``convkit.lessons.network_training``).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ..core._validation import check_positive_int
from .digits import DIGIT_SIDE

#: Where the shipped weights are.
WEIGHTS_PATH = Path(__file__).with_name("data") / "digit_network.npz"
#: The layers whose units ``explain_unit`` opens, in order.
CONV_LAYERS = ("conv1", "conv2")
#: Every stage of the forward pass, in order (names of ``Activations`` fields).
STAGES = ("conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flat", "scores",
          "probabilities")
#: Side of the max-pooling window (and its stride).
POOL = 2
#: (kernel side, stride) of every layer from the input up, for receptive fields.
_LAYER_STEPS = {"conv1": ((5, 1),), "pool1": ((5, 1), (POOL, POOL)),
                "conv2": ((5, 1), (POOL, POOL), (3, 1)),
                "pool2": ((5, 1), (POOL, POOL), (3, 1), (POOL, POOL))}


@dataclass(frozen=True)
class DigitNetwork:
    """The weights of the digit network (float32), and what it reached when trained.

    Attributes
    ----------
    conv1_weights : numpy.ndarray
        (6, 1, 5, 5): filter, input channel, y, x.
    conv1_bias : numpy.ndarray
        (6,).
    conv2_weights : numpy.ndarray
        (12, 6, 3, 3).
    conv2_bias : numpy.ndarray
        (12,).
    dense_weights : numpy.ndarray
        (10, 108): digit, flattened pool2 value.
    dense_bias : numpy.ndarray
        (10,).
    test_accuracy : float
        Share of the held-back test pictures it classified right after training (0 to 1).
    seed : int
        The seed it was trained from.
    """

    conv1_weights: np.ndarray
    conv1_bias: np.ndarray
    conv2_weights: np.ndarray
    conv2_bias: np.ndarray
    dense_weights: np.ndarray
    dense_bias: np.ndarray
    test_accuracy: float
    seed: int

    @property
    def first_filters(self) -> np.ndarray:
        """The first layer's learnt filters as six 5 x 5 kernels, float64 (6, 5, 5).

        Returns
        -------
        numpy.ndarray
            One kernel per filter, to show beside the bank's (correlation, not flipped).

        Examples
        --------
        >>> load_network().first_filters.shape
        (6, 5, 5)
        """
        return self.conv1_weights[:, 0].astype(np.float64)


WEIGHT_NAMES = ("conv1_weights", "conv1_bias", "conv2_weights", "conv2_bias", "dense_weights",
                "dense_bias")
_SHAPES = {"conv1_weights": (6, 1, 5, 5), "conv1_bias": (6,), "conv2_weights": (12, 6, 3, 3),
           "conv2_bias": (12,), "dense_weights": (10, 108), "dense_bias": (10,)}


def network_from_arrays(arrays, test_accuracy: float = float("nan"),
                        seed: int = -1) -> DigitNetwork:
    """A ``DigitNetwork`` from its six weight arrays, shapes checked.

    Parameters
    ----------
    arrays : mapping
        The arrays by name: conv1_weights, conv1_bias, conv2_weights, conv2_bias,
        dense_weights, dense_bias.
    test_accuracy : float, optional
        The accuracy it reached, when known.
    seed : int, optional
        The seed it was trained from, when known (-1: unknown).

    Returns
    -------
    DigitNetwork
        With float32 copies of the arrays.

    Examples
    --------
    >>> zeros = {name: np.zeros(shape) for name, shape in _SHAPES.items()}
    >>> network_from_arrays(zeros).dense_weights.shape
    (10, 108)
    """
    checked = {}
    for name in WEIGHT_NAMES:
        if name not in arrays:
            raise ValueError(f"the network's arrays miss {name!r}")
        array = np.array(arrays[name], dtype=np.float32)
        if array.shape != _SHAPES[name]:
            raise ValueError(f"{name} must have shape {_SHAPES[name]}; got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must be finite numbers; got NaN or infinity")
        checked[name] = array
    return DigitNetwork(**checked, test_accuracy=float(test_accuracy), seed=int(seed))


@cache
def load_network() -> DigitNetwork:
    """The shipped, trained digit network (read once per process).

    Returns
    -------
    DigitNetwork
        Its weights and the test accuracy it reached.

    Examples
    --------
    >>> network = load_network()
    >>> network.conv2_weights.shape, network.test_accuracy > 0.9
    ((12, 6, 3, 3), True)
    """
    with np.load(WEIGHTS_PATH) as stored:
        return network_from_arrays(stored, float(stored["test_accuracy"]), int(stored["seed"]))


def _check_picture(image) -> np.ndarray:
    """A DIGIT_SIDE-square gray picture as float32 in [0, 1] (uint8 is divided by 255)."""
    array = np.asarray(image)
    if array.shape != (DIGIT_SIDE, DIGIT_SIDE):
        raise ValueError(f"image must be a gray {DIGIT_SIDE} x {DIGIT_SIDE} picture; got shape "
                         f"{array.shape}")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if array.dtype.kind not in "fiu" or array.dtype == bool:
        raise ValueError(f"image must hold numbers; got dtype {array.dtype}")
    array = array.astype(np.float32)
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise ValueError("image must hold finite numbers from 0 to 1 (or be uint8)")
    return array


def window_columns(batch: np.ndarray, kh: int, kw: int) -> tuple[np.ndarray, int, int]:
    """Every kh x kw window of a batch as one row (the "im2col" layout), and the output size.

    Parameters
    ----------
    batch : numpy.ndarray
        (N, C, H, W).
    kh, kw : int
        The window's height and width.

    Returns
    -------
    columns : numpy.ndarray
        (N * H' * W', C * kh * kw): row (n, y, x) holds channel by channel the window whose
        top-left corner is at x, y, in the order of a (C, kh, kw) filter.
    out_h, out_w : int
        H' = H - kh + 1 and W' = W - kw + 1.

    Examples
    --------
    >>> window_columns(np.arange(9.0).reshape(1, 1, 3, 3), 2, 2)[0][1]
    array([1., 2., 4., 5.])
    """
    windows = np.lib.stride_tricks.sliding_window_view(batch, (kh, kw), axis=(2, 3))
    count, channels, out_h, out_w = windows.shape[:4]
    columns = windows.transpose(0, 2, 3, 1, 4, 5).reshape(count * out_h * out_w, -1)
    return columns, out_h, out_w


def correlate_valid(inputs: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A valid convolution layer: every filter's window sums across channels, plus its bias.

    Parameters
    ----------
    inputs : numpy.ndarray
        (C, H, W), or a batch (N, C, H, W).
    weights : numpy.ndarray
        (K, C, kh, kw).
    bias : numpy.ndarray
        (K,).

    Returns
    -------
    numpy.ndarray
        (K, H - kh + 1, W - kw + 1) (with N in front for a batch), in the inputs' dtype.

    Examples
    --------
    >>> picture = np.arange(9.0).reshape(1, 3, 3)
    >>> correlate_valid(picture, np.ones((1, 1, 2, 2)), np.array([0.5]))
    array([[[ 8.5, 12.5],
            [20.5, 24.5]]])
    """
    batch = inputs if inputs.ndim == 4 else inputs[None]
    columns, out_h, out_w = window_columns(batch, *weights.shape[2:])
    out = columns @ weights.reshape(len(weights), -1).T.astype(inputs.dtype, copy=False)
    out = out.reshape(len(batch), out_h, out_w, -1).transpose(0, 3, 1, 2)
    out = (out + bias[None, :, None, None]).astype(inputs.dtype, copy=False)
    return out if inputs.ndim == 4 else out[0]


def max_pool(values: np.ndarray) -> np.ndarray:
    """2 x 2 max pooling, stride 2, over the last two axes (an odd last row or column is dropped).

    Parameters
    ----------
    values : numpy.ndarray
        (..., H, W).

    Returns
    -------
    numpy.ndarray
        (..., H // 2, W // 2).

    Examples
    --------
    >>> max_pool(np.arange(16).reshape(4, 4))
    array([[ 5,  7],
           [13, 15]])
    """
    height, width = values.shape[-2] // POOL * POOL, values.shape[-1] // POOL * POOL
    cut = values[..., :height, :width]
    shape = cut.shape[:-2] + (height // POOL, POOL, width // POOL, POOL)
    return cut.reshape(shape).max(axis=(-3, -1))


def pooling_window(maps, channel: int, x: int, y: int) -> tuple[np.ndarray, tuple[int, int]]:
    """The 2 x 2 window of `maps` that pooled unit (channel, x, y) takes the largest of.

    Parameters
    ----------
    maps : array_like
        (C, H, W): the maps before pooling (after ReLU).
    channel, x, y : int
        The pooled unit: its map and its column and row in the pooled map, 0-based.

    Returns
    -------
    window : numpy.ndarray
        (2, 2): window[j, i] is the map's value at x = 2 * x + i, y = 2 * y + j.
    winner : tuple of int
        (x, y) in the map before pooling of the value kept: the first largest, row by row.

    Examples
    --------
    >>> pooling_window(np.arange(16.0).reshape(1, 4, 4), 0, 1, 0)
    (array([[2., 3.],
           [6., 7.]]), (3, 1))
    """
    values = np.asarray(maps)
    if values.ndim != 3:
        raise ValueError(f"maps must have shape (channels, height, width); got {values.shape}")
    channels, height, width = values.shape
    for name, value, limit in (("channel", channel, channels), ("x", x, width // POOL),
                               ("y", y, height // POOL)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not (
                0 <= value < limit):
            raise ValueError(f"{name} must be a whole number from 0 to {limit - 1}; "
                             f"got {value!r}")
    window = values[channel, POOL * y:POOL * y + POOL, POOL * x:POOL * x + POOL]
    row, column = divmod(int(np.argmax(window)), POOL)
    return window.copy(), (POOL * x + column, POOL * y + row)


def softmax(scores: np.ndarray) -> np.ndarray:
    """Scores as probabilities along the last axis (shifted by the largest, so exp cannot overflow).

    Parameters
    ----------
    scores : numpy.ndarray
        (..., classes).

    Returns
    -------
    numpy.ndarray
        Same shape, each row positive and summing to 1.

    Examples
    --------
    >>> softmax(np.array([0.0, np.log(3.0)]))
    array([0.25, 0.75])
    """
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Activations:
    """Every stage of one picture's forward pass (float32), named as in ``STAGES``.

    Attributes
    ----------
    image : numpy.ndarray
        (20, 20) the input, in [0, 1].
    conv1, relu1, pool1 : numpy.ndarray
        (6, 16, 16), (6, 16, 16), (6, 8, 8).
    conv2, relu2, pool2 : numpy.ndarray
        (12, 6, 6), (12, 6, 6), (12, 3, 3).
    flat : numpy.ndarray
        (108,) pool2 in (channel, y, x) order.
    scores : numpy.ndarray
        (10,) the dense layer's output, one per digit.
    probabilities : numpy.ndarray
        (10,) softmax of the scores.
    """

    image: np.ndarray
    conv1: np.ndarray
    relu1: np.ndarray
    pool1: np.ndarray
    conv2: np.ndarray
    relu2: np.ndarray
    pool2: np.ndarray
    flat: np.ndarray
    scores: np.ndarray
    probabilities: np.ndarray

    @property
    def predicted(self) -> int:
        """The digit with the highest probability.

        Returns
        -------
        int
            0 to 9.

        Examples
        --------
        >>> from convkit.lessons.digits import digit_images
        >>> images, labels = digit_images(1, seed=3)
        >>> forward(load_network(), images[0]).predicted == int(labels[0])
        True
        """
        return int(np.argmax(self.probabilities))


def forward(network: DigitNetwork, image) -> Activations:
    """Run one picture through the network, keeping every layer's output.

    Parameters
    ----------
    network : DigitNetwork
        The weights (``load_network()`` for the shipped ones).
    image : array_like
        Gray 20 x 20: float in [0, 1] (0 background, 1 ink) or uint8 (divided by 255).

    Returns
    -------
    Activations
        Every stage, from conv1 to the probabilities.

    Examples
    --------
    >>> activations = forward(load_network(), np.zeros((20, 20)))
    >>> activations.pool2.shape, round(float(activations.probabilities.sum()), 5)
    ((12, 3, 3), 1.0)
    """
    picture = _check_picture(image)
    conv1 = correlate_valid(picture[None], network.conv1_weights, network.conv1_bias)
    relu1 = np.maximum(conv1, 0)
    pool1 = max_pool(relu1)
    conv2 = correlate_valid(pool1, network.conv2_weights, network.conv2_bias)
    relu2 = np.maximum(conv2, 0)
    pool2 = max_pool(relu2)
    flat = pool2.reshape(-1)
    scores = network.dense_weights @ flat + network.dense_bias
    return Activations(picture, conv1, relu1, pool1, conv2, relu2, pool2, flat, scores,
                       softmax(scores))


def digit_receptive_field(layer: str, x: int, y: int) -> tuple[int, int, int, int]:
    """The input pixels that can change one unit of a layer: its theoretical receptive field.

    Walking down from the unit, a layer with kernel side k and stride s turns the span
    [first, last] of its output into [first * s, last * s + k - 1] of its input.

    Parameters
    ----------
    layer : {"conv1", "pool1", "conv2", "pool2"}
        The layer of the unit (relu1/relu2 units have the receptive field of conv1/conv2's).
    x, y : int
        The unit's column and row in that layer's maps, 0-based.

    Returns
    -------
    tuple of int
        (x_first, y_first, x_last, y_last) on the 20 x 20 input, inclusive.

    Examples
    --------
    >>> digit_receptive_field("conv2", x=1, y=0)
    (2, 0, 11, 9)
    """
    layer = {"relu1": "conv1", "relu2": "conv2"}.get(layer, layer)
    if layer not in _LAYER_STEPS:
        raise ValueError(f"layer must be one of {tuple(_LAYER_STEPS)}; got {layer!r}")
    side = {"conv1": 16, "pool1": 8, "conv2": 6, "pool2": 3}[layer]
    for name, value in (("x", x), ("y", y)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not (
                0 <= value < side):
            raise ValueError(f"{name} must be a whole number from 0 to {side - 1} in {layer}; "
                             f"got {value!r}")
    x_first, x_last, y_first, y_last = int(x), int(x), int(y), int(y)
    for kernel, stride in reversed(_LAYER_STEPS[layer]):
        x_first, x_last = x_first * stride, x_last * stride + kernel - 1
        y_first, y_last = y_first * stride, y_last * stride + kernel - 1
    return x_first, y_first, x_last, y_last


@dataclass(frozen=True)
class UnitBreakdown:
    """One convolution unit's value worked out: block times weights, per channel, bias, ReLU.

    Attributes
    ----------
    layer : str
        "conv1" or "conv2".
    channel, x, y : int
        The unit: its filter (output map) and its column and row in that map.
    block : numpy.ndarray
        (C, kh, kw) float32: the layer's input under the window (the picture for conv1, pool1's
        maps for conv2); block[c, j, i] is channel c at x = x + i, y = y + j of that input.
    weights : numpy.ndarray
        (C, kh, kw) float32: the filter.
    products : numpy.ndarray
        block * weights.
    channel_sums : numpy.ndarray
        (C,) each channel's sum of products.
    bias : float
    total : float
        Sum of channel_sums plus bias: the unit before ReLU (the conv map's value).
    activated : float
        max(0, total): the unit after ReLU.
    receptive_field : tuple of int
        (x_first, y_first, x_last, y_last) on the input picture, inclusive.
    input_pixels : numpy.ndarray
        The input picture's pixels inside the receptive field.
    """

    layer: str
    channel: int
    x: int
    y: int
    block: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray
    bias: float
    total: float
    activated: float
    receptive_field: tuple[int, int, int, int]
    input_pixels: np.ndarray


def explain_unit(network: DigitNetwork, image, layer: str, channel: int, x: int,
                 y: int) -> UnitBreakdown:
    """Work out one unit of a convolution layer down to its input block and weights.

    Parameters
    ----------
    network : DigitNetwork
        The weights.
    image : array_like
        The 20 x 20 input picture, as for ``forward``.
    layer : {"conv1", "conv2"}
        The convolution layer.
    channel : int
        The filter (output map): 0-5 in conv1, 0-11 in conv2.
    x, y : int
        The unit's column and row in that map: 0-15 in conv1, 0-5 in conv2.

    Returns
    -------
    UnitBreakdown
        Block, weights, products, per-channel sums, bias, total, ReLU and receptive field.

    Examples
    --------
    A conv1 unit on a blank picture is its filter's bias:

    >>> network = load_network()
    >>> unit = explain_unit(network, np.zeros((20, 20)), "conv1", channel=0, x=3, y=0)
    >>> bool(unit.total == network.conv1_bias[0]), unit.receptive_field
    (True, (3, 0, 7, 4))
    """
    if layer not in CONV_LAYERS:
        raise ValueError(f"layer must be one of {CONV_LAYERS}; got {layer!r}")
    picture = _check_picture(image)
    if layer == "conv1":
        inputs, weights, biases = picture[None], network.conv1_weights, network.conv1_bias
    else:
        inputs = max_pool(np.maximum(correlate_valid(
            picture[None], network.conv1_weights, network.conv1_bias), 0))
        weights, biases = network.conv2_weights, network.conv2_bias
    if isinstance(channel, bool) or not isinstance(channel, numbers.Integral) or not (
            0 <= channel < len(biases)):
        raise ValueError(f"channel must be a whole number from 0 to {len(biases) - 1} in "
                         f"{layer}; got {channel!r}")
    box = digit_receptive_field(layer, x, y)
    kh, kw = weights.shape[2:]
    block = inputs[:, y:y + kh, x:x + kw]
    products = block * weights[channel]
    channel_sums = products.sum(axis=(1, 2), dtype=np.float32)
    total = float(np.float32(channel_sums.sum(dtype=np.float32) + biases[channel]))
    return UnitBreakdown(layer, int(channel), int(x), int(y), block, weights[channel], products,
                         channel_sums, float(biases[channel]), total, max(total, 0.0), box,
                         picture[box[1]:box[3] + 1, box[0]:box[2] + 1])


#: Gap between maps in ``maps_picture``, in pixels of the enlarged picture.
MAP_GAP = 2


def maps_picture(maps, scale: int = 4, per_row: int | None = None) -> np.ndarray:
    """A layer's maps as one gray picture, enlarged ``scale`` times, ``per_row`` to a row.

    Every value becomes a scale x scale block: brightness 255 at the layer's largest value,
    0 at 0 or below; the maps stand MAP_GAP pixels apart, across and down, on a mid-gray
    (128) background, in rows of ``per_row`` maps (all in one row by default), left to right
    and top to bottom.

    Parameters
    ----------
    maps : array_like
        (C, H, W) numbers (an input picture is one map: (1, H, W)).
    scale : int
        Enlargement, 1 to 16.
    per_row : int, optional
        Maps to a row, 1 or more; all C by default.

    Returns
    -------
    numpy.ndarray
        uint8, (R * H * scale + (R - 1) * MAP_GAP, N * W * scale + (N - 1) * MAP_GAP), with N
        maps to a row and R rows.

    Examples
    --------
    >>> maps_picture(np.array([[[0.0, 4.0]], [[1.0, -1.0]]]), scale=1)
    array([[  0, 255, 128, 128,  64,   0]], dtype=uint8)
    >>> maps_picture(np.array([[[0.0, 4.0]], [[1.0, -1.0]]]), scale=1, per_row=1)
    array([[  0, 255],
           [128, 128],
           [128, 128],
           [ 64,   0]], dtype=uint8)
    """
    values = np.asarray(maps, dtype=np.float64)
    if values.ndim != 3 or 0 in values.shape or not np.all(np.isfinite(values)):
        raise ValueError(f"maps must be finite numbers of shape (channels, height, width); got "
                         f"shape {values.shape}")
    _check_scale(scale)
    top = values.max()
    levels = np.zeros_like(values) if top <= 0 else np.clip(values / top, 0, 1)
    levels = np.rint(levels * 255).astype(np.uint8).repeat(scale, axis=1).repeat(scale, axis=2)
    channels, height, width = levels.shape
    across, down = _grid_of_maps(channels, per_row)
    picture = np.full((down * height + (down - 1) * MAP_GAP,
                       across * width + (across - 1) * MAP_GAP), 128, np.uint8)
    for channel in range(channels):
        row, column = divmod(channel, across)
        top, left = row * (height + MAP_GAP), column * (width + MAP_GAP)
        picture[top:top + height, left:left + width] = levels[channel]
    return picture


def _check_scale(scale) -> None:
    if isinstance(scale, bool) or not isinstance(scale, numbers.Integral) or not 1 <= scale <= 16:
        raise ValueError(f"scale must be a whole number from 1 to 16; got {scale!r}")


def _grid_of_maps(channels: int, per_row: int | None) -> tuple[int, int]:
    """(maps across, rows of maps) of ``channels`` maps laid ``per_row`` to a row."""
    if per_row is None:
        return channels, 1
    across = min(check_positive_int(per_row, "per_row"), channels)
    return across, -(-channels // across)


def unit_at_picture_pixel(column: int, row: int, shape: tuple[int, int, int],
                          scale: int = 4, per_row: int | None = None
                          ) -> tuple[int, int, int] | None:
    """The unit under pixel (column, row) of ``maps_picture``, drawn from maps of `shape`.

    Parameters
    ----------
    column, row : int
        The picture's pixel: x and y, 0-based.
    shape : tuple of int
        (channels, height, width) of the maps drawn.
    scale : int
        The enlargement the picture was drawn with.
    per_row : int, optional
        The maps to a row it was drawn with (all in one row by default).

    Returns
    -------
    tuple of int or None
        (channel, x, y) of the unit, all 0-based; None in a gap between maps, or where a last
        row has no map.

    Examples
    --------
    With 16 x 16 maps at scale 4, map 1 starts at column 64 + MAP_GAP = 66:

    >>> unit_at_picture_pixel(66 + 13, 9, (6, 16, 16)), unit_at_picture_pixel(64, 0, (6, 16, 16))
    ((1, 3, 2), None)

    Three to a row, map 4 is the second of the second row:

    >>> unit_at_picture_pixel(66 + 13, 66 + 9, (6, 16, 16), per_row=3)
    (4, 3, 2)
    """
    channels, height, width = (int(v) for v in shape)
    across, down = _grid_of_maps(channels, per_row)
    pitch_x, pitch_y = width * scale + MAP_GAP, height * scale + MAP_GAP
    picture_width, picture_height = across * pitch_x - MAP_GAP, down * pitch_y - MAP_GAP
    if not (0 <= column < picture_width and 0 <= row < picture_height):
        raise ValueError(f"pixel x={column}, y={row} is outside the {picture_width} x "
                         f"{picture_height} picture")
    map_column, inside_x = divmod(int(column), pitch_x)
    map_row, inside_y = divmod(int(row), pitch_y)
    channel = map_row * across + map_column
    if inside_x >= width * scale or inside_y >= height * scale or channel >= channels:
        return None
    return channel, inside_x // scale, inside_y // scale


def unit_picture_centre(channel: int, x: int, y: int, shape: tuple[int, int, int],
                        scale: int = 4, per_row: int | None = None) -> tuple[int, int]:
    """The pixel (x, y) of ``maps_picture`` at the middle of one unit's block (maps of `shape`).

    The inverse of ``unit_at_picture_pixel``: the block of unit (channel, x, y) starts x *
    scale pixels right of and y * scale pixels below its map's corner, and is scale pixels
    wide; this is the pixel right of and below its middle.

    Parameters
    ----------
    channel, x, y : int
        The unit: its map and its column and row in that map, 0-based.
    shape : tuple of int
        (channels, height, width) of the maps drawn.
    scale : int
        The enlargement the picture was drawn with.
    per_row : int, optional
        The maps to a row it was drawn with (all in one row by default).

    Returns
    -------
    tuple of int
        (x, y) of the picture's pixel.

    Examples
    --------
    >>> unit_picture_centre(1, 3, 2, (6, 16, 16))
    (80, 10)
    >>> unit_at_picture_pixel(80, 10, (6, 16, 16))
    (1, 3, 2)
    >>> unit_picture_centre(4, 3, 2, (6, 16, 16), per_row=3)
    (80, 76)
    """
    channels, height, width = (int(v) for v in shape)
    across, _ = _grid_of_maps(channels, per_row)
    map_row, map_column = divmod(int(channel), across)
    return (map_column * (width * scale + MAP_GAP) + x * scale + scale // 2,
            map_row * (height * scale + MAP_GAP) + y * scale + scale // 2)
