// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MemberFlags
/// @notice Bits of `Member.flags`.
library MemberFlags {
    uint8 internal constant JOINED = 1;
    uint8 internal constant COMMITTED = 2;
    uint8 internal constant REVEALED = 4;
    uint8 internal constant ATTESTED = 8;
    /// @dev Set when a slash leaves the stake below the task's minimum: the member may only leave.
    uint8 internal constant UNDERSTAKED = 16;
    /// @dev Set by `unbond`: the member's stake leaves the quorum bases after its last round.
    uint8 internal constant UNBONDING = 32;
    /// @dev Set by `commitAttestation`; `ATTESTED` is set once that commitment is revealed (only a
    /// revealed attestation counts, for the quorum, the pay and the inactivity assessment).
    uint8 internal constant ATTEST_COMMITTED = 64;

    /// @dev The bits that describe work in `activeRound`, cleared on settlement.
    uint8 internal constant ROUND_WORK = COMMITTED | REVEALED | ATTESTED | ATTEST_COMMITTED;
}
