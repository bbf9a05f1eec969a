"""Finding a patch in an image: plain correlation (the patch as a kernel) against normalized
cross-correlation, with every number of one position worked out.

Plain correlation is the tutorial's operation with the patch as the kernel:
``sum(region * patch)``. It grows with the region's brightness, so a bright sky beats the
patch's own location. Normalized cross-correlation (``cv2.matchTemplate`` with
``TM_CCOEFF_NORMED``) first subtracts both means and divides by both norms:
``sum((r - mean r)(t - mean t)) / (|r - mean r| |t - mean t|)``, a number in -1..1 that only
the pattern decides.

Positions are the patch's centre (x, y), as for a kernel; the patch must lie wholly inside
the image for the normalized map, whose other cells are NaN.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import cv2
import numpy as np

from ..core._validation import check_gray_image
from ..core.convolve import convolve
from ..core.padding import document_border
from ..explain.drawing import outline, to_rgb
from ..explain.picking import Window

#: Longest side, in pixels, of an image matched against: bounds the work per call.
MAX_MATCH_SIDE = 512
#: Patch sides allowed: odd (a kernel needs a centre), MIN..MAX pixels.
MIN_PATCH_SIDE = 3
MAX_PATCH_SIDE = 95
#: A drag shorter than this many pixels both ways counts as a click.
CLICK_TOLERANCE = 3
#: A patch whose pixels spread less than this (standard deviation) counts as flat.
FLAT_PATCH_STD = 1e-6


# ------------------------------------------------------------------------------- checks


def _check_gray(image, name: str = "image") -> np.ndarray:
    image = check_gray_image(image, name)
    if image.dtype.kind not in "uif":
        raise ValueError(f"{name} must hold numbers; got dtype {image.dtype}")
    if not np.all(np.isfinite(image)):
        raise ValueError(f"{name} must hold finite numbers; got NaN or infinity")
    return image


def _largest_side(size: int) -> int:
    """The largest odd patch side that fits in `size` pixels, at most MAX_PATCH_SIDE."""
    return min(MAX_PATCH_SIDE, size if size % 2 else size - 1)


def _check_side(value, name: str, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number; got {value!r}")
    value = int(value)
    top = _largest_side(limit)
    if value < MIN_PATCH_SIDE or value % 2 == 0 or value > top:
        raise ValueError(f"{name} must be odd and in {MIN_PATCH_SIDE}..{top} (no larger than "
                         f"the image, at most {MAX_PATCH_SIDE}); got {value}")
    return value


def _check_pair(image, patch) -> tuple[np.ndarray, np.ndarray]:
    image = _check_gray(image)
    patch = _check_gray(patch, "patch")
    if max(image.shape) > MAX_MATCH_SIDE:
        raise ValueError(f"image must be at most {MAX_MATCH_SIDE} px on its longer side; got "
                         f"{image.shape[1]} x {image.shape[0]}: downscale it with fit_to_pixels")
    height, width = patch.shape
    if height > image.shape[0] or width > image.shape[1]:
        raise ValueError(f"patch ({width} x {height}) must be no larger than the image "
                         f"({image.shape[1]} x {image.shape[0]})")
    _check_side(height, "patch height", image.shape[0])
    _check_side(width, "patch width", image.shape[1])
    if float(np.std(patch)) < FLAT_PATCH_STD:
        raise ValueError("patch must not be flat (all its pixels equal): normalized "
                         "correlation divides by its spread, which is 0; pick a patch with "
                         "some detail")
    return image, patch


# ----------------------------------------------------------------------------- choosing


def patch_side_limits(image_shape: tuple[int, ...]) -> tuple[int, int]:
    """The largest odd patch (width, height) an image of `image_shape` allows.

    Parameters
    ----------
    image_shape : tuple of int
        (H, W) or (H, W, C).

    Returns
    -------
    width, height : int
        The largest odd sides, each at most MAX_PATCH_SIDE.

    Raises
    ------
    ValueError
        For an image too small to cut any patch from.

    Examples
    --------
    >>> patch_side_limits((303, 384)), patch_side_limits((40, 1000))
    ((95, 95), (95, 39))
    """
    height, width = image_shape[:2]
    if min(height, width) < MIN_PATCH_SIDE:
        raise ValueError(f"image must be at least {MIN_PATCH_SIDE} x {MIN_PATCH_SIDE} pixels to "
                         f"cut a patch from; got {width} x {height}")
    return _largest_side(width), _largest_side(height)


def shifted_point(x: int, y: int, dx: int, dy: int, image_shape: tuple[int, ...]
                  ) -> tuple[int, int]:
    """Where pixel (x, y) lands in `shifted_copy(image, dx, dy)`: it wraps round the edges.

    Parameters
    ----------
    x, y : int
        A pixel of the original image.
    dx, dy : int
        The shift given to `shifted_copy` (right and down; negative moves left and up).
    image_shape : tuple of int
        (H, W) or (H, W, C) of the image.

    Returns
    -------
    x, y : int
        The same pixel in the shifted copy.

    Examples
    --------
    >>> shifted_point(500, 10, 40, -25, (512, 512))
    (28, 497)
    """
    height, width = image_shape[:2]
    return (int(x) + int(dx)) % width, (int(y) + int(dy)) % height


def valid_centres(image_shape: tuple[int, ...], patch_shape: tuple[int, int]) -> Window:
    """The centres (x, y) at which a patch of `patch_shape` lies wholly inside the image.

    Parameters
    ----------
    image_shape : tuple of int
        (H, W) or (H, W, C) of the image.
    patch_shape : tuple of int
        (h, w) of the patch.

    Returns
    -------
    Window
        Of centres: top and left are the first valid y and x, height and width how many.

    Examples
    --------
    >>> valid_centres((10, 20), (3, 5))
    Window(top=1, left=2, height=8, width=16)
    """
    height, width = image_shape[:2]
    ph, pw = patch_shape
    return Window(top=ph // 2, left=pw // 2, height=height - ph + 1, width=width - pw + 1)


def clamp_centre(x: int, y: int, valid: Window) -> tuple[int, int]:
    """The centre in `valid` nearest to (x, y).

    Parameters
    ----------
    x, y : int
        Any position, e.g. a click on a map.
    valid : Window
        The allowed centres, from `valid_centres`.

    Returns
    -------
    x, y : int
        The nearest centre inside `valid`.

    Examples
    --------
    >>> clamp_centre(0, 50, Window(top=1, left=2, height=8, width=16))
    (2, 8)
    """
    return (min(max(int(x), valid.left), valid.left + valid.width - 1),
            min(max(int(y), valid.top), valid.top + valid.height - 1))


def fit_patch(x: int, y: int, patch_width: int, patch_height: int,
              image_shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """A patch asked for on another image, brought within this one's limits.

    Sides are cut to `patch_side_limits`, the centre to the last row and column; nothing else
    changes, so an even or too small side is still refused by `patch_window`, by name.

    Parameters
    ----------
    x, y : int
        The patch's centre, at least 0.
    patch_width, patch_height : int
        Its sides.
    image_shape : tuple of int
        (H, W) or (H, W, C) of the image.

    Returns
    -------
    x, y, width, height : int
        The centre moved onto the image, the sides cut to `patch_side_limits`.

    Examples
    --------
    >>> fit_patch(300, 20, 61, 30, (40, 256))
    (255, 20, 61, 30)
    """
    limit_w, limit_h = patch_side_limits(image_shape)
    height, width = image_shape[:2]
    return (min(int(x), width - 1), min(int(y), height - 1), min(int(patch_width), limit_w),
            min(int(patch_height), limit_h))


def patch_centre(window: Window) -> tuple[int, int]:
    """The centre (x, y) of an odd-sided patch: the pixel its kernel is anchored on.

    Parameters
    ----------
    window : Window
        The patch, e.g. from `patch_window`.

    Returns
    -------
    x, y : int
        The centre pixel.

    Examples
    --------
    >>> patch_centre(Window(top=10, left=20, height=5, width=3))
    (21, 12)
    """
    return window.left + window.width // 2, window.top + window.height // 2


def patch_window(x: int, y: int, patch_width: int, patch_height: int,
                 image_shape: tuple[int, ...]) -> Window:
    """The patch of odd `patch_width` x `patch_height` centred on (x, y), moved inside the image.

    Parameters
    ----------
    x, y : int
        The wanted centre; moved the least needed for the patch to fit.
    patch_width, patch_height : int
        Odd, MIN_PATCH_SIDE..MAX_PATCH_SIDE, no larger than the image.
    image_shape : tuple of int
        (H, W) or (H, W, C) of the image.

    Returns
    -------
    Window
        The patch, wholly inside the image.

    Raises
    ------
    ValueError
        For even, too small or too large sides (larger than the image, or than
        MAX_PATCH_SIDE), naming the side.

    Examples
    --------
    >>> patch_window(0, 0, 5, 3, (100, 100))
    Window(top=0, left=0, height=3, width=5)
    """
    height, width = image_shape[:2]
    patch_width = _check_side(patch_width, "patch_width", width)
    patch_height = _check_side(patch_height, "patch_height", height)
    x, y = clamp_centre(x, y, valid_centres((height, width), (patch_height, patch_width)))
    return Window(top=y - patch_height // 2, left=x - patch_width // 2, height=patch_height,
                  width=patch_width)


def drag_to_patch(x1: float, y1: float, x2: float, y2: float, image_shape: tuple[int, ...],
                  default_side: int = 31) -> tuple[int, int, int, int]:
    """A drag from (x1, y1) to (x2, y2), in image pixels, as a patch (x, y, width, height).

    A drag shorter than CLICK_TOLERANCE both ways is a click: a `default_side` square centred
    there. Otherwise the dragged box, clipped to the image, each side made odd (one pixel
    shorter if needed: a kernel needs a centre) and kept within MIN..MAX_PATCH_SIDE.

    Parameters
    ----------
    x1, y1 : float
        Where the drag started, in image pixels.
    x2, y2 : float
        Where it ended; may lie past the image, which clips it.
    image_shape : tuple of int
        (H, W) or (H, W, C) of the image.
    default_side : int, optional
        Side of the square a click makes. Default 31.

    Returns
    -------
    x, y, width, height : int
        The patch's centre and odd sides.

    Examples
    --------
    >>> drag_to_patch(10, 10, 30, 20, (100, 100))
    (20, 15, 21, 11)
    >>> drag_to_patch(50, 50, 51, 50, (100, 100), default_side=7)
    (50, 50, 7, 7)
    """
    height, width = image_shape[:2]
    values = (x1, y1, x2, y2)
    if not all(isinstance(v, numbers.Real) and np.isfinite(v) for v in values):
        raise ValueError(f"drag coordinates must be finite numbers; got {values}")
    if abs(x2 - x1) < CLICK_TOLERANCE and abs(y2 - y1) < CLICK_TOLERANCE:
        side_w = min(default_side, _largest_side(width))
        side_h = min(default_side, _largest_side(height))
        return int(min(max(x1, 0), width - 1)), int(min(max(y1, 0), height - 1)), side_w, side_h

    def span(a: float, b: float, size: int) -> tuple[int, int]:
        low = int(np.floor(min(max(min(a, b), 0), size - 1)))
        high = int(np.floor(min(max(max(a, b), 0), size - 1)))
        side = high - low + 1
        side -= 1 - side % 2
        side = min(max(side, MIN_PATCH_SIDE), _largest_side(size))
        return low + side // 2, side

    x, w = span(x1, x2, width)
    y, h = span(y1, y2, height)
    return x, y, w, h


def cut_patch(image: np.ndarray, window: Window) -> np.ndarray:
    """The pixels of `window`, which must lie wholly inside the image (a copy).

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray image.
    window : Window
        The patch, e.g. from `patch_window`.

    Returns
    -------
    numpy.ndarray
        (window.height, window.width), a copy of the image's pixels there.

    Examples
    --------
    >>> cut_patch(np.arange(16).reshape(4, 4), Window(1, 1, 2, 3)).tolist()
    [[5, 6, 7], [9, 10, 11]]
    """
    image = _check_gray(image)
    height, width = image.shape
    if window.height < 1 or window.width < 1:
        raise ValueError(f"window must not be empty (an empty selection); got "
                         f"{window.width} x {window.height}")
    if (window.top < 0 or window.left < 0 or window.top + window.height > height
            or window.left + window.width > width):
        raise ValueError(f"window {window} must lie inside the image ({width} x {height})")
    return image[window.top:window.top + window.height,
                 window.left:window.left + window.width].copy()


@dataclass(frozen=True)
class PatchExample:
    """A stored patch on a sample: its centre and size in the sample's own pixels."""

    sample: str
    x: int
    y: int
    width: int
    height: int
    native_size: tuple[int, int]  # (width, height) of the sample the numbers refer to
    description: str


