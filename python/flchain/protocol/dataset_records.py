"""The dataset registry's records as frozen dataclasses, and the shard draw in Python.

Values mirror contracts/types/DatasetTypes.sol; :func:`draw_seed` and :func:`draw_shards`
compute exactly what contracts/libraries/ShardDraws.sol does, so anyone can check an
assignment from the chain's block hash without trusting the registry's views.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NewType

from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from flchain.protocol.records import TaskId
from flchain.storage.cid import Cid

__all__ = [
    "BLOCKHASH_WINDOW",
    "MAX_BATCH",
    "MAX_SHARDS_PER_MEMBER",
    "DatasetId",
    "DatasetInfo",
    "DrawInfo",
    "ShardAssignmentInfo",
    "ShardInfo",
    "ShardTicketInfo",
    "TaskDatasetLink",
    "draw_offset",
    "draw_seed",
    "draw_shards",
]

DatasetId = NewType("DatasetId", int)

#: Most shards per ``addShards`` call (DatasetRegistry.MAX_BATCH).
MAX_BATCH = 64
#: Most shards assigned to one member (DatasetRegistry.MAX_SHARDS_PER_MEMBER).
MAX_SHARDS_PER_MEMBER = 64
#: How far back ``blockhash`` reaches; also the blocks after which anyone may close a draw.
BLOCKHASH_WINDOW = 256


@dataclass(frozen=True)
class ShardInfo:
    """One shard of a dataset: its CID (digest + codec), size and content digest."""

    index: int
    cid_digest: bytes
    codec: int
    size: int
    content_digest: bytes

    @classmethod
    def from_abi(cls, index: int, raw: Any) -> ShardInfo:
        """Decode a ``Shard`` tuple (cidDigest, contentDigest, size, codec)."""
        cid_digest, content, size, codec = raw
        return cls(index, bytes(cid_digest), int(codec), int(size), bytes(content))

    @property
    def cid(self) -> Cid:
        """The shard's CID."""
        return Cid.from_chain(self.cid_digest, self.codec)

    def as_input(self) -> tuple[bytes, int, int, bytes]:
        """The ``ShardInput`` tuple for ``addShards``."""
        return (self.cid_digest, self.codec, self.size, self.content_digest)


@dataclass(frozen=True)
class DatasetInfo:
    """A registered dataset."""

    dataset_id: DatasetId
    owner: str
    shard_count: int
    schema_codec: int
    license_codec: int
    sealed: bool
    schema_digest: bytes
    license_digest: bytes
    total_bytes: int
    registered_block: int
    name: str

    @classmethod
    def from_abi(cls, dataset_id: int, raw: Any) -> DatasetInfo:
        """Decode the ``getDataset`` tuple."""
        (owner, count, schema_codec, license_codec, sealed, schema, license_, total, block,
         name) = raw  # fmt: skip
        return cls(
            DatasetId(dataset_id), str(owner), int(count), int(schema_codec), int(license_codec),
            bool(sealed), bytes(schema), bytes(license_), int(total), int(block), str(name),
        )  # fmt: skip


@dataclass(frozen=True)
class TaskDatasetLink:
    """The dataset a task trains on (``dataset_id`` 0: none) and its open draw."""

    task_id: TaskId
    dataset_id: DatasetId
    shards_per_member: int
    current_draw: int

    @classmethod
    def from_abi(cls, task_id: TaskId, raw: Any) -> TaskDatasetLink:
        """Decode the ``taskDataset`` tuple."""
        dataset_id, per_member, current = raw
        return cls(task_id, DatasetId(int(dataset_id)), int(per_member), int(current))

    @property
    def linked(self) -> bool:
        """Whether the task trains on a registered dataset."""
        return self.dataset_id != 0


@dataclass(frozen=True)
class DrawInfo:
    """One draw of a task: open (no target), closed (target, no seed) or fixed (seed)."""

    task_id: TaskId
    draw: int
    opened_block: int
    target_block: int
    tickets: int
    renewals: int
    seed: bytes

    @classmethod
    def from_abi(cls, task_id: TaskId, draw: int, raw: Any) -> DrawInfo:
        """Decode the ``getDraw`` tuple."""
        opened, target, tickets, renewals, seed = raw
        return cls(
            task_id, draw, int(opened), int(target), int(tickets), int(renewals), bytes(seed)
        )

    @property
    def fixed(self) -> bool:
        """Whether the draw's seed is known."""
        return self.seed != bytes(32)

    def expired(self, block_number: int) -> bool:
        """Whether, at ``block_number``, the target is beyond the blockhash window (renew it)."""
        return self.target_block != 0 and block_number > self.target_block + BLOCKHASH_WINDOW


@dataclass(frozen=True)
class ShardTicketInfo:
    """A member's ticket (``draw`` 0: never requested)."""

    draw: int
    number: int

    @classmethod
    def from_abi(cls, raw: Any) -> ShardTicketInfo:
        """Decode the ``ticketOf`` tuple."""
        draw, number = raw
        return cls(int(draw), int(number))


@dataclass(frozen=True)
class ShardAssignmentInfo:
    """A member's shards: ``count`` consecutive indices from ``first_shard``, mod ``shard_count``."""

    dataset_id: DatasetId
    draw: int
    ticket: int
    first_shard: int
    count: int
    shard_count: int
    seed: bytes

    @classmethod
    def from_abi(cls, raw: Any) -> ShardAssignmentInfo:
        """Decode the ``assignmentOf`` tuple."""
        dataset_id, draw, ticket, first, count, shard_count, seed = raw
        return cls(
            DatasetId(int(dataset_id)), int(draw), int(ticket), int(first), int(count),
            int(shard_count), bytes(seed),
        )  # fmt: skip

    @property
    def indices(self) -> list[int]:
        """The shard indices, in assignment order."""
        return [(self.first_shard + j) % self.shard_count for j in range(self.count)]


def draw_seed(block_hash: bytes, chain_id: int, registry: str, task_id: TaskId, draw: int) -> bytes:
    """keccak256(abi.encode(blockHash, chainid, registry, taskId, draw)) (ShardDraws.drawSeed)."""
    return keccak(
        encode(
            ["bytes32", "uint256", "address", "uint256", "uint32"],
            [block_hash, chain_id, to_checksum_address(registry), task_id, draw],
        )
    )


def draw_offset(seed: bytes, shard_count: int) -> int:
    """The draw's rotation: the seed as a big-endian integer, mod the shard count."""
    return int.from_bytes(seed, "big") % shard_count


def draw_shards(seed: bytes, ticket: int, per_member: int, shard_count: int) -> list[int]:
    """Ticket ``ticket``'s shards: ``per_member`` consecutive indices from
    (offset + ticket * per_member) mod K (ShardDraws.firstShard / shardAt)."""
    first = (draw_offset(seed, shard_count) + ticket * per_member) % shard_count
    return [(first + j) % shard_count for j in range(per_member)]
