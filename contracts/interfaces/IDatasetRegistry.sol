// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Dataset, Draw, Shard, ShardAssignment, ShardInput, ShardTicket, TaskDataset} from "../types/DatasetTypes.sol";
import {IStakeLocker} from "./IStakeLocker.sol";

/// @title IDatasetRegistry
/// @notice Training data on chain: datasets split into shards (CID, size and content digest of
/// each), tasks of the coordinator that train on one, and shard assignments that nobody can
/// choose for themselves.
///
/// A dataset: its owner registers it (name, schema CID, license CID), adds shards in batches of
/// at most 64, then seals it. A task owner links the task to a sealed dataset, once.
///
/// Assignment: a member of the task requests shards and gets the next ticket of the task's open
/// draw. The task owner closes the draw (anyone may once it has been open for 256 blocks): the
/// draw's target block is the next one, whose hash nobody knows when the draw closes, nor when
/// any of its tickets was taken. Once that block exists, anyone fixes the draw: its seed is
/// derived from the target block's hash, and ticket t holds the `shardsPerMember` consecutive
/// shards from (offset + t * shardsPerMember) mod K, where offset = seed mod K (see
/// ShardDraws). `blockhash` only reaches 256 blocks back: a draw not fixed by then has
/// expired, and anyone may renew it to the next block (counted in `renewals`).
///
/// What a participant can and cannot grind:
/// - its shard, by choosing when to request: no. The offset is uniform and unknown until the
///   target block exists, after every ticket of the draw was taken.
/// - by trying many addresses: no longer for free. A ticket locks its holder's stake in the
///   coordinator until its draw is fixed (this registry is the coordinator's stake locker,
///   `stakeLockOf`; `requestShards` refuses while it is not wired), so one stake cannot pass
///   from address to address within a draw: k tickets of one draw need k stakes. Across draws a
///   stake may still move on once its draw is fixed; the draw's offset is then public and its
///   next ticket's place is not chosen (the next draw's offset is unknown). The lock is bounded:
///   anyone may close a draw 256 blocks after its first ticket and fix (or renew) it.
/// - by re-rolling through renewal: only if nobody fixes the draw for 256 blocks. Every member
///   of the draw and the task owner may fix it, and flchain's clients fix as soon as they can.
/// - the producer of the target block picks its contents, hence its hash: a member who also
///   produces (or bribes the producer of) that block can choose among outcomes. Where that
///   matters, seed the draw from a randomness beacon instead; this contract does not.
interface IDatasetRegistry is IStakeLocker {
    // ------------------------------------------------------------------ events

    /// @notice A dataset was registered; shards follow in ShardAdded events.
    event DatasetRegistered(
        uint256 indexed datasetId,
        address indexed owner,
        string name,
        bytes32 schemaDigest,
        uint8 schemaCodec,
        bytes32 licenseDigest,
        uint8 licenseCodec
    );
    /// @notice A shard was added to a dataset at `index`.
    event ShardAdded(
        uint256 indexed datasetId, uint32 indexed index, bytes32 cidDigest, uint8 codec, uint64 size, bytes32 contentDigest
    );
    /// @notice A dataset was sealed: its shards never change again.
    event DatasetSealed(uint256 indexed datasetId, uint32 shardCount, uint64 totalBytes);
    /// @notice A task was linked to the dataset it trains on.
    event TaskDatasetLinked(uint256 indexed taskId, uint256 indexed datasetId, uint32 shardsPerMember);
    /// @notice A member requested shards and holds ticket `ticket` of draw `draw`.
    event ShardsRequested(uint256 indexed taskId, address indexed member, uint32 indexed draw, uint32 ticket);
    /// @notice A draw closed; the hash of `targetBlock` will seed it. The next draw opens.
    event DrawClosed(uint256 indexed taskId, uint32 indexed draw, uint64 targetBlock, uint32 tickets);
    /// @notice A draw's target block left the 256-block blockhash window unused; it moved to
    /// `targetBlock`.
    event DrawRenewed(uint256 indexed taskId, uint32 indexed draw, uint64 targetBlock, uint32 renewals);
    /// @notice A draw was fixed: every ticket's shards follow from `seed` (offset = seed mod K).
    event DrawFixed(uint256 indexed taskId, uint32 indexed draw, bytes32 seed, uint32 offset);

    // ------------------------------------------------------------------ errors

