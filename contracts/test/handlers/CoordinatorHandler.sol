// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {FLCoordinator} from "../../FLCoordinator.sol";
import {ModelRegistry} from "../../ModelRegistry.sol";
import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {TaskConfig, Task, TaskStatus, Round, RoundStatus, RoundPhase, Member} from "../../types/DataTypes.sol";
import {MemberFlags} from "../../libraries/MemberFlags.sol";
import {MockERC20} from "../mocks/MockERC20.sol";
import {Vm} from "../utils/Vm.sol";
import {Test} from "../utils/Test.sol";

/// @title CoordinatorHandler
/// @notice Drives two tasks with five actors through random join / commit / reveal / attest /
/// finalize / warp / settle / claim / unbond / leave / startRound / closeTask sequences, and keeps ghost
/// sums (solmate style) of what moved, read from the coordinator's events and the token:
/// staked, returned, credited, claimed, slashed, refunded. It also models each actor's work per
/// round, so that the rewards the rules entitle it to are known independently of the contract.
/// Every call goes through try/catch: a revert leaves the ghosts untouched.
contract CoordinatorHandler is Test {
    struct Work {
        bool committed;
        bool revealed;
        uint8 revealIndex;
        bytes32 cid;
        bytes32 salt;
        bytes32 attested; // result id of the revealed attestation, 0 if none
        bytes32 attestModel; // the committed attestation, revealed later (attestSalt 0: none)
        uint256 attestBitmap;
        bytes32 attestSalt;
        uint256 stake; // the member's stake while it worked in the round (rewards are pro rata)
    }

    struct Result {
        bytes32 model;
        uint256 bitmap;
    }

    struct Snapshot {
        uint256 taskId;
        uint32 round;
        bytes32 roundHash;
        bytes32 modelHash;
    }

    uint8 private constant CODEC = 0x70;
    bytes32 private constant METRICS = keccak256("metrics");
    bytes32 private constant MODEL = keccak256("honest model");
    bytes32 private constant OTHER_MODEL = keccak256("other model");

    // Not immutable: EDR identifies invariant targets by their runtime code, which immutables
    // change ("No contracts to fuzz").
    FLCoordinator public coordinator;
    ModelRegistry public registry;
    MockERC20 public token;

    uint256[] public taskIds;
    address[] public actors;

    // ---------------------------------------------------------------- ghost sums
    mapping(uint256 taskId => mapping(address actor => uint256)) public ghostStaked;
    mapping(uint256 taskId => mapping(address actor => uint256)) public ghostStakeReturned;
    mapping(uint256 taskId => mapping(address actor => uint256)) public ghostCredited; // MemberSettled.reward
    mapping(uint256 taskId => mapping(address actor => uint256)) public ghostClaimed; // claims + rewards at leave
    mapping(uint256 taskId => mapping(address actor => uint256)) public ghostEntitled; // by the model
    mapping(address actor => uint256) public ghostReceived; // token balance increases from claim/leave
    mapping(uint256 taskId => uint256) public ghostEscrow;
    mapping(uint256 taskId => uint256) public ghostSlashed; // MemberSettled slashes + inactivity penalties
    uint256 public ghostPenalties; // InactivityPenalized events
    uint256 public ghostAttestersCharged; // penalties charging more rounds than the member was silent in
    mapping(uint256 taskId => uint256) public ghostRefunded;
    mapping(uint256 taskId => uint256) public ghostClaimedTotal;
    mapping(uint256 taskId => mapping(uint32 round => mapping(address actor => uint256))) public ghostCommits;
    mapping(uint256 taskId => mapping(uint32 round => uint256)) public ghostCommitEvents;
    mapping(uint256 taskId => mapping(uint32 round => uint256)) public ghostCommitCalls;

    mapping(uint256 taskId => mapping(uint32 round => mapping(address actor => Work))) private _work;
    mapping(bytes32 result => Result) private _results;
    Snapshot[] private _finalized;

    mapping(string action => uint256) public successes;

    constructor(FLCoordinator coordinator_, ModelRegistry registry_, MockERC20 token_) {
        coordinator = coordinator_;
        registry = registry_;
        token = token_;
        for (uint256 i; i < 5; ++i) {
            address actor = address(uint160(0xA11CE + i));
            actors.push(actor);
            vm.label(actor, string.concat("actor", vm.toString(i)));
        }
        token.mint(address(this), 1e30);
        token.approve(address(coordinator), type(uint256).max);
        _createTask(4, 100, 10e18, 1000e18, 6667, 1000, 2000, 5);
        _createTask(2, 60, 1, 999, 5001, 5000, 3333, 4);
        // A running start: every actor in task 1, three in task 2, first rounds open.
        for (uint256 i; i < actors.length; ++i) {
            _join(i, 0, i * 7e18);
            if (i < 3) _join(i, 1, i);
        }
        _startRound(0, 0);
        _startRound(1, 0);
    }

    // ---------------------------------------------------------------- actions

    function join(uint256 actorSeed, uint256 taskSeed, uint256 stakeSeed) external {
        _join(actorSeed, taskSeed, stakeSeed);
    }

    function _join(uint256 actorSeed, uint256 taskSeed, uint256 stakeSeed) private {
        (uint256 id, Task memory t) = _task(taskSeed);
        address actor = _actor(actorSeed);
        uint256 stake = bound(stakeSeed, t.minStake, uint256(t.minStake) * 4 + 1000);
        token.mint(actor, stake);
        vm.prank(actor);
        token.approve(address(coordinator), stake);
        bool ok;
        vm.recordLogs();
        vm.prank(actor);
        try coordinator.join(id, uint128(stake), bytes32(0)) {
            ok = true;
            ghostStaked[id][actor] += stake;
            successes["join"] += 1;
        } catch {}
        _absorbLogs(ok);
    }

    function commit(uint256 actorSeed, uint256 taskSeed, bytes32 salt, uint256 copySeed) external {
        (uint256 id, Task memory t) = _task(taskSeed);
        _commit(id, t.currentRound, _actor(actorSeed), salt, copySeed % 8 == 7);
    }

    /// @dev Several actors (bit i of `mask`: actor i) commit in turn; a few copy instead.
    function commitMany(uint256 taskSeed, uint256 mask, bytes32 salt) external {
        (uint256 id, Task memory t) = _task(taskSeed);
        for (uint256 i; i < actors.length; ++i) {
            if ((mask >> i) & 1 == 1) _commit(id, t.currentRound, actors[i], salt, (mask >> (8 + 3 * i)) & 7 == 7);
        }
    }

    function reveal(uint256 actorSeed, uint256 taskSeed) external {
        (uint256 id, Task memory t) = _task(taskSeed);
        _reveal(id, t.currentRound, _actor(actorSeed));
    }

    function revealMany(uint256 taskSeed, uint256 mask) external {
        (uint256 id, Task memory t) = _task(taskSeed);
        for (uint256 i; i < actors.length; ++i) {
            if ((mask >> i) & 1 == 1) _reveal(id, t.currentRound, actors[i]);
        }
    }

    function attest(uint256 actorSeed, uint256 taskSeed, uint256 choice) external {
        (uint256 id, Task memory t) = _task(taskSeed);
        _attest(id, t.currentRound, _actor(actorSeed), choice);
    }

    function attestMany(uint256 taskSeed, uint256 mask, uint256 choice) external {
        (uint256 id, Task memory t) = _task(taskSeed);
        for (uint256 i; i < actors.length; ++i) {
            if ((mask >> i) & 1 == 1) _attest(id, t.currentRound, actors[i], choice >> (16 * i));
        }
    }

    /// @dev A whole round in one call, from whatever phase the round is in: the members in
    /// `mask` commit, reveal and attest (honestly, mostly), then the round is finalized if a
    /// result reached the quorum. Any step may fail; the others still run.
    function playRound(uint256 taskSeed, uint256 mask, uint256 choice, bytes32 salt) external {
        (uint256 id, Task memory t) = _task(taskSeed);
        uint32 round = t.currentRound;
        for (uint256 i; i < actors.length; ++i) {
            if ((mask >> i) & 1 == 1) _commit(id, round, actors[i], salt, (mask >> (8 + 3 * i)) & 7 == 7);
        }
        _warpToNextDeadline(id, round);
        for (uint256 i; i < actors.length; ++i) {
            if ((mask >> (32 + i)) & 1 == 0) _reveal(id, round, actors[i]); // most reveal
        }
        _warpToNextDeadline(id, round);
        for (uint256 i; i < actors.length; ++i) {
            if ((mask >> (40 + i)) & 1 == 0) _attest(id, round, actors[i], choice >> (16 * i));
        }
        _warpToNextDeadline(id, round);
        for (uint256 i; i < actors.length; ++i) {
            if ((mask >> (48 + i)) & 1 == 0) _attest(id, round, actors[i], choice >> (16 * i)); // most reveal
        }
        _finalize(id, round);
    }

    function finalize(uint256 taskSeed) external {
        (uint256 id, Task memory t) = _task(taskSeed);
        _finalize(id, t.currentRound);
    }

    function _finalize(uint256 id, uint32 round) private {
        Round memory r = coordinator.getRound(id, round);
        Result memory winner = _results[r.winningResult];
        bool ok;
        vm.recordLogs();
        try coordinator.finalizeRound(id, winner.model, CODEC, winner.bitmap, METRICS) {
            ok = true;
            successes["finalize"] += 1;
            _recordFinalized(id, round);
        } catch {}
        _absorbLogs(ok);
    }

    function warp(uint256 secondsSeed) external {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 120));
    }

    /// @dev Jumps to the next deadline of a task's current round (or just past the last one).
    function warpToNextPhase(uint256 taskSeed) external {
        (uint256 id, Task memory t) = _task(taskSeed);
        _warpToNextDeadline(id, t.currentRound);
    }

    /// @dev Asks the coordinator for the phase rather than reading `block.timestamp`: under viaIR
    /// a second read in the same call may return the value from before `vm.warp`.
    function _warpToNextDeadline(uint256 id, uint32 round) private {
        Round memory r = coordinator.getRound(id, round);
        RoundPhase p = coordinator.roundPhase(id, round);
        if (p == RoundPhase.Commit) vm.warp(r.commitDeadline);
        else if (p == RoundPhase.Reveal) vm.warp(r.revealDeadline);
        else if (p == RoundPhase.AttestCommit) vm.warp(coordinator.attestCommitDeadline(id, round));
        else if (p == RoundPhase.AttestReveal) vm.warp(r.attestDeadline);
    }

    function startRound(uint256 taskSeed, uint256 callerSeed) external {
        _startRound(taskSeed, callerSeed);
    }

    function _startRound(uint256 taskSeed, uint256 callerSeed) private {
        (uint256 id, Task memory t) = _task(taskSeed);
        // The owner (this handler) opens the first round; anyone may retry after a failure.
        address caller = t.currentRound == 0 || callerSeed % 2 == 0 ? address(this) : _actor(callerSeed);
        bool ok;
        vm.recordLogs();
        vm.prank(caller);
        try coordinator.startRound(id) {
            ok = true;
            successes["startRound"] += 1;
        } catch {}
        _absorbLogs(ok);
    }

    function settle(uint256 actorSeed, uint256 taskSeed, uint256 callerSeed) external {
        (uint256 id,) = _task(taskSeed);
        bool ok;
        vm.recordLogs();
        vm.prank(_actor(callerSeed));
        try coordinator.settle(id, _actor(actorSeed)) {
            ok = true;
            successes["settle"] += 1;
        } catch {}
        _absorbLogs(ok);
    }

    function claim(uint256 actorSeed, uint256 taskSeed) external {
        _payOut(actorSeed, taskSeed, true);
    }

    function leave(uint256 actorSeed, uint256 taskSeed) external {
        _payOut(actorSeed, taskSeed, false);
    }

    /// @dev The actor unbonds (settling first): its stake leaves the later quorum bases, and it
    /// may leave `UNBONDING_ROUNDS` rounds (or their time) later.
    function unbond(uint256 actorSeed, uint256 taskSeed) external {
        (uint256 id,) = _task(taskSeed);
        address actor = _actor(actorSeed);
        bool ok;
        vm.recordLogs();
        vm.prank(actor);
        try coordinator.unbond(id) {
            ok = true;
            successes["unbond"] += 1;
        } catch {}
        _absorbLogs(ok);
    }

    /// @dev The actor claims its rewards (`claimOnly`) or leaves with stake and rewards; what its
    /// token balance gains is added to ghostReceived.
    function _payOut(uint256 actorSeed, uint256 taskSeed, bool claimOnly) private {
        (uint256 id,) = _task(taskSeed);
        address actor = _actor(actorSeed);
        uint256 before = token.balanceOf(actor);
        bool ok;
        vm.recordLogs();
        vm.prank(actor);
        if (claimOnly) {
            try coordinator.claim(id) {
                ok = true;
            } catch {}
        } else {
            try coordinator.leave(id) {
                ok = true;
            } catch {}
        }
        if (ok) successes[claimOnly ? "claim" : "leave"] += 1;
        ghostReceived[actor] += token.balanceOf(actor) - before;
        _absorbLogs(ok);
    }

    /// @dev Rarely: closing ends a task's rounds for the rest of the run.
    function closeTask(uint256 taskSeed, uint256 chance) external {
        (uint256 id, Task memory t) = _task(taskSeed);
        if (t.status != TaskStatus.Completed && chance % 64 != 0) return;
        bool ok;
        vm.recordLogs();
        try coordinator.closeTask(id) {
            ok = true;
            successes["closeTask"] += 1;
        } catch {}
        _absorbLogs(ok);
    }

    // ---------------------------------------------------------------- views for the invariants

    function taskCount() external view returns (uint256) {
        return taskIds.length;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function finalizedCount() external view returns (uint256) {
        return _finalized.length;
    }

    function finalizedAt(uint256 i) external view returns (Snapshot memory) {
        return _finalized[i];
    }

    function roundHash(uint256 id, uint32 round) public view returns (bytes32) {
        return keccak256(abi.encode(coordinator.getRound(id, round)));
    }

    function modelHash(uint256 id, uint32 round) public view returns (bytes32) {
        return keccak256(abi.encode(registry.modelAt(id, round)));
    }

    /// @notice The reward the rules give `actor` for its work in a decided round, from the
    /// handler's own model: pools from the task's config, stakes from its own records. Accepted
    /// contributors (any revealer of a failed round) share the contributor pool pro rata of
    /// stake among all revealers; winning attesters share the attester pool pro rata of stake.
    function modelReward(uint256 id, uint32 round, address actor) public view returns (uint256 reward) {
        Round memory r = coordinator.getRound(id, round);
        Work memory w = _work[id][round][actor];
        (uint256 revealed, uint256 winning) = _modelStakes(id, round, r.winningResult);
        // Pools as allotted (a round pays less once failed rounds spent the escrow); the shares
        // below come from the handler's own stake records.
        uint256 attesterPool = r.attesterPool;
        uint256 contributorPool = r.contributorPool;
        if (coordinator.roundPhase(id, round) == RoundPhase.Failed) {
            if (w.revealed) reward = contributorPool * w.stake / revealed;
            return reward;
        }
        if (w.revealed && (r.acceptedBitmap >> w.revealIndex) & 1 == 1) reward += contributorPool * w.stake / revealed;
        if (w.attested != bytes32(0) && w.attested == r.winningResult) reward += attesterPool * w.stake / winning;
    }

    function _modelStakes(uint256 id, uint32 round, bytes32 winner)
        private
        view
        returns (uint256 revealed, uint256 winning)
    {
        for (uint256 i; i < actors.length; ++i) {
            Work memory w = _work[id][round][actors[i]];
            if (w.revealed) revealed += w.stake;
            if (w.attested != bytes32(0) && w.attested == winner) winning += w.stake;
        }
    }

    /// @notice What the rules entitle `actor` to in `id` that settlement has not credited yet:
    /// the reward of its active round if that round is decided (finalized or failed).
    function pendingReward(uint256 id, address actor) external view returns (uint256) {
        Member memory m = coordinator.getMember(id, actor);
        if (m.activeRound == 0) return 0;
        RoundPhase p = coordinator.roundPhase(id, m.activeRound);
        if (p != RoundPhase.Finalized && p != RoundPhase.Failed) return 0;
        // An unrecorded failure is recorded (and entitles) by the settlement that credits it.
        if (p == RoundPhase.Failed && coordinator.getRound(id, m.activeRound).status != RoundStatus.Failed) return 0;
        return modelReward(id, m.activeRound, actor);
    }

    // ---------------------------------------------------------------- internals

    function _commit(uint256 id, uint32 round, address actor, bytes32 salt, bool copy) private {
        bytes32 cid = keccak256(abi.encode(actor, round, salt));
        bytes32 commitment = coordinator.computeCommitment(cid, CODEC, salt, actor, id, round);
        if (copy) {
            // A copier: takes another member's commitment, which it can never reveal.
            commitment = coordinator.getMember(id, actors[(uint160(actor) + 1) % actors.length]).commitment;
            if (commitment == bytes32(0)) commitment = keccak256("garbage");
        }
        bool ok;
        vm.recordLogs();
        vm.prank(actor);
        try coordinator.commit(id, round, commitment) {
            ok = true;
            ghostCommits[id][round][actor] += 1;
            ghostCommitCalls[id][round] += 1;
            Work storage w = _work[id][round][actor];
            w.committed = true;
            w.stake = coordinator.getMember(id, actor).stake;
            w.cid = cid;
            w.salt = salt;
            successes["commit"] += 1;
        } catch {}
        _absorbLogs(ok);
    }

    function _reveal(uint256 id, uint32 round, address actor) private {
        Work storage w = _work[id][round][actor];
        bool ok;
        vm.recordLogs();
        vm.prank(actor);
        try coordinator.reveal(id, round, w.cid, CODEC, w.salt) {
            ok = true;
            w.revealed = true;
            w.revealIndex = coordinator.getMember(id, actor).revealIndex;
            successes["reveal"] += 1;
        } catch {}
        _absorbLogs(ok);
    }

    /// @dev Attests in two steps, by phase: in the attest-commit half, commits mostly the honest
    /// result (every update accepted), sometimes a partial set or another model, sometimes a copy
    /// of another member's commitment (a lazy attester, which can never reveal it); in the
    /// attest-reveal half, reveals what it committed.
    function _attest(uint256 id, uint32 round, address actor, uint256 choice) private {
        RoundPhase p = coordinator.roundPhase(id, round);
        if (p == RoundPhase.AttestReveal) _revealAttestation(id, round, actor);
        else _commitAttestation(id, round, actor, choice);
    }

    function _commitAttestation(uint256 id, uint32 round, address actor, uint256 choice) private {
        uint16 reveals = coordinator.getRound(id, round).revealCount;
        uint256 all = reveals >= 256 ? type(uint256).max : (uint256(1) << reveals) - 1;
        uint256 pick = choice % 16;
        bytes32 model = pick == 15 ? OTHER_MODEL : MODEL;
        uint256 bitmap = pick == 14 ? (choice >> 4) & all : all;
        bytes32 salt = keccak256(abi.encode("attest", actor, round, choice));
        bytes32 commitment =
            coordinator.computeAttestationCommitment(model, CODEC, bitmap, METRICS, salt, actor, id, round);
        if (pick == 13) {
            // A copier: takes another member's attestation commitment, which it can never reveal.
            commitment = coordinator.getMember(id, actors[(uint160(actor) + 1) % actors.length]).attestedResult;
            if (commitment == bytes32(0)) commitment = keccak256("garbage");
        }
        bool ok;
        vm.recordLogs();
        vm.prank(actor);
        try coordinator.commitAttestation(id, round, commitment) {
            ok = true;
            Work storage w = _work[id][round][actor];
            w.attestModel = model;
            w.attestBitmap = bitmap;
            w.attestSalt = salt;
            w.stake = coordinator.getMember(id, actor).stake;
            _results[coordinator.resultId(model, CODEC, bitmap, METRICS)] = Result(model, bitmap);
            successes["attestCommit"] += 1;
        } catch {}
        _absorbLogs(ok);
    }

    function _revealAttestation(uint256 id, uint32 round, address actor) private {
        Work storage w = _work[id][round][actor];
        bool ok;
        vm.recordLogs();
        vm.prank(actor);
        try coordinator.revealAttestation(id, round, w.attestModel, CODEC, w.attestBitmap, METRICS, w.attestSalt) {
            ok = true;
            w.attested = coordinator.resultId(w.attestModel, CODEC, w.attestBitmap, METRICS);
            successes["attest"] += 1;
        } catch {}
        _absorbLogs(ok);
    }

    function _createTask(
        uint32 numRounds,
        uint64 duration,
        uint128 minStake,
        uint128 reward,
        uint16 quorumBps,
        uint16 slashBps,
        uint16 shareBps,
        uint16 maxParticipants
    ) private {
        TaskConfig memory config = TaskConfig({
            token: IERC20(address(token)),
            initialModelDigest: keccak256("initial model"),
            initialModelCodec: CODEC,
            modelSpecDigest: keccak256("spec"),
            modelSpecCodec: CODEC,
            numRounds: numRounds,
            commitDuration: duration,
            revealDuration: duration,
            attestDuration: duration,
            minStake: minStake,
            rewardPerRound: reward,
            quorumBps: quorumBps,
            slashBps: slashBps,
            rejectSlashBps: slashBps < 1000 ? slashBps : 1000,
            attesterShareBps: shareBps,
            maxParticipants: maxParticipants,
            aggregationRule: 1,
            aggregationParams: "",
            maxMemberShareBps: 0
        });
        uint256 id = coordinator.createTask(config);
        taskIds.push(id);
        ghostEscrow[id] = uint256(reward) * numRounds;
    }

    function _task(uint256 seed) private view returns (uint256 id, Task memory t) {
        id = taskIds[seed % taskIds.length];
        t = coordinator.getTask(id);
    }

    function _actor(uint256 seed) private view returns (address) {
        return actors[seed % actors.length];
    }

    function _recordFinalized(uint256 id, uint32 round) private {
        _finalized.push(Snapshot(id, round, roundHash(id, round), modelHash(id, round)));
        _entitle(id, round);
    }

    function _entitle(uint256 id, uint32 round) private {
        for (uint256 i; i < actors.length; ++i) {
            ghostEntitled[id][actors[i]] += modelReward(id, round, actors[i]);
        }
    }

    /// @dev An inactivity penalty is burned like a slash; by the handler's own record of work it may
    /// charge at most the failed rounds in [from, to) in which the member did not attest.
    function _absorbPenalty(uint256 id, Vm.Log memory log) private {
        (uint32 from, uint32 to, uint32 missed, uint128 penalty) =
            abi.decode(log.data, (uint32, uint32, uint32, uint128));
        address who = address(uint160(uint256(log.topics[2])));
        ghostSlashed[id] += penalty;
        ghostPenalties += 1;
        uint256 silent;
        for (uint32 r = from; r < to; ++r) {
            bool failed = coordinator.getRound(id, r).status == RoundStatus.Failed;
            if (failed && _work[id][r][who].attested == bytes32(0)) silent += 1;
        }
        if (missed > silent) ghostAttestersCharged += 1;
    }

    /// @dev Reads the coordinator's events of the last action into the ghost sums. The recorder
    /// also keeps events of calls that reverted: those are dropped (`ok` false).
    function _absorbLogs(bool ok) private {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        if (!ok) return;
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter != address(coordinator)) continue;
            bytes32 sig = log.topics[0];
            uint256 id = log.topics.length > 1 ? uint256(log.topics[1]) : 0;
            if (sig == IFLCoordinator.MemberSettled.selector) {
                (uint128 reward, uint128 slashed) = abi.decode(log.data, (uint128, uint128));
                address who = address(uint160(uint256(log.topics[3])));
                ghostCredited[id][who] += reward;
                ghostSlashed[id] += slashed;
            } else if (sig == IFLCoordinator.InactivityPenalized.selector) {
                _absorbPenalty(id, log);
            } else if (sig == IFLCoordinator.RewardClaimed.selector) {
                uint128 amount = abi.decode(log.data, (uint128));
                address who = address(uint160(uint256(log.topics[2])));
                ghostClaimed[id][who] += amount;
                ghostClaimedTotal[id] += amount;
            } else if (sig == IFLCoordinator.ParticipantLeft.selector) {
                (uint128 stake, uint128 rewards) = abi.decode(log.data, (uint128, uint128));
                address who = address(uint160(uint256(log.topics[2])));
                ghostStakeReturned[id][who] += stake;
                ghostClaimed[id][who] += rewards;
                ghostClaimedTotal[id] += rewards;
            } else if (sig == IFLCoordinator.RoundFailed.selector) {
                // A failed round's revealers are entitled to its contributor pool once recorded.
                _entitle(id, uint32(uint256(log.topics[2])));
            } else if (sig == IFLCoordinator.TaskClosed.selector) {
                ghostRefunded[id] += abi.decode(log.data, (uint128));
            } else if (sig == IFLCoordinator.UpdateCommitted.selector) {
                ghostCommitEvents[id][uint32(uint256(log.topics[2]))] += 1;
            }
        }
    }
}
