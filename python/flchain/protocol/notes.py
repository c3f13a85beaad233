"""Per-round documents a task owner publishes on chain through ``RoundNotes``.

A note is a CID (digest and codec, like every CID on chain) of a document the owner stores
for one round, while that round is in its Commit phase, once per (task, round, kind): the
FLTrust reference update computed on the owner's root data, or the keyring of an encrypted
task's round. Readers get ``None`` for a note that was never published.
"""

from __future__ import annotations

from enum import IntEnum

from web3 import Web3
from web3.contract import Contract

from flchain.chain.revert import RevertDecoder
from flchain.chain.transactions import TxResult
from flchain.errors import ContractRevertError
from flchain.protocol.artifacts import load_artifact
from flchain.protocol.client import FLClient, is_revert
from flchain.storage.cid import Cid

__all__ = ["NoteKind", "RoundNotesClient"]


class NoteKind(IntEnum):
    """What a round note holds (the contract reserves 0)."""

    FLTRUST_REFERENCE = 1
    KEYRING = 2


class RoundNotesClient:
    """``RoundNotes`` seen through an :class:`FLClient` (its chain, deployment and account)."""

    def __init__(self, client: FLClient) -> None:
        self._client = client
        artifact = load_artifact("RoundNotes")
        address = Web3.to_checksum_address(client.deployment.address_of("RoundNotes"))
        self.contract: Contract = client.w3.eth.contract(address=address, abi=artifact.abi)
        self._abi = [*artifact.abi, *client.coordinator.abi]
        self._decoder = RevertDecoder(self._abi, "RoundNotes")

    def publish(self, task_id: int, round_id: int, kind: NoteKind, cid: Cid) -> TxResult:
        """Publish ``cid`` as the ``kind`` note of a round (task owner only, Commit phase)."""
        digest, codec = cid.to_chain()
        return self._client.sender.transact(
            self.contract.functions.publish(task_id, round_id, int(kind), digest, codec),
            abi=self._abi,
            contract_name="RoundNotes",
        )

    def note(self, task_id: int, round_id: int, kind: NoteKind) -> Cid | None:
        """The CID of a round's ``kind`` note, or None when none was published."""
        try:
            digest, codec, _ = self._client.read(
                lambda: self.contract.functions.noteOf(task_id, round_id, int(kind)).call(),
                self._decoder,
            )
        except ContractRevertError as exc:
            if is_revert(exc, "NotesNotFound"):
                return None
            raise
        return Cid.from_chain(bytes(digest), int(codec))
