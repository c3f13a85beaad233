"""Round keys: one 32-byte content key per (task, round), and what is sealed under it.

The task owner derives the key of round ``r`` from a secret of its own (so it can always
re-derive any round's key, with nothing to store) and hands it to the round's members in
the round's keyring (:mod:`flchain.crypto.keyring`). Sub-keys are separated by HKDF:

- updates of round ``r``: random nonce, associated data (task, round, "update", sender);
- the global model of round ``r``: deterministic (synthetic nonce), associated data
  (task, round, "model"), so every aggregator derives the same ciphertext and CID;
- the model commitment: HMAC-SHA256 of the plaintext model under a commitment key. It goes
  in the round's public metrics document, whose digest the chain keeps: it binds the
  ciphertext on chain to one plaintext, and hides it from anyone without the key.

The model key and the model commitment key alone (a :class:`ModelCipher`) read a round's
global model but none of its updates: that is all a later round's keyring hands a member
who joined after the round (it trains from that model).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from flchain.crypto.envelope import (
    nonce_of,
    open_envelope,
    seal,
    seal_deterministic,
    synthetic_nonce,
)
from flchain.crypto.keys import KEY_BYTES, hkdf
from flchain.crypto.scope import TaskScope
from flchain.errors import DecryptionError, KeyAccessError, KeyringError

__all__ = [
    "ModelCipher",
    "RoundCipher",
    "derive_round_key",
    "key_commitment",
    "model_keys_commitment",
]


def derive_round_key(owner_secret: bytes, scope: TaskScope, round_id: int) -> bytes:
    """The content key of ``round_id``, derived from the task owner's secret."""
    return hkdf(owner_secret, scope.label("round key", round_id))


def key_commitment(key: bytes, scope: TaskScope, round_id: int) -> bytes:
    """A public fingerprint of a round key (keyrings carry it, so that members can check they
    all received the same key)."""
    return hashlib.sha256(scope.label("key commitment", round_id) + key).digest()


@dataclass(frozen=True, repr=False)
class ModelCipher:
    """Seals and opens the global model of one round (not its updates): its model key and
    model commitment key, as HKDF derives them from the round key."""

    model_key: bytes
    commit_key: bytes
    scope: TaskScope
    round_id: int

    def __post_init__(self) -> None:
        if len(self.model_key) != KEY_BYTES or len(self.commit_key) != KEY_BYTES:
            raise KeyringError(f"A model key and a commitment key have {KEY_BYTES} bytes each.")

    @classmethod
    def from_round_key(cls, round_key: bytes, scope: TaskScope, round_id: int) -> ModelCipher:
        """The model keys of the round whose content key is ``round_key``."""
        if len(round_key) != KEY_BYTES:
            raise KeyringError(f"A round key has {KEY_BYTES} bytes, got {len(round_key)}.")
        return cls(
            hkdf(round_key, scope.label("model key", round_id)),
            hkdf(round_key, scope.label("model commitment key", round_id)),
            scope,
            round_id,
        )

    @classmethod
    def from_material(cls, material: bytes, scope: TaskScope, round_id: int) -> ModelCipher:
        """The cipher of :attr:`material` (the two keys, as a keyring wraps them)."""
        if len(material) != 2 * KEY_BYTES:
            raise KeyringError(f"Model keys have {2 * KEY_BYTES} bytes, got {len(material)}.")
        return cls(material[:KEY_BYTES], material[KEY_BYTES:], scope, round_id)

    @property
    def material(self) -> bytes:
        """The model key then the commitment key (what a keyring wraps for the parent)."""
        return self.model_key + self.commit_key

    @property
    def commitment(self) -> bytes:
        """A public fingerprint of these keys."""
        return model_keys_commitment(self.material, self.scope, self.round_id)

    def __repr__(self) -> str:
        return f"ModelCipher(task={self.scope.task_id}, round={self.round_id})"

    def model_commitment(self, plaintext: bytes) -> bytes:
        """HMAC-SHA256 of a plaintext global model: hiding, and binding for key holders."""
        return hmac.new(self.commit_key, plaintext, hashlib.sha256).digest()

    def seal_model(self, plaintext: bytes) -> bytes:
        """Seal this round's global model deterministically (same plaintext, same bytes)."""
        return seal_deterministic(
            self.model_key, self.commit_key, plaintext, self.scope.label("model", self.round_id)
        )

    def open_model(self, sealed: bytes) -> bytes:
        """The plaintext global model of this round; DecryptionError if it does not verify."""
        plaintext = open_envelope(
            self.model_key, sealed, self.scope.label("model", self.round_id),
            f"global model of task {self.scope.task_id} round {self.round_id}",
        )  # fmt: skip
        # A model sealed by anyone else than seal_model (with a random nonce) is refused too.
        if nonce_of(sealed) != synthetic_nonce(self.commit_key, plaintext):
            raise DecryptionError(
                f"The global model of task {self.scope.task_id} round {self.round_id} was not "
                "sealed deterministically; aggregators could not have agreed on it."
            )
        return plaintext

    def open_update(self, sealed: bytes, participant: str) -> bytes:
        """Always KeyAccessError: the model keys do not open the round's updates."""
        raise KeyAccessError(
            f"Only the global model of task {self.scope.task_id} round {self.round_id} can be "
            f"read with these keys, not the update of {participant}: a round's updates are for "
            "its own members."
        )


