"""Aggregating private rounds without a chain: encrypted updates give the same global model as
plain ones (sealed deterministically), masked updates give FedAvg's model bit for bit, and a
missing roster member makes secure aggregation refuse the round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from flchain.crypto import KeyPair, RoundCipher, TaskScope, build_keyring
from flchain.errors import FlchainError, SecureAggregationError
from flchain.fl import SAMPLES_KEY, ModelSpec, build_model, decode_state, encode_model, encode_state
from flchain.protocol.client import Revealed
from flchain.protocol.documents import DataConfig, TaskDocument, TrainingConfig
from flchain.roles.aggregator import aggregate_round
from flchain.roles.privacy.private_rounds import PrivateMember
from flchain.roles.privacy.secure_rounds import aggregate_secure_round, masked_update
from flchain.storage.local import LocalStore

SPEC = ModelSpec(family="mlp", input_shape=(1, 8, 8), num_classes=10, hidden_sizes=(16,))
SCOPE = TaskScope(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 1)
PAIRS = {f"0x{i:040x}": KeyPair.from_secret(bytes([i]) * 32) for i in range(1, 5)}
CIPHER = RoundCipher(b"k" * 32, SCOPE, 1)


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def _trained(parent: bytes, count: int) -> list[bytes]:
    torch.manual_seed(0)
    return [
        encode_state(
            {k: v + 0.01 * (i + 1) * torch.randn_like(v) for k, v in decode_state(parent).items()},
            {SAMPLES_KEY: str(10 + 7 * i)},
        )
        for i in range(count)
    ]


def _reveal(store: LocalStore, blobs: list[bytes], addresses: list[str]) -> list[Revealed]:
    revealed = []
    for index, (blob, address) in enumerate(zip(blobs, addresses, strict=True)):
        digest, codec = store.put(blob).to_chain()
        revealed.append(Revealed(address, index, digest, codec, 1))
    return revealed


def test_private_round_gives_the_plain_model_sealed_when_updates_are_encrypted(
    store: LocalStore,
) -> None:
    parent = encode_model(build_model(SPEC, seed=0))
    parent_cid = store.put(parent)
    updates, addresses = _trained(parent, 3), list(PAIRS)[:3]
    plain = aggregate_round(
        1, 1, "fedavg", parent_cid, parent, _reveal(store, updates, addresses), store
    )
    sealed = [CIPHER.seal_update(u, a) for u, a in zip(updates, addresses, strict=True)]

    private = aggregate_round(
        1, 1, "fedavg", parent_cid, parent, _reveal(store, sealed, addresses), store, cipher=CIPHER
    )

    assert private.model == plain.model
    assert store.get(private.model_cid) == CIPHER.seal_model(plain.model)
    assert private.accepted_bitmap == 0b111
    metrics = json.loads(private.metrics)
    assert metrics["model_commitment"] == CIPHER.model_commitment(plain.model).hex()


def test_private_round_rejects_an_update_that_does_not_decrypt(store: LocalStore) -> None:
    parent = encode_model(build_model(SPEC, seed=0))
    updates, addresses = _trained(parent, 2), list(PAIRS)[:2]
    sealed = [CIPHER.seal_update(u, a) for u, a in zip(updates, addresses, strict=True)]
    tampered = bytearray(sealed[1])
    tampered[100] ^= 0x01
    revealed = _reveal(store, [sealed[0], bytes(tampered)], addresses)

    result = aggregate_round(
        1, 1, "fedavg", store.put(parent), parent, revealed, store, cipher=CIPHER
    )

    assert result.accepted_bitmap == 0b01
    assert result.rejected == {1: "does not decrypt"}


def _masked_round(
    store: LocalStore, parent: bytes, count: int
) -> tuple[list[bytes], list[str], list[Revealed]]:
    updates, addresses = _trained(parent, count), list(PAIRS)[:count]
    keyring = build_keyring(
        SCOPE, 1, 0, CIPHER.key, None, {a: PAIRS[a].public for a in addresses}, addresses
    )
    masked = [
        masked_update(u, a, PAIRS[a], keyring, CIPHER)
        for u, a in zip(updates, addresses, strict=True)
    ]
    return updates, addresses, _reveal(store, masked, addresses)


def test_secure_round_gives_fedavgs_model_bit_for_bit_from_masked_updates(
    store: LocalStore,
) -> None:
    parent = encode_model(build_model(SPEC, seed=0))
    parent_cid = store.put(parent)
    updates, addresses, masked = _masked_round(store, parent, 4)
    plain = aggregate_round(
        1, 1, "fedavg", parent_cid, parent, _reveal(store, updates, addresses), store
    )

    secure = aggregate_secure_round(1, 1, parent_cid, parent, masked, store, CIPHER, addresses)

    assert secure.model == plain.model
    assert secure.accepted_bitmap == 0b1111
    assert store.get(secure.model_cid) == CIPHER.seal_model(plain.model)
    assert json.loads(secure.metrics)["secure_aggregation"] is True


def test_secure_round_refuses_to_aggregate_when_a_roster_member_did_not_reveal(
    store: LocalStore,
) -> None:
    parent = encode_model(build_model(SPEC, seed=0))
    _, addresses, masked = _masked_round(store, parent, 4)

    with pytest.raises(SecureAggregationError) as caught:
        aggregate_secure_round(
            1, 1, store.put(parent), parent, masked[:3], store, CIPHER, addresses
        )

    assert addresses[3] in str(caught.value)
    assert "the masks cannot cancel" in str(caught.value)


def test_secure_round_rejects_an_update_from_outside_the_roster(store: LocalStore) -> None:
    parent = encode_model(build_model(SPEC, seed=0))
    _, addresses, masked = _masked_round(store, parent, 3)
    stray = Revealed(list(PAIRS)[3], 3, masked[0].cid_digest, masked[0].codec, 1)

    result = aggregate_secure_round(
        1, 1, store.put(parent), parent, [*masked, stray], store, CIPHER, addresses
    )

    assert result.accepted_bitmap == 0b0111
    assert result.rejected == {3: "not in the round's secure-aggregation roster"}


def test_aggregator_only_node_is_refused_when_the_task_uses_secure_aggregation() -> None:
    document = TaskDocument("t", SPEC, TrainingConfig(), DataConfig(), "fedavg", {}, True, True)

    # Refused before it touches the chain or the store (hence no client here).
    with pytest.raises(FlchainError, match="an aggregator-only node"):
        PrivateMember(None, None, 1, document, trains=False)  # type: ignore[arg-type]


@pytest.mark.parametrize("roster_size", [0, 3])
def test_secure_round_keeps_the_parent_when_no_roster_member_revealed(
    store: LocalStore, roster_size: int
) -> None:
    # An empty roster (every member's budget spent) or a roster none of whose members
    # revealed: no mask is in play, and the round keeps the parent, as a plain round does.
    parent = encode_model(build_model(SPEC, seed=0))
    parent_cid = store.put(parent)
    roster = list(PAIRS)[:roster_size]

    result = aggregate_secure_round(1, 1, parent_cid, parent, [], store, CIPHER, roster)

    assert result.model == parent
    assert result.accepted_bitmap == 0
    assert store.get(result.model_cid) == CIPHER.seal_model(parent)
