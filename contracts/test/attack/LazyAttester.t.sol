// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {RoundPhase} from "../../types/DataTypes.sol";
import {SlashReasons} from "../../libraries/SlashReasons.sol";
import {Vm} from "../utils/Vm.sol";
import {Base} from "../Base.t.sol";

/// @notice Issue 11, item 6, "lazy attesters": before attestations were committed then revealed, a
/// member could wait for the first `ResultAttested`, attest the same tuple without aggregating
/// anything and be paid exactly like the honest attesters (the same test against the old
/// `attest(taskId, model, codec, bitmap, metrics)` failed: copier 66.67 tokens >= honest 66.67).
/// Now nothing is readable while attestations are committed, a commitment binds its sender and
/// the whole result, and only revealed attestations count.
contract LazyAttesterTest is Base {
    uint32 internal constant ROUND = 1;

    /// @dev alice, bob and carol contribute and will aggregate; dave (25% of the stake) is lazy.
    function setUp() public override {
        super.setUp();
        join(alice);
        join(bob);
        join(carol);
        join(dave);
        startRound();
        commitAndRevealThree();
    }

    /// @dev The honest three commit their attestation of the round's true result.
    function honestCommits() private {
        commitAttestationAs(alice, ROUND, MODEL, 0x7);
        commitAttestationAs(bob, ROUND, MODEL, 0x7);
        commitAttestationAs(carol, ROUND, MODEL, 0x7);
    }

    function test_LazyCopier_EndsPoorerThanHonestAttester() external {
        honestCommits();
        // All the copier can read in the commit half is opaque commitments: it copies alice's.
        bytes32 copied = member(alice).attestedResult;
        vm.prank(dave);
        coordinator.commitAttestation(taskId, ROUND, copied);

        warpToAttestReveal();
        vm.recordLogs();
        revealAttestationAs(alice, ROUND, MODEL, 0x7);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        (, bytes32 model, uint8 codec, uint256 bitmap, bytes32 metrics,) =
            abi.decode(logs[0].data, (bytes32, bytes32, uint8, uint256, bytes32, uint128));
        // The first revealed result, and even alice's salt (public calldata), do not open the
        // copier's commitment: it bound alice as the sender.
        vm.expectRevert(err(IFLCoordinator.AttestRevealMismatch.selector, taskId, ROUND, dave));
        vm.prank(dave);
        coordinator.revealAttestation(taskId, ROUND, model, codec, bitmap, metrics, attestSaltOf(alice, ROUND));
        // Committing the copy afresh is too late: the commit half is over.
        bytes32 fresh =
            coordinator.computeAttestationCommitment(model, codec, bitmap, metrics, bytes32(0), dave, taskId, ROUND);
        vm.expectRevert(wrongPhase(ROUND, RoundPhase.AttestReveal));
        vm.prank(dave);
        coordinator.commitAttestation(taskId, ROUND, fresh);
        revealAttestationAs(bob, ROUND, MODEL, 0x7);
        revealAttestationAs(carol, ROUND, MODEL, 0x7);
        finalize(MODEL, 0x7);

        coordinator.settle(taskId, dave);
        coordinator.settle(taskId, carol);
        uint256 honest = attesterShare(ROUND, STAKE);
        assertGt(honest, 0, "the honest attesters are paid");
        assertLt(member(dave).rewards, honest, "the copier earns less than an honest attester");
        assertEq(member(dave).rewards, 0, "an unrevealed attestation is paid nothing");
        assertEq(member(dave).stake, STAKE, "nor slashed: the round was finalized");
    }

    function test_LazyGuesser_IsSlashed() external {
        honestCommits();
        // Without the result, the lazy member can only commit a guess (here last round's model).
        commitAttestationAs(dave, ROUND, OTHER_MODEL, 0x7);
        warpToAttestReveal();
        revealAttestationAs(alice, ROUND, MODEL, 0x7);
        revealAttestationAs(dave, ROUND, OTHER_MODEL, 0x7);
        revealAttestationAs(bob, ROUND, MODEL, 0x7);
        revealAttestationAs(carol, ROUND, MODEL, 0x7);
        finalize(MODEL, 0x7);

        uint96 slash = uint96((uint256(STAKE) * SLASH_BPS + 9_999) / 10_000);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.Slashed(taskId, ROUND, dave, slash, SlashReasons.LOSING_ATTESTATION);
        coordinator.settle(taskId, dave);
        assertEq(member(dave).rewards, 0, "unpaid");
        assertEq(member(dave).stake, STAKE - slash, "slashed");
    }

    /// @dev A member that commits an attestation and never reveals it is silent: when the round
    /// fails it pays the inactivity penalty like a member that did nothing; members who revealed
    /// their attestation pay nothing.
    function test_CommittedUnrevealedAttestation_PaysInactivityPenalty() external {
        honestCommits();
        commitAttestationAs(dave, ROUND, MODEL, 0x7);
        warpToAttestReveal();
        revealAttestationAs(alice, ROUND, MODEL, 0x7); // alice alone: 25% < quorum
        warpPastAttest(); // bob, carol and dave never reveal: the round fails
        assertEq(uint256(phase()), uint256(RoundPhase.Failed), "no quorum");
        startRound();

        uint96 penalty = uint96((uint256(STAKE) * SLASH_BPS + 9_999) / 10_000);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.InactivityPenalized(taskId, dave, ROUND, ROUND + 1, 1, penalty);
        coordinator.settle(taskId, dave);
        assertEq(member(dave).stake, STAKE - penalty, "committed, never revealed: silent");
        coordinator.settle(taskId, alice);
        assertEq(member(alice).stake, STAKE, "revealed: not silent");
    }
}
