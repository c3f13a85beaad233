// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TaskConfig, RoundPhase, Task, Round, Member, Tally, Unbonding} from "../types/DataTypes.sol";
import {IStakeLocker} from "./IStakeLocker.sol";

/// @title IFLCoordinator
/// @notice Runs federated-learning tasks: members stake, commit and reveal model updates,
/// attest the aggregate, and are paid or slashed by the outcome of each round.
///
/// A round: commit (hash of update CID + salt, bound to sender/task/round/chain/contract) ->
/// reveal (CID + salt) -> attest commit (hash of the result + salt, bound like update commits) ->
/// attest reveal (model digest, codec, accepted-set bitmap, metrics digest, salt) -> finalize once
/// one revealed result holds >= quorum of the round's stake. A round with no quorum by
/// its attest deadline has failed; the owner alone may then act for `attestDuration` (close the
/// task or retry), after which any member may start the next attempt.
///
/// Outcomes are applied per member, lazily and in O(1) (`settle`): accepted contributors and
/// attesters of the winning result share the round reward; a commit never revealed, an update
/// outside the accepted set, or an attestation of another result is slashed `slashBps` of
/// stake (once per round; `rejectSlashBps` when the only fault is a rejected update). A failed
/// round in which nobody revealed slashes no one: its reveal phase may have had no block at all.
///
/// Incentive security (see the README's "Threat model"):
/// - Rewards are pro rata of stake: an accepted contributor earns
///   `contributorPool * stake / revealedStake`, a winning attester `attesterPool * stake /
///   winningStake`. Splitting one stake over several accounts earns nothing more (Sybil), and
///   the share of a rejected update is never paid to anyone, so nobody gains by getting others
///   rejected.
/// - Slashed stake is burned (kept in the coordinator, counted in `burnedStake`, payable to
///   nobody): the owner, who may steer the accepted set (FLTrust reference), gains nothing.
/// - A failed round whose updates were revealed pays its revealers the contributor pool: the
///   owner cannot harvest published updates through a silent (sock-puppet) minority and then
///   take the escrow back.
/// - Bonding: once rounds run, a joining member's stake counts in the quorum base only after a
///   full round (firstRound = currentRound + 2), so a last-moment join cannot dominate the next
///   round, and its stake stays in the task while its work is undecided.
/// - Bounded configuration: phases 60 s .. 30 days, 5000 < quorumBps <= 9000, slashBps <= 5000,
///   rejectSlashBps <= min(slashBps, 1000); slashes round up.
/// - Inactivity: a member in the stake snapshot of a round that fails without its attestation
///   pays `rejectSlashBps` of its stake per such round (burned), assessed lazily at its next
///   settlement (a cursor, `Member.firstRound`, and a per-round prefix count of failures,
///   `Round.failuresBefore`: O(1), no loop over members or rounds). A silent minority that
///   blocks the quorum pays for every round it blocks; a member who attested, a member outside
///   the snapshot (bonding, understaked) and any member of a finalized round pay nothing.
/// - Lazy attesters: attestations are committed in the first half of the attest window and
///   revealed in the second; only revealed attestations count (quorum, pay, inactivity). Nothing
///   readable exists while commits are accepted, and a commitment binds its sender and the whole
///   result, so copying another attester's result is useless: a copier must aggregate itself.
///   The window is split rather than lengthened by a new config field: tasks keep their config
///   (ABI and stored documents unchanged), and both halves keep >= 30 s (phases are >= 60 s).
/// - Only members may restart after a failure, after the owner's exclusive window.
/// - A member slashed below the minimum may not attest again and its stake leaves every quorum
///   base at once (`understakedStake`), so expelled stake cannot block the honest quorum.
/// - Unbonding: a member that ever counted in a quorum base leaves in two steps. `unbond` takes
///   its stake out of every later quorum base (`unbondingStake`; out of the current one too unless
///   it has work there, which it may finish, paying that round's penalties, and none after); `leave` then waits
///   `UNBONDING_ROUNDS` rounds, or their phases' time if rounds stall. A stake that captured a
///   round stays at stake while that round's consequences play out.
/// - Share cap (`maxMemberShareBps`, optional): in a capped task one member's counted weight in
///   a quorum base is at most that share of it (its excess leaves the base as it attests), so
///   no member reaches the quorum alone; rewards stay pro rata of whole stakes.
interface IFLCoordinator {
    // ------------------------------------------------------------------ events

