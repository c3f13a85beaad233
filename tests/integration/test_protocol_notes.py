"""RoundNotes from Python: the task owner publishes a round's documents during its Commit
phase; anyone reads them back; everybody else, and every other phase, is refused."""

from __future__ import annotations

import pytest
from protocol_parties import PHASE, Parties, task_with_members

from flchain.chain.controls import increase_time, mine
from flchain.errors import ContractRevertError
from flchain.protocol.notes import NoteKind, RoundNotesClient
from flchain.storage.cid import RAW, Cid

pytestmark = pytest.mark.integration

REFERENCE = Cid.from_chain(b"\x31" * 32, RAW)
KEYRING = Cid.from_chain(b"\x32" * 32, RAW)


def test_owner_publishes_and_anyone_reads(parties: Parties, chain_snapshot: str) -> None:
    task_id = task_with_members(parties)
    parties.owner.start_round(task_id)
    owner_notes = RoundNotesClient(parties.owner)
    owner_notes.publish(task_id, 1, NoteKind.FLTRUST_REFERENCE, REFERENCE)
    owner_notes.publish(task_id, 1, NoteKind.KEYRING, KEYRING)

    reader = RoundNotesClient(parties.bob)
    assert reader.note(task_id, 1, NoteKind.FLTRUST_REFERENCE) == REFERENCE
    assert reader.note(task_id, 1, NoteKind.KEYRING) == KEYRING
    assert reader.note(task_id, 2, NoteKind.KEYRING) is None


def test_non_owner_and_late_publication_are_refused(parties: Parties, chain_snapshot: str) -> None:
    task_id = task_with_members(parties)
    parties.owner.start_round(task_id)
    with pytest.raises(ContractRevertError) as refused:
        RoundNotesClient(parties.alice).publish(task_id, 1, NoteKind.KEYRING, KEYRING)
    assert refused.value.error_name == "NotesNotTaskOwner"
    assert "RoundNotes rejected the call" in str(refused.value)

    increase_time(parties.owner.w3, PHASE)
    mine(parties.owner.w3)
    with pytest.raises(ContractRevertError) as late:
        RoundNotesClient(parties.owner).publish(task_id, 1, NoteKind.KEYRING, KEYRING)
    assert late.value.error_name == "NotesRoundNotInCommit"
    assert RoundNotesClient(parties.owner).note(task_id, 1, NoteKind.KEYRING) is None
