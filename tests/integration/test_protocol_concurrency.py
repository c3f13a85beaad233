"""Many participants acting at once from threads of one process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.controls import revert, snapshot
from flchain.chain.transactions import TxSender
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import deploy
from flchain.protocol.deployment import Deployment
from flchain.protocol.records import TaskConfig
from flchain.storage.cid import RAW

pytestmark = pytest.mark.integration

TOKEN = 10**18
JOINERS = range(1, 9)  # dev accounts 1..8; dev:0 owns the task


@pytest.fixture
def deployment(w3: Web3, tmp_path: Path) -> Iterator[Deployment]:
    before = snapshot(w3)
    report = deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=tmp_path)
    assert report.deployment is not None
    yield report.deployment
    revert(w3, before)


def test_join_admits_every_participant_when_eight_join_concurrently(
    w3: Web3, deployment: Deployment
) -> None:
    owner = FLClient(w3, deployment, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)))
    config = TaskConfig(
        deployment.token,
        b"\x11" * 32,
        RAW,
        b"\x22" * 32,
        RAW,
        3,
        60,
        60,
        60,
        10 * TOKEN,
        100 * TOKEN,
    )
    task_id, _ = owner.create_task(config)
    joiners = {
        i: FLClient(w3, deployment, TxSender(w3, dev_signer(i, DEV_CHAIN_ID))) for i in JOINERS
    }
    start = threading.Barrier(len(joiners))

    def join(index: int) -> None:
        start.wait(timeout=10)
        joiners[index].join(task_id, 10 * TOKEN + index)  # approve, then join

    with ThreadPoolExecutor(len(joiners)) as pool:
        list(pool.map(join, joiners))  # re-raises the first error of any thread

    task = owner.task(task_id)
    assert task.member_count == len(joiners)
    assert task.total_stake == sum(10 * TOKEN + i for i in JOINERS)
    for index, client in joiners.items():
        assert owner.member(task_id, client.address).stake == 10 * TOKEN + index


def test_join_of_one_account_to_two_tasks_at_once_takes_both_stakes(
    w3: Web3, deployment: Deployment
) -> None:
    # Two clients of one account stand for two participant processes (one per task): each
    # approves its stake and joins. Without the account lock, the second approval can overwrite
    # the first before it is spent, and one join reverts for want of allowance.
    owner = FLClient(w3, deployment, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)))
    config = TaskConfig(
        deployment.token, b"\x11" * 32, RAW, b"\x22" * 32, RAW, 3, 60, 60, 60, 10 * TOKEN, 100 * TOKEN
    )  # fmt: skip
    tasks = [owner.create_task(config)[0] for _ in range(2)]
    stakes = [10 * TOKEN, 25 * TOKEN]
    clients = [FLClient(w3, deployment, TxSender(w3, dev_signer(9, DEV_CHAIN_ID))) for _ in tasks]
    start = threading.Barrier(len(clients))

    def join(index: int) -> None:
        start.wait(timeout=10)
        clients[index].join(tasks[index], stakes[index])

    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(join, range(len(clients))))

    for task_id, stake in zip(tasks, stakes, strict=True):
        assert owner.member(task_id, clients[0].address).stake == stake
