// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InferenceRegistry} from "../../../InferenceRegistry.sol";
import {ModelInference} from "../../../ModelInference.sol";
import {ModelRegistry} from "../../../ModelRegistry.sol";
import {IInferenceRegistry} from "../../../interfaces/IInferenceRegistry.sol";
import {IModelRegistry} from "../../../interfaces/IModelRegistry.sol";
import {Weights} from "../../utils/Weights.sol";

/// @dev The registry over a ModelRegistry whose coordinator is this test contract, so models are
/// recorded directly.
contract InferenceRegistryTest is Weights {
    uint256 private constant TASK = 7;
    uint32 private constant ROUND = 2;
    uint8 private constant CODEC = 0x70;
    bytes32 private constant MODEL = keccak256("round 2 model");

    ModelRegistry private models;
    InferenceRegistry private registry;
    address private weights;
    address private alice;
    address private bob;

    function setUp() external {
        models = new ModelRegistry(address(this));
        models.setCoordinator(address(this));
        models.recordModel(TASK, ROUND, 1, MODEL, CODEC, bytes32(0), 3);
        registry = new InferenceRegistry(models);
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        // One layer 1 -> 2 with zero weights: what it computes does not matter here.
        weights = writeChunk(hex"010100010002000000000000000000");
    }

    function inference(bytes32 digest, uint8 codec) private returns (address) {
        return address(new ModelInference(digest, codec, one(weights)));
    }

    function linkAs(address who, address target) private {
        vm.prank(who);
        registry.link(TASK, ROUND, target);
    }

    // ------------------------------------------------------------ constructor

    function test_RevertWhen_ModelRegistryIsZero() external {
        vm.expectRevert(IInferenceRegistry.InferenceRegistryZeroModelRegistry.selector);
        new InferenceRegistry(IModelRegistry(address(0)));
    }

    function test_ModelRegistry_ReturnsIt() external view {
        assertEq(address(registry.modelRegistry()), address(models), "model registry");
    }

    // ------------------------------------------------------------ link

    function test_RevertWhen_InferenceHasNoCode() external {
        vm.expectRevert(abi.encodeWithSelector(IInferenceRegistry.InferenceRegistryNoCode.selector, bob));
        linkAs(alice, bob);
    }

    function test_RevertWhen_NoModelForTaskAndRound() external {
        address target = inference(MODEL, CODEC);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.RegistryModelNotFound.selector, TASK, ROUND + 1));
        vm.prank(alice);
        registry.link(TASK, ROUND + 1, target);
    }

    function test_RevertWhen_DigestDiffers() external {
        bytes32 other = keccak256("another model");
        address target = inference(other, CODEC);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceRegistry.InferenceRegistryModelMismatch.selector, TASK, ROUND, MODEL, CODEC, other, CODEC
            )
        );
        linkAs(alice, target);
    }

    function test_RevertWhen_CodecDiffers() external {
        address target = inference(MODEL, 0x55);
        vm.expectRevert(
            abi.encodeWithSelector(
                IInferenceRegistry.InferenceRegistryModelMismatch.selector, TASK, ROUND, MODEL, CODEC, MODEL, 0x55
            )
        );
        linkAs(alice, target);
    }

    function test_Link_StoresUnderCallerAndEmits() external {
        address target = inference(MODEL, CODEC);
        vm.expectEmit(address(registry));
        emit IInferenceRegistry.InferenceLinked(TASK, ROUND, alice, target, MODEL, CODEC, address(0));

        linkAs(alice, target);

        assertEq(registry.inferenceOf(TASK, ROUND, alice), target, "alice's link");
    }

    function test_Link_LeavesOtherLinkersAlone() external {
        address mine = inference(MODEL, CODEC);
        address theirs = inference(MODEL, CODEC);
        linkAs(bob, theirs);

        linkAs(alice, mine);

        assertEq(registry.inferenceOf(TASK, ROUND, alice), mine, "alice's link");
        assertEq(registry.inferenceOf(TASK, ROUND, bob), theirs, "bob's link");
    }

    function test_Link_AgainReplacesAndNamesPrevious() external {
        address first = inference(MODEL, CODEC);
        address second = inference(MODEL, CODEC);
        linkAs(alice, first);
        vm.expectEmit(address(registry));
        emit IInferenceRegistry.InferenceLinked(TASK, ROUND, alice, second, MODEL, CODEC, first);

        linkAs(alice, second);

        assertEq(registry.inferenceOf(TASK, ROUND, alice), second, "replaced");
    }

    // ------------------------------------------------------------ inferenceOf

    function test_RevertWhen_LinkerLinkedNothing() external {
        linkAs(alice, inference(MODEL, CODEC));
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceRegistry.InferenceRegistryNotLinked.selector, TASK, ROUND, bob)
        );
        registry.inferenceOf(TASK, ROUND, bob);
    }
}
