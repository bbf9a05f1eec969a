"""A student's wrong number for one output pixel, explained by the mistakes that give it.

A student who predicts a pixel's output (its byte, or the sum of the products) and gets it
wrong has usually made one of a few mistakes. Each is computed here, not guessed: the
pixel is worked out again with the mistake made, and a wrong answer is diagnosed as every
mistake whose number it equals.

Public API
----------
``diagnose_answer(image, kernel, x, y, answer, border, *, flip, value, mapping, divisor,
offset, stretch, asked, channel) -> Diagnosis``
    Whether `answer` is right and, if not, which mistakes give it.
``mistaken_values(image, kernel, x, y, border, *, ...same knobs...) -> tuple[Mistake, ...]``
    Every mistake's number for the pixel (what a class poll labels its histogram's bars with).
``Diagnosis(right, answer, truth, asked, mistakes)``, ``Mistake(kind, words, value)``
    Frozen dataclasses; ``words`` are for people, in the pixel convention (x, y), from 0.
``MISTAKE_KINDS``
    kind -> one line on the mistake, in the order mistakes are listed.

The mistake kinds (``Mistake.kind``):

- ``"sum_for_byte"``: the sum answered where the byte was asked (matched within
  SUM_TOLERANCE, as a sum is).
- ``"byte_for_sum"``: the byte answered where the sum was asked.
- ``"flip"``: correlation where the page convolves (the kernel not rotated 180 degrees), or
  the reverse: the kernel rotated where the page correlates.
- ``"transposed"``: the kernel's cells read in the wrong order, rows for columns (the
  transposed weights applied).
- ``"rounding"``: truncated where the mapping rounds (``clip``, ``abs``, ``divide``,
  ``minmax``), or rounded half up where it rounds half to even (2.5 to 3, not 2), or
  rounded half to even where it truncates (``tutorial``). Bytes only.
- ``"no_clipping"``: the mapped value not clipped to 0..255 (rounded or truncated as the
  mapping does, so 300 or -40). Bytes only.
- ``"border"``: another border mode, near an edge; one mistake per mode that changes the
  number. The other constant fill is `value` when the page pads with a constant, else 0.
- ``"product_slip"``: an arithmetic slip in one product. Precisely: for one kernel cell
  whose product p is not 0, the sum computed with that product left out (sum - p), counted
  twice (sum + p), or with its sign wrong (sum - 2p); one mistake per cell and slip that
  changes the number. Its words name the cell: "the weight at x=1, y=0 times pixel x=4,
  y=7" (the weight's place in the weights as applied, the pixel's in the image; a pixel
  beyond the edge is padding).
- ``"close"``: within 1 of the right number, but not it (a byte off by one; a sum off by
  at most 1).

A byte answer is right when it equals the byte; a sum answer when it lies within
SUM_TOLERANCE of the sum (a sum of fractional weights worked out to one decimal). A wrong
answer equals a mistake's number under the same rule. Colour images are diagnosed one
channel at a time (`channel`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..core.formatting import format_number, format_numbers
from ..core.padding import BORDER_MODES, Border, document_border
from .breakdown import PixelBreakdown, explain_pixel
from .display import Mapping, check_divisor_offset, check_mapping, to_uint8

Asked = Literal["byte", "sum"]

#: What a student may be asked for: the output byte or the sum of the products.
ASKED: tuple[str, ...] = ("byte", "sum")

#: How far a sum answer may lie from the sum and still be right (one decimal's rounding).
SUM_TOLERANCE = 0.05
#: How far a wrong answer may lie from the right number to be called close.
CLOSE = 1.0
#: Largest answer magnitude accepted: beyond it no pixel's sum can reach (255 x 961 cells x
#: weights are far below).
MAX_ANSWER = 1e12

#: Each mistake kind, in the order a diagnosis lists them, with one line on what it is.
MISTAKE_KINDS: dict[str, str] = {
    "sum_for_byte": "the sum of the products given where the output byte was asked",
    "byte_for_sum": "the output byte given where the sum of the products was asked",
    "flip": "correlation where the page convolves, or convolution where it correlates",
    "transposed": "the kernel's cells read in the wrong order (rows for columns)",
    "rounding": "truncated or rounded half up where the mapping rounds half to even, or "
    "rounded where it truncates",
    "no_clipping": "the value not clipped to 0..255",
    "border": "another border mode beyond the image's edge",
    "product_slip": "one product left out, counted twice or with its sign wrong",
    "close": "within 1 of the right number",
}


@dataclass(frozen=True)
class Mistake:
    """One mistake and the number it gives.

    Attributes
    ----------
    kind : one of MISTAKE_KINDS for a pixel's byte or sum; for a layer's output size or a
        window's sum, the names `convkit.lessons.size_mistakes` and `cell_mistakes` give.
    words : the mistake for people, in the pixel convention (x, y), from 0.
    value : the number the mistake gives (a whole number for a byte; may lie outside
        0..255 for ``no_clipping``); for ``close``, the answer itself.
    """

    kind: str
    words: str
    value: float


@dataclass(frozen=True)
class Diagnosis:
    """A student's answer held against the right number.

    Attributes
    ----------
    right : whether the answer is the right number (see the module's rule).
    answer : the student's number.
    truth : the right number: the byte, or the sum.
    asked : "byte" or "sum".
    mistakes : the mistakes whose number the answer equals, in MISTAKE_KINDS order, then
        ``close`` if it applies; empty when right or unexplained.
    """

    right: bool
    answer: float
    truth: float
    asked: str
    mistakes: tuple[Mistake, ...]


def _n(number: float) -> str:
    return format_number(number, 6, scale=255.0)


class _Pixel:
    """One pixel's computation with every knob fixed: the number for any variant of it."""

    def __init__(self, image, kernel, x, y, border, flip, value, mapping, divisor, offset,
                 stretch, channel):
        self.image, self.kernel, self.x, self.y = image, kernel, x, y
        self.border, self.flip, self.value = border, bool(flip), value
        self.mapping, self.divisor, self.offset = mapping, divisor, offset
        self.stretch, self.channel = stretch, channel
        self.breakdown = self.explain(border=border, flip=flip, value=value)

    def explain(self, *, kernel=None, border=None, flip=None, value=None) -> PixelBreakdown:
        return explain_pixel(self.image, self.kernel if kernel is None else kernel, self.x,
                             self.y, self.border if border is None else border,
                             flip=self.flip if flip is None else flip,
                             value=self.value if value is None else value)

    def total_of(self, breakdown: PixelBreakdown) -> float:
        total = breakdown.total
        return float(total if self.channel is None else total[self.channel])

    def products(self) -> np.ndarray:
        products = self.breakdown.products
        return products if self.channel is None else products[..., self.channel]

    def bytes_of(self, totals) -> np.ndarray:
        """The bytes `to_uint8` gives each raw sum of `totals`, as ``explain_mapping`` does
        (float32 sums, float64 for divide; the image's stretch for minmax), as floats."""
        totals = np.asarray(totals, dtype=np.float64)
        if self.mapping == "minmax":
            low, high = self.stretch
            if high <= low:
                return np.zeros(totals.shape)
            return np.clip(np.rint((totals - low) * (255.0 / (high - low))), 0, 255)
        if self.mapping == "divide":
            mapped = to_uint8(totals, "divide", divisor=self.divisor, offset=self.offset)
        else:
            mapped = to_uint8(totals.astype(np.float32), self.mapping)
        return mapped.astype(np.float64)

    def byte(self, total: float) -> float:
        return float(self.bytes_of([total])[0])

    def before_rounding(self, total: float) -> float:
        """The mapped value just before the mapping rounds or truncates it, unclipped."""
        if self.mapping == "tutorial":
            # As to_uint8 computes it: float32 rescale by 255 and back (clipping comes first
            # there, so an unclipped value is scaled the same way).
            return float(np.float32(np.float32(total) / np.float32(255.0)) * np.float32(255))
        if self.mapping == "abs":
            return abs(total)
        if self.mapping == "divide":
            return total / self.divisor + self.offset
        if self.mapping == "minmax":
            low, high = self.stretch
            return 0.0 if high <= low else (total - low) * 255.0 / (high - low)
        return total


def _check_answer(answer) -> float:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise ValueError(f"answer must be a number; got {answer!r}")
    number = float(answer)
    if not math.isfinite(number) or abs(number) > MAX_ANSWER:
        raise ValueError(f"answer must be a finite number within ±{format_number(MAX_ANSWER)}; "
                         f"got {answer!r}")
    return number


def _check_asked(asked) -> str:
    if asked not in ASKED:
        raise ValueError(f"asked must be one of {ASKED}; got {asked!r}")
    return asked


def _check_stretch(stretch, mapping: str) -> tuple[float, float]:
    if stretch is None:
        if mapping == "minmax":
            raise ValueError("stretch must be given with the minmax mapping: the response's "
                             "(lowest, highest) over the whole image (stretch_range)")
        return 0.0, 255.0
    try:
        low, high = (float(v) for v in stretch)
    except (TypeError, ValueError):
        raise ValueError(f"stretch must be two numbers (lowest, highest); got {stretch!r}"
                         ) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"stretch must be two finite numbers; got {stretch!r}")
    return low, high


