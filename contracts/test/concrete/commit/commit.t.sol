// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {Member, RoundPhase} from "../../../types/DataTypes.sol";
import {MemberFlags} from "../../../libraries/MemberFlags.sol";
import {Base} from "../../Base.t.sol";

contract CommitTest is Base {
    bytes32 private constant COMMITMENT = keccak256("commitment");

    function commitRaw(address who, uint32 round, bytes32 commitment) private {
        vm.prank(who);
        coordinator.commit(taskId, round, commitment);
    }

    function test_RevertWhen_CommitmentIsZero() external {
        joinThreeAndStart();
        vm.expectRevert(IFLCoordinator.CommitEmpty.selector);
        commitRaw(alice, 1, bytes32(0));
    }

    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 5));
        vm.prank(alice);
        coordinator.commit(5, 1, COMMITMENT);
    }

    function test_RevertWhen_RoundIsNotTheCurrentOne() external {
        uint32 round = joinThreeAndStart();
        vm.expectRevert(wrongPhase(round + 1, RoundPhase.None));
        vm.prank(alice);
        coordinator.commit(taskId, round + 1, COMMITMENT);
    }

    function test_RevertWhen_RoundIsAnEarlierFailedOne() external {
        joinThreeAndStart();
        warpPastAttest();
        startRound(); // round 2 in its commit phase
        vm.expectRevert(wrongPhase(1, RoundPhase.Failed));
        vm.prank(alice);
        coordinator.commit(taskId, 1, COMMITMENT);
    }

    function test_RevertWhen_NoRoundStarted() external {
        join(alice);
        vm.expectRevert(wrongPhase(0, RoundPhase.None));
        commitRaw(alice, 0, COMMITMENT);
    }

    function test_RevertWhen_RevealPhase() external {
        uint32 round = joinThreeAndStart();
        warpToReveal();
        vm.expectRevert(wrongPhase(round, RoundPhase.Reveal));
        commitRaw(alice, round, COMMITMENT);
    }

    function test_RevertWhen_AttestPhase() external {
        uint32 round = joinThreeAndStart();
        warpToAttest();
        vm.expectRevert(wrongPhase(round, RoundPhase.AttestCommit));
        commitRaw(alice, round, COMMITMENT);
    }

    function test_RevertWhen_RoundFailed() external {
        uint32 round = joinThreeAndStart();
        warpPastAttest();
        vm.expectRevert(wrongPhase(round, RoundPhase.Failed));
        commitRaw(alice, round, COMMITMENT);
    }

    function test_RevertWhen_NotAMember() external {
        joinThreeAndStart();
        vm.expectRevert(err(IFLCoordinator.MemberNotFound.selector, taskId, eve));
        commitRaw(eve, 1, COMMITMENT);
    }

    function test_RevertWhen_JoinedDuringRound() external {
        uint32 round = joinThreeAndStart();
        join(dave);
        vm.expectRevert(
            abi.encodeWithSelector(IFLCoordinator.MemberNotEligible.selector, taskId, round, round + 2)
        );
        commitRaw(dave, round, COMMITMENT);
    }

    function test_RevertWhen_Understaked() external {
        // alice stakes exactly the minimum; one slash takes her below it.
        joinThreeAndStart();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(bob); // someone revealed: the reveal phase was live
        warpPastAttest(); // round 1 fails with alice's commit unrevealed
        startRound();
        vm.expectRevert(err(IFLCoordinator.MemberUnderstaked.selector, taskId, alice));
        commitRaw(alice, 2, COMMITMENT);
    }

    function test_RevertWhen_AlreadyCommitted() external {
        uint32 round = joinThreeAndStart();
        commitRaw(alice, round, COMMITMENT);
        vm.expectRevert(err(IFLCoordinator.CommitAlreadyExists.selector, taskId, round, alice));
        commitRaw(alice, round, keccak256("a second commitment"));
    }

    function test_Commit_StoresCommitment() external {
        uint32 round = joinThreeAndStart();
        commitRaw(alice, round, COMMITMENT);
        Member memory m = member(alice);
        assertEq(m.commitment, COMMITMENT, "commitment");
        assertEq(m.activeRound, round, "activeRound");
        assertEq(m.flags, MemberFlags.JOINED | MemberFlags.COMMITTED, "flags");
    }

    function test_Commit_SameBytesFromAnotherSender() external {
        uint32 round = joinThreeAndStart();
        commitRaw(alice, round, COMMITMENT);
        commitRaw(bob, round, COMMITMENT); // accepted, but only alice's reveal can ever match it
        assertEq(member(bob).commitment, COMMITMENT, "bob's commitment");
    }

    function test_Commit_EmitsUpdateCommitted() external {
        uint32 round = joinThreeAndStart();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.UpdateCommitted(taskId, round, alice, COMMITMENT);
        commitRaw(alice, round, COMMITMENT);
    }

    function test_Commit_AtLastSecondOfCommitPhase() external {
        uint32 round = joinThreeAndStart();
        vm.warp(round_().commitDeadline - 1);
        commitRaw(alice, round, COMMITMENT);
        assertEq(member(alice).commitment, COMMITMENT, "committed");
    }

    function test_Commit_SettlesPreviousRoundFirst() external {
        joinThreeAndStart();
        playFullRound();
        uint128 reward = fullShare(1);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.MemberSettled(taskId, 1, alice, reward, 0);
        commitAs(alice);
        assertEq(member(alice).rewards, reward, "rewards credited");
        assertEq(member(alice).activeRound, 2, "now active in round 2");
    }
}
