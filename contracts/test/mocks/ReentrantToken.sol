// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice What a receiver of ReentrantToken implements (an ERC-777-style hook).
interface ITokenReceiver {
    function tokensReceived(address from, uint256 amount) external;
}

/// @title ReentrantToken
/// @notice An ERC-20 that calls `tokensReceived` on a receiver that registered for it, after
/// every transfer to it: the receiver gets control in the middle of the sender's function.
contract ReentrantToken is ERC20 {
    mapping(address account => bool) public hooked;

    constructor() ERC20("Reentrant Token", "REE") {}

    /// @notice Mints `amount` to `to` (no access control: test-only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice The caller asks to be called back on every transfer it receives.
    function registerHook() external {
        hooked[msg.sender] = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0) && hooked[to]) ITokenReceiver(to).tokensReceived(from, value);
    }
}