def model_keys_commitment(material: bytes, scope: TaskScope, round_id: int) -> bytes:
    """A public fingerprint of a round's model keys (:attr:`ModelCipher.material`)."""
    return hashlib.sha256(scope.label("model keys commitment", round_id) + material).digest()


@dataclass(frozen=True, repr=False)
class RoundCipher:
    """Seals and opens the content of one round of one task."""

    key: bytes
    scope: TaskScope
    round_id: int
    _update_key: bytes = field(init=False)
    _model: ModelCipher = field(init=False)

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES:
            raise KeyringError(f"A round key has {KEY_BYTES} bytes, got {len(self.key)}.")
        update_key = hkdf(self.key, self.scope.label("update key", self.round_id))
        object.__setattr__(self, "_update_key", update_key)
        object.__setattr__(
            self, "_model", ModelCipher.from_round_key(self.key, self.scope, self.round_id)
        )

    def __repr__(self) -> str:
        return f"RoundCipher(task={self.scope.task_id}, round={self.round_id})"

    @property
    def commitment(self) -> bytes:
        """This round key's public fingerprint."""
        return key_commitment(self.key, self.scope, self.round_id)

    def model_cipher(self) -> ModelCipher:
        """The keys of this round's global model only (what a later round's keyring wraps)."""
        return self._model

    def seal_update(self, plaintext: bytes, participant: str) -> bytes:
        """Seal ``participant``'s update of this round (random nonce)."""
        return seal(
            self._update_key, plaintext, self.scope.label("update", self.round_id, participant)
        )

    def open_update(self, sealed: bytes, participant: str) -> bytes:
        """The plaintext of an update revealed by ``participant``; DecryptionError otherwise."""
        return open_envelope(
            self._update_key, sealed, self.scope.label("update", self.round_id, participant),
            f"update of {participant} in task {self.scope.task_id} round {self.round_id}",
        )  # fmt: skip

    def model_commitment(self, plaintext: bytes) -> bytes:
        """HMAC-SHA256 of a plaintext global model: hiding, and binding for key holders."""
        return self._model.model_commitment(plaintext)

    def seal_model(self, plaintext: bytes) -> bytes:
        """Seal this round's global model deterministically (same plaintext, same bytes)."""
        return self._model.seal_model(plaintext)

    def open_model(self, sealed: bytes) -> bytes:
        """The plaintext global model of this round; DecryptionError if it does not verify."""
        return self._model.open_model(sealed)
