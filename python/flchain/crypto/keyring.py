"""Keyrings: a round's content key, wrapped for each member of the round.

The task owner publishes one keyring per round (its CID goes on chain through RoundNotes,
kind KEYRING, during the round's commit phase). For every member of the round it holds the
round key and the keys of the round's parent global model (its model key and model
commitment key only: a member who joined late reads the model it trains from, but none of the
parent round's updates), sealed to the X25519 public key the member registered:
an ephemeral X25519 key per entry, HKDF-SHA256 of the shared secret into a one-time wrapping
key, ChaCha20-Poly1305 with the task, round and member as associated data (ECIES).

The keyring is public: it shows who may read the round, the members' public keys and
fingerprints of the keys (so every member checks it unwrapped the same key as the others).
For secure aggregation it also fixes the round's *roster*: the members whose pairwise masks
must cancel in the sum.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flchain.crypto.envelope import open_envelope, seal
from flchain.crypto.keys import KEY_BYTES, KeyPair, hkdf
from flchain.crypto.rounds import ModelCipher, RoundCipher, key_commitment, model_keys_commitment
from flchain.crypto.scope import TaskScope
from flchain.errors import DecryptionError, KeyAccessError, KeyringError

__all__ = ["Keyring", "KeyringEntry", "RoundKeys", "build_keyring"]

logger = logging.getLogger(__name__)

_KIND = "flchain-keyring"
_VERSION = 2  # 2: the parent entry holds the parent model keys, not the parent round key


@dataclass(frozen=True, repr=False)
class RoundKeys:
    """What a member unwraps from a round's keyring."""

    scope: TaskScope
    round_id: int
    round_key: bytes
    parent_round: int
    parent_model_keys: bytes | None  # ModelCipher.material; None: the parent is public

    def __repr__(self) -> str:
        return f"RoundKeys(task={self.scope.task_id}, round={self.round_id})"

    def cipher(self) -> RoundCipher:
        """Seals and opens this round's updates and global model."""
        return RoundCipher(self.round_key, self.scope, self.round_id)

    def parent_cipher(self) -> ModelCipher | None:
        """Opens the parent round's global model, not its updates (None: round 0's model is
        public)."""
        if self.parent_model_keys is None:
            return None
        return ModelCipher.from_material(self.parent_model_keys, self.scope, self.parent_round)


@dataclass(frozen=True)
class KeyringEntry:
    """One member's wrapped keys."""

    public_key: bytes  # the member's registered X25519 key
    ephemeral_key: bytes
    wrapped: bytes


def _wrapping_key(
    shared: bytes, scope: TaskScope, round_id: int, member: str, salt: bytes
) -> bytes:
    return hkdf(shared, scope.label("keyring wrap", round_id, member), salt=salt)


