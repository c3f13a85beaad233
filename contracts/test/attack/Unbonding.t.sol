// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {MemberFlags} from "../../libraries/MemberFlags.sol";
import {TaskConfig, Unbonding} from "../../types/DataTypes.sol";
import {Base} from "../Base.t.sol";

/// @notice Unbonding (issue 11): a stake that weighed in a round stays at stake for
/// `UNBONDING_ROUNDS` rounds after its member unbonds. The attack test failed on the coordinator
/// before unbonding (the late whale left with its whole stake right after the round it captured);
/// the others show that an honest member always gets its whole stake back after the delay.
contract UnbondingTest is Base {
    address internal whale;

    function setUp() public override {
        super.setUp();
        whale = makeAddr("whale");
        fund(whale, FUNDS);
        TaskConfig memory config = defaultConfig();
        config.numRounds = 8;
        taskId = createTask(config);
    }

    function leaveAs(address who) internal {
        vm.prank(who);
        coordinator.leave(taskId);
    }

    function unbondAs(address who) internal {
        vm.prank(who);
        coordinator.unbond(taskId);
    }

    function unbonding(address who) internal view returns (Unbonding memory) {
        return coordinator.getUnbonding(taskId, who);
    }

    function stillUnbonding(address who) internal view returns (bytes memory) {
        Unbonding memory u = unbonding(who);
        return abi.encodeWithSelector(
            IFLCoordinator.MemberStillUnbonding.selector, taskId, who, u.leaveRound, u.leaveTime
        );
    }

    /// @dev The late whale bonds through round 2, captures round 3 alone (accepting only its own
    /// update), and wants its stake back at once.
    function test_LateWhale_CannotTakeItsStakeBackRightAfterTheAttack() external {
        joinThreeAndStart();
        join(whale, 10 * STAKE);
        playFullRound();
        playFullRound();
        assertEq(currentRound(), 3, "round 3, the whale's first");
        commitAs(whale);
        warpToReveal();
        revealAs(whale);
        warpToAttest();
        attestAs(whale, OTHER_MODEL, 0x1);
        finalize(OTHER_MODEL, 0x1);
        assertEq(currentRound(), 4, "the whale's round is final");

        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberStakeBonded.selector, taskId, whale));
        leaveAs(whale);
        unbondAs(whale);
        vm.expectRevert(stillUnbonding(whale));
        leaveAs(whale);
        assertEq(unbonding(whale).leaveRound, 4 + coordinator.UNBONDING_ROUNDS(), "two more rounds at stake");
    }

    /// @dev alice, bob and carol commit in round 1; carol unbonds with that work pending; all
    /// reveal, attest and round 1 is finalized.
    function playRoundCarolUnbonding() internal {
        commitAs(alice);
        commitAs(bob);
        commitAs(carol);
        unbondAs(carol);
        warpToReveal();
        revealAs(alice);
        revealAs(bob);
        revealAs(carol);
        warpToAttest();
        attestThree(MODEL, 0x7);
        finalize(MODEL, 0x7);
    }

    function test_Unbond_WithWork_KeepsTheMemberInItsRoundsBaseOnly() external {
        joinThreeAndStart();
        commitAs(carol);
        unbondAs(carol);
        assertEq(round_().totalStake, 3 * STAKE, "carol finishes round 1");
        assertEq(unbonding(carol).lastRound, 1, "her last counted round");
    }

    function test_Unbond_WithoutWork_LeavesTheOpenBaseAtOnce() external {
        joinThreeAndStart();
        unbondAs(carol);
        assertEq(round_().totalStake, 2 * STAKE, "carol neither blocks nor pays for round 1");
        assertEq(unbonding(carol).lastRound, 0, "no counted round left");
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberUnbonding.selector, taskId, carol, 0));
        commitAs(carol, 1);
    }

    function test_Unbond_TakesTheStakeOutOfTheNextQuorumBases() external {
        joinThreeAndStart();
        playRoundCarolUnbonding();

        assertEq(currentRound(), 2, "round 2 open");
        assertEq(round_().totalStake, 2 * STAKE, "carol is in no later quorum base");
        assertEq(task_().unbondingStake, STAKE, "her stake waits in the unbonding sum");
        warpToAttest();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberUnbonding.selector, taskId, carol, 1));
        commitAttestationAs(carol, 2, MODEL, 0);
    }

    /// @dev An honest member who unbonds is never penalized for the rounds after its last one,
    /// even if they all fail, and leaves with its whole stake and rewards after the delay.
    function test_HonestMember_LeavesWithItsWholeStakeAfterTheDelay() external {
        joinThreeAndStart();
        playRoundCarolUnbonding(); // carol works in round 1, her last
        uint256 rewards = contributorShare(1, STAKE) + attesterShare(1, STAKE);
        // Round 2 fails with a reveal (alice alone): silence there costs only those it counts.
        commitAs(alice);
        warpToReveal();
        revealAs(alice);
        warpPastAttest();
        vm.prank(owner);
        coordinator.startRound(taskId);
        assertEq(currentRound(), 3, "round 1 + UNBONDING_ROUNDS opened");
        uint256 before = balanceOf(carol);

        leaveAs(carol);
        assertEq(balanceOf(carol) - before, STAKE + rewards, "the whole stake and round 1's rewards");
        assertEq(task_().unbondingStake, 0, "the unbonding sum is empty");
    }

    /// @dev Rounds that stall do not hold a stake forever: the delay's time bound frees it.
    function test_HonestMember_LeavesAfterTheTimeBoundWhenRoundsStall() external {
        joinThreeAndStart();
        unbondAs(alice);
        Unbonding memory u = unbonding(alice);
        vm.warp(u.leaveTime);
        uint256 before = balanceOf(alice);
        // Round 1 failed without reveals: nobody is slashed, alice leaves whole.
        leaveAs(alice);
        assertEq(balanceOf(alice) - before, STAKE, "the whole stake");
    }

    function test_Leave_AtOnceWhenTheTaskRunsNoRounds() external {
        join(alice);
        uint256 before = balanceOf(alice);
        leaveAs(alice);
        assertEq(balanceOf(alice) - before, STAKE, "before round 1 nothing is bonded");
    }

    function test_Leave_AtOnceWhileStillBonding() external {
        joinThreeAndStart();
        join(whale, 10 * STAKE);
        leaveAs(whale);
        assertEq(member(whale).flags, 0, "never in a quorum base: free to go");
        playFullRound();
        assertEq(round_().totalStake, 3 * STAKE, "round 2's base is the three");
    }

    function test_UnbondWhileBonding_LeavesNoTraceInTheBases() external {
        joinThreeAndStart();
        join(whale, 10 * STAKE);
        unbondAs(whale);
        playFullRound();
        assertEq(round_().totalStake, 3 * STAKE, "round 2's base is the three");
        playFullRound();
        assertEq(round_().totalStake, 3 * STAKE, "round 3's base too");
        uint256 before = balanceOf(whale);
        leaveAs(whale);
        assertEq(balanceOf(whale) - before, 10 * STAKE, "the whole stake");
    }

    function test_RevertWhen_UnbondTwice() external {
        joinThreeAndStart();
        unbondAs(alice);
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberUnbonding.selector, taskId, alice, 0));
        unbondAs(alice);
    }

    function test_Unbond_SetsTheFlagAndTheDelay() external {
        joinThreeAndStart();
        unbondAs(alice);
        Unbonding memory u = unbonding(alice);
        assertTrue(member(alice).flags & MemberFlags.UNBONDING != 0, "flagged");
        assertEq(u.lastRound, 0, "no work in round 1: no counted round left");
        assertEq(u.leaveRound, 3, "leaves once round 3 opened");
        assertEq(u.leaveTime, block.timestamp + 2 * (COMMIT_DURATION + REVEAL_DURATION + ATTEST_DURATION), "or then");
    }
}
