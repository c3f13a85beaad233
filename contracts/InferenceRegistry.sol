// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IInferenceRegistry} from "./interfaces/IInferenceRegistry.sol";
import {IModelInference} from "./interfaces/IModelInference.sol";
import {IModelRegistry, ModelRecord} from "./interfaces/IModelRegistry.sol";

/// @title InferenceRegistry
/// @notice (task, round, linker) -> the inference contract that linker deployed for that round's
/// global model, checked against the ModelRegistry's record when linked.
contract InferenceRegistry is IInferenceRegistry {
    IModelRegistry private immutable _models;
    mapping(uint256 taskId => mapping(uint32 round => mapping(address linker => address inference))) private _links;

    /// @param models The ModelRegistry whose records links are checked against.
    constructor(IModelRegistry models) {
        if (address(models) == address(0)) revert InferenceRegistryZeroModelRegistry();
        _models = models;
    }

    /// @inheritdoc IInferenceRegistry
    function link(uint256 taskId, uint32 round, address inference) external {
        if (inference.code.length == 0) revert InferenceRegistryNoCode(inference);
        ModelRecord memory record = _models.modelAt(taskId, round);
        // Static calls (view functions): the inference contract cannot re-enter.
        bytes32 digest = IModelInference(inference).modelDigest();
        uint8 codec = IModelInference(inference).modelCodec();
        if (digest != record.modelDigest || codec != record.codec) {
            revert InferenceRegistryModelMismatch(taskId, round, record.modelDigest, record.codec, digest, codec);
        }
        address previous = _links[taskId][round][msg.sender];
        _links[taskId][round][msg.sender] = inference;
        emit InferenceLinked(taskId, round, msg.sender, inference, digest, codec, previous);
    }

    /// @inheritdoc IInferenceRegistry
    function inferenceOf(uint256 taskId, uint32 round, address linker) external view returns (address inference) {
        inference = _links[taskId][round][linker];
        if (inference == address(0)) revert InferenceRegistryNotLinked(taskId, round, linker);
    }

    /// @inheritdoc IInferenceRegistry
    function modelRegistry() external view returns (IModelRegistry) {
        return _models;
    }
}
