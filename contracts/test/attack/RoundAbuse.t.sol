// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {RoundPhase, Tally} from "../../types/DataTypes.sol";
import {SlashReasons} from "../../libraries/SlashReasons.sol";
import {Base} from "../Base.t.sol";

/// @notice Timing and membership abuse: late commit/reveal, double or foreign attestations,
/// whales joining mid-round, and leaving mid-round to dodge a slash.
contract RoundAbuseTest is Base {
    uint32 private constant ROUND = 1;
    uint128 private constant SLASH = STAKE * SLASH_BPS / 10_000;

    function setUp() public override {
        super.setUp();
        joinThreeAndStart();
    }

    function revealAllButAlice() private {
        commitAs(alice, ROUND);
        commitAs(bob, ROUND);
        commitAs(carol, ROUND);
        warpToReveal();
        revealAs(bob, ROUND);
        revealAs(carol, ROUND);
    }

    function test_RevertWhen_LateCommit() external {
        warpToReveal();
        vm.expectRevert(wrongPhase(ROUND, RoundPhase.Reveal));
        commitAs(alice, ROUND);
    }

    function test_RevertWhen_LateReveal() external {
        revealAllButAlice();
        warpToAttest();
        vm.expectRevert(wrongPhase(ROUND, RoundPhase.AttestCommit));
        revealAs(alice, ROUND);
    }

    function test_LateRevealer_IsSlashed() external {
        revealAllButAlice();
        warpToAttest();
        attestThree(MODEL, 0x3);
        finalize(MODEL, 0x3);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.Slashed(taskId, ROUND, alice, SLASH, SlashReasons.UNREVEALED);
        coordinator.settle(taskId, alice);
    }

    function test_RevertWhen_DoubleAttest() external {
        warpToAttest();
        attestAs(alice, MODEL, 0);
        vm.expectRevert(err(IFLCoordinator.AttestAlreadyDone.selector, taskId, ROUND, alice));
        revealAttestationAs(alice, ROUND, MODEL, 0);
        vm.expectRevert(err(IFLCoordinator.AttestAlreadyDone.selector, taskId, ROUND, alice));
        revealAttestationAs(alice, ROUND, OTHER_MODEL, 0);
        Tally memory tally = coordinator.getTally(taskId, ROUND, resultOf(MODEL, 0));
        assertEq(tally.stake, STAKE, "weight counted once");
        assertEq(tally.attesters, 1, "attester counted once");
    }

    function test_RevertWhen_NonParticipantAttests() external {
        warpToAttest();
        vm.expectRevert(err(IFLCoordinator.MemberNotFound.selector, taskId, eve));
        commitAttestationAs(eve, ROUND, MODEL, 0);
        assertEq(coordinator.getTally(taskId, ROUND, resultOf(MODEL, 0)).stake, 0, "no weight");
    }

    function test_RevertWhen_WhaleJoinsMidRoundToSwingQuorum() external {
        fund(eve, STAKE * 100);
        join(eve, STAKE * 100);
        warpToAttest();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberNotEligible.selector, taskId, ROUND, ROUND + 2));
        commitAttestationAs(eve, ROUND, OTHER_MODEL, 0);
        // The quorum base is the stake at the round's start: the three original members decide.
        attestThree(MODEL, 0);
        assertEq(uint256(phase()), uint256(RoundPhase.QuorumReached), "quorum of the snapshot");
    }

    function test_RevertWhen_LeavingMidRoundToDodgeSlash() external {
        revealAllButAlice();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberHasOpenObligations.selector, taskId, alice, ROUND));
        vm.prank(alice);
        coordinator.leave(taskId);
        warpToAttest();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberHasOpenObligations.selector, taskId, alice, ROUND));
        vm.prank(alice);
        coordinator.leave(taskId);

        // Once the round is decided, leaving applies the slash first.
        attestAs(bob, MODEL, 0x3);
        attestAs(carol, MODEL, 0x3);
        attestAs(alice, MODEL, 0x3);
        finalize(MODEL, 0x3);
        uint256 before = balanceOf(alice);
        vm.prank(alice);
        coordinator.leave(taskId);
        uint128 perAttester = attesterShare(ROUND, STAKE);
        assertEq(balanceOf(alice) - before, STAKE - SLASH + perAttester, "stake minus slash, plus attester reward");
    }

    function test_RevertWhen_LosingAttesterLeavesBeforeFinalize() external {
        warpToAttest();
        attestAs(alice, OTHER_MODEL, 0);
        attestAs(bob, MODEL, 0);
        attestAs(carol, MODEL, 0);
        // bob + carol hold 2/3 < 66.67%: no quorum yet; the round will fail at its deadline.
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberHasOpenObligations.selector, taskId, alice, ROUND));
        vm.prank(alice);
        coordinator.leave(taskId);
        warpPastAttest();
        // A failed round slashes no attestation: alice leaves with her full stake.
        uint256 before = balanceOf(alice);
        vm.prank(alice);
        coordinator.unbond(taskId);
        vm.warp(coordinator.getUnbonding(taskId, alice).leaveTime);
        vm.prank(alice);
        coordinator.leave(taskId);
        assertEq(balanceOf(alice) - before, STAKE, "full stake");
    }

    function test_RevertWhen_SwitchingSides() external {
        warpToAttest();
        attestAs(alice, OTHER_MODEL, 0);
        attestAs(bob, MODEL, 0);
        // MODEL needs alice's weight for the quorum; she cannot move it over.
        vm.expectRevert(err(IFLCoordinator.AttestAlreadyDone.selector, taskId, ROUND, alice));
        revealAttestationAs(alice, ROUND, MODEL, 0);
        assertEq(coordinator.getTally(taskId, ROUND, resultOf(OTHER_MODEL, 0)).stake, STAKE, "weight stays");
    }
}
