// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IFLCoordinator} from "../../interfaces/IFLCoordinator.sol";
import {ITokenReceiver, ReentrantToken} from "./ReentrantToken.sol";

/// @title ReentrantParticipant
/// @notice A member that, when paid in ReentrantToken, calls `claim` or `leave` again from the
/// transfer hook. With `swallow` it catches the failed re-entry (so the outer payment goes
/// through and the test can count payments); without, the failure bubbles up.
contract ReentrantParticipant is ITokenReceiver {
    enum Attack {
        None,
        Claim,
        Leave
    }

    IFLCoordinator public immutable coordinator;
    ReentrantToken public immutable token;
    uint256 public taskId;
    Attack public attack;
    bool public swallow;
    uint256 public reentries; // re-entries attempted
    uint256 public reentriesSucceeded;
    uint256 public paymentsReceived;
    bytes public lastReentryError;

    constructor(IFLCoordinator coordinator_, ReentrantToken token_) {
        coordinator = coordinator_;
        token = token_;
        token_.registerHook();
    }

    function arm(uint256 taskId_, Attack attack_, bool swallow_) external {
        taskId = taskId_;
        attack = attack_;
        swallow = swallow_;
    }

    function join(uint256 taskId_, uint128 stake) external {
        IERC20(address(token)).approve(address(coordinator), stake);
        coordinator.join(taskId_, stake, bytes32(0));
    }

    // lead: commit/reveal now take the round explicitly (gas: saves a cold task read).
    function commit(uint256 taskId_, uint32 round, bytes32 commitment) external {
        coordinator.commit(taskId_, round, commitment);
    }

    function reveal(uint256 taskId_, uint32 round, bytes32 cidDigest, uint8 codec, bytes32 salt) external {
        coordinator.reveal(taskId_, round, cidDigest, codec, salt);
    }

    function commitAttestation(uint256 taskId_, uint32 round, bytes32 commitment) external {
        coordinator.commitAttestation(taskId_, round, commitment);
    }

    function revealAttestation(
        uint256 taskId_,
        uint32 round,
        bytes32 model,
        uint8 codec,
        uint256 bitmap,
        bytes32 metrics,
        bytes32 salt
    ) external {
        coordinator.revealAttestation(taskId_, round, model, codec, bitmap, metrics, salt);
    }

    function claim(uint256 taskId_) external returns (uint128) {
        return coordinator.claim(taskId_);
    }

    function leave(uint256 taskId_) external {
        coordinator.leave(taskId_);
    }

    function unbond(uint256 taskId_) external {
        coordinator.unbond(taskId_);
    }

    /// @inheritdoc ITokenReceiver
    function tokensReceived(address, uint256) external {
        if (msg.sender != address(token)) return;
        paymentsReceived += 1;
        Attack current = attack;
        if (current == Attack.None) return;
        attack = Attack.None; // one re-entry per payment is enough to show the guard
        reentries += 1;
        bytes memory call = current == Attack.Claim
            ? abi.encodeCall(IFLCoordinator.claim, (taskId))
            : abi.encodeCall(IFLCoordinator.leave, (taskId));
        (bool ok, bytes memory err) = address(coordinator).call(call);
        if (ok) {
            reentriesSucceeded += 1;
        } else {
            lastReentryError = err;
            if (!swallow) {
                assembly {
                    revert(add(err, 32), mload(err))
                }
            }
        }
    }
}