    /// @notice A task was created and its reward escrow pulled from the owner.
    event TaskCreated(
        uint256 indexed taskId,
        address indexed owner,
        address indexed token,
        bytes32 initialModelDigest,
        uint8 initialModelCodec,
        bytes32 modelSpecDigest,
        uint8 modelSpecCodec,
        uint32 numRounds,
        uint128 minStake,
        uint128 rewardPerRound,
        uint16 quorumBps,
        uint16 slashBps,
        uint16 rejectSlashBps,
        uint16 attesterShareBps,
        uint16 maxParticipants,
        uint8 aggregationRule,
        bytes aggregationParams,
        uint64[3] phaseDurations
    );
    /// @notice A participant joined a task with `stake`; it may work from `firstRound` on.
    event ParticipantJoined(
        uint256 indexed taskId, address indexed participant, uint128 stake, bytes32 encryptionKey, uint32 firstRound
    );
    /// @notice A participant changed its X25519 public key.
    event EncryptionKeySet(uint256 indexed taskId, address indexed participant, bytes32 encryptionKey);
    /// @notice A participant left and was paid its stake and unclaimed rewards.
    event ParticipantLeft(uint256 indexed taskId, address indexed participant, uint128 stake, uint128 rewards);
    /// @notice A round opened.
    event RoundStarted(
        uint256 indexed taskId,
        uint32 indexed round,
        uint32 parentRound,
        uint64 commitDeadline,
        uint64 revealDeadline,
        uint64 attestDeadline,
        uint128 totalStake
    );
    /// @notice A round's attest deadline passed without quorum; emitted once, when its failure is
    /// recorded (by the next attempt, closeTask, or a member's settlement) and its revealers paid.
    event RoundFailed(uint256 indexed taskId, uint32 indexed round);
    /// @notice A participant committed an update.
    event UpdateCommitted(uint256 indexed taskId, uint32 indexed round, address indexed participant, bytes32 commitment);
    /// @notice A participant revealed its update's CID; `revealIndex` is its bit in accepted sets.
    event UpdateRevealed(
        uint256 indexed taskId,
        uint32 indexed round,
        address indexed participant,
        uint8 revealIndex,
        bytes32 cidDigest,
        uint8 codec
    );
    /// @notice An aggregator committed an attestation (its result stays hidden until revealed).
    event AttestationCommitted(
        uint256 indexed taskId, uint32 indexed round, address indexed attester, bytes32 commitment
    );
    /// @notice An aggregator revealed its committed attestation of a result; `weight` is its stake.
    event ResultAttested(
        uint256 indexed taskId,
        uint32 indexed round,
        address indexed attester,
        bytes32 resultId,
        bytes32 modelDigest,
        uint8 codec,
        uint256 acceptedBitmap,
        bytes32 metricsDigest,
        uint128 weight
    );
    /// @notice Attestations for `resultId` reached the quorum; the round can be finalized.
    event QuorumReached(uint256 indexed taskId, uint32 indexed round, bytes32 resultId, uint128 stake);
    /// @notice A round was finalized: its model is in the registry and rewards are allotted.
    event RoundFinalized(
        uint256 indexed taskId,
        uint32 indexed round,
        bytes32 modelDigest,
        uint8 codec,
        uint256 acceptedBitmap,
        bytes32 metricsDigest,
        uint32 contributors,
        uint32 attesters,
        uint128 contributorPool,
        uint128 attesterPool
    );
    /// @notice A member's work in a round was settled: `reward` credited, `slashed` taken.
    event MemberSettled(
        uint256 indexed taskId, uint32 indexed round, address indexed participant, uint128 reward, uint128 slashed
    );
    /// @notice A member's stake was slashed; `reasons` is a bitmask of SlashReason bits.
    event Slashed(
        uint256 indexed taskId, uint32 indexed round, address indexed participant, uint128 amount, uint8 reasons
    );
    /// @notice A member was penalized for inactivity: it was in the stake snapshot of `missedRounds`
    /// failed rounds among rounds `fromRound` .. `toRound - 1` without attesting in them; `penalty`
    /// (`rejectSlashBps` of its stake per missed round, rounded up) was burned. Also emitted as
    /// `Slashed(taskId, toRound - 1, participant, penalty, SlashReasons.INACTIVE)`.
    event InactivityPenalized(
        uint256 indexed taskId,
        address indexed participant,
        uint32 fromRound,
        uint32 toRound,
        uint32 missedRounds,
        uint128 penalty
    );
    /// @notice A member claimed its rewards.
    event RewardClaimed(uint256 indexed taskId, address indexed participant, uint128 amount);
    /// @notice The owner closed the task and got back the unspent reward pool.
    event TaskClosed(uint256 indexed taskId, uint128 refund);
    /// @notice The deployer wired the stake locker (the dataset registry), once.
    event StakeLockerSet(address locker);
    /// @notice The task caps each member's counted share of a quorum base at `maxMemberShareBps`.
    event TaskMemberShareCapped(uint256 indexed taskId, uint16 maxMemberShareBps);
    /// @notice A member started unbonding: its stake counts in no quorum base after `lastRound`;
    /// it may leave once round `leaveRound` opened or from `leaveTime`, whichever comes first.
    event UnbondingStarted(
        uint256 indexed taskId,
        address indexed participant,
        uint96 stake,
        uint32 lastRound,
        uint32 leaveRound,
        uint64 leaveTime
    );

