// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IModelRegistry} from "./IModelRegistry.sol";

/// @title IInferenceRegistry
/// @notice Links a (task, round) global model of the ModelRegistry to inference contracts that
/// state they implement it. A link is checked on chain to name the model the registry recorded for
/// that (task, round); that the weights are the model's is checked off chain (recompute the
/// quantization and compare `weightsHash`). So that nobody can squat a (task, round), each account
/// keeps its own link: readers choose whose links they trust (by default the task's owner).
interface IInferenceRegistry {
    /// @notice Emitted when `linker` links `inference` to the model of (`taskId`, `round`);
    /// `previous` is the contract it replaces (zero if none).
    event InferenceLinked(
        uint256 indexed taskId,
        uint32 indexed round,
        address indexed linker,
        address inference,
        bytes32 modelDigest,
        uint8 codec,
        address previous
    );

    /// @notice The model registry address is zero.
    error InferenceRegistryZeroModelRegistry();
    /// @notice There is no contract at `inference`.
    error InferenceRegistryNoCode(address inference);
    /// @notice The inference contract states another model than the one recorded for (task, round).
    error InferenceRegistryModelMismatch(
        uint256 taskId, uint32 round, bytes32 recordedDigest, uint8 recordedCodec, bytes32 statedDigest, uint8 statedCodec
    );
    /// @notice `linker` has linked no inference contract to (`taskId`, `round`).
    error InferenceRegistryNotLinked(uint256 taskId, uint32 round, address linker);

    /// @notice Links the caller's inference contract for the model of (`taskId`, `round`), replacing
    /// the caller's previous link for it, if any.
    /// Requirements: `inference` has code; the model registry holds a model for (`taskId`, `round`)
    /// (else it reverts with RegistryModelNotFound); `inference.modelDigest()` and `modelCodec()`
    /// equal that model's digest and codec.
    /// @param taskId The task.
    /// @param round The round (0: the initial model).
    /// @param inference The IModelInference contract.
    function link(uint256 taskId, uint32 round, address inference) external;

    /// @notice The inference contract `linker` linked to (`taskId`, `round`); reverts with
    /// InferenceRegistryNotLinked if none.
    /// @param taskId The task.
    /// @param round The round.
    /// @param linker The account whose link is read.
    function inferenceOf(uint256 taskId, uint32 round, address linker) external view returns (address);

    /// @notice The model registry links are checked against.
    function modelRegistry() external view returns (IModelRegistry);
}
