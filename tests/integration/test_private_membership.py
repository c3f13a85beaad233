"""Who can read a private task's rounds, on a real Anvil and a real store: the owner publishes
each round's keyring through RoundNotes; a member that left, or that slashes expelled, is in no
later keyring and cannot read the next round, while the members who stay can."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from protocol_parties import PHASE, Parties, attest_all

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.controls import increase_time, mine
from flchain.chain.transactions import TxSender
from flchain.crypto import build_keyring, encode_masked
from flchain.errors import DecryptionError, KeyAccessError
from flchain.fl import build_model, flatten_state
from flchain.fl.data import from_arrays
from flchain.protocol.client import FLClient
from flchain.protocol.commitments import new_salt
from flchain.protocol.notes import NoteKind, RoundNotesClient
from flchain.protocol.records import MemberInfo, RoundPhase
from flchain.roles.owner import create_task
from flchain.roles.participant import Participant, ParticipantOptions
from flchain.roles.privacy.keyrings import KeyringPublisher, keyring_recipients
from flchain.roles.privacy.private_rounds import PrivateMember
from flchain.roles.privacy.round_keys import RoundKeySource, member_key_pair, task_scope
from flchain.roles.taskfile import load_task_file
from flchain.storage.local import LocalStore
from flchain.storage.unixfs import compute_cid

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]
TOKEN = 10**18


def _private_task(parties: Parties, store: LocalStore, secure: bool = False) -> int:
    task = load_task_file(PROJECT / "examples" / "digits.toml")
    task = dataclasses.replace(
        task, rounds=3, commit_seconds=PHASE, reveal_seconds=PHASE, attest_seconds=PHASE,
        document=dataclasses.replace(task.document, private=True, secure_aggregation=secure),
    )  # fmt: skip
    return create_task(parties.owner, store, task).task_id


def _task_in_round_one(
    parties: Parties, store: LocalStore, members: tuple[FLClient, ...], secure: bool = False
) -> int:
    """A private task (``secure``: with secure aggregation) that ``members`` joined with the
    minimum stake and their own keys, its round 1 started."""
    task_id = _private_task(parties, store, secure)
    for member in members:
        _join(member, task_id)
    parties.owner.start_round(task_id)
    return task_id


def _join(
    client: FLClient, task_id: int, stake: int = 10 * TOKEN, key: bytes | None = None
) -> None:
    key = key or member_key_pair(client.sender.signer, task_scope(client, task_id)).public
    client.join(task_id, stake, key)


def _carol(parties: Parties) -> FLClient:
    return FLClient(
        parties.owner.w3,
        parties.owner.deployment,
        TxSender(parties.owner.w3, dev_signer(3, DEV_CHAIN_ID)),
    )


def _key_source(member: FLClient, store: LocalStore, task_id: int) -> RoundKeySource:
    """``member``'s view of the task's round keys, opened with its own signer."""
    return RoundKeySource(member, store, task_id, member.sender.signer)


def _advance_to(parties: Parties, task_id: int, phase: RoundPhase) -> None:
    """End the current round's commit (``phase`` REVEAL) or reveal phase (ATTEST_COMMIT)."""
    rnd = parties.owner.round(task_id, parties.owner.task(task_id).current_round)
    deadline = rnd.commit_deadline if phase == RoundPhase.REVEAL else rnd.reveal_deadline
    _pass_deadline(parties, task_id, rnd.round, deadline, phase)


def _fail_current_round(parties: Parties, task_id: int) -> None:
    rnd = parties.owner.round(task_id, parties.owner.task(task_id).current_round)
    _pass_deadline(parties, task_id, rnd.round, rnd.attest_deadline, RoundPhase.FAILED)


def _pass_deadline(
    parties: Parties, task_id: int, round_id: int, deadline: int, phase: RoundPhase
) -> None:
    """Move the chain's clock just past ``deadline``; the round is then in ``phase``."""
    now = int(parties.owner.w3.eth.get_block("latest")["timestamp"])
    increase_time(parties.owner.w3, deadline - now + 1)
    mine(parties.owner.w3)
    assert parties.owner.phase(task_id, round_id) == phase