    // ------------------------------------------------------------------ errors

    /// @notice No task has this id.
    error TaskNotFound(uint256 taskId);
    /// @notice The task is not active (completed or closed).
    error TaskNotActive(uint256 taskId);
    /// @notice A task parameter is out of range; `parameter` names it.
    error TaskInvalidConfig(string parameter);
    /// @notice The stake/reward token moved a different amount than requested (fee-on-transfer
    /// or rebasing tokens are not supported).
    error TaskTokenTransferMismatch(uint256 expected, uint256 received);
    /// @notice Only the task owner (or, for restarts after a failed round, a member) may do this.
    error TaskUnauthorized(uint256 taskId, address caller);
    /// @notice After a failed round only the owner may act until `until` (its close window).
    error TaskOwnerWindow(uint256 taskId, uint64 until);
    /// @notice A round of the task is still running (or awaiting finalization).
    error TaskRoundInProgress(uint256 taskId, uint32 round);
    /// @notice The task has already finalized all its rounds.
    error TaskRoundsExhausted(uint256 taskId);
    /// @notice Nobody has stake in the task, so no round can reach a quorum.
    error TaskNoStake(uint256 taskId);

    /// @notice The caller already is a member of the task.
    error MemberAlreadyJoined(uint256 taskId, address participant);
    /// @notice The caller is not a member of the task.
    error MemberNotFound(uint256 taskId, address participant);
    /// @notice The stake is below the task's minimum.
    error MemberStakeTooLow(uint256 taskId, uint256 stake, uint256 minStake);
    /// @notice The stake exceeds what a member may hold (uint96).
    error MemberStakeTooHigh(uint256 taskId, uint256 stake, uint256 maxStake);
    /// @notice The task has its maximum number of members.
    error MemberLimitReached(uint256 taskId, uint16 maxParticipants);
    /// @notice The member joined during this round; it may work from `firstRound` on.
    error MemberNotEligible(uint256 taskId, uint32 round, uint32 firstRound);
    /// @notice A slash left the member's stake below the minimum: it may only leave.
    error MemberUnderstaked(uint256 taskId, address participant);
    /// @notice The member has work in a round not yet decided; it may leave once it is.
    error MemberHasOpenObligations(uint256 taskId, address participant, uint32 round);
    /// @notice The member has nothing to claim.
    error MemberNothingToClaim(uint256 taskId, address participant);
    /// @notice The member's stake backs a ticket of shard draw `draw`, not fixed yet: it may leave
    /// once the draw is fixed (anyone may close it after 256 blocks, then fix or renew it).
    error MemberStakeLocked(uint256 taskId, address participant, uint32 draw);

    /// @notice The member's stake is bonded: call `unbond` first, then `leave` once it unbonded.
    error MemberStakeBonded(uint256 taskId, address participant);
    /// @notice The member's stake unbonds once round `leaveRound` opened or at `leaveTime`.
    error MemberStillUnbonding(uint256 taskId, address participant, uint32 leaveRound, uint64 leaveTime);
    /// @notice The member is unbonding: it works in no round after `lastRound` (nor unbonds twice).
    error MemberUnbonding(uint256 taskId, address participant, uint32 lastRound);

