// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TaskConfig, Round} from "../../types/DataTypes.sol";
import {Base} from "../Base.t.sol";

/// @notice Reward splitting: for any reward, attester share and numbers of accepted contributors
/// and winning attesters, each gets exactly the floor of its pool's per-head share, the round
/// pays out at most its reward, and the dust stays in the pool.
contract RewardSplitTest is Base {
    uint256 private constant BPS = 10_000;
    uint128 private constant ATTESTER_STAKE = 1e24;

    function memberAt(uint256 i) private pure returns (address) {
        return address(uint160(0x10000 + i));
    }

    /// @dev Members 0..max(n, m)-1. The first n commit and reveal and are accepted; the first m
    /// attest the winner. Attesters hold 1e24 each and the others 1 wei, with a 99.99% quorum:
    /// exactly the m-th attestation reaches it.
    function playRound(uint256 n, uint256 m) private {
        uint256 k = n > m ? n : m;
        for (uint256 i; i < k; ++i) {
            address who = memberAt(i);
            uint128 stake = i < m ? ATTESTER_STAKE : 1;
            fund(who, stake);
            join(who, stake);
        }
        startRound();
        for (uint256 i; i < n; ++i) {
            commitAs(memberAt(i), 1);
        }
        warpToReveal();
        for (uint256 i; i < n; ++i) {
            revealAs(memberAt(i), 1);
        }
        warpToAttest();
        uint256 bitmap = n == 256 ? type(uint256).max : (uint256(1) << n) - 1;
        for (uint256 i; i < m; ++i) {
            attestAs(memberAt(i), MODEL, bitmap);
        }
        finalize(MODEL, bitmap);
    }

    function testFuzz_FinalizeRound_SplitsReward(uint128 reward, uint16 shareBps, uint8 contributors, uint8 attesters)
        external
    {
        reward = uint128(bound(reward, 0, type(uint96).max));
        shareBps = uint16(bound(shareBps, 0, BPS));
        uint256 n = bound(contributors, 0, 12);
        uint256 m = bound(attesters, 1, 12);

        TaskConfig memory config = defaultConfig();
        config.numRounds = 1;
        config.rewardPerRound = reward;
        config.attesterShareBps = shareBps;
        config.minStake = 1;
        config.quorumBps = 9999;
        config.maxParticipants = 256;
        token.mint(owner, reward);
        taskId = createTask(config);
        playRound(n, m);

        uint256 attesterPool = uint256(reward) * shareBps / BPS;
        uint256 contributorPool = reward - attesterPool;
        uint256 perContributor = n == 0 ? 0 : contributorPool / n;
        uint256 perAttester = attesterPool / m;
        Round memory r = coordinator.getRound(taskId, 1);
        assertEq(r.rewardPerContributor, perContributor, "rewardPerContributor");
        assertEq(r.rewardPerAttester, perAttester, "rewardPerAttester");
        assertEq(r.acceptedCount, n, "acceptedCount");
        assertEq(r.winningAttesters, m, "winningAttesters");

        uint256 allotted = perContributor * n + perAttester * m;
        assertLe(allotted, reward, "paid sum <= reward");
        assertEq(task_().unclaimedRewards, allotted, "unclaimedRewards");
        assertEq(task_().rewardPool, reward - allotted, "dust stays in the pool");

        uint256 paid;
        uint256 k = n > m ? n : m;
        for (uint256 i; i < k; ++i) {
            address who = memberAt(i);
            uint256 expected = (i < n ? perContributor : 0) + (i < m ? perAttester : 0);
            uint256 before = balanceOf(who);
            if (expected == 0) {
                coordinator.settle(taskId, who);
                assertEq(member(who).rewards, 0, "nothing credited");
                continue;
            }
            vm.prank(who);
            coordinator.claim(taskId);
            assertEq(balanceOf(who) - before, expected, "floor share");
            paid += expected;
        }
        assertEq(paid, allotted, "paid = allotted");
        assertEq(task_().unclaimedRewards, 0, "all claimed");
    }

    /// @dev The widest accepted set: 256 reveals, bitmap of all ones (popcount 256).
    function test_FinalizeRound_With256Contributors() external {
        TaskConfig memory config = defaultConfig();
        config.numRounds = 1;
        config.minStake = 1;
        config.quorumBps = 9999;
        config.maxParticipants = 256;
        taskId = createTask(config);
        playRound(256, 3);
        Round memory r = coordinator.getRound(taskId, 1);
        assertEq(r.acceptedCount, 256, "acceptedCount");
        assertEq(r.rewardPerContributor, (REWARD_PER_ROUND * (BPS - ATTESTER_SHARE_BPS) / BPS) / 256, "per head");
        vm.prank(memberAt(255));
        assertEq(coordinator.claim(taskId), r.rewardPerContributor, "the last reveal index is paid");
    }

    function testFuzz_Settle_SlashesFloorShareOfStake(uint96 stake, uint16 slashBps) external {
        stake = uint96(bound(stake, 1, type(uint96).max));
        slashBps = uint16(bound(slashBps, 0, BPS));
        TaskConfig memory config = defaultConfig();
        config.minStake = 1;
        config.slashBps = slashBps;
        taskId = createTask(config);
        fund(alice, stake);
        join(alice, stake);
        startRound();
        commitAs(alice, 1);
        warpPastAttest();
        uint128 pool = task_().rewardPool;
        coordinator.settle(taskId, alice);
        uint256 slash = uint256(stake) * slashBps / BPS;
        assertEq(member(alice).stake, stake - slash, "stake");
        assertEq(task_().totalStake, stake - slash, "totalStake");
        assertEq(task_().rewardPool, pool + slash, "rewardPool");
    }
}
