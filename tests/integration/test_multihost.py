"""Separate machines, simulated: an owner, three participants and an observer run as separate
processes, each with its own FLCHAIN_HOME, sharing only an RPC URL and a store URL
(`flchain ipfs serve`), on Anvil and on a Hardhat 3 node, and complete 3 rounds.

What each home receives from the owner is the deployment record (the network's address
book, as a real network publishes its contract addresses). The test plays the chain's clock:
it moves time to a phase's deadline once every member has done its part. Nothing is mocked.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flchain_processes import (
    ROUNDS,
    digits_task_config,
    flchain_env,
    run_flchain,
    stop_participants,
)
from hardhat_node import hardhat_node

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.connection import connect
from flchain.chain.controls import increase_time, mine
from flchain.chain.devnet import Devnet
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import load_deployment
from flchain.protocol.records import MemberInfo, RoundPhase, TaskStatus

TRAINERS = 3


@pytest.fixture(params=["anvil", "hardhat"])
def rpc_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "anvil":
        with Devnet() as devnet:
            yield devnet.rpc_url
        return
    with hardhat_node(tmp_path / "hardhat-node.log") as url:
        yield url


@pytest.fixture
def store_url(tmp_path: Path) -> Iterator[str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "flchain", "ipfs", "serve", "--port", "0",
         "--root", str(tmp_path / "served-store")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=flchain_env(tmp_path / "store-host"),
    )  # fmt: skip
    assert server.stdout is not None
    url = server.stdout.readline().strip()
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


ACCOUNTS = {f"p{i + 1}": i + 1 for i in range(TRAINERS)} | {"observer": TRAINERS + 1}


def _conduct(owner: FLClient, task_id: int, procs: dict[str, subprocess.Popen[bytes]]) -> None:
    """Play the clock until the task ends: each phase ends once all members did their part."""
    addresses = {name: dev_signer(index, DEV_CHAIN_ID).address for name, index in ACCOUNTS.items()}
    limit = time.monotonic() + 600
    while owner.task(task_id).status == TaskStatus.ACTIVE:
        assert time.monotonic() < limit, "the task did not finish; see the participant logs"
        assert all(p.poll() in (None, 0) for p in procs.values()), "a participant failed"
        task = owner.task(task_id)
        rnd = owner.round(task_id, task.current_round)
        members = [owner.member(task_id, a) for a in addresses.values()]
        trainers = [m for name, m in zip(addresses, members, strict=True) if name != "observer"]
        work = {
            RoundPhase.COMMIT: (MemberInfo.COMMITTED, rnd.commit_deadline, trainers),
            RoundPhase.REVEAL: (MemberInfo.REVEALED, rnd.reveal_deadline, trainers),
            RoundPhase.ATTEST_COMMIT: (
                MemberInfo.ATTEST_COMMITTED,
                rnd.attest_commit_deadline,
                members,
            ),
            RoundPhase.ATTEST_REVEAL: (MemberInfo.ATTESTED, rnd.attest_deadline, members),
        }.get(rnd.phase)
        done = work and all(m.did(work[0], rnd.round) for m in work[2])
        if done and owner.phase(task_id, rnd.round) == rnd.phase:
            now = int(owner.w3.eth.get_block("latest")["timestamp"])
            increase_time(owner.w3, max(1, work[1] - now))
            mine(owner.w3)
        time.sleep(0.2)


def test_owner_participants_and_observer_on_separate_homes_complete_three_rounds(
    rpc_url: str, store_url: str, tmp_path: Path
) -> None:
    homes = {name: tmp_path / name for name in ("owner", "p1", "p2", "p3", "observer")}
    for home in homes.values():
        home.mkdir()
    run_flchain(homes["owner"], "deploy", "--rpc", rpc_url)
    record = next((homes["owner"] / "deployments").glob("*.json"))
    for name, home in homes.items():
        if name != "owner":
            (home / "deployments").mkdir()
            shutil.copy(record, home / "deployments" / record.name)
    created = json.loads(
        run_flchain(homes["owner"], "task", "create", "--config", str(digits_task_config(tmp_path)),
                 "--rpc", rpc_url, "--store", store_url, "--json")
    )  # fmt: skip
    task_id = int(created["task"])
    procs: dict[str, subprocess.Popen[bytes]] = {}
    logs = []
    for name, account in ACCOUNTS.items():
        extra = ["--no-train"] if name == "observer" else ["--shard", f"{account - 1}/{TRAINERS}"]
        log = (tmp_path / f"{name}.log").open("wb")
        logs.append(log)
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "flchain", "participant", "run", "--task", str(task_id),
             "--account", f"dev:{account}", "--rpc", rpc_url, "--store", store_url,
             "--timeout", "600", *extra],
            stdout=log, stderr=subprocess.STDOUT, env=flchain_env(homes[name]), cwd=homes[name],
        )  # fmt: skip
    w3 = connect(rpc_url)
    owner = FLClient(w3, load_deployment(w3, homes["owner"] / "deployments"))
    limit = time.monotonic() + 180
    while owner.task(task_id).member_count < TRAINERS + 1:
        assert time.monotonic() < limit, "participants did not join"
        assert all(p.poll() is None for p in procs.values()), "a participant exited early"
        time.sleep(0.2)
    run_flchain(homes["owner"], "task", "start", str(task_id), "--rpc", rpc_url)

    try:
        _conduct(owner, task_id, procs)
        codes = {name: proc.wait(timeout=120) for name, proc in procs.items()}
    finally:
        stop_participants(procs.values())
        for log in logs:
            log.close()

    task = owner.task(task_id)
    assert task.status == TaskStatus.COMPLETED
    assert task.finalized_rounds == ROUNDS
    assert codes == dict.fromkeys(procs, 0)
    trainer_log = (tmp_path / "p1.log").read_text()  # one line per round step by default
    for step in ("committed", "revealed"):
        assert f"task {task_id} round {ROUNDS}: {step}" in trainer_log
    # A round finalizes once its quorum attested, so a slow member may miss attesting a round:
    # each round still has attesters, and their logs say so.
    logs_text = "".join((tmp_path / f"{name}.log").read_text() for name in ACCOUNTS)
    for rnd in range(1, ROUNDS + 1):
        assert f"task {task_id} round {rnd}: attested" in logs_text
    status = json.loads(
        run_flchain(homes["observer"], "task", "status", str(task_id), "--rpc", rpc_url, "--json")
    )
    assert status["phase"] == "completed"
