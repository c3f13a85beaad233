"""``flchain demo --data onchain``: the owner publishes the task's training data as shards on
chain and links the task; once every participant has requested shards, it closes the draw.

The digits training split (the task's held-out test split removed) is cut into two shards per
participant and each member is assigned two consecutive ones: one draw deals them round-robin,
so the participants' shards are disjoint and cover the training data exactly once, in an order
that nobody chose.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from flchain.chain.transactions import TxSender
from flchain.protocol.dataset_records import DatasetId, DrawInfo
from flchain.protocol.datasets_registry import DatasetRegistryClient
from flchain.protocol.records import TaskId
from flchain.roles.data.publisher import (
    DIGITS_LICENSE,
    dataset_name,
    load_source,
    publish_dataset,
)
from flchain.roles.data.shard_draws import close_draw_when_full, devnet_miner
from flchain.roles.taskfile import TaskFile
from flchain.storage.store import Store

__all__ = [
    "DATA_SOURCES",
    "SHARDS_PER_PARTICIPANT",
    "OnchainData",
    "draw_shards",
    "publish_task_data",
]

logger = logging.getLogger(__name__)

#: Where demo participants get their training data from.
DATA_SOURCES = ("digits", "onchain")
#: Shards published per participant, and assigned to each.
SHARDS_PER_PARTICIPANT = 2


@dataclass(frozen=True)
class OnchainData:
    """The demo's dataset on chain."""

    registry: DatasetRegistryClient
    dataset_id: DatasetId
    shards: int
    gas_used: int


def publish_task_data(
    w3: Web3,
    owner: TxSender,
    deployments: Path,
    store: Store,
    task_file: TaskFile,
    task_id: TaskId,
    participants: int,
) -> OnchainData:
    """Publish the digits training split as shards and link ``task_id`` (the owner's) to it."""
    registry = DatasetRegistryClient.open(w3, owner, deployments)
    data = load_source("digits", task_file.document.data)
    shards = SHARDS_PER_PARTICIPANT * participants
    published = publish_dataset(
        registry, store, data, name=dataset_name(f"{task_file.document.name}-train"), num_shards=shards,
        license_text=DIGITS_LICENSE, seed=task_file.document.data.seed,
    )  # fmt: skip
    linked = registry.link_task(task_id, published.dataset_id, SHARDS_PER_PARTICIPANT)
    logger.info("Task %s trains on dataset %s (%s shards)", task_id, published.dataset_id, shards)
    return OnchainData(registry, published.dataset_id, shards, published.gas_used + linked.gas_used)


def draw_shards(
    onchain: OnchainData, task_id: TaskId, participants: int, timeout: float
) -> DrawInfo:
    """Close the draw once every participant requested shards, and see it fixed."""
    return close_draw_when_full(
        onchain.registry, task_id, participants, timeout=timeout,
        advance=devnet_miner(onchain.registry.w3),
    )  # fmt: skip
