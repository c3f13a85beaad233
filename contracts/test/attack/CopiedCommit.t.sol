// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {SlashReasons} from "../../libraries/SlashReasons.sol";
import {Base} from "../Base.t.sol";

/// @notice dave copies alice's commitment (public in UpdateCommitted) and, once alice reveals,
/// her (cid, codec, salt): the commitment is bound to alice, so dave can never reveal it and is
/// slashed for an unrevealed commit.
contract CopiedCommitTest is Base {
    uint32 private constant ROUND = 1;

    function setUp() public override {
        super.setUp();
        join(alice);
        join(bob);
        join(carol);
        join(dave);
        startRound();
        commitAs(alice, ROUND);
        bytes32 copied = member(alice).commitment;
        vm.prank(dave);
        coordinator.commit(taskId, ROUND, copied);
    }

    function copierReveals() private {
        vm.prank(dave);
        coordinator.reveal(taskId, ROUND, cidOf(alice, ROUND), CODEC, saltOf(alice, ROUND));
    }

    function test_RevertWhen_CopierRevealsAfterAuthor() external {
        warpToReveal();
        revealAs(alice, ROUND);
        vm.expectRevert(err(IFLCoordinator.RevealMismatch.selector, taskId, ROUND, dave));
        copierReveals();
    }

    function test_RevertWhen_CopierFrontRunsAuthorsReveal() external {
        warpToReveal();
        vm.expectRevert(err(IFLCoordinator.RevealMismatch.selector, taskId, ROUND, dave));
        copierReveals();
        revealAs(alice, ROUND);
        assertEq(member(alice).revealIndex, 0, "alice keeps the first reveal index");
    }

    function test_CopiedCommit_CopierIsSlashedAuthorIsPaid() external {
        commitAs(bob, ROUND);
        commitAs(carol, ROUND);
        warpToReveal();
        revealAs(alice, ROUND);
        revealAs(bob, ROUND);
        revealAs(carol, ROUND);
        warpToAttest();
        attestThree(MODEL, 0x7);
        finalize(MODEL, 0x7);

        uint128 slash = STAKE * SLASH_BPS / 10_000;
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.Slashed(taskId, ROUND, dave, slash, SlashReasons.UNREVEALED);
        coordinator.settle(taskId, dave);
        assertEq(member(dave).stake, STAKE - slash, "copier slashed");
        assertEq(member(dave).rewards, 0, "copier unpaid");

        coordinator.settle(taskId, alice);
        assertGt(member(alice).rewards, 0, "author paid");
        assertEq(member(alice).stake, STAKE, "author not slashed");
    }

    function test_RevertWhen_CommitmentReplayedInLaterRound() external {
        warpToReveal();
        revealAs(alice, ROUND); // revealed and attested: alice is not slashed when round 1 fails
        warpToAttest();
        attestAs(alice, MODEL, 0);
        warpPastAttest();
        startRound();
        bytes32 old = commitmentOf(alice, ROUND);
        vm.prank(alice);
        coordinator.commit(taskId, ROUND + 1, old);
        warpToReveal();
        vm.expectRevert(err(IFLCoordinator.RevealMismatch.selector, taskId, ROUND + 1, alice));
        vm.prank(alice);
        coordinator.reveal(taskId, ROUND + 1, cidOf(alice, ROUND), CODEC, saltOf(alice, ROUND));
    }
}
