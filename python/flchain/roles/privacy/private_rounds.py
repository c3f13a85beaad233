"""A participant's rounds in a private task: wait for the round's keyring, read the parent
model, seal (and, with secure aggregation, mask) its update, and aggregate.

:class:`PrivateMember` is what :class:`~flchain.roles.participant.Participant` calls when its
task document says ``private``; :func:`aggregate_private_round` is shared with ``flchain
verify``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from flchain.crypto.keyring import Keyring
from flchain.errors import FlchainError, KeyringError
from flchain.protocol.client import FLClient, Revealed
from flchain.protocol.documents import TaskDocument
from flchain.protocol.records import RoundId, TaskId
from flchain.roles.aggregator import RoundResult, aggregate_round
from flchain.roles.privacy.keyrings import MIN_ROSTER, round_roster
from flchain.roles.privacy.round_keys import RoundKeySource
from flchain.roles.privacy.secure_rounds import aggregate_secure_round, masked_update
from flchain.roles.taskfile import check_encryption
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["PrivateMember", "aggregate_private_round"]

logger = logging.getLogger(__name__)


def aggregate_private_round(
    keys: RoundKeySource,
    round_id: RoundId,
    rule: str,
    parent_cid: Cid,
    parent_sealed: bytes,
    revealed: Sequence[Revealed],
    params: Mapping[str, Any],
    secure: bool,
) -> RoundResult:
    """Aggregate a private round with ``keys``' account (see :func:`aggregate_round` and
    :func:`~flchain.roles.privacy.secure_rounds.aggregate_secure_round`); ConfigError if the task
    combines secure aggregation with another rule than FedAvg."""
    check_encryption(rule, True, secure)
    round_keys = keys.keys(round_id)
    parent_cipher = round_keys.parent_cipher()
    parent = parent_cipher.open_model(parent_sealed) if parent_cipher else parent_sealed
    task_id = keys.task_id
    if not secure:
        return aggregate_round(
            task_id, round_id, rule, parent_cid, parent, revealed, keys.store, params,
            cipher=round_keys.cipher(),
        )  # fmt: skip
    keyring = keys.keyring(round_id)
    if keyring is None or keyring.roster is None:
        raise KeyringError(f"Task {task_id} round {round_id} has no secure-aggregation roster.")
    return aggregate_secure_round(
        task_id, round_id, parent_cid, parent, revealed, keys.store, round_keys.cipher(),
        keyring.roster,
    )  # fmt: skip


class PrivateMember:
    """One participant's keys and duties in a private task."""

    def __init__(
        self,
        client: FLClient,
        store: Store,
        task_id: TaskId,
        document: TaskDocument,
        trains: bool = True,
    ) -> None:
        if document.secure_aggregation and not trains:
            raise FlchainError(
                f"Task {task_id} uses secure aggregation, where every member of a round's roster "
                "must submit a masked update; an aggregator-only node (--no-train) cannot take part."
            )
        self.client, self.task_id = client, task_id
        self.address = client.sender.address
        self.keys = RoundKeySource(client, store, task_id, client.sender.signer)
        self.document, self.secure = document, document.secure_aggregation
        self._checked: dict[int, bool] = {}

    @property
    def encryption_key(self) -> bytes:
        """The X25519 public key this participant registers for the task."""
        assert self.keys.key_pair is not None
        return self.keys.key_pair.public

    def _keyring(self, round_id: RoundId) -> Keyring | None:
        try:
            return self.keys.keyring(round_id)
        except KeyringError as exc:
            logger.error("Round %s: %s", round_id, exc)
            return None

    def can_read(self, round_id: RoundId) -> bool:
        """Whether the round's keyring is out and holds this participant."""
        keyring = self._keyring(round_id)
        if keyring is None:
            logger.debug("Round %s: waiting for the owner's keyring", round_id)
            return False
        return keyring.holds(self.address)

    def roster_size(self, round_id: RoundId) -> int | None:
        """How many members the round's secure-aggregation roster holds (None without one): the
        ``n`` of client-level DP's distributed noise, since either every roster member's noised
        update enters the sum or the round fails."""
        keyring = self._keyring(round_id) if self.secure else None
        if keyring is None or keyring.roster is None:
            return None
        return len(keyring.roster)

    def may_commit(self, round_id: RoundId) -> bool:
        """Whether to train and commit in ``round_id``: the keyring is out, holds us, and (with
        secure aggregation) rosters us with the keys its members registered on chain."""
        if round_id in self._checked:
            return self._checked[round_id]
        keyring = self._keyring(round_id)
        if keyring is None:
            return False  # not published yet: ask again at the next poll
        allowed = keyring.holds(self.address)
        if allowed and self.secure:
            allowed = self._check_roster(keyring)
        if not allowed:
            logger.info("Round %s: not in the round's keyring or roster; not committing", round_id)
        self._checked[round_id] = allowed
        return allowed

    def _check_roster(self, keyring: Keyring) -> bool:
        """Masks are agreed with the keys the keyring names: refuse a keyring whose keys are
        not the ones the roster members registered (the owner could otherwise pose as them),
        a roster too small to hide an update, or one that leaves out a member the chain says
        belongs in it (the owner could otherwise shrink the roster around a victim)."""
        roster = keyring.roster or ()
        if self.address.lower() not in roster:
            return False
        if len(roster) < MIN_ROSTER:
            logger.error(
                "Round %s: the secure-aggregation roster has %s member(s), too few to hide an "
                "update; not committing", keyring.round_id, len(roster),
            )  # fmt: skip
            return False
        expected = round_roster(self.client, self.keys, self.document, RoundId(keyring.round_id))
        missing = sorted(set(expected) - set(roster))
        if missing:
            logger.error(
                "Round %s: the roster leaves out %s, which the chain says belong in it; "
                "not committing", keyring.round_id, ", ".join(missing),
            )  # fmt: skip
            return False
        for address, key in keyring.roster_keys().items():
            registered = self.client.member(self.task_id, address).encryption_key
            if registered != key:
                logger.error(
                    "Round %s: the keyring names key %s for %s, which registered %s; not committing",
                    keyring.round_id, key.hex(), address, registered.hex(),
                )  # fmt: skip
                return False
        return True

    def open_parent(self, round_id: RoundId, data: bytes) -> bytes:
        """The plaintext parent model of ``round_id`` (``data``: the stored bytes)."""
        cipher = self.keys.keys(round_id).parent_cipher()
        return cipher.open_model(data) if cipher is not None else data

    def seal_update(self, round_id: RoundId, update: bytes, params: Mapping[str, Any]) -> bytes:
        """The bytes to commit and reveal for ``update`` (an encoded trained model)."""
        cipher = self.keys.keys(round_id).cipher()
        if not self.secure:
            return cipher.seal_update(update, self.address)
        keyring = self.keys.keyring(round_id)
        assert keyring is not None
        assert self.keys.key_pair is not None
        max_weight = params.get("max_weight")
        return masked_update(
            update, self.address, self.keys.key_pair, keyring, cipher,
            int(max_weight) if max_weight is not None else None,
        )  # fmt: skip

    def aggregate(
        self,
        round_id: RoundId,
        rule: str,
        parent_cid: Cid,
        parent_sealed: bytes,
        revealed: Sequence[Revealed],
        params: Mapping[str, Any],
    ) -> RoundResult:
        """This participant's aggregate of a private round."""
        return aggregate_private_round(
            self.keys, round_id, rule, parent_cid, parent_sealed, revealed, params, self.secure
        )
