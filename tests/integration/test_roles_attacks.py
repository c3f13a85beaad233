"""Malicious participants on a real chain: the contracts and the aggregation rules together
exclude, slash and out-vote them, while honest participants are paid."""

from __future__ import annotations

import hashlib
from pathlib import Path

from role_network import PARTICIPANTS, Network, conduct, small_task, start, wait_for_members

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.transactions import TxSender
from flchain.protocol.client import FLClient
from flchain.protocol.records import MemberInfo, RoundPhase, TaskStatus
from flchain.roles.exit_codes import EXPELLED
from flchain.roles.owner import create_task
from flchain.roles.verifier import verify_round

TOKEN = 10**18


def _slashed(net: Network, task_id: int) -> dict[str, int]:
    """Total slashed per participant, from the Slashed events."""
    logs = net.owner.coordinator.events.Slashed().get_logs(
        from_block=0, argument_filters={"taskId": task_id}
    )
    totals: dict[str, int] = {}
    for log in logs:
        who = str(log["args"]["participant"])
        totals[who] = totals.get(who, 0) + int(log["args"]["amount"])
    return totals


def _paid(net: Network, task_id: int, expelled: frozenset[int] = frozenset()) -> dict[str, int]:
    """Rewards paid out per participant: claims, plus rewards paid when leaving. Participants
    claim when the task ends, then exit 0; the ``expelled`` ones (slashed below the minimum
    stake) leave and exit with EXPELLED saying so."""
    for index, proc in net.procs.items():
        code = proc.wait(timeout=60)
        if index in expelled:
            assert code == EXPELLED
            assert "expelled" in (net.root / f"participant-{index}.log").read_text()
        else:
            assert code == 0
    events = net.owner.coordinator.events
    paid: dict[str, int] = {}
    for event, field in ((events.RewardClaimed(), "amount"), (events.ParticipantLeft(), "rewards")):
        for log in event.get_logs(from_block=0, argument_filters={"taskId": task_id}):
            who = str(log["args"]["participant"])
            paid[who] = paid.get(who, 0) + int(log["args"][field])
    return paid


def test_free_rider_is_excluded_slashed_and_unpaid_while_honest_ones_are_paid(
    network: Network, tmp_path: Path
) -> None:
    rider = dev_signer(PARTICIPANTS, DEV_CHAIN_ID).address  # the last participant
    created = start(network, rounds=2, attacks={PARTICIPANTS - 1: "free-rider"})

    conduct(network, created.task_id, expelled=frozenset({PARTICIPANTS - 1}))

    assert network.owner.task(created.task_id).status == TaskStatus.COMPLETED
    round_one = network.owner.round(created.task_id, 1)
    revealed = {
        u.participant: u.reveal_index for u in network.owner.revealed_updates(created.task_id, 1)
    }
    assert not round_one.accepted_bitmap >> revealed[rider] & 1
    assert round_one.accepted_count == PARTICIPANTS - 1
    assert _slashed(network, created.task_id).get(rider, 0) > 0
    honest = [dev_signer(i + 1, DEV_CHAIN_ID).address for i in range(PARTICIPANTS - 1)]
    paid = _paid(network, created.task_id, expelled=frozenset({PARTICIPANTS - 1}))
    assert all(paid[h] > 2 * paid.get(rider, 0) for h in honest)
    check = verify_round(network.owner, network.store, created.task_id, 1)
    assert check.ok
    assert check.rejected[revealed[rider]] == "unchanged global model (no training)"


def test_minority_attesting_a_wrong_model_cannot_finalize_it_and_is_slashed(
    network: Network,
) -> None:
    # The liar is driven by the test, so that it attests first, the moment the attest phase
    # opens: 4 honest x 10 + liar 10 = 50; its 10 can never reach the 0.67 quorum alone.
    liar_signer = dev_signer(PARTICIPANTS + 1, DEV_CHAIN_ID)
    liar = FLClient(network.w3, network.owner.deployment, TxSender(network.w3, liar_signer))
    created = create_task(network.owner, network.store, small_task(1))
    liar.join(created.task_id, 10 * TOKEN)
    for index in range(PARTICIPANTS):
        network.spawn(index, created.task_id)
    wait_for_members(network, created.task_id, PARTICIPANTS + 1)
    network.owner.start_round(created.task_id)
    wrong = hashlib.sha256(b"a model nobody computed").digest()

    lie_ = (wrong, 0x55, (1 << PARTICIPANTS) - 1, bytes(32))
    salt = b"\x07" * 32

    def lie() -> None:
        rnd = network.owner.round(created.task_id, 1)
        me = liar.member(created.task_id, liar.address)
        if rnd.phase == RoundPhase.ATTEST_COMMIT and not me.did(MemberInfo.ATTEST_COMMITTED, 1):
            liar.commit_attestation(created.task_id, 1, *lie_, salt)
        elif rnd.phase == RoundPhase.ATTEST_REVEAL and not me.did(MemberInfo.ATTESTED, 1):
            liar.reveal_attestation(created.task_id, 1, *lie_, salt)

    conduct(network, created.task_id, after_advance=lie)

    assert network.owner.task(created.task_id).status == TaskStatus.COMPLETED
    assert verify_round(network.owner, network.store, created.task_id, 1).ok
    attestations = network.owner.attested_results(created.task_id, 1)
    winning = network.owner.round(created.task_id, 1).winning_result
    assert {a.attester for a in attestations if a.result_id != winning} == {liar.address}
    assert network.owner.latest_model(created.task_id).model_digest != wrong
    liar.settle(created.task_id, liar.address)
    assert _slashed(network, created.task_id) == {liar.address: TOKEN}  # 10% of 10 tokens
