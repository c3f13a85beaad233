"""What ``flchain demo`` needs for differential privacy, kept out of the demo's own module:
the ``--dp-epsilon`` override, the members the conductor should not wait for (their budget
is spent), and the epsilon spent so far after each finalized round."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

from flchain.protocol.client import FLClient
from flchain.protocol.records import RoundId, TaskId
from flchain.roles.data.datasets import load_participant_data
from flchain.roles.privacy.config import budget_privacy
from flchain.roles.privacy.view import epsilon_spent, resting_members
from flchain.roles.taskfile import TaskFile

__all__ = [
    "apply_dp_epsilon",
    "privacy_summary",
    "resting_tracker",
    "round_epsilon",
    "with_dp_budget",
]


def apply_dp_epsilon(
    task: TaskFile, epsilon: float | None, participants: int, config: Path | None = None
) -> TaskFile:
    """``--dp-epsilon EPS``: a budget of EPS per participant over the demo's rounds (see
    :func:`with_dp_budget`). Without it, a ``config`` whose
    ``[privacy]`` budget set the noise gets it recalibrated when ``--rounds`` changed the
    rounds; otherwise the task is unchanged."""
    if epsilon is None:
        epsilon = _budget_to_recalibrate(task, config)
    if epsilon is None:
        return task
    data = task.document.data
    train = load_participant_data(data.dataset, data, None) if data.dataset == "digits" else None
    shard = len(train) // participants if train is not None else 60_000 // participants
    return with_dp_budget(task, epsilon, shard)


def with_dp_budget(task: TaskFile, epsilon: float | None, train_samples: int) -> TaskFile:
    """``flchain demo --dp-epsilon EPS``: the task with an epsilon budget of ``EPS`` per
    participant and the noise calibrated to spend it over the task's rounds (see
    :func:`~flchain.roles.privacy.config.budget_privacy`). ``epsilon`` None: the task
    unchanged."""
    if epsilon is None:
        return task
    doc = task.document
    privacy = budget_privacy(
        doc.privacy, epsilon, batch_size=doc.training.batch_size, epochs=doc.training.epochs,
        rounds=task.rounds, train_samples=train_samples,
    )  # fmt: skip
    return dataclasses.replace(task, document=dataclasses.replace(doc, privacy=privacy))


def _budget_to_recalibrate(task: TaskFile, config: Path | None) -> float | None:
    privacy = task.document.privacy
    if config is None or privacy is None or privacy.epsilon is None:
        return None
    raw = tomllib.loads(config.read_text())
    pinned = "noise_multiplier" in raw.get("privacy", {})
    rounds = raw.get("task", {}).get("rounds", 10)
    return None if pinned or rounds == task.rounds else privacy.epsilon


def privacy_summary(task: TaskFile) -> dict[str, object] | None:
    """The task's public DP parameters for ``summary.json`` (None without DP)."""
    privacy = task.document.privacy
    return None if privacy is None else privacy.to_dict()


def resting_tracker(
    client: FLClient, task_id: TaskId, task: TaskFile, members: Sequence[str]
) -> Callable[[RoundId], frozenset[str]]:
    """round -> the members that will not commit in it (budget spent), computed once a round."""
    cache: dict[RoundId, frozenset[str]] = {}

    def resting(round_id: RoundId) -> frozenset[str]:
        if round_id not in cache:
            cache[round_id] = resting_members(client, task_id, task.document, members, round_id)
        return cache[round_id]

    return resting


def round_epsilon(
    client: FLClient, task_id: TaskId, task: TaskFile, round_id: RoundId
) -> float | None:
    """The largest epsilon any participant has spent after ``round_id`` (None without DP)."""
    return epsilon_spent(client, task_id, task.document, round_id)
