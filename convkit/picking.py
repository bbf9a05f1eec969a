"""From a click on a shown (scaled) picture to the exact image pixel, and magnified crops."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_image, check_positive_int


def shown_to_pixel(click_x: float, click_y: float, shown_width: float, shown_height: float,
                   width: int, height: int) -> tuple[int, int]:
    """Map a click at (`click_x`, `click_y`) on a picture shown at `shown_width` x `shown_height`
    to the (x, y) of the image pixel under it, for an image of `width` x `height`.

    Clicks on the last displayed row or column, or a hair outside, are clamped to the edge.

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
        """Whether image pixel (x, y) lies in the window."""
        return self.left <= x < self.left + self.width and self.top <= y < self.top + self.height


def window_around(x: int, y: int, width: int, height: int, size: int) -> Window:
    """The `size` x `size` window centred on (x, y), kept inside the image.

    It is smaller where the image is smaller than `size`.
    """
    size = check_positive_int(size, "size")
    win_w, win_h = min(size, width), min(size, height)
    left = min(max(x - win_w // 2, 0), width - win_w)
    top = min(max(y - win_h // 2, 0), height - win_h)
    return Window(top=top, left=left, height=win_h, width=win_w)


def magnify(image: np.ndarray, factor: int, *, grid: bool = True) -> np.ndarray:
    """Enlarge every pixel to a `factor` x `factor` block, with a thin grid between pixels."""
    check_image(image)
    factor = check_positive_int(factor, "factor")
    big = np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)
    if grid and factor >= 6:
        big = big.copy()
        line = np.array(96 if big.dtype == np.uint8 else 0.4, dtype=big.dtype)
        big[factor - 1 :: factor, :] = line
        big[:, factor - 1 :: factor] = line
    return big
