"""FLClient against the real contracts on Anvil: deployment, every call, every read.

One deployment per module (inside a module snapshot); every test runs in its own snapshot.
Rounds are driven by hand: the chain clock is moved past each phase's deadline.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from protocol_parties import (
    INITIAL,
    METRICS,
    MODEL,
    PHASE,
    SPEC,
    TOKEN,
    Parties,
    attest_all,
    attest_salt,
    move_to_attest_reveal,
    next_phase,
    task_config,
    task_with_members,
)
from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.controls import increase_time, mine
from flchain.chain.transactions import TxSender
from flchain.errors import StakeUnbondingError
from flchain.protocol.client import FLClient
from flchain.protocol.commitments import compute_commitment, result_id
from flchain.protocol.deploy import deploy, migration_steps
from flchain.protocol.records import (
    MemberInfo,
    RoundPhase,
    RoundStatus,
    TaskStatus,
)
from flchain.storage.cid import RAW

pytestmark = pytest.mark.integration


def _balance(client: FLClient) -> int:
    return int(client.token().functions.balanceOf(client.address).call())


def _update(index: int) -> tuple[bytes, bytes]:
    """(cid digest, salt) of participant ``index``'s update."""
    return bytes([0xA0 + index]) * 32, bytes([0xB0 + index]) * 32


def _commit_and_reveal(w3: Web3, p: Parties, task_id: int, round_id: int) -> None:
    members = (p.alice, p.bob)
    for index, member in enumerate(members):
        digest, salt = _update(index)
        member.commit(task_id, round_id, digest, RAW, salt)
    next_phase(w3)
    for index, member in enumerate(members):
        digest, salt = _update(index)
        member.reveal(task_id, round_id, digest, RAW, salt)
    next_phase(w3)


def _finalized_round(w3: Web3, p: Parties, rounds: int = 2) -> int:
    """A task whose round 1 both members committed, revealed, attested and finalized."""
    task_id = task_with_members(p, rounds)
    p.owner.start_round(task_id)
    _commit_and_reveal(w3, p, task_id, 1)
    attest_all([p.alice, p.bob], task_id, 1, (MODEL, RAW, 0b11, METRICS))
    p.bob.finalize_round(task_id, MODEL, RAW, 0b11, METRICS)
    return task_id


# ---------------------------------------------------------------------- deployment


def test_deploy_applies_every_migration_then_nothing_when_run_again(
    w3: Web3, chain_snapshot: str, tmp_path: Path
) -> None:
    sender = TxSender(w3, dev_signer(0, DEV_CHAIN_ID))
    names = [step.name for step in migration_steps()]

    first = deploy(w3, sender, directory=tmp_path)
    second = deploy(w3, sender, directory=tmp_path)

    assert first.applied == names
    assert second.applied == []
    assert second.skipped == names
    assert second.deployment == first.deployment
    assert (tmp_path / f"{DEV_CHAIN_ID}.json").is_file()


# ---------------------------------------------------------------------- tasks and membership


def test_create_task_records_the_member_share_cap(parties: Parties, chain_snapshot: str) -> None:
    config = dataclasses.replace(
        task_config(parties.owner.deployment.token), max_member_share_bps=4_000
    )

    task_id, _ = parties.owner.create_task(config)

    assert parties.owner.task(task_id).max_member_share_bps == 4_000
    assert parties.owner.task(task_id).unbonding_stake == 0


def test_create_task_escrows_rewards_and_registers_initial_model(
    parties: Parties, chain_snapshot: str
) -> None:
    owner = parties.owner
    before = _balance(owner)

    task_id, _ = owner.create_task(task_config(owner.deployment.token, rounds=3))

    task = owner.task(task_id)
    assert owner.task_count() == task_id
    assert (task.owner, task.status, task.num_rounds) == (owner.address, TaskStatus.ACTIVE, 3)
    assert (task.min_stake, task.reward_pool, task.quorum_bps) == (10 * TOKEN, 300 * TOKEN, 6_667)
    assert (task.model_spec_digest, task.model_spec_codec) == (SPEC, RAW)
    assert before - _balance(owner) == 300 * TOKEN
    initial = owner.model_at(task_id, 0)
    assert (initial.model_digest, initial.codec, initial.round) == (INITIAL, RAW, 0)
    assert owner.latest_model(task_id) == initial
    assert owner.models(task_id) == [initial]


