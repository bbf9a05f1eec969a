"""1-D convolution, centred and causal, against numpy.convolve, numpy.correlate and
scipy.signal."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import ndimage, signal

from convkit import lessons


def dilated(kernel: np.ndarray, dilation: int) -> np.ndarray:
    taps = np.zeros(dilation * (kernel.size - 1) + 1)
    taps[::dilation] = kernel
    return taps


@pytest.mark.parametrize(("k", "dilation"), list(itertools.product((1, 2, 3, 4, 7), (1, 2, 3))))
def test_causal_is_the_start_of_the_full_convolution(k, dilation):
    """Causal correlation is numpy.convolve(x, reversed w)[:n]; with flip, convolve(x, w)[:n]."""
    rng = np.random.default_rng(k * 10 + dilation)
    x = rng.normal(size=20)
    w = rng.normal(size=k)
    taps = dilated(w, dilation)
    np.testing.assert_allclose(lessons.conv1d(x, w, dilation, causal=True),
                               np.convolve(x, taps[::-1])[:20], atol=1e-12)
    np.testing.assert_allclose(lessons.conv1d(x, w, dilation, causal=True, flip=True),
                               np.convolve(x, taps)[:20], atol=1e-12)


@pytest.mark.parametrize(("k", "dilation"), list(itertools.product((1, 3, 5, 7), (1, 2, 4))))
def test_centred_odd_kernels_match_numpy_correlate_same(k, dilation):
    """An odd kernel centred on t is numpy.correlate(x, w, 'same') and scipy's 'same'."""
    rng = np.random.default_rng(k + dilation)
    x = rng.normal(size=25)
    w = rng.normal(size=k)
    taps = dilated(w, dilation)
    np.testing.assert_allclose(lessons.conv1d(x, w, dilation), np.correlate(x, taps, "same"),
                               atol=1e-12)
    np.testing.assert_allclose(lessons.conv1d(x, w, dilation, flip=True),
                               signal.convolve(x, taps, "same"), atol=1e-12)


@pytest.mark.parametrize("k", (2, 4, 6))
def test_centred_even_kernels_put_the_extra_zero_after(k):
    """Even spans: TensorFlow's 'same', one more zero after; scipy.ndimage with origin -1."""
    rng = np.random.default_rng(k)
    x = rng.normal(size=12)
    w = rng.normal(size=k)
    expected = ndimage.correlate1d(x, w, mode="constant", origin=-1)
    np.testing.assert_allclose(lessons.conv1d(x, w), expected, atol=1e-12)


def test_causal_output_never_reads_the_future():
    """Changing x[t] changes no causal output before t, but does change centred ones."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=16)
    w = rng.normal(size=3)
    later = x.copy()
    later[10] += 5.0
    causal = lessons.conv1d(later, w, 2, causal=True) - lessons.conv1d(x, w, 2, causal=True)
    centred = lessons.conv1d(later, w, 2) - lessons.conv1d(x, w, 2)
    assert np.all(causal[:10] == 0) and causal[10] != 0
    assert centred[8] != 0


def test_each_window_lists_its_taps_and_sums_them():
    """Causal, k=3, dilation 2: output t reads t-4, t-2, t; negative positions are zeros."""
    x = np.arange(1.0, 9.0)
    windows = lessons.sliding_windows(x, [1.0, 10.0, 100.0], 2, causal=True)
    assert windows[1].positions.tolist() == [-3, -1, 1]
    assert windows[1].values.tolist() == [0.0, 0.0, 2.0]
    assert windows[5].positions.tolist() == [1, 3, 5]
    assert windows[5].total == 1 * 2 + 10 * 4 + 100 * 6


def test_wave_signal_is_bounded_and_reproducible():
    """The sound-like signal: the length asked, tenths, within +-3, the same for a seed."""
    wave = lessons.wave_signal(32, seed=1)
    assert wave.shape == (32,) and np.abs(wave).max() <= 3
    np.testing.assert_array_equal(wave, np.round(wave, 1))
    np.testing.assert_array_equal(wave, lessons.wave_signal(32, seed=1))


@pytest.mark.parametrize(("arguments", "message"), [
    ((np.ones(33), [1.0]), "signal must have at most 32"),
    ((np.ones(5), np.ones(8)), "kernel must have at most 7"),
    ((np.ones(5), [1.0], 5), "dilation must be a whole number in 1..4"),
    ((np.ones(5), [1.0], True), "dilation must be a whole number"),
    ((np.ones((2, 2)), [1.0]), "signal must be a non-empty 1-D"),
    (([], [1.0]), "signal must be a non-empty 1-D"),
    ((np.array([1.0, np.inf]), [1.0]), "signal must hold finite numbers"),
])
def test_bad_input_is_refused_with_a_clear_message(arguments, message):
    """Wrong shapes, sizes and knobs: ValueError naming the culprit."""
    with pytest.raises(ValueError, match=message):
        lessons.conv1d(*arguments)
