// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetRegistry} from "../../../interfaces/IDatasetRegistry.sol";
import {ShardTicket} from "../../../types/DatasetTypes.sol";
import {DatasetBase} from "../../DatasetBase.t.sol";

contract RequestShardsTest is DatasetBase {
    function test_RevertWhen_TaskIsNotLinked() external {
        join(alice);
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetTaskNotLinked.selector, taskId));
        requestAs(alice);
    }

    function test_RevertWhen_CallerIsNotAMember() external {
        linkedDataset();
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNotMember.selector, taskId, alice));
        requestAs(alice);
    }

    function test_RevertWhen_CallerLeftTheTask() external {
        linkedDataset();
        join(alice);
        vm.prank(alice);
        coordinator.leave(taskId);
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetNotMember.selector, taskId, alice));
        requestAs(alice);
    }

    function test_RevertWhen_AlreadyRequested() external {
        linkedDataset();
        join(alice);
        join(bob);
        requestAs(bob);
        requestAs(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IDatasetRegistry.DatasetAlreadyRequested.selector, taskId, alice, uint32(1), uint32(1))
        );
        requestAs(alice);
    }

    function test_RevertWhen_AlreadyRequestedInAClosedDraw() external {
        linkedDataset();
        join(alice);
        requestAs(alice);
        closeAs(owner);
        vm.expectRevert(
            abi.encodeWithSelector(IDatasetRegistry.DatasetAlreadyRequested.selector, taskId, alice, uint32(1), uint32(0))
        );
        requestAs(alice);
    }

    function test_RequestShards_GivesNextTicketOfOpenDraw() external {
        linkedDataset();
        join(alice);
        join(bob);
        (uint32 drawA, uint32 ticketA) = requestAs(alice);
        (uint32 drawB, uint32 ticketB) = requestAs(bob);
        assertEq(drawA, 1, "alice's draw");
        assertEq(ticketA, 0, "alice's ticket");
        assertEq(drawB, 1, "bob's draw");
        assertEq(ticketB, 1, "bob's ticket");
        ShardTicket memory held = ticket_(bob);
        assertEq(held.draw, 1, "stored draw");
        assertEq(held.number, 1, "stored ticket");
        assertEq(draw_(1).tickets, 2, "tickets");
    }

    function test_RequestShards_RecordsOpeningBlockOnFirstTicket() external {
        linkedDataset();
        join(alice);
        join(bob);
        vm.roll(START_BLOCK + 5);
        requestAs(alice);
        vm.roll(START_BLOCK + 9);
        requestAs(bob);
        assertEq(draw_(1).openedBlock, START_BLOCK + 5, "openedBlock");
    }

    function test_RequestShards_GivesTicketZeroOfNextDrawAfterClose() external {
        linkedDataset();
        join(alice);
        join(bob);
        requestAs(alice);
        closeAs(owner);
        (uint32 draw, uint32 ticket) = requestAs(bob);
        assertEq(draw, 2, "draw");
        assertEq(ticket, 0, "ticket");
    }

    function test_RequestShards_EmitsShardsRequested() external {
        linkedDataset();
        join(alice);
        join(bob);
        requestAs(alice);
        vm.expectEmit(address(datasets));
        emit IDatasetRegistry.ShardsRequested(taskId, bob, 1, 1);
        requestAs(bob);
    }
}
