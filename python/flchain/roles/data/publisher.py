"""The dataset owner: cut a dataset into shards, put them in the store, register them on chain.

Sources: ``digits`` (scikit-learn's), ``DIR`` or ``mnist:DIR`` (IDX files: the ``train``
split if the directory has it, else ``t10k``), or ``FILE.npz`` (arrays ``x`` and ``y``).
Given a task's data config, a shipped set first loses that task's held-out test split, so a
task can still evaluate on samples no participant trained on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flchain.errors import ConfigError
from flchain.fl import ArrayDataset, from_arrays, load_digits_dataset, load_mnist
from flchain.fl.shards import EncodedShard, build_shards, dataset_schema
from flchain.protocol.dataset_records import DatasetId, DatasetInfo, ShardInfo
from flchain.protocol.datasets_registry import DatasetRegistryClient
from flchain.protocol.documents import DataConfig
from flchain.roles.data.datasets import load_participant_data
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = [
    "DIGITS_LICENSE",
    "MAX_NAME_BYTES",
    "NO_LICENSE",
    "PublishedDataset",
    "PublishedShard",
    "dataset_name",
    "default_license",
    "load_source",
    "publish_dataset",
]

logger = logging.getLogger(__name__)

#: The registry's limit on a dataset name, in UTF-8 bytes (DatasetRegistry.MAX_NAME_LENGTH).
MAX_NAME_BYTES = 64

NO_LICENSE = b"The publisher of this dataset gave no license.\n"
DIGITS_LICENSE = (
    b"Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak, 1998), UCI Machine "
    b"Learning Repository, as shipped by scikit-learn (sklearn.datasets.load_digits). "
    b"License: Creative Commons Attribution 4.0 International (CC BY 4.0), "
    b"https://creativecommons.org/licenses/by/4.0/.\n"
)


@dataclass(frozen=True)
class PublishedShard:
    """A shard as stored and registered."""

    index: int
    cid: Cid
    size: int
    content_digest: bytes
    samples: int

    def as_info(self) -> ShardInfo:
        """The shard as the registry records it."""
        digest, codec = self.cid.to_chain()
        return ShardInfo(self.index, digest, codec, self.size, self.content_digest)


@dataclass(frozen=True)
class PublishedDataset:
    """What :func:`publish_dataset` stored and registered."""

    dataset_id: DatasetId
    name: str
    schema_cid: Cid
    license_cid: Cid
    shards: list[PublishedShard]
    gas_used: int
    transactions: int

    @property
    def total_bytes(self) -> int:
        """Sum of the shards' sizes."""
        return sum(s.size for s in self.shards)


def load_source(source: str, split_of: DataConfig | None = None) -> ArrayDataset:
    """The samples of ``source`` (see the module doc); ``split_of`` drops a shipped set's
    held-out test split as that task config cuts it."""
    path = Path(source.removeprefix("mnist:"))
    if source != "digits" and path.is_dir():
        if split_of is not None:
            return load_participant_data(f"mnist:{path}", split_of, None)
        has_train = any(path.glob("train-images-idx3-ubyte*"))
        return load_mnist(path, "train" if has_train else "t10k")
    if source == "digits":
        if split_of is not None:
            return load_participant_data("digits", split_of, None)
        return load_digits_dataset()
    if path.suffix == ".npz" and path.is_file():
        with np.load(path) as arrays:
            if "x" not in arrays or "y" not in arrays:
                raise ConfigError(f"{path} must hold arrays named 'x' and 'y'.")
            return from_arrays(arrays["x"], arrays["y"])
    raise ConfigError(
        f"Cannot read a dataset from {source!r}: give 'digits', a directory of IDX files "
        "(or mnist:DIR), or an existing FILE.npz with arrays x and y."
    )


def dataset_name(label: str) -> str:
    """``label`` cut to the registry's limit of 64 UTF-8 bytes, never inside a character."""
    return label.encode()[:MAX_NAME_BYTES].decode("utf-8", errors="ignore")


