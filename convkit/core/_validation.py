"""Argument checks shared by every public function: validate at the door, name the culprit."""

from __future__ import annotations

import math
import numbers

import numpy as np


def check_image(image) -> np.ndarray:
    """Return `image` as an ndarray, refusing anything that is not a 2-D or 3-D numeric image."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f"image must be a NumPy array; got {type(image).__name__}")
    if image.ndim not in (2, 3):
        raise ValueError(
            f"image must be 2-D (gray, H x W) or 3-D (colour, H x W x C); got {image.ndim}-D "
            f"with shape {image.shape}"
        )
    if image.size == 0:
        raise ValueError(f"image must not be empty; got shape {image.shape}")
    # dtype.kind instead of np.issubdtype: this runs on every filter call, and the numpy type
    # hierarchy walk costs tens of microseconds once a large image has flushed the caches.
    kind = image.dtype.kind
    if kind not in "iuf":
        if kind == "c":
            raise TypeError("image must hold real numbers; got complex values")
        raise TypeError(f"image must hold numbers; got dtype {image.dtype}")
    return image


def check_weights(weights, name: str = "kernel") -> np.ndarray:
    """Return kernel weights as a 2-D float64 array with odd sides and finite values."""
    try:
        array = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold numbers only; {error}") from None
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (height x width); got {array.ndim}-D")
    height, width = array.shape
    if height == 0 or width == 0:
        raise ValueError(f"{name} must not be empty; got shape {array.shape}")
    if height % 2 == 0 or width % 2 == 0:
        raise ValueError(
            f"{name} must have an odd height and an odd width, so that it has a centre; "
            f"got {height} x {width}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} weights must be finite numbers; got NaN or infinity")
    return array


def check_shape(shape, name: str = "shape") -> tuple[int, ...]:
    """Return an image shape, (H, W) or (H, W, C) of positive whole numbers, as a tuple."""
    try:
        values = tuple(shape)
    except TypeError:
        raise ValueError(f"{name} must be (height, width) or (height, width, channels); "
                         f"got {shape!r}") from None
    if len(values) not in (2, 3) or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 1
            for v in values):
        raise ValueError(f"{name} must be (height, width) or (height, width, channels) of "
                         f"whole numbers >= 1; got {shape!r}")
    return tuple(int(v) for v in values)


def check_value(value) -> float:
    """Return the constant padding value as a finite float."""
    # Plain floats and ints, the common case, skip the slower ABC check.
    plain = type(value) is float or type(value) is int
    if not plain and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
        raise TypeError(f"value must be a real number; got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"value must be finite; got {value!r}")
    return value


def check_index(value, name: str, size: int) -> int:
    """Return `value` as an int in 0..size-1 (a pixel coordinate)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be a whole number; got {value!r}")
    value = int(value)
    if not 0 <= value < size:
        raise ValueError(f"{name}={value} is outside the image: allowed 0..{size - 1}")
    return value


def check_positive_int(value, name: str, *, odd: bool = False, minimum: int = 1) -> int:
    """Return `value` as an int >= minimum, odd when asked."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number; got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}")
    if odd and value % 2 == 0:
        raise ValueError(f"{name} must be odd, so that the kernel has a centre; got {value}")
    return value


def check_finite_float(value, name: str) -> float:
    """Return `value` as a finite float (any sign)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(
            float(value)):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    return float(value)


def check_positive_float(value, name: str) -> float:
    """Return `value` as a finite float > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than 0; got {value}")
    return float(value)


def check_gray_image(image, name: str = "image") -> np.ndarray:
    """`image` if it is a non-empty 2-D NumPy array; TypeError or ValueError naming `name`.

    The shared first half of the gray-only pages' checks (matching, restoration); each adds its
    own dtype and size rules after it.
    """
    if not isinstance(image, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array; got {type(image).__name__}")
    if image.ndim != 2:
        raise ValueError(f"{name} must be 2-D gray (H x W); got shape {image.shape}: convert "
                         "colour images with to_gray first")
    if image.size == 0:
        raise ValueError(f"{name} must not be empty (an empty selection?); got shape "
                         f"{image.shape}")
    return image
