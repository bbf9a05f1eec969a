"""Tests for lessons.restoration against scipy.signal, scipy.ndimage, scikit-image and NumPy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal
from skimage import data
from skimage import restoration as skr

import convkit
from convkit import lessons

# Asymmetric on purpose: a flip error (correlation for convolution) would show.
SKEWED = np.array([[0.0, 0.05, 0.0], [0.1, 0.5, 0.2], [0.0, 0.05, 0.1]])
# |H| >= 0.2 everywhere: the inverse filter is well posed.
MILD = np.array([[0.0, 0.1, 0.0], [0.1, 0.6, 0.1], [0.0, 0.1, 0.0]])


@pytest.fixture(scope="module")
def camera() -> np.ndarray:
    return data.camera()


def psnr(original_uint8: np.ndarray, picture: np.ndarray) -> float:
    """PSNR by its definition, on the 0..1 scale, the picture clipped as shown."""
    error = np.clip(picture, 0, 1) - original_uint8 / 255.0
    return float(10 * np.log10(1.0 / np.mean(error**2)))


def test_degrade_is_circular_convolution_as_fftconvolve() -> None:
    """Noise-free, the forward model equals scipy.signal.fftconvolve on a wrap-padded image."""
    image = np.random.default_rng(1).random((40, 50))
    kernel = np.random.default_rng(2).random((5, 7))
    padded = np.pad(image, ((2, 2), (3, 3)), mode="wrap")
    expected = scipy.signal.fftconvolve(padded, kernel, mode="valid")
    np.testing.assert_allclose(lessons.degrade(image, kernel), expected, atol=1e-5)


@pytest.mark.parametrize("border, mode", [("replicate", "nearest"), ("reflect_101", "mirror"),
                                          ("constant", "constant")])
def test_degrade_other_borders_are_scipy_convolve(border: str, mode: str) -> None:
    """With another border, the blur is scipy.ndimage.convolve with that mode (true convolution)."""
    image = np.random.default_rng(3).random((30, 30))
    expected = ndi.convolve(image, SKEWED, mode=mode)
    np.testing.assert_allclose(lessons.degrade(image, SKEWED, border=border), expected,
                               atol=1e-5)


def test_degrade_uint8_is_scaled_and_noise_has_its_sigma(camera: np.ndarray) -> None:
    """uint8 input is divided by 255; noise of s gray levels has a standard deviation of s/255."""
    clean = lessons.degrade(camera, convkit.BANK["gaussian_5"])
    noisy = lessons.degrade(camera, convkit.BANK["gaussian_5"], 8.0, seed=4)
    assert clean.min() >= 0 and clean.max() <= 1
    assert np.std(noisy - clean) * 255 == pytest.approx(8.0, rel=0.02)
    again = lessons.degrade(camera, convkit.BANK["gaussian_5"], 8.0, seed=4)
    np.testing.assert_array_equal(noisy, again)


def test_transfer_function_multiplies_spectra() -> None:
    """fft2(blurred) = fft2(image) * H for the circular model (scipy.signal as the blur)."""
    image = np.random.default_rng(5).random((32, 24))
    padded = np.pad(image, 1, mode="wrap")
    blurred = scipy.signal.fftconvolve(padded, SKEWED, mode="valid")
    np.testing.assert_allclose(np.fft.fft2(blurred),
                               np.fft.fft2(image) * lessons.transfer_function(SKEWED, (32, 24)),
                               atol=1e-9)


def test_inverse_filter_without_noise_restores_the_image() -> None:
    """A blur with no near-zero in |H| is undone exactly when there is no noise."""
    image = np.random.default_rng(6).random((48, 48))
    blurred = scipy.signal.fftconvolve(np.pad(image, 1, mode="wrap"), MILD, mode="valid")
    np.testing.assert_allclose(lessons.inverse_filter(blurred, MILD), image, atol=1e-9)


def test_inverse_filter_is_skimage_wiener_without_regulariser(camera: np.ndarray) -> None:
    """With a zero regulariser scikit-image's Wiener filter is conj(H)/|H|^2 = 1/H, the inverse."""
    kernel = convkit.BANK["gaussian_5"].weights
    blurred = lessons.degrade(camera, kernel, 2.0)
    expected = skr.wiener(blurred, kernel, 1.0, reg=np.zeros((3, 3)), clip=False)
    np.testing.assert_allclose(lessons.inverse_filter(blurred, kernel), expected, atol=1e-6)


