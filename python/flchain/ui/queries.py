"""What the dashboard's pages show, built on the read-side views (roles.registry_view,
roles.privacy.view, the dataset and inference registries) plus a few event queries of its own.

Every function takes a :class:`~flchain.ui.source.Reader` and returns frozen dataclasses of
plain values; templates escape every string (on-chain strings are attacker-controlled).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flchain.chain.events import EventRecord
from flchain.errors import FlchainError
from flchain.protocol.dataset_records import DatasetInfo
from flchain.protocol.records import RoundId, TaskId
from flchain.roles.privacy.view import task_document
from flchain.roles.registry_view import RoundDetail, RoundRow, describe_round, list_rounds
from flchain.roles.task_status_view import MemberRow, task_status
from flchain.roles.task_view import TaskRow, list_tasks
from flchain.ui.source import Reader

__all__ = [
    "CommitRow",
    "InferenceRow",
    "MemberView",
    "ResultRow",
    "RoundView",
    "SlashRow",
    "TaskSummary",
    "TaskView",
    "inference_rows",
    "round_view",
    "slash_reasons",
    "task_summaries",
    "task_view",
]

#: Bits of the ``reasons`` field of ``Slashed`` (contracts/libraries/SlashReasons.sol).
SLASH_REASONS = {
    1: "unrevealed commit",
    2: "rejected update",
    4: "losing attestation",
    8: "inactive in failed rounds",
}


@dataclass(frozen=True)
class TaskSummary:
    """A task as the tasks page lists it."""

    row: TaskRow
    name: str | None  # from the task document, if the store holds it
    privacy: str  # "public", "private", "private + secure aggregation", with ", DP" if any
    reward_per_round: int


@dataclass(frozen=True)
class SlashRow:
    """One ``Slashed`` event."""

    round: RoundId
    amount: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MemberView:
    """A participant of a task: stake now, rewards earned and still unclaimed, slashes."""

    address: str
    joined: bool
    stake: int
    unclaimed: int
    earned: int
    state: str
    slashes: tuple[SlashRow, ...]


@dataclass(frozen=True)
class TaskView:
    """The task page: the summary, where it stands, its members and its model lineage."""

    summary: TaskSummary
    round: RoundId
    phase: str
    members: tuple[MemberView, ...]
    rounds: tuple[RoundRow, ...]


@dataclass(frozen=True)
class CommitRow:
    """An ``UpdateCommitted`` event."""

    participant: str
    commitment: str
    block: int


@dataclass(frozen=True)
class ResultRow:
    """One attested result and the stake behind it."""

    result_id: str
    model_cid: str
    accepted_bitmap: int
    attesters: tuple[str, ...]
    weight: int
    won: bool


@dataclass(frozen=True)
class RoundView:
    """The round page."""

    detail: RoundDetail
    commits: tuple[CommitRow, ...]
    results: tuple[ResultRow, ...]
    accepted: tuple[str, ...]  # addresses in the accepted set, once finalized
    last_round: RoundId  # the task's current round (the last that exists)


@dataclass(frozen=True)
class InferenceRow:
    """An inference contract linked to a task's round (one ``InferenceLinked`` event)."""

    task_id: TaskId
    round: RoundId
    linker: str
    address: str
    model_cid: str
    block: int


def slash_reasons(bits: int) -> tuple[str, ...]:
    """The reasons a ``Slashed`` event's bitmask names (unknown bits as ``bit N``)."""
    names = [name for bit, name in SLASH_REASONS.items() if bits & bit]
    known = sum(SLASH_REASONS)
    names += [f"bit {i}" for i in range(8) if bits & ~known & (1 << i)]
    return tuple(names)


def _privacy_label(reader: Reader, task_id: TaskId) -> tuple[str | None, str]:
    try:
        doc = task_document(reader.client, reader.store, task_id)
    except FlchainError:
        doc = None
    if doc is None:
        return None, "unknown (task document not in the store)"
    label = "public"
    if doc.private:
        label = "private + secure aggregation" if doc.secure_aggregation else "private"
    if doc.privacy is not None:
        label += f", DP ({doc.privacy.mode} level)"
    return doc.name, label


def task_summaries(reader: Reader) -> list[TaskSummary]:
    """Every task, newest first."""
    rows = list_tasks(reader.client)
    out = []
    for row in reversed(rows):
        name, privacy = _privacy_label(reader, row.task_id)
        reward = reader.client.task(row.task_id).reward_per_round
        out.append(TaskSummary(row, name, privacy, reward))
    return out


