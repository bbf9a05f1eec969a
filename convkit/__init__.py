"""convkit: image convolution kernels, computed by hand and by OpenCV, explained pixel by pixel."""

import importlib

from .core import (
    BANK,
    BORDER_DESCRIPTIONS,
    BORDER_DRAWINGS,
    BORDER_MODES,
    BORDER_NAMES,
    MAX_KERNEL_SIDE,
    SAMPLES,
    TUTORIAL_KERNELS,
    UPLOAD_EXTENSIONS,
    Border,
    DecodedImage,
    ImageLoadError,
    Kernel,
    box,
    convolve,
    convolve_loop,
    decode_image,
    fit_to_pixels,
    format_number,
    format_weights_text,
    gaussian,
    identity,
    image_digest,
    laplacian_of_gaussian,
    load_image,
    load_sample,
    motion_blur,
    pad,
    parse_cells,
    parse_weights_text,
    read_kernel_file,
    separate,
    to_gray,
    unsharp_mask,
)
from .explain import (
    MAPPINGS,
    Agreement,
    Diagnosis,
    Mistake,
    PixelBreakdown,
    compare_with_opencv,
    diagnose_answer,
    explain_mapping,
    explain_pixel,
    mistaken_values,
    reproduce,
    to_uint8,
)

# Everything else lives in a subpackage, imported on first use: convkit.lessons (and the
# scikit-image restoration and metrics it needs) costs nothing until a lesson is asked for.
_SUBPACKAGES = ("core", "explain", "lessons")


def __getattr__(name: str):
    """``convkit.core``, ``convkit.explain`` and ``convkit.lessons``, imported on first use."""
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBPACKAGES})


__all__ = [
    "Agreement",
    "BANK",
    "BORDER_DESCRIPTIONS",
    "BORDER_DRAWINGS",
    "BORDER_MODES",
    "BORDER_NAMES",
    "Border",
    "DecodedImage",
    "Diagnosis",
    "ImageLoadError",
    "Kernel",
    "MAPPINGS",
    "MAX_KERNEL_SIDE",
    "Mistake",
    "PixelBreakdown",
    "SAMPLES",
    "TUTORIAL_KERNELS",
    "UPLOAD_EXTENSIONS",
    "box",
    "compare_with_opencv",
    "convolve",
    "convolve_loop",
    "decode_image",
    "diagnose_answer",
    "explain_mapping",
    "explain_pixel",
    "fit_to_pixels",
    "format_number",
    "format_weights_text",
    "gaussian",
    "identity",
    "image_digest",
    "laplacian_of_gaussian",
    "load_image",
    "load_sample",
    "mistaken_values",
    "motion_blur",
    "pad",
    "parse_cells",
    "parse_weights_text",
    "read_kernel_file",
    "reproduce",
    "separate",
    "to_gray",
    "to_uint8",
    "unsharp_mask",
]
