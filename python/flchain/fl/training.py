"""Local training and evaluation of any ``torch.nn.Module`` classifier on an ArrayDataset.

The model maps a batch of features to class logits; the loss is cross-entropy.
On CPU, :func:`train_local` is deterministic for a seed: the seed drives both the
shuffling (a dedicated ``torch.Generator``) and any randomness inside the model
(``torch.manual_seed`` in a forked RNG, so the caller's global RNG is left as it was).
On CUDA the same code runs; bit-for-bit reproducibility there depends on the kernels.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from flchain.errors import LearningError
from flchain.fl.data import ArrayDataset

# The helpers below __all__ (make_optimizer, as_tensors, seeded_rng, check_schedule) are
# shared with DP-SGD training inside the layer, not part of its public API.
__all__ = ["OptimizerName", "TrainStats", "evaluate", "train_local"]

OptimizerName = Literal["sgd", "adam"]


@dataclass(frozen=True)
class TrainStats:
    """What one call of :func:`train_local` did.

    Attributes:
        loss: mean training loss over the last epoch (per sample).
        samples: number of training samples (the FedAvg weight of the update).
        steps: optimizer steps taken over all epochs.
    """

    loss: float
    samples: int
    steps: int


def train_local(
    model: nn.Module,
    data: ArrayDataset,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    optimizer: OptimizerName = "sgd",
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> TrainStats:
    """Train ``model`` in place on ``data``; return its stats.

    The model is moved to ``device`` and left there, in train mode. The optimizer is
    new on every call (no state carried across rounds), as usual in FedAvg.
    """
    check_schedule(data, epochs, lr)
    if batch_size < 1:
        raise LearningError(f"batch_size must be >= 1, got {batch_size}.")
    target = torch.device(device)
    model.to(target)
    features, labels = as_tensors(data, target)
    shuffler = torch.Generator().manual_seed(seed)
    with seeded_rng(target, seed):
        step = make_optimizer(optimizer, model, lr)
        model.train()
        loss, steps = 0.0, 0
        for _ in range(epochs):
            loss, epoch_steps = _run_epoch(model, step, features, labels, batch_size, shuffler)
            steps += epoch_steps
    return TrainStats(loss=loss, samples=len(data), steps=steps)


def evaluate(
    model: nn.Module,
    data: ArrayDataset,
    *,
    batch_size: int = 1024,
    device: torch.device | str = "cpu",
) -> tuple[float, float]:
    """Return ``(accuracy, mean cross-entropy loss)`` of ``model`` on ``data``.

    The model is moved to ``device`` and left in eval mode.
    """
    if len(data) == 0:
        raise LearningError("Cannot evaluate on an empty dataset.")
    target = torch.device(device)
    model.to(target)
    model.eval()
    features, labels = as_tensors(data, target)
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for start in range(0, len(data), batch_size):
            logits = model(features[start : start + batch_size])
            batch_labels = labels[start : start + batch_size]
            total_loss += float(nn.functional.cross_entropy(logits, batch_labels, reduction="sum"))
            correct += int((logits.argmax(dim=1) == batch_labels).sum())
    return correct / len(data), total_loss / len(data)


def _run_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    features: torch.Tensor,
    labels: torch.Tensor,
    batch_size: int,
    shuffler: torch.Generator,
) -> tuple[float, int]:
    order = torch.randperm(len(labels), generator=shuffler).to(features.device)
    total, steps = 0.0, 0
    for start in range(0, len(labels), batch_size):
        batch = order[start : start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(features[batch]), labels[batch])
        torch.autograd.backward(loss)
        optimizer.step()
        total += float(loss.detach()) * len(batch)
        steps += 1
    return total / len(labels), steps


def make_optimizer(name: OptimizerName, model: nn.Module, lr: float) -> torch.optim.Optimizer:
    """A new optimizer of kind ``name`` over ``model``'s parameters."""
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=lr)
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr)
    raise LearningError(f"optimizer must be 'sgd' or 'adam', got {name!r}.")


def as_tensors(data: ArrayDataset, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """``data``'s features and labels as tensors on ``device``."""
    # torch.from_numpy warns on read-only arrays (e.g. np.frombuffer); copy those.
    features, labels = data.features, data.labels
    if not features.flags.writeable:
        features = features.copy()
    if not labels.flags.writeable:
        labels = labels.copy()
    return torch.from_numpy(features).to(device), torch.from_numpy(labels).to(device)


@contextmanager
def seeded_rng(device: torch.device, seed: int) -> Iterator[None]:
    """Seed torch's global RNG (and ``device``'s, on CUDA) with ``seed`` inside the block, and
    give the caller's RNG state back afterwards."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def check_schedule(data: ArrayDataset, epochs: int, lr: float) -> None:
    """Raise LearningError unless ``data`` holds a sample to train on, ``epochs >= 1`` and
    ``lr > 0``: what every local training checks first."""
    if len(data) == 0:
        raise LearningError("Cannot train on an empty dataset; this shard holds no sample.")
    if epochs < 1:
        raise LearningError(f"epochs must be >= 1, got {epochs}.")
    if not lr > 0.0:
        raise LearningError(f"lr must be positive, got {lr}.")
