"""Client-level differential privacy: the Gaussian mechanism on model updates.

A participant's *update* here is the change it proposes, ``trained - global``. It is
clipped to L2 norm ``C`` (:func:`clip_update`), so that adding or removing one
participant changes the round's sum of updates by at most ``C``, and Gaussian noise is
added. The target is the sum carrying ``N(0, (z C)^2)`` per coordinate, which makes the
round ``(epsilon, delta)``-DP for a participant's whole data with noise multiplier ``z``
(DP-FedAvg, McMahan et al. 2018, with every member taking part in every round).

Distributed noise (:func:`noise_std`): instead of one trusted party adding all the noise,
each of the ``n`` members adds ``N(0, (z C)^2 / (n - t))``. The sum of ``n - t`` honest
shares already carries the target variance, so the guarantee survives up to ``t`` members
that collude (they know and can subtract their own shares) or add no noise at all. The
trust assumption, stated plainly:

- whoever sees the **sum** only gets the target ``z`` as long as at most ``t`` of the
  round's contributors collude or skip their noise, and at least ``n - t`` honest members
  contribute (a round with fewer contributors carries proportionally less noise);
- whoever sees **one update** alone sees noise of std ``z C / sqrt(n - t)``: the effective
  noise multiplier against that observer is ``z / sqrt(n - t)``. On flchain, revealed
  updates are readable in the store, so the aggregate-level guarantee needs updates to be
  hidden (secure aggregation) or ``t = n - 1`` (every update carries the whole noise:
  local DP, at ``n`` times the noise variance in the average).

Every function is pure and deterministic given its seed (numpy's PCG64 seeded through a
``SeedSequence``). A participant must draw that seed from a secret source: noise that
anyone can regenerate can be subtracted.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from flchain.errors import ConfigError

__all__ = ["clip_update", "gaussian_noise", "noise_std", "privatize_update", "update_norm"]

FloatArray = npt.NDArray[np.float32]


def update_norm(update: npt.NDArray[np.floating]) -> float:
    """The L2 norm of an update, accumulated in float64."""
    return float(np.linalg.norm(np.asarray(update, dtype=np.float64).ravel()))


def clip_update(update: npt.NDArray[np.floating], clip_norm: float) -> FloatArray:
    """``update`` scaled by ``min(1, clip_norm / ||update||)`` (float32): its norm is then at
    most ``clip_norm`` (up to float32 rounding, a relative 1e-6)."""
    if not (math.isfinite(clip_norm) and clip_norm > 0):
        raise ConfigError(f"clip_norm must be a finite number > 0, got {clip_norm}.")
    values = np.asarray(update, dtype=np.float64)
    norm = update_norm(values)
    if not math.isfinite(norm):
        raise ConfigError("The update holds NaN or Inf; it cannot be clipped.")
    scale = min(1.0, clip_norm / norm) if norm > 0 else 1.0
    clipped: FloatArray = (values * scale).astype(np.float32)
    return clipped


def noise_std(
    clip_norm: float, noise_multiplier: float, participants: int, colluders: int
) -> float:
    """The std of the noise each participant adds: ``z C / sqrt(max(1, n - t))`` (see the
    module docstring)."""
    if participants < 1:
        raise ConfigError(f"participants must be >= 1, got {participants}.")
    if colluders < 0:
        raise ConfigError(f"colluders must be >= 0, got {colluders}.")
    if not (noise_multiplier >= 0 and clip_norm > 0):
        raise ConfigError(
            f"noise_multiplier must be >= 0 and clip_norm > 0, got {noise_multiplier} and {clip_norm}."
        )
    shares = max(1, participants - colluders)
    return noise_multiplier * clip_norm / math.sqrt(shares)


def gaussian_noise(size: int, std: float, seed: int) -> FloatArray:
    """``size`` draws of ``N(0, std^2)`` as float32, deterministic for ``seed``."""
    if size < 0 or std < 0:
        raise ConfigError(f"size and std must be >= 0, got {size} and {std}.")
    generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    noise: FloatArray = generator.normal(0.0, std, size).astype(np.float32)
    return noise


def privatize_update(
    trained: npt.NDArray[np.floating],
    parent: npt.NDArray[np.floating],
    *,
    clip_norm: float,
    noise_multiplier: float,
    participants: int,
    colluders: int,
    seed: int,
) -> FloatArray:
    """The model a participant releases: ``parent + clip(trained - parent) + noise``,
    with the noise of :func:`noise_std` (flattened float32 vectors in, one out)."""
    trained64 = np.asarray(trained, dtype=np.float64)
    parent64 = np.asarray(parent, dtype=np.float64)
    if trained64.shape != parent64.shape:
        raise ConfigError(
            f"The trained model ({trained64.shape}) and the global model ({parent64.shape}) differ in shape."
        )
    delta = clip_update(trained64 - parent64, clip_norm).astype(np.float64)
    std = noise_std(clip_norm, noise_multiplier, participants, colluders)
    noise = gaussian_noise(delta.size, std, seed).astype(np.float64)
    released: FloatArray = (parent64 + delta + noise).astype(np.float32)
    return released
