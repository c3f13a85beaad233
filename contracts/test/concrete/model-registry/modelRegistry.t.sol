// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {ModelRegistry} from "../../../ModelRegistry.sol";
import {IModelRegistry, ModelRecord} from "../../../interfaces/IModelRegistry.sol";
import {Test} from "../../utils/Test.sol";

/// @dev The registry on its own, with this test contract as its coordinator.
contract ModelRegistryTest is Test {
    ModelRegistry private registry;
    address private registryOwner;
    address private stranger;
    uint256 private constant TASK = 1;

    function setUp() external {
        vm.warp(1_700_000_000);
        registryOwner = makeAddr("registry owner");
        stranger = makeAddr("stranger");
        registry = new ModelRegistry(registryOwner);
        vm.prank(registryOwner);
        registry.setCoordinator(address(this));
    }

    function digest(uint32 round) private pure returns (bytes32) {
        return keccak256(abi.encode("model", round));
    }

    function record(uint256 taskId, uint32 round, uint32 parent) private {
        registry.recordModel(taskId, round, parent, digest(round), 0x70, keccak256(abi.encode(round)), round * 2);
    }

    /// @dev Rounds 0, 1, 2, 4 (round 3 failed: parent of 4 is 2).
    function recordHistory() private {
        record(TASK, 0, 0);
        record(TASK, 1, 0);
        record(TASK, 2, 1);
        record(TASK, 4, 2);
    }

    // ------------------------------------------------------------ setCoordinator

    function test_RevertWhen_SetCoordinatorByNonOwner() external {
        ModelRegistry fresh = new ModelRegistry(registryOwner);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        fresh.setCoordinator(stranger);
    }

    function test_RevertWhen_SetCoordinatorToZero() external {
        ModelRegistry fresh = new ModelRegistry(registryOwner);
        vm.expectRevert(IModelRegistry.RegistryZeroCoordinator.selector);
        vm.prank(registryOwner);
        fresh.setCoordinator(address(0));
    }

    function test_RevertWhen_CoordinatorAlreadySet() external {
        vm.expectRevert(
            abi.encodeWithSelector(IModelRegistry.RegistryCoordinatorAlreadySet.selector, address(this))
        );
        vm.prank(registryOwner);
        registry.setCoordinator(stranger);
    }

    function test_SetCoordinator_StoresAndEmits() external {
        ModelRegistry fresh = new ModelRegistry(registryOwner);
        vm.expectEmit(address(fresh));
        emit IModelRegistry.CoordinatorSet(stranger);
        vm.prank(registryOwner);
        fresh.setCoordinator(stranger);
        assertEq(fresh.coordinator(), stranger, "coordinator");
    }

    // ------------------------------------------------------------ recordModel

    function test_RevertWhen_RecorderIsNotCoordinator() external {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryUnauthorizedRecorder.selector, stranger));
        vm.prank(stranger);
        registry.recordModel(TASK, 0, 0, digest(0), 0x70, bytes32(0), 0);
    }

    function test_RevertWhen_RecorderIsOwner() external {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryUnauthorizedRecorder.selector, registryOwner));
        vm.prank(registryOwner);
        registry.recordModel(TASK, 0, 0, digest(0), 0x70, bytes32(0), 0);
    }

    function test_RevertWhen_ModelExists() external {
        record(TASK, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryModelExists.selector, TASK, uint32(0)));
        registry.recordModel(TASK, 0, 0, keccak256("another model"), 0x55, bytes32(0), 0);
    }

    function test_RecordModel_StoresEveryField() external {
        vm.roll(1234);
        record(TASK, 1, 0);
        ModelRecord memory m = registry.modelAt(TASK, 1);
        assertEq(m.modelDigest, digest(1), "digest");
        assertEq(m.metricsDigest, keccak256(abi.encode(uint32(1))), "metrics");
        assertEq(m.round, 1, "round");
        assertEq(m.parentRound, 0, "parent");
        assertEq(m.contributors, 2, "contributors");
        assertEq(m.codec, 0x70, "codec");
        assertEq(m.timestamp, 1_700_000_000, "timestamp");
        assertEq(m.blockNumber, 1234, "blockNumber");
    }

    function test_RecordModel_EmitsModelRecorded() external {
        vm.expectEmit(address(registry));
        emit IModelRegistry.ModelRecorded(TASK, 2, 1, digest(2), 0x70, keccak256(abi.encode(uint32(2))), 4);
        record(TASK, 2, 1);
    }

    // ------------------------------------------------------------ views

    function test_RevertWhen_ModelAtMissingRound() external {
        recordHistory();
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryModelNotFound.selector, TASK, uint32(3)));
        registry.modelAt(TASK, 3);
    }

    function test_RevertWhen_ModelAtUnknownTask() external {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryModelNotFound.selector, 9, uint32(0)));
        registry.modelAt(9, 0);
    }

    function test_ModelAt_ReturnsModel() external {
        recordHistory();
        assertEq(registry.modelAt(TASK, 4).modelDigest, digest(4), "digest");
        assertEq(registry.modelAt(TASK, 4).parentRound, 2, "parent");
    }

    function test_RevertWhen_LatestModelOfUnknownTask() external {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryTaskUnknown.selector, 9));
        registry.latestModel(9);
    }

    function test_LatestModel_ReturnsLastRecorded() external {
        recordHistory();
        assertEq(registry.latestModel(TASK).round, 4, "round");
        record(2, 0, 0);
        assertEq(registry.latestModel(TASK).round, 4, "other task does not interfere");
    }

    function test_ModelCount_CountsModels() external {
        assertEq(registry.modelCount(TASK), 0, "none yet");
        recordHistory();
        assertEq(registry.modelCount(TASK), 4, "four");
        assertEq(registry.modelCount(2), 0, "other task");
    }

    function test_ListModels_InRecordingOrder() external {
        recordHistory();
        ModelRecord[] memory page = registry.listModels(TASK, 0, 10);
        assertEq(page.length, 4, "length");
        assertEq(page[0].round, 0, "0");
        assertEq(page[1].round, 1, "1");
        assertEq(page[2].round, 2, "2");
        assertEq(page[3].round, 4, "3");
    }

    function test_ListModels_Pages() external {
        recordHistory();
        ModelRecord[] memory first = registry.listModels(TASK, 0, 2);
        ModelRecord[] memory second = registry.listModels(TASK, 2, 2);
        assertEq(first.length, 2, "first length");
        assertEq(second.length, 2, "second length");
        assertEq(first[1].round, 1, "first page end");
        assertEq(second[0].round, 2, "second page start");
        assertEq(second[1].round, 4, "second page end");
    }

    function test_ListModels_PartialLastPage() external {
        recordHistory();
        ModelRecord[] memory page = registry.listModels(TASK, 3, 5);
        assertEq(page.length, 1, "length");
        assertEq(page[0].round, 4, "round");
    }

    function test_ListModels_OffsetPastEnd() external {
        recordHistory();
        assertEq(registry.listModels(TASK, 4, 1).length, 0, "at end");
        assertEq(registry.listModels(TASK, 100, 1).length, 0, "past end");
        assertEq(registry.listModels(7, 0, 1).length, 0, "unknown task");
    }

    function test_ListModels_ZeroLimit() external {
        recordHistory();
        assertEq(registry.listModels(TASK, 1, 0).length, 0, "empty");
    }

    function test_ListModels_HugeLimit() external {
        recordHistory();
        assertEq(registry.listModels(TASK, 0, type(uint256).max).length, 4, "from 0");
        assertEq(registry.listModels(TASK, 1, type(uint256).max).length, 3, "from 1: offset + limit overflows");
        assertEq(registry.listModels(TASK, type(uint256).max, type(uint256).max).length, 0, "both max");
    }

    function testFuzz_ListModels(uint256 offset, uint256 limit) external {
        recordHistory();
        ModelRecord[] memory page = registry.listModels(TASK, offset, limit);
        uint256 expected = offset >= 4 ? 0 : (limit < 4 - offset ? limit : 4 - offset);
        assertEq(page.length, expected, "length");
        uint32[4] memory rounds = [uint32(0), 1, 2, 4];
        for (uint256 i; i < page.length; ++i) {
            assertEq(page[i].round, rounds[offset + i], "round");
        }
    }
}