PATCH_EXAMPLES: dict[str, PatchExample] = {
    "cameraman's face": PatchExample("camera", 222, 150, 41, 51, (512, 512),
                                     "dark hair and face: plain correlation jumps to the sky"),
    "the camera": PatchExample("camera", 290, 162, 51, 41, (512, 512),
                               "the camera on the tripod: bright metal against a dark coat"),
    "one coin": PatchExample("coins", 101, 56, 45, 45, (384, 303),
                             "a coin among 24 others: which look most alike?"),
}


def example_patch(name: str, image_shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """A stored example as (x, y, width, height) on an image of `image_shape` (scaled).

    Parameters
    ----------
    name : {"cameraman's face", "the camera", "one coin"}
        A key of PATCH_EXAMPLES.
    image_shape : tuple of int
        (H, W) of the sample at the working resolution.

    Returns
    -------
    x, y, width, height : int
        Centre and odd sides, scaled from the sample's own size.

    Examples
    --------
    >>> example_patch("one coin", (303, 384))
    (101, 56, 45, 45)
    """
    if name not in PATCH_EXAMPLES:
        raise ValueError(f"example must be one of {list(PATCH_EXAMPLES)}; got {name!r}")
    example = PATCH_EXAMPLES[name]
    height, width = image_shape[:2]
    scale = width / example.native_size[0]

    def odd(side: float) -> int:
        side = max(MIN_PATCH_SIDE, int(round(side * scale)))
        return side if side % 2 else side - 1

    return (int(round(example.x * scale)), int(round(example.y * scale)),
            odd(example.width), odd(example.height))


def shifted_copy(image: np.ndarray, dx: int, dy: int, noise: float = 0.0, *, seed: int = 0
            ) -> np.ndarray:
    """The image moved `dx` right and `dy` down (wrapping round), plus Gaussian noise, as uint8.

    A point at (x, y) lands on ((x + dx) % W, (y + dy) % H).

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray image.
    dx, dy : int
        Whole pixels right and down (negative: left and up).
    noise : float, optional
        Standard deviation of the added Gaussian noise, gray levels 0..100. Default 0.
    seed : int, optional
        Seed of the noise. Default 0.

    Returns
    -------
    numpy.ndarray
        (H, W) uint8 image.

    Examples
    --------
    >>> shifted_copy(np.arange(4, dtype=np.uint8).reshape(1, 4), 1, 0).tolist()
    [[3, 0, 1, 2]]
    """
    image = _check_gray(image)
    for name, value in (("dx", dx), ("dy", dy)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValueError(f"{name} must be a whole number of pixels; got {value!r}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not 0 <= noise <= 100:
        raise ValueError(f"noise must be a number of gray levels in 0..100; got {noise!r}")
    moved = np.roll(image.astype(np.float64), (int(dy), int(dx)), axis=(0, 1))
    if noise:
        moved += np.random.default_rng(seed).normal(0.0, float(noise), moved.shape)
    return np.clip(np.rint(moved), 0, 255).astype(np.uint8)


# ------------------------------------------------------------------------------ matching


@dataclass(frozen=True, eq=False)
class MatchMaps:
    """Both correlation maps of a patch over an image, indexed by the patch's centre (y, x).

    Attributes
    ----------
    plain : (H, W) ``sum(region * patch)``, the patch used as a kernel (border as given).
    ncc : (H, W) normalized cross-correlation in -1..1; NaN where the patch sticks out.
    valid : the centres where the patch lies wholly inside; both bests are searched there.
    plain_best, ncc_best : (x, y) of each map's largest value.
    ncc_score : the normalized map's value at `ncc_best`.
    """

    plain: np.ndarray
    ncc: np.ndarray
    valid: Window
    plain_best: tuple[int, int]
    ncc_best: tuple[int, int]
    ncc_score: float

    @property
    def plain_score(self) -> float:
        """The plain map's value at `plain_best`, its largest where the patch fits."""
        x, y = self.plain_best
        return float(self.plain[y, x])


@document_border
def match_maps(image: np.ndarray, patch: np.ndarray, border: str = "replicate") -> MatchMaps:
    """Slide `patch` over `image`: the plain correlation map and the normalized one.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray image, longer side at most MAX_MATCH_SIDE.
    patch : numpy.ndarray
        (h, w) gray patch, odd sides MIN..MAX_PATCH_SIDE, no larger than the image, not flat.
    %(border)s
        The padding of the plain map (the normalized one is only computed where the patch
        fits). Default "replicate".

    Returns
    -------
    MatchMaps
        Both maps, the centres where the patch fits, and each map's best centre there.

    Examples
    --------
    >>> image = np.zeros((9, 9)); image[2:5, 5:8] = np.arange(9).reshape(3, 3)
    >>> m = match_maps(image, np.arange(9.0).reshape(3, 3))
    >>> m.ncc_best, round(m.ncc_score, 6)
    ((6, 3), 1.0)
    """
    image, patch = _check_pair(image, patch)
    pixels = image.astype(np.float32)
    # The tutorial's operation: the patch is the kernel, correlation (no flip).
    plain = convolve(pixels, patch.astype(np.float64), border)
    valid = valid_centres(image.shape, patch.shape)
    scores = cv2.matchTemplate(pixels, patch.astype(np.float32), cv2.TM_CCOEFF_NORMED)
    ncc = np.full(image.shape, np.nan)
    ncc[valid.top:valid.top + valid.height, valid.left:valid.left + valid.width] = scores
    inner_plain = plain[valid.top:valid.top + valid.height, valid.left:valid.left + valid.width]
    py, px = np.unravel_index(int(np.argmax(inner_plain)), inner_plain.shape)
    ny, nx = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return MatchMaps(plain=plain.astype(np.float64), ncc=ncc, valid=valid,
                     plain_best=(int(px) + valid.left, int(py) + valid.top),
                     ncc_best=(int(nx) + valid.left, int(ny) + valid.top),
                     ncc_score=float(scores[ny, nx]))


@dataclass(frozen=True, eq=False)
class MatchBreakdown:
    """Every number behind both maps at centre (x, y).

    Attributes
    ----------
    region : (h, w) image values under the patch.
    products, total : region * patch and its sum, the plain correlation.
    region_mean, patch_mean : the two means subtracted first by the normalized one.
    region_centred, patch_centred : region - region_mean, patch - patch_mean.
    centred_products, numerator : their products and its sum.
    region_norm, patch_norm : sqrt of the sum of squares of the centred arrays.
    ncc : numerator / (region_norm * patch_norm); 0 on a flat region, as OpenCV gives.
    """

    x: int
    y: int
    region: np.ndarray
    patch: np.ndarray
    products: np.ndarray
    total: float
    region_mean: float
    patch_mean: float
    region_centred: np.ndarray
    patch_centred: np.ndarray
    centred_products: np.ndarray
    numerator: float
    region_norm: float
    patch_norm: float
    ncc: float


def explain_match(image: np.ndarray, patch: np.ndarray, x: int, y: int) -> MatchBreakdown:
    """Work out both correlations of `patch` centred at (x, y) by hand.

    (x, y) must be a centre where the patch lies wholly inside (see `valid_centres`).

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray image.
    patch : numpy.ndarray
        (h, w) gray patch, as for `match_maps`.
    x, y : int
        The patch's centre.

    Returns
    -------
    MatchBreakdown
        The region, products and sum of the plain map; means, centred arrays, norms and NCC.

    Examples
    --------
    >>> image = np.ones((5, 5)); image[:3, :3] += 2 * np.eye(3)    # 2 x patch + 1 there
    >>> b = explain_match(image, np.eye(3), x=1, y=1)
    >>> b.total, b.numerator, round(b.ncc, 6)
    (9.0, 4.0, 1.0)
    """
    image, patch = _check_pair(image, patch)
    valid = valid_centres(image.shape, patch.shape)
    for name, value, low, count in (("x", x, valid.left, valid.width),
                                    ("y", y, valid.top, valid.height)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValueError(f"{name} must be a whole number; got {value!r}")
        if not low <= value < low + count:
            raise ValueError(f"{name}={value} puts the patch past the image's edge: allowed "
                             f"{low}..{low + count - 1}")
    ph, pw = patch.shape
    region = image[y - ph // 2:y + ph // 2 + 1, x - pw // 2:x + pw // 2 + 1].astype(np.float64)
    template = patch.astype(np.float64)
    products = region * template
    region_mean, patch_mean = float(region.mean()), float(template.mean())
    region_centred, patch_centred = region - region_mean, template - patch_mean
    centred_products = region_centred * patch_centred
    numerator = float(centred_products.sum())
    region_norm = float(np.sqrt((region_centred**2).sum()))
    patch_norm = float(np.sqrt((patch_centred**2).sum()))
    ncc = numerator / (region_norm * patch_norm) if region_norm > FLAT_PATCH_STD else 0.0
    arrays = (region, template, products, region_centred, patch_centred, centred_products)
    for array in arrays:
        array.flags.writeable = False
    return MatchBreakdown(x=int(x), y=int(y), region=region, patch=template, products=products,
                          total=float(products.sum()), region_mean=region_mean,
                          patch_mean=patch_mean, region_centred=region_centred,
                          patch_centred=patch_centred, centred_products=centred_products,
                          numerator=numerator, region_norm=region_norm, patch_norm=patch_norm,
                          ncc=float(ncc))


def mark_patches(picture: np.ndarray, marks, thickness: int = 2) -> np.ndarray:
    """The picture in colour with an outline for each mark: a box centred on a patch position.

    Parameters
    ----------
    picture : numpy.ndarray
        (H, W) gray or (H, W, C) colour uint8.
    marks : iterable of ((x, y), (h, w), (r, g, b)) or ((x, y), (h, w), (r, g, b), dashed)
        A centre, the box's shape, its colour and, optionally, whether its line is dashed
        (dashes as long as the line is thick, three times over: two marks of the same shape
        told apart without their colours). Boxes reaching past the picture are clipped.
    thickness : int, optional
        Line width in pixels, drawn inside each box. Default 2.

    Returns
    -------
    numpy.ndarray
        (H, W, 3) uint8 copy.

    Examples
    --------
    >>> marked = mark_patches(np.zeros((5, 5), np.uint8), [((2, 2), (3, 3), (9, 9, 9))], 1)
    >>> marked[..., 0].tolist()[1:4]
    [[0, 9, 9, 9, 0], [0, 9, 0, 9, 0], [0, 9, 9, 9, 0]]
    >>> dashed = mark_patches(np.zeros((1, 12), np.uint8), [((5, 0), (1, 12), (9, 9, 9), True)], 1)
    >>> dashed[0, :, 0].tolist()
    [9, 9, 9, 0, 0, 0, 9, 9, 9, 0, 0, 0]
    """
    marked = to_rgb(picture)
    for mark in marks:
        (x, y), (h, w), colour = mark[:3]
        drawn = outline(marked, y - h // 2, x - w // 2, h, w, colour, thickness)
        if len(mark) > 3 and mark[3]:
            # Gaps where (row + column) // dash is odd: along a line, dashes and gaps alternate.
            dash = 3 * thickness
            rows, cols = np.indices(marked.shape[:2])
            gap = ((rows + cols) // dash) % 2 == 1
            drawn[gap] = marked[gap]
        marked = drawn
    return marked


def map_picture(values: np.ndarray) -> np.ndarray:
    """A correlation map as uint8, its smallest finite value black, its largest white; NaN gray.

    Parameters
    ----------
    values : numpy.ndarray
        A map from `match_maps` (any 2-D array).

    Returns
    -------
    numpy.ndarray
        uint8 picture of the same shape.

    Examples
    --------
    >>> map_picture(np.array([[0.0, 1.0, np.nan]])).tolist()
    [[0, 255, 128]]
    """
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    picture = np.full(values.shape, 128, dtype=np.uint8)
    if finite.any():
        low, high = float(values[finite].min()), float(values[finite].max())
        span = high - low or 1.0
        picture[finite] = np.rint((values[finite] - low) / span * 255).astype(np.uint8)
    return picture
