// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetRegistry} from "../../../interfaces/IDatasetRegistry.sol";
import {Shard, ShardAssignment} from "../../../types/DatasetTypes.sol";
import {DatasetBase} from "../../DatasetBase.t.sol";

contract DatasetViewsTest is DatasetBase {
    function test_Coordinator_ReturnsTheCoordinator() external view {
        assertEq(datasets.coordinator(), address(coordinator), "coordinator");
    }

    function test_RevertWhen_GetDatasetOfUnknownId() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNotFound.selector, 1));
        datasets.getDataset(1);
    }

    function test_RevertWhen_GetShardIndexOutOfRange() external {
        uint256 id = sealedDataset(3);
        vm.expectRevert(
            abi.encodeWithSelector(IDatasetRegistry.DatasetShardNotFound.selector, id, uint32(3), uint32(3))
        );
        datasets.getShard(id, 3);
    }

    function test_RevertWhen_GetShardOfUnknownDataset() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNotFound.selector, 5));
        datasets.getShard(5, 0);
    }

    function test_RevertWhen_ListShardsOfUnknownDataset() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNotFound.selector, 5));
        datasets.listShards(5, 0, 10);
    }

    function test_ListShards_EmptyPastTheEnd() external {
        uint256 id = sealedDataset(3);
        assertEq(datasets.listShards(id, 3, 10).length, 0, "page length");
    }

    function test_ListShards_SaturatesOffsetPlusLimit() external {
        uint256 id = sealedDataset(3);
        Shard[] memory page = datasets.listShards(id, 1, type(uint256).max);
        assertEq(page.length, 2, "page length");
        assertEq(page[1].cidDigest, shardInput(2).cidDigest, "last shard");
    }

    function test_ListShards_ReturnsShardsInIndexOrder() external {
        uint256 id = sealedDataset(70);
        Shard[] memory page = datasets.listShards(id, 60, 5);
        assertEq(page.length, 5, "page length");
        for (uint256 i; i < 5; ++i) {
            assertEq(page[i].cidDigest, shardInput(60 + i).cidDigest, "cidDigest");
            assertEq(page[i].size, shardInput(60 + i).size, "size");
        }
    }

    function test_TaskDataset_ZeroWhenNotLinked() external view {
        assertEq(link_().datasetId, 0, "datasetId");
        assertEq(link_().currentDraw, 0, "currentDraw");
    }

    function test_RevertWhen_AssignmentOfMemberWithoutTicket() external {
        linkedDataset();
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNoTicket.selector, taskId, alice));
        datasets.assignmentOf(taskId, alice);
    }

    function test_RevertWhen_AssignmentOfPendingDraw() external {
        linkedDataset();
        join(alice);
        requestAs(alice);
        closeAs(owner);
        vm.expectRevert(
            abi.encodeWithSelector(IDatasetRegistry.DatasetAssignmentPending.selector, taskId, alice, uint32(1))
        );
        datasets.assignmentOf(taskId, alice);
    }

    function test_AssignmentOf_ReturnsEveryField() external {
        uint256 id = linkedDataset();
        bytes32 hash = keccak256("views");
        threeAssigned(hash);
        ShardAssignment memory a = datasets.assignmentOf(taskId, carol);
        bytes32 seed = seedOf(hash, 1);
        assertEq(a.datasetId, id, "datasetId");
        assertEq(a.draw, 1, "draw");
        assertEq(a.ticket, 2, "ticket");
        assertEq(a.firstShard, (uint256(seed) % SHARDS + 2 * PER_MEMBER) % SHARDS, "firstShard");
        assertEq(a.count, PER_MEMBER, "count");
        assertEq(a.shardCount, SHARDS, "shardCount");
        assertEq(a.seed, seed, "seed");
    }

    function test_RevertWhen_AssignedShardsWithoutTicket() external {
        linkedDataset();
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNoTicket.selector, taskId, bob));
        datasets.assignedShards(taskId, bob);
    }

    function test_AssignedShards_WrapAroundToShardZero() external {
        uint256 id = sealedDataset(SHARDS);
        linkAs(owner, id, SHARDS);
        bytes32 hash = keccak256("wrap");
        threeAssigned(hash);
        uint256 offset = uint256(seedOf(hash, 1)) % SHARDS;
        assertGt(offset, 0, "this hash must rotate, or nothing wraps");
        uint32[] memory shards = datasets.assignedShards(taskId, alice);
        assertEq(shards.length, SHARDS, "count");
        for (uint256 j; j < SHARDS; ++j) {
            assertEq(shards[j], (offset + j) % SHARDS, "shard");
        }
    }
}