@dataclass(frozen=True)
class Keyring:
    """A round's keyring (see module docstring)."""

    scope: TaskScope
    round_id: int
    parent_round: int
    round_commitment: bytes
    parent_commitment: bytes | None
    entries: Mapping[str, KeyringEntry]  # lower-case address -> entry
    roster: tuple[str, ...] | None = None  # secure aggregation: lower-case addresses, sorted

    def holds(self, address: str) -> bool:
        """Whether ``address`` is a member of this round (has an entry)."""
        return address.lower() in self.entries

    def roster_keys(self) -> dict[str, bytes]:
        """The roster's registered public keys, by lower-case address."""
        return {a: self.entries[a].public_key for a in self.roster or ()}

    def unwrap(self, address: str, key_pair: KeyPair) -> RoundKeys:
        """The round's keys for ``address``.

        Raises:
            KeyAccessError: the address has no entry, or registered another public key.
            KeyringError: the entry does not open, or its keys do not match the fingerprints.
        """
        entry = self.entries.get(address.lower())
        task, rnd = self.scope.task_id, self.round_id
        if entry is None:
            raise KeyAccessError(
                f"{address} is not in the keyring of task {task} round {rnd}: only the round's "
                "members (joined before the round opened, not removed) can read it."
            )
        if entry.public_key != key_pair.public:
            raise KeyAccessError(
                f"The keyring of task {task} round {rnd} wraps the keys of {address} for the "
                f"public key {entry.public_key.hex()}, not this account's {key_pair.public.hex()}."
            )
        shared = key_pair.exchange(entry.ephemeral_key)
        wrap = _wrapping_key(
            shared, self.scope, rnd, address, entry.ephemeral_key + entry.public_key
        )
        try:
            payload = open_envelope(
                wrap, entry.wrapped, self.scope.label("keyring", rnd, address), "keyring entry"
            )
        except DecryptionError as exc:
            raise KeyringError(
                f"The keyring entry of {address} in task {task} round {rnd} does not open; "
                "the owner published a broken keyring."
            ) from exc
        expected = KEY_BYTES + (2 * KEY_BYTES if self.parent_commitment is not None else 0)
        if len(payload) != expected:
            raise KeyringError(
                f"The keyring entry of {address} in task {task} round {rnd} holds {len(payload)} "
                f"bytes of keys, not {expected}: "
                + (
                    "the parent model's keys are missing although the keyring fingerprints them."
                    if self.parent_commitment is not None
                    else "it holds parent keys although the parent model is public."
                )
                + " The owner published a broken keyring."
            )
        round_key, parent_keys = payload[:KEY_BYTES], payload[KEY_BYTES:] or None
        if key_commitment(round_key, self.scope, rnd) != self.round_commitment or (
            parent_keys is not None
            and model_keys_commitment(parent_keys, self.scope, self.parent_round)
            != self.parent_commitment
        ):
            raise KeyringError(
                f"The keys wrapped for {address} in task {task} round {rnd} differ from the "
                "keyring's fingerprints: the owner gave members different keys."
            )
        return RoundKeys(self.scope, rnd, round_key, self.parent_round, parent_keys)

    def to_json(self) -> bytes:
        """Canonical JSON."""
        doc = {
            "kind": _KIND,
            "version": _VERSION,
            "chain": self.scope.chain_id,
            "coordinator": self.scope.coordinator.lower(),
            "task": self.scope.task_id,
            "round": self.round_id,
            "parent_round": self.parent_round,
            "round_key": self.round_commitment.hex(),
            "parent_key": self.parent_commitment.hex() if self.parent_commitment else None,
            "roster": list(self.roster) if self.roster is not None else None,
            "members": {
                address: {
                    "key": e.public_key.hex(),
                    "ephemeral": e.ephemeral_key.hex(),
                    "wrapped": e.wrapped.hex(),
                }
                for address, e in sorted(self.entries.items())
            },
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes, scope: TaskScope, round_id: int) -> Keyring:
        """Parse the keyring of ``round_id`` of ``scope``'s task; KeyringError if it is not."""
        try:
            doc = json.loads(data)
            found = (
                doc["kind"],
                doc["version"],
                doc["chain"],
                doc["coordinator"],
                doc["task"],
                doc["round"],
            )
            expected = (
                _KIND,
                _VERSION,
                scope.chain_id,
                scope.coordinator.lower(),
                scope.task_id,
                round_id,
            )
            if found != expected:
                raise KeyringError(
                    f"The document is not the keyring of task {scope.task_id} round {round_id} on "
                    f"chain {scope.chain_id} (it says {found})."
                )
            entries = {
                str(address).lower(): KeyringEntry(
                    bytes.fromhex(e["key"]),
                    bytes.fromhex(e["ephemeral"]),
                    bytes.fromhex(e["wrapped"]),
                )
                for address, e in doc["members"].items()
            }
            roster = doc.get("roster")
            parent = doc.get("parent_key")
            keyring = cls(
                scope, round_id, int(doc["parent_round"]), bytes.fromhex(doc["round_key"]),
                bytes.fromhex(parent) if parent else None, entries,
                tuple(str(a).lower() for a in roster) if roster is not None else None,
            )  # fmt: skip
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyringError(
                f"The keyring of task {scope.task_id} round {round_id} is malformed ({exc!r})."
            ) from exc
        if keyring.roster is not None and not set(keyring.roster) <= set(entries):
            raise KeyringError(
                f"The roster of task {scope.task_id} round {round_id} names non-members."
            )
        return keyring


def build_keyring(
    scope: TaskScope,
    round_id: int,
    parent_round: int,
    round_key: bytes,
    parent_model_keys: bytes | None,
    recipients: Mapping[str, bytes],
    roster: Sequence[str] | None = None,
) -> Keyring:
    """Wrap ``round_key`` (and the parent's model keys, :attr:`ModelCipher.material`) for every
    recipient (address -> X25519 key). A recipient whose key gives no usable shared secret
    (an invalid or low-order key) is left out, of the roster too, with a warning."""
    if parent_model_keys is not None:
        ModelCipher.from_material(parent_model_keys, scope, parent_round)  # checks the length
    payload = round_key + (parent_model_keys or b"")
    entries: dict[str, KeyringEntry] = {}
    skipped: set[str] = set()
    for address, public in recipients.items():
        ephemeral = KeyPair.generate()
        try:
            shared = ephemeral.exchange(public)
        except KeyringError as exc:
            logger.warning(
                "Task %s round %s: %s is left out of the keyring: %s",
                scope.task_id, round_id, address, exc,
            )  # fmt: skip
            skipped.add(address.lower())
            continue
        wrap = _wrapping_key(shared, scope, round_id, address, ephemeral.public + public)
        wrapped = seal(wrap, payload, scope.label("keyring", round_id, address))
        entries[address.lower()] = KeyringEntry(public, ephemeral.public, wrapped)
    members = (
        tuple(sorted(a.lower() for a in roster if a.lower() not in skipped))
        if roster is not None
        else None
    )
    if members is not None and not set(members) <= set(entries):
        raise KeyringError("Every roster member must be a recipient of the keyring.")
    return Keyring(
        scope,
        round_id,
        parent_round,
        key_commitment(round_key, scope, round_id),
        model_keys_commitment(parent_model_keys, scope, parent_round)
        if parent_model_keys
        else None,
        entries,
        members,
    )
