// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {Member, Unbonding} from "../../../types/DataTypes.sol";
import {SlashReasons} from "../../../libraries/SlashReasons.sol";
import {Base} from "../../Base.t.sol";

contract LeaveTest is Base {
    function leave(address who) private {
        vm.prank(who);
        coordinator.leave(taskId);
    }

    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 42));
        vm.prank(alice);
        coordinator.leave(42);
    }

    function test_RevertWhen_NotAMember() external {
        vm.expectRevert(err(IFLCoordinator.MemberNotFound.selector, taskId, alice));
        leave(alice);
    }

    function test_RevertWhen_CommittedInRunningRound() external {
        uint32 round = joinThreeAndStart();
        commitAs(alice);
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberHasOpenObligations.selector, taskId, alice, round));
        leave(alice);
    }

    function test_RevertWhen_RevealPending() external {
        uint32 round = joinThreeAndStart();
        commitAs(alice);
        warpToReveal();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberHasOpenObligations.selector, taskId, alice, round));
        leave(alice);
    }

    function test_RevertWhen_RoundAwaitsFinalization() external {
        uint32 round = roundAwaitingFinalization(); // quorum reached: undecided until finalized
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberHasOpenObligations.selector, taskId, alice, round));
        leave(alice);
    }

    function test_Leave_PaysBackStake() external {
        join(alice);
        uint256 before = balanceOf(alice);
        leave(alice);
        assertEq(balanceOf(alice), before + STAKE, "stake back");
    }

    function test_Leave_DeletesMember() external {
        join(alice);
        join(bob);
        leave(alice);
        Member memory m = member(alice);
        assertEq(m.flags, 0, "flags");
        assertEq(m.stake, 0, "stake");
        assertEq(m.encryptionKey, bytes32(0), "key");
        assertEq(task_().memberCount, 1, "memberCount");
        assertEq(task_().totalStake, STAKE, "totalStake");
    }

    function test_Leave_EmitsParticipantLeft() external {
        join(alice);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.ParticipantLeft(taskId, alice, STAKE, 0);
        leave(alice);
    }

    function test_RevertWhen_StillUnbonding() external {
        joinThreeAndStart();
        commitAs(bob);
        vm.prank(alice);
        coordinator.unbond(taskId);
        Unbonding memory u = coordinator.getUnbonding(taskId, alice);
        vm.expectRevert(
            abi.encodeWithSelector(IFLCoordinator.MemberStillUnbonding.selector, taskId, alice, 3, u.leaveTime)
        );
        leave(alice);
    }

    function test_RevertWhen_StakeBonded() external {
        joinThreeAndStart();
        vm.expectRevert(err(IFLCoordinator.MemberStakeBonded.selector, taskId, alice));
        leave(alice);
    }

    function test_Leave_KeepsQuorumBaseWhenJoinedDuringRound() external {
        joinThreeAndStart();
        join(dave); // not counted by round 1
        leave(dave);
        assertEq(round_().totalStake, STAKE * 3, "unchanged");
    }

    function test_Unbond_KeepsQuorumBaseOfDecidedRound() external {
        joinThreeAndStart();
        warpToAttest();
        attestAs(bob, MODEL, 0);
        attestAs(carol, MODEL, 0);
        attestAs(alice, MODEL, 0);
        finalize(MODEL, 0); // round 1 finalized, round 2 open
        vm.prank(alice);
        coordinator.unbond(taskId);
        assertEq(coordinator.getRound(taskId, 1).totalStake, STAKE * 3, "finalized round unchanged");
        assertEq(round_().totalStake, STAKE * 2, "open round shrinks");
    }

    function test_Leave_SettlesThenPaysStakeAndRewards() external {
        joinThreeAndStart();
        for (uint256 i; i < NUM_ROUNDS; ++i) {
            playFullRound();
        }
        // Completed: no round runs, so nothing is bonded any more.
        uint128 reward = fullShare(NUM_ROUNDS);
        uint128 credited = member(alice).rewards; // rounds before the last, settled by later work
        uint128 unclaimed = task_().unclaimedRewards;
        uint256 before = balanceOf(alice);

        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.MemberSettled(taskId, NUM_ROUNDS, alice, reward, 0);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.ParticipantLeft(taskId, alice, STAKE, credited + reward);
        leave(alice);

        assertEq(balanceOf(alice), before + STAKE + credited + reward, "stake + rewards");
        assertEq(task_().unclaimedRewards, unclaimed - credited - reward, "unclaimedRewards");
    }

    function test_Leave_SlashesUnrevealedCommitOfFailedRound() external {
        joinThreeAndStart();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(bob); // someone revealed: the reveal phase was live
        warpToAttest();
        attestAs(alice, MODEL, 0); // no quorum alone; attesting spares her the inactivity penalty
        warpPastAttest();
        coordinator.settle(taskId, bob); // records the failure (pays bob, the revealer)
        uint128 slash = STAKE * SLASH_BPS / 10_000;
        uint256 before = balanceOf(alice);
        uint128 pool = task_().rewardPool;

        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.Slashed(taskId, 1, alice, slash, SlashReasons.UNREVEALED);
        leave(alice);

        assertEq(balanceOf(alice), before + STAKE - slash, "stake minus slash");
        assertEq(task_().rewardPool, pool, "the escrow gains nothing");
        // Bob revealed (work) and so pays no inactivity penalty although he did not attest.
        assertEq(task_().burnedStake, slash, "slash burned");
        assertEq(task_().totalStake, STAKE * 2, "others' stake");
    }

    function test_Leave_WorksOnClosedTask() external {
        join(alice);
        vm.prank(owner);
        coordinator.closeTask(taskId);
        uint256 before = balanceOf(alice);
        leave(alice);
        assertEq(balanceOf(alice), before + STAKE, "stake back");
    }
}
