"""The ``[privacy]`` section of a task config, resolved into the task's public DP parameters.

::

    [privacy]
    mode = "sample"        # DP-SGD in local training; "client": clip + noise each update
    epsilon = 8.0          # budget per participant over the task (optional with noise_multiplier)
    # noise_multiplier = 1.1   # default: calibrated so that task.rounds rounds spend `epsilon`
    delta = 1e-5
    clip_norm = 1.0        # per-sample gradient bound (sample) or update bound (client)
    sample_rate = 0.05     # sample mode: Poisson rate q (expected batch = q x your samples)
    colluders = 0          # client mode: distributed noise survives this many colluders
    accountant = "rdp"     # or "prv"

The resolved :class:`~flchain.fl.privacy.PrivacyParams` (noise multiplier included) go into
the task document, so the guarantee can be recomputed by anyone from the task's CID.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from flchain.errors import ConfigError
from flchain.fl.privacy import Mechanism, PrivacyParams, calibrate_noise, round_mechanism

__all__ = [
    "DEFAULT_CLIP_NORM",
    "DEFAULT_DELTA",
    "PRIVACY_KEYS",
    "budget_privacy",
    "check_client_dp",
    "parse_privacy",
]

DEFAULT_DELTA = 1e-5
DEFAULT_CLIP_NORM = 1.0
PRIVACY_KEYS = {
    "mode",
    "epsilon",
    "noise_multiplier",
    "delta",
    "clip_norm",
    "sample_rate",
    "colluders",
    "accountant",
}


def _number(table: dict[str, Any], key: str, default: float | None) -> float | None:
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"privacy.{key} must be a number, got {value!r}.")
    return float(value)


def parse_privacy(table: dict[str, Any], *, epochs: int, rounds: int) -> PrivacyParams:
    """Validate a ``[privacy]`` table; without ``noise_multiplier``, calibrate it so that
    ``rounds`` contributed rounds spend exactly the ``epsilon`` budget (to Opacus's 0.01)."""
    unknown = sorted(set(table) - PRIVACY_KEYS)
    if unknown:
        raise ConfigError(
            f"Unknown key(s) {', '.join(f'privacy.{k}' for k in unknown)}; "
            f"known: {', '.join(sorted(PRIVACY_KEYS))}."
        )
    epsilon = _number(table, "epsilon", None)
    noise = _number(table, "noise_multiplier", None)
    if epsilon is None and noise is None:
        raise ConfigError(
            "[privacy] needs an epsilon budget, a noise_multiplier, or both; e.g. epsilon = 8."
        )
    if epsilon is not None and not (math.isfinite(epsilon) and epsilon > 0):
        raise ConfigError(f"privacy.epsilon must be a finite number > 0, got {epsilon}.")
    colluders = table.get("colluders", 0)
    params = PrivacyParams(
        mode=table.get("mode", "sample"),
        noise_multiplier=noise if noise is not None else 1.0,  # placeholder until calibrated
        clip_norm=_number(table, "clip_norm", DEFAULT_CLIP_NORM) or 0.0,
        delta=_number(table, "delta", DEFAULT_DELTA) or 0.0,
        epsilon=epsilon,
        sample_rate=_number(table, "sample_rate", None),
        colluders=colluders,
        accountant=table.get("accountant", "rdp"),
    )
    if noise is None:
        assert epsilon is not None
        params = _calibrated(params, epsilon, epochs, rounds)
    return params


def check_client_dp(
    privacy: PrivacyParams, secure_aggregation: bool, max_participants: int
) -> None:
    """ConfigError when client-level DP would promise more than it gives: without secure
    aggregation every noised update is readable on its own, so each must carry the whole noise
    (``colluders >= max_participants - 1``); distributed noise needs updates hidden."""
    if privacy.mode != "client" or secure_aggregation:
        return
    if privacy.colluders < max_participants - 1:
        raise ConfigError(
            "privacy.mode = 'client' without task.secure_aggregation publishes every noised "
            "update, so each must carry the whole noise: set privacy.colluders = "
            f"{max_participants - 1} (task.max_participants - 1), or enable secure aggregation "
            "(task.private = true, task.secure_aggregation = true)."
        )


def _calibrated(params: PrivacyParams, epsilon: float, epochs: int, rounds: int) -> PrivacyParams:
    mechanism: Mechanism = round_mechanism(params, epochs)
    noise = calibrate_noise(epsilon, params.delta, mechanism, rounds, params.accountant)
    return dataclasses.replace(params, noise_multiplier=noise, epsilon=epsilon)


def budget_privacy(
    base: PrivacyParams | None,
    epsilon: float,
    *,
    batch_size: int,
    epochs: int,
    rounds: int,
    train_samples: int,
) -> PrivacyParams:
    """The privacy of a task given an epsilon budget of ``epsilon`` per participant over
    ``rounds``, with the noise calibrated to spend it.

    ``base``'s settings are kept (its budget and noise are replaced); without one,
    sample-level DP-SGD with ``delta = 1e-5``, ``clip_norm = 1`` and the sampling rate whose
    expected batch is ``batch_size`` on a shard of ``train_samples``."""
    if base is None:
        rate = min(1.0, batch_size / max(1, train_samples))
        base = PrivacyParams("sample", 1.0, DEFAULT_CLIP_NORM, DEFAULT_DELTA, sample_rate=rate)
    if not (math.isfinite(epsilon) and epsilon > 0):
        raise ConfigError(f"--dp-epsilon must be a finite number > 0, got {epsilon}.")
    return _calibrated(base, epsilon, epochs, rounds)
