// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {Member, Round, RoundPhase, RoundStatus, Tally} from "../../../types/DataTypes.sol";
import {MemberFlags} from "../../../libraries/MemberFlags.sol";
import {Base} from "../../Base.t.sol";

/// @notice commitAttestation (attest-commit half of the attest window) and revealAttestation
/// (attest-reveal half): see attest.tree.
contract AttestTest is Base {
    /// @dev alice, bob and carol commit and reveal (indices 0, 1, 2); the round is in its attest phase.
    function revealThreeAndAttestPhase() private returns (uint32 round) {
        round = joinThreeAndStart();
        commitAndRevealThree();
    }

    // ---------------------------------------------------------------- commitAttestation

    function test_RevertWhen_CommitmentIsZero() external {
        uint32 round = revealThreeAndAttestPhase();
        vm.expectRevert(IFLCoordinator.CommitEmpty.selector);
        vm.prank(alice);
        coordinator.commitAttestation(taskId, round, bytes32(0));
    }

    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 4));
        vm.prank(alice);
        coordinator.commitAttestation(4, 1, keccak256("c"));
    }

    function test_RevertWhen_CommitPhase() external {
        uint32 round = joinThreeAndStart();
        vm.expectRevert(wrongPhase(round, RoundPhase.Commit));
        commitAttestationAs(alice, round, MODEL, 0);
    }

    function test_RevertWhen_RevealPhase() external {
        uint32 round = joinThreeAndStart();
        warpToReveal();
        vm.expectRevert(wrongPhase(round, RoundPhase.Reveal));
        commitAttestationAs(alice, round, MODEL, 0);
    }

    function test_RevertWhen_CommittingInAttestRevealPhase() external {
        uint32 round = revealThreeAndAttestPhase();
        warpToAttestReveal();
        vm.expectRevert(wrongPhase(round, RoundPhase.AttestReveal));
        commitAttestationAs(alice, round, MODEL, 0x7);
    }

    function test_RevertWhen_QuorumAlreadyReached() external {
        uint32 round = revealThreeAndAttestPhase();
        join(dave); // not relevant: the phase check comes first
        attestThree(MODEL, 0x7);
        vm.expectRevert(wrongPhase(round, RoundPhase.QuorumReached));
        commitAttestationAs(alice, round, OTHER_MODEL, 0x7);
    }

    function test_RevertWhen_AttestDeadlinePassed() external {
        uint32 round = revealThreeAndAttestPhase();
        warpPastAttest();
        vm.expectRevert(wrongPhase(round, RoundPhase.Failed));
        commitAttestationAs(alice, round, MODEL, 0x7);
    }

    function test_RevertWhen_NotAMember() external {
        uint32 round = revealThreeAndAttestPhase();
        vm.expectRevert(err(IFLCoordinator.MemberNotFound.selector, taskId, eve));
        commitAttestationAs(eve, round, MODEL, 0x7);
    }

    function test_RevertWhen_JoinedDuringRound() external {
        uint32 round = revealThreeAndAttestPhase();
        join(dave, STAKE * 10);
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberNotEligible.selector, taskId, round, round + 2));
        commitAttestationAs(dave, round, MODEL, 0x7);
    }

    function test_RevertWhen_AttestationAlreadyCommitted() external {
        uint32 round = revealThreeAndAttestPhase();
        commitAttestationAs(alice, round, MODEL, 0x7);
        vm.expectRevert(err(IFLCoordinator.AttestCommitAlreadyExists.selector, taskId, round, alice));
        commitAttestationAs(alice, round, OTHER_MODEL, 0x7);
    }

    function test_CommitAttestation_HidesTheResult() external {
        uint32 round = revealThreeAndAttestPhase();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.AttestationCommitted(taskId, round, alice, attestationOf(alice, round, MODEL, 0x7));
        commitAttestationAs(alice, round, MODEL, 0x7);
        Member memory m = member(alice);
        assertEq(m.attestedResult, attestationOf(alice, round, MODEL, 0x7), "the commitment, not the result");
        assertEq(m.activeRound, round, "activeRound");
        assertEq(m.flags & MemberFlags.ATTESTED, 0, "not ATTESTED before the reveal");
        assertTrue(m.flags & MemberFlags.ATTEST_COMMITTED != 0, "ATTEST_COMMITTED");
        assertEq(coordinator.getTally(taskId, round, resultOf(MODEL, 0x7)).attesters, 0, "nothing tallied");
    }

    // ---------------------------------------------------------------- revealAttestation

    function test_RevertWhen_ModelIsZero() external {
        uint32 round = revealThreeAndAttestPhase();
        commitAttestationAs(alice, round, bytes32(0), 0x7);
        warpToAttestReveal();
        vm.expectRevert(IFLCoordinator.AttestEmptyModel.selector);
        revealAttestationAs(alice, round, bytes32(0), 0x7);
    }

    function test_RevertWhen_RevealingInAttestCommitPhase() external {
        uint32 round = revealThreeAndAttestPhase();
        commitAttestationAs(alice, round, MODEL, 0x7);
        vm.expectRevert(wrongPhase(round, RoundPhase.AttestCommit));
        revealAttestationAs(alice, round, MODEL, 0x7);
    }

    function test_RevertWhen_RevealingWithoutAttestCommit() external {
        uint32 round = revealThreeAndAttestPhase();
        warpToAttestReveal();
        vm.expectRevert(err(IFLCoordinator.AttestRevealWithoutCommit.selector, taskId, round, alice));
        revealAttestationAs(alice, round, MODEL, 0x7);
    }

    function test_RevertWhen_RevealedResultDiffersFromCommitment() external {
        uint32 round = revealThreeAndAttestPhase();
        commitAttestationAs(alice, round, MODEL, 0x7);
        warpToAttestReveal();
        vm.expectRevert(err(IFLCoordinator.AttestRevealMismatch.selector, taskId, round, alice));
        revealAttestationAs(alice, round, OTHER_MODEL, 0x7);
    }

    function test_RevertWhen_AcceptedSetNamesMissingReveal() external {
        uint32 round = revealThreeAndAttestPhase();
        commitAttestationAs(alice, round, MODEL, 0xf);
        warpToAttestReveal();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.AttestInvalidAcceptedSet.selector, 0xf, uint16(3)));
        revealAttestationAs(alice, round, MODEL, 0xf);
        vm.expectRevert(
            abi.encodeWithSelector(IFLCoordinator.AttestInvalidAcceptedSet.selector, uint256(1) << 255, uint16(3))
        );
        revealAttestationAs(alice, round, MODEL, uint256(1) << 255);
    }

    function test_RevertWhen_AcceptedSetNonEmptyWithoutReveals() external {
        uint32 round = joinThreeAndStart();
        warpToAttest();
        commitAttestationAs(alice, round, MODEL, 1);
        warpToAttestReveal();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.AttestInvalidAcceptedSet.selector, 1, uint16(0)));
        revealAttestationAs(alice, round, MODEL, 1);
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
        commitAttestationAs(alice, 2, MODEL, 0);
    }

    function test_RevertWhen_AlreadyAttested() external {
        uint32 round = revealThreeAndAttestPhase();
        attestAs(alice, MODEL, 0x7);
        vm.expectRevert(err(IFLCoordinator.AttestAlreadyDone.selector, taskId, round, alice));
        revealAttestationAs(alice, round, MODEL, 0x7);
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
        commitAttestationAs(alice, round, MODEL, 0x5);
        warpToAttestReveal();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.ResultAttested(
            taskId, round, alice, resultOf(MODEL, 0x5), MODEL, CODEC, 0x5, METRICS, STAKE
        );
        revealAttestationAs(alice, round, MODEL, 0x5);
    }

    function test_Attest_WithoutCommit() external {
        uint32 round = joinThreeAndStart();
        warpToAttest();
        attestAs(alice, MODEL, 0);
        assertEq(member(alice).activeRound, round, "activeRound");
        assertEq(
            member(alice).flags, MemberFlags.JOINED | MemberFlags.ATTEST_COMMITTED | MemberFlags.ATTESTED, "flags"
        );
    }

    function test_Attest_EmptyAcceptedSet() external {
        uint32 round = revealThreeAndAttestPhase();
        attestAs(alice, MODEL, 0);
        assertEq(coordinator.getTally(taskId, round, resultOf(MODEL, 0)).attesters, 1, "attesters");
    }

    function test_Attest_BelowQuorumStaysOpen() external {
        uint32 round = revealThreeAndAttestPhase();
        commitAttestationAs(alice, round, MODEL, 0x7);
        commitAttestationAs(bob, round, MODEL, 0x7);
        warpToAttestReveal();
        vm.recordLogs();
        revealAttestationAs(alice, round, MODEL, 0x7);
        revealAttestationAs(bob, round, MODEL, 0x7); // 2/3 of the stake is 6666.67 bps < 6667
        assertEq(vm.getRecordedLogs().length, 2, "two ResultAttested, no QuorumReached");
        assertEq(uint256(round_().status), uint256(RoundStatus.Open), "status");
        assertEq(uint256(phase()), uint256(RoundPhase.AttestReveal), "phase");
        assertEq(round_().winningResult, bytes32(0), "no winner");
    }

    function test_Attest_ReachingQuorumEmitsQuorumReached() external {
        uint32 round = revealThreeAndAttestPhase();
        commitAttestationAs(alice, round, MODEL, 0x7);
        commitAttestationAs(bob, round, MODEL, 0x7);
        commitAttestationAs(carol, round, MODEL, 0x7);
        warpToAttestReveal();
        revealAttestationAs(alice, round, MODEL, 0x7);
        revealAttestationAs(bob, round, MODEL, 0x7);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.QuorumReached(taskId, round, resultOf(MODEL, 0x7), STAKE * 3);
        revealAttestationAs(carol, round, MODEL, 0x7);
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
        commitAttestationAs(alice, round, MODEL, 0);
        commitAttestationAs(bob, round, MODEL, 0);
        warpToAttestReveal();
        revealAttestationAs(alice, round, MODEL, 0);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.QuorumReached(taskId, round, resultOf(MODEL, 0), STAKE * 2);
        revealAttestationAs(bob, round, MODEL, 0); // 2 of the 4 joined, but all of the 2 that stayed
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
