"""The task owner's side of a private task: one keyring per round, published in its commit
phase.

Who is in the keyring of round ``r`` (its *members*): every member of the task when the owner
builds it, during ``r``'s commit phase, that may work in ``r`` (joined before ``r`` opened),
registered an X25519 key, is not unbonded before ``r``, and is not expelled (slashes, applied
or still pending, inactivity penalties included, that left its stake below the minimum). A
member that left or was expelled is in no later keyring, so it cannot read later rounds; a
member that joins later is in the keyrings from its first round on, and gets the parent
model's key with them.

With secure aggregation the keyring also fixes the round's *roster*, the members whose masks
must cancel: the keyring's members minus the *dropouts*, i.e. the roster members of round
``r - 1`` that did not reveal, and the members left out of ``r - 1``'s roster that did not
attest in ``r - 1`` either (no sign of life since they dropped out). A dropout thus makes one
round fail (its masks do not cancel) and is left out of the next attempt; it is back in the
roster once it attests again. A member of ``r - 1`` whose revealed update does not open or
decode as a masked update (it made ``r - 1`` fail) is left out too. Members whose DP budget
is spent (they will not commit) are left out too, and a roster of fewer than two members is
emptied (a lone masked update is no more hidden than a plain one): the round then keeps the
parent model. Members recompute the roster from the same chain data (:func:`round_roster`)
and refuse a keyring whose roster leaves out one they expect.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from flchain.crypto.keyring import Keyring, build_keyring
from flchain.crypto.keys import usable_public_key
from flchain.crypto.masks import decode_masked
from flchain.errors import (
    DecryptionError,
    FlchainError,
    KeyAccessError,
    KeyringError,
    SecureAggregationError,
    StorageError,
)
from flchain.fl import build_model, flatten_state
from flchain.protocol.client import FLClient
from flchain.protocol.documents import TaskDocument
from flchain.protocol.notes import NoteKind, RoundNotesClient
from flchain.protocol.records import MemberInfo, RoundId, RoundInfo, RoundPhase, TaskId, TaskStatus
from flchain.protocol.settlement import inactivity_penalty, is_expelled
from flchain.roles.privacy.round_keys import RoundKeySource, owner_round_keys
from flchain.roles.privacy.view import resting_members
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = [
    "MIN_ROSTER",
    "KeyringPublisher",
    "keyring_recipients",
    "publish_keyring",
    "round_roster",
    "secure_roster",
    "unusable_reveals",
]

logger = logging.getLogger(__name__)
_NO_KEY = bytes(32)
#: The smallest secure-aggregation roster: with one member, its masked update is its update.
MIN_ROSTER = 2


def _member_addresses(client: FLClient, task_id: TaskId) -> list[str]:
    pager = client.task_events(["ParticipantJoined"], task_id)
    return list(dict.fromkeys(str(event.args["participant"]) for event in pager))


def _failures_before(round_info: Callable[[int], RoundInfo]) -> Callable[[int], int]:
    return lambda round_number: round_info(round_number).failures_before


def keyring_recipients(client: FLClient, task_id: TaskId, round_id: RoundId) -> dict[str, bytes]:
    """The members of ``round_id`` (see module docstring): lower-case address -> X25519 key."""
    task = client.task(task_id)
    recipients: dict[str, bytes] = {}
    rounds: dict[int, RoundInfo] = {}  # members mostly share their active round: read it once

    def round_info(round_number: int) -> RoundInfo:
        if round_number not in rounds:
            rounds[round_number] = client.round(task_id, RoundId(round_number))
        return rounds[round_number]

    # Pending inactivity penalties are predicted for the round being keyed only (the current one:
    # its earlier rounds are decided, so the prediction holds for the whole round).
    current = round_info(round_id) if task.current_round == round_id else None
    for address in _member_addresses(client, task_id):
        member = client.member(task_id, address)
        if not member.joined or member.first_round > round_id:
            continue
        last_counted = None
        if member.flags & MemberInfo.UNBONDING:
            last_counted = client.unbonding_last_round(task_id, address)
            if last_counted < round_id:
                continue  # unbonded before this round: it works in none after its last one
        active = round_info(member.active_round) if member.active_round else None
        penalty = 0
        if current is not None:
            failures = _failures_before(round_info)
            penalty = inactivity_penalty(task, member, active, current, failures, last_counted)
        if is_expelled(task, member, active, penalty):
            logger.info(
                "Task %s round %s: %s is expelled; not in the keyring", task_id, round_id, address
            )
            continue
        if member.encryption_key == _NO_KEY:
            logger.warning(
                "Task %s round %s: %s registered no encryption key; it cannot read the round",
                task_id, round_id, address,
            )  # fmt: skip
            continue
        if not usable_public_key(member.encryption_key):
            logger.warning(
                "Task %s round %s: %s registered %s, which is not a usable X25519 key; it is "
                "left out of the keyring and the roster",
                task_id, round_id, address, member.encryption_key.hex(),
            )  # fmt: skip
            continue
        recipients[address.lower()] = member.encryption_key
    return recipients


def secure_roster(
    client: FLClient, previous: Keyring | None, recipients: dict[str, bytes]
) -> list[str]:
    """The roster of a round: ``recipients`` minus the dropouts of the ``previous`` round."""
    if previous is None:
        return sorted(recipients)
    task_id, round_id = TaskId(previous.scope.task_id), RoundId(previous.round_id)
    revealed = {u.participant.lower() for u in client.revealed_updates(task_id, round_id)}
    attested = {a.attester.lower() for a in client.attested_results(task_id, round_id)}
    roster = set(previous.roster or ())
    dropped = {m for m in roster if m not in revealed}
    dropped |= {m for m in previous.entries if m not in roster and m not in attested}
    if dropped:
        logger.info("Task %s: dropouts of round %s left out of the next roster: %s",
                    task_id, round_id, sorted(dropped))  # fmt: skip
    return sorted(m for m in recipients if m not in dropped)


def unusable_reveals(
    client: FLClient, source: RoundKeySource, document: TaskDocument, round_id: RoundId
) -> set[str] | None:
    """The members whose revealed update of ``round_id`` does not open or decode as a masked
    update (lower-case); None if ``source``'s account cannot read the round."""
    try:
        cipher = source.keys(round_id).cipher()
    except (KeyAccessError, KeyringError):
        return None
    count = flatten_state(build_model(document.model, seed=0).state_dict()).size + 1
    unusable = set()
    for update in client.revealed_updates(source.task_id, round_id):
        try:
            data = source.store.get(update.cid)
            decode_masked(cipher.open_update(data, update.participant), count)
        except (StorageError, DecryptionError, SecureAggregationError):
            unusable.add(update.participant.lower())
    return unusable


