// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {IDatasetRegistry} from "../../interfaces/IDatasetRegistry.sol";
import {DatasetRegistry} from "../../DatasetRegistry.sol";
import {DatasetBase} from "../DatasetBase.t.sol";

/// @notice One stake, many tickets (issue 11): a member requests shards, leaves with its stake
/// before the draw is fixed, passes the stake to another address, which joins and requests again.
/// On the coordinator before stake locks, `leave` went through and the attacker held k tickets
/// of one draw for one stake; now the ticket locks the stake until its draw is fixed.
contract ShardTicketLockTest is DatasetBase {
    function lockedErr(address who, uint32 draw) private view returns (bytes memory) {
        return abi.encodeWithSelector(IFLCoordinator.MemberStakeLocked.selector, taskId, who, draw);
    }

    function test_RevertWhen_TicketHolderLeavesBeforeTheDrawIsFixed() external {
        linkedDataset();
        join(alice);
        (uint32 draw,) = requestAs(alice);

        vm.expectRevert(lockedErr(alice, draw));
        vm.prank(alice);
        coordinator.leave(taskId);
        assertEq(datasets.stakeLockOf(taskId, alice), draw, "the ticket holds the stake");
    }

    function test_RevertWhen_TicketHolderLeavesAfterTheDrawClosed() external {
        linkedDataset();
        join(alice);
        (uint32 draw,) = requestAs(alice);
        closeAs(owner);

        vm.expectRevert(lockedErr(alice, draw));
        vm.prank(alice);
        coordinator.leave(taskId);
    }

    function test_Leave_OnceTheDrawIsFixed() external {
        linkedDataset();
        join(alice);
        (uint32 draw,) = requestAs(alice);
        uint256 before = balanceOf(alice);
        closeAs(owner);
        fixWithHash(draw, keccak256("target"));

        vm.prank(alice);
        coordinator.leave(taskId);
        assertEq(balanceOf(alice), before + STAKE, "the whole stake comes back");
        assertEq(datasets.stakeLockOf(taskId, alice), 0, "no lock once fixed");
    }

    /// @dev Nobody can keep an honest member's stake locked: 256 blocks after the draw's first
    /// ticket anyone closes it, then fixes it, and the member leaves.
    function test_Leave_AfterAnyoneClosesAndFixesAnAbandonedDraw() external {
        linkedDataset();
        join(alice);
        (uint32 draw,) = requestAs(alice);
        vm.roll(block.number + datasets.BLOCKHASH_WINDOW());
        closeAs(alice);
        fixWithHash(draw, keccak256("target"));

        vm.prank(alice);
        coordinator.leave(taskId);
        assertEq(coordinator.getMember(taskId, alice).stake, 0, "alice left");
    }

    /// @dev The attack itself: one stake cannot take a second ticket of the same draw.
    function test_OneStake_CannotHoldTwoTicketsOfOneDraw() external {
        linkedDataset();
        join(alice);
        requestAs(alice);

        vm.prank(alice);
        (bool left,) = address(coordinator).call(abi.encodeCall(IFLCoordinator.leave, (taskId)));
        assertFalse(left, "alice keeps her stake in the task");
        assertEq(draw_(1).tickets, 1, "one ticket for one stake");
    }

    function test_RevertWhen_RequestWithoutWiredLocker() external {
        DatasetRegistry unwired = new DatasetRegistry(coordinator);
        uint256 id = unwired.registerDataset(NAME, SCHEMA, RAW, LICENSE, RAW);
        unwired.addShards(id, shardInputs(0, SHARDS));
        unwired.sealDataset(id);
        vm.prank(owner);
        unwired.linkTask(taskId, id, PER_MEMBER);
        join(alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDatasetRegistry.DatasetStakeNotLockable.selector, address(coordinator), address(datasets)
            )
        );
        vm.prank(alice);
        unwired.requestShards(taskId);
    }

    function test_RevertWhen_StrangerWiresTheLocker() external {
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.StakeLockerUnauthorized.selector, alice));
        vm.prank(alice);
        coordinator.setStakeLocker(datasets);
    }

    function test_RevertWhen_LockerRewired() external {
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.StakeLockerAlreadySet.selector, address(datasets)));
        coordinator.setStakeLocker(datasets);
    }
}
