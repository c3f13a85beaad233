"""Where a task stands now: its round, phase, deadlines and members (``flchain task
status``), from the chain only."""

from __future__ import annotations

from dataclasses import dataclass

from flchain.protocol.client import FLClient
from flchain.protocol.records import RoundId, TaskId, TaskInfo, TaskStatus
from flchain.roles.observer import describe_member
from flchain.roles.registry_view import task_events
from flchain.roles.task_view import TaskRow, existing_task, task_row

__all__ = ["MemberRow", "TaskStatusView", "task_status"]


@dataclass(frozen=True)
class MemberRow:
    """A current member of a task and its state in the current round."""

    address: str
    stake: int
    rewards: int
    first_round: RoundId
    state: str


@dataclass(frozen=True)
class TaskStatusView:
    """Where a task stands now (at the latest block)."""

    task: TaskRow
    round: RoundId
    phase: str
    chain_time: int
    commit_deadline: int | None
    reveal_deadline: int | None
    attest_deadline: int | None
    members: tuple[MemberRow, ...]


def _members(client: FLClient, task: TaskInfo) -> tuple[MemberRow, ...]:
    joined = task_events(client, ["ParticipantJoined"], task.task_id)
    rows = []
    for address in dict.fromkeys(str(event.args["participant"]) for event in joined):
        member = client.member(task.task_id, address)
        if member.joined:
            state = describe_member(member, task.current_round)
            rows.append(MemberRow(address, member.stake, member.rewards, member.first_round, state))
    return tuple(rows)


def task_status(client: FLClient, task_id: TaskId) -> TaskStatusView:
    """A task's current round, its phase and deadlines, and its members."""
    task = existing_task(client, task_id)
    chain_time = int(client.w3.eth.get_block("latest")["timestamp"])
    members = _members(client, task)
    if task.current_round == 0:
        return TaskStatusView(
            task_row(task), RoundId(0), "not started", chain_time, None, None, None, members
        )
    if task.status != TaskStatus.ACTIVE:  # completed or closed: no phase, no deadline left
        phase = task.status.name.lower()
        return TaskStatusView(
            task_row(task), task.current_round, phase, chain_time, None, None, None, members
        )
    rnd = client.round(task.task_id, task.current_round)
    return TaskStatusView(
        task_row(task),
        rnd.round,
        rnd.phase.label,
        chain_time,
        rnd.commit_deadline,
        rnd.reveal_deadline,
        rnd.attest_deadline,
        members,
    )
