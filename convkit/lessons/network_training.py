"""Training the digit network in plain NumPy: backpropagation by hand and Adam.

Not for visitors: the app only evaluates the shipped weights. ``scripts/train_network.py``
runs ``train_network()`` with the defaults below and writes ``data/digit_network.npz``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .digits import SHIPPED_SEED, digit_images, split_seeds
from .network import (
    _SHAPES,
    WEIGHT_NAMES,
    DigitNetwork,
    correlate_valid,
    max_pool,
    network_from_arrays,
    softmax,
    window_columns,
)

#: The shipped weights' schedule: seed (digits.SEED), pictures, passes, batch size, step size.
SEED = SHIPPED_SEED
TRAIN_COUNT = 6000
TEST_COUNT = 2000
EPOCHS = 6
BATCH = 50
LEARNING_RATE = 0.005


@dataclass(frozen=True)
class TrainingRun:
    """A trained network and how it did on the held-back pictures.

    Attributes
    ----------
    network : DigitNetwork
    test_accuracy : float
        Share of the test pictures classified right.
    losses : tuple of float
        Mean cross-entropy over each epoch's batches.
    """

    network: DigitNetwork
    test_accuracy: float
    losses: tuple[float, ...]


def _initial_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """He-scaled normal weights, zero biases."""
    arrays = {}
    for name in WEIGHT_NAMES:
        shape = _SHAPES[name]
        if name.endswith("bias"):
            arrays[name] = np.zeros(shape, np.float32)
        else:
            fan_in = int(np.prod(shape[1:]))
            arrays[name] = (rng.normal(0, np.sqrt(2 / fan_in), shape)).astype(np.float32)
    return arrays


def _pool_backward(grad_out: np.ndarray, values: np.ndarray, pooled: np.ndarray) -> np.ndarray:
    """Route each pooled gradient to the window's maximum (ties share it; they are rare)."""
    height, width = pooled.shape[-2] * 2, pooled.shape[-1] * 2
    spread = pooled.repeat(2, axis=-2).repeat(2, axis=-1)
    mask = values[..., :height, :width] == spread
    grad = np.zeros_like(values)
    grad[..., :height, :width] = mask * grad_out.repeat(2, axis=-2).repeat(2, axis=-1)
    return grad


def _filter_gradient(grad_out: np.ndarray, inputs: np.ndarray, side: int) -> np.ndarray:
    """Each weight's gradient: the output gradients times the inputs it multiplied, summed."""
    columns, _, _ = window_columns(inputs, side, side)
    flat_grad = grad_out.transpose(0, 2, 3, 1).reshape(-1, grad_out.shape[1])
    return (flat_grad.T @ columns).reshape(grad_out.shape[1], inputs.shape[1], side, side)


