// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {RoundPhase, RoundStatus, TaskConfig} from "../../types/DataTypes.sol";
import {Base} from "../Base.t.sol";

/// @notice Per-member share cap (issue 11): in a task with `maxMemberShareBps`, one member's
/// counted weight in a quorum base is at most that share of it. The attack test failed on the
/// coordinator before the cap (a whale with 10/13 of the stake reached the quorum alone).
contract ShareCapTest is Base {
    address internal whale;

    function setUp() public override {
        super.setUp();
        whale = makeAddr("whale");
        fund(whale, FUNDS);
        TaskConfig memory config = defaultConfig();
        config.maxMemberShareBps = 5000;
        taskId = createTask(config);
    }

    function whaleAndThreeInRoundOne() internal {
        join(whale, 10 * STAKE);
        joinThreeAndStart();
        warpToAttest();
    }

    function test_CappedWhale_CannotReachTheQuorumAlone() external {
        whaleAndThreeInRoundOne();

        attestAs(whale, OTHER_MODEL, 0);
        assertEq(uint256(phase()), uint256(RoundPhase.AttestReveal), "no quorum from the whale alone");
        assertEq(round_().totalStake, 6 * STAKE, "its excess over the others' 3 left the base");
        bytes32 result = resultOf(OTHER_MODEL, 0);
        assertEq(coordinator.getTally(taskId, 1, result).weight, 3 * STAKE, "counted: half the base");
        assertEq(coordinator.getTally(taskId, 1, result).stake, 10 * STAKE, "whole stake for rewards");
    }

    function test_CappedWhale_AndTheHonestReachTheQuorumTogether() external {
        whaleAndThreeInRoundOne();

        attestAs(whale, MODEL, 0);
        attestAs(alice, MODEL, 0);
        attestAs(bob, MODEL, 0);
        assertEq(uint256(round_().status), uint256(RoundStatus.QuorumReached), "5 of 6 counted");
        finalize(MODEL, 0);
        assertEq(coordinator.getRound(taskId, 1).winningStake, 12 * STAKE, "rewards: whole stakes");
    }

    function test_FirstJoiner_IsNotRefused() external {
        join(whale, 10 * STAKE);
        assertEq(member(whale).stake, 10 * STAKE, "the cap never refuses a join");
    }

    function test_LoneCappedMember_CountsForNothing() external {
        join(alice);
        startRound();
        warpToAttest();
        attestAs(alice, MODEL, 0);
        assertEq(uint256(phase()), uint256(RoundPhase.AttestReveal), "nobody alone reaches the quorum");
    }

    function expectInvalidShare(uint16 share) private {
        TaskConfig memory config = defaultConfig();
        config.maxMemberShareBps = share;
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskInvalidConfig.selector, "maxMemberShareBps"));
        vm.prank(owner);
        coordinator.createTask(config);
    }

    function test_RevertWhen_MemberShareCapBelowTenPercent() external {
        expectInvalidShare(999);
    }

    function test_RevertWhen_MemberShareCapAboveHalf() external {
        expectInvalidShare(5001);
    }
}
