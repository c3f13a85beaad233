"""RPC connection loss: a participant whose connection to the node is cut mid-round (after it
committed) retries with backoff, resumes when the node answers again, reveals from its
journal and finishes the task unslashed. Before, it exited on the first failed call and
was slashed for the unrevealed commit.

The fault is real: a TCP proxy between the participant and Anvil is closed and reopened.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

from clock_driver import drive_until_done, wait_for
from flchain_processes import deploy_digits_task, run_flchain, start_participant, stop_participants
from tcp_proxy import TcpProxy

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.connection import connect
from flchain.chain.controls import increase_time, mine
from flchain.chain.devnet import Devnet
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import load_deployment
from flchain.protocol.records import MemberInfo, RoundPhase, TaskStatus

TRAINERS = 2


def test_participant_resumes_after_losing_its_rpc_connection_and_is_not_slashed(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with Devnet() as devnet:
        proxy = TcpProxy(int(urlsplit(devnet.rpc_url).port or 0))
        proxy.start()
        task_id = deploy_digits_task(home, tmp_path, devnet.rpc_url)
        urls = [proxy.url] + [devnet.rpc_url] * (TRAINERS - 1)  # participant 0 goes through it
        procs = [
            start_participant(home, tmp_path, url, task_id, index, TRAINERS)
            for index, url in enumerate(urls)
        ]
        w3 = connect(devnet.rpc_url)
        owner = FLClient(w3, load_deployment(w3, home / "deployments"))
        cut_victim = dev_signer(1, DEV_CHAIN_ID).address
        trainers = [dev_signer(i + 1, DEV_CHAIN_ID).address for i in range(TRAINERS)]
        try:
            wait_for(lambda: owner.task(task_id).member_count == TRAINERS, procs)
            run_flchain(home, "task", "start", str(task_id), "--rpc", devnet.rpc_url)
            wait_for(lambda: owner.member(task_id, cut_victim).did(MemberInfo.COMMITTED, 1), procs)
            proxy.cut()
            _advance_when_all(owner, task_id, RoundPhase.COMMIT, MemberInfo.COMMITTED, procs)
            time.sleep(5)  # the victim's calls fail meanwhile: it must retry, not exit
            assert procs[0].poll() is None, (tmp_path / "p0.log").read_text()[-2000:]
            proxy.start()
            drive_until_done(owner, task_id, trainers, procs)
            codes = [proc.wait(timeout=120) for proc in procs]
        finally:
            proxy.cut()
            stop_participants(procs)

        assert codes == [0, 0], (tmp_path / "p0.log").read_text()[-2000:]
        assert owner.task(task_id).status == TaskStatus.COMPLETED
        revealed_round_one = {u.participant for u in owner.revealed_updates(task_id, 1)}
        assert cut_victim in revealed_round_one
        assert owner.member(task_id, cut_victim).stake == owner.task(task_id).min_stake
        assert "outage" in (tmp_path / "p0.log").read_text()


def _advance_when_all(owner, task_id, phase, flag, procs) -> None:  # type: ignore[no-untyped-def]
    """Once every member did ``flag`` in the current round's ``phase``, end the phase."""
    addresses = [dev_signer(i + 1, DEV_CHAIN_ID).address for i in range(TRAINERS)]
    rnd = owner.round(task_id, owner.task(task_id).current_round)
    wait_for(lambda: all(owner.member(task_id, a).did(flag, rnd.round) for a in addresses), procs)
    deadline = {RoundPhase.COMMIT: rnd.commit_deadline, RoundPhase.REVEAL: rnd.reveal_deadline,
                RoundPhase.ATTEST_COMMIT: rnd.attest_commit_deadline,
                RoundPhase.ATTEST_REVEAL: rnd.attest_deadline}[phase]  # fmt: skip
    if owner.phase(task_id, rnd.round) == phase:
        now = int(owner.w3.eth.get_block("latest")["timestamp"])
        increase_time(owner.w3, max(1, deadline - now))
        mine(owner.w3)