def test_join_stakes_tokens_and_records_the_member(parties: Parties, chain_snapshot: str) -> None:
    task_id, _ = parties.owner.create_task(task_config(parties.owner.deployment.token))
    before = _balance(parties.alice)

    parties.alice.join(task_id, 15 * TOKEN, b"\x07" * 32)

    member = parties.alice.member(task_id, parties.alice.address)
    assert member.joined
    assert (member.stake, member.first_round, member.encryption_key) == (
        15 * TOKEN,
        1,
        b"\x07" * 32,
    )
    assert before - _balance(parties.alice) == 15 * TOKEN
    task = parties.alice.task(task_id)
    assert (task.member_count, task.total_stake) == (1, 15 * TOKEN)
    assert not parties.alice.member(task_id, parties.bob.address).joined


def test_set_encryption_key_replaces_the_member_key(parties: Parties, chain_snapshot: str) -> None:
    task_id = task_with_members(parties)

    parties.alice.set_encryption_key(task_id, b"\x09" * 32)

    assert parties.alice.member(task_id, parties.alice.address).encryption_key == b"\x09" * 32


def test_leave_unbonds_first_then_says_when_the_stake_may_leave(
    w3: Web3, parties: Parties, chain_snapshot: str
) -> None:
    task_id = _finalized_round(w3, parties)  # round 2 open: alice's stake is bonded

    with pytest.raises(StakeUnbondingError) as unbonding:
        parties.alice.leave(task_id)

    assert unbonding.value.leave_round == 2 + 2  # UNBONDING_ROUNDS after the current round
    assert str(unbonding.value).startswith(f"Task {task_id}: the stake unbonds once round 4 opens")
    assert str(unbonding.value).endswith("run `flchain participant leave` again then.")
    assert parties.alice.member(task_id, parties.alice.address).flags & MemberInfo.UNBONDING
    assert parties.alice.task(task_id).unbonding_stake == 10 * TOKEN


def test_leave_returns_stake_and_rewards_and_removes_the_member(
    w3: Web3, parties: Parties, chain_snapshot: str
) -> None:
    task_id = _finalized_round(w3, parties)
    parties.alice.settle(task_id, parties.alice.address)
    owed = 10 * TOKEN + parties.alice.member(task_id, parties.alice.address).rewards
    before = _balance(parties.alice)
    with pytest.raises(StakeUnbondingError) as unbonding:
        parties.alice.leave(task_id)  # unbonds, and says when to come back
    now = int(w3.eth.get_block("latest")["timestamp"])
    increase_time(w3, unbonding.value.leave_time - now)
    mine(w3)

    parties.alice.leave(task_id)

    assert _balance(parties.alice) - before == owed
    assert not parties.alice.member(task_id, parties.alice.address).joined
    assert parties.alice.task(task_id).member_count == 1


def test_close_task_refunds_the_unspent_reward_pool_to_the_owner(
    parties: Parties, chain_snapshot: str
) -> None:
    task_id, _ = parties.owner.create_task(task_config(parties.owner.deployment.token, rounds=2))
    before = _balance(parties.owner)

    parties.owner.close_task(task_id)

    task = parties.owner.task(task_id)
    assert (task.status, task.reward_pool) == (TaskStatus.CLOSED, 0)
    assert _balance(parties.owner) - before == 200 * TOKEN


# ---------------------------------------------------------------------- rounds


def test_start_round_opens_round_one_in_its_commit_phase(
    parties: Parties, chain_snapshot: str
) -> None:
    task_id = task_with_members(parties)

    round_id, _ = parties.owner.start_round(task_id)

    rnd = parties.owner.round(task_id, round_id)
    assert round_id == 1
    assert (rnd.status, rnd.phase, rnd.parent_round) == (RoundStatus.OPEN, RoundPhase.COMMIT, 0)
    assert rnd.total_stake == 20 * TOKEN
    assert rnd.reveal_deadline - rnd.commit_deadline == PHASE
    assert parties.owner.task(task_id).current_round == 1


