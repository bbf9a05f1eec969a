"""How far down a deep unit sees: the theoretical receptive field of a stack of layers (closed
form) and the effective one (the unit's gradient with respect to the input, by backprop).

Every layer here is one channel, a correlation with kernel k, stride s and dilation d and no
padding ("valid"). Pixels are (x, y), 0-based: x the column, y the row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core._validation import check_positive_int
from .geometry import effective_size
from .layers import MAX_LAYER_KERNEL

#: Most layers in a stack.
MAX_STACK_LAYERS = 6
#: Largest stride and dilation of a stack's layer.
MAX_STACK_STRIDE, MAX_STACK_DILATION = 3, 4
#: Largest input side the effective receptive field is computed on.
MAX_FIELD_SIDE = 128
#: How a stack's weights are chosen.
FIELD_WEIGHTS = ("uniform", "random")


@dataclass(frozen=True)
class StackLayer:
    """One layer of a stack: kernel side, stride and dilation."""

    kernel: int
    stride: int = 1
    dilation: int = 1


def _check_stack(layers) -> tuple[StackLayer, ...]:
    layers = tuple(layers)
    if not 1 <= len(layers) <= MAX_STACK_LAYERS:
        raise ValueError(f"a stack must have 1 to {MAX_STACK_LAYERS} layers; got {len(layers)}")
    checked = []
    for number, layer in enumerate(layers, 1):
        if not isinstance(layer, StackLayer):
            layer = StackLayer(*layer)
        for name, value, high in (("kernel", layer.kernel, MAX_LAYER_KERNEL),
                                  ("stride", layer.stride, MAX_STACK_STRIDE),
                                  ("dilation", layer.dilation, MAX_STACK_DILATION)):
            value = check_positive_int(value, f"layer {number}'s {name}")
            if value > high:
                raise ValueError(f"layer {number}'s {name} must be at most {high}; got {value}")
        checked.append(StackLayer(int(layer.kernel), int(layer.stride), int(layer.dilation)))
    return tuple(checked)


@dataclass(frozen=True)
class ReceptiveField:
    """The theoretical receptive field of one unit of a stack's last layer.

    `sizes[l]` and `jumps[l]` are after layer l + 1 (the jump is the input distance between
    neighbouring units of that layer); `box` is (x0, y0, x1, y1), inclusive input pixels;
    `output_shapes[l]` is layer l + 1's map size for `input_shape`.
    """

    layers: tuple[StackLayer, ...]
    sizes: tuple[int, ...]
    jumps: tuple[int, ...]
    input_shape: tuple[int, int]
    output_shapes: tuple[tuple[int, int], ...]
    unit: tuple[int, int]
    box: tuple[int, int, int, int]

    @property
    def size(self) -> int:
        """The side of the last layer's receptive field, in input pixels."""
        return self.sizes[-1]


def stack_output_shapes(layers, input_shape) -> tuple[tuple[int, int], ...]:
    """Each layer's map size (rows, columns) for an input of `input_shape`.

    Parameters
    ----------
    layers : sequence of StackLayer or (kernel, stride, dilation)
        1 to MAX_STACK_LAYERS layers.
    input_shape : (int, int)
        The input's rows and columns.

    Returns
    -------
    tuple of (int, int)
        One (rows, columns) per layer; ValueError names the first layer whose window no
        longer fits its input.

    Examples
    --------
    >>> stack_output_shapes([(3, 2, 1), (3, 1, 2)], (11, 11))
    ((5, 5), (1, 1))
    """
    layers = _check_stack(layers)
    height, width = (check_positive_int(n, "input side") for n in input_shape)
    shapes = []
    for number, layer in enumerate(layers, 1):
        span = effective_size(layer.kernel, layer.dilation)
        if span > min(height, width):
            raise ValueError(f"layer {number}'s window spans {span} pixels but its input is "
                             f"only {height} x {width}: use a larger input or fewer, smaller "
                             "layers")
        height = (height - span) // layer.stride + 1
        width = (width - span) // layer.stride + 1
        shapes.append((height, width))
    return tuple(shapes)


