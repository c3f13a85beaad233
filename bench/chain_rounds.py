"""Federated rounds driven in-process on a real Anvil and a real LocalStore, for benchmarks.

Every participant has its own account, TxSender, FLClient and journal, and does in each
round what :class:`flchain.roles.participant.Participant` does (fetch the global model,
train, encode, journal, commit; store put and reveal; fetch and verify every revealed
update, aggregate with :func:`~flchain.roles.aggregator.aggregate_round`, commit and reveal
an attestation, finalize),
one participant after the other, with the chain clock moved past each phase. Each
participant's steps are timed with a :class:`StepClock`; the bench reads the measured one's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from eth_account import Account
from web3 import Web3

from flchain.chain.accounts import DEV_ACCOUNT_COUNT, DEV_MNEMONIC, Signer, dev_signer
from flchain.chain.connection import connect
from flchain.chain.controls import increase_time, mine
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.fl import ArrayDataset, build_model, encode_model, load_into, train_local
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import deploy
from flchain.protocol.records import RoundId, RoundInfo, RoundPhase, TaskId
from flchain.roles.aggregator import RoundResult
from flchain.roles.journal import Journal, PendingAttestation, PendingUpdate
from flchain.roles.owner import create_task
from flchain.roles.round_steps import (
    Seat,
    aggregate_revealed,
    commit_attestation,
    commit_pending,
    finalize_result,
    global_model,
    record_attestation,
    record_update,
    reveal_attestation,
    reveal_stored,
    store_pending,
)
from flchain.roles.taskfile import TaskFile
from flchain.storage.cid import Cid
from flchain.storage.local import LocalStore
from flchain.storage.store import Store

__all__ = ["ChainRun", "StepClock", "TimedStore", "open_chain_run"]

#: Tokens minted to each account beyond Anvil's ten (the deployment mints to those).
EXTRA_MINT = 1_000 * 10**18


class StepClock:
    """Seconds per named step, one dict per round (a step may run several times a round)."""

    def __init__(self) -> None:
        self.rounds: list[dict[str, float]] = []

    def new_round(self) -> None:
        self.rounds.append({})

    def add(self, name: str, seconds: float) -> None:
        self.rounds[-1][name] = self.rounds[-1].get(name, 0.0) + seconds

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def medians(self) -> dict[str, float]:
        """Median seconds per round of every step, in first-seen order."""
        names = list(dict.fromkeys(name for rnd in self.rounds for name in rnd))
        return {name: median(rnd.get(name, 0.0) for rnd in self.rounds) for name in names}

    def round_totals(self, exclude: frozenset[str] = frozenset()) -> list[float]:
        return [sum(v for k, v in rnd.items() if k not in exclude) for rnd in self.rounds]


class TimedStore:
    """A Store that counts the seconds spent in ``get`` (fetching and verifying blocks)."""

    def __init__(self, inner: LocalStore) -> None:
        self.inner = inner
        self.get_seconds = 0.0

    def put(self, data: bytes) -> Cid:
        return self.inner.put(data)

    def get(self, cid: Cid) -> bytes:
        start = time.perf_counter()
        try:
            return self.inner.get(cid)
        finally:
            self.get_seconds += time.perf_counter() - start

    def has(self, cid: Cid) -> bool:
        return self.inner.has(cid)

    def pin(self, cid: Cid) -> None:
        self.inner.pin(cid)


@dataclass
class Member:
    """One participant: its client, private shard, journal and step clock."""

    index: int
    client: FLClient
    shard: ArrayDataset
    journal: Journal
    clock: StepClock = field(default_factory=StepClock)
    pending: PendingUpdate | None = None
    attestation: PendingAttestation | None = None


@dataclass
class ChainRun:
    """A task on a fresh devnet, its members, and the store they share."""

    w3: Web3
    owner: FLClient
    members: list[Member]
    store: LocalStore
    task: TaskFile
    task_id: TaskId
    train_seed: Callable[[int, int], int]  # (participant index, round) -> seed

    def seat(self, member: Member, store: Store | None = None) -> Seat:
        """``member``'s seat in the task, on the shared store (or on ``store``)."""
        return Seat(member.client, store or self.store, self.task_id, member.journal)

    def global_model(self, round_id: int) -> bytes:
        """The registry's model of ``round_id`` (0: initial), fetched and verified."""
        return global_model(self.seat(self.members[0]), RoundId(round_id))[1]

    def current_round(self) -> RoundInfo:
        return self.owner.round(self.task_id, self.owner.task(self.task_id).current_round)

    def move_past(self, deadline: int) -> None:
        """Move the chain clock past ``deadline`` and mine a block there."""
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        increase_time(self.w3, max(1, deadline - now + 1))
        mine(self.w3)

    # ------------------------------------------------------------------ a participant's steps

    def train_and_commit(self, member: Member, rnd: RoundInfo) -> None:
        clock, doc = member.clock, self.task.document
        with clock.step("fetch global model"):
            model = build_model(doc.model, seed=0)
            load_into(model, self.global_model(rnd.parent_round))
        with clock.step("train"):
            train_local(
                model, member.shard, epochs=doc.training.epochs,
                batch_size=doc.training.batch_size, lr=doc.training.lr,
                optimizer=doc.training.optimizer,  # type: ignore[arg-type]
                seed=self.train_seed(member.index, rnd.round),
            )  # fmt: skip
        with clock.step("encode"):
            update = encode_model(model)
        with clock.step("cid + journal"):
            member.pending = record_update(self.seat(member), rnd.round, update)
        with clock.step("commit tx"):
            commit_pending(self.seat(member), rnd.round, member.pending)

    def store_and_reveal(self, member: Member, rnd: RoundInfo) -> None:
        assert member.pending is not None
        with member.clock.step("store put"):
            stored = store_pending(self.seat(member), member.pending)
        with member.clock.step("reveal tx"):
            reveal_stored(self.seat(member), rnd.round, stored, member.pending.salt)

    def aggregate(self, member: Member, rnd: RoundInfo) -> RoundResult:
        """Fetch and verify every revealed update and aggregate them (as a Participant does)."""
        timed = TimedStore(self.store)
        with member.clock.step("fetch + verify updates"):
            parent = global_model(self.seat(member), rnd.parent_round)
            revealed = member.client.revealed_updates(self.task_id, rnd.round)
        start = time.perf_counter()
        result = aggregate_revealed(
            self.seat(member, timed), rnd, self.task.document.rule, {}, parent, revealed
        )
        self.store.pin(result.model_cid)
        elapsed = time.perf_counter() - start
        member.clock.add("fetch + verify updates", timed.get_seconds)
        member.clock.add("aggregate", elapsed - timed.get_seconds)
        return result

    def attest(self, member: Member, result: RoundResult) -> bool:
        """Reveal ``member``'s attestation of ``result``; True when it reached the quorum.
        Attestations are committed before any is revealed: the round's first call commits
        every member's (each honest participant derives this same result), then moves the
        clock into the attest-reveal half. Members that reveal none stay unpaid attesters."""
        rnd = self.current_round()
        if rnd.phase == RoundPhase.ATTEST_COMMIT:
            for each in self.members:
                with each.clock.step("attest commit tx"):
                    each.attestation = record_attestation(self.seat(each), rnd.round, result)
                    commit_attestation(self.seat(each), each.attestation)
            self.move_past(rnd.attest_commit_deadline - 1)
        assert member.attestation is not None
        assert member.attestation.round == rnd.round
        with member.clock.step("attest reveal tx"):
            return reveal_attestation(self.seat(member), member.attestation)

    def finalize(self, member: Member, result: RoundResult) -> None:
        with member.clock.step("finalize tx"):
            finalize_result(self.seat(member), result)


