"""Tests for convkit.lessons.descent: gradient descent against least squares and by hand."""

from __future__ import annotations

import time

import numpy as np
import pytest
from scipy import ndimage

import convkit
from convkit import lessons

RNG = np.random.default_rng(11)


# -------------------------------------------------------------------- gradient descent


@pytest.mark.parametrize("name", ["sobel_x", "sharpen", "gaussian_5", "emboss"])
def test_gradient_descent_reaches_the_hidden_kernel_on_a_clean_pair(name):
    hidden = convkit.BANK[name].weights
    inputs, target = lessons.make_training_pair(lessons.noise_image(48, seed=4), hidden)
    run = lessons.train_kernel(inputs, target, hidden.shape, learning_rate=0.1, steps=300)
    assert run.status == "converged"
    assert np.abs(run.weights - hidden).max() < 1e-6
    assert abs(run.bias) < 1e-6
    assert run.loss[0] > 1e3 * run.loss[-1]  # the loss curve really fell
    assert run.rms == pytest.approx(np.sqrt(run.loss[-1]))
    assert run.steps <= 300  # it may stop early, once nothing is left to learn
    assert run.history.shape == (run.steps + 1, *hidden.shape)
    assert run.loss.shape == (run.steps + 1,)
    np.testing.assert_array_equal(run.history[-1], run.weights)


def test_gradient_descent_learns_a_bias_too():
    hidden = convkit.BANK["box_5"].weights
    inputs, target = lessons.make_training_pair(lessons.noise_image(32, seed=1), hidden)
    run = lessons.train_kernel(inputs, target + 12.0, hidden.shape, learning_rate=0.2,
                               steps=400)
    assert np.abs(run.weights - hidden).max() < 1e-6
    assert run.bias == pytest.approx(12.0, abs=1e-5)


def test_each_step_follows_the_gradient_of_the_squared_error():
    """One step by hand: w1 = w0 - lr * dL/dw with L the mean squared error (finite diff)."""
    hidden = convkit.BANK["sharpen"].weights
    inputs, target = lessons.make_training_pair(lessons.noise_image(16, seed=2), hidden)
    run = lessons.train_kernel(inputs, target, (3, 3), learning_rate=0.01, steps=1)

    def loss(kernel: np.ndarray, bias: float) -> float:
        out = ndimage.correlate(inputs, kernel, mode="nearest") + bias
        return float(np.mean((out - target) ** 2))

    start, bias0 = run.history[0], 0.0 - run.history[0].sum() * inputs.mean()
    assert run.loss[0] == pytest.approx(loss(start, bias0), rel=1e-9)
    assert run.loss[1] == pytest.approx(loss(run.history[1], run.bias), rel=1e-9)
    assert run.loss[1] < run.loss[0]


def test_too_large_a_learning_rate_is_reported_as_divergence():
    hidden = convkit.BANK["sobel_x"].weights
    inputs, target = lessons.make_training_pair(lessons.noise_image(32), hidden)
    limit = lessons.train_kernel(inputs, target, (3, 3), steps=1).stable_below
    below = lessons.train_kernel(inputs, target, (3, 3), learning_rate=0.95 * limit, steps=400)
    above = lessons.train_kernel(inputs, target, (3, 3), learning_rate=1.3 * limit, steps=400)
    assert below.status == "converged" and below.diverged_at is None
    assert above.status == "diverged" and above.diverged_at is not None
    assert above.loss.shape == (above.diverged_at + 1,)
    assert above.loss[-1] > 100 * above.loss[0]
    huge = lessons.train_kernel(inputs, target, (3, 3), learning_rate=1e6, steps=50)
    assert huge.status == "diverged" and huge.diverged_at <= 3


def test_stable_limit_is_two_over_the_largest_curvature():
    """2 / largest eigenvalue of the Hessian of the loss, built here from the patches."""
    inputs = lessons.noise_image(20, seed=5)
    target = ndimage.correlate(inputs, np.ones((3, 3)), mode="nearest")
    run = lessons.train_kernel(inputs, target, (3, 3), steps=1)
    x = (inputs - inputs.mean()) / inputs.std()
    patches = np.lib.stride_tricks.sliding_window_view(np.pad(x, 1, mode="edge"), (3, 3))
    design = np.hstack([patches.reshape(-1, 9), np.ones((400, 1))])
    curvature = np.linalg.eigvalsh(2 / 400 * design.T @ design)[-1]
    assert run.stable_below == pytest.approx(2 / curvature, rel=1e-9)


def test_a_photo_is_harder_than_noise():
    """Neighbouring pixels alike: after the same steps the weights are further off."""
    photo = convkit.fit_to_pixels(convkit.load_sample("camera"), 256)[96:160, 96:160]
    hidden = convkit.BANK["sobel_x"].weights
    errors = []
    for source in (lessons.noise_image(64), photo):
        inputs, target = lessons.make_training_pair(source, hidden)
        run = lessons.train_kernel(inputs, target, (3, 3), learning_rate=0.1, steps=300)
        errors.append(np.abs(run.weights - hidden).max())
    assert errors[0] < 1e-6 < 1e-3 < errors[1]


