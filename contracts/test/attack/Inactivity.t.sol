// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {RoundPhase} from "../../types/DataTypes.sol";
import {SlashReasons} from "../../libraries/SlashReasons.sol";
import {Base} from "../Base.t.sol";

/// @notice Issue 11, "failures with a silent minority cost that minority": a member in a round's
/// stake snapshot that lets the round fail without attesting pays `rejectSlashBps` of its stake per
/// such round (burned). The attack tests failed on the coordinator before the inactivity penalty
/// (the silent blocker kept its whole stake); the others show who must never pay it.
contract InactivityTest is Base {
    address internal puppet;

    function setUp() public override {
        super.setUp();
        puppet = makeAddr("puppet");
        fund(puppet, FUNDS);
    }

    /// @dev `who` unbonds (settling first: penalties are charged there), waits out the delay, leaves.
    function unbondAndLeave(address who) internal {
        vm.prank(who);
        coordinator.unbond(taskId);
        vm.warp(coordinator.getUnbonding(taskId, who).leaveTime);
        vm.prank(who);
        coordinator.leave(taskId);
    }

    /// @dev The rate the tests expect: one `rejectSlashBps` (here SLASH_BPS) per missed round, rounded up.
    function penaltyOf(uint256 stake, uint256 missed) internal pure returns (uint256) {
        return (stake * missed * SLASH_BPS + 9_999) / 10_000;
    }

    /// @dev alice and bob (60% of the stake) commit, reveal and attest; the puppet (40%) stays
    /// silent, so the 66.67% quorum is out of reach and the round fails.
    function blockedRound() internal {
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(alice);
        revealAs(bob);
        warpToAttest();
        attestAs(alice, MODEL, 0x3);
        attestAs(bob, MODEL, 0x3);
        warpPastAttest();
        assertEq(uint256(phase()), uint256(RoundPhase.Failed), "the silent minority blocked the round");
    }

    function joinBlockers() internal {
        join(alice, 2 * STAKE);
        join(bob, STAKE);
        join(puppet, 2 * STAKE);
    }

    // ------------------------------------------------------------------ attacks

    /// @dev Honest stake: revealers who could not attest (a secure-aggregation dropout broke the
    /// roster, or update bytes were withheld from them) did their work; only the silent pay.
    /// Failed on the first version of the penalty (every non-attester paid).
    function test_RevealersWhoCouldNotAttest_PayNoPenalty() external {
        joinBlockers();
        startRound();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(alice);
        revealAs(bob);
        warpPastAttest(); // nobody could aggregate: no attestation, the round fails
        coordinator.settle(taskId, alice);
        coordinator.settle(taskId, bob);
        coordinator.settle(taskId, puppet);
        assertEq(member(alice).stake, 2 * STAKE, "alice keeps her stake");
        assertEq(member(bob).stake, STAKE, "bob keeps his stake");
        assertEq(member(puppet).stake, 2 * STAKE - penaltyOf(2 * STAKE, 1), "the silent puppet pays");
    }

    /// @dev Old code: the puppet's silence was free (it left with its whole stake).
    function test_SilentBlocker_PaysForTheFailedRound() external {
        joinBlockers();
        startRound();
        blockedRound();
        uint256 penalty = penaltyOf(2 * STAKE, 1);

        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.InactivityPenalized(taskId, puppet, 1, 2, 1, uint128(penalty));
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.Slashed(taskId, 1, puppet, uint128(penalty), SlashReasons.INACTIVE);
        uint256 before = balanceOf(puppet);
        unbondAndLeave(puppet);

        assertEq(balanceOf(puppet) - before, 2 * STAKE - penalty, "the blocker leaves poorer");
        assertEq(task_().burnedStake, penalty, "the penalty is burned");
    }

    /// @dev One lazy assessment charges every blocked round since the last one (old code: nothing).
    function test_SilentBlocker_PaysForEveryBlockedRound() external {
        joinBlockers();
        startRound();
        for (uint256 i; i < 3; ++i) {
            blockedRound();
            vm.warp(round_().attestDeadline + ATTEST_DURATION); // past the owner's window
            vm.prank(alice);
            coordinator.startRound(taskId);
        }
        coordinator.settle(taskId, puppet);
        assertEq(member(puppet).stake, 2 * STAKE - penaltyOf(2 * STAKE, 3), "three missed rounds");
        assertEq(member(puppet).firstRound, 4, "assessed up to the open round");
        assertEq(round_().totalStake, 5 * STAKE - penaltyOf(2 * STAKE, 3), "and out of the open quorum base");
    }

    /// @dev A blocker cannot dodge the penalty by leaving before anyone records the failure.
    function test_SilentBlocker_CannotLeaveBeforeTheFailureIsRecorded() external {
        joinBlockers();
        startRound();
        blockedRound();
        assertEq(uint256(coordinator.getRound(taskId, 1).status), 1, "failure not recorded yet (Open)");
        uint256 before = balanceOf(puppet);
        unbondAndLeave(puppet);
        assertEq(balanceOf(puppet) - before, 2 * STAKE - penaltyOf(2 * STAKE, 1), "penalized on the way out");
    }

    // ------------------------------------------------------------------ who never pays

    /// @dev Honest members who attest in time lose nothing, however many rounds a minority blocks.
    function test_HonestAttesters_LoseNothing_WhenRoundsFail() external {
        joinBlockers();
        startRound();
        for (uint256 i; i < 3; ++i) {
            blockedRound();
            vm.warp(round_().attestDeadline + ATTEST_DURATION);
            vm.prank(bob);
            coordinator.startRound(taskId); // settles bob too (round i+1's work)
        }
        coordinator.settle(taskId, alice);
        coordinator.settle(taskId, bob);
        assertEq(member(alice).stake, 2 * STAKE, "alice keeps her stake");
        assertEq(member(bob).stake, STAKE, "bob keeps his stake");
        assertGt(member(alice).rewards, 0, "and revealers of failed rounds are paid");
    }

    /// @dev A member silent in a finalized round pays nothing: its silence blocked nothing (and
    /// once the quorum is reached, a slower honest member can no longer attest).
    function test_SilentMember_OfAFinalizedRound_PaysNothing() external {
        join(alice, 2 * STAKE);
        join(bob);
        join(carol);
        startRound();
        commitAndRevealThree();
        attestAs(alice, MODEL, 0x7);
        attestAs(bob, MODEL, 0x7);
        assertEq(uint256(phase()), uint256(RoundPhase.QuorumReached), "quorum without carol");
        finalize(MODEL, 0x7);
        coordinator.settle(taskId, carol);
        assertEq(member(carol).stake, STAKE, "carol keeps her stake");
        assertEq(task_().burnedStake, 0, "nothing burned");
    }

    /// @dev A member still bonding is in no snapshot: the rounds that fail meanwhile cost it nothing.
    function test_BondingJoiner_PaysNothing_ForRoundsBeforeItsFirst() external {
        joinBlockers();
        startRound();
        join(dave); // works from round 3
        blockedRound();
        vm.warp(round_().attestDeadline + ATTEST_DURATION);
        vm.prank(alice);
        coordinator.startRound(taskId);
        blockedRound(); // round 2 fails too
        uint256 before = balanceOf(dave);
        unbondAndLeave(dave);
        assertEq(balanceOf(dave) - before, STAKE, "dave gets his whole stake back");
    }

    /// @dev A member silent in a failed round but attesting in the next pays for the first only,
    /// once: the cursor moves past every assessed round.
    function test_Assessment_ChargesEachMissedRoundOnce() external {
        joinBlockers();
        startRound();
        blockedRound();
        vm.warp(round_().attestDeadline + ATTEST_DURATION);
        vm.prank(alice);
        coordinator.startRound(taskId);
        coordinator.settle(taskId, puppet);
        uint256 afterFirst = member(puppet).stake;
        assertEq(afterFirst, 2 * STAKE - penaltyOf(2 * STAKE, 1), "round 1 charged");
        coordinator.settle(taskId, puppet);
        warpToAttest();
        attestAs(puppet, MODEL, 0);
        coordinator.settle(taskId, puppet);
        assertEq(member(puppet).stake, afterFirst, "charged once, and not for round 2 it attests in");
    }

    /// @dev Anyone may settle a member: after a failed round that advances its inactivity cursor
    /// past the current round. Its stake must still come back, even in a task closed after that
    /// failure (old code: `leave` subtracted the stake from a bonding bucket it was never in and
    /// reverted with an arithmetic panic, forever once the task was closed).
    function test_Leave_AfterAStrangerSettledAFailedRoundOfAClosedTask() external {
        join(alice);
        join(bob);
        join(puppet, 2 * STAKE);
        startRound();
        blockedRound();
        vm.prank(owner);
        coordinator.closeTask(taskId);
        vm.prank(makeAddr("stranger"));
        coordinator.settle(taskId, puppet);
        assertEq(member(puppet).firstRound, 2, "the cursor moved past the failed round");
        uint256 before = balanceOf(puppet);

        vm.prank(puppet);
        coordinator.leave(taskId);
        assertEq(balanceOf(puppet), before + 2 * STAKE - penaltyOf(2 * STAKE, 1), "stake minus one penalty");
    }
}