    /// @notice Only the deployer may wire the stake locker.
    error StakeLockerUnauthorized(address caller);
    /// @notice The stake locker is wired already (to `locker`); it never changes.
    error StakeLockerAlreadySet(address locker);
    /// @notice The stake locker address is zero.
    error StakeLockerZero();

    /// @notice The round is not in the phase this call needs.
    error RoundWrongPhase(uint256 taskId, uint32 round, RoundPhase phase);
    /// @notice The member already committed in this round.
    error CommitAlreadyExists(uint256 taskId, uint32 round, address participant);
    /// @notice The commitment is zero.
    error CommitEmpty();
    /// @notice The member did not commit in this round.
    error RevealWithoutCommit(uint256 taskId, uint32 round, address participant);
    /// @notice The member already revealed in this round.
    error RevealAlreadyDone(uint256 taskId, uint32 round, address participant);
    /// @notice (cid, salt) does not hash to the member's commitment.
    error RevealMismatch(uint256 taskId, uint32 round, address participant);
    /// @notice The member already committed an attestation in this round.
    error AttestCommitAlreadyExists(uint256 taskId, uint32 round, address participant);
    /// @notice The member committed no attestation in this round.
    error AttestRevealWithoutCommit(uint256 taskId, uint32 round, address participant);
    /// @notice (result, salt) does not hash to the member's attestation commitment.
    error AttestRevealMismatch(uint256 taskId, uint32 round, address participant);
    /// @notice The member already revealed its attestation in this round.
    error AttestAlreadyDone(uint256 taskId, uint32 round, address participant);
    /// @notice The accepted set names reveal indices that do not exist in this round.
    error AttestInvalidAcceptedSet(uint256 acceptedBitmap, uint16 revealCount);
    /// @notice The model digest is zero.
    error AttestEmptyModel();
    /// @notice The result given to `finalizeRound` is not the one that reached the quorum.
    error FinalizeResultMismatch(uint256 taskId, uint32 round, bytes32 expected, bytes32 given);

    // ------------------------------------------------------------------ tasks and membership

    /// @notice Creates a task and pulls its reward escrow (`rewardPerRound * numRounds`) from the
    /// caller via SafeERC20. The initial model is recorded in the registry as round 0.
    /// Requirements: token is a contract; minStake > 0; numRounds > 0; every phase duration in
    /// [60 s, 30 days] (shorter phases slash honest members who miss a block; longer ones risk
    /// locking stakes); 5000 < quorumBps <= 9000 (above, a sliver of stake blocks every round);
    /// slashBps <= 5000; rejectSlashBps <= min(slashBps, 1000) (a rejected update may be an
    /// honest outlier or the owner's reference steering the rule); attesterShareBps <= 10000;
    /// 0 < maxParticipants <= 256; maxMemberShareBps 0 (no cap) or in [1000, 5000] (below any
    /// quorum); initial model digest non-zero; allowance covers the escrow.
    /// @param config The task's parameters.
    /// @return taskId The new task's id (starting at 1).
    function createTask(TaskConfig calldata config) external returns (uint256 taskId);

    /// @notice Joins a task by staking `stake` tokens (pulled via SafeERC20). Before the first
    /// round the member works from round 1; later it works (and its stake counts in quorum
    /// bases) from `currentRound + 2`, after a full round bonded.
    /// Requirements: task active; not a member; stake >= minStake; member limit not reached.
    /// @param taskId The task.
    /// @param stake The stake, >= the task's minimum.
    /// @param encryptionKey X25519 public key for encrypted updates (0 for none).
    function join(uint256 taskId, uint128 stake, bytes32 encryptionKey) external;

    /// @notice Replaces the caller's X25519 public key. Requirements: caller is a member.
    /// @param taskId The task.
    /// @param encryptionKey The new key.
    function setEncryptionKey(uint256 taskId, bytes32 encryptionKey) external;

    /// @notice Leaves the task: settles the caller's last round, then pays back its stake and
    /// unclaimed rewards. Requirements: caller is a member; its last round is decided
    /// (finalized or failed), i.e. it has no open obligations; its stake backs no ticket of an
    /// unfixed shard draw (`IStakeLocker.stakeLockOf` of the wired locker is 0); its stake is
    /// unbonded: `unbond` was called and round `leaveRound` opened or `leaveTime` passed
    /// (`getUnbonding`), unless the task runs no rounds (none yet, completed, closed), the member
    /// is understaked, or it is still bonding (in no quorum base yet).
    /// @param taskId The task.
    function leave(uint256 taskId) external;

