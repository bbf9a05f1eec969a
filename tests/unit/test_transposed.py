"""Transposed convolution against a plain scatter loop, the zero-insertion route through
scipy.signal, and PyTorch's output-size formula."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import signal

from convkit import lessons

CASES = [(stride, padding, output_padding, dilation)
         for stride, padding, dilation in itertools.product((1, 2, 3), (0, 1, 2), (1, 2))
         for output_padding in range(max(stride, dilation))]


def scatter_loop(x, kernel, stride, padding, output_padding, dilation):
    """Each input cell adds value * weight at (y*s + i*d - p, x*s + j*d - p), cell by cell."""
    height, width = len(x), len(x[0])
    kh, kw = len(kernel), len(kernel[0])
    out_h = (height - 1) * stride - 2 * padding + dilation * (kh - 1) + output_padding + 1
    out_w = (width - 1) * stride - 2 * padding + dilation * (kw - 1) + output_padding + 1
    out = [[0.0] * out_w for _ in range(out_h)]
    for y in range(height):
        for xx in range(width):
            for i in range(kh):
                for j in range(kw):
                    r = y * stride + i * dilation - padding
                    c = xx * stride + j * dilation - padding
                    if 0 <= r < out_h and 0 <= c < out_w:
                        out[r][c] += x[y][xx] * kernel[i][j]
    return np.array(out)


def zero_inserted_reference(x, kernel, stride, padding, output_padding, dilation):
    """Zeros between inputs, full-size scipy convolve2d with the dilated kernel, then cropped."""
    spread = np.zeros(((x.shape[0] - 1) * stride + 1, (x.shape[1] - 1) * stride + 1))
    spread[::stride, ::stride] = x
    dilated = np.zeros((dilation * (kernel.shape[0] - 1) + 1,
                        dilation * (kernel.shape[1] - 1) + 1))
    dilated[::dilation, ::dilation] = kernel
    full = np.pad(signal.convolve2d(spread, dilated, "full"),
                  ((0, output_padding), (0, output_padding)))
    return full[padding:full.shape[0] - padding, padding:full.shape[1] - padding]


@pytest.mark.parametrize(("stride", "padding", "output_padding", "dilation"), CASES)
def test_scatter_equals_the_loop_and_zero_insertion(stride, padding, output_padding, dilation):
    """Every stride 1-3, padding 0-2, output padding allowed, dilation 1-2, several shapes."""
    rng = np.random.default_rng(stride * 100 + padding * 10 + output_padding + dilation)
    tried = 0
    for shape, k in itertools.product(((1, 1), (2, 3), (4, 4), (5, 2)), ((1, 1), (2, 2),
                                                                        (3, 3), (2, 3))):
        x = rng.integers(-9, 10, shape).astype(float)
        kernel = rng.integers(-4, 5, k).astype(float)
        out_h = (shape[0] - 1) * stride - 2 * padding + dilation * (k[0] - 1) \
            + output_padding + 1
        out_w = (shape[1] - 1) * stride - 2 * padding + dilation * (k[1] - 1) \
            + output_padding + 1
        if min(out_h, out_w) < 1:
            with pytest.raises(ValueError, match="cuts the whole output away"):
                lessons.conv_transpose2d(x, kernel, stride, padding, output_padding, dilation)
            continue
        tried += 1
        expected = scatter_loop(x.tolist(), kernel.tolist(), stride, padding, output_padding,
                                dilation)
        np.testing.assert_allclose(expected, zero_inserted_reference(
            x, kernel, stride, padding, output_padding, dilation), atol=1e-12)
        scattered = lessons.conv_transpose2d(x, kernel, stride, padding, output_padding,
                                             dilation)
        route = lessons.zero_insertion(x, kernel, stride, padding, output_padding, dilation)
        np.testing.assert_allclose(scattered.output, expected, atol=1e-12)
        np.testing.assert_allclose(route.output, expected, atol=1e-12)
        # The route's grid really is the stride-1 input: scipy slides the rotated kernel on it.
        dilated = np.zeros((dilation * (k[0] - 1) + 1, dilation * (k[1] - 1) + 1))
        dilated[::dilation, ::dilation] = kernel[::-1, ::-1]
        np.testing.assert_allclose(signal.correlate2d(route.grid, dilated, "valid"), expected,
                                   atol=1e-12)
    assert tried


def test_each_stamp_is_the_kernel_times_its_input_placed_at_stride():
    """A stamp placed alone is value * kernel at (x*s - p, y*s - p); the stamps add up."""
    x = np.array([[1.0, -2.0], [3.0, 0.5]])
    kernel = np.arange(1.0, 10.0).reshape(3, 3)
    result = lessons.conv_transpose2d(x, kernel, stride=2, padding=1, output_padding=1)
    total = np.zeros_like(result.output)
    for stamp in result.stamps:
        alone = np.zeros((2, 2))
        alone[stamp.row, stamp.col] = stamp.value
        expected = scatter_loop(alone.tolist(), kernel.tolist(), 2, 1, 1, 1)
        placed = result.placed(stamp)
        np.testing.assert_array_equal(np.nan_to_num(placed), expected)
        total += np.nan_to_num(placed)
    np.testing.assert_array_equal(total, result.output)


def test_zero_insertion_marks_inputs_inserted_zeros_and_border():
    """Stride 2 on a 2 x 2 input with a 3 x 3 kernel: one zero between inputs, 2 around."""
    route = lessons.zero_insertion(np.ones((2, 2)) * 7, np.ones((3, 3)), stride=2)
    assert route.grid.shape == (7, 7) and route.border == (2, 2)
    assert (route.grid[route.kind == "input"] == 7).all() and (route.kind == "input").sum() == 4
    assert (route.kind == "inserted").sum() == 5 and (route.kind == "pad").sum() == 49 - 9
    assert (route.grid[route.kind != "input"] == 0).all()


def test_output_sizes_match_the_formula_for_200_random_cases():
    """PyTorch's H_out = (H_in - 1) s - 2 p + d (k - 1) + output_padding + 1, on both axes."""
    rng = np.random.default_rng(25)
    checked = 0
    while checked < 200:
        n, m = rng.integers(1, 6, 2)
        kh, kw = rng.integers(1, 6, 2)
        s, p, d = rng.integers(1, 4), rng.integers(0, 3), rng.integers(1, 3)
        op = rng.integers(0, max(s, d))
        h_out = (n - 1) * s - 2 * p + d * (kh - 1) + op + 1
        w_out = (m - 1) * s - 2 * p + d * (kw - 1) + op + 1
        assert lessons.transposed_length(n, kh, s, p, op, d) == h_out
        if min(h_out, w_out) < 1:
            continue
        result = lessons.conv_transpose2d(np.ones((n, m)), np.ones((kh, kw)), s, p, op, d)
        assert result.output.shape == (h_out, w_out)
        assert lessons.zero_insertion(np.ones((n, m)), np.ones((kh, kw)), s, p, op,
                                      d).output.shape == (h_out, w_out)
        checked += 1


