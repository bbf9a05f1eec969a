"""A digit drawn by hand, as strokes, turned into a picture the digit network was trained on.

The browser sends the strokes (each a list of (x, y) points, 0 to 1 across the drawing area),
not pixels: the same drawing redrawn here has the printed training digits' size, place and
line thickness whatever size the student drew it at, and the strokes are a few hundred numbers.

Preprocessing, as ``digits.draw_digit`` lays out a printed digit: the ink's box is scaled so
its height is DRAWN_HEIGHT pixels (its width at most DRAWN_MAX_WIDTH, a wide drawing is
shrunk to fit), centred in the DIGIT_SIDE x DIGIT_SIDE square, and every stroke is redrawn
DRAWN_LINE pixels thick (smooth: drawn SUPERSAMPLE times larger and averaged down),
ink DRAWN_INK on 0.
"""

from __future__ import annotations

import numbers

import cv2
import numpy as np

from .digits import DIGIT_SIDE

#: Most strokes one drawing may hold (a bound on the server's work for one payload).
MAX_STROKES = 40
#: Most points in one drawing, over all its strokes.
MAX_POINTS = 4000
#: Height of the ink's box in the picture, pixels: the printed training digits' median.
DRAWN_HEIGHT = 13
#: Largest width of the ink's box, pixels (the widest printed digits, with a little room).
DRAWN_MAX_WIDTH = 13
#: Thickness of a redrawn stroke, pixels: near the printed digits' thin lines
#: (their stroke width, twice the ink's area over its outline's length, is 1.6 to 3.6).
DRAWN_LINE = 1.6
#: Brightness of the redrawn ink (the printed digits' ink is 0.7 to 1).
DRAWN_INK = 0.9
#: The strokes are drawn this many times larger, then averaged down: smooth edges.
SUPERSAMPLE = 8


def check_strokes(strokes) -> list[np.ndarray]:
    """Strokes as the browser sends them, checked: a list of point lists, every number 0 to 1.

    Parameters
    ----------
    strokes : sequence of sequences of (x, y)
        1 to MAX_STROKES strokes, each of at least one point, MAX_POINTS points in all;
        x from 0 (left) to 1 (right) and y from 0 (top) to 1 (bottom) of the drawing area.

    Returns
    -------
    list of numpy.ndarray
        One float64 (points, 2) array of (x, y) per stroke.

    Examples
    --------
    >>> check_strokes([[[0.5, 0.1], [0.5, 0.9]]])[0].shape
    (2, 2)
    """
    if not isinstance(strokes, list | tuple) or not strokes:
        raise ValueError("strokes must be a non-empty list of strokes; got "
                         f"{type(strokes).__name__}")
    if len(strokes) > MAX_STROKES:
        raise ValueError(f"a drawing may hold at most {MAX_STROKES} strokes; got {len(strokes)}")
    checked, total = [], 0
    for number, stroke in enumerate(strokes):
        if not isinstance(stroke, list | tuple) or not stroke:
            raise ValueError(f"stroke {number} must be a non-empty list of (x, y) points")
        total += len(stroke)
        if total > MAX_POINTS:
            raise ValueError(f"a drawing may hold at most {MAX_POINTS} points")
        for point in stroke:
            if (not isinstance(point, list | tuple) or len(point) != 2
                    or not all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                               for v in point)):
                raise ValueError(f"stroke {number} holds {point!r}: every point must be two "
                                 "numbers (x, y)")
        points = np.array(stroke, dtype=np.float64)
        if not np.all(np.isfinite(points)) or points.min() < 0 or points.max() > 1:
            raise ValueError(f"stroke {number}: x and y must be finite numbers from 0 to 1")
        checked.append(points)
    return checked


def digit_from_strokes(strokes) -> np.ndarray:
    """A hand-drawn digit as the network's input: cropped, scaled, centred and redrawn.

    Parameters
    ----------
    strokes : sequence of sequences of (x, y)
        As ``check_strokes`` takes them.

    Returns
    -------
    numpy.ndarray
        float32 (DIGIT_SIDE, DIGIT_SIDE) in [0, 1]: 0 background, ink up to DRAWN_INK.

    Examples
    --------
    A vertical bar becomes a line DRAWN_HEIGHT pixels tall in the middle of the square: its ink
    runs from the middle of row 3 to the middle of row 16, full in rows 4 to 15:

    >>> picture = digit_from_strokes([[[0.5, 0.2], [0.5, 0.8]]])
    >>> rows = np.flatnonzero(picture.max(axis=1) > 0)
    >>> int(rows[0]), int(rows[-1]), np.flatnonzero(picture.max(axis=1) > 0.6).tolist()
    (3, 16, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
    """
    checked = check_strokes(strokes)
    every = np.concatenate(checked)
    low, high = every.min(axis=0), every.max(axis=0)
    span_x, span_y = high - low
    # The line's own thickness is added after scaling: the box of the stroke centres is
    # fitted to the size less one line width.
    room_y, room_x = DRAWN_HEIGHT - DRAWN_LINE, DRAWN_MAX_WIDTH - DRAWN_LINE
    limits = [room / span for room, span in ((room_y, span_y), (room_x, span_x)) if span > 0]
    scale = min(limits) if limits else 1.0
    big = DIGIT_SIDE * SUPERSAMPLE
    centre = (low + high) / 2
    # The centre lines one pixel thin, then every pixel within half a line width of them
    # inked: the line is DRAWN_LINE thick exactly (cv2's thick lines come in odd widths).
    # cv2 draws on whole pixels; 4 fractional bits (shift) keep the points' subpixel places.
    shift = 4
    lines = np.full((big, big), 255, np.uint8)
    for points in checked:
        # Pixel centres sit at whole coordinates: the square's middle is (big - 1) / 2.
        placed = (points - centre) * scale * SUPERSAMPLE + (big - 1) / 2
        fixed = np.rint(placed * (1 << shift)).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(lines, [fixed], False, 0, 1, cv2.LINE_8, shift)
        # A stroke of one point (a tap) is a dot: polylines draws nothing for it.
        column, row = np.clip(np.rint(placed[0]), 0, big - 1).astype(int)
        lines[row, column] = 0
    distance = cv2.distanceTransform(lines, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    canvas = np.where(distance <= DRAWN_LINE * SUPERSAMPLE / 2, 255, 0).astype(np.uint8)
    small = cv2.resize(canvas, (DIGIT_SIDE, DIGIT_SIDE), interpolation=cv2.INTER_AREA)
    return (small.astype(np.float32) / 255.0 * DRAWN_INK).astype(np.float32)
