"""Per-round documents a task owner publishes on chain through ``RoundNotes``.

A note is a CID (digest and codec, like every CID on chain) of a document the owner stores
for one round, while that round is in its Commit phase, once per (task, round, kind): the
FLTrust reference update computed on the owner's root data, or the keyring of an encrypted
task's round. Readers get ``None`` for a note that was never published.
"""

from __future__ import annotations

from enum import IntEnum

from flchain.chain.transactions import TxResult
from flchain.errors import ContractRevertError
from flchain.protocol.client import FLClient, is_revert
from flchain.protocol.contract_client import ContractClient
from flchain.protocol.records import RoundId, TaskId
from flchain.storage.cid import Cid

__all__ = ["NoteKind", "RoundNotesClient"]


class NoteKind(IntEnum):
    """What a round note holds (the contract reserves 0)."""

    FLTRUST_REFERENCE = 1
    KEYRING = 2


class RoundNotesClient(ContractClient):
    """``RoundNotes`` seen through an :class:`FLClient` (its chain, deployment and account)."""

    def __init__(self, client: FLClient) -> None:
        super().__init__(
            client.w3, "RoundNotes", client.deployment.address_of("RoundNotes"),
            client.optional_sender, error_sources=("FLCoordinator",), chain_id=client.chain_id,
        )  # fmt: skip

    def publish(self, task_id: TaskId, round_id: RoundId, kind: NoteKind, cid: Cid) -> TxResult:
        """Publish ``cid`` as the ``kind`` note of a round (task owner only, Commit phase)."""
        digest, codec = cid.to_chain()
        return self._send(
            self.contract.functions.publish(task_id, round_id, int(kind), digest, codec)
        )

    def note(self, task_id: TaskId, round_id: RoundId, kind: NoteKind) -> Cid | None:
        """The CID of a round's ``kind`` note, or None when none was published."""
        try:
            digest, codec, _ = self._call(
                lambda: self.contract.functions.noteOf(task_id, round_id, int(kind)).call()
            )
        except ContractRevertError as exc:
            if is_revert(exc, "NotesNotFound"):
                return None
            raise
        return Cid.from_chain(bytes(digest), int(codec))
