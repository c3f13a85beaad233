// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetRegistry} from "../../../interfaces/IDatasetRegistry.sol";
import {DatasetBase} from "../../DatasetBase.t.sol";

contract FixDrawTest is DatasetBase {
    bytes32 private constant HASH = keccak256("target block");

    /// @dev alice joins and requests; the owner closes draw 1 at START_BLOCK (target START_BLOCK + 1).
    function closedDraw() private {
        linkedDataset();
        join(alice);
        requestAs(alice);
        closeAs(owner);
    }

    function test_RevertWhen_TaskIsNotLinked() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetTaskNotLinked.selector, taskId));
        datasets.fixDraw(taskId, 1);
    }

    function test_RevertWhen_DrawIsOpen() external {
        linkedDataset();
        join(alice);
        requestAs(alice);
        vm.expectRevert(derr(IDatasetRegistry.DatasetDrawOpen.selector, taskId, 1));
        datasets.fixDraw(taskId, 1);
    }

    function test_RevertWhen_DrawIsAlreadyFixed() external {
        closedDraw();
        fixWithHash(1, HASH);
        vm.expectRevert(derr(IDatasetRegistry.DatasetDrawAlreadyFixed.selector, taskId, 1));
        datasets.fixDraw(taskId, 1);
    }

    function test_RevertWhen_TargetBlockIsTheCurrentBlock() external {
        closedDraw();
        vm.roll(START_BLOCK + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatasetRegistry.DatasetDrawPending.selector, taskId, uint32(1), uint64(START_BLOCK + 1), START_BLOCK + 1
            )
        );
        datasets.fixDraw(taskId, 1);
    }

    function test_RevertWhen_TargetBlockIsInTheFuture() external {
        closedDraw();
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatasetRegistry.DatasetDrawPending.selector, taskId, uint32(1), uint64(START_BLOCK + 1), START_BLOCK
            )
        );
        datasets.fixDraw(taskId, 1);
    }

    function test_RevertWhen_TargetBlockIsMoreThan256BlocksOld() external {
        closedDraw();
        vm.roll(START_BLOCK + 1 + 257);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatasetRegistry.DatasetDrawExpired.selector,
                taskId,
                uint32(1),
                uint64(START_BLOCK + 1),
                START_BLOCK + 1 + 257
            )
        );
        datasets.fixDraw(taskId, 1);
    }

    function test_FixDraw_StoresSeedFromTargetBlockHash() external {
        closedDraw();
        fixWithHash(1, HASH);
        assertEq(draw_(1).seed, seedOf(HASH, 1), "seed");
    }

    function test_FixDraw_AcceptsTargetExactly256BlocksOld() external {
        closedDraw();
        vm.roll(START_BLOCK + 1 + 256);
        vmHash.setBlockhash(START_BLOCK + 1, HASH);
        datasets.fixDraw(taskId, 1);
        assertEq(draw_(1).seed, seedOf(HASH, 1), "seed");
    }

    function test_FixDraw_AnyoneMayFix() external {
        closedDraw();
        vm.roll(START_BLOCK + 2);
        vmHash.setBlockhash(START_BLOCK + 1, HASH);
        vm.prank(eve);
        datasets.fixDraw(taskId, 1);
        assertEq(draw_(1).seed, seedOf(HASH, 1), "seed");
    }

    function test_FixDraw_AssignsConsecutiveShardsFromOffset() external {
        linkedDataset();
        threeAssigned(HASH);
        uint256 offset = uint256(seedOf(HASH, 1)) % SHARDS;
        address[3] memory members = [alice, bob, carol];
        for (uint256 t; t < 3; ++t) {
            uint32[] memory shards = datasets.assignedShards(taskId, members[t]);
            assertEq(shards.length, PER_MEMBER, "count");
            for (uint256 j; j < PER_MEMBER; ++j) {
                assertEq(shards[j], (offset + t * PER_MEMBER + j) % SHARDS, "shard index");
            }
        }
    }

    function test_FixDraw_EmitsDrawFixed() external {
        closedDraw();
        bytes32 seed = seedOf(HASH, 1);
        vm.roll(START_BLOCK + 2);
        vmHash.setBlockhash(START_BLOCK + 1, HASH);
        vm.expectEmit(address(datasets));
        emit IDatasetRegistry.DrawFixed(taskId, 1, seed, uint32(uint256(seed) % SHARDS));
        datasets.fixDraw(taskId, 1);
    }
}
