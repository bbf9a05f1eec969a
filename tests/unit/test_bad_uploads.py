"""Every bad or unusual upload a public demo meets, against load_image / decode_image.

Files are built in memory (Pillow, or byte by byte for headers Pillow would not write). Each
refusal is an ImageLoadError whose message says what is wrong; each odd-but-valid image comes
back as uint8 pixels checked against values worked out independently.
"""

from __future__ import annotations

import re
import struct
import time
import zlib

import numpy as np
import pytest
from image_files import (
    bomb_png,
    encode,
    handmade_png,
    huge_canvas_webp,
    huge_tile_tiff,
    line_png,
    many_chunks_png,
    many_pages_tiff,
    png_chunk,
    rle_bmp,
    tiff_file,
)
from PIL import Image, ImageFile

import convkit
from convkit import ImageLoadError, decode_image, load_image
from convkit.core import DEFAULT_MAX_PIXELS, MAX_PNG_CHUNKS, MAX_SLOW_PIXELS


def png16_gray(values: np.ndarray) -> bytes:
    """A 16-bit gray PNG holding `values` (big-endian samples, as the PNG spec says)."""
    rows = [b"\x00" + row.astype(">u2").tobytes() for row in values]
    return handmade_png(values.shape[1], values.shape[0], 16, 0, b"".join(rows))


def png16_rgb(values: np.ndarray) -> bytes:
    rows = [b"\x00" + row.astype(">u2").tobytes() for row in values]
    return handmade_png(values.shape[1], values.shape[0], 16, 2, b"".join(rows))


def thousands_free(message: str) -> str:
    return re.sub(r"[,_\s'\u202f\u00a0]", "", message)


