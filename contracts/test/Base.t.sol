// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {FLCoordinator} from "../FLCoordinator.sol";
import {ModelRegistry} from "../ModelRegistry.sol";
import {IFLCoordinator} from "../interfaces/IFLCoordinator.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {TaskConfig, Task, Round, Member, RoundPhase} from "../types/DataTypes.sol";
import {MockERC20} from "./mocks/MockERC20.sol";
import {Test} from "./utils/Test.sol";

/// @title Base
/// @notice Deploys token, registry and coordinator, names the actors, and drives tasks through
/// rounds, so that each test only says what it is about.
abstract contract Base is Test {
    // ---------------------------------------------------------------- defaults
    uint32 internal constant NUM_ROUNDS = 3;
    uint64 internal constant COMMIT_DURATION = 100;
    uint64 internal constant REVEAL_DURATION = 100;
    uint64 internal constant ATTEST_DURATION = 100;
    uint128 internal constant MIN_STAKE = 100e18;
    uint128 internal constant STAKE = 100e18;
    uint128 internal constant REWARD_PER_ROUND = 1000e18;
    uint16 internal constant QUORUM_BPS = 6667;
    uint16 internal constant SLASH_BPS = 1000;
    uint16 internal constant ATTESTER_SHARE_BPS = 2000;
    uint16 internal constant MAX_PARTICIPANTS = 10;
    uint8 internal constant CODEC = 0x70;
    bytes32 internal constant INITIAL_MODEL = keccak256("initial model");
    bytes32 internal constant MODEL_SPEC = keccak256("model spec");
    bytes32 internal constant MODEL = keccak256("global model");
    bytes32 internal constant OTHER_MODEL = keccak256("another global model");
    bytes32 internal constant METRICS = keccak256("metrics");
    uint256 internal constant START_TIME = 1_700_000_000;
    uint256 internal constant FUNDS = 1_000_000e18;

    // ---------------------------------------------------------------- deployment
    MockERC20 internal token;
    ModelRegistry internal registry;
    FLCoordinator internal coordinator;

    address internal owner;
    address internal alice;
    address internal bob;
    address internal carol;
    address internal dave;
    address internal eve;

    /// @dev The task most tests work on (created by `setUp`).
    uint256 internal taskId;

    function setUp() public virtual {
        vm.warp(START_TIME);
        owner = makeAddr("owner");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        dave = makeAddr("dave");
        eve = makeAddr("eve");

        token = new MockERC20("flchain test token", "FLT");
        registry = new ModelRegistry(address(this));
        coordinator = new FLCoordinator(registry);
        registry.setCoordinator(address(coordinator));
        vm.label(address(token), "token");
        vm.label(address(registry), "registry");
        vm.label(address(coordinator), "coordinator");

        address[6] memory everyone = [owner, alice, bob, carol, dave, eve];
        for (uint256 i; i < everyone.length; ++i) {
            fund(everyone[i], FUNDS);
        }
        taskId = createTask(defaultConfig());
    }

    // ---------------------------------------------------------------- tasks and members

    function defaultConfig() internal view returns (TaskConfig memory config) {
        config = TaskConfig({
            token: IERC20(address(token)),
            initialModelDigest: INITIAL_MODEL,
            initialModelCodec: CODEC,
            modelSpecDigest: MODEL_SPEC,
            modelSpecCodec: CODEC,
            numRounds: NUM_ROUNDS,
            commitDuration: COMMIT_DURATION,
            revealDuration: REVEAL_DURATION,
            attestDuration: ATTEST_DURATION,
            minStake: MIN_STAKE,
            rewardPerRound: REWARD_PER_ROUND,
            quorumBps: QUORUM_BPS,
            slashBps: SLASH_BPS,
            rejectSlashBps: SLASH_BPS,
            attesterShareBps: ATTESTER_SHARE_BPS,
            maxParticipants: MAX_PARTICIPANTS,
            aggregationRule: 1,
            aggregationParams: hex"0102",
            maxMemberShareBps: 0
        });
    }

    function fund(address who, uint256 amount) internal {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(coordinator), type(uint256).max);
    }

    function createTask(TaskConfig memory config) internal returns (uint256 id) {
        vm.prank(owner);
        id = coordinator.createTask(config);
    }

    function join(address who) internal {
        join(who, STAKE);
    }

    function join(address who, uint128 stake) internal {
        vm.prank(who);
        coordinator.join(taskId, stake, bytes32(uint256(uint160(who))));
    }

    /// @dev alice, bob and carol join with equal stakes; the owner opens round 1.
    function joinThreeAndStart() internal returns (uint32 round) {
        join(alice);
        join(bob);
        join(carol);
        round = startRound();
    }

    function startRound() internal returns (uint32 round) {
        vm.prank(owner);
        round = coordinator.startRound(taskId);
    }

    // ---------------------------------------------------------------- round work

    function currentRound() internal view returns (uint32) {
        return coordinator.getTask(taskId).currentRound;
    }

    /// @dev The update CID digest `who` submits in `round` (distinct per member and round).
    function cidOf(address who, uint32 round) internal pure returns (bytes32) {
        return keccak256(abi.encode("update", who, round));
    }

    function saltOf(address who, uint32 round) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", who, round));
    }

    /// @dev The commitment formula of IFLCoordinator.commit, computed here without a call (so that
    /// helpers can run right after `vm.expectRevert`); views.t.sol checks it matches the contract.
    function commitmentOf(address who, uint32 round) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                cidOf(who, round), CODEC, saltOf(who, round), who, taskId, round, block.chainid, address(coordinator)
            )
        );
    }

    /// @dev `who` commits its update for the current round. Reads the round with a call first:
    /// after `vm.expectRevert` use `commitAs(who, round)`, which makes no other call.
    function commitAs(address who) internal {
        commitAs(who, currentRound());
    }

    function commitAs(address who, uint32 round) internal {
        bytes32 commitment = commitmentOf(who, round);
        vm.prank(who);
        coordinator.commit(taskId, round, commitment);
    }

    /// @dev `who` reveals its update for the current round (see `commitAs` about `vm.expectRevert`).
    function revealAs(address who) internal {
        revealAs(who, currentRound());
    }

    function revealAs(address who, uint32 round) internal {
        vm.prank(who);
        coordinator.reveal(taskId, round, cidOf(who, round), CODEC, saltOf(who, round));
    }

    function attestSaltOf(address who, uint32 round) internal pure returns (bytes32) {
        return keccak256(abi.encode("attest salt", who, round));
    }

    /// @dev The formula of IFLCoordinator.commitAttestation, computed without a call (as
    /// `commitmentOf`); views.t.sol checks it matches the contract.
    function attestationOf(address who, uint32 round, bytes32 model, uint256 bitmap) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                model, CODEC, bitmap, METRICS, attestSaltOf(who, round), who, taskId, round, block.chainid,
                address(coordinator)
            )
        );
    }

    /// @dev `who` commits an attestation of (`model`, `bitmap`) in `round` (one call: usable
    /// right after `vm.expectRevert`).
    function commitAttestationAs(address who, uint32 round, bytes32 model, uint256 bitmap) internal {
        bytes32 commitment = attestationOf(who, round, model, bitmap);
        vm.prank(who);
        coordinator.commitAttestation(taskId, round, commitment);
    }

    /// @dev `who` reveals its attestation of (`model`, `bitmap`) in `round` (one call).
    function revealAttestationAs(address who, uint32 round, bytes32 model, uint256 bitmap) internal {
        vm.prank(who);
        coordinator.revealAttestation(taskId, round, model, CODEC, bitmap, METRICS, attestSaltOf(who, round));
    }

    /// @dev Shorthand for tests about what attestations lead to: `who` commits its attestation in
    /// the attest-commit half and reveals it at the start of the attest-reveal half (or now, if
    /// later), so that a sequence of `attestAs` reads like a sequence of attestations. Committing
    /// after an earlier `attestAs` moved the clock into the reveal half takes the clock back into
    /// the commit half for that one call: state does not depend on time, only phases do.
    /// Tests about the commit and reveal themselves use the two calls above.
    function attestAs(address who, bytes32 model, uint256 bitmap) internal {
        uint32 round = currentRound();
        Round memory r = round_();
        uint256 revealFrom = coordinator.attestCommitDeadline(taskId, round);
        uint256 before = block.timestamp;
        if (before >= revealFrom) vm.warp(r.revealDeadline);
        commitAttestationAs(who, round, model, bitmap);
        vm.warp(before > revealFrom ? before : revealFrom);
        revealAttestationAs(who, round, model, bitmap);
    }

    function finalize(bytes32 model, uint256 bitmap) internal {
        coordinator.finalizeRound(taskId, model, CODEC, bitmap, METRICS);
    }

    function resultOf(bytes32 model, uint256 bitmap) internal view returns (bytes32) {
        return coordinator.resultId(model, CODEC, bitmap, METRICS);
    }

    // ---------------------------------------------------------------- time

    function round_() internal view returns (Round memory) {
        return coordinator.getRound(taskId, currentRound());
    }

    function warpToReveal() internal {
        vm.warp(round_().commitDeadline);
    }

    function warpToAttest() internal {
        vm.warp(round_().revealDeadline);
    }

    /// @dev To the attest-reveal half of the attest window.
    function warpToAttestReveal() internal {
        vm.warp(coordinator.attestCommitDeadline(taskId, currentRound()));
    }

    function warpPastAttest() internal {
        vm.warp(round_().attestDeadline);
    }

    /// @dev alice, bob and carol commit and reveal in the current round (reveal indices 0, 1, 2),
    /// which is then in its attest phase.
    function commitAndRevealThree() internal {
        commitAs(alice);
        commitAs(bob);
        commitAs(carol);
        warpToReveal();
        revealAs(alice);
        revealAs(bob);
        revealAs(carol);
        warpToAttest();
    }

    /// @dev alice, bob and carol attest `model` with `bitmap`, in that order.
    function attestThree(bytes32 model, uint256 bitmap) internal {
        attestAs(alice, model, bitmap);
        attestAs(bob, model, bitmap);
        attestAs(carol, model, bitmap);
    }

    /// @dev Runs the current round with alice, bob and carol: all commit and reveal, all attest
    /// MODEL with the updates of `bitmap` accepted, then it is finalized.
    function playRound(uint256 bitmap) internal {
        commitAndRevealThree();
        attestThree(MODEL, bitmap);
        finalize(MODEL, bitmap);
    }

    /// @dev `playRound` with all three updates accepted.
    function playFullRound() internal {
        playRound(0x7);
    }

    /// @dev alice, bob and carol join and the owner opens round 1; nobody commits, all three
    /// attest MODEL accepting no update (quorum), and the attest phase ends: the round waits for
    /// `finalizeRound`.
    function roundAwaitingFinalization() internal returns (uint32 round) {
        round = joinThreeAndStart();
        warpToAttest();
        attestThree(MODEL, 0);
        warpPastAttest();
    }

    // ---------------------------------------------------------------- views

    function task_() internal view returns (Task memory) {
        return coordinator.getTask(taskId);
    }

    function member(address who) internal view returns (Member memory) {
        return coordinator.getMember(taskId, who);
    }

    function phase() internal view returns (RoundPhase) {
        return coordinator.roundPhase(taskId, currentRound());
    }

    /// @dev What an accepted contributor (or a revealer of a failed round) with `stake` earns in `round`.
    function contributorShare(uint32 round, uint256 stake) internal view returns (uint128) {
        Round memory r = coordinator.getRound(taskId, round);
        return r.revealedStake == 0 ? 0 : uint128(uint256(r.contributorPool) * stake / r.revealedStake);
    }

    /// @dev What a winning attester with `stake` earns in `round`.
    function attesterShare(uint32 round, uint256 stake) internal view returns (uint128) {
        Round memory r = coordinator.getRound(taskId, round);
        return r.winningStake == 0 ? 0 : uint128(uint256(r.attesterPool) * stake / r.winningStake);
    }

    /// @dev What a member with the default STAKE earns in `round` as accepted contributor and winning attester.
    function fullShare(uint32 round) internal view returns (uint128) {
        return contributorShare(round, STAKE) + attesterShare(round, STAKE);
    }

    function balanceOf(address who) internal view returns (uint256) {
        return token.balanceOf(who);
    }

    // ---------------------------------------------------------------- errors

    function err(bytes4 selector, uint256 a) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, a);
    }

    function err(bytes4 selector, uint256 a, address b) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, a, b);
    }

    function err(bytes4 selector, uint256 a, uint32 b, address c) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, a, b, c);
    }

    function wrongPhase(uint32 round, RoundPhase actual) internal view returns (bytes memory) {
        return abi.encodeWithSelector(IFLCoordinator.RoundWrongPhase.selector, taskId, round, actual);
    }

    /// @dev Silences "unused import" for types used only in derived tests.
    function _registryOf() internal view returns (IModelRegistry) {
        return IModelRegistry(coordinator.registry());
    }
}
