"""Getting pixels in: uploads decoded safely, the bundled samples, and working resolution.

Decoding reads the header first and refuses, before any pixel is decoded, what would cost more
memory or time than a shared server can give one upload: too many pixels, a side longer than
`MAX_SIDE`, tiles larger than the image, more than `MAX_PNG_CHUNKS` PNG chunks, a pure-Python
decoder (run-length BMP) on a big image, or a decode estimated above `MAX_DECODE_BYTES`. What
is accepted is decoded reduced when `max_side` asks for it (JPEG by its DCT scaling, others by
`Image.reduce`), converted strip by strip in uint8/int32/float32, never at full resolution in
float64.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

#: Formats convkit decodes (Pillow's names); MPO is the multi-picture JPEG of many cameras.
ACCEPTED_FORMATS = ("PNG", "JPEG", "MPO", "BMP", "TIFF", "WEBP", "GIF")
#: File extensions offered by the uploader.
UPLOAD_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp", "gif")
#: Most pixels decoded at full resolution (a JPEG counts after its DCT scaling): a 40 MP phone
#: PNG fits, and at 4 bytes a pixel in Pillow it stays within MAX_DECODE_BYTES.
DEFAULT_MAX_PIXELS = 40_000_000
#: Longest side accepted, whatever the pixel count (1 x 40,000,000 is not a picture).
MAX_SIDE = 32_768
#: Estimated memory one decode may take (Pillow's full-resolution image, plus what the codec
#: holds beside it: WebP's two canvases, a progressive JPEG's coefficients).
MAX_DECODE_BYTES = 200_000_000
#: PNG chunks accepted: real encoders write 8-64 KB chunks, so a 25 MB file has a few thousand.
MAX_PNG_CHUNKS = 20_000
#: Pixels and file bytes accepted for formats Pillow decodes in Python (run-length BMP).
MAX_SLOW_PIXELS = 2_000_000
MAX_SLOW_BYTES = 256_000
#: Frames or pages counted for the "first of its N frames" note; beyond this, "more than".
FRAME_COUNT_LIMIT = 100
#: Source pixels converted at a time, so a mode conversion never copies the whole image.
_STRIP_PIXELS = 1_000_000

#: scikit-image's bundled samples (shipped inside the package, no download).
SAMPLES: dict[str, str] = {
    "camera": "Cameraman, 512x512 gray: the classic test image",
    "astronaut": "Astronaut Eileen Collins, 512x512 colour",
    "coffee": "A cup of coffee, 400x600 colour",
    "chelsea": "Chelsea the cat, 300x451 colour",
    "coins": "Greek coins, 303x384 gray: round edges on a dark ground",
    "moon": "The Moon's surface, 512x512 gray, low contrast",
    "text": "Hand-written text, 172x448 gray",
    "brick": "A brick wall, 512x512 gray: a regular texture",
}

_UPLOAD_HINT = "Upload a PNG, JPEG, BMP, TIFF, WebP or GIF."


class ImageLoadError(ValueError):
    """An upload that convkit cannot turn into an image; the message is meant for a person."""


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """An uploaded image as uint8 pixels, with what was done to it on the way.

    `original_size` is the file's (width, height); `pixels` may be smaller when the decoder
    was asked for at most `max_side` pixels a side.
    """

    pixels: np.ndarray
    format: str
    original_size: tuple[int, int]
    notes: list[str] = field(default_factory=list)


def image_digest(data: bytes) -> str:
    """A short hash of the upload's bytes, to key caches by content rather than by name.

    Parameters
    ----------
    data : bytes
        The file's bytes.

    Returns
    -------
    str
        32 hexadecimal digits (BLAKE2b, 16 bytes): equal bytes give equal digests.

    Examples
    --------
    >>> len(image_digest(b"abc")), image_digest(b"abc") == image_digest(b"abd")
    (32, False)
    """
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def load_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS,
               max_side: int | None = None) -> np.ndarray:
    """Decode an uploaded file into a uint8 gray (H, W) or RGB (H, W, 3) array.

    Colour files whose three channels are equal come back gray, so they filter once, not thrice.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    max_pixels : int
        Most pixels decoded at full resolution; bigger images are refused from the header.
    max_side : int or None
        If given, the image comes back with its longer side at most this long.

    Returns
    -------
    numpy.ndarray
        uint8 pixels, (H, W) or (H, W, 3).

    Raises
    ------
    ImageLoadError
        For anything that is not a readable PNG, JPEG, BMP, TIFF, WebP or GIF, and for files
        refused from their header (see `decode_image`).

    Examples
    --------
    >>> from PIL import Image
    >>> import io
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (3, 2), 7).save(buffer, "PNG")
    >>> load_image(buffer.getvalue()).tolist()
    [[7, 7, 7], [7, 7, 7]]
    """
    return decode_image(data, max_pixels=max_pixels, max_side=max_side).pixels


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS,
                 max_side: int | None = None) -> DecodedImage:
    """Decode an upload here and say what was done (first frame taken, 16 bits scaled ...).

    The header is read first: images of more than `max_pixels` pixels (a JPEG counts after
    the DCT scaling `max_side` allows), with a side over `MAX_SIDE`, TIFF tiles larger than
    the image, more than `MAX_PNG_CHUNKS` PNG chunks, run-length BMPs over `MAX_SLOW_PIXELS`
    or an estimated decode over `MAX_DECODE_BYTES` are refused before any pixel is decoded.
    Of multi-frame files only the first frame is decoded, without walking the others.
    On a shared server call `server.decode.decode_upload` instead, which runs this in a worker
    process with a memory limit and a timeout.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    max_pixels : int
        Most pixels decoded at full resolution.
    max_side : int or None
        Longest side of the result. The file is decoded reduced (JPEG DCT scaling, then
        box averaging by `Image.reduce`) and finished with an area resize, so the result is
        what `fit_to_pixels(full, max_side)` would give, without holding the full image in
        more than one copy. None keeps the full resolution.

    Returns
    -------
    DecodedImage
        uint8 pixels, the format, the file's (width, height) and notes for the visitor.

    Raises
    ------
    ImageLoadError
        With a message for a person, for every file refused or unreadable.

    Examples
    --------
    >>> from PIL import Image
    >>> import io
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (4000, 1000), (0, 0, 255)).save(buffer, "PNG")
    >>> decoded = decode_image(buffer.getvalue(), max_side=400)
    >>> decoded.pixels.shape, decoded.original_size, decoded.pixels[0, 0].tolist()
    ((100, 400, 3), (4000, 1000), [0, 0, 255])
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be the file's bytes; got {type(data).__name__}")
    if max_side is not None and (isinstance(max_side, bool) or not isinstance(max_side, int)
                                 or max_side < 1):
        raise ValueError(f"max_side must be None or a positive whole number; got {max_side!r}")
    data = bytes(data)
    _refuse_documents(data)
    _check_container(data)
    image = _open(data, max_pixels)
    with image:
        if image.format not in ACCEPTED_FORMATS:
            raise ImageLoadError(f"{image.format} images are not supported. {_UPLOAD_HINT}")
        width, height = image.size
        notes = _frame_notes(image, data)
        _check_header(image, data, max_pixels, max_side)
        orientation = _orientation(image)
        try:
            image.load()
        except MemoryError:
            raise
        except Exception as error:
            raise ImageLoadError(
                f"This {image.format} file is truncated or damaged and cannot be decoded "
                f"({error})."
            ) from None
        # Pillow turns TIFFs upright itself while loading, and then drops the tag.
        still_to_turn = orientation if _orientation(image) != 1 else 1
        if orientation != 1:
            notes.append("Rotated upright as its EXIF orientation tag asks.")
        factor = 1 if max_side is None else max(1, max(image.size) // max_side)
        try:
            pixels = _to_uint8_pixels(image, factor, notes)
        except MemoryError:
            raise
        except Exception as error:  # a mode Pillow cannot turn into gray or RGB
            raise ImageLoadError(
                f"This {image.format} image's colours ({image.mode}) cannot be turned into "
                f"gray or RGB ({error}). Save it as an RGB PNG or JPEG first."
            ) from None
        pixels = _turn_upright(pixels, still_to_turn)
        if max_side is not None:
            pixels = fit_to_pixels(pixels, max_side)
        return DecodedImage(pixels=pixels, format=image.format, original_size=(width, height),
                            notes=notes)


# ----------------------------------------------------------------- before Pillow opens it


def _refuse_documents(data: bytes) -> None:
    if not data:
        raise ImageLoadError("The file is empty (0 bytes).")
    head = data[:1024].lstrip().lower()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if head.startswith(b"%pdf"):
        raise ImageLoadError("This is a PDF document, not an image: export the page as PNG first.")
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        raise ImageLoadError(
            "This is an SVG drawing: convkit needs pixels. Export it as PNG first."
        )


def _check_container(data: bytes) -> None:
    """Checks Pillow would come to too late: it walks PNG chunks in Python, and WebP's decoder
    allocates its canvases when the file is opened."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        chunks = _count_png_chunks(data, MAX_PNG_CHUNKS + 1)
        if chunks > MAX_PNG_CHUNKS:
            raise ImageLoadError(
                f"This PNG is cut into more than {MAX_PNG_CHUNKS:,} pieces (chunks), which "
                "takes too long to read. Open it in an image editor and save it again."
            )
    elif data[:4] == b"RIFF" and data[8:16] == b"WEBPVP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        _check_decode_bytes("WebP", width, height, width * height * _WEBP_BYTES)


def _count_png_chunks(data: bytes, limit: int) -> int:
    """How many chunks the PNG has, counting no further than `limit`."""
    position, count, end = 8, 0, len(data)
    while position + 8 <= end and count < limit:
        (length,) = struct.unpack_from(">I", data, position)
        count += 1
        if data[position + 4:position + 8] == b"IEND":
            break
        position += 12 + length
    return count


def _open(data: bytes, max_pixels: int) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Our own limit, checked from the header afterwards, is the one that counts.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageLoadError(
            f"This file is not an image convkit can read. {_UPLOAD_HINT}"
        ) from None
    except Image.DecompressionBombError:
        raise ImageLoadError(
            f"This image is too large: convkit accepts at most {max_pixels:,} pixels."
        ) from None
    except MemoryError:
        raise
    except Exception as error:  # Pillow raises many kinds on damaged headers.
        raise ImageLoadError(f"This file looks damaged and cannot be read ({error}).") from None


# ------------------------------------------------------------------------ the header

#: Bytes per pixel of WebP: Pillow's image and libwebp's two canvases (current, previous).
_WEBP_BYTES = 12


def _check_header(image: Image.Image, data: bytes, max_pixels: int, max_side: int | None) -> None:
    width, height = image.size
    if width * height > max_pixels and image.format not in ("JPEG", "MPO"):
        _refuse_pixels(width, height, max_pixels)
    if max(width, height) > MAX_SIDE:
        raise ImageLoadError(
            f"This image is {width:,} x {height:,} pixels: convkit accepts sides up to "
            f"{MAX_SIDE:,} pixels. Crop it or downscale it before uploading."
        )
    extra = 0
    if image.format in ("JPEG", "MPO"):
        if max_side is not None and max(width, height) > max_side:
            scale = max_side / max(width, height)
            image.draft(image.mode, (max(1, math.ceil(width * scale)),
                                     max(1, math.ceil(height * scale))))
        if image.size[0] * image.size[1] > max_pixels:
            _refuse_pixels(width, height, max_pixels)
        if image.info.get("progressive"):
            # libjpeg keeps every DCT coefficient of a progressive file: 2 bytes a sample.
            extra = 2 * _jpeg_samples(image, width, height)
    elif image.format == "WEBP":
        extra = (_WEBP_BYTES - 4) * width * height
    elif image.format == "TIFF":
        _check_tiff_tiles(image)
        if _orientation(image) != 1:
            extra = _bytes_per_pixel(image.mode) * width * height  # turned upright in place
    decoded_w, decoded_h = image.size
    _check_decode_bytes(image.format, width, height,
                        decoded_w * decoded_h * _bytes_per_pixel(image.mode) + extra)
    slow = [tile.codec_name for tile in image.tile if tile.codec_name in Image.DECODERS]
    if slow and (width * height > MAX_SLOW_PIXELS or len(data) > MAX_SLOW_BYTES):
        kind = "run-length compressed (RLE) " if "bmp_rle" in slow else ""
        raise ImageLoadError(
            f"This {kind}{image.format} is {width:,} x {height:,} pixels; convkit decodes such "
            f"files slowly, so it accepts them up to {MAX_SLOW_PIXELS:,} pixels and "
            f"{MAX_SLOW_BYTES // 1000:,} KB. Save it as PNG first."
        )


def _refuse_pixels(width: int, height: int, max_pixels: int) -> None:
    raise ImageLoadError(
        f"This image is {width:,} x {height:,} = {width * height:,} pixels; convkit "
        f"accepts at most {max_pixels:,} pixels. Downscale it before uploading."
    )


def _check_decode_bytes(fmt: str, width: int, height: int, estimate: int) -> None:
    if estimate > MAX_DECODE_BYTES:
        raise ImageLoadError(
            f"This {width:,} x {height:,} {fmt} would need about {estimate / 1e6:,.0f} MB to "
            f"decode; convkit decodes at most {MAX_DECODE_BYTES / 1e6:,.0f} MB per upload. "
            "Downscale it, or save it as JPEG, before uploading."
        )


def _bytes_per_pixel(mode: str) -> int:
    """What Pillow allocates per pixel: one byte, two for 16-bit gray, four for the rest."""
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _jpeg_samples(image: Image.Image, width: int, height: int) -> int:
    layers = getattr(image, "layer", None) or [("", 1, 1, 0)] * len(image.getbands())
    h_max = max(layer[1] for layer in layers) or 1
    v_max = max(layer[2] for layer in layers) or 1
    return sum(math.ceil(width * layer[1] / h_max) * math.ceil(height * layer[2] / v_max)
               for layer in layers)


def _check_tiff_tiles(image: Image.Image) -> None:
    tags = image.tag_v2
    tile_w, tile_h = tags.get(322), tags.get(323)
    if tile_w is None and tile_h is None:
        return
    width, height = image.size
    tile_w, tile_h = int(tile_w or width), int(tile_h or height)
    # TIFF tiles are multiples of 16, so a tile may pass the image's edge by up to 15 pixels.
    if tile_w > _round_up(width, 16) or tile_h > _round_up(height, 16):
        raise ImageLoadError(
            f"This TIFF is {width:,} x {height:,} pixels but declares tiles of "
            f"{tile_w:,} x {tile_h:,}, larger than the image itself: it is damaged or built to "
            "exhaust memory. Save it again as PNG or an untiled TIFF."
        )


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


# ---------------------------------------------------------------------- frames and pages


def _frame_notes(image: Image.Image, data: bytes) -> list[str]:
    """The "first of its N frames" note, counting frames without walking them all."""
    if image.format == "TIFF":
        count = _count_tiff_pages(data, FRAME_COUNT_LIMIT + 1)
    elif image.format == "GIF":
        count = _count_gif_frames(data, FRAME_COUNT_LIMIT + 1)
    else:  # WebP, APNG and MPO give their frame count in the header.
        count = int(getattr(image, "n_frames", 1) or 1)
    if count <= 1:
        return []
    told = (f"more than {FRAME_COUNT_LIMIT}" if count > FRAME_COUNT_LIMIT
            and image.format in ("TIFF", "GIF") else f"{count:,}")
    unit = "pages" if image.format == "TIFF" else "frames"
    return [f"Animated or multi-page image: using the first of its {told} {unit}."]


def _count_tiff_pages(data: bytes, limit: int) -> int:
    """Pages of a TIFF, following its chain of directories no further than `limit`."""
    try:
        order = {b"II": "<", b"MM": ">"}[data[:2]]
        (magic,) = struct.unpack_from(order + "H", data, 2)
        if magic == 43:  # BigTIFF: 8-byte counts and offsets, 20-byte entries
            count_fmt, entry, offset_fmt = "Q", 20, "Q"
            (offset,) = struct.unpack_from(order + "Q", data, 8)
        else:
            count_fmt, entry, offset_fmt = "H", 12, "I"
            (offset,) = struct.unpack_from(order + "I", data, 4)
        seen: set[int] = set()
        while offset and offset not in seen and len(seen) < limit:
            seen.add(offset)
            (entries,) = struct.unpack_from(order + count_fmt, data, offset)
            after = offset + struct.calcsize(count_fmt) + entries * entry
            (offset,) = struct.unpack_from(order + offset_fmt, data, after)
        return max(1, len(seen))
    except (KeyError, struct.error):
        return 1


def _count_gif_frames(data: bytes, limit: int) -> int:
    """Frames of a GIF, skipping over their data blocks, counting no further than `limit`."""
    frames = 0
    try:
        flags = data[10]
        position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
        while frames < limit:
            kind = data[position]
            if kind == 0x2C:  # an image: descriptor, local palette, LZW size, data blocks
                frames += 1
                local = data[position + 9]
                position += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0) + 1
            elif kind == 0x21:  # an extension: label, then data blocks
                position += 2
            else:
                break
            while data[position]:
                position += data[position] + 1
            position += 1
        return max(1, frames)
    except IndexError:  # a truncated file: the frames seen so far
        return max(1, frames)


# ------------------------------------------------------------------ orientation


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:
        return 1
    return value if value in range(1, 9) else 1


def _turn_upright(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (1-8) to decoded pixels, as ImageOps.exif_transpose would."""
    turned = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.swapaxes(0, 1),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: a.swapaxes(0, 1)[::-1, ::-1],
        8: lambda a: np.rot90(a, 1),
    }.get(orientation)
    return pixels if turned is None else np.ascontiguousarray(turned(pixels))