def refusal(data: bytes, **kwargs) -> str:
    """The message of the ImageLoadError that decoding `data` raises."""
    with pytest.raises(ImageLoadError) as info:
        decode_image(data, **kwargs)
    message = str(info.value)
    assert message and "Traceback" not in message and "\n" not in message
    return message


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if Pillow starts decoding pixel data."""

    def forbidden(self, *args, **kwargs):
        raise AssertionError("pixel data was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", forbidden)
    monkeypatch.setattr(Image.Image, "load", forbidden)


RNG = np.random.default_rng(7)
NOISE = RNG.integers(0, 256, (48, 64, 3), dtype=np.uint8)


# ----------------------------------------------------------------------------- refused


def test_text_file_renamed_png_is_not_an_image():
    message = refusal(b"name,score\nada,3\n" * 20)
    assert "not an image" in message and "PNG" in message


def test_zero_byte_file_is_called_empty():
    assert "empty" in refusal(b"").lower()
    assert "empty" in refusal(bytearray()).lower()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_files_are_called_truncated_or_damaged(fmt, keep):
    data = encode(Image.fromarray(NOISE), fmt)
    message = refusal(data[: int(len(data) * keep)])
    assert re.search(r"truncated|damaged", message), message


def test_file_cut_inside_its_header_is_refused():
    data = encode(Image.fromarray(NOISE), "PNG")
    message = refusal(data[:20])
    assert re.search(r"damaged|not an image|truncated", message), message


@pytest.mark.parametrize("side", [20_000, 65_000])
def test_decompression_bomb_is_refused_fast_without_decoding(side, no_decoding):
    data = bomb_png(side, side)
    assert len(data) < 200_000  # a small file...
    start = time.process_time()
    message = refusal(data)  # ...declaring side x side pixels
    assert time.process_time() - start < 1.0
    assert f"{DEFAULT_MAX_PIXELS:,}" in message, message


def test_bomb_below_pillows_own_limit_is_refused_by_ours_with_size_and_limit(no_decoding):
    # 7000 x 6000 = 42 Mpx: under Pillow's warning threshold (89 Mpx), over convkit's 40 Mpx.
    start = time.process_time()
    message = refusal(bomb_png(7000, 6000))
    assert time.process_time() - start < 1.0
    digits = thousands_free(message)
    assert "7000" in digits and "6000" in digits and "42000000" in digits, message
    assert "40000000" in digits, message


def test_genuine_zlib_bomb_is_refused_before_inflating(no_decoding):
    """A real bomb: 7000 x 7000 zero pixels really compressed, about 50 kB on disk."""
    data = handmade_png(7000, 7000, 8, 0, b"\x00" * (7001 * 7000))
    assert len(data) < 100_000
    start = time.process_time()
    message = refusal(data)
    assert time.process_time() - start < 1.0
    assert "49,000,000" in message and "40,000,000" in message, message


def test_gif_declaring_the_largest_possible_screen_is_refused(no_decoding):
    # GIF89a header: logical screen 65535 x 65535, one 1 x 1 image, trailer.
    header = b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0x80, 0, 0) + b"\x00" * 6
    image = (b"\x2c" + struct.pack("<HHHHB", 0, 0, 65535, 65535, 0)
             + b"\x02\x02\x44\x01\x00" + b"\x3b")
    message = refusal(header + image)
    assert "40,000,000" in message, message


def test_max_pixels_limit_is_the_one_named():
    data = encode(Image.fromarray(NOISE), "PNG")  # 64 x 48 = 3072 px
    message = refusal(data, max_pixels=3000)
    assert "3,000" in message and "3,072" in message, message
    assert load_image(data, max_pixels=3072).shape == NOISE.shape


@pytest.mark.parametrize(
    "data, word",
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>', "SVG"),
        (b'  \n<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF", "PDF"),
    ],
    ids=["svg", "svg-xml-prolog", "pdf"],
)
def test_svg_and_pdf_are_named_and_explained(data, word):
    message = refusal(data)
    assert word in message and "PNG" in message, message


def test_svg_with_byte_order_mark_is_still_refused():
    assert refusal(b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'/>")


@pytest.mark.parametrize("fmt", ["ICO", "PCX", "PPM"])
def test_image_formats_outside_the_list_are_named(fmt):
    data = encode(Image.fromarray(NOISE[:32, :32]), fmt)
    message = refusal(data)
    assert "not supported" in message and "PNG" in message, message


def test_wrong_argument_type_is_a_type_error_not_a_crash_later():
    with pytest.raises(TypeError, match="bytes"):
        decode_image("picture.png")


# ------------------------------------------------------------------ odd but accepted


def test_16_bit_gray_png_is_scaled_to_8_bits_not_clipped():
    values = np.array([[0, 257, 1000, 32768], [40000, 65278, 65535, 12345]], dtype=np.uint16)
    decoded = decode_image(png16_gray(values))
    expected = np.rint(values / 257.0).astype(np.uint8)  # 65535 / 255 = 257
    np.testing.assert_array_equal(decoded.pixels, expected)
    assert decoded.pixels.dtype == np.uint8
    assert decoded.pixels.max() == 255 and len(np.unique(decoded.pixels)) == 8  # not clipped
    assert any("16-bit" in note for note in decoded.notes)


def test_16_bit_rgb_png_keeps_its_colours_on_the_8_bit_scale():
    levels = np.array([0, 64, 128, 200, 255], dtype=np.uint16) * 257  # exact 8-bit levels
    values = np.stack([np.tile(levels, (3, 1)), np.tile(levels[::-1], (3, 1)),
                       np.full((3, 5), 128 * 257)], axis=2)
    pixels = load_image(png16_rgb(values))
    np.testing.assert_array_equal(pixels, (values // 257).astype(np.uint8))


def test_palette_png_gives_the_palette_colours():
    index = np.array([[0, 1], [2, 1]], dtype=np.uint8)
    image = Image.fromarray(index, "P")
    image.putpalette([255, 0, 0, 0, 128, 255, 10, 20, 30] + [0] * (256 * 3 - 9))
    pixels = load_image(encode(image, "PNG"))
    expected = np.array([[[255, 0, 0], [0, 128, 255]], [[10, 20, 30], [0, 128, 255]]])
    np.testing.assert_array_equal(pixels, expected)


def test_palette_png_with_transparent_entry_is_shown_on_white():
    image = Image.fromarray(np.array([[0, 1]], dtype=np.uint8), "P")
    image.putpalette([0, 0, 0, 200, 0, 0] + [0] * (256 * 3 - 6))
    decoded = decode_image(encode(image, "PNG", transparency=0))
    np.testing.assert_array_equal(decoded.pixels, [[[255, 255, 255], [200, 0, 0]]])
    assert any("white" in note for note in decoded.notes)


def test_rgba_is_composited_on_white():
    rgba = np.array([[[255, 0, 0, 255], [255, 0, 0, 0], [0, 0, 255, 128]]], dtype=np.uint8)
    pixels = load_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    alpha = 128 / 255
    half_blue = [round(255 * (1 - alpha)), round(255 * (1 - alpha)), round(255)]
    np.testing.assert_array_equal(pixels, [[[255, 0, 0], [255, 255, 255], half_blue]])


def test_la_gray_with_alpha_is_gray_on_white():
    la = np.array([[[100, 255], [100, 0], [0, 51]]], dtype=np.uint8)
    pixels = load_image(encode(Image.fromarray(la, "LA"), "PNG"))
    assert pixels.ndim == 2
    np.testing.assert_array_equal(pixels, [[100, 255, round(255 * (1 - 51 / 255))]])


@pytest.mark.parametrize(
    "cmyk, rgb",
    [((0, 0, 0, 0), (255, 255, 255)), ((255, 0, 0, 0), (0, 255, 255)),
     ((0, 255, 255, 0), (255, 0, 0)), ((0, 0, 0, 255), (0, 0, 0)),
     ((0, 0, 255, 0), (255, 255, 0))],
)
def test_cmyk_jpeg_is_converted_to_rgb(cmyk, rgb):
    # Naive CMYK -> RGB: R = 255 - C - K (clipped) and so on; JPEG loses a few levels.
    image = Image.new("CMYK", (16, 16), cmyk)
    decoded = decode_image(encode(image, "JPEG", quality=95))
    assert decoded.format == "JPEG"
    pixels = decoded.pixels if decoded.pixels.ndim == 3 else np.dstack([decoded.pixels] * 3)
    assert pixels.shape == (16, 16, 3)
    assert np.abs(pixels.astype(int) - np.array(rgb)).max() <= 6, pixels[8, 8]
    assert any("CMYK" in note for note in decoded.notes)


def test_one_bit_image_is_black_and_white():
    bits = np.indices((6, 9)).sum(axis=0) % 2 == 0
    pixels = load_image(encode(Image.fromarray(bits), "PNG"))
    assert pixels.dtype == np.uint8 and pixels.shape == (6, 9)
    np.testing.assert_array_equal(pixels, np.where(bits, 255, 0))


def test_exif_rotated_jpeg_is_shown_upright():
    """Stored 60 wide x 30 high with orientation 6: upright it is 30 wide x 60 high."""
    stored = np.zeros((30, 60, 3), dtype=np.uint8)
    stored[:10, :20] = (255, 0, 0)  # red block in the stored image's top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    decoded = decode_image(encode(Image.fromarray(stored), "JPEG", quality=95, exif=exif))
    assert decoded.pixels.shape == (60, 30, 3)
    # Turned clockwise, the top-left corner goes to the top-right.
    assert decoded.pixels[5, 25, 0] > 200 and decoded.pixels[5, 25, 1] < 60
    assert decoded.pixels[5, 2].max() < 60 and decoded.pixels[55, 25].max() < 60
    assert decoded.original_size == (60, 30)
    assert any("EXIF" in note for note in decoded.notes)


def test_animated_gif_takes_the_first_frame_and_says_so():
    frames = [Image.new("L", (12, 7), level) for level in (40, 160, 250)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=80)
    decoded = decode_image(data)
    assert decoded.pixels.shape[:2] == (7, 12)
    assert np.all(decoded.pixels == 40)
    assert any("first" in note and "3 frames" in note for note in decoded.notes), decoded.notes


def test_one_by_one_image_goes_through_the_whole_pipeline():
    pixels = load_image(encode(Image.new("L", (1, 1), 77), "PNG"))
    assert pixels.shape == (1, 1) and pixels[0, 0] == 77
    sharpen = convkit.BANK["sharpen"].weights  # sums to 1: a flat image stays flat
    for border in convkit.BORDER_MODES:
        raw = convkit.convolve(pixels, sharpen, border, value=77.0)
        assert raw.shape == (1, 1) and np.isfinite(raw).all()
    assert convkit.convolve(pixels, sharpen, "replicate")[0, 0] == pytest.approx(77.0)
    assert convkit.to_uint8(convkit.convolve(pixels, sharpen, "constant"), "clip")[0, 0] == 255


def test_very_wide_image_is_kept_and_downscales_to_a_valid_shape():
    wide = np.tile(np.arange(10_000) % 256, (3, 1)).astype(np.uint8)
    decoded = decode_image(encode(Image.fromarray(wide), "PNG"))
    np.testing.assert_array_equal(decoded.pixels, wide)
    working = convkit.fit_to_pixels(decoded.pixels, 1024)
    assert working.shape == (1, 1024)  # 3 rows scale to 0.3 of a row: at least one remains
    raw = convkit.convolve(working, convkit.BANK["sharpen"], "reflect_101")
    assert raw.shape == working.shape and np.isfinite(raw).all()


def test_float_tiff_is_stretched_and_said_so():
    values = np.array([[-1.0, 0.0], [0.5, 3.0]], dtype=np.float32)
    decoded = decode_image(encode(Image.fromarray(values, "F"), "TIFF"))
    np.testing.assert_array_equal(decoded.pixels, np.rint((values + 1) * 255 / 4))
    assert any("Floating-point" in note for note in decoded.notes)


def test_a_refused_upload_leaves_the_next_one_unaffected():
    """Decoding keeps no state: a bomb, then garbage, then a good file decodes exactly."""
    for bad in (bomb_png(20_000, 20_000), b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b""):
        with pytest.raises(ImageLoadError):
            load_image(bad)
    np.testing.assert_array_equal(load_image(encode(Image.fromarray(NOISE), "PNG")), NOISE)


# ------------------------------------------------- issue 10: refused from the header, fast


@pytest.fixture
def no_frame_walk(monkeypatch):
    """Fail the test if Pillow's TIFF or GIF frame count (which walks every frame) is used."""
    from PIL import GifImagePlugin, TiffImagePlugin

    def forbidden(self):
        raise AssertionError("n_frames walked the file")

    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "n_frames", property(forbidden))
    monkeypatch.setattr(GifImagePlugin.GifImageFile, "n_frames", property(forbidden))


