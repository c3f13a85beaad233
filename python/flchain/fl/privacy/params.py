"""The public differential-privacy parameters of a task.

They are stored in the task document at task creation, so that anyone can recompute every
participant's privacy loss from public data: the mode, the noise multiplier ``z``, the
clipping norm ``C``, ``delta``, the budget, the sampling rate (sample mode) and the
accountant. :meth:`PrivacyParams.to_dict` gives the canonical JSON form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from flchain.errors import ConfigError

__all__ = ["AccountantName", "PrivacyMode", "PrivacyParams"]

PrivacyMode = Literal["sample", "client"]
AccountantName = Literal["rdp", "prv"]

_MODES: tuple[str, ...] = get_args(PrivacyMode)
_ACCOUNTANTS: tuple[str, ...] = get_args(AccountantName)
_KEYS = {
    "mode",
    "noise_multiplier",
    "clip_norm",
    "delta",
    "epsilon",
    "sample_rate",
    "colluders",
    "accountant",
}


@dataclass(frozen=True)
class PrivacyParams:
    """How a task's participants privatize what they release, and their budget.

    Attributes:
        mode: ``"sample"``: DP-SGD in local training (each participant's guarantee covers
            any one of its training samples); ``"client"``: each update is clipped to
            ``clip_norm`` and noised (the guarantee covers a participant's whole data).
        noise_multiplier: ``z``; the Gaussian noise has std ``z * clip_norm`` (per step of
            DP-SGD, or on the sum of a round's updates in client mode).
        clip_norm: ``C``, the L2 bound of each per-sample gradient (sample mode) or of
            each update, i.e. the change from the global model (client mode).
        delta: the ``delta`` of the reported ``(epsilon, delta)`` guarantee.
        epsilon: the budget per participant over the whole task; None: no budget (epsilon
            is still reported). A participant stops contributing updates before the round
            that would take it past the budget.
        sample_rate: sample mode: the Poisson sampling rate ``q`` of DP-SGD (the expected
            batch is ``q`` times the participant's number of samples; a round is
            ``epochs * round(1 / q)`` steps).
        colluders: client mode: how many of the round's contributors may collude (or add
            no noise) without the sum carrying less than the target noise; every
            participant adds ``N(0, (z C)^2 / (n - colluders))`` with ``n`` the task's
            members (``colluders >= n - 1``: each update carries the whole noise).
        accountant: ``"rdp"`` (Opacus ``RDPAccountant``, default orders) or ``"prv"``
            (Opacus ``PRVAccountant``).
    """

    mode: PrivacyMode
    noise_multiplier: float
    clip_norm: float
    delta: float
    epsilon: float | None = None
    sample_rate: float | None = None
    colluders: int = 0
    accountant: AccountantName = "rdp"

    def __post_init__(self) -> None:
        if self.mode not in _MODES:
            raise ConfigError(f"privacy.mode must be 'sample' or 'client', got {self.mode!r}.")
        if self.accountant not in _ACCOUNTANTS:
            raise ConfigError(
                f"privacy.accountant must be 'rdp' or 'prv', got {self.accountant!r}."
            )
        _positive("noise_multiplier", self.noise_multiplier)
        _positive("clip_norm", self.clip_norm)
        if not (_is_number(self.delta) and 0.0 < self.delta < 1.0):
            raise ConfigError(f"privacy.delta must be within (0, 1), got {self.delta!r}.")
        if self.epsilon is not None:
            _positive("epsilon", self.epsilon)
        if self.mode == "sample":
            if self.sample_rate is None or not (
                _is_number(self.sample_rate) and 0.0 < self.sample_rate <= 1.0
            ):
                raise ConfigError(
                    "privacy.sample_rate must be within (0, 1] in sample mode (the expected "
                    f"batch is sample_rate x the participant's samples), got {self.sample_rate!r}."
                )
        elif self.sample_rate is not None:
            raise ConfigError("privacy.sample_rate is for mode 'sample' only; remove it.")
        if not isinstance(self.colluders, int) or isinstance(self.colluders, bool):
            raise ConfigError(f"privacy.colluders must be an integer, got {self.colluders!r}.")
        if self.colluders < 0:
            raise ConfigError(f"privacy.colluders must be >= 0, got {self.colluders}.")

    @property
    def steps_per_epoch(self) -> int:
        """DP-SGD steps per local epoch (sample mode): ``round(1 / sample_rate)``; 1 in
        client mode (one release per round)."""
        if self.sample_rate is None:
            return 1
        return max(1, round(1.0 / self.sample_rate))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object stored in the task document (every key, None included)."""
        return {
            "mode": self.mode,
            "noise_multiplier": self.noise_multiplier,
            "clip_norm": self.clip_norm,
            "delta": self.delta,
            "epsilon": self.epsilon,
            "sample_rate": self.sample_rate,
            "colluders": self.colluders,
            "accountant": self.accountant,
        }

    @classmethod
    def from_dict(cls, document: Any) -> PrivacyParams:
        """Parse :meth:`to_dict`'s object; ConfigError names the bad key."""
        if not isinstance(document, dict):
            raise ConfigError("The privacy parameters must be a JSON object.")
        unknown = sorted(set(document) - _KEYS)
        if unknown:
            raise ConfigError(f"Unknown privacy key(s): {', '.join(unknown)}.")
        for key in ("mode", "noise_multiplier", "clip_norm", "delta"):
            if key not in document:
                raise ConfigError(f"The privacy parameters miss the key {key!r}.")
        return cls(
            mode=cast(PrivacyMode, document["mode"]),
            noise_multiplier=_float(document["noise_multiplier"]),
            clip_norm=_float(document["clip_norm"]),
            delta=_float(document["delta"]),
            epsilon=None if document.get("epsilon") is None else _float(document["epsilon"]),
            sample_rate=(
                None if document.get("sample_rate") is None else _float(document["sample_rate"])
            ),
            colluders=document.get("colluders", 0),
            accountant=cast(AccountantName, document.get("accountant", "rdp")),
        )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _float(value: Any) -> float:
    """A JSON number as a float; anything else is passed on for __post_init__ to refuse."""
    return float(value) if _is_number(value) else value


def _positive(key: str, value: object) -> None:
    if not (_is_number(value) and math.isfinite(cast(float, value)) and cast(float, value) > 0):
        raise ConfigError(f"privacy.{key} must be a finite number > 0, got {value!r}.")
