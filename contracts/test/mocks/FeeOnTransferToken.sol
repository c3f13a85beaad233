// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken
/// @notice An ERC-20 that burns `feeBps` of every transfer: the receiver gets less than was sent.
/// The coordinator must reject it (TaskTokenTransferMismatch).
contract FeeOnTransferToken is ERC20 {
    uint256 private constant _BPS = 10_000;
    uint256 public feeBps;

    constructor(uint256 feeBps_) ERC20("Fee Token", "FEE") {
        feeBps = feeBps_;
    }

    /// @notice Mints `amount` to `to` (no access control: test-only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Switches the fee (e.g. on after a task was created with it off).
    function setFeeBps(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = from == address(0) || to == address(0) ? 0 : (value * feeBps) / _BPS;
        super._update(from, to, value - fee);
        if (fee != 0) super._update(from, address(0), fee);
    }
}
