// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {Base} from "../../Base.t.sol";

contract SetEncryptionKeyTest is Base {
    bytes32 private constant KEY = keccak256("x25519 public key");

    function test_RevertWhen_NotAMember() external {
        vm.expectRevert(err(IFLCoordinator.MemberNotFound.selector, taskId, alice));
        vm.prank(alice);
        coordinator.setEncryptionKey(taskId, KEY);
    }

    function test_SetEncryptionKey_ReplacesKey() external {
        join(alice);
        vm.prank(alice);
        coordinator.setEncryptionKey(taskId, KEY);
        assertEq(member(alice).encryptionKey, KEY, "key");
    }

    function test_SetEncryptionKey_EmitsEncryptionKeySet() external {
        join(alice);
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.EncryptionKeySet(taskId, alice, KEY);
        vm.prank(alice);
        coordinator.setEncryptionKey(taskId, KEY);
    }

    function test_SetEncryptionKey_WorksOnClosedTask() external {
        join(alice);
        vm.prank(owner);
        coordinator.closeTask(taskId);
        vm.prank(alice);
        coordinator.setEncryptionKey(taskId, KEY);
        assertEq(member(alice).encryptionKey, KEY, "key");
    }
}