def _gradients(weights: dict[str, np.ndarray], images: np.ndarray,
               labels: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """Mean cross-entropy of a batch and its gradient for every array."""
    batch = images[:, None]
    conv1 = correlate_valid(batch, weights["conv1_weights"], weights["conv1_bias"])
    relu1 = np.maximum(conv1, 0)
    pool1 = max_pool(relu1)
    conv2 = correlate_valid(pool1, weights["conv2_weights"], weights["conv2_bias"])
    relu2 = np.maximum(conv2, 0)
    pool2 = max_pool(relu2)
    flat = pool2.reshape(len(images), -1)
    scores = flat @ weights["dense_weights"].T + weights["dense_bias"]
    probabilities = softmax(scores)
    rows = np.arange(len(images))
    loss = float(-np.log(probabilities[rows, labels] + 1e-12).mean())

    grads = {}
    d_scores = probabilities.copy()
    d_scores[rows, labels] -= 1
    d_scores /= len(images)
    grads["dense_weights"] = d_scores.T @ flat
    grads["dense_bias"] = d_scores.sum(axis=0)
    d_pool2 = (d_scores @ weights["dense_weights"]).reshape(pool2.shape)
    d_conv2 = _pool_backward(d_pool2, relu2, pool2) * (conv2 > 0)
    grads["conv2_weights"] = _filter_gradient(d_conv2, pool1, 3)
    grads["conv2_bias"] = d_conv2.sum(axis=(0, 2, 3))
    # The gradient reaching pool1: every weight (i, j) sends the output's gradient back to the
    # input cells it multiplied, shifted by (i, j).
    d_pool1 = np.zeros_like(pool1)
    out_h, out_w = d_conv2.shape[2:]
    for i in range(3):
        for j in range(3):
            d_pool1[:, :, i:i + out_h, j:j + out_w] += np.tensordot(
                weights["conv2_weights"][:, :, i, j], d_conv2, axes=([0], [1])).transpose(
                1, 0, 2, 3)
    d_conv1 = _pool_backward(d_pool1, relu1, pool1) * (conv1 > 0)
    grads["conv1_weights"] = _filter_gradient(d_conv1, batch, 5)
    grads["conv1_bias"] = d_conv1.sum(axis=(0, 2, 3))
    return loss, {name: grad.astype(np.float32) for name, grad in grads.items()}


def predict(network: DigitNetwork, images: np.ndarray) -> np.ndarray:
    """The digit the network reads in each of a batch of pictures.

    Parameters
    ----------
    network : DigitNetwork
    images : numpy.ndarray
        float32 (N, 20, 20) in [0, 1].

    Returns
    -------
    numpy.ndarray
        int64 (N,).
    """
    batch = np.asarray(images, np.float32)[:, None]
    pool1 = max_pool(np.maximum(correlate_valid(batch, network.conv1_weights,
                                                network.conv1_bias), 0))
    pool2 = max_pool(np.maximum(correlate_valid(pool1, network.conv2_weights,
                                                network.conv2_bias), 0))
    scores = pool2.reshape(len(batch), -1) @ network.dense_weights.T + network.dense_bias
    return scores.argmax(axis=1)


def train_network(seed: int = SEED, train_count: int = TRAIN_COUNT, test_count: int = TEST_COUNT,
                  epochs: int = EPOCHS, batch: int = BATCH,
                  learning_rate: float = LEARNING_RATE) -> TrainingRun:
    """Train the digit network from a seed with Adam; the defaults make the shipped weights.

    Parameters
    ----------
    seed : int
        Decides the pictures, the first weights and the order of the batches.
    train_count, test_count : int
        Training and held-back test pictures.
    epochs : int
        Passes over the training pictures.
    batch : int
        Pictures per step.
    learning_rate : float
        Adam's step size.

    Returns
    -------
    TrainingRun
        The network (its test_accuracy filled in), the accuracy and the losses.
    """
    train_seed, test_seed, weight_seed = split_seeds(seed)
    train_images, train_labels = digit_images(train_count, train_seed)
    test_images, test_labels = digit_images(test_count, test_seed)
    rng = np.random.default_rng(weight_seed)
    weights = _initial_weights(rng)
    first = {name: np.zeros_like(array) for name, array in weights.items()}
    second = {name: np.zeros_like(array) for name, array in weights.items()}
    beta1, beta2, step = 0.9, 0.999, 0
    losses = []
    for _ in range(epochs):
        order = rng.permutation(train_count)
        epoch_losses = []
        for start in range(0, train_count, batch):
            chosen = order[start:start + batch]
            loss, grads = _gradients(weights, train_images[chosen], train_labels[chosen])
            epoch_losses.append(loss)
            step += 1
            for name, grad in grads.items():
                first[name] = beta1 * first[name] + (1 - beta1) * grad
                second[name] = beta2 * second[name] + (1 - beta2) * grad * grad
                corrected = first[name] / (1 - beta1 ** step)
                scale = np.sqrt(second[name] / (1 - beta2 ** step)) + 1e-8
                weights[name] = (weights[name] - learning_rate * corrected / scale).astype(
                    np.float32)
        losses.append(float(np.mean(epoch_losses)))
    trained = network_from_arrays(weights)
    accuracy = float(np.mean(predict(trained, test_images) == test_labels))
    return TrainingRun(network_from_arrays(weights, accuracy, seed), accuracy, tuple(losses))


def save_network(run: TrainingRun, path) -> None:
    """Write a run's weights, seed and test accuracy to an .npz file (float32, compressed)."""
    arrays = {name: getattr(run.network, name) for name in WEIGHT_NAMES}
    np.savez_compressed(path, **arrays, test_accuracy=np.float64(run.test_accuracy),
                        seed=np.int64(run.network.seed))
