"""Build-the-kernel challenges: a target picture made by a hidden kernel, and a student's
attempt scored against it.

Each challenge is data: the input (a crop of a bundled sample), the hidden kernel, the border
and output mapping that made the target, the pass threshold, graded hints computed from the
kernel, and a word on the solution. Passing is judged on the output, not on the weights:
several kernels can give the same picture (a shift with a replicated border, a 1 x 7 row or a
7 x 7 kernel holding that row), and any of them passes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from ..core._validation import check_weights
from ..core.convolve import convolve
from ..core.formatting import format_number, format_numbers
from ..core.images import load_sample, to_gray
from ..core.kernels import EMBOSS, LAPLACIAN, SHARPEN, SOBEL_X, identity, motion_blur
from ..core.padding import check_border
from ..explain.display import check_mapping, to_uint8
from .properties import compose, sum_meaning

#: The largest byte difference a passing attempt may leave, and the lowest PSNR (dB) it may
#: have: typed fractions like 0.333 for 1/3 move a byte by at most one rounding step.
ALLOWED_DIFFERENCE = 2
MIN_PSNR = 45.0
#: The side of every challenge's input picture, in pixels: small enough for a phone's width.
INPUT_SIDE = 128
#: How many times the difference picture is brightened, so one or two levels can be seen.
DIFFERENCE_GAIN = 8
LEVELS: MappingProxyType[int, str] = MappingProxyType({
    1: "Warm-up", 2: "Blurs", 3: "Edges and sharpening", 4: "Harder",
})


@dataclass(frozen=True, eq=False)
class Challenge:
    """One challenge: what the student sees and what the page keeps hidden.

    The student sees the input, the target and the task; the kernel, or the steps that made
    the target, stay on the server until the solution is asked for. `steps` are the kernels
    applied one after the other to make the target (one for most challenges); `kernel` is the
    one kernel equal to them all (their full convolution).
    """

    id: str
    title: str
    level: int
    task: str
    steps: tuple[np.ndarray, ...]
    border: str
    mapping: str
    sample: str
    corner: tuple[int, int]  # (x, y) of the input crop's top-left pixel in the sample
    why: str  # the solution explained, shown with the solution only
    allowed_difference: int = ALLOWED_DIFFERENCE
    min_psnr: float = MIN_PSNR
    kernel: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {tuple(LEVELS)}; got {self.level!r}")
        check_border(self.border)
        check_mapping(self.mapping)
        steps = tuple(_read_only(check_weights(step, f"step {i + 1} of {self.id!r}"))
                      for i, step in enumerate(self.steps))
        if not steps:
            raise ValueError(f"challenge {self.id!r} needs at least one kernel step")
        combined = steps[0]
        for step in steps[1:]:
            combined = compose(combined, step)
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "kernel", _read_only(combined))

    @property
    def threshold(self) -> str:
        """The pass rule in words."""
        return (f"the largest byte difference is at most {self.allowed_difference} and the "
                f"PSNR is at least {format_number(self.min_psnr)} dB")


@dataclass(frozen=True, eq=False)
class Attempt:
    """A kernel's output scored against a challenge's target."""

    max_difference: int  # the largest |target - output| over every pixel, in bytes
    psnr: float  # peak signal-to-noise ratio in dB (peak 255); math.inf when identical
    passed: bool
    output: np.ndarray  # the attempt's picture, uint8
    difference: np.ndarray  # |target - output| times DIFFERENCE_GAIN, clipped, uint8

    @property
    def psnr_text(self) -> str:
        """The PSNR for people: "identical" when nothing differs, else "41.3 dB"."""
        if math.isinf(self.psnr):
            return "identical"
        return f"{format_number(self.psnr, 3)} dB"


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=np.float64)
    array.flags.writeable = False
    return array


def _box(height: int, width: int) -> np.ndarray:
    return np.full((height, width), 1.0 / (height * width))


_GAUSSIAN_3 = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16

_CHALLENGES = (
    Challenge("identity", "Copy the picture", 1,
              "Make the output exactly the input.",
              (identity(3),), "replicate", "clip", "camera", (200, 40),
              "A single 1 at the centre: each output pixel is its input pixel. A 1 x 1 kernel "
              "holding 1 does the same."),
    Challenge("half", "Half as bright", 1,
              "Make every pixel half as bright as in the input.",
              (np.array([[0.5]]),), "replicate", "clip", "coins", (120, 90),
              "One weight of 0.5 at the centre halves each pixel; any zeros around it change "
              "nothing."),
    Challenge("shift", "Slide it to the right", 1,
              "Move the picture 2 pixels to the right (the left edge repeats its first column).",
              (np.array([[1.0, 0, 0, 0, 0]]),), "replicate", "clip", "camera", (200, 40),
              "The kernel correlates: output pixel x reads input pixel x + (column − centre). "
              "A 1 at column x=0 of a 5-wide row reads 2 pixels to the left, so the picture "
              "moves 2 to the right. A 5 x 5 kernel with that row in the middle gives the same "
              "output."),
    Challenge("box", "A soft blur", 2,
              "Blur the picture: each output pixel is the plain mean of a small square around "
              "it.",
              (_box(3, 3),), "replicate", "clip", "camera", (200, 40),
              "A 3 x 3 box: nine weights of 1/9, the mean of the pixel and its eight "
              "neighbours."),
    Challenge("gaussian", "A smoother blur", 2,
              "Blur the picture, weighting the centre most and the corners least.",
              (_GAUSSIAN_3,), "reflect_101", "clip", "camera", (200, 40),
              "The 3 x 3 binomial (Gaussian) kernel: [1 2 1] times its own column, divided by "
              "16 so it sums to 1."),
    Challenge("motion", "Camera shake", 2,
              "The camera moved sideways while the shutter was open: smear the picture "
              "horizontally.",
              (_box(1, 7),), "replicate", "clip", "brick", (100, 100),
              "The mean of 7 pixels along the row: a 1 x 7 kernel of 1/7 each (or a 7 x 7 "
              "kernel with that row in the middle)."),
    Challenge("sobel", "Vertical edges", 3,
              "Find the vertical edges: the output is bright where the brightness changes from "
              "left to right, dark where it does not.",
              (SOBEL_X,), "reflect_101", "abs", "coins", (120, 90),
              "Sobel x: right column minus left column, the middle row counted twice. The "
              "mapping takes the absolute value, so the kernel with every sign turned passes "
              "too."),
    Challenge("laplacian", "Edges in every direction", 3,
              "Respond to edges in every direction at once, nothing in flat areas.",
              (LAPLACIAN,), "reflect_101", "abs", "coins", (120, 90),
              "The Laplacian: the four neighbours minus four times the centre, a second "
              "derivative in x plus one in y. The mapping takes the absolute value, so its "
              "negative passes too."),
    Challenge("sharpen", "Sharpen", 3,
              "Make the picture crisper: push each pixel away from its four neighbours.",
              (SHARPEN,), "replicate", "clip", "moon", (200, 200),
              "5 at the centre, −1 at the four neighbours: the pixel plus (the pixel minus its "
              "neighbours' mean, times 4)."),
    Challenge("emboss", "Emboss", 3,
              "Make the picture look like a relief lit from the top left.",
              (EMBOSS,), "replicate", "clip", "coins", (120, 90),
              "Negative weights at the top left, positive at the bottom right, a 1 at the "
              "centre: the bright side faces the light."),
    Challenge("unsharp", "Unsharp mask", 4,
              "Sharpen the photographer's way: the picture plus what a 3 x 3 Gaussian blur "
              "takes away from it.",
              (2 * identity(3) - _GAUSSIAN_3,), "replicate", "clip", "camera", (200, 40),
              "Picture + (picture − blur) = 2 × identity − the 3 x 3 Gaussian: 28/16 at the "
              "centre, −2/16 at the sides and −1/16 at the corners."),
    Challenge("diagonal", "Diagonal shake", 4,
              "The camera moved along the rising diagonal (towards the top right) while the "
              "shutter was open.",
              (motion_blur(5, 45.0),), "replicate", "clip", "brick", (100, 100),
              "1/5 on each of the five cells of the rising diagonal, from the bottom-left "
              "corner to the top-right one."),
    Challenge("composition", "Two steps in one", 4,
              "The target is two filters, one after the other: first the 3 x 3 Gaussian blur "
              "(1 2 1 / 2 4 2 / 1 2 1, divided by 16), then Sobel x (−1 0 1 / −2 0 2 / "
              "−1 0 1), with nothing rounded in between. Build the one kernel that does both. "
              "The border wraps around, so two steps equal one kernel exactly, even at the "
              "edges.",
              (_GAUSSIAN_3, SOBEL_X), "wrap", "abs", "camera", (180, 180),
              "The full convolution of the two: each Sobel weight places a copy of the "
              "Gaussian, scaled by that weight, and the copies add up to a 5 x 5 kernel, a "
              "smoothed derivative (divide the integers by 16)."),
)

#: Every challenge by id, in the order the page offers them.
CHALLENGES: MappingProxyType[str, Challenge] = MappingProxyType({c.id: c for c in _CHALLENGES})


def get_challenge(challenge_id: str) -> Challenge:
    """The challenge called `challenge_id`.

    Parameters
    ----------
    challenge_id : str
        A key of CHALLENGES.

    Returns
    -------
    Challenge
        The challenge, read-only.

    Raises
    ------
    ValueError
        Naming the unknown id and the known ones.

    Examples
    --------
    >>> get_challenge("sobel").title
    'Vertical edges'
    """
    if not isinstance(challenge_id, str) or challenge_id not in CHALLENGES:
        raise ValueError(f"there is no challenge {str(challenge_id)[:40]!r}; the challenges are "
                         f"{', '.join(CHALLENGES)}")
    return CHALLENGES[challenge_id]


def challenge_input(challenge: Challenge) -> np.ndarray:
    """The challenge's input picture: an INPUT_SIDE square of its sample, in gray.

    Parameters
    ----------
    challenge : Challenge
        One of CHALLENGES.

    Returns
    -------
    numpy.ndarray
        (INPUT_SIDE, INPUT_SIDE) uint8.

    Raises
    ------
    ValueError
        If the challenge's crop does not fit in its sample.

    Examples
    --------
    >>> challenge_input(get_challenge("identity")).shape
    (128, 128)
    """
    picture = load_sample(challenge.sample)
    if picture.ndim == 3:
        picture = to_gray(picture)
    x, y = challenge.corner
    crop = picture[y:y + INPUT_SIDE, x:x + INPUT_SIDE]
    if crop.shape != (INPUT_SIDE, INPUT_SIDE):
        raise ValueError(f"challenge {challenge.id!r}: its crop at x={x}, y={y} leaves the "
                         f"{picture.shape[1]} x {picture.shape[0]} sample {challenge.sample!r}")
    return np.ascontiguousarray(crop)


def apply_steps(challenge: Challenge, steps) -> np.ndarray:
    """Each kernel of `steps` applied in turn to the input (float, nothing rounded in
    between), with the challenge's border, then mapped to bytes by its mapping."""
    raw = challenge_input(challenge).astype(np.float32)
    for weights in steps:
        raw = convolve(raw, weights, challenge.border)
    return to_uint8(raw, challenge.mapping)


