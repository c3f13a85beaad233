// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetRegistry} from "../../../interfaces/IDatasetRegistry.sol";
import {Shard, ShardInput} from "../../../types/DatasetTypes.sol";
import {DatasetBase} from "../../DatasetBase.t.sol";

contract AddShardsTest is DatasetBase {
    uint256 private id;

    function setUp() public override {
        super.setUp();
        id = register();
    }

    function invalidShard(uint32 index, string memory field) private view returns (bytes memory) {
        return abi.encodeWithSelector(IDatasetRegistry.DatasetInvalidShard.selector, id, index, field);
    }

    function test_RevertWhen_DatasetDoesNotExist() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNotFound.selector, 99));
        addShardsAs(publisher, 99, shardInputs(0, 1));
    }

    function test_RevertWhen_CallerIsNotTheOwner() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetUnauthorized.selector, id, alice));
        addShardsAs(alice, id, shardInputs(0, 1));
    }

    function test_RevertWhen_DatasetIsSealed() external {
        addShardsAs(publisher, id, shardInputs(0, 1));
        sealAs(publisher, id);
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetAlreadySealed.selector, id));
        addShardsAs(publisher, id, shardInputs(1, 1));
    }

    function test_RevertWhen_BatchIsEmpty() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetInvalidBatch.selector, 0, 64));
        addShardsAs(publisher, id, new ShardInput[](0));
    }

    function test_RevertWhen_BatchHoldsMoreThan64() external {
        ShardInput[] memory inputs = shardInputs(0, 65);
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetInvalidBatch.selector, 65, 64));
        addShardsAs(publisher, id, inputs);
    }

    /// @dev Sets the dataset's stored shard count (slot 0 of Dataset in `_datasets`, mapping slot 1;
    /// shardCount is the uint32 after the 20-byte owner).
    function setShardCount(uint32 count) private {
        bytes32 slot = keccak256(abi.encode(id, uint256(1)));
        uint256 word = uint256(vmHash.load(address(datasets), slot));
        word = (word & ~(uint256(type(uint32).max) << 160)) | (uint256(count) << 160);
        vmHash.store(address(datasets), slot, bytes32(word));
        assertEq(dataset(id).shardCount, count, "shardCount set");
    }

    function test_RevertWhen_DatasetWouldExceed65536Shards() external {
        setShardCount(65_530);
        ShardInput[] memory inputs = shardInputs(0, 7);
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetTooManyShards.selector, id, 65_537, 65_536));
        addShardsAs(publisher, id, inputs);
    }

    function test_AddShards_AcceptsShardsUpTo65536() external {
        setShardCount(65_530);
        addShardsAs(publisher, id, shardInputs(0, 6));
        assertEq(dataset(id).shardCount, 65_536, "shardCount");
    }

    function test_RevertWhen_CidDigestIsZero() external {
        ShardInput[] memory inputs = shardInputs(0, 3);
        inputs[2].cidDigest = bytes32(0);
        vm.expectRevert(invalidShard(2, "cidDigest"));
        addShardsAs(publisher, id, inputs);
    }

    function test_RevertWhen_ContentDigestIsZero() external {
        ShardInput[] memory inputs = shardInputs(0, 2);
        inputs[1].contentDigest = bytes32(0);
        vm.expectRevert(invalidShard(1, "contentDigest"));
        addShardsAs(publisher, id, inputs);
    }

    function test_RevertWhen_SizeIsZero() external {
        ShardInput[] memory inputs = shardInputs(0, 1);
        inputs[0].size = 0;
        vm.expectRevert(invalidShard(0, "size"));
        addShardsAs(publisher, id, inputs);
    }

    function test_RevertWhen_SizeIsAbove2Pow40() external {
        ShardInput[] memory inputs = shardInputs(0, 1);
        inputs[0].size = 2 ** 40 + 1;
        vm.expectRevert(invalidShard(0, "size"));
        addShardsAs(publisher, id, inputs);
    }

    function test_AddShards_StoresEachShard() external {
        addShardsAs(publisher, id, shardInputs(0, 3));
        for (uint32 i; i < 3; ++i) {
            Shard memory s = datasets.getShard(id, i);
            ShardInput memory expected = shardInput(i);
            assertEq(s.cidDigest, expected.cidDigest, "cidDigest");
            assertEq(s.contentDigest, expected.contentDigest, "contentDigest");
            assertEq(s.size, expected.size, "size");
            assertEq(s.codec, expected.codec, "codec");
        }
    }

    function test_AddShards_CountsShardsAndSumsSizes() external {
        addShardsAs(publisher, id, shardInputs(0, 3));
        assertEq(dataset(id).shardCount, 3, "shardCount");
        assertEq(dataset(id).totalBytes, 1000 + 1001 + 1002, "totalBytes");
    }

    function test_AddShards_ContinuesIndicesOfEarlierBatches() external {
        addShardsAs(publisher, id, shardInputs(0, 2));
        addShardsAs(publisher, id, shardInputs(2, 3));
        assertEq(dataset(id).shardCount, 5, "shardCount");
        assertEq(datasets.getShard(id, 4).cidDigest, shardInput(4).cidDigest, "shard 4");
    }

    function test_AddShards_AcceptsBatchOf64() external {
        addShardsAs(publisher, id, shardInputs(0, 64));
        assertEq(dataset(id).shardCount, 64, "shardCount");
    }

    function test_AddShards_AcceptsSizeOf2Pow40() external {
        ShardInput[] memory inputs = shardInputs(0, 1);
        inputs[0].size = 2 ** 40;
        addShardsAs(publisher, id, inputs);
        assertEq(dataset(id).totalBytes, 2 ** 40, "totalBytes");
    }

    function test_AddShards_EmitsShardAddedForEachShard() external {
        addShardsAs(publisher, id, shardInputs(0, 1));
        ShardInput memory second = shardInput(1);
        ShardInput memory third = shardInput(2);
        vm.expectEmit(address(datasets));
        emit IDatasetRegistry.ShardAdded(id, 1, second.cidDigest, second.codec, second.size, second.contentDigest);
        vm.expectEmit(address(datasets));
        emit IDatasetRegistry.ShardAdded(id, 2, third.cidDigest, third.codec, third.size, third.contentDigest);
        addShardsAs(publisher, id, shardInputs(1, 2));
    }
}
