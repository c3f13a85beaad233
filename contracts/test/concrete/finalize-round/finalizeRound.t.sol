// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {IModelRegistry, ModelRecord} from "../../../interfaces/IModelRegistry.sol";
import {Round, RoundPhase, RoundStatus, TaskStatus} from "../../../types/DataTypes.sol";
import {Base} from "../../Base.t.sol";
import {Vm} from "../../utils/Vm.sol";

contract FinalizeRoundTest is Base {
    // Default split: 1000e18 per round, 20% to attesters.
    uint128 private constant CONTRIBUTOR_POOL = REWARD_PER_ROUND * (10_000 - ATTESTER_SHARE_BPS) / 10_000;
    uint128 private constant ATTESTER_POOL = REWARD_PER_ROUND * ATTESTER_SHARE_BPS / 10_000;

    /// @dev Three reveals; all three attest MODEL accepting alice and carol (bits 0 and 2).
    function reachQuorum() private returns (uint32 round) {
        round = joinThreeAndStart();
        commitAndRevealThree();
        attestThree(MODEL, 0x5);
    }

    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 9));
        coordinator.finalizeRound(9, MODEL, CODEC, 0, METRICS);
    }

    function test_RevertWhen_NoQuorumInAttestPhase() external {
        uint32 round = joinThreeAndStart();
        warpToAttest();
        attestAs(alice, MODEL, 0);
        vm.expectRevert(wrongPhase(round, RoundPhase.AttestReveal));
        finalize(MODEL, 0);
    }

    function test_RevertWhen_RoundFailed() external {
        uint32 round = joinThreeAndStart();
        warpToAttest();
        attestAs(alice, MODEL, 0);
        warpPastAttest();
        vm.expectRevert(wrongPhase(round, RoundPhase.Failed));
        finalize(MODEL, 0);
    }

    function test_RevertWhen_NoRoundStarted() external {
        vm.expectRevert(wrongPhase(0, RoundPhase.None));
        finalize(MODEL, 0);
    }

    function test_RevertWhen_ResultMismatch() external {
        uint32 round = reachQuorum();
        vm.expectRevert(
            abi.encodeWithSelector(
                IFLCoordinator.FinalizeResultMismatch.selector,
                taskId,
                round,
                resultOf(MODEL, 0x5),
                resultOf(MODEL, 0x7)
            )
        );
        finalize(MODEL, 0x7);
    }

    function test_FinalizeRound_StoresOutcome() external {
        uint32 round = reachQuorum();
        finalize(MODEL, 0x5);
        Round memory r = coordinator.getRound(taskId, round);
        assertEq(uint256(r.status), uint256(RoundStatus.Finalized), "status");
        assertEq(uint256(coordinator.roundPhase(taskId, round)), uint256(RoundPhase.Finalized), "phase");
        assertEq(r.acceptedBitmap, 0x5, "acceptedBitmap");
        assertEq(r.acceptedCount, 2, "acceptedCount");
        assertEq(r.winningAttesters, 3, "winningAttesters");
        assertEq(r.contributorPool, CONTRIBUTOR_POOL, "contributorPool");
        assertEq(r.attesterPool, ATTESTER_POOL, "attesterPool");
        assertEq(r.winningStake, 3 * STAKE, "winningStake");
        assertEq(task_().finalizedRounds, 1, "finalizedRounds");
        assertEq(task_().lastFinalizedRound, round, "lastFinalizedRound");
    }

    function test_FinalizeRound_MovesRewardsToUnclaimed() external {
        reachQuorum();
        uint128 pool = task_().rewardPool;
        finalize(MODEL, 0x5);
        uint128 allotted = CONTRIBUTOR_POOL + ATTESTER_POOL; // the whole round reward, dust included
        assertEq(task_().rewardPool, pool - allotted, "rewardPool");
        assertEq(task_().unclaimedRewards, allotted, "unclaimedRewards");
    }

    function test_FinalizeRound_RecordsModelInRegistry() external {
        uint32 round = reachQuorum();
        vm.expectEmit(address(registry));
        emit IModelRegistry.ModelRecorded(taskId, round, 0, MODEL, CODEC, METRICS, 2);
        finalize(MODEL, 0x5);
        ModelRecord memory record = registry.modelAt(taskId, round);
        assertEq(record.modelDigest, MODEL, "digest");
        assertEq(record.codec, CODEC, "codec");
        assertEq(record.metricsDigest, METRICS, "metrics");
        assertEq(record.round, round, "round");
        assertEq(record.parentRound, 0, "parent");
        assertEq(record.contributors, 2, "contributors");
        assertEq(record.timestamp, block.timestamp, "timestamp");
        assertEq(record.blockNumber, block.number, "blockNumber");
        assertEq(registry.latestModel(taskId).modelDigest, MODEL, "latest");
        assertEq(registry.modelCount(taskId), 2, "modelCount");
    }

    function test_FinalizeRound_EmitsRoundFinalized() external {
        uint32 round = reachQuorum();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.RoundFinalized(
            taskId, round, MODEL, CODEC, 0x5, METRICS, 2, 3, CONTRIBUTOR_POOL, ATTESTER_POOL
        );
        finalize(MODEL, 0x5);
    }

    function test_FinalizeRound_ByAnyone() external {
        uint32 round = reachQuorum();
        vm.prank(eve);
        coordinator.finalizeRound(taskId, MODEL, CODEC, 0x5, METRICS);
        assertEq(uint256(coordinator.roundPhase(taskId, round)), uint256(RoundPhase.Finalized), "phase");
    }

    function test_FinalizeRound_AfterAttestDeadline() external {
        uint32 round = reachQuorum();
        vm.warp(block.timestamp + 30 days);
        finalize(MODEL, 0x5);
        assertEq(uint256(coordinator.roundPhase(taskId, round)), uint256(RoundPhase.Finalized), "phase");
    }

    function test_FinalizeRound_OpensNextRound() external {
        reachQuorum();
        uint64 t = uint64(block.timestamp);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.RoundStarted(taskId, 2, 1, t + 100, t + 200, t + 300, STAKE * 3);
        finalize(MODEL, 0x5);
        assertEq(currentRound(), 2, "currentRound");
        assertEq(uint256(phase()), uint256(RoundPhase.Commit), "phase");
        assertEq(round_().parentRound, 1, "parent");
    }

    function test_FinalizeRound_ParentSkipsFailedRound() external {
        joinThreeAndStart();
        playFullRound(); // round 1
        warpToAttest(); // round 2 fails: three results, none with the quorum (all attest: no inactivity)
        attestAs(alice, MODEL, 0);
        attestAs(bob, OTHER_MODEL, 0);
        attestAs(carol, keccak256("a third model"), 0);
        warpPastAttest();
        startRound(); // round 3
        playFullRound();
        assertEq(registry.modelAt(taskId, 3).parentRound, 1, "round 3 trained from round 1");
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.RegistryModelNotFound.selector, taskId, uint32(2))
        );
        registry.modelAt(taskId, 2);
    }

    function test_FinalizeRound_CompletesTaskAfterLastRound() external {
        joinThreeAndStart();
        playFullRound();
        playFullRound();
        vm.recordLogs();
        playFullRound();
        assertEq(uint256(task_().status), uint256(TaskStatus.Completed), "status");
        assertEq(task_().finalizedRounds, NUM_ROUNDS, "finalizedRounds");
        assertEq(currentRound(), NUM_ROUNDS, "no round opened");
        assertEq(registry.modelCount(taskId), NUM_ROUNDS + 1, "models");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(coordinator)) continue;
            assertTrue(logs[i].topics[0] != IFLCoordinator.RoundStarted.selector, "no RoundStarted after the last round");
        }
    }
}