def round_roster(
    client: FLClient,
    source: RoundKeySource,
    document: TaskDocument,
    round_id: RoundId,
    recipients: Mapping[str, bytes] | None = None,
) -> list[str]:
    """The secure-aggregation roster of ``round_id`` from chain data (see module docstring):
    the owner publishes it, members recompute it to check the keyring's (``source``: the
    caller's view of the task's keyrings; ``recipients``: :func:`keyring_recipients`).

    A member that cannot read round ``round_id - 1`` (it joined later) cannot tell an unusable
    update from a good one: it leaves out every revealer of that round, so that its check of
    the owner's roster is weaker on those, never wrong."""
    task_id = source.task_id
    if recipients is None:
        recipients = keyring_recipients(client, task_id, round_id)
    previous = source.keyring(RoundId(round_id - 1)) if round_id > 1 else None
    roster = secure_roster(client, previous, dict(recipients))
    if previous is not None:
        unusable = unusable_reveals(client, source, document, RoundId(round_id - 1))
        if unusable is None:
            revealed = client.revealed_updates(task_id, RoundId(round_id - 1))
            unusable = {u.participant.lower() for u in revealed}
        elif unusable:
            logger.info("Task %s: unusable updates of round %s, left out of the next roster: %s",
                        task_id, round_id - 1, sorted(unusable))  # fmt: skip
        roster = [m for m in roster if m not in unusable]
    resting = resting_members(client, task_id, document, roster, round_id)
    if resting:
        logger.info("Task %s round %s: budget spent, left out of the roster: %s",
                    task_id, round_id, sorted(resting))  # fmt: skip
    roster = [m for m in roster if m not in resting]
    if len(roster) < MIN_ROSTER:
        if roster:
            logger.info("Task %s round %s: a roster of %s cannot hide an update; the round "
                        "keeps the parent model", task_id, round_id, len(roster))  # fmt: skip
        return []
    return roster