def test_the_largest_run_is_well_under_a_second():
    """The biggest crop, kernel and step count, on a photo (which never stops early)."""
    side, steps = lessons.MAX_TRAIN_SIDE, lessons.MAX_TRAIN_STEPS
    photo = convkit.fit_to_pixels(convkit.load_sample("camera"), 256)[:side, :side]
    hidden = convkit.BANK["gaussian_5"].weights
    inputs, target = lessons.make_training_pair(photo, hidden)
    start = time.process_time()
    run = lessons.train_kernel(inputs, target, (5, 5), learning_rate=0.01, steps=steps)
    assert run.steps == steps
    assert time.process_time() - start < 0.5


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(learning_rate=0.0), "learning_rate must be > 0"),
    (dict(learning_rate=float("nan")), "learning_rate must be a finite number"),
    (dict(steps=lessons.MAX_TRAIN_STEPS + 1), "steps must be at most"),
    (dict(steps=0), "steps"),
])
def test_bad_training_settings_are_refused(kwargs, match):
    inputs = lessons.noise_image(8)
    with pytest.raises(ValueError, match=match):
        lessons.train_kernel(inputs, inputs, (3, 3), **kwargs)


def test_training_sizes_are_bounded():
    with pytest.raises(ValueError, match="at most 64 x 64"):
        lessons.train_kernel(np.zeros((65, 10)), np.zeros((65, 10)), (3, 3))
    with pytest.raises(ValueError, match="at most 5"):
        lessons.train_kernel(np.zeros((9, 9)), np.zeros((9, 9)), (7, 7))


# ----------------------------------------------------- what the page reads off a run


def _run(weights: np.ndarray, status: str) -> lessons.DescentRun:
    """A DescentRun ending on `weights` with `status`, the rest of its fields placeholders."""
    return lessons.DescentRun(weights=weights, bias=0.0, history=weights[None], loss=np.ones(1),
                              best_loss=0.0, learning_rate=0.1, steps=0, status=status,
                              diverged_at=None, stable_below=1.0)


def test_largest_error_by_hand_and_its_errors():
    assert lessons.largest_error([[1.0, 2.0], [0.0, -4.0]], [[1.0, 2.5], [0.25, 3.0]]) == 7.0
    assert lessons.largest_error(np.eye(3), np.eye(3)) == 0.0
    with pytest.raises(ValueError, match=r"one shape; got \(3, 3\) and \(5, 5\)"):
        lessons.largest_error(np.eye(3), np.eye(5))


def test_descent_outcome_of_real_runs():
    """A clean pair is found, too large a rate diverges, a photo in 100 steps is not found."""
    hidden = convkit.BANK["sobel_x"].weights
    inputs, target = lessons.make_training_pair(lessons.noise_image(32), hidden)
    found = lessons.train_kernel(inputs, target, (3, 3), learning_rate=0.1, steps=300)
    assert lessons.descent_outcome(found, hidden) == "found"
    wild = lessons.train_kernel(inputs, target, (3, 3), learning_rate=1e6, steps=50)
    assert lessons.descent_outcome(wild, hidden) == "diverged"
    photo = convkit.fit_to_pixels(convkit.load_sample("camera"), 256)[96:160, 96:160]
    inputs, target = lessons.make_training_pair(photo, hidden)
    slow = lessons.train_kernel(inputs, target, (3, 3), learning_rate=0.1, steps=100)
    assert lessons.descent_outcome(slow, hidden) in ("flat", "descending")
    assert np.abs(slow.weights - hidden).max() >= 1e-3


@pytest.mark.parametrize(("status", "off", "outcome"), [
    ("converged", 0.0, "found"), ("still descending", 5e-4, "found"),
    ("converged", 0.01, "flat"), ("still descending", 0.01, "descending"),
    ("diverged", 0.0, "diverged"),
])
def test_descent_outcome_by_status_and_error(status, off, outcome):
    hidden = np.arange(9.0).reshape(3, 3)
    learnt = hidden.copy()
    learnt[2, 1] += off
    assert lessons.descent_outcome(_run(learnt, status), hidden) == outcome
    assert outcome in lessons.OUTCOMES


def test_descent_outcome_refuses_a_bad_tolerance():
    run = _run(np.eye(3), "converged")
    with pytest.raises(ValueError, match=r"tolerance must be > 0; got -1"):
        lessons.descent_outcome(run, np.eye(3), tolerance=-1)
    with pytest.raises(ValueError, match=r"tolerance must be a finite number; got nan"):
        lessons.descent_outcome(run, np.eye(3), tolerance=float("nan"))


def test_small_kernels_keep_those_a_page_shows_whole():
    small = lessons.small_kernels(convkit.BANK)
    assert {"sobel_x", "sharpen", "gaussian_5", "box_5", "emboss"} <= set(small)
    assert not {"small_blur", "large_blur"} & set(small)  # 7 x 7 and 21 x 21
    assert list(small) == [name for name in convkit.BANK if name in small]  # the bank's order
    own = {"tall": convkit.Kernel("tall", np.ones((7, 3))),
           "wide": convkit.Kernel("wide", np.ones((1, 5))),
           "dot": convkit.Kernel("dot", np.ones((1, 1)))}
    assert list(lessons.small_kernels(own)) == ["wide", "dot"]
    assert list(lessons.small_kernels(own, max_side=1)) == ["dot"]
    with pytest.raises(ValueError, match="max_side"):
        lessons.small_kernels(own, max_side=0)
