"""The kernel bank: the tutorial's six, the classics, and generators for sized kernels."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from ._validation import check_positive_float, check_positive_int, check_weights


@dataclass(frozen=True, eq=False)
class Kernel:
    """A named, read-only 2-D kernel with odd height and odd width.

    Parameters
    ----------
    name : str
        Short identifier, as used in the bank and in URLs.
    weights : array_like
        2-D finite numbers with odd height and odd width; stored as a read-only float64 copy.
    description : str, optional
        One line on what the kernel does.

    Examples
    --------
    >>> k = Kernel("cross", [[0, 1, 0], [1, 1, 1], [0, 1, 0]], "a plus sign")
    >>> k.shape, k.weights.flags.writeable
    ((3, 3), False)
    """

    name: str
    weights: np.ndarray
    description: str = field(default="")

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"kernel name must be a non-empty string; got {self.name!r}")
        weights = check_weights(self.weights, name=f"kernel {self.name!r}").copy()
        weights.flags.writeable = False
        object.__setattr__(self, "weights", weights)

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width) of the weights.

        Returns
        -------
        tuple of int

        Examples
        --------
        >>> BANK["horizontal_blur"].shape
        (1, 9)
        """
        return self.weights.shape


def identity(size: int = 3) -> np.ndarray:
    """A `size` x `size` kernel that leaves the image unchanged: 1 at the centre.

    Parameters
    ----------
    size : int, optional
        Odd side length. Default 3.

    Returns
    -------
    numpy.ndarray
        (size, size) float64 zeros with a 1 in the middle.

    Examples
    --------
    >>> identity(3).astype(int).tolist()
    [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    """
    size = check_positive_int(size, "size", odd=True)
    weights = np.zeros((size, size))
    weights[size // 2, size // 2] = 1.0
    return weights


def box(size_y: int, size_x: int | None = None) -> np.ndarray:
    """A normalised box (mean) filter of `size_y` x `size_x` (square when `size_x` is None).

    Parameters
    ----------
    size_y : int
        Odd height.
    size_x : int, optional
        Odd width; None (default) for a square box.

    Returns
    -------
    numpy.ndarray
        (size_y, size_x) float64, every weight 1 / (size_y * size_x).

    Examples
    --------
    >>> (box(1, 3) * 3).tolist()
    [[1.0, 1.0, 1.0]]
    """
    size_y = check_positive_int(size_y, "size_y", odd=True)
    size_x = size_y if size_x is None else check_positive_int(size_x, "size_x", odd=True)
    return np.full((size_y, size_x), 1.0 / (size_y * size_x))


def _gaussian_1d(size: int, sigma: float) -> np.ndarray:
    """The sampled 1-D Gaussian of `size` taps, normalised to sum 1."""
    offsets = np.arange(size) - size // 2
    weights = np.exp(-(offsets**2) / (2.0 * sigma**2))
    return weights / weights.sum()


def gaussian(size: int, sigma: float) -> np.ndarray:
    """A normalised `size` x `size` Gaussian blur of standard deviation `sigma` (pixels).

    The outer product of a sampled 1-D Gaussian with itself, so it is separable (rank 1).

    Parameters
    ----------
    size : int
        Odd side length.
    sigma : float
        Standard deviation in pixels, > 0.

    Returns
    -------
    numpy.ndarray
        (size, size) float64 weights summing to 1.

    Examples
    --------
    Corner, edge and centre of the 3 x 3 one with sigma 1 are exp(-1), exp(-1/2) and 1,
    divided by their total (1 + 2 exp(-1/2))^2:

    >>> gaussian(3, 1.0).round(4).tolist()
    [[0.0751, 0.1238, 0.0751], [0.1238, 0.2042, 0.1238], [0.0751, 0.1238, 0.0751]]
    """
    size = check_positive_int(size, "size", odd=True)
    sigma = check_positive_float(sigma, "sigma")
    line = _gaussian_1d(size, sigma)
    return np.outer(line, line)


def laplacian_of_gaussian(size: int, sigma: float) -> np.ndarray:
    """A `size` x `size` Laplacian of Gaussian: negative centre, sums to 0; finds blobs, edges.

    Parameters
    ----------
    size : int
        Odd side length, at least 3.
    sigma : float
        Standard deviation of the Gaussian in pixels, > 0.

    Returns
    -------
    numpy.ndarray
        (size, size) float64 weights, their mean removed so that they sum to 0.

    Examples
    --------
    >>> weights = laplacian_of_gaussian(3, 1.0)
    >>> bool(weights[1, 1] < 0), abs(float(weights.sum())) < 1e-12
    (True, True)
    """
    size = check_positive_int(size, "size", odd=True, minimum=3)
    sigma = check_positive_float(sigma, "sigma")
    offsets = np.arange(size) - size // 2
    yy, xx = np.meshgrid(offsets, offsets, indexing="ij")
    r2 = (xx**2 + yy**2) / (2.0 * sigma**2)
    weights = -(1.0 - r2) * np.exp(-r2) / (np.pi * sigma**4)
    # Truncating the infinite kernel leaves a small bias; removing it keeps flat areas at 0.
    return weights - weights.mean()


def unsharp_mask(size: int, sigma: float, amount: float) -> np.ndarray:
    """Sharpen by adding back `amount` times the detail a Gaussian blur removes (sums to 1).

    The kernel is ``identity + amount * (identity - gaussian(size, sigma))``.

    Parameters
    ----------
    size : int
        Odd side length of the blur.
    sigma : float
        Standard deviation of the blur in pixels, > 0.
    amount : float
        How much detail to add back (1 doubles it).

    Returns
    -------
    numpy.ndarray
        (size, size) float64 weights summing to 1.

    Examples
    --------
    >>> unsharp_mask(3, 1.0, 1.0).round(4).tolist()
    [[-0.0751, -0.1238, -0.0751], [-0.1238, 1.7958, -0.1238], [-0.0751, -0.1238, -0.0751]]
    """
    if isinstance(amount, bool) or not np.isfinite(amount):
        raise ValueError(f"amount must be a finite number; got {amount!r}")
    blur = gaussian(size, sigma)
    centre = identity(blur.shape[0])
    return centre + float(amount) * (centre - blur)


def motion_blur(length: int, angle: float) -> np.ndarray:
    """Average along a line of `length` pixels at `angle` degrees.

    Parameters
    ----------
    length : int
        Odd length of the streak in pixels (the kernel is `length` x `length`).
    angle : float
        Direction in degrees: 0 is horizontal, angles turn counter-clockwise.

    Returns
    -------
    numpy.ndarray
        (length, length) float64 weights, 1 / (cells on the line) on the line, 0 elsewhere.

    Examples
    --------
    >>> (motion_blur(3, 90) * 3).astype(int).tolist()
    [[0, 1, 0], [0, 1, 0], [0, 1, 0]]
    """
    length = check_positive_int(length, "length", odd=True)
    if isinstance(angle, bool) or not np.isfinite(angle):
        raise ValueError(f"angle must be a finite number of degrees; got {angle!r}")
    radius = length // 2
    theta = np.deg2rad(angle)
    dx, dy = np.cos(theta), -np.sin(theta)  # image rows grow downwards
    weights = np.zeros((length, length))
    # Step one cell at a time along the line's longer axis so it is drawn without gaps.
    steps = np.arange(-radius, radius + 1)
    if abs(dx) >= abs(dy):
        cols = steps
        rows = np.rint(steps * dy / dx).astype(int)
    else:
        rows = steps
        cols = np.rint(steps * dx / dy).astype(int)
    weights[rows + radius, cols + radius] = 1.0
    return weights / weights.sum()


# The tutorial's six, with its exact weights.
SMALL_BLUR = np.ones((7, 7), dtype="float") * (1.0 / (7 * 7))
LARGE_BLUR = np.ones((21, 21), dtype="float") * (1.0 / (21 * 21))
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float)
LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
SOBEL_Y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float)

