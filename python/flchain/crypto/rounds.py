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
from flchain.errors import DecryptionError, KeyringError

__all__ = ["RoundCipher", "derive_round_key", "key_commitment"]


def derive_round_key(owner_secret: bytes, scope: TaskScope, round_id: int) -> bytes:
    """The content key of ``round_id``, derived from the task owner's secret."""
    return hkdf(owner_secret, scope.label("round key", round_id))


def key_commitment(key: bytes, scope: TaskScope, round_id: int) -> bytes:
    """A public fingerprint of a round key (keyrings carry it, so that members can check they
    all received the same key)."""
    return hashlib.sha256(scope.label("key commitment", round_id) + key).digest()


@dataclass(frozen=True, repr=False)
class RoundCipher:
    """Seals and opens the content of one round of one task."""

    key: bytes
    scope: TaskScope
    round_id: int
    _update_key: bytes = field(init=False)
    _model_key: bytes = field(init=False)
    _commit_key: bytes = field(init=False)

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES:
            raise KeyringError(f"A round key has {KEY_BYTES} bytes, got {len(self.key)}.")
        for name, purpose in (
            ("_update_key", "update key"),
            ("_model_key", "model key"),
            ("_commit_key", "model commitment key"),
        ):
            object.__setattr__(self, name, hkdf(self.key, self.scope.label(purpose, self.round_id)))

    def __repr__(self) -> str:
        return f"RoundCipher(task={self.scope.task_id}, round={self.round_id})"

    @property
    def commitment(self) -> bytes:
        """This round key's public fingerprint."""
        return key_commitment(self.key, self.scope, self.round_id)

    def _ad(self, role: str, party: str = "") -> bytes:
        return self.scope.label(role, self.round_id, party)

    def seal_update(self, plaintext: bytes, participant: str) -> bytes:
        """Seal ``participant``'s update of this round (random nonce)."""
        return seal(self._update_key, plaintext, self._ad("update", participant))

    def open_update(self, sealed: bytes, participant: str) -> bytes:
        """The plaintext of an update revealed by ``participant``; DecryptionError otherwise."""
        return open_envelope(
            self._update_key, sealed, self._ad("update", participant),
            f"update of {participant} in task {self.scope.task_id} round {self.round_id}",
        )  # fmt: skip

    def model_commitment(self, plaintext: bytes) -> bytes:
        """HMAC-SHA256 of a plaintext global model: hiding, and binding for key holders."""
        return hmac.new(self._commit_key, plaintext, hashlib.sha256).digest()

    def seal_model(self, plaintext: bytes) -> bytes:
        """Seal this round's global model deterministically (same plaintext, same bytes)."""
        return seal_deterministic(self._model_key, self._commit_key, plaintext, self._ad("model"))

    def open_model(self, sealed: bytes) -> bytes:
        """The plaintext global model of this round; DecryptionError if it does not verify."""
        plaintext = open_envelope(
            self._model_key, sealed, self._ad("model"),
            f"global model of task {self.scope.task_id} round {self.round_id}",
        )  # fmt: skip
        # A model sealed by anyone else than seal_model (with a random nonce) is refused too.
        if nonce_of(sealed) != synthetic_nonce(self._commit_key, plaintext):
            raise DecryptionError(
                f"The global model of task {self.scope.task_id} round {self.round_id} was not "
                "sealed deterministically; aggregators could not have agreed on it."
            )
        return plaintext
