"""Tests for explain.drawing against independent references (np.kron, cv2.rectangle, by hand)."""


import cv2
import numpy as np
import pytest

from convkit.explain import (
    DIFFERENT,
    NEGATIVE,
    POSITIVE,
    ZERO,
    difference_pictures,
    edge_lines,
    magnify,
    magnify_to,
    mark_differences,
    outline,
    signed_difference,
    tint,
    to_rgb,
)

RED = (255, 0, 0)


def test_magnify_equals_kron_with_a_block_of_ones():
    """Without the grid, magnify is the Kronecker product with a factor x factor block."""
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    np.testing.assert_array_equal(magnify(image, 5, grid=False),
                                  np.kron(image, np.ones((5, 5), np.uint8)))


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.int64, np.float32,
                                   np.float64])
@pytest.mark.parametrize("channels", [None, 1, 3, 4, 7])
def test_magnify_keeps_dtype_and_channels_for_every_route(dtype, channels):
    """OpenCV's nearest resize (most dtypes) and np.repeat (int64) both give np.kron."""
    shape = (3, 5) if channels is None else (3, 5, channels)
    image = (np.arange(np.prod(shape)) * 7 % 251).astype(dtype).reshape(shape)
    block = np.ones((4, 4) if channels is None else (4, 4, 1), dtype)
    big = magnify(image, 4, grid=False)
    assert big.dtype == image.dtype
    np.testing.assert_array_equal(big, np.kron(image, block))


def test_magnify_grid_lines_sit_in_each_blocks_last_row_and_column():
    """With factor 6 the grid is drawn at rows and columns 5, 11, ... and nowhere else."""
    big = magnify(np.full((2, 2), 200, np.uint8), 6)
    assert (big[5, :] == 96).all() and (big[:, 11] == 96).all()
    assert (big[:5, :5] == 200).all()
    assert magnify(np.full((2, 2), 200, np.uint8), 5).min() == 200  # too small for a grid


def test_magnify_to_picks_the_nearest_whole_factor():
    """A 48-pixel crop shown at about 240 px is enlarged 5 times; a huge one is left at 1."""
    big, factor = magnify_to(np.zeros((48, 30), np.uint8), 240)
    assert factor == 5 and big.shape == (240, 150)
    assert magnify_to(np.zeros((500, 20), np.uint8), 240)[1] == 1


def test_outline_matches_cv2_rectangle():
    """A 1-pixel outline inside the picture is what cv2.rectangle draws on the same corners."""
    image = np.zeros((10, 12), np.uint8)
    expected = cv2.rectangle(np.zeros((10, 12, 3), np.uint8), (2, 1), (8, 6), RED, 1)
    np.testing.assert_array_equal(outline(image, 1, 2, 6, 7, RED), expected)


def test_outline_is_clipped_to_the_picture():
    """A rectangle reaching past the edges draws only its visible sides, without wrapping."""
    marked = outline(np.zeros((5, 5), np.uint8), -2, 3, 4, 10, RED)
    assert marked[1, 3:].tolist() == [list(RED)] * 2  # bottom side, row -2 + 4 - 1 = 1
    assert (marked[:2, 3] == RED).all()  # left side, column 3, rows 0..1
    assert marked[2:].sum() == 0 and marked[:, :3].sum() == 0


def test_tint_blends_only_the_masked_cells():
    """Strength 0.5 moves a cell half way: 100 towards (200, 0, 0) gives (150, 50, 50)."""
    image = np.full((2, 2), 100, np.uint8)
    mask = np.array([[True, False], [False, False]])
    tinted = tint(image, mask, (200, 0, 0))
    assert tinted[0, 0].tolist() == [150, 50, 50]
    assert (tinted[1, 1] == 100).all()


def test_tint_refuses_a_mask_of_another_shape():
    """A mask that does not cover the image is refused, naming both shapes."""
    with pytest.raises(ValueError, match=r"mask must have the image's height and width \(2, 2\)"):
        tint(np.zeros((2, 2), np.uint8), np.zeros((3, 2), bool), RED)


def test_to_rgb_repeats_gray_and_drops_alpha():
    """Gray becomes three equal channels; RGBA loses its alpha."""
    assert to_rgb(np.array([[5]], np.uint8)).tolist() == [[[5, 5, 5]]]
    assert to_rgb(np.array([[[1, 2, 3, 4]]], np.uint8)).tolist() == [[[1, 2, 3]]]


@pytest.mark.parametrize("corner, row, col", [
    ("top-left", 2, 2), ("top-right", 2, 7), ("bottom-left", 7, 2), ("bottom-right", 7, 7),
])
def test_edge_lines_sit_at_the_inset_from_the_outer_sides(corner, row, col):
    """Inset 2 on a 10 x 10 crop (factor 1): an L on the image's outermost row and column.

    The lines run from where they meet to the crop's inner sides, on the image's side of the
    edge, the same way round in every corner.
    """
    marked = edge_lines(np.zeros((10, 10), np.uint8), 1, 2, 2, corner, RED)
    drawn = marked[..., 0] > 0
    expected = np.zeros((10, 10), bool)
    rows = slice(row, None) if corner.startswith("top") else slice(None, row + 1)
    cols = slice(col, None) if corner.endswith("left") else slice(None, col + 1)
    expected[row, cols] = True
    expected[rows, col] = True
    np.testing.assert_array_equal(drawn, expected)


