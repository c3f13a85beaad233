// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {Member, Round, TaskConfig} from "../../../types/DataTypes.sol";
import {MemberFlags} from "../../../libraries/MemberFlags.sol";
import {SlashReasons} from "../../../libraries/SlashReasons.sol";
import {Base} from "../../Base.t.sol";

contract SettleTest is Base {
    uint128 private constant SLASH = STAKE * SLASH_BPS / 10_000;

    /// @dev Four members. alice, bob and carol reveal (indices 0, 1, 2); dave commits but never
    /// reveals. carol attests OTHER_MODEL; alice, bob and dave attest MODEL accepting alice and
    /// bob (0x3), which reaches the quorum (3 of 4 equal stakes) and is finalized.
    function mixedRound() private returns (uint32 round) {
        join(alice);
        join(bob);
        join(carol);
        join(dave);
        round = startRound();
        commitAs(alice);
        commitAs(bob);
        commitAs(carol);
        commitAs(dave);
        warpToReveal();
        revealAs(alice);
        revealAs(bob);
        revealAs(carol);
        warpToAttest();
        attestAs(carol, OTHER_MODEL, 0x7);
        attestAs(alice, MODEL, 0x3);
        attestAs(bob, MODEL, 0x3);
        attestAs(dave, MODEL, 0x3);
        finalize(MODEL, 0x3);
    }

    function settle(address who) private returns (bool) {
        return coordinator.settle(taskId, who);
    }

    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 6));
        coordinator.settle(6, alice);
    }

    function test_RevertWhen_NotAMember() external {
        vm.expectRevert(err(IFLCoordinator.MemberNotFound.selector, taskId, eve));
        settle(eve);
    }

    function test_Settle_NothingPending() external {
        join(alice);
        vm.recordLogs();
        assertFalse(settle(alice), "settled");
        assertEq(vm.getRecordedLogs().length, 0, "no events");
    }

    function test_Settle_RoundUndecided() external {
        uint32 round = joinThreeAndStart();
        commitAs(alice);
        warpToAttest();
        assertFalse(settle(alice), "settled");
        Member memory m = member(alice);
        assertEq(m.activeRound, round, "still active");
        assertEq(m.stake, STAKE, "not slashed");
    }

    function test_Settle_CreditsAcceptedContributorAndWinningAttester() external {
        uint32 round = mixedRound();
        uint128 reward = fullShare(round);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.MemberSettled(taskId, round, alice, reward, 0);
        assertTrue(settle(alice), "settled");
        assertEq(member(alice).rewards, reward, "rewards");
        assertEq(member(alice).stake, STAKE, "stake");
    }

    function test_Settle_SlashesUnrevealedCommit() external {
        uint32 round = mixedRound();
        uint128 perAttester = attesterShare(round, STAKE);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.Slashed(taskId, round, dave, SLASH, SlashReasons.UNREVEALED);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.MemberSettled(taskId, round, dave, perAttester, SLASH);
        settle(dave);
        assertEq(member(dave).stake, STAKE - SLASH, "stake");
        assertEq(member(dave).rewards, perAttester, "winning attestation still paid");
    }

    function test_Settle_SlashesRejectedUpdateAndLosingAttestationOnce() external {
        uint32 round = mixedRound();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.Slashed(
            taskId, round, carol, SLASH, SlashReasons.REJECTED_UPDATE | SlashReasons.LOSING_ATTESTATION
        );
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.MemberSettled(taskId, round, carol, 0, SLASH);
        settle(carol);
        assertEq(member(carol).stake, STAKE - SLASH, "slashed once");
        assertEq(member(carol).rewards, 0, "no reward");
    }

    function test_Settle_SlashesOnlyRejectSlashBpsWhenTheUpdateIsTheOnlyFault() external {
        TaskConfig memory config = defaultConfig();
        config.rejectSlashBps = 100;
        taskId = createTask(config);
        join(alice);
        join(bob);
        join(carol);
        uint32 round = startRound();
        playRound(0x3);
        uint128 mild = STAKE * 100 / 10_000;
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.Slashed(taskId, round, carol, mild, SlashReasons.REJECTED_UPDATE);
        settle(carol);
        assertEq(member(carol).stake, STAKE - mild, "mild slash");
        assertEq(member(carol).rewards, attesterShare(round, STAKE), "attester paid");
    }

    function test_Settle_BurnsSlashNeverToRewardPool() external {
        mixedRound();
        uint128 totalStake = task_().totalStake;
        uint128 pool = task_().rewardPool;
        settle(carol);
        assertEq(task_().totalStake, totalStake - SLASH, "totalStake");
        assertEq(task_().rewardPool, pool, "rewardPool");
        assertEq(task_().burnedStake, SLASH, "burnedStake");
    }

    function test_Settle_MarksUnderstaked() external {
        mixedRound();
        settle(carol);
        assertTrue(member(carol).flags & MemberFlags.UNDERSTAKED != 0, "UNDERSTAKED");
        settle(alice);
        assertTrue(member(alice).flags & MemberFlags.UNDERSTAKED == 0, "alice not understaked");
    }

    function test_Settle_KeepsMemberAboveMinimumUnflagged() external {
        join(alice, STAKE * 2);
        join(bob);
        join(carol);
        startRound();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(bob); // someone revealed: the reveal phase was live
        warpToAttest();
        attestAs(alice, MODEL, 0); // no quorum alone; attesting spares her the inactivity penalty
        warpPastAttest();
        settle(alice);
        assertEq(member(alice).stake, STAKE * 2 - STAKE * 2 * SLASH_BPS / 10_000, "stake");
        assertTrue(member(alice).flags & MemberFlags.UNDERSTAKED == 0, "still above the minimum");
    }

    function test_Settle_FailedRoundSlashesUnrevealedOnly() external {
        uint32 round = joinThreeAndStart();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(bob);
        warpToAttest();
        attestAs(bob, MODEL, 0x1);
        attestAs(carol, OTHER_MODEL, 0);
        warpPastAttest();

        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.MemberSettled(taskId, round, alice, 0, SLASH);
        settle(alice);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.MemberSettled(taskId, round, bob, contributorShare(round, STAKE), 0);
        settle(bob);
        assertEq(contributorShare(round, STAKE), REWARD_PER_ROUND * (10_000 - ATTESTER_SHARE_BPS) / 10_000, "bob, the only revealer, is paid the contributor pool");
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.MemberSettled(taskId, round, carol, 0, 0);
        settle(carol);
        assertEq(member(bob).stake, STAKE, "bob not slashed");
        assertEq(member(carol).stake, STAKE, "carol not slashed");
        assertEq(member(carol).rewards, 0, "no attester rewards in a failed round");
    }

    function test_Settle_FailedRoundWithoutAnyRevealSlashesNoCommit() external {
        uint32 round = joinThreeAndStart();
        commitAs(alice);
        commitAs(bob);
        warpPastAttest(); // the clock jumps past the reveal and attest phases

        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.MemberSettled(taskId, round, alice, 0, 0);
        settle(alice);
        settle(bob);
        assertEq(member(alice).stake, STAKE, "alice not slashed");
        assertEq(member(bob).stake, STAKE, "bob not slashed");
    }

    function test_Settle_SlashShrinksOpenRoundsQuorumBase() external {
        joinThreeAndStart();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(bob); // someone revealed: the reveal phase was live
        warpToAttest();
        attestAs(alice, MODEL, 0); // no quorum alone; attesting spares her the inactivity penalty
        warpPastAttest(); // round 1 fails with alice's commit unrevealed
        startRound(); // round 2 counts alice's unslashed stake
        assertEq(round_().totalStake, STAKE * 3, "snapshot");
        settle(alice);
        // alice staked the minimum: the slash leaves her understaked, so all her stake leaves it.
        assertEq(round_().totalStake, STAKE * 2, "the understaked stake leaves the quorum base");
        assertEq(task_().understakedStake, STAKE - SLASH, "understakedStake");
    }

    function test_Settle_SlashOfAMemberStillAboveTheMinimumShrinksQuorumBaseBySlashOnly() external {
        join(alice, STAKE * 2);
        join(bob);
        join(carol);
        startRound();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(bob); // someone revealed: the reveal phase was live
        warpToAttest();
        attestAs(alice, MODEL, 0); // no quorum alone; attesting spares her the inactivity penalty
        warpPastAttest();
        startRound();
        settle(alice);
        assertEq(round_().totalStake, STAKE * 4 - STAKE * 2 * SLASH_BPS / 10_000, "only the slash leaves");
    }

    function test_Settle_ClearsRoundWork() external {
        mixedRound();
        assertTrue(settle(bob), "settled");
        Member memory m = member(bob);
        assertEq(m.activeRound, 0, "activeRound");
        assertEq(m.flags, MemberFlags.JOINED, "flags");
    }

    function test_Settle_SameOutcomeWhoeverCalls() external {
        mixedRound();
        vm.prank(eve);
        coordinator.settle(taskId, carol);
        vm.prank(carol);
        coordinator.settle(taskId, dave);
        assertEq(member(carol).stake, STAKE - SLASH, "carol");
        assertEq(member(dave).stake, STAKE - SLASH, "dave");
    }

    function test_Settle_Twice() external {
        mixedRound();
        assertTrue(settle(carol), "first");
        assertFalse(settle(carol), "second");
        assertEq(member(carol).stake, STAKE - SLASH, "slashed once");
    }
}
