"""``flchain verify``: recompute a finalized round from the chain and the store alone, and
check the result the chain finalized — model digest, accepted set and metrics digest.

A private task's round can be verified by its members and its owner (their account's keys
decrypt the updates; the recomputed model, sealed deterministically, must give the chain's
ciphertext CID, and the metrics document its model commitment)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from flchain.chain.accounts import Signer
from flchain.errors import ConfigError, ContentNotFoundError, IntegrityError, StorageError
from flchain.fl import rule_name
from flchain.protocol.client import FLClient, Revealed
from flchain.protocol.documents import TaskDocument
from flchain.protocol.records import RoundId, RoundPhase, TaskId
from flchain.roles.aggregator import aggregate_round
from flchain.roles.privacy.private_rounds import aggregate_private_round
from flchain.roles.privacy.round_keys import RoundKeySource
from flchain.roles.side_inputs import fetch_side_inputs
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["Verification", "check_local_copies", "verify_round"]

_CID_TEXT = re.compile(r"\b(Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{50,})\b")


@dataclass(frozen=True)
class Verification:
    """The chain's result of a round next to the recomputed one."""

    task_id: TaskId
    round: RoundId
    rule: str
    chain_model: Cid
    recomputed_model: Cid
    chain_accepted: int
    recomputed_accepted: int
    chain_metrics: bytes
    recomputed_metrics: bytes
    rejected: dict[int, str]

    @property
    def model_matches(self) -> bool:
        """Whether the recomputed global model is the finalized one."""
        return self.chain_model.to_chain()[0] == self.recomputed_model.to_chain()[0]

    @property
    def accepted_matches(self) -> bool:
        """Whether the recomputed accepted set is the finalized one."""
        return self.chain_accepted == self.recomputed_accepted

    @property
    def ok(self) -> bool:
        """Model, accepted set and metrics all match."""
        return (
            self.model_matches
            and self.accepted_matches
            and self.chain_metrics == self.recomputed_metrics
        )


def verify_round(
    client: FLClient, store: Store, task_id: TaskId, round_id: RoundId, signer: Signer | None = None
) -> Verification:
    """Recompute ``round_id`` of ``task_id`` and compare it with what the chain finalized
    (``signer``: a member's or the owner's account, needed for a private task)."""
    task = client.task(task_id)
    if not 1 <= round_id <= task.current_round:
        raise ConfigError(
            f"Task {task_id} has rounds 1..{task.current_round}; round {round_id} does not exist."
        )
    rnd = client.round(task_id, round_id)
    if rnd.phase != RoundPhase.FINALIZED:
        raise ConfigError(
            f"Task {task_id} round {round_id} is {rnd.phase.label}, not finalized: nothing to verify yet."
        )
    record = client.model_at(task_id, round_id)
    parent = client.model_at(task_id, rnd.parent_round)
    parent_cid = parent.model
    rule = rule_name(task.aggregation_rule)
    revealed = client.revealed_updates(task_id, round_id)
    params = json.loads(task.aggregation_params or b"{}")
    spec = task.model_spec
    document = TaskDocument.from_json(store.get(spec))
    check_local_copies(store, revealed, rnd.accepted_bitmap)
    if document.private:
        keys = RoundKeySource(client, store, task_id, signer)
        result = aggregate_private_round(
            keys, round_id, rule, parent_cid, store.get(parent_cid), revealed, params,
            document.secure_aggregation,
        )  # fmt: skip
    else:
        side = fetch_side_inputs(client, store, task_id, round_id, rnd.parent_round, rule)
        result = aggregate_round(
            task_id, round_id, rule, parent_cid, store.get(parent_cid), revealed, store, params,
            side.reference, grandparent=side.grandparent,
        )  # fmt: skip
    return Verification(
        task_id=task_id,
        round=round_id,
        rule=rule,
        chain_model=record.model,
        recomputed_model=result.model_cid,
        chain_accepted=rnd.accepted_bitmap,
        recomputed_accepted=result.accepted_bitmap,
        chain_metrics=record.metrics_digest,
        recomputed_metrics=result.metrics_digest,
        rejected=dict(result.rejected),
    )


def check_local_copies(store: Store, revealed: Sequence[Revealed], accepted_bitmap: int) -> None:
    """StorageError "local store damaged: block X" unless every update the chain accepted
    reads back intact: the chain accepted it, so its bytes existed and matched; missing or
    corrupt bytes here are this store's damage, not the chain's mistake."""
    for update in revealed:
        if not accepted_bitmap >> update.reveal_index & 1:
            continue
        cid = update.cid
        try:
            store.get(cid)
        except (ContentNotFoundError, IntegrityError) as exc:
            found = _CID_TEXT.search(str(exc))
            block = found.group(1) if found else str(cid)
            what = "corrupt" if isinstance(exc, IntegrityError) else "missing"
            raise StorageError(
                f"local store damaged: block {block} of update {cid} (reveal "
                f"{update.reveal_index}, accepted by the chain) is {what}; fetch the update "
                "again (e.g. --store URL of a healthy store) and verify again."
            ) from exc
