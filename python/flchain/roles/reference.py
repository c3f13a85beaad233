"""FLTrust on chain: the task owner's reference update, published per round.

FLTrust weighs each update by its agreement with a *reference* update that the server trains
on a small trusted root dataset. flchain has no server, so the task owner plays that part:
while a round is in its Commit phase, the owner trains the round's parent global model on
its root data (same model, same training config as every participant) and publishes the
resulting model as the round's ``FLTRUST_REFERENCE`` note (``RoundNotes``, one per round,
only by the owner, only before any update is revealed). Aggregators and ``flchain verify``
read the note, so every one of them uses the same reference bytes; the reference update is
the difference between that model and the parent. A round without a note cannot be
aggregated with FLTrust: every aggregator abstains and the round fails cleanly.

The root data stay with the owner (only the trained reference model is published); the
reference is trusted by construction, which is FLTrust's assumption.
"""

from __future__ import annotations

import hashlib
import logging

from flchain.errors import AggregationError
from flchain.fl import ArrayDataset, build_model, encode_model, load_into, train_local
from flchain.protocol.client import FLClient
from flchain.protocol.documents import TaskDocument
from flchain.protocol.notes import NoteKind, RoundNotesClient
from flchain.protocol.records import RoundId, RoundInfo, RoundPhase, TaskId
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["ReferencePublisher", "fetch_reference", "train_reference"]

logger = logging.getLogger(__name__)


def train_reference(document: TaskDocument, parent: bytes, root: ArrayDataset, seed: int) -> bytes:
    """The parent model trained on the root data with the task's training config, encoded."""
    model = build_model(document.model, seed=0)
    load_into(model, parent)
    train_local(
        model, root, epochs=document.training.epochs, batch_size=document.training.batch_size,
        lr=document.training.lr, optimizer=document.training.optimizer, seed=seed,  # type: ignore[arg-type]
    )  # fmt: skip
    return encode_model(model.cpu())


def fetch_reference(client: FLClient, store: Store, task_id: TaskId, round_id: RoundId) -> bytes:
    """The reference model published for a round; AggregationError when there is none."""
    cid = RoundNotesClient(client).note(task_id, round_id, NoteKind.FLTRUST_REFERENCE)
    if cid is None:
        raise AggregationError(
            f"Task {task_id} round {round_id} has no FLTrust reference update: the task owner "
            "must publish one during the round's Commit phase (run the owner's reference duty)."
        )
    return store.get(cid)


class ReferencePublisher:
    """The owner's per-round FLTrust duty; call it with each round seen in its Commit phase."""

    def __init__(
        self,
        client: FLClient,
        store: Store,
        document: TaskDocument,
        task_id: TaskId,
        root: ArrayDataset,
    ) -> None:
        if len(root) == 0:
            raise AggregationError("FLTrust needs a non-empty root dataset for the task owner.")
        self.client, self.store, self.document = client, store, document
        self.task_id, self.root = task_id, root
        self._notes = RoundNotesClient(client)
        self._published: set[int] = set()

    def __call__(self, rnd: RoundInfo) -> Cid | None:
        """Publish the round's reference once (no-op outside the Commit phase or when done)."""
        if rnd.phase != RoundPhase.COMMIT or rnd.round in self._published:
            return None
        if self._notes.note(self.task_id, rnd.round, NoteKind.FLTRUST_REFERENCE) is not None:
            self._published.add(rnd.round)
            return None
        record = self.client.model_at(self.task_id, rnd.parent_round)
        parent = self.store.get(record.model)
        seed = int.from_bytes(hashlib.sha256(f"reference:{rnd.round}".encode()).digest()[:4], "big")
        cid = self.store.put(train_reference(self.document, parent, self.root, seed))
        self.store.pin(cid)
        self._notes.publish(self.task_id, rnd.round, NoteKind.FLTRUST_REFERENCE, cid)
        self._published.add(rnd.round)
        logger.info(
            "Task %s round %s: FLTrust reference %s published", self.task_id, rnd.round, cid
        )
        return cid
