"""aggregate_round applies the rule's spec: validated parameters, side inputs from the
registry's lineage (the grandparent model gives the previous aggregate)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from flchain.errors import AggregationError
from flchain.fl import (
    ModelSpec,
    build_model,
    decode_state,
    encode_model,
    encode_state,
    flatten_state,
)
from flchain.fl.aggregation import SPECS, SideInputs
from flchain.protocol.client import Revealed
from flchain.roles.aggregator import aggregate_round, apply_rule
from flchain.storage.local import LocalStore

SPEC = ModelSpec(family="mlp", input_shape=(1, 8, 8), num_classes=10, hidden_sizes=(8,))


def _revealed(store: LocalStore, parent: bytes, count: int) -> tuple[list[Revealed], np.ndarray]:
    revealed, vectors = [], []
    generator = torch.Generator().manual_seed(1)
    for i in range(count):
        state = {
            k: v + 0.05 * torch.randn(v.shape, generator=generator)
            for k, v in decode_state(parent).items()
        }
        data = encode_state(state)
        vectors.append(flatten_state(state))
        digest, codec = store.put(data).to_chain()
        revealed.append(Revealed(f"0x{i:040x}", i, digest, codec, 1))
    return revealed, np.stack(vectors)


def test_aggregate_round_centres_on_previous_aggregate_when_grandparent_is_given(
    tmp_path: Path,
) -> None:
    store = LocalStore(tmp_path / "store")
    grandparent = encode_model(build_model(SPEC, seed=1))
    parent = encode_model(build_model(SPEC, seed=2))
    revealed, rows = _revealed(store, parent, 5)
    parent_vector = flatten_state(decode_state(parent))
    previous = (parent_vector - flatten_state(decode_state(grandparent))).astype(np.float32)
    spec = SPECS["centered_clipping"]
    expected = spec.apply(
        rows, parent_vector, np.ones(5, dtype=np.int64), spec.parse_params({}),
        SideInputs(previous=previous),
    )  # fmt: skip

    with_previous = aggregate_round(
        1, 2, "centered_clipping", store.put(parent), parent, revealed, store,
        grandparent=grandparent,
    )  # fmt: skip
    without = aggregate_round(1, 2, "centered_clipping", store.put(parent), parent, revealed, store)

    got = flatten_state(decode_state(with_previous.model))
    assert got.tobytes() == expected.aggregate.tobytes()
    assert with_previous.model != without.model


def test_aggregate_round_refuses_params_when_a_key_is_misspelt(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    parent = encode_model(build_model(SPEC, seed=2))
    revealed, _ = _revealed(store, parent, 5)

    with pytest.raises(AggregationError, match="num_malicous"):
        aggregate_round(
            1, 1, "krum", store.put(parent), parent, revealed, store, {"num_malicous": 1}
        )


@pytest.mark.parametrize("rule", ["filtered_clipping", "centered_clipping", "fedavg"])
def test_apply_rule_gives_the_model_of_aggregate_round_when_given_its_rows(
    tmp_path: Path, rule: str
) -> None:
    store = LocalStore(tmp_path / "store")
    grandparent = encode_model(build_model(SPEC, seed=1))
    parent = encode_model(build_model(SPEC, seed=2))
    revealed, rows = _revealed(store, parent, 5)
    weights = np.ones(5, dtype=np.int64)

    in_memory = apply_rule(rule, {}, parent, rows, weights, grandparent=grandparent)
    on_chain = aggregate_round(
        1, 2, rule, store.put(parent), parent, revealed, store, grandparent=grandparent
    )

    got = flatten_state(decode_state(on_chain.model))
    assert got.tobytes() == in_memory.aggregate.tobytes()
