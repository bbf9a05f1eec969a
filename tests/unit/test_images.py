"""Tests for load_image / decode_image with images built in memory by Pillow or by hand."""

import io
import re
import struct
import time

import numpy as np
import pytest
from image_files import bomb_png as huge_declared_png
from image_files import encode, handmade_png
from PIL import Image

from convkit import ImageLoadError, decode_image, load_image


def digits_only(message):
    """Message with thousands separators removed, to find a number however it is formatted."""
    return re.sub(r"[,_\s'\u202f\u00a0.]", "", message)


def rgb_array(h=12, w=16, seed=0):
    """Random RGB uint8 array."""
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3)).astype(np.uint8)


def gray_array(h=12, w=16, seed=0):
    """Random gray uint8 array."""
    return np.random.default_rng(seed).integers(0, 256, (h, w)).astype(np.uint8)


def as_gray(pixels):
    """Accept HxW, or HxWx3 with equal channels, and return HxW."""
    if pixels.ndim == 3:
        assert pixels.shape[2] == 3
        assert np.array_equal(pixels[..., 0], pixels[..., 1])
        assert np.array_equal(pixels[..., 0], pixels[..., 2])
        return pixels[..., 0]
    return pixels


# ------------------------------------------------------------ good images


def test_gray_png_round_trips_as_2d():
    """An 8-bit gray PNG loads as an identical HxW uint8 array."""
    a = gray_array()
    out = load_image(encode(Image.fromarray(a, "L"), "PNG"))
    assert out.dtype == np.uint8 and out.shape == a.shape
    np.testing.assert_array_equal(out, a)


@pytest.mark.parametrize(
    "fmt, kwargs", [("PNG", {}), ("BMP", {}), ("TIFF", {}), ("WEBP", {"lossless": True})]
)
def test_lossless_rgb_round_trips(fmt, kwargs):
    """RGB PNG, BMP, TIFF and lossless WebP load as identical HxWx3 uint8 arrays."""
    a = rgb_array()
    out = load_image(encode(Image.fromarray(a, "RGB"), fmt, **kwargs))
    assert out.dtype == np.uint8 and out.shape == a.shape
    np.testing.assert_array_equal(out, a)


@pytest.mark.parametrize("fmt", ["BMP", "TIFF"])
def test_lossless_gray_round_trips(fmt):
    """Gray BMP and TIFF come back with the same grey values."""
    a = gray_array()
    out = load_image(encode(Image.fromarray(a, "L"), fmt))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(as_gray(out), a)


