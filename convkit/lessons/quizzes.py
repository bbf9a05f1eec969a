"""Which picture is it? A kernel's (or a border's) true output among real outputs of confusions.

Every wrong choice is a picture computed by a named, plausible mistake: the kernel flipped
(convolution taken for correlation, or the reverse), a neighbouring kernel of the bank (sobel_x
for sobel_y, a box blur for a Gaussian), the weights transposed, another output mapping (clip,
abs, min-max), or another border mode. A distractor is kept only when it differs visibly from
the truth and from every distractor already kept (`visibly_different`), so a question never
asks to tell apart two pictures that look the same. The caller's seed chooses among the
confusions and shuffles the letters, so one seed always poses the same question.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core._validation import check_image, check_weights
from ..core.convolve import convolve
from ..core.kernels import BANK
from ..core.padding import (
    BORDER_DESCRIPTIONS,
    BORDER_DRAWINGS,
    BORDER_MODES,
    CORNERS,
    document_border,
    padded_crop,
)
from ..explain.display import MAPPINGS, to_uint8
from ..explain.mistakes import Mistake

#: A byte differs visibly from another when by at least this many grey levels.
VISIBLE_LEVELS = 16
#: Two pictures differ visibly when at least this many of their bytes do (and at least
#: MIN_DIFFERING_FRACTION of them): a handful of scattered bytes is noise, not a picture.
MIN_DIFFERING_BYTES = 16
MIN_DIFFERING_FRACTION = 0.01
#: Letters of the choices, in the order they are shown: at most four choices.
LETTERS = "ABCD"
#: Wrong choices a question holds at most, and at least. A border question may hold a single
#: one: near an edge, edge kernels and small blurs often look alike in every mode but one.
MAX_DISTRACTORS = 3
MIN_DISTRACTORS = 2
MIN_BORDER_DISTRACTORS = 1
#: The kinds of choice: the truth and each confusion a distractor may come from.
CONFUSIONS = ("truth", "flipped", "neighbour", "transposed", "mapping", "border")
#: The mappings a mapping confusion takes the page's mapping for.
CONFUSED_MAPPINGS = ("clip", "abs", "minmax")
#: Bank kernels a student takes for one another.
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "small_blur": ("large_blur", "gaussian_5", "box_5"),
    "large_blur": ("small_blur", "gaussian_15"),
    "sharpen": ("laplacian", "outline", "unsharp_mask"),
    "laplacian": ("sharpen", "outline", "log_9"),
    "sobel_x": ("sobel_y", "prewitt_x", "emboss"),
    "sobel_y": ("sobel_x", "prewitt_y", "emboss"),
    "identity": ("sharpen", "box_5"),
    "box_5": ("gaussian_5", "small_blur"),
    "horizontal_blur": ("motion_blur", "box_5"),
    "gaussian_5": ("box_5", "gaussian_15"),
    "gaussian_15": ("large_blur", "gaussian_5"),
    "emboss": ("sobel_x", "sobel_y"),
    "outline": ("laplacian", "sharpen"),
    "prewitt_x": ("prewitt_y", "sobel_x"),
    "prewitt_y": ("prewitt_x", "sobel_y"),
    "scharr_x": ("scharr_y", "sobel_x"),
    "scharr_y": ("scharr_x", "sobel_y"),
    "log_9": ("laplacian", "outline"),
    "unsharp_mask": ("sharpen", "gaussian_5"),
    "motion_blur": ("horizontal_blur", "box_5"),
}
#: Side of a border question's corner crop: this many times the kernel's reach, within bounds,
#: so the band where the borders differ fills a good part of the picture.
CROP_PER_REACH = 6
MIN_CROP, MAX_CROP = 12, 48
#: The largest seed a question takes (a link carries it).
MAX_SEED = 2**31 - 1


@dataclass(frozen=True, eq=False)
class Choice:
    """One picture of a question: its letter, bytes, where it came from and why.

    ``confusion`` is one of CONFUSIONS ("truth" for the right answer); ``detail`` names what
    the confusion changed (the other kernel, mapping or border; empty for the truth and a
    flip); ``explanation`` says it in words for the reveal.
    """

    letter: str
    picture: np.ndarray
    confusion: str
    detail: str
    explanation: str

    @property
    def correct(self) -> bool:
        """Whether this is the true output."""
        return self.confusion == "truth"


@dataclass(frozen=True, eq=False)
class PictureQuestion:
    """A "which picture is it?" question: its choices in the order shown, and its seed."""

    prompt: str
    choices: tuple[Choice, ...]
    seed: int

    @property
    def answer(self) -> str:
        """The letter of the true output."""
        return next(choice.letter for choice in self.choices if choice.correct)

    def choice(self, letter: str) -> Choice:
        """The choice shown with `letter`.

        Parameters
        ----------
        letter : str
            One of the question's letters ("A" to "D").

        Returns
        -------
        Choice
            Raises ValueError for a letter the question lacks.

        Examples
        --------
        >>> picture = np.zeros((1, 1), np.uint8)
        >>> asked = PictureQuestion("?", (Choice("A", picture, "truth", "", "Right."),), 0)
        >>> asked.choice("A").correct, asked.answer
        (True, 'A')
        """
        for choice in self.choices:
            if choice.letter == letter:
                return choice
        letters = [choice.letter for choice in self.choices]
        raise ValueError(f"letter must be one of {letters}; got {letter!r}")


def differing_bytes(first: np.ndarray, second: np.ndarray) -> int:
    """How many bytes of two same-shaped uint8 pictures differ by VISIBLE_LEVELS or more."""
    if first.shape != second.shape:
        raise ValueError(f"pictures must have one shape; got {first.shape} and {second.shape}")
    gap = np.abs(first.astype(np.int16) - second.astype(np.int16))
    return int(np.count_nonzero(gap >= VISIBLE_LEVELS))


def visibly_different(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether two same-shaped uint8 pictures differ visibly.

    At least ``max(MIN_DIFFERING_BYTES, MIN_DIFFERING_FRACTION of the bytes)`` bytes must
    differ by VISIBLE_LEVELS grey levels or more.

    Parameters
    ----------
    first, second : numpy.ndarray
        uint8 pictures of one shape.

    Returns
    -------
    bool
        True when they differ visibly.

    Examples
    --------
    >>> flat = np.zeros((10, 10), np.uint8)
    >>> spot = flat.copy(); spot[:4, :4] = 200
    >>> visibly_different(flat, spot), visibly_different(flat, flat + 15)
    (True, False)
    """
    needed = max(MIN_DIFFERING_BYTES, math.ceil(MIN_DIFFERING_FRACTION * first.size))
    return differing_bytes(first, second) >= needed


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not (
            0 <= seed <= MAX_SEED):
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}; got {seed!r}")
    return int(seed)


