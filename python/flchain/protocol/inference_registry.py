"""The InferenceRegistry: which inference contract implements a (task, round) global model.

Links are per account (the *linker*): anyone may deploy and link an inference contract for a
model, and a reader picks whose link to trust, by default the task's owner. The contract checks
that the linked contract names the model the ModelRegistry recorded for that (task, round).
Its address comes from the deployment record (migration 008).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from flchain.chain.revert import RevertDecoder, guarded_read
from flchain.chain.transactions import TxResult, TxSender
from flchain.errors import ChainError
from flchain.protocol.client import is_revert
from flchain.protocol.contract_client import ContractClient
from flchain.protocol.deployment import recorded_address
from flchain.protocol.records import RoundId, TaskId
from flchain.storage.cid import Cid

__all__ = ["InferenceLink", "InferenceRegistryClient", "inference_registry_address"]

CONTRACT = "InferenceRegistry"


def inference_registry_address(chain_id: int, directory: Path | None = None) -> str:
    """The InferenceRegistry recorded for ``chain_id``, or NotDeployedError saying what to run."""
    return recorded_address(CONTRACT, chain_id, directory, deployed_by="the missing migrations")


@dataclass(frozen=True)
class InferenceLink:
    """One ``InferenceLinked`` event."""

    task_id: TaskId
    round: RoundId
    linker: str
    inference: str
    model: Cid
    block_number: int


class InferenceRegistryClient(ContractClient):
    """The InferenceRegistry seen by one account (``sender``; None for read-only use)."""

    def __init__(self, w3: Web3, address: str, sender: TxSender | None = None) -> None:
        # Errors the registry may bubble up: the model registry's and the inference contract's.
        super().__init__(
            w3, CONTRACT, address, sender, error_sources=("ModelRegistry", "ModelInference")
        )

    @property
    def address(self) -> str:
        """The registry contract's address."""
        return str(self.contract.address)

    @classmethod
    def for_chain(
        cls, w3: Web3, directory: Path | None = None, sender: TxSender | None = None
    ) -> InferenceRegistryClient:
        """The registry recorded for the chain ``w3`` talks to (in ``directory``)."""
        chain_id = guarded_read(
            lambda: int(w3.eth.chain_id), RevertDecoder(), "reading the chain id"
        )
        return cls(w3, inference_registry_address(chain_id, directory), sender)

    def link(self, task_id: TaskId, round_id: RoundId, inference: str) -> TxResult:
        """Link ``inference`` to the model of (task, round) as the sending account."""
        if self._sender is None:
            raise ChainError(f"Linking needs an account; this {CONTRACT} client is read-only.")
        return self._send(
            self.contract.functions.link(task_id, round_id, Web3.to_checksum_address(inference))
        )

    def inference_of(self, task_id: TaskId, round_id: RoundId, linker: str) -> str | None:
        """The contract ``linker`` linked to (task, round), or None if it linked none."""
        address = Web3.to_checksum_address(linker)
        try:
            found = self._call(
                lambda: self.contract.functions.inferenceOf(task_id, round_id, address).call()
            )
        except ChainError as exc:
            if is_revert(exc, "InferenceRegistryNotLinked"):
                return None
            raise
        return str(found)

    def links(
        self, task_id: TaskId | None = None, round_id: RoundId | None = None, from_block: int = 0
    ) -> list[InferenceLink]:
        """Every link made (for a task, and a round of it, if given), oldest first (replaced
        ones included)."""
        topics = tuple(t for t in (task_id, round_id) if t is not None)
        if round_id is not None and task_id is None:
            raise ValueError("links() takes a round only with its task.")
        return [
            InferenceLink(
                TaskId(int(event.args["taskId"])),
                RoundId(int(event.args["round"])),
                str(event.args["linker"]),
                str(event.args["inference"]),
                Cid.from_chain(bytes(event.args["modelDigest"]), int(event.args["codec"])),
                event.block_number,
            )
            for event in self._pager(["InferenceLinked"], from_block, topics)
        ]