    /// @notice No dataset has this id.
    error DatasetNotFound(uint256 datasetId);
    /// @notice Only the dataset's owner may do this.
    error DatasetUnauthorized(uint256 datasetId, address caller);
    /// @notice The name is empty or longer than `maxLength` bytes.
    error DatasetInvalidName(uint256 length, uint256 maxLength);
    /// @notice A CID digest (`field`: schema or license) is zero.
    error DatasetEmptyDigest(string field);
    /// @notice The dataset is sealed: its shards cannot change.
    error DatasetAlreadySealed(uint256 datasetId);
    /// @notice The dataset is not sealed yet: no task may train on it.
    error DatasetNotSealed(uint256 datasetId);
    /// @notice A batch of shards is empty or larger than `maxBatch`.
    error DatasetInvalidBatch(uint256 count, uint256 maxBatch);
    /// @notice The dataset would have more than `maxShards` shards.
    error DatasetTooManyShards(uint256 datasetId, uint256 count, uint256 maxShards);
    /// @notice Shard `index` has a zero digest or a size of 0 or above 2**40 (`field` says which).
    error DatasetInvalidShard(uint256 datasetId, uint32 index, string field);
    /// @notice Sealing a dataset without shards.
    error DatasetEmpty(uint256 datasetId);
    /// @notice The dataset has `shardCount` shards; `index` is not one of them.
    error DatasetShardNotFound(uint256 datasetId, uint32 index, uint32 shardCount);

    /// @notice Only the task's owner may do this.
    error DatasetTaskUnauthorized(uint256 taskId, address caller);
    /// @notice The task is not active in the coordinator.
    error DatasetTaskNotActive(uint256 taskId);
    /// @notice The task already trains on a dataset (links never change).
    error DatasetTaskAlreadyLinked(uint256 taskId, uint256 datasetId);
    /// @notice The task is linked to no dataset.
    error DatasetTaskNotLinked(uint256 taskId);
    /// @notice shardsPerMember is 0, above the dataset's shard count, or above `maxPerMember`.
    error DatasetInvalidShardsPerMember(uint32 shardsPerMember, uint32 shardCount, uint32 maxPerMember);

    /// @notice The caller is not a member of the task (join it in the coordinator first).
    error DatasetNotMember(uint256 taskId, address member);
    /// @notice The coordinator's stake locker is not this registry: a ticket would not lock its
    /// holder's stake (wire it with `FLCoordinator.setStakeLocker`).
    error DatasetStakeNotLockable(address coordinator, address stakeLocker);
    /// @notice The member already requested shards (ticket `ticket` of draw `draw`).
    error DatasetAlreadyRequested(uint256 taskId, address member, uint32 draw, uint32 ticket);
    /// @notice The open draw has no ticket: there is nothing to close.
    error DatasetDrawEmpty(uint256 taskId, uint32 draw);
    /// @notice Only the task owner may close a draw before block `publicFromBlock`.
    error DatasetDrawCloseTooEarly(uint256 taskId, uint32 draw, address caller, uint64 publicFromBlock);
    /// @notice The draw is open, or has not opened yet: it has no target block.
    error DatasetDrawOpen(uint256 taskId, uint32 draw);
    /// @notice The draw's target block is not yet behind the current block.
    error DatasetDrawPending(uint256 taskId, uint32 draw, uint64 targetBlock, uint256 blockNumber);
    /// @notice The draw's target block is more than 256 blocks old: renew the draw.
    error DatasetDrawExpired(uint256 taskId, uint32 draw, uint64 targetBlock, uint256 blockNumber);
    /// @notice The draw's target block is still within the blockhash window: fix the draw instead.
    error DatasetDrawNotExpired(uint256 taskId, uint32 draw, uint64 targetBlock, uint256 blockNumber);
    /// @notice The draw is already fixed.
    error DatasetDrawAlreadyFixed(uint256 taskId, uint32 draw);
    /// @notice The member never requested shards of this task.
    error DatasetNoTicket(uint256 taskId, address member);
    /// @notice The member's draw is not fixed yet.
    error DatasetAssignmentPending(uint256 taskId, address member, uint32 draw);

    // ------------------------------------------------------------------ datasets

    /// @notice Registers a dataset owned by the caller, open for shards.
    /// Requirements: 0 < bytes(name).length <= 64; schema and license digests non-zero.
    /// @param name A short human-readable name.
    /// @param schemaDigest CID digest of the schema / feature-spec document.
    /// @param schemaCodec Its CID codec byte.
    /// @param licenseDigest CID digest of the license text.
    /// @param licenseCodec Its CID codec byte.
    /// @return datasetId The new dataset's id (from 1).
    function registerDataset(
        string calldata name,
        bytes32 schemaDigest,
        uint8 schemaCodec,
        bytes32 licenseDigest,
        uint8 licenseCodec
    ) external returns (uint256 datasetId);

