"""Private tasks end to end on a real Anvil and a real store, participants as OS processes:
everything in the store is ciphertext, members (and only members) read and verify the models,
secure aggregation gives FedAvg's model, and a secure-aggregation dropout fails one round and
is left out of the next attempt, with no stake lost by honest members."""

from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys
import time

import pytest
from role_network import PARTICIPANTS, Network, small_task, wait_for_members

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.controls import increase_time, mine
from flchain.crypto import is_sealed
from flchain.demo.conductor import skip_owner_window
from flchain.errors import EncodingError, KeyAccessError
from flchain.fl import build_model, decode_state, evaluate, load_into
from flchain.protocol.records import MemberInfo, RoundPhase, TaskStatus
from flchain.roles.data.datasets import load_test_data
from flchain.roles.owner import CreatedTask, create_task
from flchain.roles.privacy.keyrings import KeyringPublisher
from flchain.roles.privacy.round_keys import RoundKeySource, open_global_model
from flchain.roles.verifier import verify_round
from flchain.storage.cid import Cid

pytestmark = pytest.mark.integration
TOKEN = 10**18


def _start(
    net: Network, rounds: int, stake: str | None = None
) -> tuple[CreatedTask, KeyringPublisher]:
    task = small_task(rounds)
    task = dataclasses.replace(
        task, document=dataclasses.replace(task.document, private=True, secure_aggregation=True)
    )
    created = create_task(net.owner, net.store, task)
    for index in range(PARTICIPANTS):
        net.spawn(index, created.task_id, None, *(["--stake", stake] if stake else []))
    wait_for_members(net, created.task_id, PARTICIPANTS)
    net.owner.start_round(created.task_id)
    return created, KeyringPublisher(net.owner, net.store, created.task_id)


def _conduct(net: Network, task_id: int, keyrings: KeyringPublisher, dead: set[int]) -> None:
    """Publish keyrings and move the clock once the live participants have done a phase's work;
    an attest phase that cannot reach a quorum (a roster member did not reveal) is ended too."""
    limit = time.monotonic() + 300
    owner_keys = RoundKeySource(net.owner, net.store, task_id, net.owner.sender.signer)
    while net.owner.task(task_id).status == TaskStatus.ACTIVE:
        assert time.monotonic() < limit, "the task did not finish in time; see participant logs"
        for index, proc in net.procs.items():
            if index not in dead:
                assert proc.poll() in (None, 0), (
                    net.root / f"participant-{index}.log"
                ).read_text()[-2000:]
        keyrings.step()
        rnd = net.owner.round(task_id, net.owner.task(task_id).current_round)
        if rnd.phase == RoundPhase.FAILED:  # members restart it after the owner's window
            skip_owner_window(net.w3, net.owner, task_id, rnd)
        live = [m for i, m in enumerate(net.members(task_id)) if i not in dead and m.joined]
        keyring = owner_keys.keyring(rnd.round)
        roster = set(keyring.roster or ()) if keyring else set()
        workers = [m for m in live if m.address.lower() in roster]
        revealed = {u.participant.lower() for u in net.owner.revealed_updates(task_id, rnd.round)}
        done = {
            RoundPhase.COMMIT: keyring is not None
            and all(m.did(MemberInfo.COMMITTED, rnd.round) for m in workers),
            RoundPhase.REVEAL: all(m.did(MemberInfo.REVEALED, rnd.round) for m in workers),
            RoundPhase.ATTEST_COMMIT: not roster <= revealed
            or all(m.did(MemberInfo.ATTEST_COMMITTED, rnd.round) for m in live),
            RoundPhase.ATTEST_REVEAL: not roster <= revealed
            or all(m.did(MemberInfo.ATTESTED, rnd.round) for m in live),
        }.get(rnd.phase, False)
        if done:
            deadline = {
                RoundPhase.COMMIT: rnd.commit_deadline,
                RoundPhase.REVEAL: rnd.reveal_deadline,
                RoundPhase.ATTEST_COMMIT: rnd.attest_commit_deadline,
            }
            now = int(net.w3.eth.get_block("latest")["timestamp"])
            increase_time(net.w3, max(1, deadline.get(rnd.phase, rnd.attest_deadline) - now))
            mine(net.w3)
        time.sleep(0.1)


