"""Getting pixels in: uploads decoded safely, the bundled samples, and working resolution."""

from __future__ import annotations

import functools
import hashlib
import io
import warnings
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: Formats convkit decodes (Pillow's names); MPO is the multi-picture JPEG of many cameras.
ACCEPTED_FORMATS = ("PNG", "JPEG", "MPO", "BMP", "TIFF", "WEBP", "GIF")
#: File extensions offered by the uploader.
UPLOAD_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp", "gif")
DEFAULT_MAX_PIXELS = 40_000_000

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


class ImageLoadError(ValueError):
    """An upload that convkit cannot turn into an image; the message is meant for a person."""


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """An uploaded image as uint8 pixels, with what was done to it on the way."""

    pixels: np.ndarray
    format: str
    original_size: tuple[int, int]
    notes: list[str] = field(default_factory=list)


def image_digest(data: bytes) -> str:
    """A short hash of the upload's bytes, to key caches by content rather than by name."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def load_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode an uploaded file into a uint8 gray (H, W) or RGB (H, W, 3) array.

    Colour files whose three channels are equal come back gray, so they filter once, not thrice.

    Raises ImageLoadError for anything that is not a readable PNG, JPEG, BMP, TIFF, WebP or GIF,
    and for images of more than `max_pixels` pixels, which are refused before decoding.
    """
    return decode_image(data, max_pixels=max_pixels).pixels


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> DecodedImage:
    """Like `load_image`, but also say what was done (first frame taken, 16 bits scaled ...)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be the file's bytes; got {type(data).__name__}")
    data = bytes(data)
    if not data:
        raise ImageLoadError("The file is empty (0 bytes).")
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf"):
        raise ImageLoadError("This is a PDF document, not an image: export the page as PNG first.")
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        raise ImageLoadError(
            "This is an SVG drawing: convkit needs pixels. Export it as PNG first."
        )
    try:
        with warnings.catch_warnings():
            # Our own limit, checked from the header below, is the one that counts.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageLoadError(
            "This file is not an image convkit can read. Upload a PNG, JPEG, BMP, TIFF, WebP "
            "or GIF."
        ) from None
    except Image.DecompressionBombError:
        raise ImageLoadError(
            f"This image is too large: convkit accepts at most {max_pixels:,} pixels."
        ) from None
    except Exception as error:  # Pillow raises many kinds on damaged headers.
        raise ImageLoadError(f"This file looks damaged and cannot be read ({error}).") from None

    with image:
        if image.format not in ACCEPTED_FORMATS:
            raise ImageLoadError(
                f"{image.format} images are not supported. Upload a PNG, JPEG, BMP, TIFF, WebP "
                "or GIF."
            )
        width, height = image.size
        if width * height > max_pixels:
            raise ImageLoadError(
                f"This image is {width:,} x {height:,} = {width * height:,} pixels; convkit "
                f"accepts at most {max_pixels:,} pixels. Downscale it before uploading."
            )
        notes = []
        if getattr(image, "n_frames", 1) > 1:
            notes.append(f"Animated or multi-page image: using the first of its "
                         f"{image.n_frames} frames.")
        try:
            image.seek(0)
            image.load()
            oriented = ImageOps.exif_transpose(image)
        except Exception as error:
            raise ImageLoadError(
                f"This {image.format} file is truncated or damaged and cannot be decoded "
                f"({error})."
            ) from None
        if _has_rotation(image):
            notes.append("Rotated upright as its EXIF orientation tag asks.")
        pixels = _to_uint8_pixels(oriented, notes)
        return DecodedImage(pixels=pixels, format=image.format, original_size=(width, height),
                            notes=notes)


def _has_rotation(image: Image.Image) -> bool:
    try:
        return image.getexif().get(0x0112, 1) not in (1, None)
    except Exception:
        return False


def _to_uint8_pixels(image: Image.Image, notes: list[str]) -> np.ndarray:
    """Convert any Pillow mode to uint8 gray or RGB, compositing transparency on white."""
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        values = np.asarray(image).astype(np.float64)
        top = 65535.0 if mode != "I" or values.max() > 255 else 255.0
        if mode == "I" and values.max() > 65535:
            top = float(values.max())
        notes.append("16-bit image: scaled to 8 bits (65535 becomes 255).")
        return np.clip(np.rint(values * (255.0 / top)), 0, 255).astype(np.uint8)
    if mode == "F":
        values = np.asarray(image, dtype=np.float64)
        low, high = np.nanmin(values), np.nanmax(values)
        notes.append("Floating-point image: stretched from its minimum to its maximum.")
        if not np.isfinite(low) or not np.isfinite(high) or high <= low:
            return np.zeros(values.shape, dtype=np.uint8)
        return np.rint((values - low) * (255.0 / (high - low))).astype(np.uint8)
    if mode == "1":
        return np.asarray(image.convert("L"))
    if mode == "P":
        image = image.convert("RGBA") if "transparency" in image.info else image.convert("RGB")
        mode = image.mode
    if mode in ("LA", "La", "PA"):
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "RGBa"):
        alpha = np.asarray(image.getchannel("A"))
        rgb = np.asarray(image.convert("RGB")).astype(np.float64)
        if alpha.min() < 255:
            notes.append("Transparent areas are shown on white.")
            weight = alpha[..., None] / 255.0
            rgb = rgb * weight + 255.0 * (1.0 - weight)
        return _gray_if_neutral(np.rint(rgb).astype(np.uint8))
    if mode == "L":
        return np.asarray(image)
    if mode == "CMYK":
        notes.append("CMYK image: converted to RGB.")
    return _gray_if_neutral(np.asarray(image.convert("RGB")))


def _gray_if_neutral(rgb: np.ndarray) -> np.ndarray:
    """Keep three channels only when they differ (a gray picture saved as RGB stays gray)."""
    if rgb.ndim == 3 and np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(
        rgb[..., 1], rgb[..., 2]
    ):
        return np.ascontiguousarray(rgb[..., 0])
    return np.ascontiguousarray(rgb)


def load_sample(name: str) -> np.ndarray:
    """One of scikit-image's bundled sample images by name (see SAMPLES), as read-only uint8."""
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
    """An RGB image in gray with OpenCV's weights (0.299 R + 0.587 G + 0.114 B); gray unchanged."""
    if image.ndim == 2:
        return image
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"image must be gray or RGB; got shape {image.shape}")
    return cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_RGB2GRAY)


def fit_to_pixels(image: np.ndarray, max_side: int) -> np.ndarray:
    """Downscale `image` so its longer side is at most `max_side`, averaging pixels.

    Smaller images are returned as they are, never upscaled.
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
