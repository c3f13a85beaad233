// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {TaskConfig} from "../../types/DataTypes.sol";
import {FeeOnTransferToken} from "../mocks/FeeOnTransferToken.sol";
import {Base} from "../Base.t.sol";

/// @notice A token that delivers less than it was asked to move is rejected where tokens come
/// in: the escrow at createTask and the stake at join.
contract FeeOnTransferTest is Base {
    FeeOnTransferToken private feeToken;

    function setUp() public override {
        super.setUp();
        feeToken = new FeeOnTransferToken(100); // 1%
        feeToken.mint(owner, FUNDS);
        feeToken.mint(alice, FUNDS);
        vm.prank(owner);
        feeToken.approve(address(coordinator), type(uint256).max);
        vm.prank(alice);
        feeToken.approve(address(coordinator), type(uint256).max);
    }

    function feeConfig() private view returns (TaskConfig memory config) {
        config = defaultConfig();
        config.token = IERC20(address(feeToken));
    }

    function test_RevertWhen_CreateTaskWithFeeToken() external {
        uint256 escrow = uint256(REWARD_PER_ROUND) * NUM_ROUNDS;
        vm.expectRevert(
            abi.encodeWithSelector(IFLCoordinator.TaskTokenTransferMismatch.selector, escrow, escrow - escrow / 100)
        );
        vm.prank(owner);
        coordinator.createTask(feeConfig());
    }

    function test_RevertWhen_JoinWithFeeToken() external {
        feeToken.setFeeBps(0);
        uint256 id = createTask(feeConfig());
        feeToken.setFeeBps(100); // the token starts charging after the task exists
        vm.expectRevert(
            abi.encodeWithSelector(IFLCoordinator.TaskTokenTransferMismatch.selector, STAKE, STAKE - STAKE / 100)
        );
        vm.prank(alice);
        coordinator.join(id, STAKE, bytes32(0));
    }

    function test_CreateTask_FeeTokenWithoutFeeWorks() external {
        feeToken.setFeeBps(0);
        uint256 id = createTask(feeConfig());
        vm.prank(alice);
        coordinator.join(id, STAKE, bytes32(0));
        assertEq(feeToken.balanceOf(address(coordinator)), uint256(REWARD_PER_ROUND) * NUM_ROUNDS + STAKE, "held");
    }
}
