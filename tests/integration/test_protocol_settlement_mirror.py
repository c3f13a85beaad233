"""The Python mirror of settlement (``protocol/settlement.py``) against FLCoordinator on Anvil:
the inactivity penalty it predicts is the one ``settle`` burns."""

from __future__ import annotations

import pytest
from protocol_parties import (
    METRICS,
    MODEL,
    TOKEN,
    Parties,
    attest_all,
    next_phase,
    task_with_members,
)
from web3 import Web3

from flchain.protocol.client import FLClient
from flchain.protocol.settlement import inactivity_penalty, stake_after_settlement
from flchain.storage.cid import RAW

pytestmark = pytest.mark.integration


def _predicted_stake(reader: FLClient, task_id: int, address: str) -> int:
    task = reader.task(task_id)
    member = reader.member(task_id, address)
    active = reader.round(task_id, member.active_round) if member.active_round else None
    current = reader.round(task_id, task.current_round)
    penalty = inactivity_penalty(
        task, member, active, current, lambda r: reader.round(task_id, r).failures_before
    )
    return stake_after_settlement(task, member, active) - penalty


def test_inactivity_penalty_mirror_matches_settle_on_chain(
    w3: Web3, parties: Parties, chain_snapshot: str
) -> None:
    # alice and bob (10 each) reveal, alice attests; the owner (30) stays silent: 40% < quorum,
    # round 1 fails with reveals (the owner pays once). Round 2 fails without reveals (free).
    task_id = task_with_members(parties, rounds=3)
    parties.owner.join(task_id, 30 * TOKEN)
    parties.owner.start_round(task_id)
    for index, member in enumerate((parties.alice, parties.bob)):
        member.commit(task_id, 1, bytes([0xA0 + index]) * 32, RAW, bytes([0xB0 + index]) * 32)
    next_phase(w3)
    for index, member in enumerate((parties.alice, parties.bob)):
        member.reveal(task_id, 1, bytes([0xA0 + index]) * 32, RAW, bytes([0xB0 + index]) * 32)
    next_phase(w3)
    attest_all([parties.alice], task_id, 1, (MODEL, RAW, 0b11, METRICS))
    next_phase(w3)
    parties.owner.start_round(task_id)
    for _ in range(3):
        next_phase(w3)
    everyone = (parties.owner, parties.alice, parties.bob)
    predicted = {c.address: _predicted_stake(parties.owner, task_id, c.address) for c in everyone}

    for client in everyone:
        parties.owner.settle(task_id, client.address)

    settled = {c.address: parties.owner.member(task_id, c.address).stake for c in everyone}
    assert settled == predicted
    assert settled[parties.owner.address] == 30 * TOKEN - 30 * TOKEN * 500 // 10_000
    assert settled[parties.alice.address] == settled[parties.bob.address] == 10 * TOKEN
