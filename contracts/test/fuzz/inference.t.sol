// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InferenceRegistry} from "../../InferenceRegistry.sol";
import {ModelInference} from "../../ModelInference.sol";
import {ModelRegistry} from "../../ModelRegistry.sol";
import {IInferenceRegistry} from "../../interfaces/IInferenceRegistry.sol";
import {Weights} from "../utils/Weights.sol";

/// @notice Random two-layer models, inputs and chunkings: the contract's unrolled assembly forward
/// pass equals a plain reference (checked int256, floor division), and a link to any other model is
/// refused.
contract InferenceFuzzTest is Weights {
    bytes32 private constant DIGEST = keccak256("model");

    /// @dev A random model n -> h -> m (n up to 20: steps of 8 and a remainder), its input, and
    /// its weights cut into up to three chunks.
    function testFuzz_Predict_MatchesReference(uint256 seed, uint8 n, uint8 h, uint8 m, uint8 bits0, uint8 bits1)
        external
    {
        uint16[] memory sizes = new uint16[](3);
        sizes[0] = uint16(bound(n, 1, 20));
        sizes[1] = uint16(bound(h, 1, 6));
        sizes[2] = uint16(bound(m, 1, 4));
        uint8[] memory bits = new uint8[](2);
        bits[0] = uint8(bound(bits0, 0, 24));
        bits[1] = uint8(bound(bits1, 0, 24));
        uint256 count = uint256(sizes[1]) * (uint256(sizes[0]) + 1) + uint256(sizes[2]) * (uint256(sizes[1]) + 1);
        int16[] memory params = new int16[](count);
        for (uint256 i; i < count; ++i) {
            params[i] = int16(uint16(uint256(keccak256(abi.encode(seed, "w", i)))));
        }
        int64[] memory input = new int64[](sizes[0]);
        for (uint256 i; i < input.length; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, "x", i)));
            // Mostly realistic magnitudes (|x| < 2**24), sometimes the whole int64 range.
            input[i] = r % 4 == 0 ? int64(uint64(r >> 8)) : int64(int256(r >> 8) % (1 << 24));
        }
        bytes memory blob = encodeWeights(sizes, bits, params);
        uint256[] memory cuts = new uint256[](seed % 3);
        for (uint256 i; i < cuts.length; ++i) {
            cuts[i] = (i + 1) * blob.length / (cuts.length + 1);
        }
        ModelInference inference = new ModelInference(DIGEST, 0x70, writeChunks(blob, cuts));

        (uint256 label, int64[] memory scores) = inference.predict(input);

        int256[] memory expected = referenceScores(sizes, bits, params, input);
        assertEq(scores.length, expected.length, "classes");
        for (uint256 j; j < expected.length; ++j) {
            assertEqInt(scores[j], expected[j], "score");
        }
        assertEq(label, referenceLabel(expected), "label");
    }

    function testFuzz_Link_RefusesAnyOtherModel(bytes32 recorded, bytes32 stated, uint8 codec) external {
        vm.assume(recorded != bytes32(0) && stated != bytes32(0) && stated != recorded);
        ModelRegistry models = new ModelRegistry(address(this));
        models.setCoordinator(address(this));
        models.recordModel(1, 1, 0, recorded, codec, bytes32(0), 1);
        InferenceRegistry registry = new InferenceRegistry(models);
        address target = address(new ModelInference(stated, codec, one(writeChunk(hex"0101000100010000000000"))));
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceRegistry.InferenceRegistryModelMismatch.selector, 1, 1, recorded, codec, stated, codec
            )
        );
        registry.link(1, 1, target);
    }
}
