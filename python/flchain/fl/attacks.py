"""Attacks by malicious participants, as pure functions for experiments and tests.

Nothing here is ever applied by default: a simulation or test calls these functions
on purpose for the participants it makes malicious. Each takes the honest result (an
update vector, the global model, labels) and returns what the attacker submits;
vectors are flattened models (:func:`~flchain.fl.encoding.flatten_state`), float32.

Model poisoning (the submitted update):

- :func:`sign_flip`: the delta reversed and scaled, ``g - scale * (u - g)``; meant to
  be stopped by median, trimmed mean, (Multi-)Krum, Bulyan and FLTrust.
- :func:`boosted`: the delta scaled up, ``g + factor * (u - g)`` (model replacement);
  bounded by norm clipping and FLTrust (rescaled to the reference norm), never picked
  by Krum when the honest updates are close.
- :func:`gaussian_noise`: ``u + N(0, sigma^2)`` per parameter; with a large ``sigma``
  it is the Gaussian Byzantine attack, rejected by Krum and Bulyan, damped by median.

Data poisoning: :func:`label_flip` relabels the attacker's training data (every class
to another one, consistently), then the attacker trains honestly on it. Robust rules
only partly help: the update looks like an honest one.

Free riding and copying (no training at all):

- :func:`free_rider`: resubmits the previous global model; its delta is exactly 0.
  FLTrust gives it trust 0 (rejected); other rules merely average it in, which
  bounds the harm to a shrink of the step by the free riders' share.
- :func:`copier`: resubmits another participant's update, bit for bit. Same bytes give
  the same CID and the aggregator keeps only the first reveal of a CID; commit-reveal
  hides CIDs until the commit phase is over, so a copier cannot commit to a copy in
  time. Given identical rows anyway, our rules accept or reject them together.

Colluding attesters (on chain, nothing here): attesters recompute the round and attest
the result (global model CID, accepted set, metrics); ``FLCoordinator`` finalizes the
result whose attesters hold a stake quorum (``quorumBps`` > 50%) and slashes those who
attested another one. Every rule is deterministic, bit for bit in any row order and on
any machine, so honest attesters agree on one result, and colluders below the quorum
only get themselves slashed (``LOSING_ATTESTATION``). Colluders holding the quorum can
finalize a wrong result and have the honest minority slashed: the protocol assumes
an honest majority of stake.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from flchain.errors import ConfigError, LearningError

__all__ = ["boosted", "copier", "free_rider", "gaussian_noise", "label_flip", "sign_flip"]

Vector = npt.NDArray[np.float32]


def sign_flip(update: Vector, global_model: Vector, /, *, scale: float = 1.0) -> Vector:
    """``global - scale * (update - global)``: the honest step reversed, ``scale`` times.

    Raises:
        LearningError: the vectors differ in shape or are not float32.
        ConfigError: ``scale`` is not a finite number >= 0.
    """
    _check_pair(update, global_model)
    _check_non_negative("scale", scale)
    delta = update.astype(np.float64) - global_model
    return (global_model - scale * delta).astype(np.float32)


def boosted(update: Vector, global_model: Vector, /, *, factor: float) -> Vector:
    """``global + factor * (update - global)``: the honest step scaled by ``factor``.

    Raises:
        LearningError: the vectors differ in shape or are not float32.
        ConfigError: ``factor`` is not a finite number >= 0.
    """
    _check_pair(update, global_model)
    _check_non_negative("factor", factor)
    delta = update.astype(np.float64) - global_model
    return (global_model + factor * delta).astype(np.float32)


def gaussian_noise(update: Vector, /, *, sigma: float, seed: int) -> Vector:
    """``update`` plus independent ``N(0, sigma^2)`` noise on every parameter (seeded).

    Raises:
        LearningError: ``update`` is not float32.
        ConfigError: ``sigma`` is not a finite number >= 0.
    """
    _check_vector("update", update)
    _check_non_negative("sigma", sigma)
    noise = np.random.default_rng(seed).standard_normal(update.shape) * sigma
    return (update.astype(np.float64) + noise).astype(np.float32)


def label_flip(
    labels: npt.NDArray[np.int64], /, *, num_classes: int, seed: int
) -> npt.NDArray[np.int64]:
    """Map every class to another one by a seeded permutation with no fixed point.

    Every label changes and the same class always becomes the same wrong class, the
    strongest form of label flipping for a given mapping.

    Raises:
        ConfigError: ``num_classes < 2`` or a label outside ``[0, num_classes)``.
    """
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ConfigError(f"num_classes must be an integer >= 2, got {num_classes!r}.")
    array = np.asarray(labels)
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        raise ConfigError(
            f"labels must lie in [0, {num_classes}), got [{array.min()}, {array.max()}]."
        )
    return _derangement(num_classes, seed)[array].astype(np.int64)


def free_rider(global_model: Vector, /) -> Vector:
    """A copy of the previous global model, submitted as if it were a trained update."""
    _check_vector("global_model", global_model)
    return global_model.copy()


def copier(victim_update: Vector, /) -> Vector:
    """A bit-for-bit copy of another participant's (revealed) update."""
    _check_vector("victim_update", victim_update)
    return victim_update.copy()


def _derangement(count: int, seed: int) -> npt.NDArray[np.int64]:
    """A permutation of ``range(count)`` with no fixed point: a shuffled cycle."""
    order = np.random.default_rng(seed).permutation(count)
    mapping = np.empty(count, dtype=np.int64)
    mapping[order] = np.roll(order, -1)  # order[i] -> order[i + 1]: one cycle, no fixed point
    return mapping


def _check_pair(update: Vector, global_model: Vector) -> None:
    _check_vector("update", update)
    _check_vector("global_model", global_model)
    if update.shape != global_model.shape:
        raise LearningError(
            f"update has shape {update.shape} but global_model {global_model.shape}; "
            "both must be the same flattened model."
        )


def _check_vector(name: str, vector: Vector) -> None:
    if not isinstance(vector, np.ndarray) or vector.dtype != np.float32:
        raise LearningError(
            f"{name} must be a float32 array, got {getattr(vector, 'dtype', type(vector))}."
        )


def _check_non_negative(name: str, value: float) -> None:
    if not isinstance(value, float | int) or not np.isfinite(value) or value < 0:
        raise ConfigError(f"{name} must be a finite number >= 0, got {value!r}.")
