// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IModelInference} from "../interfaces/IModelInference.sol";

/// @title FixedPointNet
/// @notice The weights format and the integer forward pass of IModelInference, mirrored bit for bit
/// by `flchain.fl.quantize` in Python.
///
/// Weights (format version 1), all integers big-endian, no padding:
/// | bytes            | field                                                            |
/// | 1                | version = 1                                                      |
/// | 1                | L, the number of dense layers (>= 1)                             |
/// | 2 * (L + 1)      | uint16 sizes: inputs, then each layer's outputs (>= 1 each)      |
/// | L                | uint8 fractional bits of each layer's weights and biases (<= 24) |
/// | per layer l      | int16 weights, out x in, row-major (torch's Linear.weight), then |
/// |                  | int16 biases, out                                                |
///
/// Range: inputs and activations are int64 and weights int16, and a layer has < 2**16 inputs, so a
/// sum of products stays below 2**63 * 2**15 * 2**16 = 2**94 in magnitude: int256 never overflows.
library FixedPointNet {
    /// @notice The format version this library reads.
    uint256 internal constant FORMAT_VERSION = 1;
    /// @notice Fractional bits of inputs, activations and scores.
    uint256 internal constant ACTIVATION_FRAC_BITS = 16;
    /// @notice Largest number of fractional bits of a layer's weights.
    uint256 internal constant MAX_WEIGHT_FRAC_BITS = 24;

    /// @notice Reverts unless `blob` is well-formed weights of format version 1.
    function check(bytes memory blob) internal pure {
        if (blob.length < 2) revert IModelInference.ModelInferenceBadLength(2, blob.length);
        uint256 version = _u8(blob, 0);
        if (version != FORMAT_VERSION) revert IModelInference.ModelInferenceUnsupportedFormat(version);
        uint256 layers = _u8(blob, 1);
        if (layers == 0) revert IModelInference.ModelInferenceEmptyLayer(1);
        uint256 expected = headerLength(layers);
        if (blob.length < expected) revert IModelInference.ModelInferenceBadLength(expected, blob.length);
        if (size(blob, 0) == 0) revert IModelInference.ModelInferenceEmptyLayer(0);
        // Bounded by L <= 255 layers; the sums stay far below 2**256 (< 2**40 each step).
        for (uint256 l; l < layers; ++l) {
            uint256 inSize = size(blob, l);
            uint256 outSize = size(blob, l + 1);
            if (outSize == 0) revert IModelInference.ModelInferenceEmptyLayer(l + 1);
            uint256 bits = fracBits(blob, l);
            if (bits > MAX_WEIGHT_FRAC_BITS) {
                revert IModelInference.ModelInferenceFracBitsTooLarge(l, bits, MAX_WEIGHT_FRAC_BITS);
            }
            expected += 2 * (inSize * outSize + outSize);
        }
        if (blob.length != expected) revert IModelInference.ModelInferenceBadLength(expected, blob.length);
    }

    /// @notice Number of dense layers.
    function layerCount(bytes memory blob) internal pure returns (uint256) {
        return _u8(blob, 1);
    }

    /// @notice Size `index` of the architecture: 0 the inputs, l the outputs of layer l.
    function size(bytes memory blob, uint256 index) internal pure returns (uint256) {
        return _u16(blob, 2 + 2 * index);
    }

    /// @notice Fractional bits of layer `layer`'s weights and biases.
    function fracBits(bytes memory blob, uint256 layer) internal pure returns (uint256) {
        return _u8(blob, 2 * layerCount(blob) + 4 + layer);
    }

    /// @notice Bytes before the first layer's weights.
    function headerLength(uint256 layers) internal pure returns (uint256) {
        return 3 * layers + 4;
    }

    /// @notice The scores of `input` (already checked to have `size(blob, 0)` values).
    function forward(bytes memory blob, int256[] memory input) internal pure returns (int256[] memory x) {
        uint256 layers = layerCount(blob);
        uint256 offset = headerLength(layers);
        x = input;
        // Bounded by the model's L <= 255 layers.
        for (uint256 l; l < layers; ++l) {
            uint256 inSize = x.length;
            uint256 outSize = size(blob, l + 1);
            x = _layer(blob, offset, x, outSize, fracBits(blob, l), l + 1 < layers);
            offset += 2 * (inSize * outSize + outSize);
        }
    }

    /// @notice Index of the first largest score.
    function argmax(int256[] memory scores) internal pure returns (uint256 best) {
        for (uint256 j = 1; j < scores.length; ++j) {
            if (scores[j] > scores[best]) best = j;
        }
    }

    /// @dev One dense layer: weights at byte `offset` of `blob`, then the biases.
    function _layer(bytes memory blob, uint256 offset, int256[] memory x, uint256 outSize, uint256 bits, bool hidden)
        private
        pure
        returns (int256[] memory y)
    {
        y = new int256[](outSize);
        uint256 half = 2 ** bits / 2; // 2**(bits-1), or 0 for bits = 0: the shift then rounds half up
        assembly ("memory-safe") {
            let w := add(add(blob, 0x20), offset)
            let inSize := mload(x)
            let b := add(w, mul(mul(outSize, inSize), 2))
            let xs := add(x, 0x20)
            let xEnd := add(xs, mul(inSize, 0x20))
            // Inputs handled eight at a time (eight int16 weights from one word), then the rest.
            let xEnd8 := add(xs, mul(sub(inSize, mod(inSize, 8)), 0x20))
            let maxValue := 0x7fffffffffffffff
            let minValue := not(maxValue)
            for { let j := 0 } lt(j, outSize) { j := add(j, 1) } {
                // int16 bias (two bytes, sign-extended) scaled to the products' fraction bits.
                let acc := shl(16, sar(240, mload(add(b, mul(j, 2)))))
                let p := xs
                for {} lt(p, xEnd8) { p := add(p, 0x100) } {
                    let word := mload(w)
                    acc := add(
                        acc,
                        add(
                            add(
                                add(mul(sar(240, word), mload(p)), mul(sar(240, shl(16, word)), mload(add(p, 0x20)))),
                                add(
                                    mul(sar(240, shl(32, word)), mload(add(p, 0x40))),
                                    mul(sar(240, shl(48, word)), mload(add(p, 0x60)))
                                )
                            ),
                            add(
                                add(
                                    mul(sar(240, shl(64, word)), mload(add(p, 0x80))),
                                    mul(sar(240, shl(80, word)), mload(add(p, 0xa0)))
                                ),
                                add(
                                    mul(sar(240, shl(96, word)), mload(add(p, 0xc0))),
                                    mul(sar(240, shl(112, word)), mload(add(p, 0xe0)))
                                )
                            )
                        )
                    )
                    w := add(w, 16)
                }
                for {} lt(p, xEnd) { p := add(p, 0x20) } {
                    acc := add(acc, mul(sar(240, mload(w)), mload(p)))
                    w := add(w, 2)
                }
                let v := sar(bits, add(acc, half))
                if sgt(v, maxValue) { v := maxValue }
                if slt(v, minValue) { v := minValue }
                if and(hidden, slt(v, 0)) { v := 0 }
                mstore(add(add(y, 0x20), mul(j, 0x20)), v)
            }
        }
    }

    function _u8(bytes memory blob, uint256 pos) private pure returns (uint256 value) {
        assembly ("memory-safe") {
            value := byte(0, mload(add(add(blob, 0x20), pos)))
        }
    }

    function _u16(bytes memory blob, uint256 pos) private pure returns (uint256 value) {
        assembly ("memory-safe") {
            value := shr(240, mload(add(add(blob, 0x20), pos)))
        }
    }
}
