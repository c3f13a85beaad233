// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FLCoordinator} from "../../FLCoordinator.sol";
import {ModelRegistry} from "../../ModelRegistry.sol";
import {Task, Member, Round, RoundStatus} from "../../types/DataTypes.sol";
import {MemberFlags} from "../../libraries/MemberFlags.sol";
import {CoordinatorHandler} from "../handlers/CoordinatorHandler.sol";
import {MockERC20} from "../mocks/MockERC20.sol";
import {Test} from "../utils/Test.sol";

/// @notice Invariants of the coordinator under random call sequences (see ../README.md).
contract CoordinatorInvariantTest is Test {
    MockERC20 private token;
    ModelRegistry private registry;
    FLCoordinator private coordinator;
    CoordinatorHandler private handler;

    function setUp() external {
        vm.warp(1_700_000_000);
        token = new MockERC20("flchain test token", "FLT");
        registry = new ModelRegistry(address(this));
        coordinator = new FLCoordinator(registry);
        registry.setCoordinator(address(coordinator));
        handler = new CoordinatorHandler(coordinator, registry, token);
    }

    function targetContracts() external view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// balanceOf(coordinator) == Σ_tasks (totalStake + unclaimedRewards + rewardPool + burnedStake)
    function invariant_BalanceEqualsLiabilities() external view {
        uint256 owed;
        for (uint256 i; i < handler.taskCount(); ++i) {
            Task memory t = coordinator.getTask(handler.taskIds(i));
            owed += uint256(t.totalStake) + t.unclaimedRewards + t.rewardPool + t.burnedStake;
        }
        assertEq(token.balanceOf(address(coordinator)), owed, "balance == liabilities");
    }

    /// per task: totalStake == Σ_members stake, unbondingStake == Σ_{unbonding members} stake and
    /// unclaimedRewards >= Σ_members rewards
    function invariant_StakeAndRewardSums() external view {
        for (uint256 i; i < handler.taskCount(); ++i) {
            uint256 id = handler.taskIds(i);
            uint256 stakes;
            uint256 unbonding;
            uint256 rewards;
            for (uint256 j; j < handler.actorCount(); ++j) {
                Member memory m = coordinator.getMember(id, handler.actors(j));
                stakes += m.stake;
                if (m.flags & MemberFlags.UNBONDING != 0) unbonding += m.stake;
                rewards += m.rewards;
            }
            Task memory t = coordinator.getTask(id);
            assertEq(t.totalStake, stakes, "totalStake == sum of stakes");
            assertEq(t.unbondingStake, unbonding, "unbondingStake == sum of unbonding stakes");
            assertGe(t.unclaimedRewards, rewards, "unclaimedRewards >= sum of credited rewards");
        }
    }

    /// per task: rewardPool + unclaimedRewards + claimed + refunded == escrow  ∧  burnedStake == slashed
    function invariant_RewardConservation() external view {
        for (uint256 i; i < handler.taskCount(); ++i) {
            uint256 id = handler.taskIds(i);
            Task memory t = coordinator.getTask(id);
            assertEq(
                uint256(t.rewardPool) + t.unclaimedRewards + handler.ghostClaimedTotal(id) + handler.ghostRefunded(id),
                handler.ghostEscrow(id),
                "rewards are neither created nor lost"
            );
            assertEq(t.burnedStake, handler.ghostSlashed(id), "every slash is burned, none reaches the escrow");
        }
    }

    /// per actor: claimed <= credited == entitled - pending; received == returned + claimed; returned <= staked
    function invariant_NoOneClaimsMoreThanCredited() external view {
        for (uint256 j; j < handler.actorCount(); ++j) {
            address actor = handler.actors(j);
            uint256 payouts;
            for (uint256 i; i < handler.taskCount(); ++i) {
                uint256 id = handler.taskIds(i);
                uint256 claimed = handler.ghostClaimed(id, actor);
                uint256 credited = handler.ghostCredited(id, actor);
                assertLe(claimed, credited, "claimed <= credited");
                assertEq(
                    credited,
                    handler.ghostEntitled(id, actor) - handler.pendingReward(id, actor),
                    "credited == what the rules entitle, once settled"
                );
                assertLe(handler.ghostStakeReturned(id, actor), handler.ghostStaked(id, actor), "returned <= staked");
                payouts += claimed + handler.ghostStakeReturned(id, actor);
            }
            assertEq(handler.ghostReceived(actor), payouts, "tokens received == payouts announced");
        }
    }

    /// per task whose current round r is Open: r.totalStake == Σ_{members m, firstRound_m <= r, not understaked,
    /// not unbonded before r} stake_m
    function invariant_OpenRoundQuorumBase() external view {
        for (uint256 i; i < handler.taskCount(); ++i) {
            uint256 id = handler.taskIds(i);
            uint32 round = coordinator.getTask(id).currentRound;
            Round memory r = coordinator.getRound(id, round);
            if (r.status != RoundStatus.Open) continue;
            uint256 counted;
            for (uint256 j; j < handler.actorCount(); ++j) {
                Member memory m = coordinator.getMember(id, handler.actors(j));
                bool understaked = m.flags & MemberFlags.UNDERSTAKED != 0;
                bool unbonded = m.flags & MemberFlags.UNBONDING != 0
                    && round > coordinator.getUnbonding(id, handler.actors(j)).lastRound;
                if (m.flags != 0 && m.firstRound <= round && !understaked && !unbonded) counted += m.stake;
            }
            assertEq(r.totalStake, counted, "quorum base == stake of the members the round counts");
        }
    }

    /// ∀ task, round <= currentRound, actor: commits(task, round, actor) <= 1
    function invariant_OneCommitPerParticipantPerRound() external view {
        for (uint256 i; i < handler.taskCount(); ++i) {
            uint256 id = handler.taskIds(i);
            uint32 rounds = coordinator.getTask(id).currentRound;
            for (uint32 round = 1; round <= rounds; ++round) {
                for (uint256 j; j < handler.actorCount(); ++j) {
                    assertLe(handler.ghostCommits(id, round, handler.actors(j)), 1, "one commit per round");
                }
                assertEq(
                    handler.ghostCommitEvents(id, round), handler.ghostCommitCalls(id, round), "events == commits"
                );
            }
        }
    }

    /// ∀ InactivityPenalized(t, a, from, to, missed): missed <= #{r ∈ [from, to): r failed ∧ a did not attest in r}
    function invariant_InactivityChargesOnlySilentMembers() external view {
        assertEq(handler.ghostAttestersCharged(), 0, "no member is charged for a round it attested in");
    }

    /// ∀ finalized (task, round): getRound and registry.modelAt equal their value at finalization
    function invariant_FinalizedRoundsNeverChange() external view {
        for (uint256 k; k < handler.finalizedCount(); ++k) {
            CoordinatorHandler.Snapshot memory s = handler.finalizedAt(k);
            assertEq(handler.roundHash(s.taskId, s.round), s.roundHash, "round unchanged");
            assertEq(handler.modelHash(s.taskId, s.round), s.modelHash, "model unchanged");
        }
    }
}
