// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IModelInference} from "./interfaces/IModelInference.sol";
import {FixedPointNet} from "./libraries/FixedPointNet.sol";

/// @title ModelInference
/// @notice One quantized global model, answering `predict` as a free view call. The weights live in
/// data chunks (SSTORE2-style contracts whose code is a STOP byte then up to 24,575 bytes of data,
/// each under the 24 KB code-size limit) deployed before this contract; it only keeps their
/// addresses, so storing a weight costs 200 gas per byte of code instead of 20,000 gas per slot.
contract ModelInference is IModelInference {
    bytes32 private immutable _modelDigest;
    bytes32 private immutable _weightsHash;
    uint8 private immutable _codec;
    address[] private _chunks;

    /// @param modelDigest_ sha2-256 digest of the model CID (as recorded by ModelRegistry).
    /// @param codec_ Codec byte of the model CID.
    /// @param chunks_ The data contracts holding the weights (FixedPointNet format), in order.
    constructor(bytes32 modelDigest_, uint8 codec_, address[] memory chunks_) {
        if (modelDigest_ == bytes32(0)) revert ModelInferenceZeroDigest();
        if (chunks_.length == 0) revert ModelInferenceNoChunks();
        // Bounded by the model's size: one chunk per 24,575 bytes of weights.
        for (uint256 i; i < chunks_.length; ++i) {
            address chunk = chunks_[i];
            if (chunk.code.length < 2 || _firstByte(chunk) != 0) revert ModelInferenceBadChunk(i, chunk);
        }
        bytes memory blob = _read(chunks_);
        FixedPointNet.check(blob);
        _modelDigest = modelDigest_;
        _codec = codec_;
        _weightsHash = keccak256(blob);
        _chunks = chunks_;
    }

    /// @inheritdoc IModelInference
    function predict(int64[] calldata input) external view returns (uint256 label, int64[] memory scores) {
        bytes memory blob = _read(_chunks);
        int256[] memory out = FixedPointNet.forward(blob, _row(blob, input, 0));
        return (FixedPointNet.argmax(out), _toInt64(out));
    }

    /// @inheritdoc IModelInference
    function predictBatch(int64[][] calldata inputs)
        external
        view
        returns (uint256[] memory labels, int64[][] memory scores)
    {
        bytes memory blob = _read(_chunks);
        uint256 classes = FixedPointNet.size(blob, FixedPointNet.layerCount(blob));
        labels = new uint256[](inputs.length);
        scores = new int64[][](inputs.length);
        for (uint256 r; r < inputs.length; ++r) {
            scores[r] = new int64[](classes);
        }
        // Bounded by the caller's input (a view: the caller pays for its own batch size).
        for (uint256 r; r < inputs.length; ++r) {
            uint256 mark;
            assembly ("memory-safe") {
                mark := mload(0x40)
            }
            int256[] memory out = FixedPointNet.forward(blob, _row(blob, inputs[r], r));
            labels[r] = FixedPointNet.argmax(out);
            int64[] memory row = scores[r];
            for (uint256 j; j < classes; ++j) {
                row[j] = int64(out[j]); // saturated to int64 by the forward pass: exact
            }
            // Free this row's activations: memory then costs the same for every row, not a
            // quadratically growing amount.
            assembly ("memory-safe") {
                mstore(0x40, mark)
            }
        }
    }

    /// @inheritdoc IModelInference
    function modelDigest() external view returns (bytes32) {
        return _modelDigest;
    }

    /// @inheritdoc IModelInference
    function modelCodec() external view returns (uint8) {
        return _codec;
    }

    /// @inheritdoc IModelInference
    function weightsHash() external view returns (bytes32) {
        return _weightsHash;
    }

    /// @inheritdoc IModelInference
    function architecture() external view returns (uint16[] memory sizes, uint8[] memory fracBits) {
        bytes memory blob = _read(_chunks);
        uint256 layers = FixedPointNet.layerCount(blob);
        sizes = new uint16[](layers + 1);
        fracBits = new uint8[](layers);
        // Bounded by L <= 255 layers; sizes are uint16 and fractional bits <= 24 (checked at deployment).
        for (uint256 i; i <= layers; ++i) {
            sizes[i] = uint16(FixedPointNet.size(blob, i));
            if (i < layers) fracBits[i] = uint8(FixedPointNet.fracBits(blob, i));
        }
    }

    /// @inheritdoc IModelInference
    function chunks() external view returns (address[] memory) {
        return _chunks;
    }

    /// @dev The weights: the chunks' code, each without its first (STOP) byte, concatenated.
    function _read(address[] memory list) private view returns (bytes memory blob) {
        uint256 total;
        // Bounded by the model's size (one chunk per 24,575 bytes); code.length >= 2 was checked.
        for (uint256 i; i < list.length; ++i) {
            total += list[i].code.length - 1;
        }
        blob = new bytes(total);
        uint256 dest;
        assembly ("memory-safe") {
            dest := add(blob, 0x20)
        }
        for (uint256 i; i < list.length; ++i) {
            address chunk = list[i];
            uint256 length = chunk.code.length - 1;
            assembly ("memory-safe") {
                extcodecopy(chunk, dest, 1, length)
            }
            dest += length;
        }
    }

    /// @dev Calldata row -> int256 memory array, refusing a row of the wrong length.
    function _row(bytes memory blob, int64[] calldata input, uint256 row) private pure returns (int256[] memory x) {
        uint256 expected = FixedPointNet.size(blob, 0);
        if (input.length != expected) revert ModelInferenceWrongInputLength(row, expected, input.length);
        x = new int256[](expected);
        for (uint256 i; i < expected; ++i) {
            x[i] = input[i];
        }
    }

    /// @dev Scores as int64 (the forward pass saturates them to that range).
    function _toInt64(int256[] memory values) private pure returns (int64[] memory out) {
        out = new int64[](values.length);
        for (uint256 j; j < values.length; ++j) {
            out[j] = int64(values[j]); // saturated to int64 by the forward pass: exact
        }
    }

    function _firstByte(address chunk) private view returns (uint256 value) {
        assembly ("memory-safe") {
            let scratch := mload(0x40)
            mstore(scratch, 0)
            extcodecopy(chunk, scratch, 0, 1)
            value := byte(0, mload(scratch))
        }
    }
}
