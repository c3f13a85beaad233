// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {IModelRegistry, ModelRecord} from "../../../interfaces/IModelRegistry.sol";
import {TaskConfig, Task, TaskStatus} from "../../../types/DataTypes.sol";
import {Base} from "../../Base.t.sol";

contract CreateTaskTest is Base {
    function expectInvalid(TaskConfig memory config, string memory parameter) private {
        vm.expectRevert(abi.encodeWithSelector(IFLCoordinator.TaskInvalidConfig.selector, parameter));
        vm.prank(owner);
        coordinator.createTask(config);
    }

    function test_RevertWhen_TokenIsNotAContract() external {
        TaskConfig memory config = defaultConfig();
        config.token = IERC20(makeAddr("not a contract"));
        expectInvalid(config, "token");
    }

    function test_RevertWhen_InitialModelDigestIsZero() external {
        TaskConfig memory config = defaultConfig();
        config.initialModelDigest = bytes32(0);
        expectInvalid(config, "initialModelDigest");
    }

    function test_RevertWhen_MinStakeIsZero() external {
        TaskConfig memory config = defaultConfig();
        config.minStake = 0;
        expectInvalid(config, "minStake");
    }

    function test_RevertWhen_NumRoundsIsZero() external {
        TaskConfig memory config = defaultConfig();
        config.numRounds = 0;
        expectInvalid(config, "numRounds");
    }

    function test_RevertWhen_CommitDurationIsZero() external {
        TaskConfig memory config = defaultConfig();
        config.commitDuration = 0;
        expectInvalid(config, "commitDuration");
    }

    function test_RevertWhen_RevealDurationIsZero() external {
        TaskConfig memory config = defaultConfig();
        config.revealDuration = 0;
        expectInvalid(config, "revealDuration");
    }

    function test_RevertWhen_AttestDurationIsZero() external {
        TaskConfig memory config = defaultConfig();
        config.attestDuration = 0;
        expectInvalid(config, "attestDuration");
    }

    function test_RevertWhen_QuorumIsHalfOrLess() external {
        TaskConfig memory config = defaultConfig();
        config.quorumBps = 5000;
        expectInvalid(config, "quorumBps");
        config.quorumBps = 0;
        expectInvalid(config, "quorumBps");
    }

    function test_RevertWhen_QuorumExceedsAll() external {
        TaskConfig memory config = defaultConfig();
        config.quorumBps = 10_001;
        expectInvalid(config, "quorumBps");
    }

    function test_RevertWhen_SlashBpsExceedsAll() external {
        TaskConfig memory config = defaultConfig();
        config.slashBps = 10_001;
        expectInvalid(config, "slashBps");
    }

    function test_RevertWhen_RejectSlashBpsExceedsAll() external {
        TaskConfig memory config = defaultConfig();
        config.rejectSlashBps = 10_001;
        expectInvalid(config, "rejectSlashBps");
    }

    function test_RevertWhen_AttesterShareExceedsAll() external {
        TaskConfig memory config = defaultConfig();
        config.attesterShareBps = 10_001;
        expectInvalid(config, "attesterShareBps");
    }

    function test_RevertWhen_MaxParticipantsIsZero() external {
        TaskConfig memory config = defaultConfig();
        config.maxParticipants = 0;
        expectInvalid(config, "maxParticipants");
    }

    function test_RevertWhen_MaxParticipantsExceeds256() external {
        TaskConfig memory config = defaultConfig();
        config.maxParticipants = 257;
        expectInvalid(config, "maxParticipants");
    }

    function test_RevertWhen_EscrowExceedsUint96() external {
        TaskConfig memory config = defaultConfig();
        config.rewardPerRound = type(uint96).max / 2 + 1;
        config.numRounds = 2;
        expectInvalid(config, "rewardPerRound * numRounds");
        config.rewardPerRound = type(uint128).max;
        config.numRounds = type(uint32).max;
        expectInvalid(config, "rewardPerRound * numRounds");
    }

    function test_CreateTask_AcceptsEscrowOfUint96Max() external {
        TaskConfig memory config = defaultConfig();
        config.rewardPerRound = type(uint96).max;
        config.numRounds = 1;
        token.mint(owner, type(uint96).max);
        uint256 id = createTask(config);
        assertEq(coordinator.getTask(id).rewardPool, type(uint96).max, "rewardPool");
    }

    function test_RevertWhen_AllowanceDoesNotCoverEscrow() external {
        vm.prank(owner);
        token.approve(address(coordinator), uint256(REWARD_PER_ROUND) * NUM_ROUNDS - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(coordinator),
                uint256(REWARD_PER_ROUND) * NUM_ROUNDS - 1,
                uint256(REWARD_PER_ROUND) * NUM_ROUNDS
            )
        );
        vm.prank(owner);
        coordinator.createTask(defaultConfig());
    }

    function test_CreateTask_AcceptsExtremeBounds() external {
        TaskConfig memory config = defaultConfig();
        config.quorumBps = 5001;
        config.slashBps = 5_000;
        config.rejectSlashBps = 1_000;
        config.attesterShareBps = 10_000;
        config.maxParticipants = 256;
        config.rewardPerRound = 0;
        config.minStake = 1;
        config.commitDuration = 60;
        config.revealDuration = 30 days;
        uint256 id = createTask(config);
        config.quorumBps = 9_000;
        uint256 id2 = createTask(config);
        assertEq(coordinator.getTask(id).maxParticipants, 256, "maxParticipants");
        assertEq(coordinator.getTask(id).rewardPool, 0, "zero escrow");
        assertEq(coordinator.getTask(id2).quorumBps, 9_000, "quorumBps");
    }

    function test_CreateTask_NumbersTasksFromOne() external {
        // setUp created task 1.
        assertEq(taskId, 1, "first id");
        uint256 id = createTask(defaultConfig());
        assertEq(id, 2, "second id");
        assertEq(coordinator.taskCount(), 2, "taskCount");
    }

    function test_CreateTask_StoresEveryParameter() external view {
        Task memory t = task_();
        assertEq(t.owner, owner, "owner");
        assertEq(uint256(t.status), uint256(TaskStatus.Active), "status");
        assertEq(t.currentRound, 0, "currentRound");
        assertEq(t.finalizedRounds, 0, "finalizedRounds");
        assertEq(t.lastFinalizedRound, 0, "lastFinalizedRound");
        assertEq(t.memberCount, 0, "memberCount");
        assertEq(address(t.token), address(token), "token");
        assertEq(t.numRounds, NUM_ROUNDS, "numRounds");
        assertEq(t.quorumBps, QUORUM_BPS, "quorumBps");
        assertEq(t.slashBps, SLASH_BPS, "slashBps");
        assertEq(t.attesterShareBps, ATTESTER_SHARE_BPS, "attesterShareBps");
        assertEq(t.maxParticipants, MAX_PARTICIPANTS, "maxParticipants");
        assertEq(t.commitDuration, COMMIT_DURATION, "commitDuration");
        assertEq(t.revealDuration, REVEAL_DURATION, "revealDuration");
        assertEq(t.attestDuration, ATTEST_DURATION, "attestDuration");
        assertEq(t.aggregationRule, 1, "aggregationRule");
        assertEq(t.aggregationParams, hex"0102", "aggregationParams");
        assertEq(t.minStake, MIN_STAKE, "minStake");
        assertEq(t.rewardPerRound, REWARD_PER_ROUND, "rewardPerRound");
        assertEq(t.totalStake, 0, "totalStake");
        assertEq(t.unclaimedRewards, 0, "unclaimedRewards");
        assertEq(t.modelSpecDigest, MODEL_SPEC, "modelSpecDigest");
        assertEq(t.modelSpecCodec, CODEC, "modelSpecCodec");
    }

    function test_CreateTask_PullsEscrow() external {
        uint256 ownerBefore = balanceOf(owner);
        uint256 coordinatorBefore = balanceOf(address(coordinator));
        uint256 id = createTask(defaultConfig());
        uint256 escrow = uint256(REWARD_PER_ROUND) * NUM_ROUNDS;
        assertEq(balanceOf(owner), ownerBefore - escrow, "owner paid");
        assertEq(balanceOf(address(coordinator)), coordinatorBefore + escrow, "coordinator holds");
        assertEq(coordinator.getTask(id).rewardPool, escrow, "rewardPool");
    }

    function test_CreateTask_RecordsInitialModelAsRoundZero() external view {
        ModelRecord memory record = registry.modelAt(taskId, 0);
        assertEq(record.modelDigest, INITIAL_MODEL, "digest");
        assertEq(record.codec, CODEC, "codec");
        assertEq(record.round, 0, "round");
        assertEq(record.parentRound, 0, "parent");
        assertEq(record.metricsDigest, bytes32(0), "metrics");
        assertEq(record.contributors, 0, "contributors");
        assertEq(record.timestamp, START_TIME, "timestamp");
        assertEq(registry.modelCount(taskId), 1, "modelCount");
    }

    function test_CreateTask_EmitsTaskCreatedAndModelRecorded() external {
        TaskConfig memory c = defaultConfig();
        vm.expectEmit(address(coordinator));
        emit IFLCoordinator.TaskCreated(
            2,
            owner,
            address(token),
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
        vm.expectEmit(address(registry));
        emit IModelRegistry.ModelRecorded(2, 0, 0, INITIAL_MODEL, CODEC, bytes32(0), 0);
        createTask(c);
    }
}
