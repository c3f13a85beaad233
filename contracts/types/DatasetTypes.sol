// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice One shard as its owner adds it (see IDatasetRegistry.addShards).
struct ShardInput {
    bytes32 cidDigest; // sha2-256 digest of the shard's CID (as every CID on chain)
    uint8 codec; // CID codec byte (0x00 CIDv0, 0x70 dag-pb, 0x55 raw)
    uint64 size; // bytes of the shard file
    bytes32 contentDigest; // sha2-256 of the shard file's bytes (checked after download)
}

/// @notice One shard of a dataset, as stored.
struct Shard {
    // slot 0
    bytes32 cidDigest;
    // slot 1
    bytes32 contentDigest;
    // slot 2
    uint64 size;
    uint8 codec;
}

/// @notice A registered dataset. Shards are added while it is open; sealing fixes them for good.
struct Dataset {
    // slot 0
    address owner;
    uint32 shardCount;
    uint8 schemaCodec;
    uint8 licenseCodec;
    bool isSealed; // no more shards; tasks may link it
    // slot 1
    bytes32 schemaDigest; // CID digest of the schema / feature-spec document
    // slot 2
    bytes32 licenseDigest; // CID digest of the license text
    // slot 3
    uint64 totalBytes; // sum of the shards' sizes
    uint64 registeredBlock;
    // slot 4..
    string name;
}

/// @notice The dataset a task trains on, and its shard draws (zero if the task has none).
struct TaskDataset {
    // slot 0
    uint256 datasetId;
    // slot 1
    uint32 shardsPerMember; // consecutive shards each member is assigned
    uint32 currentDraw; // the open draw, where requests get their ticket (from 1)
}

/// @notice One draw of a task: the members who requested shards in it hold tickets 0..tickets-1,
/// and one future block's hash, unknown when the draw closed, fixes every ticket's shards.
struct Draw {
    // slot 0
    uint64 openedBlock; // block of the draw's first request
    uint64 targetBlock; // 0 while open; the block whose hash seeds the draw
    uint32 tickets;
    uint32 renewals; // times the target expired unused (blockhash window) and was moved
    // slot 1
    bytes32 seed; // 0 until fixed
}

/// @notice A member's place in a task's draws.
struct ShardTicket {
    // slot 0
    uint32 draw; // 0: the member never requested shards
    uint32 number; // ticket number within the draw
}

/// @notice A member's shards, as `IDatasetRegistry.assignmentOf` returns them.
struct ShardAssignment {
    uint256 datasetId;
    uint32 draw;
    uint32 ticket;
    uint32 firstShard; // the member has shards firstShard, firstShard + 1, ... (mod shardCount)
    uint32 count; // shardsPerMember
    uint32 shardCount;
    bytes32 seed;
}
