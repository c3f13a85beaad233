// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {TaskConfig, RoundPhase, Task} from "../../types/DataTypes.sol";
import {MemberFlags} from "../../libraries/MemberFlags.sol";
import {SlashReasons} from "../../libraries/SlashReasons.sol";
import {Base} from "../Base.t.sol";

/// @notice Tiny stakes, rounding and dust: 1-wei stakes against the quorum, slashes that round
/// to zero, reward dust, zero-stake tasks and donations.
contract RoundingTest is Base {
    function tinyTask(uint16 quorumBps) private returns (uint256 id) {
        TaskConfig memory config = defaultConfig();
        config.minStake = 1;
        config.quorumBps = quorumBps;
        id = createTask(config);
        taskId = id;
    }

    function test_RevertWhen_ZeroStakeTask() external {
        TaskConfig memory config = defaultConfig();
        config.minStake = 0;
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskInvalidConfig.selector, "minStake"));
        vm.prank(owner);
        coordinator.createTask(config);
    }

    function test_RevertWhen_ZeroStakeJoin() external {
        tinyTask(6667);
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberStakeTooLow.selector, taskId, 0, 1));
        join(alice, 0);
    }

    function test_Quorum_OneWeiStakersCannotOutvoteStake() external {
        tinyTask(6667);
        join(alice, STAKE);
        address[5] memory sybils;
        for (uint256 i; i < sybils.length; ++i) {
            sybils[i] = address(uint160(0x5151 + i));
            fund(sybils[i], 1);
            join(sybils[i], 1);
        }
        startRound();
        warpToAttest();
        for (uint256 i; i < sybils.length; ++i) {
            attestAs(sybils[i], OTHER_MODEL, 0);
        }
        assertEq(uint256(phase()), uint256(RoundPhase.AttestReveal), "five 1-wei votes: no quorum");
        attestAs(alice, MODEL, 0);
        assertEq(uint256(phase()), uint256(RoundPhase.QuorumReached), "the stake decides");
        assertEq(round_().winningResult, resultOf(MODEL, 0), "winner");
    }

    function test_Quorum_NeverRoundsDown() external {
        tinyTask(6667);
        join(alice, 1);
        join(bob, 1);
        join(carol, 1);
        startRound();
        warpToAttest();
        attestAs(alice, MODEL, 0);
        attestAs(bob, MODEL, 0); // 2/3 = 6666.67 bps < 6667
        assertEq(uint256(phase()), uint256(RoundPhase.AttestReveal), "2 of 3 wei is short");
        attestAs(carol, MODEL, 0);
        assertEq(uint256(phase()), uint256(RoundPhase.QuorumReached), "3 of 3");
    }

    function test_Quorum_HalfIsNeverEnough() external {
        tinyTask(5001);
        join(alice, 1);
        join(bob, 1);
        startRound();
        warpToAttest();
        attestAs(alice, MODEL, 0);
        assertEq(uint256(phase()), uint256(RoundPhase.AttestReveal), "1 of 2 wei is not a majority");
        attestAs(bob, OTHER_MODEL, 0);
        assertEq(uint256(phase()), uint256(RoundPhase.AttestReveal), "a tie reaches no quorum");
    }

    /// @dev Slashes round up: no stake is too small to be slashed (9 * 1000 / 10000 = 0.9 -> 1).
    /// On the old code the slash rounded down to 0 and a tiny stake cheated for free.
    function test_Slash_RoundsUpForTinyStake() external {
        tinyTask(6667);
        join(alice, 9);
        join(bob, 9);
        startRound();
        commitAs(alice, 1);
        commitAs(bob, 1);
        warpToReveal();
        revealAs(bob, 1); // someone revealed: the reveal phase was live
        warpPastAttest();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.Slashed(taskId, 1, alice, 1, SlashReasons.UNREVEALED);
        coordinator.settle(taskId, alice);
        // One wei for the unrevealed commit, one for her silence in the failed round (inactivity).
        assertEq(member(alice).stake, 7, "one wei taken per fault");
        assertEq(member(alice).flags & MemberFlags.UNDERSTAKED, 0, "not understaked");
    }

    /// @dev Dust of a finalized round is allotted with it and never refunded to the owner.
    function test_Rewards_DustStaysUnclaimedNotRefunded() external {
        TaskConfig memory config = defaultConfig();
        config.numRounds = 1;
        config.rewardPerRound = 10; // 8 for contributors, 2 for attesters
        taskId = createTask(config);
        joinThreeAndStart();
        playFullRound(); // 3 equal contributors: 2 each (2 dust); 3 attesters: 0 each (2 dust)
        Task memory t = task_();
        assertEq(contributorShare(1, STAKE), 2, "per contributor");
        assertEq(attesterShare(1, STAKE), 0, "per attester");
        assertEq(t.unclaimedRewards, 10, "allotted");
        assertEq(t.rewardPool, 0, "nothing left in the escrow");
        uint256 before = balanceOf(owner);
        vm.prank(owner);
        coordinator.closeTask(taskId);
        assertEq(balanceOf(owner) - before, 0, "nothing refunded");
    }

    function test_Rewards_ZeroRewardTask() external {
        TaskConfig memory config = defaultConfig();
        config.rewardPerRound = 0;
        taskId = createTask(config);
        joinThreeAndStart();
        playFullRound();
        vm.expectRevert(err(IFLCoordinator.MemberNothingToClaim.selector, taskId, alice));
        vm.prank(alice);
        coordinator.claim(taskId);
    }

    /// @dev The books use counters, not the token balance: tokens sent straight to the
    /// coordinator change no stake, reward or refund.
    function test_Donation_ChangesNoAccounting() external {
        joinThreeAndStart();
        vm.prank(eve);
        IERC20(address(token)).transfer(address(coordinator), 12345);
        playFullRound();
        uint256 before = balanceOf(alice);
        vm.prank(alice);
        uint128 amount = coordinator.claim(taskId);
        assertEq(balanceOf(alice) - before, amount, "paid what was credited");
        assertEq(
            amount,
            fullShare(1),
            "credited by the rules"
        );
        Task memory t = task_();
        assertEq(
            balanceOf(address(coordinator)),
            uint256(t.totalStake) + t.unclaimedRewards + t.rewardPool + t.burnedStake + 12345,
            "the donation stays outside the books"
        );
    }

    /// @dev The first (and only) staker, with 1 wei, cannot open a round: only the owner can.
    function test_RevertWhen_FirstStakerOpensRound() external {
        tinyTask(6667);
        join(eve, 1);
        vm.expectRevert(err(IFLCoordinator.TaskUnauthorized.selector, taskId, eve));
        vm.prank(eve);
        coordinator.startRound(taskId);
    }
}
