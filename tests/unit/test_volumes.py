"""Tests for lessons.volumes (a layer drawn as volumes) and the colour layer it draws, against
scipy.signal.correlate2d, NumPy's ReLU and a brute-force search of the cells an output reads."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import signal

from convkit import lessons

RNG = np.random.default_rng(25)
CROP = RNG.integers(0, 256, (6, 6, 3)).astype(float)


@pytest.mark.parametrize("count", [1, 2, 4])
@pytest.mark.parametrize("bias", [0.0, -40.0, 25.5])
def test_every_output_cell_is_the_channels_correlations_summed_plus_bias(count, bias):
    """conv_layer and window_step, at every cell of every map, against correlate2d per channel;
    ReLU against np.maximum."""
    names, filters = lessons.rgb_filters()
    filters = filters[:count]
    geometry = lessons.layer_geometry((6, 6), (3, 3), output="same")
    maps = lessons.conv_layer(CROP, filters, [bias] * count, output="same")
    for f in range(count):
        expected = sum(signal.correlate2d(CROP[..., ch], filters[f, ch], "same")
                       for ch in range(3)) + bias
        np.testing.assert_allclose(maps[f], expected, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(lessons.relu(maps[f]), np.maximum(expected, 0.0), atol=1e-9)
        for row, col in itertools.product(range(6), range(6)):
            step = lessons.window_step(CROP, filters[f], geometry.step_at(row, col),
                                       output="same", bias=bias)
            assert step.total == pytest.approx(expected[row, col], abs=1e-9)
            per_channel = [signal.correlate2d(CROP[..., ch], filters[f, ch], "same")[row, col]
                           for ch in range(3)]
            np.testing.assert_allclose(step.channel_sums, per_channel, atol=1e-9)


def read_by_search(n_rows, n_cols, k, stride, dilation, output, out_row, out_col):
    """The input cells output (out_row, out_col) depends on: change one input cell at a time
    and see whether the output moves (all-ones kernel, scipy on a padded impulse)."""
    span = dilation * (k - 1) + 1
    pads = []
    for n in (n_rows, n_cols):
        if output == "valid":
            pads.append((0, 0))
        else:  # 'same' as TensorFlow documents it: ceil(n / stride) outputs
            total = max((math.ceil(n / stride) - 1) * stride + span - n, 0)
            pads.append((total // 2, total - total // 2))
    kernel = np.zeros((span, span))
    kernel[::dilation, ::dilation] = 1.0
    read = np.zeros((n_rows, n_cols), dtype=bool)
    for i, j in itertools.product(range(n_rows), range(n_cols)):
        impulse = np.zeros((n_rows, n_cols))
        impulse[i, j] = 1.0
        response = signal.correlate2d(np.pad(impulse, pads), kernel, "valid")[::stride, ::stride]
        read[i, j] = response[out_row, out_col] != 0
    return read, pads


@pytest.mark.parametrize(("shape", "k", "stride", "dilation", "output"), [
    ((6, 6), 3, 1, 1, "same"), ((6, 6), 3, 1, 1, "valid"), ((7, 5), 3, 2, 1, "same"),
    ((7, 7), 3, 1, 2, "same"), ((5, 8), 2, 2, 2, "same"),
])
def test_the_highlighted_input_cells_are_the_ones_the_output_depends_on(shape, k, stride,
                                                                       dilation, output):
    geometry = lessons.layer_geometry(shape, (k, k), stride, dilation, output)
    out_h, out_w = geometry.output_shape
    for row, col in itertools.product(range(out_h), range(out_w)):
        focus = lessons.volume_focus(geometry, 3, 2, row, col)
        expected, _ = read_by_search(*shape, k, stride, dilation, output, row, col)
        np.testing.assert_array_equal(focus.read, expected, err_msg=f"output y={row}, x={col}")
        assert focus.outside == k * k - expected.sum()
        assert (focus.filter, focus.out_row, focus.out_col) == (2, row, col)


def test_a_corner_output_reads_a_two_by_two_block_and_five_padding_taps():
    """The hand case: output x=0, y=0 of a 3 x 3 'same' layer on 6 x 6."""
    focus = lessons.volume_focus(lessons.layer_geometry((6, 6), (3, 3), output="same"),
                                 4, 0, 0, 0)
    assert np.argwhere(focus.read).tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert focus.outside == 5
    assert focus.taps[0, 0].tolist() == [-1, -1] and focus.taps[2, 2].tolist() == [1, 1]


@pytest.mark.parametrize(("rows", "cols", "slabs", "margin"), [(6, 6, 3, 1), (3, 3, 3, 0),
                                                               (6, 6, 4, 0), (2, 5, 1, 2)])
def test_stack_cells_tile_each_slab_and_the_slabs_stay_apart(rows, cols, slabs, margin):
    drawing = lessons.stack(rows, cols, slabs, 10.0, slant=6.0, gap=5.0, margin=margin)
    corners = drawing.corners()
    assert corners.shape == (slabs, rows, cols, 4, 2)
    for s, y, x in itertools.product(range(slabs), range(rows), range(cols)):
        np.testing.assert_allclose(corners[s, y, x], drawing.cell_corners(s, x, y))
    # Neighbours share their edges: the right edge of x is the left edge of x + 1, the front
    # edge of y the back edge of y + 1.
    np.testing.assert_allclose(corners[:, :, :-1, 1], corners[:, :, 1:, 0])
    np.testing.assert_allclose(corners[:, :, :-1, 2], corners[:, :, 1:, 3])
    np.testing.assert_allclose(corners[:, :-1, :, 3], corners[:, 1:, :, 0])
    # Every cell is the same parallelogram: 10 wide, each row 6 down and 6 to the left.
    across, back = corners[..., 1, :] - corners[..., 0, :], corners[..., 3, :] - corners[..., 0, :]
    np.testing.assert_allclose(across, np.broadcast_to([10.0, 0.0], across.shape))
    np.testing.assert_allclose(back, np.broadcast_to([-6.0, 6.0], back.shape))
    # The margin's cells, all round, fit in the drawing.
    for x, y in ((-margin, -margin), (cols + margin - 1, rows + margin - 1)):
        edge = drawing.cell_corners(slabs - 1, x, y)
        assert edge.min() >= -1e-9 and (edge[:, 0] <= drawing.width + 1e-9).all()
        assert (edge[:, 1] <= drawing.height + 1e-9).all()
    # Slab s lies wholly above slab s + 1, the gap between them.
    tops, bottoms = corners[..., 1].min(axis=(1, 2, 3)), corners[..., 1].max(axis=(1, 2, 3))
    np.testing.assert_allclose(tops[1:] - bottoms[:-1], 5.0 + 2 * margin * 6.0)


@pytest.mark.parametrize(("call", "message"), [
    (lambda g: lessons.volume_focus(g, 5, 0, 0, 0), "filter_count must be at most 4"),
    (lambda g: lessons.volume_focus(g, 0, 0, 0, 0), "filter_count must be at least 1"),
    (lambda g: lessons.volume_focus(g, 2, 2, 0, 0), r"filter_index must be .* 0..1; got 2"),
    (lambda g: lessons.volume_focus(g, 2, 0, 6, 0), r"out_row must be .* 0..5; got 6"),
    (lambda g: lessons.volume_focus(g, 2, 0, 0, -1), r"out_col must be .* 0..5; got -1"),
    (lambda g: lessons.volume_focus(g, 2, 0, 1.5, 0), "out_row must be a whole number"),
    (lambda g: lessons.stack(17, 3, 3), "rows must be at most 16"),
    (lambda g: lessons.stack(3, 0, 3), "cols must be at least 1"),
    (lambda g: lessons.stack(3, 3, 3, float("nan")), "cell must be above 0"),
    (lambda g: lessons.stack(3, 3, 3, gap=-1), "gap must be 0 or more"),
    (lambda g: lessons.stack(3, 3, 3, margin=40), "margin must be at most 16"),
])
def test_bad_input_is_refused_by_name(call, message):
    geometry = lessons.layer_geometry((6, 6), (3, 3), output="same")
    with pytest.raises(ValueError, match=message):
        call(geometry)
