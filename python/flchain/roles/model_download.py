"""Download a task's global model from the store, verified against its on-chain CID, with the
model spec from the task document (when the store holds it)."""

from __future__ import annotations

from dataclasses import dataclass

from flchain.errors import ConfigError, ContentNotFoundError
from flchain.fl import ModelSpec
from flchain.protocol.client import FLClient
from flchain.protocol.documents import TaskDocument
from flchain.protocol.records import RoundId, RoundPhase, TaskId, TaskInfo
from flchain.roles.registry_view import check_round
from flchain.roles.task_view import existing_task
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["ModelDownload", "download_model", "load_instructions"]


@dataclass(frozen=True)
class ModelDownload:
    """A global model fetched from the store and verified against its on-chain CID."""

    task_id: TaskId
    round: RoundId
    cid: Cid
    data: bytes
    spec: ModelSpec | None  # from the task document, if the store holds it


def _spec(client: FLClient, store: Store, task: TaskInfo) -> ModelSpec | None:
    cid = task.model_spec
    if not store.has(cid):
        return None
    return TaskDocument.from_json(store.get(cid)).model


def download_model(
    client: FLClient, store: Store, task_id: TaskId, round_id: RoundId | None = None
) -> ModelDownload:
    """The global model of a round (default: the latest) from the store, verified by its
    on-chain CID (the store checks every block against it)."""
    task = existing_task(client, task_id)
    if round_id is None:
        record = client.latest_model(task_id)
    else:
        check_round(task, round_id)
        phase = client.phase(task_id, round_id) if round_id else RoundPhase.FINALIZED
        if phase != RoundPhase.FINALIZED:
            raise ConfigError(
                f"Round {round_id} of task {task_id} is in its {phase.label} phase and has no global "
                f"model yet; the latest is round {task.last_finalized_round}."
            )
        record = client.model_at(task_id, round_id)
    cid = record.model
    try:
        data = store.get(cid)
    except ContentNotFoundError as exc:
        raise ContentNotFoundError(
            f"The store {store!r} lacks the global model of task {task_id} round {record.round} ({cid}); "
            "point --store at a store that holds it, or fetch it with `ipfs get` and add it with "
            "`flchain ipfs add`."
        ) from exc
    return ModelDownload(task_id, record.round, cid, data, _spec(client, store, task))


def load_instructions(spec: ModelSpec | None, path: str) -> str:
    """The Python that loads a downloaded model into a fresh model of the task's spec."""
    shown = "ModelSpec.from_json(TASK_DOCUMENT_MODEL_JSON)" if spec is None else repr(spec)
    return (
        "from pathlib import Path\n"
        "from flchain.fl import ModelSpec, build_model, load_into\n"
        f"model = build_model({shown}, seed=0)\n"
        f"load_into(model, Path({path!r}).read_bytes())"
    )
