// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {Round} from "../../../types/DataTypes.sol";
import {Base} from "../../Base.t.sol";

contract ClaimTest is Base {
    function claim(address who) private returns (uint128) {
        vm.prank(who);
        return coordinator.claim(taskId);
    }

    function rewardOfRound(uint32 round) private view returns (uint128) {
        return fullShare(round);
    }

    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 11));
        vm.prank(alice);
        coordinator.claim(11);
    }

    function test_RevertWhen_NotAMember() external {
        vm.expectRevert(err(IFLCoordinator.MemberNotFound.selector, taskId, alice));
        claim(alice);
    }

    function test_RevertWhen_NeverWorked() external {
        join(alice);
        vm.expectRevert(err(IFLCoordinator.MemberNothingToClaim.selector, taskId, alice));
        claim(alice);
    }

    function test_RevertWhen_RoundUndecided() external {
        joinThreeAndStart();
        commitAs(alice);
        vm.expectRevert(err(IFLCoordinator.MemberNothingToClaim.selector, taskId, alice));
        claim(alice);
    }

    function test_RevertWhen_OnlySlashed() external {
        joinThreeAndStart();
        commitAs(alice);
        warpPastAttest();
        vm.expectRevert(err(IFLCoordinator.MemberNothingToClaim.selector, taskId, alice));
        claim(alice);
        assertEq(member(alice).stake, STAKE, "the revert undid the settlement");
    }

    function test_RevertWhen_ClaimedAlready() external {
        joinThreeAndStart();
        playFullRound();
        claim(alice);
        vm.expectRevert(err(IFLCoordinator.MemberNothingToClaim.selector, taskId, alice));
        claim(alice);
    }

    function test_Claim_SettlesFirst() external {
        joinThreeAndStart();
        playFullRound();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.MemberSettled(taskId, 1, alice, rewardOfRound(1), 0);
        claim(alice);
        assertEq(member(alice).activeRound, 0, "settled");
    }

    function test_Claim_PaysRewards() external {
        joinThreeAndStart();
        playFullRound();
        uint256 before = balanceOf(alice);
        uint128 amount = claim(alice);
        assertEq(amount, rewardOfRound(1), "returned amount");
        assertEq(balanceOf(alice), before + amount, "paid");
    }

    function test_Claim_UpdatesAccounting() external {
        joinThreeAndStart();
        playFullRound();
        uint128 unclaimed = task_().unclaimedRewards;
        uint128 amount = claim(alice);
        assertEq(member(alice).rewards, 0, "rewards");
        assertEq(member(alice).stake, STAKE, "stake untouched");
        assertEq(task_().unclaimedRewards, unclaimed - amount, "unclaimedRewards");
        assertEq(task_().totalStake, STAKE * 3, "totalStake untouched");
    }

    function test_Claim_EmitsRewardClaimed() external {
        joinThreeAndStart();
        playFullRound();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.RewardClaimed(taskId, alice, rewardOfRound(1));
        claim(alice);
    }

    function test_Claim_SumsSeveralRounds() external {
        joinThreeAndStart();
        playFullRound();
        playFullRound(); // alice's commit in round 2 settled round 1
        playFullRound();
        uint128 amount = claim(alice);
        assertEq(amount, rewardOfRound(1) + rewardOfRound(2) + rewardOfRound(3), "three rounds");
    }
}
