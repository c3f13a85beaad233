"""Malicious participant behaviours, for experiments and tests only (never on by default).

Model-poisoning attacks change the update a participant trains (``poison``); data poisoning
flips its labels before training; protocol attacks misuse the contract: ``copier`` commits
nothing real and then tries to reveal another participant's CID (the contract refuses it,
so the copier is slashed as unrevealed), ``wrong-attest`` attests a model other than the one
the rule yields (a colluding minority cannot reach the quorum and is slashed).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from flchain.errors import ConfigError
from flchain.fl import ArrayDataset

__all__ = ["ATTACKS", "MODEL_ATTACKS", "check_attack", "flip_labels", "poison"]

#: Attacks on the update itself.
MODEL_ATTACKS = ("sign-flip", "boosted", "noise", "free-rider")
#: Every attack a participant can run.
ATTACKS = (*MODEL_ATTACKS, "label-flip", "copier", "wrong-attest")

SIGN_FLIP_SCALE = 4.0
BOOST_FACTOR = 10.0
NOISE_SIGMA = 1.0


def check_attack(name: str | None) -> str | None:
    """``name`` if it is a known attack (or None); ConfigError otherwise."""
    if name is not None and name not in ATTACKS:
        raise ConfigError(f"Unknown attack {name!r}; known: {', '.join(ATTACKS)}.")
    return name


def poison(
    name: str, trained: npt.NDArray[np.float32], parent: npt.NDArray[np.float32], seed: int
) -> npt.NDArray[np.float32]:
    """The update a model-poisoning participant submits instead of ``trained``."""
    delta = trained - parent
    if name == "sign-flip":
        out = parent - SIGN_FLIP_SCALE * delta
    elif name == "boosted":
        out = parent + BOOST_FACTOR * delta
    elif name == "noise":
        out = trained + np.random.default_rng(seed).normal(0.0, NOISE_SIGMA, trained.shape)
    elif name == "free-rider":
        out = parent
    else:
        raise ConfigError(
            f"{name!r} is not a model-poisoning attack; those are {', '.join(MODEL_ATTACKS)}."
        )
    return np.asarray(out, dtype=np.float32)


def flip_labels(data: ArrayDataset, num_classes: int) -> ArrayDataset:
    """Data poisoning: every label y becomes num_classes - 1 - y."""
    return ArrayDataset(data.features, (num_classes - 1 - data.labels).astype(np.int64))