def _check_choice(value: str, allowed, name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {tuple(allowed)}; got {value!r}")
    return value


def _mapped(raw: np.ndarray, mapping: str, divisor: float, offset: float) -> np.ndarray:
    return to_uint8(raw, mapping, divisor=divisor, offset=offset)


def _operation(flip: bool) -> str:
    return "convolution (the weights rotated 180 degrees)" if flip else "correlation"


def _assemble(truth: tuple[np.ndarray, str], candidates, rng: np.random.Generator,
              prompt: str, seed: int, minimum: int = MIN_DISTRACTORS) -> PictureQuestion:
    """Keep up to MAX_DISTRACTORS candidates that differ visibly from the truth and from
    each other (in the order given), shuffle them with the truth and letter them."""
    kept: list[tuple[np.ndarray, str, str, str]] = []
    for make in candidates:
        if len(kept) == MAX_DISTRACTORS:
            break
        picture, confusion, detail, explanation = make()
        if visibly_different(picture, truth[0]) and all(
                visibly_different(picture, other[0]) for other in kept):
            kept.append((picture, confusion, detail, explanation))
    if len(kept) < minimum:
        raise ValueError(
            f"only {len(kept)} confusion(s) give a picture that differs visibly from the true "
            f"output (at least {MIN_DIFFERING_BYTES} bytes by {VISIBLE_LEVELS} grey levels or "
            f"more); a question needs {minimum}: try a more detailed image or another kernel")
    everything = [(truth[0], "truth", "", truth[1]), *kept]
    order = rng.permutation(len(everything))
    choices = tuple(Choice(LETTERS[place], *everything[index])
                    for place, index in enumerate(order))
    return PictureQuestion(prompt, choices, seed)


@document_border
def kernel_question(image: np.ndarray, kernel, *, name: str, seed: int,
                    border: str = "replicate", flip: bool = False, value: float = 0.0,
                    mapping: str = "clip", divisor: float = 1.0,
                    offset: float = 0.0) -> PictureQuestion:
    """A "which picture is the output?" question: the truth and 2-3 outputs of confusions.

    The confusions tried, each only when it changes the picture visibly: the kernel flipped
    (always tried first, unless the kernel is symmetric under a 180-degree turn), a
    neighbouring bank kernel (NEIGHBOURS), the weights transposed, another mapping among
    CONFUSED_MAPPINGS, another border. After the flip, the seed orders the rest.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C), at the size the pictures are shown.
    kernel : Kernel or array_like
        The weights (odd height and width).
    name : str
        The kernel's name, as the page shows it (a bank name finds its neighbours).
    seed : int
        0 to MAX_SEED: the same seed poses the same question.
    %(border)s
    flip : bool, optional
        True for true convolution (the weights rotated 180 degrees). Default False.
    %(value)s
    %(mapping)s
    %(divisor_offset)s

    Returns
    -------
    PictureQuestion
        The choices, lettered A to D in the seed's order.

    Raises
    ------
    ValueError
        Bad input, or fewer than MIN_DISTRACTORS confusions that differ visibly.

    Examples
    --------
    >>> noise = np.random.default_rng(0).integers(0, 256, (20, 20)).astype(np.uint8)
    >>> question = kernel_question(noise, BANK["sobel_x"].weights, name="sobel_x", seed=1)
    >>> [(choice.letter, choice.detail or choice.confusion) for choice in question.choices]
    [('A', 'sobel_y'), ('B', 'truth'), ('C', 'flipped'), ('D', 'abs')]
    """
    image = check_image(image)
    weights = check_weights(getattr(kernel, "weights", kernel))
    seed = _check_seed(seed)
    _check_choice(border, BORDER_MODES, "border")
    _check_choice(mapping, MAPPINGS, "mapping")
    rng = np.random.default_rng(seed)

    raw = convolve(image, weights, border, flip=flip, value=value)
    truth = _mapped(raw, mapping, divisor, offset)
    what = (f"{name} with the {border} border and the {mapping} mapping, by "
            f"{_operation(flip)}")

    def flipped():
        other = convolve(image, weights, border, flip=not flip, value=value)
        return (_mapped(other, mapping, divisor, offset), "flipped", "",
                f"The kernel rotated 180 degrees: {_operation(not flip)} where the page "
                f"computes {_operation(flip)}. {name} is not symmetric under that turn, so "
                "its output changes (an edge kernel's signs swap).")

    def neighbour(other_name: str):
        def make():
            other = convolve(image, BANK[other_name].weights, border, flip=flip, value=value)
            return (_mapped(other, mapping, divisor, offset), "neighbour", other_name,
                    f"Another kernel: {other_name}, not {name}. "
                    f"{BANK[other_name].description}.")
        return make

    def transposed():
        other = convolve(image, weights.T, border, flip=flip, value=value)
        return (_mapped(other, mapping, divisor, offset), "transposed", "",
                "The weights read with x and y swapped (the kernel transposed): what it does "
                "along rows it now does along columns.")

    def other_mapping(other: str):
        def make():
            return (_mapped(raw, other, 1.0, 0.0), "mapping", other,
                    f"The right sums, shown with the {other} mapping instead of {mapping}: "
                    f"{MAPPINGS[other]}.")
        return make

    def other_border(other: str):
        def make():
            response = convolve(image, weights, other, flip=flip, value=value)
            return (_mapped(response, mapping, divisor, offset), "border", other,
                    f"The {other} border ({BORDER_DRAWINGS[other]}) instead of {border}: "
                    "different only where the kernel reaches past the image's edge.")
        return make

    first = [flipped] if not np.array_equal(weights, weights[::-1, ::-1]) else []
    rest = [neighbour(other) for other in NEIGHBOURS.get(name, ())
            if not np.array_equal(BANK[other].weights, weights)]
    if weights.shape != weights.T.shape or not np.array_equal(weights, weights.T):
        rest.append(transposed)
    rest += [other_mapping(other) for other in CONFUSED_MAPPINGS if other != mapping]
    rest = [rest[index] for index in rng.permutation(len(rest))]
    # Another border changes only a band as wide as the kernel's reach: last resort.
    borders = [other_border(other) for other in BORDER_MODES if other != border]
    return _assemble((truth, f"{what[0].upper()}{what[1:]}: what the page computes."),
                     [*first, *rest, *borders], rng,
                     f"Which picture is the output of {name}?", seed)


def crop_side(kernel_shape: tuple[int, int], image_shape: tuple[int, ...]) -> int:
    """Side of a border question's corner crop for a kernel: CROP_PER_REACH times its reach,
    within MIN_CROP..MAX_CROP, and no larger than the image.

    Examples
    --------
    >>> crop_side((3, 3), (512, 512)), crop_side((21, 21), (512, 512)), crop_side((3, 3), (8, 9))
    (12, 48, 8)
    """
    reach = max(kernel_shape[0] // 2, kernel_shape[1] // 2)
    side = min(max(CROP_PER_REACH * reach, MIN_CROP), MAX_CROP)
    return min(side, image_shape[0], image_shape[1])


def _output_corner(image: np.ndarray, weights: np.ndarray, border: str, corner: str, side: int,
                   flip: bool, value: float, mapping: str, divisor: float,
                   offset: float) -> np.ndarray:
    """The `side` x `side` corner of the mapped output, from the padded cells it reads only.

    The crop's windows read the padded image `reach` cells around it (padded_crop fills those
    beyond the edge as `border` pads the whole image, the far edge included for wrap), so the
    crop equals the whole output's at a 2048 px image's fraction of the cost.
    """
    reach_y, reach_x = weights.shape[0] // 2, weights.shape[1] // 2
    height, width = image.shape[:2]
    top = height - side if corner.startswith("bottom") else 0
    left = width - side if corner.endswith("right") else 0
    cells, _ = padded_crop(image, top - reach_y, left - reach_x, side + 2 * reach_y,
                           side + 2 * reach_x, border, value)
    # Any border here: the windows kept never reach this small array's own padding.
    raw = convolve(cells, weights, border, flip=flip, value=value)
    inner = raw[reach_y:reach_y + side, reach_x:reach_x + side]
    return np.ascontiguousarray(_mapped(inner, mapping, divisor, offset))


def _corner_crop(array: np.ndarray, side: int, corner: str) -> np.ndarray:
    rows = slice(0, side) if corner.startswith("top") else slice(array.shape[0] - side, None)
    cols = slice(0, side) if corner.endswith("left") else slice(array.shape[1] - side, None)
    return np.ascontiguousarray(array[rows, cols])


@document_border
def border_question(image: np.ndarray, kernel, border: str, *, name: str, seed: int,
                    corner: str | None = None, flip: bool = False, value: float = 0.0,
                    mapping: str = "clip", divisor: float = 1.0,
                    offset: float = 0.0) -> PictureQuestion:
    """A "which border gave this output?" question: crops of the outputs at one corner.

    The pictures are corner crops (`crop_side`) of the whole output, where the modes differ;
    a mode whose crop looks like the truth's or an earlier distractor's is left out. Unless
    the caller names the corner, the one where the most modes differ visibly is used (ties:
    the earlier of CORNERS). The seed orders the other modes and shuffles the letters.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) or (H, W, C), the working image.
    kernel : Kernel or array_like
        The weights (odd height and width).
    %(border)s
        The one whose output is asked for.
    name : str
        The kernel's name, as the page shows it.
    seed : int
        0 to MAX_SEED.
    corner : {"top-left", "top-right", "bottom-left", "bottom-right"} or None, optional
        Where the crop is; None (default) for the corner where the borders differ most.
    flip : bool, optional
        True for true convolution (the weights rotated 180 degrees). Default False.
    %(value)s
    %(mapping)s
    %(divisor_offset)s

    Returns
    -------
    PictureQuestion
        Its prompt names the corner.

    Raises
    ------
    ValueError
        Bad input, or fewer than MIN_BORDER_DISTRACTORS modes that differ visibly in any corner
        (a 1 x 1 kernel reads no padding at all).

    Examples
    --------
    >>> slope = (np.add.outer(np.arange(20), np.arange(20)) * 6 + 10).astype(np.uint8)
    >>> question = border_question(slope, BANK["box_5"].weights, "constant", name="box_5",
    ...                            seed=3)
    >>> [(choice.letter, choice.detail or "truth") for choice in question.choices]
    [('A', 'truth'), ('B', 'wrap'), ('C', 'reflect_101')]
    >>> question.prompt
    "Which picture is the top-left corner (12 x 12 px) of box_5's output with the constant border?"
    """
    image = check_image(image)
    weights = check_weights(getattr(kernel, "weights", kernel))
    seed = _check_seed(seed)
    _check_choice(border, BORDER_MODES, "border")
    _check_choice(mapping, MAPPINGS, "mapping")
    if corner is not None:
        _check_choice(corner, CORNERS, "corner")
    side = crop_side(weights.shape, image.shape)
    if mapping == "minmax":
        # Min-max stretches by the whole output's range: each mode's whole output, mapped.
        outputs = {mode: _mapped(convolve(image, weights, mode, flip=flip, value=value),
                                 mapping, divisor, offset) for mode in BORDER_MODES}

        def crop(mode: str, where: str) -> np.ndarray:
            return _corner_crop(outputs[mode], side, where)
    else:
        def crop(mode: str, where: str) -> np.ndarray:
            return _output_corner(image, weights, mode, where, side, flip, value, mapping,
                                  divisor, offset)

    def question_at(where: str) -> PictureQuestion:
        rng = np.random.default_rng(seed)

        def other(mode: str):
            def make():
                return (crop(mode, where), "border", mode,
                        f"The {mode} border ({BORDER_DRAWINGS[mode]}): "
                        f"{BORDER_DESCRIPTIONS[mode]}.")
            return make

        others = [mode for mode in BORDER_MODES if mode != border]
        others = [others[index] for index in rng.permutation(len(others))]
        truth = (crop(border, where),
                 f"The {border} border ({BORDER_DRAWINGS[border]}), as asked: "
                 f"{BORDER_DESCRIPTIONS[border]}.")
        return _assemble(truth, [other(mode) for mode in others], rng,
                         f"Which picture is the {where} corner ({side} x {side} px) of "
                         f"{name}'s output with the {border} border?", seed,
                         MIN_BORDER_DISTRACTORS)

    if corner is not None:
        return question_at(corner)
    best, problem = None, None
    for where in CORNERS:
        try:
            asked = question_at(where)
        except ValueError as error:
            problem = error
            continue
        if best is None or len(asked.choices) > len(best.choices):
            best = asked
    if best is None:
        raise ValueError(f"in no corner: {problem}")
    return best


# ------------------------------------------------------------- predicting a layer's numbers


def _length(total: int, span: int, stride: int) -> int:
    reach = total - span
    return reach // stride + 1 if reach >= 0 else 0


def size_mistakes(n: int, k: int, stride: int = 1, dilation: int = 1,
                  output: str = "valid") -> tuple[Mistake, ...]:
    """The output sizes the common mistakes give for one axis, each unlike the true size.

    The true size is ``floor((n + p_before + p_after - d(k - 1) - 1) / s) + 1``; the mistakes
    leave out the dilation, the padding or the stride, round up instead of down, or forget
    the ``+ 1``. A mistake that gives the true size here is left out (it cannot be told).

    Parameters
    ----------
    n, k, stride, dilation, output
        As for `output_length`.

    Returns
    -------
    tuple of Mistake
        In that order; ``value`` is the size the mistake gives (whole, at least 0).

    Examples
    --------
    >>> [(m.kind, int(m.value)) for m in size_mistakes(7, 3, stride=2, dilation=2)]
    [('forgot dilation', 3), ('forgot stride', 3), ('forgot the + 1', 1)]
    """
    from .geometry import effective_size, output_length, padding_before_after

    true = output_length(n, k, stride, dilation, output)
    before, after = padding_before_after(n, k, stride, dilation, output)
    padded, span = n + before + after, effective_size(k, dilation)
    reach = padded - span
    candidates = [
        ("forgot dilation", _length(padded, k, stride),
         f"a span of k = {k} cells where dilation {dilation} spreads the taps over "
         f"d(k - 1) + 1 = {span}"),
        ("forgot padding", _length(n, span, stride),
         f"no padding, where '{output}' adds {before} + {after} cells"),
        ("forgot stride", _length(padded, span, 1),
         f"every position counted, where stride {stride} keeps one in {stride}"),
        ("rounded up", -(-reach // stride) + 1 if reach >= 0 else 0,
         f"(n + p - d(k - 1) - 1) / s = {reach} / {stride} rounded up, where the formula "
         "rounds down (a last window that would hang over the edge is not taken)"),
        ("forgot the + 1", max(reach // stride, 0) if reach >= 0 else 0,
         "the number of steps between windows, not the number of windows: off by one"),
    ]
    return tuple(Mistake(name, explanation, float(value))
                 for name, value, explanation in candidates if value != true)


def cell_mistakes(region: np.ndarray, weights: np.ndarray) -> tuple[Mistake, ...]:
    """The sums the common mistakes give for one window: flipped, unweighted, a product missed.

    Parameters
    ----------
    region : numpy.ndarray
        The input values under the window, the kernel's shape.
    weights : numpy.ndarray
        The kernel's weights.

    Returns
    -------
    tuple of Mistake
        "flipped kernel" (the weights rotated 180 degrees: convolution where a layer
        correlates), "added the inputs" (the values summed without their weights), then
        "left out one product" once per cell, row by row (its words name the cell); a
        mistake that gives the right sum is left out.

    Examples
    --------
    >>> region = np.arange(9.0).reshape(3, 3)
    >>> mistakes = cell_mistakes(region, np.array([[0, 0, 0], [1, 0, -1], [0, 0, 0.]]))
    >>> [m.kind for m in mistakes][:3]  # the right sum is 3 - 5 = -2
    ['flipped kernel', 'added the inputs', 'left out one product']
    >>> [m.value for m in mistakes]
    [2.0, 36.0, -5.0, 3.0]
    >>> mistakes[2].words
    'the weight at x=0, y=1 times the value under it (= 3) was left out of the sum'
    """
    region = np.asarray(region, dtype=np.float64)
    weights = check_weights(weights)
    if region.shape != weights.shape:
        raise ValueError(f"region must have the kernel's shape {weights.shape}; "
                         f"got {region.shape}")
    true = float(np.sum(region * weights))
    candidates = [
        ("flipped kernel", float(np.sum(region * weights[::-1, ::-1])),
         "the weights rotated 180 degrees: true convolution, where a layer correlates "
         "(weight at x=0, y=0 meets the window's top-left value)"),
        ("added the inputs", float(np.sum(region)),
         "the values under the window added without multiplying them by their weights"),
    ]
    products = region * weights
    for (y, x), product in np.ndenumerate(products):
        candidates.append(("left out one product", true - float(product),
                           f"the weight at x={x}, y={y} times the value under it "
                           f"(= {product:g}) was left out of the sum"))
    return tuple(Mistake(name, explanation, value) for name, value, explanation in candidates
                 if not math.isclose(value, true, rel_tol=1e-9, abs_tol=1e-9))
