// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Lifecycle of a task.
enum TaskStatus {
    None, // no task with this id
    Active, // accepting members; rounds run until `numRounds` are finalized
    Completed, // every round finalized; members withdraw, the owner closes
    Closed // the owner took back the unspent reward pool; no round will start
}

/// @notice Stored status of a round. A round whose attest deadline passed while still `Open` has
/// failed (see `FLCoordinator.roundPhase`); `Failed` is stored once that failure is recorded
/// (its revealers' reward allotted), which happens at most once, lazily, by whoever touches it.
enum RoundStatus {
    None,
    Open,
    QuorumReached,
    Finalized,
    Failed
}

/// @notice The phase a round is in, derived from its stored status and the block time.
enum RoundPhase {
    None,
    Commit,
    Reveal,
    AttestCommit, // first half of the attest window: attestations are committed (hashes only)
    AttestReveal, // second half: committed attestations are revealed and counted
    QuorumReached,
    Finalized,
    Failed
}

/// @notice What a task creator chooses. Immutable once the task exists.
struct TaskConfig {
    IERC20 token; // stake and reward token (plain ERC-20; fee-on-transfer tokens are rejected)
    bytes32 initialModelDigest; // sha2-256 digest of the initial global model's CID
    uint8 initialModelCodec; // CID codec byte (0x00 CIDv0, 0x70 dag-pb, 0x55 raw)
    bytes32 modelSpecDigest; // digest of the model spec's CID
    uint8 modelSpecCodec;
    uint32 numRounds; // rounds to finalize
    uint64 commitDuration; // seconds, each of the three in [60, 30 days]
    uint64 revealDuration;
    uint64 attestDuration;
    uint128 minStake; // > 0
    uint128 rewardPerRound; // escrowed up front: rewardPerRound * numRounds
    uint16 quorumBps; // share of the round's stake that must attest one result, in (5000, 9000]
    uint16 slashBps; // share of stake slashed (burned) for an unrevealed commit or a losing attestation, <= 5000
    uint16 rejectSlashBps; // share slashed when the only fault is a rejected update, <= min(slashBps, 1000)
    uint16 attesterShareBps; // share of the round reward paid to winning attesters
    uint16 maxParticipants; // <= 256 (accepted sets are 256-bit bitmaps of reveal indices)
    uint8 aggregationRule; // rule id, interpreted off chain
    bytes aggregationParams; // rule parameters, interpreted off chain
    uint16 maxMemberShareBps; // cap on one member's counted share of a quorum base: 0 (no cap) or [1000, 5000]
}

/// @notice A task as stored.
struct Task {
    // slot 0
    address owner;
    uint32 currentRound; // latest opened round (0: none yet)
    uint32 finalizedRounds;
    uint16 memberCount;
    TaskStatus status;
    // slot 1
    IERC20 token;
    uint32 numRounds;
    uint16 quorumBps;
    uint16 slashBps;
    uint16 attesterShareBps;
    uint16 maxParticipants;
    // slot 2
    uint64 commitDuration;
    uint64 revealDuration;
    uint64 attestDuration;
    uint32 lastFinalizedRound; // parent of the next finalized round (0: the initial model)
    uint8 aggregationRule;
    uint16 rejectSlashBps;
    // slot 3
    uint128 minStake;
    uint128 rewardPerRound;
    // slot 4
    uint128 totalStake; // sum of members' stakes (slashes applied as members settle)
    uint128 rewardPool; // escrow not yet allotted to a round (refundable to the owner on close)
    // slot 5
    uint128 unclaimedRewards; // allotted to decided rounds, not yet paid out (shares of rejected updates stay here)
    uint128 burnedStake; // slashed stake: locked in the coordinator forever, never paid to anyone
    // slot 6
    bytes32 modelSpecDigest;
    // slot 7
    uint8 modelSpecCodec;
    uint128 understakedStake; // stake of members a slash left below minStake: in no quorum base
    uint104 unbondingStake; // stake of unbonding members: in no quorum base after their last round
    uint16 maxMemberShareBps; // 0: no cap (see TaskConfig)
    // slot 8..
    bytes aggregationParams;
}

