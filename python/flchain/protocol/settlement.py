"""What a member's pending settlement will do to its stake, computed as FLCoordinator does.

The contract settles a member's last round lazily (at its next action, or when anyone calls
``settle``), so a member slashed out of a task still looks like a member until then. Readers
that must know now (the task owner building a round's keyring) use this mirror of
``FLCoordinator._settle`` / ``_outcome``, and ``inactivity_penalty`` mirrors the inactivity
assessment ``_settle`` also applies (``_assessInactivity``), as a ``settle`` call made now would.
"""

from __future__ import annotations

from collections.abc import Callable

from flchain.protocol.records import MemberInfo, RoundInfo, RoundPhase, TaskInfo

__all__ = [
    "BPS",
    "inactivity_penalty",
    "is_expelled",
    "pending_reward",
    "slash_amount",
    "stake_after_settlement",
]

BPS = 10_000
_UNREVEALED, _REJECTED, _LOSING = 1, 2, 4


def _slash_reasons(member: MemberInfo, rnd: RoundInfo) -> int:
    committed = bool(member.flags & MemberInfo.COMMITTED)
    revealed = bool(member.flags & MemberInfo.REVEALED)
    # A failed round in which nobody revealed slashes no unrevealed commit (its reveal phase
    # may have had no block: the chain's clock jumped past it).
    finalized = rnd.phase == RoundPhase.FINALIZED
    unrevealed = committed and not revealed and (finalized or rnd.revealed_stake != 0)
    reasons = _UNREVEALED if unrevealed else 0
    if not finalized:
        return reasons
    if revealed and not rnd.accepted_bitmap >> member.reveal_index & 1:
        reasons |= _REJECTED
    if member.flags & MemberInfo.ATTESTED and member.attested_result != rnd.winning_result:
        reasons |= _LOSING
    return reasons


def stake_after_settlement(task: TaskInfo, member: MemberInfo, active: RoundInfo | None) -> int:
    """``member``'s stake once its active round (``active``, read by the caller) is settled;
    its current stake while that round is undecided or there is nothing to settle."""
    if member.active_round == 0 or active is None:
        return member.stake
    if active.phase not in (RoundPhase.FINALIZED, RoundPhase.FAILED):
        return member.stake
    reasons = _slash_reasons(member, active)
    if reasons == 0:
        return member.stake
    bps = task.reject_slash_bps if reasons == _REJECTED else task.slash_bps
    return member.stake - slash_amount(member.stake, bps)


def slash_amount(stake: int, bps: int) -> int:
    """The slash of ``bps`` on ``stake``, rounded up as the contract does (no stake is too
    small to be slashed); the slashed amount is burned, never paid to anyone."""
    return -(-stake * bps // BPS)


def _silence_counts(rnd: RoundInfo) -> bool:
    """A failed round in which something was revealed: silence in it is penalized."""
    return rnd.phase == RoundPhase.FAILED and rnd.revealed_stake != 0


def inactivity_penalty(
    task: TaskInfo,
    member: MemberInfo,
    active: RoundInfo | None,
    current: RoundInfo,
    failures_before: Callable[[int], int],
    last_counted_round: int | None = None,
) -> int:
    """The inactivity penalty a ``settle`` of ``member`` made now would burn (FLCoordinator's
    ``_assessInactivity``): ``reject_slash`` per failed round with reveals, from its cursor
    (``first_round``) to the last decided one, in which it neither attested nor revealed.

    ``active`` is its active round, ``current`` the task's current round (both read now),
    ``failures_before(r)`` reads round r's prefix count of such failures, and
    ``last_counted_round`` is an unbonding member's last counted round (``getUnbonding``).
    """
    stake, work_slash = member.stake, 0
    limit = 2**32
    attested_failure = False
    if member.active_round and active is not None and active.phase in _DECIDED:
        reasons = _slash_reasons(member, active)
        if reasons:
            bps = task.reject_slash_bps if reasons == _REJECTED else task.slash_bps
            work_slash = slash_amount(stake, bps)
            if stake - work_slash < task.min_stake:  # expelled by its work: not assessed after
                limit = member.active_round + 1
        worked = member.flags & (MemberInfo.ATTESTED | MemberInfo.REVEALED)
        attested_failure = _silence_counts(active) and bool(worked)
    if member.flags & MemberInfo.UNBONDING and last_counted_round is not None:
        limit = min(limit, last_counted_round + 1)
    start, now = int(member.first_round), int(task.current_round)
    if start > now or start >= limit or member.flags & MemberInfo.UNDERSTAKED:
        return 0
    end: int = now
    failures_to = current.failures_before
    if _silence_counts(current):
        end, failures_to = now + 1, failures_to + 1
    if limit < end:
        end, failures_to = limit, failures_before(limit)
    missed = failures_to - failures_before(start) - (1 if attested_failure else 0)
    if missed <= 0:
        return 0
    return slash_amount(stake - work_slash, min(missed * task.reject_slash_bps, BPS))


_DECIDED = (RoundPhase.FINALIZED, RoundPhase.FAILED)


def pending_reward(member: MemberInfo, active: RoundInfo | None) -> int:
    """The reward ``member``'s settlement of its active round (``active``) will credit: a share
    of each pool pro rata of its stake (accepted update, winning attestation; any revealed
    update of a failed round whose failure is recorded). 0 while undecided."""
    if member.active_round == 0 or active is None:
        return 0
    revealed = bool(member.flags & MemberInfo.REVEALED)
    if active.phase == RoundPhase.FAILED:
        return active.contributor_reward(member.stake) if revealed else 0
    if active.phase != RoundPhase.FINALIZED:
        return 0
    reward = 0
    if revealed and active.accepted_bitmap >> member.reveal_index & 1:
        reward += active.contributor_reward(member.stake)
    if member.flags & MemberInfo.ATTESTED and member.attested_result == active.winning_result:
        reward += active.attester_reward(member.stake)
    return reward


def is_expelled(
    task: TaskInfo, member: MemberInfo, active: RoundInfo | None, penalty: int = 0
) -> bool:
    """Whether slashes (applied or pending, with a pending inactivity ``penalty``, see
    ``inactivity_penalty``) leave ``member`` below the task's minimum stake: the contract then
    lets it do nothing but leave."""
    if member.flags & MemberInfo.UNDERSTAKED:
        return True
    return stake_after_settlement(task, member, active) - penalty < task.min_stake