def test_inverse_filter_blows_up_with_noise_and_wiener_holds(camera: np.ndarray) -> None:
    """Noise of 5 gray levels: the inverse filter falls far below the blurred picture, Wiener
    rises above it, and the inverse's error is many times the noise."""
    kernel = convkit.BANK["motion_blur"]
    blurred = lessons.degrade(camera, kernel, 5.0)
    inverse = lessons.inverse_filter(blurred, kernel)
    restored = lessons.wiener(blurred, kernel, 0.01)
    assert psnr(camera, inverse) < psnr(camera, blurred) - 10
    assert psnr(camera, restored) > psnr(camera, blurred) + 1
    assert np.std(inverse - camera / 255.0) * 255 > 20 * 5.0


@pytest.mark.parametrize("name", ["motion_blur", "gaussian_15", "small_blur"])
def test_known_kernel_wiener_beats_the_blurred_image(camera: np.ndarray, name: str) -> None:
    """Knowing the kernel, Wiener's PSNR (computed by hand) is above the blurred image's."""
    kernel = convkit.BANK[name]
    blurred = lessons.degrade(camera, kernel, 2.0)
    restored = lessons.wiener(blurred, kernel, 0.01)
    assert psnr(camera, restored) > psnr(camera, blurred) + 1.5
    assert lessons.image_quality(camera, restored).psnr == pytest.approx(
        psnr(camera, restored), abs=1e-6)


def test_noise_gains_predict_the_measured_noise() -> None:
    """NoisePicture's noise figures match the standard deviation of filtered pure noise."""
    kernel = convkit.BANK["gaussian_5"]
    shape = (256, 256)
    noise_only = lessons.degrade(np.zeros(shape), np.array([[1.0]]), 5.0, seed=7)
    picture = lessons.noise_picture(kernel, shape, 5.0, 0.01)
    measured_inverse = np.std(lessons.inverse_filter(noise_only, kernel)) * 255
    measured_wiener = np.std(lessons.wiener(noise_only, kernel, 0.01)) * 255
    assert picture.inverse_noise == pytest.approx(measured_inverse, rel=0.05)
    assert picture.wiener_noise == pytest.approx(measured_wiener, rel=0.05)
    assert picture.inverse_noise > 10 * picture.wiener_noise
    assert picture.inverse_noise == pytest.approx(5.0 * picture.inverse_factor)


def test_noise_picture_magnitude_is_centred_fft() -> None:
    """|H| is NumPy's FFT magnitude of the zero-padded kernel, zero frequency in the middle."""
    picture = lessons.noise_picture(MILD, (16, 16), 1.0, 0.01)
    expected = np.abs(np.fft.fftshift(np.fft.fft2(MILD, s=(16, 16))))
    np.testing.assert_allclose(picture.magnitude, expected, atol=1e-12)
    assert picture.magnitude[8, 8] == pytest.approx(1.0)
    assert picture.near_zero == 0.0
    box = lessons.noise_picture(convkit.BANK["small_blur"], (16, 16), 1.0, 0.01)
    assert box.near_zero > 0  # a box's sinc has zeros


