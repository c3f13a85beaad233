// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {TaskConfig, TaskStatus} from "../../../types/DataTypes.sol";
import {Base} from "../../Base.t.sol";

contract CloseTaskTest is Base {
    function close() private {
        vm.prank(owner);
        coordinator.closeTask(taskId);
    }

    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 7));
        vm.prank(owner);
        coordinator.closeTask(7);
    }

    function test_RevertWhen_CallerIsNotOwner() external {
        vm.expectRevert(err(IFLCoordinator.TaskUnauthorized.selector, taskId, alice));
        vm.prank(alice);
        coordinator.closeTask(taskId);
    }

    function test_RevertWhen_AlreadyClosed() external {
        close();
        vm.expectRevert(err(IFLCoordinator.TaskNotActive.selector, taskId));
        close();
    }

    function test_RevertWhen_RoundIsRunning() external {
        uint32 round = joinThreeAndStart();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskRoundInProgress.selector, taskId, round));
        close();
        warpToReveal();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskRoundInProgress.selector, taskId, round));
        close();
        warpToAttest();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskRoundInProgress.selector, taskId, round));
        close();
    }

    function test_RevertWhen_RoundAwaitsFinalization() external {
        uint32 round = roundAwaitingFinalization();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskRoundInProgress.selector, taskId, round));
        close();
    }

    function test_CloseTask_RefundsWholeEscrowBeforeAnyRound() external {
        uint256 before = balanceOf(owner);
        close();
        assertEq(balanceOf(owner), before + uint256(REWARD_PER_ROUND) * NUM_ROUNDS, "refund");
    }

    function test_CloseTask_ZeroesPoolAndMarksClosed() external {
        close();
        assertEq(task_().rewardPool, 0, "rewardPool");
        assertEq(uint256(task_().status), uint256(TaskStatus.Closed), "status");
    }

    function test_CloseTask_EmitsTaskClosed() external {
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.TaskClosed(taskId, REWARD_PER_ROUND * NUM_ROUNDS);
        close();
    }

    function test_CloseTask_AfterFailedRound() external {
        joinThreeAndStart();
        playFullRound(); // round 1 finalized, round 2 opens
        warpPastAttest(); // round 2 fails
        uint256 before = balanceOf(owner);
        uint128 pool = task_().rewardPool;
        assertEq(pool, REWARD_PER_ROUND * 2, "two rounds' escrow (round 1's dust was allotted with it)");
        close();
        assertEq(balanceOf(owner), before + pool, "refund");
    }

    function test_CloseTask_AfterCompletionRefundsNeitherDustNorSlashes() external {
        TaskConfig memory config = defaultConfig();
        config.numRounds = 1;
        config.rewardPerRound = 1000; // 800 for 3 contributors, 200 for 3 attesters: 2 + 2 wei of dust
        taskId = createTask(config);
        joinThreeAndStart();
        playFullRound();
        assertEq(uint256(task_().status), uint256(TaskStatus.Completed), "completed");
        coordinator.settle(taskId, alice);
        coordinator.settle(taskId, bob);
        coordinator.settle(taskId, carol);

        uint256 before = balanceOf(owner);
        close();
        // 800 / 3 = 266 each; 200 / 3 = 66 each: 996 credited; the 4 wei of dust stay unclaimed.
        assertEq(balanceOf(owner), before, "nothing refunded");
        assertEq(task_().unclaimedRewards, 1000, "the round's reward stays on the members' side");
        assertEq(task_().totalStake, STAKE * 3, "stakes stay with members");
    }

    function test_CloseTask_StopsRoundsAndMembers() external {
        join(alice);
        close();
        vm.expectRevert(err(IFLCoordinator.TaskNotActive.selector, taskId));
        startRound();
        vm.expectRevert(err(IFLCoordinator.TaskNotActive.selector, taskId));
        join(bob);
    }

    /// @dev A slash applied after the task was closed (a member settling an unrevealed commit of
    /// the failed last round) is burned: the owner cannot sweep it by closing again.
    function test_CloseTask_SlashesSettledAfterClosingAreBurned() external {
        joinThreeAndStart();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(bob); // someone revealed: the reveal phase was live
        warpToAttest();
        attestAs(alice, MODEL, 0); // no quorum alone; attesting spares her the inactivity penalty
        warpPastAttest();
        close();
        vm.prank(alice);
        coordinator.leave(taskId);
        uint128 slash = STAKE * SLASH_BPS / 10_000;
        assertEq(task_().burnedStake, slash, "slash burned");
        assertEq(task_().rewardPool, 0, "nothing reaches the pool");
        vm.expectRevert(err(IFLCoordinator.TaskNotActive.selector, taskId));
        close();
    }
}