def _check_channel(channel, image) -> int | None:
    colour = np.ndim(image) == 3
    if channel is None:
        if colour:
            raise ValueError(f"channel must be given for a colour image (0..{image.shape[2] - 1})"
                             "; got None")
        return None
    if not colour:
        raise ValueError(f"channel must be None for a gray image; got {channel!r}")
    if isinstance(channel, bool) or not isinstance(channel, numbers.Integral) \
            or not 0 <= channel < image.shape[2]:
        raise ValueError(f"channel must be a whole number in 0..{image.shape[2] - 1}; got "
                         f"{channel!r}")
    return int(channel)


def _setup(image, kernel, x, y, border, flip, value, mapping, divisor, offset, stretch,
           channel) -> _Pixel:
    check_mapping(mapping)
    divisor, offset = check_divisor_offset(divisor, offset)
    stretch = _check_stretch(stretch, mapping)
    image = np.asarray(image) if not isinstance(image, np.ndarray) else image
    channel = _check_channel(channel, image)
    return _Pixel(image, kernel, x, y, border, flip, value, mapping, divisor, offset, stretch,
                  channel)


def _weights_cell(r: int, c: int) -> str:
    return f"the weight at x={c}, y={r}"


def _candidates(pixel: _Pixel, asked: str) -> list[Mistake]:
    """Every mistake's number for the pixel, duplicates of the truth left out."""
    total = pixel.total_of(pixel.breakdown)
    as_asked = pixel.byte if asked == "byte" else float
    truth = as_asked(total)
    found: list[Mistake] = []

    def add(kind: str, words: str, number: float) -> None:
        # A mistake that gives the right number (a symmetric kernel flipped, a sum within
        # float noise or SUM_TOLERANCE of the right one) explains nothing.
        if not _matches(float(number), truth, asked):
            found.append(Mistake(kind, words, float(number)))

    if asked == "byte":
        add("sum_for_byte", f"That is the sum of the products, {_n(total)}, not the byte the "
                            "mapping makes of it.", total)
    else:
        byte = pixel.byte(total)
        add("byte_for_sum", f"That is the output byte, {_n(byte)}, not the sum of the "
                            "products.", byte)

    turned = pixel.total_of(pixel.explain(flip=not pixel.flip))
    add("flip", "You convolved (rotated the kernel 180°) where the page correlates: the "
                "weights apply as they stand." if not pixel.flip else
                "You correlated (the weights as they stand) where the page convolves: the "
                "kernel is rotated 180° first.", as_asked(turned))

    # The kernel as given (the weights as applied, turned back when the page flips), so that
    # the page's own flip still applies to the transposed kernel.
    given = pixel.breakdown.weights[::-1, ::-1] if pixel.flip else pixel.breakdown.weights
    transposed = np.ascontiguousarray(given.T)
    add("transposed", "You read the kernel's cells in the wrong order, rows for columns: the "
                      "weight at x=i, y=j used as the one at x=j, y=i.",
        as_asked(pixel.total_of(pixel.explain(kernel=transposed))))

    if asked == "byte":
        mapped = pixel.before_rounding(total)
        if pixel.mapping == "tutorial":
            add("rounding", f"You rounded {_n(min(max(mapped, 0), 255))}, but the tutorial's "
                            "mapping truncates (astype drops the fraction).",
                float(np.rint(min(max(mapped, 0.0), 255.0))))
            unclipped = float(np.trunc(mapped))
        else:
            clipped = min(max(mapped, 0.0), 255.0)
            add("rounding", f"You truncated {_n(clipped)}, but the {pixel.mapping} mapping "
                            "rounds it (half to even).", float(np.floor(clipped)))
            add("rounding", f"You rounded {_n(clipped)} half up, but the {pixel.mapping} "
                            "mapping rounds half to even (2.5 becomes 2, 3.5 becomes 4).",
                float(np.floor(clipped + 0.5)))
            unclipped = float(np.rint(mapped))
        add("no_clipping", f"You did not clip {_n(unclipped)} to 0..255: a byte holds 0 to "
                           "255.", unclipped)

    if pixel.breakdown.padded.any():
        fill = pixel.value if pixel.border == "constant" else 0.0
        for mode in BORDER_MODES:
            if mode == pixel.border:
                continue
            other = pixel.total_of(pixel.explain(border=mode, value=fill))
            add("border", f"That is the {mode} border's number"
                          + (f" (padding with {_n(fill)})" if mode == "constant" else "")
                          + f"; the page pads with {pixel.border}.", as_asked(other))

    products = pixel.products()
    where = pixel.breakdown.image_yx
    cells = [(r, c, float(p)) for (r, c), p in np.ndenumerate(products) if p != 0]
    slips = (("was left out", -1.0), ("was counted twice", 1.0),
             ("was added with the wrong sign", -2.0))
    # Every slipped sum mapped at once: a 31 x 31 kernel has 2,883 of them.
    slipped = np.array([[total + times * p for _, times in slips] for _, _, p in cells])
    numbers = pixel.bytes_of(slipped) if asked == "byte" else slipped
    numbers = numbers.reshape(len(cells), len(slips))
    # The same rule as _matches, for the whole table at once.
    same = (numbers == truth if asked == "byte" else
            np.abs(numbers - truth) <= SUM_TOLERANCE + 1e-9 * max(1.0, abs(truth)))
    # Written once for every product, as a grid is: a number at a time cost 0.1 s here.
    product_texts = format_numbers(np.array([p for _, _, p in cells]), 6, scale=255.0)
    for (r, c, _), text, row, row_same in zip(cells, product_texts, numbers, same,
                                              strict=True):
        if row_same.all():
            continue
        py, px = (int(v) for v in where[r, c])
        outside = " (padding)" if pixel.breakdown.padded[r, c] else ""
        cell = f"{_weights_cell(r, c)} times pixel x={px}, y={py}{outside}"
        for (how, _), number in zip(slips, row, strict=True):
            add("product_slip", f"One product slipped: {cell} (= {text}) {how}.",
                float(number))
    return found


