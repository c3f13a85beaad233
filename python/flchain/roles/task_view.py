"""The task list, built from the chain only: what ``flchain registry tasks`` prints.

Light on purpose (no web3, no torch, no aggregation rule at import): the list comes from any
:class:`TaskSource`, an :class:`~flchain.protocol.client.FLClient` or the fast
:class:`~flchain.protocol.task_reader.TaskReader`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flchain import fl
from flchain.errors import ConfigError
from flchain.protocol.deployment import Deployment
from flchain.protocol.records import RoundId, TaskId, TaskInfo

__all__ = ["TaskRow", "TaskSource", "existing_task", "list_tasks", "rule_label", "task_row"]


class TaskSource(Protocol):
    """Where tasks are read from."""

    @property
    def deployment(self) -> Deployment: ...

    def task_count(self) -> int: ...

    def task(self, task_id: TaskId) -> TaskInfo: ...


@dataclass(frozen=True)
class TaskRow:
    """One task as ``flchain registry tasks`` lists it."""

    task_id: TaskId
    owner: str
    status: str
    current_round: RoundId
    finalized_rounds: int
    num_rounds: int
    members: int
    rule: str
    total_stake: int
    reward_pool: int


def existing_task(client: TaskSource, task_id: TaskId) -> TaskInfo:
    """The task ``task_id``, or ConfigError naming the ids that exist."""
    count = client.task_count()
    if not 1 <= task_id <= count:
        known = f"ids 1..{count}" if count else "none yet"
        raise ConfigError(
            f"Task {task_id} does not exist on chain {client.deployment.chain_id} (tasks: {known}); "
            "list them with `flchain registry tasks`."
        )
    return client.task(task_id)


def rule_label(rule_id: int) -> str:
    """The name of an on-chain rule id (``unknown (N)`` for an id this version lacks)."""
    try:
        return fl.rule_name(rule_id)
    except ConfigError:
        return f"unknown ({rule_id})"


def task_row(task: TaskInfo) -> TaskRow:
    """A task as a row of the task list."""
    return TaskRow(
        task.task_id,
        task.owner,
        task.status.name.lower(),
        task.current_round,
        task.finalized_rounds,
        task.num_rounds,
        task.member_count,
        rule_label(task.aggregation_rule),
        task.total_stake,
        task.reward_pool,
    )


def list_tasks(client: TaskSource) -> list[TaskRow]:
    """Every task on the deployment, by id."""
    return [task_row(client.task(TaskId(i))) for i in range(1, client.task_count() + 1)]
