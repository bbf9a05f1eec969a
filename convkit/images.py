"""The decoder's old address, kept only for ``upload_worker`` until server code leaves convkit."""

from .core.images import DEFAULT_MAX_PIXELS, DecodedImage, ImageLoadError, decode_image

__all__ = ["DEFAULT_MAX_PIXELS", "DecodedImage", "ImageLoadError", "decode_image"]
