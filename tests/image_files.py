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


# ------------------------------------------------------------------ hostile and heavy files
# The files of issue 10's table, built row block by row block (streamed through zlib) so the
# test process never holds their pixels. Sizes are those of a phone photo: 6000 x 6600.

PHOTO_W, PHOTO_H = 6000, 6600


def _row_blocks(width: int, height: int, samples: int, dtype, rows: int = 256):
    """Row blocks of a smooth pattern with detail: a diagonal ramp plus a 64-pixel checker."""
    x = np.arange(width)
    for top in range(0, height, rows):
        y = np.arange(top, min(height, top + rows))[:, None]
        ramp = (x[None, :] + y) % 256
        checker = ((x[None, :] // 64 + y // 64) % 2) * 40
        block = np.stack([(ramp + checker + 85 * c) % 256 for c in range(samples)], axis=-1)
        yield block.astype(dtype)


def streamed_png(width: int, height: int, bit_depth: int, color_type: int, blocks,
                 chunks: tuple[bytes, ...] = ()) -> bytes:
    """A PNG from row blocks (H, W, samples) of big-endian samples, compressed as they come.

    `chunks` (already built with `png_chunk`) go between IHDR and IDAT: PLTE, tRNS ...
    """
    packer = zlib.compressobj(6)
    parts = []
    for block in blocks:
        rows = block.reshape(block.shape[0], -1).astype(block.dtype.newbyteorder(">"))
        raw = np.zeros((rows.shape[0], 1 + rows.nbytes // rows.shape[0]), np.uint8)
        raw[:, 1:] = rows.view(np.uint8).reshape(rows.shape[0], -1)
        parts.append(packer.compress(raw.tobytes()))
    parts.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + b"".join(chunks)
            + png_chunk(b"IDAT", b"".join(parts)) + png_chunk(b"IEND", b""))


def photo_rgb_png(width: int = PHOTO_W, height: int = PHOTO_H) -> bytes:
    """A 39.6 MP RGB PNG (about 1 MB): what a phone or a screenshot tool may produce."""
    return streamed_png(width, height, 8, 2, _row_blocks(width, height, 3, np.uint8))


def rgba_png(width: int = PHOTO_W, height: int = PHOTO_H) -> bytes:
    """A 39.6 MP RGBA PNG whose alpha is a ramp: every pixel partly transparent somewhere."""
    return streamed_png(width, height, 8, 6, _row_blocks(width, height, 4, np.uint8))


def palette_transparent_png(width: int = PHOTO_W, height: int = PHOTO_H) -> bytes:
    """A 39.6 MP palette PNG with a tRNS chunk (transparent entries): tens of KB."""
    palette = (np.arange(256 * 3) * 7 % 256).astype(np.uint8).tobytes()
    alpha = bytes(range(256))
    blocks = (block[..., 0] for block in _row_blocks(width, height, 1, np.uint8))
    return streamed_png(width, height, 8, 3, (b[..., None] for b in blocks),
                        (png_chunk(b"PLTE", palette), png_chunk(b"tRNS", alpha)))


def gray16_png(width: int = PHOTO_W, height: int = PHOTO_H) -> bytes:
    """A 39.6 MP 16-bit gray PNG."""
    blocks = (block * 257 for block in _row_blocks(width, height, 1, np.uint16))
    return streamed_png(width, height, 16, 0, blocks)


def line_png(length: int = 40_000_000) -> bytes:
    """A 1-pixel-high gray PNG `length` pixels long (40 MP in one row, about 40 KB)."""
    return handmade_png(length, 1, 8, 0, b"\x00" * (length + 1))


def many_chunks_png(chunks: int = 2_000_000) -> bytes:
    """A 1 x 1 PNG with `chunks` empty private chunks before its data (12 bytes each)."""
    filler = png_chunk(b"prVt", b"") * chunks
    one = handmade_png(1, 1, 8, 0, b"\x00\x80")
    return one[:33] + filler + one[33:]  # after the signature (8) and IHDR (25)


# TIFF, byte by byte: (tag, type, values) entries; types 3 = SHORT, 4 = LONG.
_TIFF_TYPES = {3: "H", 4: "I", 11: "f"}


def tiff_file(pages: list[list[tuple[int, int, list]]], blobs: list[bytes]) -> bytes:
    """A little-endian TIFF: `blobs` are placed first, then one directory per page.

    A value of the form ("blob", i) is replaced by blob i's offset; the directories are
    chained in order.
    """
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    offsets = []
    for blob in blobs:
        offsets.append(len(out))
        out += blob + b"\x00" * (len(blob) % 2)
    previous_next = 4  # where the offset of the next directory is written
    for entries in pages:
        resolved = []
        for tag, kind, values in sorted(entries):
            values = [offsets[v[1]] if isinstance(v, tuple) else v for v in values]
            resolved.append((tag, kind, values))
        extra = bytearray()
        position = len(out) + 2 + 12 * len(resolved) + 4
        directory = bytearray(struct.pack("<H", len(resolved)))
        for tag, kind, values in resolved:
            payload = struct.pack("<" + _TIFF_TYPES[kind] * len(values), *values)
            if len(payload) <= 4:
                field = payload.ljust(4, b"\x00")
            else:
                field = struct.pack("<I", position + len(extra))
                extra += payload + b"\x00" * (len(payload) % 2)
            directory += struct.pack("<HHI", tag, kind, len(values)) + field
        struct.pack_into("<I", out, previous_next, len(out))
        previous_next = len(out) + len(directory)
        out += directory + b"\x00\x00\x00\x00" + extra
    return bytes(out)


def _gray_page(width: int, height: int, compression: int = 1) -> list:
    return [(256, 4, [width]), (257, 4, [height]), (258, 3, [8]), (259, 3, [compression]),
            (262, 3, [1]), (277, 3, [1])]


def many_pages_tiff(pages: int = 40_000) -> bytes:
    """A TIFF of `pages` 1 x 1 gray pages sharing one pixel (about 4.5 MB for 40,000)."""
    page = _gray_page(1, 1) + [(273, 4, [("blob", 0)]), (278, 4, [1]), (279, 4, [1])]
    return tiff_file([page] * pages, [b"\x80"])


def huge_tile_tiff(side: int = 64, tile: int = 32768) -> bytes:
    """A `side` x `side` deflate TIFF declaring one `tile` x `tile` tile (a few hundred bytes)."""
    data = zlib.compress(b"\x00" * side * side)
    page = _gray_page(side, side, compression=8) + [
        (322, 4, [tile]), (323, 4, [tile]), (324, 4, [("blob", 0)]), (325, 4, [len(data)])]
    return tiff_file([page], [data])


def float_tiff(width: int = PHOTO_W, height: int = PHOTO_H, rows: int = 64) -> bytes:
    """A 32-bit floating-point gray TIFF, deflate-compressed strips of `rows` rows."""
    strips = []
    for top in range(0, height, rows):
        y = np.arange(top, min(height, top + rows))[:, None]
        values = ((np.arange(width)[None, :] + y) % 512 - 100.5).astype("<f4")
        strips.append(zlib.compress(values.tobytes(), 6))
    page = [(256, 4, [width]), (257, 4, [height]), (258, 3, [32]), (259, 3, [8]),
            (262, 3, [1]), (277, 3, [1]), (278, 4, [rows]), (339, 3, [3]),
            (273, 4, [("blob", i) for i in range(len(strips))]),
            (279, 4, [len(s) for s in strips])]
    return tiff_file([page], strips)


def huge_canvas_webp(width: int = PHOTO_W, height: int = PHOTO_H) -> bytes:
    """A two-frame 16 x 16 animated WebP whose header declares a `width` x `height` canvas."""
    frames = [Image.new("RGBA", (16, 16), colour) for colour in ((255, 0, 0, 255),
                                                                    (0, 0, 255, 255))]
    data = bytearray(encode(frames[0], "WEBP", save_all=True, append_images=frames[1:],
                            lossless=True))
    assert data[12:16] == b"VP8X"
    data[24:27] = (width - 1).to_bytes(3, "little")
    data[27:30] = (height - 1).to_bytes(3, "little")
    return bytes(data)


def rle_bmp(width: int = PHOTO_W, height: int = PHOTO_H, rle4: bool = False) -> bytes:
    """A run-length BMP (RLE8, or RLE4) Pillow decodes in Python, pixel by pixel.

    RLE8: each row is one pixel and an end-of-line, which Pillow pads a byte at a time (26 KB
    at 6000 x 6600). RLE4: each row is runs of 254 pixels, which Pillow expands one at a time.
    """
    row = b"\xfe\x12" * (width // 254) + b"\x00\x00" if rle4 else b"\x01\x07\x00\x00"
    bits = row * height + b"\x00\x01"
    colours = 16 if rle4 else 256
    palette = b"".join(bytes((i * 17 % 256, i * 5 % 256, i % 256, 0)) for i in range(colours))
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 4 if rle4 else 8,
                       2 if rle4 else 1, len(bits), 2835, 2835, colours, 0)
    offset = 14 + len(info) + len(palette)
    header = b"BM" + struct.pack("<IHHI", offset + len(bits), 0, 0, offset)
    return header + info + palette + bits


#: Issue 10's hostile files: name -> (builder, accepted?). Each must be answered within the
#: decode budget; the accepted ones decode, the others are refused with a message.
HOSTILE_FILES = {
    "palette_transparent_png": (palette_transparent_png, True),
    "rgba_png": (rgba_png, True),
    "float32_tiff": (float_tiff, True),
    "gray16_png": (gray16_png, True),
    "rgb_40mp_png": (photo_rgb_png, True),
    "huge_tile_tiff": (huge_tile_tiff, False),
    "huge_canvas_webp": (huge_canvas_webp, False),
    "line_1x40m_png": (line_png, False),
    "pages_40000_tiff": (many_pages_tiff, True),
    "rle8_bmp": (rle_bmp, False),
    "rle4_bmp": (lambda: rle_bmp(rle4=True), False),
    "chunks_2m_png": (many_chunks_png, False),
}
