// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IStakeLocker
/// @notice A contract whose records keep a coordinator member's stake in the task: while
/// `stakeLockOf` is non-zero, `FLCoordinator.leave` reverts (`MemberStakeLocked`). The dataset
/// registry is one: a shard-draw ticket locks its holder's stake until the draw is fixed.
/// Locks must be bounded in time and releasable by anyone, so that no honest stake is stuck.
interface IStakeLocker {
    /// @notice The lock on `member`'s stake in task `taskId`: the draw whose ticket it holds, if
    /// that draw is not fixed yet; 0 when the stake is free.
    /// @param taskId The coordinator's task.
    /// @param member The member.
    /// @return draw The unfixed draw holding the stake (0: none).
    function stakeLockOf(uint256 taskId, address member) external view returns (uint32 draw);
}