def _matches(answer: float, number: float, asked: str) -> bool:
    """Whether `answer` is `number` under the rule for `asked` (a byte exactly, a sum within
    SUM_TOLERANCE)."""
    if asked == "byte":
        return answer == number
    return abs(answer - number) <= SUM_TOLERANCE + 1e-9 * max(1.0, abs(number))


@document_border
def mistaken_values(image: np.ndarray, kernel, x: int, y: int, border: Border = "replicate",
                    *, flip: bool = False, value: float = 0.0, mapping: Mapping = "clip",
                    divisor: float = 1.0, offset: float = 0.0,
                    stretch: tuple[float, float] | None = None, asked: Asked = "byte",
                    channel: int | None = None) -> tuple[Mistake, ...]:
    """Every mistake's number for the output pixel at (x, y), as a poll labels its answers.

    Mistakes whose number equals the right one are left out; two mistakes may give the same
    number. ``close`` is not listed (it is a distance, not a number).

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array of numbers.
    kernel : Kernel or array_like
        2-D weights with odd height and odd width.
    x, y : int
        Column and row of the output pixel, inside the image.
    %(border)s
        Default "replicate".
    flip : bool, optional
        True for a true convolution (the weights rotated 180 degrees). Default False.
    %(value)s
    %(mapping)s
        Default "clip".
    %(divisor_offset)s
    stretch : tuple of float, optional
        The response's (lowest, highest) over the whole image (`stretch_range`): needed by
        the ``minmax`` mapping, ignored by the others.
    asked : {"byte", "sum"}, optional
        What the student is asked for. Default "byte".
    channel : int, optional
        The channel of a colour image; None (the default) for a gray one.

    Returns
    -------
    tuple of Mistake
        In MISTAKE_KINDS order; product slips cell by cell, row by row.

    Raises
    ------
    ValueError
        On a bad image, kernel, pixel, border, mapping, stretch, asked or channel.

    Examples
    --------
    >>> image = np.arange(9.0).reshape(3, 3) * 10
    >>> kernel = [[0, 0, 0], [1, 0, 0], [0, 0, 0]]
    >>> [(m.kind, m.value) for m in mistaken_values(image, kernel, 1, 1)][:3]
    [('flip', 50.0), ('transposed', 10.0), ('product_slip', 0.0)]
    """
    pixel = _setup(image, kernel, x, y, border, flip, value, mapping, divisor, offset, stretch,
                   channel)
    return tuple(_candidates(pixel, _check_asked(asked)))


