// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetRegistry} from "../../../interfaces/IDatasetRegistry.sol";
import {DatasetBase} from "../../DatasetBase.t.sol";

contract CloseDrawTest is DatasetBase {
    function test_RevertWhen_TaskIsNotLinked() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetTaskNotLinked.selector, taskId));
        closeAs(owner);
    }

    function test_RevertWhen_OpenDrawHasNoTicket() external {
        linkedDataset();
        vm.expectRevert(derr(IDatasetRegistry.DatasetDrawEmpty.selector, taskId, 1));
        closeAs(owner);
    }

    function test_RevertWhen_StrangerClosesBefore256Blocks() external {
        linkedDataset();
        join(alice);
        requestAs(alice);
        vm.roll(START_BLOCK + 255);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatasetRegistry.DatasetDrawCloseTooEarly.selector, taskId, uint32(1), alice, uint64(START_BLOCK + 256)
            )
        );
        closeAs(alice);
    }

    function test_CloseDraw_AnyoneAfter256Blocks() external {
        linkedDataset();
        join(alice);
        requestAs(alice);
        vm.roll(START_BLOCK + 256);
        uint32 draw = closeAs(eve);
        assertEq(draw, 1, "closed draw");
        assertEq(draw_(1).targetBlock, START_BLOCK + 257, "targetBlock");
    }

    function test_CloseDraw_SetsTargetToNextBlock() external {
        linkedDataset();
        join(alice);
        requestAs(alice);
        vm.roll(START_BLOCK + 3);
        closeAs(owner);
        assertEq(draw_(1).targetBlock, START_BLOCK + 4, "targetBlock");
        assertEq(draw_(1).seed, bytes32(0), "not fixed");
    }

    function test_CloseDraw_OpensNextDraw() external {
        linkedDataset();
        join(alice);
        requestAs(alice);
        closeAs(owner);
        assertEq(link_().currentDraw, 2, "currentDraw");
        assertEq(draw_(2).tickets, 0, "next draw is empty");
    }

    function test_CloseDraw_EmitsDrawClosed() external {
        linkedDataset();
        join(alice);
        join(bob);
        requestAs(alice);
        requestAs(bob);
        vm.expectEmit(address(datasets));
        emit IDatasetRegistry.DrawClosed(taskId, 1, uint64(START_BLOCK + 1), 2);
        closeAs(owner);
    }
}
