"""From a click on a shown (scaled) picture to the exact image pixel and the window around it.

The pictures themselves (magnified, outlined, tinted) are drawn by ``convkit.drawing``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core._validation import check_positive_int


def shown_to_pixel(click_x: float, click_y: float, shown_width: float, shown_height: float,
                   width: int, height: int) -> tuple[int, int]:
    """The (x, y) of the image pixel under a click on a scaled picture of it.

    Clicks on the last displayed row or column, or a hair outside, are clamped to the edge.

    Parameters
    ----------
    click_x, click_y : float
        Where the click landed, in screen pixels from the picture's top-left corner.
    shown_width, shown_height : float
        The size the picture is shown at, positive.
    width, height : int
        The image's size in pixels.

    Returns
    -------
    tuple of int
        ``(x, y)``, within ``0..width - 1`` and ``0..height - 1``.

    Examples
    --------
    >>> shown_to_pixel(399.9, 0, 400, 300, 1000, 750)
    (999, 0)
    """
    values = (click_x, click_y, shown_width, shown_height)
    if not all(np.isfinite(v) for v in values) or shown_width <= 0 or shown_height <= 0:
        raise ValueError(f"click and shown size must be finite, size positive; got {values}")
    x = int(np.floor(click_x * width / shown_width))
    y = int(np.floor(click_y * height / shown_height))
    return min(max(x, 0), width - 1), min(max(y, 0), height - 1)


@dataclass(frozen=True)
class Window:
    """A rectangle of the image: top-left corner and size."""

    top: int
    left: int
    height: int
    width: int

    def contains(self, x: int, y: int) -> bool:
        """Whether image pixel (x, y) lies in the window.

        Parameters
        ----------
        x, y : int
            The pixel's column and row in the image.

        Returns
        -------
        bool
            True when ``left <= x < left + width`` and ``top <= y < top + height``.

        Examples
        --------
        >>> window = Window(top=-1, left=-1, height=3, width=3)
        >>> window.contains(1, 1), window.contains(2, 0)
        (True, False)
        """
        return self.left <= x < self.left + self.width and self.top <= y < self.top + self.height


def window_around(x: int, y: int, width: int, height: int, size: int, margin: int = 0) -> Window:
    """The `size` x `size` window centred on (x, y), reaching at most `margin` past the edges.

    Parameters
    ----------
    x, y : int
        The pixel the window centres on.
    width, height : int
        The image's size.
    size : int
        The window's side; smaller where the image plus its margins is smaller.
    margin : int
        How far past the image's edges the window may reach (to show padding).

    Returns
    -------
    Window
        Its top-left corner may be negative, by at most `margin`.

    Examples
    --------
    >>> window_around(0, 0, 100, 80, 9, margin=2)
    Window(top=-2, left=-2, height=9, width=9)
    """
    size = check_positive_int(size, "size")
    win_w, win_h = min(size, width + 2 * margin), min(size, height + 2 * margin)
    left = min(max(x - win_w // 2, -margin), width + margin - win_w)
    top = min(max(y - win_h // 2, -margin), height + margin - win_h)
    return Window(top=top, left=left, height=win_h, width=win_w)
