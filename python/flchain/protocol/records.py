"""On-chain records as frozen dataclasses, decoded from the contracts' views and events.

Values mirror contracts/types/DataTypes.sol and contracts/interfaces/IModelRegistry.sol.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, NewType

from flchain.storage.cid import Cid

__all__ = [
    "MemberInfo",
    "ModelRecord",
    "RoundId",
    "RoundInfo",
    "RoundPhase",
    "RoundStatus",
    "TaskConfig",
    "TaskId",
    "TaskInfo",
    "TaskStatus",
]

TaskId = NewType("TaskId", int)
RoundId = NewType("RoundId", int)


class TaskStatus(IntEnum):
    """Lifecycle of a task (TaskStatus in DataTypes.sol)."""

    NONE = 0
    ACTIVE = 1
    COMPLETED = 2
    CLOSED = 3


class RoundStatus(IntEnum):
    """Stored status of a round (RoundStatus in DataTypes.sol)."""

    NONE = 0
    OPEN = 1
    QUORUM_REACHED = 2
    FINALIZED = 3
    FAILED = 4  # a failed round whose failure was recorded (its revealers' pool allotted)


class RoundPhase(IntEnum):
    """Phase of a round at the current block time (RoundPhase in DataTypes.sol)."""

    NONE = 0
    COMMIT = 1
    REVEAL = 2
    ATTEST_COMMIT = 3  # first half of the attest window: attestations are committed (hidden)
    ATTEST_REVEAL = 4  # second half: committed attestations are revealed and counted
    QUORUM_REACHED = 5
    FINALIZED = 6
    FAILED = 7

    @property
    def label(self) -> str:
        """Lower-case name for messages and tables."""
        return self.name.lower().replace("_", " ")


@dataclass(frozen=True)
class TaskConfig:
    """What a task creator chooses (TaskConfig in DataTypes.sol). Durations in seconds,
    amounts in the token's smallest unit, shares in basis points."""

    token: str
    initial_model_digest: bytes
    initial_model_codec: int
    model_spec_digest: bytes
    model_spec_codec: int
    num_rounds: int
    commit_duration: int
    reveal_duration: int
    attest_duration: int
    min_stake: int
    reward_per_round: int
    quorum_bps: int = 6_667
    slash_bps: int = 1_000
    reject_slash_bps: int = 500
    attester_share_bps: int = 2_000
    max_participants: int = 64
    aggregation_rule: int = 0
    aggregation_params: bytes = b""
    max_member_share_bps: int = 0  # cap on one member's counted share of a quorum base (0: none)

    @property
    def escrow(self) -> int:
        """Reward escrow pulled from the creator: reward per round times rounds."""
        return self.reward_per_round * self.num_rounds

    def as_tuple(self) -> tuple[Any, ...]:
        """The ABI tuple for ``createTask``."""
        return (
            self.token,
            self.initial_model_digest,
            self.initial_model_codec,
            self.model_spec_digest,
            self.model_spec_codec,
            self.num_rounds,
            self.commit_duration,
            self.reveal_duration,
            self.attest_duration,
            self.min_stake,
            self.reward_per_round,
            self.quorum_bps,
            self.slash_bps,
            self.reject_slash_bps,
            self.attester_share_bps,
            self.max_participants,
            self.aggregation_rule,
            self.aggregation_params,
            self.max_member_share_bps,
        )


@dataclass(frozen=True)
class TaskInfo:
    """A task as stored on chain."""

    task_id: TaskId
    owner: str
    current_round: RoundId
    finalized_rounds: int
    member_count: int
    status: TaskStatus
    token: str
    num_rounds: int
    quorum_bps: int
    slash_bps: int
    attester_share_bps: int
    max_participants: int
    commit_duration: int
    reveal_duration: int
    attest_duration: int
    last_finalized_round: RoundId
    aggregation_rule: int
    reject_slash_bps: int
    min_stake: int
    reward_per_round: int
    total_stake: int
    reward_pool: int
    unclaimed_rewards: int
    burned_stake: int  # slashed stake, locked forever (never refunded to the owner)
    model_spec_digest: bytes
    model_spec_codec: int
    understaked_stake: int  # stake of members slashed below the minimum: in no quorum base
    unbonding_stake: int  # stake of unbonding members: in no quorum base after their last round
    max_member_share_bps: int  # cap on one member's counted share of a quorum base (0: none)
    aggregation_params: bytes

    @classmethod
    def from_abi(cls, task_id: TaskId, raw: Any) -> TaskInfo:
        """Decode the ``getTask`` tuple."""
        (owner, current, finalized, members, status, token, rounds, quorum, slash, share, maxp,
         commit_d, reveal_d, attest_d, last_final, rule, reject_slash, min_stake, reward, total_stake, pool,
         unclaimed, burned, spec_digest, spec_codec, understaked, unbonding, max_share,
         params) = raw  # fmt: skip
        return cls(
            task_id, owner, RoundId(current), finalized, members, TaskStatus(status), token,
            rounds, quorum, slash, share, maxp, commit_d, reveal_d, attest_d, RoundId(last_final),
            rule, reject_slash, min_stake, reward, total_stake, pool, unclaimed, burned, bytes(spec_digest),
            spec_codec, understaked, unbonding, max_share, bytes(params),
        )  # fmt: skip

    @property
    def model_spec(self) -> Cid:
        """The CID of the task document (model, data, training, rule)."""
        return Cid.from_chain(self.model_spec_digest, self.model_spec_codec)