    /// @notice Appends shards (indices continue from the dataset's shard count).
    /// Requirements: caller owns the dataset; not sealed; 1 <= shards.length <= 64; at most
    /// 65,536 shards in all; each shard has non-zero digests and 0 < size <= 2**40.
    /// @param datasetId The dataset.
    /// @param shards The shards, in index order.
    function addShards(uint256 datasetId, ShardInput[] calldata shards) external;

    /// @notice Seals the dataset: its shards never change and tasks may link it.
    /// Requirements: caller owns the dataset; not sealed; at least one shard.
    /// @param datasetId The dataset.
    function sealDataset(uint256 datasetId) external;

    // ------------------------------------------------------------------ tasks and draws

    /// @notice Links a task to the dataset it trains on, once, and opens its first draw.
    /// Requirements: caller owns the task in the coordinator; the task is active and not yet
    /// linked; the dataset is sealed; 0 < shardsPerMember <= min(shard count, 64).
    /// @param taskId The coordinator's task.
    /// @param datasetId The sealed dataset.
    /// @param shardsPerMember How many consecutive shards each member is assigned.
    function linkTask(uint256 taskId, uint256 datasetId, uint32 shardsPerMember) external;

    /// @notice Requests shards: the caller takes the next ticket of the task's open draw.
    /// Requirements: the task is linked; the caller is a member of it in the coordinator; the
    /// caller has no ticket of this task yet.
    /// @param taskId The task.
    /// @return draw The draw the ticket belongs to.
    /// @return ticket The ticket number within the draw.
    function requestShards(uint256 taskId) external returns (uint32 draw, uint32 ticket);

    /// @notice Closes the open draw: its target block is the next block; a new draw opens.
    /// Requirements: the task is linked; the open draw has tickets; the caller owns the task,
    /// or the draw's first request is at least 256 blocks old.
    /// @param taskId The task.
    /// @return draw The closed draw.
    function closeDraw(uint256 taskId) external returns (uint32 draw);

    /// @notice Fixes a closed draw from its target block's hash (anyone may call).
    /// Requirements: the draw is closed and not fixed; its target block is behind the current
    /// block and at most 256 blocks old.
    /// @param taskId The task.
    /// @param draw The draw.
    function fixDraw(uint256 taskId, uint32 draw) external;

    /// @notice Moves an expired draw's target to the next block (anyone may call).
    /// Requirements: the draw is closed and not fixed; its target block is more than 256 blocks old.
    /// @param taskId The task.
    /// @param draw The draw.
    function renewDraw(uint256 taskId, uint32 draw) external;

    // ------------------------------------------------------------------ views

    /// @notice The coordinator whose tasks and members this registry reads.
    function coordinator() external view returns (address);

    /// @notice Number of datasets registered (ids run from 1 to datasetCount()).
    function datasetCount() external view returns (uint256);

    /// @notice A dataset; reverts with DatasetNotFound if none.
    /// @param datasetId The dataset.
    function getDataset(uint256 datasetId) external view returns (Dataset memory);

    /// @notice One shard; reverts with DatasetShardNotFound if the index is out of range.
    /// @param datasetId The dataset.
    /// @param index The shard's index.
    function getShard(uint256 datasetId, uint32 index) external view returns (Shard memory);

    /// @notice A page of a dataset's shards in index order.
    /// @param datasetId The dataset.
    /// @param offset Index of the first shard of the page.
    /// @param limit Maximum number of shards returned.
    function listShards(uint256 datasetId, uint256 offset, uint256 limit)
        external
        view
        returns (Shard[] memory page);

    /// @notice The dataset a task trains on and its draws (all zero if not linked).
    /// @param taskId The task.
    function taskDataset(uint256 taskId) external view returns (TaskDataset memory);

    /// @notice A draw of a task (all zero if it never opened).
    /// @param taskId The task.
    /// @param draw The draw.
    function getDraw(uint256 taskId, uint32 draw) external view returns (Draw memory);

    /// @notice A member's ticket (draw 0: never requested).
    /// @param taskId The task.
    /// @param member The member.
    function ticketOf(uint256 taskId, address member) external view returns (ShardTicket memory);

    /// @notice A member's shard assignment. Reverts with DatasetNoTicket or
    /// DatasetAssignmentPending while there is none.
    /// @param taskId The task.
    /// @param member The member.
    function assignmentOf(uint256 taskId, address member) external view returns (ShardAssignment memory);

    /// @notice The indices of a member's shards (as assignmentOf, spelled out).
    /// @param taskId The task.
    /// @param member The member.
    function assignedShards(uint256 taskId, address member) external view returns (uint32[] memory indices);
}
