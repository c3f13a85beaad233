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

Adaptive model poisoning, from the honest updates the attackers know (``benign``: model
vectors, one per row; in a simulation the round's honest updates, the worst case; on chain,
under commit-reveal, only what the colluders have, e.g. their own honestly-trained updates):

- :func:`alie` ("A Little Is Enough", Baruch et al., NeurIPS 2019): ``mean - z * std``
  coordinate-wise, ``z`` from ``n`` and ``f`` so that the attackers look like the
  majority's fringe; hides inside the honest spread.
- :func:`ipm` (inner-product manipulation, Xie et al., UAI 2020): ``-eps * mean``, the
  mean step reversed and shrunk; a small ``eps`` keeps it close to the honest updates.
- :func:`min_max` and :func:`min_sum` (Shejwalkar & Houmansadr, NDSS 2021): ``mean + gamma
  * p`` for a perturbation ``p`` (``-std``, ``-unit(mean)`` or ``-sign(mean)``), with the
  largest ``gamma`` for which the malicious update is no farther from any honest update
  (min-max) or in total (min-sum) than the honest updates are from each other.

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

import statistics
from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt

from flchain.errors import ConfigError, LearningError

__all__ = [
    "ADAPTIVE_ATTACKS",
    "DEFAULT_IPM_EPS",
    "PERTURBATIONS",
    "adaptive",
    "alie",
    "alie_z",
    "boosted",
    "copier",
    "free_rider",
    "gaussian_noise",
    "ipm",
    "label_flip",
    "min_max",
    "min_sum",
    "sign_flip",
]

Vector = npt.NDArray[np.float32]
Perturbation = Literal["std", "unit", "sign"]
PERTURBATIONS: tuple[Perturbation, ...] = ("std", "unit", "sign")
#: Attacks forged from benign updates (see :func:`adaptive`).
ADAPTIVE_ATTACKS = ("alie", "ipm", "min-max", "min-sum")
#: IPM's ``eps`` in :func:`adaptive`: the mean honest step reversed, half as long.
DEFAULT_IPM_EPS = 0.5


def sign_flip(update: Vector, global_model: Vector, /, *, scale: float = 1.0) -> Vector:
    """``global - scale * (update - global)``: the honest step reversed, ``scale`` times.

    Raises:
        LearningError: the vectors differ in shape or are not float32.
        ConfigError: ``scale`` is not a finite number >= 0.
    """
    _check_pair(update, global_model)
    _check_non_negative("scale", scale)
    return _stepped(update, global_model, -scale)


def boosted(update: Vector, global_model: Vector, /, *, factor: float) -> Vector:
    """``global + factor * (update - global)``: the honest step scaled by ``factor``.

    Raises:
        LearningError: the vectors differ in shape or are not float32.
        ConfigError: ``factor`` is not a finite number >= 0.
    """
    _check_pair(update, global_model)
    _check_non_negative("factor", factor)
    return _stepped(update, global_model, factor)


def _stepped(update: Vector, global_model: Vector, factor: float) -> Vector:
    """``global + factor * (update - global)`` in float64, rounded once to float32."""
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


def alie_z(num_participants: int, num_malicious: int) -> float:
    """Baruch et al.'s ``z_max``: ``s = floor(n / 2 + 1) - f`` honest updates must lie
    beyond the attackers, so ``z = Phi^-1((n - s) / n)``.

    Raises:
        ConfigError: not ``0 < f < n``.
    """
    n, f = num_participants, num_malicious
    if not (isinstance(n, int) and isinstance(f, int) and 0 < f < n):
        raise ConfigError(f"ALIE needs 0 < num_malicious < num_participants, got f={f}, n={n}.")
    supporters = n // 2 + 1 - f
    quantile = min(max((n - supporters) / n, 1e-6), 1 - 1e-6)
    return statistics.NormalDist().inv_cdf(quantile)


def adaptive(
    attack: str,
    benign: npt.NDArray[np.float32],
    global_model: Vector,
    /,
    *,
    num_participants: int,
    num_malicious: int,
    ipm_eps: float = DEFAULT_IPM_EPS,
) -> Vector:
    """The one vector every attacker sends under an adaptive ``attack`` (one of
    :data:`ADAPTIVE_ATTACKS`), forged from the ``benign`` rows it knows; min-max and min-sum
    with their default perturbation.

    Raises:
        ConfigError: an unknown attack, or a bad count or ``ipm_eps`` (see each attack).
        LearningError: malformed ``benign`` or ``global_model``.
    """
    if attack == "alie":
        return alie(benign, num_participants=num_participants, num_malicious=num_malicious)
    if attack == "ipm":
        return ipm(benign, global_model, eps=ipm_eps)
    if attack == "min-max":
        return min_max(benign, global_model)
    if attack == "min-sum":
        return min_sum(benign, global_model)
    raise ConfigError(
        f"Unknown adaptive attack {attack!r}; choose one of {', '.join(ADAPTIVE_ATTACKS)}."
    )


