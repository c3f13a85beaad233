// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IDatasetRegistry} from "../../../interfaces/IDatasetRegistry.sol";
import {DatasetBase} from "../../DatasetBase.t.sol";

contract RenewDrawTest is DatasetBase {
    uint64 private constant TARGET = uint64(START_BLOCK + 1);
    uint256 private constant EXPIRED = START_BLOCK + 1 + 257;

    function closedDraw() private {
        linkedDataset();
        join(alice);
        requestAs(alice);
        closeAs(owner);
    }

    function test_RevertWhen_TaskIsNotLinked() external {
        vm.expectRevert(abi.encodeWithSelector(IDatasetRegistry.DatasetTaskNotLinked.selector, taskId));
        datasets.renewDraw(taskId, 1);
    }

    function test_RevertWhen_DrawIsOpen() external {
        linkedDataset();
        vm.expectRevert(derr(IDatasetRegistry.DatasetDrawOpen.selector, taskId, 1));
        datasets.renewDraw(taskId, 1);
    }

    function test_RevertWhen_DrawIsAlreadyFixed() external {
        closedDraw();
        fixWithHash(1, keccak256("hash"));
        vm.roll(EXPIRED);
        vm.expectRevert(derr(IDatasetRegistry.DatasetDrawAlreadyFixed.selector, taskId, 1));
        datasets.renewDraw(taskId, 1);
    }

    function test_RevertWhen_TargetIsExactly256BlocksOld() external {
        closedDraw();
        vm.roll(EXPIRED - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatasetRegistry.DatasetDrawNotExpired.selector, taskId, uint32(1), TARGET, EXPIRED - 1
            )
        );
        datasets.renewDraw(taskId, 1);
    }

    function test_RevertWhen_TargetIsNotYetMined() external {
        closedDraw();
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatasetRegistry.DatasetDrawNotExpired.selector, taskId, uint32(1), TARGET, START_BLOCK
            )
        );
        datasets.renewDraw(taskId, 1);
    }

    function test_RenewDraw_MovesTargetAndCountsRenewal() external {
        closedDraw();
        vm.roll(EXPIRED);
        datasets.renewDraw(taskId, 1);
        assertEq(draw_(1).targetBlock, EXPIRED + 1, "targetBlock");
        assertEq(draw_(1).renewals, 1, "renewals");
    }

    function test_RenewDraw_AnyoneMayRenew() external {
        closedDraw();
        vm.roll(EXPIRED);
        vm.prank(eve);
        datasets.renewDraw(taskId, 1);
        assertEq(draw_(1).renewals, 1, "renewals");
    }

    function test_RenewDraw_LetsTheDrawBeFixedFromTheNewTarget() external {
        closedDraw();
        vm.roll(EXPIRED);
        datasets.renewDraw(taskId, 1);
        bytes32 hash = keccak256("new target");
        fixWithHash(1, hash);
        assertEq(draw_(1).seed, seedOf(hash, 1), "seed");
        assertEq(datasets.assignmentOf(taskId, alice).seed, seedOf(hash, 1), "assignment seed");
    }

    function test_RenewDraw_EmitsDrawRenewed() external {
        closedDraw();
        vm.roll(EXPIRED);
        vm.expectEmit(address(datasets));
        emit IDatasetRegistry.DrawRenewed(taskId, 1, uint64(EXPIRED + 1), 1);
        datasets.renewDraw(taskId, 1);
    }
}