def _task_events(reader: Reader, names: Iterable[str], *topics: int) -> list[EventRecord]:
    """A task's coordinator events of ``names`` (absent from the ABI: none)."""
    try:
        return reader.client.task_events(list(names), *topics)
    except ValueError:  # an event this deployment's ABI lacks
        return []


def _member_views(
    reader: Reader, task_id: TaskId, members: Iterable[MemberRow]
) -> list[MemberView]:
    current = {m.address: m for m in members}
    slashes: dict[str, list[SlashRow]] = {}
    for event in _task_events(reader, ["Slashed"], task_id):
        row = SlashRow(
            RoundId(int(event.args["round"])),
            int(event.args["amount"]),
            slash_reasons(int(event.args["reasons"])),
        )
        slashes.setdefault(str(event.args["participant"]), []).append(row)
    earned: dict[str, int] = {}
    for event in _task_events(reader, ["MemberSettled"], task_id):
        who = str(event.args["participant"])
        earned[who] = earned.get(who, 0) + int(event.args["reward"])
    joined = [
        str(e.args["participant"]) for e in _task_events(reader, ["ParticipantJoined"], task_id)
    ]
    views = []
    for address in dict.fromkeys(joined):
        member = current.get(address)
        views.append(
            MemberView(
                address,
                member is not None,
                member.stake if member else 0,
                member.rewards if member else 0,
                earned.get(address, 0),
                member.state if member else "left",
                tuple(slashes.get(address, ())),
            )
        )
    return views


def task_view(reader: Reader, task_id: TaskId) -> TaskView:
    """The task page's data (ConfigError if the task does not exist)."""
    status = task_status(reader.client, task_id)
    name, privacy = _privacy_label(reader, task_id)
    reward = reader.client.task(task_id).reward_per_round
    summary = TaskSummary(status.task, name, privacy, reward)
    members = _member_views(reader, task_id, status.members)
    rounds = list_rounds(reader.client, reader.store, task_id)
    return TaskView(summary, status.round, status.phase, tuple(members), tuple(rounds))


def _results(detail: RoundDetail) -> tuple[ResultRow, ...]:
    grouped: dict[str, list[int]] = {}
    for index, att in enumerate(detail.attestations):
        grouped.setdefault(att.result_id, []).append(index)
    rows = []
    for result_id, indices in grouped.items():
        atts = [detail.attestations[i] for i in indices]
        rows.append(
            ResultRow(
                result_id,
                atts[0].model_cid,
                atts[0].accepted_bitmap,
                tuple(a.attester for a in atts),
                sum(a.weight for a in atts),
                atts[0].agrees is True,
            )
        )
    return tuple(sorted(rows, key=lambda r: (not r.won, -r.weight)))


def round_view(reader: Reader, task_id: TaskId, round_id: RoundId) -> RoundView:
    """The round page's data (ConfigError if the task or round does not exist)."""
    detail = describe_round(reader.client, reader.store, task_id, round_id)
    commits = tuple(
        CommitRow(str(e.args["participant"]), "0x" + bytes(e.args["commitment"]).hex(), e.block_number)
        for e in _task_events(reader, ["UpdateCommitted"], task_id, round_id)
    ) if round_id else ()  # fmt: skip
    accepted = tuple(c.address for c in detail.contributors if c.accepted)
    last = reader.client.task(task_id).current_round
    return RoundView(detail, commits, _results(detail), accepted, last)


def dataset_rows(reader: Reader) -> list[DatasetInfo] | None:
    """Every registered dataset, newest first; None if the chain has no DatasetRegistry."""
    registry = reader.datasets()
    if registry is None:
        return None
    return list(reversed(list(registry.datasets())))


def inference_rows(reader: Reader) -> list[InferenceRow] | None:
    """Every inference contract link, newest first; None if the chain has no InferenceRegistry."""
    registry = reader.inference()
    if registry is None:
        return None
    rows = [
        InferenceRow(
            link.task_id,
            link.round,
            link.linker,
            link.inference,
            str(link.model),
            link.block_number,
        )
        for link in registry.links(from_block=reader.client.deployment.start_block)
    ]
    return list(reversed(rows))
