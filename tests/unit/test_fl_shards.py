"""Shards of a dataset: a deterministic split, a canonical file format, digests, the schema."""

from __future__ import annotations

import hashlib
import importlib
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors.numpy import load as safetensors_load

from flchain.errors import ConfigError, EncodingError
from flchain.fl.data import ArrayDataset, from_arrays, load_digits_dataset
from flchain.fl.shards import (
    SHARD_FORMAT,
    DatasetSchema,
    build_shards,
    content_digest,
    dataset_schema,
    decode_shard,
    encode_shard,
    join_shards,
    split_dataset,
)


def _dataset(samples: int, shape: tuple[int, ...] = (3, 2), seed: int = 0) -> ArrayDataset:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(samples, *shape)).astype(np.float32)
    return from_arrays(features, rng.integers(0, 10, samples))


def _rows(data: ArrayDataset) -> set[bytes]:
    """Each sample as bytes (features + label), to compare datasets as multisets of rows."""
    return {data.features[i].tobytes() + data.labels[i].tobytes() for i in range(len(data))}


def test_module_all_lists_existing_names_once_when_imported() -> None:
    module = importlib.import_module("flchain.fl.shards")

    assert len(set(module.__all__)) == len(module.__all__)
    assert [n for n in module.__all__ if not hasattr(module, n)] == []


@settings(max_examples=40, deadline=None)
@given(samples=st.integers(1, 200), shards=st.integers(1, 20), seed=st.integers(0, 2**32 - 1))
def test_split_puts_every_sample_in_one_shard_with_sizes_within_one_when_k_le_n(
    samples: int, shards: int, seed: int
) -> None:
    data = _dataset(samples, seed=seed % 1000)
    if shards > samples:
        with pytest.raises(ConfigError, match="Cannot cut"):
            split_dataset(data, shards, seed=seed)
        return

    parts = split_dataset(data, shards, seed=seed)

    sizes = [len(p) for p in parts]
    assert len(parts) == shards
    assert sum(sizes) == samples
    assert max(sizes) - min(sizes) <= 1
    assert min(sizes) >= 1
    joined = join_shards(parts)
    assert sorted(_rows(joined)) == sorted(_rows(data))


def test_split_is_identical_when_seed_is_the_same_and_differs_when_not() -> None:
    data = _dataset(100)

    first = [p.labels for p in split_dataset(data, 4, seed=3)]
    again = [p.labels for p in split_dataset(data, 4, seed=3)]
    other = [p.labels for p in split_dataset(data, 4, seed=4)]

    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_split_refuses_zero_shards() -> None:
    with pytest.raises(ConfigError, match="choose 1 to 5 shards"):
        split_dataset(_dataset(5), 0)


@settings(max_examples=40, deadline=None)
@given(
    samples=st.integers(1, 50),
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    seed=st.integers(0, 1000),
)
def test_shard_file_round_trips_exactly_when_decoded(
    samples: int, shape: tuple[int, ...], seed: int
) -> None:
    data = _dataset(samples, shape, seed)

    decoded = decode_shard(encode_shard(data))

    assert decoded.features.dtype == np.float32
    assert decoded.labels.dtype == np.int64
    assert np.array_equal(decoded.features, data.features)
    assert np.array_equal(decoded.labels, data.labels)


def test_shard_file_is_safetensors_with_the_documented_header() -> None:
    data = _dataset(4)
    blob = encode_shard(data)

    tensors = safetensors_load(blob)
    length = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8 : 8 + length])

    assert length % 8 == 0
    assert header["__metadata__"] == {"format": SHARD_FORMAT}
    assert np.array_equal(tensors["features"], data.features)
    assert np.array_equal(tensors["labels"], data.labels)
    assert header["labels"] == {"data_offsets": [96, 128], "dtype": "I64", "shape": [4]}


def test_shard_bytes_are_identical_when_encoded_twice_and_differ_when_a_sample_changes() -> None:
    data = _dataset(10)
    changed = from_arrays(data.features.copy(), data.labels.copy())
    changed.features[3, 0, 0] += 1.0

    assert encode_shard(data) == encode_shard(_dataset(10))
    assert encode_shard(changed) != encode_shard(data)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b: b[:-1], "data_offsets"),
        (lambda b: b + b"\x00", "after the data"),
        (lambda b: b[:5], "shorter"),
        (lambda b: b.replace(SHARD_FORMAT.encode(), b"flchain-shard-9"), "__metadata__"),
        (lambda b: b.replace(b'"I64"', b'"F64"'), "labels is F64, not I64"),
        (lambda b: (2**40).to_bytes(8, "little") + b[8:], "header length"),
    ],
)
def test_decode_refuses_bytes_that_are_not_a_shard_file(mutate: object, reason: str) -> None:
    blob = encode_shard(_dataset(4))

    with pytest.raises(EncodingError, match=reason):
        decode_shard(mutate(blob))  # type: ignore[operator]


def test_decode_refuses_negative_labels() -> None:
    data = _dataset(3)
    blob = bytearray(encode_shard(data))
    blob[-8:] = (-1).to_bytes(8, "little", signed=True)

    with pytest.raises(EncodingError, match="class indices >= 0"):
        decode_shard(bytes(blob))


def test_build_shards_digests_are_sha256_of_deterministic_bytes() -> None:
    data = load_digits_dataset()

    first = build_shards(data, 6, seed=1)
    second = build_shards(data, 6, seed=1)

    assert [s.data for s in first] == [s.data for s in second]
    assert [s.digest for s in first] == [hashlib.sha256(s.data).digest() for s in first]
    assert [s.index for s in first] == list(range(6))
    assert sum(s.samples for s in first) == len(data)
    assert all(s.size == len(s.data) for s in first)
    assert content_digest(b"abc") == hashlib.sha256(b"abc").digest()


def test_schema_describes_the_split_and_round_trips_as_canonical_json() -> None:
    data = load_digits_dataset()

    schema = dataset_schema(data, 8, name="digits", seed=2)
    text = schema.to_json()

    assert DatasetSchema.from_json(text) == schema
    assert schema.sample_shape == (1, 8, 8)
    assert (schema.num_classes, schema.samples, schema.shards) == (10, 1797, 8)
    assert text == json.dumps(json.loads(text), sort_keys=True, separators=(",", ":")).encode()


def test_schema_parse_names_the_problem_when_the_format_is_unknown() -> None:
    with pytest.raises(EncodingError, match="not 'flchain-shard-1'"):
        DatasetSchema.from_json(b'{"format": "csv"}')


def test_join_refuses_no_shards_and_shards_of_different_shapes() -> None:
    with pytest.raises(ConfigError, match="at least one"):
        join_shards([])
    with pytest.raises(ConfigError, match="different sample shapes"):
        join_shards([_dataset(2, (3,)), _dataset(2, (4,))])
