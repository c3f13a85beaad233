// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TaskConfig, Round, RoundPhase} from "../../types/DataTypes.sol";
import {Base} from "../Base.t.sol";

/// @notice Reward splitting: for any reward, attester share and numbers of accepted contributors
/// and winning attesters, each gets exactly the floor of its stake's share of its pool, the round
/// pays out at most its reward, and slashes round up and are burned.
contract RewardSplitTest is Base {
    uint256 private constant BPS = 10_000;
    uint128 private constant ATTESTER_STAKE = 1e24;

    function memberAt(uint256 i) private pure returns (address) {
        return address(uint160(0x10000 + i));
    }

    /// @dev Members 0..max(n, m)-1. The first n commit and reveal and are accepted; the first m
    /// attest the winner. Attesters hold 1e24 each and the others 1 wei, with a 99.99% quorum:
    /// exactly the m-th attestation reaches it.
    function playRound(uint256 n, uint256 m) private returns (uint256 winners) {
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
        // The 90% quorum may be reached before the m-th attestation: later ones are not made.
        for (uint256 i; i < m && phase() != RoundPhase.QuorumReached; ++i) {
            attestAs(memberAt(i), MODEL, bitmap);
            winners = i + 1;
        }
        finalize(MODEL, bitmap);
    }

    function testFuzz_FinalizeRound_PaysProRataOfStake(
        uint128 reward,
        uint16 shareBps,
        uint8 contributors,
        uint8 attesters
    ) external {
        reward = uint128(bound(reward, 0, type(uint96).max));
        shareBps = uint16(bound(shareBps, 0, BPS));
        uint256 n = bound(contributors, 0, 12);
        uint256 m = bound(attesters, 1, 12);

        TaskConfig memory config = defaultConfig();
        config.numRounds = 1;
        config.rewardPerRound = reward;
        config.attesterShareBps = shareBps;
        config.minStake = 1;
        config.quorumBps = 9000;
        config.maxParticipants = 256;
        token.mint(owner, reward);
        taskId = createTask(config);
        uint256 winners = playRound(n, m);

        uint256 attesterPool = uint256(reward) * shareBps / BPS;
        uint256 contributorPool = n == 0 ? 0 : reward - attesterPool;
        Round memory r = coordinator.getRound(taskId, 1);
        assertEq(r.contributorPool, contributorPool, "contributorPool");
        assertEq(r.attesterPool, attesterPool, "attesterPool");
        assertEq(r.acceptedCount, n, "acceptedCount");
        assertEq(r.winningAttesters, winners, "winningAttesters");
        assertEq(task_().unclaimedRewards, contributorPool + attesterPool, "unclaimedRewards");
        assertEq(task_().rewardPool, reward - contributorPool - attesterPool, "rest stays in the pool");

        uint256 paid;
        uint256 k = n > m ? n : m;
        for (uint256 i; i < k; ++i) {
            address who = memberAt(i);
            uint256 stake = i < m ? ATTESTER_STAKE : 1;
            uint256 expected = (i < n ? contributorPool * stake / r.revealedStake : 0)
                + (i < winners ? attesterPool * stake / r.winningStake : 0);
            uint256 before = balanceOf(who);
            if (expected == 0) {
                coordinator.settle(taskId, who);
                assertEq(member(who).rewards, 0, "nothing credited");
                continue;
            }
            vm.prank(who);
            coordinator.claim(taskId);
            assertEq(balanceOf(who) - before, expected, "floor of the stake share");
            paid += expected;
        }
        assertLe(paid, contributorPool + attesterPool, "paid <= allotted");
        assertEq(task_().unclaimedRewards, contributorPool + attesterPool - paid, "dust stays unclaimed");
    }

    /// @dev The widest accepted set: 256 reveals, bitmap of all ones (popcount 256).
    function test_FinalizeRound_With256Contributors() external {
        TaskConfig memory config = defaultConfig();
        config.numRounds = 1;
        config.minStake = 1;
        config.quorumBps = 9000;
        config.maxParticipants = 256;
        taskId = createTask(config);
        playRound(256, 3);
        Round memory r = coordinator.getRound(taskId, 1);
        assertEq(r.acceptedCount, 256, "acceptedCount");
        uint256 pool = REWARD_PER_ROUND * (BPS - ATTESTER_SHARE_BPS) / BPS;
        assertEq(r.contributorPool, pool, "contributor pool");
        coordinator.settle(taskId, memberAt(255));
        assertEq(member(memberAt(255)).rewards, pool * 1 / r.revealedStake, "the last reveal index is paid its share");
        vm.prank(memberAt(0));
        assertGt(coordinator.claim(taskId), pool * ATTESTER_STAKE / r.revealedStake, "contributor and attester");
    }

    function testFuzz_Settle_SlashesCeilShareOfStakeAndBurnsIt(uint96 stake, uint16 slashBps) external {
        stake = uint96(bound(stake, 1, type(uint96).max));
        slashBps = uint16(bound(slashBps, 0, BPS / 2));
        TaskConfig memory config = defaultConfig();
        config.minStake = 1;
        config.slashBps = slashBps;
        config.rejectSlashBps = 0;
        taskId = createTask(config);
        fund(alice, stake);
        join(alice, stake);
        fund(bob, 1);
        join(bob, 1);
        startRound();
        commitAs(alice, 1);
        commitAs(bob, 1);
        warpToReveal();
        revealAs(bob, 1); // someone revealed: the reveal phase was live
        warpPastAttest();
        coordinator.settle(taskId, bob); // records the failure (pays bob, the revealer)
        uint128 pool = task_().rewardPool;
        coordinator.settle(taskId, alice);
        uint256 slash = (uint256(stake) * slashBps + BPS - 1) / BPS;
        assertEq(member(alice).stake, stake - slash, "stake");
        assertEq(task_().totalStake, stake - slash + 1, "totalStake (bob's 1 included)");
        assertEq(task_().burnedStake, slash, "burned");
        assertEq(task_().rewardPool, pool, "rewardPool unchanged");
    }
}
