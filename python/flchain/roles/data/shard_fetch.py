"""Fetch registered shards from the store and verify them against the registry.

A shard is accepted only if the store returns bytes matching its CID (every store verifies
each block) *and* their size and sha2-256 equal what the registry holds. A shard failing
either check is refused with an :class:`~flchain.errors.IntegrityError` that names the shard,
the dataset and what differs; nothing of it is used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flchain.errors import IntegrityError
from flchain.fl import ArrayDataset
from flchain.fl.shards import decode_shard, join_shards
from flchain.protocol.dataset_records import ShardInfo
from flchain.protocol.datasets_registry import DatasetRegistryClient
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["FetchedShard", "fetch_shard", "fetch_shards", "shards_dataset"]


@dataclass(frozen=True)
class FetchedShard:
    """A shard's bytes, verified against the registry."""

    dataset_id: int
    info: ShardInfo
    cid: Cid
    data: bytes


def fetch_shard(store: Store, dataset_id: int, info: ShardInfo) -> FetchedShard:
    """Shard ``info`` of ``dataset_id`` from ``store``, verified (see the module doc)."""
    cid = info.cid
    where = f"Shard {info.index} of dataset {dataset_id} ({cid})"
    try:
        data = store.get(cid)
    except IntegrityError as exc:
        raise IntegrityError(f"{where} is corrupt in the store and was refused: {exc}") from exc
    digest = hashlib.sha256(data).digest()
    if len(data) != info.size or digest != info.content_digest:
        raise IntegrityError(
            f"{where} does not match its registered digest and was refused: the bytes are "
            f"{len(data):,} long with sha256 {digest.hex()}, the registry says {info.size:,} "
            f"with sha256 {info.content_digest.hex()}; the dataset's owner registered other "
            "content than it published."
        )
    return FetchedShard(dataset_id, info, cid, data)


def fetch_shards(
    registry: DatasetRegistryClient,
    store: Store,
    dataset_id: int,
    indices: Iterable[int] | None = None,
    on_shard: Callable[[FetchedShard], None] = lambda _shard: None,
) -> list[FetchedShard]:
    """The shards ``indices`` of a dataset (all of them by default), each verified."""
    wanted = None if indices is None else list(indices)
    infos = (
        registry.shards(dataset_id)
        if wanted is None
        else [registry.shard(dataset_id, index) for index in wanted]
    )
    fetched = []
    for info in infos:
        shard = fetch_shard(store, dataset_id, info)
        on_shard(shard)
        fetched.append(shard)
    return fetched


def shards_dataset(shards: Iterable[FetchedShard]) -> ArrayDataset:
    """The training samples of verified shards, joined in the given order."""
    return join_shards([decode_shard(shard.data) for shard in shards])
