"""Who may read a private task's round, and with which keys.

A member's X25519 key pair and the owner's round keys are derived from the account's private
key (:meth:`~flchain.chain.accounts.Signer.derive_secret`), per task: nothing to store, the
same keys after a restart, unlinkable across tasks. :class:`RoundKeySource` gives an account
the keys of a round: the task owner derives them; a member unwraps them from the round's
keyring (published on chain through RoundNotes); anyone else gets a KeyAccessError saying why.
"""

from __future__ import annotations

import logging

from flchain.chain.accounts import Signer
from flchain.crypto.envelope import is_sealed
from flchain.crypto.keyring import Keyring, RoundKeys
from flchain.crypto.keys import KeyPair
from flchain.crypto.rounds import ModelCipher, derive_round_key
from flchain.crypto.scope import TaskScope
from flchain.errors import KeyAccessError, KeyringError
from flchain.protocol.client import FLClient
from flchain.protocol.notes import NoteKind, RoundNotesClient
from flchain.protocol.records import RoundId, TaskId
from flchain.storage.store import Store

__all__ = [
    "RoundKeySource",
    "member_key_pair",
    "open_global_model",
    "owner_round_keys",
    "task_scope",
]

logger = logging.getLogger(__name__)


def task_scope(client: FLClient, task_id: TaskId) -> TaskScope:
    """The scope every key and ciphertext of ``task_id`` is bound to."""
    return TaskScope(client.deployment.chain_id, client.deployment.coordinator, task_id)


def member_key_pair(signer: Signer, scope: TaskScope) -> KeyPair:
    """The X25519 key pair ``signer`` registers when joining the task of ``scope``."""
    return KeyPair.from_secret(signer.derive_secret(scope.label("member x25519 key")))


def owner_round_keys(
    signer: Signer, scope: TaskScope, round_id: RoundId, parent_round: int
) -> RoundKeys:
    """The keys of a round as the task owner derives them (the parent's model keys too, unless
    the parent is the public initial model)."""
    secret = signer.derive_secret(scope.label("owner round keys"))
    parent = (
        ModelCipher.from_round_key(
            derive_round_key(secret, scope, parent_round), scope, parent_round
        ).material
        if parent_round
        else None
    )
    return RoundKeys(
        scope, round_id, derive_round_key(secret, scope, round_id), parent_round, parent
    )


class RoundKeySource:
    """The keys of a private task's rounds for one account (``signer``; None: no account)."""

    def __init__(
        self, client: FLClient, store: Store, task_id: TaskId, signer: Signer | None
    ) -> None:
        self.client, self.store, self.task_id, self.signer = client, store, task_id, signer
        self.scope = task_scope(client, task_id)
        self.owner = client.task(task_id).owner
        self.key_pair = member_key_pair(signer, self.scope) if signer is not None else None
        self._notes = RoundNotesClient(client)
        self._keyrings: dict[int, Keyring] = {}
        self._keys: dict[int, RoundKeys] = {}

    @property
    def is_owner(self) -> bool:
        """Whether the account is the task's owner (it derives every round's keys)."""
        return self.signer is not None and self.signer.address.lower() == self.owner.lower()

    def keyring(self, round_id: RoundId) -> Keyring | None:
        """The published keyring of a round (None: not published, yet or ever)."""
        if round_id not in self._keyrings:
            cid = self._notes.note(self.task_id, round_id, NoteKind.KEYRING)
            if cid is None:
                return None
            self._keyrings[round_id] = Keyring.from_json(self.store.get(cid), self.scope, round_id)
        return self._keyrings[round_id]

    def keys(self, round_id: RoundId) -> RoundKeys:
        """This account's keys of ``round_id``.

        Raises:
            KeyAccessError: no account, or the account is not a member of the round.
            KeyringError: the round has no keyring (yet), or a broken one.
        """
        if round_id in self._keys:
            return self._keys[round_id]
        if self.signer is None or self.key_pair is None:
            raise KeyAccessError(
                f"Task {self.task_id} is private: its updates and models are encrypted for its "
                "members; pass --account with a member's (or the owner's) account to decrypt."
            )
        if self.is_owner:
            parent = self.client.round(self.task_id, round_id).parent_round
            keys = owner_round_keys(self.signer, self.scope, round_id, parent)
        else:
            keyring = self.keyring(round_id)
            if keyring is None:
                raise KeyringError(
                    f"Task {self.task_id} round {round_id} has no keyring yet: the task owner "
                    "publishes it during the round's commit phase (`flchain task keyring`)."
                )
            keys = keyring.unwrap(self.signer.address, self.key_pair)
        self._keys[round_id] = keys
        return keys

    def model_cipher(self, round_id: RoundId) -> ModelCipher | None:
        """The cipher of the global model of ``round_id`` (None for round 0: public).

        A member who joined after ``round_id`` opened reads it with the parent key that a later
        round's keyring gave it (the model it trained from)."""
        if round_id == 0:
            return None
        try:
            return self.keys(round_id).cipher().model_cipher()
        except (KeyAccessError, KeyringError) as first:
            if self.signer is None:
                raise
            for index in range(round_id + 1, self.client.task(self.task_id).current_round + 1):
                later = RoundId(index)
                if self.client.round(self.task_id, later).parent_round != round_id:
                    break
                keyring = self.keyring(later)
                if keyring is not None and keyring.holds(self.signer.address):
                    cipher = self.keys(later).parent_cipher()
                    if cipher is not None:
                        return cipher
            raise first


def open_global_model(
    client: FLClient,
    store: Store,
    task_id: TaskId,
    round_id: RoundId,
    data: bytes,
    signer: Signer | None,
) -> bytes:
    """The plaintext of a global model's stored bytes: as is for a public model, decrypted with
    ``signer``'s keys for a private one (KeyAccessError says why an account cannot)."""
    if not is_sealed(data):
        return data
    cipher = RoundKeySource(client, store, task_id, signer).model_cipher(round_id)
    return data if cipher is None else cipher.open_model(data)
