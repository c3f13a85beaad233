"""What a member's pending settlement will do to its stake, computed as FLCoordinator does.

The contract settles a member's last round lazily (at its next action, or when anyone calls
``settle``), so a member slashed out of a task still looks like a member until then. Readers
that must know now (the task owner building a round's keyring) use this mirror of
``FLCoordinator._settle`` / ``_outcome``.
"""

from __future__ import annotations

from flchain.protocol.records import MemberInfo, RoundInfo, RoundPhase, TaskInfo

__all__ = ["BPS", "is_expelled", "stake_after_settlement"]

BPS = 10_000
_UNREVEALED, _REJECTED, _LOSING = 1, 2, 4


def _slash_reasons(member: MemberInfo, rnd: RoundInfo) -> int:
    committed = bool(member.flags & MemberInfo.COMMITTED)
    revealed = bool(member.flags & MemberInfo.REVEALED)
    reasons = _UNREVEALED if committed and not revealed else 0
    if rnd.phase != RoundPhase.FINALIZED:
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
    return member.stake - member.stake * bps // BPS


def is_expelled(task: TaskInfo, member: MemberInfo, active: RoundInfo | None) -> bool:
    """Whether slashes (applied or pending) leave ``member`` below the task's minimum stake:
    the contract then lets it do nothing but leave."""
    if member.flags & MemberInfo.UNDERSTAKED:
        return True
    return stake_after_settlement(task, member, active) < task.min_stake
