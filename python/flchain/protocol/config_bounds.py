"""The bounds FLCoordinator.createTask puts on a task's configuration, checked in Python.

Two uses: the task owner's tool validates a task file before anything is sent (so that a
config the chain would refuse fails early, naming the key), and a participant checks a task's
on-chain configuration before it stakes (a task created on an older coordinator, or by another
tool, may be unsafe to join). Pure functions: no chain, no I/O. Mirrors
``FLCoordinator._validateConfig``; ``tests/unit/test_config_bounds.py`` keeps them in step.
"""

from __future__ import annotations

from dataclasses import dataclass

from flchain.errors import ConfigError
from flchain.protocol.records import TaskInfo

__all__ = [
    "MAX_MEMBER_SHARE_BPS",
    "MAX_PHASE_SECONDS",
    "MAX_QUORUM_BPS",
    "MAX_REJECT_SLASH_BPS",
    "MAX_SLASH_BPS",
    "MIN_MEMBER_SHARE_BPS",
    "MIN_PHASE_SECONDS",
    "MIN_QUORUM_BPS",
    "TaskTerms",
    "require_safe_terms",
    "terms_of_task",
    "unsafe_terms",
]

MIN_PHASE_SECONDS = 60  # a phase spans several blocks on any chain
MAX_PHASE_SECONDS = (
    30 * 24 * 3600
)  # deadlines stay far inside uint64; stakes are not locked for ages
MIN_QUORUM_BPS = 5_001  # one result per round
MAX_QUORUM_BPS = 9_000  # above, a sliver of stake (one sock puppet) blocks every round
MAX_SLASH_BPS = 5_000
MAX_REJECT_SLASH_BPS = 1_000  # a rejected update may be an honest outlier (or steered)
MIN_MEMBER_SHARE_BPS = 1_000  # a share cap (optional) is 10% to 50% of a quorum base:
MAX_MEMBER_SHARE_BPS = 5_000  # below any quorum, so no capped member reaches it alone


@dataclass(frozen=True)
class TaskTerms:
    """The economic terms of a task, as a task file or the chain gives them."""

    commit_seconds: int
    reveal_seconds: int
    attest_seconds: int
    quorum_bps: int
    slash_bps: int
    reject_slash_bps: int
    attester_share_bps: int
    max_participants: int
    max_member_share_bps: int = 0  # 0: no cap


def unsafe_terms(terms: TaskTerms) -> list[str]:
    """One sentence per term out of the coordinator's bounds (empty when all are safe).

    Each sentence names the term, its value and the allowed range, in the words of the task file
    (``commit_seconds``, ``quorum``...), so that a reader knows what to change.
    """
    problems: list[str] = []
    for key in ("commit_seconds", "reveal_seconds", "attest_seconds"):
        value = getattr(terms, key)
        if not MIN_PHASE_SECONDS <= value <= MAX_PHASE_SECONDS:
            problems.append(
                f"{key} is {value}: a phase must last from {MIN_PHASE_SECONDS} s to 30 days."
            )
    if not MIN_QUORUM_BPS <= terms.quorum_bps <= MAX_QUORUM_BPS:
        problems.append(
            f"quorum is {terms.quorum_bps / 100:g}%: it must be above 50% and at most 90%."
        )
    if not 0 <= terms.slash_bps <= MAX_SLASH_BPS:
        problems.append(f"slash is {terms.slash_bps / 100:g}%: it must be at most 50%.")
    if not 0 <= terms.reject_slash_bps <= min(terms.slash_bps, MAX_REJECT_SLASH_BPS):
        problems.append(
            f"reject_slash is {terms.reject_slash_bps / 100:g}%: it must be at most 10% "
            "and at most slash."
        )
    if not 0 <= terms.attester_share_bps <= 10_000:
        problems.append(f"attester_share is {terms.attester_share_bps / 100:g}%: at most 100%.")
    if not 1 <= terms.max_participants <= 256:
        problems.append(f"max_participants is {terms.max_participants}: it must be 1 to 256.")
    share = terms.max_member_share_bps
    if share != 0 and not MIN_MEMBER_SHARE_BPS <= share <= MAX_MEMBER_SHARE_BPS:
        problems.append(
            f"max_member_share is {share / 100:g}%: it must be 0 (no cap) or 10% to 50%."
        )
    return problems


def require_safe_terms(terms: TaskTerms) -> None:
    """Raise ConfigError naming the first term out of bounds (``task.<key> ...``)."""
    problems = unsafe_terms(terms)
    if problems:
        raise ConfigError(f"task.{problems[0]} Change it in the task file.")


def terms_of_task(task: TaskInfo) -> TaskTerms:
    """The terms of a task as stored on chain."""
    return TaskTerms(
        commit_seconds=task.commit_duration,
        reveal_seconds=task.reveal_duration,
        attest_seconds=task.attest_duration,
        quorum_bps=task.quorum_bps,
        slash_bps=task.slash_bps,
        reject_slash_bps=task.reject_slash_bps,
        attester_share_bps=task.attester_share_bps,
        max_participants=task.max_participants,
        max_member_share_bps=task.max_member_share_bps,
    )
