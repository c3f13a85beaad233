// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "./Test.sol";

/// @title Weights
/// @notice Test helpers for ModelInference: encode weights in FixedPointNet's format, deploy them as
/// SSTORE2-style data chunks (as `flchain.protocol.inference` does from Python), and a reference
/// forward pass written plainly (checked arithmetic, floor division by `/` and `%`).
abstract contract Weights is Test {
    /// @dev assertEq for signed values (Test.sol has none).
    function assertEqInt(int256 a, int256 b, string memory what) internal pure {
        if (a != b) revert(string.concat("assertEq(int256) failed: ", what, ": ", vm.toString(a), " != ", vm.toString(b)));
    }

    /// @dev Encodes format-version-1 weights: `params` holds each layer's weights (out x in,
    /// row-major) then its biases, layer after layer.
    function encodeWeights(uint16[] memory sizes, uint8[] memory bits, int16[] memory params)
        internal
        pure
        returns (bytes memory blob)
    {
        blob = abi.encodePacked(uint8(1), uint8(bits.length));
        for (uint256 i; i < sizes.length; ++i) {
            blob = abi.encodePacked(blob, sizes[i]);
        }
        for (uint256 i; i < bits.length; ++i) {
            blob = abi.encodePacked(blob, bits[i]);
        }
        for (uint256 i; i < params.length; ++i) {
            blob = abi.encodePacked(blob, params[i]);
        }
    }

    /// @dev Deploys a contract whose code is `prefix || data` (prefix 0x00: a data chunk).
    function writeCode(bytes1 prefix, bytes memory data) internal returns (address chunk) {
        bytes memory code = abi.encodePacked(prefix, data);
        bytes memory creation = abi.encodePacked(hex"61", uint16(code.length), hex"80600a3d393df3", code);
        assembly ("memory-safe") {
            chunk := create(0, add(creation, 0x20), mload(creation))
        }
        require(chunk != address(0), "chunk creation failed");
    }

    function writeChunk(bytes memory data) internal returns (address) {
        return writeCode(0x00, data);
    }

    /// @dev `blob` cut at `cuts` (increasing byte offsets) into data chunks.
    function writeChunks(bytes memory blob, uint256[] memory cuts) internal returns (address[] memory list) {
        list = new address[](cuts.length + 1);
        uint256 start;
        for (uint256 i; i <= cuts.length; ++i) {
            uint256 end = i < cuts.length ? cuts[i] : blob.length;
            bytes memory piece = new bytes(end - start);
            for (uint256 k; k < piece.length; ++k) {
                piece[k] = blob[start + k];
            }
            list[i] = writeChunk(piece);
            start = end;
        }
    }

    function one(address chunk) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = chunk;
    }

    /// @dev The reference forward pass over `params` laid out as in `encodeWeights`.
    function referenceScores(uint16[] memory sizes, uint8[] memory bits, int16[] memory params, int64[] memory input)
        internal
        pure
        returns (int256[] memory x)
    {
        x = new int256[](input.length);
        for (uint256 i; i < input.length; ++i) {
            x[i] = input[i];
        }
        uint256 at;
        for (uint256 l; l < bits.length; ++l) {
            uint256 n = sizes[l];
            uint256 m = sizes[l + 1];
            int256[] memory y = new int256[](m);
            for (uint256 j; j < m; ++j) {
                int256 acc = int256(params[at + n * m + j]) * 65536;
                for (uint256 i; i < n; ++i) {
                    acc += int256(params[at + j * n + i]) * x[i];
                }
                int256 d = int256(2 ** uint256(bits[l]));
                if (bits[l] > 0) acc += d / 2;
                int256 v = acc / d;
                if (acc % d != 0 && acc < 0) v -= 1; // floor
                if (v > type(int64).max) v = type(int64).max;
                if (v < type(int64).min) v = type(int64).min;
                if (l + 1 < bits.length && v < 0) v = 0;
                y[j] = v;
            }
            at += n * m + m;
            x = y;
        }
    }

    function referenceLabel(int256[] memory scores) internal pure returns (uint256 best) {
        for (uint256 j; j < scores.length; ++j) {
            if (scores[j] > scores[best]) best = j;
        }
    }
}
