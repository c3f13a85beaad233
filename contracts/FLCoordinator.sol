// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IFLCoordinator} from "./interfaces/IFLCoordinator.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {IStakeLocker} from "./interfaces/IStakeLocker.sol";
import {Bitmaps} from "./libraries/Bitmaps.sol";
import {Commitments} from "./libraries/Commitments.sol";
import {MemberFlags} from "./libraries/MemberFlags.sol";
import {SlashReasons} from "./libraries/SlashReasons.sol";
import {
    TaskConfig, Task, TaskStatus, Round, RoundState, RoundStatus, RoundPhase, Member, Tally, Unbonding
} from "./types/DataTypes.sol";

/// @title FLCoordinator
/// @notice Tasks, stakes, rounds (commit / reveal / attest commit / attest reveal / finalize), rewards and slashing of
/// flchain. See IFLCoordinator for the protocol. No function loops over members or updates:
/// every member's outcome is applied by `_settle` in O(1) before its balances change.
contract FLCoordinator is IFLCoordinator, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant _BPS = 10_000;
    uint256 private constant _MAX_MEMBERS = 256;
    uint64 private constant _MIN_PHASE = 60;
    uint64 private constant _MAX_PHASE = 30 days;
    uint16 private constant _MAX_QUORUM_BPS = 9000;
    uint16 private constant _MAX_SLASH_BPS = 5000;
    uint16 private constant _MAX_REJECT_SLASH_BPS = 1000;
    uint16 private constant _MIN_MEMBER_SHARE_BPS = 1000;
    uint16 private constant _MAX_MEMBER_SHARE_BPS = 5000;

    /// @inheritdoc IFLCoordinator
    uint32 public constant UNBONDING_ROUNDS = 2;

    /// @dev Inputs of one inactivity assessment (see `_assessInactivity`).
    struct Assessment {
        uint32 current; // the task's current round
        bool currentLive; // the caller knows `current` is live (not failed, not decided)
        uint96 stake; // the stake the penalty is taken from (after the work slash)
        bool attestedFailure; // the member attested or revealed in its active round, which failed
        uint32 limit; // first round not assessed, if before the last decided one (expelled by work)
    }

    IModelRegistry private immutable _registry;
    /// @dev The account allowed to wire the stake locker, once (the deployer).
    address private immutable _wirer;
    /// @dev The contract whose open locks (shard-draw tickets) keep a member from leaving.
    IStakeLocker private _stakeLocker;

    uint256 private _taskCount;
    mapping(uint256 taskId => Task) private _tasks;
    mapping(uint256 taskId => mapping(uint32 round => RoundState)) private _rounds;
    mapping(uint256 taskId => mapping(address participant => Member)) private _members;
    mapping(uint256 taskId => mapping(uint32 round => mapping(bytes32 result => Tally))) private _tallies;
    /// @dev Stake of members whose first round is `round` and who joined while round `round - 2`
    /// was the current one: not in round `round - 1`'s quorum base.
    mapping(uint256 taskId => mapping(uint32 round => uint128)) private _bondingStake;
    mapping(uint256 taskId => mapping(address participant => Unbonding)) private _unbondings;

    /// @param registry_ The model registry (wired to this coordinator after deployment).
    constructor(IModelRegistry registry_) {
        _registry = registry_;
        _wirer = msg.sender;
    }

    /// @inheritdoc IFLCoordinator
    function setStakeLocker(IStakeLocker locker) external {
        if (msg.sender != _wirer) revert StakeLockerUnauthorized(msg.sender);
        if (address(locker) == address(0)) revert StakeLockerZero();
        if (address(_stakeLocker) != address(0)) revert StakeLockerAlreadySet(address(_stakeLocker));
        _stakeLocker = locker;
        emit StakeLockerSet(address(locker));
    }

    // ------------------------------------------------------------------ tasks and membership

    /// @inheritdoc IFLCoordinator
    function createTask(TaskConfig calldata config) external nonReentrant returns (uint256 taskId) {
        _validateConfig(config);
        uint256 escrow = uint256(config.rewardPerRound) * config.numRounds;
        // Bounding the escrow bounds every reward a member can be credited (uint96 in Member).
        if (escrow > type(uint96).max) revert TaskInvalidConfig("rewardPerRound * numRounds");

        taskId = ++_taskCount;
        Task storage task = _tasks[taskId];
        task.owner = msg.sender;
        task.status = TaskStatus.Active;
        task.token = config.token;
        task.numRounds = config.numRounds;
        task.quorumBps = config.quorumBps;
        task.slashBps = config.slashBps;
        task.rejectSlashBps = config.rejectSlashBps;
        task.attesterShareBps = config.attesterShareBps;
        task.maxParticipants = config.maxParticipants;
        task.commitDuration = config.commitDuration;
        task.revealDuration = config.revealDuration;
        task.attestDuration = config.attestDuration;
        task.aggregationRule = config.aggregationRule;
        task.minStake = config.minStake;
        task.rewardPerRound = config.rewardPerRound;
        task.rewardPool = uint128(escrow);
        task.modelSpecDigest = config.modelSpecDigest;
        task.modelSpecCodec = config.modelSpecCodec;
        task.aggregationParams = config.aggregationParams;
        task.maxMemberShareBps = config.maxMemberShareBps;
        _emitTaskCreated(taskId, config);
        if (config.maxMemberShareBps != 0) emit TaskMemberShareCapped(taskId, config.maxMemberShareBps);

        _registry.recordModel(taskId, 0, 0, config.initialModelDigest, config.initialModelCodec, bytes32(0), 0);
        _pullExact(config.token, msg.sender, escrow);
    }

    /// @inheritdoc IFLCoordinator
    function join(uint256 taskId, uint128 stake, bytes32 encryptionKey) external nonReentrant {
        Task storage task = _activeTask(taskId);
        Member storage member = _members[taskId][msg.sender];
        if (member.flags & MemberFlags.JOINED != 0) revert MemberAlreadyJoined(taskId, msg.sender);
        if (stake < task.minStake) revert MemberStakeTooLow(taskId, stake, task.minStake);
        if (stake > type(uint96).max) revert MemberStakeTooHigh(taskId, stake, type(uint96).max);
        if (task.memberCount >= task.maxParticipants) revert MemberLimitReached(taskId, task.maxParticipants);

        // Bonding: once rounds run, a member's stake counts (and it works) only after one full
        // round bonded, so that a join in a round's last moments cannot weigh in the next one.
        uint32 current = task.currentRound;
        uint32 firstRound = current == 0 ? 1 : current + 2;
        // Every join is bucketed (round 1's bucket is never read: no round 0 opens).
        _bondingStake[taskId][firstRound] += uint128(stake);
        // Casts fit: stake checked above; rounds are capped at 2**24 - 1 by _openRound.
        member.stake = uint96(stake);
        member.firstRound = uint24(firstRound);
        member.flags = MemberFlags.JOINED;
        // Non-zero placeholders: later per-round writes then update a slot instead of creating one.
        member.commitment = bytes32(uint256(1));
        member.attestedResult = bytes32(uint256(1));
        member.encryptionKey = encryptionKey;
        task.memberCount += 1;
        task.totalStake += stake;
        emit ParticipantJoined(taskId, msg.sender, stake, encryptionKey, firstRound);

        _pullExact(task.token, msg.sender, stake);
    }

    /// @inheritdoc IFLCoordinator
    function setEncryptionKey(uint256 taskId, bytes32 encryptionKey) external {
        Member storage member = _member(taskId, msg.sender);
        member.encryptionKey = encryptionKey;
        emit EncryptionKeySet(taskId, msg.sender, encryptionKey);
    }

    /// @inheritdoc IFLCoordinator
    function leave(uint256 taskId) external nonReentrant {
        Task storage task = _existingTask(taskId);
        Member storage member = _member(taskId, msg.sender);
        // A stake that backs a shard-draw ticket stays until the draw is fixed: otherwise one stake
        // would take ticket after ticket (join, request, leave, pass the stake on). A view call to
        // the wired locker, before any effect.
        IStakeLocker locker = _stakeLocker;
        if (address(locker) != address(0)) {
            uint32 draw = locker.stakeLockOf(taskId, msg.sender);
            if (draw != 0) revert MemberStakeLocked(taskId, msg.sender, draw);
        }
        // Read before settlement, which may advance the cursor past the current round.
        uint32 firstRound = member.firstRound;
        uint32 current = task.currentRound;
        _settle(taskId, task, msg.sender, member, current, false);
        if (member.activeRound != 0) revert MemberHasOpenObligations(taskId, msg.sender, member.activeRound);
        uint8 flags = member.flags;
        _requireUnbonded(taskId, task, msg.sender, flags, firstRound);

        uint96 stake = member.stake;
        uint96 rewards = member.rewards;
        task.totalStake -= stake;
        // Still bonding: its stake waits in a bonding bucket not yet read (bucket `r` is read when
        // round `r - 1` opens, so only firstRound = currentRound + 2 is pending). Not for
        // firstRound = currentRound + 1: that bucket was read already, or (before round 1) is never
        // read, or the inactivity cursor moved there after a failed round and the member is in
        // no bucket at all. Cannot underflow: a pending bucket holds this stake.
        // An unbonding member's stake left the bucket at `unbond`, and every open quorum base since.
        if (flags & MemberFlags.UNBONDING != 0) {
            task.unbondingStake -= stake;
            delete _unbondings[taskId][msg.sender];
        } else if (flags & MemberFlags.UNDERSTAKED != 0) {
            // An understaked member's stake already left every quorum base when it fell below the minimum.
            task.understakedStake -= stake;
        } else {
            if (firstRound > current + 1) _bondingStake[taskId][firstRound] -= stake;
            _shrinkOpenRound(taskId, task, firstRound, stake);
        }
        task.unclaimedRewards -= rewards;
        task.memberCount -= 1;
        delete _members[taskId][msg.sender];
        emit ParticipantLeft(taskId, msg.sender, stake, rewards);

        task.token.safeTransfer(msg.sender, uint256(stake) + rewards);
    }

    /// @inheritdoc IFLCoordinator
    function unbond(uint256 taskId) external {
        Task storage task = _existingTask(taskId);
        Member storage member = _member(taskId, msg.sender);
        uint32 current = task.currentRound;
        // Outcomes and penalties first: the stake set aside below is the settled one.
        _settle(taskId, task, msg.sender, member, current, false);
        uint8 flags = member.flags;
        if (flags & MemberFlags.UNBONDING != 0) {
            revert MemberUnbonding(taskId, msg.sender, _unbondings[taskId][msg.sender].lastRound);
        }
        // Understaked: already in no quorum base, it may leave at once.
        if (flags & MemberFlags.UNDERSTAKED != 0) revert MemberUnderstaked(taskId, msg.sender);

        uint96 stake = member.stake;
        // Still bonding in a bucket not yet read (see `leave`): the stake moves to the unbonding sum.
        uint32 firstRound = member.firstRound;
        if (firstRound > current + 1) _bondingStake[taskId][firstRound] -= stake;
        task.unbondingStake += stake;
        member.flags = flags | MemberFlags.UNBONDING;
        // After settlement, work not yet settled is work in the live current round: the member stays
        // in that round's base to finish it. Without such work it leaves the open round's base now
        // (as `leave` did before unbonding), so that it neither blocks nor pays for that round.
        uint32 lastRound = current;
        if (member.activeRound == 0 && current != 0) {
            lastRound = current - 1;
            _shrinkOpenRound(taskId, task, firstRound, stake);
        }
        // Fits: rounds are capped at 2**24 - 1, phases at 30 days (90 days per round).
        uint32 leaveRound = current + UNBONDING_ROUNDS;
        uint64 leaveTime = uint64(block.timestamp)
            + UNBONDING_ROUNDS * (task.commitDuration + task.revealDuration + task.attestDuration);
        _unbondings[taskId][msg.sender] = Unbonding(lastRound, leaveRound, leaveTime);
        emit UnbondingStarted(taskId, msg.sender, stake, lastRound, leaveRound, leaveTime);
    }

    /// @inheritdoc IFLCoordinator
    function closeTask(uint256 taskId) external nonReentrant {
        Task storage task = _existingTask(taskId);
        if (msg.sender != task.owner) revert TaskUnauthorized(taskId, msg.sender);
        if (task.status == TaskStatus.Closed) revert TaskNotActive(taskId);
        _requireNoLiveRound(taskId, task);
        // A failed round's revealers are paid before the refund: their work was published.
        _recordFailure(taskId, task, task.currentRound);

        uint128 refund = task.rewardPool;
        task.rewardPool = 0;
        task.status = TaskStatus.Closed;
        emit TaskClosed(taskId, refund);

        task.token.safeTransfer(msg.sender, refund);
    }

    // ------------------------------------------------------------------ rounds

    /// @inheritdoc IFLCoordinator
    function startRound(uint256 taskId) external returns (uint32 round) {
        Task storage task = _activeTask(taskId);
        uint32 previous = task.currentRound;
        _requireNoLiveRound(taskId, task);
        if (msg.sender != task.owner) {
            // The owner opens the first round. After a failed round the owner alone may act for
            // `attestDuration` (to close without a stranger's restart racing it); then members
            // may retry too, so that a silent owner cannot stall the task.
            if (previous == 0) revert TaskUnauthorized(taskId, msg.sender);
            if (_members[taskId][msg.sender].flags & MemberFlags.JOINED == 0) {
                revert TaskUnauthorized(taskId, msg.sender);
            }
            RoundState storage last = _rounds[taskId][previous];
            // Previous is Failed here (not live, not None, and a finalized round opens the next).
            uint64 until = last.attestDeadline + task.attestDuration;
            // slither-disable-next-line timestamp -- the owner's window is defined by block time.
            if (block.timestamp < until) revert TaskOwnerWindow(taskId, until);
        }
        _recordFailure(taskId, task, previous);
        round = _openRound(taskId, task);
    }

    /// @inheritdoc IFLCoordinator
    function commit(uint256 taskId, uint32 round, bytes32 commitment) external {
        if (commitment == bytes32(0)) revert CommitEmpty();
        // Only the task's current round can be in its commit phase (a round opens only once the
        // previous one is decided), so the phase check also proves the task and round exist.
        RoundState storage r = _rounds[taskId][round];
        if (_phase(r) != RoundPhase.Commit) {
            _existingTask(taskId); // an unknown task is named as such
            _requirePhase(taskId, round, r, RoundPhase.Commit);
        }
        Member storage member = _workingMember(taskId, _tasks[taskId], round, msg.sender);
        if (member.flags & MemberFlags.COMMITTED != 0) revert CommitAlreadyExists(taskId, round, msg.sender);

        member.activeRound = uint24(round);
        member.flags |= MemberFlags.COMMITTED;
        member.commitment = commitment;
        emit UpdateCommitted(taskId, round, msg.sender, commitment);
    }

    /// @inheritdoc IFLCoordinator
    function reveal(uint256 taskId, uint32 round, bytes32 cidDigest, uint8 codec, bytes32 salt) external {
        // As in commit: being in the reveal phase makes `round` the task's current round.
        RoundState storage r = _rounds[taskId][round];
        _requirePhase(taskId, round, r, RoundPhase.Reveal);
        Member storage member = _members[taskId][msg.sender];
        uint8 flags = member.flags;
        if (member.activeRound != round || flags & MemberFlags.COMMITTED == 0) {
            revert RevealWithoutCommit(taskId, round, msg.sender);
        }
        if (flags & MemberFlags.REVEALED != 0) revert RevealAlreadyDone(taskId, round, msg.sender);
        bytes32 expected =
            Commitments.compute(cidDigest, codec, salt, msg.sender, taskId, round, block.chainid, address(this));
        if (expected != member.commitment) revert RevealMismatch(taskId, round, msg.sender);

        uint16 index = r.revealCount;
        // The stake revealed work earns on: it cannot change before this round is settled.
        // unchecked: at most 256 stakes of < 2**96 each, below 2**104.
        unchecked {
            r.revealedStake += member.stake;
        }
        member.flags = flags | MemberFlags.REVEALED;
        // Fits: reveal indices are < maxParticipants <= 256.
        member.revealIndex = uint8(index);
        // unchecked: at most 256 members reveal once per round, far below 2**16.
        unchecked {
            r.revealCount = index + 1;
        }
        emit UpdateRevealed(taskId, round, msg.sender, uint8(index), cidDigest, codec);
    }

    /// @inheritdoc IFLCoordinator
    function commitAttestation(uint256 taskId, uint32 round, bytes32 commitment) external {
        if (commitment == bytes32(0)) revert CommitEmpty();
        // As in commit: only the task's current round can be in its attest-commit phase.
        RoundState storage r = _rounds[taskId][round];
        if (_phase(r) != RoundPhase.AttestCommit) {
            _existingTask(taskId); // an unknown task is named as such
            _requirePhase(taskId, round, r, RoundPhase.AttestCommit);
        }
        Member storage member = _workingMember(taskId, _tasks[taskId], round, msg.sender);
        if (member.flags & MemberFlags.ATTEST_COMMITTED != 0) {
            revert AttestCommitAlreadyExists(taskId, round, msg.sender);
        }

        member.activeRound = uint24(round);
        member.flags |= MemberFlags.ATTEST_COMMITTED;
        // The commitment waits in the result's slot: the reveal replaces it with the result.
        member.attestedResult = commitment;
        emit AttestationCommitted(taskId, round, msg.sender, commitment);
    }

    /// @inheritdoc IFLCoordinator
    function revealAttestation(
        uint256 taskId,
        uint32 round,
        bytes32 modelDigest,
        uint8 codec,
        uint256 acceptedBitmap,
        bytes32 metricsDigest,
        bytes32 salt
    ) external {
        if (modelDigest == bytes32(0)) revert AttestEmptyModel();
        // As in reveal: being in the attest-reveal phase makes `round` the task's current round.
        RoundState storage r = _rounds[taskId][round];
        _requirePhase(taskId, round, r, RoundPhase.AttestReveal);
        uint16 revealCount = r.revealCount;
        if (revealCount < 256 && acceptedBitmap >> revealCount != 0) {
            revert AttestInvalidAcceptedSet(acceptedBitmap, revealCount);
        }
        Member storage member = _members[taskId][msg.sender];
        uint8 flags = member.flags;
        // The commit made the member a working one (eligible, not understaked), and nothing settles
        // or slashes it before this live round is decided: no check to repeat here.
        if (member.activeRound != round || flags & MemberFlags.ATTEST_COMMITTED == 0) {
            revert AttestRevealWithoutCommit(taskId, round, msg.sender);
        }
        if (flags & MemberFlags.ATTESTED != 0) revert AttestAlreadyDone(taskId, round, msg.sender);
        bytes32 expected = Commitments.computeAttestation(
            modelDigest, codec, acceptedBitmap, metricsDigest, salt, msg.sender, taskId, round, block.chainid,
            address(this)
        );
        if (expected != member.attestedResult) revert AttestRevealMismatch(taskId, round, msg.sender);

        bytes32 result = _resultId(modelDigest, codec, acceptedBitmap, metricsDigest);
        uint96 weight = member.stake;
        member.flags = flags | MemberFlags.ATTESTED;
        member.attestedResult = result;
        Tally storage tally = _tallies[taskId][round][result];
        // Fits: at most 256 stakes of < 2**96 each.
        uint104 tallied = tally.stake + weight;
        tally.stake = tallied;
        // unchecked: at most 256 members attest once per round.
        unchecked {
            tally.attesters += 1;
        }
        emit ResultAttested(taskId, round, msg.sender, result, modelDigest, codec, acceptedBitmap, metricsDigest, weight);

        uint256 counted = tallied;
        uint256 base = r.totalStake;
        Task storage task = _tasks[taskId];
        uint16 cap = task.maxMemberShareBps;
        if (cap != 0) (counted, base) = _countCapped(r, tally, weight, cap);
        // counted != 0: a capped member alone in a round counts for nothing, not for a quorum.
        if (counted != 0 && counted * _BPS >= base * task.quorumBps) {
            // quorumBps > 5000, so at most one result per round can get here.
            r.status = RoundStatus.QuorumReached;
            r.winningResult = result;
            // Fits: counted <= tallied, a sum of stakes.
            emit QuorumReached(taskId, round, result, uint128(counted));
        }
    }

    /// @inheritdoc IFLCoordinator
    function finalizeRound(
        uint256 taskId,
        bytes32 modelDigest,
        uint8 codec,
        uint256 acceptedBitmap,
        bytes32 metricsDigest
    ) external {
        Task storage task = _existingTask(taskId);
        uint32 round = task.currentRound;
        RoundState storage r = _rounds[taskId][round];
        _requirePhase(taskId, round, r, RoundPhase.QuorumReached);
        bytes32 result = _resultId(modelDigest, codec, acceptedBitmap, metricsDigest);
        if (result != r.winningResult) revert FinalizeResultMismatch(taskId, round, r.winningResult, result);

        uint32 contributors = uint32(Bitmaps.popcount(acceptedBitmap));
        Tally storage tally = _tallies[taskId][round][result];
        uint32 attesters = tally.attesters;
        (uint128 contributorPool, uint128 attesterPool) = _allotRewards(task, r.revealedStake != 0);

        r.status = RoundStatus.Finalized;
        r.acceptedBitmap = acceptedBitmap;
        // Fits: popcount of a 256-bit bitmap.
        r.acceptedCount = uint16(contributors);
        r.winningAttesters = attesters;
        r.contributorPool = contributorPool;
        r.attesterPool = attesterPool;
        r.winningStake = tally.stake;
        uint32 parent = r.parentRound;
        task.lastFinalizedRound = round;
        task.finalizedRounds += 1;
        emit RoundFinalized(
            taskId, round, modelDigest, codec, acceptedBitmap, metricsDigest, contributors, attesters,
            contributorPool, attesterPool
        );

        if (task.finalizedRounds == task.numRounds) {
            task.status = TaskStatus.Completed;
        } else {
            _openRound(taskId, task);
        }
        // Interaction last: the registry is written once every effect above is done.
        _registry.recordModel(taskId, round, parent, modelDigest, codec, metricsDigest, contributors);
    }

    // ------------------------------------------------------------------ rewards

    /// @inheritdoc IFLCoordinator
    function settle(uint256 taskId, address participant) external returns (bool settled) {
        Task storage task = _existingTask(taskId);
        Member storage member = _member(taskId, participant);
        uint24 before = member.activeRound;
        _settle(taskId, task, participant, member, task.currentRound, false);
        settled = before != 0 && member.activeRound == 0;
    }

    /// @inheritdoc IFLCoordinator
    function claim(uint256 taskId) external nonReentrant returns (uint128 amount) {
        Task storage task = _existingTask(taskId);
        Member storage member = _member(taskId, msg.sender);
        _settle(taskId, task, msg.sender, member, task.currentRound, false);
        uint96 rewards = member.rewards;
        amount = rewards;
        if (rewards == 0) revert MemberNothingToClaim(taskId, msg.sender);
        member.rewards = 0;
        task.unclaimedRewards -= amount;
        emit RewardClaimed(taskId, msg.sender, amount);

        task.token.safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IFLCoordinator
    function roundPhase(uint256 taskId, uint32 round) external view returns (RoundPhase) {
        return _phase(_rounds[taskId][round]);
    }

    /// @inheritdoc IFLCoordinator
    function getTask(uint256 taskId) external view returns (Task memory) {
        return _existingTask(taskId);
    }

    /// @inheritdoc IFLCoordinator
    function getRound(uint256 taskId, uint32 round) external view returns (Round memory) {
        RoundState storage r = _rounds[taskId][round];
        return Round({
            commitDeadline: r.commitDeadline,
            revealDeadline: r.revealDeadline,
            attestDeadline: r.attestDeadline,
            revealCount: r.revealCount,
            status: r.status,
            failuresBefore: r.failuresBefore,
            totalStake: r.totalStake,
            revealedStake: r.revealedStake,
            parentRound: r.parentRound,
            acceptedCount: r.acceptedCount,
            winningResult: r.winningResult,
            acceptedBitmap: r.acceptedBitmap,
            contributorPool: r.contributorPool,
            attesterPool: r.attesterPool,
            winningStake: r.winningStake,
            winningAttesters: r.winningAttesters
        });
    }

    /// @inheritdoc IFLCoordinator
    function getMember(uint256 taskId, address participant) external view returns (Member memory) {
        return _members[taskId][participant];
    }

    /// @inheritdoc IFLCoordinator
    function getUnbonding(uint256 taskId, address participant) external view returns (Unbonding memory) {
        return _unbondings[taskId][participant];
    }

    /// @inheritdoc IFLCoordinator
    function getTally(uint256 taskId, uint32 round, bytes32 result) external view returns (Tally memory) {
        return _tallies[taskId][round][result];
    }

    /// @inheritdoc IFLCoordinator
    function taskCount() external view returns (uint256) {
        return _taskCount;
    }

    /// @inheritdoc IFLCoordinator
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IFLCoordinator
    function stakeLocker() external view returns (address) {
        return address(_stakeLocker);
    }

    /// @inheritdoc IFLCoordinator
    function resultId(bytes32 modelDigest, uint8 codec, uint256 acceptedBitmap, bytes32 metricsDigest)
        external
        pure
        returns (bytes32)
    {
        return _resultId(modelDigest, codec, acceptedBitmap, metricsDigest);
    }

    /// @inheritdoc IFLCoordinator
    function attestCommitDeadline(uint256 taskId, uint32 round) external view returns (uint64) {
        RoundState storage r = _rounds[taskId][round];
        return _attestCommitDeadline(r.revealDeadline, r.attestDeadline);
    }

    /// @inheritdoc IFLCoordinator
    function computeAttestationCommitment(
        bytes32 modelDigest,
        uint8 codec,
        uint256 acceptedBitmap,
        bytes32 metricsDigest,
        bytes32 salt,
        address participant,
        uint256 taskId,
        uint32 round
    ) external view returns (bytes32) {
        return Commitments.computeAttestation(
            modelDigest, codec, acceptedBitmap, metricsDigest, salt, participant, taskId, round, block.chainid,
            address(this)
        );
    }

    /// @inheritdoc IFLCoordinator
    function computeCommitment(
        bytes32 cidDigest,
        uint8 codec,
        bytes32 salt,
        address participant,
        uint256 taskId,
        uint32 round
    ) external view returns (bytes32) {
        return Commitments.compute(cidDigest, codec, salt, participant, taskId, round, block.chainid, address(this));
    }

    // ------------------------------------------------------------------ internals: rounds

    /// @dev A member's counted weight in a task with a share cap: at most what keeps its share of
    /// the base, once its excess left that base, within the cap: w / (others + w) <= cap, i.e.
    /// w <= others * cap / (1 - cap), where others is the rest of the base. The excess leaves the
    /// base for the rest of the round (it attested: it neither leaves nor is slashed before the
    /// round is decided). Unanimity still reaches the quorum (every counted weight is in the
    /// base), and a member alone never does (its share is <= cap <= 50% < quorum). Rewards stay
    /// pro rata of whole stakes (`Tally.stake`).
    function _countCapped(RoundState storage r, Tally storage tally, uint96 stake, uint16 cap)
        private
        returns (uint256 counted, uint256 base)
    {
        base = r.totalStake;
        // The base counts this member's whole stake (it works in the round); defensive anyway.
        uint256 others = base > stake ? base - stake : 0;
        uint256 maxWeight = (others * cap) / (_BPS - cap);
        uint256 weight = stake;
        if (weight > maxWeight) {
            base -= weight - maxWeight;
            // Fits: base only shrinks.
            r.totalStake = uint104(base);
            weight = maxWeight;
        }
        counted = tally.weight + weight;
        // Fits: counted weights are parts of stakes, at most 256 of < 2**96 each.
        tally.weight = uint104(counted);
    }

    /// @dev Leaving needs the stake unbonded: `unbond` then `UNBONDING_ROUNDS` rounds (or their
    /// phases' time), so that a stake that weighed in a round stays at stake after it. Free to
    /// leave at once: in a task no longer running rounds (none yet, completed, closed), an
    /// understaked member (in no quorum base), and a member still bonding (`firstRound`, read
    /// before settlement, beyond the next round: never in a quorum base).
    function _requireUnbonded(uint256 taskId, Task storage task, address participant, uint8 flags, uint32 firstRound)
        private
        view
    {
        uint32 current = task.currentRound;
        if (task.status != TaskStatus.Active || current == 0 || firstRound > current + 1) return;
        if (flags & MemberFlags.UNDERSTAKED != 0) return;
        if (flags & MemberFlags.UNBONDING == 0) revert MemberStakeBonded(taskId, participant);
        Unbonding storage u = _unbondings[taskId][participant];
        // slither-disable-next-line timestamp -- the time bound only shortens an unbonding whose rounds stall.
        if (current < u.leaveRound && block.timestamp < u.leaveTime) {
            revert MemberStillUnbonding(taskId, participant, u.leaveRound, u.leaveTime);
        }
    }

    function _openRound(uint256 taskId, Task storage task) private returns (uint32 round) {
        if (task.finalizedRounds >= task.numRounds) revert TaskRoundsExhausted(taskId);
        round = task.currentRound + 1;
        if (round > type(uint24).max) revert TaskRoundsExhausted(taskId);
        // Members still bonding (joined during the previous round), understaked and unbonding members
        // are not in this quorum base. Cannot underflow: the three are disjoint parts of totalStake
        // (an unbonding member left its bucket, and a slash never makes it understaked-counted).
        uint128 stake =
            task.totalStake - _bondingStake[taskId][round + 1] - task.understakedStake - task.unbondingStake;
        if (stake == 0) revert TaskNoStake(taskId);
        task.currentRound = round;
        uint64 commitDeadline = uint64(block.timestamp) + task.commitDuration;
        uint64 revealDeadline = commitDeadline + task.revealDuration;
        uint64 attestDeadline = revealDeadline + task.attestDuration;
        RoundState storage r = _rounds[taskId][round];
        // Fit: block timestamps stay below 2**40 until the year 36812, and each phase is at most 30 days.
        r.commitDeadline = uint40(commitDeadline);
        r.revealDeadline = uint40(revealDeadline);
        r.attestDeadline = uint40(attestDeadline);
        r.status = RoundStatus.Open;
        // Prefix count of failures for inactivity assessment: the previous round is decided (and
        // a failure recorded) before this one opens. Fits: fewer failures than rounds (< 2**24).
        if (round > 1) {
            RoundState storage previous = _rounds[taskId][round - 1];
            r.failuresBefore = previous.failuresBefore + (_silenceCounts(previous) ? 1 : 0);
        }
        // Fits: at most 256 stakes of < 2**96 each; rounds are capped at 2**24 - 1 above.
        r.totalStake = uint104(stake);
        r.parentRound = uint24(task.lastFinalizedRound);
        emit RoundStarted(taskId, round, r.parentRound, commitDeadline, revealDeadline, attestDeadline, stake);
    }

    function _phase(RoundState storage r) private view returns (RoundPhase) {
        RoundStatus status = r.status;
        if (status == RoundStatus.None) return RoundPhase.None;
        if (status == RoundStatus.Finalized) return RoundPhase.Finalized;
        if (status == RoundStatus.QuorumReached) return RoundPhase.QuorumReached;
        if (status == RoundStatus.Failed) return RoundPhase.Failed;
        // slither-disable-next-line timestamp -- phases are defined by block time by design.
        if (block.timestamp < r.commitDeadline) return RoundPhase.Commit;
        uint64 revealDeadline = r.revealDeadline;
        if (block.timestamp < revealDeadline) return RoundPhase.Reveal;
        uint64 attestDeadline = r.attestDeadline;
        if (block.timestamp < _attestCommitDeadline(revealDeadline, attestDeadline)) return RoundPhase.AttestCommit;
        if (block.timestamp < attestDeadline) return RoundPhase.AttestReveal;
        return RoundPhase.Failed;
    }

    /// @dev The attest window splits in two equal halves: attestations are committed in the first
    /// and revealed in the second, so that no attestation is readable while commits are accepted
    /// (a copier would have to aggregate on its own). Halves of the window the task already has,
    /// rather than a new config field: configs, documents and deployments stay as they are, and
    /// each half keeps >= 30 s (phases are >= 60 s), enough for one transaction on any chain.
    /// Aggregation happens before the attest commit, as it happened before the attestation.
    function _attestCommitDeadline(uint64 revealDeadline, uint64 attestDeadline) private pure returns (uint64) {
        // Cannot underflow: deadlines are increasing (zero for a round never opened).
        return revealDeadline + (attestDeadline - revealDeadline) / 2;
    }

    function _requirePhase(uint256 taskId, uint32 round, RoundState storage r, RoundPhase wanted) private view {
        RoundPhase phase = _phase(r);
        if (phase != wanted) revert RoundWrongPhase(taskId, round, phase);
    }

    /// @dev A round is live while it runs or awaits finalization; Finalized/Failed/None are not.
    function _requireNoLiveRound(uint256 taskId, Task storage task) private view {
        uint32 round = task.currentRound;
        RoundPhase phase = _phase(_rounds[taskId][round]);
        if (phase != RoundPhase.None && phase != RoundPhase.Finalized && phase != RoundPhase.Failed) {
            revert TaskRoundInProgress(taskId, round);
        }
    }

    /// @dev Stake leaving the task (a member leaving, or a slash applied) while a round is open
    /// also leaves that round's quorum base, if the round counted it: otherwise the members who
    /// stay could be unable to reach the quorum. Safe: such a member has no work (and so no
    /// attestation weight) in the open round — its active round, if any, was an older one.
    function _shrinkOpenRound(uint256 taskId, Task storage task, uint32 firstRound, uint256 amount) private {
        uint32 round = task.currentRound;
        if (round == 0 || firstRound > round) return;
        RoundState storage r = _rounds[taskId][round];
        if (r.status != RoundStatus.Open) return;
        // Cannot underflow: the snapshot counted this member's stake, which only ever shrinks.
        r.totalStake -= uint104(amount);
    }

    /// @dev Moves a finalized round's reward from the escrow to the members' side. The
    /// contributor pool is allotted whenever anything was revealed, whatever the accepted set:
    /// shares of rejected updates are never paid (so nobody, owner included, gains by getting
    /// others rejected). With no reveal it stays in the escrow.
    function _allotRewards(Task storage task, bool revealed)
        private
        returns (uint128 contributorPool, uint128 attesterPool)
    {
        // Failed rounds' payouts may have spent escrow: a round then pays what is left.
        uint128 reward = _roundReward(task);
        // Fits: attesterShareBps <= 10000.
        attesterPool = uint128((uint256(reward) * task.attesterShareBps) / _BPS);
        if (revealed) contributorPool = reward - attesterPool;
        // Cannot underflow: contributorPool + attesterPool <= reward <= rewardPool.
        task.rewardPool -= contributorPool + attesterPool;
        task.unclaimedRewards += contributorPool + attesterPool;
    }

    /// @dev A round's reward: rewardPerRound, or what is left of the escrow if failed rounds
    /// paid their revealers from it (the task then runs its rounds on less).
    function _roundReward(Task storage task) private view returns (uint128) {
        uint128 reward = task.rewardPerRound;
        uint128 pool = task.rewardPool;
        return reward < pool ? reward : pool;
    }

    /// @dev Records the failure of `round` once, if it failed: the revealers of a failed round are
    /// paid its contributor pool (pro rata of stake), since their updates were published and
    /// readable; the attester share stays in the escrow. Otherwise withholding attestations
    /// would harvest free updates and refund the escrow.
    function _recordFailure(uint256 taskId, Task storage task, uint32 round) private {
        if (round == 0) return;
        RoundState storage r = _rounds[taskId][round];
        if (r.status != RoundStatus.Open || _phase(r) != RoundPhase.Failed) return;
        r.status = RoundStatus.Failed;
        if (r.revealedStake != 0) {
            uint128 reward = _roundReward(task);
            uint128 pool = reward - uint128((uint256(reward) * task.attesterShareBps) / _BPS);
            r.contributorPool = pool;
            // Cannot underflow: pool <= reward <= rewardPool.
            task.rewardPool -= pool;
            task.unclaimedRewards += pool;
        }
        emit RoundFailed(taskId, round);
    }

    /// @dev Whether silence in round `r` costs the inactivity penalty: it failed although updates
    /// were revealed (there was something to aggregate and attest). A failed round without any
    /// reveal costs no one: its reveal and attest phases may never have had a block (a chain whose
    /// clock jumped past them), and a blocking minority gains nothing from it (nothing published).
    function _silenceCounts(RoundState storage r) private view returns (bool) {
        return r.status == RoundStatus.Failed && r.revealedStake != 0;
    }

    function _resultId(bytes32 modelDigest, uint8 codec, uint256 acceptedBitmap, bytes32 metricsDigest)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(modelDigest, codec, acceptedBitmap, metricsDigest));
    }

    // ------------------------------------------------------------------ internals: members

    /// @dev The member about to work in `round`: settled, eligible, not understaked.
    function _workingMember(uint256 taskId, Task storage task, uint32 round, address participant)
        private
        returns (Member storage member)
    {
        member = _member(taskId, participant);
        // `round` is the task's current round, live (its commit or attest-commit phase): checked by the caller.
        // Without work pending (activeRound 0) and with its inactivity cursor at or past `round`,
        // `_settle` would do nothing (nothing to settle, nothing assessed in a live round): skipped.
        uint32 active = member.activeRound;
        if (active != round && (active != 0 || member.firstRound < round)) {
            _settle(taskId, task, participant, member, round, true);
        }
        if (round < member.firstRound) revert MemberNotEligible(taskId, round, member.firstRound);
        uint8 flags = member.flags;
        if (flags & (MemberFlags.UNDERSTAKED | MemberFlags.UNBONDING) != 0) {
            if (flags & MemberFlags.UNDERSTAKED != 0) revert MemberUnderstaked(taskId, participant);
            // Unbonding: it finishes the work of its last counted round, and takes no more.
            uint32 lastRound = _unbondings[taskId][participant].lastRound;
            if (round > lastRound) revert MemberUnbonding(taskId, participant, lastRound);
        }
    }

    /// @dev Applies the outcome of the member's active round once that round is decided, and its
    /// inactivity penalty for the failed rounds it was silent in since its last assessment. Work
    /// of an undecided round is left for later; the assessment never reaches an undecided round.
    /// `current` is the task's current round, `currentLive` true if the caller knows it is live.
    function _settle(
        uint256 taskId,
        Task storage task,
        address participant,
        Member storage member,
        uint32 current,
        bool currentLive
    ) private {
        uint32 active = member.activeRound;
        uint128 reward = 0;
        uint8 reasons = 0;
        bool settled = false;
        bool attestedFailure = false;
        if (active != 0) {
            RoundState storage r = _rounds[taskId][active];
            RoundPhase phase = _phase(r);
            if (phase == RoundPhase.Finalized || phase == RoundPhase.Failed) {
                if (phase == RoundPhase.Failed) _recordFailure(taskId, task, active);
                (reward, reasons) = _outcome(r, member, phase == RoundPhase.Finalized);
                settled = true;
                // Revealing counts as work too: an honest revealer may be unable to attest (its
                // aggregation needs bytes another member withholds, or a secure-aggregation roster
                // a dropout broke); the penalty is for silence, not for a round others failed.
                attestedFailure =
                    _silenceCounts(r) && member.flags & (MemberFlags.ATTESTED | MemberFlags.REVEALED) != 0;
            }
        }
        uint96 stake = member.stake;
        uint96 workSlash = 0;
        if (reasons != 0) {
            // A rejected update may be an honest outlier (robust rules drop some every round):
            // the task sets its own, capped and milder, rate for it.
            uint256 bps = reasons == SlashReasons.REJECTED_UPDATE ? task.rejectSlashBps : task.slashBps;
            // Rounded up, so that no stake is too small to be slashed. Fits: bps <= 10000.
            workSlash = uint96((uint256(stake) * bps + _BPS - 1) / _BPS);
        }
        // A member the work slash expels could not attest after its active round: its silence
        // there is not held against it (the assessment stops at that round).
        // (Without a work slash the stake is at least the minimum: understaked members do no work.)
        uint32 limit = workSlash != 0 && stake - workSlash < task.minStake ? active + 1 : type(uint32).max;
        // An unbonding member is in no snapshot after its last counted round: nor is it assessed there.
        uint32 countedUntil = type(uint32).max;
        if (member.flags & MemberFlags.UNBONDING != 0) {
            countedUntil = _unbondings[taskId][participant].lastRound;
            if (countedUntil < limit - 1) limit = countedUntil + 1;
        }
        uint96 penalty = _assessInactivity(
            taskId, task, participant, member, Assessment(current, currentLive, stake - workSlash, attestedFailure, limit)
        );
        if (workSlash != 0 || penalty != 0) _burn(taskId, task, member, uint128(workSlash) + penalty, countedUntil);
        if (reasons != 0) emit Slashed(taskId, active, participant, workSlash, reasons);
        if (!settled) return;
        // Fits: a member's credited rewards never exceed its task's escrow, capped at uint96.
        if (reward != 0) member.rewards += uint96(reward);
        member.activeRound = 0;
        member.flags &= ~MemberFlags.ROUND_WORK;
        emit MemberSettled(taskId, active, participant, reward, workSlash);
    }

    /// @dev Burns `amount` of the member's stake: it leaves the task's stake (and the open round's
    /// quorum base, if that round counts the member) for `burnedStake`, never the escrow, so the
    /// owner gains nothing from anyone's slash. A member left below the minimum is understaked:
    /// it may never attest again and its whole stake leaves the quorum bases, so that it cannot
    /// block rounds by its mere presence.
    /// An unbonding member's stake is in the unbonding sum (and no understaked one): its burned part
    /// leaves that sum, and an open round after `countedUntil` (its last counted round) never
    /// counted it.
    function _burn(uint256 taskId, Task storage task, Member storage member, uint128 amount, uint32 countedUntil)
        private
    {
        // Fits and cannot underflow: amount <= stake, a uint96 (both parts are shares of it).
        uint96 left = member.stake - uint96(amount);
        member.stake = left;
        task.totalStake -= amount;
        task.burnedStake += amount;
        uint8 flags = member.flags;
        bool unbonding = flags & MemberFlags.UNBONDING != 0;
        // Fits: amount <= a uint96 stake.
        if (unbonding) task.unbondingStake -= uint104(amount);
        uint256 leaving = amount;
        if (left < task.minStake) {
            member.flags = flags | MemberFlags.UNDERSTAKED;
            if (!unbonding) task.understakedStake += left;
            leaving += left;
        }
        if (task.currentRound <= countedUntil) _shrinkOpenRound(taskId, task, member.firstRound, leaving);
    }

    /// @dev Inactivity: counts the failed rounds from the member's cursor (`firstRound`) up to
    /// the last decided round (or `limit`, exclusive) in which it did not attest, advances the
    /// cursor past them and returns the penalty on `stake`: `rejectSlashBps` per missed round,
    /// the task's mild rate for faults an honest member may commit by accident (a crash is
    /// silence), capped at the whole stake and rounded up like slashes.
    /// The member was in each of those rounds' stake snapshot: the cursor starts at its first
    /// bonded round, members leave only with their stake, and understaked members (excluded from
    /// snapshots) are never assessed. It attested in at most one of them, its active round
    /// (settled in the same step, `attestedFailure`): earlier attestations were settled, and the
    /// cursor moved past them, at earlier steps. O(1): `Round.failuresBefore` is a prefix count.
    function _assessInactivity(
        uint256 taskId,
        Task storage task,
        address participant,
        Member storage member,
        Assessment memory a
    ) private returns (uint96 penalty) {
        uint32 from = member.firstRound;
        uint32 current = a.current;
        if (from > current || from >= a.limit || member.flags & MemberFlags.UNDERSTAKED != 0) return 0;
        // Nothing decided since the last assessment (a member's every later action in one round).
        if (from == current && a.currentLive) return 0;
        RoundState storage last = _rounds[taskId][current];
        // A round failed by time is recorded first, so that it counts (and pays its revealers).
        if (!a.currentLive) _recordFailure(taskId, task, current);
        // The failed rounds in [from, to): `current` counts when its own silence does.
        uint32 to = _silenceCounts(last) ? current + 1 : current;
        if (a.limit < to) to = a.limit;
        // Fits: rounds are capped at 2**24 - 1.
        member.firstRound = uint24(to);
        RoundState storage first = _rounds[taskId][from];
        uint256 missed = 0;
        // to == from: no round assessed, nothing missed (a member's action in the round it was
        // last assessed up to), and no prefix count to read.
        if (to == from + 1) {
            // One round (the common case, a member working every round): its own failure, read from
            // the slot settlement has just read. The same count as the prefix counts' difference:
            // round `from + 1` opened once `from` was decided for good, with failuresBefore =
            // from.failuresBefore + (_silenceCounts(from) ? 1 : 0); or `to` is current + 1 above.
            missed = _silenceCounts(first) ? 1 : 0;
        } else if (to > from) {
            // The prefix count of `to`: round `to` opened (to <= current), or to = current + 1 and
            // `current` failed (silence counts).
            uint256 failuresTo =
                to > current ? uint256(last.failuresBefore) + 1 : uint256(_rounds[taskId][to].failuresBefore);
            // Cannot underflow: prefix counts grow with the round (to >= from).
            missed = failuresTo - first.failuresBefore;
        }
        // Cannot underflow: the attested failure, if any, is one of the failures counted (the
        // active round lies in [from, to)).
        if (a.attestedFailure) missed -= 1;
        // The rate is read only when something was missed (the common case reads no task slot).
        if (missed > 0) {
            uint256 bps = missed * task.rejectSlashBps;
            if (bps > _BPS) bps = _BPS;
            // Rounded up like slashes. Fits: at most `stake`, a uint96.
            penalty = uint96((uint256(a.stake) * bps + _BPS - 1) / _BPS);
        }
        if (penalty > 0) {
            // Fits: missed <= failuresTo, a uint32.
            emit InactivityPenalized(taskId, participant, from, to, uint32(missed), penalty);
            emit Slashed(taskId, to - 1, participant, penalty, SlashReasons.INACTIVE);
        }
    }

    function _outcome(RoundState storage r, Member storage member, bool finalized)
        private
        view
        returns (uint128 reward, uint8 reasons)
    {
        uint8 flags = member.flags;
        bool committed = flags & MemberFlags.COMMITTED != 0;
        bool revealed = flags & MemberFlags.REVEALED != 0;
        uint256 stake = member.stake;
        // A failed round in which nobody revealed slashes no unrevealed commit: its reveal phase may
        // never have had a block (the chain's clock jumped past it), and withholding gained nothing
        // (no update was published; not committing at all is never slashed either).
        if (committed && !revealed && (finalized || r.revealedStake != 0)) reasons |= SlashReasons.UNREVEALED;
        // Rewards are pro rata of stake, so splitting one stake over several accounts earns
        // nothing more. Each quotient is <= its pool (stake <= revealedStake / winningStake).
        if (!finalized) {
            // A failed round: revealers share its contributor pool (0 while the failure is unrecorded).
            if (revealed) reward = uint128((uint256(r.contributorPool) * stake) / r.revealedStake);
            return (reward, reasons);
        }
        if (revealed) {
            if (Bitmaps.isSet(r.acceptedBitmap, member.revealIndex)) {
                reward += uint128((uint256(r.contributorPool) * stake) / r.revealedStake);
            } else {
                reasons |= SlashReasons.REJECTED_UPDATE;
            }
        }
        if (flags & MemberFlags.ATTESTED != 0) {
            if (member.attestedResult == r.winningResult) {
                reward += uint128((uint256(r.attesterPool) * stake) / r.winningStake);
            } else {
                reasons |= SlashReasons.LOSING_ATTESTATION;
            }
        }
    }

    // ------------------------------------------------------------------ internals: lookups

    function _existingTask(uint256 taskId) private view returns (Task storage task) {
        task = _tasks[taskId];
        if (task.status == TaskStatus.None) revert TaskNotFound(taskId);
    }

    function _activeTask(uint256 taskId) private view returns (Task storage task) {
        task = _existingTask(taskId);
        if (task.status != TaskStatus.Active) revert TaskNotActive(taskId);
    }

    function _member(uint256 taskId, address participant) private view returns (Member storage member) {
        member = _members[taskId][participant];
        if (member.flags & MemberFlags.JOINED == 0) revert MemberNotFound(taskId, participant);
    }

    // ------------------------------------------------------------------ internals: config, tokens

    function _validateConfig(TaskConfig calldata c) private view {
        if (address(c.token).code.length == 0) revert TaskInvalidConfig("token");
        if (c.initialModelDigest == bytes32(0)) revert TaskInvalidConfig("initialModelDigest");
        if (c.minStake == 0) revert TaskInvalidConfig("minStake");
        if (c.numRounds == 0) revert TaskInvalidConfig("numRounds");
        if (!_phaseInBounds(c.commitDuration)) revert TaskInvalidConfig("commitDuration");
        if (!_phaseInBounds(c.revealDuration)) revert TaskInvalidConfig("revealDuration");
        if (!_phaseInBounds(c.attestDuration)) revert TaskInvalidConfig("attestDuration");
        // Above 90% a sliver of stake (one sock puppet) could block every round.
        if (c.quorumBps <= _BPS / 2 || c.quorumBps > _MAX_QUORUM_BPS) revert TaskInvalidConfig("quorumBps");
        if (c.slashBps > _MAX_SLASH_BPS) revert TaskInvalidConfig("slashBps");
        // A rejected update may be an honest outlier, and the reference that decides the
        // accepted set may come from the owner (FLTrust): the penalty stays mild.
        if (c.rejectSlashBps > _MAX_REJECT_SLASH_BPS || c.rejectSlashBps > c.slashBps) {
            revert TaskInvalidConfig("rejectSlashBps");
        }
        if (c.attesterShareBps > _BPS) revert TaskInvalidConfig("attesterShareBps");
        if (c.maxParticipants == 0 || c.maxParticipants > _MAX_MEMBERS) revert TaskInvalidConfig("maxParticipants");
        // At most half of a base: below any quorum (> 50%), so no capped member reaches it alone.
        uint16 share = c.maxMemberShareBps;
        if (share != 0 && (share < _MIN_MEMBER_SHARE_BPS || share > _MAX_MEMBER_SHARE_BPS)) {
            revert TaskInvalidConfig("maxMemberShareBps");
        }
    }

    /// @dev Phases from a minute (several blocks on any chain) to 30 days (deadlines of every
    /// later round stay far inside uint64).
    function _phaseInBounds(uint64 duration) private pure returns (bool) {
        return duration >= _MIN_PHASE && duration <= _MAX_PHASE;
    }

    function _emitTaskCreated(uint256 taskId, TaskConfig calldata c) private {
        emit TaskCreated(
            taskId,
            msg.sender,
            address(c.token),
            c.initialModelDigest,
            c.initialModelCodec,
            c.modelSpecDigest,
            c.modelSpecCodec,
            c.numRounds,
            c.minStake,
            c.rewardPerRound,
            c.quorumBps,
            c.slashBps,
            c.rejectSlashBps,
            c.attesterShareBps,
            c.maxParticipants,
            c.aggregationRule,
            c.aggregationParams,
            [c.commitDuration, c.revealDuration, c.attestDuration]
        );
    }

    /// @dev Pulls exactly `amount` or reverts: tokens that take a fee or rebase are rejected.
    function _pullExact(IERC20 token, address from, uint256 amount) private {
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received != amount) revert TaskTokenTransferMismatch(amount, received);
    }
}