def test_edge_lines_with_a_zero_inset_draw_only_the_other_line():
    """A 1 x 3 kernel reaches no rows: only the column line is drawn, thickness factor // 2."""
    marked = edge_lines(np.zeros((12, 12), np.uint8), 4, 0, 1, "top-left", RED)
    drawn = marked[..., 0] > 0
    assert drawn[:, 4:6].all() and drawn.sum() == 12 * 2


def test_edge_lines_refuse_an_unknown_corner():
    """The corner is one of four names."""
    with pytest.raises(ValueError, match=r"corner must be one of .*got 'middle'"):
        edge_lines(np.zeros((4, 4), np.uint8), 1, 1, 1, "middle", RED)


def test_signed_difference_colours_by_hand():
    """-4 at limit 8 is half way from grey to blue; +8 full red; 0 grey."""
    result = np.array([[1, 5, 13]], np.uint8)
    reference = np.array([[5, 5, 5]], np.uint8)
    picture = signed_difference(result, reference, limit=8)
    half_blue = np.rint((np.array(ZERO) + np.array(NEGATIVE)) / 2).tolist()
    assert picture[0].tolist() == [half_blue, list(ZERO), list(POSITIVE)]


def test_signed_difference_of_equal_pictures_is_flat_grey():
    """No difference, no colour (and no division by zero)."""
    image = np.full((3, 4, 3), 77, np.uint8)
    with np.errstate(all="raise"):
        picture = signed_difference(image, image)
    assert (picture == ZERO).all()


def test_signed_difference_refuses_other_shapes():
    """Pictures of different shapes cannot be subtracted."""
    with pytest.raises(ValueError, match="same shape"):
        signed_difference(np.zeros((2, 2)), np.zeros((2, 3)))


def test_difference_pictures_share_one_scale():
    """Differences of 1 and 4 from the reference: the 4 is full red; the 1, a quarter of it,
    half way there with the default gamma 0.5 (a quarter of the way with gamma 1)."""
    pictures = {"ref": np.zeros((1, 1)), "one": np.full((1, 1), 1.0), "four": np.full((1, 1), 4.0)}
    out = difference_pictures(pictures, "ref")
    assert out["four"][0, 0].tolist() == list(POSITIVE)
    half_red = np.rint((np.array(ZERO) + np.array(POSITIVE)) / 2).tolist()
    assert out["one"][0, 0].tolist() == half_red
    linear = difference_pictures(pictures, "ref", gamma=1.0)["one"][0, 0]
    assert linear.tolist() == np.rint(np.array(ZERO) + (np.array(POSITIVE) - ZERO) / 4).tolist()
    assert out["ref"][0, 0].tolist() == list(ZERO)
    with pytest.raises(ValueError, match=r"reference must be one of \('ref', 'one', 'four'\)"):
        difference_pictures(pictures, "nope")


def test_signed_difference_refuses_a_gamma_outside_zero_to_one():
    """gamma 0 would paint every difference at full colour; above 1 hides small ones."""
    with pytest.raises(ValueError, match=r"gamma must lie in \(0, 1\]; got 2"):
        signed_difference(np.zeros((1, 1)), np.ones((1, 1)), gamma=2)


@pytest.mark.parametrize("channels", [None, 3])
def test_mark_differences_marks_what_cv2_absdiff_finds(channels):
    """The marked pixels and their count are those where cv2.absdiff is non-zero in any
    channel; every other pixel is the reference, dimmed."""
    rng = np.random.default_rng(7)
    shape = (40, 50) if channels is None else (40, 50, channels)
    reference = rng.integers(0, 256, shape, dtype=np.uint8)
    result = reference.copy()
    result[0, :] += 1  # a one-level difference along an edge, like a rounding at a border
    result[17, 23] = 255 - result[17, 23]
    difference = cv2.absdiff(result, reference)
    differs = (difference.max(axis=2) if channels else difference) > 0
    marked = mark_differences(result, reference)
    assert marked.differing == cv2.countNonZero(differs.astype(np.uint8))
    assert marked.total == 40 * 50
    assert (marked.picture[differs] == DIFFERENT).all()
    dimmed = np.rint(to_rgb(reference).astype(np.float64) * 0.3)
    assert np.array_equal(marked.picture[~differs], dimmed[~differs])
    # No equal pixel is as bright as a mark: the marks show by brightness, not hue alone.
    assert marked.picture[~differs].max() < min(DIFFERENT[:2])


def test_mark_differences_of_equal_pictures_marks_nothing():
    picture = np.arange(12, dtype=np.uint8).reshape(3, 4)
    marked = mark_differences(picture, picture.copy())
    assert marked.differing == 0
    assert not (marked.picture == DIFFERENT).all(axis=2).any()


@pytest.mark.parametrize(("result", "reference", "dim", "message"), [
    (np.zeros((2, 3), np.uint8), np.zeros((3, 2), np.uint8), 0.3, "same shape"),
    (np.zeros((2, 2), np.float32), np.zeros((2, 2), np.uint8), 0.3, "uint8"),
    (np.zeros((2, 2), np.uint8), np.zeros((2, 2), np.uint8), 0.9, "dim must lie"),
])
def test_mark_differences_refuses_bad_input(result, reference, dim, message):
    with pytest.raises(ValueError, match=message):
        mark_differences(result, reference, dim=dim)