def default_license(source: str) -> bytes:
    """The license text published when the owner gives none (known for shipped sets)."""
    return DIGITS_LICENSE if source == "digits" else NO_LICENSE


def publish_dataset(
    registry: DatasetRegistryClient,
    store: Store,
    data: ArrayDataset,
    *,
    name: str,
    num_shards: int,
    license_text: bytes,
    seed: int = 0,
    resume: DatasetId | None = None,
    on_progress: Callable[[str], None] = lambda _message: None,
) -> PublishedDataset:
    """Cut ``data`` into ``num_shards`` shards, store and pin them with the schema and license
    documents, then register, fill (batches of 64) and seal the dataset on chain.

    The id is reported (``on_progress``) as soon as the dataset is registered. With ``resume``
    (such an id, of an interrupted publication with the same arguments), the dataset is not
    registered again: its registered shards must be the first ones of this split, the rest are
    added and it is sealed (ConfigError if it is not the caller's, is sealed or differs)."""
    encoded = build_shards(data, num_shards, seed=seed)
    schema = dataset_schema(data, num_shards, name=name, seed=seed)
    schema_cid = _put(store, schema.to_json())
    license_cid = _put(store, license_text)
    shards = [_store_shard(store, shard) for shard in encoded]
    on_progress(f"stored {len(shards)} shards ({sum(s.size for s in shards):,} bytes)")
    infos = [s.as_info() for s in shards]
    transactions = []
    if resume is None:
        dataset_id, registered = registry.register_dataset(
            name, schema_cid.to_chain(), license_cid.to_chain()
        )
        transactions.append(registered)
        on_progress(f"registered dataset {dataset_id} (if interrupted: --resume {dataset_id})")
        done = 0
    else:
        dataset_id = resume
        done = _resumable(registry, registry.dataset(resume), schema_cid, license_cid, infos)
        on_progress(f"resuming dataset {dataset_id}: {done} of {len(infos)} shards registered")
    added = registry.add_shards(dataset_id, infos[done:])
    on_progress(f"dataset {dataset_id}: {len(infos) - done} shards in {len(added)} batch(es)")
    transactions += [*added, registry.seal_dataset(dataset_id)]
    logger.info(
        "Dataset %s (%s) published: %s shards, schema %s", dataset_id, name, len(shards), schema_cid
    )
    return PublishedDataset(
        dataset_id, name, schema_cid, license_cid, shards,
        sum(t.gas_used for t in transactions), len(transactions),
    )  # fmt: skip


def _resumable(
    registry: DatasetRegistryClient,
    info: DatasetInfo,
    schema_cid: Cid,
    license_cid: Cid,
    infos: list[ShardInfo],
) -> int:
    """How many of ``infos`` the interrupted dataset ``info`` holds already (ConfigError if it
    cannot be resumed)."""
    dataset_id = info.dataset_id
    if info.owner.lower() != registry.account.lower():
        raise ConfigError(
            f"Dataset {dataset_id} belongs to {info.owner}, not {registry.account}; only its "
            "owner can finish publishing it."
        )
    if info.sealed:
        raise ConfigError(
            f"Dataset {dataset_id} is sealed already: its publication is complete, there is "
            "nothing to resume."
        )
    same_docs = (info.schema_digest, info.schema_codec) == schema_cid.to_chain() and (
        info.license_digest,
        info.license_codec,
    ) == license_cid.to_chain()
    registered = registry.shards(dataset_id)
    if not same_docs or registered != infos[: len(registered)]:
        raise ConfigError(
            f"Dataset {dataset_id} was registered with another "
            f"{'schema or license' if not same_docs else 'split'} than this one "
            f"({len(registered)} shards registered); resume with the same SOURCE, --shards, "
            "--seed, --name and --license as the interrupted publication."
        )
    return len(registered)


def _put(store: Store, data: bytes) -> Cid:
    cid = store.put(data)
    store.pin(cid)
    return cid


def _store_shard(store: Store, shard: EncodedShard) -> PublishedShard:
    cid = _put(store, shard.data)
    return PublishedShard(shard.index, cid, shard.size, shard.digest, shard.samples)