/// @notice One round of one task, as `FLCoordinator.getRound` returns it (stored as `RoundState`,
/// packed differently; this view keeps its field order and types).
struct Round {
    uint64 commitDeadline; // commits accepted while block.timestamp < commitDeadline
    uint64 revealDeadline; // reveals while commitDeadline <= t < revealDeadline
    uint64 attestDeadline; // attestations while revealDeadline <= t < attestDeadline: committed in
    // its first half, revealed in its second (`FLCoordinator.attestCommitDeadline`)
    uint16 revealCount; // commits are counted by their events, not here, to keep commit cheap
    RoundStatus status;
    uint32 failuresBefore; // failed rounds of the task before this one (prefix count for inactivity)
    uint104 totalStake; // snapshot of the task's bonded stake when the round opened (quorum base)
    uint104 revealedStake; // sum of the stakes of the members who revealed
    uint24 parentRound; // rounds are capped at 2**24 - 1
    uint16 acceptedCount; // <= 256
    bytes32 winningResult; // keccak256 of (model digest, codec, accepted bitmap, metrics digest)
    uint256 acceptedBitmap; // bit i set: the update revealed i-th is in the accepted set
    uint128 contributorPool; // allotted to the revealers: accepted ones get `contributorPool * stake / revealedStake`
    uint128 attesterPool; // allotted to winning attesters: `attesterPool * stake / winningStake`
    uint128 winningStake; // stake behind the winning result
    uint32 winningAttesters;
}

/// @notice One round of one task as stored (see `Round` for the fields' meaning). Packed for the
/// hot paths: a reveal writes only slot 0, the slot its phase check has just read (non-zero since
/// the round opened); settling a member's finalized round reads slots 0-4 at most (slot 1 only for
/// an attester), the current round's slot 0 only. Deadlines are uint40: block timestamps stay
/// below 2**40 until the year 36812 (phases are at most 30 days).
struct RoundState {
    // slot 0: the phase, and what each reveal updates
    uint40 commitDeadline;
    uint40 revealDeadline;
    uint40 attestDeadline;
    RoundStatus status;
    uint16 revealCount;
    // Stake sums fit in 104 bits: at most 256 members of at most 2**96 - 1 each.
    uint104 revealedStake;
    // slot 1: written at open
    uint104 totalStake;
    uint104 winningStake;
    uint24 parentRound; // rounds are capped at 2**24 - 1
    uint24 failuresBefore; // < round <= 2**24 - 1
    // slot 2
    bytes32 winningResult;
    // slot 3
    uint256 acceptedBitmap;
    // slot 4
    uint128 contributorPool;
    uint128 attesterPool;
    // slot 5
    uint32 winningAttesters;
    uint16 acceptedCount;
}

/// @notice A participant of one task. Holds the participant's work in its latest active round
/// (a participant is active in at most one unsettled round at a time). Amounts are uint96
/// (up to ~7.9e28 base units) and rounds uint24 (up to ~16.7M), checked where they enter.
struct Member {
    // slot 0: everything settlement touches, so that settling writes one slot
    uint96 stake;
    uint96 rewards; // credited, not yet claimed
    uint24 firstRound; // first round the member may work in and not yet assessed for inactivity
    // (starts at the first bonded round; settlement advances it, never past currentRound + 1)
    uint24 activeRound; // round of the work below (0: none pending settlement)
    uint8 flags; // MemberFlags bits
    uint8 revealIndex; // valid when REVEALED
    // slot 1
    bytes32 commitment; // commit of `activeRound`
    // slot 2
    bytes32 attestedResult; // attestation commitment in `activeRound`; the result once revealed
    // slot 3
    bytes32 encryptionKey; // X25519 public key for encrypted updates (0: none)
}

/// @notice Attestation weight behind one result in one round.
struct Tally {
    // slot 0
    uint104 stake; // sum of the attesters' stakes (winning attesters are paid pro rata of it)
    uint32 attesters;
    uint104 weight; // sum of their counted weights, capped per member (only in tasks with a cap)
}

/// @notice A member's unbonding (see `FLCoordinator.unbond`).
struct Unbonding {
    // slot 0
    uint32 lastRound; // last round whose quorum base counts the member (it may still work in it)
    uint32 leaveRound; // the member may leave once this round has opened...
    uint64 leaveTime; // ...or from this time (D rounds' worth of phases), whichever comes first
}
