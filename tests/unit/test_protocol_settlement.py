"""The settlement mirror: a member's stake after its pending settlement, as FLCoordinator
computes it (slash reasons and rates from contracts/FLCoordinator.sol `_outcome`)."""

from __future__ import annotations

import dataclasses

from flchain.protocol.records import (
    MemberInfo,
    RoundId,
    RoundInfo,
    RoundPhase,
    RoundStatus,
    TaskId,
    TaskInfo,
    TaskStatus,
)
from flchain.protocol.settlement import (
    inactivity_penalty,
    is_expelled,
    pending_reward,
    slash_amount,
    stake_after_settlement,
)

TOKEN = 10**18
TASK = TaskInfo(
    TaskId(1), "0xowner", RoundId(3), 2, 3, TaskStatus.ACTIVE, "0xtoken", 10, 6_700, 1_000, 2_000,
    64, 600, 600, 600, RoundId(2), 0, 500, 10 * TOKEN, 100 * TOKEN, 60 * TOKEN, 0, 0, 0, b"", 0x55,
    0, 0, 0, b"",
)  # fmt: skip
WIN = b"\x01" * 32
ROUND = RoundInfo(
    TaskId(1), RoundId(2), 0, 0, 0, 2, RoundStatus.FINALIZED, 30 * TOKEN, 40 * TOKEN, RoundId(1), 1,
    WIN, 0b01, 80 * TOKEN, 20 * TOKEN, 20 * TOKEN, 2, RoundPhase.FINALIZED,
)  # fmt: skip


def _member(
    flags: int, index: int = 0, attested: bytes = WIN, stake: int = 20 * TOKEN
) -> MemberInfo:
    return MemberInfo(
        "0xm",
        stake,
        RoundId(1),
        RoundId(2),
        MemberInfo.JOINED | flags,
        index,
        b"",
        attested,
        0,
        b"",
    )


def test_stake_is_kept_when_the_update_was_accepted_and_the_attestation_won() -> None:
    member = _member(MemberInfo.COMMITTED | MemberInfo.REVEALED | MemberInfo.ATTESTED)

    assert stake_after_settlement(TASK, member, ROUND) == 20 * TOKEN


def test_unrevealed_commit_is_slashed_at_the_slash_rate_even_when_the_round_failed() -> None:
    failed = dataclasses.replace(ROUND, phase=RoundPhase.FAILED)

    assert stake_after_settlement(TASK, _member(MemberInfo.COMMITTED), failed) == 18 * TOKEN
    assert (
        stake_after_settlement(TASK, _member(MemberInfo.COMMITTED | MemberInfo.REVEALED), failed)
        == 20 * TOKEN
    )


def test_unrevealed_commit_is_not_slashed_when_the_round_failed_without_any_reveal() -> None:
    nobody_revealed = dataclasses.replace(ROUND, phase=RoundPhase.FAILED, revealed_stake=0)

    stake = stake_after_settlement(TASK, _member(MemberInfo.COMMITTED), nobody_revealed)

    assert stake == 20 * TOKEN


def test_rejected_update_alone_is_slashed_at_the_milder_rate() -> None:
    member = _member(MemberInfo.COMMITTED | MemberInfo.REVEALED, index=1)

    assert stake_after_settlement(TASK, member, ROUND) == 19 * TOKEN


def test_losing_attestation_is_slashed_at_the_slash_rate() -> None:
    member = _member(MemberInfo.ATTESTED, attested=b"\x02" * 32)

    assert stake_after_settlement(TASK, member, ROUND) == 18 * TOKEN


def test_member_is_expelled_when_a_pending_slash_leaves_it_below_the_minimum() -> None:
    at_minimum = _member(MemberInfo.COMMITTED, stake=10 * TOKEN)
    undecided = dataclasses.replace(ROUND, status=RoundStatus.OPEN, phase=RoundPhase.REVEAL)

    assert is_expelled(TASK, at_minimum, ROUND)
    assert not is_expelled(TASK, at_minimum, undecided)
    assert is_expelled(
        TASK,
        dataclasses.replace(at_minimum, flags=MemberInfo.JOINED | MemberInfo.UNDERSTAKED),
        None,
    )


def test_slash_rounds_up_so_that_no_stake_is_too_small_to_slash() -> None:
    assert (slash_amount(9, 1_000), slash_amount(10, 1_000), slash_amount(0, 1_000)) == (1, 1, 0)


def test_pending_reward_is_pro_rata_of_stake_for_an_accepted_update_and_a_winning_attestation() -> (
    None
):
    member = _member(MemberInfo.COMMITTED | MemberInfo.REVEALED | MemberInfo.ATTESTED)

    # 80 * 20 / 40 for the update, 20 * 20 / 20 for the attestation
    assert pending_reward(member, ROUND) == 40 * TOKEN + 20 * TOKEN


def test_pending_reward_pays_revealers_of_a_failed_round_and_nothing_for_a_rejected_update() -> (
    None
):
    revealer = _member(MemberInfo.COMMITTED | MemberInfo.REVEALED, index=1, attested=b"")
    failed = dataclasses.replace(ROUND, phase=RoundPhase.FAILED, attester_pool=0)

    assert pending_reward(revealer, ROUND) == 0  # index 1 is outside the accepted set
    assert pending_reward(revealer, failed) == 40 * TOKEN


def test_inactivity_penalty_charges_each_failed_round_with_reveals_since_the_cursor() -> None:
    # Cursor at round 1; rounds 1 and 2 failed with reveals (prefix counts 0, 1, 2); round 3,
    # the current one, failed too with reveals: three missed rounds at reject_slash (5%) each.
    current = dataclasses.replace(
        ROUND, round=RoundId(3), phase=RoundPhase.FAILED, status=RoundStatus.OPEN, failures_before=2
    )
    member = dataclasses.replace(_member(0), active_round=RoundId(0))
    prefix = {1: 0, 2: 1, 3: 2}

    penalty = inactivity_penalty(TASK, member, None, current, prefix.__getitem__)

    assert penalty == slash_amount(20 * TOKEN, 3 * 500)


def test_inactivity_penalty_spares_an_unbonding_member_after_its_last_counted_round() -> None:
    current = dataclasses.replace(
        ROUND, round=RoundId(3), phase=RoundPhase.FAILED, status=RoundStatus.OPEN, failures_before=2
    )
    member = dataclasses.replace(
        _member(MemberInfo.UNBONDING), active_round=RoundId(0), first_round=RoundId(2)
    )

    penalty = inactivity_penalty(TASK, member, None, current, {1: 0, 2: 1, 3: 2}.__getitem__, 1)

    assert penalty == 0
