"""A dataset as K shard files: a deterministic split, a canonical file format, digests.

:func:`build_shards` shuffles the samples with a seed and cuts them into ``K`` shards whose
sizes differ by one at most (:func:`flchain.fl.partition.partition_iid`), then encodes each
shard with :func:`encode_shard`. The same data, ``K`` and seed always give the same bytes,
hence the same CIDs and content digests.

A shard file is a valid `safetensors` file, written here so that its bytes are canonical:

1. 8 bytes: little-endian uint64 ``N``, the header length;
2. ``N`` bytes: compact ASCII JSON with sorted keys, padded with spaces to a multiple of 8:
   ``{"__metadata__":{"format":"flchain-shard-1"},"features":{"data_offsets":[0,a],"dtype":
   "F32","shape":[n,...]},"labels":{"data_offsets":[a,b],"dtype":"I64","shape":[n]}}``;
3. the features (little-endian float32, C order), then the labels (little-endian int64).

The schema document (:func:`dataset_schema`) describes the shards' feature shape, classes
and split: what a participant checks against its task before training.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from flchain.errors import ConfigError, EncodingError
from flchain.fl.data import ArrayDataset, from_arrays
from flchain.fl.partition import partition_iid

__all__ = [
    "SHARD_FORMAT",
    "DatasetSchema",
    "EncodedShard",
    "build_shards",
    "content_digest",
    "dataset_schema",
    "decode_shard",
    "encode_shard",
    "join_shards",
    "split_dataset",
]

SHARD_FORMAT = "flchain-shard-1"
"""The ``__metadata__.format`` of every shard file and the ``format`` of every schema."""

_F32 = np.dtype("<f4")
_I64 = np.dtype("<i8")
_MAX_HEADER = 1 << 16


@dataclass(frozen=True)
class EncodedShard:
    """One shard file: its index in the dataset, its bytes and sample count."""

    index: int
    data: bytes
    samples: int

    @property
    def size(self) -> int:
        """Bytes of the file."""
        return len(self.data)

    @property
    def digest(self) -> bytes:
        """sha2-256 of the file's bytes (the content digest registered on chain)."""
        return content_digest(self.data)


