// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Bitmaps
/// @notice Constant-gas helpers for 256-bit accepted-set bitmaps.
library Bitmaps {
    /// @notice Number of set bits (SWAR popcount: a fixed number of steps, no loop).
    function popcount(uint256 x) internal pure returns (uint256) {
        // 256 set bits would not fit the one-byte field the SWAR sum ends in.
        if (x == type(uint256).max) return 256;
        // unchecked: every step keeps each field's count below its field width, and the final
        // multiplication is meant to wrap (only the top byte of the product is kept).
        unchecked {
            x = x - ((x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555);
            x = (x & 0x3333333333333333333333333333333333333333333333333333333333333333)
                + ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            return (x * 0x0101010101010101010101010101010101010101010101010101010101010101) >> 248;
        }
    }

    /// @notice Whether bit `index` of `bitmap` is set.
    function isSet(uint256 bitmap, uint256 index) internal pure returns (bool) {
        return (bitmap >> index) & 1 == 1;
    }
}
