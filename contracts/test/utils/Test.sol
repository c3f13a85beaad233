// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "./Vm.sol";

/// @title Test
/// @notice flchain's minimal test base (in place of forge-std): the cheatcode handle, `bound`,
/// and assertions that revert with both values spelled out, so a failure reads
/// "assertEq(uint256) failed: stake: 10 != 11".
abstract contract Test {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    // ---------------------------------------------------------------- assertions

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) _fail("assertTrue", what, "false");
    }

    function assertTrue(bool condition) internal pure {
        assertTrue(condition, "");
    }

    function assertFalse(bool condition, string memory what) internal pure {
        if (condition) _fail("assertFalse", what, "true");
    }

    function assertFalse(bool condition) internal pure {
        assertFalse(condition, "");
    }

    function assertEq(uint256 a, uint256 b, string memory what) internal pure {
        if (a != b) _fail("assertEq(uint256)", what, _pair(vm.toString(a), " != ", vm.toString(b)));
    }

    function assertEq(uint256 a, uint256 b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(bytes32 a, bytes32 b, string memory what) internal pure {
        if (a != b) _fail("assertEq(bytes32)", what, _pair(vm.toString(a), " != ", vm.toString(b)));
    }

    function assertEq(bytes32 a, bytes32 b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(address a, address b, string memory what) internal pure {
        if (a != b) _fail("assertEq(address)", what, _pair(vm.toString(a), " != ", vm.toString(b)));
    }

    function assertEq(address a, address b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(bool a, bool b, string memory what) internal pure {
        if (a != b) _fail("assertEq(bool)", what, _pair(vm.toString(a), " != ", vm.toString(b)));
    }

    function assertEq(bool a, bool b) internal pure {
        assertEq(a, b, "");
    }

    function assertEq(bytes memory a, bytes memory b, string memory what) internal pure {
        if (keccak256(a) != keccak256(b)) _fail("assertEq(bytes)", what, "bytes differ");
    }

    function assertNotEq(bytes32 a, bytes32 b, string memory what) internal pure {
        if (a == b) _fail("assertNotEq(bytes32)", what, _pair(vm.toString(a), " == ", vm.toString(b)));
    }

    function assertGt(uint256 a, uint256 b, string memory what) internal pure {
        if (a <= b) _fail("assertGt", what, _pair(vm.toString(a), " <= ", vm.toString(b)));
    }

    function assertGe(uint256 a, uint256 b, string memory what) internal pure {
        if (a < b) _fail("assertGe", what, _pair(vm.toString(a), " < ", vm.toString(b)));
    }

    function assertLt(uint256 a, uint256 b, string memory what) internal pure {
        if (a >= b) _fail("assertLt", what, _pair(vm.toString(a), " >= ", vm.toString(b)));
    }

    function assertLe(uint256 a, uint256 b, string memory what) internal pure {
        if (a > b) _fail("assertLe", what, _pair(vm.toString(a), " > ", vm.toString(b)));
    }

    // ---------------------------------------------------------------- fuzzing helpers

    /// @notice Maps `x` into [min, max] without rejecting inputs (uniform enough for fuzzing).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }

    /// @notice A labelled address derived from `name`.
    function makeAddr(string memory name) internal returns (address account) {
        account = address(uint160(uint256(keccak256(abi.encodePacked(name)))));
        vm.label(account, name);
    }

    // ---------------------------------------------------------------- internals

    function _pair(string memory a, string memory op, string memory b) private pure returns (string memory) {
        return string.concat(a, op, b);
    }

    function _fail(string memory assertion, string memory what, string memory detail) private pure {
        revert(string.concat(assertion, " failed: ", bytes(what).length == 0 ? "" : string.concat(what, ": "), detail));
    }
}
