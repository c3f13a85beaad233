// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A global model in the registry.
struct ModelRecord {
    // slot 0
    bytes32 modelDigest; // sha2-256 digest of the model's CID
    // slot 1
    bytes32 metricsDigest; // digest of the round's metrics document (0 for the initial model)
    // slot 2
    uint32 round; // 0: the task's initial model
    uint32 parentRound; // round whose global model this one was trained from
    uint32 contributors; // accepted updates aggregated into it
    uint8 codec; // CID codec byte (0x00 CIDv0, 0x70 dag-pb, 0x55 raw)
    uint64 timestamp;
    uint64 blockNumber;
}

/// @title IModelRegistry
/// @notice The registry of every global model of every task: the initial model (round 0) and
/// the model of each finalized round, with its lineage.
interface IModelRegistry {
    /// @notice Emitted when a model enters the registry.
    event ModelRecorded(
        uint256 indexed taskId,
        uint32 indexed round,
        uint32 parentRound,
        bytes32 modelDigest,
        uint8 codec,
        bytes32 metricsDigest,
        uint32 contributors
    );

    /// @notice Emitted when the owner wires the registry to its coordinator (once).
    event CoordinatorSet(address indexed coordinator);

    /// @notice The caller is not the coordinator allowed to record models.
    error RegistryUnauthorizedRecorder(address caller);
    /// @notice The coordinator is already set (wiring happens once).
    error RegistryCoordinatorAlreadySet(address coordinator);
    /// @notice The coordinator address is zero.
    error RegistryZeroCoordinator();
    /// @notice A model for this task and round is already recorded; records never change.
    error RegistryModelExists(uint256 taskId, uint32 round);
    /// @notice No model is recorded for this task and round.
    error RegistryModelNotFound(uint256 taskId, uint32 round);
    /// @notice No model at all is recorded for this task.
    error RegistryTaskUnknown(uint256 taskId);

    /// @notice Sets the only address allowed to record models. Requirements: caller is the
    /// owner; not set before; `coordinator` is not zero.
    /// @param coordinator The FLCoordinator contract.
    function setCoordinator(address coordinator) external;

    /// @notice Records a model. Requirements: caller is the coordinator; (taskId, round) is new.
    /// @param taskId The task.
    /// @param round The finalized round (0 for the initial model).
    /// @param parentRound The round the model was trained from.
    /// @param modelDigest The model CID's digest.
    /// @param codec The model CID's codec byte.
    /// @param metricsDigest The metrics document's digest (0 if none).
    /// @param contributors Number of accepted updates.
    function recordModel(
        uint256 taskId,
        uint32 round,
        uint32 parentRound,
        bytes32 modelDigest,
        uint8 codec,
        bytes32 metricsDigest,
        uint32 contributors
    ) external;

    /// @notice The coordinator allowed to record models.
    function coordinator() external view returns (address);

    /// @notice The model of `round` of `taskId`; reverts with RegistryModelNotFound if none.
    /// @param taskId The task.
    /// @param round The round (0: the initial model).
    function modelAt(uint256 taskId, uint32 round) external view returns (ModelRecord memory);

    /// @notice The newest model of `taskId`; reverts with RegistryTaskUnknown if none.
    /// @param taskId The task.
    function latestModel(uint256 taskId) external view returns (ModelRecord memory);

    /// @notice Number of models recorded for `taskId` (initial model included).
    /// @param taskId The task.
    function modelCount(uint256 taskId) external view returns (uint256);

    /// @notice A page of `taskId`'s models in recording order.
    /// @param taskId The task.
    /// @param offset Index of the first model of the page.
    /// @param limit Maximum number of models returned.
    function listModels(uint256 taskId, uint256 offset, uint256 limit)
        external
        view
        returns (ModelRecord[] memory page);
}
