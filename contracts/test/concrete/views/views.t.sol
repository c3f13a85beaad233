// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {Member, Round, RoundPhase, Tally} from "../../../types/DataTypes.sol";
import {Base} from "../../Base.t.sol";

contract ViewsTest is Base {
    function test_RevertWhen_GetTaskNotFound() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 0));
        coordinator.getTask(0);
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 2));
        coordinator.getTask(2);
    }

    function test_GetTask_ReturnsTask() external view {
        assertEq(coordinator.getTask(taskId).owner, owner, "owner");
    }

    function test_EmptyViews_ReturnZeros() external view {
        Round memory r = coordinator.getRound(taskId, 5);
        Member memory m = coordinator.getMember(taskId, eve);
        Tally memory t = coordinator.getTally(taskId, 1, MODEL);
        assertEq(r.commitDeadline + r.totalStake + uint256(r.status), 0, "round");
        assertEq(m.stake + m.flags + m.firstRound, 0, "member");
        assertEq(t.stake + t.attesters, 0, "tally");
    }

    function test_RoundPhase_NoneBeforeOpening() external view {
        assertEq(uint256(coordinator.roundPhase(taskId, 1)), uint256(RoundPhase.None), "none");
    }

    function test_RoundPhase_FollowsDeadlines() external {
        joinThreeAndStart();
        Round memory r = round_();
        assertEq(uint256(phase()), uint256(RoundPhase.Commit), "commit");
        vm.warp(r.commitDeadline - 1);
        assertEq(uint256(phase()), uint256(RoundPhase.Commit), "commit, last second");
        vm.warp(r.commitDeadline);
        assertEq(uint256(phase()), uint256(RoundPhase.Reveal), "reveal");
        vm.warp(r.revealDeadline - 1);
        assertEq(uint256(phase()), uint256(RoundPhase.Reveal), "reveal, last second");
        vm.warp(r.revealDeadline);
        assertEq(uint256(phase()), uint256(RoundPhase.AttestCommit), "attest commit");
        uint64 middle = r.revealDeadline + (r.attestDeadline - r.revealDeadline) / 2;
        assertEq(coordinator.attestCommitDeadline(taskId, 1), middle, "the attest window's middle");
        vm.warp(middle - 1);
        assertEq(uint256(phase()), uint256(RoundPhase.AttestCommit), "attest commit, last second");
        vm.warp(middle);
        assertEq(uint256(phase()), uint256(RoundPhase.AttestReveal), "attest reveal");
        vm.warp(r.attestDeadline - 1);
        assertEq(uint256(phase()), uint256(RoundPhase.AttestReveal), "attest reveal, last second");
        vm.warp(r.attestDeadline);
        assertEq(uint256(phase()), uint256(RoundPhase.Failed), "failed");
    }

    function test_RoundPhase_QuorumThenFinalizedIgnoreTime() external {
        joinThreeAndStart();
        warpToAttest();
        attestThree(MODEL, 0);
        vm.warp(block.timestamp + 365 days);
        assertEq(uint256(coordinator.roundPhase(taskId, 1)), uint256(RoundPhase.QuorumReached), "quorum");
        finalize(MODEL, 0);
        vm.warp(block.timestamp + 365 days);
        assertEq(uint256(coordinator.roundPhase(taskId, 1)), uint256(RoundPhase.Finalized), "finalized");
    }

    function test_ResultId_MatchesSpec() external view {
        assertEq(
            coordinator.resultId(MODEL, CODEC, 0x5, METRICS),
            keccak256(abi.encode(MODEL, CODEC, uint256(0x5), METRICS)),
            "resultId"
        );
    }

    function test_ComputeCommitment_MatchesSpec() external view {
        bytes32 cid = keccak256("cid");
        bytes32 salt = keccak256("salt");
        assertEq(
            coordinator.computeCommitment(cid, CODEC, salt, alice, taskId, 3),
            keccak256(abi.encode(cid, CODEC, salt, alice, taskId, uint32(3), block.chainid, address(coordinator))),
            "commitment"
        );
    }

    function test_ComputeAttestationCommitment_MatchesSpec() external view {
        bytes32 salt = keccak256("attest salt");
        assertEq(
            coordinator.computeAttestationCommitment(MODEL, CODEC, 0x5, METRICS, salt, alice, taskId, 3),
            keccak256(
                abi.encode(
                    MODEL, CODEC, uint256(0x5), METRICS, salt, alice, taskId, uint32(3), block.chainid,
                    address(coordinator)
                )
            ),
            "attestation commitment"
        );
        assertEq(
            coordinator.computeAttestationCommitment(
                MODEL, CODEC, 0x5, METRICS, attestSaltOf(alice, 3), alice, taskId, 3
            ),
            attestationOf(alice, 3, MODEL, 0x5),
            "the tests' helper"
        );
    }

    function test_Registry_ReturnsDeploymentRegistry() external view {
        assertEq(coordinator.registry(), address(registry), "registry");
    }
}
