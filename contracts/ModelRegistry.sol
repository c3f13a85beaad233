// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {IModelRegistry, ModelRecord} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Every global model of every task, written once by the coordinator and never changed.
contract ModelRegistry is IModelRegistry, Ownable {
    address private _coordinator;
    mapping(uint256 taskId => mapping(uint32 round => ModelRecord)) private _models;
    mapping(uint256 taskId => uint32[] rounds) private _roundsOf;

    /// @param owner_ The account allowed to wire the coordinator.
    constructor(address owner_) Ownable(owner_) {}

    /// @inheritdoc IModelRegistry
    function setCoordinator(address coordinator_) external onlyOwner {
        if (coordinator_ == address(0)) revert RegistryZeroCoordinator();
        if (_coordinator != address(0)) revert RegistryCoordinatorAlreadySet(_coordinator);
        _coordinator = coordinator_;
        emit CoordinatorSet(coordinator_);
    }

    /// @inheritdoc IModelRegistry
    function recordModel(
        uint256 taskId,
        uint32 round,
        uint32 parentRound,
        bytes32 modelDigest,
        uint8 codec,
        bytes32 metricsDigest,
        uint32 contributors
    ) external {
        if (msg.sender != _coordinator) revert RegistryUnauthorizedRecorder(msg.sender);
        ModelRecord storage record = _models[taskId][round];
        if (record.modelDigest != bytes32(0)) revert RegistryModelExists(taskId, round);
        record.modelDigest = modelDigest;
        record.metricsDigest = metricsDigest;
        record.round = round;
        record.parentRound = parentRound;
        record.contributors = contributors;
        record.codec = codec;
        record.timestamp = uint64(block.timestamp);
        record.blockNumber = uint64(block.number);
        _roundsOf[taskId].push(round);
        emit ModelRecorded(taskId, round, parentRound, modelDigest, codec, metricsDigest, contributors);
    }

    /// @inheritdoc IModelRegistry
    function coordinator() external view returns (address) {
        return _coordinator;
    }

    /// @inheritdoc IModelRegistry
    function modelAt(uint256 taskId, uint32 round) external view returns (ModelRecord memory) {
        ModelRecord storage record = _models[taskId][round];
        if (record.modelDigest == bytes32(0)) revert RegistryModelNotFound(taskId, round);
        return record;
    }

    /// @inheritdoc IModelRegistry
    function latestModel(uint256 taskId) external view returns (ModelRecord memory) {
        uint32[] storage rounds = _roundsOf[taskId];
        if (rounds.length == 0) revert RegistryTaskUnknown(taskId);
        return _models[taskId][rounds[rounds.length - 1]];
    }

    /// @inheritdoc IModelRegistry
    function modelCount(uint256 taskId) external view returns (uint256) {
        return _roundsOf[taskId].length;
    }

    /// @inheritdoc IModelRegistry
    function listModels(uint256 taskId, uint256 offset, uint256 limit)
        external
        view
        returns (ModelRecord[] memory page)
    {
        uint32[] storage rounds = _roundsOf[taskId];
        // Saturating: offset + limit may exceed 2**256 - 1 (e.g. limit = type(uint256).max).
        uint256 end = limit > type(uint256).max - offset ? type(uint256).max : offset + limit;
        if (end > rounds.length) end = rounds.length;
        if (offset >= end) return new ModelRecord[](0);
        page = new ModelRecord[](end - offset);
        // Bounded by the caller's `limit` (a view: callers page through long histories).
        for (uint256 i = offset; i < end; ++i) {
            page[i - offset] = _models[taskId][rounds[i]];
        }
    }
}