def challenge_target(challenge: Challenge) -> np.ndarray:
    """The picture the student must reproduce: the hidden steps applied to the input.

    Parameters
    ----------
    challenge : Challenge
        One of CHALLENGES.

    Returns
    -------
    numpy.ndarray
        (INPUT_SIDE, INPUT_SIDE) uint8: each step applied in turn with the challenge's border,
        nothing rounded in between, then mapped by its mapping.

    Examples
    --------
    >>> challenge = get_challenge("identity")
    >>> bool((challenge_target(challenge) == challenge_input(challenge)).all())
    True
    """
    return apply_steps(challenge, challenge.steps)


def psnr(target: np.ndarray, output: np.ndarray) -> float:
    """Peak signal-to-noise ratio of `output` against `target` in dB, for bytes (peak 255);
    math.inf when they are identical.

    Examples
    --------
    >>> psnr(np.zeros((2, 2), np.uint8), np.full((2, 2), 255, np.uint8))
    0.0
    """
    mse = float(np.mean((target.astype(np.float64) - output.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(255.0 ** 2 / mse)


def score_attempt(challenge: Challenge, kernel) -> Attempt:
    """Apply `kernel` as the challenge does and compare its output with the target.

    Parameters
    ----------
    challenge : Challenge
        The challenge (see CHALLENGES).
    kernel : array_like
        The student's 2-D kernel, odd sides, finite weights.

    Returns
    -------
    Attempt
        The largest byte difference, the PSNR, whether both meet the challenge's threshold,
        the output and the difference picture.

    Raises
    ------
    ValueError
        If `kernel` is not a kernel (not 2-D, an even side, NaN ...).

    Examples
    --------
    >>> attempt = score_attempt(get_challenge("half"), [[0, 0, 0], [0, 0.5, 0], [0, 0, 0]])
    >>> attempt.passed, attempt.max_difference, attempt.psnr_text
    (True, 0, 'identical')
    """
    if not isinstance(challenge, Challenge):
        raise ValueError(f"challenge must be a Challenge; got {type(challenge).__name__}")
    weights = check_weights(kernel, "your kernel")
    target = challenge_target(challenge)
    output = apply_steps(challenge, (weights,))
    gap = np.abs(target.astype(np.int16) - output.astype(np.int16))
    largest = int(gap.max())
    ratio = psnr(target, output)
    passed = largest <= challenge.allowed_difference and ratio >= challenge.min_psnr
    difference = np.clip(gap * DIFFERENCE_GAIN, 0, 255).astype(np.uint8)
    return Attempt(max_difference=largest, psnr=ratio, passed=passed, output=output,
                   difference=difference)


# ------------------------------------------------------------------------------ hints


def _symmetry_words(weights: np.ndarray) -> str:
    moves = (("mirrored left to right", weights[:, ::-1]),
             ("mirrored top to bottom", weights[::-1, :]),
             ("turned half a turn", weights[::-1, ::-1]))
    same = [name for name, moved in moves if np.allclose(moved, weights)]
    opposite = [name for name, moved in moves
                if np.allclose(moved, -weights) and not np.allclose(weights, 0)]
    parts = []
    if same:
        parts.append("it stays the same when " + _and(same))
    if opposite:
        parts.append("every weight changes sign when the kernel is " + _and(opposite))
    if not parts:
        return "Symmetry: none; no mirror or half turn leaves it the same or only turns its signs."
    return "Symmetry: " + "; ".join(parts) + "."


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _sign_words(weights: np.ndarray) -> str:
    signs = np.where(np.isclose(weights, 0), "0", np.where(weights > 0, "+", "−"))
    rows = "; ".join(f"row y={y}: {' '.join(row)}" for y, row in enumerate(signs))
    counts = (f"{int((signs == '+').sum())} positive, {int((signs == '−').sum())} negative, "
              f"{int((signs == '0').sum())} zero")
    return f"Signs (+ positive, − negative, 0 zero), from x=0 on the left: {rows} ({counts})."


def hints(challenge: Challenge) -> tuple[str, ...]:
    """Four hints, each telling more of the hidden kernel, all computed from the kernel.

    Size, then symmetry, then the sum, then the sign pattern of every weight.

    Parameters
    ----------
    challenge : Challenge
        One of CHALLENGES.

    Returns
    -------
    tuple of str
        Size, symmetry, sum and sign pattern, in words, in the order they are revealed.

    Examples
    --------
    >>> hints(get_challenge("box"))[0]
    'Size: 3 x 3 (3 rows, 3 columns).'
    >>> hints(get_challenge("box"))[2].split(";")[0]
    'Sum: the weights add up to 1'
    """
    weights = challenge.kernel
    height, width = weights.shape
    total = float(weights.sum())
    return (
        f"Size: {height} x {width} ({height} row{'s' * (height > 1)}, {width} "
        f"column{'s' * (width > 1)}).",
        _symmetry_words(weights),
        f"Sum: the weights add up to {format_number(total, scale=weights)}; it "
        f"{sum_meaning(total)}.",
        _sign_words(weights),
    )


def solution_rows(challenge: Challenge) -> tuple[str, ...]:
    """The hidden kernel written row by row for people (shown with the solution only).

    Parameters
    ----------
    challenge : Challenge
        One of CHALLENGES.

    Returns
    -------
    tuple of str
        One line per row, "row y=0: ...", its weights from x=0, six significant digits.

    Examples
    --------
    >>> solution_rows(get_challenge("half"))
    ('row y=0: 0.5',)
    """
    weights = challenge.kernel
    texts = np.array(format_numbers(weights, 6, scale=weights)).reshape(weights.shape)
    return tuple(f"row y={y}: {', '.join(row)}" for y, row in enumerate(texts))
