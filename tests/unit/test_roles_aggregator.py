"""aggregate_round: the same revealed updates give the same attested result in any order,
and unusable updates are rejected with fixed reasons (so honest aggregators agree)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

from flchain.errors import AggregationError
from flchain.fl import ModelSpec, build_model, decode_state, encode_model, encode_state
from flchain.protocol.client import Revealed
from flchain.roles.aggregator import aggregate_round
from flchain.storage.cid import Cid
from flchain.storage.local import LocalStore

SPEC = ModelSpec(family="mlp", input_shape=(1, 8, 8), num_classes=10, hidden_sizes=(16,))


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def _updates(store: LocalStore, count: int) -> tuple[bytes, list[Revealed]]:
    parent = encode_model(build_model(SPEC, seed=0))
    revealed = []
    for i in range(count):
        state = {
            k: v + (i + 1) * 0.01 * torch.randn_like(v) for k, v in decode_state(parent).items()
        }
        cid = store.put(encode_state(state))
        digest, codec = cid.to_chain()
        revealed.append(Revealed(f"0x{i:040x}", i, digest, codec, 1))
    return parent, revealed


def test_aggregate_is_bit_identical_when_updates_arrive_in_any_order(store: LocalStore) -> None:
    parent, revealed = _updates(store, 4)
    parent_cid = store.put(parent)

    results = {
        aggregate_round(1, 1, "fedavg", parent_cid, parent, list(order), store).model
        for order in itertools.permutations(revealed)
    }

    assert len(results) == 1


def test_accepted_bitmap_names_every_valid_update_when_all_are_honest(store: LocalStore) -> None:
    parent, revealed = _updates(store, 3)

    result = aggregate_round(1, 1, "fedavg", store.put(parent), parent, revealed, store)

    assert result.accepted_bitmap == 0b111
    assert result.rejected == {}
    assert result.model != parent


def test_copied_cid_is_rejected_when_revealed_after_the_original(store: LocalStore) -> None:
    parent, revealed = _updates(store, 2)
    copy = Revealed("0xcopier", 2, revealed[0].cid_digest, revealed[0].codec, 2)

    result = aggregate_round(1, 1, "fedavg", store.put(parent), parent, [*revealed, copy], store)

    assert result.accepted_bitmap == 0b011
    assert result.rejected == {2: "copy of update 0"}


def test_nan_missing_and_misshapen_updates_are_rejected_when_aggregating(store: LocalStore) -> None:
    parent, revealed = _updates(store, 1)
    template = decode_state(parent)
    nan_state = {k: torch.full_like(v, float("nan")) for k, v in template.items()}
    wrong_shape = {"weight": torch.zeros(3, 3)}
    huge = {k: torch.full_like(v, 1e6) for k, v in template.items()}
    extra = []
    for index, state in enumerate((nan_state, wrong_shape, huge), start=1):
        digest, codec = store.put(encode_state(state)).to_chain()
        extra.append(Revealed(f"0x{index}", index, digest, codec, 1))
    missing_digest = bytes(32)
    extra.append(Revealed("0xmissing", 4, missing_digest, 0x55, 1))

    result = aggregate_round(1, 1, "fedavg", store.put(parent), parent, [*revealed, *extra], store)

    assert result.accepted_bitmap == 0b1
    assert result.rejected[1] == "holds NaN or Inf"
    assert result.rejected[2] == "does not fit the task's model"
    assert result.rejected[3].startswith("holds values beyond")
    assert result.rejected[4].startswith("unavailable")


def test_parent_model_is_kept_when_no_update_is_usable(store: LocalStore) -> None:
    parent, _ = _updates(store, 0)

    result = aggregate_round(1, 1, "fedavg", store.put(parent), parent, [], store)

    assert result.model == parent
    assert result.accepted_bitmap == 0
    assert np.frombuffer(result.metrics, dtype=np.uint8).size > 0


def test_fltrust_needs_the_owners_reference_and_uses_it(store: LocalStore) -> None:
    parent, revealed = _updates(store, 3)
    parent_cid = store.put(parent)
    with pytest.raises(AggregationError, match="reference"):
        aggregate_round(1, 1, "fltrust", parent_cid, parent, revealed, store)
    # A reference pointing where the second update points trusts it most.
    second = store.get(Cid.from_chain(revealed[1].cid_digest, revealed[1].codec))
    result = aggregate_round(1, 1, "fltrust", parent_cid, parent, revealed, store, reference=second)
    assert result.accepted_bitmap & 0b010
    with pytest.raises(AggregationError, match="does not decode"):
        aggregate_round(1, 1, "fltrust", parent_cid, parent, revealed, store, reference=b"junk")
