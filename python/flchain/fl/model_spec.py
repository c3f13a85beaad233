"""What a task's model is: a :class:`ModelSpec`, a small frozen value that serializes to
canonical JSON bytes (sorted keys, no whitespace, ASCII), so that a task can store it by CID
and every participant rebuilds the same architecture (:func:`flchain.fl.models.build_model`).

Pure Python: reading and checking a spec imports no torch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, cast, get_args

from flchain.errors import ConfigError

__all__ = ["SPEC_VERSION", "ModelFamily", "ModelSpec"]

ModelFamily = Literal["logreg", "mlp", "cnn"]
SPEC_VERSION = 1
"""Version of the spec's JSON layout, stored in it as ``"version"``."""

_FAMILIES: tuple[str, ...] = get_args(ModelFamily)
_KEYS = {"version", "family", "input_shape", "num_classes", "hidden_sizes", "channels"}


@dataclass(frozen=True)
class ModelSpec:
    """What to build: the model family and its sizes.

    Attributes:
        family: ``"logreg"`` (one linear layer), ``"mlp"`` (``hidden_sizes`` ReLU layers)
            or ``"cnn"`` (one 3x3 conv + ReLU + 2x2 max-pool block per entry of
            ``channels``, then ``hidden_sizes`` dense layers).
        input_shape: shape of one sample, without the batch axis, e.g. ``(1, 8, 8)``
            for scikit-learn digits or ``(1, 28, 28)`` for MNIST; ``cnn`` needs
            ``(channels, height, width)``.
        num_classes: number of output logits.
        hidden_sizes: widths of the dense hidden layers (``mlp``, ``cnn``).
        channels: output channels of the conv blocks (``cnn`` only).
    """

    family: ModelFamily
    input_shape: tuple[int, ...]
    num_classes: int
    hidden_sizes: tuple[int, ...] = ()
    channels: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.family not in _FAMILIES:
            raise ConfigError(f"family must be one of {_FAMILIES}, got {self.family!r}.")
        _check_sizes("input_shape", self.input_shape, allow_empty=False)
        _check_sizes("hidden_sizes", self.hidden_sizes, allow_empty=True)
        _check_sizes("channels", self.channels, allow_empty=True)
        if not _is_int(self.num_classes) or self.num_classes < 2:
            raise ConfigError(f"num_classes must be an integer >= 2, got {self.num_classes!r}.")
        if self.family == "logreg" and self.hidden_sizes:
            raise ConfigError("hidden_sizes must be empty for family 'logreg'.")
        if self.family != "cnn" and self.channels:
            raise ConfigError(f"channels is only for family 'cnn', not {self.family!r}.")
        if self.family == "cnn":
            _check_cnn_shape(self.input_shape, self.channels)

    def to_json(self) -> bytes:
        """Canonical JSON bytes: the same spec always gives the same bytes."""
        document = {
            "version": SPEC_VERSION,
            "family": self.family,
            "input_shape": list(self.input_shape),
            "num_classes": self.num_classes,
            "hidden_sizes": list(self.hidden_sizes),
            "channels": list(self.channels),
        }
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return text.encode("ascii")

    @classmethod
    def from_json(cls, data: bytes) -> ModelSpec:
        """Parse bytes written by :meth:`to_json`; ConfigError names the bad key."""
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"A model spec must be JSON; {exc}.") from exc
        if not isinstance(document, dict):
            raise ConfigError("A model spec must be a JSON object.")
        unknown = sorted(set(document) - _KEYS)
        if unknown:
            raise ConfigError(f"Unknown model spec key(s): {', '.join(unknown)}.")
        if document.get("version") != SPEC_VERSION:
            raise ConfigError(
                f"Model spec version {document.get('version')!r} is not supported; "
                f"expected {SPEC_VERSION}."
            )
        for key in ("family", "input_shape", "num_classes"):
            if key not in document:
                raise ConfigError(f"Model spec misses the key {key!r}.")
        return cls(
            family=cast(ModelFamily, document["family"]),
            input_shape=_tuple_of("input_shape", document["input_shape"]),
            num_classes=document["num_classes"],
            hidden_sizes=_tuple_of("hidden_sizes", document.get("hidden_sizes", [])),
            channels=_tuple_of("channels", document.get("channels", [])),
        )


def _check_cnn_shape(shape: tuple[int, ...], channels: tuple[int, ...]) -> None:
    if len(shape) != 3:
        raise ConfigError(f"input_shape must be (channels, height, width) for 'cnn', got {shape}.")
    if not channels:
        raise ConfigError("channels must name at least one conv block for family 'cnn'.")
    smallest = 2 ** len(channels)
    if shape[1] < smallest or shape[2] < smallest:
        raise ConfigError(
            f"input_shape {shape} is too small for {len(channels)} pooling blocks; "
            f"height and width must be >= {smallest}."
        )


def _check_sizes(key: str, values: object, *, allow_empty: bool) -> None:
    if not isinstance(values, tuple) or not all(_is_int(v) and v >= 1 for v in values):
        raise ConfigError(f"{key} must be a tuple of positive integers, got {values!r}.")
    if not values and not allow_empty:
        raise ConfigError(f"{key} must not be empty.")


def _tuple_of(key: str, value: object) -> tuple[int, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{key} must be a JSON list of integers, got {value!r}.")
    return tuple(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