def test_commit_then_reveal_mark_the_member_and_list_the_revealed_update(
    w3: Web3, parties: Parties, chain_snapshot: str
) -> None:
    task_id = task_with_members(parties)
    parties.owner.start_round(task_id)
    digest, salt = _update(0)

    parties.alice.commit(task_id, 1, digest, RAW, salt)
    committed = parties.alice.member(task_id, parties.alice.address)
    next_phase(w3)
    parties.alice.reveal(task_id, 1, digest, RAW, salt)

    revealed = parties.alice.member(task_id, parties.alice.address)
    assert committed.did(MemberInfo.COMMITTED, 1)
    assert not committed.did(MemberInfo.REVEALED, 1)
    assert revealed.did(MemberInfo.REVEALED, 1)
    updates = parties.alice.revealed_updates(task_id, 1)
    assert [(u.participant, u.reveal_index, u.cid_digest, u.codec) for u in updates] == [
        (parties.alice.address, 0, digest, RAW)
    ]
    assert parties.alice.round(task_id, 1).reveal_count == 1


def test_attest_reports_quorum_only_when_the_attested_stake_reaches_it(
    w3: Web3, parties: Parties, chain_snapshot: str
) -> None:
    task_id = task_with_members(parties)
    parties.owner.start_round(task_id)
    _commit_and_reveal(w3, parties, task_id, 1)

    first, second = attest_all(
        [parties.alice, parties.bob], task_id, 1, (MODEL, RAW, 0b11, METRICS)
    )

    assert (first, second) == (False, True)
    attested = parties.owner.attested_results(task_id, 1)
    assert [a.attester for a in attested] == [parties.alice.address, parties.bob.address]
    assert {a.result_id for a in attested} == {result_id(MODEL, RAW, 0b11, METRICS)}
    assert [a.weight for a in attested] == [10 * TOKEN, 10 * TOKEN]
    rnd = parties.owner.round(task_id, 1)
    assert (rnd.phase, rnd.winning_result) == (
        RoundPhase.QUORUM_REACHED,
        result_id(MODEL, RAW, 0b11, METRICS),
    )


def test_finalize_round_registers_the_model_and_opens_the_next_round(
    w3: Web3, parties: Parties, chain_snapshot: str
) -> None:
    task_id = _finalized_round(w3, parties)

    record = parties.owner.model_at(task_id, 1)
    assert (record.model_digest, record.codec, record.metrics_digest) == (MODEL, RAW, METRICS)
    assert (record.round, record.parent_round, record.contributors) == (1, 0, 2)
    assert parties.owner.latest_model(task_id) == record
    assert [m.round for m in parties.owner.models(task_id)] == [0, 1]
    finalized = parties.owner.round(task_id, 1)
    assert (finalized.status, finalized.accepted_bitmap, finalized.accepted_count) == (
        RoundStatus.FINALIZED,
        0b11,
        2,
    )
    task = parties.owner.task(task_id)
    assert (task.current_round, task.finalized_rounds, task.last_finalized_round) == (2, 1, 1)
    assert parties.owner.round(task_id, 2).phase == RoundPhase.COMMIT


def test_finalize_last_round_completes_the_task(
    w3: Web3, parties: Parties, chain_snapshot: str
) -> None:
    task_id = _finalized_round(w3, parties, rounds=1)

    task = parties.owner.task(task_id)

    assert (task.status, task.current_round, task.finalized_rounds) == (TaskStatus.COMPLETED, 1, 1)


