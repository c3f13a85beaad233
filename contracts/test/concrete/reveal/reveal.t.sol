// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {Member, RoundPhase} from "../../../types/DataTypes.sol";
import {MemberFlags} from "../../../libraries/MemberFlags.sol";
import {Base} from "../../Base.t.sol";

contract RevealTest is Base {
    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.RoundWrongPhase.selector, 8, uint32(1), RoundPhase.None));
        vm.prank(alice);
        coordinator.reveal(8, 1, bytes32(0), CODEC, bytes32(0));
    }

    function test_RevertWhen_RoundIsAnEarlierFailedOne() external {
        joinThreeAndStart();
        commitAs(alice);
        warpPastAttest();
        startRound();
        warpToReveal(); // round 2 in its reveal phase
        vm.expectRevert(wrongPhase(1, RoundPhase.Failed));
        vm.prank(alice);
        coordinator.reveal(taskId, 1, cidOf(alice, 1), CODEC, saltOf(alice, 1));
    }

    function test_RevertWhen_CommitPhase() external {
        uint32 round = joinThreeAndStart();
        commitAs(alice);
        vm.expectRevert(wrongPhase(round, RoundPhase.Commit));
        revealAs(alice, round);
    }

    function test_RevertWhen_RevealDeadlinePassed() external {
        uint32 round = joinThreeAndStart();
        commitAs(alice);
        warpToAttest();
        vm.expectRevert(wrongPhase(round, RoundPhase.AttestCommit));
        revealAs(alice, round);
    }

    function test_RevertWhen_NotAMember() external {
        uint32 round = joinThreeAndStart();
        warpToReveal();
        vm.expectRevert(err(IFLCoordinator.RevealWithoutCommit.selector, taskId, round, eve));
        revealAs(eve, round);
    }

    function test_RevertWhen_DidNotCommit() external {
        uint32 round = joinThreeAndStart();
        commitAs(bob);
        warpToReveal();
        vm.expectRevert(err(IFLCoordinator.RevealWithoutCommit.selector, taskId, round, alice));
        revealAs(alice, round);
    }

    function test_RevertWhen_CommitBelongsToEarlierRound() external {
        joinThreeAndStart();
        commitAs(alice);
        warpPastAttest(); // round 1 fails
        uint32 round = startRound();
        warpToReveal();
        // alice's round-1 commit cannot be revealed in round 2, even with round-1 inputs.
        vm.expectRevert(err(IFLCoordinator.RevealWithoutCommit.selector, taskId, round, alice));
        vm.prank(alice);
        coordinator.reveal(taskId, round, cidOf(alice, 1), CODEC, saltOf(alice, 1));
    }

    function test_RevertWhen_AlreadyRevealed() external {
        uint32 round = joinThreeAndStart();
        commitAs(alice);
        warpToReveal();
        revealAs(alice);
        vm.expectRevert(err(IFLCoordinator.RevealAlreadyDone.selector, taskId, round, alice));
        revealAs(alice, round);
    }

    function test_RevertWhen_Mismatch() external {
        uint32 round = joinThreeAndStart();
        commitAs(alice);
        warpToReveal();
        vm.expectRevert(err(IFLCoordinator.RevealMismatch.selector, taskId, round, alice));
        vm.prank(alice);
        coordinator.reveal(taskId, round, cidOf(alice, round), CODEC, keccak256("wrong salt"));
    }

    function test_Reveal_MarksRevealedWithNextIndex() external {
        joinThreeAndStart();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(bob);
        revealAs(alice);
        Member memory a = member(alice);
        Member memory b = member(bob);
        assertEq(b.revealIndex, 0, "bob first");
        assertEq(a.revealIndex, 1, "alice second");
        assertEq(a.flags, MemberFlags.JOINED | MemberFlags.COMMITTED | MemberFlags.REVEALED, "flags");
    }

    function test_Reveal_CountsReveal() external {
        joinThreeAndStart();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(alice);
        assertEq(round_().revealCount, 1, "revealCount");
        revealAs(bob);
        assertEq(round_().revealCount, 2, "revealCount");
    }

    function test_Reveal_EmitsUpdateRevealed() external {
        uint32 round = joinThreeAndStart();
        commitAs(alice);
        warpToReveal();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.UpdateRevealed(taskId, round, alice, 0, cidOf(alice, round), CODEC);
        revealAs(alice);
    }
}
