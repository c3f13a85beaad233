"""Sealed envelopes and round ciphers: what is sealed opens only with its key, its task, round,
role and sender; any changed byte is rejected; global models seal deterministically."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flchain.crypto import RoundCipher, TaskScope, open_envelope, seal, seal_deterministic
from flchain.crypto.envelope import OVERHEAD
from flchain.errors import DecryptionError

SCOPE = TaskScope(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 7)
ALICE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
BOB = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
KEY = bytes(range(32))


@given(st.binary(max_size=200), st.binary(max_size=50))
def test_open_returns_the_plaintext_when_key_and_data_match(plaintext: bytes, ad: bytes) -> None:
    sealed = seal(KEY, plaintext, ad)

    assert len(sealed) == len(plaintext) + OVERHEAD
    assert open_envelope(KEY, sealed, ad) == plaintext


@given(st.binary(min_size=1, max_size=100), st.data())
def test_open_rejects_the_envelope_when_any_byte_is_tampered(
    plaintext: bytes, data: st.DataObject
) -> None:
    sealed = bytearray(seal(KEY, plaintext, b"ad"))
    position = data.draw(st.integers(0, len(sealed) - 1))
    sealed[position] ^= data.draw(st.integers(1, 255))

    with pytest.raises(DecryptionError):
        open_envelope(KEY, bytes(sealed), b"ad")


def test_open_rejects_the_envelope_when_the_associated_data_differs() -> None:
    sealed = seal(KEY, b"update", b"task 7 round 1")

    with pytest.raises(DecryptionError, match="fails authentication"):
        open_envelope(KEY, sealed, b"task 7 round 2")


def test_open_says_plaintext_when_the_content_is_not_sealed() -> None:
    with pytest.raises(DecryptionError, match="not a flchain sealed envelope"):
        open_envelope(KEY, b"just a model, not sealed at all", b"")


def test_deterministic_seal_gives_the_same_bytes_only_for_the_same_plaintext() -> None:
    first = seal_deterministic(KEY, b"n" * 32, b"model bytes", b"ad")

    assert seal_deterministic(KEY, b"n" * 32, b"model bytes", b"ad") == first
    assert seal_deterministic(KEY, b"n" * 32, b"model bytez", b"ad")[5:17] != first[5:17]
    assert seal(KEY, b"model bytes", b"ad") != seal(KEY, b"model bytes", b"ad")


def test_update_opens_only_for_the_sender_it_was_sealed_for() -> None:
    cipher = RoundCipher(KEY, SCOPE, 3)
    sealed = cipher.seal_update(b"alice's update", ALICE)

    assert cipher.open_update(sealed, ALICE.lower()) == b"alice's update"
    with pytest.raises(DecryptionError, match=f"update of {BOB}"):
        cipher.open_update(sealed, BOB)


def test_update_does_not_open_in_another_round_or_task() -> None:
    sealed = RoundCipher(KEY, SCOPE, 3).seal_update(b"update", ALICE)
    other_task = TaskScope(SCOPE.chain_id, SCOPE.coordinator, 8)

    with pytest.raises(DecryptionError):
        RoundCipher(KEY, SCOPE, 4).open_update(sealed, ALICE)
    with pytest.raises(DecryptionError):
        RoundCipher(KEY, other_task, 3).open_update(sealed, ALICE)


def test_model_seals_identically_for_every_aggregator_and_opens_with_the_round_key() -> None:
    one, two = RoundCipher(KEY, SCOPE, 3), RoundCipher(bytes(KEY), SCOPE, 3)

    sealed = one.seal_model(b"global model")

    assert two.seal_model(b"global model") == sealed
    assert two.open_model(sealed) == b"global model"
    with pytest.raises(DecryptionError):
        RoundCipher(bytes(32), SCOPE, 3).open_model(sealed)


def test_model_sealed_with_a_random_nonce_is_refused() -> None:
    cipher = RoundCipher(KEY, SCOPE, 3)
    # Same key and associated data, but not the synthetic nonce: aggregators could not agree.
    stray = seal(cipher.model_cipher().model_key, b"global model", SCOPE.label("model", 3))

    with pytest.raises(DecryptionError, match="not sealed deterministically"):
        cipher.open_model(stray)


def test_model_commitment_binds_the_plaintext_and_hides_it_without_the_key() -> None:
    cipher = RoundCipher(KEY, SCOPE, 3)

    commitment = cipher.model_commitment(b"global model")

    assert commitment == RoundCipher(KEY, SCOPE, 3).model_commitment(b"global model")
    assert commitment != cipher.model_commitment(b"global modem")
    assert commitment != RoundCipher(bytes(32), SCOPE, 3).model_commitment(b"global model")
