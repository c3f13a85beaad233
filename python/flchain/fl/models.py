"""Model specs and the models they build: logistic regression, an MLP, a small CNN.

A :class:`ModelSpec` is a small frozen value that serializes to canonical JSON bytes
(sorted keys, no whitespace, ASCII), so that a task can store it by CID and every
participant rebuilds the same architecture. :func:`build_model` is deterministic for
a seed: the same spec and seed give bit-identical initial weights on CPU.

Any user ``torch.nn.Module`` works with the training and encoding functions as well;
a spec is only needed to rebuild one of the built-in families from the chain.
"""

from __future__ import annotations

import math
import os

import torch
from torch import nn

from flchain.errors import ConfigError
from flchain.fl.model_spec import SPEC_VERSION, ModelFamily, ModelSpec

__all__ = [
    "DEVICE_ENV",
    "SPEC_VERSION",
    "ModelFamily",
    "ModelSpec",
    "build_model",
    "select_device",
]


def build_model(spec: ModelSpec, seed: int) -> nn.Module:
    """Build the spec's model on CPU with weights initialised from ``seed``.

    The global torch RNG of the caller is left untouched.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if spec.family == "logreg":
            in_features = math.prod(spec.input_shape)
            return nn.Sequential(nn.Flatten(), nn.Linear(in_features, spec.num_classes))
        if spec.family == "mlp":
            return nn.Sequential(nn.Flatten(), *_dense_stack(math.prod(spec.input_shape), spec))
        return _build_cnn(spec)


#: Environment variable naming the device to train on (``auto``, ``cpu``, ``cuda[:N]``).
DEVICE_ENV = "FLCHAIN_DEVICE"


def select_device(preference: str | None = None) -> torch.device:
    """The device ``preference`` names (default ``$FLCHAIN_DEVICE``, else ``auto``: CUDA
    when available, else CPU); ConfigError if it names a device this machine lacks."""
    text = (preference or os.environ.get(DEVICE_ENV) or "auto").strip().lower()
    if text == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if text == "cpu":
        return torch.device("cpu")
    kind, _, index = text.partition(":")
    if kind != "cuda" or (index and not index.isdigit()):
        raise ConfigError(f"Device {text!r} is not one of auto, cpu, cuda, cuda:N.")
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if int(index or 0) >= count:
        raise ConfigError(
            f"Device {text!r}: this machine has {count} CUDA device(s); use auto or cpu."
        )
    return torch.device(text)


def _build_cnn(spec: ModelSpec) -> nn.Module:
    in_channels, height, width = spec.input_shape
    layers: list[nn.Module] = []
    for out_channels in spec.channels:
        layers += [nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        in_channels, height, width = out_channels, height // 2, width // 2
    layers.append(nn.Flatten())
    layers += _dense_stack(in_channels * height * width, spec)
    return nn.Sequential(*layers)


def _dense_stack(in_features: int, spec: ModelSpec) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for width in spec.hidden_sizes:
        layers += [nn.Linear(in_features, width), nn.ReLU()]
        in_features = width
    layers.append(nn.Linear(in_features, spec.num_classes))
    return layers
