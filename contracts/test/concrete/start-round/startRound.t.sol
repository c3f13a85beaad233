// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {Round, RoundPhase, RoundStatus} from "../../../types/DataTypes.sol";
import {Base} from "../../Base.t.sol";

contract StartRoundTest is Base {
    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 3));
        vm.prank(owner);
        coordinator.startRound(3);
    }

    function test_RevertWhen_TaskIsClosed() external {
        join(alice);
        vm.prank(owner);
        coordinator.closeTask(taskId);
        vm.expectRevert(err(IFLCoordinator.TaskNotActive.selector, taskId));
        startRound();
    }

    function test_RevertWhen_RoundsExhausted() external {
        joinThreeAndStart();
        for (uint256 i; i < NUM_ROUNDS; ++i) {
            playFullRound();
        }
        assertEq(task_().finalizedRounds, NUM_ROUNDS, "all rounds finalized");
        vm.expectRevert(err(IFLCoordinator.TaskNotActive.selector, taskId));
        startRound();
    }

    function test_RevertWhen_RoundIsRunning() external {
        uint32 round = joinThreeAndStart();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskRoundInProgress.selector, taskId, round));
        startRound();
        warpToAttest();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskRoundInProgress.selector, taskId, round));
        startRound();
    }

    function test_RevertWhen_RoundAwaitsFinalization() external {
        uint32 round = roundAwaitingFinalization();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskRoundInProgress.selector, taskId, round));
        vm.prank(dave);
        coordinator.startRound(taskId);
    }

    function test_RevertWhen_FirstRoundByNonOwner() external {
        join(alice);
        vm.expectRevert(err(IFLCoordinator.TaskUnauthorized.selector, taskId, alice));
        vm.prank(alice);
        coordinator.startRound(taskId);
    }

    function test_RevertWhen_NoStake() external {
        vm.expectRevert(err(IFLCoordinator.TaskNoStake.selector, taskId));
        startRound();
    }

    function test_RevertWhen_EveryoneUnbondedAfterFailedRound() external {
        joinThreeAndStart();
        warpPastAttest();
        vm.prank(alice);
        coordinator.unbond(taskId);
        vm.prank(bob);
        coordinator.unbond(taskId);
        vm.prank(carol);
        coordinator.unbond(taskId);
        vm.expectRevert(err(IFLCoordinator.TaskNoStake.selector, taskId));
        startRound();
    }

    function test_StartRound_OpensFirstRound() external {
        uint32 round = joinThreeAndStart();
        assertEq(round, 1, "round");
        assertEq(currentRound(), 1, "currentRound");
        Round memory r = round_();
        assertEq(r.commitDeadline, START_TIME + COMMIT_DURATION, "commitDeadline");
        assertEq(r.revealDeadline, START_TIME + COMMIT_DURATION + REVEAL_DURATION, "revealDeadline");
        assertEq(r.attestDeadline, START_TIME + COMMIT_DURATION + REVEAL_DURATION + ATTEST_DURATION, "attestDeadline");
        assertEq(uint256(r.status), uint256(RoundStatus.Open), "status");
        assertEq(uint256(phase()), uint256(RoundPhase.Commit), "phase");
    }

    function test_StartRound_SnapshotsStake() external {
        join(alice, STAKE);
        join(bob, STAKE * 2);
        startRound();
        Round memory r = round_();
        assertEq(r.totalStake, STAKE * 3, "totalStake");
        assertEq(r.parentRound, 0, "parentRound");
        assertEq(r.revealCount, 0, "revealCount");
    }

    function test_StartRound_EmitsRoundStarted() external {
        join(alice);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.RoundStarted(
            taskId,
            1,
            0,
            uint64(START_TIME + 100),
            uint64(START_TIME + 200),
            uint64(START_TIME + 300),
            STAKE
        );
        startRound();
    }

    function test_StartRound_MemberAfterOwnerWindow() external {
        joinThreeAndStart();
        warpPastAttest();
        assertEq(uint256(phase()), uint256(RoundPhase.Failed), "failed");
        vm.warp(round_().attestDeadline + ATTEST_DURATION);
        vm.prank(alice);
        uint32 round = coordinator.startRound(taskId);
        assertEq(round, 2, "round");
    }

    function test_RevertWhen_NonMemberAfterFailedRound() external {
        joinThreeAndStart();
        warpPastAttest();
        vm.warp(round_().attestDeadline + ATTEST_DURATION);
        vm.expectRevert(err(IFLCoordinator.TaskUnauthorized.selector, taskId, eve));
        vm.prank(eve);
        coordinator.startRound(taskId);
    }

    function test_RevertWhen_MemberWithinOwnerWindow() external {
        joinThreeAndStart();
        warpPastAttest();
        uint64 until = round_().attestDeadline + ATTEST_DURATION;
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskOwnerWindow.selector, taskId, until));
        vm.prank(alice);
        coordinator.startRound(taskId);
    }

    function test_StartRound_EmitsRoundFailedThenRoundStarted() external {
        joinThreeAndStart();
        warpPastAttest();
        uint64 t = uint64(block.timestamp);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.RoundFailed(taskId, 1);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.RoundStarted(taskId, 2, 0, t + 100, t + 200, t + 300, STAKE * 3);
        vm.prank(owner);
        coordinator.startRound(taskId);
    }

    function test_StartRound_KeepsLastFinalizedRoundAsParent() external {
        joinThreeAndStart();
        playFullRound(); // round 1 finalized; round 2 opened
        warpPastAttest(); // round 2 fails
        uint32 round = startRound();
        assertEq(round, 3, "round");
        assertEq(coordinator.getRound(taskId, 3).parentRound, 1, "parent is round 1");
    }
}
