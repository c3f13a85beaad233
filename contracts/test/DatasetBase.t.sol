// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DatasetRegistry} from "../DatasetRegistry.sol";
import {IDatasetRegistry} from "../interfaces/IDatasetRegistry.sol";
import {Dataset, Draw, ShardInput, ShardTicket, TaskDataset} from "../types/DatasetTypes.sol";
import {Base} from "./Base.t.sol";

/// @notice Cheatcodes only the dataset tests use (Foundry's, answered by EDR), declared here rather
/// than in utils/Vm.sol: what `blockhash(n)` returns, and raw storage access.
interface VmBlockhash {
    function setBlockhash(uint256 blockNumber, bytes32 blockHash) external;
    function load(address target, bytes32 slot) external view returns (bytes32 data);
    function store(address target, bytes32 slot, bytes32 value) external;
}

/// @title DatasetBase
/// @notice Base's coordinator and task, plus a DatasetRegistry reading from that coordinator and
/// helpers that register datasets, link the task, request shards and run draws.
abstract contract DatasetBase is Base {
    VmBlockhash internal constant vmHash = VmBlockhash(address(uint160(uint256(keccak256("hevm cheat code")))));

    string internal constant NAME = "digits-train";
    bytes32 internal constant SCHEMA = keccak256("schema");
    bytes32 internal constant LICENSE = keccak256("license");
    uint8 internal constant RAW = 0x55;
    uint256 internal constant START_BLOCK = 1_000;
    uint32 internal constant SHARDS = 10;
    uint32 internal constant PER_MEMBER = 2;

    DatasetRegistry internal datasets;
    address internal publisher;

    function setUp() public virtual override {
        super.setUp();
        vm.roll(START_BLOCK);
        publisher = makeAddr("publisher");
        datasets = new DatasetRegistry(coordinator);
        // This test contract deployed the coordinator: it wires the registry's stake locks.
        coordinator.setStakeLocker(datasets);
        vm.label(address(datasets), "datasets");
    }

    // ---------------------------------------------------------------- datasets

    function shardInput(uint256 i) internal pure returns (ShardInput memory) {
        return ShardInput({
            cidDigest: keccak256(abi.encode("cid", i)),
            codec: RAW,
            size: uint64(1000 + i),
            contentDigest: keccak256(abi.encode("content", i))
        });
    }

    /// @dev Inputs for shards first..first+count-1.
    function shardInputs(uint256 first, uint256 count) internal pure returns (ShardInput[] memory inputs) {
        inputs = new ShardInput[](count);
        for (uint256 i; i < count; ++i) {
            inputs[i] = shardInput(first + i);
        }
    }

    function register() internal returns (uint256 id) {
        vm.prank(publisher);
        id = datasets.registerDataset(NAME, SCHEMA, RAW, LICENSE, RAW);
    }

    function addShardsAs(address who, uint256 id, ShardInput[] memory inputs) internal {
        vm.prank(who);
        datasets.addShards(id, inputs);
    }

    function sealAs(address who, uint256 id) internal {
        vm.prank(who);
        datasets.sealDataset(id);
    }

    /// @dev A sealed dataset of `count` shards (added in batches of at most 64).
    function sealedDataset(uint32 count) internal returns (uint256 id) {
        id = register();
        for (uint256 first; first < count; first += 64) {
            uint256 batch = count - first < 64 ? count - first : 64;
            addShardsAs(publisher, id, shardInputs(first, batch));
        }
        sealAs(publisher, id);
    }

    function dataset(uint256 id) internal view returns (Dataset memory) {
        return datasets.getDataset(id);
    }

    // ---------------------------------------------------------------- tasks and draws

    function linkAs(address who, uint256 id, uint32 perMember) internal {
        vm.prank(who);
        datasets.linkTask(taskId, id, perMember);
    }

    /// @dev A sealed dataset of SHARDS shards linked to the task with PER_MEMBER shards each.
    function linkedDataset() internal returns (uint256 id) {
        id = sealedDataset(SHARDS);
        linkAs(owner, id, PER_MEMBER);
    }

    function requestAs(address who) internal returns (uint32 draw, uint32 ticket) {
        vm.prank(who);
        (draw, ticket) = datasets.requestShards(taskId);
    }

    function closeAs(address who) internal returns (uint32 draw) {
        vm.prank(who);
        draw = datasets.closeDraw(taskId);
    }

    /// @dev Moves one block past the draw's target, whose hash is set to `blockHash`, and fixes it.
    function fixWithHash(uint32 draw, bytes32 blockHash) internal {
        uint64 target = datasets.getDraw(taskId, draw).targetBlock;
        vm.roll(target + 1);
        vmHash.setBlockhash(target, blockHash);
        datasets.fixDraw(taskId, draw);
    }

    /// @dev alice, bob and carol join and request (tickets 0, 1, 2 of draw 1); the owner closes
    /// the draw and it is fixed with `blockHash`.
    function threeAssigned(bytes32 blockHash) internal returns (uint32 draw) {
        join(alice);
        join(bob);
        join(carol);
        requestAs(alice);
        requestAs(bob);
        requestAs(carol);
        draw = closeAs(owner);
        fixWithHash(draw, blockHash);
    }

    function link_() internal view returns (TaskDataset memory) {
        return datasets.taskDataset(taskId);
    }

    function draw_(uint32 draw) internal view returns (Draw memory) {
        return datasets.getDraw(taskId, draw);
    }

    function ticket_(address who) internal view returns (ShardTicket memory) {
        return datasets.ticketOf(taskId, who);
    }

    /// @dev The seed fixDraw derives from `blockHash` (the formula of ShardDraws.drawSeed).
    function seedOf(bytes32 blockHash, uint32 draw) internal view returns (bytes32) {
        return keccak256(abi.encode(blockHash, block.chainid, address(datasets), taskId, draw));
    }

    // ---------------------------------------------------------------- errors

    function derr(bytes4 selector, uint256 a, uint32 b) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, a, b);
    }

    /// @dev Silences "unused import" for the interface used only in derived tests.
    function _datasetsInterface() internal view returns (IDatasetRegistry) {
        return IDatasetRegistry(address(datasets));
    }
}
