// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FLCoordinator} from "../../FLCoordinator.sol";
import {ModelRegistry} from "../../ModelRegistry.sol";
import {TaskStatus} from "../../types/DataTypes.sol";
import {CoordinatorHandler} from "../handlers/CoordinatorHandler.sol";
import {MockERC20} from "../mocks/MockERC20.sol";
import {Test} from "../utils/Test.sol";

/// @notice The invariant handler itself can drive a task through whole rounds: if a protocol
/// change made its calls revert, the invariants would hold vacuously; this test says so first.
contract HandlerTest is Test {
    CoordinatorHandler private handler;
    FLCoordinator private coordinator;

    function setUp() external {
        vm.warp(1_700_000_000);
        MockERC20 token = new MockERC20("flchain test token", "FLT");
        ModelRegistry registry = new ModelRegistry(address(this));
        coordinator = new FLCoordinator(registry);
        registry.setCoordinator(address(coordinator));
        handler = new CoordinatorHandler(coordinator, registry, token);
    }

    function test_Handler_StartsWithMembersAndOpenRounds() external view {
        assertEq(handler.successes("join"), 8, "joins");
        assertEq(handler.successes("startRound"), 2, "first rounds");
    }

    function test_Handler_PlaysRoundStepByStep() external {
        handler.commitMany(0, 31, bytes32(uint256(5)));
        assertEq(handler.successes("commit"), 5, "commits");
        handler.warpToNextPhase(0);
        handler.revealMany(0, 31);
        assertEq(handler.successes("reveal"), 5, "reveals");
        handler.warpToNextPhase(0);
        handler.attestMany(0, 31, 0);
        assertEq(handler.successes("attestCommit"), 5, "attestations committed");
        assertEq(handler.successes("attest"), 0, "none counted before its reveal");
        handler.warpToNextPhase(0);
        handler.attestMany(0, 31, 0);
        assertEq(handler.successes("attest"), 4, "attestations revealed until the quorum");
        handler.finalize(0);
        assertEq(handler.successes("finalize"), 1, "finalized");
        handler.claim(1, 0);
        assertEq(handler.successes("claim"), 1, "claimed");
        assertGt(handler.ghostClaimed(1, handler.actors(1)), 0, "claim seen in the ghosts");
    }

    function test_Handler_CompletesTaskWithPlayRound() external {
        handler.playRound(1, 7, 0, bytes32(uint256(1)));
        handler.playRound(1, 7, 0, bytes32(uint256(2)));
        assertEq(uint256(coordinator.getTask(2).status), uint256(TaskStatus.Completed), "task 2 completed");
        handler.closeTask(1, 1);
        assertEq(handler.successes("closeTask"), 1, "closed after completion");
    }
}
