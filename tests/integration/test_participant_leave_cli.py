"""``flchain participant leave`` on Anvil: a bonded stake unbonds first, the command says when
to come back, and the second run pays the stake and rewards back."""

from __future__ import annotations

import pytest
from protocol_parties import TOKEN, Parties, task_with_members
from typer.testing import CliRunner
from web3 import Web3

from flchain.chain.controls import increase_time, mine
from flchain.chain.devnet import Devnet
from flchain.cli.participant import app
from flchain.errors import StakeUnbondingError

pytestmark = pytest.mark.integration

runner = CliRunner()


def test_leave_unbonds_then_leaves_once_the_stake_unbonded(
    w3: Web3, devnet: Devnet, parties: Parties, chain_snapshot: str
) -> None:
    task_id = task_with_members(parties)
    parties.owner.start_round(task_id)  # rounds run: alice's stake is bonded
    token = parties.alice.token()
    before = token.functions.balanceOf(parties.alice.address).call()
    args = ["leave", "--task", str(task_id), "--account", "dev:1", "--rpc", devnet.rpc_url,
            "--deployments", str(parties.directory)]  # fmt: skip

    first = runner.invoke(app, args)
    assert isinstance(first.exception, StakeUnbondingError), first.output
    now = int(w3.eth.get_block("latest")["timestamp"])
    increase_time(w3, first.exception.leave_time - now)
    mine(w3)
    second = runner.invoke(app, args)

    assert second.exit_code == 0, second.output
    assert f"left task {task_id}" in second.output
    assert token.functions.balanceOf(parties.alice.address).call() - before == 10 * TOKEN
