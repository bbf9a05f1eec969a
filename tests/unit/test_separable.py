"""Separability: 1-D factors read off the kernel, exact symmetry, rank, low-rank pairs."""

import numpy as np
import pytest

import convkit
from convkit import BANK, separate
from convkit.core import low_rank_factors, numerical_rank, singular_values, symmetrised


def dog(size):
    """Difference of Gaussians: rank 2."""
    return convkit.gaussian(size, 2.0) - convkit.gaussian(size, 3.5)


@pytest.mark.parametrize(
    "weights, column, row",
    [
        (BANK["sobel_x"].weights, [1, 2, 1], [-1, 0, 1]),
        (BANK["sobel_y"].weights, [-1, 0, 1], [1, 2, 1]),
        (BANK["prewitt_x"].weights, [1, 1, 1], [-1, 0, 1]),
        (BANK["scharr_y"].weights, [-1, 0, 1], [3, 10, 3]),
        (np.ones((1, 3)), [1], [1, 1, 1]),
        (-2 * np.ones((3, 1)), [1, 1, 1], [-2]),
    ],
)
def test_separate_gives_the_kernels_own_integer_factors(weights, column, row):
    """Integer kernels split into integer factors (read off the kernel), not SVD floats."""
    got_column, got_row = separate(weights)
    np.testing.assert_array_equal(got_column, column)
    np.testing.assert_array_equal(got_row, row)


@pytest.mark.parametrize("name", ["gaussian_5", "gaussian_15", "small_blur", "large_blur"])
def test_separate_factors_are_exactly_symmetric(name):
    """Symmetric kernels give exactly symmetric factors (OpenCV folds those) with outer == w."""
    weights = BANK[name].weights
    column, row = separate(weights)
    np.testing.assert_array_equal(column, column[::-1])
    np.testing.assert_array_equal(row, row[::-1])
    np.testing.assert_allclose(np.outer(column, row), weights, rtol=1e-12, atol=0)


def test_separate_splits_blurs_into_normalised_1d_blurs():
    """A Gaussian gives the 1-D Gaussian twice; a 7 x 7 mean gives 1/7 seven times, twice."""
    line = convkit.gaussian(15, 3.0)[7] / convkit.gaussian(15, 3.0)[7].sum()
    for factor in separate(BANK["gaussian_15"].weights):
        np.testing.assert_allclose(factor, line, rtol=1e-12)
    for factor in separate(BANK["small_blur"].weights):
        np.testing.assert_allclose(factor, np.full(7, 1 / 7), rtol=1e-12)


@pytest.mark.parametrize("weights", [BANK["sharpen"].weights, BANK["log_9"].weights,
                                     np.zeros((3, 3)), dog(7)])
def test_separate_refuses_other_kernels(weights):
    """Rank > 1 (or all zeros) is not separable."""
    assert separate(weights) is None



def test_separate_refuses_bad_weights_naming_them():
    """separate validates like every other door: even sides are refused with the shape."""
    with pytest.raises(ValueError, match=r"kernel must have an odd height and an odd width.*"
                                         r"got 2 x 3"):
        separate(np.ones((2, 3)))


@pytest.mark.parametrize("weights, rank", [
    (BANK["sobel_x"].weights, 1), (BANK["sharpen"].weights, 2), (BANK["emboss"].weights, 3),
    (dog(15), 2), (convkit.laplacian_of_gaussian(15, 2.0), 3), (np.zeros((3, 3)), 0),
    (np.eye(5), 5),
])
def test_numerical_rank_matches_numpy(weights, rank):
    """The rank agrees with numpy.linalg.matrix_rank (an independent tolerance rule)."""
    assert numerical_rank(singular_values(weights)) == rank
    assert np.linalg.matrix_rank(weights) == rank


@pytest.mark.parametrize("weights", [dog(15), convkit.laplacian_of_gaussian(15, 2.0),
                                     convkit.unsharp_mask(15, 3.0, 1.5)])
def test_low_rank_pairs_sum_to_the_kernel(weights):
    """The pairs' outer products add up to the kernel, and symmetric kernels keep symmetry."""
    rank = np.linalg.matrix_rank(weights)
    pairs = low_rank_factors(weights, rank)
    assert len(pairs) == rank
    np.testing.assert_allclose(sum(np.outer(c, r) for c, r in pairs), weights, atol=1e-12)
    for column, row in pairs:
        for factor in (column, row):
            assert (np.array_equal(factor, factor[::-1])
                    or np.array_equal(factor, -factor[::-1]))


def test_symmetrised_leaves_asymmetric_factors_alone():
    """Only factors (anti)symmetric up to 1e-12 of their size are touched."""
    factor = np.array([1.0, 2.0, 3.0])
    assert symmetrised(factor) is factor
    nearly = symmetrised(np.array([-1.0, 0.0, 1.0 + 1e-14]))
    np.testing.assert_array_equal(nearly, -nearly[::-1])
    np.testing.assert_allclose(nearly, [-1.0, 0.0, 1.0], rtol=1e-13)