@dataclass(frozen=True)
class RoundInfo:
    """A round as stored on chain, with its phase at read time."""

    task_id: TaskId
    round: RoundId
    commit_deadline: int
    reveal_deadline: int
    attest_deadline: int
    reveal_count: int
    status: RoundStatus
    total_stake: int
    revealed_stake: int
    parent_round: RoundId
    accepted_count: int
    winning_result: bytes
    accepted_bitmap: int
    contributor_pool: int  # shared pro rata of stake among the revealers (accepted ones are paid)
    attester_pool: int  # shared pro rata of stake among the winning attesters
    winning_stake: int
    winning_attesters: int
    phase: RoundPhase
    failures_before: int = 0  # failed rounds of the task before this one (inactivity assessment)

    @classmethod
    def from_abi(cls, task_id: TaskId, round_id: RoundId, raw: Any, phase: int) -> RoundInfo:
        """Decode the ``getRound`` tuple."""
        (commit_d, reveal_d, attest_d, reveals, status, failures, stake, revealed, parent,
         accepted, result, bitmap, pool_c, pool_a, winning, attesters) = raw  # fmt: skip
        return cls(
            task_id, round_id, commit_d, reveal_d, attest_d, reveals,
            RoundStatus(status), stake, revealed, RoundId(parent), accepted, bytes(result), bitmap,
            pool_c, pool_a, winning, attesters, RoundPhase(phase), failures,
        )  # fmt: skip

    @property
    def attest_commit_deadline(self) -> int:
        """End of the attest-commit half of the attest window (FLCoordinator.attestCommitDeadline):
        attestations are committed before it and revealed from it until ``attest_deadline``."""
        return self.reveal_deadline + (self.attest_deadline - self.reveal_deadline) // 2

    def contributor_reward(self, stake: int) -> int:
        """What an accepted contributor (a revealer, if the round failed) with ``stake`` earns."""
        return self.contributor_pool * stake // self.revealed_stake if self.revealed_stake else 0

    def attester_reward(self, stake: int) -> int:
        """What a winning attester with ``stake`` earns."""
        return self.attester_pool * stake // self.winning_stake if self.winning_stake else 0

    def accepted_indices(self) -> list[int]:
        """Reveal indices in the accepted set."""
        return [i for i in range(256) if self.accepted_bitmap >> i & 1]


@dataclass(frozen=True)
class MemberInfo:
    """A participant of a task as stored on chain."""

    address: str
    stake: int
    first_round: RoundId
    active_round: RoundId
    flags: int
    reveal_index: int
    commitment: bytes
    attested_result: bytes
    rewards: int
    encryption_key: bytes

    JOINED = 1
    COMMITTED = 2
    REVEALED = 4
    ATTESTED = 8
    UNDERSTAKED = 16
    UNBONDING = 32
    ATTEST_COMMITTED = (
        64  # an attestation committed; ATTESTED once it is revealed (only then it counts)
    )

    @classmethod
    def from_abi(cls, address: str, raw: Any) -> MemberInfo:
        """Decode the ``getMember`` tuple."""
        stake, rewards, first, active, flags, index, commitment, attested, key = raw
        return cls(
            address, stake, RoundId(first), RoundId(active), flags, index, bytes(commitment),
            bytes(attested), rewards, bytes(key),
        )  # fmt: skip

    @property
    def joined(self) -> bool:
        """Whether the address is a member."""
        return bool(self.flags & self.JOINED)

    def did(self, flag: int, round_id: RoundId) -> bool:
        """Whether the member did ``flag`` (COMMITTED, REVEALED, ATTESTED) in ``round_id``."""
        return self.active_round == round_id and bool(self.flags & flag)


@dataclass(frozen=True)
class ModelRecord:
    """A global model in the registry (round 0: the task's initial model)."""

    task_id: TaskId
    round: RoundId
    parent_round: RoundId
    model_digest: bytes
    codec: int
    metrics_digest: bytes
    contributors: int
    timestamp: int
    block_number: int

    @classmethod
    def from_abi(cls, task_id: TaskId, raw: Any) -> ModelRecord:
        """Decode an IModelRegistry ``ModelRecord`` tuple."""
        digest, metrics, round_id, parent, contributors, codec, timestamp, block = raw
        return cls(
            task_id, RoundId(round_id), RoundId(parent), bytes(digest), codec,
            bytes(metrics), contributors, timestamp, block,
        )  # fmt: skip

    @property
    def model(self) -> Cid:
        """The global model's CID."""
        return Cid.from_chain(self.model_digest, self.codec)