def test_settle_credits_rewards_and_claim_pays_them_out(
    w3: Web3, parties: Parties, chain_snapshot: str
) -> None:
    task_id = _finalized_round(w3, parties)
    rnd = parties.owner.round(task_id, 1)

    parties.owner.settle(task_id, parties.alice.address)  # anyone may settle for a member
    credited = parties.alice.member(task_id, parties.alice.address).rewards
    before = _balance(parties.alice)
    parties.alice.claim(task_id)

    stake = parties.alice.member(task_id, parties.alice.address).stake
    assert credited == rnd.contributor_reward(stake) + rnd.attester_reward(stake) > 0
    assert _balance(parties.alice) - before == credited
    assert parties.alice.member(task_id, parties.alice.address).rewards == 0


# ---------------------------------------------------------------------- Python mirrors


@pytest.mark.parametrize(
    ("task_id", "round_id", "codec"), [(1, 1, RAW), (7, 3, 0x70), (2**40, 2**24 - 1, 0x00)]
)
def test_python_commitment_equals_the_contracts_compute_commitment(
    parties: Parties, task_id: int, round_id: int, codec: int
) -> None:
    digest, salt = _update(3)
    alice = parties.alice

    on_chain = alice.coordinator.functions.computeCommitment(
        digest, codec, salt, alice.address, task_id, round_id
    ).call()

    assert alice.commitment(task_id, round_id, digest, codec, salt) == bytes(on_chain)
    other = compute_commitment(
        digest,
        codec,
        salt,
        parties.bob.address,
        task_id,
        round_id,
        DEV_CHAIN_ID,
        alice.deployment.coordinator,
    )
    assert other != bytes(on_chain)


@pytest.mark.parametrize(
    ("task_id", "round_id", "codec"), [(1, 1, RAW), (7, 3, 0x70), (2**40, 2**24 - 1, 0x00)]
)
def test_python_attestation_commitment_equals_the_contracts(
    parties: Parties, task_id: int, round_id: int, codec: int
) -> None:
    alice, salt = parties.alice, attest_salt(parties.alice)

    on_chain = alice.coordinator.functions.computeAttestationCommitment(
        MODEL, codec, 0b101, METRICS, salt, alice.address, task_id, round_id
    ).call()

    alices = alice.attestation_commitment(task_id, round_id, MODEL, codec, 0b101, METRICS, salt)
    assert alices == bytes(on_chain)
    bobs = parties.bob.attestation_commitment(task_id, round_id, MODEL, codec, 0b101, METRICS, salt)
    assert bobs != alices


def test_attestation_counts_only_once_revealed_in_the_attest_reveal_half(
    w3: Web3, parties: Parties, chain_snapshot: str
) -> None:
    task_id = task_with_members(parties)
    parties.owner.start_round(task_id)
    _commit_and_reveal(w3, parties, task_id, 1)
    result = (MODEL, RAW, 0b11, METRICS)

    parties.alice.commit_attestation(task_id, 1, *result, attest_salt(parties.alice))
    committed = parties.alice.member(task_id, parties.alice.address)
    rnd = parties.owner.round(task_id, 1)
    move_to_attest_reveal(parties.alice, task_id, 1)
    parties.alice.reveal_attestation(task_id, 1, *result, attest_salt(parties.alice))
    revealed = parties.alice.member(task_id, parties.alice.address)

    assert rnd.phase == RoundPhase.ATTEST_COMMIT
    assert parties.owner.phase(task_id, 1) == RoundPhase.ATTEST_REVEAL
    assert committed.did(MemberInfo.ATTEST_COMMITTED, 1)
    assert not committed.did(MemberInfo.ATTESTED, 1)
    assert parties.owner.attested_results(task_id, 1)[0].attester == parties.alice.address
    assert revealed.did(MemberInfo.ATTESTED, 1)
    assert revealed.attested_result == result_id(*result)
    assert rnd.attest_commit_deadline == int(
        parties.owner.coordinator.functions.attestCommitDeadline(task_id, 1).call()
    )


@pytest.mark.parametrize("bitmap", [0, 0b101, 2**256 - 1])
def test_python_result_id_equals_the_contracts_result_id(parties: Parties, bitmap: int) -> None:
    on_chain = parties.owner.coordinator.functions.resultId(MODEL, RAW, bitmap, METRICS).call()

    assert result_id(MODEL, RAW, bitmap, METRICS) == bytes(on_chain)
