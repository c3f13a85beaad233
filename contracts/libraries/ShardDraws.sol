// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ShardDraws
/// @notice Which shards a ticket of a draw gets. A draw's seed comes from a block hash unknown
/// when the draw closed; its offset rotates every ticket of the draw by the same random amount:
/// ticket t gets the `perMember` consecutive shards starting at (offset + t * perMember) mod K.
/// Every ticket's first shard is uniform over [0, K) (the offset is), and within one draw the
/// shards are dealt round-robin: for n tickets each shard is held by floor(n*m/K) or
/// ceil(n*m/K) of them. Mirrored by `flchain.protocol.dataset_records`.
library ShardDraws {
    /// @notice The seed of draw `draw` of task `taskId`: bound to the chain and the registry, so
    /// the same block hash seeds unrelated draws differently.
    function drawSeed(bytes32 blockHash, uint256 chainId, address registry, uint256 taskId, uint32 draw)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(blockHash, chainId, registry, taskId, draw));
    }

    /// @notice The draw's rotation, in [0, shardCount). Requires shardCount > 0.
    function offsetOf(bytes32 seed, uint32 shardCount) internal pure returns (uint32) {
        // The modulo bias is below K / 2**256: negligible.
        return uint32(uint256(seed) % shardCount);
    }

    /// @notice The first shard of ticket `ticket`, in [0, shardCount). Requires shardCount > 0.
    function firstShard(uint32 offset, uint32 ticket, uint32 perMember, uint32 shardCount)
        internal
        pure
        returns (uint32)
    {
        // In uint256: (2**32 - 1) + (2**32 - 1) * (2**32 - 1) cannot overflow.
        return uint32((uint256(offset) + uint256(ticket) * perMember) % shardCount);
    }

    /// @notice The `j`-th shard of a member whose first shard is `first`.
    function shardAt(uint32 first, uint32 j, uint32 shardCount) internal pure returns (uint32) {
        return uint32((uint256(first) + j) % shardCount);
    }
}
