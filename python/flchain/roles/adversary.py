"""Malicious participant behaviours, for experiments and tests only (never on by default).

Model-poisoning attacks change the update a participant trains (``poison``); data poisoning
flips its labels before training; protocol attacks misuse the contract: ``copier`` commits
nothing real and then tries to reveal another participant's CID (the contract refuses it,
so the copier is slashed as unrevealed), ``wrong-attest`` commits and reveals an attestation
of a model other than the one the rule yields (a colluding minority cannot reach the quorum
and is slashed). Copying an honest attestation instead is useless: attestations are
committed before any is revealed, and a commitment binds its sender.

Adaptive attacks (``alie``, ``ipm``, ``min-max``, ``min-sum``; :mod:`flchain.fl.attacks`)
need honest updates to forge theirs. In a simulation the attackers see every honest update
of the round (the worst case); on chain they cannot: commit-reveal hides every update until
the commit phase is over, and then it is too late to commit. So the colluders estimate the
honest statistics from what they have: their own honestly-trained updates, shared among
them (:class:`ColluderChannel`, a directory every colluder can reach; the demo gives one
through ``FLCHAIN_COLLUDERS=DIR:F:N``, F colluders among N participants). Each colluder
writes its trained update under the round's parent digest, waits for the others (at most
:data:`COLLUDER_WAIT_SECONDS`), forges the same vector from all of them, and adds a tiny
seeded jitter so that the aggregator does not reject the colluders' updates as copies.

A participant runs an attack through :func:`behaviour_for`: the :class:`Adversary` is a
:class:`~flchain.roles.round_steps.RoundBehaviour`, so the honest participant's steps stay
free of attack code and only ask their behaviour where one may depart from the protocol.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from flchain.errors import ConfigError, ContractRevertError
from flchain.fl import ArrayDataset, decode_state, flatten_state, unflatten_state
from flchain.fl.attacks import ADAPTIVE_ATTACKS, DEFAULT_IPM_EPS, adaptive
from flchain.protocol.commitments import new_salt
from flchain.protocol.records import RoundInfo
from flchain.roles.round_steps import RoundBehaviour, Seat

__all__ = [
    "ADAPTIVE_ATTACKS",
    "ATTACKS",
    "MODEL_ATTACKS",
    "Adversary",
    "ColluderChannel",
    "behaviour_for",
    "check_attack",
    "flip_labels",
    "poison",
]

logger = logging.getLogger(__name__)

#: Attacks on the update itself.
MODEL_ATTACKS = ("sign-flip", "boosted", "noise", "free-rider", *ADAPTIVE_ATTACKS)
#: Every attack a participant can run.
ATTACKS = (*MODEL_ATTACKS, "label-flip", "copier", "wrong-attest")

SIGN_FLIP_SCALE = 4.0
BOOST_FACTOR = 10.0
NOISE_SIGMA = 1.0
IPM_EPS = DEFAULT_IPM_EPS
COLLUDER_WAIT_SECONDS = 60.0
COLLUDERS_ENV = "FLCHAIN_COLLUDERS"


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
    elif name in ADAPTIVE_ATTACKS:
        out = _forge(name, trained, parent, seed)
    else:
        raise ConfigError(
            f"{name!r} is not a model-poisoning attack; those are {', '.join(MODEL_ATTACKS)}."
        )
    return np.asarray(out, dtype=np.float32)


@dataclass(frozen=True)
class ColluderChannel:
    """Where colluders share their honest updates: ``directory``, ``colluders`` of them
    among ``participants``."""

    directory: Path
    colluders: int
    participants: int

    @classmethod
    def from_env(cls) -> ColluderChannel | None:
        """The channel ``FLCHAIN_COLLUDERS=DIR:F:N`` names, or None."""
        value = os.environ.get(COLLUDERS_ENV)
        if not value:
            return None
        try:
            directory, colluders, participants = value.rsplit(":", 2)
            return cls(Path(directory), int(colluders), int(participants))
        except ValueError as exc:
            raise ConfigError(
                f"{COLLUDERS_ENV} must be DIR:F:N (F colluders among N participants), "
                f"got {value!r}."
            ) from exc

    def exchange(
        self, parent: npt.NDArray[np.float32], trained: npt.NDArray[np.float32], seed: int
    ) -> npt.NDArray[np.float32]:
        """Publish ``trained`` for the round of ``parent``; the colluders' updates (rows)."""
        round_dir = self.directory / hashlib.sha256(parent.tobytes()).hexdigest()[:16]
        round_dir.mkdir(parents=True, exist_ok=True)
        partial = round_dir / f"{seed}.tmp.npy"
        np.save(partial, trained)
        partial.rename(round_dir / f"{seed}.npy")
        deadline = time.monotonic() + COLLUDER_WAIT_SECONDS
        while len(list(round_dir.glob("*[0-9].npy"))) < self.colluders:
            if time.monotonic() > deadline:
                logger.warning("Only some colluders shared their update; forging from those")
                break
            time.sleep(0.2)
        paths = sorted(round_dir.glob("*[0-9].npy"))
        return np.stack([np.load(p) for p in paths]).astype(np.float32)


