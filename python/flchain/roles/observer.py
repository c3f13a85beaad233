"""Read-only views of a task's progress, for the demo's live table and summaries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from web3 import Web3

from flchain import fl
from flchain.fl.data import ArrayDataset
from flchain.protocol.client import FLClient
from flchain.protocol.commitments import result_id
from flchain.protocol.documents import TaskDocument
from flchain.protocol.records import MemberInfo, RoundId, RoundInfo, TaskId
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["ParticipantView", "describe_member", "evaluate_round", "round_gas", "round_rewards"]


@dataclass(frozen=True)
class ParticipantView:
    """One participant's state in the current round."""

    address: str
    state: str
    stake: int
    rewards: int


def describe_member(member: MemberInfo, round_id: RoundId) -> str:
    """A one-word state of a member in a round."""
    if not member.joined:
        return "gone"
    if member.active_round != round_id:
        return "waiting" if member.first_round <= round_id else "joined"
    for flag, word in (
        (MemberInfo.ATTESTED, "attested"),
        (MemberInfo.ATTEST_COMMITTED, "attest committed"),
        (MemberInfo.REVEALED, "revealed"),
        (MemberInfo.COMMITTED, "committed"),
    ):
        if member.flags & flag:
            return word
    return "waiting"


def evaluate_round(
    client: FLClient,
    store: Store,
    doc: TaskDocument,
    task_id: TaskId,
    round_id: RoundId,
    test: ArrayDataset,
    reader: Callable[[RoundId, bytes], bytes] | None = None,
) -> tuple[float, float, Cid]:
    """Accuracy and loss of the registry's model of a round on ``test``, and its CID
    (``reader``: turns a round's stored model into plaintext, for a private task)."""
    record = client.model_at(task_id, round_id)
    cid = record.model
    model = fl.build_model(doc.model, seed=0)
    data = store.get(cid)
    fl.load_into(model, reader(round_id, data) if reader is not None else data)
    accuracy, loss = fl.evaluate(model, test)
    return accuracy, loss, cid


def round_gas(w3: Web3, addresses: set[str], first_block: int, last_block: int) -> int:
    """Gas of every transaction to ``addresses`` in blocks [first_block, last_block]."""
    wanted = {a.lower() for a in addresses}
    total = 0
    for number in range(first_block, last_block + 1):
        for receipt in w3.eth.get_block_receipts(number):
            if receipt["to"] is not None and str(receipt["to"]).lower() in wanted:
                total += int(receipt["gasUsed"])
    return total


def round_rewards(client: FLClient, task_id: TaskId, rnd: RoundInfo) -> dict[str, int]:
    """Reward credited to each participant for a finalized round (base units)."""
    rewards: dict[str, int] = {}
    attestations = client.attested_results(task_id, rnd.round)
    # Rewards are pro rata of the stake a member worked with: its attestation weight, or (if it
    # did not attest) its stake now, which this round's settlement may already have slashed.
    weights = {att.attester: att.weight for att in attestations}
    for update in client.revealed_updates(task_id, rnd.round):
        if rnd.accepted_bitmap >> update.reveal_index & 1:
            stake = weights.get(update.participant)
            if stake is None:
                stake = client.member(task_id, update.participant).stake
            rewards[update.participant] = rewards.get(
                update.participant, 0
            ) + rnd.contributor_reward(stake)
    for att in attestations:
        if (
            result_id(att.model_digest, att.codec, att.accepted_bitmap, att.metrics_digest)
            == rnd.winning_result
        ):
            rewards[att.attester] = rewards.get(att.attester, 0) + rnd.attester_reward(att.weight)
    return rewards
