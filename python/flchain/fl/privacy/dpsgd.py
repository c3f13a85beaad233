"""Sample-level DP-SGD in local training, with Opacus's per-sample gradients and optimizer.

Each step samples every training example independently with probability ``q`` (Poisson
sampling, the assumption of the accountant), computes per-sample gradients (Opacus
``GradSampleModule``), clips each to L2 norm ``C``, sums them, adds ``N(0, (z C)^2)`` and
divides by the expected batch ``q n`` (Opacus ``DPOptimizer``). An epoch is
``round(1 / q)`` steps. The model is trained in place; afterwards it carries no Opacus hook.

Deterministic on CPU for a seed: it drives the sampling, the noise and any randomness in the
model. A participant must draw that seed from a secret source (sampling and noise that
anyone can regenerate give no privacy). Opacus's ``secure_mode`` (a CSPRNG and defences
against floating-point attacks) is not used: the torch generator is seeded from the
participant's secret seed.

Only models whose every trainable layer has an Opacus grad sampler are accepted (Linear,
Conv, Embedding, LayerNorm, GroupNorm, ...: every model of :mod:`flchain.fl.models`), and
none that mixes samples of a batch (BatchNorm): :func:`check_private_trainable` refuses the
others with a PrivacyError naming the layer.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import torch
from torch import nn

from flchain.errors import PrivacyError
from flchain.fl.data import ArrayDataset
from flchain.fl.privacy.params import PrivacyParams
from flchain.fl.training import (
    OptimizerName,
    TrainStats,
    as_tensors,
    check_schedule,
    make_optimizer,
    seeded_rng,
    train_local,
)

if TYPE_CHECKING:  # Opacus takes ~1.5 s to import: only tasks with DP pay for it
    from opacus.grad_sample import GradSampleModule
    from opacus.optimizers import DPOptimizer

__all__ = ["check_private_trainable", "train_local_private", "train_with_privacy"]

#: torch warns that the first layer's full backward hook fires without input gradients
#: (the inputs are data); Opacus's per-sample gradients are computed correctly regardless.
_HOOK_WARNING = "Full backward hook is firing"


def check_private_trainable(model: nn.Module) -> None:
    """Raise PrivacyError unless Opacus can compute exact per-sample gradients of ``model``."""
    from opacus.grad_sample import GradSampleModule
    from opacus.utils.module_utils import trainable_modules
    from opacus.validators import ModuleValidator

    training = model.training
    model.train()  # the validator also refuses a model in eval mode: not a property of layers
    try:
        errors = ModuleValidator.validate(model, strict=False)
    finally:
        model.train(training)
    problems = [str(error).split(". ")[0] for error in errors]
    for name, module in trainable_modules(model):
        if type(module) not in GradSampleModule.GRAD_SAMPLERS:
            problems.append(f"layer {name!r} ({type(module).__name__}) has no per-sample gradient")
        elif any(True for _ in module.buffers(recurse=False)):
            problems.append(f"layer {name!r} ({type(module).__name__}) keeps buffers")
    if problems:
        raise PrivacyError(
            f"DP-SGD cannot train this model: {'; '.join(problems)}; use layers Opacus supports "
            "per sample (Linear, Conv, Embedding, LayerNorm, GroupNorm; no BatchNorm)."
        )


def train_local_private(
    model: nn.Module,
    data: ArrayDataset,
    *,
    epochs: int,
    sample_rate: float,
    lr: float,
    noise_multiplier: float,
    clip_norm: float,
    optimizer: OptimizerName = "sgd",
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> TrainStats:
    """Train ``model`` in place with DP-SGD (see the module docstring); return its stats.

    ``stats.steps`` is ``epochs * round(1 / sample_rate)``; ``stats.loss`` the mean loss over
    the samples drawn in the last epoch.
    """
    from opacus.grad_sample import GradSampleModule
    from opacus.optimizers import DPOptimizer

    check_schedule(data, epochs, lr)
    _check_noise(sample_rate, noise_multiplier, clip_norm)
    check_private_trainable(model)
    target = torch.device(device)
    model.to(target)
    features, labels = as_tensors(data, target)
    steps_per_epoch = max(1, round(1.0 / sample_rate))
    sampler = torch.Generator().manual_seed(seed)
    noise = torch.Generator(device=target).manual_seed(seed + 1)
    with seeded_rng(target, seed), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_HOOK_WARNING)
        wrapped = GradSampleModule(model, loss_reduction="sum")
        step = DPOptimizer(
            make_optimizer(optimizer, model, lr),
            noise_multiplier=noise_multiplier,
            max_grad_norm=clip_norm,
            expected_batch_size=sample_rate * len(data),
            loss_reduction="mean",
            generator=noise,
        )
        try:
            wrapped.train()
            loss = 0.0
            for _ in range(epochs):
                loss = _run_epoch(
                    wrapped, step, features, labels, sample_rate, steps_per_epoch, sampler
                )
        finally:
            _detach(wrapped, step)
    return TrainStats(loss=loss, samples=len(data), steps=epochs * steps_per_epoch)


def _run_epoch(
    model: GradSampleModule,
    optimizer: DPOptimizer,
    features: torch.Tensor,
    labels: torch.Tensor,
    sample_rate: float,
    steps: int,
    sampler: torch.Generator,
) -> float:
    """``steps`` Poisson-sampled steps; the mean loss over the samples drawn."""
    total, drawn = 0.0, 0
    for _ in range(steps):
        mask = torch.rand(len(labels), generator=sampler) < sample_rate
        batch = mask.nonzero().squeeze(1).to(features.device)
        optimizer.zero_grad(set_to_none=True)
        # Summed loss: an empty batch (possible under Poisson sampling) is a valid step whose
        # update is noise only; the optimizer divides by the *expected* batch size.
        loss = nn.functional.cross_entropy(model(features[batch]), labels[batch], reduction="sum")
        torch.autograd.backward(loss)
        optimizer.step()
        total += float(loss.detach())
        drawn += len(batch)
    return total / max(1, drawn)


def _detach(wrapped: GradSampleModule, optimizer: DPOptimizer) -> None:
    """Remove Opacus's hooks and per-sample state: the model is a plain module again."""
    optimizer.zero_grad(set_to_none=True)
    wrapped._close()
    for parameter in wrapped._module.parameters():
        for attribute in ("grad_sample", "summed_grad", "_forward_counter"):
            if hasattr(parameter, attribute):
                delattr(parameter, attribute)
        parameter.grad = None


