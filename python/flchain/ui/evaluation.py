"""Accuracy and loss of a task's registered global models, evaluated on the task's public test
split (the held-out split its task document names), cached by model CID.

Nothing comes from whoever ran the task: the model bytes come from the store, checked against
the CID the registry recorded, and the test split is recomputed from the task document. A task
whose models are encrypted (private) or whose data set has no shipped test split cannot be
evaluated by an outsider: :class:`TaskCurve` then says why instead of giving points.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flchain.errors import FlchainError
from flchain.fl import build_model, evaluate, load_into
from flchain.fl.data import ArrayDataset
from flchain.protocol.documents import DataConfig, TaskDocument
from flchain.protocol.records import RoundId, RoundPhase, TaskId
from flchain.roles.data.datasets import load_test_data
from flchain.roles.privacy.view import task_document
from flchain.roles.task_view import existing_task
from flchain.storage.cid import Cid
from flchain.ui.source import Reader

__all__ = ["CurvePoint", "ModelEvaluator", "TaskCurve"]


@dataclass(frozen=True)
class CurvePoint:
    """One registered model's test accuracy and loss (round 0: the initial model)."""

    round: int
    accuracy: float
    loss: float
    model_cid: str


@dataclass(frozen=True)
class TaskCurve:
    """A task's points, one per finalized round plus round 0; ``reason`` when there are none."""

    task_id: TaskId
    points: tuple[CurvePoint, ...]
    reason: str | None = None


class ModelEvaluator:
    """Evaluates registered models; each (model CID, test split) is evaluated once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, float, int], tuple[float, float]] = {}
        self._splits: dict[tuple[str, float, int], ArrayDataset] = {}
        self._lock = threading.Lock()
        self.evaluations = 0  # models actually evaluated (not served from the cache)

    def _split(self, data: DataConfig) -> ArrayDataset:
        key = (data.dataset, data.test_fraction, data.seed)
        if key not in self._splits:
            self._splits[key] = load_test_data(data.dataset, data)
        return self._splits[key]

    def _score(self, doc: TaskDocument, cid: Cid, model_bytes: bytes) -> tuple[float, float]:
        data = doc.data
        key = (str(cid), data.dataset, data.test_fraction, data.seed)
        with self._lock:
            if key not in self._cache:
                model = build_model(doc.model, seed=0)
                load_into(model, model_bytes)
                self._cache[key] = evaluate(model, self._split(data))
                self.evaluations += 1
            return self._cache[key]

    def cached(self, doc: TaskDocument, cid: Cid) -> bool:
        """Whether the model ``cid`` was already evaluated on ``doc``'s test split."""
        data = doc.data
        return (str(cid), data.dataset, data.test_fraction, data.seed) in self._cache

    def curve(self, reader: Reader, task_id: TaskId) -> TaskCurve:
        """Round 0 and every finalized round of ``task_id``, evaluated (ConfigError if the task
        does not exist)."""
        with reader.lock:
            task = existing_task(reader.client, task_id)
            doc = task_document(reader.client, reader.store, task_id)
            if doc is None:
                return TaskCurve(task_id, (), "the store does not hold the task document")
            if doc.private:
                return TaskCurve(
                    task_id, (), "the task is private: its models are encrypted for its members"
                )
            if doc.data.dataset != "digits":
                return TaskCurve(
                    task_id, (), f"no public test split ships for data set {doc.data.dataset!r}"
                )
            rounds = [RoundId(0)] + [
                r
                for r in map(RoundId, range(1, task.current_round + 1))
                if reader.client.phase(task_id, r) == RoundPhase.FINALIZED
            ]
            records = [(r, reader.client.model_at(task_id, r)) for r in rounds]
        points: list[CurvePoint] = []
        for round_id, record in records:
            cid = record.model
            try:
                if self.cached(doc, cid):
                    accuracy, loss = self._score(doc, cid, b"")
                else:
                    with reader.lock:
                        data = reader.store.get(cid)  # checked against the CID by the store
                    accuracy, loss = self._score(doc, cid, data)
            except FlchainError as exc:
                return TaskCurve(task_id, tuple(points), f"round {round_id}: {exc}")
            points.append(CurvePoint(round_id, accuracy, loss, str(cid)))
        return TaskCurve(task_id, tuple(points))
