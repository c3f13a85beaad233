// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IFLCoordinator} from "../../../interfaces/IFLCoordinator.sol";
import {IRoundNotes, Note} from "../../../interfaces/IRoundNotes.sol";
import {RoundNotes} from "../../../RoundNotes.sol";
import {RoundPhase} from "../../../types/DataTypes.sol";
import {Base} from "../../Base.t.sol";

contract PublishTest is Base {
    uint8 internal constant REFERENCE = 1;
    uint8 internal constant KEYRING = 2;
    bytes32 internal constant DOC = keccak256("reference update");

    RoundNotes internal notes;

    function setUp() public override {
        super.setUp();
        notes = new RoundNotes(coordinator);
    }

    function publishAs(address who, uint32 round, uint8 kind, bytes32 digest) internal {
        vm.prank(who);
        notes.publish(taskId, round, kind, digest, CODEC);
    }

    function test_RevertWhen_KindIsZero() external {
        uint32 round = joinThreeAndStart();
        vm.expectRevert(abi.encodeWithSelector(IRoundNotes.NotesInvalidNote.selector, 0, DOC));
        publishAs(owner, round, 0, DOC);
    }

    function test_RevertWhen_DigestIsZero() external {
        uint32 round = joinThreeAndStart();
        vm.expectRevert(abi.encodeWithSelector(IRoundNotes.NotesInvalidNote.selector, REFERENCE, bytes32(0)));
        publishAs(owner, round, REFERENCE, bytes32(0));
    }

    function test_RevertWhen_TaskDoesNotExist() external {
        vm.expectRevert(err(IFLCoordinator.TaskNotFound.selector, 99));
        vm.prank(owner);
        notes.publish(99, 1, REFERENCE, DOC, CODEC);
    }

    function test_RevertWhen_CallerIsNotTheOwner() external {
        uint32 round = joinThreeAndStart();
        vm.expectRevert(abi.encodeWithSelector(IRoundNotes.NotesNotTaskOwner.selector, taskId, alice, owner));
        publishAs(alice, round, REFERENCE, DOC);
    }

    function test_RevertWhen_RoundNeverOpened() external {
        vm.expectRevert(
            abi.encodeWithSelector(IRoundNotes.NotesRoundNotInCommit.selector, taskId, 1, uint8(RoundPhase.None))
        );
        publishAs(owner, 1, REFERENCE, DOC);
    }

    function test_RevertWhen_RoundIsRevealing() external {
        uint32 round = joinThreeAndStart();
        vm.warp(block.timestamp + COMMIT_DURATION);
        vm.expectRevert(
            abi.encodeWithSelector(IRoundNotes.NotesRoundNotInCommit.selector, taskId, round, uint8(RoundPhase.Reveal))
        );
        publishAs(owner, round, REFERENCE, DOC);
    }

    function test_RevertWhen_AlreadyPublished() external {
        uint32 round = joinThreeAndStart();
        publishAs(owner, round, REFERENCE, DOC);
        vm.expectRevert(abi.encodeWithSelector(IRoundNotes.NotesAlreadyPublished.selector, taskId, round, REFERENCE));
        publishAs(owner, round, REFERENCE, keccak256("another"));
    }

    function test_Publish_StoresTheNote() external {
        uint32 round = joinThreeAndStart();
        publishAs(owner, round, REFERENCE, DOC);
        Note memory note = notes.noteOf(taskId, round, REFERENCE);
        assertEq(note.digest, DOC, "digest");
        assertEq(note.codec, CODEC, "codec");
        assertEq(note.publishedAt, block.timestamp, "publishedAt");
        assertTrue(notes.hasNote(taskId, round, REFERENCE), "hasNote");
        assertEq(notes.coordinator(), address(coordinator), "coordinator");
    }

    function test_Publish_EmitsNotePublished() external {
        uint32 round = joinThreeAndStart();
        vm.expectEmit(address(notes));
        emit IRoundNotes.NotePublished(taskId, round, KEYRING, DOC, CODEC);
        publishAs(owner, round, KEYRING, DOC);
    }

    function test_Publish_KeepsKindsAndRoundsApart() external {
        uint32 round = joinThreeAndStart();
        publishAs(owner, round, REFERENCE, DOC);
        publishAs(owner, round, KEYRING, keccak256("keyring"));
        assertEq(notes.noteOf(taskId, round, KEYRING).digest, keccak256("keyring"), "keyring");
        assertEq(notes.noteOf(taskId, round, REFERENCE).digest, DOC, "reference");
        playFullRound();
        uint32 next = currentRound(); // finalizing opened the next round
        assertEq(next, round + 1, "next round open");
        assertFalse(notes.hasNote(taskId, next, REFERENCE), "next round starts empty");
        publishAs(owner, next, REFERENCE, keccak256("next"));
        assertEq(notes.noteOf(taskId, round, REFERENCE).digest, DOC, "earlier note unchanged");
    }

    function test_NoteOf_RevertWhen_NeverPublished() external {
        uint32 round = joinThreeAndStart();
        assertFalse(notes.hasNote(taskId, round, REFERENCE), "hasNote");
        vm.expectRevert(abi.encodeWithSelector(IRoundNotes.NotesNotFound.selector, taskId, round, REFERENCE));
        notes.noteOf(taskId, round, REFERENCE);
    }
}