def _forge(
    name: str, trained: npt.NDArray[np.float32], parent: npt.NDArray[np.float32], seed: int
) -> npt.NDArray[np.float32]:
    """An adaptive attack's update from the colluders' honest updates (module docstring)."""
    channel = ColluderChannel.from_env()
    benign = trained.reshape(1, -1) if channel is None else channel.exchange(parent, trained, seed)
    colluders = channel.colluders if channel is not None else 1
    participants = channel.participants if channel is not None else 2
    forged = adaptive(
        name, benign, parent, num_participants=participants, num_malicious=colluders,
        ipm_eps=IPM_EPS,
    )  # fmt: skip
    scale = 1e-6 * float(np.abs(forged - parent).mean() or 1.0)
    jitter = np.random.default_rng(seed).normal(0.0, scale, forged.shape)
    return np.asarray(forged + jitter, dtype=np.float32)


def flip_labels(data: ArrayDataset, num_classes: int) -> ArrayDataset:
    """Data poisoning: every label y becomes num_classes - 1 - y."""
    return ArrayDataset(data.features, (num_classes - 1 - data.labels).astype(np.int64))


def behaviour_for(attack: str | None) -> RoundBehaviour:
    """The behaviour of a participant running ``attack`` (None: the honest one)."""
    name = check_attack(attack)
    return RoundBehaviour() if name is None else Adversary(name)


@dataclass(frozen=True)
class Adversary(RoundBehaviour):
    """A participant running the attack ``name`` (module docstring)."""

    name: str

    def commit(self, seat: Seat, rnd: RoundInfo) -> bool:
        if self.name != "copier":
            return False
        # Nothing real to commit: it hopes to reveal someone else's CID later.
        salt = new_salt()
        seat.journal.record(rnd.round, "copier", salt, b"")
        seat.client.commit(seat.task_id, rnd.round, new_salt(), 0x55, salt)
        return True

    def reveal(self, seat: Seat, rnd: RoundInfo, abstained: set[int]) -> bool:
        """The copier's reveal: someone else's CID with its own salt. The commitment binds the
        sender, so the contract refuses it; the copier ends the round unrevealed (slashed)."""
        if self.name != "copier":
            return False
        pending = seat.journal.pending(rnd.round)
        others = seat.client.revealed_updates(seat.task_id, rnd.round)
        if pending is None or not others or rnd.round in abstained:
            return True
        abstained.add(rnd.round)
        try:
            seat.client.reveal(
                seat.task_id, rnd.round, others[0].cid_digest, others[0].codec, pending.salt
            )
        except ContractRevertError as exc:
            logger.info(
                "Round %s: copying update %s was refused: %s",
                rnd.round,
                others[0].reveal_index,
                exc,
            )
        return True

    def training_data(self, data: ArrayDataset, num_classes: int) -> ArrayDataset:
        return flip_labels(data, num_classes) if self.name == "label-flip" else data

    def trains(self) -> bool:
        return self.name != "free-rider"

    def submitted_state(self, state: Any, parent: bytes, seed: int) -> Any:
        if self.name not in MODEL_ATTACKS:
            return state
        template = decode_state(parent)
        vector = poison(self.name, flatten_state(state), flatten_state(template), seed)
        return unflatten_state(vector, template)

    def attested_digest(self, digest: bytes) -> bytes:
        if self.name != "wrong-attest":
            return digest
        return hashlib.sha256(b"wrong model" + digest).digest()
