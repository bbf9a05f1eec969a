"""Printed digits 0-9 drawn in the repository, for the small network: nothing is downloaded.

Each picture is one digit in Pillow's bundled default font (``ImageFont.load_default``, the
same glyphs on every machine with the pinned Pillow), on a black DIGIT_SIDE x DIGIT_SIDE
square, white ink, moved a few pixels, turned a few degrees, drawn thin or bold, fainter or
brighter, with Gaussian noise; everything random comes from one seed.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..core._validation import check_positive_int

#: Side of every digit picture, in pixels (the network's input is DIGIT_SIDE x DIGIT_SIDE).
DIGIT_SIDE = 20
#: Largest number of pictures one call draws (a bound on time and memory, ~1.6 kB each).
MAX_DIGITS = 20_000
#: Font sizes drawn (glyphs about 10 to 14 pixels tall).
FONT_SIZES = (15, 16, 17, 18, 19)
#: Largest shift of the digit's centre from the square's centre, in pixels, either way.
MAX_SHIFT = 2
#: Largest turn, in degrees, either way.
MAX_TURN = 12.0
#: Standard deviation of the noise added to the [0, 1] picture.
NOISE_SIGMA = 0.06
#: The seed the shipped network was trained from (its test pictures come from it too).
SHIPPED_SEED = 25
#: How many of the held-back test pictures ``held_back_digit`` offers.
TEST_PICTURES = 100


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def draw_digit(digit: int, rng: np.random.Generator) -> np.ndarray:
    """One picture of ``digit``, its variations drawn from ``rng``.

    Parameters
    ----------
    digit : int
        The digit to draw, 0 to 9.
    rng : numpy.random.Generator
        Where the shift, turn, size, thickness, brightness and noise come from.

    Returns
    -------
    numpy.ndarray
        float32 (DIGIT_SIDE, DIGIT_SIDE) in [0, 1]: 0 is the black background, 1 full ink.

    Examples
    --------
    >>> picture = draw_digit(7, np.random.default_rng(0))
    >>> picture.shape, picture.dtype.name, bool(picture.max() > 0.5)
    ((20, 20), 'float32', True)
    """
    if isinstance(digit, bool) or not isinstance(digit, int | np.integer) or not 0 <= digit <= 9:
        raise ValueError(f"digit must be an integer from 0 to 9; got {digit!r}")
    size = int(rng.choice(FONT_SIZES))
    bold = int(rng.integers(0, 2))
    shift_x, shift_y = rng.integers(-MAX_SHIFT, MAX_SHIFT + 1, size=2)
    turn = float(rng.uniform(-MAX_TURN, MAX_TURN))
    ink = float(rng.uniform(0.7, 1.0))
    # Drawn on a square twice as large, then turned and cut down, so that turning never
    # clips the glyph at the square's edge.
    canvas = Image.new("L", (2 * DIGIT_SIDE, 2 * DIGIT_SIDE), 0)
    ImageDraw.Draw(canvas).text(
        (DIGIT_SIDE + int(shift_x), DIGIT_SIDE + int(shift_y)), str(int(digit)), fill=255,
        font=_font(size), anchor="mm", stroke_width=bold, stroke_fill=255)
    canvas = canvas.rotate(turn, resample=Image.Resampling.BILINEAR)
    start = DIGIT_SIDE // 2
    picture = np.asarray(canvas, dtype=np.float32)[start:start + DIGIT_SIDE,
                                                   start:start + DIGIT_SIDE] / 255.0
    noise = rng.normal(0.0, NOISE_SIGMA, size=picture.shape).astype(np.float32)
    return np.clip(picture * ink + noise, 0.0, 1.0).astype(np.float32)


def digit_images(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` digit pictures and their labels, the same for the same seed.

    Every ten pictures hold each digit once, in a shuffled order; the first n pictures of
    a call are those of the same call with ``count=n``.

    Parameters
    ----------
    count : int
        Number of pictures, 1 to MAX_DIGITS.
    seed : int
        Seed of the random generator (any non-negative integer).

    Returns
    -------
    images : numpy.ndarray
        float32 (count, DIGIT_SIDE, DIGIT_SIDE) in [0, 1].
    labels : numpy.ndarray
        int64 (count,), the digit in each picture.

    Examples
    --------
    >>> images, labels = digit_images(20, seed=1)
    >>> images.shape, sorted(np.bincount(labels).tolist())
    ((20, 20, 20), [2, 2, 2, 2, 2, 2, 2, 2, 2, 2])
    """
    count = check_positive_int(count, "count")
    if count > MAX_DIGITS:
        raise ValueError(f"count must be at most {MAX_DIGITS}; got {count}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    rng = np.random.default_rng(seed)
    labels, images = [], []
    # Ten at a time, each a shuffled 0-9, so that the first n pictures of a longer call are
    # the n pictures of a shorter one.
    while len(labels) < count:
        for label in rng.permutation(10)[:count - len(labels)]:
            labels.append(int(label))
            images.append(draw_digit(int(label), rng))
    return np.stack(images), np.array(labels, dtype=np.int64)


def split_seeds(seed: int) -> tuple[int, int, int]:
    """Three independent seeds from one: training pictures, test pictures, weights and order.

    The test pictures never share a generator with the training ones.

    Parameters
    ----------
    seed : int
        The schedule's seed.

    Returns
    -------
    tuple of int
        (training pictures' seed, test pictures' seed, the weights' and batches' seed).

    Examples
    --------
    >>> len(set(split_seeds(SHIPPED_SEED)))
    3
    """
    children = np.random.SeedSequence(seed).spawn(3)
    return tuple(int(child.generate_state(1)[0]) for child in children)


@cache
def _test_digits() -> tuple[np.ndarray, np.ndarray]:
    return digit_images(TEST_PICTURES, split_seeds(SHIPPED_SEED)[1])


def held_back_digit(index: int) -> tuple[np.ndarray, int]:
    """One of the first TEST_PICTURES held-back test pictures of the shipped network.

    Parameters
    ----------
    index : int
        0 to TEST_PICTURES - 1.

    Returns
    -------
    picture : numpy.ndarray
        float32 (DIGIT_SIDE, DIGIT_SIDE) in [0, 1] (a copy).
    label : int
        The digit drawn in it.

    Examples
    --------
    >>> picture, label = held_back_digit(0)
    >>> picture.shape, 0 <= label <= 9
    ((20, 20), True)
    """
    if isinstance(index, bool) or not isinstance(index, int | np.integer) or not (
            0 <= index < TEST_PICTURES):
        raise ValueError(f"index must be a whole number from 0 to {TEST_PICTURES - 1}; "
                         f"got {index!r}")
    images, labels = _test_digits()
    return images[index].copy(), int(labels[index])