def receptive_field(layers, input_shape, unit: tuple[int, int] | None = None) -> ReceptiveField:
    """The theoretical receptive field of unit (x, y) of the stack's last layer.

    With r_0 = 1 and j_0 = 1, each layer adds ``(k - 1) * d * j`` (j the jump before it):
    r_L = 1 + sum_l (k_l - 1) d_l prod_{i<l} s_i, j_L = prod_l s_l; unit (x, y) sees input
    pixels x * j_L to x * j_L + r_L - 1 (and likewise for y).

    Parameters
    ----------
    layers : sequence of StackLayer or (kernel, stride, dilation)
        1 to MAX_STACK_LAYERS layers.
    input_shape : (int, int)
        The input's rows and columns.
    unit : (int, int), optional
        (x, y) in the last layer's map; default its centre.

    Returns
    -------
    ReceptiveField
        Sizes and jumps after each layer, map sizes, the unit and its input box.

    Examples
    --------
    Two 3 x 3 layers see 5 x 5; a stride of 2 in the first makes the second's taps 2 apart:

    >>> receptive_field([(3, 1, 1), (3, 1, 1)], (9, 9)).size
    5
    >>> receptive_field([(3, 2, 1), (3, 1, 1)], (9, 9), unit=(1, 0)).box
    (2, 0, 8, 6)
    """
    layers = _check_stack(layers)
    shapes = stack_output_shapes(layers, input_shape)
    sizes, jumps, size, jump = [], [], 1, 1
    for layer in layers:
        size += (layer.kernel - 1) * layer.dilation * jump
        jump *= layer.stride
        sizes.append(size)
        jumps.append(jump)
    rows, cols = shapes[-1]
    if unit is None:
        unit = ((cols - 1) // 2, (rows - 1) // 2)
    x, y = unit
    for name, value, count in (("x", x, cols), ("y", y, rows)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
                or not 0 <= value < count:
            raise ValueError(f"unit {name} must be a whole number in 0..{count - 1} (the last "
                             f"layer's map is {cols} wide and {rows} high); got {value!r}")
    x, y = int(x), int(y)
    box = (x * jump, y * jump, x * jump + size - 1, y * jump + size - 1)
    return ReceptiveField(layers, tuple(sizes), tuple(jumps),
                          (int(input_shape[0]), int(input_shape[1])), shapes, (x, y), box)


def stack_weights(layers, kind: str = "uniform", seed: int = 0) -> list[np.ndarray]:
    """One k x k kernel per layer, uniform or seeded random.

    Parameters
    ----------
    layers : sequence of StackLayer or (kernel, stride, dilation)
        1 to MAX_STACK_LAYERS layers.
    kind : {"uniform", "random"}, optional
        "uniform": every weight 1 / k^2 (a box blur); "random": normal with standard
        deviation 1 / k. Default "uniform".
    seed : int, optional
        Seed of the random weights. Default 0.

    Returns
    -------
    list of numpy.ndarray
        One (k, k) float64 kernel per layer.

    Examples
    --------
    >>> stack_weights([(2, 1, 1)])[0].tolist()
    [[0.25, 0.25], [0.25, 0.25]]
    """
    layers = _check_stack(layers)
    if kind not in FIELD_WEIGHTS:
        raise ValueError(f"kind must be one of {FIELD_WEIGHTS}; got {kind!r}")
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        return [np.full((la.kernel, la.kernel), 1 / la.kernel ** 2) for la in layers]
    return [rng.normal(0, 1 / la.kernel, (la.kernel, la.kernel)) for la in layers]


def _check_kernels(layers, weights) -> list[np.ndarray]:
    kernels = [np.asarray(w, dtype=np.float64) for w in weights]
    if len(kernels) != len(layers) or any(
            w.shape != (la.kernel, la.kernel) or not np.all(np.isfinite(w))
            for w, la in zip(kernels, layers, strict=False)):
        raise ValueError("weights must be one finite k x k kernel per layer, in order")
    return kernels


def _check_field_image(image) -> np.ndarray:
    array = np.asarray(image, dtype=np.float64)
    if array.ndim != 2 or max(array.shape) > MAX_FIELD_SIDE or not np.all(np.isfinite(array)):
        raise ValueError(f"image must be a finite 2-D array with sides of at most "
                         f"{MAX_FIELD_SIDE}; got shape {array.shape}")
    return array


def stack_forward(image, layers, weights) -> np.ndarray:
    """The last layer's map: each layer a valid correlation with its stride and dilation.

    Parameters
    ----------
    image : array_like
        2-D input, sides at most MAX_FIELD_SIDE.
    layers : sequence of StackLayer or (kernel, stride, dilation)
        1 to MAX_STACK_LAYERS layers.
    weights : sequence of array_like
        One (k, k) kernel per layer (`stack_weights`).

    Returns
    -------
    numpy.ndarray
        The last layer's map, float64.

    Examples
    --------
    >>> stack_forward(np.arange(9.0).reshape(3, 3), [(3, 1, 1)], [np.ones((3, 3))]).tolist()
    [[36.0]]
    """
    layers = _check_stack(layers)
    kernels = _check_kernels(layers, weights)
    values = _check_field_image(image)
    stack_output_shapes(layers, values.shape)
    for layer, kernel in zip(layers, kernels, strict=True):
        span = effective_size(layer.kernel, layer.dilation)
        rows = (values.shape[0] - span) // layer.stride + 1
        cols = (values.shape[1] - span) // layer.stride + 1
        out = np.zeros((rows, cols))
        for i in range(layer.kernel):
            for j in range(layer.kernel):
                top, left = i * layer.dilation, j * layer.dilation
                out += kernel[i, j] * values[top:top + layer.stride * (rows - 1) + 1:layer.stride,
                                             left:left + layer.stride * (cols - 1) + 1:layer.stride]
        values = out
    return values


def effective_receptive_field(layers, weights, input_shape,
                              unit: tuple[int, int] | None = None) -> np.ndarray:
    """The gradient of last-layer unit (x, y) with respect to every input pixel.

    Backprop through a linear stack: an impulse at the unit goes down through the transpose of
    each layer (every output scatters its gradient, times each weight, onto the inputs that
    tap fed it).

    Parameters
    ----------
    layers : sequence of StackLayer or (kernel, stride, dilation)
        1 to MAX_STACK_LAYERS layers.
    weights : sequence of array_like
        One (k, k) kernel per layer (`stack_weights`).
    input_shape : (int, int)
        The input's rows and columns, at most MAX_FIELD_SIDE each.
    unit : (int, int), optional
        (x, y) in the last layer's map; default its centre.

    Returns
    -------
    numpy.ndarray
        `input_shape` float64; zero outside the theoretical receptive field.

    Examples
    --------
    >>> effective_receptive_field([(2, 1, 1)], [np.array([[1.0, 2], [3, 4]])], (2, 3),
    ...                           unit=(1, 0)).tolist()
    [[0.0, 1.0, 2.0], [0.0, 3.0, 4.0]]
    """
    field = receptive_field(layers, input_shape, unit)
    kernels = _check_kernels(field.layers, weights)
    if max(input_shape) > MAX_FIELD_SIDE:
        raise ValueError(f"input sides must be at most {MAX_FIELD_SIDE}; got {input_shape}")
    gradient = np.zeros(field.output_shapes[-1])
    x, y = field.unit
    gradient[y, x] = 1.0
    below = (field.input_shape, *field.output_shapes[:-1])
    for layer, kernel, shape in zip(reversed(field.layers), reversed(kernels), reversed(below),
                                    strict=True):
        rows, cols = gradient.shape
        downward = np.zeros(shape)
        for i in range(layer.kernel):
            for j in range(layer.kernel):
                top, left = i * layer.dilation, j * layer.dilation
                downward[top:top + layer.stride * (rows - 1) + 1:layer.stride,
                         left:left + layer.stride * (cols - 1) + 1:layer.stride] += (
                    kernel[i, j] * gradient)
        gradient = downward
    return gradient


def field_pictures(image, field: ReceptiveField,
                   erf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The input with the theoretical box outlined, and the effective field as a heat picture.

    Both are magnified by a whole factor to about 256 px; the box's frame is a yellow line with
    a black one inside it, so it shows on dark and light pixels alike.

    Parameters
    ----------
    image : array_like
        The 2-D input the field was computed for (stretched to black..white).
    field : ReceptiveField
        The theoretical field (`receptive_field`).
    erf : numpy.ndarray
        The effective field (`effective_receptive_field`), its magnitude shown from white (0)
        to dark red (the largest), inside a gray edge.

    Returns
    -------
    tuple of numpy.ndarray
        Two RGB uint8 pictures of the same size.

    Examples
    --------
    >>> field = receptive_field([(3, 1, 1)], (4, 4), unit=(0, 0))
    >>> erf = effective_receptive_field([(3, 1, 1)], stack_weights([(3, 1, 1)]), (4, 4), (0, 0))
    >>> [p.shape for p in field_pictures(np.zeros((4, 4)), field, erf)]
    [(256, 256, 3), (256, 256, 3)]
    """
    gray = _check_field_image(image)
    if gray.shape != field.input_shape or erf.shape != field.input_shape:
        raise ValueError("image, field and effective field must be the same size")
    scale = max(1, 256 // max(gray.shape))
    low, high = float(gray.min()), float(gray.max())
    level = (gray - low) / (high - low) if high > low else np.zeros_like(gray)
    base = np.repeat((level * 255)[..., None], 3, axis=2)
    strength = np.abs(erf)
    peak = float(strength.max())
    share = strength / peak if peak > 0 else strength
    heat = np.stack([255 - share * (255 - 128), 255 - share * 255, 255 - share * 255], axis=2)
    heat = _framed(heat, field.box, scale)
    # A gray edge shows where the mostly white heat picture ends on a white page.
    heat[[0, -1], :] = heat[:, [0, -1]] = 128
    return _framed(base, field.box, scale), heat


def _framed(picture: np.ndarray, box: tuple[int, int, int, int], scale: int) -> np.ndarray:
    big = np.kron(picture, np.ones((scale, scale, 1))).round().astype(np.uint8)
    x0, y0, x1, y1 = (v * scale for v in box)
    x1, y1 = x1 + scale - 1, y1 + scale - 1
    # A black line inside a yellow one: visible on dark and light pixels alike.
    for inset, colour in ((0, (255, 210, 0)), (1, (0, 0, 0))):
        top, bottom = min(y0 + inset, y1), max(y1 - inset, y0)
        left, right = min(x0 + inset, x1), max(x1 - inset, x0)
        big[top, left:right + 1] = colour
        big[bottom, left:right + 1] = colour
        big[top:bottom + 1, left] = colour
        big[top:bottom + 1, right] = colour
    return big
