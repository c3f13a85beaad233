"""Keyrings: every member unwraps the round's keys with the key pair it registered; anyone
else is told why not; a broken or equivocating keyring is refused."""

from __future__ import annotations

import json

import pytest

from flchain.crypto import KeyPair, Keyring, TaskScope, build_keyring, key_commitment
from flchain.errors import KeyAccessError, KeyringError

SCOPE = TaskScope(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 7)
MEMBERS = {f"0x{i:040x}": KeyPair.from_secret(bytes([i]) * 32) for i in range(1, 4)}
ROUND_KEY, PARENT_KEY = b"r" * 32, b"p" * 32


def _keyring(roster: list[str] | None = None) -> Keyring:
    recipients = {a: k.public for a, k in MEMBERS.items()}
    built = build_keyring(SCOPE, 5, 4, ROUND_KEY, PARENT_KEY, recipients, roster)
    return Keyring.from_json(built.to_json(), SCOPE, 5)  # as members read it from the store


def test_every_member_unwraps_the_round_and_parent_keys_when_listed() -> None:
    keyring = _keyring()

    for address, pair in MEMBERS.items():
        keys = keyring.unwrap(address.upper().replace("0X", "0x"), pair)
        assert (keys.round_key, keys.parent_key, keys.parent_round) == (ROUND_KEY, PARENT_KEY, 4)


def test_key_pair_derivation_is_stable_when_derived_again() -> None:
    assert KeyPair.from_secret(b"s" * 32).public == KeyPair.from_secret(b"s" * 32).public
    assert KeyPair.from_secret(b"s" * 32).public != KeyPair.from_secret(b"t" * 32).public
    assert "private" not in repr(KeyPair.from_secret(b"s" * 32)).lower().replace("public", "")


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