EMBOSS = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=float)
OUTLINE = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float)
PREWITT_X = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=float)
PREWITT_Y = PREWITT_X.T.copy()
SCHARR_X = np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]], dtype=float)
SCHARR_Y = SCHARR_X.T.copy()

_BANK_ENTRIES = [
    ("small_blur", SMALL_BLUR, "7x7 box blur: each output is the mean of its 49 neighbours"),
    ("large_blur", LARGE_BLUR, "21x21 box blur: a much stronger mean over 441 neighbours"),
    ("sharpen", SHARPEN, "Sharpen: the centre minus its four neighbours, added to itself"),
    ("laplacian", LAPLACIAN, "Laplacian: second derivative, responds to edges in every direction"),
    ("sobel_x", SOBEL_X, "Sobel x: horizontal gradient, finds vertical edges"),
    ("sobel_y", SOBEL_Y, "Sobel y: vertical gradient, finds horizontal edges"),
    ("identity", identity(3), "Identity: copies the image unchanged"),
    ("box_5", box(5), "5x5 box blur (see box(size) for other sizes)"),
    ("horizontal_blur", box(1, 9), "1x9 box: blurs along rows only, a non-square kernel"),
    ("gaussian_5", gaussian(5, 1.0), "5x5 Gaussian blur, sigma 1: smooth, without box artefacts"),
    ("gaussian_15", gaussian(15, 3.0), "15x15 Gaussian blur, sigma 3: strong smooth blur"),
    ("emboss", EMBOSS, "Emboss: light from the top left, a relief effect"),
    ("outline", OUTLINE, "Outline: the centre against all eight neighbours, keeps only edges"),
    ("prewitt_x", PREWITT_X, "Prewitt x: horizontal gradient with equal row weights"),
    ("prewitt_y", PREWITT_Y, "Prewitt y: vertical gradient with equal column weights"),
    ("scharr_x", SCHARR_X, "Scharr x: horizontal gradient, better rotation symmetry than Sobel"),
    ("scharr_y", SCHARR_Y, "Scharr y: vertical gradient, better rotation symmetry than Sobel"),
    ("log_9", laplacian_of_gaussian(9, 1.4),
     "9x9 Laplacian of Gaussian, sigma 1.4: edges and blobs"),
    ("unsharp_mask", unsharp_mask(5, 1.0, 1.0), "Unsharp mask: image plus (image - Gaussian blur)"),
    ("motion_blur", motion_blur(9, 45.0), "Motion blur: a 9-pixel streak at 45 degrees"),
]

BANK: MappingProxyType[str, Kernel] = MappingProxyType(
    {name: Kernel(name, weights, description) for name, weights, description in _BANK_ENTRIES}
)

#: The tutorial's kernel bank, in its order.
TUTORIAL_KERNELS: tuple[str, ...] = (
    "small_blur", "large_blur", "sharpen", "laplacian", "sobel_x", "sobel_y",
)


def as_weights(kernel) -> np.ndarray:
    """Return the weights of a Kernel, or validate a 2-D array-like as weights.

    Parameters
    ----------
    kernel : Kernel or array_like
        A bank or user kernel, or 2-D finite numbers with odd height and odd width.

    Returns
    -------
    numpy.ndarray
        2-D float64 weights (a Kernel's own read-only array, or a checked copy).

    Raises
    ------
    ValueError
        Naming the fault: not 2-D, empty, an even side, or a value that is not finite.

    Examples
    --------
    >>> as_weights([[1, 2, 3]])
    array([[1., 2., 3.]])
    """
    if isinstance(kernel, Kernel):
        return kernel.weights
    return check_weights(kernel)
