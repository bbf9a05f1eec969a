"""Undoing a blur: the forward model (blur + noise) and four ways back, with their scores.

Everything here works on gray images in the 0..1 range scikit-image uses; noise is given in
gray levels (0..255), as people see it. The forward model blurs with a circular border
(``wrap``), which is what every Fourier-domain method below assumes: with any other border
the edges break the model and even a noise-free inverse filter rings there.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from skimage import metrics, restoration
from skimage.restoration import uft

from ..core._validation import check_gray_image, check_positive_float
from ..core.convolve import convolve
from ..core.formatting import format_number
from ..core.kernels import as_weights
from ..core.padding import check_border, document_border

#: Longest side, in pixels, of an image these functions accept: bounds the work per call.
MAX_RESTORE_SIDE = 512
#: Most Richardson-Lucy iterations one call may run.
MAX_RL_ITERATIONS = 100
#: Most Gibbs-sampler iterations of the unsupervised Wiener filter (scikit-image's default 200).
MAX_UNSUPERVISED_ITERATIONS = 100
#: Largest noise standard deviation accepted, in gray levels.
MAX_NOISE = 100.0
#: |H| below this counts as "near zero": the inverse filter multiplies noise there by > 20.
NEAR_ZERO = 0.05
#: The naive inverse divides by max(|H|, INVERSE_FLOOR), so exact zeros give no infinities.
INVERSE_FLOOR = 1e-6
#: A kernel whose weights sum to less than this (in absolute value) is treated as zero-sum.
ZERO_SUM = 1e-9

RESTORATION_METHODS: dict[str, str] = {
    "inverse": "naive inverse filter: divide the spectrum by the kernel's frequency response H",
    "wiener": "Wiener (scikit-image): divide by H, but damp frequencies where H is small",
    "richardson_lucy": "Richardson-Lucy: repeated multiplicative corrections, never negative",
    "unsupervised_wiener": "unsupervised Wiener (scikit-image): estimates noise and balance itself",
}
#: The methods that cost a visitor's share of the server (up to a second of CPU at the largest
#: size): a server runs them one at a time. The others are a few FFTs, tens of milliseconds.
HEAVY_METHODS = ("richardson_lucy", "unsupervised_wiener")


# ------------------------------------------------------------------------------- checks


def _check_gray(image, name: str = "image") -> np.ndarray:
    """A 2-D gray image as float64 in 0..1 (uint8 divided by 255), at most MAX_RESTORE_SIDE."""
    image = check_gray_image(image, name)
    if max(image.shape) > MAX_RESTORE_SIDE:
        raise ValueError(f"{name} must be at most {MAX_RESTORE_SIDE} px on its longer side; got "
                         f"{image.shape[1]} x {image.shape[0]}: downscale it with fit_to_pixels")
    if image.dtype == np.uint8:
        return image.astype(np.float64) / 255.0
    if image.dtype.kind != "f":
        raise ValueError(f"{name} must be uint8 (0..255) or float (0..1); got {image.dtype}")
    if not np.all(np.isfinite(image)):
        raise ValueError(f"{name} must hold finite numbers; got NaN or infinity")
    return image.astype(np.float64, copy=False)


def _check_psf(kernel, image: np.ndarray, *, positive: bool = False) -> np.ndarray:
    """Kernel weights usable as a blur (point spread function) for `image`."""
    weights = as_weights(kernel)
    if weights.shape[0] > image.shape[0] or weights.shape[1] > image.shape[1]:
        raise ValueError(f"kernel ({weights.shape[0]} x {weights.shape[1]}) must be no larger "
                         f"than the image ({image.shape[0]} x {image.shape[1]})")
    total = float(weights.sum())
    if abs(total) < ZERO_SUM:
        raise ValueError(f"kernel must have a non-zero sum to be undone; its weights sum to "
                         f"{format_number(total, 3, scale=weights)}, so it erases the image's "
                         "mean brightness, which no deconvolution can bring back: pick a blur "
                         "(weights summing to 1)")
    if positive and (weights < 0).any():
        raise ValueError("kernel must have no negative weights for Richardson-Lucy (a blur "
                         f"spreads light, it never subtracts it); its smallest is "
                         f"{format_number(weights.min(), 3)}")
    return weights


def _check_count(value, name: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number; got {value!r}")
    if not 1 <= value <= maximum:
        raise ValueError(f"{name} must be between 1 and {maximum}; got {value}")
    return int(value)


# ------------------------------------------------------------------------ forward model


@document_border
def degrade(image: np.ndarray, kernel, noise: float = 0.0, *, border: str = "wrap",
            seed: int = 0) -> np.ndarray:
    """Blur `image` with `kernel` (true convolution) and add Gaussian noise.

    Parameters
    ----------
    image : numpy.ndarray
        (H, W) gray image, uint8 (0..255) or float (0..1), longer side at most
        MAX_RESTORE_SIDE.
    kernel : Kernel or array_like
        The blur (point spread function), 2-D.
    noise : float, optional
        Standard deviation of the added noise, in gray levels (0..MAX_NOISE). Default 0.
    %(border)s
        Default "wrap", the circular model the restorations assume.
    seed : int, optional
        Seed of the noise, so a setting always gives the same picture. Default 0.

    Returns
    -------
    numpy.ndarray
        (H, W) float64 in the 0..1 scale; not clipped, so noise may reach a little past 0
        and 1.

    Examples
    --------
    >>> impulse = np.zeros((5, 5)); impulse[2, 2] = 1
    >>> degrade(impulse, np.full((3, 3), 1 / 9))[1:4, 1:4].round(3).tolist()[0]
    [0.111, 0.111, 0.111]
    """
    pixels = _check_gray(image)
    weights = _check_psf(kernel, pixels)
    check_border(border)
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not (
            0 <= noise <= MAX_NOISE):
        raise ValueError(f"noise must be a number of gray levels in 0..{format_number(MAX_NOISE)}; "
                         f"got {noise!r}")
    blurred = convolve(pixels, weights, border, flip=True).astype(np.float64)
    if noise:
        blurred += np.random.default_rng(seed).normal(0.0, noise / 255.0, blurred.shape)
    return blurred


def transfer_function(kernel, shape: tuple[int, int]) -> np.ndarray:
    """The kernel's discrete Fourier transform H on an image grid of `shape`, centre at (0, 0).

    Multiplying an image's spectrum by H is the same as circular (``wrap``) convolution.

    Parameters
    ----------
    kernel : Kernel or array_like
        2-D weights, no larger than `shape`.
    shape : tuple of int
        (H, W) of the image grid.

    Returns
    -------
    numpy.ndarray
        (H, W) complex, zero frequency at [0, 0] (not shifted).

    Examples
    --------
    >>> abs(transfer_function(np.full((3, 3), 1 / 9), (8, 8))[0, 0]).round(6)
    np.float64(1.0)
    """
    weights = as_weights(kernel)
    height, width = int(shape[0]), int(shape[1])
    if weights.shape[0] > height or weights.shape[1] > width:
        raise ValueError(f"kernel ({weights.shape[0]} x {weights.shape[1]}) must be no larger "
                         f"than shape {(height, width)}")
    placed = np.zeros((height, width))
    placed[: weights.shape[0], : weights.shape[1]] = weights
    # The kernel's centre goes to pixel (0, 0), so H carries no shift.
    placed = np.roll(placed, (-(weights.shape[0] // 2), -(weights.shape[1] // 2)), axis=(0, 1))
    return np.fft.fft2(placed)


# -------------------------------------------------------------------------- restorations


def inverse_filter(blurred: np.ndarray, kernel) -> np.ndarray:
    """The naive inverse: divide the blurred image's spectrum by H (floored at INVERSE_FLOOR).

    Exact without noise where H has no near-zeros; with noise it explodes wherever |H| is
    small, which is the point of showing it.

    Parameters
    ----------
    blurred : numpy.ndarray
        (H, W) gray image, uint8 or float in 0..1.
    kernel : Kernel or array_like
        2-D weights that do not sum to 0.

    Returns
    -------
    numpy.ndarray
        (H, W) float64 in the 0..1 scale, not clipped.

    Examples
    --------
    >>> image = np.random.default_rng(0).random((16, 16))
    >>> k = np.array([[0, 0.1, 0], [0.1, 0.6, 0.1], [0, 0.1, 0]])
    >>> bool(np.allclose(inverse_filter(degrade(image, k), k), image))
    True
    """
    pixels = _check_gray(blurred, "blurred")
    response = transfer_function(_check_psf(kernel, pixels), pixels.shape)
    magnitude = np.abs(response)
    floored = np.where(magnitude < INVERSE_FLOOR,
                       INVERSE_FLOOR * np.exp(1j * np.angle(response)), response)
    return np.real(np.fft.ifft2(np.fft.fft2(pixels) / floored))


def wiener(blurred: np.ndarray, kernel, balance: float = 0.01) -> np.ndarray:
    """Wiener-Hunt deconvolution, ``skimage.restoration.wiener`` with a Laplacian regulariser.

    Parameters
    ----------
    blurred : numpy.ndarray
        (H, W) gray image, uint8 or float in 0..1.
    kernel : Kernel or array_like
        2-D weights that do not sum to 0.
    balance : float, optional
        Positive; larger trusts the data less and smooths more (noise against sharpness).
        Default 0.01.

    Returns
    -------
    numpy.ndarray
        (H, W) float64 in the 0..1 scale, not clipped.

    Examples
    --------
    >>> image = np.random.default_rng(0).random((16, 16))
    >>> k = np.full((3, 3), 1 / 9)
    >>> wiener(degrade(image, k), k, 0.01).shape
    (16, 16)
    """
    pixels = _check_gray(blurred, "blurred")
    weights = _check_psf(kernel, pixels)
    balance = check_positive_float(balance, "balance")
    return restoration.wiener(pixels, weights, balance, clip=False).astype(np.float64)


@document_border
def richardson_lucy(blurred: np.ndarray, kernel, iterations: int = 30, *,
                    border: str = "wrap", chunk: int = 10,
                    progress: Callable[[int, int], object] | None = None) -> np.ndarray:
    """Richardson-Lucy deconvolution, run `chunk` iterations at a time with a progress callback.

    The update is scikit-image's ``richardson_lucy`` (start at 0.5, then
    ``estimate *= correlate(blurred / convolve(estimate, psf), psf)``), with convkit's engine
    and its border modes: ``border="constant"`` reproduces scikit-image exactly, ``wrap``
    matches the circular forward model of `degrade`.

    Parameters
    ----------
    blurred : numpy.ndarray
        (H, W) gray image, uint8 or float in 0..1.
    kernel : Kernel or array_like
        2-D weights, none negative, with a positive sum.
    iterations : int, optional
        1..MAX_RL_ITERATIONS. Default 30.
    %(border)s
        Default "wrap", as `degrade`.
    chunk : int, optional
        Iterations between two calls of `progress`. Default 10.
    progress : callable, optional
        Called as ``progress(done, iterations)`` after each chunk.

    Returns
    -------
    numpy.ndarray
        (H, W) float64 in the 0..1 scale, not clipped.

    Examples
    --------
    >>> flat = np.full((9, 9), 0.25)
    >>> float(richardson_lucy(flat, np.full((3, 3), 1 / 9), 5).mean().round(6))
    0.25
    """
    pixels = _check_gray(blurred, "blurred")
    weights = _check_psf(kernel, pixels, positive=True)
    iterations = _check_count(iterations, "iterations", MAX_RL_ITERATIONS)
    chunk = _check_count(chunk, "chunk", MAX_RL_ITERATIONS)
    check_border(border)
    estimate = np.full(pixels.shape, 0.5)
    done = 0
    while done < iterations:
        for _ in range(min(chunk, iterations - done)):
            # 1e-12 as scikit-image: a zero blur of the estimate must not divide by zero.
            blurred_estimate = convolve(estimate, weights, border, flip=True) + 1e-12
            estimate = estimate * convolve(pixels / blurred_estimate, weights, border)
            done += 1
        if progress is not None:
            progress(done, iterations)
    return estimate


def unsupervised_wiener(blurred: np.ndarray, kernel, *, seed: int = 0,
                        max_iterations: int = MAX_UNSUPERVISED_ITERATIONS) -> np.ndarray:
    """Wiener-Hunt deconvolution that estimates the noise and the balance itself.

    ``skimage.restoration.unsupervised_wiener`` (a Gibbs sampler). It still needs the kernel:
    it learns how much to trust the data, not the blur.

    Parameters
    ----------
    blurred : numpy.ndarray
        (H, W) gray image, uint8 or float in 0..1.
    kernel : Kernel or array_like
        2-D weights that do not sum to 0.
    seed : int, optional
        Seed of the sampler. Default 0.
    max_iterations : int, optional
        Most sampler iterations, 30..MAX_UNSUPERVISED_ITERATIONS. Default
        MAX_UNSUPERVISED_ITERATIONS.

    Returns
    -------
    numpy.ndarray
        (H, W) float64 in the 0..1 scale, not clipped.

    Examples
    --------
    >>> image = np.random.default_rng(0).random((16, 16))
    >>> unsupervised_wiener(degrade(image, np.full((3, 3), 1 / 9)), np.full((3, 3), 1 / 9)).shape
    (16, 16)
    """
    pixels = _check_gray(blurred, "blurred")
    weights = _check_psf(kernel, pixels)
    max_iterations = _check_count(max_iterations, "max_iterations", MAX_UNSUPERVISED_ITERATIONS)
    if max_iterations < 30:
        raise ValueError(f"max_iterations must be at least 30 (the sampler's minimum); got "
                         f"{max_iterations}")
    estimate, _chains = restoration.unsupervised_wiener(
        pixels, weights, clip=False, rng=seed,
        user_params={"max_num_iter": max_iterations, "min_num_iter": 30})
    return estimate.astype(np.float64)


@document_border
def restore(blurred: np.ndarray, kernel, method: str = "wiener", *, balance: float = 0.01,
            iterations: int = 30, border: str = "wrap", seed: int = 0, chunk: int = 10,
            progress: Callable[[int, int], object] | None = None) -> np.ndarray:
    """Undo the blur of `kernel` with one of RESTORATION_METHODS: one door to all four.

    Each method reads only its own settings: `balance` is Wiener's, `iterations`, `border`,
    `chunk` and `progress` are Richardson-Lucy's, `seed` the unsupervised Wiener's.

    Parameters
    ----------
    blurred : numpy.ndarray
        (H, W) gray image, uint8 or float in 0..1.
    kernel : Kernel or array_like
        The blur assumed, 2-D.
    method : {"inverse", "wiener", "richardson_lucy", "unsupervised_wiener"}, optional
        A key of RESTORATION_METHODS. Default "wiener".
    balance : float, optional
        Wiener's balance, positive. Default 0.01.
    iterations : int, optional
        Richardson-Lucy's iterations, 1..MAX_RL_ITERATIONS. Default 30.
    %(border)s
        Richardson-Lucy's. Default "wrap".
    seed : int, optional
        Seed of the unsupervised Wiener's sampler. Default 0.
    chunk, progress
        As for `richardson_lucy`; optional.

    Returns
    -------
    numpy.ndarray
        (H, W) float64 in the 0..1 scale, not clipped.

    Examples
    --------
    >>> image = np.random.default_rng(0).random((16, 16))
    >>> k = np.array([[0, 0.1, 0], [0.1, 0.6, 0.1], [0, 0.1, 0]])
    >>> bool(np.allclose(restore(degrade(image, k), k, "inverse"), image))
    True
    """
    if method == "inverse":
        return inverse_filter(blurred, kernel)
    if method == "wiener":
        return wiener(blurred, kernel, balance)
    if method == "richardson_lucy":
        return richardson_lucy(blurred, kernel, iterations, border=border, chunk=chunk,
                               progress=progress)
    if method == "unsupervised_wiener":
        return unsupervised_wiener(blurred, kernel, seed=seed)
    raise ValueError(f"method must be one of {list(RESTORATION_METHODS)}; got {method!r}")


# ---------------------------------------------------------------------- scores, spectra


@dataclass(frozen=True)
class Quality:
    """How close a picture is to the original: PSNR in dB (inf when equal) and SSIM (1 = equal)."""

    psnr: float
    ssim: float


def image_quality(original: np.ndarray, picture: np.ndarray) -> Quality:
    """PSNR and SSIM of `picture` against `original`, both clipped to 0..1 as they are shown.

    ``skimage.metrics.peak_signal_noise_ratio`` and ``structural_similarity``, data range 1.

    Parameters
    ----------
    original : numpy.ndarray
        (H, W) gray image, uint8 or float in 0..1.
    picture : numpy.ndarray
        (H, W) gray image of the same shape, e.g. a restoration.

    Returns
    -------
    Quality
        PSNR in dB (inf when the two are equal) and SSIM (1 when equal).

    Examples
    --------
    >>> q = image_quality(np.zeros((8, 8)), np.full((8, 8), 0.1))
    >>> round(q.psnr, 3)
    20.0
    """
    reference = np.clip(_check_gray(original, "original"), 0.0, 1.0)
    shown = np.clip(_check_gray(picture, "picture"), 0.0, 1.0)
    if reference.shape != shown.shape:
        raise ValueError(f"picture must have the original's shape {reference.shape}; got "
                         f"{shown.shape}")
    if np.array_equal(reference, shown):
        return Quality(math.inf, 1.0)
    psnr = float(metrics.peak_signal_noise_ratio(reference, shown, data_range=1.0))
    side = min(7, *reference.shape)
    side -= 1 - side % 2  # SSIM's window must be odd and fit
    ssim = float(metrics.structural_similarity(reference, shown, data_range=1.0, win_size=side))
    return Quality(psnr, ssim)


@dataclass(frozen=True, eq=False)
class NoisePicture:
    """Why the inverse filter fails: the kernel's |H| and what each filter does to noise.

    Arrays are (H, W), zero frequency in the middle (fftshift).

    Attributes
    ----------
    magnitude : |H|, the kernel's frequency response.
    inverse_gain : 1 / |H| (floored): how much the inverse filter multiplies each frequency.
    wiener_gain : |conj(H) / (|H|^2 + balance |L|^2)|, scikit-image's Wiener filter.
    near_zero : share of frequencies where |H| < NEAR_ZERO.
    inverse_factor, wiener_factor : how many times each filter multiplies the standard
        deviation of white noise (Parseval: sqrt(mean(gain^2))).
    inverse_noise, wiener_noise : the same for noise of `noise` gray levels, in gray levels.
    """

    magnitude: np.ndarray
    inverse_gain: np.ndarray
    wiener_gain: np.ndarray
    near_zero: float
    noise: float
    inverse_factor: float
    wiener_factor: float

    @property
    def inverse_noise(self) -> float:
        """Noise after the inverse filter, gray levels."""
        return self.noise * self.inverse_factor

    @property
    def wiener_noise(self) -> float:
        """Noise after the Wiener filter, gray levels."""
        return self.noise * self.wiener_factor


def noise_picture(kernel, shape: tuple[int, int], noise: float, balance: float) -> NoisePicture:
    """|H| of `kernel` on a `shape` grid, and the noise each filter passes (see NoisePicture).

    Parameters
    ----------
    kernel : Kernel or array_like
        The blur, 2-D.
    shape : tuple of int
        (H, W) of the image grid.
    noise : float
        Standard deviation of the noise, gray levels.
    balance : float
        Wiener's balance, positive.

    Returns
    -------
    NoisePicture
        |H|, both filters' gains and how much noise each lets through.

    Examples
    --------
    >>> p = noise_picture(np.full((3, 3), 1 / 9), (32, 32), 5.0, 0.01)
    >>> bool(p.inverse_noise > 10 * p.wiener_noise)
    True
    """
    balance = check_positive_float(balance, "balance")
    response = transfer_function(kernel, shape)
    magnitude = np.abs(response)
    inverse_gain = 1.0 / np.maximum(magnitude, INVERSE_FLOOR)
    regulariser, _ = uft.laplacian(2, tuple(int(s) for s in shape), is_real=False)
    wiener_gain = magnitude / (magnitude**2 + balance * np.abs(regulariser) ** 2)
    return NoisePicture(
        magnitude=np.fft.fftshift(magnitude), inverse_gain=np.fft.fftshift(inverse_gain),
        wiener_gain=np.fft.fftshift(wiener_gain),
        near_zero=float((magnitude < NEAR_ZERO).mean()), noise=float(noise),
        inverse_factor=float(np.sqrt(np.mean(inverse_gain**2))),
        wiener_factor=float(np.sqrt(np.mean(wiener_gain**2))),
    )


def log_picture(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Positive values as a uint8 picture on a log scale: 10**low black, 10**high white.

    Parameters
    ----------
    values : array_like
        Positive numbers (smaller ones count as 10**low).
    low, high : float
        log10 of the values shown black and white.

    Returns
    -------
    numpy.ndarray
        uint8 picture of the same shape.

    Examples
    --------
    >>> log_picture(np.array([[0.01, 1.0, 100.0]]), -2, 2).tolist()
    [[0, 128, 255]]
    """
    if not high > low:
        raise ValueError(f"high must be greater than low; got low={low}, high={high}")
    logs = np.log10(np.maximum(np.asarray(values, dtype=np.float64), 10.0**low))
    return np.rint(np.clip((logs - low) / (high - low), 0, 1) * 255).astype(np.uint8)


def unit_to_uint8(values: np.ndarray) -> np.ndarray:
    """A 0..1 float image as uint8 bytes, clipped: how every restoration is shown.

    Parameters
    ----------
    values : array_like
        Float image on the 0..1 scale, any range.

    Returns
    -------
    numpy.ndarray
        uint8 picture of the same shape.

    Examples
    --------
    >>> unit_to_uint8(np.array([[-0.5, 0.5, 2.0]])).tolist()
    [[0, 128, 255]]
    """
    return np.rint(np.clip(np.asarray(values, dtype=np.float64), 0, 1) * 255).astype(np.uint8)
