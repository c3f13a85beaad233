"""Every participant's privacy loss, recomputed from public data only: the task document's DP
parameters (in the store, by the CID the chain holds) and the chain's events.

A participant's epsilon after round ``r`` is the accountant's epsilon for the number of
rounds ``<= r`` in which it revealed an update (each costs the same mechanism: see
:mod:`flchain.fl.privacy.accounting`). Failed attempts count: their updates were revealed
too. "Spent so far" for a round is the largest such epsilon over the task's participants.

The participant's own ledger charges a round when it trains for it (before committing), so
it may count one more round than the chain shows (a commit never revealed); the figures
here are what outsiders could observe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flchain.chain.events import EventRecord
from flchain.fl.privacy import epsilon_curve
from flchain.protocol.client import FLClient
from flchain.protocol.documents import TaskDocument
from flchain.protocol.records import RoundId, TaskId
from flchain.storage.store import Store

__all__ = [
    "ParticipantPrivacy",
    "RoundPrivacy",
    "TaskPrivacy",
    "epsilon_spent",
    "resting_members",
    "task_document",
    "task_privacy",
]


@dataclass(frozen=True)
class RoundPrivacy:
    """Privacy figures of one round.

    ``epsilon_round``: what contributing to this round alone costs a participant;
    ``epsilon_spent``: the largest cumulative epsilon of any participant after the round."""

    round: RoundId
    contributors: int
    epsilon_round: float
    epsilon_spent: float


@dataclass(frozen=True)
class ParticipantPrivacy:
    """One participant: the rounds it revealed an update in and its cumulative epsilon."""

    address: str
    rounds: tuple[int, ...]
    epsilon: float
    exhausted: bool  # its next contribution would exceed the budget


@dataclass(frozen=True)
class TaskPrivacy:
    """A task's public DP parameters and the privacy its participants spent, per round."""

    task_id: TaskId
    params: dict[str, Any]
    epochs: int
    affordable_rounds: int | None  # rounds one participant can contribute within the budget
    rounds: tuple[RoundPrivacy, ...]
    participants: tuple[ParticipantPrivacy, ...]


def task_document(client: FLClient, store: Store, task_id: TaskId) -> TaskDocument | None:
    """The task document, if the store holds it."""
    task = client.task(task_id)
    cid = task.model_spec
    if not store.has(cid):
        return None
    return TaskDocument.from_json(store.get(cid))


def _curve(doc: TaskDocument, rounds: int) -> list[float]:
    """Cumulative epsilon after 0, 1, ..., ``rounds`` contributed rounds."""
    assert doc.privacy is not None
    return [0.0, *epsilon_curve(doc.privacy, doc.training.epochs, rounds)]


def _revealers(client: FLClient, task_id: TaskId, last_round: int) -> dict[RoundId, list[str]]:
    return {
        r: [u.participant for u in client.revealed_updates(task_id, r)]
        for r in map(RoundId, range(1, last_round + 1))
    }


def task_privacy(
    client: FLClient, store: Store, task_id: TaskId, doc: TaskDocument | None = None
) -> TaskPrivacy | None:
    """The task's privacy figures; None if it has no DP (or its document is not in the
    store)."""
    doc = doc or task_document(client, store, task_id)
    if doc is None or doc.privacy is None:
        return None
    task = client.task(task_id)
    last = task.current_round
    revealers = _revealers(client, task_id, last)
    curve = _curve(doc, max(task.num_rounds, last) + 1)  # + 1: the next contribution's cost
    budget = doc.privacy.epsilon
    affordable = None if budget is None else sum(1 for e in curve[1:] if e <= budget)
    counts: dict[str, list[int]] = {}
    rows = []
    for round_id in map(RoundId, range(1, last + 1)):
        for address in revealers[round_id]:
            counts.setdefault(address, []).append(round_id)
        spent = max((curve[len(r)] for r in counts.values()), default=0.0)
        rows.append(RoundPrivacy(round_id, len(revealers[round_id]), curve[1], spent))
    people = tuple(
        ParticipantPrivacy(
            address,
            tuple(rounds),
            curve[len(rounds)],
            budget is not None and curve[len(rounds) + 1] > budget,
        )
        for address, rounds in sorted(counts.items())
    )
    return TaskPrivacy(
        task_id, doc.privacy.to_dict(), doc.training.epochs, affordable, tuple(rows), people
    )


def epsilon_spent(
    client: FLClient, task_id: TaskId, doc: TaskDocument, round_id: RoundId
) -> float | None:
    """The largest cumulative epsilon of any participant after ``round_id``; None without
    DP."""
    if doc.privacy is None:
        return None
    revealers = _revealers(client, task_id, round_id)
    counts: dict[str, int] = {}
    for addresses in revealers.values():
        for address in addresses:
            counts[address] = counts.get(address, 0) + 1
    curve = _curve(doc, max(counts.values(), default=0))
    return max((curve[k] for k in counts.values()), default=0.0)


def resting_members(
    client: FLClient, task_id: TaskId, doc: TaskDocument, members: Iterable[str], round_id: RoundId
) -> frozenset[str]:
    """The members that will not commit in ``round_id`` because one more contribution would
    exceed the budget (counted from their commits in earlier rounds, as their ledgers do)."""
    if doc.privacy is None or doc.privacy.epsilon is None:
        return frozenset()
    commits: dict[str, int] = {}
    for event in _commit_events(client, task_id):
        if int(event.args["round"]) < round_id:
            address = str(event.args["participant"]).lower()
            commits[address] = commits.get(address, 0) + 1
    wanted = {m: commits.get(m.lower(), 0) for m in members}
    curve = _curve(doc, max(wanted.values(), default=0) + 1)
    return frozenset(m for m, count in wanted.items() if curve[count + 1] > doc.privacy.epsilon)


def _commit_events(client: FLClient, task_id: TaskId) -> list[EventRecord]:
    return client.task_events(["UpdateCommitted"], task_id)