@pytest.mark.parametrize("kernel", [SKEWED, convkit.BANK["motion_blur"].weights])
def test_richardson_lucy_constant_border_is_skimage(kernel: np.ndarray) -> None:
    """With zero padding, the chunked loop gives scikit-image's richardson_lucy."""
    image = np.random.default_rng(8).random((40, 36)) * 0.8 + 0.1
    blurred = ndi.convolve(image, kernel, mode="constant")
    expected = skr.richardson_lucy(blurred, kernel, num_iter=12, clip=False)
    ours = lessons.richardson_lucy(blurred, kernel, 12, border="constant", chunk=5)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-5)


def test_richardson_lucy_reports_progress_per_chunk(camera: np.ndarray) -> None:
    """progress is called after each chunk; the chunk size does not change the result."""
    kernel = convkit.BANK["gaussian_5"]
    blurred = lessons.degrade(camera[:64, :64], kernel)
    calls: list[tuple[int, int]] = []
    chunked = lessons.richardson_lucy(blurred, kernel, 25, chunk=10,
                                      progress=lambda done, total: calls.append((done, total)))
    assert calls == [(10, 25), (20, 25), (25, 25)]
    np.testing.assert_allclose(chunked, lessons.richardson_lucy(blurred, kernel, 25, chunk=25),
                               atol=1e-12)


def test_richardson_lucy_and_unsupervised_wiener_beat_the_blur(camera: np.ndarray) -> None:
    """Both improve PSNR over the blurred image for a known motion blur and a little noise."""
    kernel = convkit.BANK["motion_blur"]
    blurred = lessons.degrade(camera, kernel, 1.0)
    base = psnr(camera, blurred)
    assert psnr(camera, lessons.richardson_lucy(blurred, kernel, 30)) > base + 2
    unsupervised = lessons.unsupervised_wiener(blurred, kernel, seed=0)
    assert psnr(camera, unsupervised) > base + 2
    np.testing.assert_array_equal(unsupervised,
                                  lessons.unsupervised_wiener(blurred, kernel, seed=0))


@pytest.mark.parametrize("method", list(lessons.RESTORATION_METHODS))
def test_restore_is_each_methods_reference(method: str) -> None:
    """restore() gives, for each method, what the reference computes with that method's own
    settings (scipy's FFT division, scikit-image's wiener, richardson_lucy and
    unsupervised_wiener), whatever the other methods' settings are."""
    image = np.random.default_rng(11).random((40, 36)) * 0.8 + 0.1
    wrapped = scipy.signal.fftconvolve(np.pad(image, 1, mode="wrap"), MILD, mode="valid")
    zero_padded = ndi.convolve(image, MILD, mode="constant")
    references = {
        "inverse": (wrapped, image),  # no noise, |H| >= 0.2: the inverse is exact
        "wiener": (wrapped, skr.wiener(wrapped, MILD, 0.03, clip=False)),
        "richardson_lucy": (zero_padded, skr.richardson_lucy(zero_padded, MILD, num_iter=7,
                                                             clip=False)),
        "unsupervised_wiener": (wrapped, skr.unsupervised_wiener(
            wrapped, MILD, clip=False, rng=3,
            user_params={"max_num_iter": lessons.MAX_UNSUPERVISED_ITERATIONS,
                         "min_num_iter": 30})[0]),
    }
    blurred, expected = references[method]
    restored = lessons.restore(blurred, MILD, method, balance=0.03, iterations=7,
                               border="constant", seed=3)
    np.testing.assert_allclose(restored, expected, rtol=1e-4, atol=1e-6)


def test_restore_passes_richardson_lucy_progress_and_chunks() -> None:
    """The progress callback reaches Richardson-Lucy, chunk by chunk."""
    blurred = np.random.default_rng(12).random((24, 24))
    calls: list[tuple[int, int]] = []
    lessons.restore(blurred, MILD, "richardson_lucy", iterations=9, chunk=4,
                    progress=lambda done, total: calls.append((done, total)))
    assert calls == [(4, 9), (8, 9), (9, 9)]