# ------------------------------------------------------------------ pixels, strip by strip


def _to_uint8_pixels(image: Image.Image, factor: int, notes: list[str]) -> np.ndarray:
    """Any Pillow mode as uint8 gray or RGB, reduced by `factor`, transparency on white.

    The image is converted a strip at a time: each strip is cut, converted (premultiplied
    alpha, 32-bit integers, float32), box-reduced by `factor` and turned into bytes, so the
    extra memory is a strip's, not the image's.
    """
    mode = image.mode
    width, height = image.size
    convert: Callable[[np.ndarray], np.ndarray]
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        target, convert = "I", _integer_scaler(image)
        notes.append("16-bit image: scaled to 8 bits (65535 becomes 255).")
    elif mode == "F":
        target, convert = "F", _float_stretcher(image, notes)
    elif mode in ("1", "L"):
        target, convert = "L", _same
    elif mode in ("RGBA", "RGBa", "LA", "La", "PA") or (mode == "P"
                                                           and "transparency" in image.info):
        target, convert = ("La" if mode in ("LA", "La") else "RGBa"), _on_white
    else:
        target, convert = "RGB", _same
        if mode == "CMYK":
            notes.append("CMYK image: converted to RGB.")
    rows = max(factor, _STRIP_PIXELS // max(width, 1) // factor * factor)
    out_h, out_w = -(-height // factor), -(-width // factor)
    out: np.ndarray | None = None
    transparent = False
    for top in range(0, height, rows):
        strip = image.crop((0, top, width, min(height, top + rows)))
        if strip.mode != target:
            if target.endswith("a") and strip.mode not in ("RGBA", "LA"):
                strip = strip.convert("RGBA" if target == "RGBa" else "LA")
            if target.endswith("a") and not transparent:
                transparent = strip.getextrema()[-1][0] < 255
            strip = strip.convert(target)
        elif target.endswith("a") and not transparent:
            transparent = _premultiplied_alpha_min(strip) < 255
        if factor > 1:
            strip = strip.reduce(factor)
        part = convert(np.asarray(strip))
        if out is None:
            out = np.empty((out_h, out_w) + part.shape[2:], dtype=np.uint8)
        out[top // factor:top // factor + part.shape[0]] = part
    if transparent:
        notes.append("Transparent areas are shown on white.")
    assert out is not None
    return _gray_if_neutral(out)


def _same(values: np.ndarray) -> np.ndarray:
    return values


def _premultiplied_alpha_min(strip: Image.Image) -> int:
    return int(np.asarray(strip.getchannel("A")).min())


def _on_white(values: np.ndarray) -> np.ndarray:
    """Premultiplied colour plus white where it is transparent: C a + 255 (1 - a), exactly.

    With colour already multiplied by alpha and rounded (Pillow's RGBa, La), the sum
    P + 255 - A never leaves 0-255, so it is computed in 16-bit integers.
    """
    colour, alpha = values[..., :-1].astype(np.int16), values[..., -1:].astype(np.int16)
    out = colour + (255 - alpha)
    if out.shape[-1] == 1:
        out = out[..., 0]
    return out.astype(np.uint8)


def _integer_scaler(image: Image.Image) -> Callable[[np.ndarray], np.ndarray]:
    """16-bit (and 32-bit integer) values scaled to 0-255, rounding exactly in integers."""
    top = 65535
    if image.mode == "I":
        low, high = image.getextrema()
        top = 255 if high <= 255 else max(65535, int(high))

    def scale(values: np.ndarray) -> np.ndarray:
        clipped = np.clip(values, 0, top).astype(np.int64)
        return ((clipped * 510 + top) // (2 * top)).astype(np.uint8)

    return scale


def _float_stretcher(image: Image.Image, notes: list[str]) -> Callable[[np.ndarray], np.ndarray]:
    """Floating-point values stretched from their minimum to their maximum, in float32."""
    notes.append("Floating-point image: stretched from its minimum to its maximum.")
    width, height = image.size
    rows = max(1, _STRIP_PIXELS // max(width, 1))
    low, high = np.inf, -np.inf
    for top in range(0, height, rows):
        values = np.asarray(image.crop((0, top, width, min(height, top + rows))))
        finite = values[np.isfinite(values)]
        if finite.size:
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
    if not math.isfinite(low) or high <= low:
        return lambda values: np.zeros(values.shape, dtype=np.uint8)
    gain = np.float32(255.0 / (high - low))

    def stretch(values: np.ndarray) -> np.ndarray:
        scaled = np.rint((values - np.float32(low)) * gain)
        return np.nan_to_num(np.clip(scaled, 0, 255), nan=0.0).astype(np.uint8)

    return stretch


def _gray_if_neutral(rgb: np.ndarray) -> np.ndarray:
    """Keep three channels only when they differ (a gray picture saved as RGB stays gray)."""
    if rgb.ndim == 3 and np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(
        rgb[..., 1], rgb[..., 2]
    ):
        return np.ascontiguousarray(rgb[..., 0])
    return np.ascontiguousarray(rgb)


def load_sample(name: str) -> np.ndarray:
    """One of scikit-image's bundled sample images by name (see SAMPLES), as read-only uint8.

    Parameters
    ----------
    name : {"camera", "astronaut", "coffee", "chelsea", "coins", "moon", "text", "brick"}
        A key of SAMPLES, which describes each image.

    Returns
    -------
    numpy.ndarray
        uint8, (H, W) or (H, W, 3), not writeable: one decoded copy is shared by every caller.

    Examples
    --------
    >>> camera = load_sample("camera")
    >>> camera.shape, camera.dtype, camera.flags.writeable
    ((512, 512), dtype('uint8'), False)
    """
    if name not in SAMPLES:
        raise ValueError(f"sample must be one of {tuple(SAMPLES)}; got {name!r}")
    return _decoded_sample(name)


@functools.lru_cache(maxsize=len(SAMPLES))
def _decoded_sample(name: str) -> np.ndarray:
    # Read-only, so sharing one decoded copy between callers is safe.
    from skimage import data

    pixels = getattr(data, name)()
    pixels.flags.writeable = False
    return pixels


def to_gray(image: np.ndarray) -> np.ndarray:
    """An RGB image in gray with OpenCV's weights (0.299 R + 0.587 G + 0.114 B); gray unchanged.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray, or (H, W, 3) RGB or (H, W, 4) RGBA (alpha ignored), uint8.

    Returns
    -------
    numpy.ndarray
        (H, W), the same dtype; a gray `image` itself.

    Examples
    --------
    Pure red, green and blue (0.299 * 255 = 76.2, 0.587 * 255 = 149.7, 0.114 * 255 = 29.1):

    >>> to_gray(np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], dtype=np.uint8)).tolist()
    [[76, 150, 29]]
    """
    if image.ndim == 2:
        return image
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"image must be gray or RGB; got shape {image.shape}")
    return cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_RGB2GRAY)


def fit_to_pixels(image: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale `image` so its longer side is at most `max_side`, averaging pixels.

    Smaller images are returned as they are, never upscaled.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C).
    max_side : int
        The longest side allowed, at least 1.

    Returns
    -------
    numpy.ndarray
        `image` itself when it fits, else a copy scaled by ``max_side / max(H, W)`` with
        OpenCV's area interpolation (each output pixel the mean of the pixels it covers).

    Examples
    --------
    >>> fit_to_pixels(np.arange(16, dtype=np.float32).reshape(4, 4), 2).tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    if isinstance(max_side, bool) or int(max_side) < 1:
        raise ValueError(f"max_side must be a positive whole number; got {max_side!r}")
    height, width = image.shape[:2]
    longer = max(height, width)
    if longer <= max_side:
        return image
    scale = max_side / longer
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)
