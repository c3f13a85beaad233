"""The participant: joins a task, and each round trains on its private data, commits,
reveals, aggregates every revealed update itself, commits an attestation of the result and
reveals it, finalizes, and finally claims.

Every decision is taken from chain state (plus the local journal), so a participant killed
at any point and restarted picks up where the chain says it is and never commits twice.
Transitions that are anyone's to make (finalizing a round that reached quorum, restarting a
failed round) are attempted by every participant; losing such a race is normal.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flchain.errors import (
    AggregationError,
    ConfigError,
    ContractRevertError,
    EncryptionError,
    FlchainError,
    TransactionError,
)
from flchain.fl import (
    SAMPLES_KEY,
    ArrayDataset,
    build_model,
    encode_state,
    load_into,
    rule_name,
    select_device,
)
from flchain.protocol.client import FLClient
from flchain.protocol.config_bounds import terms_of_task, unsafe_terms
from flchain.protocol.documents import TaskDocument
from flchain.protocol.records import (
    MemberInfo,
    RoundId,
    RoundInfo,
    RoundPhase,
    TaskId,
    TaskInfo,
    TaskStatus,
)
from flchain.roles.adversary import behaviour_for
from flchain.roles.journal import open_journal
from flchain.roles.privacy.private_rounds import PrivateMember
from flchain.roles.privacy.training import PrivacyLedger, fit_local, release_state
from flchain.roles.round_steps import (
    Seat,
    aggregate_revealed,
    commit_attestation,
    commit_pending,
    finalize_attested,
    finalize_winner,
    global_model,
    record_attestation,
    record_update,
    reveal_attestation,
    reveal_stored,
    store_pending,
)
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["Participant", "ParticipantOptions", "ParticipantReport"]

logger = logging.getLogger(__name__)

# Reverts that mean "someone else already did it" or "the phase moved on": not failures.
# TaskOwnerWindow: after a failed round only the owner may act for a while; retry later.
_RACES = {
    "RoundWrongPhase",
    "TaskRoundInProgress",
    "FinalizeResultMismatch",
    "TaskNotActive",
    "TaskOwnerWindow",
}
_MAX_FAILURES = 5


@dataclass(frozen=True)
class ParticipantOptions:
    """How a participant behaves."""

    stake: int | None = None  # None: the task's minimum stake
    train: bool = True  # False: aggregator-only (attests without training)
    poll_interval: float = 0.2
    journal_dir: Path = Path(".flchain/participants")
    timeout: float | None = None  # stop after this many seconds without the task ending
    claim_at_end: bool = True
    attack: str | None = None  # experiments only: see roles/adversary.py


@dataclass
class ParticipantReport:
    """What a participant did, for logs and summaries."""

    address: str
    committed: list[int] = field(default_factory=list)
    revealed: list[int] = field(default_factory=list)
    attested: list[int] = field(default_factory=list)
    finalized: list[int] = field(default_factory=list)
    claimed: int = 0


class _ExpelledError(Exception):
    """Slashes left this member's stake below the task's minimum: it may only leave."""


class Participant:
    """One participant of one task (see module docstring)."""

    def __init__(
        self,
        client: FLClient,
        store: Store,
        task_id: TaskId,
        data: ArrayDataset | None,
        options: ParticipantOptions = ParticipantOptions(),
        on_event: Callable[[str, RoundId], None] | None = None,
    ) -> None:
        if options.train and (data is None or len(data) == 0):
            raise FlchainError(
                "A training participant needs a non-empty dataset; pass --data, or --no-train."
            )
        self.client, self.store, self.task_id, self.data, self.options = (
            client,
            store,
            task_id,
            data,
            options,
        )
        self.address = client.address
        self.journal = open_journal(options.journal_dir, client, task_id)  # chain+genesis+...
        self.seat = Seat(client, store, task_id, self.journal)
        self.report = ParticipantReport(self.address)
        self._on_event = on_event or (lambda _what, _round: None)
        self._device = select_device()
        self._document: TaskDocument | None = None
        self._failures = 0
        self._abstained: set[int] = set()  # rounds this node could not aggregate
        self._skipped: set[int] = set()  # rounds this node could not prepare an update for
        self._private: PrivateMember | None = None  # a private task's keys and duties
        self._ledger: PrivacyLedger | None = None
        self._behaviour = behaviour_for(options.attack)  # honest unless an experiment's attack

    # ------------------------------------------------------------------ the loop

    def run(self) -> ParticipantReport:
        """Join if needed, then work every round until the task is no longer active."""
        started = time.monotonic()
        self._ensure_joined()
        while True:
            task = self.client.task(self.task_id)
            if task.status != TaskStatus.ACTIVE:
                break
            if task.current_round:
                try:
                    self._step(task, self.client.round(self.task_id, task.current_round))
                except _ExpelledError:
                    self._leave_understaked()
                    return self.report
            if (
                self.options.timeout is not None
                and time.monotonic() - started > self.options.timeout
            ):
                raise FlchainError(
                    f"Task {self.task_id} did not end within {self.options.timeout:.0f} s; stopped waiting."
                )
            time.sleep(self.options.poll_interval)
        if self.options.claim_at_end:
            self._claim()
        return self.report

    def _step(self, task: TaskInfo, rnd: RoundInfo) -> None:
        member = self.client.member(self.task_id, self.address)
        eligible = member.first_round <= rnd.round and not member.flags & MemberInfo.UNDERSTAKED
        try:
            if rnd.phase == RoundPhase.COMMIT and eligible and self.options.train:
                if not member.did(MemberInfo.COMMITTED, rnd.round):
                    self._commit(rnd)
            elif rnd.phase == RoundPhase.REVEAL and member.did(MemberInfo.COMMITTED, rnd.round):
                if not member.did(MemberInfo.REVEALED, rnd.round):
                    self._reveal(rnd)
            elif (
                rnd.phase == RoundPhase.ATTEST_COMMIT
                and eligible
                and not member.did(MemberInfo.ATTEST_COMMITTED, rnd.round)
            ):
                self._attest(rnd)
            elif (
                rnd.phase == RoundPhase.ATTEST_REVEAL
                and member.did(MemberInfo.ATTEST_COMMITTED, rnd.round)
                and not member.did(MemberInfo.ATTESTED, rnd.round)
            ):
                self._reveal_attestation(rnd)
            elif rnd.phase == RoundPhase.QUORUM_REACHED:
                self._finalize(rnd)
            elif rnd.phase == RoundPhase.FAILED:
                self.client.start_round(self.task_id)
                logger.info(
                    "Task %s round %s failed; started the next attempt", self.task_id, rnd.round
                )
        except ContractRevertError as exc:
            if exc.error_name == "MemberUnderstaked":
                raise _ExpelledError from exc
            if exc.error_name not in _RACES:
                raise
            logger.debug("Lost a race in round %s: %s", rnd.round, exc)
        except TransactionError as exc:
            # The chain moved between our reading and our transaction (e.g. it ran out of gas
            # on a changed path). The next step re-reads the chain and retries what is left.
            self._failures += 1
            if self._failures >= _MAX_FAILURES:
                raise
            logger.warning("Round %s: %s; retrying from chain state", rnd.round, exc)
        else:
            self._failures = 0

    # ------------------------------------------------------------------ steps

    def _privacy(self) -> PrivateMember | None:
        """The private task's keys and duties (None for a task without privacy)."""
        if self._private is None and self.document().private:
            self._private = PrivateMember(
                self.client, self.store, self.task_id, self.document(), self.options.train
            )
        return self._private

    def _ensure_joined(self) -> None:
        member = self.client.member(self.task_id, self.address)
        private = self._privacy()
        key = private.encryption_key if private is not None else bytes(32)
        if member.joined:
            if private is not None and member.encryption_key != key:
                self.client.set_encryption_key(self.task_id, key)
            return
        task = self.client.task(self.task_id)
        problems = unsafe_terms(terms_of_task(task))
        if problems:  # e.g. a task made on an older coordinator: refuse before staking
            raise ConfigError(f"Task {self.task_id} is unsafe to join: {problems[0]}")
        self.client.join(self.task_id, self.options.stake or task.min_stake, key)
        self._on_event("joined", RoundId(0))
        logger.info("Joined task %s as %s", self.task_id, self.address)

    def document(self) -> TaskDocument:
        """The task document (model spec and training settings), fetched once and verified."""
        if self._document is None:
            task = self.client.task(self.task_id)
            cid = Cid.from_chain(task.model_spec_digest, task.model_spec_codec)
            self._document = TaskDocument.from_json(self.store.get(cid))
        return self._document

    def privacy_ledger(self) -> PrivacyLedger:
        """The ledger of the privacy this participant spent in the task (no-op without DP)."""
        if self._ledger is None:
            doc = self.document()
            self._ledger = PrivacyLedger(self.journal.directory, doc.privacy, doc.training.epochs)
        return self._ledger

    def _commit(self, rnd: RoundInfo) -> None:
        if self._behaviour.commit(self.seat, rnd):
            self.report.committed.append(rnd.round)
            return
        pending = self.journal.pending(rnd.round)
        private = self._privacy()
        if pending is None and private is not None and not private.may_commit(rnd.round):
            return  # no keyring yet (or not in it): nothing to train from
        if pending is None:
            if rnd.round in self._skipped or not self.privacy_ledger().allows(rnd.round):
                return  # skipped, or budget spent (logged and recorded by the ledger)
            try:
                update = self._train(rnd)
                if private is not None:
                    params = json.loads(self.client.task(self.task_id).aggregation_params or b"{}")
                    update = private.seal_update(rnd.round, update, params)
            except (EncryptionError, AggregationError) as exc:
                self._skipped.add(rnd.round)
                logger.error("Round %s: cannot prepare an update (%s); skipping the round",
                             rnd.round, exc)  # fmt: skip
                return
            self.privacy_ledger().charge(rnd.round)
            pending = record_update(self.seat, rnd.round, update)
        commit_pending(self.seat, rnd.round, pending)
        self.report.committed.append(rnd.round)
        self._on_event("committed", rnd.round)

    def _noise_shares(self, round_id: RoundId) -> int:
        """The ``n`` of distributed DP noise: the secure-aggregation roster, else the members."""
        private = self._privacy()
        roster = private.roster_size(round_id) if private is not None else None
        return roster or self.client.task(self.task_id).member_count

    def _train(self, rnd: RoundInfo) -> bytes:
        assert self.data is not None
        doc = self.document()
        _, parent = global_model(self.seat, rnd.parent_round)
        if self._private is not None:
            parent = self._private.open_parent(rnd.round, parent)
        model = build_model(doc.model, seed=0)
        load_into(model, parent)
        seed = int.from_bytes(
            hashlib.sha256(f"{self.address}:{rnd.round}".encode()).digest()[:4], "big"
        )
        data = self._behaviour.training_data(self.data, doc.model.num_classes)
        if self._behaviour.trains():
            stats = fit_local(model, data, doc, seed=seed, device=self._device)
            logger.info(
                "Round %s: trained on %s samples, loss %.4f", rnd.round, stats.samples, stats.loss
            )
        state, samples = release_state(
            model.cpu().state_dict(), parent, doc, len(data), lambda: self._noise_shares(rnd.round)
        )
        state = self._behaviour.submitted_state(state, parent, seed)
        return encode_state(state, {SAMPLES_KEY: str(samples)})

    def _reveal(self, rnd: RoundInfo) -> None:
        if self._behaviour.reveal(self.seat, rnd, self._abstained):
            return
        pending = self.journal.pending(rnd.round)
        if pending is None:
            logger.warning(
                "Round %s: committed but the journal lost the salt; cannot reveal", rnd.round
            )
            return
        reveal_stored(self.seat, rnd.round, store_pending(self.seat, pending), pending.salt)
        self.report.revealed.append(rnd.round)
        self._on_event("revealed", rnd.round)

    def _attest(self, rnd: RoundInfo) -> None:
        if rnd.round in self._abstained:
            return
        task = self.client.task(self.task_id)
        parent_cid, parent = global_model(self.seat, rnd.parent_round)
        revealed = self.client.revealed_updates(self.task_id, rnd.round)
        rule, params = (
            rule_name(task.aggregation_rule),
            json.loads(task.aggregation_params or b"{}"),
        )
        private = self._privacy()
        if private is not None and not private.can_read(rnd.round):
            return
        try:
            if private is not None:
                result = private.aggregate(rnd.round, rule, parent_cid, parent, revealed, params)
            else:
                result = aggregate_revealed(
                    self.seat, rnd, rule, params, (parent_cid, parent), revealed
                )
        except (AggregationError, EncryptionError) as exc:
            self._abstained.add(rnd.round)
            logger.error("Round %s cannot be aggregated (%s); not attesting", rnd.round, exc)
            return
        self.store.pin(result.model_cid)
        digest = self._behaviour.attested_digest(result.model_cid.to_chain()[0])
        # Journaled before the commit: a restart in the reveal half can still reveal it.
        commit_attestation(self.seat, record_attestation(self.seat, rnd.round, result, digest))
        self._on_event("attest committed", rnd.round)

    def _reveal_attestation(self, rnd: RoundInfo) -> None:
        pending = self.journal.pending_attestation(rnd.round)
        if pending is None:
            logger.warning(
                "Round %s: attestation committed but the journal lost it; cannot reveal",
                rnd.round,
            )
            return
        quorum = reveal_attestation(self.seat, pending)
        self.report.attested.append(rnd.round)
        self._on_event("attested", rnd.round)
        if quorum:
            finalize_attested(self.seat, pending)
            self.report.finalized.append(rnd.round)
            self._on_event("finalized", rnd.round)

    def _finalize(self, rnd: RoundInfo) -> None:
        if finalize_winner(self.seat, rnd):
            self.report.finalized.append(rnd.round)
            self._on_event("finalized", rnd.round)

    def _leave_understaked(self) -> None:
        self.client.settle(self.task_id, self.address)
        member = self.client.member(self.task_id, self.address)
        logger.warning(
            "Slashes left the stake at %s, below the task's minimum: leaving task %s with it",
            member.stake, self.task_id,
        )  # fmt: skip
        self.client.leave(self.task_id)
        self.report.claimed = member.rewards
        self._on_event("left", RoundId(0))

    def _claim(self) -> None:
        with contextlib.suppress(ContractRevertError):
            self.client.settle(self.task_id, self.address)
        member = self.client.member(self.task_id, self.address)
        if member.rewards > 0:
            self.client.claim(self.task_id)
            self.report.claimed = member.rewards
            self._on_event("claimed", RoundId(0))
