// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {TaskConfig, Task} from "../../types/DataTypes.sol";
import {ReentrantParticipant} from "../mocks/ReentrantParticipant.sol";
import {ReentrantToken} from "../mocks/ReentrantToken.sol";
import {Base} from "../Base.t.sol";

/// @notice A member paid in a token with a transfer hook re-enters claim/leave from the hook:
/// the guard stops the inner call, so nothing is paid twice.
contract ReentrancyTest is Base {
    ReentrantToken private rtoken;
    ReentrantParticipant private attacker;
    uint128 private reward;

    function setUp() public override {
        super.setUp();
        rtoken = new ReentrantToken();
        attacker = new ReentrantParticipant(coordinator, rtoken);
        address[4] memory holders = [owner, alice, bob, address(attacker)];
        for (uint256 i; i < holders.length; ++i) {
            rtoken.mint(holders[i], FUNDS);
        }
        vm.prank(owner);
        rtoken.approve(address(coordinator), type(uint256).max);
        vm.prank(alice);
        rtoken.approve(address(coordinator), type(uint256).max);
        vm.prank(bob);
        rtoken.approve(address(coordinator), type(uint256).max);

        TaskConfig memory config = defaultConfig();
        config.token = IERC20(address(rtoken));
        taskId = createTask(config);
        attacker.join(taskId, STAKE);
        join(alice);
        join(bob);
        startRound();
        playRoundWithAttacker();
        reward = fullShare(1);
    }

    /// @dev attacker (reveal index 0), alice and bob all contribute and attest the winner.
    function playRoundWithAttacker() private {
        address a = address(attacker);
        attacker.commit(taskId, 1, commitmentOf(a, 1));
        commitAs(alice, 1);
        commitAs(bob, 1);
        warpToReveal();
        attacker.reveal(taskId, 1, cidOf(a, 1), CODEC, saltOf(a, 1));
        revealAs(alice, 1);
        revealAs(bob, 1);
        warpToAttest();
        attacker.commitAttestation(taskId, 1, attestationOf(a, 1, MODEL, 0x7));
        commitAttestationAs(alice, 1, MODEL, 0x7);
        commitAttestationAs(bob, 1, MODEL, 0x7);
        warpToAttestReveal();
        attacker.revealAttestation(taskId, 1, MODEL, CODEC, 0x7, METRICS, attestSaltOf(a, 1));
        revealAttestationAs(alice, 1, MODEL, 0x7);
        revealAttestationAs(bob, 1, MODEL, 0x7);
        finalize(MODEL, 0x7);
    }

    function assertBooksBalance() private view {
        Task memory t = task_();
        assertEq(
            rtoken.balanceOf(address(coordinator)),
            uint256(t.totalStake) + t.unclaimedRewards + t.rewardPool + t.burnedStake,
            "coordinator holds exactly its liabilities"
        );
    }

    function assertBlocked() private view {
        assertEq(attacker.reentries(), 1, "re-entry attempted");
        assertEq(attacker.reentriesSucceeded(), 0, "re-entry failed");
        assertEq(
            attacker.lastReentryError(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector),
            "stopped by the guard"
        );
    }

    function test_Claim_ReentrantClaimIsBlocked() external {
        attacker.arm(taskId, ReentrantParticipant.Attack.Claim, true);
        uint256 before = rtoken.balanceOf(address(attacker));
        uint128 amount = attacker.claim(taskId);
        assertBlocked();
        assertEq(amount, reward, "claimed");
        assertEq(rtoken.balanceOf(address(attacker)) - before, reward, "paid once");
        assertEq(attacker.paymentsReceived(), 1, "one payment");
        assertBooksBalance();
    }

    function test_RevertWhen_ClaimReentersClaim() external {
        attacker.arm(taskId, ReentrantParticipant.Attack.Claim, false);
        uint256 before = rtoken.balanceOf(address(attacker));
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        attacker.claim(taskId);
        assertEq(rtoken.balanceOf(address(attacker)), before, "nothing paid");
        assertBooksBalance();
    }

    function test_Claim_ReentrantLeaveIsBlocked() external {
        attacker.arm(taskId, ReentrantParticipant.Attack.Leave, true);
        uint256 before = rtoken.balanceOf(address(attacker));
        attacker.claim(taskId);
        assertBlocked();
        assertEq(rtoken.balanceOf(address(attacker)) - before, reward, "only the rewards");
        assertEq(member(address(attacker)).stake, STAKE, "still a member with its stake");
        assertBooksBalance();
    }

    /// @dev The attacker unbonds and waits out the delay (round 2 then fails without reveals).
    function unbondAttacker() private {
        attacker.unbond(taskId);
        vm.warp(coordinator.getUnbonding(taskId, address(attacker)).leaveTime);
    }

    function test_Leave_ReentrantLeaveIsBlocked() external {
        unbondAttacker();
        attacker.arm(taskId, ReentrantParticipant.Attack.Leave, true);
        uint256 before = rtoken.balanceOf(address(attacker));
        attacker.leave(taskId);
        assertBlocked();
        assertEq(rtoken.balanceOf(address(attacker)) - before, STAKE + reward, "stake + rewards once");
        assertEq(task_().memberCount, 2, "left once");
        assertEq(task_().totalStake, STAKE * 2, "totalStake");
        assertBooksBalance();
    }

    function test_Leave_ReentrantClaimIsBlocked() external {
        unbondAttacker();
        attacker.arm(taskId, ReentrantParticipant.Attack.Claim, true);
        uint256 before = rtoken.balanceOf(address(attacker));
        attacker.leave(taskId);
        assertBlocked();
        assertEq(rtoken.balanceOf(address(attacker)) - before, STAKE + reward, "stake + rewards once");
        assertBooksBalance();
    }

    function test_RevertWhen_LeaveReentersLeave() external {
        unbondAttacker();
        attacker.arm(taskId, ReentrantParticipant.Attack.Leave, false);
        vm.expectRevert(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector);
        attacker.leave(taskId);
        assertEq(member(address(attacker)).stake, STAKE, "still a member");
        assertBooksBalance();
    }
}
