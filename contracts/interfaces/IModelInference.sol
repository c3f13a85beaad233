// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IModelInference
/// @notice A global model of the registry deployed for inference: a stack of dense layers with
/// ReLU between them (logistic/softmax regression when there is one layer), in fixed point, its
/// weights held as the code of data contracts (read with EXTCODECOPY), never in storage.
///
/// Fixed point (FixedPointNet.sol, mirrored bit for bit by flchain.fl.quantize):
/// - inputs and activations are integers with 16 fractional bits (x_q = round(x * 2**16)), held in
///   int64: every layer's output saturates to [-2**63, 2**63 - 1];
/// - layer l stores int16 weights and biases with `fracBits[l]` fractional bits (0..24);
/// - y_j = (sum_i w_ji * x_i + (b_j << 16) + 2**(f-1)) >> f, an arithmetic shift (rounds half up),
///   then saturation, then ReLU on hidden layers; the last layer's outputs are the scores (logits
///   with 16 fractional bits) and the class is the index of the first largest score.
///
/// The weights are the concatenation of the chunks' code minus each chunk's first byte (a STOP
/// that makes a chunk uncallable), in the format of FixedPointNet.sol.
interface IModelInference {
    /// @notice No data chunk was given.
    error ModelInferenceNoChunks();
    /// @notice Chunk `index` has no code or does not start with a STOP byte (not a data chunk).
    error ModelInferenceBadChunk(uint256 index, address chunk);
    /// @notice The model digest is zero (no model CID has a zero digest).
    error ModelInferenceZeroDigest();
    /// @notice The weights are in a format version this contract does not read.
    error ModelInferenceUnsupportedFormat(uint256 version);
    /// @notice The weights hold `actual` bytes where their header describes `expected`.
    error ModelInferenceBadLength(uint256 expected, uint256 actual);
    /// @notice Size `index` of the architecture (0: inputs, l: outputs of layer l) is zero.
    error ModelInferenceEmptyLayer(uint256 index);
    /// @notice Layer `layer` has more fractional bits than the contract allows.
    error ModelInferenceFracBitsTooLarge(uint256 layer, uint256 fracBits, uint256 max);
    /// @notice Input row `row` has `actual` features; the model takes `expected`.
    error ModelInferenceWrongInputLength(uint256 row, uint256 expected, uint256 actual);

    /// @notice Classifies one input. A free `view` call.
    /// Requirements: `input` has exactly `architecture().sizes[0]` values.
    /// @param input The features, each `round(x * 2**16)`.
    /// @return label Index of the first largest score.
    /// @return scores The last layer's outputs (16 fractional bits).
    function predict(int64[] calldata input) external view returns (uint256 label, int64[] memory scores);

    /// @notice Classifies several inputs in one call (the weights are read once).
    /// Requirements: every row has exactly `architecture().sizes[0]` values.
    /// @param inputs One row of features per input, as for `predict`.
    /// @return labels One class per row.
    /// @return scores One row of scores per input.
    function predictBatch(int64[][] calldata inputs)
        external
        view
        returns (uint256[] memory labels, int64[][] memory scores);

    /// @notice sha2-256 digest of the model CID this contract implements (as in ModelRegistry).
    function modelDigest() external view returns (bytes32);

    /// @notice Codec byte of that model CID (as in ModelRegistry).
    function modelCodec() external view returns (uint8);

    /// @notice keccak256 of the quantized weights (the concatenated chunk data), so that anyone can
    /// check them against their own quantization of the model.
    function weightsHash() external view returns (bytes32);

    /// @notice The layer sizes (inputs first, classes last) and each layer's fractional bits.
    function architecture() external view returns (uint16[] memory sizes, uint8[] memory fracBits);

    /// @notice The data contracts holding the weights, in order.
    function chunks() external view returns (address[] memory);
}