@pytest.mark.parametrize(("arguments", "message"), [
    ((np.ones((2, 2)), np.ones((3, 3)), 2, 0, 2), "output_padding must be smaller"),
    ((np.ones((2, 2)), np.ones((3, 3)), 1, 0, 1), "output_padding must be smaller"),
    ((np.ones((2, 2)), np.ones((3, 3)), 4), "stride must be in 1..3"),
    ((np.ones((2, 2)), np.ones((3, 3)), 1, 3), "padding must be in 0..2"),
    ((np.ones((2, 2)), np.ones((3, 3)), 1.5), "stride must be a whole number"),
    ((np.ones((6, 2)), np.ones((3, 3))), "input must be at most 5 x 5"),
    ((np.ones((2, 2)), np.ones((6, 1))), "kernel must be at most 5 x 5"),
    ((np.ones(3), np.ones((3, 3))), "input must be a non-empty 2-D grid"),
    ((np.array([[1, np.nan]]), np.ones((3, 3))), "input must hold finite numbers"),
    ((np.ones((1, 1)), np.ones((1, 1)), 1, 1), "cuts the whole output away"),
])
def test_bad_input_is_refused_with_a_clear_message(arguments, message):
    """Both routes refuse the same bad input, naming the culprit."""
    for route in (lessons.conv_transpose2d, lessons.zero_insertion):
        with pytest.raises(ValueError, match=message):
            route(*arguments)