    /// @notice Starts unbonding the caller's stake (after settling it): the stake counts in no
    /// quorum base after the current round if the member has work in it (it may finish that work,
    /// and pays that round's penalties), and leaves the current round's base at once otherwise
    /// (`lastRound` says which); `leave` is allowed once round `currentRound + UNBONDING_ROUNDS` opened,
    /// or `UNBONDING_ROUNDS` rounds' phases after now, whichever comes first. Irreversible.
    /// Requirements: caller is a member, not unbonding, not understaked (it may leave at once).
    /// @param taskId The task.
    function unbond(uint256 taskId) external;

    /// @notice Rounds a stake stays in the task after `unbond` (or their phases' time).
    function UNBONDING_ROUNDS() external view returns (uint32);

    /// @notice The member's unbonding (all zero: not unbonding).
    function getUnbonding(uint256 taskId, address participant) external view returns (Unbonding memory);

    /// @notice Wires the stake locker (the dataset registry of this coordinator), whose open locks
    /// keep members from leaving. Requirements: caller is the deployer; locker non-zero; not
    /// wired yet (it never changes, so no one can later lock stakes through another contract).
    /// @param locker The stake locker.
    function setStakeLocker(IStakeLocker locker) external;

    /// @notice Closes a task and refunds the unspent reward pool to the owner (never slashed
    /// stake, which is burned, nor a failed round's contributor pool, recorded here first and
    /// owed to its revealers). Members keep their stakes and rewards and leave as usual.
    /// Requirements: caller is the owner; no round is running or awaiting finalization; the task
    /// is not closed.
    /// @param taskId The task.
    function closeTask(uint256 taskId) external;

    // ------------------------------------------------------------------ rounds

    /// @notice Opens the next round (recording a failed previous round first). The owner starts
    /// the first round; after a failed round the owner may retry at once, a member once the
    /// owner's window (`attestDuration` past the failed round's attest deadline) is over, and a
    /// stranger never (no griefing of `closeTask`). Requirements: task active with rounds left;
    /// no round running or awaiting finalization; the task has stake. A round pays
    /// min(rewardPerRound, escrow left): failed rounds' revealers may have been paid from it.
    /// @param taskId The task.
    /// @return round The opened round.
    function startRound(uint256 taskId) external returns (uint32 round);

    /// @notice Commits an update in the current round (commit phase). Settles the caller's
    /// previous round first. Requirements: member eligible for the round and not understaked;
    /// no commit yet in this round; commitment non-zero.
    /// @param taskId The task.
    /// @param round The task's current round (the one in its commit phase).
    /// @param commitment keccak256(abi.encode(cidDigest, codec, salt, msg.sender, taskId, round,
    /// block.chainid, address(this))).
    function commit(uint256 taskId, uint32 round, bytes32 commitment) external;

    /// @notice Reveals the committed update's CID (reveal phase). Requirements: committed in
    /// this round, not yet revealed; the (cid, salt) pair matches the commitment.
    /// @param taskId The task.
    /// @param round The task's current round (the one in its reveal phase).
    /// @param cidDigest The update CID's sha2-256 digest.
    /// @param codec The update CID's codec byte.
    /// @param salt The commitment's salt.
    function reveal(uint256 taskId, uint32 round, bytes32 cidDigest, uint8 codec, bytes32 salt) external;

    /// @notice Commits an attestation of the round's result (attest-commit phase: the first half
    /// of the attest window), hiding the result until the attest-reveal phase. Settles the
    /// caller's previous round first. Requirements: member eligible for the round and not
    /// understaked; no attestation committed yet in this round; commitment non-zero.
    /// @param taskId The task.
    /// @param round The task's current round (the one in its attest-commit phase).
    /// @param commitment keccak256(abi.encode(modelDigest, codec, acceptedBitmap, metricsDigest,
    /// salt, msg.sender, taskId, round, block.chainid, address(this))).
    function commitAttestation(uint256 taskId, uint32 round, bytes32 commitment) external;

