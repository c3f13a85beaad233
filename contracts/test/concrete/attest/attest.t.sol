// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {Member, Round, RoundPhase, RoundStatus, Tally} from "../../../types/DataTypes.sol";
import {MemberFlags} from "../../../libraries/MemberFlags.sol";
import {Base} from "../../Base.t.sol";

contract AttestTest is Base {
    /// @dev alice, bob and carol commit and reveal (indices 0, 1, 2); the round is in its attest phase.
    function revealThreeAndAttestPhase() private returns (uint32 round) {
        round = joinThreeAndStart();
        commitAndRevealThree();
    }

    function test_RevertWhen_ModelIsZero() external {
        revealThreeAndAttestPhase();
        vm.expectRevert(IFLCoordinator.AttestEmptyModel.selector);
        attestAs(alice, bytes32(0), 0x7);
    }

    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 4));
        vm.prank(alice);
        coordinator.attest(4, MODEL, CODEC, 0, METRICS);
    }

    function test_RevertWhen_CommitPhase() external {
        uint32 round = joinThreeAndStart();
        vm.expectRevert(wrongPhase(round, RoundPhase.Commit));
        attestAs(alice, MODEL, 0);
    }

    function test_RevertWhen_RevealPhase() external {
        uint32 round = joinThreeAndStart();
        warpToReveal();
        vm.expectRevert(wrongPhase(round, RoundPhase.Reveal));
        attestAs(alice, MODEL, 0);
    }

    function test_RevertWhen_QuorumAlreadyReached() external {
        uint32 round = revealThreeAndAttestPhase();
        join(dave); // not relevant: the phase check comes first
        attestThree(MODEL, 0x7);
        vm.expectRevert(wrongPhase(round, RoundPhase.QuorumReached));
        attestAs(alice, OTHER_MODEL, 0x7);
    }

    function test_RevertWhen_AttestDeadlinePassed() external {
        uint32 round = revealThreeAndAttestPhase();
        warpPastAttest();
        vm.expectRevert(wrongPhase(round, RoundPhase.Failed));
        attestAs(alice, MODEL, 0x7);
    }

    function test_RevertWhen_AcceptedSetNamesMissingReveal() external {
        revealThreeAndAttestPhase();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.AttestInvalidAcceptedSet.selector, 0xf, uint16(3)));
        attestAs(alice, MODEL, 0xf);
        vm.expectRevert(
            abi.encodeWithSelector(IFLCoordinator.AttestInvalidAcceptedSet.selector, uint256(1) << 255, uint16(3))
        );
        attestAs(alice, MODEL, uint256(1) << 255);
    }

    function test_RevertWhen_AcceptedSetNonEmptyWithoutReveals() external {
        joinThreeAndStart();
        warpToAttest();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.AttestInvalidAcceptedSet.selector, 1, uint16(0)));
        attestAs(alice, MODEL, 1);
    }

    function test_RevertWhen_NotAMember() external {
        revealThreeAndAttestPhase();
        vm.expectRevert(err(IFLCoordinator.MemberNotFound.selector, taskId, eve));
        attestAs(eve, MODEL, 0x7);
    }

    function test_RevertWhen_JoinedDuringRound() external {
        uint32 round = revealThreeAndAttestPhase();
        join(dave, STAKE * 10);
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberNotEligible.selector, taskId, round, round + 2));
        attestAs(dave, MODEL, 0x7);
    }

    function test_RevertWhen_Understaked() external {
        joinThreeAndStart();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(bob); // someone revealed: the reveal phase was live
        warpPastAttest(); // alice's commit of round 1 stays unrevealed
        startRound();
        coordinator.settle(taskId, alice); // slashed below the minimum
        warpToAttest();
        vm.expectRevert(err(IFLCoordinator.MemberUnderstaked.selector, taskId, alice));
        attestAs(alice, MODEL, 0);
    }

    function test_RevertWhen_AlreadyAttested() external {
        uint32 round = revealThreeAndAttestPhase();
        attestAs(alice, MODEL, 0x7);
        vm.expectRevert(err(IFLCoordinator.AttestAlreadyDone.selector, taskId, round, alice));
        attestAs(alice, OTHER_MODEL, 0x3);
    }

    function test_Attest_TalliesStake() external {
        uint32 round = revealThreeAndAttestPhase();
        attestAs(alice, MODEL, 0x7);
        Tally memory tally = coordinator.getTally(taskId, round, resultOf(MODEL, 0x7));
        assertEq(tally.stake, STAKE, "stake");
        assertEq(tally.attesters, 1, "attesters");
        attestAs(bob, MODEL, 0x7);
        tally = coordinator.getTally(taskId, round, resultOf(MODEL, 0x7));
        assertEq(tally.stake, STAKE * 2, "stake");
        assertEq(tally.attesters, 2, "attesters");
        assertEq(coordinator.getTally(taskId, round, resultOf(MODEL, 0x3)).stake, 0, "other result untouched");
    }

    function test_Attest_MarksMember() external {
        uint32 round = revealThreeAndAttestPhase();
        attestAs(alice, MODEL, 0x7);
        Member memory m = member(alice);
        assertEq(m.attestedResult, resultOf(MODEL, 0x7), "attestedResult");
        assertEq(m.activeRound, round, "activeRound");
        assertTrue(m.flags & MemberFlags.ATTESTED != 0, "ATTESTED");
    }

    function test_Attest_EmitsResultAttested() external {
        uint32 round = revealThreeAndAttestPhase();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.ResultAttested(
            taskId, round, alice, resultOf(MODEL, 0x5), MODEL, CODEC, 0x5, METRICS, STAKE
        );
        attestAs(alice, MODEL, 0x5);
    }

    function test_Attest_WithoutCommit() external {
        uint32 round = joinThreeAndStart();
        warpToAttest();
        attestAs(alice, MODEL, 0);
        assertEq(member(alice).activeRound, round, "activeRound");
        assertEq(member(alice).flags, MemberFlags.JOINED | MemberFlags.ATTESTED, "flags");
    }

    function test_Attest_EmptyAcceptedSet() external {
        uint32 round = revealThreeAndAttestPhase();
        attestAs(alice, MODEL, 0);
        assertEq(coordinator.getTally(taskId, round, resultOf(MODEL, 0)).attesters, 1, "attesters");
    }

    function test_Attest_BelowQuorumStaysOpen() external {
        revealThreeAndAttestPhase();
        vm.recordLogs();
        attestAs(alice, MODEL, 0x7);
        attestAs(bob, MODEL, 0x7); // 2/3 of the stake is 6666.67 bps < 6667
        assertEq(vm.getRecordedLogs().length, 2, "two ResultAttested, no QuorumReached");
        assertEq(uint256(round_().status), uint256(RoundStatus.Open), "status");
        assertEq(uint256(phase()), uint256(RoundPhase.Attest), "phase");
        assertEq(round_().winningResult, bytes32(0), "no winner");
    }

    function test_Attest_ReachingQuorumEmitsQuorumReached() external {
        uint32 round = revealThreeAndAttestPhase();
        attestAs(alice, MODEL, 0x7);
        attestAs(bob, MODEL, 0x7);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.QuorumReached(taskId, round, resultOf(MODEL, 0x7), STAKE * 3);
        attestAs(carol, MODEL, 0x7);
    }

    function test_Attest_ReachingQuorumMarksWinner() external {
        revealThreeAndAttestPhase();
        attestThree(MODEL, 0x7);
        Round memory r = round_();
        assertEq(uint256(r.status), uint256(RoundStatus.QuorumReached), "status");
        assertEq(r.winningResult, resultOf(MODEL, 0x7), "winner");
        warpPastAttest();
        assertEq(uint256(phase()), uint256(RoundPhase.QuorumReached), "no expiry once quorum is reached");
    }

    function test_Attest_QuorumOfStakeThatStayed() external {
        join(alice);
        join(bob);
        join(carol);
        join(dave);
        uint32 round = startRound();
        vm.prank(carol);
        coordinator.unbond(taskId); // no work in round 1: out of its base at once
        vm.prank(dave);
        coordinator.unbond(taskId);
        warpToAttest();
        attestAs(alice, MODEL, 0);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.QuorumReached(taskId, round, resultOf(MODEL, 0), STAKE * 2);
        attestAs(bob, MODEL, 0); // 2 of the 4 joined, but all of the 2 that stayed
    }

    function test_Attest_QuorumByStakeNotHeadcount() external {
        join(alice, STAKE * 3);
        join(bob);
        join(carol);
        startRound();
        warpToAttest();
        attestAs(bob, OTHER_MODEL, 0);
        attestAs(carol, OTHER_MODEL, 0); // 2 of 4 heads, 40% of the stake: no quorum
        assertEq(uint256(round_().status), uint256(RoundStatus.Open), "still open");
        attestAs(alice, MODEL, 0); // alice alone holds 60%: no quorum either (6667 needed)
        assertEq(uint256(round_().status), uint256(RoundStatus.Open), "still open");
    }
}
