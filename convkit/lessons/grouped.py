"""One layer in four forms: standard, grouped, depthwise and depthwise-separable convolution,
with what each costs in parameters and multiply-adds.

Volumes are channels first, (C, H, W), as in PyTorch; weights are (C_out, C_in / groups, kh,
kw). Every form is a correlation (no flip) with stride 1 and no padding ("valid"), so an output
map is (H - kh + 1) x (W - kw + 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core._validation import check_positive_int
from .layers import MAX_LAYER_KERNEL

#: Most channels a volume or a layer takes here (in or out).
MAX_FORM_CHANNELS = 64
#: Largest side of a volume the forms compute (the costs take sizes up to MAX_COST_SIDE).
MAX_FORM_SIDE = 64
#: Largest input side the cost table is asked about (a 4K frame's long side).
MAX_COST_SIDE = 4096
#: The four forms, in the order the page shows them.
FORMS = ("standard", "grouped", "depthwise", "separable")


def _check_volume(volume) -> np.ndarray:
    try:
        array = np.asarray(volume, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"volume must hold numbers only; {error}") from None
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(f"volume must be (channels, height, width); got shape {array.shape}")
    if array.shape[0] > MAX_FORM_CHANNELS or max(array.shape[1:]) > MAX_FORM_SIDE:
        raise ValueError(f"volume must have at most {MAX_FORM_CHANNELS} channels and sides of "
                         f"at most {MAX_FORM_SIDE}; got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("volume must be finite numbers; got NaN or infinity")
    return array


def _check_weights(weights, ndim: int, name: str) -> np.ndarray:
    try:
        array = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold numbers only; {error}") from None
    if array.ndim != ndim or 0 in array.shape:
        raise ValueError(f"{name} must have {ndim} axes; got shape {array.shape}")
    if array.shape[0] > MAX_FORM_CHANNELS or (ndim == 4 and max(array.shape[2:])
                                              > MAX_LAYER_KERNEL):
        raise ValueError(f"{name} must have at most {MAX_FORM_CHANNELS} output channels and "
                         f"kernel sides of at most {MAX_LAYER_KERNEL}; got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers; got NaN or infinity")
    return array


def _check_groups(groups, c_in: int, c_out: int) -> int:
    groups = check_positive_int(groups, "groups")
    if c_in % groups or c_out % groups:
        raise ValueError(f"groups must divide both the input channels ({c_in}) and the output "
                         f"channels ({c_out}); got {groups}")
    return groups


def grouped_conv(volume, weights, groups: int = 1, bias=None) -> np.ndarray:
    """A convolutional layer whose channels are split into `groups` independent groups.

    Output channel o belongs to group g = o // (C_out / groups) and sees only that group's
    C_in / groups input channels; groups=1 is the standard layer, groups=C_in depthwise.

    Parameters
    ----------
    volume : array_like
        (C_in, H, W) input.
    weights : array_like
        (C_out, C_in / groups, kh, kw): one kh x kw slice per output channel and input channel
        of its group.
    groups : int, optional
        Must divide C_in and C_out. Default 1.
    bias : array_like, optional
        (C_out,) added to each output map. Default none.

    Returns
    -------
    numpy.ndarray
        (C_out, H - kh + 1, W - kw + 1) float64.

    Examples
    --------
    Two channels in two groups: each output sees only its own channel.

    >>> x = np.stack([np.ones((2, 2)), 2 * np.ones((2, 2))])
    >>> grouped_conv(x, np.ones((2, 1, 1, 1)), groups=2)[:, 0, 0].tolist()
    [1.0, 2.0]
    """
    array = _check_volume(volume)
    kernel = _check_weights(weights, 4, "weights")
    c_in, c_out = array.shape[0], kernel.shape[0]
    groups = _check_groups(groups, c_in, c_out)
    if kernel.shape[1] != c_in // groups:
        raise ValueError(f"weights must have C_in / groups = {c_in // groups} input slices per "
                         f"output channel; got {kernel.shape[1]}")
    kh, kw = kernel.shape[2:]
    if kh > array.shape[1] or kw > array.shape[2]:
        raise ValueError(f"the kernel ({kh} x {kw}) must fit in the input ({array.shape[1]} x "
                         f"{array.shape[2]})")
    windows = np.lib.stride_tricks.sliding_window_view(array, (kh, kw), axis=(1, 2))
    per_in, per_out = c_in // groups, c_out // groups
    maps = []
    for group in range(groups):
        inputs = windows[group * per_in:(group + 1) * per_in]
        slices = kernel[group * per_out:(group + 1) * per_out]
        maps.append(np.einsum("chwij,ocij->ohw", inputs, slices))
    result = np.concatenate(maps)
    if bias is not None:
        offsets = np.asarray(bias, dtype=np.float64)
        if offsets.shape != (c_out,) or not np.all(np.isfinite(offsets)):
            raise ValueError(f"bias must be {c_out} finite numbers; got {offsets.shape}")
        result = result + offsets[:, None, None]
    return result


def depthwise_conv(volume, weights) -> np.ndarray:
    """Each input channel filtered by its own kh x kw kernel: `grouped_conv` with groups=C_in.

    Parameters
    ----------
    volume : array_like
        (C_in, H, W) input.
    weights : array_like
        (C_in, kh, kw): one kernel per input channel.

    Returns
    -------
    numpy.ndarray
        (C_in, H - kh + 1, W - kw + 1) float64: the channels are not mixed.

    Examples
    --------
    >>> depthwise_conv(np.ones((2, 3, 3)), [[[1]], [[-1]]])[:, 0, 0].tolist()
    [1.0, -1.0]
    """
    kernel = _check_weights(weights, 3, "depthwise weights")
    array = _check_volume(volume)
    return grouped_conv(array, kernel[:, None], groups=array.shape[0])


def separable_conv(volume, depthwise, pointwise) -> np.ndarray:
    """Depthwise-separable convolution: `depthwise_conv`, then a 1 x 1 mixing layer.

    Parameters
    ----------
    volume : array_like
        (C_in, H, W) input.
    depthwise : array_like
        (C_in, kh, kw): one kernel per input channel.
    pointwise : array_like
        (C_out, C_in): output channel o is sum over c of pointwise[o, c] times filtered
        channel c (a 1 x 1 layer).

    Returns
    -------
    numpy.ndarray
        (C_out, H - kh + 1, W - kw + 1) float64.

    Examples
    --------
    >>> separable_conv(np.ones((2, 2, 2)), np.ones((2, 1, 1)), [[1, 2]])[0].tolist()
    [[3.0, 3.0], [3.0, 3.0]]
    """
    filtered = depthwise_conv(volume, depthwise)
    mixing = _check_weights(pointwise, 2, "pointwise weights")
    if mixing.shape[1] != filtered.shape[0]:
        raise ValueError(f"pointwise weights must be (C_out, {filtered.shape[0]}); got "
                         f"{mixing.shape}")
    return grouped_conv(filtered, mixing[:, :, None, None])


@dataclass(frozen=True)
class LayerCost:
    """What one form of a layer costs.

    `parameters` counts weights only, `with_bias` adds one bias per output map of each stage;
    `multiply_adds` is for one input of the given size (valid output, stride 1).
    """

    form: str
    output_channels: int
    parameters: int
    with_bias: int
    multiply_adds: int


def layer_costs(c_in: int, c_out: int, kernel: int, groups: int, height: int,
                width: int) -> tuple[LayerCost, ...]:
    """The parameters and multiply-adds of one layer in each of the four `FORMS`.

    Parameters
    ----------
    c_in, c_out : int
        Input and output channels (1 to MAX_FORM_CHANNELS).
    kernel : int
        The kernel's side k (k x k, 1 to MAX_LAYER_KERNEL).
    groups : int
        The grouped form's groups; must divide c_in and c_out.
    height, width : int
        The input's size (k to MAX_COST_SIDE).

    Returns
    -------
    tuple of LayerCost
        Standard, grouped, depthwise (C_in outputs) and separable, in that order.

    Examples
    --------
    >>> [c.parameters for c in layer_costs(4, 8, 3, 2, 10, 10)]
    [288, 144, 36, 68]
    """
    c_in = _bounded(c_in, "c_in", MAX_FORM_CHANNELS)
    c_out = _bounded(c_out, "c_out", MAX_FORM_CHANNELS)
    kernel = _bounded(kernel, "kernel", MAX_LAYER_KERNEL)
    groups = _check_groups(groups, c_in, c_out)
    height = _bounded(height, "height", MAX_COST_SIDE)
    width = _bounded(width, "width", MAX_COST_SIDE)
    if kernel > min(height, width):
        raise ValueError(f"kernel ({kernel}) must fit in the input ({height} x {width})")
    positions = (height - kernel + 1) * (width - kernel + 1)
    taps = kernel * kernel
    standard = c_out * c_in * taps
    grouped = c_out * (c_in // groups) * taps
    depthwise = c_in * taps
    pointwise = c_out * c_in
    return (
        LayerCost("standard", c_out, standard, standard + c_out, standard * positions),
        LayerCost("grouped", c_out, grouped, grouped + c_out, grouped * positions),
        LayerCost("depthwise", c_in, depthwise, depthwise + c_in, depthwise * positions),
        LayerCost("separable", c_out, depthwise + pointwise, depthwise + pointwise + c_in + c_out,
                  (depthwise + pointwise) * positions),
    )


def _bounded(value, name: str, high: int) -> int:
    value = check_positive_int(value, name)
    if value > high:
        raise ValueError(f"{name} must be at most {high}; got {value}")
    return value


def example_forms(volume, c_out: int, kernel: int, groups: int,
                  seed: int = 0) -> dict[str, np.ndarray]:
    """The same input through each form, with seeded random weights.

    Weights are normal with standard deviation 1 / sqrt(fan-in), so every form's outputs have
    the input's scale.

    Parameters
    ----------
    volume : array_like
        (C_in, H, W) input.
    c_out : int
        Output channels of the standard, grouped and separable forms.
    kernel : int
        The kernels' side k.
    groups : int
        The grouped form's groups; must divide C_in and c_out.
    seed : int, optional
        Seed of the weights. Default 0.

    Returns
    -------
    dict
        Outputs under "standard", "grouped", "depthwise", "separable"; weights under
        "standard weights", "grouped weights", "depthwise weights", "pointwise weights".

    Examples
    --------
    >>> forms = example_forms(np.ones((2, 4, 4)), 4, 3, 2)
    >>> forms["grouped"].shape, forms["depthwise"].shape, forms["pointwise weights"].shape
    ((4, 2, 2), (2, 2, 2), (4, 2))
    """
    array = _check_volume(volume)
    c_in = array.shape[0]
    c_out = _bounded(c_out, "c_out", MAX_FORM_CHANNELS)
    kernel = _bounded(kernel, "kernel", MAX_LAYER_KERNEL)
    groups = _check_groups(groups, c_in, c_out)
    rng = np.random.default_rng(seed)
    taps = kernel * kernel
    standard = rng.normal(0, 1 / np.sqrt(c_in * taps), (c_out, c_in, kernel, kernel))
    grouped = rng.normal(0, 1 / np.sqrt(c_in // groups * taps),
                         (c_out, c_in // groups, kernel, kernel))
    depthwise = rng.normal(0, 1 / np.sqrt(taps), (c_in, kernel, kernel))
    pointwise = rng.normal(0, 1 / np.sqrt(c_in), (c_out, c_in))
    return {
        "standard": grouped_conv(array, standard),
        "grouped": grouped_conv(array, grouped, groups),
        "depthwise": depthwise_conv(array, depthwise),
        "separable": separable_conv(array, depthwise, pointwise),
        "standard weights": standard, "grouped weights": grouped,
        "depthwise weights": depthwise, "pointwise weights": pointwise,
    }
