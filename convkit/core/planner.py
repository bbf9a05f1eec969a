"""The route planner: which OpenCV calls compute a correlation fastest, exactly, and why.

`plan` looks at the weights (and whether the image is uint8 or float) and returns a `Route`;
`convkit.engine` carries it out. `describe_route` reports the same decision as data, beside
what ``cv2.filter2D`` itself does with the kernel (a direct sum, or its DFT for big kernels).

Every threshold below was measured with ``python -m bench --only engine`` on 3 and 12
megapixel images, OpenCV 5 on two cores; docs/performance.md has the figures.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import cv2
import numpy as np

from ._validation import check_shape, check_value
from .formatting import format_number
from .kernels import as_weights
from .padding import Border, check_border, document_border
from .separable import low_rank_factors, numerical_rank, rank_one_factors, singular_values

#: cv2.filter2D sums directly below this many kernel cells and switches to a DFT from it on.
#: OpenCV's dftFilter2D (modules/imgproc/src/filter.dispatch.cpp) uses 130 when the source and
#: result depths are uint8 -> uint8 / int16 or float32 -> float32, and 50 for every other pair,
#: uint8 -> float32 included; timing filter2D on both sides of each bound confirms them (a 1 x 51
#: kernel on uint8 -> float32 takes 4.5 times a 1 x 49 one, a 3 x 45 float32 kernel 4.3 times a
#: 3 x 43 one).
OPENCV_DFT_MIN_CELLS_SAME_KIND = 130
OPENCV_DFT_MIN_CELLS_OTHER = 50

#: cv2.boxFilter costs the same for any kernel size but runs on one thread, and two 1-D passes
#: beat it on float32 until the kernel is big: constant kernels with height + width >= this.
BOX_MIN_SPAN = 32
#: Kernels of rank 2..LOW_RANK_MAX run as that many separable passes, summed...
LOW_RANK_MAX = 3
#: ...when the passes are short: rank * (height + width) at most this...
LOW_RANK_MAX_TAPS = 100
#: ...and the kernel is big enough for filter2D on float32 to use its DFT.
LOW_RANK_MIN_CELLS = OPENCV_DFT_MIN_CELLS_SAME_KIND
#: On uint8, filter2D to float32 is slow past 3 x 3 (no vectorised uint8 -> float32 sum): bigger
#: kernels without a faster route are converted to float32 first.
UINT8_DIRECT_MAX_CELLS = 9
#: filter2D uint8 -> int16 is exact for integer kernels whose worst response fits in int16.
INT16_MAX = 32767
#: On uint8 a one-row kernel runs as a row pass (sepFilter2D) on images of up to this many
#: values, and as filter2D itself on bigger ones: the 1 x 9 box took 1.14-1.16 times
#: filter2D's time at 3 MP and 1.12 times it at 12 MP (python -m bench --only engine).
ROW_PASS_MAX_VALUES = 2_000_000
#: filter2D uint8 -> int16 sums, then float32, pays only on images big enough for the engine
#: to run it in strips of rows (engine.INT16_WHOLE_MAX_BYTES): laplacian took 1.11-1.14 times
#: filter2D uint8 -> float32 at 3 MP in one piece, 0.91-0.97 times at 12 MP in strips.
INT16_MIN_VALUES = 4 << 20

#: Routes chosen for this many recent kernels of at most this many cells are remembered.
PLAN_CACHE_ENTRIES = 256
PLAN_CACHE_MAX_CELLS = 64 * 64

#: The routes `plan` can return, cheapest first.
ROUTES: tuple[str, ...] = ("copy", "scale", "box", "separable", "low_rank", "filter2D_int16",
                           "filter2D")


@dataclass(frozen=True, eq=False)
class Route:
    """One way to correlate an image with a kernel, and what that way needs.

    Attributes
    ----------
    name : one of ROUTES.
    arguments : what the route needs, prepared once (read-only float32 arrays, sizes, scales).
    calls : the OpenCV / NumPy calls it makes, in order, e.g. ``("cv2.sepFilter2D",)``.
    reason : one sentence on why the planner chose it.
    convert_first : whether the image is converted to float32 before filtering.
    """

    name: str
    arguments: tuple
    calls: tuple[str, ...]
    reason: str
    convert_first: bool = False


def plan(weights, source_dtype=np.float32) -> Route:
    """Choose how to correlate an image of `source_dtype` with `weights`, fastest exact first.

    Parameters
    ----------
    weights : Kernel or array_like
        2-D weights (as applied: already rotated for a true convolution).
    source_dtype : numpy dtype, optional
        uint8 images are filtered as they are (OpenCV reads the bytes and writes float32);
        every other dtype is filtered as float32. Default float32.

    Returns
    -------
    Route
        The remembered route for these weights (kernels of at most PLAN_CACHE_MAX_CELLS).

    Examples
    --------
    >>> plan([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.uint8).name
    'separable'
    >>> plan([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32).name
    'filter2D'
    """
    return route_for(as_weights(weights), np.dtype(source_dtype) == np.uint8)


def route_for(weights: np.ndarray, uint8: bool, values: int = 0) -> Route:
    """`plan` for weights already checked: the engine's door, which skips a second check.

    Parameters
    ----------
    weights : numpy.ndarray
        2-D float weights with odd sides and finite values (as `as_weights` returns them).
    uint8 : bool
        Whether OpenCV reads the image as uint8 (else as float32).
    values : int, optional
        How many values the image holds (pixels x channels); 0 (default) for a picture of the
        app's working size.

    Returns
    -------
    Route

    Examples
    --------
    >>> route_for(np.ones((21, 21)), uint8=True).calls
    ('cv2.boxFilter', 'numpy multiply')
    """
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    big = values > ROW_PASS_MAX_VALUES and weights.shape[0] == 1
    strips = values > INT16_MIN_VALUES
    if weights.size <= PLAN_CACHE_MAX_CELLS:
        return _remembered_plan(weights.shape, weights.tobytes(), uint8, big, strips)
    return _uint8_plan(weights, big, strips) if uint8 else _float_plan(weights)


@functools.lru_cache(maxsize=PLAN_CACHE_ENTRIES)
def _remembered_plan(shape: tuple[int, int], data: bytes, uint8: bool, big: bool,
                     strips: bool) -> Route:
    """`plan` of the float64 weights in `data`: working it out (an SVD) costs more than
    filtering a small image, so it is kept for the next call with the same weights."""
    weights = np.frombuffer(data, dtype=np.float64).reshape(shape)
    return _uint8_plan(weights, big, strips) if uint8 else _float_plan(weights)


def _centre_only(weights: np.ndarray) -> Route | None:
    kernel_height, kernel_width = weights.shape
    centre = weights[kernel_height // 2, kernel_width // 2]
    nonzero = np.count_nonzero(weights)
    if nonzero == 0:
        return Route("scale", (np.float32(0.0),), ("numpy multiply",),
                     "every weight is zero: the output is the image times 0")
    if centre == 0 or nonzero != 1:
        return None
    why = "only the centre weight is non-zero: the output is the image"
    if centre == 1:
        return Route("copy", (), ("numpy copy to float32",), why + ", copied")
    return Route("scale", (np.float32(centre),), ("numpy multiply",),
                 why + f" times {format_number(centre, 6)}")


def _box(weights: np.ndarray, min_span: int, where: str) -> Route | None:
    kernel_height, kernel_width = weights.shape
    first = weights[0, 0]
    if kernel_height + kernel_width < min_span or not np.all(weights == first):
        return None
    return Route("box", ((kernel_width, kernel_height), np.float32(first)),
                 ("cv2.boxFilter", "numpy multiply"),
                 f"every weight is {format_number(first, 6)} and height + width >= "
                 f"{min_span}{where}: a running sum, whose cost does not grow with the kernel, "
                 "then one scale")


def _separable(weights: np.ndarray, what: str) -> Route:
    # A column and a row of the kernel itself: exact (anti)symmetry survives, unlike SVD's.
    column, row = rank_one_factors(weights)
    kernel_height, kernel_width = weights.shape
    return Route("separable", ((_frozen(row), _frozen(column)),), ("cv2.sepFilter2D",),
                 f"rank 1 ({what}): two 1-D passes, {kernel_height} + {kernel_width} taps "
                 f"instead of {kernel_height} x {kernel_width}")


def _low_rank(weights: np.ndarray, rank: int) -> Route | None:
    kernel_height, kernel_width = weights.shape
    cheap = rank * (kernel_height + kernel_width) <= LOW_RANK_MAX_TAPS
    if not (2 <= rank <= LOW_RANK_MAX and cheap and weights.size >= LOW_RANK_MIN_CELLS):
        return None
    pairs = tuple((_frozen(row), _frozen(column))
                  for column, row in low_rank_factors(weights, rank))
    return Route("low_rank", pairs, ("cv2.sepFilter2D",) * rank + ("numpy add",) * (rank - 1),
                 f"rank {rank} with {weights.size} cells (where filter2D would use its DFT): "
                 f"{rank} pairs of 1-D passes, {rank * (kernel_height + kernel_width)} taps, "
                 "summed")


def _filter2d(weights: np.ndarray, reason: str) -> Route:
    return Route("filter2D", (_frozen(weights), cv2.CV_32F), ("cv2.filter2D",), reason)


def _structured(weights: np.ndarray, on_uint8: bool) -> tuple[Route | None, int]:
    """A running sum, two 1-D passes or a few pairs of them, whichever fits first; the rank."""
    route = _box(weights, BOX_MIN_SPAN, " (on uint8 it sums in int32, exactly)" if on_uint8
                 else "")
    if route is not None:
        return route, 1
    rank = numerical_rank(singular_values(weights))
    if rank == 1:
        return _separable(weights, "a column times a row" + (", read from uint8" if on_uint8
                                                             else "")), rank
    return _low_rank(weights, rank), rank


def _float_plan(weights: np.ndarray) -> Route:
    """The route for a float32 image (see the module's thresholds)."""
    kernel_height, kernel_width = weights.shape
    route = _centre_only(weights)
    if route is not None:
        return route
    if (kernel_height <= 3 and kernel_width <= 3) or kernel_height == 1 or kernel_width == 1:
        return _filter2d(weights, "3 x 3 or 1-D kernel on float32: filter2D's direct sum beats "
                                  "two 1-D passes and a running sum")
    route, rank = _structured(weights, on_uint8=False)
    if route is not None:
        return route
    algorithm = filter2d_algorithm(weights.shape, np.float32, np.float32)
    return _filter2d(weights, f"rank {rank}, no cheaper route fits: filter2D itself "
                              f"({algorithm.algorithm})")


def _uint8_plan(weights: np.ndarray, big_image: bool = False, strips: bool = False) -> Route:
    """The route for a uint8 image: OpenCV reads the bytes, no float32 copy first if it can.

    `big_image`: more than ROW_PASS_MAX_VALUES values, where a one-row kernel is better left
    to filter2D; `strips`: more than INT16_MIN_VALUES, where integer weights sum in int16.
    """
    route = _centre_only(weights)
    if route is not None:
        return route
    route, _ = _structured(weights, on_uint8=True)
    if route is not None and route.name == "separable" and big_image and weights.shape[0] == 1:
        return _filter2d(weights, f"one-row kernel on a uint8 image of over "
                                  f"{ROW_PASS_MAX_VALUES:,} values: filter2D uint8 -> float32 "
                                  "itself beats the row pass there")
    if route is not None:
        return route
    step = _integer_step(weights)
    if strips and step is not None and weights.size < OPENCV_DFT_MIN_CELLS_OTHER:
        integers = np.rint(weights / step)
        return Route("filter2D_int16", (_frozen(integers), np.float32(step)),
                     ("cv2.filter2D",) + (("numpy multiply",) if step != 1 else
                                          ("numpy convert to float32",)),
                     f"integer weights{'' if step == 1 else ' times ' + format_number(step, 6)}"
                     " whose largest "
                     "response fits in int16: filter2D uint8 -> int16 sums exactly and faster "
                     "than to float32 (in strips of rows on big images)")
    if weights.size <= UINT8_DIRECT_MAX_CELLS:
        return _filter2d(weights, "3 x 3 kernel, no cheaper route fits: filter2D uint8 -> "
                                  "float32 itself (direct sum)")
    float_route = _float_plan(weights)
    slow = ("its DFT" if weights.size >= OPENCV_DFT_MIN_CELLS_OTHER
            else "it has no vectorised uint8 -> float32 sum")
    return replace(float_route, convert_first=True,
                   calls=("numpy convert to float32",) + float_route.calls,
                   reason=f"{weights.size} cells: filter2D uint8 -> float32 would be slow "
                          f"({slow}), so the image is converted to float32 first; then "
                          + float_route.reason)


def _integer_step(weights: np.ndarray) -> float | None:
    """s with weights == s * (small integers) and the worst uint8 response within int16."""
    nonzero = np.abs(weights[weights != 0])
    step = float(nonzero.min())
    multiples = weights / step
    if not np.all(np.abs(multiples - np.rint(multiples)) <= 1e-9 * np.abs(multiples).max()):
        return None
    if np.abs(np.rint(multiples)).sum() * 255 > INT16_MAX:
        return None
    return step


def _frozen(weights: np.ndarray) -> np.ndarray:
    """A read-only float32 copy: remembered routes are shared by every caller."""
    copy = np.array(weights, dtype=np.float32)
    copy.flags.writeable = False
    return copy


# ----------------------------------------------------------------------- as data, for people


@dataclass(frozen=True)
class Filter2DAlgorithm:
    """Which algorithm ``cv2.filter2D`` uses for a kernel size and a pair of depths.

    Attributes
    ----------
    call : the call described, e.g. ``"cv2.filter2D(uint8 image, cv2.CV_32F, kernel)"``.
    algorithm : ``"direct sum"`` or ``"DFT"``.
    cells : kernel height times width.
    dft_min_cells : from how many cells this depth pair switches to the DFT (130 or 50).
    reason : one sentence saying why.
    """

    call: str
    algorithm: str
    cells: int
    dft_min_cells: int
    reason: str


def filter2d_algorithm(shape: tuple[int, int], source_dtype, output_dtype) -> Filter2DAlgorithm:
    """Which algorithm ``cv2.filter2D`` uses for a kernel of `shape` between two dtypes.

    OpenCV 5 sums directly for small kernels and switches to a DFT (``dftFilter2D`` in
    modules/imgproc/src/filter.dispatch.cpp) at 130 cells for uint8 -> uint8 / int16 and
    float32 -> float32, and at 50 cells for every other pair of depths.

    Parameters
    ----------
    shape : (int, int)
        Kernel height and width.
    source_dtype, output_dtype : numpy dtype
        The image's dtype and the result's (``ddepth=-1`` means the image's own).

    Returns
    -------
    Filter2DAlgorithm
        The call described, ``"direct sum"`` or ``"DFT"``, the kernel's cells, the bound for
        this pair of depths and a sentence saying why.

    Examples
    --------
    >>> filter2d_algorithm((9, 9), np.uint8, np.float32).algorithm
    'DFT'
    >>> filter2d_algorithm((9, 9), np.float32, np.float32).algorithm
    'direct sum'
    """
    source, output = np.dtype(source_dtype), np.dtype(output_dtype)
    same_kind = ((source == np.uint8 and output in (np.uint8, np.int16))
                 or (source == np.float32 and output == np.float32))
    threshold = OPENCV_DFT_MIN_CELLS_SAME_KIND if same_kind else OPENCV_DFT_MIN_CELLS_OTHER
    cells = int(shape[0]) * int(shape[1])
    ddepth = "-1" if source == output else f"cv2.CV_{_DEPTH_NAMES.get(output.name, output.name)}"
    call = f"cv2.filter2D({source.name} image, {ddepth}, kernel)"
    if cells >= threshold:
        algorithm = "DFT"
        reason = (f"{shape[0]} x {shape[1]} = {cells} cells, at least {threshold}: OpenCV "
                  "multiplies the image's and the kernel's Fourier transforms")
    else:
        algorithm = "direct sum"
        reason = (f"{shape[0]} x {shape[1]} = {cells} cells, below {threshold}: OpenCV sums "
                  "weight x pixel under the kernel for every output pixel")
    return Filter2DAlgorithm(call=call, algorithm=algorithm, cells=cells,
                             dft_min_cells=threshold, reason=reason)


_DEPTH_NAMES = {"uint8": "8U", "int16": "16S", "uint16": "16U", "float32": "32F",
                "float64": "64F", "int32": "32S", "int8": "8S"}


@dataclass(frozen=True)
class RouteDescription:
    """How ``convkit.convolve`` computes a kernel on an image, and how cv2.filter2D would.

    Attributes
    ----------
    route : the planner's route, one of ROUTES.
    calls : the OpenCV / NumPy calls convolve makes, in order (padding included).
    reason : why the planner chose that route.
    source_dtype : the dtype OpenCV reads: ``"uint8"``, or ``"float32"`` after conversion.
    converted : whether the image is converted to float32 before filtering.
    padded_first : whether convkit pads the image itself (``wrap``, a non-zero constant, or
        a kernel larger than the image) instead of leaving the border to OpenCV.
    per_channel : whether the channels are filtered one plane at a time (more than 4).
    rank : the kernel's numerical rank (1: separable).
    opencv : what cv2.filter2D does with this kernel, for the same-dtype call
        (``ddepth=-1``, as the tutorial calls it) and for a float32 result when they differ.
    """

    route: str
    calls: tuple[str, ...]
    reason: str
    source_dtype: str
    converted: bool
    padded_first: bool
    per_channel: bool
    rank: int
    opencv: tuple[Filter2DAlgorithm, ...]


@document_border
def describe_route(kernel, dtype=np.uint8, border: Border = "replicate", *, flip: bool = False,
                   value: float = 0.0, image_shape: tuple[int, ...] | None = None
                   ) -> RouteDescription:
    """Say which route ``convolve`` takes for `kernel` and why, and what cv2.filter2D does.

    Parameters
    ----------
    kernel : Kernel or array_like
        2-D weights with odd height and odd width.
    dtype : numpy dtype, optional
        The image's dtype. Default uint8 (what the app filters).
    %(border)s
    flip : bool, optional
        True for a true convolution (the weights rotated 180 degrees). Default False.
    %(value)s
    image_shape : tuple of int, optional
        (H, W) or (H, W, C) of the image; None for an image larger than the kernel with at
        most 4 channels.

    Returns
    -------
    RouteDescription
        The route, the calls it makes in order, why, whether the image is converted or
        padded first, the kernel's rank, and what cv2.filter2D does with the same kernel.

    Examples
    --------
    >>> why = describe_route([[1, 2, 1], [2, 4, 2], [1, 2, 1]], np.uint8)
    >>> why.route, why.calls, why.opencv[0].algorithm
    ('separable', ('cv2.sepFilter2D',), 'direct sum')
    >>> describe_route(np.ones((9, 9)) / 81, np.float32, "wrap").calls
    ('cv2.copyMakeBorder', 'cv2.sepFilter2D')
    """
    weights = as_weights(kernel)
    check_border(border)
    value = check_value(value)
    if flip:
        weights = weights[::-1, ::-1]
    source = np.dtype(dtype)
    if image_shape is not None:
        image_shape = check_shape(image_shape, "image_shape")
    height, width = image_shape[:2] if image_shape is not None else (np.inf, np.inf)
    channels = image_shape[2] if image_shape is not None and len(image_shape) == 3 else 1
    padded = needs_padding(weights.shape, (height, width), border, value)
    uint8 = source == np.uint8 and not (padded and not fits_uint8(value, border))
    values = int(np.prod(image_shape)) if image_shape is not None else 0
    route = route_for(weights, uint8, values)
    calls = route.calls
    if not uint8 and source != np.float32:
        calls = ("numpy convert to float32",) + calls
    if padded:
        calls = ("cv2.copyMakeBorder",) + calls
    opencv = [filter2d_algorithm(weights.shape, source, source)]
    if source != np.float32:
        opencv.append(filter2d_algorithm(weights.shape, source, np.float32))
    return RouteDescription(
        route=route.name, calls=calls, reason=route.reason,
        source_dtype="uint8" if uint8 and not route.convert_first else "float32",
        converted=not uint8 or route.convert_first, padded_first=padded,
        per_channel=channels > 4, rank=numerical_rank(singular_values(weights)),
        opencv=tuple(opencv))


def needs_padding(kernel_shape: tuple[int, int], image_size: tuple[float, float], border: str,
                  value: float) -> bool:
    """Whether convkit pads before filtering: a border OpenCV lacks, or a kernel too big.

    OpenCV's filters have no ``wrap`` border and fill ``constant`` with zero only; and for a
    kernel reaching past the far side of the image its reflections differ from ours.

    Parameters
    ----------
    kernel_shape : (int, int)
        Kernel height and width.
    image_size : (int, int)
        Image height and width.
    border : str
        A border mode (see BORDER_MODES).
    value : float
        The constant border's fill.

    Returns
    -------
    bool

    Examples
    --------
    >>> needs_padding((3, 3), (10, 10), "wrap", 0.0)
    True
    >>> needs_padding((3, 3), (10, 10), "reflect", 0.0)
    False
    >>> needs_padding((3, 3), (1, 10), "reflect", 0.0)   # a one-row image
    True
    """
    pad_y, pad_x = kernel_shape[0] // 2, kernel_shape[1] // 2
    lacks_border = border == "wrap" or (border == "constant" and value != 0.0)
    return lacks_border or pad_y >= image_size[0] or pad_x >= image_size[1]


def fits_uint8(value: float, border: str) -> bool:
    """Whether padding a uint8 image in `border` mode keeps it uint8 (the fill is a byte).

    Parameters
    ----------
    value : float
        The constant border's fill.
    border : str
        A border mode; only ``constant`` fills with `value`.

    Returns
    -------
    bool

    Examples
    --------
    >>> fits_uint8(50.0, "constant"), fits_uint8(-4.0, "constant"), fits_uint8(-4.0, "wrap")
    (True, False, True)
    """
    return border != "constant" or (float(value).is_integer() and 0 <= value <= 255)
