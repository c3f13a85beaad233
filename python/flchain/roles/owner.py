"""The task owner: publish a task's initial model and document, fund and create it on chain."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flchain.fl import build_model, encode_model
from flchain.fl.aggregation import rule_spec
from flchain.protocol.client import FLClient
from flchain.protocol.records import TaskConfig, TaskId
from flchain.roles.taskfile import TaskFile
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["CreatedTask", "create_task"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreatedTask:
    """A task just created: its id and the CIDs it published."""

    task_id: TaskId
    initial_model: Cid
    document: Cid
    tx_hash: str
    gas_used: int


def create_task(
    client: FLClient, store: Store, task: TaskFile, token: str | None = None
) -> CreatedTask:
    """Build the initial model (seeded), store it and the task document, create the task
    on chain (escrowing its rewards from the owner's account), and pin what it published."""
    model = build_model(task.document.model, seed=task.model_seed)
    initial = store.put(encode_model(model))
    document = store.put(task.document.to_json())
    store.pin(initial)
    store.pin(document)
    initial_digest, initial_codec = initial.to_chain()
    doc_digest, doc_codec = document.to_chain()
    config = TaskConfig(
        token=token or client.deployment.token,
        initial_model_digest=initial_digest,
        initial_model_codec=initial_codec,
        model_spec_digest=doc_digest,
        model_spec_codec=doc_codec,
        num_rounds=task.rounds,
        commit_duration=task.commit_seconds,
        reveal_duration=task.reveal_seconds,
        attest_duration=task.attest_seconds,
        min_stake=task.min_stake,
        reward_per_round=task.reward_per_round,
        quorum_bps=task.quorum_bps,
        slash_bps=task.slash_bps,
        reject_slash_bps=task.reject_slash_bps,
        attester_share_bps=task.attester_share_bps,
        max_participants=task.max_participants,
        max_member_share_bps=task.max_member_share_bps,
        aggregation_rule=task.rule_id,
        aggregation_params=rule_spec(task.document.rule).pinned_params(task.document.rule_params),
    )
    task_id, tx = client.create_task(config)
    logger.info("Task %s created: initial model %s, document %s", task_id, initial, document)
    return CreatedTask(task_id, initial, document, tx.tx_hash, tx.gas_used)
