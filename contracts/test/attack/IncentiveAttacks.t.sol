// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {TaskConfig, RoundPhase, Round} from "../../types/DataTypes.sol";
import {Base} from "../Base.t.sol";

/// @notice Economic attacks of issue 11, each played as an attacker would. Every test failed on
/// the coordinator before the incentive redesign (the attack paid, or the call went through)
/// and passes now (the attacker ends poorer than honest behaviour, or the call reverts with a
/// named error). See the README's "Threat model".
contract IncentiveAttacksTest is Base {
    address internal whale;
    address internal puppet;
    address internal stranger;

    function setUp() public override {
        super.setUp();
        whale = makeAddr("whale");
        puppet = makeAddr("puppet");
        stranger = makeAddr("stranger");
        fund(whale, FUNDS);
        fund(puppet, FUNDS);
    }

    // ------------------------------------------------------------------ 1. late whale capture

    /// @dev A whale joining in round 1's last moments is not in round 2's quorum base and may not
    /// attest in it: it must stay bonded a full round (old code: firstRound 2, 10x the honest
    /// stake in round 2's snapshot, quorum alone).
    function test_LateWhale_CannotWeighInTheNextRound() external {
        joinThreeAndStart();
        commitAndRevealThree();
        join(whale, 10 * STAKE);
        attestThree(MODEL, 0x7);
        finalize(MODEL, 0x7);

        assertEq(currentRound(), 2, "round 2 open");
        assertEq(round_().totalStake, 3 * STAKE, "the whale is not in round 2's quorum base");
        assertEq(member(whale).firstRound, 3, "the whale works from round 3");
        warpToAttest();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.MemberNotEligible.selector, taskId, 2, 3));
        commitAttestationAs(whale, 2, OTHER_MODEL, 0);
    }

    // ------------------------------------------------------------------ 2. blocking minority harvest

    /// @dev The owner's sock puppet holds more than 1 - quorum of the stake and stays silent, so
    /// the round fails after every update was revealed. The owner then closes: the revealers are
    /// paid the round's contributor pool and the owner gets back less than the escrow (old code:
    /// the whole escrow, the updates for free).
    function test_BlockingMinority_CannotHarvestUpdatesForFree() external {
        join(alice);
        join(bob);
        join(puppet, 2 * STAKE); // 40% of the stake: the honest 60% < 66.67% quorum
        startRound();
        commitAs(alice);
        commitAs(bob);
        warpToReveal();
        revealAs(alice);
        revealAs(bob);
        warpToAttest();
        attestAs(alice, MODEL, 0x3);
        attestAs(bob, MODEL, 0x3);
        warpPastAttest();
        assertEq(uint256(phase()), uint256(RoundPhase.Failed), "blocked");

        uint256 escrow = uint256(REWARD_PER_ROUND) * NUM_ROUNDS;
        uint256 contributorPool = REWARD_PER_ROUND - REWARD_PER_ROUND * ATTESTER_SHARE_BPS / 10_000;
        uint256 before = balanceOf(owner);
        vm.prank(owner);
        coordinator.closeTask(taskId);
        assertEq(balanceOf(owner) - before, escrow - contributorPool, "the failed round's work is paid for");

        uint256 aliceBefore = balanceOf(alice);
        vm.prank(alice);
        coordinator.claim(taskId);
        assertEq(balanceOf(alice) - aliceBefore, contributorPool / 2, "a revealer is paid its stake's share");
    }

    /// @dev A failed round with no revealed update costs the owner nothing: nothing was published.
    function test_FailedRoundWithoutReveals_KeepsTheEscrow() external {
        joinThreeAndStart();
        warpPastAttest();
        uint256 before = balanceOf(owner);
        vm.prank(owner);
        coordinator.closeTask(taskId);
        assertEq(balanceOf(owner) - before, uint256(REWARD_PER_ROUND) * NUM_ROUNDS, "full refund");
    }

    // ------------------------------------------------------------------ 3. owner-steered slashing

    /// @dev The accepted set is steered (e.g. by the owner's FLTrust reference) to reject every
    /// honest update: the honest are slashed the capped reject rate, but neither the slashes nor
    /// the rejected shares reach the owner (old code: slashes flowed into the refundable pool).
    function test_OwnerSteeredRejection_PaysTheOwnerNothing() external {
        joinThreeAndStart();
        commitAndRevealThree();
        attestThree(MODEL, 0); // nothing accepted
        finalize(MODEL, 0);
        coordinator.settle(taskId, alice);
        coordinator.settle(taskId, bob);
        coordinator.settle(taskId, carol);
        uint256 slashed = 3 * ((uint256(STAKE) * SLASH_BPS + 9_999) / 10_000);
        assertEq(task_().burnedStake, slashed, "slashes are burned");

        // Round 2 fails unattended; the owner closes.
        warpPastAttest();
        uint256 before = balanceOf(owner);
        vm.prank(owner);
        coordinator.closeTask(taskId);
        uint256 escrow = uint256(REWARD_PER_ROUND) * NUM_ROUNDS;
        assertEq(balanceOf(owner) - before, escrow - REWARD_PER_ROUND, "refund: only the unplayed rounds' escrow");
    }

    function test_RevertWhen_RejectSlashAboveCap() external {
        TaskConfig memory config = defaultConfig();
        config.slashBps = 5000;
        config.rejectSlashBps = 5000;
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskInvalidConfig.selector, "rejectSlashBps"));
        vm.prank(owner);
        coordinator.createTask(config);
    }

    // ------------------------------------------------------------------ 4. unbounded configuration

    function expectInvalid(TaskConfig memory config, string memory parameter) private {
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskInvalidConfig.selector, parameter));
        vm.prank(owner);
        coordinator.createTask(config);
    }

    /// @dev A reveal window shorter than a block slashes every committer.
    function test_RevertWhen_RevealWindowBelowAMinute() external {
        TaskConfig memory config = defaultConfig();
        config.revealDuration = 1;
        expectInvalid(config, "revealDuration");
    }

    /// @dev An attest duration near 2**64 overflowed the next round's deadline in finalizeRound,
    /// locking every stake.
    function test_RevertWhen_AttestDurationBeyondThirtyDays() external {
        TaskConfig memory config = defaultConfig();
        config.attestDuration = type(uint64).max - 1;
        expectInvalid(config, "attestDuration");
        config.attestDuration = 30 days + 1;
        expectInvalid(config, "attestDuration");
    }

    function test_RevertWhen_SlashAboveHalfTheStake() external {
        TaskConfig memory config = defaultConfig();
        config.slashBps = 10_000;
        expectInvalid(config, "slashBps");
    }

    /// @dev With a 100% quorum one sock puppet at minimum stake blocks every round.
    function test_RevertWhen_QuorumAboveNinetyPercent() external {
        TaskConfig memory config = defaultConfig();
        config.quorumBps = 10_000;
        expectInvalid(config, "quorumBps");
    }

    // ------------------------------------------------------------------ 5. close griefing

    function failedRound() private {
        joinThreeAndStart();
        warpPastAttest();
    }

    /// @dev A stranger cannot front-run closeTask with startRound (old code: anyone could).
    function test_RevertWhen_StrangerRestartsAfterFailure() external {
        failedRound();
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskUnauthorized.selector, taskId, stranger));
        vm.prank(stranger);
        coordinator.startRound(taskId);
    }

    /// @dev During the owner's window even a member cannot restart; the owner closes.
    function test_OwnerWindow_MemberCannotRestartAndOwnerCloses() external {
        failedRound();
        uint64 until = round_().attestDeadline + ATTEST_DURATION;
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskOwnerWindow.selector, taskId, until));
        vm.prank(alice);
        coordinator.startRound(taskId);
        vm.prank(owner);
        coordinator.closeTask(taskId);
    }

    /// @dev After the window a member may retry, so that a silent owner cannot stall the task.
    function test_AfterOwnerWindow_MemberRestarts() external {
        failedRound();
        vm.warp(round_().attestDeadline + ATTEST_DURATION);
        vm.prank(alice);
        assertEq(coordinator.startRound(taskId), 2, "round 2");
    }

    // ------------------------------------------------------------------ 7. leftovers

    /// @dev Splitting one stake over three accounts earns no more than the one account (old code:
    /// rewards per head, so the three accounts took three shares instead of one).
    function test_SybilSplit_EarnsNoMoreThanOneAccount() external {
        uint256 single = _playSybilRound(false);
        uint256 split = _playSybilRound(true);
        assertLe(split, single, "splitting does not pay");
        assertGt(single, 0, "the single account is paid");
    }

    /// @dev One honest member (alice) and the attacker's 3 * STAKE, in one account (bob) or three
    /// (bob, carol, dave): returns what the attacker's accounts earn in a fully accepted round.
    function _playSybilRound(bool split) private returns (uint256 earned) {
        TaskConfig memory config = defaultConfig();
        config.numRounds = 1;
        taskId = createTask(config);
        join(alice);
        address[] memory accounts = new address[](split ? 3 : 1);
        accounts[0] = bob;
        if (split) {
            accounts[1] = carol;
            accounts[2] = dave;
        }
        for (uint256 i; i < accounts.length; ++i) {
            join(accounts[i], uint128(3 * STAKE / accounts.length));
        }
        uint32 round = startRound();
        commitAs(alice);
        for (uint256 i; i < accounts.length; ++i) {
            commitAs(accounts[i]);
        }
        warpToReveal();
        revealAs(alice);
        for (uint256 i; i < accounts.length; ++i) {
            revealAs(accounts[i]);
        }
        warpToAttest();
        uint256 all = (uint256(1) << (accounts.length + 1)) - 1;
        attestAs(alice, MODEL, all);
        for (uint256 i; i < accounts.length && phase() != RoundPhase.QuorumReached; ++i) {
            attestAs(accounts[i], MODEL, all);
        }
        finalize(MODEL, all);
        assertEq(coordinator.getRound(taskId, round).acceptedCount, accounts.length + 1, "all accepted");
        for (uint256 i; i < accounts.length; ++i) {
            coordinator.settle(taskId, accounts[i]);
            earned += member(accounts[i]).rewards;
        }
    }

    /// @dev Members slashed below the minimum may not attest: their stake leaves the quorum base, so
    /// that silent, expelled stake cannot block the honest (old code: only the slashed part left it,
    /// and alice + bob, 2 of 3.8 stakes, could never reach the 66.67% quorum again).
    function test_UnderstakedStake_LeavesTheQuorumBase() external {
        join(alice);
        join(bob);
        join(carol);
        join(dave);
        startRound();
        commitAs(carol);
        commitAs(dave);
        commitAs(alice);
        warpToReveal();
        revealAs(alice); // someone revealed: the reveal phase was live
        warpToAttest(); // alice and bob attest (50% < quorum): only carol and dave are at fault
        attestAs(alice, MODEL, 0);
        attestAs(bob, MODEL, 0);
        warpPastAttest(); // round 1 fails; carol's and dave's unrevealed commits are slashed below the minimum
        startRound();
        coordinator.settle(taskId, carol);
        coordinator.settle(taskId, dave);
        assertEq(round_().totalStake, 2 * STAKE, "only alice and bob count");
        warpToAttest();
        attestAs(alice, MODEL, 0);
        attestAs(bob, MODEL, 0);
        assertEq(uint256(phase()), uint256(RoundPhase.QuorumReached), "the honest reach the quorum");
        uint32 next = currentRound() + 1;
        finalize(MODEL, 0);
        assertEq(coordinator.getRound(taskId, next).totalStake, 2 * STAKE, "and the next base excludes them too");
    }

    /// @dev commit on an unknown task names the task (old code: RoundWrongPhase).
    function test_RevertWhen_CommitOnUnknownTask() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 99));
        vm.prank(alice);
        coordinator.commit(99, 1, keccak256("commitment"));
    }
}
