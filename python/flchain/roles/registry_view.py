"""Read-only views of a task's rounds and their models, built from the chain and the store.

They serve ``flchain registry rounds|round`` (the task list is :mod:`task_view`, a task's
status :mod:`task_status_view`): everything here works from a
fresh process long after the participants are gone. Values are frozen dataclasses whose
fields are plain JSON types (CIDs as strings, amounts in base units), so the CLI can print
them as tables or as ``dataclasses.asdict`` JSON without further logic.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from eth_typing import ABIEvent, HexStr
from eth_utils.abi import event_abi_to_log_topic

from flchain.chain.events import EventRecord
from flchain.errors import ConfigError, FlchainError
from flchain.protocol.client import FLClient
from flchain.protocol.records import ModelRecord, RoundId, RoundInfo, RoundStatus, TaskId, TaskInfo
from flchain.roles.privacy.view import task_privacy
from flchain.roles.task_view import existing_task
from flchain.storage.cid import DAG_PB, RAW, Cid
from flchain.storage.store import Store

__all__ = [
    "AttestationRow",
    "ContributorRow",
    "RoundDetail",
    "RoundRow",
    "check_round",
    "describe_round",
    "list_rounds",
    "metrics_cid",
    "task_events",
]

_ZERO = bytes(32)
#: Events of one (task, round) whose transactions are the round's own.
_ROUND_EVENTS = (
    "RoundStarted",
    "UpdateCommitted",
    "UpdateRevealed",
    "AttestationCommitted",
    "ResultAttested",
    "RoundFinalized",
)


@dataclass(frozen=True)
class RoundRow:
    """One round of a task (round 0: the initial model)."""

    round: RoundId
    phase: str
    parent_round: RoundId | None
    revealed: int
    contributors: int | None  # accepted updates, once finalized
    attesters: int | None  # attesters of the winning result, once finalized
    model_cid: str | None
    metrics_cid: str | None
    epsilon: float | None = None  # DP tasks: the largest epsilon any participant spent so far


@dataclass(frozen=True)
class ContributorRow:
    """An update revealed in a round; ``accepted`` is None until the round is finalized."""

    address: str
    reveal_index: int
    update_cid: str
    accepted: bool | None


@dataclass(frozen=True)
class AttestationRow:
    """An attestation; ``agrees`` is None while no result has reached the quorum."""

    attester: str
    result_id: str
    model_cid: str
    accepted_bitmap: int
    weight: int
    agrees: bool | None


@dataclass(frozen=True)
class RoundDetail:
    """Everything the chain and the store say about one round."""

    task_id: TaskId
    round: RoundId
    phase: str
    parent_round: RoundId | None
    model_cid: str | None
    metrics_cid: str | None
    metrics: dict[str, Any] | None  # the metrics document, if the store holds it
    contributors: tuple[ContributorRow, ...]
    attestations: tuple[AttestationRow, ...]
    gas_used: int
    transactions: int


# ---------------------------------------------------------------------- rounds


def _cid(digest: bytes, codec: int) -> str:
    return str(Cid.from_chain(digest, codec))


def metrics_cid(digest: bytes, store: Store) -> Cid | None:
    """The CID of a metrics document from its on-chain digest (the chain keeps no codec).

    Aggregators store the small JSON document as one raw block (CIDv1 raw); a CIDv1 or
    CIDv0 dag-pb form is used instead when that is what the store holds."""
    if bytes(digest) == _ZERO:
        return None
    candidates = [
        Cid(1, RAW, bytes(digest)),
        Cid(1, DAG_PB, bytes(digest)),
        Cid(0, DAG_PB, bytes(digest)),
    ]
    return next((cid for cid in candidates if store.has(cid)), candidates[0])


def check_round(task: TaskInfo, round_id: RoundId) -> None:
    """ConfigError unless ``round_id`` is one of the task's rounds (0: the initial model)."""
    if not 0 <= round_id <= task.current_round:
        raise ConfigError(
            f"Task {task.task_id} has rounds 0..{task.current_round}; round {round_id} does not exist "
            "(yet); list them with `flchain registry rounds`."
        )


def _round_row(rnd: RoundInfo, record: ModelRecord | None, store: Store) -> RoundRow:
    finalized = rnd.status == RoundStatus.FINALIZED
    metrics = metrics_cid(record.metrics_digest, store) if record else None
    return RoundRow(
        rnd.round,
        rnd.phase.label,
        rnd.parent_round,
        rnd.reveal_count,
        rnd.accepted_count if finalized else None,
        rnd.winning_attesters if finalized else None,
        _cid(record.model_digest, record.codec) if record else None,
        str(metrics) if metrics else None,
    )


def _initial_row(record: ModelRecord) -> RoundRow:
    return RoundRow(
        RoundId(0), "initial", None, 0, None, None, _cid(record.model_digest, record.codec), None
    )


