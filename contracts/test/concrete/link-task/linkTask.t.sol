// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetRegistry} from "../../../interfaces/IDatasetRegistry.sol";
import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {TaskDataset} from "../../../types/DatasetTypes.sol";
import {DatasetBase} from "../../DatasetBase.t.sol";

contract LinkTaskTest is DatasetBase {
    uint256 private id;

    function setUp() public override {
        super.setUp();
        id = sealedDataset(SHARDS);
    }

    function perMemberError(uint32 perMember, uint32 shardCount) private pure returns (bytes memory) {
        return abi.encodeWithSelector(
            IDatasetRegistry.DatasetInvalidShardsPerMember.selector, perMember, shardCount, uint32(64)
        );
    }

    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 42));
        vm.prank(owner);
        datasets.linkTask(42, id, 1);
    }

    function test_RevertWhen_CallerIsNotTheTaskOwner() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetTaskUnauthorized.selector, taskId, publisher));
        linkAs(publisher, id, 1);
    }

    function test_RevertWhen_TaskIsNotActive() external {
        vm.prank(owner);
        coordinator.closeTask(taskId);
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetTaskNotActive.selector, taskId));
        linkAs(owner, id, 1);
    }

    function test_RevertWhen_TaskIsAlreadyLinked() external {
        linkAs(owner, id, 1);
        uint256 other = sealedDataset(3);
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetTaskAlreadyLinked.selector, taskId, id));
        linkAs(owner, other, 1);
    }

    function test_RevertWhen_DatasetDoesNotExist() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNotFound.selector, 9));
        linkAs(owner, 9, 1);
    }

    function test_RevertWhen_DatasetIsNotSealed() external {
        uint256 open = register();
        addShardsAs(publisher, open, shardInputs(0, 2));
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNotSealed.selector, open));
        linkAs(owner, open, 1);
    }

    function test_RevertWhen_ShardsPerMemberIsZero() external {
        vm.expectRevert(perMemberError(0, SHARDS));
        linkAs(owner, id, 0);
    }

    function test_RevertWhen_ShardsPerMemberExceedsShardCount() external {
        vm.expectRevert(perMemberError(SHARDS + 1, SHARDS));
        linkAs(owner, id, SHARDS + 1);
    }

    function test_RevertWhen_ShardsPerMemberExceeds64() external {
        uint256 big = sealedDataset(100);
        vm.expectRevert(perMemberError(65, 100));
        linkAs(owner, big, 65);
    }

    function test_LinkTask_StoresLinkAndOpensDrawOne() external {
        linkAs(owner, id, 3);
        TaskDataset memory link = link_();
        assertEq(link.datasetId, id, "datasetId");
        assertEq(link.shardsPerMember, 3, "shardsPerMember");
        assertEq(link.currentDraw, 1, "currentDraw");
    }

    function test_LinkTask_AcceptsShardsPerMemberEqualToShardCount() external {
        linkAs(owner, id, SHARDS);
        assertEq(link_().shardsPerMember, SHARDS, "shardsPerMember");
    }

    function test_LinkTask_AcceptsAnotherOwnersDataset() external {
        // `publisher` owns the dataset, `owner` the task.
        linkAs(owner, id, 1);
        assertEq(link_().datasetId, id, "datasetId");
    }

    function test_LinkTask_EmitsTaskDatasetLinked() external {
        vm.expectEmit(address(datasets));
        emit IDatasetRegistry.TaskDatasetLinked(taskId, id, 2);
        linkAs(owner, id, 2);
    }
}
