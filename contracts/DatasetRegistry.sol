// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetRegistry} from "./interfaces/IDatasetRegistry.sol";
import {IFLCoordinator} from "./interfaces/IFLCoordinator.sol";
import {IStakeLocker} from "./interfaces/IStakeLocker.sol";
import {MemberFlags} from "./libraries/MemberFlags.sol";
import {ShardDraws} from "./libraries/ShardDraws.sol";
import {Dataset, Draw, Shard, ShardAssignment, ShardInput, ShardTicket, TaskDataset} from "./types/DatasetTypes.sol";
import {Task, TaskStatus} from "./types/DataTypes.sol";

/// @title DatasetRegistry
/// @notice Datasets as shards on chain, tasks that train on them, and shard draws (see
/// IDatasetRegistry). Reads tasks and members from the coordinator through its views and never
/// writes to it; the coordinator reads its stake locks (`stakeLockOf`). Every function does bounded work: batches of at most 64 shards, at most 64
/// shards per member, and nothing loops over members or tickets.
contract DatasetRegistry is IDatasetRegistry {
    /// @notice Longest dataset name, in bytes.
    uint256 public constant MAX_NAME_LENGTH = 64;
    /// @notice Most shards per addShards call.
    uint256 public constant MAX_BATCH = 64;
    /// @notice Most shards per dataset.
    uint256 public constant MAX_SHARDS = 65_536;
    /// @notice Largest shard, in bytes (so that 65,536 of them sum below 2**64).
    uint64 public constant MAX_SHARD_SIZE = 2 ** 40;
    /// @notice Most shards assigned to one member.
    uint32 public constant MAX_SHARDS_PER_MEMBER = 64;
    /// @notice Blocks after a draw's first request from which anyone may close it; also how far
    /// back `blockhash` reaches.
    uint64 public constant BLOCKHASH_WINDOW = 256;

    IFLCoordinator private immutable _coordinator;

    uint256 private _datasetCount;
    mapping(uint256 datasetId => Dataset) private _datasets;
    mapping(uint256 datasetId => mapping(uint32 index => Shard)) private _shards;
    mapping(uint256 taskId => TaskDataset) private _links;
    mapping(uint256 taskId => mapping(uint32 draw => Draw)) private _draws;
    mapping(uint256 taskId => mapping(address member => ShardTicket)) private _tickets;

    /// @param coordinator_ The FLCoordinator whose tasks may train on registered datasets.
    constructor(IFLCoordinator coordinator_) {
        _coordinator = coordinator_;
    }

    // ------------------------------------------------------------------ datasets

    /// @inheritdoc IDatasetRegistry
    function registerDataset(
        string calldata name,
        bytes32 schemaDigest,
        uint8 schemaCodec,
        bytes32 licenseDigest,
        uint8 licenseCodec
    ) external returns (uint256 datasetId) {
        uint256 length = bytes(name).length;
        if (length == 0 || length > MAX_NAME_LENGTH) revert DatasetInvalidName(length, MAX_NAME_LENGTH);
        if (schemaDigest == bytes32(0)) revert DatasetEmptyDigest("schemaDigest");
        if (licenseDigest == bytes32(0)) revert DatasetEmptyDigest("licenseDigest");

        datasetId = ++_datasetCount;
        Dataset storage dataset = _datasets[datasetId];
        dataset.owner = msg.sender;
        dataset.schemaCodec = schemaCodec;
        dataset.licenseCodec = licenseCodec;
        dataset.schemaDigest = schemaDigest;
        dataset.licenseDigest = licenseDigest;
        dataset.registeredBlock = uint64(block.number);
        dataset.name = name;
        emit DatasetRegistered(datasetId, msg.sender, name, schemaDigest, schemaCodec, licenseDigest, licenseCodec);
    }

    /// @inheritdoc IDatasetRegistry
    function addShards(uint256 datasetId, ShardInput[] calldata shards) external {
        Dataset storage dataset = _openDatasetOf(datasetId);
        uint256 count = shards.length;
        if (count == 0 || count > MAX_BATCH) revert DatasetInvalidBatch(count, MAX_BATCH);
        uint256 first = dataset.shardCount;
        if (first + count > MAX_SHARDS) revert DatasetTooManyShards(datasetId, first + count, MAX_SHARDS);

        uint64 totalBytes = dataset.totalBytes;
        // Bounded by MAX_BATCH (64) iterations.
        for (uint256 i; i < count; ++i) {
            ShardInput calldata input = shards[i];
            uint32 index = uint32(first + i);
            _checkShard(datasetId, index, input);
            _shards[datasetId][index] = Shard({
                cidDigest: input.cidDigest,
                contentDigest: input.contentDigest,
                size: input.size,
                codec: input.codec
            });
            // Cannot overflow: at most 2**16 shards of at most 2**40 bytes each.
            totalBytes += input.size;
            emit ShardAdded(datasetId, index, input.cidDigest, input.codec, input.size, input.contentDigest);
        }
        dataset.shardCount = uint32(first + count);
        dataset.totalBytes = totalBytes;
    }

    /// @inheritdoc IDatasetRegistry
    function sealDataset(uint256 datasetId) external {
        Dataset storage dataset = _openDatasetOf(datasetId);
        if (dataset.shardCount == 0) revert DatasetEmpty(datasetId);
        dataset.isSealed = true;
        emit DatasetSealed(datasetId, dataset.shardCount, dataset.totalBytes);
    }

    // ------------------------------------------------------------------ tasks and draws

    /// @inheritdoc IDatasetRegistry
    function linkTask(uint256 taskId, uint256 datasetId, uint32 shardsPerMember) external {
        Task memory task = _coordinator.getTask(taskId);
        if (msg.sender != task.owner) revert DatasetTaskUnauthorized(taskId, msg.sender);
        if (task.status != TaskStatus.Active) revert DatasetTaskNotActive(taskId);
        TaskDataset storage link = _links[taskId];
        if (link.datasetId != 0) revert DatasetTaskAlreadyLinked(taskId, link.datasetId);
        Dataset storage dataset = _existingDataset(datasetId);
        if (!dataset.isSealed) revert DatasetNotSealed(datasetId);
        uint32 shardCount = dataset.shardCount;
        if (shardsPerMember == 0 || shardsPerMember > shardCount || shardsPerMember > MAX_SHARDS_PER_MEMBER) {
            revert DatasetInvalidShardsPerMember(shardsPerMember, shardCount, MAX_SHARDS_PER_MEMBER);
        }

        link.datasetId = datasetId;
        link.shardsPerMember = shardsPerMember;
        link.currentDraw = 1;
        emit TaskDatasetLinked(taskId, datasetId, shardsPerMember);
    }

    /// @inheritdoc IDatasetRegistry
    function requestShards(uint256 taskId) external returns (uint32 draw, uint32 ticket) {
        TaskDataset storage link = _linkOf(taskId);
        ShardTicket storage held = _tickets[taskId][msg.sender];
        if (held.draw != 0) revert DatasetAlreadyRequested(taskId, msg.sender, held.draw, held.number);
        if (_coordinator.getMember(taskId, msg.sender).flags & MemberFlags.JOINED == 0) {
            revert DatasetNotMember(taskId, msg.sender);
        }
        // The ticket locks the holder's stake until its draw is fixed: only if the coordinator
        // reads this registry's locks.
        address locker = _coordinator.stakeLocker();
        if (locker != address(this)) revert DatasetStakeNotLockable(address(_coordinator), locker);

        draw = link.currentDraw;
        Draw storage open = _draws[taskId][draw];
        ticket = open.tickets;
        if (ticket == 0) open.openedBlock = uint64(block.number);
        open.tickets = ticket + 1;
        held.draw = draw;
        held.number = ticket;
        emit ShardsRequested(taskId, msg.sender, draw, ticket);
    }

    /// @inheritdoc IDatasetRegistry
    function closeDraw(uint256 taskId) external returns (uint32 draw) {
        TaskDataset storage link = _linkOf(taskId);
        draw = link.currentDraw;
        Draw storage closing = _draws[taskId][draw];
        if (closing.tickets == 0) revert DatasetDrawEmpty(taskId, draw);
        uint64 publicFrom = closing.openedBlock + BLOCKHASH_WINDOW;
        if (block.number < publicFrom && msg.sender != _coordinator.getTask(taskId).owner) {
            revert DatasetDrawCloseTooEarly(taskId, draw, msg.sender, publicFrom);
        }

        uint64 target = uint64(block.number) + 1;
        closing.targetBlock = target;
        link.currentDraw = draw + 1;
        emit DrawClosed(taskId, draw, target, closing.tickets);
    }

    /// @inheritdoc IDatasetRegistry
    function fixDraw(uint256 taskId, uint32 draw) external {
        _linkOf(taskId);
        Draw storage closed = _closedDraw(taskId, draw);
        uint64 target = closed.targetBlock;
        if (block.number <= target) revert DatasetDrawPending(taskId, draw, target, block.number);
        bytes32 blockHash = blockhash(target);
        // blockhash is 0 beyond the last 256 blocks: the draw must be renewed.
        if (blockHash == bytes32(0)) revert DatasetDrawExpired(taskId, draw, target, block.number);

        bytes32 seed = ShardDraws.drawSeed(blockHash, block.chainid, address(this), taskId, draw);
        closed.seed = seed;
        uint32 shardCount = _datasets[_links[taskId].datasetId].shardCount;
        emit DrawFixed(taskId, draw, seed, ShardDraws.offsetOf(seed, shardCount));
    }

    /// @inheritdoc IDatasetRegistry
    function renewDraw(uint256 taskId, uint32 draw) external {
        _linkOf(taskId);
        Draw storage closed = _closedDraw(taskId, draw);
        uint64 target = closed.targetBlock;
        if (block.number <= target + BLOCKHASH_WINDOW) {
            revert DatasetDrawNotExpired(taskId, draw, target, block.number);
        }
        uint64 next = uint64(block.number) + 1;
        uint32 renewals = closed.renewals + 1;
        closed.targetBlock = next;
        closed.renewals = renewals;
        emit DrawRenewed(taskId, draw, next, renewals);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDatasetRegistry
    function coordinator() external view returns (address) {
        return address(_coordinator);
    }

    /// @inheritdoc IDatasetRegistry
    function datasetCount() external view returns (uint256) {
        return _datasetCount;
    }

    /// @inheritdoc IDatasetRegistry
    function getDataset(uint256 datasetId) external view returns (Dataset memory) {
        return _existingDataset(datasetId);
    }

    /// @inheritdoc IDatasetRegistry
    function getShard(uint256 datasetId, uint32 index) external view returns (Shard memory) {
        uint32 shardCount = _existingDataset(datasetId).shardCount;
        if (index >= shardCount) revert DatasetShardNotFound(datasetId, index, shardCount);
        return _shards[datasetId][index];
    }

    /// @inheritdoc IDatasetRegistry
    function listShards(uint256 datasetId, uint256 offset, uint256 limit)
        external
        view
        returns (Shard[] memory page)
    {
        uint256 shardCount = _existingDataset(datasetId).shardCount;
        // Saturating: offset + limit may exceed 2**256 - 1 (e.g. limit = type(uint256).max).
        uint256 end = limit > type(uint256).max - offset ? type(uint256).max : offset + limit;
        if (end > shardCount) end = shardCount;
        if (offset >= end) return new Shard[](0);
        page = new Shard[](end - offset);
        // Bounded by the caller's `limit` (a view: callers page through large datasets).
        for (uint256 i = offset; i < end; ++i) {
            page[i - offset] = _shards[datasetId][uint32(i)];
        }
    }

    /// @inheritdoc IDatasetRegistry
    function taskDataset(uint256 taskId) external view returns (TaskDataset memory) {
        return _links[taskId];
    }

    /// @inheritdoc IDatasetRegistry
    function getDraw(uint256 taskId, uint32 draw) external view returns (Draw memory) {
        return _draws[taskId][draw];
    }

    /// @inheritdoc IStakeLocker
    function stakeLockOf(uint256 taskId, address member) external view returns (uint32 draw) {
        draw = _tickets[taskId][member].draw;
        // slither-disable-next-line incorrect-equality -- a non-zero seed marks a fixed draw.
        if (draw != 0 && _draws[taskId][draw].seed != bytes32(0)) draw = 0;
    }

    /// @inheritdoc IDatasetRegistry
    function ticketOf(uint256 taskId, address member) external view returns (ShardTicket memory) {
        return _tickets[taskId][member];
    }

    /// @inheritdoc IDatasetRegistry
    function assignmentOf(uint256 taskId, address member) public view returns (ShardAssignment memory assignment) {
        ShardTicket storage ticket = _tickets[taskId][member];
        if (ticket.draw == 0) revert DatasetNoTicket(taskId, member);
        bytes32 seed = _draws[taskId][ticket.draw].seed;
        // slither-disable-next-line incorrect-equality -- 0 marks an unfixed draw (no keccak256 seed is 0).
        if (seed == bytes32(0)) revert DatasetAssignmentPending(taskId, member, ticket.draw);
        TaskDataset storage link = _links[taskId];
        uint32 shardCount = _datasets[link.datasetId].shardCount;
        uint32 offset = ShardDraws.offsetOf(seed, shardCount);
        assignment = ShardAssignment({
            datasetId: link.datasetId,
            draw: ticket.draw,
            ticket: ticket.number,
            firstShard: ShardDraws.firstShard(offset, ticket.number, link.shardsPerMember, shardCount),
            count: link.shardsPerMember,
            shardCount: shardCount,
            seed: seed
        });
    }

    /// @inheritdoc IDatasetRegistry
    function assignedShards(uint256 taskId, address member) external view returns (uint32[] memory indices) {
        ShardAssignment memory assignment = assignmentOf(taskId, member);
        indices = new uint32[](assignment.count);
        // Bounded by MAX_SHARDS_PER_MEMBER (64) iterations.
        for (uint32 j; j < assignment.count; ++j) {
            indices[j] = ShardDraws.shardAt(assignment.firstShard, j, assignment.shardCount);
        }
    }

    // ------------------------------------------------------------------ internals

    function _existingDataset(uint256 datasetId) private view returns (Dataset storage dataset) {
        dataset = _datasets[datasetId];
        if (dataset.owner == address(0)) revert DatasetNotFound(datasetId);
    }

    /// @dev The dataset, checked to be the caller's and still open for shards.
    function _openDatasetOf(uint256 datasetId) private view returns (Dataset storage dataset) {
        dataset = _existingDataset(datasetId);
        if (msg.sender != dataset.owner) revert DatasetUnauthorized(datasetId, msg.sender);
        if (dataset.isSealed) revert DatasetAlreadySealed(datasetId);
    }

    function _checkShard(uint256 datasetId, uint32 index, ShardInput calldata input) private pure {
        if (input.cidDigest == bytes32(0)) revert DatasetInvalidShard(datasetId, index, "cidDigest");
        if (input.contentDigest == bytes32(0)) revert DatasetInvalidShard(datasetId, index, "contentDigest");
        if (input.size == 0 || input.size > MAX_SHARD_SIZE) revert DatasetInvalidShard(datasetId, index, "size");
    }

    function _linkOf(uint256 taskId) private view returns (TaskDataset storage link) {
        link = _links[taskId];
        if (link.datasetId == 0) revert DatasetTaskNotLinked(taskId);
    }

    /// @dev A draw that is closed (has a target block) and not yet fixed.
    function _closedDraw(uint256 taskId, uint32 draw) private view returns (Draw storage closed) {
        closed = _draws[taskId][draw];
        if (closed.targetBlock == 0) revert DatasetDrawOpen(taskId, draw);
        if (closed.seed != bytes32(0)) revert DatasetDrawAlreadyFixed(taskId, draw);
    }
}