def quick_refusal(data: bytes, **kwargs) -> str:
    """The refusal's message, which must cost at most half a second of CPU (no decoding)."""
    start = time.process_time()
    message = refusal(data, **kwargs)
    assert time.process_time() - start < 0.5, message
    return message


def test_tiff_declaring_tiles_larger_than_itself_is_refused(no_decoding):
    message = quick_refusal(huge_tile_tiff(64, 32768))
    assert "32,768 x 32,768" in message and "64 x 64" in message, message


def test_tiff_tiles_up_to_the_next_multiple_of_16_are_fine():
    """A 20 x 20 TIFF in one 32 x 32 tile (the smallest legal tile) is a normal file."""
    gray = NOISE[:20, :20, 0]
    tile = np.zeros((32, 32), np.uint8)
    tile[:20, :20] = gray
    data = zlib.compress(tile.tobytes())
    page = [(256, 4, [20]), (257, 4, [20]), (258, 3, [8]), (259, 3, [8]), (262, 3, [1]),
            (277, 3, [1]), (322, 4, [32]), (323, 4, [32]), (324, 4, [("blob", 0)]),
            (325, 4, [len(data)])]
    np.testing.assert_array_equal(load_image(tiff_file([page], [data])), gray)


def test_one_pixel_high_line_of_40_million_is_refused_by_its_side(no_decoding):
    message = quick_refusal(line_png(40_000_000))
    assert "40,000,000 x 1" in message and "32,768" in message, message


