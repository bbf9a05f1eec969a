"""Image files built in memory for tests: by Pillow, or byte by byte where Pillow would refuse.

Shared by the unit, app and browser tests (``tests`` is on pytest's pythonpath).
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image


def encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    """A Pillow image saved in `fmt` (PNG, JPEG, GIF ...), as file bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def png(pixels: np.ndarray) -> bytes:
    """A uint8 gray or RGB array as PNG file bytes."""
    return encode(Image.fromarray(pixels), "PNG")


def png_chunk(tag: bytes, data: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    crc = zlib.crc32(tag + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)


def handmade_png(width: int, height: int, bit_depth: int, color_type: int, raw: bytes) -> bytes:
    """A PNG written byte by byte; `raw` is the filtered scanlines (a filter byte per row)."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A tiny PNG whose header declares `width` x `height` gray pixels; two rows of data follow."""
    return handmade_png(width, height, 8, 0, b"\x00" * (width + 1) * 2)
