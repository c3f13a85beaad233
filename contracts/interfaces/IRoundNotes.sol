// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A document a task owner published for one round, by CID.
struct Note {
    // slot 0
    bytes32 digest; // sha2-256 digest of the document's CID
    // slot 1
    uint8 codec; // CID codec byte (0x00 CIDv0, 0x70 dag-pb, 0x55 raw)
    uint64 publishedAt; // block timestamp of publication
}

/// @title IRoundNotes
/// @notice Per-round documents that only a task's owner may publish, while the round is in its
/// Commit phase, once per (task, round, kind): e.g. FLTrust's reference update computed on the
/// owner's root data (kind 1), or a round's keyring for encrypted tasks (kind 2). Aggregators
/// and participants read them back by (task, round, kind).
interface IRoundNotes {
    /// @notice Emitted when the owner publishes a note.
    event NotePublished(
        uint256 indexed taskId, uint32 indexed round, uint8 indexed kind, bytes32 digest, uint8 codec
    );

    /// @notice The caller is not the task's owner (an unknown task reverts with the coordinator's
    /// TaskNotFound instead).
    error NotesNotTaskOwner(uint256 taskId, address caller, address owner);
    /// @notice The round is not in its Commit phase (phase as `RoundPhase`).
    error NotesRoundNotInCommit(uint256 taskId, uint32 round, uint8 phase);
    /// @notice A note of this kind is already published for this round; notes never change.
    error NotesAlreadyPublished(uint256 taskId, uint32 round, uint8 kind);
    /// @notice The digest is zero, or the kind is zero (reserved).
    error NotesInvalidNote(uint8 kind, bytes32 digest);
    /// @notice No note of this kind was published for this round.
    error NotesNotFound(uint256 taskId, uint32 round, uint8 kind);

    /// @notice Publishes a note for a round. Requirements: caller is the task's owner; the round
    /// is in its Commit phase; no note of `kind` exists for it yet; `kind` and `digest` are not zero.
    /// @param taskId The task.
    /// @param round The round the note belongs to.
    /// @param kind What the document is (1: FLTrust reference update, 2: keyring; others free).
    /// @param digest The document CID's digest.
    /// @param codec The document CID's codec byte.
    function publish(uint256 taskId, uint32 round, uint8 kind, bytes32 digest, uint8 codec) external;

    /// @notice The note of `kind` for a round. Reverts with `NotesNotFound` when there is none.
    /// @param taskId The task.
    /// @param round The round.
    /// @param kind The note's kind.
    /// @return note The note.
    function noteOf(uint256 taskId, uint32 round, uint8 kind) external view returns (Note memory note);

    /// @notice Whether a note of `kind` exists for a round.
    /// @param taskId The task.
    /// @param round The round.
    /// @param kind The note's kind.
    /// @return exists True when published.
    function hasNote(uint256 taskId, uint32 round, uint8 kind) external view returns (bool exists);

    /// @notice The coordinator whose tasks and rounds the notes belong to.
    /// @return The FLCoordinator contract.
    function coordinator() external view returns (address);
}
