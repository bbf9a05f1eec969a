"""A fake camera for Chromium: a still colour picture written as a .y4m video.

Chromium plays it as its camera with ``--use-fake-device-for-media-stream
--use-file-for-fake-video-capture=<file>`` (the live video page's tests and bench). Every
frame is the same, so whatever frame the page filters, it filters the same picture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_still_y4m(path: Path, width: int, height: int, frames: int = 2) -> Path:
    """Write `frames` identical 4:2:0 frames of gradients, stripes and a disc; return `path`.

    `width` and `height` must be even (4:2:0 halves both for the colour planes).
    """
    if width % 2 or height % 2 or width < 2 or height < 2:
        raise ValueError(f"width and height must be even and positive; got {width} x {height}")
    y, x = np.mgrid[0:height, 0:width]
    scale = width / 160
    disc = (x - 100 * scale) ** 2 + (y - 60 * scale) ** 2 < (20 * scale) ** 2
    luma = np.clip(40 + x / scale + 60 * ((y // int(12 * scale)) % 2) + 60 * disc, 16, 235)
    u = (128 + 60 * np.sin(np.arange(width // 2) / (9 * scale)))[np.newaxis]
    v = (128 + 60 * np.cos(np.arange(height // 2) / (7 * scale)))[:, np.newaxis]
    planes = (luma.astype(np.uint8).tobytes()
              + u.repeat(height // 2, 0).astype(np.uint8).tobytes()
              + v.repeat(width // 2, 1).astype(np.uint8).tobytes())
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + (b"FRAME\n" + planes) * frames)
    return path
