// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title SlashReasons
/// @notice Bits of the `reasons` field of the `Slashed` event. A member is slashed at most once
/// per round, whatever the number of reasons.
library SlashReasons {
    /// @dev Committed an update and never revealed it (in a round that finalized, or failed with
    /// at least one reveal).
    uint8 internal constant UNREVEALED = 1;
    /// @dev Revealed an update that the winning result left out of the accepted set.
    uint8 internal constant REJECTED_UPDATE = 2;
    /// @dev Attested a result other than the winning one.
    uint8 internal constant LOSING_ATTESTATION = 4;
    /// @dev In the stake snapshot of failed rounds without attesting in them (see `InactivityPenalized`).
    uint8 internal constant INACTIVE = 8;
}