def _fail_round_one_alice_alone(
    parties: Parties, task_id: int, silent: tuple[FLClient, ...] = ()
) -> None:
    """Round 1 fails: alice commits, reveals and attests alone (no quorum); the ``silent``
    members commit after her and never reveal."""
    salt = new_salt()
    parties.alice.commit(task_id, 1, b"\x02" * 32, 0x55, salt)
    for member in silent:
        member.commit(task_id, 1, b"\x01" * 32, 0x55, new_salt())
    _advance_to(parties, task_id, RoundPhase.REVEAL)
    parties.alice.reveal(task_id, 1, b"\x02" * 32, 0x55, salt)
    _advance_to(parties, task_id, RoundPhase.ATTEST_COMMIT)
    attest_all([parties.alice], task_id, 1, (b"\x03" * 32, 0x55, 1, bytes(32)))
    _fail_current_round(parties, task_id)


def test_member_that_left_or_was_slashed_out_cannot_read_the_next_round(
    parties: Parties, chain_snapshot: str, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    carol = _carol(parties)
    task_id = _task_in_round_one(parties, store, (parties.alice, parties.bob, carol))
    publisher = KeyringPublisher(parties.owner, store, task_id)
    assert publisher.step() == 1
    readers = {
        c.sender.address: _key_source(c, store, task_id)
        for c in (parties.alice, parties.bob, carol)
    }
    round_one = {address: source.keys(1).round_key for address, source in readers.items()}
    assert len(set(round_one.values())) == 1  # every member of round 1 reads it
    # carol commits and never reveals while alice reveals (so the reveal phase was live) and
    # attests alone (no quorum): round 1 fails, and carol's pending slash (10% of the minimum
    # stake) leaves her below the minimum; bob leaves the task.
    _fail_round_one_alice_alone(parties, task_id, silent=(carol,))
    parties.bob.leave(task_id)

    parties.owner.start_round(task_id)
    assert publisher.step() == 2

    alice_keys = readers[parties.alice.sender.address].keys(2)
    for gone in (parties.bob, carol):
        fresh = _key_source(gone, store, task_id)
        with pytest.raises(KeyAccessError) as caught:
            fresh.keys(2)
        assert f"{gone.sender.address} is not in the keyring of task {task_id} round 2" in str(
            caught.value
        )
        # and the round-1 key it kept opens nothing of round 2
        sealed = alice_keys.cipher().seal_update(
            b"alice's round-2 update", parties.alice.sender.address
        )
        stale = dataclasses.replace(
            alice_keys, round_key=readers[gone.sender.address].keys(1).round_key
        )
        with pytest.raises(DecryptionError):
            stale.cipher().open_update(sealed, parties.alice.sender.address)
    assert carol.member(task_id, carol.sender.address).joined  # still a member, not yet settled
    keyring = RoundNotesClient(parties.owner).note(task_id, 2, NoteKind.KEYRING)
    assert keyring is not None


def test_non_member_without_account_is_told_to_pass_one(
    parties: Parties, chain_snapshot: str, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    task_id = _task_in_round_one(parties, store, (parties.alice,))
    KeyringPublisher(parties.owner, store, task_id).step()

    with pytest.raises(KeyAccessError, match="pass --account"):
        RoundKeySource(parties.bob, store, task_id, None).keys(1)
    with pytest.raises(KeyAccessError, match="not in the keyring"):
        _key_source(parties.bob, store, task_id).keys(1)
    owner = _key_source(parties.owner, store, task_id)
    member = _key_source(parties.alice, store, task_id)
    assert owner.keys(1).round_key == member.keys(1).round_key  # the owner derives it


LOW_ORDER = bytes([1]) + bytes(31)  # an X25519 point of order 1: the chain takes any bytes32


def test_member_with_a_low_order_key_is_left_out_of_the_keyring_and_roster(
    parties: Parties, chain_snapshot: str, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    carol = _carol(parties)
    task_id = _private_task(parties, store, secure=True)
    _join(parties.alice, task_id)
    _join(parties.bob, task_id)
    _join(carol, task_id, key=LOW_ORDER)
    parties.owner.start_round(task_id)

    assert KeyringPublisher(parties.owner, store, task_id).step() == 1

    source = _key_source(parties.alice, store, task_id)
    keyring = source.keyring(1)
    assert keyring is not None
    assert not keyring.holds(carol.sender.address)
    honest = sorted(c.sender.address.lower() for c in (parties.alice, parties.bob))
    assert keyring.roster == tuple(honest)
    assert source.keys(1).round_key  # the honest members read the round


def test_participant_skips_a_round_it_cannot_prepare_an_update_for(
    parties: Parties, chain_snapshot: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Training on huge features diverges to a non-finite model, which has no secure-aggregation
    # contribution: the participant skips the round (one error in the log) instead of crashing.
    store = LocalStore(tmp_path / "store")
    task_id = _private_task(parties, store, secure=True)
    _join(parties.bob, task_id)
    data = from_arrays(np.full((8, 1, 8, 8), 1e38), np.arange(8) % 10)
    alice = Participant(
        parties.alice, store, task_id, data, ParticipantOptions(journal_dir=tmp_path / "journal")
    )
    alice._ensure_joined()
    parties.owner.start_round(task_id)
    KeyringPublisher(parties.owner, store, task_id).step()
    task = parties.owner.task(task_id)

    for _ in range(2):  # the second poll does not train again
        alice._step(task, parties.owner.round(task_id, 1))

    assert not parties.owner.member(task_id, parties.alice.sender.address).did(
        MemberInfo.COMMITTED, 1
    )
    assert alice.report.committed == []
    assert caplog.text.count("cannot prepare an update") == 1


def _publish_forged(
    parties: Parties, store: LocalStore, task_id: int, round_id: int, roster: list[FLClient]
) -> None:
    """The owner publishes a keyring for every member but with a roster of its choosing."""
    source = _key_source(parties.owner, store, task_id)
    keys = source.keys(round_id)
    recipients = keyring_recipients(parties.owner, task_id, round_id)
    keyring = build_keyring(
        source.scope, round_id, keys.parent_round, keys.round_key, keys.parent_model_keys,
        recipients, [c.sender.address for c in roster],
    )  # fmt: skip
    RoundNotesClient(parties.owner).publish(
        task_id, round_id, NoteKind.KEYRING, store.put(keyring.to_json())
    )


def test_member_refuses_a_roster_too_small_or_leaving_out_a_member(
    parties: Parties, chain_snapshot: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = LocalStore(tmp_path / "store")
    carol = _carol(parties)
    task_id = _private_task(parties, store, secure=True)
    for member in (parties.alice, parties.bob, carol):
        _join(member, task_id)
    document = load_task_file(PROJECT / "examples" / "digits.toml").document
    document = dataclasses.replace(document, private=True, secure_aggregation=True)
    parties.owner.start_round(task_id)
    # Round 1: carol, a member in good standing, is left out: alice's mask would then be
    # known to an owner controlling bob.
    _publish_forged(parties, store, task_id, 1, [parties.alice, parties.bob])

    assert not PrivateMember(parties.alice, store, task_id, document).may_commit(1)
    assert f"the roster leaves out {carol.sender.address.lower()}" in caplog.text

    _fail_current_round(parties, task_id)
    parties.owner.start_round(task_id)
    _publish_forged(parties, store, task_id, 2, [parties.alice])  # alice alone: no mask at all

    assert not PrivateMember(parties.alice, store, task_id, document).may_commit(2)
    assert "has 1 member(s), too few to hide an update" in caplog.text


def test_members_whose_budget_is_spent_are_left_out_of_the_roster(
    parties: Parties, chain_snapshot: str, tmp_path: Path
) -> None:
    # A DP budget that one round spends: alice, who committed in round 1, rests in round 2.
    store = LocalStore(tmp_path / "store")
    config = tmp_path / "dp.toml"
    config.write_text(
        (PROJECT / "examples" / "digits-dp.toml").read_text().replace("rounds = 10", "rounds = 1")
    )
    task = load_task_file(config)
    task = dataclasses.replace(
        task, commit_seconds=PHASE, reveal_seconds=PHASE, attest_seconds=PHASE,
        document=dataclasses.replace(task.document, private=True, secure_aggregation=True),
    )  # fmt: skip
    task_id = create_task(parties.owner, store, task).task_id
    carol = _carol(parties)
    _join(parties.alice, task_id, stake=20 * TOKEN)
    for member in (parties.bob, carol):
        _join(member, task_id)
    parties.owner.start_round(task_id)
    parties.alice.commit(task_id, 1, b"\x01" * 32, 0x55, new_salt())
    _fail_current_round(parties, task_id)
    parties.owner.start_round(task_id)

    assert KeyringPublisher(parties.owner, store, task_id).step() == 2

    source = _key_source(parties.bob, store, task_id)
    keyring = source.keyring(2)
    assert keyring is not None
    assert keyring.holds(parties.alice.sender.address)  # she still reads and attests
    assert keyring.roster == tuple(sorted(c.sender.address.lower() for c in (parties.bob, carol)))
    bob = PrivateMember(parties.bob, store, task_id, task.document)
    assert bob.may_commit(2)
    # Client-level DP noise is shared among the roster (2), not the task's 3 members.
    assert bob.roster_size(2) == 2 != parties.owner.task(task_id).member_count


def test_member_revealing_an_unusable_update_is_left_out_of_the_next_roster(
    parties: Parties, chain_snapshot: str, tmp_path: Path
) -> None:
    store = LocalStore(tmp_path / "store")
    carol = _carol(parties)
    task_id = _task_in_round_one(parties, store, (parties.alice, parties.bob, carol), secure=True)
    publisher = KeyringPublisher(parties.owner, store, task_id)
    assert publisher.step() == 1
    document = load_task_file(PROJECT / "examples" / "digits.toml").document
    count = flatten_state(build_model(document.model, seed=0).state_dict()).size + 1
    cipher = _key_source(parties.bob, store, task_id).keys(1).cipher()
    # alice reveals bytes that are no masked update; bob and carol reveal well-formed ones.
    blobs = {
        parties.alice: cipher.seal_update(b"garbage", parties.alice.sender.address),
        **{
            c: cipher.seal_update(encode_masked(np.zeros(count, np.uint64)), c.sender.address)
            for c in (parties.bob, carol)
        },
    }
    salts = {c: new_salt() for c in blobs}
    for member, blob in blobs.items():
        digest, codec = compute_cid(blob).to_chain()
        member.commit(task_id, 1, digest, codec, salts[member])
    _advance_to(parties, task_id, RoundPhase.REVEAL)
    for member, blob in blobs.items():
        digest, codec = store.put(blob).to_chain()
        member.reveal(task_id, 1, digest, codec, salts[member])
    _fail_current_round(parties, task_id)  # the masks do not cancel: nobody honest attests
    parties.owner.start_round(task_id)

    assert publisher.step() == 2

    keyring = _key_source(parties.bob, store, task_id).keyring(2)
    assert keyring is not None
    assert keyring.roster == tuple(sorted(c.sender.address.lower() for c in (parties.bob, carol)))
    assert PrivateMember(parties.bob, store, task_id, dataclasses.replace(
        document, private=True, secure_aggregation=True
    )).may_commit(2)  # fmt: skip


def test_member_a_pending_inactivity_penalty_expels_is_in_no_later_keyring(
    parties: Parties, chain_snapshot: str, tmp_path: Path
) -> None:
    # bob (the minimum stake) stays silent in round 1, which fails after alice revealed: his
    # pending penalty leaves him below the minimum. Nobody settles him, yet round 2's keyring
    # leaves him out (the Python mirror predicts the penalty), as the contract would refuse him.
    store = LocalStore(tmp_path / "store")
    task_id = _task_in_round_one(parties, store, (parties.alice, parties.bob))
    _fail_round_one_alice_alone(parties, task_id)
    parties.owner.start_round(task_id)

    recipients = keyring_recipients(parties.owner, task_id, 2)

    assert parties.bob.sender.address.lower() not in recipients
    assert parties.alice.sender.address.lower() in recipients
    assert not parties.owner.member(task_id, parties.bob.sender.address).flags & (
        MemberInfo.UNDERSTAKED
    )