@document_border
def diagnose_answer(image: np.ndarray, kernel, x: int, y: int, answer: float,
                    border: Border = "replicate", *, flip: bool = False, value: float = 0.0,
                    mapping: Mapping = "clip", divisor: float = 1.0, offset: float = 0.0,
                    stretch: tuple[float, float] | None = None, asked: Asked = "byte",
                    channel: int | None = None) -> Diagnosis:
    """Hold a student's `answer` for the output pixel at (x, y) against the right number.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C) array of numbers.
    kernel : Kernel or array_like
        2-D weights with odd height and odd width.
    x, y : int
        Column and row of the output pixel, inside the image.
    answer : float
        The student's number: a byte (any whole number, 300 and -40 included, so that the
        missing clip can be named) or a sum; finite, within ±MAX_ANSWER.
    %(border)s
        Default "replicate".
    flip : bool, optional
        True for a true convolution (the weights rotated 180 degrees). Default False.
    %(value)s
    %(mapping)s
        Default "clip".
    %(divisor_offset)s
    stretch : tuple of float, optional
        The response's (lowest, highest) over the whole image (`stretch_range`): needed by
        the ``minmax`` mapping, ignored by the others.
    asked : {"byte", "sum"}, optional
        What `answer` is. Default "byte".
    channel : int, optional
        The channel of a colour image; None (the default) for a gray one.

    Returns
    -------
    Diagnosis
        Right, or the mistakes that give `answer` (see the module's docstring for each).

    Raises
    ------
    ValueError
        On a bad answer, image, kernel, pixel, border, mapping, stretch, asked or channel.

    Examples
    --------
    The kernel takes the pixel on the left; convolving (the kernel rotated) takes the one on
    the right instead:

    >>> image = np.arange(9.0).reshape(3, 3) * 10
    >>> kernel = [[0, 0, 0], [1, 0, 0], [0, 0, 0]]
    >>> diagnose_answer(image, kernel, 1, 1, 30).right
    True
    >>> wrong = diagnose_answer(image, kernel, 1, 1, 50)
    >>> wrong.truth, [m.kind for m in wrong.mistakes]
    (30.0, ['flip'])
    """
    answer = _check_answer(answer)
    asked = _check_asked(asked)
    pixel = _setup(image, kernel, x, y, border, flip, value, mapping, divisor, offset, stretch,
                   channel)
    total = pixel.total_of(pixel.breakdown)
    truth = pixel.byte(total) if asked == "byte" else total
    if _matches(answer, truth, asked):
        return Diagnosis(True, answer, truth, asked, ())
    # The sum given for a byte is a sum: matched within the sum's tolerance.
    mistakes = [m for m in _candidates(pixel, asked)
                if _matches(answer, m.value, "sum" if m.kind == "sum_for_byte" else asked)]
    if abs(answer - truth) <= CLOSE:
        mistakes.append(Mistake("close", f"Close: {_n(answer)} is within 1 of the right "
                                         f"{asked}, {_n(truth)}.", answer))
    return Diagnosis(False, answer, truth, asked, tuple(mistakes))
