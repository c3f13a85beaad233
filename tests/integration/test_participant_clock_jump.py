"""A chain whose clock jumps past several deadlines while participants run (`flchain devnet
warp`): the participants find their round failed, start the next attempt once the owner's
window is over, and finish the task, unslashed. Before, the round's committers were slashed
for the reveal the jump made impossible (10% of a minimum stake: expelled, the task stalled).

The jump is real: Anvil's clock is moved with `evm_increaseTime` between two blocks, as
`flchain devnet warp` does, while the participant processes run.
"""

from __future__ import annotations

from pathlib import Path

from clock_driver import drive_until_done, wait_for
from flchain_processes import deploy_digits_task, run_flchain, start_participant, stop_participants

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.connection import connect
from flchain.chain.controls import increase_time, mine
from flchain.chain.devnet import Devnet
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import load_deployment
from flchain.protocol.records import MemberInfo, RoundStatus, TaskStatus

TRAINERS = 2


def test_participants_carry_on_after_the_clock_jumps_past_every_deadline_of_a_round(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with Devnet() as devnet:
        task_id = deploy_digits_task(home, tmp_path, devnet.rpc_url)
        procs = [
            start_participant(home, tmp_path, devnet.rpc_url, task_id, index, TRAINERS)
            for index in range(TRAINERS)
        ]
        w3 = connect(devnet.rpc_url)
        owner = FLClient(w3, load_deployment(w3, home / "deployments"))
        members = [dev_signer(i + 1, DEV_CHAIN_ID).address for i in range(TRAINERS)]
        try:
            wait_for(lambda: owner.task(task_id).member_count == TRAINERS, procs)
            run_flchain(home, "task", "start", str(task_id), "--rpc", devnet.rpc_url)
            committed = lambda: all(  # noqa: E731
                owner.member(task_id, a).did(MemberInfo.COMMITTED, 1) for a in members
            )
            wait_for(committed, procs)
            task = owner.task(task_id)
            rnd = owner.round(task_id, 1)
            now = int(w3.eth.get_block("latest")["timestamp"])
            # Past commit, reveal and attest deadlines, and past the owner's restart window.
            increase_time(w3, rnd.attest_deadline + task.attest_duration - now + 1)
            mine(w3)
            drive_until_done(owner, task_id, members, procs)
            codes = [proc.wait(timeout=180) for proc in procs]
        finally:
            stop_participants(procs)
        logs = "\n".join((tmp_path / f"p{i}.log").read_text()[-2000:] for i in range(TRAINERS))
        assert codes == [0] * TRAINERS, logs
        task = owner.task(task_id)
        assert task.status == TaskStatus.COMPLETED
        assert owner.round(task_id, 1).status == RoundStatus.FAILED
        assert owner.revealed_updates(task_id, 1) == []  # nothing revealed after the jump
        for round_id in range(2, task.current_round + 1):  # every later attempt: both revealed
            revealed = {u.participant for u in owner.revealed_updates(task_id, round_id)}
            assert revealed == set(members), round_id
        assert [owner.member(task_id, a).stake for a in members] == [task.min_stake] * TRAINERS
