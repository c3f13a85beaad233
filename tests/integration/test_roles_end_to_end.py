"""End to end on a real Anvil and a real store: participants as separate OS processes train,
commit, reveal, aggregate, attest and finalize; the registry then serves every model.

The test conducts the devnet clock like `flchain demo`: it moves time to a phase's deadline
once every participant has done its part. Nothing is mocked.
"""

from __future__ import annotations

import signal

from role_network import PARTICIPANTS, Network, conduct, small_task, start

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.fl import build_model, evaluate, load_into
from flchain.protocol.records import MemberInfo, RoundPhase, TaskStatus
from flchain.roles.data.datasets import load_test_data
from flchain.storage.cid import Cid


def test_task_finalizes_and_registry_serves_better_models_when_four_participants_train(
    network: Network,
) -> None:
    created = start(network, rounds=2)

    conduct(network, created.task_id)

    task = network.owner.task(created.task_id)
    assert task.status == TaskStatus.COMPLETED
    models = network.owner.models(created.task_id)
    assert [m.round for m in models] == [0, 1, 2]
    assert [m.parent_round for m in models[1:]] == [0, 1]
    assert all(m.contributors == PARTICIPANTS for m in models[1:])
    doc = small_task(2).document
    test = load_test_data("digits", doc.data)
    accuracies = []
    for record in (models[0], models[-1]):
        cid = Cid.from_chain(record.model_digest, record.codec)
        data = network.store.get(cid)  # verified against the chain's digest
        model = build_model(doc.model, seed=0)
        load_into(model, data)
        accuracies.append(evaluate(model, test)[0])
    assert accuracies[1] > accuracies[0] + 0.3
    for proc in network.procs.values():
        assert proc.wait(timeout=60) == 0
    assert all(
        m.rewards == 0 and m.stake == task.min_stake for m in network.members(created.task_id)
    )


def test_participant_killed_after_commit_resumes_and_task_completes_when_restarted(
    network: Network,
) -> None:
    created = start(network, rounds=2)
    victim = dev_signer(1, DEV_CHAIN_ID).address
    killed: list[int] = []

    def kill_once_committed() -> None:
        if killed:
            return
        member = network.owner.member(created.task_id, victim)
        if member.did(MemberInfo.COMMITTED, 1):
            network.procs[0].send_signal(signal.SIGKILL)
            network.procs[0].wait()
            killed.append(1)
            network.spawn(0, created.task_id)  # restarted: must reveal from its journal

    conduct(network, created.task_id, kill_once_committed)

    assert killed, "the participant was never seen committing"
    round_one = network.owner.round(created.task_id, 1)
    assert round_one.phase == RoundPhase.FINALIZED
    assert round_one.accepted_count == PARTICIPANTS  # the restarted one revealed, not slashed
    assert network.owner.task(created.task_id).status == TaskStatus.COMPLETED


def test_aggregator_killed_after_its_attest_commit_reveals_from_its_journal_when_restarted(
    network: Network,
) -> None:
    # 4 trainers x 10 + 1 aggregator-only node x 40: no quorum (> 0.67 of 80) unless the node's
    # committed attestation is revealed, which after the kill only its journal can do.
    created = start(network, rounds=1, observers=1)
    index = PARTICIPANTS
    victim = dev_signer(index + 1, DEV_CHAIN_ID).address
    killed_at: list[int] = []

    def kill_once_attest_committed() -> None:
        member = network.owner.member(created.task_id, victim)
        if killed_at or not member.did(MemberInfo.ATTEST_COMMITTED, 1):
            return
        network.procs[index].send_signal(signal.SIGKILL)
        network.procs[index].wait()
        killed_at.append(network.w3.eth.block_number)
        network.spawn(index, created.task_id, None, "--no-train", "--stake", "40")

    conduct(network, created.task_id, kill_once_attest_committed)

    assert killed_at, "the aggregator was never seen committing its attestation"
    assert network.owner.round(created.task_id, 1).phase == RoundPhase.FINALIZED
    revealed = [
        a for a in network.owner.attested_results(created.task_id, 1) if a.attester == victim
    ]
    assert [a.block_number > killed_at[0] for a in revealed] == [True]


def test_aggregator_only_node_attests_without_training_when_its_stake_is_needed(
    network: Network,
) -> None:
    # 4 trainers x 10 + 1 observer x 40: no quorum (> 0.67 of 80) without the observer.
    created = start(network, rounds=1, observers=1)
    observer = dev_signer(PARTICIPANTS + 1, DEV_CHAIN_ID).address

    conduct(network, created.task_id)

    task = network.owner.task(created.task_id)
    assert task.status == TaskStatus.COMPLETED
    final = task.last_finalized_round
    attesters = {a.attester for a in network.owner.attested_results(created.task_id, final)}
    revealers = {u.participant for u in network.owner.revealed_updates(created.task_id, final)}
    assert observer in attesters
    assert observer not in revealers