def _check_noise(sample_rate: float, noise_multiplier: float, clip_norm: float) -> None:
    """Raise PrivacyError unless DP-SGD's sampling rate, noise and clipping norm make sense."""
    if not 0.0 < sample_rate <= 1.0:
        raise PrivacyError(f"sample_rate must be within (0, 1], got {sample_rate}.")
    if not (math.isfinite(noise_multiplier) and noise_multiplier >= 0.0):
        raise PrivacyError(f"noise_multiplier must be >= 0, got {noise_multiplier}.")
    if not (math.isfinite(clip_norm) and clip_norm > 0.0):
        raise PrivacyError(f"clip_norm must be > 0, got {clip_norm}.")


def train_with_privacy(
    model: nn.Module,
    data: ArrayDataset,
    privacy: PrivacyParams | None,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    optimizer: OptimizerName = "sgd",
    seed: int = 0,
    private_seed: int | None = None,
    device: torch.device | str = "cpu",
) -> TrainStats:
    """Local training as a task's privacy says: DP-SGD for sample-level DP (seeded by
    ``private_seed``, default ``seed``), else plain training (client-level DP noises the
    update afterwards, see :func:`privatize_update`)."""
    if privacy is not None and privacy.mode == "sample":
        assert privacy.sample_rate is not None
        return train_local_private(
            model, data, epochs=epochs, sample_rate=privacy.sample_rate, lr=lr,
            noise_multiplier=privacy.noise_multiplier, clip_norm=privacy.clip_norm,
            optimizer=optimizer, seed=seed if private_seed is None else private_seed, device=device,
        )  # fmt: skip
    return train_local(
        model, data, epochs=epochs, batch_size=batch_size, lr=lr, optimizer=optimizer, seed=seed,
        device=device,
    )  # fmt: skip