def test_png_cut_into_too_many_chunks_is_refused_without_reading_them(no_decoding):
    message = quick_refusal(many_chunks_png(MAX_PNG_CHUNKS + 5))
    assert f"{MAX_PNG_CHUNKS:,}" in message and "chunks" in message, message


def test_png_with_a_few_thousand_chunks_is_fine():
    """Split into 4000 IDAT chunks (as some encoders do), a PNG still decodes."""
    raw = zlib.compress(b"".join(b"\x00" + bytes(row) for row in NOISE[..., 0]))
    pieces = [raw[i:i + 1 + len(raw) // 4000] for i in range(0, len(raw), 1 + len(raw) // 4000)]
    header = struct.pack(">IIBBBBB", 64, 48, 8, 0, 0, 0, 0)
    data = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + b"".join(png_chunk(b"IDAT", piece) for piece in pieces) + png_chunk(b"IEND", b""))
    assert len(pieces) > 3000
    np.testing.assert_array_equal(load_image(data), NOISE[..., 0])


def test_webp_canvas_is_checked_before_pillow_allocates_it(monkeypatch):
    """An animated WebP declaring a 6000 x 6600 canvas is refused before Image.open."""
    def forbidden(*args, **kwargs):
        raise AssertionError("Image.open ran")

    data = huge_canvas_webp(6000, 6600)
    monkeypatch.setattr(Image, "open", forbidden)
    message = quick_refusal(data)
    assert "6,000 x 6,600" in message and "MB" in message, message


def test_small_animated_webp_gives_its_first_frame():
    frames = [Image.new("RGB", (12, 8), colour) for colour in ((250, 0, 0), (0, 0, 250))]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    decoded = decode_image(data)
    assert decoded.pixels.shape == (8, 12, 3)
    assert np.all(decoded.pixels[..., 0] == 250) and np.all(decoded.pixels[..., 2] == 0)
    assert any("first of its 2 frames" in note for note in decoded.notes), decoded.notes


@pytest.mark.parametrize("rle4", [False, True], ids=["rle8", "rle4"])
def test_big_run_length_bmp_is_refused(rle4, no_decoding):
    message = quick_refusal(rle_bmp(6000, 6600, rle4=rle4))
    assert "RLE" in message and f"{MAX_SLOW_PIXELS:,}" in message, message


def test_small_run_length_bmp_decodes_to_its_runs():
    """RLE8 rows of one pixel (index 7) and an end of line: index 7 then index 0, per row."""
    data = rle_bmp(30, 20)
    palette = np.array([(i % 256, i * 5 % 256, i * 17 % 256) for i in range(256)], np.uint8)
    expected = np.broadcast_to(palette[0], (20, 30, 3)).copy()
    expected[:, 0] = palette[7]  # BMP rows are stored bottom-up; every row is the same
    np.testing.assert_array_equal(load_image(data), expected)


def test_tiff_of_40000_pages_answers_fast_with_its_first_page(no_frame_walk):
    data = many_pages_tiff(40_000)
    start = time.process_time()
    decoded = decode_image(data)
    assert time.process_time() - start < 0.5
    assert decoded.pixels.shape == (1, 1) and decoded.pixels[0, 0] == 0x80
    assert any("more than 100 pages" in note for note in decoded.notes), decoded.notes


def test_tiff_page_count_is_told_when_small(no_frame_walk):
    pages = [Image.new("L", (5, 4), level) for level in (10, 20, 30)]
    decoded = decode_image(encode(pages[0], "TIFF", save_all=True, append_images=pages[1:]))
    assert np.all(decoded.pixels == 10)
    assert any("first of its 3 pages" in note for note in decoded.notes), decoded.notes


def test_gif_frame_count_stops_at_the_limit(no_frame_walk):
    frames = [Image.new("L", (4, 4), level) for level in range(0, 240, 2)]  # 120 frames
    decoded = decode_image(encode(frames[0], "GIF", save_all=True, append_images=frames[1:]))
    assert np.all(decoded.pixels == 0)
    assert any("more than 100 frames" in note for note in decoded.notes), decoded.notes


def test_decode_estimate_over_the_budget_is_refused(no_decoding, monkeypatch):
    """A 16-bit gray PNG at 2 bytes a pixel: refused once the estimate passes the budget."""
    import convkit.core.images

    monkeypatch.setattr(convkit.core.images, "MAX_DECODE_BYTES", 1_000_000)
    message = quick_refusal(handmade_png(1000, 600, 16, 0, b"\x00" * 2001 * 600))
    assert "1 MB" in message and "1,000 x 600" in message, message
