// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "./interfaces/IFLCoordinator.sol";
import {IRoundNotes, Note} from "./interfaces/IRoundNotes.sol";
import {RoundPhase} from "./types/DataTypes.sol";

/// @title RoundNotes
/// @notice Documents a task owner publishes for a round (see IRoundNotes). Reads the task's owner
/// and the round's phase from the coordinator; holds no funds.
contract RoundNotes is IRoundNotes {
    IFLCoordinator private immutable _coordinator;
    mapping(uint256 taskId => mapping(uint32 round => mapping(uint8 kind => Note))) private _notes;

    /// @param coordinator_ The FLCoordinator whose tasks the notes belong to.
    constructor(IFLCoordinator coordinator_) {
        _coordinator = coordinator_;
    }

    /// @inheritdoc IRoundNotes
    function publish(uint256 taskId, uint32 round, uint8 kind, bytes32 digest, uint8 codec) external {
        if (kind == 0 || digest == bytes32(0)) revert NotesInvalidNote(kind, digest);
        address owner = _coordinator.getTask(taskId).owner;
        if (msg.sender != owner) revert NotesNotTaskOwner(taskId, msg.sender, owner);
        RoundPhase phase = _coordinator.roundPhase(taskId, round);
        if (phase != RoundPhase.Commit) revert NotesRoundNotInCommit(taskId, round, uint8(phase));
        Note storage note = _notes[taskId][round][kind];
        if (note.digest != bytes32(0)) revert NotesAlreadyPublished(taskId, round, kind);
        note.digest = digest;
        note.codec = codec;
        note.publishedAt = uint64(block.timestamp);
        emit NotePublished(taskId, round, kind, digest, codec);
    }

    /// @inheritdoc IRoundNotes
    function noteOf(uint256 taskId, uint32 round, uint8 kind) external view returns (Note memory) {
        Note storage stored = _notes[taskId][round][kind];
        if (stored.digest == bytes32(0)) revert NotesNotFound(taskId, round, kind);
        return stored;
    }

    /// @inheritdoc IRoundNotes
    function hasNote(uint256 taskId, uint32 round, uint8 kind) external view returns (bool exists) {
        return _notes[taskId][round][kind].digest != bytes32(0);
    }

    /// @inheritdoc IRoundNotes
    function coordinator() external view returns (address) {
        return address(_coordinator);
    }
}
