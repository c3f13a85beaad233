// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetRegistry} from "../../../interfaces/IDatasetRegistry.sol";
import {Dataset} from "../../../types/DatasetTypes.sol";
import {DatasetBase} from "../../DatasetBase.t.sol";

contract RegisterDatasetTest is DatasetBase {
    string private constant NAME_64 = "0123456789012345678901234567890123456789012345678901234567890123";

    function test_RevertWhen_NameIsEmpty() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetInvalidName.selector, 0, 64));
        datasets.registerDataset("", SCHEMA, RAW, LICENSE, RAW);
    }

    function test_RevertWhen_NameIsLongerThan64Bytes() external {
        string memory name = string.concat(NAME_64, "x");
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetInvalidName.selector, 65, 64));
        datasets.registerDataset(name, SCHEMA, RAW, LICENSE, RAW);
    }

    function test_RevertWhen_SchemaDigestIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetEmptyDigest.selector, "schemaDigest"));
        datasets.registerDataset(NAME, bytes32(0), RAW, LICENSE, RAW);
    }

    function test_RevertWhen_LicenseDigestIsZero() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetEmptyDigest.selector, "licenseDigest"));
        datasets.registerDataset(NAME, SCHEMA, RAW, bytes32(0), RAW);
    }

    function test_RegisterDataset_NumbersFromOne() external {
        assertEq(register(), 1, "first id");
        assertEq(register(), 2, "second id");
        assertEq(datasets.datasetCount(), 2, "datasetCount");
    }

    function test_RegisterDataset_StoresFields() external {
        vm.prank(publisher);
        uint256 id = datasets.registerDataset(NAME, SCHEMA, 0x70, LICENSE, 0x00);
        Dataset memory d = dataset(id);
        assertEq(d.owner, publisher, "owner");
        assertEq(keccak256(bytes(d.name)), keccak256(bytes(NAME)), "name");
        assertEq(d.schemaDigest, SCHEMA, "schemaDigest");
        assertEq(d.schemaCodec, 0x70, "schemaCodec");
        assertEq(d.licenseDigest, LICENSE, "licenseDigest");
        assertEq(d.licenseCodec, 0x00, "licenseCodec");
        assertEq(d.registeredBlock, START_BLOCK, "registeredBlock");
        assertEq(d.shardCount, 0, "shardCount");
        assertEq(d.totalBytes, 0, "totalBytes");
        assertFalse(d.isSealed, "isSealed");
    }

    function test_RegisterDataset_AcceptsName64Bytes() external {
        uint256 id = datasets.registerDataset(NAME_64, SCHEMA, RAW, LICENSE, RAW);
        assertEq(bytes(dataset(id).name).length, 64, "name length");
    }

    function test_RegisterDataset_EmitsDatasetRegistered() external {
        vm.expectEmit(address(datasets));
        emit IDatasetRegistry.DatasetRegistered(1, publisher, NAME, SCHEMA, RAW, LICENSE, RAW);
        register();
    }
}
