// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {TaskConfig, Member} from "../../../types/DataTypes.sol";
import {MemberFlags} from "../../../libraries/MemberFlags.sol";
import {Base} from "../../Base.t.sol";

contract JoinTest is Base {
    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 99));
        vm.prank(alice);
        coordinator.join(99, STAKE, bytes32(0));
    }

    function test_RevertWhen_TaskIsClosed() external {
        vm.prank(owner);
        coordinator.closeTask(taskId);
        vm.expectRevert(err(IFLCoordinator.TaskNotActive.selector, taskId));
        join(alice);
    }

    function test_RevertWhen_TaskIsCompleted() external {
        joinThreeAndStart();
        for (uint256 i; i < NUM_ROUNDS; ++i) {
            playFullRound();
        }
        vm.expectRevert(err(IFLCoordinator.TaskNotActive.selector, taskId));
        join(dave);
    }

    function test_RevertWhen_AlreadyJoined() external {
        join(alice);
        vm.expectRevert(err(IFLCoordinator.MemberAlreadyJoined.selector, taskId, alice));
        join(alice);
    }

    function test_RevertWhen_StakeTooLow() external {
        vm.expectRevert(
            abi.encodeWithSelector(IFLCoordinator.MemberStakeTooLow.selector, taskId, MIN_STAKE - 1, MIN_STAKE)
        );
        join(alice, MIN_STAKE - 1);
    }

    function test_RevertWhen_StakeIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberStakeTooLow.selector, taskId, 0, MIN_STAKE));
        join(alice, 0);
    }

    function test_RevertWhen_StakeAboveUint96() external {
        uint128 stake = uint128(type(uint96).max) + 1;
        fund(alice, stake);
        vm.expectRevert(
            abi.encodeWithSelector(IFLCoordinator.MemberStakeTooHigh.selector, taskId, stake, type(uint96).max)
        );
        join(alice, stake);
    }

    function test_Join_AcceptsStakeOfUint96Max() external {
        fund(alice, type(uint96).max);
        join(alice, type(uint96).max);
        assertEq(member(alice).stake, type(uint96).max, "stake");
    }

    function test_RevertWhen_MemberLimitReached() external {
        TaskConfig memory config = defaultConfig();
        config.maxParticipants = 2;
        taskId = createTask(config);
        join(alice);
        join(bob);
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberLimitReached.selector, taskId, uint16(2)));
        join(carol);
    }

    function test_Join_StoresMember() external {
        join(alice, STAKE + 7);
        Member memory m = member(alice);
        assertEq(m.stake, STAKE + 7, "stake");
        assertEq(m.firstRound, 1, "firstRound");
        assertEq(m.activeRound, 0, "activeRound");
        assertEq(m.flags, MemberFlags.JOINED, "flags");
        assertEq(m.rewards, 0, "rewards");
        assertEq(m.encryptionKey, bytes32(uint256(uint160(alice))), "encryptionKey");
    }

    function test_Join_AddsStakeAndCountsMember() external {
        join(alice, STAKE);
        join(bob, STAKE * 2);
        assertEq(task_().totalStake, STAKE * 3, "totalStake");
        assertEq(task_().memberCount, 2, "memberCount");
    }

    function test_Join_PullsStake() external {
        uint256 before = balanceOf(alice);
        uint256 held = balanceOf(address(coordinator));
        join(alice);
        assertEq(balanceOf(alice), before - STAKE, "alice paid");
        assertEq(balanceOf(address(coordinator)), held + STAKE, "coordinator holds");
    }

    function test_Join_EmitsParticipantJoined() external {
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.ParticipantJoined(taskId, alice, STAKE, bytes32(uint256(uint160(alice))), 1);
        join(alice);
    }

    function test_Join_DuringRoundIsEligibleAfterAFullRoundBonded() external {
        joinThreeAndStart();
        join(dave);
        assertEq(member(dave).firstRound, 3, "firstRound");
        // The running round's quorum base is the stake at its start.
        assertEq(round_().totalStake, STAKE * 3, "round stake snapshot");
        assertEq(task_().totalStake, STAKE * 4, "task stake");
    }

    function test_Join_AfterLeaveFreesPlace() external {
        TaskConfig memory config = defaultConfig();
        config.maxParticipants = 1;
        taskId = createTask(config);
        join(alice);
        vm.prank(alice);
        coordinator.leave(taskId);
        join(bob);
        assertEq(task_().memberCount, 1, "memberCount");
        assertEq(member(bob).stake, STAKE, "bob's stake");
    }
}
