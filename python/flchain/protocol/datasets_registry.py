"""The typed Python API over DatasetRegistry: datasets, shards, task links and shard draws.

The registry is deployed by migration 007 and recorded as ``DatasetRegistry`` in the chain's
deployment record; :class:`~flchain.protocol.session.Session` finds it there. Writes go through the
account's :class:`~flchain.chain.transactions.TxSender` (shared nonces with the FLClient of the
same account); reverts are decoded with the registry's and the coordinator's errors (the
registry calls the coordinator's views). Reads return :mod:`flchain.protocol.dataset_records`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from web3 import Web3

from flchain.chain.transactions import TxResult, TxSender
from flchain.protocol.contract_client import ContractClient
from flchain.protocol.dataset_records import (
    MAX_BATCH,
    DatasetId,
    DatasetInfo,
    DrawInfo,
    ShardAssignmentInfo,
    ShardInfo,
    ShardTicketInfo,
    TaskDatasetLink,
)
from flchain.protocol.deployment import recorded_address
from flchain.protocol.records import TaskId

__all__ = [
    "CONTRACT_NAME",
    "DatasetRegistryClient",
    "dataset_registry_address",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")

CONTRACT_NAME = "DatasetRegistry"


def dataset_registry_address(chain_id: int, directory: Path | None = None) -> str:
    """The DatasetRegistry recorded for ``chain_id`` (NotDeployedError if migration 007 is not
    applied there)."""
    return recorded_address(CONTRACT_NAME, chain_id, directory, deployed_by="migration 007")


class DatasetRegistryClient(ContractClient):
    """The dataset registry seen by one account (``sender``; None for read-only use)."""

    def __init__(self, w3: Web3, address: str, sender: TxSender | None = None) -> None:
        # The registry calls the coordinator's views: their errors may bubble up.
        super().__init__(w3, CONTRACT_NAME, address, sender, error_sources=("FLCoordinator",))

    @property
    def address(self) -> str:
        """The registry contract's address."""
        return str(self.contract.address)

    @classmethod
    def open(
        cls, w3: Web3, sender: TxSender | None = None, directory: Path | None = None
    ) -> DatasetRegistryClient:
        """The registry recorded in ``directory`` (default: ./deployments) for ``w3``'s chain."""
        return cls(w3, dataset_registry_address(int(w3.eth.chain_id), directory), sender)

    # ------------------------------------------------------------------ datasets

    def register_dataset(
        self,
        name: str,
        schema: tuple[bytes, int],
        license_: tuple[bytes, int],
    ) -> tuple[DatasetId, TxResult]:
        """Register a dataset (schema and license as (CID digest, codec)); returns its id."""
        call = self.contract.functions.registerDataset(name, *schema, *license_)
        result = self._send(call)
        dataset_id = DatasetId(int(self._event_args("DatasetRegistered", result)[0]["datasetId"]))
        logger.info("Dataset %s registered (tx %s)", dataset_id, result.tx_hash)
        return dataset_id, result

    def add_shards(self, dataset_id: int, shards: Sequence[ShardInfo]) -> list[TxResult]:
        """Append shards in batches of at most 64 (one transaction each)."""
        results = []
        for start in range(0, len(shards), MAX_BATCH):
            batch = [s.as_input() for s in shards[start : start + MAX_BATCH]]
            results.append(self._send(self.contract.functions.addShards(dataset_id, batch)))
        return results

    def seal_dataset(self, dataset_id: int) -> TxResult:
        """Seal a dataset: its shards never change, tasks may link it."""
        return self._send(self.contract.functions.sealDataset(dataset_id))

    # ------------------------------------------------------------------ tasks and draws

    def link_task(self, task_id: TaskId, dataset_id: int, shards_per_member: int) -> TxResult:
        """Link the task (this account owns it) to a sealed dataset."""
        return self._send(self.contract.functions.linkTask(task_id, dataset_id, shards_per_member))

    def request_shards(self, task_id: TaskId) -> tuple[ShardTicketInfo, TxResult]:
        """Take a ticket of the task's open draw (this account is a member)."""
        result = self._send(self.contract.functions.requestShards(task_id))
        args = self._event_args("ShardsRequested", result)[0]
        return ShardTicketInfo(int(args["draw"]), int(args["ticket"])), result

    def close_draw(self, task_id: TaskId) -> tuple[int, TxResult]:
        """Close the task's open draw; returns it."""
        result = self._send(self.contract.functions.closeDraw(task_id))
        return int(self._event_args("DrawClosed", result)[0]["draw"]), result

    def fix_draw(self, task_id: TaskId, draw: int) -> TxResult:
        """Fix a closed draw from its target block's hash."""
        return self._send(self.contract.functions.fixDraw(task_id, draw))

    def renew_draw(self, task_id: TaskId, draw: int) -> TxResult:
        """Move an expired draw's target to the next block."""
        return self._send(self.contract.functions.renewDraw(task_id, draw))

    # ------------------------------------------------------------------ reads

    def dataset_count(self) -> int:
        """Number of datasets (ids 1..dataset_count())."""
        return self._call(lambda: int(self.contract.functions.datasetCount().call()))

    def dataset(self, dataset_id: int) -> DatasetInfo:
        """A dataset; ContractRevertError(DatasetNotFound) if there is none."""
        raw = self._call(lambda: self.contract.functions.getDataset(dataset_id).call())
        return DatasetInfo.from_abi(dataset_id, raw)

    def datasets(self) -> Iterator[DatasetInfo]:
        """Every dataset, oldest first."""
        for dataset_id in range(1, self.dataset_count() + 1):
            yield self.dataset(dataset_id)

    def shard(self, dataset_id: int, index: int) -> ShardInfo:
        """One shard of a dataset."""
        raw = self._call(lambda: self.contract.functions.getShard(dataset_id, index).call())
        return ShardInfo.from_abi(index, raw)

    def shards(self, dataset_id: int, page_size: int = 200) -> list[ShardInfo]:
        """Every shard of a dataset, in index order, read page by page."""
        count = self.dataset(dataset_id).shard_count
        found: list[ShardInfo] = []
        for offset in range(0, count, page_size):
            page: list[Any] = self._call(
                lambda o=offset: list(  # type: ignore[misc]
                    self.contract.functions.listShards(dataset_id, o, page_size).call()
                )
            )
            found.extend(ShardInfo.from_abi(offset + i, raw) for i, raw in enumerate(page))
        return found

    def task_dataset(self, task_id: TaskId) -> TaskDatasetLink:
        """The dataset a task trains on (``linked`` False if none)."""
        raw = self._call(lambda: self.contract.functions.taskDataset(task_id).call())
        return TaskDatasetLink.from_abi(task_id, raw)

    def draw(self, task_id: TaskId, draw: int) -> DrawInfo:
        """A draw of a task."""
        raw = self._call(lambda: self.contract.functions.getDraw(task_id, draw).call())
        return DrawInfo.from_abi(task_id, draw, raw)

    def ticket_of(self, task_id: TaskId, member: str) -> ShardTicketInfo:
        """A member's ticket (draw 0: never requested)."""
        address = Web3.to_checksum_address(member)
        raw = self._call(lambda: self.contract.functions.ticketOf(task_id, address).call())
        return ShardTicketInfo.from_abi(raw)

    def assignment_of(self, task_id: TaskId, member: str) -> ShardAssignmentInfo:
        """A member's fixed assignment (ContractRevertError while there is none)."""
        address = Web3.to_checksum_address(member)
        raw = self._call(lambda: self.contract.functions.assignmentOf(task_id, address).call())
        return ShardAssignmentInfo.from_abi(raw)

    def assigned_shards(self, task_id: TaskId, member: str) -> list[int]:
        """The indices of a member's shards, as the contract spells them out."""
        address = Web3.to_checksum_address(member)
        raw = self._call(lambda: self.contract.functions.assignedShards(task_id, address).call())
        return [int(i) for i in raw]