def alie(
    benign: npt.NDArray[np.float32], /, *, num_participants: int, num_malicious: int
) -> Vector:
    """``mean - z * std`` of the ``benign`` rows, coordinate-wise (``z``: :func:`alie_z`).

    Raises:
        LearningError: ``benign`` is not a non-empty 2-D float32 array.
        ConfigError: not ``0 < num_malicious < num_participants``.
    """
    _check_matrix(benign)
    z = alie_z(num_participants, num_malicious)
    rows = benign.astype(np.float64)
    return np.asarray(rows.mean(axis=0) - z * rows.std(axis=0), dtype=np.float32)


def ipm(benign: npt.NDArray[np.float32], global_model: Vector, /, *, eps: float) -> Vector:
    """``global - eps * mean(benign - global)``: the mean honest step reversed, ``eps`` times.

    Raises:
        LearningError: malformed ``benign`` or ``global_model``.
        ConfigError: ``eps`` is not a finite number >= 0.
    """
    deltas = _deltas(benign, global_model)
    _check_non_negative("eps", eps)
    return np.asarray(global_model - eps * deltas.mean(axis=0), dtype=np.float32)


def min_max(
    benign: npt.NDArray[np.float32],
    global_model: Vector,
    /,
    *,
    perturbation: Perturbation = "std",
) -> Vector:
    """``mean + gamma * p``, the largest ``gamma`` keeping its largest distance to a benign
    update within the largest distance between two benign updates.

    Raises:
        LearningError: malformed ``benign`` or ``global_model``.
        ConfigError: an unknown ``perturbation``.
    """
    deltas = _deltas(benign, global_model)
    bound = float(_sq_distances(deltas, deltas).max())
    return _shifted(deltas, global_model, perturbation, lambda d: float(d.max()) <= bound)


def min_sum(
    benign: npt.NDArray[np.float32],
    global_model: Vector,
    /,
    *,
    perturbation: Perturbation = "std",
) -> Vector:
    """``mean + gamma * p``, the largest ``gamma`` keeping its summed squared distance to the
    benign updates within the largest such sum of a benign update.

    Raises:
        LearningError: malformed ``benign`` or ``global_model``.
        ConfigError: an unknown ``perturbation``.
    """
    deltas = _deltas(benign, global_model)
    bound = float(_sq_distances(deltas, deltas).sum(axis=1).max())
    return _shifted(deltas, global_model, perturbation, lambda d: float(d.sum()) <= bound)


def _shifted(
    deltas: npt.NDArray[np.float64],
    global_model: Vector,
    perturbation: Perturbation,
    fits: Callable[[npt.NDArray[np.float64]], bool],
) -> Vector:
    """``global + mean + gamma * p`` for the largest ``gamma`` (bisection) that ``fits``."""
    mean = deltas.mean(axis=0)
    if perturbation == "std":
        direction = -deltas.std(axis=0)
    elif perturbation == "unit":
        direction = -mean / max(float(np.linalg.norm(mean)), 1e-12)
    elif perturbation == "sign":
        direction = -np.sign(mean)
    else:
        raise ConfigError(
            f"Unknown perturbation {perturbation!r}; known: {', '.join(PERTURBATIONS)}."
        )

    def ok(gamma: float) -> bool:
        candidate = (mean + gamma * direction).reshape(1, -1)
        return fits(_sq_distances(candidate, deltas)[0])

    low, high = 0.0, 1.0
    while ok(high) and high < 1e6:
        low, high = high, high * 2.0
    for _ in range(40):
        middle = (low + high) / 2.0
        low, high = (middle, high) if ok(middle) else (low, middle)
    return np.asarray(global_model + mean + low * direction, dtype=np.float32)


def _sq_distances(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Squared Euclidean distances between the rows of ``a`` and those of ``b``."""
    return np.array([((b - row) ** 2).sum(axis=1) for row in a])


def _deltas(benign: npt.NDArray[np.float32], global_model: Vector) -> npt.NDArray[np.float64]:
    _check_matrix(benign)
    _check_vector("global_model", global_model)
    if benign.shape[1:] != global_model.shape:
        raise LearningError(
            f"benign rows have {benign.shape[1]} values but global_model {global_model.shape}."
        )
    deltas: npt.NDArray[np.float64] = benign.astype(np.float64) - global_model
    return deltas


def _check_matrix(benign: npt.NDArray[np.float32]) -> None:
    if not isinstance(benign, np.ndarray) or benign.dtype != np.float32 or benign.ndim != 2:
        raise LearningError(
            "benign must be a 2-D float32 array (one honest update per row), got "
            f"{getattr(benign, 'dtype', type(benign))} of shape {getattr(benign, 'shape', None)}."
        )
    if benign.shape[0] == 0:
        raise LearningError("benign must hold at least one honest update.")


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
