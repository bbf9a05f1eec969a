"""The build-the-kernel challenges against scipy.ndimage, scipy.signal, skimage's samples and
skimage's PSNR: targets, scores, hints, and the kernels that pass or fail."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.ndimage as ndi
import scipy.signal
from skimage import data
from skimage.metrics import peak_signal_noise_ratio

import convkit
from convkit.lessons import CHALLENGES, challenge_input, challenge_target, hints, score_attempt

from .references import BORDER_NAMES

IDS = list(CHALLENGES)
SAMPLES = {"camera": data.camera, "coins": data.coins, "brick": data.brick, "moon": data.moon}


def reference_bytes(raw: np.ndarray, mapping: str) -> np.ndarray:
    """Round half to even and clip (clip), after the absolute value (abs): written here."""
    values = np.abs(raw) if mapping == "abs" else raw
    assert mapping in ("clip", "abs")
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def reference_input(challenge) -> np.ndarray:
    x, y = challenge.corner
    return SAMPLES[challenge.sample]()[y:y + 128, x:x + 128]


def reference_output(challenge, steps) -> np.ndarray:
    """Each kernel applied in turn by scipy.ndimage.correlate in float64, then mapped."""
    raw = reference_input(challenge).astype(np.float64)
    for weights in steps:
        raw = ndi.correlate(raw, np.asarray(weights, float),
                            mode=BORDER_NAMES[challenge.border].scipy)
    return reference_bytes(raw, challenge.mapping)


def near_miss(kernel: np.ndarray) -> np.ndarray:
    """The kernel with one weight changed: its largest weight made a quarter larger."""
    changed = np.array(kernel, dtype=float)
    where = np.unravel_index(np.abs(changed).argmax(), changed.shape)
    changed[where] *= 1.25
    return changed


def test_at_least_twelve_challenges_from_identity_to_composition() -> None:
    """Twelve or more, covering the kinds the lesson promises, in levels that never go down."""
    assert len(CHALLENGES) >= 12
    for kind in ("identity", "shift", "box", "gaussian", "sobel", "laplacian", "sharpen",
                 "emboss", "unsharp", "motion", "composition"):
        assert kind in CHALLENGES
    levels = [c.level for c in CHALLENGES.values()]
    assert levels == sorted(levels)


@pytest.mark.parametrize("challenge_id", IDS)
def test_input_and_target_match_scipy(challenge_id: str) -> None:
    """The input is the stated crop of skimage's sample; the target is scipy's correlation
    with the hidden steps, mapped, to within one rounding step (float32 against float64)."""
    challenge = CHALLENGES[challenge_id]
    np.testing.assert_array_equal(challenge_input(challenge), reference_input(challenge))
    target = challenge_target(challenge).astype(int)
    expected = reference_output(challenge, challenge.steps).astype(int)
    assert np.abs(target - expected).max() <= 1
    assert np.mean(target == expected) > 0.999


@pytest.mark.parametrize("challenge_id", IDS)
def test_true_kernel_passes_and_a_near_miss_fails(challenge_id: str) -> None:
    """The hidden kernel passes; the same kernel with one weight changed fails, and its
    largest difference and PSNR are numpy's and skimage's on the two pictures."""
    challenge = CHALLENGES[challenge_id]
    attempt = score_attempt(challenge, challenge.kernel)
    assert attempt.passed
    assert attempt.max_difference <= challenge.allowed_difference

    missed = near_miss(challenge.kernel)
    miss = score_attempt(challenge, missed)
    assert not miss.passed
    target = challenge_target(challenge)
    assert miss.max_difference == int(np.abs(target.astype(int) - miss.output.astype(int)).max())
    assert miss.psnr == pytest.approx(peak_signal_noise_ratio(target, miss.output,
                                                              data_range=255))
    expected = reference_output(challenge, [missed]).astype(int)
    assert np.abs(miss.output.astype(int) - expected).max() <= 1


def test_identical_output_is_infinite_psnr_said_in_words() -> None:
    """Nothing differs: skimage's PSNR is infinite, the attempt's too, written "identical"."""
    challenge = CHALLENGES["identity"]
    attempt = score_attempt(challenge, challenge.kernel)
    assert attempt.max_difference == 0 and not attempt.difference.any()
    with np.errstate(divide="ignore"):
        assert math.isinf(peak_signal_noise_ratio(challenge_target(challenge), attempt.output,
                                                  data_range=255))
    assert math.isinf(attempt.psnr) and attempt.psnr_text == "identical"


@pytest.mark.parametrize(("challenge_id", "other"), [
    ("identity", [[1.0]]),
    ("shift", np.pad([[1.0, 0, 0, 0, 0]], ((2, 2), (0, 0)))),  # 5 x 5, the row in the middle
    ("motion", np.pad(np.full((1, 7), 1 / 7), ((3, 3), (0, 0)))),
    ("sobel", -convkit.BANK["sobel_x"].weights),  # the abs mapping hides the sign
    ("half", [[0, 0, 0], [0, 0.5, 0], [0, 0, 0]]),
])
def test_other_weights_with_the_same_output_pass(challenge_id: str, other) -> None:
    """Passing is judged on the output: a different kernel giving the same picture passes."""
    challenge = CHALLENGES[challenge_id]
    other = np.asarray(other, dtype=float)
    assert other.shape != challenge.kernel.shape or not np.allclose(other, challenge.kernel)
    np.testing.assert_array_equal(reference_output(challenge, [other]),
                                  reference_output(challenge, [challenge.kernel]))
    assert score_attempt(challenge, other).passed


def test_composition_is_the_full_convolution_and_exact_with_a_wrapped_border() -> None:
    """The two-step challenge's kernel is scipy.signal's full convolution of its steps; with
    the wrapped border two correlations equal one everywhere, with a replicated border not at
    the edges (why the challenge wraps)."""
    challenge = CHALLENGES["composition"]
    first, second = challenge.steps
    combined = scipy.signal.convolve2d(first, second, mode="full")
    np.testing.assert_allclose(challenge.kernel, combined, atol=1e-12)
    assert challenge.border == "wrap"
    image = reference_input(challenge).astype(float)
    for mode, exact in (("wrap", True), ("nearest", False)):
        two = ndi.correlate(ndi.correlate(image, first, mode=mode), second, mode=mode)
        one = ndi.correlate(image, combined, mode=mode)
        assert np.allclose(two, one) == exact
        np.testing.assert_allclose(two[2:-2, 2:-2], one[2:-2, 2:-2], atol=1e-9)


@pytest.mark.parametrize("challenge_id", IDS)
def test_hints_are_true_of_the_kernel(challenge_id: str) -> None:
    """Size, symmetry, sum and signs, as the hints say them, checked with numpy."""
    challenge = CHALLENGES[challenge_id]
    weights = scipy.signal.convolve2d(challenge.steps[0], np.ones((1, 1)), mode="full")
    for step in challenge.steps[1:]:
        weights = scipy.signal.convolve2d(weights, step, mode="full")
    size, symmetry, total, signs = hints(challenge)
    height, width = weights.shape
    assert size.startswith(f"Size: {height} x {width} ")
    same_left_right = np.allclose(weights, weights[:, ::-1])
    assert ("stays the same when mirrored left to right" in symmetry) == same_left_right
    opposite_left_right = np.allclose(weights, -weights[:, ::-1])
    assert ("changes sign when the kernel is mirrored left to right" in symmetry) \
        == opposite_left_right
    assert ("mirrored top to bottom" in symmetry) == (
        np.allclose(weights, weights[::-1]) or np.allclose(weights, -weights[::-1]))
    shown = total.split(";")[0].removeprefix("Sum: the weights add up to ")
    assert float(shown.replace("\N{MINUS SIGN}", "-")) == pytest.approx(math.fsum(weights.ravel()),
                                                                       abs=1e-9)
    rows = signs.split(": ", 1)[1].split(" (")[0].split("; ")
    read = [row.split(": ")[1].split(" ") for row in rows]
    expected = [["0" if abs(w) < 1e-12 else ("+" if w > 0 else "\N{MINUS SIGN}") for w in row]
                for row in weights]
    assert read == expected


def test_unknown_challenge_and_bad_kernels_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="there is no challenge 'nope'; the challenges are "
                                         "identity, "):
        convkit.lessons.get_challenge("nope")
    challenge = CHALLENGES["box"]
    with pytest.raises(ValueError, match="your kernel must have an odd height and an odd width"):
        score_attempt(challenge, [[1.0, 2.0]])
    with pytest.raises(ValueError, match="your kernel weights must be finite"):
        score_attempt(challenge, [[np.nan]])
    with pytest.raises(ValueError, match="challenge must be a Challenge"):
        score_attempt("box", [[1.0]])
