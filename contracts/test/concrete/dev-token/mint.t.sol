// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {FLDevToken} from "../../../FLDevToken.sol";
import {Test} from "../../utils/Test.sol";

contract MintTest is Test {
    FLDevToken private token;
    address private tokenOwner;
    address private receiver;

    function setUp() external {
        tokenOwner = makeAddr("token owner");
        receiver = makeAddr("receiver");
        token = new FLDevToken(tokenOwner);
    }

    function test_RevertWhen_CallerIsNotOwner() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, receiver));
        vm.prank(receiver);
        token.mint(receiver, 1);
    }

    function test_Mint_CreditsReceiver() external {
        vm.prank(tokenOwner);
        token.mint(receiver, 5e18);
        assertEq(token.balanceOf(receiver), 5e18, "balance");
        assertEq(token.totalSupply(), 5e18, "supply");
    }

    function test_Mint_EmitsTransfer() external {
        vm.expectEmit(address(token));
        emit IERC20.Transfer(address(0), receiver, 7);
        vm.prank(tokenOwner);
        token.mint(receiver, 7);
    }

    function test_Metadata() external view {
        assertEq(keccak256(bytes(token.name())), keccak256("flchain Dev Token"), "name");
        assertEq(keccak256(bytes(token.symbol())), keccak256("FLD"), "symbol");
        assertEq(token.decimals(), 18, "decimals");
        assertEq(token.owner(), tokenOwner, "owner");
    }
}