def publish_keyring(
    client: FLClient, store: Store, task_id: TaskId, round_id: RoundId, document: TaskDocument
) -> Cid | None:
    """Build, store, pin and publish the keyring of ``round_id`` (the owner's ``client``, in
    the round's commit phase); None if it was already published."""
    notes = RoundNotesClient(client)
    if notes.note(task_id, round_id, NoteKind.KEYRING) is not None:
        return None
    source = RoundKeySource(client, store, task_id, client.sender.signer)
    parent = client.round(task_id, round_id).parent_round
    keys = owner_round_keys(client.sender.signer, source.scope, round_id, parent)
    recipients = keyring_recipients(client, task_id, round_id)
    roster = None
    if document.secure_aggregation:
        roster = round_roster(client, source, document, round_id, recipients)
    keyring = build_keyring(
        source.scope, round_id, parent, keys.round_key, keys.parent_model_keys, recipients, roster
    )
    cid = store.put(keyring.to_json())
    store.pin(cid)
    notes.publish(task_id, round_id, NoteKind.KEYRING, cid)
    logger.info(
        "Task %s round %s: keyring %s for %s member(s)%s", task_id, round_id, cid, len(recipients),
        f", roster of {len(roster)}" if roster is not None else "",
    )  # fmt: skip
    return cid


class KeyringPublisher:
    """The owner's duty in a private task: publish each round's keyring in its commit phase.

    Call :meth:`step` periodically (the demo conductor does), or :meth:`run` until the task
    ends (``flchain task keyring``)."""

    def __init__(self, client: FLClient, store: Store, task_id: TaskId) -> None:
        self.client, self.store, self.task_id = client, store, task_id
        task = client.task(task_id)
        if task.owner.lower() != client.sender.address.lower():
            raise FlchainError(
                f"Only the owner of task {task_id} ({task.owner}) publishes its keyrings; "
                f"{client.sender.address} is not it."
            )
        spec = task.model_spec
        document = TaskDocument.from_json(store.get(spec))
        self.document = document
        self._published: set[int] = set()

    def step(self) -> int | None:
        """Publish the current round's keyring if it is due; returns that round, or None."""
        if not self.document.private:
            return None
        round_id = self.client.task(self.task_id).current_round
        if round_id == 0 or round_id in self._published:
            return None
        if self.client.phase(self.task_id, round_id) != RoundPhase.COMMIT:
            return None
        publish_keyring(self.client, self.store, self.task_id, round_id, self.document)
        self._published.add(round_id)
        return round_id

    def __call__(self, rnd: RoundInfo) -> int | None:
        """As a duty of the demo's conductor (called with the current round): :meth:`step`."""
        return self.step() if rnd.phase == RoundPhase.COMMIT else None

    def run(
        self,
        poll_interval: float = 0.5,
        timeout: float | None = None,
        on_publish: Callable[[int], None] = lambda _round: None,
    ) -> list[int]:
        """Publish keyrings until the task is no longer active (or ``timeout`` seconds passed);
        calls ``on_publish`` with each round served, and returns them."""
        if not self.document.private:
            raise FlchainError(
                f"Task {self.task_id} is not private: it has no keyrings to publish."
            )
        started, served = time.monotonic(), []
        while self.client.task(self.task_id).status == TaskStatus.ACTIVE:
            published = self.step()
            if published is not None:
                served.append(published)
                on_publish(published)
            if timeout is not None and time.monotonic() - started > timeout:
                break
            time.sleep(poll_interval)
        return served
