// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title FLDevToken
/// @notice A plain ERC-20 for local devnets: the deployment mints it to the dev accounts so they
/// can fund tasks and stake. Not meant for a public chain.
contract FLDevToken is ERC20, Ownable {
    /// @param owner_ The account allowed to mint.
    constructor(address owner_) ERC20("flchain Dev Token", "FLD") Ownable(owner_) {}

    /// @notice Mints `amount` to `to`. Requirements: caller is the owner.
    /// @param to The receiver.
    /// @param amount The amount, in the smallest unit (18 decimals).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
