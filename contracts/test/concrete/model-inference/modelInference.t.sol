// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ModelInference} from "../../../ModelInference.sol";
import {IModelInference} from "../../../interfaces/IModelInference.sol";
import {Weights} from "../../utils/Weights.sol";

/// @dev ModelInference over hand-made weights; every expected value is worked out in a comment.
contract ModelInferenceTest is Weights {
    bytes32 private constant DIGEST = keccak256("model cid digest");
    uint8 private constant CODEC = 0x70;

    // ------------------------------------------------------------ models

    /// @dev 3 inputs -> 2 classes, 1 fractional bit: W = [[1, -1, 2], [-2, 0, 1]], b = [1, -1].
    function logreg() private pure returns (uint16[] memory sizes, uint8[] memory bits, int16[] memory params) {
        sizes = new uint16[](2);
        (sizes[0], sizes[1]) = (3, 2);
        bits = new uint8[](1);
        bits[0] = 1;
        params = new int16[](8);
        (params[0], params[1], params[2], params[3], params[4], params[5]) = (1, -1, 2, -2, 0, 1);
        (params[6], params[7]) = (1, -1);
    }

    function logregBlob() private pure returns (bytes memory) {
        (uint16[] memory sizes, uint8[] memory bits, int16[] memory params) = logreg();
        return encodeWeights(sizes, bits, params);
    }

    function deploy(bytes memory blob) private returns (ModelInference) {
        return new ModelInference(DIGEST, CODEC, one(writeChunk(blob)));
    }

    /// @dev A model of one layer `n` -> `m` with `bits` and the given params.
    function single(uint16 n, uint16 m, uint8 bits, int16[] memory params) private returns (ModelInference) {
        uint16[] memory sizes = new uint16[](2);
        (sizes[0], sizes[1]) = (n, m);
        uint8[] memory fracBits = new uint8[](1);
        fracBits[0] = bits;
        return deploy(encodeWeights(sizes, fracBits, params));
    }

    function row3(int64 a, int64 b, int64 c) private pure returns (int64[] memory x) {
        x = new int64[](3);
        (x[0], x[1], x[2]) = (a, b, c);
    }

    function row1(int64 a) private pure returns (int64[] memory x) {
        x = new int64[](1);
        x[0] = a;
    }

    function badLength(uint256 expected, uint256 actual) private pure returns (bytes memory) {
        return abi.encodeWithSelector(IModelInference.ModelInferenceBadLength.selector, expected, actual);
    }

    // ------------------------------------------------------------ constructor

    function test_RevertWhen_ModelDigestIsZero() external {
        address chunk = writeChunk(logregBlob());
        vm.expectRevert(IModelInference.ModelInferenceZeroDigest.selector);
        new ModelInference(bytes32(0), CODEC, one(chunk));
    }

    function test_RevertWhen_NoChunkIsGiven() external {
        vm.expectRevert(IModelInference.ModelInferenceNoChunks.selector);
        new ModelInference(DIGEST, CODEC, new address[](0));
    }

    function test_RevertWhen_ChunkHasNoCode() external {
        address[] memory list = new address[](2);
        list[0] = writeChunk(logregBlob());
        list[1] = makeAddr("no code");
        vm.expectRevert(abi.encodeWithSelector(IModelInference.ModelInferenceBadChunk.selector, 1, list[1]));
        new ModelInference(DIGEST, CODEC, list);
    }

    function test_RevertWhen_ChunkDoesNotStartWithStop() external {
        address chunk = writeCode(0x5b, logregBlob()); // JUMPDEST: runnable code, not a data chunk
        vm.expectRevert(abi.encodeWithSelector(IModelInference.ModelInferenceBadChunk.selector, 0, chunk));
        new ModelInference(DIGEST, CODEC, one(chunk));
    }

    function test_RevertWhen_FormatVersionIsUnknown() external {
        bytes memory blob = logregBlob();
        blob[0] = 0x02;
        address chunk = writeChunk(blob);
        vm.expectRevert(abi.encodeWithSelector(IModelInference.ModelInferenceUnsupportedFormat.selector, 2));
        new ModelInference(DIGEST, CODEC, one(chunk));
    }

    function test_RevertWhen_NoLayerIsDeclared() external {
        address chunk = writeChunk(hex"0100000a");
        vm.expectRevert(abi.encodeWithSelector(IModelInference.ModelInferenceEmptyLayer.selector, 1));
        new ModelInference(DIGEST, CODEC, one(chunk));
    }

    function test_RevertWhen_HeaderIsCutShort() external {
        address chunk = writeChunk(hex"0102000300"); // two layers need a 10-byte header
        vm.expectRevert(badLength(10, 5));
        new ModelInference(DIGEST, CODEC, one(chunk));
    }

    function test_RevertWhen_ASizeIsZero() external {
        bytes memory blob = logregBlob();
        (blob[4], blob[5]) = (0x00, 0x00); // classes = 0
        address chunk = writeChunk(blob);
        vm.expectRevert(abi.encodeWithSelector(IModelInference.ModelInferenceEmptyLayer.selector, 1));
        new ModelInference(DIGEST, CODEC, one(chunk));
    }

    function test_RevertWhen_InputSizeIsZero() external {
        bytes memory blob = logregBlob();
        (blob[2], blob[3]) = (0x00, 0x00);
        address chunk = writeChunk(blob);
        vm.expectRevert(abi.encodeWithSelector(IModelInference.ModelInferenceEmptyLayer.selector, 0));
        new ModelInference(DIGEST, CODEC, one(chunk));
    }

    function test_RevertWhen_FracBitsExceed24() external {
        bytes memory blob = logregBlob();
        blob[6] = bytes1(uint8(25));
        address chunk = writeChunk(blob);
        vm.expectRevert(abi.encodeWithSelector(IModelInference.ModelInferenceFracBitsTooLarge.selector, 0, 25, 24));
        new ModelInference(DIGEST, CODEC, one(chunk));
    }

    function test_RevertWhen_WeightsAreShorterThanDeclared() external {
        bytes memory blob = logregBlob(); // 7-byte header + 2 * (3 * 2 + 2) = 23 bytes
        bytes memory cut = new bytes(blob.length - 1);
        for (uint256 i; i < cut.length; ++i) {
            cut[i] = blob[i];
        }
        address chunk = writeChunk(cut);
        vm.expectRevert(badLength(23, 22));
        new ModelInference(DIGEST, CODEC, one(chunk));
    }

    function test_RevertWhen_WeightsAreLongerThanDeclared() external {
        address chunk = writeChunk(abi.encodePacked(logregBlob(), hex"00"));
        vm.expectRevert(badLength(23, 24));
        new ModelInference(DIGEST, CODEC, one(chunk));
    }

    function test_Constructor_StatesTheModelAndKeepsTheWeightsHash() external {
        bytes memory blob = logregBlob();
        address chunk = writeChunk(blob);

        ModelInference inference = new ModelInference(DIGEST, CODEC, one(chunk));

        assertEq(inference.modelDigest(), DIGEST, "digest");
        assertEq(uint256(inference.modelCodec()), CODEC, "codec");
        assertEq(inference.weightsHash(), keccak256(blob), "weights hash");
        address[] memory list = inference.chunks();
        assertEq(list.length, 1, "chunks");
        assertEq(list[0], chunk, "chunk");
    }

    function test_Architecture_ReportsSizesAndFracBits() external {
        ModelInference inference = deploy(logregBlob());

        (uint16[] memory sizes, uint8[] memory bits) = inference.architecture();

        assertEq(sizes.length, 2, "layers + 1");
        assertEq(sizes[0], 3, "inputs");
        assertEq(sizes[1], 2, "classes");
        assertEq(bits.length, 1, "layers");
        assertEq(bits[0], 1, "frac bits");
    }

    // ------------------------------------------------------------ predict

    function test_RevertWhen_InputHasWrongLength() external {
        ModelInference inference = deploy(logregBlob());
        int64[] memory input = new int64[](2);
        vm.expectRevert(abi.encodeWithSelector(IModelInference.ModelInferenceWrongInputLength.selector, 0, 3, 2));
        inference.predict(input);
    }

    function test_Predict_LogisticRegression() external {
        ModelInference inference = deploy(logregBlob());

        (uint256 label, int64[] memory scores) = inference.predict(row3(3, 1, -2));

        // class 0: 1*3 - 1*1 + 2*(-2) + (1 << 16) = 65534; (65534 + 1) >> 1 = 32767
        // class 1: -2*3 + 0 + 1*(-2) - (1 << 16) = -65544; (-65544 + 1) >> 1 = floor(-32771.5) = -32772
        assertEq(scores.length, 2, "scores");
        assertEqInt(scores[0], 32767, "score 0");
        assertEqInt(scores[1], -32772, "score 1");
        assertEq(label, 0, "label");
    }

    function test_Predict_RoundsHalfUp() external {
        int16[] memory params = new int16[](2);
        params[0] = 1; // w = 0.5 with one fractional bit, b = 0
        ModelInference inference = single(1, 1, 1, params);

        (, int64[] memory up) = inference.predict(row1(3)); // 1.5 -> 2
        (, int64[] memory down) = inference.predict(row1(-3)); // -1.5 -> -1
        (, int64[] memory exact) = inference.predict(row1(-4)); // -2 -> -2

        assertEqInt(up[0], 2, "1.5");
        assertEqInt(down[0], -1, "-1.5");
        assertEqInt(exact[0], -2, "-2");
    }

    function test_Predict_ReluAfterHiddenLayerOnly() external {
        // 1 -> 2 -> 1, no fractional bits: hidden = relu([x, -x]), out = -h0 - h1.
        uint16[] memory sizes = new uint16[](3);
        (sizes[0], sizes[1], sizes[2]) = (1, 2, 1);
        uint8[] memory bits = new uint8[](2);
        int16[] memory params = new int16[](7);
        (params[0], params[1]) = (1, -1); // hidden weights; params[2..3] hidden biases = 0
        (params[4], params[5]) = (-1, -1); // output weights; params[6] output bias = 0
        ModelInference inference = deploy(encodeWeights(sizes, bits, params));

        (, int64[] memory scores) = inference.predict(row1(5));

        // hidden [5, relu(-5) = 0]; out = -5 (no ReLU on the last layer; without the hidden ReLU: 0)
        assertEqInt(scores[0], -5, "score");
    }

    function test_Predict_SaturatesToInt64() external {
        int16[] memory params = new int16[](3);
        (params[0], params[1]) = (32767, 32767);
        ModelInference inference = single(2, 1, 0, params);
        int64[] memory high = new int64[](2);
        (high[0], high[1]) = (type(int64).max, type(int64).max);
        int64[] memory low = new int64[](2);
        (low[0], low[1]) = (type(int64).min, type(int64).min);

        (, int64[] memory up) = inference.predict(high);
        (, int64[] memory down) = inference.predict(low);

        assertEqInt(up[0], int256(type(int64).max), "saturated high");
        assertEqInt(down[0], int256(type(int64).min), "saturated low");
    }

    function test_Predict_TieGoesToFirstLargest() external {
        int16[] memory params = new int16[](6);
        (params[0], params[1], params[2]) = (0, 2, 2);
        ModelInference inference = single(1, 3, 0, params);

        (uint256 label,) = inference.predict(row1(1));

        assertEq(label, 1, "first of the two largest scores");
    }

    function test_Predict_MatchesReferenceBeyondOneUnrolledStep() external {
        // 19 inputs = two steps of 8 + a remainder of 3; 2 outputs; 3 fractional bits.
        uint16[] memory sizes = new uint16[](2);
        (sizes[0], sizes[1]) = (19, 2);
        uint8[] memory bits = new uint8[](1);
        bits[0] = 3;
        int16[] memory params = new int16[](40);
        int64[] memory input = new int64[](19);
        for (uint256 i; i < 40; ++i) {
            params[i] = int16(int256(i * 997 % 2001) - 1000);
        }
        for (uint256 i; i < 19; ++i) {
            input[i] = int64(int256(i * 7919 % 131_071) - 65_535);
        }
        ModelInference inference = deploy(encodeWeights(sizes, bits, params));

        (uint256 label, int64[] memory scores) = inference.predict(input);

        int256[] memory expected = referenceScores(sizes, bits, params, input);
        assertEqInt(scores[0], expected[0], "score 0");
        assertEqInt(scores[1], expected[1], "score 1");
        assertEq(label, referenceLabel(expected), "label");
    }

    function test_Predict_SameWhenWeightsSpanChunks() external {
        bytes memory blob = logregBlob();
        uint256[] memory cuts = new uint256[](2);
        (cuts[0], cuts[1]) = (5, 12); // inside the header and inside a weight
        ModelInference split = new ModelInference(DIGEST, CODEC, writeChunks(blob, cuts));

        (uint256 label, int64[] memory scores) = split.predict(row3(3, 1, -2));

        assertEq(split.chunks().length, 3, "chunks");
        assertEq(split.weightsHash(), keccak256(blob), "weights hash");
        assertEqInt(scores[0], 32767, "score 0");
        assertEqInt(scores[1], -32772, "score 1");
        assertEq(label, 0, "label");
    }

    // ------------------------------------------------------------ predictBatch

    function test_RevertWhen_BatchRowHasWrongLength() external {
        ModelInference inference = deploy(logregBlob());
        int64[][] memory rows = new int64[][](2);
        rows[0] = row3(1, 2, 3);
        rows[1] = new int64[](4);
        vm.expectRevert(abi.encodeWithSelector(IModelInference.ModelInferenceWrongInputLength.selector, 1, 3, 4));
        inference.predictBatch(rows);
    }

    function test_PredictBatch_EmptyGivesEmpty() external {
        ModelInference inference = deploy(logregBlob());

        (uint256[] memory labels, int64[][] memory scores) = inference.predictBatch(new int64[][](0));

        assertEq(labels.length, 0, "labels");
        assertEq(scores.length, 0, "scores");
    }

    function test_PredictBatch_EqualsPredictPerRow() external {
        ModelInference inference = deploy(logregBlob());
        int64[][] memory rows = new int64[][](3);
        rows[0] = row3(3, 1, -2);
        rows[1] = row3(-70_000, 5, 9);
        rows[2] = row3(0, 0, 0);

        (uint256[] memory labels, int64[][] memory scores) = inference.predictBatch(rows);

        for (uint256 r; r < rows.length; ++r) {
            (uint256 label, int64[] memory single_) = inference.predict(rows[r]);
            assertEq(labels[r], label, "label");
            assertEq(scores[r].length, 2, "scores per row");
            for (uint256 j; j < 2; ++j) {
                assertEqInt(scores[r][j], single_[j], "score");
            }
        }
    }
}