def test_heavy_methods_are_restoration_methods() -> None:
    """The methods the server queues are two of the four, the iterative ones."""
    assert set(lessons.HEAVY_METHODS) == {"richardson_lucy", "unsupervised_wiener"}
    assert set(lessons.HEAVY_METHODS) < set(lessons.RESTORATION_METHODS)


def test_image_quality_by_hand() -> None:
    """PSNR is 10 log10(1 / MSE) on the shown (clipped) picture; equal pictures give inf and 1."""
    original = np.random.default_rng(9).integers(0, 256, (32, 32)).astype(np.uint8)
    picture = original / 255.0 + 0.02
    picture[0, 0] = 5.0  # shown as white: clipped to 1 before scoring
    score = lessons.image_quality(original, picture)
    assert score.psnr == pytest.approx(psnr(original, picture), abs=1e-9)
    assert 0 < score.ssim < 1
    assert lessons.image_quality(original, original / 255.0) == lessons.Quality(np.inf,
                                                                                1.0)


def test_small_tables() -> None:
    """log_picture and unit_to_uint8 on a few hand-picked values."""
    assert lessons.log_picture(np.array([[0.0, 0.1, 1.0, 10.0, 1e9]]), -1, 1).tolist() == [
        [0, 0, 128, 255, 255]]
    assert lessons.unit_to_uint8(np.array([[-1.0, 0.0, 0.25, 1.0, 3.0]])).tolist() == [
        [0, 0, 64, 255, 255]]


@pytest.mark.parametrize("call, message", [
    (lambda img: lessons.wiener(img, convkit.BANK["sobel_x"], 0.01),
     "kernel must have a non-zero sum"),
    (lambda img: lessons.inverse_filter(img, convkit.BANK["laplacian"]),
     "kernel must have a non-zero sum"),
    (lambda img: lessons.unsupervised_wiener(img, convkit.BANK["sobel_y"]),
     "kernel must have a non-zero sum"),
    (lambda img: lessons.richardson_lucy(img, convkit.BANK["sharpen"], 5),
     "kernel must have no negative weights"),
    (lambda img: lessons.richardson_lucy(img, MILD, 0), "iterations must be between 1 and"),
    (lambda img: lessons.richardson_lucy(img, MILD, lessons.MAX_RL_ITERATIONS + 1),
     "iterations must be between 1 and"),
    (lambda img: lessons.wiener(img, MILD, 0.0), "balance must be greater than 0"),
    (lambda img: lessons.degrade(img, MILD, -1.0), "noise must be a number of gray levels"),
    (lambda img: lessons.degrade(img, MILD, 2.0, border="mirror"), "border must be one of"),
    (lambda img: lessons.degrade(img, np.ones((41, 3)) / 123),
     r"kernel \(41 x 3\) must be no larger than the image"),
    (lambda img: lessons.degrade(np.zeros((600, 10)), MILD),
     "image must be at most 512 px on its longer side"),
    (lambda img: lessons.degrade(np.zeros((20, 20, 3)), MILD), "image must be 2-D gray"),
    (lambda img: lessons.wiener(img.astype(np.int32), MILD), "must be uint8"),
    (lambda img: lessons.unsupervised_wiener(img, MILD, max_iterations=10),
     "max_iterations must be at least 30"),
    (lambda img: lessons.restore(img, MILD, "blind"),
     r"method must be one of \['inverse', 'wiener', 'richardson_lucy', "
     r"'unsupervised_wiener'\]; got 'blind'"),
    (lambda img: lessons.restore(img, MILD, "wiener", balance=-1.0),
     "balance must be greater than 0"),
])
def test_bad_input_names_the_parameter(call, message: str) -> None:
    """Bad arguments raise ValueError saying which one and what is allowed."""
    image = np.random.default_rng(10).integers(0, 256, (32, 32)).astype(np.uint8)
    with pytest.raises(ValueError, match=message):
        call(image)
