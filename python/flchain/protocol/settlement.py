"""What a member's pending settlement will do to its stake, computed as FLCoordinator does.

The contract settles a member's last round lazily (at its next action, or when anyone calls
``settle``), so a member slashed out of a task still looks like a member until then. Readers
that must know now (the task owner building a round's keyring) use this mirror of
``FLCoordinator._settle`` / ``_outcome``. Not mirrored yet: the inactivity penalty that
``_settle`` also applies (``_assessInactivity``), so a member that penalty would expel still
looks eligible here.
"""

from __future__ import annotations

from flchain.protocol.records import MemberInfo, RoundInfo, RoundPhase, TaskInfo

__all__ = ["BPS", "is_expelled", "pending_reward", "slash_amount", "stake_after_settlement"]

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


def is_expelled(task: TaskInfo, member: MemberInfo, active: RoundInfo | None) -> bool:
    """Whether slashes (applied or pending) leave ``member`` below the task's minimum stake:
    the contract then lets it do nothing but leave."""
    if member.flags & MemberInfo.UNDERSTAKED:
        return True
    return stake_after_settlement(task, member, active) < task.min_stake