def _signer(index: int, chain_id: int) -> Signer:
    """Anvil's account ``index`` (dev_signer covers 0..9; the others come from the mnemonic)."""
    if index < DEV_ACCOUNT_COUNT:
        return dev_signer(index, chain_id)
    Account.enable_unaudited_hdwallet_features()
    account = Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return Signer(account, f"dev:{index}")


def open_chain_run(
    stack: ExitStack,
    work_dir: Path,
    task: TaskFile,
    shards: list[ArrayDataset],
    train_seed: Callable[[int, int], int],
) -> ChainRun:
    """Start Anvil with enough accounts, deploy, create the task, join every participant and
    open round 1. Account 0 owns the task (and the dev token); participant i is account i+1."""
    devnet = stack.enter_context(Devnet(extra_args=("--accounts", str(len(shards) + 5))))
    w3 = connect(devnet.rpc_url)
    chain_id = int(w3.eth.chain_id)
    owner_sender = TxSender(w3, _signer(0, chain_id))
    report = deploy(w3, owner_sender, directory=work_dir / "deployments")
    assert report.deployment is not None
    owner = FLClient(w3, report.deployment, owner_sender)
    store = LocalStore(work_dir / "store")
    created = create_task(owner, store, task)
    members = []
    for i, shard in enumerate(shards):
        signer = _signer(i + 1, chain_id)
        if i + 1 >= DEV_ACCOUNT_COUNT:
            owner_sender.transact(owner.token().functions.mint(signer.address, EXTRA_MINT))
        client = FLClient(w3, report.deployment, TxSender(w3, signer))
        client.join(created.task_id, task.min_stake)
        journal = Journal(work_dir / "journals", chain_id, created.task_id, signer.address)
        members.append(Member(i, client, shard, journal))
    owner.start_round(created.task_id)
    return ChainRun(w3, owner, members, store, task, created.task_id, train_seed)