@dataclass(frozen=True)
class DatasetSchema:
    """What the schema document of a sharded dataset says."""

    name: str
    sample_shape: tuple[int, ...]
    num_classes: int
    samples: int
    shards: int
    seed: int

    def to_json(self) -> bytes:
        """Canonical JSON (sorted keys, no spaces): same schema, same bytes, same CID."""
        document: dict[str, Any] = {
            "format": SHARD_FORMAT,
            "name": self.name,
            "features": {"dtype": "float32", "shape": list(self.sample_shape)},
            "labels": {"dtype": "int64", "num_classes": self.num_classes},
            "samples": self.samples,
            "shards": self.shards,
            "split": {"scheme": "iid", "seed": self.seed},
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> DatasetSchema:
        """Parse a schema document; EncodingError names what is wrong."""
        try:
            doc = json.loads(data)
            if doc["format"] != SHARD_FORMAT:
                raise ValueError(f"format {doc['format']!r} is not {SHARD_FORMAT!r}")
            return cls(
                name=str(doc["name"]),
                sample_shape=tuple(int(d) for d in doc["features"]["shape"]),
                num_classes=int(doc["labels"]["num_classes"]),
                samples=int(doc["samples"]),
                shards=int(doc["shards"]),
                seed=int(doc["split"]["seed"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise EncodingError(f"The dataset schema document is not readable: {exc}.") from exc


def split_dataset(data: ArrayDataset, num_shards: int, *, seed: int = 0) -> list[ArrayDataset]:
    """Shuffle with ``seed`` and cut into ``num_shards`` non-empty shards (sizes differ by <= 1)."""
    if not 1 <= num_shards <= len(data):
        raise ConfigError(
            f"Cannot cut {len(data)} samples into {num_shards} shards; choose 1 to {len(data)} shards."
        )
    return [data.subset(part) for part in partition_iid(len(data), num_shards, seed=seed)]


def encode_shard(data: ArrayDataset) -> bytes:
    """The canonical shard file of ``data`` (see the module doc)."""
    features = np.ascontiguousarray(data.features, dtype=_F32)
    labels = np.ascontiguousarray(data.labels, dtype=_I64)
    header = {
        "__metadata__": {"format": SHARD_FORMAT},
        "features": {
            "data_offsets": [0, features.nbytes],
            "dtype": "F32",
            "shape": list(features.shape),
        },
        "labels": {
            "data_offsets": [features.nbytes, features.nbytes + labels.nbytes],
            "dtype": "I64",
            "shape": list(labels.shape),
        },
    }
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    text += b" " * (-len(text) % 8)
    return b"".join([len(text).to_bytes(8, "little"), text, features.tobytes(), labels.tobytes()])


def decode_shard(blob: bytes) -> ArrayDataset:
    """The samples of a shard file.

    Raises:
        EncodingError: the bytes are not a shard file (bad header, unknown format, offsets
            that do not tile the data, wrong dtypes or shapes, invalid labels or features).
    """
    try:
        header = _read_header(blob)
        body = memoryview(blob)[8 + int.from_bytes(blob[:8], "little") :]
        features = _tensor(header, "features", "F32", _F32, body, start=0)
        labels = _tensor(header, "labels", "I64", _I64, body, start=features.nbytes)
        if features.nbytes + labels.nbytes != len(body):
            raise ValueError(f"{len(body) - features.nbytes - labels.nbytes} bytes after the data")
        return from_arrays(features, labels)
    except (ValueError, KeyError, TypeError, ConfigError) as exc:
        raise EncodingError(f"{len(blob)} bytes are not a valid shard file: {exc}.") from exc


def content_digest(blob: bytes) -> bytes:
    """sha2-256 of ``blob``."""
    return hashlib.sha256(blob).digest()


def build_shards(data: ArrayDataset, num_shards: int, *, seed: int = 0) -> list[EncodedShard]:
    """``data`` cut into ``num_shards`` shards (:func:`split_dataset`), each encoded."""
    return [
        EncodedShard(i, encode_shard(part), len(part))
        for i, part in enumerate(split_dataset(data, num_shards, seed=seed))
    ]


def dataset_schema(
    data: ArrayDataset, num_shards: int, *, name: str, seed: int = 0
) -> DatasetSchema:
    """The schema of ``data`` cut by :func:`build_shards` with the same arguments."""
    classes = int(data.labels.max()) + 1 if len(data) else 0
    return DatasetSchema(name, data.sample_shape, classes, len(data), num_shards, seed)


def join_shards(parts: Sequence[ArrayDataset]) -> ArrayDataset:
    """The samples of several shards, in the given order, as one dataset."""
    if not parts:
        raise ConfigError("No shard to join; a participant needs at least one.")
    shapes = {p.sample_shape for p in parts}
    if len(shapes) != 1:
        raise ConfigError(f"Shards with different sample shapes {sorted(shapes)} cannot be joined.")
    return ArrayDataset(
        np.concatenate([p.features for p in parts]), np.concatenate([p.labels for p in parts])
    )


def _read_header(blob: bytes) -> dict[str, Any]:
    if len(blob) < 8:
        raise ValueError("shorter than the 8-byte header length")
    length = int.from_bytes(blob[:8], "little")
    if length > min(_MAX_HEADER, len(blob) - 8):
        raise ValueError(f"header length {length} beyond the data or the limit")
    header = json.loads(bytes(blob[8 : 8 + length]))
    if not isinstance(header, dict) or set(header) != {"__metadata__", "features", "labels"}:
        raise ValueError("the header must hold exactly __metadata__, features and labels")
    if header["__metadata__"] != {"format": SHARD_FORMAT}:
        raise ValueError(f"__metadata__ is not {{'format': {SHARD_FORMAT!r}}}")
    return header


def _tensor(
    header: dict[str, Any],
    name: str,
    dtype_name: str,
    dtype: np.dtype[Any],
    body: memoryview,
    *,
    start: int,
) -> npt.NDArray[Any]:
    entry = header[name]
    shape = [int(d) for d in entry["shape"]]
    begin, end = (int(x) for x in entry["data_offsets"])
    if entry["dtype"] != dtype_name:
        raise ValueError(f"{name} is {entry['dtype']}, not {dtype_name}")
    if begin != start or not begin <= end <= len(body):
        raise ValueError(
            f"{name} data_offsets [{begin}, {end}) do not start at {start} within the "
            f"{len(body)} data bytes"
        )
    count = int(np.prod(shape)) if shape else 1
    if count * dtype.itemsize != end - begin:
        raise ValueError(f"{name}: shape {shape} does not fill {end - begin} bytes")
    return (
        np.frombuffer(body[begin:end], dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    )