def test_jpeg_rgb_and_gray_are_close():
    """Lossy JPEGs load with the right shape and approximately the right values."""
    smooth = np.add.outer(np.arange(32) * 4, np.arange(48) * 2).astype(np.uint8)
    rgb = np.stack([smooth, 255 - smooth, smooth // 2], axis=-1)
    out = load_image(encode(Image.fromarray(rgb, "RGB"), "JPEG", quality=95))
    assert out.shape == (32, 48, 3) and out.dtype == np.uint8
    assert np.abs(out.astype(int) - rgb).mean() < 4
    out = load_image(encode(Image.fromarray(smooth, "L"), "JPEG", quality=95))
    assert out.shape == (32, 48)
    assert np.abs(out.astype(int) - smooth).mean() < 4


def test_palette_png_expands_to_palette_colours():
    """A palette PNG decodes to the RGB colours of its palette."""
    palette = np.array([[10, 20, 30], [200, 100, 50], [0, 255, 0], [255, 255, 255]], np.uint8)
    idx = np.random.default_rng(1).integers(0, 4, (9, 13)).astype(np.uint8)
    img = Image.fromarray(idx, "P")
    img.putpalette(palette.ravel().tolist() + [0] * (768 - palette.size))
    out = load_image(encode(img, "PNG"))
    assert out.shape == (9, 13, 3)
    np.testing.assert_array_equal(out, palette[idx])


def test_opaque_rgba_png_drops_alpha():
    """A fully opaque RGBA PNG loads as its RGB values, HxWx3."""
    a = rgb_array()
    rgba = np.dstack([a, np.full(a.shape[:2], 255, np.uint8)])
    out = load_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert out.shape == a.shape
    np.testing.assert_array_equal(out, a)


def test_transparent_rgba_png_gives_sensible_uint8():
    """A half-transparent RGBA PNG still loads as an HxWx3 uint8 image."""
    rgba = np.zeros((6, 7, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = 100
    out = load_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert out.dtype == np.uint8 and out.shape == (6, 7, 3)


def test_opaque_la_png_gives_grey_values():
    """A gray+alpha PNG with full alpha loads as its grey values."""
    a = gray_array()
    la = Image.merge("LA", [Image.fromarray(a, "L"), Image.new("L", (16, 12), 255)])
    out = load_image(encode(la, "PNG"))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(as_gray(out), a)


def test_one_bit_png_gives_black_and_white():
    """A 1-bit PNG loads as 0 and 255, set pixels white."""
    bits = np.random.default_rng(2).random((10, 11)) < 0.5
    img = Image.fromarray(bits.astype(np.uint8) * 255, "L").convert("1")
    out = as_gray(load_image(encode(img, "PNG")))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.where(bits, 255, 0))


def test_cmyk_jpeg_decodes_to_rgb():
    """A CMYK JPEG loads as HxWx3 RGB with the right colour (red stays red)."""
    img = Image.new("RGB", (32, 24), (255, 0, 0)).convert("CMYK")
    out = load_image(encode(img, "JPEG", quality=95))
    assert out.shape == (24, 32, 3) and out.dtype == np.uint8
    r, g, b = out[..., 0].mean(), out[..., 1].mean(), out[..., 2].mean()
    assert r > 200 and g < 60 and b < 60


def test_16_bit_gray_png_is_scaled_not_clipped():
    """16-bit grey values are scaled to 8 bits: 0 -> 0, 1000 -> ~4, 32768 -> ~128, 65535 -> 255."""
    values = [0, 1000, 32768, 65535]
    data = handmade_png(4, 1, 16, 0, b"\x00" + struct.pack(">4H", *values))
    out = as_gray(load_image(data))
    assert out.shape == (1, 4) and out.dtype == np.uint8
    assert out[0, 0] == 0
    assert out[0, 1] in (3, 4)
    assert abs(int(out[0, 2]) - 128) <= 1
    assert out[0, 3] == 255


def test_dark_16_bit_png_is_scaled_from_the_16_bit_range():
    """A dark 16-bit PNG (max 255) is still scaled by 65535, not read as 8-bit values."""
    data = handmade_png(4, 1, 16, 0, b"\x00" + struct.pack(">4H", 0, 100, 200, 255))
    decoded = decode_image(data)
    np.testing.assert_array_equal(as_gray(decoded.pixels), [[0, 0, 1, 1]])
    assert any("16" in note for note in decoded.notes)


def test_16_bit_gray_png_written_by_pillow():
    """A 16-bit PNG written by Pillow from a uint16 array is scaled, not clipped."""
    a = np.array([[0, 257 * 10, 32768, 65535]], dtype=np.uint16)
    out = as_gray(load_image(encode(Image.fromarray(a), "PNG")))
    assert out[0, 0] == 0 and out[0, 3] == 255
    assert abs(int(out[0, 1]) - 10) <= 1
    assert abs(int(out[0, 2]) - 128) <= 1


def test_16_bit_rgb_png_is_scaled():
    """16-bit RGB values are scaled to 8 bits per channel."""
    row = struct.pack(">6H", 65535, 32768, 0, 1000, 65535, 12850)
    out = load_image(handmade_png(2, 1, 16, 2, b"\x00" + row))
    assert out.shape == (1, 2, 3) and out.dtype == np.uint8
    assert out[0, 0, 0] == 255 and abs(int(out[0, 0, 1]) - 128) <= 1 and out[0, 0, 2] == 0
    assert out[0, 1, 0] in (3, 4) and out[0, 1, 1] == 255 and abs(int(out[0, 1, 2]) - 50) <= 1


def quadrant_image():
    """64x32 RGB image with four distinct flat quadrants (JPEG-friendly block edges)."""
    a = np.zeros((32, 64, 3), np.uint8)
    a[:16, :32] = (255, 0, 0)
    a[:16, 32:] = (0, 255, 0)
    a[16:, :32] = (0, 0, 255)
    a[16:, 32:] = (255, 255, 255)
    return a


@pytest.mark.parametrize("orientation, turns", [(3, 2), (6, -1), (8, 1)])
def test_exif_orientation_is_applied(orientation, turns):
    """A JPEG with an EXIF orientation tag comes back upright (6 = rotate 90 clockwise)."""
    stored = quadrant_image()
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(Image.fromarray(stored, "RGB"), "JPEG", quality=95, exif=exif)
    out = load_image(data)
    upright = np.rot90(stored, k=turns)
    assert out.shape == upright.shape
    assert np.abs(out.astype(int) - upright).mean() < 12


def test_animated_gif_gives_first_frame_and_note():
    """An animated GIF loads its first frame; decode_image notes say so and report the size."""
    frames = [Image.new("RGB", (10, 8), c) for c in ((255, 0, 0), (0, 0, 255), (0, 255, 0))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    out = load_image(data)
    assert out.shape == (8, 10, 3)
    np.testing.assert_array_equal(out, np.broadcast_to(np.array([255, 0, 0], np.uint8), (8, 10, 3)))
    decoded = decode_image(data)
    np.testing.assert_array_equal(decoded.pixels, out)
    assert any("first" in note.lower() and "frame" in note.lower() for note in decoded.notes)
    assert tuple(decoded.original_size) == (10, 8)


def test_decode_image_plain_png():
    """decode_image returns the pixels, an (w, h) original size and a list of notes."""
    a = rgb_array(7, 9)
    decoded = decode_image(encode(Image.fromarray(a, "RGB"), "PNG"))
    np.testing.assert_array_equal(decoded.pixels, a)
    assert tuple(decoded.original_size) == (9, 7)
    assert isinstance(decoded.notes, list)
    assert all(isinstance(n, str) for n in decoded.notes)


# -------------------------------------------------------------- size limit


def test_declared_size_over_default_limit_is_refused_before_decoding():
    """A PNG declaring 20000x20000 is refused fast, naming the default 40,000,000 limit."""
    data = huge_declared_png()
    assert len(data) < 1000
    start = time.process_time()
    with pytest.raises(ImageLoadError) as info:
        load_image(data)
    assert time.process_time() - start < 2.0
    text = digits_only(str(info.value))
    assert re.search(r"40000000|40million|40M|40megapixel", text, re.IGNORECASE), str(info.value)


def test_declared_size_over_custom_limit_mentions_it():
    """max_pixels is honoured and named in the refusal, even for a small valid image."""
    data = encode(Image.fromarray(rgb_array(100, 100), "RGB"), "PNG")
    with pytest.raises(ImageLoadError) as info:
        load_image(data, max_pixels=5000)
    assert "5000" in digits_only(str(info.value)), str(info.value)
    with pytest.raises(ImageLoadError):
        decode_image(data, max_pixels=9999)
    assert load_image(data, max_pixels=10000).shape == (100, 100, 3)


def test_huge_declared_size_with_custom_limit_mentions_it():
    """The crafted huge PNG is refused before decoding with a custom limit named in the message."""
    with pytest.raises(ImageLoadError) as info:
        load_image(huge_declared_png(), max_pixels=1_000_000)
    assert "1000000" in digits_only(str(info.value)) or re.search(
        r"1million|1M|1megapixel", digits_only(str(info.value)), re.IGNORECASE
    ), str(info.value)


# ------------------------------------------------------------------ failures


def _noise_png():
    return encode(Image.fromarray(rgb_array(64, 64, seed=3), "RGB"), "PNG")


def _noise_jpeg():
    return encode(Image.fromarray(rgb_array(64, 64, seed=4), "RGB"), "JPEG", quality=90)


BAD_INPUTS = {
    "empty": b"",
    "text_renamed_png": b"This is just a text file that someone renamed to picture.png\n" * 3,
    "truncated_png": _noise_png()[: len(_noise_png()) // 2],
    "truncated_jpeg": _noise_jpeg()[: len(_noise_jpeg()) // 2],
    "svg": (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b'<rect width="10" height="10" fill="red"/></svg>\n'
    ),
    "pdf": (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    ),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_raises_image_load_error_with_human_message(name):
    """Unreadable input raises ImageLoadError (a ValueError) with a short human message."""
    assert issubclass(ImageLoadError, ValueError)
    with pytest.raises(ImageLoadError) as info:
        load_image(BAD_INPUTS[name])
    message = str(info.value).strip()
    assert len(message) >= 10
    assert "Traceback" not in message
    assert "\n" not in message


@pytest.mark.parametrize("name", ["empty", "truncated_png", "svg"])
def test_decode_image_raises_the_same_errors(name):
    """decode_image refuses bad input with ImageLoadError too."""
    with pytest.raises(ImageLoadError):
        decode_image(BAD_INPUTS[name])


# ------------------------------------------------------------ decoding reduced (max_side)


def box_mean(values, k):
    """Mean over k x k boxes (the last ones partial), in float64: Image.reduce's definition."""
    h, w = values.shape[:2]
    out = np.empty((-(-h // k), -(-w // k)) + values.shape[2:])
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = values[i * k:(i + 1) * k, j * k:(j + 1) * k].mean(axis=(0, 1))
    return out


def smooth_rgb(h, w):
    """A smooth RGB image with some structure (JPEG- and resize-friendly)."""
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([(x * 255 // w), (y * 255 // h), ((x + y) * 127 // (h + w)) + 64],
                    axis=-1).astype(np.uint8)


def test_max_side_on_an_exact_ratio_matches_opencv_area_resize():
    """1200 x 800 PNG at max_side 300: OpenCV's INTER_AREA of cv2.imdecode, within 1 level."""
    import cv2

    rgb = np.random.default_rng(3).integers(0, 256, (800, 1200, 3), dtype=np.uint8)
    data = encode(Image.fromarray(rgb), "PNG")
    decoded = decode_image(data, max_side=300)
    full = cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR),
                        cv2.COLOR_BGR2RGB)
    reference = cv2.resize(full, (300, 200), interpolation=cv2.INTER_AREA)
    assert decoded.pixels.shape == (200, 300, 3) and decoded.original_size == (1200, 800)
    assert np.abs(decoded.pixels.astype(int) - reference).max() <= 1


def test_max_side_on_any_ratio_is_close_to_opencv_area_resize():
    """1000 x 700 at max_side 300 (reduced by 3, then area-resized): close to one area resize."""
    import cv2

    rgb = smooth_rgb(700, 1000)
    decoded = decode_image(encode(Image.fromarray(rgb), "PNG"), max_side=300)
    reference = cv2.resize(rgb, (300, 210), interpolation=cv2.INTER_AREA)
    assert decoded.pixels.shape == reference.shape
    difference = np.abs(decoded.pixels.astype(int) - reference)
    assert difference.mean() < 0.5 and difference.max() <= 3


def test_large_jpeg_is_decoded_reduced_and_close_to_a_full_decode():
    """A 2000 x 1500 JPEG at max_side 500 (DCT-scaled by 4): close to Pillow's full decode
    area-resized by OpenCV."""
    import cv2

    data = encode(Image.fromarray(smooth_rgb(1500, 2000)), "JPEG", quality=92)
    decoded = decode_image(data, max_side=500)
    full = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    reference = cv2.resize(full, (500, 375), interpolation=cv2.INTER_AREA)
    assert decoded.pixels.shape == (375, 500, 3)
    assert np.abs(decoded.pixels.astype(int) - reference).mean() < 2


def test_jpeg_pixel_cap_counts_the_pixels_actually_decoded():
    """3 MP JPEG, cap 1 MP: refused at full size, accepted when DCT scaling halves each side."""
    data = encode(Image.fromarray(smooth_rgb(1500, 2000)), "JPEG", quality=80)
    with pytest.raises(ImageLoadError, match="1,000,000"):
        decode_image(data, max_pixels=1_000_000)
    assert decode_image(data, max_pixels=1_000_000, max_side=1000).pixels.shape == (750, 1000, 3)


def test_small_images_are_untouched_by_max_side():
    """An image already within max_side decodes exactly."""
    rgb = rgb_array(40, 60)
    np.testing.assert_array_equal(load_image(encode(Image.fromarray(rgb), "PNG"), max_side=60),
                                  rgb)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "2048"])
def test_bad_max_side_is_named(bad):
    """max_side must be None or a positive whole number."""
    with pytest.raises(ValueError, match="max_side"):
        decode_image(encode(Image.new("L", (4, 4)), "PNG"), max_side=bad)


# ----------------------------------------------------- conversions against NumPy references


def random_rgba(h, w, seed=11):
    """Random RGBA with alpha spread over 0..255 (0 and 255 included)."""
    rgba = np.random.default_rng(seed).integers(0, 256, (h, w, 4), dtype=np.uint8)
    rgba[0, 0, 3], rgba[0, 1, 3] = 0, 255
    return rgba


def on_white_float64(rgba):
    """Alpha compositing on white, C a + 255 (1 - a), in float64."""
    alpha = rgba[..., 3:].astype(np.float64) / 255.0
    return rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)


def test_alpha_compositing_matches_a_float64_reference_exactly():
    """Random RGBA: every pixel equals the float64 composite on white, rounded."""
    rgba = random_rgba(23, 37)
    decoded = decode_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    np.testing.assert_array_equal(decoded.pixels, np.rint(on_white_float64(rgba)))
    assert any("white" in note for note in decoded.notes)


def test_reduced_alpha_compositing_matches_the_float64_box_mean():
    """Reduced by 4, the result is the box mean of the float64 composite (within 1 level):
    transparent pixels' colours do not bleed in."""
    rgba = random_rgba(64, 48)
    decoded = decode_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"), max_side=16)
    reference = np.rint(box_mean(on_white_float64(rgba), 4))
    assert decoded.pixels.shape == reference.shape
    assert np.abs(decoded.pixels.astype(int) - reference).max() <= 1


def test_gray_alpha_compositing_matches_the_float64_reference():
    """LA: gray values on white, exactly as the float64 formula rounds."""
    la = np.random.default_rng(12).integers(0, 256, (9, 14, 2), dtype=np.uint8)
    pixels = load_image(encode(Image.fromarray(la, "LA"), "PNG"))
    alpha = la[..., 1] / 255.0
    np.testing.assert_array_equal(pixels, np.rint(la[..., 0] * alpha + 255 * (1 - alpha)))


def test_palette_with_transparency_reduced_matches_the_float64_reference():
    """A palette PNG with per-entry alpha, reduced by 2: composite of the palette's colours."""
    rng = np.random.default_rng(13)
    colours = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    alphas = rng.integers(0, 256, 16, dtype=np.uint8)
    index = rng.integers(0, 16, (30, 40), dtype=np.uint8)
    image = Image.fromarray(index, "P")
    image.putpalette(colours.ravel().tolist())
    decoded = decode_image(encode(image, "PNG", transparency=alphas.tobytes()), max_side=20)
    rgba = np.dstack([colours[index], alphas[index]])
    reference = np.rint(box_mean(on_white_float64(rgba), 2))
    assert np.abs(decoded.pixels.astype(int) - reference).max() <= 1


def test_16_bit_values_match_numpy_scaling_exactly():
    """Random 16-bit gray: each value v becomes rint(v / 257), as NumPy computes it."""
    values = np.random.default_rng(14).integers(0, 65536, (17, 29)).astype(np.uint16)
    pixels = load_image(encode(Image.fromarray(values), "PNG"))
    np.testing.assert_array_equal(pixels, np.rint(values / 257.0))


def test_reduced_16_bit_values_match_the_numpy_box_mean():
    """Reduced by 3, 16-bit values are the box means scaled to 8 bits (within 1 level)."""
    values = np.random.default_rng(15).integers(0, 65536, (30, 45)).astype(np.uint16)
    pixels = load_image(encode(Image.fromarray(values), "PNG"), max_side=15)
    reference = np.rint(box_mean(values.astype(np.float64), 3) / 257.0)
    assert pixels.shape == reference.shape
    assert np.abs(pixels.astype(int) - reference).max() <= 1


def test_float_values_match_a_float64_stretch_and_nan_is_black():
    """Random float32 with a NaN: stretched min..max like float64 NumPy (within 1), NaN -> 0."""
    values = np.random.default_rng(16).normal(0, 1e3, (19, 23)).astype(np.float32)
    values[3, 4] = np.nan
    pixels = load_image(encode(Image.fromarray(values, "F"), "TIFF"))
    finite = values[np.isfinite(values)].astype(np.float64)
    reference = np.rint((values.astype(np.float64) - finite.min()) * 255
                        / (finite.max() - finite.min()))
    reference[3, 4] = 0
    assert np.abs(pixels.astype(int) - reference).max() <= 1
    assert pixels[3, 4] == 0


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillows_exif_transpose(orientation):
    """Orientations 1-8 on a lossless PNG: the same pixels as ImageOps.exif_transpose."""
    from PIL import ImageOps

    rgb = rgb_array(6, 10, seed=orientation)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(Image.fromarray(rgb), "PNG", exif=exif)
    reference = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))))
    np.testing.assert_array_equal(load_image(data), reference)


def test_tiff_orientation_is_applied_once():
    """A TIFF with orientation 6 (Pillow turns TIFFs itself while loading) is turned once."""
    from PIL import ImageOps

    rgb = rgb_array(6, 10, seed=21)
    data = encode(Image.fromarray(rgb), "TIFF", tiffinfo={0x0112: 6})
    reference = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))))
    assert reference.shape == (10, 6, 3)
    np.testing.assert_array_equal(load_image(data), reference)
