// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ShardDraws} from "../../libraries/ShardDraws.sol";
import {ShardAssignment} from "../../types/DatasetTypes.sol";
import {DatasetBase} from "../DatasetBase.t.sol";

/// @notice Shard draws: every assigned index is a shard of the dataset, a member's shards are
/// distinct, a draw deals shards round-robin (per-shard counts differ by at most one), the
/// seed is the documented formula of the target block's hash, and the rotation is the seed mod K.
contract ShardDrawsTest is DatasetBase {
    function memberAt(uint256 i) private pure returns (address) {
        return address(uint160(0x20000 + i));
    }

    function testFuzz_FirstShard_IsBelowShardCount(uint32 offset, uint32 ticket, uint32 perMember, uint32 shardCount)
        external
        pure
    {
        shardCount = uint32(bound(shardCount, 1, 65_536));
        perMember = uint32(bound(perMember, 1, 64));
        offset = uint32(bound(offset, 0, shardCount - 1));
        uint32 first = ShardDraws.firstShard(offset, ticket, perMember, shardCount);
        assertLt(first, shardCount, "first shard");
        assertEq(first, (uint256(offset) + uint256(ticket) * perMember) % shardCount, "formula");
        assertLt(ShardDraws.shardAt(first, perMember - 1, shardCount), shardCount, "last shard");
    }

    function testFuzz_OffsetOf_IsSeedModShardCount(bytes32 seed, uint32 shardCount) external pure {
        shardCount = uint32(bound(shardCount, 1, 65_536));
        uint32 offset = ShardDraws.offsetOf(seed, shardCount);
        assertEq(offset, uint256(seed) % shardCount, "offset");
    }

    function testFuzz_DrawSeed_MatchesSpec(bytes32 blockHash, uint256 chainId, address registry, uint256 task, uint32 draw)
        external
        pure
    {
        assertEq(
            ShardDraws.drawSeed(blockHash, chainId, registry, task, draw),
            keccak256(abi.encode(blockHash, chainId, registry, task, draw)),
            "seed"
        );
    }

    /// @dev n members request in one draw of a K-shard dataset with m shards each; the draw is
    /// fixed with `blockHash`. Each shard is then held floor(n*m/K) or ceil(n*m/K) times, every
    /// index is below K, each member's m shards are distinct, and ticket 0 starts at seed mod K.
    function testFuzz_FixDraw_DealsShardsRoundRobin(bytes32 blockHash, uint256 n, uint256 k, uint256 m) external {
        vm.assume(blockHash != bytes32(0));
        n = bound(n, 1, MAX_PARTICIPANTS);
        k = bound(k, 1, 40);
        m = bound(m, 1, k);
        uint256 id = sealedDataset(uint32(k));
        linkAs(owner, id, uint32(m));
        for (uint256 i; i < n; ++i) {
            fund(memberAt(i), STAKE);
            join(memberAt(i));
            requestAs(memberAt(i));
        }
        uint32 draw = closeAs(owner);
        fixWithHash(draw, blockHash);

        uint256[] memory held = new uint256[](k);
        for (uint256 i; i < n; ++i) {
            uint32[] memory shards = datasets.assignedShards(taskId, memberAt(i));
            assertEq(shards.length, m, "shards per member");
            for (uint256 j; j < m; ++j) {
                assertLt(shards[j], k, "index");
                // Distinct within a member: m <= K consecutive indices mod K never repeat.
                for (uint256 l; l < j; ++l) {
                    assertTrue(shards[l] != shards[j], "a member's shards repeat");
                }
                held[shards[j]] += 1;
            }
        }
        uint256 low = (n * m) / k;
        for (uint256 s; s < k; ++s) {
            assertGe(held[s], low, "shard held too rarely");
            assertLe(held[s], low + ((n * m) % k == 0 ? 0 : 1), "shard held too often");
        }
        ShardAssignment memory first = datasets.assignmentOf(taskId, memberAt(0));
        assertEq(first.firstShard, uint256(seedOf(blockHash, draw)) % k, "ticket 0 starts at the offset");
    }
}
