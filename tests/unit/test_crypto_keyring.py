"""Keyrings: every member unwraps the round's keys with the key pair it registered; anyone
else is told why not; a broken or equivocating keyring is refused."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from flchain.crypto import (
    KeyPair,
    Keyring,
    ModelCipher,
    RoundCipher,
    TaskScope,
    build_keyring,
    key_commitment,
)
from flchain.crypto.keys import usable_public_key
from flchain.errors import KeyAccessError, KeyringError

SCOPE = TaskScope(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 7)
MEMBERS = {f"0x{i:040x}": KeyPair.from_secret(bytes([i]) * 32) for i in range(1, 4)}
ROUND_KEY, PARENT_KEY = b"r" * 32, b"p" * 32
PARENT_MODEL_KEYS = ModelCipher.from_round_key(PARENT_KEY, SCOPE, 4).material


def _keyring(roster: list[str] | None = None) -> Keyring:
    recipients = {a: k.public for a, k in MEMBERS.items()}
    built = build_keyring(SCOPE, 5, 4, ROUND_KEY, PARENT_MODEL_KEYS, recipients, roster)
    return Keyring.from_json(built.to_json(), SCOPE, 5)  # as members read it from the store


def test_every_member_unwraps_the_round_and_parent_keys_when_listed() -> None:
    keyring = _keyring()

    for address, pair in MEMBERS.items():
        keys = keyring.unwrap(address.upper().replace("0X", "0x"), pair)
        assert (keys.round_key, keys.parent_model_keys, keys.parent_round) == (
            ROUND_KEY,
            PARENT_MODEL_KEYS,
            4,
        )


def test_key_pair_derivation_is_stable_when_derived_again() -> None:
    assert KeyPair.from_secret(b"s" * 32).public == KeyPair.from_secret(b"s" * 32).public
    assert KeyPair.from_secret(b"s" * 32).public != KeyPair.from_secret(b"t" * 32).public
    pair = KeyPair.from_secret(b"s" * 32)
    secret = pair.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    assert secret.hex() not in repr(pair)
    assert pair.public.hex() in repr(pair)


def test_non_member_gets_a_clear_error_when_unwrapping() -> None:
    outsider = "0x" + "99" * 20

    with pytest.raises(KeyAccessError) as caught:
        _keyring().unwrap(outsider, KeyPair.generate())

    message = str(caught.value)
    assert f"{outsider} is not in the keyring of task 7 round 5" in message
    assert "only the round's members" in message


def test_member_with_another_key_pair_is_refused_when_unwrapping() -> None:
    address = next(iter(MEMBERS))

    with pytest.raises(KeyAccessError, match="for the public key"):
        _keyring().unwrap(address, KeyPair.generate())


def test_tampered_entry_is_refused_when_unwrapping() -> None:
    doc = json.loads(_keyring().to_json())
    address = next(iter(MEMBERS))
    wrapped = bytearray(bytes.fromhex(doc["members"][address]["wrapped"]))
    wrapped[-1] ^= 1
    doc["members"][address]["wrapped"] = wrapped.hex()
    keyring = Keyring.from_json(json.dumps(doc).encode(), SCOPE, 5)

    with pytest.raises(KeyringError, match="does not open"):
        keyring.unwrap(address, MEMBERS[address])


def test_keyring_whose_keys_differ_from_its_fingerprints_is_refused() -> None:
    # An owner giving one member another key than the others: fingerprints tell.
    recipients = {a: k.public for a, k in MEMBERS.items()}
    honest = build_keyring(SCOPE, 5, 4, ROUND_KEY, None, recipients)
    forged = build_keyring(SCOPE, 5, 4, b"x" * 32, None, recipients)
    mixed = Keyring(
        SCOPE, 5, 4, honest.round_commitment, None,
        {**honest.entries, "0x" + "00" * 19 + "01": forged.entries["0x" + "00" * 19 + "01"]},
    )  # fmt: skip

    with pytest.raises(KeyringError, match="differ from the keyring's fingerprints"):
        mixed.unwrap("0x" + "00" * 19 + "01", MEMBERS["0x" + "00" * 19 + "01"])
    assert mixed.round_commitment == key_commitment(ROUND_KEY, SCOPE, 5)


def test_keyring_of_another_round_or_task_is_refused_when_parsed() -> None:
    data = _keyring().to_json()

    with pytest.raises(KeyringError, match="not the keyring of task 7 round 6"):
        Keyring.from_json(data, SCOPE, 6)
    with pytest.raises(KeyringError):
        Keyring.from_json(data, TaskScope(SCOPE.chain_id, SCOPE.coordinator, 8), 5)
    with pytest.raises(KeyringError, match="malformed"):
        Keyring.from_json(b"{not json", SCOPE, 5)


def test_roster_is_kept_sorted_with_the_members_keys_when_built() -> None:
    addresses = sorted(MEMBERS)

    keyring = _keyring(roster=[addresses[2], addresses[0]])

    assert keyring.roster == (addresses[0], addresses[2])
    assert keyring.roster_keys() == {a: MEMBERS[a].public for a in (addresses[0], addresses[2])}
    with pytest.raises(KeyringError):
        build_keyring(SCOPE, 5, 4, ROUND_KEY, None, {}, roster=[addresses[0]])


def test_late_joiner_reads_the_parent_model_but_not_its_updates() -> None:
    # Round 1's member alice seals an update; round 1's model is finalized. Bob is first in
    # round 2's keyring: he trains from round 1's model, but round 1's updates are not his.
    round_1, round_2 = RoundCipher(b"1" * 32, SCOPE, 1), b"2" * 32
    alice, (bob, bob_pair) = "0x" + "aa" * 20, next(iter(MEMBERS.items()))
    update = round_1.seal_update(b"alice's update", alice)
    model = round_1.seal_model(b"global model of round 1")
    keyring = build_keyring(
        SCOPE, 2, 1, round_2, round_1.model_cipher().material, {bob: bob_pair.public}
    )

    parent = Keyring.from_json(keyring.to_json(), SCOPE, 2).unwrap(bob, bob_pair).parent_cipher()

    assert parent is not None
    assert parent.open_model(model) == b"global model of round 1"
    with pytest.raises(KeyAccessError, match="not the update of 0xaaaa"):
        parent.open_update(update, alice)


LOW_ORDER = bytes([1]) + bytes(31)  # the X25519 point of order 1: any bytes32 passes the chain


def test_member_with_a_low_order_key_is_left_out_when_built(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recipients = {a: k.public for a, k in MEMBERS.items()}
    rogue = "0x" + "ee" * 20

    keyring = build_keyring(
        SCOPE, 5, 4, ROUND_KEY, PARENT_MODEL_KEYS, {**recipients, rogue: LOW_ORDER},
        roster=[*recipients, rogue],
    )  # fmt: skip

    assert not keyring.holds(rogue)
    assert keyring.roster == tuple(sorted(recipients))
    assert rogue in caplog.text
    assert "left out of the keyring" in caplog.text
    for address, pair in MEMBERS.items():  # the others still read the round
        assert keyring.unwrap(address, pair).round_key == ROUND_KEY
    assert not usable_public_key(LOW_ORDER)
    assert usable_public_key(KeyPair.generate().public)


def test_entry_without_the_fingerprinted_parent_keys_is_refused_when_unwrapped() -> None:
    # The owner wraps no parent keys but fingerprints some: the sealed parent must not be
    # taken for a public (plaintext) model.
    recipients = {a: k.public for a, k in MEMBERS.items()}
    without = build_keyring(SCOPE, 5, 4, ROUND_KEY, None, recipients)
    with_parent = build_keyring(SCOPE, 5, 4, ROUND_KEY, PARENT_MODEL_KEYS, recipients)
    broken = Keyring(
        SCOPE, 5, 4, without.round_commitment, with_parent.parent_commitment, without.entries
    )
    address = next(iter(MEMBERS))

    with pytest.raises(KeyringError, match="parent model's keys are missing"):
        broken.unwrap(address, MEMBERS[address])