    /// @notice Reveals the caller's committed attestation (attest-reveal phase: the second half of
    /// the attest window); only now it counts, weighted by the caller's stake; emits ResultAttested,
    /// and QuorumReached when this result's weight reaches the quorum. An attestation committed and
    /// never revealed counts as none (no pay; silence in a failed round). Requirements: attestation
    /// committed in this round, not yet revealed; the result and salt match the commitment; model
    /// digest non-zero; the bitmap only names revealed updates; no result reached the quorum yet.
    /// @param taskId The task.
    /// @param round The task's current round (the one in its attest-reveal phase).
    /// @param modelDigest The new global model CID's digest.
    /// @param codec The new global model CID's codec byte.
    /// @param acceptedBitmap Bit i set: the update with reveal index i is accepted.
    /// @param metricsDigest Digest of the round's metrics document (may be 0).
    /// @param salt The attestation commitment's salt.
    function revealAttestation(
        uint256 taskId,
        uint32 round,
        bytes32 modelDigest,
        uint8 codec,
        uint256 acceptedBitmap,
        bytes32 metricsDigest,
        bytes32 salt
    ) external;

    /// @notice Finalizes the current round with the result that reached the quorum (anyone
    /// may call): records the model in the registry, allots rewards, and opens the next round
    /// unless the task is complete. Requirements: quorum reached; the arguments hash to it.
    /// @param taskId The task.
    /// @param modelDigest The winning model digest.
    /// @param codec The winning model codec byte.
    /// @param acceptedBitmap The winning accepted set.
    /// @param metricsDigest The winning metrics digest.
    function finalizeRound(
        uint256 taskId,
        bytes32 modelDigest,
        uint8 codec,
        uint256 acceptedBitmap,
        bytes32 metricsDigest
    ) external;

    // ------------------------------------------------------------------ rewards

    /// @notice Applies the outcome of `participant`'s last round if it is decided (anyone may
    /// call; the outcome does not depend on who calls). Returns whether anything was settled.
    /// @param taskId The task.
    /// @param participant The member.
    function settle(uint256 taskId, address participant) external returns (bool settled);

    /// @notice Settles the caller's last round, then pays out its credited rewards.
    /// Requirements: caller is a member with rewards > 0 after settlement.
    /// @param taskId The task.
    /// @return amount The amount paid.
    function claim(uint256 taskId) external returns (uint128 amount);

    // ------------------------------------------------------------------ views

    /// @notice The phase of `round` of `taskId` at the current block time.
    function roundPhase(uint256 taskId, uint32 round) external view returns (RoundPhase);

    /// @notice A task as stored; reverts with TaskNotFound if none.
    function getTask(uint256 taskId) external view returns (Task memory);

    /// @notice A round as stored (all zero if it never opened).
    function getRound(uint256 taskId, uint32 round) external view returns (Round memory);

    /// @notice A member as stored (all zero if not a member).
    function getMember(uint256 taskId, address participant) external view returns (Member memory);

    /// @notice The attestation weight behind `result` in `round`.
    function getTally(uint256 taskId, uint32 round, bytes32 result) external view returns (Tally memory);

    /// @notice Number of tasks created (ids run from 1 to taskCount()).
    function taskCount() external view returns (uint256);

    /// @notice The model registry this coordinator records finalized models in.
    function registry() external view returns (address);

    /// @notice The wired stake locker (0: none yet, no stake is locked).
    function stakeLocker() external view returns (address);

    /// @notice The id of a result as attested: keccak256(abi.encode(modelDigest, codec,
    /// acceptedBitmap, metricsDigest)).
    function resultId(bytes32 modelDigest, uint8 codec, uint256 acceptedBitmap, bytes32 metricsDigest)
        external
        pure
        returns (bytes32);

    /// @notice The commitment a participant must send for an update (a helper for clients).
    function computeCommitment(
        bytes32 cidDigest,
        uint8 codec,
        bytes32 salt,
        address participant,
        uint256 taskId,
        uint32 round
    ) external view returns (bytes32);

    /// @notice The commitment a participant must send for an attestation (a helper for clients).
    function computeAttestationCommitment(
        bytes32 modelDigest,
        uint8 codec,
        uint256 acceptedBitmap,
        bytes32 metricsDigest,
        bytes32 salt,
        address participant,
        uint256 taskId,
        uint32 round
    ) external view returns (bytes32);

    /// @notice The end of `round`'s attest-commit phase (the middle of its attest window): commits
    /// before it, reveals from it until the attest deadline (0 if the round never opened).
    function attestCommitDeadline(uint256 taskId, uint32 round) external view returns (uint64);
}
