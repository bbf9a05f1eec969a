"""Learning a kernel by gradient descent, step by step, as a layer's training does."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..core._validation import check_finite_float, check_image, check_positive_int
from ..core.padding import check_border, pad

#: Bounds of one gradient-descent run: a 64 x 64 crop, a 5 x 5 kernel, 2000 steps take
#: about 40 ms of one core (tests/unit/test_layers.py checks it stays well under a second).
MAX_TRAIN_SIDE = 64
#: How closely a fit pins its weights down, relative to their size: a minimum found through a
#: sum of squares moves the loss by only (error)², so below about the square root of float64's
#: epsilon (1.5e-8) a weight's error is not known. The tolerance for showing fit errors as 0.
FIT_PRECISION = math.sqrt(np.finfo(np.float64).eps)
MAX_TRAIN_KERNEL = 5
MAX_TRAIN_STEPS = 2000


@dataclass(frozen=True, eq=False)
class DescentRun:
    """A gradient-descent run that learns a kernel (and a bias) from an (input, target) pair.

    ``history[s]`` are the weights after `s` steps (``history[0]``: the random start) and
    ``loss[s]`` the mean squared error then, in gray levels squared; the run stops early once
    the loss is the best possible one up to float rounding. ``status`` is
    "converged" (the loss within 0.1 % of the best possible one, which least squares gives;
    along directions where the loss is nearly flat the weights may still be moving),
    "diverged" (the loss grew past 100 times its start or overflowed, at step
    ``diverged_at``; the run stops there) or "still descending". ``stable_below`` is the
    largest learning rate for which plain gradient descent on this pair cannot diverge,
    2 / (largest eigenvalue of the loss's Hessian).
    """

    weights: np.ndarray
    bias: float
    history: np.ndarray
    loss: np.ndarray
    best_loss: float
    learning_rate: float
    steps: int
    status: str
    diverged_at: int | None
    stable_below: float

    @property
    def rms(self) -> float:
        """The root of the last loss: the typical error per pixel, in gray levels."""
        return float(np.sqrt(self.loss[-1]))


def train_kernel(inputs: np.ndarray, target: np.ndarray, shape: tuple[int, int], *,
                 learning_rate: float = 0.05, steps: int = 300, border: str = "replicate",
                 seed: int = 0) -> DescentRun:
    """Learn the kernel mapping `inputs` to `target` by plain gradient descent on the squared error.

    The model is one conv layer with a bias, ``target ≈ correlate(x, w) + b``, where x is the
    input standardised to mean 0 and standard deviation 1 (what networks do to their inputs,
    so one learning rate suits any image); the weights are reported for the raw input, so
    they converge to the kernel that made the target. Starts from small random weights
    (`seed`), then takes `steps` steps ``w -= learning_rate * dLoss/dw``.

    Parameters
    ----------
    inputs, target : numpy.ndarray
        (H, W) float arrays of the same shape, at most MAX_TRAIN_SIDE per side.
    shape : tuple of int
        (kh, kw) of the kernel to learn, odd sides, at most MAX_TRAIN_KERNEL.
    learning_rate : float, optional
        Positive. Default 0.05.
    steps : int, optional
        1..MAX_TRAIN_STEPS. Default 300.
    border : {"replicate", "constant", "reflect", "reflect_101", "wrap"}, optional
        How the input is padded ('same' output), as in ``make_training_pair``. Default
        "replicate".
    seed : int, optional
        Seed of the random start. Default 0.

    Returns
    -------
    DescentRun
        The weights and bias after every step, the loss curve, and how the run ended.

    Examples
    --------
    >>> from convkit.lessons import conv2d
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(0, 255, (24, 24))
    >>> y = conv2d(x, [[0, 1, 0], [1, -4, 1], [0, 1, 0]], output="same", border="replicate")
    >>> run = train_kernel(x, y, (3, 3), learning_rate=0.1, steps=300)
    >>> run.status, bool(np.abs(run.weights - [[0, 1, 0], [1, -4, 1], [0, 1, 0]]).max() < 1e-6)
    ('converged', True)
    """
    check_image(inputs)
    if inputs.ndim != 2 or np.shape(target) != inputs.shape:
        raise ValueError(f"inputs must be gray (2-D) and target of the same shape; got "
                         f"{inputs.shape} and {np.shape(target)}")
    if max(inputs.shape) > MAX_TRAIN_SIDE:
        raise ValueError(f"inputs must be at most {MAX_TRAIN_SIDE} x {MAX_TRAIN_SIDE}; got "
                         f"{inputs.shape[0]} x {inputs.shape[1]}")
    kh, kw = (check_positive_int(side, "kernel side", odd=True) for side in shape)
    if max(kh, kw) > MAX_TRAIN_KERNEL:
        raise ValueError(f"kernel sides must be at most {MAX_TRAIN_KERNEL}; got {kh} x {kw}")
    rate = check_finite_float(learning_rate, "learning_rate")
    if rate <= 0:
        raise ValueError(f"learning_rate must be > 0; got {learning_rate!r}")
    steps = check_positive_int(steps, "steps")
    if steps > MAX_TRAIN_STEPS:
        raise ValueError(f"steps must be at most {MAX_TRAIN_STEPS}; got {steps}")
    check_border(border)
    goal = np.asarray(target, dtype=np.float64).ravel()
    if not np.all(np.isfinite(goal)):
        raise ValueError("target must be finite numbers; got NaN or infinity")

    raw = inputs.astype(np.float64)
    mean, spread = float(raw.mean()), float(raw.std()) or 1.0
    x = (raw - mean) / spread
    padded = pad(x, kh // 2, kw // 2, border)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw))
    # One row per output pixel: its window's kh*kw values, and a 1 for the bias.
    design = np.hstack([windows.reshape(-1, kh * kw), np.ones((goal.size, 1))])
    count = goal.size
    hessian = 2.0 / count * design.T @ design
    stable_below = 2.0 / float(np.linalg.eigvalsh(hessian)[-1])
    best, *_ = np.linalg.lstsq(design, goal, rcond=None)
    best_loss = float(np.mean((design @ best - goal) ** 2))

    rng = np.random.default_rng(seed)
    theta = np.concatenate([rng.normal(0.0, 0.1, kh * kw), [0.0]])
    thetas, losses = [theta.copy()], []
    status, diverged_at = "still descending", None
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            residual = design @ theta - goal
            loss = float(np.mean(residual**2))
            losses.append(loss)
            if not math.isfinite(loss) or loss > 100 * losses[0] + 1e-12:
                status, diverged_at = "diverged", step
                break
            if step == steps or loss - best_loss <= 1e-20 * max(losses[0] - best_loss, 1e-300):
                break  # the last step, or nothing left to learn but float rounding
            theta = theta - rate * (2.0 / count) * (design.T @ residual)
            thetas.append(theta.copy())
    history = np.array(thetas[: len(losses)])
    # Weights on the standardised input, back on the raw one: w_raw = w / spread.
    kernels = history[:, :-1].reshape(-1, kh, kw) / spread
    final_bias = float(history[-1, -1] - kernels[-1].sum() * mean)
    if status != "diverged" and losses[-1] - best_loss <= 1e-3 * max(losses[0] - best_loss,
                                                                      1e-12):
        status = "converged"
    return DescentRun(weights=kernels[-1], bias=final_bias, history=kernels,
                      loss=np.array(losses), best_loss=best_loss, learning_rate=rate,
                      steps=len(losses) - 1, status=status, diverged_at=diverged_at,
                      stable_below=stable_below)


#: What a descent run came to, as ``descent_outcome`` names it.
OUTCOMES = ("diverged", "found", "flat", "descending")


def largest_error(learned, truth) -> float:
    """The largest difference ``|learned - truth|`` over the weights of two same-shaped kernels.

    Parameters
    ----------
    learned, truth : array_like
        Kernels of one shape.

    Returns
    -------
    float

    Examples
    --------
    >>> largest_error([[1.0, 2.0]], [[1.5, -1.0]])
    3.0
    """
    learned = np.asarray(learned, dtype=np.float64)
    truth = np.asarray(truth, dtype=np.float64)
    if learned.shape != truth.shape:
        raise ValueError(f"learned and truth must have one shape; got {learned.shape} and "
                         f"{truth.shape}")
    return float(np.abs(learned - truth).max()) if learned.size else 0.0


def descent_outcome(run: DescentRun, hidden, tolerance: float = 1e-3) -> str:
    """What a gradient-descent run came to, against the kernel it was meant to find.

    Parameters
    ----------
    run : DescentRun
        From ``train_kernel``.
    hidden : array_like
        The kernel that made the target, of the run's weights' shape.
    tolerance : float
        Largest weight error that counts as found; > 0.

    Returns
    -------
    {"diverged", "found", "flat", "descending"}
        "diverged": the run stopped on a growing loss; "found": every weight within
        `tolerance` of the hidden one; "flat": the loss is at its minimum but some weights are
        still off (directions along which the loss barely changes); "descending": neither yet.

    Examples
    --------
    >>> from convkit.lessons import conv2d
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(0, 255, (24, 24))
    >>> y = conv2d(x, np.eye(3), output="same", border="replicate")
    >>> descent_outcome(train_kernel(x, y, (3, 3), learning_rate=0.1, steps=300), np.eye(3))
    'found'
    """
    tolerance = check_finite_float(tolerance, "tolerance")
    if tolerance <= 0:
        raise ValueError(f"tolerance must be > 0; got {tolerance!r}")
    if run.status == "diverged":
        return "diverged"
    if largest_error(run.weights, hidden) < tolerance:
        return "found"
    return "flat" if run.status == "converged" else "descending"


def noise_image(side: int, seed: int = 0) -> np.ndarray:
    """A `side` x `side` image of uniform random gray levels 0..255 (white noise).

    Every pixel is independent of its neighbours, so every weight is equally easy to learn
    from it, unlike a photo, whose neighbouring pixels are alike.

    >>> noise_image(4).shape
    (4, 4)
    """
    side = check_positive_int(side, "side")
    if side > MAX_TRAIN_SIDE:
        raise ValueError(f"side must be at most {MAX_TRAIN_SIDE}; got {side}")
    return np.random.default_rng(seed).uniform(0, 255, (side, side))


def small_kernels(kernels: Mapping, max_side: int = MAX_TRAIN_KERNEL) -> dict:
    """The kernels (name -> Kernel, in their order) whose sides are at most `max_side`.

    The ones a layer's window shows with every number on a page, and gradient descent learns
    within its bound.

    Parameters
    ----------
    kernels : Mapping[str, Kernel]
        Anything with a ``shape``, such as ``convkit.BANK``.
    max_side : int
        Largest side kept, >= 1.

    Returns
    -------
    dict[str, Kernel]

    Examples
    --------
    >>> from convkit import BANK
    >>> "sobel_x" in small_kernels(BANK), "large_blur" in small_kernels(BANK)
    (True, False)
    """
    max_side = check_positive_int(max_side, "max_side")
    return {name: kernel for name, kernel in kernels.items() if max(kernel.shape) <= max_side}
