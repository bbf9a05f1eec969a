"""Grouped, depthwise and separable convolution against a per-group correlate2d reference;
their costs against hand formulas."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

from convkit import lessons

RNG = np.random.default_rng(25)


def per_pair_reference(volume, weights, groups):
    """Sum of correlate2d over each (output channel, input channel of its group) pair."""
    c_in, c_out = volume.shape[0], weights.shape[0]
    per_in, per_out = c_in // groups, c_out // groups
    maps = []
    for o in range(c_out):
        group = o // per_out
        total = 0
        for local in range(per_in):
            total = total + signal.correlate2d(volume[group * per_in + local], weights[o, local],
                                               mode="valid")
        maps.append(total)
    return np.array(maps)


@pytest.mark.parametrize(("c_in", "c_out", "groups", "kernel"),
                         [(1, 1, 1, 1), (3, 6, 1, 3), (4, 8, 2, 3), (6, 6, 3, 5), (4, 4, 4, 2),
                          (6, 3, 3, 1)])
def test_grouped_equals_per_group_reference(c_in, c_out, groups, kernel):
    """Each output channel is the sum of its own group's correlations only."""
    volume = RNG.normal(size=(c_in, 9, 7))
    weights = RNG.normal(size=(c_out, c_in // groups, kernel, kernel))
    bias = RNG.normal(size=c_out)
    expected = per_pair_reference(volume, weights, groups) + bias[:, None, None]
    np.testing.assert_allclose(lessons.grouped_conv(volume, weights, groups, bias), expected,
                               atol=1e-12)


def test_depthwise_and_separable_equal_their_references():
    """Depthwise: channel by channel; separable: those maps mixed by the 1 x 1 weights."""
    volume = RNG.normal(size=(3, 8, 8))
    depthwise = RNG.normal(size=(3, 3, 3))
    pointwise = RNG.normal(size=(5, 3))
    filtered = np.array([signal.correlate2d(volume[c], depthwise[c], mode="valid")
                         for c in range(3)])
    np.testing.assert_allclose(lessons.depthwise_conv(volume, depthwise), filtered, atol=1e-12)
    mixed = np.array([sum(pointwise[o, c] * filtered[c] for c in range(3)) for o in range(5)])
    np.testing.assert_allclose(lessons.separable_conv(volume, depthwise, pointwise), mixed,
                               atol=1e-12)


def test_example_forms_use_the_weights_they_return():
    """The page's four outputs are those of their returned weights, by the reference."""
    volume = RNG.normal(size=(3, 6, 6))
    forms = lessons.example_forms(volume, 6, 3, 3, seed=4)
    np.testing.assert_allclose(forms["standard"],
                               per_pair_reference(volume, forms["standard weights"], 1))
    np.testing.assert_allclose(forms["grouped"],
                               per_pair_reference(volume, forms["grouped weights"], 3))
    assert forms["depthwise"].shape == (3, 4, 4) and forms["separable"].shape == (6, 4, 4)


@pytest.mark.parametrize(("c_in", "c_out", "k", "groups", "h", "w"),
                         [(3, 6, 3, 3, 8, 8), (32, 64, 3, 4, 224, 224), (16, 16, 5, 16, 30, 20),
                          (1, 1, 1, 1, 1, 1)])
def test_costs_follow_hand_formulas(c_in, c_out, k, groups, h, w):
    """Parameters and multiply-adds as written out by hand, and the weights' real sizes."""
    positions = (h - k + 1) * (w - k + 1)
    standard, grouped, depthwise, separable = lessons.layer_costs(c_in, c_out, k, groups, h, w)
    assert (standard.parameters, standard.with_bias) == (c_in * c_out * k * k,
                                                         c_in * c_out * k * k + c_out)
    assert grouped.parameters == c_out * (c_in // groups) * k * k
    assert grouped.with_bias == grouped.parameters + c_out
    assert (depthwise.parameters, depthwise.with_bias) == (c_in * k * k, c_in * k * k + c_in)
    assert separable.parameters == c_in * k * k + c_in * c_out
    assert separable.with_bias == c_in * k * k + c_in * c_out + c_in + c_out
    assert standard.multiply_adds == positions * c_out * c_in * k * k
    assert grouped.multiply_adds == positions * c_out * (c_in // groups) * k * k
    assert depthwise.multiply_adds == positions * c_in * k * k
    assert separable.multiply_adds == positions * (c_in * k * k + c_out * c_in)
    if h <= 8:
        forms = lessons.example_forms(RNG.normal(size=(c_in, h, w)), c_out, k, groups)
        assert forms["standard weights"].size == standard.parameters
        assert forms["grouped weights"].size == grouped.parameters
        assert forms["depthwise weights"].size + forms["pointwise weights"].size \
            == separable.parameters


@pytest.mark.parametrize(("call", "match"), [
    (lambda: lessons.grouped_conv(np.ones((3, 4, 4)), np.ones((6, 1, 3, 3)), 2),
     "groups must divide"),
    (lambda: lessons.grouped_conv(np.ones((4, 4, 4)), np.ones((4, 1, 3, 3)), 2),
     "input slices"),
    (lambda: lessons.grouped_conv(np.ones((1, 2, 2)), np.ones((1, 1, 3, 3))), "must fit"),
    (lambda: lessons.grouped_conv(np.full((1, 4, 4), np.nan), np.ones((1, 1, 1, 1))), "finite"),
    (lambda: lessons.grouped_conv(np.ones((1, 99, 4)), np.ones((1, 1, 1, 1))), "at most"),
    (lambda: lessons.layer_costs(3, 6, 9, 1, 10, 10), "kernel must be at most"),
    (lambda: lessons.layer_costs(3, 6, 3, 2, 10, 10), "groups must divide"),
    (lambda: lessons.layer_costs(3, 6, 3, 1, 5000, 10), "height must be at most"),
])
def test_bad_input_is_named(call, match):
    """Bad input raises ValueError naming what is wrong."""
    with pytest.raises(ValueError, match=match):
        call()
