"""Code that reproduces what the app shows, in convkit, OpenCV, SciPy and PyTorch.

Every snippet expects ``image`` (a uint8 NumPy array, H x W gray or H x W x C colour) and
leaves the float response in ``raw`` and the shown bytes in ``output``. The convkit, OpenCV
and SciPy snippets are executed by the tests for every border, flip and mapping, and must
give convkit's numbers; the PyTorch one is text (torch is not a dependency).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..core._validation import check_positive_int, check_value, check_weights
from ..core.kernel_files import MAX_KERNEL_SIDE
from ..core.padding import BORDER_NAMES, check_border, document_border
from .display import check_divisor_offset, check_mapping

#: The libraries a Reproduction has code for, in the order shown.
LIBRARIES: tuple[str, ...] = ("convkit", "OpenCV", "SciPy", "PyTorch")

#: Kernels whose weights times one of 1..MAX_DENOMINATOR are whole numbers are written as an
#: integer array over that number (``np.array([[1, 1, 1], ...]) / 9``): short and exact.
MAX_DENOMINATOR = 1024


@dataclass(frozen=True)
class Snippet:
    """The code for one library, and whether the tests execute it."""

    library: str
    code: str
    runs: bool


@dataclass(frozen=True)
class Reproduction:
    """Code computing one view of the app, in each library of LIBRARIES."""

    snippets: tuple[Snippet, ...]

    def __getitem__(self, library: str) -> Snippet:
        """The snippet for `library` (one of LIBRARIES)."""
        for snippet in self.snippets:
            if snippet.library == library:
                return snippet
        raise KeyError(f"library must be one of {LIBRARIES}; got {library!r}")


def kernel_literal(weights) -> str:
    """Python text that builds `weights` exactly, as ``np.array([...])`` (over a denominator).

    Parameters
    ----------
    weights : array_like
        2-D kernel weights.

    Returns
    -------
    str
        An expression using ``np``, one kernel row per line.

    Examples
    --------
    >>> print(kernel_literal(np.ones((1, 3)) / 3))
    np.array([
        [1, 1, 1],
    ], dtype=np.float64) / 3
    >>> print(kernel_literal([[0.1, 0.8, 0.1]]))
    np.array([
        [1, 8, 1],
    ], dtype=np.float64) / 10
    >>> print(kernel_literal([[0.5, 2 ** 0.5, 0.5]]))
    np.array([
        [0.5, 1.4142135623730951, 0.5],
    ], dtype=np.float64)
    """
    weights = check_weights(weights)
    denominator = _denominator(weights)
    if denominator is None:
        cells = [[repr(float(v)) for v in row] for row in weights]
        suffix = ""
    else:
        cells = [[str(int(v)) for v in row] for row in np.rint(weights * denominator)]
        suffix = "" if denominator == 1 else f" / {denominator}"
    # Right-aligned whole numbers, so the kernel's shape reads at a glance; long floats are
    # left as they are (padding them to one width would mostly add spaces).
    width = max(len(c) for row in cells for c in row) if denominator else 0
    rows = ["    [" + ", ".join(c.rjust(width) for c in row) + "]," for row in cells]
    return "np.array([\n" + "\n".join(rows) + "\n], dtype=np.float64)" + suffix


def _denominator(weights: np.ndarray) -> int | None:
    """The smallest d <= MAX_DENOMINATOR with integer(weights * d) / d == weights bit for bit."""
    denominator = 1
    # Each distinct weight's own fraction, then their least common multiple: a kernel of
    # long decimals fails on its first value, so this costs little whatever the kernel.
    for value in np.unique(weights):
        fraction = Fraction(float(value)).limit_denominator(MAX_DENOMINATOR)
        if fraction.numerator / fraction.denominator != value:
            return None
        denominator = math.lcm(denominator, fraction.denominator)
        if denominator > MAX_DENOMINATOR:
            return None
    scaled = np.rint(weights * denominator)
    return denominator if np.array_equal(scaled / denominator, weights) else None


@document_border
def reproduce(weights, border: str = "replicate", *, flip: bool = False, value: float = 0.0,
              mapping: str = "clip", divisor: float = 1.0, offset: float = 0.0,
              color: bool = False, sample: str | None = None,
              resolution: int | None = None) -> Reproduction:
    """Code that computes the response and the shown bytes for these settings, four ways.

    Parameters
    ----------
    weights : array_like
        The kernel, odd sides, at most MAX_KERNEL_SIDE.
    %(border)s
        Default "replicate".
    flip : bool, optional
        True for true convolution (the kernel rotated 180 degrees), False (default) for
        correlation.
    %(value)s
    %(mapping)s
        Default "clip".
    %(divisor_offset)s
    color : bool, optional
        Whether the image has channels (filtered one by one) or is gray (default).
    sample : str, optional
        A convkit sample name: the snippets then start by loading the page's working image
        (at `resolution`, gray unless `color`). Without it they expect ``image`` to exist.
    resolution : int, optional
        The working resolution (longer side) the sample is scaled to.

    Returns
    -------
    Reproduction
        One Snippet per library of LIBRARIES.

    Examples
    --------
    >>> code = reproduce([[1, 2, 1]], "reflect_101")["SciPy"].code
    >>> 'mode="mirror"' in code
    True
    """
    weights = check_weights(weights)
    if max(weights.shape) > MAX_KERNEL_SIDE:
        raise ValueError(f"kernel is {weights.shape[0]} x {weights.shape[1]}; at most "
                         f"{MAX_KERNEL_SIDE} x {MAX_KERNEL_SIDE}")
    check_border(border)
    check_mapping(mapping)
    value = check_value(value)
    divisor, offset = check_divisor_offset(divisor, offset)
    if resolution is not None:
        resolution = check_positive_int(resolution, "resolution")
    settings = _Settings(weights, border, bool(flip), value, mapping, divisor, offset,
                         bool(color))
    image = _image_lines(sample, color, resolution)
    uses_convkit = sample is not None

    def assemble(imports: list[str], body: str) -> str:
        head = ["import numpy as np", *imports]
        if uses_convkit and "import convkit" not in head:
            head.append("import convkit")
        kernel = f"kernel = {kernel_literal(weights)}\n"
        return "\n".join(head) + "\n\n" + image + kernel + body

    return Reproduction((
        Snippet("convkit", assemble(["import convkit"], _convkit(settings)), True),
        Snippet("OpenCV", assemble(["import cv2"], _opencv(settings)), True),
        Snippet("SciPy", assemble(["from scipy import ndimage"], _scipy(settings)), True),
        Snippet("PyTorch", assemble(["import torch", "import torch.nn.functional as F"],
                                    _pytorch(settings)), False),
    ))


@dataclass(frozen=True)
class _Settings:
    weights: np.ndarray
    border: str
    flip: bool
    value: float
    mapping: str
    divisor: float
    offset: float
    color: bool

    @property
    def reach(self) -> tuple[int, int]:
        return self.weights.shape[0] // 2, self.weights.shape[1] // 2


def _number(value: float) -> str:
    """A float as the shortest text Python reads back as the same float."""
    return repr(float(value)) if not float(value).is_integer() else f"{value:.1f}"


def _image_lines(sample: str | None, color: bool, resolution: int | None) -> str:
    if sample is None:
        return "# image: your picture as a uint8 NumPy array, H x W (gray) or H x W x 3 (RGB)\n"
    from ..core.images import SAMPLES

    if sample not in SAMPLES:
        raise ValueError(f"sample must be one of {tuple(SAMPLES)} or None; got {sample!r}")
    pixels = f'convkit.load_sample("{sample}")'
    pixels = pixels if color else f"convkit.to_gray({pixels})"
    if resolution is not None:
        pixels = f"convkit.fit_to_pixels({pixels}, {resolution})"
    gray = "" if color else " and made gray"
    return (f"# The page's working image: the sample, scaled{gray} as the app does\n"
            f"image = {pixels}\n")


def _convkit(settings: _Settings) -> str:
    value = f", value={_number(settings.value)}" if settings.border == "constant" else ""
    extra = ""
    if settings.mapping == "divide":
        extra = f", divisor={_number(settings.divisor)}, offset={_number(settings.offset)}"
    return (f'raw = convkit.convolve(image, kernel, "{settings.border}", '
              f"flip={settings.flip}{value})  # float32\n"
            + f'output = convkit.to_uint8(raw, "{settings.mapping}"{extra})\n')


def _mapping_lines(settings: _Settings) -> str:
    """NumPy lines turning ``raw`` into ``output`` as convkit.to_uint8 does."""
    mapping = settings.mapping
    if mapping == "clip":
        return ("# clip to 0..255 and round half to even\n"
                "output = np.clip(np.rint(raw), 0, 255).astype(np.uint8)\n")
    if mapping == "abs":
        return "output = np.clip(np.rint(np.abs(raw)), 0, 255).astype(np.uint8)\n"
    if mapping == "minmax":
        return ("# stretch min..max to 0..255 (a flat response gives 0)\n"
                "low, high = float(raw.min()), float(raw.max())\n"
                "if high > low:\n"
                "    stretched = (raw.astype(np.float64) - low) * (255.0 / (high - low))\n"
                "    output = np.clip(np.rint(stretched), 0, 255).astype(np.uint8)\n"
                "else:\n"
                "    output = np.zeros(raw.shape, np.uint8)\n")
    if mapping == "tutorial":
        return ("# the tutorial's two lines: clip to 0..255, scale to 0..1, back, truncate\n"
                "from skimage.exposure import rescale_intensity\n\n"
                "output = (rescale_intensity(raw.astype(np.float32), in_range=(0, 255)) * 255)"
                '.astype("uint8")\n')
    return (f"# output = sum / divisor + offset, rounded half to even and clipped\n"
            f"divisor, offset = {_number(settings.divisor)}, {_number(settings.offset)}\n"
            "output = np.clip(np.rint(raw.astype(np.float64) / divisor + offset), 0, 255)"
            ".astype(np.uint8)\n")


def _opencv(settings: _Settings) -> str:
    reach_y, reach_x = settings.reach
    height, width = settings.weights.shape
    flag = BORDER_NAMES[settings.border]["OpenCV"]
    lines = []
    anchor = ""
    if settings.flip:
        # For odd sizes the flipped kernel's anchor, (kw - 1 - kw // 2, kh - 1 - kh // 2), is
        # the centre again, so flipping is all true convolution needs; the code says so.
        anchor_x, anchor_y = width - 1 - width // 2, height - 1 - height // 2
        lines += [
            "# True convolution: filter2D correlates, so rotate the kernel 180 degrees. The",
            "# anchor moves to (kw - 1 - kw // 2, kh - 1 - kh // 2), which for odd sizes is the",
            f"# centre itself: ({anchor_x}, {anchor_y}), the same as the default (-1, -1).",
            "kernel = cv2.flip(kernel, -1)",
        ]
        anchor = f", anchor=({anchor_x}, {anchor_y})"
    own_pad = settings.border == "wrap" or (settings.border == "constant" and settings.value)
    if own_pad:
        why = ("filter2D refuses BORDER_WRAP" if settings.border == "wrap" else
               "filter2D's BORDER_CONSTANT pads with 0")
        fill = (f", value=({_number(settings.value)},) * 4" if settings.border == "constant"
                else "")
        lines += [
            f"# {why}: pad with copyMakeBorder (in float, so any v fits), filter, keep",
            "# the middle.",
            f"padded = cv2.copyMakeBorder(image.astype(np.float32), {reach_y}, {reach_y}, "
            f"{reach_x}, {reach_x}, {flag}{fill})",
            f"raw = cv2.filter2D(padded, cv2.CV_32F, kernel{anchor})",
            f"raw = raw[{reach_y}:{reach_y} + image.shape[0], {reach_x}:{reach_x} + "
            "image.shape[1]]",
        ]
    else:
        lines.append(f"raw = cv2.filter2D(image, cv2.CV_32F, kernel{anchor}, borderType={flag})")
    return "\n".join(lines) + "\n" + _mapping_lines(settings)


def _scipy(settings: _Settings) -> str:
    mode = BORDER_NAMES[settings.border]["scipy.ndimage"]
    function = "convolve" if settings.flip else "correlate"
    lines = []
    if settings.flip:
        lines.append("# ndimage.convolve rotates the kernel 180 degrees (true convolution)")
    weights = "kernel"
    if settings.color:
        lines.append("# One kernel plane per channel: the channels are filtered one by one")
        weights = "kernel[:, :, np.newaxis]"
    cval = f", cval={_number(settings.value)}" if settings.border == "constant" else ""
    lines.append(f'raw = ndimage.{function}(image.astype(np.float64), {weights}, mode="{mode}"'
                 f"{cval})")
    return "\n".join(lines) + "\n" + _mapping_lines(settings)


def _pytorch(settings: _Settings) -> str:
    reach_y, reach_x = settings.reach
    pad = f"({reach_x}, {reach_x}, {reach_y}, {reach_y})"
    lines = ["# Text only: convkit's tests do not run this (torch is not a dependency)."]
    if settings.color:
        lines += ["x = torch.from_numpy(image.astype(np.float32)).permute(2, 0, 1)[None]"
                  "  # 1 x C x H x W"]
    else:
        lines += ["x = torch.from_numpy(image.astype(np.float32))[None, None]  # 1 x 1 x H x W"]
    lines += ["channels = x.shape[1]",
              "w = torch.tensor(kernel, dtype=torch.float32)"]
    if settings.flip:
        lines.append("w = w.flip(0, 1)  # conv2d correlates, like filter2D: rotate for convolution")
    else:
        lines.append("# conv2d correlates, like cv2.filter2D: no flip")
    border = settings.border
    if border == "reflect":
        lines += ["# PyTorch has no symmetric padding (cba|abc|cba): pad with NumPy first.",
                  "widths = [(" + f"{reach_y}, {reach_y}), ({reach_x}, {reach_x})]"
                  + (" + [(0, 0)]" if settings.color else ""),
                  'padded = np.pad(image.astype(np.float32), widths, mode="symmetric")',
                  "x = torch.from_numpy(padded)" + (".permute(2, 0, 1)[None]" if settings.color
                                                    else "[None, None]")]
    else:
        mode = {"replicate": "replicate", "constant": "constant", "reflect_101": "reflect",
                "wrap": "circular"}[border]
        fill = f", value={_number(settings.value)}" if border == "constant" else ""
        module_name = {"constant": "zeros (for v = 0)"}.get(border, repr(mode))
        lines += [f"# F.pad's {mode!r} is convkit's {border}; nn.Conv2d calls it padding_mode="
                  f"{module_name}",
                  f'x = F.pad(x, {pad}, mode="{mode}"{fill})']
    lines += ["# groups=channels: each channel filtered on its own by the same kernel",
              "raw = F.conv2d(x, w.expand(channels, 1, *w.shape), groups=channels)",
              "raw = raw[0].permute(1, 2, 0).numpy()" if settings.color else
              "raw = raw[0, 0].numpy()"]
    return "\n".join(lines) + "\n" + _mapping_lines(settings)
