"""1-D convolution over a signal: 'same' centred against causal (the output at t reads only
inputs up to t), with dilation, as in PyTorch's Conv1d and WaveNet's causal layers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Longest signal a visitor can slide a window over (every output is listed on the page).
MAX_SIGNAL_LENGTH = 32
#: Most kernel taps.
MAX_SIGNAL_KERNEL = 7
#: Largest dilation.
MAX_SIGNAL_DILATION = 4


def _check_signal(values, name: str, limit: int) -> np.ndarray:
    try:
        signal = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 1-D sequence of numbers") from None
    if signal.ndim != 1 or signal.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence; got shape {signal.shape}")
    if signal.size > limit:
        raise ValueError(f"{name} must have at most {limit} values; got {signal.size}")
    if not np.isfinite(signal).all():
        raise ValueError(f"{name} must hold finite numbers only")
    return signal


def _check_dilation(dilation) -> int:
    if isinstance(dilation, bool) or not isinstance(dilation, (int, np.integer)) \
            or not 1 <= dilation <= MAX_SIGNAL_DILATION:
        raise ValueError(f"dilation must be a whole number in 1..{MAX_SIGNAL_DILATION}; got "
                         f"{dilation!r}")
    return int(dilation)


def signal_padding(k: int, dilation: int = 1, causal: bool = False) -> tuple[int, int]:
    """Zeros before and after the signal so that the output is as long as the input.

    Causal: all ``dilation * (k - 1)`` on the left. Centred: half each side, the odd one
    after (TensorFlow's 'same').

    Parameters
    ----------
    k : int
        Kernel taps.
    dilation : int, optional
        Step between taps, 1..MAX_SIGNAL_DILATION. Default 1.
    causal : bool, optional
        True for all the zeros on the left. Default False.

    Returns
    -------
    tuple of int
        ``(before, after)``.

    Examples
    --------
    >>> signal_padding(3), signal_padding(3, causal=True), signal_padding(4, 2)
    ((1, 1), (2, 0), (3, 3))
    """
    reach = _check_dilation(dilation) * (k - 1)
    if causal:
        return reach, 0
    return reach // 2, reach - reach // 2


def conv1d(signal, kernel, dilation: int = 1, causal: bool = False, *,
           flip: bool = False) -> np.ndarray:
    """A 1-D layer's output, as long as the input, zero padding.

    Parameters
    ----------
    signal : (n,) array_like
        At most MAX_SIGNAL_LENGTH finite numbers.
    kernel : (k,) array_like
        At most MAX_SIGNAL_KERNEL finite weights.
    dilation : int, optional
        Step between taps, 1..MAX_SIGNAL_DILATION. Default 1.
    causal : bool, optional
        True: the output at t reads inputs t - dilation*(k-1) .. t only (left padding);
        False: the window is centred on t. Default False.
    flip : bool, optional
        True for true convolution (the kernel reversed); False, as in deep learning, for
        correlation. Default False.

    Returns
    -------
    ndarray
        The n outputs (float64).

    Raises
    ------
    ValueError
        On an empty, too long or non-finite signal or kernel, or a dilation out of range.

    Examples
    --------
    >>> conv1d([1, 2, 3, 4], [1, 1], causal=True).tolist()
    [1.0, 3.0, 5.0, 7.0]
    >>> conv1d([1, 2, 3, 4], [0, 1, 0]).tolist()
    [1.0, 2.0, 3.0, 4.0]
    """
    return np.array([window.total for window in sliding_windows(
        signal, kernel, dilation, causal, flip=flip)])


@dataclass(frozen=True)
class SignalWindow:
    """One output of a 1-D layer, worked out.

    The input positions its taps read (negative or past the end: padding zeros), their
    values, the weights, the products and the sum.
    """

    t: int
    positions: np.ndarray
    values: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    total: float


def sliding_windows(signal, kernel, dilation: int = 1, causal: bool = False, *,
                    flip: bool = False) -> list[SignalWindow]:
    """Every output's window, t = 0..n-1: what `conv1d` sums, tap by tap.

    Parameters
    ----------
    signal, kernel, dilation, causal, flip
        As for `conv1d`, with the same checks.

    Returns
    -------
    list of SignalWindow
        One per output, in order.

    Examples
    --------
    >>> [w.positions.tolist() for w in sliding_windows([5, 6, 7], [1, 1], causal=True)]
    [[-1, 0], [0, 1], [1, 2]]
    """
    signal = _check_signal(signal, "signal", MAX_SIGNAL_LENGTH)
    weights = _check_signal(kernel, "kernel", MAX_SIGNAL_KERNEL)
    before, _ = signal_padding(weights.size, dilation, causal)
    if flip:
        weights = weights[::-1]
    taps = np.arange(weights.size) * dilation
    windows = []
    for t in range(signal.size):
        positions = t - before + taps
        inside = (positions >= 0) & (positions < signal.size)
        values = np.where(inside, signal[np.clip(positions, 0, signal.size - 1)], 0.0)
        products = values * weights
        windows.append(SignalWindow(t, positions, values, weights, products,
                                    float(products.sum())))
    return windows


def wave_signal(n: int = 24, seed: int = 0) -> np.ndarray:
    """A sound-like test signal: two tones, a click at the middle and a little noise.

    Rounded to tenths so that every sum can be followed by hand.

    Parameters
    ----------
    n : int, optional
        Length, 2..MAX_SIGNAL_LENGTH. Default 24.
    seed : int, optional
        Seed of the noise. Default 0.

    Returns
    -------
    ndarray
        `n` values within -3..3.

    Examples
    --------
    >>> wave_signal(24).shape, float(abs(wave_signal(24)).max()) <= 3
    ((24,), True)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) \
            or not 2 <= n <= MAX_SIGNAL_LENGTH:
        raise ValueError(f"n must be a whole number in 2..{MAX_SIGNAL_LENGTH}; got {n!r}")
    t = np.arange(n)
    wave = np.sin(2 * np.pi * t / 12) + 0.5 * np.sin(2 * np.pi * t / 5)
    wave[n // 2] += 1.0
    wave += np.random.default_rng(seed).normal(0, 0.1, n)
    return np.round(np.clip(wave, -3, 3), 1)
