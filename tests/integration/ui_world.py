"""A small finished federated task for the dashboard's browser tests, driven by hand on the
session's Anvil: real local training of each member's shard, the real aggregator, commit /
reveal / attest / finalize through the real contracts, the chain clock moved past each phase."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from protocol_parties import attest_all
from web3 import Web3

from flchain.chain.controls import increase_time, mine
from flchain.fl import SAMPLES_KEY, build_model, encode_state, load_into, train_local
from flchain.protocol.client import FLClient
from flchain.roles.aggregator import RoundResult, aggregate_round
from flchain.roles.data.datasets import load_participant_data
from flchain.roles.taskfile import TaskFile, parse_task_file
from flchain.storage.cid import Cid
from flchain.storage.local import LocalStore

PHASE = 100


def task_config(name: str, rounds: int) -> TaskFile:
    """A digits task with a small MLP (phases of PHASE seconds, moved past by hand)."""
    config: dict[str, Any] = {
        "task": {
            "name": name,
            "rounds": rounds,
            "commit_seconds": PHASE,
            "reveal_seconds": PHASE,
            "attest_seconds": PHASE,
            "rule": "fedavg",
            "quorum": 0.6,  # two of three equal stakes attest when the third member stays silent
        },
        "model": {"family": "mlp", "hidden_sizes": [16]},
        "training": {"epochs": 1, "batch_size": 16, "lr": 0.3},
    }
    return parse_task_file(config)


@dataclass(frozen=True)
class PlayedRound:
    """A round driven to finalization."""

    round: int
    result: RoundResult
    members: tuple[str, ...]


def _next_phase(w3: Web3) -> None:
    increase_time(w3, PHASE)
    mine(w3)


def play_round(
    w3: Web3, store: LocalStore, owner: FLClient, members: list[FLClient], task_file: TaskFile,
    task_id: int, silent: FLClient | None = None,
) -> PlayedRound:  # fmt: skip
    """Train, commit, reveal, aggregate, attest and finalize the task's current round
    (``silent``: a member that commits an update and never reveals it)."""
    doc = task_file.document
    task = owner.task(task_id)
    round_id = task.current_round
    parent = owner.model_at(task_id, task.last_finalized_round)
    parent_cid = Cid.from_chain(parent.model_digest, parent.codec)
    updates = []
    for index, member in enumerate(members):
        data = load_participant_data("digits", doc.data, (index, len(members)))
        model = build_model(doc.model, seed=0)
        load_into(model, store.get(parent_cid))
        train_local(model, data, epochs=1, batch_size=16, lr=0.3, seed=round_id * 10 + index)
        update = encode_state(model.state_dict(), {SAMPLES_KEY: str(len(data))})
        digest, codec = store.put(update).to_chain()
        salt = bytes([round_id, index + 1]) * 16
        member.commit(task_id, round_id, digest, codec, salt)
        updates.append((member, digest, codec, salt))
    if silent is not None:
        digest, codec = store.put(
            encode_state(build_model(doc.model, seed=99).state_dict())
        ).to_chain()
        silent.commit(task_id, round_id, digest, codec, bytes(32))
    _next_phase(w3)
    for member, digest, codec, salt in updates:
        member.reveal(task_id, round_id, digest, codec, salt)
    _next_phase(w3)
    revealed = owner.revealed_updates(task_id, round_id)
    result = aggregate_round(
        task_id, round_id, "fedavg", parent_cid, store.get(parent_cid), revealed, store
    )
    digest, codec = result.model_cid.to_chain()
    attest_all(
        list(members),
        task_id,
        round_id,
        (digest, codec, result.accepted_bitmap, result.metrics_digest),
    )
    owner.finalize_round(task_id, digest, codec, result.accepted_bitmap, result.metrics_digest)
    return PlayedRound(round_id, result, tuple(m.address for m in members))
