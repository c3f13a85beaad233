// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;
import {FLCoordinator} from "../../FLCoordinator.sol";
import {ModelRegistry} from "../../ModelRegistry.sol";
import {CoordinatorHandler} from "../handlers/CoordinatorHandler.sol";
import {MockERC20} from "../mocks/MockERC20.sol";
import {Test} from "../utils/Test.sol";
contract ProbeTest is Test {
    CoordinatorHandler h;
    function setUp() external {
        vm.warp(1_700_000_000);
        MockERC20 token = new MockERC20("t", "t");
        ModelRegistry registry = new ModelRegistry(address(this));
        FLCoordinator c = new FLCoordinator(registry);
        registry.setCoordinator(address(c));
        h = new CoordinatorHandler(c, registry, token);
    }
    function targetContracts() external view returns (address[] memory t) { t = new address[](1); t[0] = address(h); }
    function invariant_ProbeFinalize() external view { assertLt(h.successes("finalize"), 2, "finalize x2"); }
    function invariant_ProbeClaimAfterFinalize() external view { assertEq(h.successes("claim"), 0, "claim"); }
    function invariant_ProbeSlash() external view { assertEq(h.ghostSlashed(1) + h.ghostSlashed(2), 0, "slash"); }
    function invariant_ProbeLeaveWithRewards() external view { assertEq(h.ghostClaimedTotal(1) + h.ghostClaimedTotal(2), 0, "paid"); }
    function invariant_ProbeClose() external view { assertEq(h.successes("closeTask"), 0, "close"); }
    function invariant_ProbeCompleted() external view { assertLt(uint256(h.coordinator().getTask(2).status), 2, "task 2 completed"); }
}
contract ScriptTest is Test {
    CoordinatorHandler h;
    function setUp() external {
        vm.warp(1_700_000_000);
        MockERC20 token = new MockERC20("t", "t");
        ModelRegistry registry = new ModelRegistry(address(this));
        FLCoordinator c = new FLCoordinator(registry);
        registry.setCoordinator(address(c));
        h = new CoordinatorHandler(c, registry, token);
    }
    function test_Script() external {
        assertEq(h.successes("join"), 8, "joins");
        assertEq(h.successes("startRound"), 2, "starts");
        h.commitMany(0, 31, bytes32(uint256(5)));
        assertEq(h.successes("commit"), 5, "commits");
        h.warpToNextPhase(0);
        assertEq(uint256(h.coordinator().roundPhase(1, 1)), 2, "phase reveal");
        h.revealMany(0, 31);
        assertEq(h.successes("reveal"), 5, "reveals");
        h.warpToNextPhase(0);
        h.attestMany(0, 31, 0);
        assertEq(h.successes("attest"), 4, "attests");
        h.finalize(0);
        assertEq(h.successes("finalize"), 1, "finalize");
        h.claim(1, 0);
        assertEq(h.successes("claim"), 1, "claim");
    }
}
