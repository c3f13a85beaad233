// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetRegistry} from "../../../interfaces/IDatasetRegistry.sol";
import {DatasetBase} from "../../DatasetBase.t.sol";

contract SealDatasetTest is DatasetBase {
    uint256 private id;

    function setUp() public override {
        super.setUp();
        id = register();
    }

    function test_RevertWhen_DatasetDoesNotExist() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNotFound.selector, 7));
        sealAs(publisher, 7);
    }

    function test_RevertWhen_CallerIsNotTheOwner() external {
        addShardsAs(publisher, id, shardInputs(0, 1));
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetUnauthorized.selector, id, owner));
        sealAs(owner, id);
    }

    function test_RevertWhen_AlreadySealed() external {
        addShardsAs(publisher, id, shardInputs(0, 1));
        sealAs(publisher, id);
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetAlreadySealed.selector, id));
        sealAs(publisher, id);
    }

    function test_RevertWhen_DatasetHasNoShard() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetEmpty.selector, id));
        sealAs(publisher, id);
    }

    function test_SealDataset_MarksSealed() external {
        addShardsAs(publisher, id, shardInputs(0, 2));
        sealAs(publisher, id);
        assertTrue(dataset(id).isSealed, "isSealed");
    }

    function test_SealDataset_EmitsDatasetSealed() external {
        addShardsAs(publisher, id, shardInputs(0, 2));
        vm.expectEmit(address(datasets));
        emit IDatasetRegistry.DatasetSealed(id, 2, 2001);
        sealAs(publisher, id);
    }
}