def list_rounds(client: FLClient, store: Store, task_id: TaskId) -> list[RoundRow]:
    """Round 0 (the initial model) and every round opened since, oldest first."""
    task = existing_task(client, task_id)
    records = {record.round: record for record in client.models(task.task_id)}
    rows = [_initial_row(records[RoundId(0)])]
    for round_id in map(RoundId, range(1, task.current_round + 1)):
        rows.append(_round_row(client.round(task.task_id, round_id), records.get(round_id), store))
    privacy = task_privacy(client, store, task.task_id)
    if privacy is not None:
        spent = {r.round: r.epsilon_spent for r in privacy.rounds}
        rows = [dataclasses.replace(row, epsilon=spent.get(row.round, 0.0)) for row in rows]
    return rows


def task_events(
    client: FLClient, names: Iterable[str], task_id: TaskId, round_id: RoundId | None = None
) -> list[EventRecord]:
    """The coordinator's ``names`` events of a task (of one of its rounds, if given), oldest
    first."""
    topics = (task_id,) if round_id is None else (task_id, round_id)
    return client.task_events(list(names), *topics)


def _round_gas(client: FLClient, task_id: TaskId, round_id: RoundId) -> tuple[int, int]:
    """(gas, transactions) of a round's own transactions (create for round 0; else start,
    commits, reveals, attestation commits and reveals, finalization). A finalization that also
    opened this round counts for the round it finalized, not for this one."""
    names = ["TaskCreated"] if round_id == 0 else list(_ROUND_EVENTS)
    by_tx: dict[str, set[str]] = {}
    for event in task_events(client, names, task_id, None if round_id == 0 else round_id):
        by_tx.setdefault(event.tx_hash, set()).add(event.event)
    finalized_topic = _event_topic(client, "RoundFinalized")
    gas, count = 0, 0
    for tx_hash, events in by_tx.items():
        receipt = client.w3.eth.get_transaction_receipt(HexStr(tx_hash))
        topics = {bytes(log["topics"][0]) for log in receipt["logs"] if log["topics"]}
        if events == {"RoundStarted"} and finalized_topic in topics:
            continue
        gas += int(receipt["gasUsed"])
        count += 1
    return gas, count


def _event_topic(client: FLClient, name: str) -> bytes:
    item = next(
        i for i in client.coordinator.abi if i.get("type") == "event" and i.get("name") == name
    )
    return bytes(event_abi_to_log_topic(cast(ABIEvent, item)))


def _metrics(store: Store, cid: Cid | None) -> dict[str, Any] | None:
    if cid is None or not store.has(cid):
        return None
    try:
        document = json.loads(store.get(cid))
    except (FlchainError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def describe_round(
    client: FLClient, store: Store, task_id: TaskId, round_id: RoundId | None = None
) -> RoundDetail:
    """One round in detail; ``round_id`` None: the latest finalized round (or round 0)."""
    task = existing_task(client, task_id)
    return _round_detail(
        client, store, task, task.last_finalized_round if round_id is None else round_id
    )


def _round_detail(client: FLClient, store: Store, task: TaskInfo, round_id: RoundId) -> RoundDetail:
    check_round(task, round_id)
    task_id = task.task_id
    gas, transactions = _round_gas(client, task_id, round_id)
    if round_id == 0:
        row = _initial_row(client.model_at(task_id, round_id))
        return RoundDetail(
            task_id, round_id, row.phase, None, row.model_cid, None, None, (), (), gas, transactions
        )
    rnd = client.round(task_id, round_id)
    finalized = rnd.status == RoundStatus.FINALIZED
    record = client.model_at(task_id, round_id) if finalized else None
    row = _round_row(rnd, record, store)
    contributors = tuple(
        ContributorRow(
            update.participant,
            update.reveal_index,
            _cid(update.cid_digest, update.codec),
            bool(rnd.accepted_bitmap >> update.reveal_index & 1) if finalized else None,
        )
        for update in client.revealed_updates(task_id, round_id)
    )
    decided = rnd.winning_result != _ZERO
    attestations = tuple(
        AttestationRow(
            att.attester,
            "0x" + att.result_id.hex(),
            _cid(att.model_digest, att.codec),
            att.accepted_bitmap,
            att.weight,
            att.result_id == rnd.winning_result if decided else None,
        )
        for att in client.attested_results(task_id, round_id)
    )
    metrics = _metrics(store, Cid.parse(row.metrics_cid) if row.metrics_cid else None)
    return RoundDetail(
        task_id,
        round_id,
        row.phase,
        rnd.parent_round,
        row.model_cid,
        row.metrics_cid,
        metrics,
        contributors,
        attestations,
        gas,
        transactions,
    )