def test_private_task_with_secure_aggregation_trains_and_only_members_read_it(
    network: Network,
) -> None:
    created, keyrings = _start(network, rounds=2)

    _conduct(network, created.task_id, keyrings, dead=set())

    task_id = created.task_id
    assert network.owner.task(task_id).status == TaskStatus.COMPLETED
    models = network.owner.models(task_id)
    assert [m.contributors for m in models[1:]] == [PARTICIPANTS, PARTICIPANTS]
    stored = [network.store.get(Cid.from_chain(m.model_digest, m.codec)) for m in models[1:]]
    updates = [
        network.store.get(Cid.from_chain(u.cid_digest, u.codec))
        for u in network.owner.revealed_updates(task_id, models[-1].round)
    ]
    for blob in stored + updates:  # the store holds nothing but ciphertext
        assert is_sealed(blob)
        with pytest.raises(EncodingError):
            decode_state(blob)
    member = dev_signer(1, DEV_CHAIN_ID)
    plain = open_global_model(
        network.owner, network.store, task_id, models[-1].round, stored[-1], member
    )
    doc = small_task(2).document
    model = build_model(doc.model, seed=0)
    load_into(model, plain)
    assert evaluate(model, load_test_data("digits", doc.data))[0] > 0.6
    assert verify_round(network.owner, network.store, task_id, models[-1].round, member).ok
    outsider = dev_signer(PARTICIPANTS + 5, DEV_CHAIN_ID)
    with pytest.raises(KeyAccessError, match="is not in the keyring"):
        open_global_model(
            network.owner, network.store, task_id, models[-1].round, stored[-1], outsider
        )
    with pytest.raises(KeyAccessError, match="pass --account"):
        verify_round(network.owner, network.store, task_id, models[-1].round)


def test_registry_download_explains_why_a_non_member_cannot_decrypt(network: Network) -> None:
    created, keyrings = _start(network, rounds=1)
    _conduct(network, created.task_id, keyrings, dead=set())
    command = [
        sys.executable, "-m", "flchain", "registry", "download", str(created.task_id),
        "--rpc", network.devnet.rpc_url, "--store", str(network.store.root),
        "--deployments", str(network.deployments), "-o", str(network.root / "model.bin"),
    ]  # fmt: skip

    outsider = subprocess.run(
        [*command, "--account", "dev:20"], capture_output=True, text=True, check=False
    )
    member = subprocess.run(
        [*command, "--account", "dev:1", "--json"], capture_output=True, text=True, check=False
    )

    assert outsider.returncode == 1
    assert "is not in the keyring of task" in outsider.stderr
    assert "only the round's members" in outsider.stderr
    assert member.returncode == 0, member.stderr
    assert '"decrypted": true' in member.stdout
    assert not is_sealed((network.root / "model.bin").read_bytes())


def test_secure_aggregation_dropout_fails_one_round_then_the_task_goes_on_without_it(
    network: Network,
) -> None:
    # Stakes of 20 (minimum 10): the dropout's 10% slash does not expel it, so the next keyring
    # still holds it, and only the roster leaves it out.
    created, keyrings = _start(network, rounds=1, stake="20")
    task_id = created.task_id
    victim = dev_signer(1, DEV_CHAIN_ID).address
    honest = [dev_signer(i + 1, DEV_CHAIN_ID).address for i in range(1, PARTICIPANTS)]
    dead: set[int] = set()
    original = keyrings.step

    def step_and_kill() -> int | None:
        if not dead and network.owner.member(task_id, victim).did(MemberInfo.COMMITTED, 1):
            network.procs[0].send_signal(signal.SIGKILL)  # commits, never reveals
            network.procs[0].wait()
            dead.add(0)
        return original()

    keyrings.step = step_and_kill  # type: ignore[method-assign]
    _conduct(network, task_id, keyrings, dead)

    assert dead, "the dropout was never seen committing"
    assert network.owner.phase(task_id, 1) == RoundPhase.FAILED
    second = network.owner.round(task_id, 2)
    assert second.phase == RoundPhase.FINALIZED
    assert second.accepted_count == PARTICIPANTS - 1
    keyring = RoundKeySource(network.owner, network.store, task_id, None).keyring(2)
    assert keyring is not None
    assert keyring.holds(victim)
    assert victim.lower() not in (keyring.roster or ())
    for proc in (p for i, p in network.procs.items() if i not in dead):
        assert proc.wait(timeout=60) == 0  # the honest ones claimed and exited
    network.owner.settle(task_id, victim)
    stakes = {m.address: m.stake for m in network.members(task_id)}
    assert all(stakes[address] == 20 * TOKEN for address in honest)  # no honest stake lost
    # The dropout pays the unrevealed commit's slash (10%), then, silent in a failed round that
    # had reveals, the inactivity penalty (reject_slash of what is left, rounded up).
    reject_bps = network.owner.task(task_id).reject_slash_bps
    assert stakes[victim] == 18 * TOKEN - (18 * TOKEN * reject_bps + 9_999) // 10_000
