"""Receptive fields: the theoretical one against its closed form, the effective one against
finite differences and the theoretical box."""

from __future__ import annotations

import numpy as np
import pytest

from convkit import lessons


def random_stack(rng, depth):
    return [(int(rng.integers(1, 8)), int(rng.integers(1, 4)), int(rng.integers(1, 5)))
            for _ in range(depth)]


def closed_form(stack):
    """r_L = 1 + sum_l (k_l - 1) d_l prod_{i<l} s_i and j_L = prod_l s_l."""
    size = 1 + sum((k - 1) * d * int(np.prod([s for _, s, _ in stack[:index]]))
                   for index, (k, _, d) in enumerate(stack))
    return size, int(np.prod([s for _, s, _ in stack]))


def input_side_for(stack):
    """Smallest input whose last map has 3 units per side: grow back through each layer."""
    side = 3
    for k, s, d in reversed(stack):
        side = (side - 1) * s + d * (k - 1) + 1
    return side


@pytest.mark.parametrize("seed", range(30))
def test_theoretical_field_equals_closed_form(seed):
    """Random stacks of 1-6 layers: size, jump and the box of every unit of the last map."""
    rng = np.random.default_rng(seed)
    stack = random_stack(rng, 1 + seed % 6)
    side = input_side_for(stack)
    size, jump = closed_form(stack)
    for x, y in ((0, 0), (2, 1), (1, 2)):
        field = lessons.receptive_field(stack, (side, side), unit=(x, y))
        assert (field.size, field.jumps[-1]) == (size, jump)
        assert field.box == (x * jump, y * jump, x * jump + size - 1, y * jump + size - 1)
        assert field.output_shapes[-1] == (3, 3)


@pytest.mark.parametrize("seed", range(12))
def test_effective_field_is_zero_outside_the_theoretical_box(seed):
    """Nonzero only inside the box; with positive weights the box's corners are reached."""
    rng = np.random.default_rng(100 + seed)
    # Redraw (a bounded number of times) until the stack fits the largest input.
    stack = next(s for s in (random_stack(rng, 1 + seed % 6) for _ in range(200))
                 if input_side_for(s) <= lessons.MAX_FIELD_SIDE)
    side = min(input_side_for(stack) + int(rng.integers(0, 5)), lessons.MAX_FIELD_SIDE)
    shape = lessons.stack_output_shapes(stack, (side, side))[-1]
    unit = (int(rng.integers(0, shape[1])), int(rng.integers(0, shape[0])))
    field = lessons.receptive_field(stack, (side, side), unit)
    x0, y0, x1, y1 = field.box
    for kind in lessons.FIELD_WEIGHTS:
        erf = lessons.effective_receptive_field(stack, lessons.stack_weights(stack, kind, seed),
                                                (side, side), unit)
        outside = np.ones(erf.shape, bool)
        outside[y0:y1 + 1, x0:x1 + 1] = False
        assert not erf[outside].any()
        if kind == "uniform":
            assert min(erf[y0, x0], erf[y0, x1], erf[y1, x0], erf[y1, x1]) > 0


def test_effective_field_matches_finite_differences():
    """A small stack is linear, so nudging one input pixel moves the unit by exactly its
    gradient: the forward pass (shifted-slice sums, no backprop) checks every pixel."""
    stack = [(3, 2, 1), (2, 1, 2), (3, 1, 1)]
    weights = lessons.stack_weights(stack, "random", seed=7)
    rng = np.random.default_rng(1)
    image = rng.normal(size=(16, 17))
    unit = (1, 0)
    erf = lessons.effective_receptive_field(stack, weights, image.shape, unit)
    base = lessons.stack_forward(image, stack, weights)[unit[1], unit[0]]
    step = 1e-3
    differences = np.zeros(image.shape)
    for y in range(image.shape[0]):
        for x in range(image.shape[1]):
            nudged = image.copy()
            nudged[y, x] += step
            differences[y, x] = (lessons.stack_forward(nudged, stack, weights)[unit[1], unit[0]]
                                 - base) / step
    np.testing.assert_allclose(erf, differences, atol=1e-8)


def test_stack_forward_equals_a_plain_loop():
    """The forward pass against a loop over output units and taps, written here."""
    stack = [(3, 2, 2), (2, 1, 1)]
    weights = lessons.stack_weights(stack, "random", seed=3)
    image = np.random.default_rng(2).normal(size=(13, 12))
    values = image
    for (k, s, d), w in zip(stack, weights, strict=True):
        rows = (values.shape[0] - d * (k - 1) - 1) // s + 1
        cols = (values.shape[1] - d * (k - 1) - 1) // s + 1
        out = np.zeros((rows, cols))
        for r in range(rows):
            for c in range(cols):
                out[r, c] = sum(w[i, j] * values[r * s + i * d, c * s + j * d]
                                for i in range(k) for j in range(k))
        values = out
    np.testing.assert_allclose(lessons.stack_forward(image, stack, weights), values, atol=1e-12)


def test_pictures_outline_the_box():
    """The frame's yellow lies on the box's edge and nowhere outside it."""
    stack = [(3, 1, 1), (3, 2, 1)]
    field = lessons.receptive_field(stack, (16, 16), unit=(2, 3))
    erf = lessons.effective_receptive_field(stack, lessons.stack_weights(stack), (16, 16),
                                            (2, 3))
    picture, heat = lessons.field_pictures(np.arange(256.0).reshape(16, 16), field, erf)
    scale = picture.shape[0] // 16
    x0, y0 = field.box[0] * scale, field.box[1] * scale
    assert tuple(picture[y0, x0]) == (255, 210, 0) and tuple(heat[y0, x0]) == (255, 210, 0)
    # Outside the box the gradient is zero: white, within the picture's gray edge.
    assert tuple(heat[scale // 2, scale // 2]) == (255, 255, 255)
    assert tuple(heat[0, 0]) == (128, 128, 128)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: lessons.receptive_field([], (9, 9)), "1 to 6 layers"),
    (lambda: lessons.receptive_field([(3, 1, 1)] * 7, (99, 99)), "1 to 6 layers"),
    (lambda: lessons.receptive_field([(9, 1, 1)], (20, 20)), "kernel must be at most 7"),
    (lambda: lessons.receptive_field([(3, 4, 1)], (20, 20)), "stride must be at most 3"),
    (lambda: lessons.receptive_field([(3, 1, 1), (3, 1, 4)], (8, 8)), "layer 2's window"),
    (lambda: lessons.receptive_field([(3, 1, 1)], (8, 8), unit=(6, 0)), "unit x"),
    (lambda: lessons.stack_weights([(3, 1, 1)], "ones"), "kind must be one of"),
    (lambda: lessons.effective_receptive_field([(3, 1, 1)], [np.ones((3, 3))], (200, 200)),
     "at most 128"),
])
def test_bad_input_is_named(call, match):
    """Bad stacks raise ValueError naming the layer and what is allowed."""
    with pytest.raises(ValueError, match=match):
        call()
